// The affine map of a fully connected layer, as one op: the bias is written into the output and the product
// accumulated on top of it by the GEMM (beta = 1), so no separate broadcast add or bias reduction runs.

extension Tensor {
    /// y = x·W + b over the last axis: x (…, in), `weight` W (in, out), `bias` b (out) → (…, out). One GEMM for all
    /// leading rows. The weight is stored (in, out), the transpose of PyTorch's `Linear.weight`.
    ///
    /// With R = ∏ leading axes rows and G = ∂L/∂y viewed as (R, out): ∂/∂x = G·Wᵀ, ∂/∂W = xᵀ·G, ∂/∂b = Σ_rows G.
    /// Tested against `matmul` + broadcast add.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(
            weight.rank == 2 && rank >= 1 && shape[rank - 1] == weight.shape[0],
            "linear: input \(shape) does not fit weight \(weight.shape) (in, out)")
        // Computed only where it is the result: with a bias, `affine` makes the one product itself.
        func product() -> Tensor { rank == 1 ? unsqueezed(axis: 0).matmul(weight).squeezed(axis: 0) : matmul(weight) }
        guard let bias else { return product() }
        precondition(bias.shape == [weight.shape[1]], "linear: bias \(bias.shape) must be [\(weight.shape[1])]")
        guard rank >= 2 && dtype == weight.dtype && dtype == bias.dtype else { return product() + bias }
        return affine(weight: weight, bias: bias)
    }

    /// x·W + b for x (…, in) of rank ≥ 2 as one recorded op.
    private func affine(weight: Tensor, bias: Tensor) -> Tensor {
        let (inputs, outputs) = (weight.shape[0], weight.shape[1])
        let rows = shape.dropLast().reduce(1, *)
        let out = Tensor(uninitialized: Array(shape.dropLast()) + [outputs], dtype: dtype)  // (…, out)
        func forward<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self), w = weight.pointer(T.self), b = bias.pointer(T.self), y = out.pointer(T.self)
            // The bias into every row, split over the threads like the product after it (about 32K elements each).
            parallelRanges(rows, grain: Swift.max(1, (1 << 15) / Swift.max(outputs, 1))) { range in
                for r in range { (y + r * outputs).update(from: b, count: outputs) }
            }
            guard rows > 0 && outputs > 0 && inputs > 0 else { return }
            T.gemm(
                transposeA: false, transposeB: false, m: rows, n: outputs, k: inputs, alpha: 1, a: x, lda: inputs,
                b: w, ldb: outputs, beta: 1, c: y, ldc: outputs)
        }
        switch dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        }
        return out.recorded("linear", [self, weight, bias]) { g, needs in
            // The GEMMs overwrite their whole result unless it is an empty product (then the gradient is 0).
            let empty = rows == 0 || outputs == 0 || inputs == 0
            func gradient(_ shape: [Int]) -> Tensor {
                empty ? Tensor.zeros(shape, dtype: self.dtype) : Tensor(uninitialized: shape, dtype: self.dtype)
            }
            let dx = needs[0] ? gradient(self.shape) : nil
            let dw = needs[1] ? gradient(weight.shape) : nil
            let db = needs[2] ? Tensor.zeros(bias.shape, dtype: self.dtype) : nil
            func backward<T: NativeScalar>(_: T.Type) {
                let x = self.pointer(T.self), w = weight.pointer(T.self), gy = g.pointer(T.self)
                if let db {
                    // Column blocks in parallel, each summing all rows: the same order on any number of threads.
                    let sum = db.pointer(T.self)
                    let grain = Swift.max(1, (1 << 15) / Swift.max(rows, 1))
                    parallelRanges(outputs, grain: grain) { columns in
                        for r in 0..<rows {
                            let row = gy + r * outputs
                            for j in columns { sum[j] += row[j] }
                        }
                    }
                }
                guard rows > 0 && outputs > 0 && inputs > 0 else { return }
                if let dx {
                    T.gemm(
                        transposeA: false, transposeB: true, m: rows, n: inputs, k: outputs, alpha: 1, a: gy,
                        lda: outputs, b: w, ldb: outputs, beta: 0, c: dx.pointer(T.self), ldc: inputs)
                }
                if let dw {
                    T.gemm(
                        transposeA: true, transposeB: false, m: inputs, n: outputs, k: rows, alpha: 1, a: x,
                        lda: inputs, b: gy, ldb: outputs, beta: 0, c: dw.pointer(T.self), ldc: outputs)
                }
            }
            switch g.dtype {
            case .float32: backward(Float.self)
            case .float64: backward(Double.self)
            }
            return [dx, dw, db]
        }
    }
}
