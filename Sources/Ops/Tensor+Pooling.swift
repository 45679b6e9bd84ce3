// Max and average pooling over sliding windows of sequences (N, C, L) and images (N, C, H, W), and global average
// pooling, like PyTorch's `max_pool1d/2d`, `avg_pool1d/2d` and `adaptive_avg_pool2d(x, 1)`. Hand-written VJPs
// (PoolingKernels.swift).

extension Tensor {
    /// 2-D max pooling, like PyTorch's `torch.nn.functional.max_pool2d` (without dilation or ceil mode):
    ///
    ///     y[n, c, i, j] = max_{kh < KH, kw < KW} x̃[n, c, i·S_h + kh, j·S_w + kw]
    ///
    /// where x̃ is x padded with −∞, so padding never wins. Shapes: (N, C, H, W) → (N, C, OH, OW) with
    /// OH = ⌊(H + P_top + P_bottom − KH) / S_h⌋ + 1 and OW likewise; `stride` defaults to the kernel (non-overlapping
    /// windows). As in PyTorch, each side's padding is at most half the kernel, so every window holds an input element.
    ///
    /// Subgradient: each output's gradient goes to one element, its window's arg-max: the *first* maximum in row-major
    /// window order (top row first, left to right), as PyTorch; a NaN counts as larger than any number (the first NaN
    /// wins and propagates). An element that is the maximum of several overlapping windows receives their sum.
    public func maxPool2d(kernel: Size2D, stride: Size2D? = nil, padding: Padding2D = 0) -> Tensor {
        let windows = checkPooling("maxPool2d", shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
        return maxPooling("maxPool2d", self, windows, stride: stride ?? kernel)
    }

    /// relu(maxPool2d(x)) as one op, which equals maxPool2d(relu(x)) in values and gradients: the window's maximum
    /// is the same element either way, and relu′ = 0 (relu′(0) = 0) wherever that maximum is ≤ 0. One pass over the
    /// input instead of two (pooling, then a ReLU over the output and its backward); a NaN maximum gives 0, as `relu`.
    /// Arguments and shapes as in `maxPool2d`.
    public func rectifiedMaxPool2d(kernel: Size2D, stride: Size2D? = nil, padding: Padding2D = 0) -> Tensor {
        let windows = checkPooling(
            "rectifiedMaxPool2d", shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
        return maxPooling("rectifiedMaxPool2d", self, windows, stride: stride ?? kernel, rectified: true)
    }

    /// 1-D max pooling, like PyTorch's `torch.nn.functional.max_pool1d`: y[n, c, i] = max_{k < K} x̃[n, c, i·S + k],
    /// x̃ padded with −∞. Shapes: (N, C, L) → (N, C, ⌊(L + P_left + P_right − K) / S⌋ + 1); `stride` defaults to the
    /// kernel. Ties go to the first maximum, as in `maxPool2d`.
    public func maxPool1d(kernel: Int, stride: Int? = nil, padding: Padding1D = 0) -> Tensor {
        precondition(rank == 3, "maxPool1d: input must be (N, C, L), got \(shape)")
        let (n, c, l) = (shape[0], shape[1], shape[2])
        let image = reshaped([n, c, 1, l])  // (N, C, 1, L): checked and pooled as an image of height 1
        let windows = checkPooling(
            "maxPool1d", image.shape, kernel: Size2D(1, kernel), stride: Size2D(1, stride ?? kernel),
            padding: Padding2D(padding))
        let y = maxPooling("maxPool1d", image, windows, stride: Size2D(1, stride ?? kernel))  // (N, C, 1, OL)
        return y.reshaped([n, c, windows.outputWidth])
    }

    /// 2-D average pooling, like PyTorch's `torch.nn.functional.avg_pool2d` with its defaults
    /// (`count_include_pad=True`, no ceil mode):
    ///
    ///     y[n, c, i, j] = (1 / (KH·KW)) Σ_{kh < KH, kw < KW} x̃[n, c, i·S_h + kh, j·S_w + kw]
    ///
    /// where x̃ is x padded with zeros, and the padded zeros count in the divisor: a corner window of a padded input
    /// averages fewer real elements but still divides by KH·KW. Shapes: (N, C, H, W) → (N, C, OH, OW) with
    /// OH = ⌊(H + P_top + P_bottom − KH) / S_h⌋ + 1 and OW likewise; `stride` defaults to the kernel; each side's
    /// padding is at most half the kernel. VJP: each output spreads g / (KH·KW) over the input elements of its window.
    public func avgPool2d(kernel: Size2D, stride: Size2D? = nil, padding: Padding2D = 0) -> Tensor {
        let windows = checkPooling("avgPool2d", shape, kernel: kernel, stride: stride ?? kernel, padding: padding)
        return averagePooling("avgPool2d", self, windows)
    }

    /// 1-D average pooling, like PyTorch's `torch.nn.functional.avg_pool1d` (`count_include_pad=True`):
    /// y[n, c, i] = (1 / K) Σ_{k < K} x̃[n, c, i·S + k], x̃ zero-padded. Shapes: (N, C, L) →
    /// (N, C, ⌊(L + P_left + P_right − K) / S⌋ + 1); `stride` defaults to the kernel.
    public func avgPool1d(kernel: Int, stride: Int? = nil, padding: Padding1D = 0) -> Tensor {
        precondition(rank == 3, "avgPool1d: input must be (N, C, L), got \(shape)")
        let (n, c, l) = (shape[0], shape[1], shape[2])
        let image = reshaped([n, c, 1, l])  // (N, C, 1, L): checked and pooled as an image of height 1
        let windows = checkPooling(
            "avgPool1d", image.shape, kernel: Size2D(1, kernel), stride: Size2D(1, stride ?? kernel),
            padding: Padding2D(padding))
        let y = averagePooling("avgPool1d", image, windows)  // (N, C, 1, OL)
        return y.reshaped([n, c, windows.outputWidth])
    }

    /// Global average pooling (Lin et al. 2013, "Network in Network", https://arxiv.org/abs/1312.4400), like
    /// PyTorch's `adaptive_avg_pool2d(x, 1)` flattened: the mean of each channel over all positions,
    ///
    ///     y[n, c] = (1 / (H·W)) Σ_{i, j} x[n, c, i, j].
    ///
    /// Shapes: (N, C, H, W) → (N, C). Composed from `mean`, so ∂/∂x = g / (H·W) at every position.
    public func globalAvgPool2d() -> Tensor {
        precondition(
            rank == 4 && shape[2] * shape[3] > 0,
            "globalAvgPool2d: input must be (N, C, H, W) with H·W > 0, got \(shape)")
        return mean(axes: [2, 3])
    }
}

/// Checks a pooling's operands (N, C, H, W) and returns its windows; every message names the op and the shapes.
func checkPooling(
    _ name: StaticString, _ shape: [Int], kernel: Size2D, stride: Size2D, padding: Padding2D
) -> SlidingWindows {
    precondition(shape.count == 4, "\(name): input must be (N, C, H, W), got \(shape)")
    precondition(
        kernel.height > 0 && kernel.width > 0 && stride.height > 0 && stride.width > 0,
        "\(name): kernel \(kernel) and stride \(stride) must be positive")
    precondition(
        padding.isNonnegative && Swift.max(padding.top, padding.bottom) <= kernel.height / 2
            && Swift.max(padding.left, padding.right) <= kernel.width / 2,
        "\(name): padding \(padding) must be nonnegative and at most half the kernel \(kernel)")
    let (h, w) = (shape[2], shape[3])
    let output = Size2D(
        convolutionOutputSize(
            inputSize: h, kernelSize: kernel.height, stride: stride.height,
            padding: Padding1D(left: padding.top, right: padding.bottom)),
        convolutionOutputSize(
            inputSize: w, kernelSize: kernel.width, stride: stride.width,
            padding: Padding1D(left: padding.left, right: padding.right)))
    precondition(
        output.height > 0 && output.width > 0,
        "\(name): output size \(output) is not positive for input \(shape), kernel \(kernel), "
            + "stride \(stride), padding \(padding)")
    return SlidingWindows(
        channels: 1, height: h, width: w, kernel: kernel, output: output, stride: stride, padTop: padding.top,
        padLeft: padding.left)
}
