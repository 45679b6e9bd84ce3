import Ops
import TestSupport
import Testing

// conv1d / conv2d: exact forward values, output sizes, gradients against finite differences, and the hand-written
// VJP against the same convolution composed from primitives.

/// The 3×3 image [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as (1, 1, 3, 3).
private func image1to9() -> Tensor { Tensor((1...9).map(Double.init), shape: [1, 1, 3, 3], dtype: .float64) }

/// The 2×2 kernel [[1, 2], [3, 4]] as (1, 1, 2, 2).
private func kernel1to4() -> Tensor { Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float64) }

// MARK: - Forward values

@Test func conv1dOfASignalWithALength3Filter() {
    let x = Tensor([1, 2, 3, 4, 5], shape: [1, 1, 5], dtype: .float64)
    let w = Tensor([1, 2, 3], shape: [1, 1, 3], dtype: .float64)
    // y[i] = 1·x[i] + 2·x[i+1] + 3·x[i+2]
    #expect(x.conv1d(w).scalars == [14, 20, 26])
    // Zero padding 1: [0, 1, 2, 3, 4, 5, 0].
    #expect(x.conv1d(w, padding: 1).scalars == [8, 14, 20, 26, 14])
    #expect(x.conv1d(w, stride: 2, padding: 1).scalars == [8, 20, 14])
    // Padding only on the right: [1, 2, 3, 4, 5, 0, 0].
    #expect(x.conv1d(w, padding: Padding1D(left: 0, right: 2)).scalars == [14, 20, 26, 14, 5])
    let bias = Tensor([0.5], dtype: .float64)
    #expect(x.conv1d(w, bias: bias).scalars == [14.5, 20.5, 26.5])
}

@Test func conv1dWithSeveralChannelsAndFilters() {
    // x: 2 channels [1, 2, 3] and [10, 20, 30]; filter 0 sums the channels' first taps, filter 1 differences them.
    let x = Tensor([1, 2, 3, 10, 20, 30], shape: [1, 2, 3], dtype: .float64)
    let w = Tensor([1, 0, 1, 0, 0, 1, 0, -1], shape: [2, 2, 2], dtype: .float64)  // (F, C, K)
    let y = x.conv1d(w)
    #expect(y.shape == [1, 2, 2])
    #expect(y.scalars == [11, 22, 2 - 20, 3 - 30])
}

@Test func dilatedConvolutionOfA3x3Matrix() {
    // Dilation 2 spreads the 2×2 kernel over the corners of the 3×3 image: 1·1 + 2·3 + 3·7 + 4·9.
    #expect(image1to9().conv2d(kernel1to4(), dilation: 2).scalars == [64])
    // With padding 1 the dilated kernel visits every 3×3 block of the padded 5×5 image.
    let padded = image1to9().conv2d(kernel1to4(), padding: 1, dilation: 2)
    #expect(padded.shape == [1, 1, 3, 3])
    #expect(padded.scalars == [20, 36, 15, 36, 64, 26, 10, 16, 5])
}

@Test func strideAndAsymmetricPaddingOf3x3Matrix() {
    // Padding one row on top and one column on the right: [[0, 0, 0, 0], [1, 2, 3, 0], [4, 5, 6, 0], [7, 8, 9, 0]].
    let y = image1to9().conv2d(kernel1to4(), stride: 2, padding: Padding2D(top: 1, bottom: 0, left: 0, right: 1))
    #expect(y.shape == [1, 1, 2, 2])
    // Windows at rows 0–1 / 2–3 and columns 0–1 / 2–3: 3·1 + 4·2, 3·3, 1·4 + 2·5 + 3·7 + 4·8, 1·6 + 3·9.
    #expect(y.scalars == [11, 9, 67, 33])
}

@Test func circularPaddingWrapsAround() {
    // 1-D: [1, 2, 3, 4] padded circularly by 1 is [4, 1, 2, 3, 4, 1].
    let x = Tensor([1, 2, 3, 4], shape: [1, 1, 4], dtype: .float64)
    let ones = Tensor([1, 1, 1], shape: [1, 1, 3], dtype: .float64)
    #expect(x.conv1d(ones, padding: 1, paddingMode: .circular).scalars == [7, 6, 9, 8])
    // 2-D, one column wrapped in on the right: y[i, j] = x[i, j] + 10·x[i, (j + 1) mod 3].
    let right = Tensor([1, 10], shape: [1, 1, 1, 2], dtype: .float64)
    let y = image1to9().conv2d(right, padding: Padding2D(top: 0, bottom: 0, left: 0, right: 1), paddingMode: .circular)
    #expect(y.scalars == [21, 32, 13, 54, 65, 46, 87, 98, 79])
    // One row wrapped in on top: y[i, j] = x[(i − 1) mod 3, j] + 10·x[i, j].
    let down = Tensor([1, 10], shape: [1, 1, 2, 1], dtype: .float64)
    let z = image1to9().conv2d(down, padding: Padding2D(top: 1, bottom: 0, left: 0, right: 0), paddingMode: .circular)
    #expect(z.scalars == [17, 28, 39, 41, 52, 63, 74, 85, 96])
    // A 3×3 box filter with circular padding 1 sums the whole 3×3 image at every position.
    let box = Tensor.ones([1, 1, 3, 3], dtype: .float64)
    #expect(image1to9().conv2d(box, padding: 1, paddingMode: .circular).scalars == [Double](repeating: 45, count: 9))
}

@Test func biasIsAddedPerFilter() {
    let w = Tensor.ones([2, 1, 3, 3], dtype: .float64)
    let b = Tensor([1, -1], dtype: .float64)
    let y = image1to9().conv2d(w, bias: b)
    #expect(y.shape == [1, 2, 1, 1])
    #expect(y.scalars == [46, 44])
}

@Test func float32MatchesFloat64() {
    var rng = RandomGenerator(seed: 3)
    let x = Tensor.normal([2, 3, 6, 5], dtype: .float64, using: &rng)
    let w = Tensor.normal([4, 3, 3, 2], dtype: .float64, using: &rng)
    let b = Tensor.normal([4], dtype: .float64, using: &rng)
    let y64 = x.conv2d(w, bias: b, stride: Size2D(2, 1), padding: 1, dilation: Size2D(1, 2))
    let y32 = x.converted(to: .float32).conv2d(
        w.converted(to: .float32), bias: b.converted(to: .float32), stride: Size2D(2, 1), padding: 1,
        dilation: Size2D(1, 2))
    #expect(y32.dtype == .float32)
    #expect(maxRelativeDifference(y32.converted(to: .float64), y64) < 1e-5)
}

// MARK: - Output sizes

@Test func outputSizeFormula() {
    // ⌊(n + P_left + P_right − D·(K − 1) − 1) / S⌋ + 1
    #expect(convolutionOutputSize(inputSize: 28, kernelSize: 5) == 24)
    #expect(convolutionOutputSize(inputSize: 32, kernelSize: 3, stride: 2, padding: 1) == 16)
    #expect(convolutionOutputSize(inputSize: 7, kernelSize: 3, stride: 2, dilation: 2) == 2)
    #expect(convolutionOutputSize(inputSize: 5, kernelSize: 2, stride: 3, padding: Padding1D(left: 2, right: 0)) == 2)
    #expect(convolutionOutputSize(inputSize: 2, kernelSize: 5) == -2)
    // (n − 1)·S − P_left − P_right + D·(K − 1) + output_padding + 1
    #expect(convTransposeOutputSize(inputSize: 16, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1) == 32)
    #expect(convTransposeOutputSize(inputSize: 4, kernelSize: 3, stride: 1, dilation: 2) == 8)
}

@Test func outputShapesFollowTheFormula() {
    let x = Tensor.zeros([2, 3, 11, 8], dtype: .float64)
    let w = Tensor.zeros([5, 3, 3, 2], dtype: .float64)
    // OH = ⌊(11 + 1 + 2 − 2·2 − 1) / 3⌋ + 1 = 4, OW = ⌊(8 + 0 + 1 − 1 − 1) / 2⌋ + 1 = 4.
    let y = x.conv2d(
        w, stride: Size2D(3, 2), padding: Padding2D(top: 1, bottom: 2, left: 0, right: 1), dilation: Size2D(2, 1))
    #expect(y.shape == [2, 5, 4, 4])
    let signal = Tensor.zeros([3, 2, 10], dtype: .float64)
    #expect(signal.conv1d(Tensor.zeros([4, 2, 3], dtype: .float64), stride: 3, dilation: 2).shape == [3, 4, 2])
}

@Test func parameterCountOfAConvolutionLayer() {
    #expect(convolutionParameterCount(kernel: 5, channels: 3, filters: 8) == 608)
    #expect(convolutionParameterCount(kernel: 3, channels: 16, filters: 32, bias: false) == 32 * 16 * 9)
    #expect(convolutionParameterCount(kernel: Size2D(1, 7), channels: 2, filters: 4) == 4 * 2 * 7 + 4)
}

// MARK: - Gradients

let convolutionGradientCases: [GradientCase] = [
    GradientCase("conv2d 3×3, one channel", [[1, 1, 4, 4], [1, 1, 3, 3]]) { $0[0].conv2d($0[1]) },
    GradientCase("conv2d batch 2, C 2, F 3, bias, stride 2", [[2, 2, 5, 5], [3, 2, 3, 3], [3]]) {
        $0[0].conv2d($0[1], bias: $0[2], stride: 2)
    },
    GradientCase("conv2d asymmetric padding", [[2, 2, 4, 3], [2, 2, 2, 3]]) {
        $0[0].conv2d($0[1], padding: Padding2D(top: 1, bottom: 0, left: 2, right: 1))
    },
    GradientCase("conv2d dilation 2, padding 1, bias", [[1, 2, 5, 5], [2, 2, 2, 2], [2]]) {
        $0[0].conv2d($0[1], bias: $0[2], padding: 1, dilation: 2)
    },
    GradientCase("conv2d rectangular kernel, stride (2, 1), dilation (1, 2)", [[2, 1, 5, 6], [2, 1, 2, 3]]) {
        $0[0].conv2d($0[1], stride: Size2D(2, 1), dilation: Size2D(1, 2))
    },
    GradientCase("conv2d circular padding 1, bias", [[2, 2, 3, 4], [2, 2, 3, 3], [2]]) {
        $0[0].conv2d($0[1], bias: $0[2], padding: 1, paddingMode: .circular)
    },
    GradientCase("conv2d circular asymmetric, stride 2", [[1, 2, 4, 5], [3, 2, 2, 3]]) {
        $0[0].conv2d($0[1], stride: 2, padding: Padding2D(top: 0, bottom: 1, left: 2, right: 1), paddingMode: .circular)
    },
    GradientCase("conv2d input used twice", [[1, 2, 4, 4], [2, 2, 3, 3]]) {
        $0[0].conv2d($0[1], padding: 1) * $0[0].sum(axis: 1, keepDims: true)
    },
    GradientCase("conv2d 3×3 padding 1 (same size), bias", [[2, 2, 4, 5], [2, 2, 3, 3], [2]]) {
        $0[0].conv2d($0[1], bias: $0[2], padding: 1)
    },
    GradientCase("conv2d 2×3 padding (0, 1, 2, 0) (same size)", [[1, 2, 3, 4], [2, 2, 2, 3]]) {
        $0[0].conv2d($0[1], padding: Padding2D(top: 0, bottom: 1, left: 2, right: 0))
    },
    GradientCase("conv2d → relu → maxPool 2×2 as one op, bias", [[2, 2, 6, 7], [3, 2, 3, 3], [3]]) {
        $0[0].conv2dRectifiedMaxPool2d($0[1], bias: $0[2], padding: 1, poolKernel: 2)
    },
    GradientCase("conv1d batch 2, bias, stride 2, padding", [[2, 2, 7], [3, 2, 3], [3]]) {
        $0[0].conv1d($0[1], bias: $0[2], stride: 2, padding: Padding1D(left: 1, right: 2))
    },
    GradientCase("conv1d circular, dilation 2", [[2, 1, 6], [2, 1, 3]]) {
        $0[0].conv1d($0[1], padding: 2, dilation: 2, paddingMode: .circular)
    },
    GradientCase("conv2d reflect padding (1, 2, 2, 1), bias", [[2, 2, 4, 5], [2, 2, 3, 3], [2]]) {
        $0[0].conv2d(
            $0[1], bias: $0[2], padding: Padding2D(top: 1, bottom: 2, left: 2, right: 1), paddingMode: .reflect)
    },
    GradientCase("conv2d 2 groups, bias, stride 2", [[2, 4, 5, 5], [6, 2, 3, 3], [6]]) {
        $0[0].conv2d($0[1], bias: $0[2], stride: 2, groups: 2)
    },
    GradientCase("conv2d depthwise (3 groups), circular", [[1, 3, 4, 4], [3, 1, 2, 2]]) {
        $0[0].conv2d($0[1], padding: 1, paddingMode: .circular, groups: 3)
    },
    GradientCase("conv1d reflect, 2 groups", [[2, 4, 6], [2, 2, 3]]) {
        $0[0].conv1d($0[1], padding: 2, paddingMode: .reflect, groups: 2)
    },
    GradientCase("padded zeros, circular and reflect", [[2, 3, 4]]) {
        $0[0].padded(Padding2D(top: 2, bottom: 1, left: 1, right: 3), mode: .reflect)
            + $0[0].padded(Padding2D(top: 2, bottom: 1, left: 1, right: 3), mode: .circular)
            + $0[0].padded(Padding2D(top: 2, bottom: 1, left: 1, right: 3), mode: .zeros)
    },
]

@Test func reflectPaddingMirrorsWithoutRepeatingTheEdge() {
    let x = Tensor([1, 2, 3, 4], shape: [1, 1, 4], dtype: .float64)
    #expect(x.padded(axis: -1, 2, mode: .reflect).scalars == [3, 2, 1, 2, 3, 4, 3, 2])
    #expect(x.padded(axis: -1, Padding1D(left: 1, right: 3), mode: .circular).scalars == [4, 1, 2, 3, 4, 1, 2, 3])
    #expect(x.padded(axis: -1, Padding1D(left: 0, right: 1), mode: .zeros).scalars == [1, 2, 3, 4, 0])
    // A [1, 1] filter over [2, 1, 2, 3, 4, 3]: sums of neighbours with the edges mirrored.
    let pair = Tensor([1, 1], shape: [1, 1, 2], dtype: .float64)
    #expect(x.conv1d(pair, padding: 1, paddingMode: .reflect).scalars == [3, 3, 5, 7, 7])
    // The 3×3 image reflected by 1 on every side and summed by a 3×3 box: the corner sees 5 4 5 / 2 1 2 / 5 4 5.
    let box = Tensor([Double](repeating: 1, count: 9), shape: [1, 1, 3, 3], dtype: .float64)
    let summed = image1to9().conv2d(box, padding: 1, paddingMode: .reflect)
    #expect(summed.scalars[0] == 5 + 4 + 5 + 2 + 1 + 2 + 5 + 4 + 5)
    #expect(summed.scalars[4] == 45)
}

@Test func groupedConvolutionIsConvolutionsOfChannelSlices() {
    // Two groups: filter 0 sees channel 0, filter 1 sees channel 1 (depthwise, as PyTorch's groups=2).
    let x = Tensor([1, 2, 3, 10, 20, 30], shape: [1, 2, 3], dtype: .float64)
    let w = Tensor([1, 1, 1, -1], shape: [2, 1, 2], dtype: .float64)  // (F, C/G, K)
    #expect(x.conv1d(w, groups: 2).scalars == [3, 5, -10, -10])
    var rng = RandomGenerator(seed: 3)
    let images = Tensor.normal([2, 4, 5, 5], dtype: .float64, using: &rng)
    let weight = Tensor.normal([6, 2, 3, 3], dtype: .float64, using: &rng)
    let grouped = images.conv2d(weight, padding: 1, groups: 2)
    let first = images.sliced(axis: 1, 0..<2).conv2d(weight.sliced(axis: 0, 0..<3), padding: 1)
    let second = images.sliced(axis: 1, 2..<4).conv2d(weight.sliced(axis: 0, 3..<6), padding: 1)
    #expect(grouped.scalars == Tensor.concatenate([first, second], axis: 1).scalars)
}

@Test("convolution gradients (float64)", arguments: convolutionGradientCases)
func convolutionGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 13))
    #expect(result.passed, "\(c.name): \(result)")
}

@Test func onlyTheRequestedGradientsAreComputed() {
    var rng = RandomGenerator(seed: 8)
    let x = Tensor.normal([2, 1, 5, 5], dtype: .float64, using: &rng)  // data: no gradient
    let w = Tensor.normal([3, 1, 3, 3], dtype: .float64, using: &rng).requiringGrad()
    let b = Tensor.normal([3], dtype: .float64, using: &rng)  // frozen bias
    x.conv2d(w, bias: b).sum().backward()
    #expect(x.grad == nil && b.grad == nil)
    // ∂/∂W[f, c, kh, kw] of Σ y = Σ_n Σ over the 3×3 positions of x[n, c, kh + i, kw + j].
    let expected = referenceConv2d(x.sum(axis: 0, keepDims: true), Tensor.ones([1, 1, 3, 3], dtype: .float64))
    #expect(w.grad!.shape == [3, 1, 3, 3])
    for f in 0..<3 { #expect(maxRelativeDifference(w.grad![f].reshaped([1, 1, 3, 3]), expected) < 1e-12) }
}

@Test func eachSubsetOfGradientsEqualsTheFullBackward() {
    // The backward computes the requested gradients in one pass over g; any subset gives the values of all three.
    var rng = RandomGenerator(seed: 9)
    let x = Tensor.normal([3, 2, 6, 5], dtype: .float64, using: &rng)
    let w = Tensor.normal([4, 2, 2, 3], dtype: .float64, using: &rng)
    let b = Tensor.normal([4], dtype: .float64, using: &rng)
    let g = Tensor.normal([3, 4, 5, 4], dtype: .float64, using: &rng)
    func gradients(_ wanted: [Bool]) -> [Tensor?] {
        let operands = zip([x, w, b], wanted).map { t, on in
            on
                ? Tensor(t.scalars, shape: t.shape, dtype: .float64)
                    .requiringGrad() : t
        }
        (operands[0].conv2d(operands[1], bias: operands[2], padding: Padding2D(top: 0, bottom: 0, left: 0, right: 1))
            * g).sum().backward()
        return operands.map(\.grad)
    }
    let all = gradients([true, true, true])
    for wanted in [
        [true, false, false], [false, true, false], [false, false, true], [true, true, false],
        [true, false, true], [false, true, true],
    ] {
        let some = gradients(wanted)
        for i in 0..<3 {
            #expect((some[i] == nil) == !wanted[i])
            // (The bias alone is summed by `channelSums`, in another order: equal to rounding.)
            if let got = some[i] { #expect(maxRelativeDifference(got, all[i]!) < 1e-13, "operand \(i) of \(wanted)") }
        }
    }
}

@Test(arguments: [DType.float32, .float64])
func convolutionReLUMaxPoolAsOneOpEqualsTheThreeOps(_ dtype: DType) {
    // Values and the gradients of input, weight and bias equal conv2d → maxPool2d → relu: the 2 × 2 pooling kernel
    // (same-size and valid convolutions, odd sizes dropping the last row and column) and the general one.
    var rng = RandomGenerator(seed: 37)
    let cases: [(input: [Int], weight: [Int], padding: Int, pool: Int, poolStride: Int)] = [
        ([3, 2, 8, 9], [4, 2, 3, 3], 1, 2, 2), ([2, 1, 13, 12], [5, 1, 3, 3], 0, 2, 2),
        ([2, 3, 9, 9], [2, 3, 2, 2], 0, 3, 2),
    ]
    var rectified = 0  // outputs the ReLU set to 0
    for c in cases {
        let x = Tensor.normal(c.input, dtype: .float64, using: &rng).converted(to: dtype)
        let w = Tensor.normal(c.weight, dtype: .float64, using: &rng).converted(to: dtype)
        let b = Tensor.normal([c.weight[0]], dtype: .float64, using: &rng).converted(to: dtype)
        func run(_ fused: Bool) -> [[Double]] {
            let (xi, wi, bi) = (
                x.detached().requiringGrad(), w.detached().requiringGrad(), b.detached().requiringGrad()
            )
            let y =
                fused
                ? xi.conv2dRectifiedMaxPool2d(
                    wi, bias: bi, padding: Padding2D(c.padding), poolKernel: Size2D(c.pool),
                    poolStride: Size2D(c.poolStride))
                : xi.conv2d(wi, bias: bi, padding: Padding2D(c.padding))
                    .maxPool2d(kernel: Size2D(c.pool), stride: Size2D(c.poolStride)).relu()
            let weights = Tensor((0..<y.count).map { Double($0 % 5) - 2 }, shape: y.shape, dtype: .float64)
            (y * weights.converted(to: dtype)).sum().backward()
            return [y, xi.grad!, wi.grad!, bi.grad!].map { $0.converted(to: .float64).scalars }
        }
        let (fused, composed) = (run(true), run(false))
        #expect(fused[0] == composed[0], "\(c) output")
        rectified += fused[0].filter { $0 == 0 }.count
        for i in 1..<4 {
            let difference = zip(fused[i], composed[i]).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(difference < (dtype == .float32 ? 1e-5 : 1e-13), "\(c) gradient \(i)")
        }
    }
    #expect(rectified > 0)
}

// MARK: - Against the composition from primitives

let convolutionReferenceCases: [ComposedReferenceCase] = [
    ComposedReferenceCase("conv2d plain", [[2, 3, 5, 4], [2, 3, 3, 2]], op: { $0[0].conv2d($0[1]) }) {
        referenceConv2d($0[0], $0[1])
    },
    ComposedReferenceCase(
        "conv2d stride 2, bias", [[3, 2, 7, 6], [4, 2, 3, 3], [4]],
        op: {
            $0[0].conv2d($0[1], bias: $0[2], stride: 2)
        }
    ) { referenceConv2d($0[0], $0[1], bias: $0[2], stride: 2) },
    ComposedReferenceCase(
        "conv2d asymmetric padding, dilation", [[2, 2, 6, 5], [3, 2, 2, 3]],
        op: {
            $0[0].conv2d($0[1], padding: Padding2D(top: 2, bottom: 0, left: 1, right: 3), dilation: Size2D(2, 1))
        }
    ) {
        referenceConv2d($0[0], $0[1], padding: Padding2D(top: 2, bottom: 0, left: 1, right: 3), dilation: Size2D(2, 1))
    },
    ComposedReferenceCase(
        "conv2d circular, stride (1, 2), bias", [[2, 2, 4, 5], [2, 2, 3, 3], [2]],
        op: {
            $0[0].conv2d(
                $0[1], bias: $0[2], stride: Size2D(1, 2), padding: Padding2D(top: 1, bottom: 2, left: 1, right: 1),
                paddingMode: .circular)
        }
    ) {
        referenceConv2d(
            $0[0], $0[1], bias: $0[2], stride: Size2D(1, 2), padding: Padding2D(top: 1, bottom: 2, left: 1, right: 1),
            circular: true)
    },
    // Same-size outputs (stride 1, OW = W): each column-matrix row is its plane shifted, copied in one range.
    ComposedReferenceCase(
        "conv2d 3×3 padding 1 (same size), bias", [[2, 3, 6, 7], [4, 3, 3, 3], [4]],
        op: {
            $0[0].conv2d($0[1], bias: $0[2], padding: 1)
        }
    ) { referenceConv2d($0[0], $0[1], bias: $0[2], padding: 1) },
    ComposedReferenceCase(
        "conv2d 3×3 dilation 2 padding 2 (same size)", [[1, 2, 7, 6], [2, 2, 3, 3]],
        op: {
            $0[0].conv2d($0[1], padding: 2, dilation: 2)
        }
    ) { referenceConv2d($0[0], $0[1], padding: 2, dilation: 2) },
    ComposedReferenceCase(
        "conv2d 2×3 padding (0, 1, 2, 0) (same size)", [[2, 2, 5, 6], [3, 2, 2, 3]],
        op: {
            $0[0].conv2d($0[1], padding: Padding2D(top: 0, bottom: 1, left: 2, right: 0))
        }
    ) { referenceConv2d($0[0], $0[1], padding: Padding2D(top: 0, bottom: 1, left: 2, right: 0)) },
    ComposedReferenceCase(
        "conv2d 5×5 padding 2 of 3×3 images (taps wholly in padding)", [[2, 1, 3, 3], [2, 1, 5, 5]],
        op: {
            $0[0].conv2d($0[1], padding: 2)
        }
    ) { referenceConv2d($0[0], $0[1], padding: 2) },
    ComposedReferenceCase(
        "conv1d stride 2, padding, dilation, bias", [[2, 3, 9], [2, 3, 3], [2]],
        op: {
            $0[0].conv1d($0[1], bias: $0[2], stride: 2, padding: Padding1D(left: 2, right: 1), dilation: 2)
        }
    ) {
        referenceConv2d(
            $0[0].unsqueezed(axis: 2), $0[1].unsqueezed(axis: 2), bias: $0[2], stride: Size2D(1, 2),
            padding: Padding2D(top: 0, bottom: 0, left: 2, right: 1), dilation: Size2D(1, 2)
        ).squeezed(axis: 2)
    },
]

@Test("convolution matches its composition from primitives", arguments: convolutionReferenceCases)
func convolutionMatchesReference(_ c: ComposedReferenceCase) {
    c.check()
}
