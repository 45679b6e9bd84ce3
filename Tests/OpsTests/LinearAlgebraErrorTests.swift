import Ops
import Testing

// The error policy of the linear-algebra ops: a matrix without a result (singular, not positive definite, rank
// deficient) throws a LinearAlgebraError naming the op and the matrix; a non-finite entry gives NaN for that
// matrix only; wrong shapes stop with a precondition message naming the op and the shapes.

private func matrix(_ rows: [[Double]]) -> Tensor { Tensor(rows, dtype: .float64) }

/// Two 2 × 2 matrices: an invertible one, then a singular one (its second row is twice its first).
private func invertibleThenSingular() -> Tensor {
    Tensor([2, 1, 1, 3, 1, 2, 2, 4], shape: [2, 2, 2], dtype: .float64)
}

// MARK: - Thrown errors

@Test func solveOfASingularMatrixThrows() {
    // LU of [[1, 2], [2, 4]]: rows swapped, then 2 − 0.5·4 = 0 exactly at pivot 1.
    #expect(throws: LinearAlgebraError.singular(op: "solve", batchIndex: 1, pivot: 1)) {
        try Tensor.solve(invertibleThenSingular(), Tensor.ones([2, 2, 1], dtype: .float64))
    }
    #expect(throws: LinearAlgebraError.singular(op: "solve", batchIndex: 0, pivot: 0)) {
        try Tensor.solve(Tensor.zeros([3, 3], dtype: .float64), Tensor.ones([3], dtype: .float64))
    }
}

@Test func invOfASingularMatrixThrows() {
    #expect(throws: LinearAlgebraError.singular(op: "inv", batchIndex: 1, pivot: 1)) {
        try invertibleThenSingular().inv()
    }
    #expect(throws: LinearAlgebraError.singular(op: "inv", batchIndex: 0, pivot: 0)) {
        try Tensor.zeros([1, 1]).inv()
    }
}

@Test func choleskyOfAMatrixThatIsNotPositiveDefiniteThrows() {
    // [[1, 2], [2, 1]] has eigenvalues −1 and 3: its first leading minor (1) is positive, the second (−3) not.
    #expect(throws: LinearAlgebraError.notPositiveDefinite(op: "cholesky", batchIndex: 0, order: 2)) {
        try matrix([[1, 2], [2, 1]]).cholesky()
    }
    // A batch whose second matrix is negative definite fails at order 1; so does a positive semi-definite one.
    let batch = Tensor([2, 0, 0, 2, -1, 0, 0, -1], shape: [2, 2, 2], dtype: .float64)
    #expect(throws: LinearAlgebraError.notPositiveDefinite(op: "cholesky", batchIndex: 1, order: 1)) {
        try batch.cholesky()
    }
    #expect(throws: LinearAlgebraError.notPositiveDefinite(op: "cholesky", batchIndex: 0, order: 1)) {
        try Tensor.zeros([2, 2], dtype: .float32).cholesky()
    }
}

@Test func lstsqOfARankDeficientMatrixThrows() {
    // Two equal columns: the first Householder reflection is the identity and R[1, 1] is exactly zero.
    let a = matrix([[1, 1], [0, 0], [0, 0]])
    #expect(throws: LinearAlgebraError.rankDeficient(op: "lstsq", batchIndex: 0, column: 1)) {
        try Tensor.lstsq(a, Tensor([1, 2, 3], dtype: .float64))
    }
}

@Test func errorDescriptionsNameTheOpAndTheMatrix() {
    #expect(
        LinearAlgebraError.singular(op: "solve", batchIndex: 3, pivot: 1).description
            == "solve: matrix 3 of the batch is singular (pivot 1 of its LU factorization is zero)")
    #expect(
        LinearAlgebraError.notPositiveDefinite(op: "cholesky", batchIndex: 0, order: 2).description
            == "cholesky: matrix 0 of the batch is not positive definite (its leading minor of order 2 is not)")
    #expect(LinearAlgebraError.rankDeficient(op: "lstsq", batchIndex: 0, column: 1).description.contains("column 1"))
    #expect(LinearAlgebraError.noConvergence(op: "svd", batchIndex: 2, info: 1).description.contains("svd"))
}

@Test func nearlySingularMatricesDoNotThrow() throws {
    // Not an exact zero pivot: a large, ill-conditioned but defined answer, as in LAPACK and PyTorch.
    let a = matrix([[1, 1], [1, 1 + 1e-12]])
    let x = try Tensor.solve(a, Tensor([2, 2], dtype: .float64))
    #expect(x.scalars.allSatisfy { $0.isFinite })
    #expect(try a.inv().scalars.allSatisfy { $0.isFinite && Swift.abs($0) > 1e11 })
}

// MARK: - NaN policy

@Test func aNonFiniteMatrixGivesNaNForItselfOnly() throws {
    // The first matrix of the batch is fine, the second holds a NaN, the third an infinity.
    let a = Tensor([2, 1, 1, 3, 1, .nan, 0, 1, .infinity, 0, 0, 1], shape: [3, 2, 2], dtype: .float64)
    let solved = try Tensor.solve(a, Tensor([3, 5], dtype: .float64))
    expectScalars(solved[0].scalars, approximately: [0.8, 1.4], tolerance: 1e-15, "solve of the finite matrix")
    #expect(solved[1].scalars.allSatisfy { $0.isNaN } && solved[2].scalars.allSatisfy { $0.isNaN })
    let inverse = try a.inv()
    #expect(inverse[0].scalars.allSatisfy { $0.isFinite })
    #expect(inverse[1].scalars.allSatisfy { $0.isNaN } && inverse[2].scalars.allSatisfy { $0.isNaN })
    #expect(a.det().scalars[0] == 5 && a.det().scalars[1].isNaN && a.det().scalars[2].isNaN)
    let (sign, logAbsDet) = a.slogdet()
    #expect(sign.scalars[0] == 1 && sign.scalars[1].isNaN && logAbsDet.scalars[2].isNaN)
    #expect(try a.cholesky()[1].scalars.allSatisfy { $0.isNaN })
    #expect(try a.eigh().values[2].scalars.allSatisfy { $0.isNaN })
    #expect(try a.eigh().values[0].scalars.allSatisfy { $0.isFinite })
    let (q, r) = a.qr()
    #expect(q[1].scalars.allSatisfy { $0.isNaN } && r[1].scalars.allSatisfy { $0.isNaN })
    #expect(r[0].scalars.allSatisfy { $0.isFinite })
    let (u, s, vh) = try a.svd()
    #expect(u[2].scalars.allSatisfy { $0.isNaN } && s[2].scalars.allSatisfy { $0.isNaN })
    #expect(vh[2].scalars.allSatisfy { $0.isNaN })
    #expect(s[0].scalars.allSatisfy { $0.isFinite })
    // A NaN on the right-hand side counts as well.
    let b = Tensor([1, 2, .nan, 1, 1, 1], shape: [3, 2], dtype: .float64)
    let x = try Tensor.lstsq(Tensor.eye(2, dtype: .float64).expanded(to: [3, 2, 2]), b)
    #expect(x[0].scalars == [1, 2] && x[1].scalars.allSatisfy { $0.isNaN } && x[2].scalars == [1, 1])
}

@Test func gradientsThroughANonFiniteMatrixAreNaN() throws {
    let a = Tensor([1, .nan, 0, 1], shape: [2, 2], dtype: .float64).requiringGrad()
    try a.inv().sum().backward()
    #expect(a.grad!.scalars.allSatisfy { $0.isNaN })
    // slogdet's gradient A⁻ᵀ does not exist at a singular matrix: NaN.
    let singular = matrix([[1, 2], [2, 4]]).requiringGrad()
    singular.slogdet().logAbsDet.backward()
    #expect(singular.grad!.scalars.allSatisfy { $0.isNaN })
}

// MARK: - Programmer errors (exit tests run the body in a child process)

@Test func solveWithANonSquareMatrixNamesTheShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = try? Tensor.solve(Tensor.ones([2, 3]), Tensor.ones([2]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("solve: A must be square (…, n, n), got [2, 3]"))
}

@Test func solveWithMismatchedRowsNamesBothShapes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = try? Tensor.solve(Tensor.ones([3, 3]), Tensor.ones([4, 1]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("solve: B [4, 1] must have 3 rows to match A [3, 3]"))
}

@Test func detOfAVectorNamesTheShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = Tensor.ones([3]).det()
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("det: A must be square (…, n, n), got [3]"))
}

@Test func lstsqOfAWideMatrixIsRejected() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = try? Tensor.lstsq(Tensor.ones([2, 3]), Tensor.ones([2]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("lstsq: A [2, 3] has fewer rows than columns (2 < 3); only m ≥ n is supported"))
}
