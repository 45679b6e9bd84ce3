import Autograd
import Ops

/// Layers applied in order, like PyTorch's `nn.Sequential`, whose parameter names it keeps: layer i's tensors are
/// `i.weight`, `i.bias`, `i.running_mean`, …
///
/// ```
/// let cnn = Sequential([
///     Conv2d(1, 64, kernel: 7, using: &rng), ReLU(), MaxPool2d(2), Flatten(), Linear(7744, 10, using: &rng),
/// ])   // 80,650 parameters
/// ```
///
/// With `fusion`, chains of layers that have a fused kernel run as that kernel (see `Fusion`); the layers and their
/// parameters stay as they are.
public struct Sequential: Layer {
    public var layers: [any Layer]
    /// The fused kernels this model may run in place of chains of its layers (default none).
    public var fusion: Fusion

    public init(_ layers: [any Layer], fusion: Fusion = []) {
        self.layers = layers
        self.fusion = fusion
    }

    /// Layer i is named `i`, as in PyTorch.
    public var entries: [ModuleEntry] { layers.enumerated().map { ModuleEntry("\($0)", .module($1)) } }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        var x = x
        var i = layers.startIndex
        while i < layers.endIndex {
            if let fused = fusion.match(layers, at: i) {
                x = fused.apply(x)
                i += fused.count
            } else {
                x = layers[i](x, &context)
                i += 1
            }
        }
        return x
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        try outputShapes(for: input).last ?? input
    }

    /// The output shape of each layer for one example of shape `input`; the error names the first layer that
    /// cannot take its input, and that input.
    public func outputShapes(for input: [Int]) throws(ShapeError) -> [[Int]] {
        var shape = input
        var shapes: [[Int]] = []
        for (i, layer) in layers.enumerated() {
            do {
                shape = try layer.outputShape(for: shape)
            } catch {
                throw ShapeError("layer \(i), \(layer): \(error.message) (its input is \(describeShape(shape)))")
            }
            shapes.append(shape)
        }
        return shapes
    }

    public var description: String { "Sequential(\(layers.count) layers)" }
}

/// Fused kernels that a `Sequential` may run in place of chains of its layers: the values and gradients are
/// those of the chain (tests check each against it), the time and memory less. Opt-in, as PyTorch's
/// `torch.compile` passes: a `Sequential` fuses only what its `fusion` names, and its layers never change.
public struct Fusion: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `Conv2d` (zero padding, one group) → `ReLU` → `MaxPool2d` (no padding) as `conv2dRectifiedMaxPool2d`, which
    /// pools each image's convolution output while it is in cache and never stores it; `ReLU` → `MaxPool2d` or
    /// `MaxPool2d` → `ReLU` as `rectifiedMaxPool2d` (relu∘maxpool = maxpool∘relu: the window's maximum is the same
    /// element either way, and relu′ = 0 wherever it is ≤ 0), one pass instead of two.
    public static let rectifiedMaxPool = Fusion(rawValue: 1)

    /// Every fusion.
    public static let all: Fusion = [.rectifiedMaxPool]

    /// A fused kernel for the chain of layers starting at `i`: how many layers it replaces, what it computes, and
    /// a name for summaries; nil when no enabled fusion applies there.
    public func match(_ layers: [any Layer], at i: Int) -> FusedChain? {
        guard contains(.rectifiedMaxPool) else { return nil }
        func layer(_ k: Int) -> (any Layer)? { k < layers.endIndex ? layers[k] : nil }
        if let conv = layer(i) as? Conv2d, conv.paddingMode == .zeros, conv.groups == 1, layer(i + 1) is ReLU,
            let pool = layer(i + 2) as? MaxPool2d, pool.padding == 0
        {
            return FusedChain(count: 3, name: "Conv2d → ReLU → MaxPool2d") { x in
                x.conv2dRectifiedMaxPool2d(
                    conv.weight, bias: conv.bias, stride: conv.stride, padding: conv.padding, dilation: conv.dilation,
                    poolKernel: pool.kernel, poolStride: pool.stride)
            }
        }
        let pool = (layer(i) as? MaxPool2d) ?? (layer(i + 1) as? MaxPool2d)
        if let pool, layer(i) is ReLU || layer(i + 1) is ReLU {
            return FusedChain(count: 2, name: layer(i) is ReLU ? "ReLU → MaxPool2d" : "MaxPool2d → ReLU") { x in
                x.rectifiedMaxPool2d(kernel: pool.kernel, stride: pool.stride, padding: pool.padding)
            }
        }
        return nil
    }
}

/// A chain of layers run as one fused kernel (see `Fusion`).
public struct FusedChain {
    /// How many layers it replaces.
    public let count: Int
    /// The chain, for summaries: "Conv2d → ReLU → MaxPool2d".
    public let name: String
    /// The fused kernel.
    public let apply: (Tensor) -> Tensor
}

/// A residual connection (He et al. 2016, https://arxiv.org/abs/1512.03385): y = body(x) + shortcut(x), the
/// shortcut being the identity, or a projection when the body changes the shape (ResNet's 1×1 convolution).
public struct Residual: Layer {
    public var body: Sequential
    /// nil: the identity.
    public var shortcut: (any Layer)?

    public init(_ body: Sequential, shortcut: (any Layer)? = nil) {
        self.body = body
        self.shortcut = shortcut
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        body(x, &context) + (shortcut.map { $0(x, &context) } ?? x)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let output = try body.outputShape(for: input)
        let skipped = try shortcut?.outputShape(for: input) ?? input
        guard skipped == output else {
            throw ShapeError(
                "the body's output \(describeShape(output)) differs from the shortcut's \(describeShape(skipped))")
        }
        return output
    }

    /// The shortcut that maps an example of shape `input` to shape `output`: nil (the identity) when they are
    /// equal; for images a bias-free 1×1 `Conv2d` with the stride that maps the input's sides to the output's; for
    /// features a bias-free `Linear`. Throws when no such projection exists.
    public static func projection(
        from input: [Int], to output: [Int], dtype: DType = .float32, using rng: inout RandomGenerator
    ) throws(ShapeError) -> (any Layer)? {
        if input == output { return nil }
        if input.count == 1 && output.count == 1 {
            return Linear(input[0], output[0], bias: false, dtype: dtype, using: &rng)
        }
        let mismatch = ShapeError(
            "no 1×1 projection maps the input \(describeShape(input)) to the body's output \(describeShape(output))")
        guard input.count == 3 && output.count == 3, output[1] > 0, output[2] > 0 else { throw mismatch }
        let stride = (input[1] + output[1] - 1) / output[1]  // ⌈H / H′⌉
        guard convolutionOutputSize(inputSize: input[1], kernelSize: 1, stride: stride) == output[1],
            convolutionOutputSize(inputSize: input[2], kernelSize: 1, stride: stride) == output[2]
        else { throw mismatch }
        return Conv2d(input[0], output[0], kernel: 1, stride: Size2D(stride), bias: false, dtype: dtype, using: &rng)
    }

    public var description: String { "Residual(\(body.layers.count) layers\(shortcut == nil ? "" : ", projection"))" }
}
