// Layer normalization (Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450) over the trailing axes:
// a fused forward kernel and the closed-form backward.

extension Tensor {
    /// Layer normalization (Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450), like PyTorch's
    /// `layer_norm(x, normalized_shape, weight, bias, eps)`. Each row r of the last D = ∏ `normalizedShape`
    /// elements is normalized by its own mean and biased variance, then scaled and shifted elementwise:
    ///
    ///     y = γ ⊙ (x − μ_r) / √(σ²_r + ε) + β
    ///
    /// Shapes: x (…, *normalizedShape), e.g. (B, T, C) with `normalizedShape` [C]; `scale` γ and `shift` β have
    /// `normalizedShape`; the output has x's shape.
    ///
    /// Backward, per row with x̂ = (x − μ)/√(σ² + ε) and ĝ = g ⊙ γ:
    /// ∂/∂x = (D·ĝ − Σ ĝ − x̂·Σ ĝ⊙x̂) / (D·√(σ² + ε)), ∂/∂γ = Σ_rows g⊙x̂, ∂/∂β = Σ_rows g.
    public func layerNorm(normalizedShape: [Int], scale: Tensor, shift: Tensor, eps: Double = 1e-5) -> Tensor {
        precondition(
            !normalizedShape.isEmpty && normalizedShape.count <= rank
                && Array(shape.suffix(normalizedShape.count)) == normalizedShape,
            "layerNorm: normalizedShape \(normalizedShape) is not a suffix of input shape \(shape)")
        precondition(
            scale.shape == normalizedShape && shift.shape == normalizedShape,
            "layerNorm: scale \(scale.shape) and shift \(shift.shape) must have shape \(normalizedShape)")
        precondition(
            scale.dtype == dtype && shift.dtype == dtype,
            "layerNorm: dtypes differ, input \(dtype), scale \(scale.dtype), shift \(shift.dtype)")
        let width = normalizedShape.reduce(1, *)
        precondition(width > 0, "layerNorm: normalizedShape \(normalizedShape) has no elements")
        let rows = count / width
        let mean = Tensor(uninitialized: [rows], dtype: dtype)
        let invStd = Tensor(uninitialized: [rows], dtype: dtype)
        let out = Tensor(uninitialized: shape, dtype: dtype)
        func forward<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self), y = out.pointer(T.self)
            let mu = mean.pointer(T.self), s = invStd.pointer(T.self)
            let gamma = scale.pointer(T.self), beta = shift.pointer(T.self)
            let d = T(width), epsilon = T(eps)
            for r in 0..<rows {
                let src = x + r * width, dst = y + r * width
                var sum: T = 0
                for i in 0..<width { sum += src[i] }
                let average = sum / d
                var squares: T = 0
                for i in 0..<width {
                    let deviation = src[i] - average
                    squares += deviation * deviation
                }
                let inv = 1 / (squares / d + epsilon).squareRoot()
                mu[r] = average
                s[r] = inv
                for i in 0..<width { dst[i] = (src[i] - average) * inv * gamma[i] + beta[i] }
            }
        }
        switch dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        }

        return out.recorded("layerNorm", [self, scale, shift]) { g, needs in
            let dx = needs[0] ? Tensor(uninitialized: self.shape, dtype: self.dtype) : nil
            let dScale = Tensor.zeros(normalizedShape, dtype: self.dtype)
            let dShift = Tensor.zeros(normalizedShape, dtype: self.dtype)
            func backward<T: NativeScalar>(_: T.Type) {
                let x = self.pointer(T.self), gy = g.pointer(T.self), gamma = scale.pointer(T.self)
                let mu = mean.pointer(T.self), s = invStd.pointer(T.self)
                let gGamma = dScale.pointer(T.self), gBeta = dShift.pointer(T.self)
                let d = T(width)
                for r in 0..<rows {
                    let src = x + r * width, gRow = gy + r * width
                    var sumG: T = 0, sumGX: T = 0
                    for i in 0..<width {
                        let xHat = (src[i] - mu[r]) * s[r]
                        let gHat = gRow[i] * gamma[i]
                        sumG += gHat
                        sumGX += gHat * xHat
                        gGamma[i] += gRow[i] * xHat
                        gBeta[i] += gRow[i]
                    }
                    guard let gx = dx?.pointer(T.self) else { continue }
                    let dst = gx + r * width
                    let meanG = sumG / d, meanGX = sumGX / d
                    for i in 0..<width {
                        let xHat = (src[i] - mu[r]) * s[r]
                        dst[i] = s[r] * (gRow[i] * gamma[i] - meanG - xHat * meanGX)
                    }
                }
            }
            switch g.dtype {
            case .float32: backward(Float.self)
            case .float64: backward(Double.self)
            }
            return [dx, needs[1] ? dScale : nil, needs[2] ? dShift : nil]
        }
    }
}
