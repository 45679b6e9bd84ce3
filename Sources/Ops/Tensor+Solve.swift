// Linear systems: `solve`, `inv` and `lstsq`, by LU and QR factorization through LAPACK (row-major, see
// LinearAlgebraKernels.swift), batched over the leading axes.
//
// Backward formulas: Giles 2008, "An extended collection of matrix derivative results for forward and reverse
// mode algorithmic differentiation" (https://people.maths.ox.ac.uk/gilesm/files/NA-08-01.pdf), and PyTorch's
// `linalg_solve_backward` / `linalg_lstsq` entries in tools/autograd/derivatives.yaml and FunctionsManual.cpp.

extension Tensor {
    /// The solution X of A X = B, like `torch.linalg.solve(A, B)`: LU factorization with partial pivoting
    /// (LAPACK `?getrf`), then forward and back substitution (`?getrs`).
    ///
    /// Shapes: A (…, n, n); B (…, n, k), or a vector right-hand side (…, n) when B is 1-D or has exactly A's shape
    /// without its last axis (PyTorch's rule). The batch axes of A and B broadcast. X has B's shape (batch axes
    /// broadcast).
    ///
    /// Backward, with the LU factors kept from the forward pass: B̄ = A⁻ᵀ X̄ (one more `?getrs`), Ā = −B̄ Xᵀ.
    ///
    /// - Throws: `LinearAlgebraError.singular` when a pivot of A's LU factorization is exactly zero. A nearly
    ///   singular A gives a large, inaccurate X without an error, as in LAPACK and PyTorch. A matrix with a
    ///   non-finite entry in A or B gives NaN.
    public static func solve(_ a: Tensor, _ b: Tensor) throws(LinearAlgebraError) -> Tensor {
        let n = a.shape.last ?? 0
        precondition(
            a.rank >= 2 && a.shape[a.rank - 2] == n, "solve: A must be square (…, n, n), got \(a.shape)")
        precondition(a.dtype == b.dtype, "solve: dtypes differ, A \(a.dtype) and B \(b.dtype)")
        if isVectorRightHandSide(a, b) {
            precondition(b.shape.last == n, "solve: B \(b.shape) must have \(n) elements to match A \(a.shape)")
            return try solve(a, b.unsqueezed(axis: -1)).squeezed(axis: -1)
        }
        precondition(
            b.rank >= 2 && b.shape[b.rank - 2] == n, "solve: B \(b.shape) must have \(n) rows to match A \(a.shape)")
        let (a, b) = broadcastingBatches("solve", a, b)
        return try luSolve(a, b)
    }

    /// Whether B is a vector right-hand side of a system with matrix A (PyTorch's rule): B is (r) or (…, r) with
    /// A's batch axes, rather than a matrix (…, r, k).
    private static func isVectorRightHandSide(_ a: Tensor, _ b: Tensor) -> Bool {
        b.rank == 1 || (b.rank == a.rank - 1 && b.shape == Array(a.shape.dropLast()))
    }

    /// `solve` for A (…, n, n) and B (…, n, k) with the same batch axes.
    private static func luSolve(_ a: Tensor, _ b: Tensor) throws(LinearAlgebraError) -> Tensor {
        let n = a.shape[a.rank - 1], k = b.shape[b.rank - 1], matrices = matrixCount(a.shape)
        let lu = a.copied(), x = b.copied()
        guard lu.count > 0 && x.count > 0 else { return x }
        var pivots = [Int32](repeating: 0, count: matrices * n)
        var finite = [Bool](repeating: true, count: matrices)
        func run<T: LinearAlgebraScalar>(_: T.Type) throws(LinearAlgebraError) {
            let pa = lu.pointer(T.self), px = x.pointer(T.self)
            for i in 0..<matrices {
                let ai = pa + i * n * n, xi = px + i * n * k
                guard allFinite(ai, n * n) && allFinite(xi, n * k) else {
                    finite[i] = false
                    fillNaN(xi, n * k)
                    continue
                }
                let info = pivots.withUnsafeMutableBufferPointer { T.getrf(m: n, n: n, ai, $0.baseAddress! + i * n) }
                checkArguments(info, "solve", "getrf")
                if info > 0 { throw .singular(op: "solve", batchIndex: i, pivot: info - 1) }
                let solved = pivots.withUnsafeBufferPointer {
                    T.getrs(transpose: false, n: n, nrhs: k, ai, $0.baseAddress! + i * n, xi)
                }
                checkArguments(solved, "solve", "getrs")
            }
        }
        switch a.dtype {
        case .float32: try run(Float.self)
        case .float64: try run(Double.self)
        }
        let (luFactors, pivotRows, finiteMatrices) = (lu, pivots, finite)
        return x.recorded("solve", [a, b]) { g, needs in
            let gb = transposedLUSolve(luFactors, pivotRows, finiteMatrices, g)  // A⁻ᵀ X̄, (…, n, k)
            return [needs[0] ? -Tensor.matmul(gb, x, transposeB: true) : nil, needs[1] ? gb : nil]
        }
    }

    /// Aᵀ⁻¹ G for each matrix, from A's LU factors and pivots (`?getrs` with trans = 'T'); NaN where A was not
    /// finite (no factors).
    private static func transposedLUSolve(_ lu: Tensor, _ pivots: [Int32], _ finite: [Bool], _ g: Tensor) -> Tensor {
        let n = lu.shape[lu.rank - 1], k = g.shape[g.rank - 1]
        let out = g.copied()
        func run<T: LinearAlgebraScalar>(_: T.Type) {
            let pa = lu.pointer(T.self), po = out.pointer(T.self)
            for i in finite.indices {
                let oi = po + i * n * k
                guard finite[i] else {
                    fillNaN(oi, n * k)
                    continue
                }
                let info = pivots.withUnsafeBufferPointer {
                    T.getrs(transpose: true, n: n, nrhs: k, pa + i * n * n, $0.baseAddress! + i * n, oi)
                }
                checkArguments(info, "solve backward", "getrs")
            }
        }
        switch g.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }

    /// The inverse of each square matrix, like `torch.linalg.inv(A)`: LU factorization (LAPACK `?getrf`), then
    /// `?getri`. Shapes: (…, n, n) → (…, n, n).
    ///
    /// Backward: with Y = A⁻¹, Ā = −Yᵀ Ȳ Yᵀ (Giles 2008, "inverse").
    ///
    /// - Throws: `LinearAlgebraError.singular` when a pivot of the LU factorization is exactly zero. A matrix with
    ///   a non-finite entry gives NaN.
    public func inv() throws(LinearAlgebraError) -> Tensor {
        let n = shape.last ?? 0
        precondition(rank >= 2 && shape[rank - 2] == n, "inv: A must be square (…, n, n), got \(shape)")
        let (out, singular) = luInverses("inv")
        if let singular { throw .singular(op: "inv", batchIndex: singular.batchIndex, pivot: singular.pivot) }
        return out.recorded("inv", [self]) { g, _ in
            [-Tensor.matmul(Tensor.matmul(out, g, transposeA: true), out, transposeB: true)]
        }
    }

    /// The least-squares solution X = argmin ‖A X − B‖ of an overdetermined system with a full-column-rank A
    /// (m ≥ n), like `torch.linalg.lstsq(A, B, driver: "gels").solution`: Householder QR (LAPACK `?gels`).
    ///
    /// Shapes: A (…, m, n) with m ≥ n; B (…, m, k), or (…, m) for a vector right-hand side (the rule of `solve`);
    /// the batch axes broadcast. X is (…, n, k), or (…, n).
    ///
    /// Backward, with AᵀA = RᵀR from the QR factorization, Z = (AᵀA)⁻¹ X̄ (two triangular solves) and the residual
    /// r = B − A X: Ā = r Zᵀ − A Z Xᵀ, B̄ = A Z (the derivative of X = (AᵀA)⁻¹AᵀB; Giles 2008, "inverse", applied
    /// to the normal equations; PyTorch differentiates the same X through `pinv`).
    ///
    /// - Throws: `LinearAlgebraError.rankDeficient` when a diagonal element of R is exactly zero. A matrix with a
    ///   non-finite entry in A or B gives NaN.
    public static func lstsq(_ a: Tensor, _ b: Tensor) throws(LinearAlgebraError) -> Tensor {
        precondition(a.rank >= 2, "lstsq: A must be a matrix (…, m, n), got \(a.shape)")
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        precondition(m >= n, "lstsq: A \(a.shape) has fewer rows than columns (\(m) < \(n)); only m ≥ n is supported")
        precondition(a.dtype == b.dtype, "lstsq: dtypes differ, A \(a.dtype) and B \(b.dtype)")
        if isVectorRightHandSide(a, b) {
            precondition(b.shape.last == m, "lstsq: B \(b.shape) must have \(m) elements to match A \(a.shape)")
            return try lstsq(a, b.unsqueezed(axis: -1)).squeezed(axis: -1)
        }
        precondition(
            b.rank >= 2 && b.shape[b.rank - 2] == m, "lstsq: B \(b.shape) must have \(m) rows to match A \(a.shape)")
        let (a, b) = broadcastingBatches("lstsq", a, b)
        return try qrLeastSquares(a, b)
    }

    /// `lstsq` for A (…, m, n) and B (…, m, k) with the same batch axes.
    private static func qrLeastSquares(_ a: Tensor, _ b: Tensor) throws(LinearAlgebraError) -> Tensor {
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = b.shape[b.rank - 1]
        let batch = Array(a.shape.dropLast(2)), matrices = matrixCount(a.shape)
        let factors = a.copied(), rhs = b.copied()
        let x = Tensor(uninitialized: batch + [n, k], dtype: a.dtype)
        let r = Tensor.zeros(batch + [n, n], dtype: a.dtype)
        guard factors.count > 0 && x.count > 0 else { return Tensor.zeros(x.shape, dtype: x.dtype) }
        func run<T: LinearAlgebraScalar>(_: T.Type) throws(LinearAlgebraError) {
            let pa = factors.pointer(T.self), pb = rhs.pointer(T.self), px = x.pointer(T.self), pr = r.pointer(T.self)
            for i in 0..<matrices {
                let ai = pa + i * m * n, bi = pb + i * m * k, xi = px + i * n * k, ri = pr + i * n * n
                guard allFinite(ai, m * n) && allFinite(bi, m * k) else {
                    fillNaN(xi, n * k)
                    fillNaN(ri, n * n)
                    continue
                }
                let info = T.gels(m: m, n: n, nrhs: k, ai, bi)
                checkArguments(info, "lstsq", "gels")
                if info > 0 { throw .rankDeficient(op: "lstsq", batchIndex: i, column: info - 1) }
                xi.update(from: bi, count: n * k)
                for row in 0..<n {
                    for column in row..<n { ri[row * n + column] = ai[row * n + column] }
                }
            }
        }
        switch a.dtype {
        case .float32: try run(Float.self)
        case .float64: try run(Double.self)
        }
        return x.recorded("lstsq", [a, b]) { g, needs in
            // Z = R⁻¹ R⁻ᵀ X̄ = (AᵀA)⁻¹ X̄.
            let w = triangularSolve(r, g, upper: true, transpose: true, left: true)
            let z = triangularSolve(r, w, upper: true, transpose: false, left: true)  // (…, n, k)
            let az = a.matmul(z)  // (…, m, k)
            guard needs[0] else { return [nil, az] }
            let residual = b - a.matmul(x)  // (…, m, k)
            let ga = Tensor.matmul(residual, z, transposeB: true) - Tensor.matmul(az, x, transposeB: true)
            return [ga, needs[1] ? az : nil]
        }
    }
}
