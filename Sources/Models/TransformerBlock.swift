import Autograd
import Ops

/// The parameters of one pre-LayerNorm Transformer block (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762,
/// with the pre-norm placement of GPT-2 and ViT):
///
///     x = x + dropout(attention(layerNorm₁(x)))
///     x = x + dropout(W₂·dropout(f(W₁·layerNorm₂(x) + b₁)) + b₂)
///
/// The attention projections have no bias, as in the coursework.
public struct TransformerBlock {
    public var norm1Scale: Tensor, norm1Shift: Tensor
    /// Wq, Wk, Wv, Wo, each (C, C), applied as x·W.
    public var query: Tensor, key: Tensor, value: Tensor, output: Tensor
    public var norm2Scale: Tensor, norm2Shift: Tensor
    /// W₁ (C, M), b₁ (M), W₂ (M, C), b₂ (C).
    public var hiddenWeight: Tensor, hiddenBias: Tensor, outputWeight: Tensor, outputBias: Tensor

    /// Weights N(0, 0.02²), biases 0, layer-norm scale 1 and shift 0 (GPT-2's initialization).
    public init(dim: Int, mlpDim: Int, dtype: DType, using rng: inout RandomGenerator) {
        func weight(_ shape: [Int]) -> Tensor {
            Tensor.normal(shape, std: 0.02, dtype: dtype, using: &rng).requiringGrad()
        }
        func constant(_ n: Int, _ value: Double) -> Tensor { Tensor.full([n], value, dtype: dtype).requiringGrad() }
        norm1Scale = constant(dim, 1)
        norm1Shift = constant(dim, 0)
        query = weight([dim, dim])
        key = weight([dim, dim])
        value = weight([dim, dim])
        output = weight([dim, dim])
        norm2Scale = constant(dim, 1)
        norm2Shift = constant(dim, 0)
        hiddenWeight = weight([dim, mlpDim])
        hiddenBias = constant(mlpDim, 0)
        outputWeight = weight([mlpDim, dim])
        outputBias = constant(dim, 0)
    }

    public func namedParameters(prefix: String) -> [(name: String, tensor: Tensor)] {
        [
            ("norm1.weight", norm1Scale), ("norm1.bias", norm1Shift), ("attention.query", query),
            ("attention.key", key), ("attention.value", value), ("attention.output", output),
            ("norm2.weight", norm2Scale), ("norm2.bias", norm2Shift), ("mlp.hidden.weight", hiddenWeight),
            ("mlp.hidden.bias", hiddenBias), ("mlp.output.weight", outputWeight), ("mlp.output.bias", outputBias),
        ].map { (prefix + $0.0, $0.1) }
    }

    /// x (B, T, C) → (B, T, C), and the block's post-softmax attention weights (B, H, T, T).
    public func forward(
        _ x: Tensor, heads: Int, causal: Bool, activation: Activation, dropout p: Double, training: Bool,
        using rng: inout RandomGenerator
    ) -> (output: Tensor, attention: Tensor) {
        let c = x.shape[2]
        let attended = x.layerNorm(normalizedShape: [c], scale: norm1Scale, shift: norm1Shift)
            .multiHeadAttention(
                heads: heads, queryWeight: query, keyWeight: key, valueWeight: value, outputWeight: output,
                causal: causal)
        var x = x + attended.output.dropout(p: p, training: training, using: &rng)
        let hidden = activation(
            x.layerNorm(normalizedShape: [c], scale: norm2Scale, shift: norm2Shift)
                .linear(weight: hiddenWeight, bias: hiddenBias)  // (B, T, M)
        ).dropout(p: p, training: training, using: &rng)
        x = x + hidden.linear(weight: outputWeight, bias: outputBias).dropout(p: p, training: training, using: &rng)
        return (x, attended.weights)
    }
}
