// Elementwise functions and activations. Each VJP is written next to its forward and captures only what it needs,
// the output included where the derivative is cheapest in terms of it (exp′ = out).

/// The two GELU variants of PyTorch's `nn.GELU(approximate=…)`.
public enum GELUApproximation: String, Sendable, Codable {
    /// x·Φ(x) with the exact normal CDF Φ(x) = (1 + erf(x/√2)) / 2.
    case none
    /// x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) / 2.
    case tanh
}

extension Tensor {
    /// eˣ. ∂/∂x = g·out.
    public func exp() -> Tensor {
        let out = map(.exp)
        return out.recorded("exp", [self]) { g, _ in [g * out] }
    }

    /// Natural logarithm. ∂/∂x = g / x.
    public func log() -> Tensor {
        map(.log).recorded("log", [self]) { g, _ in [g / self] }
    }

    /// √x. ∂/∂x = g / (2·out).
    public func sqrt() -> Tensor {
        let out = map(.sqrt)
        return out.recorded("sqrt", [self]) { g, _ in [g / (out * 2)] }
    }

    /// |x|. ∂/∂x = g·sign(x), with abs′(0) = 0.
    public func abs() -> Tensor {
        map(.abs).recorded("abs", [self]) { g, _ in [g * self.map(.sign)] }
    }

    /// xᵖ for a constant exponent (any real x when p is an integer). ∂/∂x = g·p·x^(p−1).
    public func pow(_ p: Double) -> Tensor {
        map(.pow(p)).recorded("powScalar", [self]) { g, _ in [g * self.map(.pow(p - 1)) * p] }
    }

    /// Limits every element to [min, max]. ∂/∂x = g where min ≤ x ≤ max (boundaries included), else 0.
    public func clamped(min lo: Double = -.infinity, max hi: Double = .infinity) -> Tensor {
        precondition(lo <= hi, "clamped: min \(lo) > max \(hi)")
        return map(.clamp(min: lo, max: hi)).recorded("clamp", [self]) { g, _ in
            [g * self.map(.inside(min: lo, max: hi))]
        }
    }

    // MARK: Activations

    /// max(0, x). ∂/∂x = g where x > 0, else 0 (relu′(0) = 0).
    public func relu() -> Tensor {
        let out = map(.relu)
        return out.recorded("relu", [self]) { g, _ in
            precondition(g.shape == out.shape && g.dtype == out.dtype, "relu: gradient \(g.shape) for \(out.shape)")
            let dx = Tensor(uninitialized: out.shape, dtype: out.dtype)
            switch out.dtype {
            case .float32:
                reluBackwardKernel(out.pointer(Float.self), g.pointer(Float.self), dx.pointer(Float.self), out.count)
            case .float64:
                reluBackwardKernel(out.pointer(Double.self), g.pointer(Double.self), dx.pointer(Double.self), out.count)
            }
            return [dx]
        }
    }

    /// x for x > 0, slope·x otherwise. ∂/∂x = g where x > 0, else g·slope (the derivative at 0 is `slope`).
    public func leakyRelu(slope: Double = 0.01) -> Tensor {
        map(.leakyRelu(slope: slope)).recorded("leakyRelu", [self]) { g, _ in
            [g * self.map(.leakyReluDerivative(slope: slope))]
        }
    }

    /// 1 / (1 + e⁻ˣ), computed without overflow for large |x|. ∂/∂x = g·out·(1 − out).
    public func sigmoid() -> Tensor {
        let out = map(.sigmoid)
        return out.recorded("sigmoid", [self]) { g, _ in [g * out * (1 - out)] }
    }

    /// Hyperbolic tangent. ∂/∂x = g·(1 − out²).
    public func tanh() -> Tensor {
        let out = map(.tanh)
        return out.recorded("tanh", [self]) { g, _ in [g * (1 - out * out)] }
    }

    /// Gaussian error linear unit (Hendrycks & Gimpel, https://arxiv.org/abs/1606.08415).
    /// Exact: ∂/∂x = g·(Φ(x) + x·φ(x)); the tanh form differentiates its own formula.
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none:
            return map(.gelu).recorded("gelu", [self]) { g, _ in [self.geluGradient(g)] }
        case .tanh:
            return map(.geluTanh).recorded("geluTanh", [self]) { g, _ in [g * self.map(.geluTanhDerivative)] }
        }
    }

    /// g·(Φ(x) + x·φ(x)), the VJP of exact GELU, in one kernel (g has this tensor's shape).
    private func geluGradient(_ g: Tensor) -> Tensor {
        precondition(g.shape == shape && g.dtype == dtype, "gelu: gradient \(g.shape) for input \(shape)")
        let out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: geluBackwardKernel(pointer(Float.self), g.pointer(Float.self), out.pointer(Float.self), count)
        case .float64:
            geluBackwardKernel(pointer(Double.self), g.pointer(Double.self), out.pointer(Double.self), count)
        }
        return out
    }
}
