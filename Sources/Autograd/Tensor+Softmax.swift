// Softmax and log-softmax along one axis, stable for logits of any magnitude (the maximum is subtracted first).

extension Tensor {
    private func softmaxForward(log: Bool, axis: Int, _ name: StaticString) -> (Tensor, Int) {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(name): axis \(axis) out of range for shape \(shape)")
        let (outer, n, inner) = split(at: a)
        let out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32:
            softmaxKernel(log: log, pointer(Float.self), out.pointer(Float.self), outer: outer, n: n, inner: inner)
        case .float64:
            softmaxKernel(log: log, pointer(Double.self), out.pointer(Double.self), outer: outer, n: n, inner: inner)
        }
        return (out, a)
    }

    /// softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x) along `axis`.
    /// ∂/∂x = out ⊙ (g − Σ(g ⊙ out)) with the sum along `axis`.
    public func softmax(axis: Int = -1) -> Tensor {
        let (out, a) = softmaxForward(log: false, axis: axis, "softmax")
        return out.recorded("softmax", [self]) { g, _ in
            [out * (g - (g * out).sum(axis: a, keepDims: true))]
        }
    }

    /// log softmax(x)ᵢ = xᵢ − max x − log Σⱼ exp(xⱼ − max x) along `axis`.
    /// ∂/∂x = g − exp(out) ⊙ Σ g with the sum along `axis`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let (out, a) = softmaxForward(log: true, axis: axis, "logSoftmax")
        return out.recorded("logSoftmax", [self]) { g, _ in
            [g - out.exp() * g.sum(axis: a, keepDims: true)]
        }
    }
}
