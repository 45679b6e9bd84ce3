import Testing

@testable import Models

// Models: gradients at tiny sizes (float64 finite differences over every parameter entry), parameter counts
// against closed-form formulas, summaries, hand-set networks and generation.

private func expectGradients(_ parameters: [Tensor], samples: Int? = nil, _ loss: () -> Tensor) {
    let result = checkGradients(parameters: parameters, samples: samples, seed: 3, loss: loss)
    #expect(result.passed, "\(result)")
    #expect(result.checkedCount > 0)
}

@Test func mlpGradients() {
    var rng = RandomGenerator(seed: 1)
    let model = MLP(sizes: [6, 5, 4, 3], activation: .tanh, dropout: 0.3, dtype: .float64, using: &rng)
    let x = Tensor.normal([4, 6], dtype: .float64, using: &rng)
    expectGradients(model.parameters) {
        var context = ForwardContext(training: true, rng: RandomGenerator(seed: 9))
        return model(x, &context).crossEntropy(labels: [0, 2, 1, 2])
    }
}

@Test func cnnGradientsWithBatchNormAndDropout() {
    var rng = RandomGenerator(seed: 2)
    let model = Sequential(
        [
            Conv2d(2, 3, kernel: 3, padding: 1, dtype: .float64, using: &rng), BatchNorm2d(3, dtype: .float64), ReLU(),
            MaxPool2d(2), Dropout(0.25), Flatten(), Linear(12, 5, dtype: .float64, using: &rng),
            BatchNorm1d(5, dtype: .float64), Tanh(), Linear(5, 3, dtype: .float64, using: &rng),
        ], fusion: .all)
    let x = Tensor.normal([3, 2, 4, 4], dtype: .float64, using: &rng)
    expectGradients(model.parameters) {
        var context = ForwardContext(training: true, rng: RandomGenerator(seed: 4))
        return model(x, &context).crossEntropy(labels: [2, 0, 1])
    }
}

@Test func cnnWithAveragePoolingGradientsInEvalMode() {
    var rng = RandomGenerator(seed: 5)
    let model = Sequential([
        Conv2d(1, 2, kernel: 2, stride: 2, dtype: .float64, using: &rng), BatchNorm2d(2, dtype: .float64), Sigmoid(),
        AvgPool2d(2, stride: 1), GlobalAvgPool2d(), Linear(2, 2, dtype: .float64, using: &rng),
    ])
    let x = Tensor.normal([2, 1, 6, 6], dtype: .float64, using: &rng)
    expectGradients(model.parameters) { model(x).crossEntropy(labels: [1, 0]) }
}

@Test func residualBlocksWithIdentityAndProjectionShortcutsGradients() throws {
    var rng = RandomGenerator(seed: 11)
    // A ResNet basic block keeping the shape, then one halving the sides and doubling the channels.
    let same = Residual(
        Sequential([
            Conv2d(2, 2, kernel: 3, padding: 1, dtype: .float64, using: &rng), BatchNorm2d(2, dtype: .float64), ReLU(),
            Conv2d(2, 2, kernel: 3, padding: 1, dtype: .float64, using: &rng),
        ]))
    let downBody = Sequential([Conv2d(2, 4, kernel: 3, stride: 2, padding: 1, dtype: .float64, using: &rng), Tanh()])
    let shortcut = try! Residual.projection(from: [2, 5, 5], to: [4, 3, 3], dtype: .float64, using: &rng)
    let down = Residual(downBody, shortcut: shortcut)
    let model = Sequential([same, ReLU(), down, GlobalAvgPool2d(), Linear(4, 3, dtype: .float64, using: &rng)])
    #expect(try model.outputShapes(for: [2, 5, 5]) == [[2, 5, 5], [2, 5, 5], [4, 3, 3], [4], [3]])
    #expect((shortcut as? Conv2d)?.stride == 2)
    let x = Tensor.normal([3, 2, 5, 5], dtype: .float64, using: &rng)
    expectGradients(model.parameters) {
        var context = ForwardContext(training: true)
        return model(x, &context).crossEntropy(labels: [2, 0, 1])
    }
    // The identity shortcut adds the input itself.
    let y = noGrad { same.body(x) + x }
    #expect(noGrad { same(x) }.scalars == y.scalars)
}

@Test func residualShapesThatNoProjectionMapsAreRefused() throws {
    var rng = RandomGenerator(seed: 0)
    #expect(throws: ShapeError.self) { try Residual.projection(from: [2, 5, 5], to: [4], using: &rng) }
    #expect(throws: ShapeError.self) { try Residual.projection(from: [2, 6, 6], to: [2, 4, 5], using: &rng) }
    #expect(try Residual.projection(from: [3], to: [3], using: &rng) == nil)
    #expect(try Residual.projection(from: [3], to: [5], using: &rng) is Linear)
    let body = Sequential([Conv2d(2, 3, kernel: 1, using: &rng)])
    #expect(throws: ShapeError.self) { try Residual(body).outputShape(for: [2, 4, 4]) }
}

@Test func visionTransformerGradients() {
    var configuration = VisionTransformerConfiguration()
    configuration.imageSize = 4
    configuration.patchSize = 2
    configuration.dim = 4
    configuration.depth = 2
    configuration.heads = 2
    configuration.mlpDim = 6
    configuration.classes = 3
    configuration.dropout = 0.2
    var rng = RandomGenerator(seed: 6)
    let model = VisionTransformer(configuration, dtype: .float64, using: &rng)
    let images = Tensor.normal([2, 1, 4, 4], dtype: .float64, using: &rng)
    expectGradients(model.parameters, samples: 6) {
        var context = ForwardContext(training: true, rng: RandomGenerator(seed: 7))
        return model(images, &context).crossEntropy(labels: [2, 0])
    }
}

@Test func decoderTransformerGradients() {
    var configuration = DecoderTransformerConfiguration()
    configuration.vocabularySize = 5
    configuration.blockSize = 4
    configuration.dim = 4
    configuration.heads = 2
    configuration.layers = 2
    configuration.dropout = 0.1
    var rng = RandomGenerator(seed: 8)
    let model = DecoderTransformer(configuration, dtype: .float64, using: &rng)
    let tokens = [0, 3, 1, 4, 2, 2, 1, 0]
    let targets = [3, 1, 4, 2, 2, 1, 0, 3]
    expectGradients(model.parameters, samples: 6) {
        var context = ForwardContext(training: true, rng: RandomGenerator(seed: 9))
        return model.loss(tokens, targets: targets, batch: 2, &context)
    }
}

@Test func crossAttentionGradientsAndSelfAttentionAsItsSpecialCase() {
    var rng = RandomGenerator(seed: 12)
    let attention = MultiHeadAttention(dim: 4, heads: 2, dtype: .float64, using: &rng)
    let x = Tensor.normal([2, 3, 4], dtype: .float64, using: &rng)
    let memory = Tensor.normal([2, 5, 4], dtype: .float64, using: &rng).requiringGrad()
    let cotangent = Tensor.normal([2, 3, 4], dtype: .float64, using: &rng)
    expectGradients(attention.parameters + [memory]) { (attention(x, memory: memory) * cotangent).sum() }
    // Attending to the sequence itself, without a mask, is self-attention.
    let crossed = noGrad { attention(x, memory: x) }.scalars
    let selfAttended = noGrad { attention(x) }.scalars
    #expect(zip(crossed, selfAttended).allSatisfy { abs($0 - $1) < 1e-12 })
}

@Test func parameterCountsMatchClosedForms() {
    var rng = RandomGenerator(seed: 0)
    // Conv(1→64, 7×7) + MaxPool2 + Linear(7744→10): 64·49 + 64 + 7744·10 + 10.
    let w3a = Sequential([
        Conv2d(1, 64, kernel: 7, using: &rng), ReLU(), MaxPool2d(2), Flatten(), Linear(7744, 10, using: &rng),
    ])
    #expect(w3a.parameterCount == 80_650)
    // … + Conv(64→128, 2×2) + MaxPool2 + Linear(3200→10): 3,200 + 32,896 + 32,010.
    let w3b = Sequential([
        Conv2d(1, 64, kernel: 7, using: &rng), ReLU(), MaxPool2d(2), Conv2d(64, 128, kernel: 2, using: &rng), ReLU(),
        MaxPool2d(2), Flatten(), Linear(3200, 10, using: &rng),
    ])
    #expect(w3b.parameterCount == 68_106)
    #expect(MLP(sizes: [784, 128, 10], using: &rng).parameterCount == 784 * 128 + 128 + 128 * 10 + 10)
    // ViT: patch 49·64 + 64, class 64, positions 17·64, 6 × (2·128 LN + 4·64² + 64·128 + 128 + 128·64 + 64),
    // final LN 128, head 64·10 + 10.
    let block = 2 * 128 + 4 * 64 * 64 + 64 * 128 + 128 + 128 * 64 + 64
    #expect(VisionTransformer(using: &rng).parameterCount == 3200 + 64 + 17 * 64 + 6 * block + 128 + 650)
    // Decoder: tokens 65·64, positions 64·64, 4 × (2·128 + 4·64² + 64·256 + 256 + 256·64 + 64), LN, head 64·65 + 65.
    let decoderBlock = 2 * 128 + 4 * 64 * 64 + 64 * 256 + 256 + 256 * 64 + 64
    #expect(DecoderTransformer(using: &rng).parameterCount == 65 * 64 + 64 * 64 + 4 * decoderBlock + 128 + 64 * 65 + 65)
}

@Test func summaryListsShapesParametersAndFusedChains() throws {
    var rng = RandomGenerator(seed: 0)
    let cnn = Sequential(
        [
            Conv2d(1, 64, kernel: 7, using: &rng), ReLU(), MaxPool2d(2), Flatten(), Linear(7744, 10, using: &rng),
        ], fusion: .all)
    let summary = try ModelSummary(cnn, inputShape: [1, 28, 28])
    #expect(summary.rows.map(\.outputShape) == [[64, 22, 22], [64, 22, 22], [64, 11, 11], [7744], [10]])
    #expect(summary.rows.map(\.parameterCount) == [3200, 0, 0, 0, 77_450])
    #expect(summary.totalParameterCount == 80_650)
    #expect(summary.description.contains("Conv2d(1, 64, 7, stride=1, padding=0)  [fused: Conv2d → ReLU → MaxPool2d]"))
    #expect(!summary.rows[3].layer.contains("fused"))
    #expect(summary.description.contains("80650"))
    #expect(throws: ShapeError.self) { try ModelSummary(cnn, inputShape: [1, 5, 5]) }
}

@Test func summariesOfOtherModelsAndResidualBlocksAddUpToTheirParameterCounts() throws {
    var rng = RandomGenerator(seed: 0)
    let vit = VisionTransformer(using: &rng)
    let summary = try ModelSummary(vit, inputShape: [1, 28, 28])
    #expect(summary.totalParameterCount == vit.parameterCount)
    #expect(summary.outputShape == [10])
    #expect(
        summary.rows.map { String($0.layer.prefix { $0 != " " }) }.prefix(4)
            == ["patchify", "patch", "class_token", "position_embedding"])
    let residual = Sequential([
        Residual(Sequential([Linear(3, 4, using: &rng), ReLU()]), shortcut: Linear(3, 4, bias: false, using: &rng)),
        Linear(4, 2, using: &rng),
    ])
    let rows = try ModelSummary(residual, inputShape: [3])
    #expect(rows.rows.count == 5)  // the block, its two layers, its shortcut, the head
    #expect(rows.totalParameterCount == residual.parameterCount)
}

@Test func namesComeFromTheStructure() {
    var rng = RandomGenerator(seed: 0)
    let model = Sequential([Linear(2, 3, using: &rng), BatchNorm1d(3), ReLU(), Linear(3, 1, bias: false, using: &rng)])
    #expect(model.namedParameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight"])
    #expect(model.namedBuffers.map(\.name) == ["1.running_mean", "1.running_var"])
    #expect(model.namedModules.map(\.name) == ["", "0", "1", "2", "3"])
    let block = TransformerBlock(dim: 4, heads: 2, mlpDim: 8, using: &rng)
    #expect(
        block.namedParameters.map(\.name) == [
            "norm1.weight", "norm1.bias", "attention.query", "attention.key", "attention.value", "attention.output",
            "norm2.weight", "norm2.bias", "mlp.hidden.weight", "mlp.hidden.bias", "mlp.output.weight",
            "mlp.output.bias",
        ])
    #expect(snakeCase("positionEmbedding") == "position_embedding")
    // PyTorch's layout: linear weights (out, in), attention projections as bias-free linear layers.
    let state = Dictionary(uniqueKeysWithValues: block.pytorchStateDict().map { ($0.name, $0.tensor.shape) })
    #expect(state["mlp.hidden.weight"] == [8, 4])
    #expect(state["attention.query.weight"] == [4, 4])
    #expect(state.count == 12)
}

@Test func handSetXORNetworkWithTwoHiddenUnits() {
    // h₁ = relu(x₁ + x₂), h₂ = relu(x₁ + x₂ − 1), y = h₁ − 2·h₂.
    let xor = MLP(
        [
            Linear(weight: Tensor([[1, 1], [1, 1]]), bias: Tensor([0, -1] as [Double])),
            Linear(weight: Tensor([[1], [-2]]), bias: Tensor([0] as [Double])),
        ], activation: .relu)
    #expect(xor.hiddenUnitCount == 2)
    #expect(xor(Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])).scalars == [0, 1, 1, 0])
    // OR needs no hidden unit: y = x₁ + x₂ − 0.5 > 0.
    let or = MLP([Linear(weight: Tensor([[1], [1]]), bias: Tensor([-0.5] as [Double]))], activation: .linear)
    #expect(or(Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])).scalars.map { $0 > 0 } == [false, true, true, true])
}

@Test func visionTransformerReturnsAttentionOfTheRequestedLayer() {
    var configuration = VisionTransformerConfiguration()
    configuration.depth = 2
    var rng = RandomGenerator(seed: 0)
    let vit = VisionTransformer(configuration, using: &rng)
    let images = Tensor.uniform([2, 1, 28, 28], using: &rng)
    #expect(noGrad { vit(images) }.shape == [2, 10])
    let attention = noGrad { vit.attentionWeights(images, layer: -1) }
    #expect(attention.shape == [2, 8, 17, 17])
    let rowSums = attention.sum(axis: -1).scalars
    #expect(rowSums.allSatisfy { Swift.abs($0 - 1) < 1e-5 })
    #expect(noGrad { vit.attentionWeights(images, layer: 0) }.scalars != attention.scalars)
}

@Test func generationIsSeededAndStaysInTheVocabulary() {
    var configuration = DecoderTransformerConfiguration()
    configuration.vocabularySize = 7
    configuration.blockSize = 8
    configuration.dim = 8
    configuration.heads = 2
    configuration.layers = 1
    var rng = RandomGenerator(seed: 0)
    let model = DecoderTransformer(configuration, using: &rng)
    var a = RandomGenerator(seed: 42)
    var b = RandomGenerator(seed: 42)
    let first = model.generate(prompt: [1, 2], count: 20, temperature: 0.8, topK: 3, using: &a)
    let second = model.generate(prompt: [1, 2], count: 20, temperature: 0.8, topK: 3, using: &b)
    #expect(first == second)
    #expect(first.count == 22 && Array(first.prefix(2)) == [1, 2])
    #expect(first.allSatisfy { (0..<7).contains($0) })
}

@Test func causalModelIgnoresTheFuture() {
    var configuration = DecoderTransformerConfiguration()
    configuration.vocabularySize = 6
    configuration.blockSize = 5
    configuration.dim = 8
    configuration.heads = 2
    configuration.layers = 2
    var rng = RandomGenerator(seed: 1)
    let model = DecoderTransformer(configuration, using: &rng)
    var context = ForwardContext.evaluation
    let a = noGrad { model([1, 2, 3, 4, 5], batch: 1, &context) }
    let b = noGrad { model([1, 2, 3, 0, 0], batch: 1, &context) }
    // Positions 0…2 see the same prefix, so their logits agree exactly.
    #expect(Array(a.scalars.prefix(18)) == Array(b.scalars.prefix(18)))
    #expect(Array(a.scalars.suffix(6)) != Array(b.scalars.suffix(6)))
    // The ids may come as a tensor too.
    #expect(noGrad { model(Tensor([[1, 2, 3, 4, 5]] as [[Double]])) }.scalars == a.scalars)
}

/// The rectified-pooling fusion gives the outputs and gradients of the layers run one by one, including windows
/// whose maximum is negative or tied: ReLU → MaxPool2d, MaxPool2d → ReLU, and Conv2d → ReLU → MaxPool2d.
@Test(arguments: [0, 1, 2])
func fusedChainsGiveTheResultsOfTheirLayers(_ variant: Int) {
    var rng = RandomGenerator(seed: 4)
    // 11 × 11 images: a 12 × 12 convolution output, pooled to 6 × 6 (rows of four windows and an overlapping rest).
    let conv = Conv2d(1, 2, kernel: 2, padding: 1, dtype: .float64, using: &rng)
    let pair: [any Layer] = variant == 1 ? [MaxPool2d(2), ReLU()] : [ReLU(), MaxPool2d(2)]
    let layers: [any Layer] = [conv] + pair + [Flatten()]
    let fused = Sequential(layers, fusion: .all)
    let plain = Sequential(layers)
    #expect(fused.fusion.match(layers, at: 0)?.count == (variant == 1 ? nil : 3))
    #expect(fused.fusion.match(layers, at: 1)?.count == 2)
    let x = Tensor.normal([2, 1, 11, 11], dtype: .float64, using: &rng)
    let weights = Tensor.normal([2, 72], dtype: .float64, using: &rng)
    func gradients(_ model: Sequential, from start: Int) -> (output: [Double], grads: [[Double]]) {
        model.parameters.forEach { $0.zeroGrad() }
        var context = ForwardContext(training: true)
        // Variant 2 starts at the pair, the convolution's output computed alone.
        let input = start == 0 ? x : conv(x)
        let y = Sequential(Array(model.layers[start...]), fusion: model.fusion)(input, &context)
        (y * weights).sum().backward()
        return (y.scalars, model.parameters.map { $0.grad!.scalars })
    }
    let start = variant == 2 ? 1 : 0
    let a = gradients(fused, from: start)
    let b = gradients(plain, from: start)
    #expect(a.output == b.output)
    #expect(a.grads == b.grads)
    #expect(a.output.contains(0))  // some windows have a negative maximum
}

/// The README's module example, verbatim, so it keeps compiling and working.
@Test func readmeModuleExampleTrainsOneStep() throws {
    var rng = RandomGenerator(seed: 0)
    let cnn = Sequential([
        Conv2d(1, 16, kernel: 3, padding: 1, using: &rng), BatchNorm2d(16), ReLU(), MaxPool2d(2),  // (16, 14, 14)
        Flatten(), Dropout(0.25), Linear(16 * 14 * 14, 10, using: &rng),
    ])
    let adam = Adam(cnn.parameters, learningRate: 1e-3)
    var context = ForwardContext(training: true, rng: rng)  // mode and dropout's generator
    let images = Tensor.normal([32, 1, 28, 28], using: &rng)
    let loss = cnn(images, &context).crossEntropy(labels: (0..<32).map { $0 % 10 })
    loss.backward()
    adam.step()
    let summary = try ModelSummary(cnn, inputShape: [1, 28, 28])  // layers, output shapes, parameters
    #expect(summary.totalParameterCount == 160 + 32 + 31_370 && summary.outputShape == [10])
    #expect(cnn.namedParameters.first?.name == "0.weight")
}
