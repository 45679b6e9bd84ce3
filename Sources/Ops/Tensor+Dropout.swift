// Dropout (Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html) with inverted scaling, seeded
// through a `RandomGenerator` so that a run is reproducible.

extension Tensor {
    /// Inverted dropout (Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html): in training,
    /// each element is zeroed with probability `p` and every kept element is scaled by 1/(1 − p), so the
    /// expectation of each element is unchanged and evaluation needs no rescaling:
    ///
    ///     out = x ⊙ m,   m_i = 1/(1 − p) with probability 1 − p, else 0
    ///
    /// The mask is drawn as `dropoutMask` describes (one 64-bit draw from `rng` per call). Evaluation mode
    /// (`training == false`), p = 0 (identity) and p = 1 (all zeros) draw nothing.
    /// ∂/∂x = g ⊙ m, the same mask. Shapes: any; the output has x's shape.
    public func dropout(p: Double, training: Bool, using rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout: probability \(p) not in [0, 1] for input \(shape)")
        guard training && p > 0 else { return self }
        return self * Tensor.dropoutMask(shape, p: p, dtype: dtype, using: &rng)
    }

    /// The mask m of inverted dropout: 1/(1 − p) where an element's uniform draw u ≥ p, 0 elsewhere (all zeros when
    /// p = 1, without drawing).
    ///
    /// The mask takes one 64-bit draw `key = rng.next()`, whatever its size. The draws of its elements are the
    /// SplitMix64 stream (Steele, Lea & Flood 2014) started at `key`: word j = mix(key + (j + 1)·0x9E3779B97F4A7C15)
    /// gives two 32-bit draws, its low half to element 2j and its high half to element 2j + 1. Element i is kept
    /// when its draw is ≥ p·2³² rounded (probability 1 − p up to 2⁻³²). Word j depends on j alone, so blocks of the
    /// mask are drawn in parallel and the mask does not depend on the thread count. (Until 2026-11 the mask took one
    /// 53-bit `nextUniform()` per element from `rng`; seeded runs with dropout draw different masks since.)
    static func dropoutMask(_ shape: [Int], p: Double, dtype: DType, using rng: inout RandomGenerator) -> Tensor {
        if p >= 1 { return Tensor.zeros(shape, dtype: dtype) }
        let mask = Tensor(uninitialized: shape, dtype: dtype)
        let threshold = UInt32(Swift.min((p * 0x1p32).rounded(), Double(UInt32.max)))
        let key = rng.next()
        let n = mask.count
        func run<T: NativeScalar>(_: T.Type) {
            let m = mask.pointer(T.self)
            let kept = T(1 / (1 - p))
            // kept where draw ≥ threshold, 0 elsewhere, without a branch: the borrow of draw − threshold.
            @inline(__always) func value(_ draw: UInt64) -> T {
                kept * T(1 &- ((draw &- UInt64(threshold)) >> 63))
            }
            @inline(__always) func word(_ j: Int) -> UInt64 {
                splitMix64(key &+ UInt64(j + 1) &* 0x9E37_79B9_7F4A_7C15)
            }
            parallelRanges(n / 2, grain: dropoutGrain / 2) { range in
                for j in range {
                    let bits = word(j)
                    m[2 * j] = value(bits & 0xFFFF_FFFF)
                    m[2 * j + 1] = value(bits >> 32)
                }
            }
            if n % 2 == 1 { m[n - 1] = value(word(n / 2) & 0xFFFF_FFFF) }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return mask
    }
}

/// Elements per parallel block of dropout.
private let dropoutGrain = 1 << 15

/// The output function of SplitMix64 (Steele, Lea & Flood 2014): a bijective mix of a 64-bit state.
@inline(__always)
private func splitMix64(_ state: UInt64) -> UInt64 {
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
