// Convolution of sequences (N, C, L) and images (N, C, H, W) with learned filters, as in PyTorch's
// `torch.nn.functional.conv1d` / `conv2d`: im2col + GEMM forward, a hand-written VJP (see ConvolutionKernels.swift).

extension Tensor {
    /// 2-D convolution of a batch of images with F filters, like PyTorch's `torch.nn.functional.conv2d` (as there,
    /// the kernel is not flipped: this is cross-correlation, LeCun et al. 1998).
    ///
    ///     y[n, f, i, j] = b[f] + Σ_c Σ_kh Σ_kw  w[f, c, kh, kw] · x̃[n, c, i·S_h + kh·D_h, j·S_w + kw·D_w]
    ///
    /// where x̃ is x padded with `padding.top` rows above, `padding.bottom` below, `padding.left` and `padding.right`
    /// columns beside it: zeros, or for `.circular` the input wrapped around (x̃ row −1 is x row H − 1).
    ///
    /// Shapes: input (N, C, H, W), weight (F, C, KH, KW), bias (F) → (N, F, OH, OW) with
    ///
    ///     OH = ⌊(H + P_top + P_bottom − D_h·(KH − 1) − 1) / S_h⌋ + 1
    ///     OW = ⌊(W + P_left + P_right − D_w·(KW − 1) − 1) / S_w⌋ + 1
    ///
    /// (see `convolutionOutputSize`); rows and columns past the last full stride are dropped. Computed per image as
    /// im2col and one GEMM, (F, C·KH·KW) · (C·KH·KW, OH·OW).
    ///
    /// VJP, for the operands that need one: ∂/∂x = col2im(Wᵀ·g) (folding padded positions away, or back onto the
    /// wrapped elements when circular), ∂/∂W = g·cols(x)ᵀ, ∂/∂b = Σ_{n,i,j} g.
    ///
    /// `.reflect` padding is done first, as its own op (`padded(_:mode:)`), then the convolution without padding.
    /// With `groups` G > 1 (PyTorch's `groups`), the channels split into G groups that are convolved separately:
    /// weight (F, C/G, KH, KW), filters f·G/F… of group g read only input channels g·C/G ..< (g + 1)·C/G; both C and
    /// F must be multiples of G (G = C = F is a depthwise convolution). It runs as G convolutions concatenated.
    public func conv2d(
        _ weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Padding2D = 0, dilation: Size2D = 1,
        paddingMode: PaddingMode = .zeros, groups: Int = 1
    ) -> Tensor {
        if paddingMode == .reflect {
            return padded(padding, mode: .reflect).conv2d(
                weight, bias: bias, stride: stride, dilation: dilation, groups: groups)
        }
        if groups != 1 {
            return grouped("conv2d", weight, bias: bias, groups: groups) { x, w, b in
                x.conv2d(w, bias: b, stride: stride, padding: padding, dilation: dilation, paddingMode: paddingMode)
            }
        }
        let output = checkConvolution(
            "conv2d", input: self, weight: weight, bias: bias, stride: [stride.height, stride.width],
            padding: [
                Padding1D(left: padding.top, right: padding.bottom),
                Padding1D(left: padding.left, right: padding.right),
            ],
            dilation: [dilation.height, dilation.width], mode: paddingMode)
        return convolution2d(
            "conv2d", self, weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
            circular: paddingMode == .circular, output: Size2D(output[0], output[1]))
    }

    /// relu(maxPool2d(conv2d(x))) as one op, the block of a classic CNN: equal in values and gradients to the three
    /// ops in a row (`conv2d` with zero padding, then `rectifiedMaxPool2d`, which is relu∘maxPool = maxPool∘relu),
    /// but each image's convolution output is pooled while it is in cache and never stored; the backward rebuilds
    /// each image's convolution gradient from the pooled one the same way. Arguments as in `conv2d` and
    /// `maxPool2d` (pooling without padding; `poolStride` defaults to `poolKernel`).
    ///
    /// Shapes: input (N, C, H, W), weight (F, C, KH, KW), bias (F) → (N, F, POH, POW), the pooling's output sizes
    /// of the convolution's (OH, OW).
    public func conv2dRectifiedMaxPool2d(
        _ weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Padding2D = 0, dilation: Size2D = 1,
        poolKernel: Size2D, poolStride: Size2D? = nil
    ) -> Tensor {
        let name: StaticString = "conv2dRectifiedMaxPool2d"
        let size = checkConvolution(
            name, input: self, weight: weight, bias: bias, stride: [stride.height, stride.width],
            padding: [
                Padding1D(left: padding.top, right: padding.bottom),
                Padding1D(left: padding.left, right: padding.right),
            ],
            dilation: [dilation.height, dilation.width], mode: .zeros)
        let windows = SlidingWindows(
            channels: shape[1], height: shape[2], width: shape[3], kernel: Size2D(weight.shape[2], weight.shape[3]),
            output: Size2D(size[0], size[1]), stride: stride, dilation: dilation, padTop: padding.top,
            padLeft: padding.left)
        let convolutionShape = [shape[0], weight.shape[0], size[0], size[1]]
        let poolWindows = checkPooling(
            name, convolutionShape, kernel: poolKernel, stride: poolStride ?? poolKernel, padding: 0)
        let pooling = MaxPoolPlanes(poolWindows, stride: poolStride ?? poolKernel, rectified: true)
        let (out, argmax) = convolutionPoolingForward(self, weight: weight, bias: bias, windows, pooling: pooling)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let hasBias = bias != nil
        return out.recorded(name, inputs) { g, needs in
            let needsBias = hasBias && needs[2]
            let (dInput, dWeight, dBias) = convolutionBackward(
                self, g, weight: needs[0] ? weight : nil, windows, weightShape: needs[1] ? weight.shape : nil,
                withBias: needsBias, unpooling: Unpooling(planes: pooling, argmax: argmax, output: out))
            return hasBias ? [dInput, dWeight, dBias] : [dInput, dWeight]
        }
    }

    /// 1-D convolution of a batch of sequences with F filters, like PyTorch's `torch.nn.functional.conv1d`:
    ///
    ///     y[n, f, i] = b[f] + Σ_c Σ_k  w[f, c, k] · x̃[n, c, i·S + k·D]
    ///
    /// where x̃ is x padded with `padding.left` elements before and `padding.right` after (zeros, or wrapped around for
    /// `.circular`).
    ///
    /// Shapes: input (N, C, L), weight (F, C, K), bias (F) → (N, F, OL) with OL = ⌊(L + P_left + P_right − D·(K − 1)
    /// − 1) / S⌋ + 1. It is `conv2d` on images of height 1, with the same VJP. `.reflect` padding and `groups` are as
    /// in `conv2d` (weight (F, C/G, K)).
    public func conv1d(
        _ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding1D = 0, dilation: Int = 1,
        paddingMode: PaddingMode = .zeros, groups: Int = 1
    ) -> Tensor {
        if paddingMode == .reflect {
            return padded(axis: -1, padding, mode: .reflect).conv1d(
                weight, bias: bias, stride: stride, dilation: dilation, groups: groups)
        }
        if groups != 1 {
            return grouped("conv1d", weight, bias: bias, groups: groups) { x, w, b in
                x.conv1d(w, bias: b, stride: stride, padding: padding, dilation: dilation, paddingMode: paddingMode)
            }
        }
        let output = checkConvolution(
            "conv1d", input: self, weight: weight, bias: bias, stride: [stride], padding: [padding],
            dilation: [dilation], mode: paddingMode)
        let (n, c, l) = (shape[0], shape[1], shape[2])
        let (f, k) = (weight.shape[0], weight.shape[2])
        let y = convolution2d(
            "conv1d", reshaped([n, c, 1, l]), weight.reshaped([f, c, 1, k]), bias: bias,
            stride: Size2D(1, stride), padding: Padding2D(padding), dilation: Size2D(1, dilation),
            circular: paddingMode == .circular, output: Size2D(1, output[0]))  // (N, F, 1, OL)
        return y.reshaped([n, f, output[0]])
    }
}

extension Tensor {
    /// A grouped convolution as `groups` convolutions of channel slices, concatenated along the channels: group g
    /// convolves input channels g·C/G ..< (g + 1)·C/G with filters g·F/G ..< (g + 1)·F/G (and their biases).
    fileprivate func grouped(
        _ name: StaticString, _ weight: Tensor, bias: Tensor?, groups: Int,
        _ convolve: (Tensor, Tensor, Tensor?) -> Tensor
    ) -> Tensor {
        precondition(rank >= 3 && weight.rank == rank, "\(name): input \(shape) and weight \(weight.shape) ranks")
        let (c, f) = (shape[1], weight.shape[0])
        precondition(
            groups > 0 && c % groups == 0 && f % groups == 0 && weight.shape[1] == c / groups,
            "\(name): \(groups) groups need C = \(c) and F = \(f) divisible by them and a weight (F, C/groups, …), "
                + "got weight \(weight.shape)")
        let (cg, fg) = (c / groups, f / groups)
        let parts = (0..<groups).map { g in
            convolve(
                sliced(axis: 1, g * cg..<(g + 1) * cg), weight.sliced(axis: 0, g * fg..<(g + 1) * fg),
                bias?.sliced(axis: 0, g * fg..<(g + 1) * fg))
        }
        return Tensor.concatenate(parts, axis: 1)
    }
}

/// The differentiable 2-D convolution of checked operands: forward and VJP side by side.
private func convolution2d(
    _ name: StaticString, _ input: Tensor, _ weight: Tensor, bias: Tensor?, stride: Size2D, padding: Padding2D,
    dilation: Size2D, circular: Bool, output: Size2D
) -> Tensor {
    let windows = SlidingWindows(
        channels: input.shape[1], height: input.shape[2], width: input.shape[3],
        kernel: Size2D(weight.shape[2], weight.shape[3]), output: output, stride: stride, dilation: dilation,
        padTop: padding.top, padLeft: padding.left, circular: circular)
    let out = convolutionForward(input, weight: weight, bias: bias, windows)  // (N, F, OH, OW)
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    let hasBias = bias != nil
    return out.recorded(name, inputs) { g, needs in
        let needsBias = hasBias && needs[2]
        guard needs[0] || needs[1] else { return hasBias ? [nil, nil, needsBias ? channelSums(g) : nil] : [nil, nil] }
        // One pass over g for all three gradients.
        let (dInput, dWeight, dBias) = convolutionBackward(
            input, g, weight: needs[0] ? weight : nil, windows, weightShape: needs[1] ? weight.shape : nil,
            withBias: needsBias)
        return hasBias ? [dInput, dWeight, dBias] : [dInput, dWeight]
    }
}

/// Checks the operands of a convolution over `stride.count` spatial axes and returns its output sizes; every
/// message names the op and the shapes.
private func checkConvolution(
    _ name: StaticString, input: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Padding1D],
    dilation: [Int], mode: PaddingMode
) -> [Int] {
    let spatial = stride.count
    checkConvolutionOperands(
        name, input: input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
        transposed: false)
    precondition(
        mode == .zeros || input.shape[2...].allSatisfy { $0 > 0 },
        "\(name): circular padding of an empty input \(input.shape)")
    let sizes = (0..<spatial).map { axis in
        convolutionOutputSize(
            inputSize: input.shape[axis + 2], kernelSize: weight.shape[axis + 2], stride: stride[axis],
            padding: padding[axis], dilation: dilation[axis])
    }
    precondition(
        sizes.allSatisfy { $0 > 0 },
        "\(name): output size \(sizes) is not positive for input \(input.shape), weight \(weight.shape), "
            + "stride \(stride), padding \(describePadding(padding)), dilation \(dilation)")
    return sizes
}

/// The checks a convolution and a transposed convolution share, over `stride.count` spatial axes: ranks,
/// dtypes, channel counts, bias, stride, dilation and padding. A convolution's weight is (F, C, K…), a transposed
/// one's (C_in, C_out, K…); every message names the op and the shapes.
func checkConvolutionOperands(
    _ name: StaticString, input: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Padding1D],
    dilation: [Int], transposed: Bool
) {
    let spatial = stride.count
    let channels = transposed ? "C_in" : "C"
    let layout = spatial == 1 ? "(N, \(channels), L)" : "(N, \(channels), H, W)"
    let weightLayout = transposed ? "(C_in, C_out" : "(F, C"
    let (inputAxis, outputAxis) = transposed ? (0, 1) : (1, 0)  // where the weight holds C_in and C_out
    precondition(input.rank == spatial + 2, "\(name): input must be \(layout), got \(input.shape)")
    precondition(
        weight.rank == spatial + 2,
        "\(name): weight must have rank \(spatial + 2), \(weightLayout)\(spatial == 1 ? ", K" : ", KH, KW")), "
            + "got \(weight.shape)")
    precondition(
        input.dtype == weight.dtype, "\(name): dtypes differ, input \(input.dtype) and weight \(weight.dtype)")
    precondition(
        input.shape[1] == weight.shape[inputAxis],
        "\(name): input \(input.shape) has \(input.shape[1]) channels, "
            + "weight \(weight.shape) expects \(weight.shape[inputAxis])")
    precondition(weight.shape.allSatisfy { $0 > 0 }, "\(name): weight \(weight.shape) has an empty axis")
    if let bias {
        precondition(
            bias.shape == [weight.shape[outputAxis]] && bias.dtype == input.dtype,
            "\(name): bias \(bias.shape) \(bias.dtype) must be [\(weight.shape[outputAxis])] \(input.dtype) "
                + "for weight \(weight.shape)")
    }
    precondition(
        stride.allSatisfy { $0 > 0 } && dilation.allSatisfy { $0 > 0 },
        "\(name): stride \(stride) and dilation \(dilation) must be positive")
    precondition(
        padding.allSatisfy { $0.left >= 0 && $0.right >= 0 },
        "\(name): padding \(describePadding(padding)) must be nonnegative")
}

/// Padding per spatial axis as (before, after), e.g. "[(1, 1), (0, 2)]": (top, bottom), (left, right) for images.
func describePadding(_ padding: [Padding1D]) -> String {
    "[" + padding.map { "(\($0.left), \($0.right))" }.joined(separator: ", ") + "]"
}
