import Autograd
import Ops

/// 2-D max pooling, like PyTorch's `nn.MaxPool2d(kernel, stride, padding)` (see `Tensor.maxPool2d`); the stride
/// defaults to the kernel (non-overlapping windows).
///
/// Shapes: (N, C, H, W) → (N, C, OH, OW), OH = ⌊(H + P_top + P_bottom − KH) / S⌋ + 1.
public struct MaxPool2d: UnaryLayer {
    public var kernel: Size2D
    public var stride: Size2D
    public var padding: Padding2D

    public init(_ kernel: Size2D, stride: Size2D? = nil, padding: Padding2D = 0) {
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.maxPool2d(kernel: kernel, stride: stride, padding: padding) }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        try poolingOutputShape(input, kernel: kernel, stride: stride, padding: padding)
    }

    public var description: String {
        "MaxPool2d(\(describe(kernel)), stride=\(describe(stride))"
            + (padding == 0 ? "" : ", padding=\(describe(padding))") + ")"
    }
}

/// 2-D average pooling, like PyTorch's `nn.AvgPool2d(kernel, stride, padding)` (see `Tensor.avgPool2d`); the
/// stride defaults to the kernel.
///
/// Shapes: (N, C, H, W) → (N, C, OH, OW), as `MaxPool2d`.
public struct AvgPool2d: UnaryLayer {
    public var kernel: Size2D
    public var stride: Size2D
    public var padding: Padding2D

    public init(_ kernel: Size2D, stride: Size2D? = nil, padding: Padding2D = 0) {
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.avgPool2d(kernel: kernel, stride: stride, padding: padding) }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        try poolingOutputShape(input, kernel: kernel, stride: stride, padding: padding)
    }

    public var description: String {
        "AvgPool2d(\(describe(kernel)), stride=\(describe(stride))"
            + (padding == 0 ? "" : ", padding=\(describe(padding))") + ")"
    }
}

/// The mean of each channel over the image, then flattened: (N, C, H, W) → (N, C), PyTorch's
/// `nn.AdaptiveAvgPool2d(1)` followed by `nn.Flatten()`, the head of ResNets.
public struct GlobalAvgPool2d: UnaryLayer {
    public init() {}

    public func callAsFunction(_ x: Tensor) -> Tensor { x.globalAvgPool2d() }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { [try imageShape(input).0] }

    public var description: String { "GlobalAvgPool2d()" }
}

/// The output shape of 2-D pooling of an image example, or why the window does not fit.
private func poolingOutputShape(
    _ input: [Int], kernel: Size2D, stride: Size2D, padding: Padding2D
) throws(ShapeError) -> [Int] {
    let (c, h, w) = try imageShape(input)
    let (ph, pw) = (h + padding.top + padding.bottom, w + padding.left + padding.right)
    guard kernel.height <= ph && kernel.width <= pw else {
        throw ShapeError("kernel \(kernel.height)×\(kernel.width) is larger than its input \(ph)×\(pw)")
    }
    return [c, (ph - kernel.height) / stride.height + 1, (pw - kernel.width) / stride.width + 1]
}
