import Autograd
import Foundation
import Ops

/// The shape of a character-level decoder-only Transformer; the defaults are a tiny Shakespeare model (C 64,
/// 4 heads, 4 layers, context 64).
public struct DecoderTransformerConfiguration: Codable, Sendable, Equatable {
    public var vocabularySize = 65
    /// The longest context T the model sees (learned positions).
    public var blockSize = 64
    /// Embedding width C.
    public var dim = 64
    public var heads = 4
    public var layers = 4
    /// Feed-forward width = `ffnMultiplier` × C.
    public var ffnMultiplier = 4
    public var activation = Activation.relu
    public var dropout = 0.0

    public init() {}
}

/// A GPT-style language model (Radford et al. 2018; nanoGPT's `GPT`): token and position embeddings, causal
/// multi-head self-attention blocks with a feed-forward network, a final LayerNorm and a linear head to next-token
/// logits:
///
///     x = token_embedding(tokens) + position_embedding(0..<T)
///     x = block(x) for each block
///     logits = head(norm(x))
public struct DecoderTransformer: Layer {
    public let configuration: DecoderTransformerConfiguration
    /// (V, C).
    public var tokenEmbedding: Embedding
    /// (blockSize, C).
    public var positionEmbedding: Embedding
    public var blocks: [TransformerBlock]
    public var norm: LayerNorm
    /// C → V.
    public var head: Linear
    public var dropout: Dropout

    /// Embeddings, blocks and head weights N(0, 0.02²), biases 0 (GPT-2's initialization).
    public init(
        _ configuration: DecoderTransformerConfiguration = .init(), dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        let c = configuration
        precondition(c.dim % c.heads == 0, "DecoderTransformer: dim \(c.dim) not divisible by \(c.heads) heads")
        self.configuration = c
        let gpt2 = Initialization.normal(std: 0.02)
        tokenEmbedding = Embedding(c.vocabularySize, c.dim, weightInit: gpt2, dtype: dtype, using: &rng)
        positionEmbedding = Embedding(c.blockSize, c.dim, weightInit: gpt2, dtype: dtype, using: &rng)
        blocks = (0..<c.layers).map { _ in
            TransformerBlock(
                dim: c.dim, heads: c.heads, mlpDim: c.ffnMultiplier * c.dim, activation: c.activation,
                dropout: c.dropout, causal: true, dtype: dtype, using: &rng)
        }
        norm = LayerNorm(c.dim, dtype: dtype)
        head = Linear(c.dim, c.vocabularySize, weightInit: gpt2, biasInit: .zeros, dtype: dtype, using: &rng)
        dropout = Dropout(c.dropout)
    }

    /// The tokens the first block reads: (B, T, C), for `tokens`, B rows of T ids in row-major order.
    public func embed(_ tokens: [Int], batch b: Int, _ context: inout ForwardContext) -> Tensor {
        precondition(b > 0 && tokens.count % b == 0, "DecoderTransformer: \(tokens.count) tokens for batch \(b)")
        let t = tokens.count / b
        precondition(
            t <= configuration.blockSize,
            "DecoderTransformer: context \(t) exceeds block size "
                + "\(configuration.blockSize)")
        let x = tokenEmbedding(tokens, shape: [b, t]) + positionEmbedding(Array(0..<t))  // (B, T, C)
        return dropout(x, &context)
    }

    /// Next-token logits (B, T, V) for `tokens`, B rows of T ids in row-major order (T ≤ blockSize).
    public func callAsFunction(_ tokens: [Int], batch b: Int, _ context: inout ForwardContext) -> Tensor {
        var x = embed(tokens, batch: b, &context)
        for block in blocks { x = block(x, &context) }
        return head(norm(x))  // (B, T, V)
    }

    /// Next-token logits (B, T, V) for token ids (B, T) held as whole numbers in a tensor.
    public func callAsFunction(_ tokens: Tensor, _ context: inout ForwardContext) -> Tensor {
        precondition(tokens.rank == 2, "DecoderTransformer: tokens must be (B, T), got \(tokens.shape)")
        return self(tokens.scalars.map { Int($0) }, batch: tokens.shape[0], &context)
    }

    /// The post-softmax attention weights (B, H, T, T) of block `layer` (negative counts from the last), in
    /// evaluation mode.
    public func attentionWeights(_ tokens: [Int], batch b: Int, layer: Int = -1) -> Tensor {
        let wanted = layer < 0 ? layer + blocks.count : layer
        precondition(blocks.indices.contains(wanted), "DecoderTransformer: no block \(layer) of \(blocks.count)")
        var context = ForwardContext.evaluation
        var x = embed(tokens, batch: b, &context)
        for block in blocks[..<wanted] { x = block(x, &context) }
        return blocks[wanted].attentionWeights(x)
    }

    /// The mean cross-entropy of predicting `targets` (B·T ids) from `tokens`.
    public func loss(_ tokens: [Int], targets: [Int], batch b: Int, _ context: inout ForwardContext) -> Tensor {
        self(tokens, batch: b, &context).reshaped([-1, configuration.vocabularySize])  // (B·T, V)
            .crossEntropy(labels: targets)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 1, input[0] <= configuration.blockSize else {
            throw ShapeError(
                "needs (T) token ids with T ≤ \(configuration.blockSize)")
        }
        return input + [configuration.vocabularySize]
    }

    public var description: String {
        let c = configuration
        return "DecoderTransformer(vocabulary \(c.vocabularySize), block \(c.blockSize), dim \(c.dim), "
            + "layers \(c.layers), heads \(c.heads))"
    }

    /// Extends `prompt` by `count` sampled tokens: each step feeds the last `blockSize` tokens, divides the last
    /// position's logits by `temperature`, keeps the `topK` largest when given, and samples from the softmax.
    public func generate(
        prompt: [Int], count: Int, temperature: Double = 1, topK: Int? = nil, using rng: inout RandomGenerator
    ) -> [Int] {
        precondition(!prompt.isEmpty, "generate: the prompt must hold at least one token")
        precondition(temperature > 0, "generate: temperature must be positive, got \(temperature)")
        var tokens = prompt
        noGrad {
            for _ in 0..<count {
                let context = Array(tokens.suffix(configuration.blockSize))
                var evaluation = ForwardContext.evaluation
                let logits = self(context, batch: 1, &evaluation)
                var last = Array(logits.scalars.suffix(configuration.vocabularySize)).map { $0 / temperature }
                if let topK, topK < last.count {
                    let threshold = last.sorted(by: >)[Swift.max(topK, 1) - 1]
                    last = last.map { $0 < threshold ? -Double.infinity : $0 }
                }
                let maximum = last.max()!
                let weights = last.map { exp($0 - maximum) }
                var u = rng.nextUniform() * weights.reduce(0, +)
                var next = weights.count - 1
                for (i, w) in weights.enumerated() {
                    u -= w
                    if u < 0 {
                        next = i
                        break
                    }
                }
                tokens.append(next)
            }
        }
        return tokens
    }
}
