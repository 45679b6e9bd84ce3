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
