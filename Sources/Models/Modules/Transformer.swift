import Autograd
import Ops

/// The position-wise feed-forward network of a Transformer block: output(dropout(f(hidden(x)))), with
/// hidden: C → M and output: M → C. Weights N(0, 0.02²) and biases 0 (GPT-2's initialization).
///
/// Shapes: (…, C) → (…, C).
public struct FeedForward: Layer {
    /// W₁ (C, M), b₁ (M).
    public var hidden: Linear
    /// W₂ (M, C), b₂ (C).
    public var output: Linear
    public var activation: Activation
    public var dropout: Dropout

    public init(
        dim: Int, hiddenDim: Int, activation: Activation = .gelu, dropout: Double = 0, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        hidden = Linear(dim, hiddenDim, weightInit: .normal(std: 0.02), biasInit: .zeros, dtype: dtype, using: &rng)
        output = Linear(hiddenDim, dim, weightInit: .normal(std: 0.02), biasInit: .zeros, dtype: dtype, using: &rng)
        self.activation = activation
        self.dropout = Dropout(dropout)
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        output(dropout(activation(hidden(x)), &context))
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        try output.outputShape(for: hidden.outputShape(for: input))
    }

    public var description: String {
        "FeedForward(\(hidden.inFeatures), \(hidden.outFeatures), \(activation.rawValue))"
    }
}

/// A pre-LayerNorm Transformer block (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762, with the pre-norm
/// placement of GPT-2 and ViT), as nanoGPT's `Block`:
///
///     x = x + dropout(attention(norm1(x)))
///     x = x + dropout(mlp(norm2(x)))
///
/// Shapes: (B, T, C) → (B, T, C).
public struct TransformerBlock: Layer {
    public var norm1: LayerNorm
    public var attention: MultiHeadAttention
    public var norm2: LayerNorm
    public var mlp: FeedForward
    /// After attention and after the feed-forward network (which also has its own, after its activation).
    public var dropout: Dropout

    /// LayerNorms at scale 1 and shift 0, projections and feed-forward weights N(0, 0.02²), biases 0.
    public init(
        dim: Int, heads: Int, mlpDim: Int, activation: Activation = .gelu, dropout: Double = 0, causal: Bool = false,
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        norm1 = LayerNorm(dim, dtype: dtype)
        attention = MultiHeadAttention(dim: dim, heads: heads, causal: causal, dtype: dtype, using: &rng)
        norm2 = LayerNorm(dim, dtype: dtype)
        mlp = FeedForward(
            dim: dim, hiddenDim: mlpDim, activation: activation, dropout: dropout, dtype: dtype, using: &rng)
        self.dropout = Dropout(dropout)
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        let x = x + dropout(attention(norm1(x)), &context)
        return x + dropout(mlp(norm2(x), &context), &context)
    }

    /// The post-softmax attention weights (B, H, T, T) of this block for input `x`, in evaluation mode.
    public func attentionWeights(_ x: Tensor) -> Tensor { attention.attended(norm1(x)).weights }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { try attention.outputShape(for: input) }

    public var description: String {
        "TransformerBlock(\(attention.dim), heads=\(attention.heads), mlp=\(mlp.hidden.outFeatures)"
            + "\(attention.causal ? ", causal" : ""))"
    }
}

/// A pre-LayerNorm decoder block of an encoder–decoder Transformer (Vaswani et al. 2017,
/// https://arxiv.org/abs/1706.03762, §3.1, with the pre-norm placement): causal self-attention over the target,
/// then cross-attention from the target to the encoder's output `memory`, then a feed-forward network:
///
///     x = x + dropout(selfAttention(norm1(x)))              (causal)
///     x = x + dropout(crossAttention(norm2(x), memory))
///     x = x + dropout(mlp(norm3(x)))
///
/// Shapes: x (B, T, C), memory (B, S, C) → (B, T, C).
public struct TransformerDecoderBlock: Module {
    public var norm1: LayerNorm
    public var selfAttention: MultiHeadAttention
    public var norm2: LayerNorm
    public var crossAttention: MultiHeadAttention
    public var norm3: LayerNorm
    public var mlp: FeedForward
    public var dropout: Dropout

    /// LayerNorms at scale 1 and shift 0, projections and feed-forward weights N(0, 0.02²), biases 0.
    public init(
        dim: Int, heads: Int, mlpDim: Int, activation: Activation = .relu, dropout: Double = 0,
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        norm1 = LayerNorm(dim, dtype: dtype)
        selfAttention = MultiHeadAttention(dim: dim, heads: heads, causal: true, dtype: dtype, using: &rng)
        norm2 = LayerNorm(dim, dtype: dtype)
        crossAttention = MultiHeadAttention(dim: dim, heads: heads, dtype: dtype, using: &rng)
        norm3 = LayerNorm(dim, dtype: dtype)
        mlp = FeedForward(
            dim: dim, hiddenDim: mlpDim, activation: activation, dropout: dropout, dtype: dtype, using: &rng)
        self.dropout = Dropout(dropout)
    }

    public func callAsFunction(_ x: Tensor, memory: Tensor, _ context: inout ForwardContext) -> Tensor {
        var x = x + dropout(selfAttention(norm1(x)), &context)
        x = x + dropout(crossAttention(norm2(x), memory: memory), &context)
        return x + dropout(mlp(norm3(x), &context), &context)
    }

    public var description: String {
        "TransformerDecoderBlock(\(selfAttention.dim), heads=\(selfAttention.heads), mlp=\(mlp.hidden.outFeatures))"
    }
}
