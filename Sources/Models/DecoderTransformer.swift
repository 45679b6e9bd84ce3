import Autograd
import Foundation
import Ops

/// The shape of a character-level decoder-only Transformer; defaults are the coursework's tiny Shakespeare model.
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

/// A GPT-style language model (Radford et al. 2018; nanoGPT): token + position embeddings, causal multi-head
/// self-attention blocks with a 4× feed-forward, a final LayerNorm and a linear head to next-token logits.
public struct DecoderTransformer: Model {
    public let configuration: DecoderTransformerConfiguration
    /// (V, C) and (blockSize, C).
    public var tokenEmbedding: Tensor, positionEmbedding: Tensor
    public var blocks: [TransformerBlock]
    public var normScale: Tensor, normShift: Tensor
    /// (C, V) and (V).
    public var headWeight: Tensor, headBias: Tensor

    public init(
        _ configuration: DecoderTransformerConfiguration = .init(), dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        let c = configuration
        precondition(c.dim % c.heads == 0, "DecoderTransformer: dim \(c.dim) not divisible by \(c.heads) heads")
        self.configuration = c
        tokenEmbedding = Tensor.normal([c.vocabularySize, c.dim], std: 0.02, dtype: dtype, using: &rng)
            .requiringGrad()
        positionEmbedding = Tensor.normal([c.blockSize, c.dim], std: 0.02, dtype: dtype, using: &rng).requiringGrad()
        blocks = (0..<c.layers).map { _ in
            TransformerBlock(dim: c.dim, mlpDim: c.ffnMultiplier * c.dim, dtype: dtype, using: &rng)
        }
        normScale = Tensor.ones([c.dim], dtype: dtype).requiringGrad()
        normShift = Tensor.zeros([c.dim], dtype: dtype).requiringGrad()
        headWeight = Tensor.normal([c.dim, c.vocabularySize], std: 0.02, dtype: dtype, using: &rng).requiringGrad()
        headBias = Tensor.zeros([c.vocabularySize], dtype: dtype).requiringGrad()
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var named: [(name: String, tensor: Tensor)] = [
            ("token_embedding", tokenEmbedding), ("position_embedding", positionEmbedding),
        ]
        for (i, block) in blocks.enumerated() { named += block.namedParameters(prefix: "blocks.\(i).") }
        named += [
            ("norm.weight", normScale), ("norm.bias", normShift), ("head.weight", headWeight), ("head.bias", headBias),
        ]
        return named
    }

    /// Next-token logits (B, T, V) for `tokens`, B rows of T ids in row-major order (T ≤ blockSize); and the
    /// attention weights (B, H, T, T) of block `attentionLayer` when asked (negative counts from the last).
    public func forward(
        _ tokens: [Int], batch b: Int, training: Bool, using rng: inout RandomGenerator, attentionLayer: Int? = nil
    ) -> (logits: Tensor, attention: Tensor?) {
        let c = configuration
        precondition(b > 0 && tokens.count % b == 0, "DecoderTransformer: \(tokens.count) tokens for batch \(b)")
        let t = tokens.count / b
        precondition(t <= c.blockSize, "DecoderTransformer: context \(t) exceeds block size \(c.blockSize)")
        let positions = positionEmbedding[0..<t]  // (T, C)
        var x = Tensor.embedding(tokens, shape: [b, t], table: tokenEmbedding) + positions  // (B, T, C)
        x = x.dropout(p: c.dropout, training: training, using: &rng)
        let wanted = attentionLayer.map { $0 < 0 ? $0 + blocks.count : $0 }
        var attention: Tensor?
        for (i, block) in blocks.enumerated() {
            let out = block.forward(
                x, heads: c.heads, causal: true, activation: c.activation, dropout: c.dropout, training: training,
                using: &rng)
            x = out.output
            if i == wanted { attention = out.attention }
        }
        let logits = x.layerNorm(normalizedShape: [c.dim], scale: normScale, shift: normShift)
            .linear(weight: headWeight, bias: headBias)  // (B, T, V)
        return (logits, attention)
    }

    /// The mean cross-entropy of predicting `targets` (B·T ids) from `tokens`.
    public func loss(
        _ tokens: [Int], targets: [Int], batch b: Int, training: Bool, using rng: inout RandomGenerator
    ) -> Tensor {
        let logits = forward(tokens, batch: b, training: training, using: &rng).logits
        return logits.reshaped([-1, configuration.vocabularySize]).crossEntropy(labels: targets)  // (B·T, V)
    }

    /// Extends `prompt` by `count` sampled tokens: each step feeds the last `blockSize` tokens, divides the last
    /// position's logits by `temperature`, keeps the `topK` largest when given, and samples from the softmax.
    public func generate(
        prompt: [Int], count: Int, temperature: Double = 1, topK: Int? = nil, using rng: inout RandomGenerator
    ) -> [Int] {
        precondition(!prompt.isEmpty, "generate: the prompt must hold at least one token")
        precondition(temperature > 0, "generate: temperature must be positive, got \(temperature)")
        var tokens = prompt
        var dropoutRNG = RandomGenerator(seed: 0)
        noGrad {
            for _ in 0..<count {
                let context = Array(tokens.suffix(configuration.blockSize))
                let logits = forward(context, batch: 1, training: false, using: &dropoutRNG).logits
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
