// Matrix products through BLAS. Transposes are passed to `cblas_?gemm` as flags, never materialized.

extension Tensor {
    /// The matrix product `self · other`; see `Tensor.matmul(_:_:transposeA:transposeB:)`.
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }

    /// The matrix product op(A)·op(B) over the last two axes, where op transposes the last two axes when asked.
    ///
    /// - `A` (…, M, K) with `B` (K, N) is one GEMM over all leading rows of A (the shape of a linear layer).
    /// - Otherwise the leading (batch) axes broadcast, NumPy style, and each matrix pair is one GEMM.
    ///
    /// Shapes: A (…, M, K) [(…, K, M) if transposeA], B (…, K, N) [(…, N, K) if transposeB] → (…, M, N).
    /// ∂/∂A = G·Bᵀ and ∂/∂B = Aᵀ·G, each one GEMM with transpose flags.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(
            a.rank >= 2 && b.rank >= 2, "matmul: operands must have rank ≥ 2, got \(a.shape) and \(b.shape)")
        precondition(a.dtype == b.dtype, "matmul: dtypes differ, \(a.dtype) and \(b.dtype)")
        if b.rank == 2 && a.rank > 2 && !transposeA {
            let k = a.shape[a.rank - 1]
            let rows = a.reshaped([-1, k])  // (…·M, K)
            let product = gemm(rows, b, transposeA: false, transposeB: transposeB)  // (…·M, N)
            return product.reshaped(Array(a.shape.dropLast()) + [product.shape[1]])  // (…, M, N)
        }
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        if batchA == batchB { return gemm(a, b, transposeA: transposeA, transposeB: transposeB) }
        guard let batch = broadcastShapes(batchA, batchB) else {
            preconditionFailure("matmul: batch axes of \(a.shape) and \(b.shape) do not broadcast")
        }
        return gemm(
            a.expanded(to: batch + a.shape.suffix(2)), b.expanded(to: batch + b.shape.suffix(2)),
            transposeA: transposeA, transposeB: transposeB)
    }

    /// One GEMM per matrix of operands with identical leading axes: the differentiable primitive.
    static func gemm(_ a: Tensor, _ b: Tensor, transposeA ta: Bool, transposeB tb: Bool) -> Tensor {
        let ra = a.rank, rb = b.rank
        let batch = Array(a.shape.dropLast(2))
        precondition(
            batch == Array(b.shape.dropLast(2)), "matmul: batch axes of \(a.shape) and \(b.shape) differ")
        let (m, k) = ta ? (a.shape[ra - 1], a.shape[ra - 2]) : (a.shape[ra - 2], a.shape[ra - 1])
        let (kb, n) = tb ? (b.shape[rb - 1], b.shape[rb - 2]) : (b.shape[rb - 2], b.shape[rb - 1])
        precondition(
            k == kb,
            "matmul: inner dimensions differ: \(a.shape)\(ta ? "ᵀ" : "") · \(b.shape)\(tb ? "ᵀ" : "") (\(k) vs \(kb))")
        let out = Tensor(uninitialized: batch + [m, n], dtype: a.dtype)
        let count = batch.reduce(1, *)
        let lda = a.shape[ra - 1], ldb = b.shape[rb - 1]
        func run<T: NativeScalar>(_: T.Type) {
            let pa = a.pointer(T.self), pb = b.pointer(T.self), pc = out.pointer(T.self)
            if k == 0 {
                out.storage.zero()
                return
            }
            guard m > 0 && n > 0 else { return }
            for i in 0..<count {
                T.gemm(
                    transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: pa + i * m * k, lda: lda,
                    b: pb + i * k * n, ldb: ldb, beta: 0, c: pc + i * m * n, ldc: n)
            }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out.recorded("matmul", [a, b]) { g, needs in
            switch (ta, tb) {
            case (false, false):
                [needs[0] ? gemm(g, b, transposeA: false, transposeB: true) : nil,
                 needs[1] ? gemm(a, g, transposeA: true, transposeB: false) : nil]
            case (false, true):
                [needs[0] ? gemm(g, b, transposeA: false, transposeB: false) : nil,
                 needs[1] ? gemm(g, a, transposeA: true, transposeB: false) : nil]
            case (true, false):
                [needs[0] ? gemm(b, g, transposeA: false, transposeB: true) : nil,
                 needs[1] ? gemm(a, g, transposeA: false, transposeB: false) : nil]
            case (true, true):
                [needs[0] ? gemm(b, g, transposeA: true, transposeB: true) : nil,
                 needs[1] ? gemm(g, a, transposeA: true, transposeB: true) : nil]
            }
        }
    }
}
