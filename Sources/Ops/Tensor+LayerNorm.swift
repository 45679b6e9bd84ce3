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
            parallelRanges(rows, grain: layerNormGrain(width)) { range in
                for r in range {
                    let src = x + r * width, dst = y + r * width
                    let average = rowSum(width) { src[$0] } / d
                    let squares = rowSum(width) { (src[$0] - average) * (src[$0] - average) }
                    let inv = 1 / (squares / d + epsilon).squareRoot()
                    mu[r] = average
                    s[r] = inv
                    for i in 0..<width { dst[i] = (src[i] - average) * inv * gamma[i] + beta[i] }
                }
            }
        }
        switch dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        }

        return out.recorded("layerNorm", [self, scale, shift]) { g, needs in
            let dx = needs[0] ? Tensor(uninitialized: self.shape, dtype: self.dtype) : nil
            let dScale = Tensor(uninitialized: normalizedShape, dtype: self.dtype)
            let dShift = Tensor(uninitialized: normalizedShape, dtype: self.dtype)
            // Row blocks run in parallel, each summing its own ∂γ, ∂β partials; the partials are added in block
            // order at the end. The blocks depend on the shape alone, so the sums are the same at any thread count.
            let chunks = Swift.max(1, Swift.min(layerNormReductionChunks, rows / layerNormGrain(width)))
            func backward<T: NativeScalar>(_: T.Type) {
                let x = self.pointer(T.self), gy = g.pointer(T.self), gamma = scale.pointer(T.self)
                let mu = mean.pointer(T.self), s = invStd.pointer(T.self)
                let gx = dx?.pointer(T.self)
                let partials = UnsafeMutablePointer<T>.allocate(capacity: 2 * chunks * width)
                defer { partials.deallocate() }
                partials.initialize(repeating: 0, count: 2 * chunks * width)
                let d = T(width)
                parallelFor(chunks) { chunk in
                    let gGamma = partials + 2 * chunk * width, gBeta = gGamma + width
                    for r in (chunk * rows / chunks)..<((chunk + 1) * rows / chunks) {
                        let src = x + r * width, gRow = gy + r * width
                        let m = mu[r], inv = s[r]
                        accumulateScaleShiftGradients(gRow, src, mean: m, invStd: inv, gGamma, gBeta, count: width)
                        let sumG = rowSum(width) { gRow[$0] * gamma[$0] }
                        let sumGX = rowSum(width) { gRow[$0] * gamma[$0] * (src[$0] - m) * inv }
                        guard let gx else { continue }
                        let dst = gx + r * width
                        let meanG = sumG / d, meanGX = sumGX / d
                        for i in 0..<width {
                            let xHat = (src[i] - m) * inv
                            dst[i] = inv * (gRow[i] * gamma[i] - meanG - xHat * meanGX)
                        }
                    }
                }
                let gGamma = dScale.pointer(T.self), gBeta = dShift.pointer(T.self)
                for i in 0..<width {
                    var sumGamma: T = 0, sumBeta: T = 0
                    for chunk in 0..<chunks {
                        sumGamma += partials[2 * chunk * width + i]
                        sumBeta += partials[(2 * chunk + 1) * width + i]
                    }
                    gGamma[i] = sumGamma
                    gBeta[i] = sumBeta
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

/// Rows per parallel block of layer norm: about 16K elements, so that small inputs stay on one thread.
private func layerNormGrain(_ width: Int) -> Int { Swift.max(1, (1 << 14) / Swift.max(width, 1)) }

/// The most row blocks the backward pass sums ∂γ and ∂β over (and so the most threads it uses).
private let layerNormReductionChunks = 8

/// ∂γ[i] += g[i]·(x[i] − μ)·s and ∂β[i] += g[i] over one row, eight columns at a time: the accumulators never
/// overlap the row, but the compiler cannot know it, and the plain loop stayed scalar (a load and a store of each
/// accumulator per element). Same operations in the same order as the plain loop.
@inline(__always)
private func accumulateScaleShiftGradients<T: NativeScalar>(
    _ g: UnsafePointer<T>, _ x: UnsafePointer<T>, mean m: T, invStd s: T, _ gGamma: UnsafeMutablePointer<T>,
    _ gBeta: UnsafeMutablePointer<T>, count: Int
) {
    var i = 0
    while i + 8 <= count {
        let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<T>.self)
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<T>.self)
        let gammaSum = UnsafeRawPointer(gGamma + i).loadUnaligned(as: SIMD8<T>.self) + gv * (xv - m) * s
        let betaSum = UnsafeRawPointer(gBeta + i).loadUnaligned(as: SIMD8<T>.self) + gv
        UnsafeMutableRawPointer(gGamma + i).storeBytes(of: gammaSum, as: SIMD8<T>.self)
        UnsafeMutableRawPointer(gBeta + i).storeBytes(of: betaSum, as: SIMD8<T>.self)
        i += 8
    }
    while i < count {
        gGamma[i] += g[i] * (x[i] - m) * s
        gBeta[i] += g[i]
        i += 1
    }
}
