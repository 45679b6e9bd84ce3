// Spectral decompositions: `eigh` (symmetric eigendecomposition) and `svd`, through LAPACK's divide-and-conquer
// drivers (row-major, see LinearAlgebraKernels.swift), batched over the leading axes.

extension Tensor {
    /// The eigenvalues and eigenvectors of each symmetric matrix, like `torch.linalg.eigh(A)`: A = V diag(λ) Vᵀ
    /// with λ ascending and V orthogonal, eigenvector i in column i (LAPACK `?syevd`). Only A's lower triangle is
    /// read: A is taken to be symmetric. Shapes: (…, n, n) → values (…, n), vectors (…, n, n). Each eigenvector
    /// is determined up to its sign; LAPACK's choice is kept.
    ///
    /// Backward (Giles 2008, "An extended collection of matrix derivative results…", the eigenvalues and
    /// eigenvectors, https://people.maths.ox.ac.uk/gilesm/files/NA-08-01.pdf; PyTorch's `linalg_eig_backward` for
    /// Hermitian input in FunctionsManual.cpp): with W = Vᵀ V̄,
    /// F_ij = ½(W_ij − W_ji) / (λ_j − λ_i) off the diagonal and F_ii = λ̄_i, Ā = V F Vᵀ (symmetric: the gradient
    /// for perturbations that keep A symmetric). The gradient through the eigenvectors exists only when the
    /// eigenvalues are distinct: for a repeated eigenvalue it is ±∞ or NaN (as in PyTorch), and it grows as
    /// 1/(λ_j − λ_i) when two come close. The VJP through the eigenvalues alone, V diag(λ̄) Vᵀ, is always finite;
    /// at a repeated eigenvalue it is the gradient of functions symmetric in the repeated ones (their sum, say).
    ///
    /// - Throws: `LinearAlgebraError.noConvergence` when LAPACK's iteration fails. A matrix with a non-finite
    ///   entry gives NaN.
    public func eigh() throws(LinearAlgebraError) -> (values: Tensor, vectors: Tensor) {
        let n = shape.last ?? 0
        precondition(rank >= 2 && shape[rank - 2] == n, "eigh: A must be square (…, n, n), got \(shape)")
        let batch = Array(shape.dropLast(2)), matrices = matrixCount(shape)
        let values = Tensor(uninitialized: batch + [n], dtype: dtype)
        let vectors = copied()
        func run<T: LinearAlgebraScalar>(_: T.Type) throws(LinearAlgebraError) {
            let pl = values.pointer(T.self), pv = vectors.pointer(T.self)
            for i in 0..<matrices {
                let v = pv + i * n * n, l = pl + i * n
                guard allFinite(v, n * n) else {
                    fillNaN(v, n * n)
                    fillNaN(l, n)
                    continue
                }
                let info = T.syevd(n: n, v, l)
                checkArguments(info, "eigh", "syevd")
                if info > 0 { throw .noConvergence(op: "eigh", batchIndex: i, info: info) }
            }
        }
        if count > 0 {
            switch dtype {
            case .float32: try run(Float.self)
            case .float64: try run(Double.self)
            }
        }
        let dtype = self.dtype
        let outputs = Tensor.recordedJointly("eigh", outputs: [values, vectors], batch: batch, inputs: [self]) {
            grads, _ in
            let inner: Tensor  // F
            switch (grads[0], grads[1]) {
            case (nil, nil):
                return [nil]
            case let (gValues?, nil):
                inner = Tensor.diagEmbed(gValues)
            case let (gValues, gVectors?):
                let w = Tensor.matmul(vectors, gVectors, transposeA: true)  // Vᵀ V̄
                let gaps = values.unsqueezed(axis: -2) - values.unsqueezed(axis: -1) + Tensor.eye(n, dtype: dtype)
                let offDiagonal = 0.5 * (w - w.transposed()) / gaps  // zero diagonal
                inner = gValues.map { offDiagonal + Tensor.diagEmbed($0) } ?? offDiagonal
            }
            return [Tensor.matmul(vectors.matmul(inner), vectors, transposeB: true)]
        }
        return (outputs[0], outputs[1])
    }

    /// The reduced singular value decomposition of each matrix, like `torch.linalg.svd(A, full_matrices: false)`:
    /// A = U diag(S) Vᵀ with k = min(m, n), U (…, m, k) and Vᵀ (…, k, n) with orthonormal columns and rows, and S
    /// (…, k) non-negative and descending (LAPACK `?gesdd`). Each pair (uᵢ, vᵢ) is determined up to a common sign;
    /// LAPACK's choice is kept.
    ///
    /// Backward (Townsend 2016, "Differentiating the singular value decomposition",
    /// https://j-towns.github.io/papers/svd-derivative.pdf; PyTorch's `svd_backward` in FunctionsManual.cpp):
    /// with E_ij = s_j² − s_i² (i ≠ j), J = skew(Uᵀ Ū) and K = skew(Vᵀ V̄), skew(X) = X − Xᵀ,
    /// F = (J diag(s) + diag(s) K) / E + diag(S̄), and
    /// Ā = U F Vᵀ + (I − U Uᵀ) Ū diag(s)⁻¹ Vᵀ (m > n) or Ā = U F Vᵀ + U diag(s)⁻¹ V̄ᵀ (I − V Vᵀ) (m < n).
    /// The gradient through U and V exists only when the singular values are distinct (and, for m ≠ n, non-zero):
    /// otherwise it is ±∞ or NaN, as in PyTorch. The VJP through S alone, U diag(S̄) Vᵀ, is always finite; at a
    /// repeated singular value it is the gradient of functions symmetric in the repeated ones (their sum, say).
    ///
    /// - Throws: `LinearAlgebraError.noConvergence` when LAPACK's iteration fails. A matrix with a non-finite
    ///   entry gives NaN.
    public func svd() throws(LinearAlgebraError) -> (u: Tensor, s: Tensor, vh: Tensor) {
        precondition(rank >= 2, "svd: A must be a matrix (…, m, n), got \(shape)")
        let m = shape[rank - 2], n = shape[rank - 1], k = Swift.min(m, n)
        let batch = Array(shape.dropLast(2)), matrices = matrixCount(shape)
        let u = Tensor(uninitialized: batch + [m, k], dtype: dtype)
        let s = Tensor(uninitialized: batch + [k], dtype: dtype)
        let vh = Tensor(uninitialized: batch + [k, n], dtype: dtype)
        let work = copied()
        func run<T: LinearAlgebraScalar>(_: T.Type) throws(LinearAlgebraError) {
            let pa = work.pointer(T.self), pu = u.pointer(T.self), ps = s.pointer(T.self), pv = vh.pointer(T.self)
            for i in 0..<matrices {
                let a = pa + i * m * n, ui = pu + i * m * k, si = ps + i * k, vi = pv + i * k * n
                guard allFinite(a, m * n) else {
                    fillNaN(ui, m * k)
                    fillNaN(si, k)
                    fillNaN(vi, k * n)
                    continue
                }
                let info = T.gesdd(m: m, n: n, a, si, ui, vi)
                checkArguments(info, "svd", "gesdd")
                if info > 0 { throw .noConvergence(op: "svd", batchIndex: i, info: info) }
            }
        }
        if count > 0 {
            switch dtype {
            case .float32: try run(Float.self)
            case .float64: try run(Double.self)
            }
        }
        let outputs = Tensor.recordedJointly("svd", outputs: [u, s, vh], batch: batch, inputs: [self]) { grads, _ in
            [svdBackward(grads[0], grads[1], grads[2], u, s, vh)]
        }
        return (outputs[0], outputs[1], outputs[2])
    }
}

/// The VJP of A = U diag(S) Vᵀ (PyTorch's `svd_backward`, real case); a `nil` gradient stands for zeros.
private func svdBackward(_ gU: Tensor?, _ gS: Tensor?, _ gVh: Tensor?, _ u: Tensor, _ s: Tensor, _ vh: Tensor)
    -> Tensor?
{
    let m = u.shape[u.rank - 2], n = vh.shape[vh.rank - 1], k = s.shape[s.rank - 1]
    let rowS = s.unsqueezed(axis: -2), columnS = s.unsqueezed(axis: -1)  // (…, 1, k) and (…, k, 1)
    guard gU != nil || gVh != nil else {
        // Singular values only: U diag(S̄) Vᵀ.
        return gS.map { (u * $0.unsqueezed(axis: -2)).matmul(vh) }
    }
    let squares = s * s
    let gaps = squares.unsqueezed(axis: -2) - squares.unsqueezed(axis: -1) + Tensor.eye(k, dtype: s.dtype)  // E
    var numerator: Tensor?
    if let gU {
        let w = Tensor.matmul(u, gU, transposeA: true)  // Uᵀ Ū
        numerator = (w - w.transposed()) * rowS
    }
    if let gVh {
        let w = Tensor.matmul(vh, gVh, transposeB: true)  // Vᵀ V̄ = Vᵀ (V̄ᵀ)ᵀ
        let fromV = columnS * (w - w.transposed())
        numerator = numerator.map { $0 + fromV } ?? fromV
    }
    var inner = numerator! / gaps  // F without its diagonal (the numerator's diagonal is zero)
    if let gS { inner = inner + Tensor.diagEmbed(gS) }
    if m > n, let gU {
        // [U F + (I − U Uᵀ) Ū diag(s)⁻¹] Vᵀ
        let scaled = gU / rowS
        let projected = scaled - u.matmul(Tensor.matmul(u, scaled, transposeA: true))
        return (u.matmul(inner) + projected).matmul(vh)
    }
    if m < n, let gVh {
        // U [F Vᵀ + diag(s)⁻¹ V̄ᵀ (I − V Vᵀ)]
        let scaled = gVh / columnS
        let projected = scaled - Tensor.matmul(scaled, vh, transposeB: true).matmul(vh)
        return u.matmul(inner.matmul(vh) + projected)
    }
    return u.matmul(inner).matmul(vh)
}
