// Determinants: `det` and `slogdet`, from the LU factorization (LAPACK `?getrf`, row-major), batched over the
// leading axes.
//
// Backward formulas: Giles 2008, "An extended collection of matrix derivative results for forward and reverse
// mode algorithmic differentiation" (https://people.maths.ox.ac.uk/gilesm/files/NA-08-01.pdf), its determinant
// result, and PyTorch's `linalg_det_backward` in FunctionsManual.cpp for singular matrices.

extension Tensor {
    /// The determinant of each square matrix, like `torch.linalg.det(A)`: the product of the pivots of the LU
    /// factorization P A = L U (LAPACK `?getrf`), times (−1) per row interchange. Shapes: (…, n, n) → (…).
    ///
    /// A singular matrix has determinant 0 (no error); a product that overflows is ±∞, as in PyTorch.
    ///
    /// Backward: Ā = ḡ · cof(A), the matrix of cofactors (Giles 2008, "determinant"), which is det(A)·A⁻ᵀ for an
    /// invertible A (one more LU factorization and `?getri`). For an exactly singular A (a zero pivot) the
    /// gradient still exists: with the SVD A = U diag(s) Vᵀ, cof(A) = det(U) det(V) · U diag(∏_{j≠i} s_j) Vᵀ
    /// (PyTorch's `linalg_det_backward` in FunctionsManual.cpp does the same).
    ///
    /// A matrix with a non-finite entry gives NaN.
    public func det() -> Tensor {
        let n = shape.last ?? 0
        precondition(rank >= 2 && shape[rank - 2] == n, "det: A must be square (…, n, n), got \(shape)")
        let factors = luFactorization("det")
        let out = Tensor(uninitialized: Array(shape.dropLast(2)), dtype: dtype)
        func run<T: LinearAlgebraScalar>(_: T.Type) {
            let p = out.pointer(T.self)
            for (i, factor) in factors.enumerated() {
                guard factor.finite else {
                    p[i] = .nan
                    continue
                }
                // An exactly zero pivot makes the product 0 (rather than −0, or NaN from 0 · ∞).
                p[i] = factor.singular ? 0 : T(factor.sign) * factor.pivots.reduce(1) { $0 * T($1) }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out.recorded("det", [self]) { g, _ in
            [g.reshaped(g.shape + [1, 1]) * self.cofactors(factors)]
        }
    }

    /// The sign and the natural logarithm of the absolute value of each determinant, like
    /// `torch.linalg.slogdet(A)`: det(A) = sign · exp(logAbsDet), from the pivots of the LU factorization
    /// (LAPACK `?getrf`), without the overflow of their product. Shapes: (…, n, n) → (…) and (…).
    ///
    /// A singular matrix has sign 0 and logAbsDet −∞ (no error); a matrix with a non-finite entry gives NaN for
    /// both.
    ///
    /// Backward: the sign is piecewise constant and has no gradient (it is not recorded). For logAbsDet,
    /// Ā = ḡ · A⁻ᵀ (Giles 2008, "determinant", divided by det(A)). It does not exist at a singular A; there the VJP
    /// returns NaN.
    public func slogdet() -> (sign: Tensor, logAbsDet: Tensor) {
        let n = shape.last ?? 0
        precondition(rank >= 2 && shape[rank - 2] == n, "slogdet: A must be square (…, n, n), got \(shape)")
        let factors = luFactorization("slogdet")
        let batch = Array(shape.dropLast(2))
        let sign = Tensor(uninitialized: batch, dtype: dtype), logAbsDet = Tensor(uninitialized: batch, dtype: dtype)
        func run<T: LinearAlgebraScalar>(_: T.Type) {
            let s = sign.pointer(T.self), l = logAbsDet.pointer(T.self)
            for (i, factor) in factors.enumerated() {
                if !factor.finite {
                    (s[i], l[i]) = (.nan, .nan)
                } else if factor.singular {
                    (s[i], l[i]) = (0, -.infinity)
                } else {
                    let negatives = factor.pivots.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
                    s[i] = negatives % 2 == 0 ? T(factor.sign) : T(-factor.sign)
                    l[i] = factor.pivots.reduce(0) { $0 + T.log(T(Swift.abs($1))) }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        let recorded = logAbsDet.recorded("slogdet", [self]) { g, _ in
            [g.reshaped(g.shape + [1, 1]) * self.inverseOrNaN().transposed()]
        }
        return (sign, recorded)
    }
}

/// The LU factorization of one matrix, reduced to what a determinant needs.
private struct LUDeterminantFactors {
    /// Whether the matrix had only finite entries (else it was not factorized).
    var finite = true
    /// Whether a pivot is exactly zero.
    var singular = false
    /// (−1) to the number of row interchanges.
    var sign = 1.0
    /// The diagonal of U, in Double.
    var pivots: [Double] = []
}

extension Tensor {
    /// The LU factorization (`?getrf`) of each matrix of (…, n, n), reduced to the determinant's factors.
    private func luFactorization(_ op: StaticString) -> [LUDeterminantFactors] {
        let n = shape[rank - 1], matrices = matrixCount(shape)
        var factors = [LUDeterminantFactors](repeating: LUDeterminantFactors(), count: matrices)
        guard count > 0 else { return factors }
        let work = copied()
        var rows = [Int32](repeating: 0, count: n)
        func run<T: LinearAlgebraScalar>(_: T.Type) {
            let p = work.pointer(T.self)
            for i in 0..<matrices {
                let a = p + i * n * n
                guard allFinite(a, n * n) else {
                    factors[i].finite = false
                    continue
                }
                let info = rows.withUnsafeMutableBufferPointer { T.getrf(m: n, n: n, a, $0.baseAddress!) }
                checkArguments(info, op, "getrf")
                factors[i].singular = info > 0
                factors[i].pivots = (0..<n).map { Double(a[$0 * n + $0]) }
                let swaps = rows.enumerated().reduce(0) { $0 + (Int($1.element) != $1.offset + 1 ? 1 : 0) }
                factors[i].sign = swaps % 2 == 0 ? 1 : -1
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return factors
    }

    /// The cofactor matrix cof(A) = adj(A)ᵀ of each matrix, the gradient of det: det(A)·A⁻ᵀ where A is invertible,
    /// and det(U) det(V) · U diag(∏_{j≠i} s_j) Vᵀ from the SVD A = U diag(s) Vᵀ where a pivot is zero. NaN for a
    /// non-finite matrix, or where the SVD does not converge.
    private func cofactors(_ factors: [LUDeterminantFactors]) -> Tensor {
        let n = shape[rank - 1]
        let inverse = inverseOrNaN()
        guard count > 0 else { return inverse }
        let out = Tensor(uninitialized: shape, dtype: dtype)
        func run<T: LinearAlgebraScalar>(_: T.Type) {
            let pi = inverse.pointer(T.self), po = out.pointer(T.self), pa = pointer(T.self)
            for (i, factor) in factors.enumerated() {
                let o = po + i * n * n
                if !factor.finite {
                    fillNaN(o, n * n)
                } else if factor.singular {
                    singularCofactors(pa + i * n * n, n, o)
                } else {
                    let det = T(factor.sign) * factor.pivots.reduce(1) { $0 * T($1) }
                    let inv = pi + i * n * n
                    for r in 0..<n {
                        for c in 0..<n { o[r * n + c] = det * inv[c * n + r] }
                    }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }
}

/// cof(A) = det(U) det(V) · U diag(p) Vᵀ with p_i = ∏_{j≠i} s_j, from the SVD of the n × n matrix at `a`, into `out`
/// (NaN if the SVD does not converge). The products skip s_i rather than divide by it, so a zero s_i is harmless.
private func singularCofactors<T: LinearAlgebraScalar>(
    _ a: UnsafePointer<T>, _ n: Int, _ out: UnsafeMutablePointer<T>
) {
    let work = UnsafeMutablePointer<T>.allocate(capacity: 3 * n * n + n)
    defer { work.deallocate() }
    let u = work, vt = work + n * n, copy = work + 2 * n * n, s = work + 3 * n * n
    copy.update(from: a, count: n * n)
    let info = T.gesdd(m: n, n: n, copy, s, u, vt)
    checkArguments(info, "det backward", "gesdd")
    guard info == 0 else { return fillNaN(out, n * n) }
    let orientation = determinantSign(u, n) * determinantSign(vt, n)
    for i in 0..<n {
        var others: T = orientation
        for j in 0..<n where j != i { others *= s[j] }
        for r in 0..<n { u[r * n + i] *= others }  // U diag(p)
    }
    T.gemm(
        transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: u, lda: n, b: vt, ldb: n, beta: 0,
        c: out, ldc: n)
}

/// The sign (±1) of the determinant of the orthogonal n × n matrix at `q`.
private func determinantSign<T: LinearAlgebraScalar>(_ q: UnsafePointer<T>, _ n: Int) -> T {
    let copy = UnsafeMutablePointer<T>.allocate(capacity: n * n)
    defer { copy.deallocate() }
    copy.update(from: q, count: n * n)
    var rows = [Int32](repeating: 0, count: n)
    let info = rows.withUnsafeMutableBufferPointer { T.getrf(m: n, n: n, copy, $0.baseAddress!) }
    checkArguments(info, "det backward", "getrf")
    var sign: T = 1
    for i in 0..<n {
        if Int(rows[i]) != i + 1 { sign = -sign }
        if copy[i * n + i] < 0 { sign = -sign }
    }
    return sign
}
