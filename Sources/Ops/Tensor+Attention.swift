// Attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762): scaled dot-product attention as one fused op
// (two GEMMs and a masked softmax forward, four GEMMs and the softmax backward), and multi-head self-attention
// composed from it with head split and merge.

extension Tensor {
    /// Scaled dot-product attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762, eq. 1):
    ///
    ///     P = softmax(Q·Kᵀ / √d + M),   output = P·V
    ///
    /// along the key axis, where d is the last axis of Q and K, and M is 0, or −∞ above the diagonal when
    /// `causal` (query i attends to keys j ≤ i, aligned at the top left as PyTorch's `is_causal`).
    ///
    /// Shapes: `query` (…, Tq, d), `key` (…, Tk, d), `value` (…, Tk, dv), with identical leading (batch) axes,
    /// e.g. (B, H, T, D); `output` (…, Tq, dv); `weights` P (…, Tq, Tk), each row summing to 1.
    ///
    /// `weights` are returned for inspection (plotting) and are not differentiable; the output is, with respect
    /// to Q, K and V. The backward is hand-written (see `fusedAttention`) and tested against the composition
    /// of matmul, maskedFill and softmax. Kᵀ is never materialized: transposes are GEMM flags.
    public static func scaledDotProductAttention(
        query: Tensor, key: Tensor, value: Tensor, causal: Bool = false
    ) -> (output: Tensor, weights: Tensor) {
        fusedAttention(query, key, value, causal: causal, dropoutMask: nil)
    }

    /// Scaled dot-product attention with dropout on the attention weights (as in Vaswani et al. 2017 and
    /// nanoGPT): in training, output = (P ⊙ m)·V with the inverted-dropout mask m of `dropout(p:training:using:)`
    /// drawn from `rng` (one draw per weight, shape (…, Tq, Tk)). In evaluation, or with p = 0, it is the
    /// attention above and draws nothing. `weights` are P before dropout.
    public static func scaledDotProductAttention(
        query: Tensor, key: Tensor, value: Tensor, causal: Bool = false, dropout p: Double, training: Bool,
        using rng: inout RandomGenerator
    ) -> (output: Tensor, weights: Tensor) {
        precondition(p >= 0 && p <= 1, "scaledDotProductAttention: dropout probability \(p) not in [0, 1]")
        precondition(
            query.rank >= 2 && key.rank >= 2,
            "scaledDotProductAttention: query \(query.shape) and key \(key.shape) need rank ≥ 2")
        var mask: Tensor?
        if training && p > 0 {
            let scoresShape = Array(query.shape.dropLast()) + [key.shape[key.rank - 2]]  // (…, Tq, Tk)
            mask = dropoutMask(scoresShape, p: p, dtype: query.dtype, using: &rng)
        }
        return fusedAttention(query, key, value, causal: causal, dropoutMask: mask)
    }

    /// The fused op. With S = Q·Kᵀ, P = softmax(S/√d + M), P̃ = P ⊙ m (m = 1 without dropout), out = P̃·V and
    /// G = ∂L/∂out:
    ///
    ///     ∂/∂V = P̃ᵀ·G,   ∂P = (G·Vᵀ) ⊙ m,   ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)) / √d,
    ///     ∂/∂Q = ∂S·K,   ∂/∂K = ∂Sᵀ·Q
    ///
    /// Masked positions have P = 0 and therefore ∂S = 0.
    private static func fusedAttention(
        _ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool, dropoutMask: Tensor?
    ) -> (output: Tensor, weights: Tensor) {
        precondition(
            q.rank >= 2 && k.rank == q.rank && v.rank == q.rank,
            "scaledDotProductAttention: query \(q.shape), key \(k.shape), value \(v.shape) need one rank ≥ 2")
        let batch = Array(q.shape.dropLast(2))
        let d = q.shape[q.rank - 1], tk = k.shape[k.rank - 2]
        precondition(
            Array(k.shape.dropLast(2)) == batch && Array(v.shape.dropLast(2)) == batch
                && k.shape[k.rank - 1] == d && v.shape[v.rank - 2] == tk,
            "scaledDotProductAttention: query \(q.shape), key \(k.shape), value \(v.shape) must be "
                + "(…, Tq, d), (…, Tk, d), (…, Tk, dv)")
        precondition(
            q.dtype == k.dtype && q.dtype == v.dtype,
            "scaledDotProductAttention: dtypes differ, \(q.dtype), \(k.dtype), \(v.dtype)")
        precondition(d > 0 && tk > 0, "scaledDotProductAttention: empty key axis or feature axis in \(k.shape)")
        let scale = 1 / Double(d).squareRoot()

        let weights = noGrad {
            attentionSoftmax(Tensor.matmul(q, k, transposeB: true), scale: scale, causal: causal)  // (…, Tq, Tk)
        }
        let dropped = dropoutMask.map { mask in noGrad { weights * mask } } ?? weights  // (…, Tq, Tk)
        let output = noGrad { Tensor.matmul(dropped, v) }  // (…, Tq, dv)
        output.recorded("scaledDotProductAttention", [q, k, v]) { g, needs in
            var dScores: Tensor?
            if needs[0] || needs[1] {
                let dDropped = Tensor.matmul(g, v, transposeB: true)  // (…, Tq, Tk)
                let dWeights = dropoutMask.map { dDropped * $0 } ?? dDropped
                dScores = attentionSoftmaxBackward(weights, dWeights, scale: scale)  // (…, Tq, Tk)
            }
            return [
                needs[0] ? dScores.map { Tensor.matmul($0, k) } : nil,  // (…, Tq, d)
                needs[1] ? dScores.map { Tensor.matmul($0, q, transposeA: true) } : nil,  // (…, Tk, d)
                needs[2] ? Tensor.matmul(dropped, g, transposeA: true) : nil,  // (…, Tk, dv)
            ]
        }
        return (output, weights)
    }

    /// softmax(scale·s) along the last axis of scores (…, Tq, Tk), with row i restricted to columns j ≤ i when
    /// `causal` (the others get exactly 0). Stable: each row's maximum is subtracted first.
    private static func attentionSoftmax(_ scores: Tensor, scale: Double, causal: Bool) -> Tensor {
        let tq = scores.shape[scores.rank - 2], tk = scores.shape[scores.rank - 1]
        let out = Tensor(uninitialized: scores.shape, dtype: scores.dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let s = scores.pointer(T.self), p = out.pointer(T.self)
            let c = T(scale)
            for row in 0..<(scores.count / tk) {
                let src = s + row * tk, dst = p + row * tk
                let visible = causal ? Swift.min(row % tq + 1, tk) : tk
                var m = -T.infinity
                for j in 0..<visible where src[j] > m { m = src[j] }
                var sum: T = 0
                for j in 0..<visible {
                    let e = T.exp(c * (src[j] - m))
                    dst[j] = e
                    sum += e
                }
                let inv = 1 / sum
                for j in 0..<visible { dst[j] *= inv }
                for j in visible..<tk { dst[j] = 0 }
            }
        }
        switch scores.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }

    /// ∂S = scale · P ⊙ (∂P − rowsum(∂P ⊙ P)) along the last axis: the softmax VJP with the score scaling.
    private static func attentionSoftmaxBackward(_ weights: Tensor, _ dWeights: Tensor, scale: Double) -> Tensor {
        let tk = weights.shape[weights.rank - 1]
        let out = Tensor(uninitialized: weights.shape, dtype: weights.dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let p = weights.pointer(T.self), dp = dWeights.pointer(T.self), ds = out.pointer(T.self)
            let c = T(scale)
            for row in 0..<(weights.count / tk) {
                let o = row * tk
                var dot: T = 0
                for j in 0..<tk { dot += dp[o + j] * p[o + j] }
                for j in 0..<tk { ds[o + j] = c * p[o + j] * (dp[o + j] - dot) }
            }
        }
        switch weights.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }
}

extension Tensor {
    /// Multi-head self-attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762, §3.2.2) without biases,
    /// on x (B, T, C) with H = `heads` heads of size D = C / H:
    ///
    ///     Q = x·Wq, K = x·Wk, V = x·Wv            (B, T, C), split into heads (B, H, T, D)
    ///     headᵢ = softmax(Qᵢ·Kᵢᵀ / √D + M)·Vᵢ       see `scaledDotProductAttention`
    ///     output = concat(head₁, …, head_H)·Wo      (B, T, C)
    ///
    /// The projections act on the right, x·W, so each of Wq, Wk, Wv, Wo is (C_in, C_out) = (C, C) (PyTorch's
    /// `Linear.weight` transposed). Returns the output (B, T, C) and the post-softmax attention weights
    /// (B, H, T, T) for plotting (not differentiable). `causal` masks future positions as in a decoder.
    public func multiHeadAttention(
        heads: Int, queryWeight: Tensor, keyWeight: Tensor, valueWeight: Tensor, outputWeight: Tensor,
        causal: Bool = false
    ) -> (output: Tensor, weights: Tensor) {
        multiHeadAttention(heads, queryWeight, keyWeight, valueWeight, outputWeight) { q, k, v in
            Tensor.scaledDotProductAttention(query: q, key: k, value: v, causal: causal)
        }
    }

    /// Multi-head self-attention as above with dropout p on the attention weights in training (one draw from
    /// `rng` per weight of (B, H, T, T)); evaluation, or p = 0, draws nothing.
    public func multiHeadAttention(
        heads: Int, queryWeight: Tensor, keyWeight: Tensor, valueWeight: Tensor, outputWeight: Tensor,
        causal: Bool = false, dropout p: Double, training: Bool, using rng: inout RandomGenerator
    ) -> (output: Tensor, weights: Tensor) {
        multiHeadAttention(heads, queryWeight, keyWeight, valueWeight, outputWeight) { q, k, v in
            Tensor.scaledDotProductAttention(
                query: q, key: k, value: v, causal: causal, dropout: p, training: training, using: &rng)
        }
    }

    private func multiHeadAttention(
        _ heads: Int, _ wq: Tensor, _ wk: Tensor, _ wv: Tensor, _ wo: Tensor,
        attend: (Tensor, Tensor, Tensor) -> (output: Tensor, weights: Tensor)
    ) -> (output: Tensor, weights: Tensor) {
        precondition(rank == 3, "multiHeadAttention: input must be (B, T, C), got \(shape)")
        let (b, t, c) = (shape[0], shape[1], shape[2])
        precondition(
            heads > 0 && c % heads == 0, "multiHeadAttention: \(c) channels do not split into \(heads) heads")
        for (name, w) in [("query", wq), ("key", wk), ("value", wv), ("output", wo)] {
            precondition(
                w.shape == [c, c],
                "multiHeadAttention: \(name) weight \(w.shape) must be [\(c), \(c)] for input \(shape)")
        }
        let d = c / heads
        func splitHeads(_ w: Tensor) -> Tensor {
            matmul(w)  // (B, T, C)
                .reshaped([b, t, heads, d])  // (B, T, H, D)
                .permuted([0, 2, 1, 3])  // (B, H, T, D)
        }
        let (y, weights) = attend(splitHeads(wq), splitHeads(wk), splitHeads(wv))  // (B, H, T, D), (B, H, T, T)
        let merged = y.permuted([0, 2, 1, 3])  // (B, T, H, D)
            .reshaped([b, t, c])  // (B, T, C)
        return (merged.matmul(wo), weights)  // (B, T, C)
    }
}
