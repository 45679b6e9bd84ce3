import Testing

@testable import Models

// The encoder–decoder Transformer and the digit-string tasks it learns: gradients, causality, parameter counts
// against PyTorch's nn.Transformer, decoding.

/// A tiny float64 model: V 5, S 3, T 3, C 4, 2 heads, one encoder and one decoder block.
private func tinyModel(seed: UInt64 = 1, dropout: Double = 0) -> Seq2SeqTransformer {
    var c = Seq2SeqTransformerConfiguration()
    (c.vocabularySize, c.sourceLength, c.targetLength, c.dim, c.heads) = (5, 3, 3, 4, 2)
    (c.encoderLayers, c.decoderLayers, c.ffnMultiplier, c.dropout) = (1, 1, 2, dropout)
    var rng = RandomGenerator(seed: seed)
    return Seq2SeqTransformer(c, dtype: .float64, using: &rng)
}

@Test func seq2seqGradients() {
    let model = tinyModel(dropout: 0.2)
    let result = checkGradients(parameters: model.parameters, seed: 3) {
        var context = ForwardContext(training: true, rng: RandomGenerator(seed: 7))
        return model.loss(
            source: [0, 1, 2, 3, 3, 1], target: [4, 2, 1, 4, 0, 0], labels: [2, 1, 0, 1, 3, 3], batch: 2, &context)
    }
    #expect(result.passed, "\(result)")
    #expect(result.checkedCount == model.parameterCount)
}

@Test func theDecoderSeesTheWholeSourceButNoFutureTarget() {
    let model = tinyModel()
    var context = ForwardContext.evaluation
    let logits = noGrad { model(source: [0, 1, 2], target: [4, 1, 2], batch: 1, &context) }.scalars
    // Another last target token changes no earlier position's logits.
    let changedTarget = noGrad { model(source: [0, 1, 2], target: [4, 1, 3], batch: 1, &context) }.scalars
    #expect(Array(logits[0..<10]) == Array(changedTarget[0..<10]))
    #expect(Array(logits[10..<15]) != Array(changedTarget[10..<15]))
    // Another last source token changes the first position's logits: cross-attention is not masked.
    let changedSource = noGrad { model(source: [0, 1, 3], target: [4, 1, 2], batch: 1, &context) }.scalars
    #expect(Array(logits[0..<5]) != Array(changedSource[0..<5]))
}

@Test func seq2seqParameterCountIsNNTransformersWithoutAttentionBiasesPlusEmbeddingsAndHead() {
    var rng = RandomGenerator(seed: 0)
    let model = Seq2SeqTransformer(using: &rng)  // V 12, S 16, T 16, C 64, 4 heads, 2 + 2 layers, FF 256
    // sum(p.numel() for p in nn.Transformer(d_model=64, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
    // dim_feedforward=256).parameters()) = 233,728, of which 1,536 are the six attentions' in- and out-projection
    // biases (4·64 each), which these attentions do not have; plus the token table 12·64, the positions 2·16·64 and
    // the head 64·12 + 12.
    #expect(model.parameterCount == 233_728 - 1_536 + 12 * 64 + 2 * 16 * 64 + 64 * 12 + 12)
    // By block: an encoder block 2 LayerNorms + 4C² + FF, a decoder block 3 LayerNorms + 8C² + FF.
    let c = 64
    let feedForward = c * 4 * c + 4 * c + 4 * c * c + c
    let blocks = 2 * (4 * c + 4 * c * c + feedForward) + 2 * (6 * c + 8 * c * c + feedForward)
    #expect(model.parameterCount == blocks + 2 * 2 * c + 12 * c + 32 * c + c * 12 + 12)
}

@Test func namesFollowTheStructure() {
    let names = tinyModel().namedParameters.map(\.name)
    for name in [
        "token_embedding.weight", "source_positions.weight", "encoder.0.attention.query", "encoder_norm.weight",
        "decoder.0.self_attention.query", "decoder.0.cross_attention.value", "decoder.0.norm3.bias",
        "decoder.0.mlp.hidden.weight", "head.bias",
    ] {
        #expect(names.contains(name), "\(name)")
    }
}

@Test func sequenceTasksAndTheirTeacherForcedBatches() {
    #expect(SequenceTaskKind.reverse.target(of: [3, 1, 4]) == [4, 1, 3])
    #expect(SequenceTaskKind.sort.target(of: [3, 1, 4]) == [1, 3, 4])
    let pairs = SequencePairs(kind: .reverse, sources: [[3, 1, 4], [0, 2, 2]], digits: 5)
    #expect(pairs.startToken == 5 && pairs.vocabularySize == 6 && pairs.length == 3)
    let batch = pairs.batch([1, 0])
    #expect(batch.source == [0, 2, 2, 3, 1, 4])
    #expect(batch.target == [5, 2, 2, 5, 4, 1])
    #expect(batch.labels == [2, 2, 0, 4, 1, 3])
    let generated = SequencePairs.generate(.sort, count: 50, length: 6, digits: 4, seed: 9)
    #expect(generated.sources == SequencePairs.generate(.sort, count: 50, length: 6, digits: 4, seed: 9).sources)
    #expect(generated.sources.joined().allSatisfy { (0..<4).contains($0) })
    #expect(zip(generated.sources, generated.targets).allSatisfy { $0.sorted() == $1 })
}

@Test func aSmallModelLearnsToReverseAndDecodesGreedily() {
    // Eight strings memorized by a small model; greedy decoding then feeds back its own tokens.
    let pairs = SequencePairs.generate(.reverse, count: 8, length: 4, digits: 4, seed: 2)
    var c = Seq2SeqTransformerConfiguration()
    (c.vocabularySize, c.sourceLength, c.targetLength, c.dim, c.heads) = (5, 4, 4, 32, 4)
    (c.encoderLayers, c.decoderLayers) = (1, 1)
    var rng = RandomGenerator(seed: 3)
    let model = Seq2SeqTransformer(c, using: &rng)
    let adam = Adam(model.parameters, learningRate: 0.01)
    let batch = pairs.batch(Array(0..<8))
    var losses: [Double] = []
    for _ in 0..<150 {
        var context = ForwardContext(training: true)
        let loss = model.loss(source: batch.source, target: batch.target, labels: batch.labels, batch: 8, &context)
        losses.append(loss.item())
        adam.zeroGrad()
        loss.backward()
        adam.step()
    }
    #expect(losses.last! < 0.05, "\(losses)")
    let decoded = model.greedyDecode(batch.source, batch: 8, start: pairs.startToken, length: 4)
    #expect(decoded == pairs.targets)
    // Sampling at a low temperature agrees with the greedy choice; the same seed draws the same strings.
    var rng1 = RandomGenerator(seed: 5)
    let cold = model.sampleDecode(
        batch.source, batch: 8, start: pairs.startToken, length: 4, temperature: 0.01, using: &rng1)
    #expect(cold == decoded)
    var (rng2, rng3) = (RandomGenerator(seed: 6), RandomGenerator(seed: 6))
    let warm = model.sampleDecode(batch.source, batch: 8, start: pairs.startToken, length: 4, using: &rng2)
    #expect(warm == model.sampleDecode(batch.source, batch: 8, start: pairs.startToken, length: 4, using: &rng3))
}
