import Ops
import TestSupport
import Testing

// convTranspose1d / convTranspose2d: exact forward values, the adjoint identity with conv, gradients against
// finite differences, and the hand-written VJP against the composition from primitives.

/// [[1, 2], [3, 4]] as (1, 1, 2, 2).
private func square1to4() -> Tensor { Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float64) }

@Test func transposedConvolutionOfA2x2InputWithStride1() {
    // Each input pixel adds itself times the kernel [[1, 2], [3, 4]] at its own position of the 3×3 output.
    let y = square1to4().convTranspose2d(square1to4())
    #expect(y.shape == [1, 1, 3, 3])
    #expect(y.scalars == [1, 4, 4, 6, 20, 16, 9, 24, 16])
    // Padding 1 crops one pixel from every side.
    #expect(square1to4().convTranspose2d(square1to4(), padding: 1).scalars == [20])
}

@Test func transposedConvolutionWithStride2TilesTheKernel() {
    // Stride 2 with a 2×2 kernel: every input pixel paints its own 2×2 block, x[i, j]·w.
    let y = square1to4().convTranspose2d(square1to4(), stride: 2)
    #expect(y.shape == [1, 1, 4, 4])
    #expect(y.scalars == [1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16])
    // Padding 1 keeps the central 2×2; output padding 1 adds a row and a column at the bottom and right that
    // receive contributions past the crop.
    #expect(square1to4().convTranspose2d(square1to4(), stride: 2, padding: 1).scalars == [4, 6, 6, 4])
    let extended = square1to4().convTranspose2d(square1to4(), stride: 2, padding: 1, outputPadding: 1)
    #expect(extended.shape == [1, 1, 3, 3])
    #expect(extended.scalars == [4, 6, 8, 6, 4, 8, 12, 12, 16])
}

@Test func transposedConvolutionChannelsAndBias() {
    // Two input channels, three output channels: y[o] = Σ_c x[c] · w[c, o] for a 1×1 kernel, plus b[o].
    let x = Tensor([1, 2, 10, 20], shape: [1, 2, 1, 2], dtype: .float64)
    let w = Tensor([1, 0, 2, 0, 1, 3], shape: [2, 3, 1, 1], dtype: .float64)  // (C_in, C_out, 1, 1)
    let b = Tensor([0.5, -1, 0], dtype: .float64)
    let y = x.convTranspose2d(w, bias: b)
    #expect(y.shape == [1, 3, 1, 2])
    #expect(y.scalars == [1.5, 2.5, 9, 19, 32, 64])
}

@Test func transposedConvolution1d() {
    // [1, 2] with kernel [1, 1, 1], stride 2: [1, 1, 1+2, 2, 2].
    let x = Tensor([1, 2], shape: [1, 1, 2], dtype: .float64)
    let w = Tensor([1, 1, 1], shape: [1, 1, 3], dtype: .float64)
    #expect(x.convTranspose1d(w, stride: 2).scalars == [1, 1, 3, 2, 2])
    #expect(x.convTranspose1d(w, stride: 2, padding: 1, outputPadding: 1).scalars == [1, 3, 2, 2])
    // Dilation 2 spaces the kernel taps: [1, 0, 1, 0, 1] + [0, 2, 0, 2, 0, 2].
    #expect(x.convTranspose1d(w, dilation: 2).scalars == [1, 2, 1, 2, 1, 2])
}

/// With the same weight, stride, padding and dilation, the transposed convolution is the adjoint of the
/// convolution: ⟨conv2d(x), y⟩ = ⟨x, convTranspose2d(y)⟩.
@Test func transposedConvolutionIsTheAdjointOfConvolution() {
    var rng = RandomGenerator(seed: 6)
    let w = Tensor.normal([3, 2, 3, 2], dtype: .float64, using: &rng)  // conv (F 3, C 2); transposed (3 → 2)
    let x = Tensor.normal([2, 2, 7, 6], dtype: .float64, using: &rng)
    let padding = Padding2D(top: 1, bottom: 2, left: 0, right: 1)
    let cx = x.conv2d(w, stride: Size2D(2, 3), padding: padding, dilation: Size2D(1, 2))
    #expect(cx.shape == [2, 3, 4, 2])
    let y = Tensor.normal(cx.shape, dtype: .float64, using: &rng)
    // Output padding (1, 1) recovers the 7×6 input: (4 − 1)·2 − 3 + 1·2 + 1 + 1 = 7, (2 − 1)·3 − 1 + 2·1 + 1 + 1 = 6.
    let ty = y.convTranspose2d(
        w, stride: Size2D(2, 3), padding: padding, outputPadding: Size2D(1, 1), dilation: Size2D(1, 2))
    #expect(ty.shape == x.shape)
    let left = (cx * y).sum().item(), right = (x * ty).sum().item()
    #expect(Swift.abs(left - right) <= 1e-10 * Swift.max(1, Swift.abs(left)))
}

let transposedConvolutionGradientCases: [GradientCase] = [
    GradientCase("convTranspose2d stride 1", [[1, 1, 3, 3], [1, 2, 2, 2]]) { $0[0].convTranspose2d($0[1]) },
    GradientCase("convTranspose2d stride 2, padding 1, bias", [[2, 2, 3, 3], [2, 3, 3, 3], [3]]) {
        $0[0].convTranspose2d($0[1], bias: $0[2], stride: 2, padding: 1)
    },
    GradientCase("convTranspose2d output padding, dilation, asymmetric", [[1, 2, 3, 2], [2, 2, 2, 3]]) {
        $0[0].convTranspose2d(
            $0[1], stride: Size2D(2, 3), padding: Padding2D(top: 1, bottom: 0, left: 2, right: 1),
            outputPadding: Size2D(1, 2), dilation: Size2D(2, 1))
    },
    GradientCase("convTranspose1d stride 3, padding, bias", [[2, 2, 4], [2, 1, 4], [1]]) {
        $0[0].convTranspose1d($0[1], bias: $0[2], stride: 3, padding: 1, outputPadding: 2)
    },
]

@Test("transposed convolution gradients (float64)", arguments: transposedConvolutionGradientCases)
func transposedConvolutionGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 17))
    #expect(result.passed, "\(c.name): \(result)")
}

let transposedConvolutionReferenceCases: [ComposedReferenceCase] = [
    ComposedReferenceCase("convTranspose2d stride 1", [[2, 2, 3, 3], [2, 3, 2, 2]], op: {
        $0[0].convTranspose2d($0[1])
    }) { referenceConvTranspose2d($0[0], $0[1]) },
    ComposedReferenceCase("convTranspose2d stride 2, padding 1, bias", [[2, 3, 3, 4], [3, 2, 3, 3], [2]], op: {
        $0[0].convTranspose2d($0[1], bias: $0[2], stride: 2, padding: 1)
    }) { referenceConvTranspose2d($0[0], $0[1], bias: $0[2], stride: 2, padding: 1) },
    ComposedReferenceCase("convTranspose2d asymmetric, output padding, dilation", [[1, 2, 3, 3], [2, 2, 3, 2]], op: {
        $0[0].convTranspose2d(
            $0[1], stride: Size2D(3, 2), padding: Padding2D(top: 2, bottom: 1, left: 0, right: 1),
            outputPadding: Size2D(2, 1), dilation: Size2D(1, 2))
    }) {
        referenceConvTranspose2d(
            $0[0], $0[1], stride: Size2D(3, 2), padding: Padding2D(top: 2, bottom: 1, left: 0, right: 1),
            outputPadding: Size2D(2, 1), dilation: Size2D(1, 2))
    },
    ComposedReferenceCase("convTranspose1d stride 2, bias", [[2, 2, 4], [2, 3, 3], [3]], op: {
        $0[0].convTranspose1d($0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
    }) {
        referenceConvTranspose2d(
            $0[0].unsqueezed(axis: 2), $0[1].unsqueezed(axis: 2), bias: $0[2], stride: Size2D(1, 2),
            padding: Padding2D(top: 0, bottom: 0, left: 1, right: 1), outputPadding: Size2D(0, 1)
        ).squeezed(axis: 2)
    },
]

@Test("transposed convolution matches its composition from primitives", arguments: transposedConvolutionReferenceCases)
func transposedConvolutionMatchesReference(_ c: ComposedReferenceCase) {
    c.check()
}
