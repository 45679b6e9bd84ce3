import Autograd
import Ops

/// 2-D convolution, like PyTorch's `nn.Conv2d(in, out, kernel, stride, padding, dilation, groups, padding_mode)`
/// (see `Tensor.conv2d`). Weight (out, in/groups, KH, KW), bias (out).
///
/// Shapes: (N, in, H, W) → (N, out, OH, OW), OH = ⌊(H + P_top + P_bottom − D·(KH − 1) − 1) / S⌋ + 1.
public struct Conv2d: UnaryLayer {
    public var weight: Tensor
    public var bias: Tensor?
    public var stride: Size2D
    public var padding: Padding2D
    public var dilation: Size2D
    public var paddingMode: PaddingMode
    /// Channel groups convolved separately (1: every filter sees every input channel).
    public var groups: Int

    /// A layer with PyTorch's default initialization unless told otherwise (fan-in in/groups·KH·KW).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        dilation: Size2D = 1, paddingMode: PaddingMode = .zeros, groups: Int = 1, bias: Bool = true,
        weightInit: Initialization = .pytorchDefault, biasInit: Initialization = .pytorchDefault,
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernel.height > 0 && kernel.width > 0,
            "Conv2d: channels \(inChannels), \(outChannels) and kernel \(kernel) must be positive")
        precondition(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "Conv2d: \(groups) groups must divide the channels \(inChannels) and \(outChannels)")
        let fanIn = inChannels / groups * kernel.height * kernel.width
        weight = weightInit.parameter(
            [outChannels, inChannels / groups, kernel.height, kernel.width], fanIn: fanIn,
            fanOut: outChannels * kernel.height * kernel.width, dtype: dtype, using: &rng)
        self.bias = bias ? biasInit.parameter([outChannels], fanIn: fanIn, dtype: dtype, using: &rng) : nil
        (self.stride, self.padding, self.dilation, self.paddingMode) = (stride, padding, dilation, paddingMode)
        self.groups = groups
    }

    public var inChannels: Int { weight.shape[1] * groups }
    public var outChannels: Int { weight.shape[0] }
    public var kernel: Size2D { Size2D(weight.shape[2], weight.shape[3]) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(
            weight, bias: bias, stride: stride, padding: padding, dilation: dilation, paddingMode: paddingMode,
            groups: groups)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        _ = try imageShape(input, needing: inChannels)
        return try Self.outputShape(
            for: input, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
            paddingMode: paddingMode, groups: groups)
    }

    /// The output shape of a convolution with these settings for an image example (C, H, W), before any layer
    /// exists (a spec is checked before weights are drawn); or why there is none: a dilated kernel wider than the
    /// padded input, groups that do not divide the channels, reflect padding as wide as the input.
    public static func outputShape(
        for input: [Int], outChannels: Int, kernel: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        dilation: Size2D = 1, paddingMode: PaddingMode = .zeros, groups: Int = 1
    ) throws(ShapeError) -> [Int] {
        let (c, h, w) = try imageShape(input)
        try checkSettingSizes([
            ("kernel", [kernel.height, kernel.width]), ("stride", [stride.height, stride.width]),
            ("padding", [padding.top, padding.bottom, padding.left, padding.right]),
            ("dilation", [dilation.height, dilation.width]), ("input", [h, w]),
        ])
        guard c % groups == 0 && outChannels % groups == 0 else {
            throw ShapeError("\(groups) groups do not divide its \(c) input and \(outChannels) output channels")
        }
        if paddingMode == .reflect && (max(padding.top, padding.bottom) >= h || max(padding.left, padding.right) >= w) {
            throw ShapeError("reflect padding \(describe(padding)) must be smaller than its input \(h)×\(w)")
        }
        let oh = convolutionOutputSize(
            inputSize: h, kernelSize: kernel.height, stride: stride.height,
            padding: Padding1D(left: padding.top, right: padding.bottom), dilation: dilation.height)
        let ow = convolutionOutputSize(
            inputSize: w, kernelSize: kernel.width, stride: stride.width,
            padding: Padding1D(left: padding.left, right: padding.right), dilation: dilation.width)
        guard oh > 0 && ow > 0 else {
            let span = Size2D(dilation.height * (kernel.height - 1) + 1, dilation.width * (kernel.width - 1) + 1)
            let spans = dilation == 1 ? "" : " with dilation \(describe(dilation)) spans \(span.height)×\(span.width),"
            throw ShapeError(
                "kernel \(kernel.height)×\(kernel.width)\(spans) is larger than its padded input "
                    + "\(h + padding.top + padding.bottom)×\(w + padding.left + padding.right)")
        }
        return [outChannels, oh, ow]
    }

    public var description: String {
        "Conv2d(\(inChannels), \(outChannels), \(describe(kernel)), stride=\(describe(stride)), "
            + "padding=\(describe(padding))" + (dilation == 1 ? "" : ", dilation=\(describe(dilation))")
            + (groups == 1 ? "" : ", groups=\(groups)")
            + (paddingMode == .zeros ? "" : ", padding_mode='\(paddingMode.rawValue)'")
            + (bias == nil ? ", bias=False" : "") + ")"
    }
}

/// 1-D convolution, like PyTorch's `nn.Conv1d` (see `Tensor.conv1d`). Weight (out, in/groups, K), bias (out).
///
/// Shapes: (N, in, L) → (N, out, OL), OL = ⌊(L + P_left + P_right − D·(K − 1) − 1) / S⌋ + 1.
public struct Conv1d: UnaryLayer {
    public var weight: Tensor
    public var bias: Tensor?
    public var stride: Int
    public var padding: Padding1D
    public var dilation: Int
    public var paddingMode: PaddingMode
    /// Channel groups convolved separately (1: every filter sees every input channel).
    public var groups: Int

    /// A layer with PyTorch's default initialization unless told otherwise (fan-in in/groups·K).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding1D = 0,
        dilation: Int = 1, paddingMode: PaddingMode = .zeros, groups: Int = 1, bias: Bool = true,
        weightInit: Initialization = .pytorchDefault, biasInit: Initialization = .pytorchDefault,
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernel > 0,
            "Conv1d: channels \(inChannels), \(outChannels) and kernel \(kernel) must be positive")
        precondition(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "Conv1d: \(groups) groups must divide the channels \(inChannels) and \(outChannels)")
        let fanIn = inChannels / groups * kernel
        weight = weightInit.parameter(
            [outChannels, inChannels / groups, kernel], fanIn: fanIn, fanOut: outChannels * kernel, dtype: dtype,
            using: &rng)
        self.bias = bias ? biasInit.parameter([outChannels], fanIn: fanIn, dtype: dtype, using: &rng) : nil
        (self.stride, self.padding, self.dilation, self.paddingMode) = (stride, padding, dilation, paddingMode)
        self.groups = groups
    }

    public var inChannels: Int { weight.shape[1] * groups }
    public var outChannels: Int { weight.shape[0] }
    public var kernel: Int { weight.shape[2] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv1d(
            weight, bias: bias, stride: stride, padding: padding, dilation: dilation, paddingMode: paddingMode,
            groups: groups)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.first == inChannels else { throw ShapeError("needs (\(inChannels), L) sequences") }
        return try Self.outputShape(
            for: input, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
            paddingMode: paddingMode, groups: groups)
    }

    /// The output shape of a 1-D convolution with these settings for a sequence example (C, L), before any layer
    /// exists; or why there is none (see `Conv2d.outputShape(for:outChannels:…)`).
    public static func outputShape(
        for input: [Int], outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding1D = 0, dilation: Int = 1,
        paddingMode: PaddingMode = .zeros, groups: Int = 1
    ) throws(ShapeError) -> [Int] {
        guard input.count == 2 else { throw ShapeError("needs (C, L) sequences") }
        let (c, l) = (input[0], input[1])
        try checkSettingSizes([
            ("kernel", [kernel]), ("stride", [stride]), ("padding", [padding.left, padding.right]),
            ("dilation", [dilation]), ("input", [l]),
        ])
        guard c % groups == 0 && outChannels % groups == 0 else {
            throw ShapeError("\(groups) groups do not divide its \(c) input and \(outChannels) output channels")
        }
        if paddingMode == .reflect && max(padding.left, padding.right) >= l {
            throw ShapeError("reflect padding \(describe(padding)) must be smaller than its input \(l)")
        }
        let length = convolutionOutputSize(
            inputSize: l, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation)
        guard length > 0 else {
            let spans = dilation == 1 ? "" : " with dilation \(dilation) spans \(dilation * (kernel - 1) + 1),"
            throw ShapeError(
                "kernel \(kernel)\(spans) is larger than its padded input \(l + padding.left + padding.right)")
        }
        return [outChannels, length]
    }

    public var description: String {
        "Conv1d(\(inChannels), \(outChannels), \(kernel), stride=\(stride), padding=\(describe(padding))"
            + (dilation == 1 ? "" : ", dilation=\(dilation)") + (groups == 1 ? "" : ", groups=\(groups)")
            + (paddingMode == .zeros ? "" : ", padding_mode='\(paddingMode.rawValue)'")
            + (bias == nil ? ", bias=False" : "") + ")"
    }
}

/// 2-D transposed convolution, like PyTorch's `nn.ConvTranspose2d(in, out, kernel, stride, padding,
/// output_padding)` (see `Tensor.convTranspose2d`). Weight (in, out, KH, KW) as PyTorch's, bias (out).
///
/// Shapes: (N, in, H, W) → (N, out, OH, OW), OH = (H − 1)·S − P_top − P_bottom + D·(KH − 1) + output_padding + 1.
public struct ConvTranspose2d: UnaryLayer {
    public var weight: Tensor
    public var bias: Tensor?
    public var stride: Size2D
    public var padding: Padding2D
    public var outputPadding: Size2D
    public var dilation: Size2D

    /// A layer with PyTorch's default initialization unless told otherwise (PyTorch's fan-in of this weight is
    /// out·KH·KW, its second axis and kernel).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        outputPadding: Size2D = 0, dilation: Size2D = 1, bias: Bool = true,
        weightInit: Initialization = .pytorchDefault, biasInit: Initialization = .pytorchDefault,
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernel.height > 0 && kernel.width > 0,
            "ConvTranspose2d: channels \(inChannels), \(outChannels) and kernel \(kernel) must be positive")
        let fanIn = outChannels * kernel.height * kernel.width
        weight = weightInit.parameter(
            [inChannels, outChannels, kernel.height, kernel.width], fanIn: fanIn,
            fanOut: inChannels * kernel.height * kernel.width, dtype: dtype, using: &rng)
        self.bias = bias ? biasInit.parameter([outChannels], fanIn: fanIn, dtype: dtype, using: &rng) : nil
        (self.stride, self.padding, self.outputPadding, self.dilation) = (stride, padding, outputPadding, dilation)
    }

    public var inChannels: Int { weight.shape[0] }
    public var outChannels: Int { weight.shape[1] }
    public var kernel: Size2D { Size2D(weight.shape[2], weight.shape[3]) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.convTranspose2d(
            weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding, dilation: dilation)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        _ = try imageShape(input, needing: inChannels)
        return try Self.outputShape(
            for: input, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
            outputPadding: outputPadding, dilation: dilation)
    }

    /// The output shape of a transposed convolution with these settings for an image example (C, H, W), before any
    /// layer exists; or why there is none (an output padding not smaller than the stride or the dilation, padding
    /// that crops the whole output).
    public static func outputShape(
        for input: [Int], outChannels: Int, kernel: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        outputPadding: Size2D = 0, dilation: Size2D = 1
    ) throws(ShapeError) -> [Int] {
        let (_, h, w) = try imageShape(input)
        try checkSettingSizes([
            ("kernel", [kernel.height, kernel.width]), ("stride", [stride.height, stride.width]),
            ("padding", [padding.top, padding.bottom, padding.left, padding.right]),
            ("output padding", [outputPadding.height, outputPadding.width]),
            ("dilation", [dilation.height, dilation.width]), ("input", [h, w]),
        ])
        guard outputPadding.height < max(stride.height, dilation.height),
            outputPadding.width < max(stride.width, dilation.width)
        else {
            throw ShapeError(
                "output padding \(describe(outputPadding)) must be smaller than the stride or the dilation")
        }
        let oh = convTransposeOutputSize(
            inputSize: h, kernelSize: kernel.height, stride: stride.height,
            padding: Padding1D(left: padding.top, right: padding.bottom), outputPadding: outputPadding.height,
            dilation: dilation.height)
        let ow = convTransposeOutputSize(
            inputSize: w, kernelSize: kernel.width, stride: stride.width,
            padding: Padding1D(left: padding.left, right: padding.right), outputPadding: outputPadding.width,
            dilation: dilation.width)
        guard oh > 0 && ow > 0 else { throw ShapeError("the padding crops the whole output (\(oh)×\(ow))") }
        return [outChannels, oh, ow]
    }

    public var description: String {
        "ConvTranspose2d(\(inChannels), \(outChannels), \(describe(kernel)), stride=\(describe(stride)), "
            + "padding=\(describe(padding))"
            + (outputPadding == 0 ? "" : ", output_padding=\(describe(outputPadding))")
            + (dilation == 1 ? "" : ", dilation=\(describe(dilation))") + (bias == nil ? ", bias=False" : "") + ")"
    }
}

/// (C, H, W) of an image example, or why `input` is not one with `channels` channels (any count when nil).
func imageShape(_ input: [Int], needing channels: Int? = nil) throws(ShapeError) -> (Int, Int, Int) {
    guard input.count == 3 else { throw ShapeError("needs (C, H, W) images") }
    if let channels, input[0] != channels {
        throw ShapeError("needs \(channels) channels")
    }
    return (input[0], input[1], input[2])
}

/// `3` for a square size, `(3, 5)` otherwise, as PyTorch prints them.
func describe(_ size: Size2D) -> String {
    size.height == size.width ? "\(size.height)" : "(\(size.height), \(size.width))"
}

/// `1` for equal padding on every side, `(top, bottom, left, right)` otherwise.
func describe(_ padding: Padding2D) -> String {
    let all = [padding.top, padding.bottom, padding.left, padding.right]
    return Set(all).count == 1 ? "\(padding.top)" : "(" + all.map(String.init).joined(separator: ", ") + ")"
}

/// `1` for equal padding on both sides, `(left, right)` otherwise.
func describe(_ padding: Padding1D) -> String {
    padding.left == padding.right ? "\(padding.left)" : "(\(padding.left), \(padding.right))"
}

/// The largest kernel, stride, padding, dilation or input side a convolution's output shape is computed for: the
/// formulas multiply and add them, which stays exact up to here.
public let largestConvolutionSetting = 1 << 30

/// Throws when a setting (by name, its values along each axis) exceeds `largestConvolutionSetting`.
private func checkSettingSizes(_ settings: [(name: String, values: [Int])]) throws(ShapeError) {
    for (name, values) in settings {
        if let value = values.first(where: { $0 > largestConvolutionSetting }) {
            throw ShapeError(
                "\(name) \(value) is larger than the largest size supported, \(largestConvolutionSetting)")
        }
    }
}
