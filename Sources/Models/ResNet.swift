import Autograd
import Ops

/// The shape of a residual network (He et al. 2016, https://arxiv.org/abs/1512.03385): ImageNet-style depths 18,
/// 34 (basic blocks), 50, 101, 152 (bottleneck blocks), as torchvision's `resnet18` … `resnet152`; CIFAR-style depths
/// 6n + 2 (20, 32, 44, 56, 110: three stages of n basic blocks of 16, 32 and 64 channels, as the paper's §4.2).
public struct ResNetConfiguration: Sendable, Equatable {
    public var depth: Int
    /// Input channels (3 for colour images).
    public var channels: Int
    public var classes: Int

    public init(depth: Int = 18, channels: Int = 3, classes: Int = 1000) {
        precondition(Self.isSupported(depth), "ResNet: depth \(depth) is none of \(Self.depths)")
        (self.depth, self.channels, self.classes) = (depth, channels, classes)
    }

    /// The depths with a known layout.
    public static let depths = [18, 34, 50, 101, 152, 20, 32, 44, 56, 110]

    public static func isSupported(_ depth: Int) -> Bool { depths.contains(depth) }

    /// CIFAR-style (a 3×3 stem, three stages) rather than ImageNet-style (a 7×7 stem with max pooling, four).
    public var isCIFARStyle: Bool { ![18, 34, 50, 101, 152].contains(depth) }

    /// Bottleneck blocks (1×1, 3×3, 1×1, four times wider out) rather than basic ones (3×3, 3×3).
    public var usesBottlenecks: Bool { depth >= 50 && !isCIFARStyle }

    /// Blocks per stage.
    public var blocks: [Int] {
        switch depth {
        case 18: [2, 2, 2, 2]
        case 34, 50: [3, 4, 6, 3]
        case 101: [3, 4, 23, 3]
        case 152: [3, 8, 36, 3]
        default: [Int](repeating: (depth - 2) / 6, count: 3)
        }
    }

    /// The channels of each stage before a bottleneck's expansion.
    public var widths: [Int] { isCIFARStyle ? [16, 32, 64] : [64, 128, 256, 512] }
}

/// A residual block: basic, y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), or bottleneck, with a 1×1
/// conv1 narrowing, a 3×3 conv2 (carrying the stride) and a 1×1 conv3 widening by 4. The shortcut is the identity,
/// or `downsample` (a 1×1 convolution and batch norm) where the shape changes — torchvision's names and layout.
public struct ResNetBlock: Layer {
    public var conv1: Conv2d
    public var bn1: BatchNorm2d
    public var conv2: Conv2d
    public var bn2: BatchNorm2d
    public var conv3: Conv2d?
    public var bn3: BatchNorm2d?
    public var downsample: Sequential?

    /// A block from `inChannels` to `width` (basic) or `4 · width` (bottleneck) channels, the first convolution of
    /// the stride (conv2 for a bottleneck, as torchvision); convolutions He-initialized (fan-out, as torchvision).
    public init(
        _ inChannels: Int, width: Int, stride: Int, bottleneck: Bool, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        let out = bottleneck ? 4 * width : width
        func conv(_ i: Int, _ o: Int, _ k: Int, _ s: Int) -> Conv2d {
            Conv2d(
                i, o, kernel: Size2D(k), stride: Size2D(s), padding: Padding2D(k / 2), bias: false,
                weightInit: .normal(std: (2.0 / Double(o * k * k)).squareRoot()), dtype: dtype, using: &rng)
        }
        if bottleneck {
            conv1 = conv(inChannels, width, 1, 1)
            conv2 = conv(width, width, 3, stride)
            conv3 = conv(width, out, 1, 1)
            bn3 = BatchNorm2d(out, dtype: dtype)
        } else {
            conv1 = conv(inChannels, width, 3, stride)
            conv2 = conv(width, width, 3, 1)
        }
        bn1 = BatchNorm2d(width, dtype: dtype)
        bn2 = BatchNorm2d(width, dtype: dtype)
        if stride != 1 || inChannels != out {
            downsample = Sequential([conv(inChannels, out, 1, stride), BatchNorm2d(out, dtype: dtype)])
        }
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        var y = bn1(conv1(x), &context).relu()
        y = bn2(conv2(y), &context)
        if let conv3, let bn3 { y = bn3(conv3(y.relu()), &context) }
        return (y + (downsample.map { $0(x, &context) } ?? x)).relu()
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        var shape = try conv2.outputShape(for: conv1.outputShape(for: input))
        if let conv3 { shape = try conv3.outputShape(for: shape) }
        return shape
    }

    public var description: String {
        let stride = max(conv1.stride.height, conv2.stride.height)
        return "ResNetBlock(\(conv1.inChannels) → \((conv3 ?? conv2).outChannels), stride \(stride)"
            + (conv3 == nil ? ")" : ", bottleneck)")
    }
}

/// A residual network (He et al. 2016, https://arxiv.org/abs/1512.03385) for classification, named and laid out as
/// torchvision's `ResNet` (its exported weights load into `torchvision.models.resnet18(num_classes=…)` and kin):
///
///     x = maxpool(relu(bn1(conv1(x))))          (CIFAR-style: a 3×3 stem, no max pooling)
///     x = layer4(layer3(layer2(layer1(x))))     (stages of blocks; each stage after the first halves the size)
///     logits = fc(mean over H, W of x)
public struct ResNet: Layer {
    public let configuration: ResNetConfiguration
    public var conv1: Conv2d
    public var bn1: BatchNorm2d
    public var maxpool: MaxPool2d?
    public var layer1: [ResNetBlock]
    public var layer2: [ResNetBlock]
    public var layer3: [ResNetBlock]
    public var layer4: [ResNetBlock]
    public var fc: Linear

    public init(_ configuration: ResNetConfiguration, dtype: DType = .float32, using rng: inout RandomGenerator) {
        let c = configuration
        self.configuration = c
        let stem = c.widths[0]
        conv1 = Conv2d(
            c.channels, stem, kernel: c.isCIFARStyle ? 3 : 7, stride: c.isCIFARStyle ? 1 : 2,
            padding: c.isCIFARStyle ? 1 : 3, bias: false,
            weightInit: .normal(std: (2.0 / Double(stem * (c.isCIFARStyle ? 9 : 49))).squareRoot()), dtype: dtype,
            using: &rng)
        bn1 = BatchNorm2d(stem, dtype: dtype)
        maxpool = c.isCIFARStyle ? nil : MaxPool2d(3, stride: 2, padding: 1)
        var channels = stem
        var stages: [[ResNetBlock]] = []
        for (stage, (count, width)) in zip(c.blocks, c.widths).enumerated() {
            stages.append(
                (0..<count).map { i in
                    let block = ResNetBlock(
                        channels, width: width, stride: i == 0 && stage > 0 ? 2 : 1, bottleneck: c.usesBottlenecks,
                        dtype: dtype, using: &rng)
                    channels = c.usesBottlenecks ? 4 * width : width
                    return block
                })
        }
        (layer1, layer2, layer3) = (stages[0], stages[1], stages[2])
        layer4 = stages.count > 3 ? stages[3] : []
        fc = Linear(channels, c.classes, dtype: dtype, using: &rng)
    }

    /// Every block, stage by stage.
    public var blocks: [ResNetBlock] { layer1 + layer2 + layer3 + layer4 }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        var x = bn1(conv1(x), &context).relu()
        if let maxpool { x = maxpool(x) }
        for block in blocks { x = block(x, &context) }
        return fc(x.globalAvgPool2d())
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        try Self.outputShape(for: input, configuration)
    }

    /// The output shape for an image example (C, H, W) before any layer exists, or why the network cannot take it
    /// (the wrong channels, or an image too small for its strides).
    public static func outputShape(for input: [Int], _ c: ResNetConfiguration) throws(ShapeError) -> [Int] {
        guard input.count == 3 else { throw ShapeError("needs (C, H, W) images") }
        guard input[0] == c.channels else { throw ShapeError("needs \(c.channels) channels") }
        var side = min(input[1], input[2])
        if !c.isCIFARStyle { side = ((side + 6 - 7) / 2 + 1 + 2 - 3) / 2 + 1 }  // the stem's 7×7 stride 2, max pool
        for _ in c.blocks.dropFirst() { side = (side + 2 - 3) / 2 + 1 }  // each later stage's first 3×3 stride 2
        guard side >= 1, min(input[1], input[2]) >= (c.isCIFARStyle ? 1 : 2) else {
            throw ShapeError("images of \(input[1])×\(input[2]) are too small for resnet\(c.depth)'s strides")
        }
        return [c.classes]
    }

    public var description: String {
        "ResNet-\(configuration.depth)\(configuration.isCIFARStyle ? " (CIFAR-style)" : "")"
    }
}
