// The options shared by convolution and pooling: per-axis sizes, per-side padding, the padding mode, and the
// output-size formulas.

/// A pair of positive integers for the two spatial axes (height, width): a stride, a dilation, a pooling kernel.
/// An integer literal means the same value on both axes, as PyTorch's `stride=2`: `stride: 2`.
public struct Size2D: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Along the height (rows, axis −2).
    public var height: Int
    /// Along the width (columns, axis −1).
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same value on both axes.
    public init(_ both: Int) { self.init(both, both) }

    public init(integerLiteral value: Int) { self.init(value) }

    public var description: String { "(\(height), \(width))" }
}

/// Zero (or circular) padding of a sequence, given per side: `left` elements before the first, `right` after the
/// last. An integer literal pads both sides equally, as PyTorch's `padding=1`.
public struct Padding1D: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var left: Int
    public var right: Int

    public init(left: Int, right: Int) {
        self.left = left
        self.right = right
    }

    /// The same padding on both sides.
    public init(_ both: Int) { self.init(left: both, right: both) }

    public init(integerLiteral value: Int) { self.init(value) }

    public var description: String { "(left: \(left), right: \(right))" }
}

/// Zero (or circular) padding of an image, given per side: `top` rows above, `bottom` rows below, `left` and
/// `right` columns beside it. An integer literal pads all four sides equally, as PyTorch's `padding=1`;
/// `Padding2D(height: 1, width: 2)` is PyTorch's `padding=(1, 2)`. Asymmetric padding such as "same" padding of
/// an even kernel is `Padding2D(top: 0, bottom: 1, left: 0, right: 1)`.
public struct Padding2D: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    /// `height` rows above and below, `width` columns left and right.
    public init(height: Int, width: Int) { self.init(top: height, bottom: height, left: width, right: width) }

    /// The same padding on all four sides.
    public init(_ all: Int) { self.init(height: all, width: all) }

    public init(integerLiteral value: Int) { self.init(value) }

    /// The 2-D padding of a sequence seen as an image of height 1.
    init(_ padding: Padding1D) { self.init(top: 0, bottom: 0, left: padding.left, right: padding.right) }

    var isNonnegative: Bool { top >= 0 && bottom >= 0 && left >= 0 && right >= 0 }

    public var description: String { "(top: \(top), bottom: \(bottom), left: \(left), right: \(right))" }
}

/// What a convolution reads outside its input, like PyTorch's `padding_mode`.
public enum PaddingMode: String, Sendable, Codable, CaseIterable {
    /// Zeros.
    case zeros
    /// The input wrapped around (periodic boundary): index −1 reads the last element, index n reads the first.
    /// Padding wider than the input wraps more than once.
    case circular
    /// The input mirrored at its edges without repeating them: index −1 reads element 1, index n reads n − 2.
    /// Padding must be shorter than the input.
    case reflect
}

/// The length of a convolution's (or a pooling's) output along one axis:
///
///     out = ⌊(n + P_left + P_right − D·(K − 1) − 1) / S⌋ + 1
///
/// for an input of length n, kernel K, stride S, dilation D and padding P per side (PyTorch's `Conv2d` formula,
/// which with D = 1 is pooling's ⌊(n + P_left + P_right − K) / S⌋ + 1). A result ≤ 0 means the padded input is
/// shorter than the dilated kernel; the ops reject it.
public func convolutionOutputSize(
    inputSize n: Int, kernelSize k: Int, stride s: Int = 1, padding: Padding1D = 0, dilation d: Int = 1
) -> Int {
    precondition(s > 0, "convolutionOutputSize: stride \(s) must be positive")
    let span = n + padding.left + padding.right - d * (k - 1) - 1
    // Floor division, also for a negative span.
    let quotient = span >= 0 ? span / s : -((-span + s - 1) / s)
    return quotient + 1
}

/// The length of a transposed convolution's output along one axis:
///
///     out = (n − 1)·S − P_left − P_right + D·(K − 1) + output_padding + 1
///
/// for an input of length n, kernel K, stride S, dilation D, padding P per side (PyTorch's `ConvTranspose2d`
/// formula, whose symmetric padding is P_left = P_right = P). It inverts `convolutionOutputSize` up to the
/// `output_padding` rows a strided convolution drops.
public func convTransposeOutputSize(
    inputSize n: Int, kernelSize k: Int, stride s: Int = 1, padding: Padding1D = 0, outputPadding: Int = 0,
    dilation d: Int = 1
) -> Int {
    (n - 1) * s - padding.left - padding.right + d * (k - 1) + outputPadding + 1
}

/// The number of trainable parameters of a 2-D convolution layer with `filters` kernels of size KH × KW over
/// `channels` input channels: F·C·KH·KW weights plus F biases (when `bias`). A 5 × 5 kernel over C = 3 channels
/// with F = 8 filters has 8·3·25 + 8 = 608.
public func convolutionParameterCount(kernel: Size2D, channels: Int, filters: Int, bias: Bool = true) -> Int {
    filters * channels * kernel.height * kernel.width + (bias ? filters : 0)
}
