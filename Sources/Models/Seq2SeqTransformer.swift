import Autograd
import Foundation
import Ops

/// The shape of an encoder–decoder Transformer over one shared vocabulary; the defaults suit digit-string tasks
/// (reverse, sort) of up to 16 tokens.
public struct Seq2SeqTransformerConfiguration: Codable, Sendable, Equatable {
    /// Tokens of both sides, the start token included.
    public var vocabularySize = 12
    /// The longest source S (learned positions).
    public var sourceLength = 16
    /// The longest decoder input T, the start token included (learned positions).
    public var targetLength = 16
    /// Embedding width C.
    public var dim = 64
    public var heads = 4
    public var encoderLayers = 2
    public var decoderLayers = 2
    /// Feed-forward width = `ffnMultiplier` × C.
    public var ffnMultiplier = 4
    public var activation = Activation.relu
    public var dropout = 0.0

    public init() {}
}

/// An encoder–decoder Transformer (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762) with pre-LayerNorm
/// blocks, one token embedding shared by source and target, and learned positions for each side:
///
///     memory = encoderNorm(encoder blocks(tokenEmbedding(source) + sourcePositions(0..<S)))
///     x = tokenEmbedding(target) + targetPositions(0..<T)
///     x = decoder block(x, memory) for each block            (causal self-attention, then cross-attention)
///     logits = head(decoderNorm(x))
///
/// Trained with teacher forcing: the decoder reads [start, y₀, …, y_{T−2}] and predicts [y₀, …, y_{T−1}]; at test
/// time `greedyDecode` and `sampleDecode` feed back their own predictions.
public struct Seq2SeqTransformer: Module {
    public let configuration: Seq2SeqTransformerConfiguration
    /// (V, C), read by both sides.
    public var tokenEmbedding: Embedding
    /// (sourceLength, C).
    public var sourcePositions: Embedding
    /// (targetLength, C).
    public var targetPositions: Embedding
    public var encoder: [TransformerBlock]
    public var encoderNorm: LayerNorm
    public var decoder: [TransformerDecoderBlock]
    public var decoderNorm: LayerNorm
    /// C → V.
    public var head: Linear
    public var dropout: Dropout

    /// Embeddings, projections and head weights N(0, 0.02²), biases 0 (GPT-2's initialization).
    public init(
        _ configuration: Seq2SeqTransformerConfiguration = .init(), dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        let c = configuration
        precondition(c.dim % c.heads == 0, "Seq2SeqTransformer: dim \(c.dim) not divisible by \(c.heads) heads")
        self.configuration = c
        let gpt2 = Initialization.normal(std: 0.02)
        tokenEmbedding = Embedding(c.vocabularySize, c.dim, weightInit: gpt2, dtype: dtype, using: &rng)
        sourcePositions = Embedding(c.sourceLength, c.dim, weightInit: gpt2, dtype: dtype, using: &rng)
        targetPositions = Embedding(c.targetLength, c.dim, weightInit: gpt2, dtype: dtype, using: &rng)
        encoder = (0..<c.encoderLayers).map { _ in
            TransformerBlock(
                dim: c.dim, heads: c.heads, mlpDim: c.ffnMultiplier * c.dim, activation: c.activation,
                dropout: c.dropout, dtype: dtype, using: &rng)
        }
        encoderNorm = LayerNorm(c.dim, dtype: dtype)
        decoder = (0..<c.decoderLayers).map { _ in
            TransformerDecoderBlock(
                dim: c.dim, heads: c.heads, mlpDim: c.ffnMultiplier * c.dim, activation: c.activation,
                dropout: c.dropout, dtype: dtype, using: &rng)
        }
        decoderNorm = LayerNorm(c.dim, dtype: dtype)
        head = Linear(c.dim, c.vocabularySize, weightInit: gpt2, biasInit: .zeros, dtype: dtype, using: &rng)
        dropout = Dropout(c.dropout)
    }

    /// The encoder's output (B, S, C) for `source`, B rows of S ids in row-major order (S ≤ sourceLength).
    public func encode(_ source: [Int], batch b: Int, _ context: inout ForwardContext) -> Tensor {
        let s = length(of: source, batch: b, limit: configuration.sourceLength, "source")
        var x = dropout(tokenEmbedding(source, shape: [b, s]) + sourcePositions(Array(0..<s)), &context)  // (B, S, C)
        for block in encoder { x = block(x, &context) }
        return encoderNorm(x)
    }

    /// Next-token logits (B, T, V) for the decoder input `target`, B rows of T ids (T ≤ targetLength), attending
    /// to `memory` (B, S, C) from `encode`.
    public func decode(_ target: [Int], memory: Tensor, _ context: inout ForwardContext) -> Tensor {
        let b = memory.shape[0]
        let t = length(of: target, batch: b, limit: configuration.targetLength, "target")
        var x = dropout(tokenEmbedding(target, shape: [b, t]) + targetPositions(Array(0..<t)), &context)  // (B, T, C)
        for block in decoder { x = block(x, memory: memory, &context) }
        return head(decoderNorm(x))  // (B, T, V)
    }

    /// Next-token logits (B, T, V) of the decoder input `target` given `source` (teacher forcing).
    public func callAsFunction(
        source: [Int], target: [Int], batch b: Int, _ context: inout ForwardContext
    ) -> Tensor {
        decode(target, memory: encode(source, batch: b, &context), &context)
    }

    /// The mean cross-entropy of predicting `labels` (B·T ids) from `source` and the decoder input `target`.
    public func loss(
        source: [Int], target: [Int], labels: [Int], batch b: Int, _ context: inout ForwardContext
    ) -> Tensor {
        self(source: source, target: target, batch: b, &context).reshaped([-1, configuration.vocabularySize])
            .crossEntropy(labels: labels)  // (B·T, V) against B·T labels
    }

    /// The `length` tokens most likely one at a time after `start`, for each of the B sources: each step feeds
    /// the tokens so far and appends the argmax of the last position's logits (the first on ties). Returns B rows
    /// of `length` tokens (without the start token), in evaluation mode.
    public func greedyDecode(_ source: [Int], batch b: Int, start: Int, length: Int) -> [[Int]] {
        var unused = RandomGenerator(seed: 0)
        return decodeStepwise(source, batch: b, start: start, length: length, using: &unused) { logits, _ in
            logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) }!
        }
    }

    /// As `greedyDecode`, but each token is drawn from softmax(logits / temperature).
    public func sampleDecode(
        _ source: [Int], batch b: Int, start: Int, length: Int, temperature: Double = 1,
        using rng: inout RandomGenerator
    ) -> [[Int]] {
        precondition(temperature > 0, "sampleDecode: temperature must be positive, got \(temperature)")
        return decodeStepwise(source, batch: b, start: start, length: length, using: &rng) { logits, rng in
            let maximum = logits.max()!
            let weights = logits.map { exp(($0 - maximum) / temperature) }
            var u = rng.nextUniform() * weights.reduce(0, +)
            for (i, w) in weights.enumerated() {
                u -= w
                if u < 0 { return i }
            }
            return weights.count - 1
        }
    }

    /// Runs the decoder `length` times from the start token, choosing each next token with `choose` from the
    /// last position's logits (V values) of one row.
    private func decodeStepwise(
        _ source: [Int], batch b: Int, start: Int, length: Int, using rng: inout RandomGenerator,
        choose: ([Double], inout RandomGenerator) -> Int
    ) -> [[Int]] {
        let vocabulary = configuration.vocabularySize
        precondition(
            (0..<vocabulary).contains(start), "Seq2SeqTransformer: start token \(start) not in 0..<\(vocabulary)")
        precondition(
            length >= 1 && length <= configuration.targetLength,
            "Seq2SeqTransformer: decode length \(length) not in 1...\(configuration.targetLength)")
        var context = ForwardContext.evaluation
        var rows = [[Int]](repeating: [start], count: b)
        noGrad {
            let memory = encode(source, batch: b, &context)
            for step in 0..<length {
                let logits = decode(rows.flatMap { $0 }, memory: memory, &context).scalars  // (B, step + 1, V)
                for i in 0..<b {
                    let last = (i * (step + 1) + step) * vocabulary
                    rows[i].append(choose(Array(logits[last..<last + vocabulary]), &rng))
                }
            }
        }
        return rows.map { Array($0.dropFirst()) }
    }

    /// The length of each of the `b` rows of `tokens`, checked against `limit`.
    private func length(of tokens: [Int], batch b: Int, limit: Int, _ side: String) -> Int {
        precondition(b > 0 && tokens.count % b == 0, "Seq2SeqTransformer: \(tokens.count) \(side) ids for batch \(b)")
        let length = tokens.count / b
        precondition(
            length >= 1 && length <= limit, "Seq2SeqTransformer: \(side) length \(length) not in 1...\(limit)")
        return length
    }

    public var description: String {
        let c = configuration
        return "Seq2SeqTransformer(vocabulary \(c.vocabularySize), source \(c.sourceLength), target "
            + "\(c.targetLength), dim \(c.dim), layers \(c.encoderLayers)+\(c.decoderLayers), heads \(c.heads))"
    }
}
