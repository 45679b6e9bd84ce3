// Triangular factorizations: `cholesky` and `qr`, through LAPACK (row-major, see LinearAlgebraKernels.swift),
// batched over the leading axes.

extension Tensor {
    /// The Cholesky factor of each symmetric positive-definite matrix, like `torch.linalg.cholesky(A)`: the lower
    /// triangular L with a positive diagonal and A = L Lᵀ (LAPACK `?potrf`). Only A's lower triangle is read: A is
    /// taken to be symmetric. Shapes: (…, n, n) → (…, n, n), zeros above the diagonal.
    ///
    /// Backward (Murray 2016, "Differentiation of the Cholesky decomposition", https://arxiv.org/abs/1602.07527,
    /// as PyTorch's `cholesky_backward` in FunctionsManual.cpp): with Φ = tril(Lᵀ L̄) and P = ½(Φ + tril(Φ, −1)ᵀ)
    /// (Φ's lower triangle mirrored, halved), Ā = L⁻ᵀ P L⁻¹ (two triangular solves). Ā is symmetric: it is the
    /// gradient for perturbations that keep A symmetric, as in PyTorch.
    ///
    /// - Throws: `LinearAlgebraError.notPositiveDefinite` when a leading minor is not positive definite. A
    ///   matrix with a non-finite entry gives NaN.
    public func cholesky() throws(LinearAlgebraError) -> Tensor {
        let n = shape.last ?? 0
        precondition(rank >= 2 && shape[rank - 2] == n, "cholesky: A must be square (…, n, n), got \(shape)")
        let out = copied(), matrices = matrixCount(shape)
        guard out.count > 0 else { return out }
        func run<T: LinearAlgebraScalar>(_: T.Type) throws(LinearAlgebraError) {
            let p = out.pointer(T.self)
            for i in 0..<matrices {
                let a = p + i * n * n
                guard allFinite(a, n * n) else {
                    fillNaN(a, n * n)
                    continue
                }
                let info = T.potrf(n: n, a)
                checkArguments(info, "cholesky", "potrf")
                if info > 0 { throw .notPositiveDefinite(op: "cholesky", batchIndex: i, order: info) }
                zeroTriangle(a, rows: n, columns: n, below: false)
            }
        }
        switch dtype {
        case .float32: try run(Float.self)
        case .float64: try run(Double.self)
        }
        return out.recorded("cholesky", [self]) { g, _ in
            let phi = Tensor.matmul(out, g, transposeA: true).tril()
            let p = 0.5 * (phi + phi.tril(diagonal: -1).transposed())
            let x = Tensor.triangularSolve(out, p, upper: false, transpose: true, left: true)  // L⁻ᵀ P
            return [Tensor.triangularSolve(out, x, upper: false, transpose: false, left: false)]  // L⁻ᵀ P L⁻¹
        }
    }

    /// The reduced QR factorization of each matrix, like `torch.linalg.qr(A, mode: "reduced")`: A = Q R with
    /// k = min(m, n), Q (…, m, k) with orthonormal columns and R (…, k, n) upper triangular, by Householder
    /// reflections (LAPACK `?geqrf`, then `?orgqr` for Q). R's diagonal may have either sign (LAPACK's convention,
    /// also PyTorch's); `Tensor.orthogonal` shows how to make it positive.
    ///
    /// Backward for m ≥ n (Seeger et al. 2017, "Auto-differentiating linear algebra",
    /// https://arxiv.org/abs/1710.08717; PyTorch's `linalg_qr_backward` in FunctionsManual.cpp): with
    /// M = R̄ Rᵀ − Qᵀ Q̄ and B its upper triangle mirrored below the diagonal, Ā = (Q̄ + Q B) R⁻ᵀ. For m < n, A = [X Y]
    /// with X square gives X = Q R₁ and R₂ = Qᵀ Y, so Ȳ = Q R̄₂ and X̄ is the square case with Q̄ + Y R̄₂ᵀ in place
    /// of Q̄. The gradient exists when A's first k columns are linearly independent (R₁ invertible).
    ///
    /// A matrix with a non-finite entry gives NaN in Q and R.
    public func qr() -> (q: Tensor, r: Tensor) {
        precondition(rank >= 2, "qr: A must be a matrix (…, m, n), got \(shape)")
        let m = shape[rank - 2], n = shape[rank - 1], k = Swift.min(m, n)
        let batch = Array(shape.dropLast(2)), matrices = matrixCount(shape)
        let q = Tensor(uninitialized: batch + [m, k], dtype: dtype)
        let r = Tensor.zeros(batch + [k, n], dtype: dtype)
        if count > 0 {
            func run<T: LinearAlgebraScalar>(_: T.Type) {
                let work = UnsafeMutablePointer<T>.allocate(capacity: m * n + k)
                defer { work.deallocate() }
                let tau = work + m * n
                let pa = pointer(T.self), pq = q.pointer(T.self), pr = r.pointer(T.self)
                for i in 0..<matrices {
                    let qi = pq + i * m * k, ri = pr + i * k * n
                    work.update(from: pa + i * m * n, count: m * n)
                    guard allFinite(work, m * n) else {
                        fillNaN(qi, m * k)
                        fillNaN(ri, k * n)
                        continue
                    }
                    checkArguments(T.geqrf(m: m, n: n, work, tau), "qr", "geqrf")
                    for row in 0..<k {
                        for column in row..<n { ri[row * n + column] = work[row * n + column] }
                    }
                    checkArguments(T.orgqr(m: m, columns: k, k: k, work, lda: n, tau), "qr", "orgqr")
                    for row in 0..<m {
                        (qi + row * k).update(from: work + row * n, count: k)
                    }
                }
            }
            switch dtype {
            case .float32: run(Float.self)
            case .float64: run(Double.self)
            }
        }
        let outputs = Tensor.recordedJointly("qr", outputs: [q, r], batch: batch, inputs: [self]) { grads, _ in
            guard grads[0] != nil || grads[1] != nil else { return [nil] }
            guard m < n else { return [qrBackward(grads[0], grads[1], q, r)] }
            // A = [X Y], X (…, m, m): X = Q R₁, R₂ = Qᵀ Y.
            let r1 = r.sliced(axis: -1, 0..<m), y = self.sliced(axis: -1, m..<n)
            let gR1 = grads[1]?.sliced(axis: -1, 0..<m), gR2 = grads[1]?.sliced(axis: -1, m..<n)
            var gQ = grads[0]
            if let gR2 {
                let fromR2 = Tensor.matmul(y, gR2, transposeB: true)  // Y R̄₂ᵀ, (…, m, m)
                gQ = gQ.map { $0 + fromR2 } ?? fromR2
            }
            let gX = qrBackward(gQ, gR1, q, r1)
            let gY = gR2.map { q.matmul($0) } ?? Tensor.zeros(y.shape, dtype: y.dtype)
            return [Tensor.concatenate([gX, gY], axis: -1)]
        }
        return (outputs[0], outputs[1])
    }
}

/// The VJP of A = Q R for m ≥ n, k = n (Q (…, m, k), R (…, k, k)): Ā = (Q̄ + Q B) R⁻ᵀ, B the upper triangle of
/// M = R̄ Rᵀ − Qᵀ Q̄ mirrored below the diagonal. A `nil` gradient stands for zeros.
private func qrBackward(_ gQ: Tensor?, _ gR: Tensor?, _ q: Tensor, _ r: Tensor) -> Tensor {
    let fromR = gR.map { Tensor.matmul($0, r, transposeB: true) }  // R̄ Rᵀ
    let fromQ = gQ.map { Tensor.matmul(q, $0, transposeA: true) }  // Qᵀ Q̄
    let m: Tensor
    switch (fromR, fromQ) {
    case let (fromR?, fromQ?): m = fromR - fromQ
    case let (fromR?, nil): m = fromR
    case let (nil, fromQ?): m = -fromQ
    case (nil, nil): return Tensor.zeros(Array(q.shape.dropLast()) + [r.shape[r.rank - 1]], dtype: q.dtype)
    }
    let upper = m.triu()
    var c = q.matmul(upper + upper.triu(diagonal: 1).transposed())  // Q B
    if let gQ { c = c + gQ }
    return Tensor.triangularSolve(r, c, upper: true, transpose: true, left: false)  // C R⁻ᵀ
}
