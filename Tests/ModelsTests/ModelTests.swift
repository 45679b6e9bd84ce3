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
        var dropoutRNG = RandomGenerator(seed: 9)
        return model.forward(x, training: true, using: &dropoutRNG).crossEntropy(labels: [0, 2, 1, 2])
    }
}

@Test func cnnGradientsWithBatchNormAndDropout() {
    var rng = RandomGenerator(seed: 2)
    let model = Sequential([
        .conv2d(inChannels: 2, outChannels: 3, kernel: 3, padding: 1), .batchNorm2d(channels: 3), .relu,
        .maxPool2d(kernel: 2), .dropout(0.25), .flatten, .linear(inFeatures: 12, outFeatures: 5),
        .batchNorm1d(features: 5), .tanh, .linear(inFeatures: 5, outFeatures: 3),
    ], dtype: .float64, using: &rng)
    let x = Tensor.normal([3, 2, 4, 4], dtype: .float64, using: &rng)
    expectGradients(model.parameters) {
        var dropoutRNG = RandomGenerator(seed: 4)
        return model.forward(x, training: true, using: &dropoutRNG).crossEntropy(labels: [2, 0, 1])
    }
}

@Test func cnnWithAveragePoolingGradientsInEvalMode() {
    var rng = RandomGenerator(seed: 5)
    let model = Sequential([
        .conv2d(inChannels: 1, outChannels: 2, kernel: 2, stride: 2), .batchNorm2d(channels: 2), .sigmoid,
        .avgPool2d(kernel: 2, stride: 1), .globalAvgPool, .linear(inFeatures: 2, outFeatures: 2),
    ], dtype: .float64, using: &rng)
    let x = Tensor.normal([2, 1, 6, 6], dtype: .float64, using: &rng)
    expectGradients(model.parameters) { model(x).crossEntropy(labels: [1, 0]) }
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
        var dropoutRNG = RandomGenerator(seed: 7)
        return model.forward(images, training: true, using: &dropoutRNG).logits.crossEntropy(labels: [2, 0])
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
    let tokens = [0, 3, 1, 4, 2, 2, 1, 0], targets = [3, 1, 4, 2, 2, 1, 0, 3]
    expectGradients(model.parameters, samples: 6) {
        var dropoutRNG = RandomGenerator(seed: 9)
        return model.loss(tokens, targets: targets, batch: 2, training: true, using: &dropoutRNG)
    }
}

@Test func parameterCountsMatchClosedForms() {
    var rng = RandomGenerator(seed: 0)
    // Conv(1→64, 7×7) + MaxPool2 + Linear(7744→10): 64·49 + 64 + 7744·10 + 10.
    let w3a = Sequential([
        .conv2d(inChannels: 1, outChannels: 64, kernel: 7), .relu, .maxPool2d(kernel: 2), .flatten,
        .linear(inFeatures: 7744, outFeatures: 10),
    ], using: &rng)
    #expect(w3a.parameterCount == 80_650)
    // … + Conv(64→128, 2×2) + MaxPool2 + Linear(3200→10): 3,200 + 32,896 + 32,010.
    let w3b = Sequential([
        .conv2d(inChannels: 1, outChannels: 64, kernel: 7), .relu, .maxPool2d(kernel: 2),
        .conv2d(inChannels: 64, outChannels: 128, kernel: 2), .relu, .maxPool2d(kernel: 2), .flatten,
        .linear(inFeatures: 3200, outFeatures: 10),
    ], using: &rng)
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

@Test func summaryListsShapesAndParameters() {
    var rng = RandomGenerator(seed: 0)
    let cnn = Sequential([
        .conv2d(inChannels: 1, outChannels: 64, kernel: 7), .relu, .maxPool2d(kernel: 2), .flatten,
        .linear(inFeatures: 7744, outFeatures: 10),
    ], using: &rng)
    let summary = cnn.summary(inputShape: [1, 28, 28])
    #expect(summary.rows.map(\.outputShape) == [[64, 22, 22], [64, 22, 22], [64, 11, 11], [7744], [10]])
    #expect(summary.rows.map(\.parameterCount) == [3200, 0, 0, 0, 77_450])
    #expect(summary.totalParameterCount == 80_650)
    #expect(summary.description.contains("Conv2d(1, 64, 7, stride=1, padding=0)"))
    #expect(summary.description.contains("80650"))
}

@Test func namedParametersFollowPyTorchSequentialNaming() {
    var rng = RandomGenerator(seed: 0)
    let model = Sequential([.linear(inFeatures: 2, outFeatures: 3), .batchNorm1d(features: 3), .relu], using: &rng)
    #expect(model.namedParameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
    #expect(model.namedBuffers.map(\.name) == ["1.running_mean", "1.running_var"])
}

@Test func handSetXORNetworkWithTwoHiddenUnits() {
    // h₁ = relu(x₁ + x₂), h₂ = relu(x₁ + x₂ − 1), y = h₁ − 2·h₂.
    let xor = MLP(
        weights: [Tensor([[1, 1], [1, 1]]), Tensor([[1], [-2]])],
        biases: [Tensor([0, -1] as [Double]), Tensor([0] as [Double])],
        activation: .relu)
    #expect(xor.hiddenUnitCount == 2)
    #expect(xor(Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])).scalars == [0, 1, 1, 0])
    // OR needs no hidden unit: y = x₁ + x₂ − 0.5 > 0.
    let or = MLP(weights: [Tensor([[1], [1]])], biases: [Tensor([-0.5] as [Double])], activation: .linear)
    #expect(or(Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])).scalars.map { $0 > 0 } == [false, true, true, true])
}

@Test func visionTransformerReturnsAttentionOfTheRequestedLayer() {
    var configuration = VisionTransformerConfiguration()
    configuration.depth = 2
    var rng = RandomGenerator(seed: 0)
    let vit = VisionTransformer(configuration, using: &rng)
    let images = Tensor.uniform([2, 1, 28, 28], using: &rng)
    let out = noGrad { vit.forward(images, training: false, using: &rng, attentionLayer: -1) }
    #expect(out.logits.shape == [2, 10])
    #expect(out.attention?.shape == [2, 8, 17, 17])
    let rowSums = out.attention!.sum(axis: -1).scalars
    #expect(rowSums.allSatisfy { Swift.abs($0 - 1) < 1e-5 })
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
    var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
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
    let a = noGrad { model.forward([1, 2, 3, 4, 5], batch: 1, training: false, using: &rng).logits }
    let b = noGrad { model.forward([1, 2, 3, 0, 0], batch: 1, training: false, using: &rng).logits }
    // Positions 0…2 see the same prefix, so their logits agree exactly.
    #expect(Array(a.scalars.prefix(18)) == Array(b.scalars.prefix(18)))
    #expect(Array(a.scalars.suffix(6)) != Array(b.scalars.suffix(6)))
}

@Test func summariesOfTheOtherModelsAddUpToTheirParameterCounts() {
    var rng = RandomGenerator(seed: 0)
    let mlp = MLP(sizes: [784, 128, 10], using: &rng)
    #expect(mlp.summary().rows.map(\.parameterCount) == [100_480, 1290])
    #expect(mlp.summary().rows.map(\.outputShape) == [[128], [10]])
    let vit = VisionTransformer(using: &rng)
    #expect(vit.summary().totalParameterCount == vit.parameterCount)
    #expect(vit.summary().rows[1].outputShape == [17, 64])
    #expect(vit.summary().rows.count == 2 + 6 + 2)
    let gpt = DecoderTransformer(using: &rng)
    #expect(gpt.summary().totalParameterCount == gpt.parameterCount)
    #expect(gpt.summary().rows.last?.outputShape == [64, 65])
}

/// `forward` pools before the ReLU of a ReLU–max-pool pair; outputs and gradients equal those of the layers applied
/// one by one in their listed order, including windows whose maximum is negative or tied.
@Test(arguments: [[Layer.relu, .maxPool2d(kernel: 2)], [.maxPool2d(kernel: 2), .relu]])
func reluAndMaxPoolRunAsOneRectifiedPoolWithTheSameResults(_ pair: [Layer]) {
    var rng = RandomGenerator(seed: 4)
    // 11 × 11 images: a 12 × 12 convolution output, pooled to 6 × 6 (rows of four windows and an overlapping rest).
    let model = Sequential(
        [.conv2d(inChannels: 1, outChannels: 2, kernel: 2, padding: 1)] + pair + [.flatten], dtype: .float64,
        using: &rng)
    let x = Tensor.normal([2, 1, 11, 11], dtype: .float64, using: &rng)
    let weights = Tensor.normal([2, 72], dtype: .float64, using: &rng)
    func gradients(_ run: () -> Tensor) -> (output: [Double], grads: [[Double]]) {
        model.parameters.forEach { $0.zeroGrad() }
        let y = run()
        (y * weights).sum().backward()
        return (y.scalars, model.parameters.map { $0.grad!.scalars })
    }
    var unused = RandomGenerator(seed: 0)
    let fused = gradients { model.forward(x, training: true, using: &unused) }
    let listed = gradients {
        (0..<4).reduce(x) { h, i in model.apply(i, h, training: true, using: &unused) }
    }
    #expect(fused.output == listed.output)
    #expect(fused.grads == listed.grads)
    #expect(fused.output.contains(0))  // some windows have a negative maximum
}
