import Autograd
import Ops

/// 2-D convolution, like PyTorch's `nn.Conv2d(in, out, kernel, stride, padding, dilation, padding_mode)` (see
/// `Tensor.conv2d`). Weight (out, in, KH, KW), bias (out).
///
/// Shapes: (N, in, H, W) → (N, out, OH, OW), OH = ⌊(H + P_top + P_bottom − D·(KH − 1) − 1) / S⌋ + 1.
public struct Conv2d: UnaryLayer {
    public var weight: Tensor
    public var bias: Tensor?
    public var stride: Size2D
    public var padding: Padding2D
    public var dilation: Size2D
    public var paddingMode: PaddingMode

    /// A layer with PyTorch's default initialization unless told otherwise (fan-in in·KH·KW).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        dilation: Size2D = 1, paddingMode: PaddingMode = .zeros, bias: Bool = true,
        weightInit: Initialization = .pytorchDefault, biasInit: Initialization = .pytorchDefault,
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernel.height > 0 && kernel.width > 0,
            "Conv2d: channels \(inChannels), \(outChannels) and kernel \(kernel) must be positive")
        let fanIn = inChannels * kernel.height * kernel.width
        weight = weightInit.parameter(
            [outChannels, inChannels, kernel.height, kernel.width], fanIn: fanIn, dtype: dtype, using: &rng)
        self.bias = bias ? biasInit.parameter([outChannels], fanIn: fanIn, dtype: dtype, using: &rng) : nil
        (self.stride, self.padding, self.dilation, self.paddingMode) = (stride, padding, dilation, paddingMode)
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    public var kernel: Size2D { Size2D(weight.shape[2], weight.shape[3]) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation, paddingMode: paddingMode)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        _ = try imageShape(input, needing: inChannels)
        return try Self.outputShape(
            for: input, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }

    /// The output shape of a convolution with these settings for an image example (C, H, W), before any layer
    /// exists (a spec is checked before weights are drawn).
    public static func outputShape(
        for input: [Int], outChannels: Int, kernel: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        dilation: Size2D = 1
    ) throws(ShapeError) -> [Int] {
        let (_, h, w) = try imageShape(input)
        let oh = convolutionOutputSize(
            inputSize: h, kernelSize: kernel.height, stride: stride.height,
            padding: Padding1D(left: padding.top, right: padding.bottom), dilation: dilation.height)
        let ow = convolutionOutputSize(
            inputSize: w, kernelSize: kernel.width, stride: stride.width,
            padding: Padding1D(left: padding.left, right: padding.right), dilation: dilation.width)
        guard oh > 0 && ow > 0 else {
            throw ShapeError(
                "kernel \(kernel.height)×\(kernel.width) is larger than its padded input "
                    + "\(h + padding.top + padding.bottom)×\(w + padding.left + padding.right)")
        }
        return [outChannels, oh, ow]
    }

    public var description: String {
        "Conv2d(\(inChannels), \(outChannels), \(describe(kernel)), stride=\(describe(stride)), "
            + "padding=\(describe(padding))" + (dilation == 1 ? "" : ", dilation=\(describe(dilation))")
            + (paddingMode == .zeros ? "" : ", padding_mode='\(paddingMode.rawValue)'")
            + (bias == nil ? ", bias=False" : "") + ")"
    }
}

/// 1-D convolution, like PyTorch's `nn.Conv1d` (see `Tensor.conv1d`). Weight (out, in, K), bias (out).
///
/// Shapes: (N, in, L) → (N, out, OL), OL = ⌊(L + P_left + P_right − D·(K − 1) − 1) / S⌋ + 1.
public struct Conv1d: UnaryLayer {
    public var weight: Tensor
    public var bias: Tensor?
    public var stride: Int
    public var padding: Padding1D
    public var dilation: Int
    public var paddingMode: PaddingMode

    /// A layer with PyTorch's default initialization unless told otherwise (fan-in in·K).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding1D = 0,
        dilation: Int = 1, paddingMode: PaddingMode = .zeros, bias: Bool = true,
        weightInit: Initialization = .pytorchDefault, biasInit: Initialization = .pytorchDefault,
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernel > 0,
            "Conv1d: channels \(inChannels), \(outChannels) and kernel \(kernel) must be positive")
        weight = weightInit.parameter(
            [outChannels, inChannels, kernel], fanIn: inChannels * kernel, dtype: dtype, using: &rng)
        self.bias =
            bias ? biasInit.parameter([outChannels], fanIn: inChannels * kernel, dtype: dtype, using: &rng) : nil
        (self.stride, self.padding, self.dilation, self.paddingMode) = (stride, padding, dilation, paddingMode)
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    public var kernel: Int { weight.shape[2] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv1d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation, paddingMode: paddingMode)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 2 else { throw ShapeError("needs (C, L) sequences") }
        guard input[0] == inChannels else {
            throw ShapeError("needs \(inChannels) channels")
        }
        let length = convolutionOutputSize(
            inputSize: input[1], kernelSize: kernel, stride: stride, padding: padding, dilation: dilation)
        guard length > 0 else {
            throw ShapeError(
                "kernel \(kernel) is larger than its padded input \(input[1] + padding.left + padding.right)")
        }
        return [outChannels, length]
    }

    public var description: String {
        "Conv1d(\(inChannels), \(outChannels), \(kernel), stride=\(stride), padding=\(describe(padding))"
            + (dilation == 1 ? "" : ", dilation=\(dilation)")
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
            [inChannels, outChannels, kernel.height, kernel.width], fanIn: fanIn, dtype: dtype, using: &rng)
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
        let (_, h, w) = try imageShape(input, needing: inChannels)
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
