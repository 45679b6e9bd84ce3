import Ops
import TestSupport
import Testing

// Max, average and global average pooling: exact forward values, the arg-max and divisor conventions, gradients
// against finite differences, and the hand-written VJPs against max / mean over stacked windows.

/// The 5×5 image with values 1…25 in row-major order, as (1, 1, 5, 5).
private func image1to25() -> Tensor { Tensor((1...25).map(Double.init), shape: [1, 1, 5, 5], dtype: .float64) }

@Test func pooling3x3Stride2Of5x5() {
    // Windows start at rows and columns 0 and 2; the maximum is each window's bottom-right, the mean its centre.
    let maxPooled = image1to25().maxPool2d(kernel: 3, stride: 2)
    #expect(maxPooled.shape == [1, 1, 2, 2])
    #expect(maxPooled.scalars == [13, 15, 23, 25])
    #expect(image1to25().avgPool2d(kernel: 3, stride: 2).scalars == [7, 9, 17, 19])
}

@Test func pooling3x3Stride2Padding1Of5x5() {
    // Max pooling pads with −∞, so a window's maximum is its bottom-right real element.
    let maxPooled = image1to25().maxPool2d(kernel: 3, stride: 2, padding: 1)
    #expect(maxPooled.shape == [1, 1, 3, 3])
    #expect(maxPooled.scalars == [7, 9, 10, 17, 19, 20, 22, 24, 25])
    // Average pooling counts the padded zeros in the divisor (count_include_pad): the top-left window holds
    // 1 + 2 + 6 + 7 = 16 and divides by 9.
    let averaged = image1to25().avgPool2d(kernel: 3, stride: 2, padding: 1)
    let sums: [Double] = [16, 33, 28, 69, 117, 87, 76, 123, 88]
    #expect(maxRelativeDifference(averaged, Tensor(sums.map { $0 / 9 }, shape: [1, 1, 3, 3], dtype: .float64)) < 1e-15)
}

@Test func poolingStrideDefaultsToTheKernel() {
    let x = Tensor((1...16).map(Double.init), shape: [1, 1, 4, 4], dtype: .float64)
    #expect(x.maxPool2d(kernel: 2).scalars == [6, 8, 14, 16])
    #expect(x.avgPool2d(kernel: 2).scalars == [3.5, 5.5, 11.5, 13.5])
    // A rectangular 1×4 window over each row.
    #expect(x.maxPool2d(kernel: Size2D(1, 4)).scalars == [4, 8, 12, 16])
}

@Test func maxPoolPaddingNeverWinsOverNegativeValues() {
    // [−∞, −5, −3, −4, −1, −∞] in windows of 2 with stride 2.
    let x = Tensor([-5, -3, -4, -1], shape: [1, 1, 4], dtype: .float64)
    #expect(x.maxPool1d(kernel: 2, padding: 1).scalars == [-5, -3, -1])
}

@Test func pooling1d() {
    let x = Tensor([1, 3, 2, 5, 4], shape: [1, 1, 5], dtype: .float64)
    // Stride = kernel 2: windows [1, 3] and [2, 5]; the last element is dropped.
    #expect(x.maxPool1d(kernel: 2).scalars == [3, 5])
    #expect(x.avgPool1d(kernel: 2).scalars == [2, 3.5])
    // Kernel 3, stride 2, padding 1: windows [pad, 1, 3], [3, 2, 5], [5, 4, pad].
    #expect(x.maxPool1d(kernel: 3, stride: 2, padding: 1).scalars == [3, 5, 5])
    let averaged = x.avgPool1d(kernel: 3, stride: 2, padding: 1)
    #expect(maxRelativeDifference(averaged, Tensor([4.0 / 3, 10.0 / 3, 3], shape: [1, 1, 3], dtype: .float64)) < 1e-15)
}

@Test func maxPoolTiesRouteTheGradientToTheFirstMaximum() {
    // All four equal: the gradient goes to the first element in row-major window order.
    let flat = Tensor.ones([1, 1, 2, 2], dtype: .float64).requiringGrad()
    flat.maxPool2d(kernel: 2).sum().backward()
    #expect(flat.grad!.scalars == [1, 0, 0, 0])
    // Two equal maxima at (0, 1) and (1, 0): the top row comes first.
    let tied = Tensor([1, 3, 3, 2], shape: [1, 1, 2, 2], dtype: .float64).requiringGrad()
    tied.maxPool2d(kernel: 2).sum().backward()
    #expect(tied.grad!.scalars == [0, 1, 0, 0])
    // Overlapping windows that share their maximum both send it their gradient.
    let shared = Tensor([1, 5, 2], shape: [1, 1, 3], dtype: .float64).requiringGrad()
    let y = shared.maxPool1d(kernel: 2, stride: 1)
    #expect(y.scalars == [5, 5])
    (y * Tensor([2, 3], shape: [1, 1, 2], dtype: .float64)).sum().backward()
    #expect(shared.grad!.scalars == [0, 5, 0])
}

@Test func maxPool2x2NaNAndInfinities() {
    // The 2 × 2 kernel's windows: [1, NaN, NaN, 3] (the first NaN wins), [−∞, ∞, 0, ∞] (the first ∞ wins),
    // [−∞, −∞, −∞, −∞] (the first element wins).
    let inf = Double.infinity
    let x = Tensor(
        [1, .nan, -inf, inf, -inf, -inf, .nan, 3, 0, inf, -inf, -inf], shape: [1, 1, 2, 6], dtype: .float64
    ).requiringGrad()
    let y = x.maxPool2d(kernel: 2)
    #expect(y.scalars[0].isNaN && y.scalars[1...] == [inf, -inf])
    (y * Tensor([2, 3, 4], shape: [1, 1, 1, 3], dtype: .float64)).sum().backward()
    #expect(x.grad!.scalars == [0, 2, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0])
}

/// Max pooling by its definition, one window at a time: the first maximum in row-major window order, a NaN beating
/// every number (the first NaN wins); padding never wins. Returns the outputs and their arg-max (flat input index).
private func referenceMaxPool(_ x: [Double], height: Int, width: Int, kernel: Int, stride: Int) -> ([Double], [Int]) {
    let (outH, outW) = ((height - kernel) / stride + 1, (width - kernel) / stride + 1)
    var values: [Double] = [], indices: [Int] = []
    for i in 0..<outH {
        for j in 0..<outW {
            var best = -1
            for a in 0..<kernel {
                for b in 0..<kernel {
                    let index = (i * stride + a) * width + j * stride + b
                    if best < 0 || x[index] > x[best] || (x[index].isNaN && !x[best].isNaN) { best = index }
                }
            }
            values.append(x[best])
            indices.append(best)
        }
    }
    return (values, indices)
}

@Test(arguments: [DType.float32, .float64], [(2, 16), (4, 22), (5, 11), (3, 9), (6, 6)])
func maxPool2x2FourWindowsAtATimeMatchesTheDefinition(_ dtype: DType, _ size: (height: Int, width: Int)) {
    // Ties, NaNs, infinities and signed zeros at every lane of the four-window groups, including the overlapping
    // last group of rows whose window count is not a multiple of four; odd sizes drop the last row and column.
    var rng = RandomGenerator(seed: 23)
    let count = size.height * size.width
    let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1, 1]
    let x = (0..<count).map { _ in
        rng.nextUniform() < 0.3 ? specials[rng.nextInt(below: specials.count)] : Double(rng.nextInt(below: 5)) - 2
    }
    let input = Tensor(x, shape: [1, 1, size.height, size.width], dtype: .float64).converted(to: dtype)
        .requiringGrad()
    let y = input.maxPool2d(kernel: 2)
    let (values, indices) = referenceMaxPool(x, height: size.height, width: size.width, kernel: 2, stride: 2)
    let got = y.converted(to: .float64).scalars
    #expect(got.count == values.count)
    for (a, b) in zip(got, values) {
        #expect(a == b || (a.isNaN && b.isNaN), "\(dtype) \(size): \(got) vs \(values)")
    }
    let g = (1...values.count).map(Double.init)
    (y * Tensor(g, shape: y.shape, dtype: .float64).converted(to: dtype)).sum().backward()
    var expected = [Double](repeating: 0, count: count)
    for (o, index) in indices.enumerated() { expected[index] = g[o] }
    #expect(input.grad!.converted(to: .float64).scalars == expected, "\(dtype) \(size)")
}

@Test(arguments: [DType.float32, .float64])
func rectifiedMaxPoolIsReluOfMaxPool(_ dtype: DType) {
    // Values and gradients of the fused op equal maxPool2d then relu, on the 2 × 2 kernel (rows of ≥ 4 windows and
    // of fewer) and on the general one, with NaN and negative maxima.
    var rng = RandomGenerator(seed: 29)
    var x = Tensor.normal([2, 3, 13, 10], dtype: .float64, using: &rng).scalars
    x[7] = .nan
    x[40] = -.infinity
    for (kernel, stride, padding) in [(2, 2, 0), (3, 2, 1), (2, 1, 0)] {
        func run(_ fused: Bool) -> (y: [Double], grad: [Double]) {
            let input = Tensor(x, shape: [2, 3, 13, 10], dtype: .float64).converted(to: dtype).requiringGrad()
            let k = Size2D(kernel), s = Size2D(stride), p = Padding2D(padding)
            let y = fused
                ? input.rectifiedMaxPool2d(kernel: k, stride: s, padding: p)
                : input.maxPool2d(kernel: k, stride: s, padding: p).relu()
            let weights = Tensor((0..<y.count).map { Double($0 % 7) - 3 }, shape: y.shape, dtype: .float64)
            (y * weights.converted(to: dtype)).sum().backward()
            return (y.converted(to: .float64).scalars, input.grad!.converted(to: .float64).scalars)
        }
        let (fused, composed) = (run(true), run(false))
        #expect(fused.y == composed.y, "kernel \(kernel) stride \(stride) padding \(padding)")
        #expect(fused.grad == composed.grad, "kernel \(kernel) stride \(stride) padding \(padding)")
        #expect(fused.y.contains(0) && fused.y.contains { $0 > 0 })
    }
}

@Test func avgPoolGradientDividesByTheWholeWindow() {
    // Every 3×3 window (padding 1, stride 1) of a 2×2 image covers all four pixels and divides by 9.
    let x = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float64).requiringGrad()
    let y = x.avgPool2d(kernel: 3, stride: 1, padding: 1)
    #expect(y.scalars == [Double](repeating: 10.0 / 9, count: 4))
    y.sum().backward()
    #expect(maxRelativeDifference(x.grad!, Tensor.full([1, 1, 2, 2], 4.0 / 9, dtype: .float64)) < 1e-15)
}

@Test func globalAveragePooling() {
    let x = Tensor([1, 2, 3, 4, 10, 20, 30, 40, 0, 0, 0, 8], shape: [1, 3, 2, 2], dtype: .float64)
    let y = x.globalAvgPool2d()
    #expect(y.shape == [1, 3])
    #expect(y.scalars == [2.5, 25, 2])
}

@Test func poolingFloat32MatchesFloat64() {
    var rng = RandomGenerator(seed: 12)
    let x = Tensor.normal([2, 3, 6, 7], dtype: .float64, using: &rng)
    let x32 = x.converted(to: .float32)
    let padding = Padding2D(top: 1, bottom: 0, left: 1, right: 1)
    let max64 = x.maxPool2d(kernel: 3, stride: 2, padding: padding)
    let max32 = x32.maxPool2d(kernel: 3, stride: 2, padding: padding)
    #expect(max32.dtype == .float32 && max32.scalars == max64.converted(to: .float32).scalars)
    let avg32 = x32.avgPool2d(kernel: 3, stride: 2, padding: padding).converted(to: .float64)
    #expect(maxRelativeDifference(avg32, x.avgPool2d(kernel: 3, stride: 2, padding: padding)) < 1e-6)
}

// MARK: - Gradients

let poolingGradientCases: [GradientCase] = [
    GradientCase("maxPool2d 2×2", [[2, 2, 4, 4]]) { $0[0].maxPool2d(kernel: 2) },
    GradientCase("maxPool2d 2×2 of odd sizes", [[2, 2, 5, 7]]) { $0[0].maxPool2d(kernel: 2) },
    GradientCase("maxPool2d 3×3 stride 2 padding 1", [[1, 2, 5, 5]]) {
        $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1)
    },
    GradientCase("maxPool2d rectangular, stride (1, 2), asymmetric padding", [[2, 1, 4, 5]]) {
        $0[0].maxPool2d(
            kernel: Size2D(2, 3), stride: Size2D(1, 2), padding: Padding2D(top: 1, bottom: 0, left: 0, right: 1))
    },
    GradientCase("avgPool2d 3×3 stride 2 padding 1", [[2, 2, 5, 5]]) {
        $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1)
    },
    GradientCase("avgPool2d 2×2 stride 1", [[1, 2, 3, 4]]) { $0[0].avgPool2d(kernel: 2, stride: 1) },
    GradientCase("avgPool2d asymmetric padding", [[1, 2, 4, 4]]) {
        $0[0].avgPool2d(kernel: Size2D(2, 3), stride: 2, padding: Padding2D(top: 0, bottom: 1, left: 1, right: 0))
    },
    GradientCase("rectifiedMaxPool2d 2×2, rows of 5 windows", [[2, 2, 4, 10]]) {
        $0[0].rectifiedMaxPool2d(kernel: 2)
    },
    GradientCase("rectifiedMaxPool2d 3×3 stride 2 padding 1", [[1, 2, 5, 5]]) {
        $0[0].rectifiedMaxPool2d(kernel: 3, stride: 2, padding: 1)
    },
    GradientCase("maxPool1d kernel 3 stride 2 padding 1", [[2, 2, 7]]) {
        $0[0].maxPool1d(kernel: 3, stride: 2, padding: 1)
    },
    GradientCase("avgPool1d kernel 2 padding (1, 0)", [[2, 2, 5]]) {
        $0[0].avgPool1d(kernel: 2, padding: Padding1D(left: 1, right: 0))
    },
    GradientCase("globalAvgPool2d", [[2, 3, 3, 4]]) { $0[0].globalAvgPool2d() },
    GradientCase("conv → relu → maxPool → globalAvgPool", [[2, 1, 6, 6], [2, 1, 3, 3]]) {
        $0[0].conv2d($0[1], padding: 1).relu().maxPool2d(kernel: 2).globalAvgPool2d()
    },
]

@Test("pooling gradients (float64)", arguments: poolingGradientCases)
func poolingGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 19))
    #expect(result.passed, "\(c.name): \(result)")
}

// MARK: - Against the composition from primitives

let poolingReferenceCases: [ComposedReferenceCase] = [
    ComposedReferenceCase("maxPool2d 2×2", [[2, 3, 4, 6]], op: { $0[0].maxPool2d(kernel: 2) }) {
        referencePool2d($0[0], kernel: 2, max: true)
    },
    ComposedReferenceCase("maxPool2d 2×2 of odd sizes (last row and column dropped)", [[2, 3, 5, 7]], op: {
        $0[0].maxPool2d(kernel: 2)
    }) { referencePool2d($0[0], kernel: 2, max: true) },
    ComposedReferenceCase("maxPool2d 2×2 padded at the bottom and right", [[1, 2, 5, 7]], op: {
        $0[0].maxPool2d(kernel: 2, padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1))
    }) { referencePool2d($0[0], kernel: 2, padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1), max: true) },
    ComposedReferenceCase("maxPool2d 2×2 stride 1", [[2, 2, 4, 5]], op: {
        $0[0].maxPool2d(kernel: 2, stride: 1)
    }) { referencePool2d($0[0], kernel: 2, stride: 1, max: true) },
    ComposedReferenceCase("maxPool2d 3×3 stride 2 padding 1", [[2, 2, 7, 6]], op: {
        $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1)
    }) { referencePool2d($0[0], kernel: 3, stride: 2, padding: 1, max: true) },
    ComposedReferenceCase("maxPool2d rectangular, asymmetric padding", [[1, 2, 5, 6]], op: {
        $0[0].maxPool2d(
            kernel: Size2D(3, 2), stride: Size2D(2, 1), padding: Padding2D(top: 0, bottom: 1, left: 1, right: 0))
    }) {
        referencePool2d(
            $0[0], kernel: Size2D(3, 2), stride: Size2D(2, 1), padding: Padding2D(top: 0, bottom: 1, left: 1, right: 0),
            max: true)
    },
    ComposedReferenceCase("avgPool2d 3×3 stride 2 padding 1", [[2, 2, 7, 6]], op: {
        $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1)
    }) { referencePool2d($0[0], kernel: 3, stride: 2, padding: 1, max: false) },
    ComposedReferenceCase("avgPool2d rectangular stride 1", [[2, 1, 4, 5]], op: {
        $0[0].avgPool2d(kernel: Size2D(2, 3), stride: 1)
    }) { referencePool2d($0[0], kernel: Size2D(2, 3), stride: 1, max: false) },
    ComposedReferenceCase("maxPool1d kernel 3 stride 2 padding 1", [[2, 3, 8]], op: {
        $0[0].maxPool1d(kernel: 3, stride: 2, padding: 1)
    }) {
        referencePool2d(
            $0[0].unsqueezed(axis: 2), kernel: Size2D(1, 3), stride: Size2D(1, 2),
            padding: Padding2D(top: 0, bottom: 0, left: 1, right: 1), max: true
        ).squeezed(axis: 2)
    },
    ComposedReferenceCase("avgPool1d kernel 2 padding 1", [[2, 2, 6]], op: {
        $0[0].avgPool1d(kernel: 2, padding: 1)
    }) {
        referencePool2d(
            $0[0].unsqueezed(axis: 2), kernel: Size2D(1, 2),
            padding: Padding2D(top: 0, bottom: 0, left: 1, right: 1), max: false
        ).squeezed(axis: 2)
    },
]

@Test("pooling matches its composition from primitives", arguments: poolingReferenceCases)
func poolingMatchesReference(_ c: ComposedReferenceCase) {
    c.check()
}
