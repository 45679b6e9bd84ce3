import Testing

@testable import Models

// ResNet: the layouts of torchvision's resnet18 … resnet152 and the CIFAR paper's 6n + 2 networks, their
// parameter counts, shapes and gradients.

@Test func resNetParameterCountsAreTorchvisions() {
    var rng = RandomGenerator(seed: 0)
    // sum(p.numel() for p in torchvision.models.resnet18() / resnet50(num_classes=10) / resnet152().parameters())
    #expect(ResNet(ResNetConfiguration(depth: 18), using: &rng).parameterCount == 11_689_512)
    #expect(ResNet(ResNetConfiguration(depth: 50, classes: 10), using: &rng).parameterCount == 23_528_522)
    #expect(ResNet(ResNetConfiguration(depth: 152), using: &rng).parameterCount == 60_192_808)
}

@Test func resNetLayoutsFollowTheirDepth() {
    // Basic blocks count two layers, bottlenecks three; the stem and the head one each.
    for depth in [18, 34, 50, 101, 152] {
        let c = ResNetConfiguration(depth: depth)
        #expect(c.blocks.reduce(0, +) * (c.usesBottlenecks ? 3 : 2) + 2 == depth)
        #expect(!c.isCIFARStyle)
    }
    for depth in [20, 32, 44, 56, 110] {
        let c = ResNetConfiguration(depth: depth, classes: 10)
        #expect(c.isCIFARStyle && !c.usesBottlenecks)
        #expect(c.blocks == [Int](repeating: (depth - 2) / 6, count: 3))
    }
    #expect(!ResNetConfiguration.isSupported(19))
}

@Test func cifarResNet20HasThePapersParametersPlusItsProjections() {
    var rng = RandomGenerator(seed: 0)
    let model = ResNet(ResNetConfiguration(depth: 20, classes: 10), using: &rng)
    // Stem 3·16·9 + BN 32; stage widths w with 3 blocks of two 3×3 convolutions (9·w² each, the first of stages 2
    // and 3 taking w/2 channels) and two BNs (4w); the two 1×1 projections with their BNs; the head 64·10 + 10.
    let stages = [16, 32, 64].map { w in 6 * 9 * w * w + 3 * 4 * w }.reduce(0, +)
    let narrowerInputs = 9 * 32 * (32 - 16) + 9 * 64 * (64 - 32)
    let projections = (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64)
    #expect(model.parameterCount == 3 * 16 * 9 + 32 + stages - narrowerInputs + projections + 650)
    #expect(model.layer4.isEmpty && model.maxpool == nil)
    #expect(model.blocks.compactMap(\.downsample).count == 2)
    #expect(abs(Double(model.parameterCount) / 1e6 - 0.27) < 0.01)  // the paper's Table 6: 0.27M
}

@Test func resNetNamesAreTorchvisions() {
    var rng = RandomGenerator(seed: 0)
    let model = ResNet(ResNetConfiguration(depth: 50, classes: 10), using: &rng)
    let names = model.pytorchStateDict().map(\.name)
    for name in [
        "conv1.weight", "bn1.running_var", "layer1.0.conv3.weight", "layer1.0.downsample.0.weight",
        "layer1.0.downsample.1.num_batches_tracked", "layer4.2.bn3.bias", "fc.weight", "fc.bias",
    ] {
        #expect(names.contains(name), "\(name)")
    }
    #expect(!names.contains("layer1.1.downsample.0.weight"))
    #expect(names.filter { $0.hasPrefix("layer3.") && $0.hasSuffix("conv1.weight") }.count == 6)
}

@Test func resNetShapesAndRefusals() throws {
    let imageNet = ResNetConfiguration(depth: 18, channels: 3, classes: 7)
    #expect(try ResNet.outputShape(for: [3, 224, 224], imageNet) == [7])
    #expect(try ResNet.outputShape(for: [3, 32, 32], imageNet) == [7])
    #expect(throws: ShapeError.self) { try ResNet.outputShape(for: [1, 32, 32], imageNet) }
    #expect(throws: ShapeError.self) { try ResNet.outputShape(for: [3, 32], imageNet) }
    var rng = RandomGenerator(seed: 1)
    let model = ResNet(ResNetConfiguration(depth: 18, channels: 3, classes: 7), using: &rng)
    // 32 → 16 (stem) → 8 (max pool) → 8, 4, 2, 1 through the stages.
    #expect(noGrad { model(Tensor.normal([2, 3, 32, 32], using: &rng)) }.shape == [2, 7])
    let summary = try ModelSummary(model, inputShape: [3, 32, 32])
    #expect(summary.totalParameterCount == model.parameterCount)
    #expect(summary.description.contains("layer2.0  ResNetBlock(64 → 128, stride 2)"))
}

@Test func smallResNetGradients() {
    var rng = RandomGenerator(seed: 4)
    // A CIFAR-style depth-8 network at width 16 is too big for a full check; its blocks are checked one by one,
    // basic and bottleneck, with and without a projection shortcut.
    let blocks = [
        ResNetBlock(2, width: 2, stride: 1, bottleneck: false, dtype: .float64, using: &rng),
        ResNetBlock(2, width: 3, stride: 2, bottleneck: false, dtype: .float64, using: &rng),
        ResNetBlock(2, width: 1, stride: 2, bottleneck: true, dtype: .float64, using: &rng),
        ResNetBlock(4, width: 1, stride: 1, bottleneck: true, dtype: .float64, using: &rng),
    ]
    #expect(blocks.map { $0.downsample != nil } == [false, true, true, false])
    let x = Tensor.normal([2, 2, 5, 5], dtype: .float64, using: &rng)
    for (block, input) in zip(blocks, [x, x, x, Tensor.normal([2, 4, 3, 3], dtype: .float64, using: &rng)]) {
        let shape = try! block.outputShape(for: Array(input.shape.dropFirst()))
        let cotangent = Tensor.normal([2] + shape, dtype: .float64, using: &rng)
        let result = checkGradients(parameters: block.parameters, seed: 3) {
            var context = ForwardContext(training: true)
            return (block(input, &context) * cotangent).sum()
        }
        #expect(result.passed, "\(block): \(result)")
    }
}

@Test func cifarResNetTrainsOnASmallBatch() {
    var rng = RandomGenerator(seed: 5)
    let model = ResNet(ResNetConfiguration(depth: 20, channels: 1, classes: 3), using: &rng)
    let x = Tensor.normal([6, 1, 8, 8], using: &rng)
    let labels = [0, 1, 2, 0, 1, 2]
    let sgd = SGD(model.parameters, learningRate: 0.05, momentum: 0.9)
    var losses: [Double] = []
    for _ in 0..<8 {
        var context = ForwardContext(training: true)
        let loss = model(x, &context).crossEntropy(labels: labels)
        losses.append(loss.item())
        sgd.zeroGrad()
        loss.backward()
        sgd.step()
    }
    #expect(losses.last! < 0.5 * losses.first!, "\(losses)")
}
