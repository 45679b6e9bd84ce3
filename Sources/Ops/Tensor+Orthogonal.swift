// Orthogonal initialization from the QR factorization of a Gaussian matrix.

extension Tensor {
    /// A random (semi-)orthogonal matrix times `gain`, like `torch.nn.init.orthogonal_` (Saxe, McClelland & Ganguli
    /// 2013, "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks",
    /// https://arxiv.org/abs/1312.6120).
    ///
    /// The shape is viewed as a matrix of rows = shape[0] and cols = shape[1] · … · shape[last] (a convolution's
    /// (F, C, kH, kW) as F × C·kH·kW). A rows × cols matrix of N(0, 1) draws, transposed when rows < cols, is
    /// factored A = Q R (`qr()`), and each column of Q is multiplied by the sign of R's matching diagonal element
    /// (+1 for a zero), which makes Q uniformly distributed over the orthogonal matrices (Mezzadri 2007, "How to
    /// generate random matrices from the classical compact groups", https://arxiv.org/abs/math-ph/0609050); Q is
    /// transposed back. The result has orthonormal rows when rows ≤ cols and orthonormal columns when rows ≥ cols
    /// (WᵀW = gain²·I for a tall W), and the shape asked for. It does not require a gradient.
    public static func orthogonal(
        _ shape: [Int], gain: Double = 1, dtype: DType = .float32, using rng: inout RandomGenerator
    ) -> Tensor {
        precondition(
            shape.count >= 2,
            "orthogonal: shape \(shape) has \(shape.count) dimension(s); an orthogonal matrix needs at least 2 "
                + "(rows, columns…)")
        let rows = shape[0], columns = shape.dropFirst().reduce(1, *)
        precondition(rows > 0 && columns > 0, "orthogonal: shape \(shape) has no elements")
        return noGrad {
            var gaussian = normal([rows, columns], dtype: dtype, using: &rng)
            if rows < columns { gaussian = gaussian.transposed() }  // (max, min): tall
            let (q, r) = gaussian.qr()  // (max, min), (min, min)
            let signs = 2 * r.diagonal().greaterOrEqual(to: r.scalarLike(0)) - 1  // (min): ±1
            var w = q * signs
            if rows < columns { w = w.transposed() }  // (rows, columns)
            return (gain * w).reshaped(shape)
        }
    }
}
