// Dropout (Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html) with inverted scaling, seeded
// through a `RandomGenerator` so that a run is reproducible.

extension Tensor {
    /// Inverted dropout (Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html): in training,
    /// each element is zeroed with probability `p` and every kept element is scaled by 1/(1 − p), so the
    /// expectation of each element is unchanged and evaluation needs no rescaling:
    ///
    ///     out = x ⊙ m,   m_i = 1/(1 − p) with probability 1 − p, else 0
    ///
    /// The mask takes one uniform draw u from `rng` per element, in row-major order, keeping the element when
    /// u ≥ p. Evaluation mode (`training == false`), p = 0 (identity) and p = 1 (all zeros) draw nothing.
    /// ∂/∂x = g ⊙ m, the same mask. Shapes: any; the output has x's shape.
    public func dropout(p: Double, training: Bool, using rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout: probability \(p) not in [0, 1] for input \(shape)")
        guard training && p > 0 else { return self }
        return self * Tensor.dropoutMask(shape, p: p, dtype: dtype, using: &rng)
    }

    /// The mask m of inverted dropout: 1/(1 − p) where a uniform draw u ≥ p, 0 elsewhere (all zeros when p = 1,
    /// without drawing). One draw per element in row-major order.
    static func dropoutMask(_ shape: [Int], p: Double, dtype: DType, using rng: inout RandomGenerator) -> Tensor {
        if p >= 1 { return Tensor.zeros(shape, dtype: dtype) }
        let mask = Tensor(uninitialized: shape, dtype: dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let m = mask.pointer(T.self)
            let kept = T(1 / (1 - p))
            for i in 0..<mask.count { m[i] = rng.nextUniform() >= p ? kept : 0 }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return mask
    }
}
