// Transposed convolution of sequences and images, like PyTorch's `conv_transpose1d` / `conv_transpose2d`: the
// adjoint of convolution, computed by the same kernels with forward and input gradient exchanged.

extension Tensor {
    /// 2-D transposed convolution (also "fractionally strided convolution"; misnamed "deconvolution"), like PyTorch's
    /// `torch.nn.functional.conv_transpose2d`: every input pixel adds a copy of the kernel, weighted by its value, into
    /// the output, `stride` pixels apart (Dumoulin & Visin 2016, https://arxiv.org/abs/1603.07285):
    ///
    ///     y[n, o, i·S_h + kh·D_h − P_top, j·S_w + kw·D_w − P_left] += Σ_c x[n, c, i, j] · w[c, o, kh, kw]
    ///
    /// plus b[o] everywhere; contributions that land in the padding (before row 0 or past the last row) are dropped.
    ///
    /// Shapes: input (N, C_in, H, W), weight (C_in, C_out, KH, KW) (PyTorch's layout), bias (C_out) →
    /// (N, C_out, OH, OW) with
    ///
    ///     OH = (H − 1)·S_h − P_top − P_bottom + D_h·(KH − 1) + output_padding_h + 1
    ///
    /// and OW likewise (see `convTransposeOutputSize`). `padding` crops the full output; PyTorch's symmetric
    /// `padding=p` is `Padding2D(p)`. `outputPadding` adds rows and columns at the bottom and right: a strided
    /// `conv2d` maps several input sizes to the same output size, and this picks which one to return to; as in
    /// PyTorch it must be smaller than the stride or the dilation.
    ///
    /// It is the adjoint of `conv2d` with the same weight (read as (F, C, KH, KW) = (C_in, C_out, KH, KW)), stride,
    /// padding and dilation: ⟨x.conv2d(w), y⟩ = ⟨x, y.convTranspose2d(w)⟩. So the forward pass is one GEMM per
    /// image, Wᵀ·xₙ, then col2im; the VJP is ∂/∂x = g.conv2d(w) = W·cols(g), ∂/∂W = Σₙ xₙ·cols(gₙ)ᵀ and
    /// ∂/∂b = Σ_{n,i,j} g, each computed only when needed. Groups are not supported.
    public func convTranspose2d(
        _ weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Padding2D = 0, outputPadding: Size2D = 0,
        dilation: Size2D = 1
    ) -> Tensor {
        let output = checkTransposedConvolution(
            "convTranspose2d", input: self, weight: weight, bias: bias, stride: [stride.height, stride.width],
            padding: [
                Padding1D(left: padding.top, right: padding.bottom),
                Padding1D(left: padding.left, right: padding.right),
            ],
            outputPadding: [outputPadding.height, outputPadding.width], dilation: [dilation.height, dilation.width])
        return transposedConvolution2d(
            "convTranspose2d", self, weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
            output: Size2D(output[0], output[1]))
    }

    /// 1-D transposed convolution, like PyTorch's `torch.nn.functional.conv_transpose1d`: the adjoint of `conv1d`.
    ///
    ///     y[n, o, i·S + k·D − P_left] += Σ_c x[n, c, i] · w[c, o, k]      (+ b[o])
    ///
    /// Shapes: input (N, C_in, L), weight (C_in, C_out, K), bias (C_out) → (N, C_out, OL) with
    /// OL = (L − 1)·S − P_left − P_right + D·(K − 1) + output_padding + 1. It is `convTranspose2d` on images of
    /// height 1, with the same VJP.
    public func convTranspose1d(
        _ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding1D = 0, outputPadding: Int = 0,
        dilation: Int = 1
    ) -> Tensor {
        let output = checkTransposedConvolution(
            "convTranspose1d", input: self, weight: weight, bias: bias, stride: [stride], padding: [padding],
            outputPadding: [outputPadding], dilation: [dilation])
        let (n, c, l) = (shape[0], shape[1], shape[2])
        let (o, k) = (weight.shape[1], weight.shape[2])
        let y = transposedConvolution2d(
            "convTranspose1d", reshaped([n, c, 1, l]), weight.reshaped([c, o, 1, k]), bias: bias,
            stride: Size2D(1, stride), padding: Padding2D(padding), dilation: Size2D(1, dilation),
            output: Size2D(1, output[0]))  // (N, C_out, 1, OL)
        return y.reshaped([n, o, output[0]])
    }
}

/// The differentiable 2-D transposed convolution of checked operands: forward and VJP side by side.
private func transposedConvolution2d(
    _ name: StaticString, _ input: Tensor, _ weight: Tensor, bias: Tensor?, stride: Size2D, padding: Padding2D,
    dilation: Size2D, output: Size2D
) -> Tensor {
    // The windows of the adjoint convolution: it slides over this op's output (C_out, OH, OW), one window per
    // input pixel (H, W).
    let windows = SlidingWindows(
        channels: weight.shape[1], height: output.height, width: output.width,
        kernel: Size2D(weight.shape[2], weight.shape[3]), output: Size2D(input.shape[2], input.shape[3]),
        stride: stride, dilation: dilation, padTop: padding.top, padLeft: padding.left)
    let out = convolutionInputGradient(input, weight: weight, bias: bias, windows)  // (N, C_out, OH, OW)
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    let hasBias = bias != nil
    return out.recorded(name, inputs) { g, needs in
        var grads: [Tensor?] = [
            needs[0] ? convolutionForward(g, weight: weight, bias: nil, windows) : nil,
            needs[1] ? convolutionWeightGradient(g, input, windows, shape: weight.shape).weight : nil,
        ]
        if hasBias { grads.append(needs[2] ? channelSums(g) : nil) }
        return grads
    }
}

/// Checks the operands of a transposed convolution over `stride.count` spatial axes and returns its output
/// sizes; every message names the op and the shapes.
private func checkTransposedConvolution(
    _ name: StaticString, input: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Padding1D],
    outputPadding: [Int], dilation: [Int]
) -> [Int] {
    let spatial = stride.count
    checkConvolutionOperands(
        name, input: input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
        transposed: true)
    for axis in 0..<spatial {
        precondition(
            outputPadding[axis] >= 0 && (outputPadding[axis] < stride[axis] || outputPadding[axis] < dilation[axis]),
            "\(name): output padding \(outputPadding) must be nonnegative and smaller than the stride \(stride) "
                + "or the dilation \(dilation)")
    }
    let sizes = (0..<spatial).map { axis in
        convTransposeOutputSize(
            inputSize: input.shape[axis + 2], kernelSize: weight.shape[axis + 2], stride: stride[axis],
            padding: padding[axis], outputPadding: outputPadding[axis], dilation: dilation[axis])
    }
    precondition(
        sizes.allSatisfy { $0 > 0 },
        "\(name): output size \(sizes) is not positive for input \(input.shape), weight \(weight.shape), "
            + "stride \(stride), padding \(describePadding(padding)), output padding \(outputPadding), "
            + "dilation \(dilation)")
    return sizes
}
