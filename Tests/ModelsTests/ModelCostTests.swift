import Testing

@testable import Models

// Multiply-adds and receptive fields from shapes: hand-computed values, PyTorch's counts for torchvision's ResNets,
// and receptive fields checked against the input pixels a gradient reaches.

@Test func multiplyAddsOfLayersByHand() {
    var rng = RandomGenerator(seed: 0)
    // 16 · 15 · 15 outputs, each a sum over 3 · 5 · 5 products.
    #expect(Conv2d(3, 16, kernel: 5, stride: 2, padding: 1, using: &rng).multiplyAdds(for: [3, 32, 32]) == 270_000)
    // Groups: each of 16 · 8 · 8 outputs sums 8 / 4 · 3 · 3 products.
    let grouped = Conv2d(8, 16, kernel: 3, stride: 2, padding: 1, dilation: 3, groups: 4, using: &rng)
    #expect(grouped.multiplyAdds(for: [8, 20, 20]) == 16 * 8 * 8 * 2 * 9)
    #expect(Conv1d(2, 4, kernel: 3, using: &rng).multiplyAdds(for: [2, 10]) == 4 * 8 * 2 * 3)
    // Each of 2 · 3 · 3 inputs scatters 5 · 2 · 2 products.
    #expect(ConvTranspose2d(2, 5, kernel: 2, stride: 2, using: &rng).multiplyAdds(for: [2, 3, 3]) == 18 * 20)
    #expect(Linear(7, 3, using: &rng).multiplyAdds(for: [5, 7]) == 5 * 21)
    // Self-attention over T = 6 of C = 8: 4 · 6 · 64 projections + 2 · 36 · 8 scores and mixing.
    #expect(MultiHeadAttention(dim: 8, heads: 2, using: &rng).multiplyAdds(for: [6, 8]) == 4 * 6 * 64 + 2 * 36 * 8)
    #expect(multiplyAdds(of: ReLU(), for: [3]) == 0)
    let model = Sequential([
        Conv2d(1, 2, kernel: 3, using: &rng), BatchNorm2d(2), ReLU(), Flatten(), Linear(2 * 4 * 4, 3, using: &rng),
    ])
    #expect(model.multiplyAdds(for: [1, 6, 6]) == 2 * 16 * 9 + 32 * 3)
}

@Test func resNetMultiplyAddsAreThoseOfTorchvisionsConvolutionsAndLinearLayer() {
    var rng = RandomGenerator(seed: 0)
    // Forward hooks on every nn.Conv2d and nn.Linear of torchvision's resnet18() and resnet50() summing
    // out.numel() · in/groups · kh · kw and in · out, for one 3×224×224 image (torch 2.15, torchvision 0.29).
    #expect(ResNet(ResNetConfiguration(depth: 18), using: &rng).multiplyAdds(for: [3, 224, 224]) == 1_814_073_344)
    #expect(ResNet(ResNetConfiguration(depth: 50), using: &rng).multiplyAdds(for: [3, 224, 224]) == 4_089_184_256)
}

@Test func transformerMultiplyAddsByHand() {
    var rng = RandomGenerator(seed: 0)
    // ViT: 16 patches of 49 → 64, six blocks over 17 tokens (attention 4·17·64² + 2·17²·64, MLP 2·17·64·128),
    // the head 64 · 10.
    let block = 4 * 17 * 64 * 64 + 2 * 17 * 17 * 64 + 2 * 17 * 64 * 128
    #expect(VisionTransformer(using: &rng).multiplyAdds(for: [1, 28, 28]) == 16 * 49 * 64 + 6 * block + 640)
    // Encoder–decoder, S = T = 8, C = 64, FF 256: encoder blocks 4·8·C² + 2·64·C + 2·8·C·256; decoder blocks
    // the same plus cross-attention 2·8·C² + 2·8·C² + 2·64·C; the head 8 · 64 · 11.
    var c = Seq2SeqTransformerConfiguration()
    (c.vocabularySize, c.sourceLength, c.targetLength) = (11, 8, 8)
    let encoderBlock = 4 * 8 * 4096 + 2 * 64 * 64 + 2 * 8 * 64 * 256
    let decoderBlock = encoderBlock + 4 * 8 * 4096 + 2 * 64 * 64
    #expect(
        Seq2SeqTransformer(c, using: &rng).multiplyAdds(sourceLength: 8, targetLength: 8)
            == 2 * encoderBlock + 2 * decoderBlock + 8 * 64 * 11)
}

@Test func receptiveFieldsComposeKernelsStridesAndDilations() {
    let field = ReceptiveField.identity
        .through(kernel: 3, stride: 1)  // 3, jump 1
        .through(kernel: 2, stride: 2)  // 4, jump 2
        .through(kernel: 3, stride: 1, dilation: 2)  // 4 + 2·2·2 = 12
    #expect(field.height == 12 && field.width == 12 && field.jumpHeight == 2 && field.description == "12×12")
    var rng = RandomGenerator(seed: 0)
    // torchvision's ResNet-18: the stem's 7×7 and max pooling, then each 3×3 at its stage's jump: 435.
    let resnet = ResNet(ResNetConfiguration(depth: 18, classes: 2), using: &rng)
    #expect(resnet.receptiveFieldBeforePooling()?.height == 435)
    #expect(resnet.receptiveFieldBeforePooling()?.jumpWidth == 32)
    // Its summary has a row per link, named as torchvision's modules, whose fields and MACs add up.
    let summary = try! ModelSummary(resnet, inputShape: [3, 224, 224])
    let blocks: [String] = (1...4).flatMap { stage in ["layer\(stage).0", "layer\(stage).1"] }
    let names: [String] = summary.rows.map { String($0.layer.prefix { $0 != " " }) }
    #expect(names == ["conv1", "bn1", "relu", "maxpool"] + blocks + ["avgpool", "fc"])
    #expect(summary.rows.map(\.outputShape).first == [64, 112, 112] && summary.rows[3].outputShape == [64, 56, 56])
    #expect(summary.rows[11].outputShape == [512, 7, 7] && summary.rows[11].receptiveField?.height == 435)
    #expect(summary.rows.compactMap(\.multiplyAdds).reduce(0, +) == summary.totalMultiplyAdds)
    #expect(summary.rows.last?.receptiveField?.isWholeInput == true)
}

@Test func aSummarysReceptiveFieldIsWhereTheGradientOfOneOutputReaches() throws {
    var rng = RandomGenerator(seed: 1)
    let ones = Initialization.constant(1)
    // All-ones weights and input and average pooling (max pooling would send its gradient to one tap): nothing
    // cancels or is dropped, so the input pixels with a nonzero gradient are the receptive field.
    let model = Sequential([
        Conv2d(1, 1, kernel: 3, bias: false, weightInit: ones, dtype: .float64, using: &rng), ReLU(),
        AvgPool2d(2), Conv2d(1, 1, kernel: 3, dilation: 2, bias: false, weightInit: ones, dtype: .float64, using: &rng),
        AvgPool2d(2),
    ])
    let summary = try ModelSummary(model, inputShape: [1, 32, 32])
    let field = try #require(summary.rows.last?.receptiveField)
    #expect(summary.rows.map { $0.receptiveField?.height } == [3, 3, 4, 12, 14])
    let x = Tensor.ones([1, 1, 32, 32], dtype: .float64).requiringGrad()
    let y = model(x)  // (1, 1, 5, 5)
    let mask = Tensor.generate(y.shape, dtype: .float64) { $0 == 12 ? 1 : 0 }  // the centre output
    (y * mask).sum().backward()
    let reached = x.grad!.scalars.enumerated().filter { $0.element != 0 }.map(\.offset)
    let rows = Set(reached.map { $0 / 32 })
    let columns = Set(reached.map { $0 % 32 })
    #expect(rows.max()! - rows.min()! + 1 == field.height)
    #expect(columns.max()! - columns.min()! + 1 == field.width)
}

@Test func summariesShowMultiplyAddsAndReceptiveFields() throws {
    var rng = RandomGenerator(seed: 0)
    let cnn = Sequential([
        Conv2d(1, 4, kernel: 3, padding: 1, using: &rng), ReLU(), MaxPool2d(2), Flatten(), Linear(196, 10, using: &rng),
    ])
    let summary = try ModelSummary(cnn, inputShape: [1, 14, 14])
    #expect(summary.rows.map(\.multiplyAdds) == [4 * 196 * 9, 0, 0, 0, 1960])
    #expect(summary.totalMultiplyAdds == 4 * 196 * 9 + 1960)
    #expect(summary.rows.map { $0.receptiveField?.description } == ["3×3", "3×3", "4×4", "all", "all"])
    #expect(summary.description.contains("MACs") && summary.description.contains("RF"))
    // A table's features have no positions: no receptive-field column.
    let mlp = try ModelSummary(Sequential([Linear(4, 2, using: &rng)]), inputShape: [4])
    #expect(mlp.rows[0].receptiveField == nil && !mlp.description.contains("RF"))
}

/// The first word of each row's name, with its indent: "blocks.0", "  norm1".
private func rowNames(_ summary: ModelSummary) -> [String] {
    summary.rows.map { row in
        let indent = row.layer.prefix { $0 == " " }
        return String(indent + row.layer.dropFirst(indent.count).prefix { $0 != " " })
    }
}

/// Checks that the top rows add up to the model's parameters and multiply-adds, and that each block's indented rows
/// add up to the block's.
private func expectRowsAddUp(
    _ summary: ModelSummary, parameters: Int, sourceLocation: SourceLocation = #_sourceLocation
) {
    let top = summary.rows.filter { !$0.layer.hasPrefix(" ") }
    #expect(summary.totalParameterCount == parameters, sourceLocation: sourceLocation)
    #expect(top.compactMap(\.multiplyAdds).reduce(0, +) == summary.totalMultiplyAdds, sourceLocation: sourceLocation)
    #expect(summary.rows.allSatisfy { $0.outputShape != nil && $0.multiplyAdds != nil }, sourceLocation: sourceLocation)
    var i = 0
    while i < summary.rows.count {
        let block = summary.rows[i]
        let parts = summary.rows[(i + 1)...].prefix { $0.layer.hasPrefix(" ") }
        if !parts.isEmpty {
            #expect(parts.map(\.parameterCount).reduce(0, +) == block.parameterCount, sourceLocation: sourceLocation)
            #expect(parts.compactMap(\.multiplyAdds).reduce(0, +) == block.multiplyAdds, sourceLocation: sourceLocation)
        }
        i += 1 + parts.count
    }
}

@Test func transformerSummariesHaveShapesAndMultiplyAddsPerRow() throws {
    var rng = RandomGenerator(seed: 0)
    // Decoder, T = 8 of a block of 10, C = 16, 2 heads, FF 64, vocabulary 5: attention 4·8·16² + 2·8²·16, MLP
    // 2·8·16·64, head 8·16·5.
    var d = DecoderTransformerConfiguration()
    (d.vocabularySize, d.blockSize, d.dim, d.heads, d.layers) = (5, 10, 16, 2, 2)
    let decoder = DecoderTransformer(d, using: &rng)
    let summary = try ModelSummary(decoder, inputShape: [8])
    let block = ["  norm1", "  attention", "  norm2", "  mlp"]
    #expect(
        rowNames(summary)
            == ["token_embedding", "position_embedding", "blocks.0"] + block + ["blocks.1"] + block + ["norm", "head"])
    #expect(summary.rows[3].outputShape == [8, 16] && summary.rows.last?.outputShape == [8, 5])
    #expect(
        summary.rows[4].multiplyAdds == 4 * 8 * 256 + 2 * 64 * 16 && summary.rows[6].multiplyAdds == 2 * 8 * 16 * 64)
    #expect(summary.rows.last?.multiplyAdds == 8 * 16 * 5)
    expectRowsAddUp(summary, parameters: decoder.parameterCount)
    #expect(throws: ShapeError.self) { try ModelSummary(decoder, inputShape: [11]) }

    // ViT: 16 patches of 7×7 → 17 tokens; a token sees its patch until the first attention.
    let vit = VisionTransformer(using: &rng)
    let vitSummary = try ModelSummary(vit, inputShape: [1, 28, 28])
    #expect(
        rowNames(vitSummary).prefix(6) == [
            "patchify", "patch", "class_token", "position_embedding", "blocks.0", "  norm1",
        ])
    #expect(vitSummary.rows[0].outputShape == [16, 49] && vitSummary.rows[2].outputShape == [17, 64])
    #expect(
        vitSummary.rows[1].receptiveField?.description == "7×7"
            && vitSummary.rows[5].receptiveField?.description == "7×7")
    #expect(vitSummary.rows[6].receptiveField?.isWholeInput == true)
    #expect(vitSummary.rows.last?.outputShape == [10] && vitSummary.rows.last?.multiplyAdds == 640)
    expectRowsAddUp(vitSummary, parameters: vit.parameterCount)

    // Encoder–decoder, S = 6, T = 4 of at most 8: the decoder's cross-attention reads 6 positions.
    var c = Seq2SeqTransformerConfiguration()
    (c.vocabularySize, c.sourceLength, c.targetLength, c.dim, c.heads) = (7, 8, 8, 16, 2)
    (c.encoderLayers, c.decoderLayers) = (1, 1)
    let seq2seq = Seq2SeqTransformer(c, using: &rng)
    let pair = try ModelSummary(seq2seq, sourceLength: 6, targetLength: 4)
    #expect(
        rowNames(pair) == [
            "token_embedding", "source_positions", "encoder.0", "  norm1", "  attention", "  norm2", "  mlp",
            "encoder_norm", "target_positions", "decoder.0", "  norm1", "  self_attention", "  norm2",
            "  cross_attention", "  norm3", "  mlp", "decoder_norm", "head",
        ])
    #expect(pair.rows[2].outputShape == [6, 16] && pair.rows[9].outputShape == [4, 16] && pair.outputShape == [4, 7])
    // Cross-attention: queries 4·16², keys and values 2·6·16², output 4·16², scores and mixing 2·4·6·16.
    #expect(pair.rows[13].multiplyAdds == 2 * 4 * 256 + 2 * 6 * 256 + 2 * 4 * 6 * 16)
    #expect(pair.totalMultiplyAdds == seq2seq.multiplyAdds(sourceLength: 6, targetLength: 4))
    expectRowsAddUp(pair, parameters: seq2seq.parameterCount)
    #expect(throws: ShapeError.self) { try ModelSummary(seq2seq, sourceLength: 9, targetLength: 4) }
    #expect(throws: ShapeError.self) { try ModelSummary(seq2seq, sourceLength: 6, targetLength: 0) }
}
