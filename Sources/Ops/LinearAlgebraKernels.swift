// The LAPACK and BLAS routines behind the linear-algebra ops, for Float and Double, and the batch helpers they share.
//
// Every LAPACK call goes through LAPACKE's row-major interface (LAPACK_ROW_MAJOR) on the tensors' own row-major
// storage: LAPACKE copies each matrix to LAPACK's column-major order and back, O(n²) next to the O(n³) of the
// factorization, so the ops need no transposes of their own. Triangular solves use BLAS `?trsm`, also row-major.

import CBLAS

/// The LAPACK and BLAS routines of one precision (`s…` for Float, `d…` for Double) on contiguous row-major matrices.
/// Each LAPACK routine returns LAPACK's `info`: 0 on success, k > 0 for a failure at (1-based) step k. A negative
/// `info` (an invalid argument) cannot come from the ops, which check shapes and finiteness first: it stops with
/// a `precondition` in `checkArguments`.
protocol LinearAlgebraScalar: NativeScalar {
    /// LU factorization with partial pivoting, P A = L U, of the m × n matrix `a` in place (`?getrf`); `pivots`
    /// receives min(m, n) 1-based row indices.
    static func getrf(m: Int, n: Int, _ a: UnsafeMutablePointer<Self>, _ pivots: UnsafeMutablePointer<Int32>) -> Int
    /// Solves A X = B, or Aᵀ X = B when `transpose`, for the n × nrhs matrix `b` in place, from `?getrf`'s factors.
    static func getrs(
        transpose: Bool, n: Int, nrhs: Int, _ lu: UnsafePointer<Self>, _ pivots: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Self>
    ) -> Int
    /// The inverse of A from `?getrf`'s factors, in place (`?getri`).
    static func getri(n: Int, _ lu: UnsafeMutablePointer<Self>, _ pivots: UnsafePointer<Int32>) -> Int
    /// The Cholesky factor L of A = L Lᵀ into the lower triangle of `a` (`?potrf`, reading only that triangle).
    static func potrf(n: Int, _ a: UnsafeMutablePointer<Self>) -> Int
    /// Householder QR of the m × n matrix `a` in place (`?geqrf`): R above the diagonal, the reflectors below,
    /// their scalars in `tau` (min(m, n) of them).
    static func geqrf(m: Int, n: Int, _ a: UnsafeMutablePointer<Self>, _ tau: UnsafeMutablePointer<Self>) -> Int
    /// The first `columns` columns of Q from `?geqrf`'s k reflectors, in place in the m × `columns` block of `a`
    /// whose rows are `lda` apart (`?orgqr`).
    static func orgqr(
        m: Int, columns: Int, k: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ tau: UnsafePointer<Self>
    ) -> Int
    /// Least squares min ‖A X − B‖ for a full-rank m × n A, m ≥ n, by QR (`?gels`): `a` is overwritten by its
    /// QR factors (R in the top n rows), `b` (m × nrhs) by the solution X in its top n rows.
    static func gels(
        m: Int, n: Int, nrhs: Int, _ a: UnsafeMutablePointer<Self>, _ b: UnsafeMutablePointer<Self>
    ) -> Int
    /// Eigenvalues (ascending, into `values`) and eigenvectors (the columns of `a`, in place) of the symmetric
    /// matrix whose lower triangle `a` holds (`?syevd`, divide and conquer).
    static func syevd(n: Int, _ a: UnsafeMutablePointer<Self>, _ values: UnsafeMutablePointer<Self>) -> Int
    /// The reduced SVD A = U diag(S) Vᵀ of the m × n matrix `a` (destroyed), k = min(m, n): S descending into `s`,
    /// U (m × k) into `u`, Vᵀ (k × n) into `vt` (`?gesdd`, divide and conquer).
    static func gesdd(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Self>, _ s: UnsafeMutablePointer<Self>,
        _ u: UnsafeMutablePointer<Self>, _ vt: UnsafeMutablePointer<Self>
    ) -> Int
    /// Solves op(T) X = B (`left`) or X op(T) = B for the rows × columns matrix `b` in place, T triangular
    /// (`upper` or lower; the other triangle is not read), op(T) = Tᵀ when `transpose` (`?trsm`).
    static func trsm(
        left: Bool, upper: Bool, transpose: Bool, rows: Int, columns: Int, _ t: UnsafePointer<Self>,
        _ b: UnsafeMutablePointer<Self>)
}

/// A LAPACK character argument.
private func flag(_ c: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: c)) }

private let rowMajor = Int32(LAPACK_ROW_MAJOR)

extension Float: LinearAlgebraScalar {
    static func getrf(m: Int, n: Int, _ a: UnsafeMutablePointer<Float>, _ pivots: UnsafeMutablePointer<Int32>) -> Int {
        Int(LAPACKE_sgetrf(rowMajor, Int32(m), Int32(n), a, Int32(Swift.max(n, 1)), pivots))
    }
    static func getrs(
        transpose: Bool, n: Int, nrhs: Int, _ lu: UnsafePointer<Float>, _ pivots: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Float>
    ) -> Int {
        let lda = Int32(Swift.max(n, 1)), ldb = Int32(Swift.max(nrhs, 1)), trans = flag(transpose ? "T" : "N")
        return Int(LAPACKE_sgetrs(rowMajor, trans, Int32(n), Int32(nrhs), lu, lda, pivots, b, ldb))
    }
    static func getri(n: Int, _ lu: UnsafeMutablePointer<Float>, _ pivots: UnsafePointer<Int32>) -> Int {
        Int(LAPACKE_sgetri(rowMajor, Int32(n), lu, Int32(Swift.max(n, 1)), pivots))
    }
    static func potrf(n: Int, _ a: UnsafeMutablePointer<Float>) -> Int {
        Int(LAPACKE_spotrf(rowMajor, flag("L"), Int32(n), a, Int32(Swift.max(n, 1))))
    }
    static func geqrf(m: Int, n: Int, _ a: UnsafeMutablePointer<Float>, _ tau: UnsafeMutablePointer<Float>) -> Int {
        Int(LAPACKE_sgeqrf(rowMajor, Int32(m), Int32(n), a, Int32(Swift.max(n, 1)), tau))
    }
    static func orgqr(
        m: Int, columns: Int, k: Int, _ a: UnsafeMutablePointer<Float>, lda: Int, _ tau: UnsafePointer<Float>
    ) -> Int {
        Int(LAPACKE_sorgqr(rowMajor, Int32(m), Int32(columns), Int32(k), a, Int32(Swift.max(lda, 1)), tau))
    }
    static func gels(
        m: Int, n: Int, nrhs: Int, _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>
    ) -> Int {
        let lda = Int32(Swift.max(n, 1)), ldb = Int32(Swift.max(nrhs, 1))
        return Int(LAPACKE_sgels(rowMajor, flag("N"), Int32(m), Int32(n), Int32(nrhs), a, lda, b, ldb))
    }
    static func syevd(n: Int, _ a: UnsafeMutablePointer<Float>, _ values: UnsafeMutablePointer<Float>) -> Int {
        Int(LAPACKE_ssyevd(rowMajor, flag("V"), flag("L"), Int32(n), a, Int32(Swift.max(n, 1)), values))
    }
    static func gesdd(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>,
        _ u: UnsafeMutablePointer<Float>, _ vt: UnsafeMutablePointer<Float>
    ) -> Int {
        let k = Swift.min(m, n), lda = Int32(Swift.max(n, 1)), ldu = Int32(Swift.max(k, 1))
        return Int(LAPACKE_sgesdd(rowMajor, flag("S"), Int32(m), Int32(n), a, lda, s, u, ldu, vt, lda))
    }
    static func trsm(
        left: Bool, upper: Bool, transpose: Bool, rows: Int, columns: Int, _ t: UnsafePointer<Float>,
        _ b: UnsafeMutablePointer<Float>
    ) {
        let order = left ? rows : columns
        cblas_strsm(
            CblasRowMajor, left ? CblasLeft : CblasRight, upper ? CblasUpper : CblasLower,
            transpose ? CblasTrans : CblasNoTrans, CblasNonUnit, blasint(rows), blasint(columns), 1, t,
            blasint(Swift.max(order, 1)), b, blasint(Swift.max(columns, 1)))
    }
}

extension Double: LinearAlgebraScalar {
    static func getrf(m: Int, n: Int, _ a: UnsafeMutablePointer<Double>, _ pivots: UnsafeMutablePointer<Int32>) -> Int {
        Int(LAPACKE_dgetrf(rowMajor, Int32(m), Int32(n), a, Int32(Swift.max(n, 1)), pivots))
    }
    static func getrs(
        transpose: Bool, n: Int, nrhs: Int, _ lu: UnsafePointer<Double>, _ pivots: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Double>
    ) -> Int {
        let lda = Int32(Swift.max(n, 1)), ldb = Int32(Swift.max(nrhs, 1)), trans = flag(transpose ? "T" : "N")
        return Int(LAPACKE_dgetrs(rowMajor, trans, Int32(n), Int32(nrhs), lu, lda, pivots, b, ldb))
    }
    static func getri(n: Int, _ lu: UnsafeMutablePointer<Double>, _ pivots: UnsafePointer<Int32>) -> Int {
        Int(LAPACKE_dgetri(rowMajor, Int32(n), lu, Int32(Swift.max(n, 1)), pivots))
    }
    static func potrf(n: Int, _ a: UnsafeMutablePointer<Double>) -> Int {
        Int(LAPACKE_dpotrf(rowMajor, flag("L"), Int32(n), a, Int32(Swift.max(n, 1))))
    }
    static func geqrf(m: Int, n: Int, _ a: UnsafeMutablePointer<Double>, _ tau: UnsafeMutablePointer<Double>) -> Int {
        Int(LAPACKE_dgeqrf(rowMajor, Int32(m), Int32(n), a, Int32(Swift.max(n, 1)), tau))
    }
    static func orgqr(
        m: Int, columns: Int, k: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, _ tau: UnsafePointer<Double>
    ) -> Int {
        Int(LAPACKE_dorgqr(rowMajor, Int32(m), Int32(columns), Int32(k), a, Int32(Swift.max(lda, 1)), tau))
    }
    static func gels(
        m: Int, n: Int, nrhs: Int, _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>
    ) -> Int {
        let lda = Int32(Swift.max(n, 1)), ldb = Int32(Swift.max(nrhs, 1))
        return Int(LAPACKE_dgels(rowMajor, flag("N"), Int32(m), Int32(n), Int32(nrhs), a, lda, b, ldb))
    }
    static func syevd(n: Int, _ a: UnsafeMutablePointer<Double>, _ values: UnsafeMutablePointer<Double>) -> Int {
        Int(LAPACKE_dsyevd(rowMajor, flag("V"), flag("L"), Int32(n), a, Int32(Swift.max(n, 1)), values))
    }
    static func gesdd(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Double>, _ s: UnsafeMutablePointer<Double>,
        _ u: UnsafeMutablePointer<Double>, _ vt: UnsafeMutablePointer<Double>
    ) -> Int {
        let k = Swift.min(m, n), lda = Int32(Swift.max(n, 1)), ldu = Int32(Swift.max(k, 1))
        return Int(LAPACKE_dgesdd(rowMajor, flag("S"), Int32(m), Int32(n), a, lda, s, u, ldu, vt, lda))
    }
    static func trsm(
        left: Bool, upper: Bool, transpose: Bool, rows: Int, columns: Int, _ t: UnsafePointer<Double>,
        _ b: UnsafeMutablePointer<Double>
    ) {
        let order = left ? rows : columns
        cblas_dtrsm(
            CblasRowMajor, left ? CblasLeft : CblasRight, upper ? CblasUpper : CblasLower,
            transpose ? CblasTrans : CblasNoTrans, CblasNonUnit, blasint(rows), blasint(columns), 1, t,
            blasint(Swift.max(order, 1)), b, blasint(Swift.max(columns, 1)))
    }
}

/// Stops on a negative LAPACK `info`: an invalid argument, which only a bug in the calling op can cause.
@inline(__always)
func checkArguments(_ info: Int, _ op: StaticString, _ routine: StaticString) {
    precondition(info >= 0, "\(op): LAPACK \(routine) rejected argument \(-info) (a bug in \(op))")
}

// MARK: - Batches of matrices

/// The number of matrices in a tensor of shape (…, rows, columns): the product of the batch axes.
func matrixCount(_ shape: [Int]) -> Int { shape.dropLast(2).reduce(1, *) }

/// Whether the `count` elements at `p` are all finite (neither NaN nor ±∞).
func allFinite<T: NativeScalar>(_ p: UnsafePointer<T>, _ count: Int) -> Bool {
    for i in 0..<count where !p[i].isFinite { return false }
    return true
}

/// Writes NaN to the `count` elements at `p`: the output of a matrix with a non-finite entry.
func fillNaN<T: NativeScalar>(_ p: UnsafeMutablePointer<T>, _ count: Int) {
    p.update(repeating: .nan, count: count)
}

/// Sets the elements of the rows × columns matrix at `p` below (`below`) or above its diagonal to zero.
func zeroTriangle<T: NativeScalar>(_ p: UnsafeMutablePointer<T>, rows: Int, columns: Int, below: Bool) {
    for i in 0..<rows {
        let range = below ? 0..<Swift.min(i, columns) : Swift.min(i + 1, columns)..<columns
        for j in range { p[i * columns + j] = 0 }
    }
}

/// The NumPy broadcast of two batch shapes, or `nil`.
private func broadcastBatch(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        guard da == db || da == 1 || db == 1 else { return nil }
        out[i] = da == 1 ? db : da
    }
    return out
}

extension Tensor {
    /// A and B expanded to their common batch axes (all but the last two), as `solve` and `lstsq` broadcast them;
    /// the expansions are recorded, so the engine sums the gradients back.
    static func broadcastingBatches(_ op: StaticString, _ a: Tensor, _ b: Tensor) -> (Tensor, Tensor) {
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        if batchA == batchB { return (a, b) }
        guard let batch = broadcastBatch(batchA, batchB) else {
            preconditionFailure("\(op): batch axes of \(a.shape) and \(b.shape) do not broadcast")
        }
        return (a.expanded(to: batch + a.shape.suffix(2)), b.expanded(to: batch + b.shape.suffix(2)))
    }

    /// Whether every element is exactly zero: an output gradient the loss never reached.
    var isAllZero: Bool {
        switch dtype {
        case .float32: buffer(Float.self).allSatisfy { $0 == 0 }
        case .float64: buffer(Double.self).allSatisfy { $0 == 0 }
        }
    }

    /// The solution of op(T) X = B (`left`) or X op(T) = B by substitution (BLAS `?trsm`), for each triangular T of
    /// `t` (…, n, n) (`upper` or lower; the other triangle is not read), op(T) = Tᵀ when `transpose`, and the
    /// matching matrix of `b`: (…, n, k) when `left`, (…, k, n) otherwise, with t's batch axes. A zero on T's
    /// diagonal gives ±∞ or NaN. Not recorded: the triangular solves of the VJPs, which run inside `noGrad`.
    static func triangularSolve(_ t: Tensor, _ b: Tensor, upper: Bool, transpose: Bool, left: Bool) -> Tensor {
        let n = t.shape[t.rank - 1]
        precondition(
            t.rank >= 2 && t.shape[t.rank - 2] == n && b.rank == t.rank && b.shape.dropLast(2) == t.shape.dropLast(2)
                && b.shape[b.rank - (left ? 2 : 1)] == n,
            "triangularSolve: T \(t.shape) and B \(b.shape) do not match (left: \(left))")
        let x = b.copied()
        let rows = b.shape[b.rank - 2], columns = b.shape[b.rank - 1], matrices = matrixCount(b.shape)
        guard x.count > 0 else { return x }
        func run<T: LinearAlgebraScalar>(_: T.Type) {
            let pt = t.pointer(T.self), px = x.pointer(T.self)
            for i in 0..<matrices {
                T.trsm(
                    left: left, upper: upper, transpose: transpose, rows: rows, columns: columns, pt + i * n * n,
                    px + i * rows * columns)
            }
        }
        switch t.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return x
    }

    /// The inverse of each matrix of (…, n, n) by LU (`?getrf` + `?getri`), NaN for a singular or non-finite one.
    /// Not recorded: for the VJPs of `det` and `slogdet`.
    func inverseOrNaN() -> Tensor { luInverses("inverse").inverses }

    /// The inverse of each matrix of (…, n, n) by LU (`?getrf` + `?getri`), NaN for a singular or non-finite one,
    /// and the first singular matrix (its batch index and the zero pivot's index), if any; `op` names the caller in
    /// messages. Not recorded.
    func luInverses(_ op: StaticString) -> (inverses: Tensor, firstSingular: (batchIndex: Int, pivot: Int)?) {
        let n = shape[rank - 1], matrices = matrixCount(shape)
        let out = copied()
        guard out.count > 0 else { return (out, nil) }
        var pivots = [Int32](repeating: 0, count: n)
        var firstSingular: (batchIndex: Int, pivot: Int)?
        func run<T: LinearAlgebraScalar>(_: T.Type) {
            let p = out.pointer(T.self)
            for i in 0..<matrices {
                let a = p + i * n * n
                guard allFinite(a, n * n) else {
                    fillNaN(a, n * n)
                    continue
                }
                let info = pivots.withUnsafeMutableBufferPointer { T.getrf(m: n, n: n, a, $0.baseAddress!) }
                checkArguments(info, op, "getrf")
                if info > 0 {
                    if firstSingular == nil { firstSingular = (i, info - 1) }
                    fillNaN(a, n * n)
                    continue
                }
                checkArguments(pivots.withUnsafeBufferPointer { T.getri(n: n, a, $0.baseAddress!) }, op, "getri")
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return (out, firstSingular)
    }
}
