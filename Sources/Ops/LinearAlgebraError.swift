/// Why a linear-algebra op has no result for a matrix a user passed: a property of its values, not of its shape.
/// (Wrong ranks or shapes are programmer errors and stop with a `precondition` instead.) The ops throw it on the
/// conditions on which PyTorch's `torch.linalg` raises: `solve` and `inv` on a singular matrix, `cholesky` on one
/// that is not positive definite, `lstsq` on one without full column rank, and `eigh` and `svd` when LAPACK's
/// iteration does not converge.
///
/// `batchIndex` is the position of the offending matrix among the leading (batch) axes, flattened in row-major
/// order (0 for a single matrix). Only the first offending matrix of a batch is reported.
///
/// A matrix with a NaN or infinite entry is not an error: every op gives NaN for it (see `docs/architecture.md`,
/// "Linear algebra").
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The LU factorization met an exactly zero pivot, U[pivot, pivot] = 0 (0-based): the matrix is singular.
    case singular(op: String, batchIndex: Int, pivot: Int)
    /// The Cholesky factorization stopped at the leading minor of order `order` (1-based), which is not positive
    /// definite.
    case notPositiveDefinite(op: String, batchIndex: Int, order: Int)
    /// The least-squares matrix has not full column rank: R[column, column] of its QR factorization is exactly
    /// zero (0-based).
    case rankDeficient(op: String, batchIndex: Int, column: Int)
    /// LAPACK's iterative eigenvalue or singular-value algorithm did not converge (`info` is LAPACK's count of
    /// what did not).
    case noConvergence(op: String, batchIndex: Int, info: Int)

    /// One sentence naming the op, the matrix and what is wrong with it.
    public var description: String {
        switch self {
        case .singular(let op, let index, let pivot):
            "\(op): matrix \(index) of the batch is singular (pivot \(pivot) of its LU factorization is zero)"
        case .notPositiveDefinite(let op, let index, let order):
            "\(op): matrix \(index) of the batch is not positive definite (its leading minor of order \(order) is "
                + "not)"
        case .rankDeficient(let op, let index, let column):
            "\(op): matrix \(index) of the batch does not have full column rank (column \(column) depends on the "
                + "columns before it)"
        case .noConvergence(let op, let index, let info):
            "\(op): LAPACK's algorithm did not converge on matrix \(index) of the batch (info \(info))"
        }
    }
}
