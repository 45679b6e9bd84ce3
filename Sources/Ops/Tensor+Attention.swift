// Attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762): scaled dot-product attention as one fused op
// (two GEMMs and a masked softmax forward, four GEMMs and the softmax backward, per batch and head, in parallel), and
// multi-head self-attention composed from it, the heads read in place from the (B, T, H·D) projections.

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

    /// The fused op on one head: `attention` with H = 1 and weights (…, Tq, Tk).
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
        let (output, weights) = attention(q, k, v, heads: 1, causal: causal, dropoutMask: dropoutMask)
        return (output, weights.reshaped(Array(q.shape.dropLast()) + [tk]))  // (…, Tq, Tk)
    }

    /// The fused op over H heads packed along the feature axis: Q (…, Tq, H·d), K (…, Tk, H·d), V (…, Tk, H·dv),
    /// head h the column block h·d..<(h+1)·d. With, per head, S = Q·Kᵀ, P = softmax(S/√d + M), P̃ = P ⊙ m (m = 1
    /// without dropout), out = P̃·V and G = ∂L/∂out:
    ///
    ///     ∂/∂V = P̃ᵀ·G,   ∂P = (G·Vᵀ) ⊙ m,   ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)) / √d,
    ///     ∂/∂Q = ∂S·K,   ∂/∂K = ∂Sᵀ·Q
    ///
    /// Masked positions have P = 0 and therefore ∂S = 0. Returns the output (…, Tq, H·dv), heads side by side, and
    /// the weights P (…, H, Tq, Tk); `dropoutMask` has the weights' shape. The (batch, head) pairs run in parallel
    /// (see `attentionForward`); heads are read in place, never copied out.
    static func attention(
        _ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, causal: Bool, dropoutMask: Tensor?
    ) -> (output: Tensor, weights: Tensor) {
        let r = q.rank
        precondition(
            r >= 2 && k.rank == r && v.rank == r && heads > 0,
            "attention: query \(q.shape), key \(k.shape), value \(v.shape) need one rank ≥ 2")
        let batchShape = Array(q.shape.dropLast(2))
        let (tq, tk) = (q.shape[r - 2], k.shape[r - 2])
        precondition(
            q.shape[r - 1] % heads == 0 && v.shape[r - 1] % heads == 0 && k.shape[r - 1] == q.shape[r - 1]
                && v.shape[r - 2] == tk && Array(k.shape.dropLast(2)) == batchShape
                && Array(v.shape.dropLast(2)) == batchShape,
            "attention: query \(q.shape), key \(k.shape), value \(v.shape) must be (…, Tq, H·d), (…, Tk, H·d), "
                + "(…, Tk, H·dv) with H = \(heads)")
        precondition(
            q.dtype == k.dtype && q.dtype == v.dtype,
            "scaledDotProductAttention: dtypes differ, \(q.dtype), \(k.dtype), \(v.dtype)")
        let (d, dv) = (q.shape[r - 1] / heads, v.shape[r - 1] / heads)
        let layout = AttentionLayout(
            batch: batchShape.reduce(1, *), heads: heads, tq: tq, tk: tk, d: d, dv: dv, ldq: heads * d,
            ldk: heads * d, ldv: heads * dv)
        return run(layout, [q, k, v], q: (0, 0), k: (1, 0), v: (2, 0), causal: causal, dropoutMask: dropoutMask)
    }

    /// Self-attention over one packed projection qkv (B, T, 3·H·d) = [Q | K | V] along the last axis, each of
    /// Q, K, V (B, T, H·d) with heads as in `attention`: the three are read in place (row stride 3·H·d), and the
    /// gradient is one (B, T, 3·H·d) tensor. Returns the output (B, T, H·d) and the weights (B, H, T, T).
    static func packedSelfAttention(
        _ qkv: Tensor, heads: Int, causal: Bool, dropoutMask: Tensor?
    ) -> (output: Tensor, weights: Tensor) {
        precondition(
            qkv.rank == 3 && heads > 0 && qkv.shape[2] % (3 * heads) == 0,
            "attention: packed projection \(qkv.shape) must be (B, T, 3·H·d) with H = \(heads)")
        let (b, t, c) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        let layout = AttentionLayout(
            batch: b, heads: heads, tq: t, tk: t, d: c / heads, dv: c / heads, ldq: 3 * c, ldk: 3 * c, ldv: 3 * c)
        return run(layout, [qkv], q: (0, 0), k: (0, c), v: (0, 2 * c), causal: causal, dropoutMask: dropoutMask)
    }

    /// The recorded op behind `attention` and `packedSelfAttention`: Q, K and V start at (input, element offset)
    /// `q`, `k`, `v` of `inputs`, laid out as `layout` says; the gradient of each input is written where it was
    /// read. Every element of an input is read as exactly one of Q, K, V.
    private static func run(
        _ layout: AttentionLayout, _ inputs: [Tensor], q: (Int, Int), k: (Int, Int), v: (Int, Int), causal: Bool,
        dropoutMask: Tensor?
    ) -> (output: Tensor, weights: Tensor) {
        let dtype = inputs[0].dtype
        precondition(layout.d > 0 && layout.tk > 0, "scaledDotProductAttention: empty key axis or feature axis")
        let batchShape = Array(inputs[q.0].shape.dropLast(2))
        let weightsShape = batchShape + [layout.heads, layout.tq, layout.tk]  // (…, H, Tq, Tk)
        if let dropoutMask {
            precondition(
                dropoutMask.shape.reduce(1, *) == weightsShape.reduce(1, *) && dropoutMask.dtype == dtype,
                "attention: dropout mask \(dropoutMask.shape) does not fit weights \(weightsShape)")
        }
        let scale = 1 / Double(layout.d).squareRoot()
        let weights = Tensor(uninitialized: weightsShape, dtype: dtype)
        let dropped = dropoutMask.map { _ in Tensor(uninitialized: weightsShape, dtype: dtype) }
        // Empty products leave their result unwritten: it is then 0.
        let empty = layout.groups == 0 || layout.tq == 0 || layout.dv == 0
        func result(_ shape: [Int]) -> Tensor {
            empty ? Tensor.zeros(shape, dtype: dtype) : Tensor(uninitialized: shape, dtype: dtype)
        }
        let output = result(batchShape + [layout.tq, layout.ldo])  // (…, Tq, H·dv)
        func forward<T: NativeScalar>(_: T.Type) {
            attentionForward(
                layout, causal: causal, scale: T(scale), q: inputs[q.0].pointer(T.self) + q.1,
                k: inputs[k.0].pointer(T.self) + k.1, v: inputs[v.0].pointer(T.self) + v.1,
                mask: dropoutMask.map { UnsafePointer($0.pointer(T.self)) }, weights: weights.pointer(T.self),
                dropped: dropped?.pointer(T.self), out: output.pointer(T.self))
        }
        switch dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        }
        output.recorded("scaledDotProductAttention", inputs) { g, needs in
            let grads = inputs.indices.map { needs[$0] ? result(inputs[$0].shape) : nil }
            let scratch = needs[q.0] || needs[k.0] ? Tensor(uninitialized: weightsShape, dtype: dtype) : nil
            func backward<T: NativeScalar>(_: T.Type) {
                func gradient(_ source: (Int, Int)) -> UnsafeMutablePointer<T>? {
                    grads[source.0].map { $0.pointer(T.self) + source.1 }
                }
                attentionBackward(
                    layout, causal: causal, scale: T(scale), q: inputs[q.0].pointer(T.self) + q.1,
                    k: inputs[k.0].pointer(T.self) + k.1, v: inputs[v.0].pointer(T.self) + v.1,
                    mask: dropoutMask.map { UnsafePointer($0.pointer(T.self)) }, weights: weights.pointer(T.self),
                    dropped: dropped.map { UnsafePointer($0.pointer(T.self)) }, gradient: g.pointer(T.self),
                    scratch: (scratch ?? weights).pointer(T.self), dq: gradient(q), dk: gradient(k), dv: gradient(v))
            }
            switch g.dtype {
            case .float32: backward(Float.self)
            case .float64: backward(Double.self)
            }
            return grads
        }
        return (output, weights)
    }
}

extension Tensor {
    /// Multi-head self-attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762, §3.2.2) without biases,
    /// on x (B, T, C) with H = `heads` heads of size D = C / H:
    ///
    ///     Q = x·Wq, K = x·Wk, V = x·Wv            (B, T, C) = (B, T, H·D), head i the i-th block of D columns
    ///                                             (one product with [Wq | Wk | Wv])
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
        multiHeadAttention(heads, queryWeight, keyWeight, valueWeight, outputWeight) { qkv in
            Tensor.packedSelfAttention(qkv, heads: heads, causal: causal, dropoutMask: nil)
        }
    }

    /// Multi-head self-attention as above with dropout p on the attention weights in training (one draw from
    /// `rng` per weight of (B, H, T, T)); evaluation, or p = 0, draws nothing.
    public func multiHeadAttention(
        heads: Int, queryWeight: Tensor, keyWeight: Tensor, valueWeight: Tensor, outputWeight: Tensor,
        causal: Bool = false, dropout p: Double, training: Bool, using rng: inout RandomGenerator
    ) -> (output: Tensor, weights: Tensor) {
        precondition(p >= 0 && p <= 1, "multiHeadAttention: dropout probability \(p) not in [0, 1]")
        return multiHeadAttention(heads, queryWeight, keyWeight, valueWeight, outputWeight) { qkv in
            var mask: Tensor?
            if training && p > 0 {
                let (b, t) = (qkv.shape[0], qkv.shape[1])
                mask = Tensor.dropoutMask([b, heads, t, t], p: p, dtype: qkv.dtype, using: &rng)  // (B, H, T, T)
            }
            return Tensor.packedSelfAttention(qkv, heads: heads, causal: causal, dropoutMask: mask)
        }
    }

    private func multiHeadAttention(
        _ heads: Int, _ wq: Tensor, _ wk: Tensor, _ wv: Tensor, _ wo: Tensor,
        attend: (Tensor) -> (output: Tensor, weights: Tensor)
    ) -> (output: Tensor, weights: Tensor) {
        precondition(rank == 3, "multiHeadAttention: input must be (B, T, C), got \(shape)")
        let c = shape[2]
        precondition(
            heads > 0 && c % heads == 0, "multiHeadAttention: \(c) channels do not split into \(heads) heads")
        for (name, w) in [("query", wq), ("key", wk), ("value", wv), ("output", wo)] {
            precondition(
                w.shape == [c, c],
                "multiHeadAttention: \(name) weight \(w.shape) must be [\(c), \(c)] for input \(shape)")
        }
        // One product for the three projections: [Q | K | V] = x·[Wq | Wk | Wv], (B, T, 3C). Each of Q, K, V is
        // (B, T, H·D), head h its columns h·D..<(h+1)·D, read in place by the fused op.
        let qkv = matmul(Tensor.concatenate([wq, wk, wv], axis: 1))  // (B, T, 3C)
        let (y, weights) = attend(qkv)  // (B, T, H·D), (B, H, T, T)
        return (y.matmul(wo), weights)  // (B, T, C)
    }
}
