import Models
import Testing

// The worked examples of docs/worked-examples.md: each test runs the snippet of its section and asserts the numbers
// the section computes by hand.

/// Asserts that `actual` and `expected` agree element by element to within `tolerance`.
private func expectClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        #expect(abs(a - e) <= tolerance, "\(a) is not \(e)", sourceLocation: sourceLocation)
    }
}

@Suite struct WorkedExamplesTests {
    // MARK: 1. Output shape and parameter count of a convolution

    @Test func convolutionOutputShapeAndParameterCount() throws {
        var rng = RandomGenerator(seed: 0)
        let conv = Conv2d(3, 16, kernel: 5, stride: 2, padding: 1, using: &rng)
        #expect(try conv.outputShape(for: [3, 32, 32]) == [16, 15, 15])
        #expect(conv.parameterCount == 1216)
        #expect(conv(Tensor.zeros([1, 3, 32, 32])).shape == [1, 16, 15, 15])
    }

    @Test func convolutionWithDilationAndGroups() throws {
        var rng = RandomGenerator(seed: 0)
        let grouped = Conv2d(8, 16, kernel: 3, stride: 2, padding: 1, dilation: 3, groups: 4, using: &rng)
        #expect(try grouped.outputShape(for: [8, 20, 20]) == [16, 8, 8])
        #expect(grouped.weight.shape == [16, 2, 3, 3])
        #expect(grouped.parameterCount == 304)
        #expect(grouped(Tensor.zeros([1, 8, 20, 20])).shape == [1, 16, 8, 8])
        let shape = try Conv2d.outputShape(
            for: [8, 20, 20], outChannels: 16, kernel: 3, stride: 2, padding: 1, dilation: 3, groups: 4)
        #expect(shape == [16, 8, 8])
    }

    // MARK: 2. Max and average pooling

    /// The 4×4 image of the pooling examples, as (1, 1, 4, 4), a leaf that wants its gradient.
    private func poolingImage() -> Tensor {
        let x = Tensor(
            [
                1, 3, 2, 0,
                4, 2, 1, 5,
                0, 6, 3, 3,
                2, 1, 3, 1,
            ], shape: [1, 1, 4, 4], dtype: .float64)
        return x.requiringGrad()
    }

    /// The gradient of the loss with respect to the pooled output, (1, 1, 2, 2).
    private var upstream: Tensor { Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float64) }

    @Test func maxPoolingRoutesTheGradientToTheFirstMaximum() {
        let x = poolingImage()
        let y = x.maxPool2d(kernel: 2)
        y.backward(gradient: upstream)
        #expect(y.scalars == [4, 5, 6, 3])
        #expect(
            x.grad!.scalars == [
                0, 0, 0, 0,
                1, 0, 0, 2,
                0, 3, 4, 0,
                0, 0, 0, 0,
            ])
    }

    @Test func averagePoolingSplitsTheGradientEqually() {
        let x = poolingImage()
        let y = x.avgPool2d(kernel: 2)
        y.backward(gradient: upstream)
        #expect(y.scalars == [2.5, 2, 2.25, 2.5])
        #expect(
            x.grad!.scalars == [
                0.25, 0.25, 0.5, 0.5,
                0.25, 0.25, 0.5, 0.5,
                0.75, 0.75, 1, 1,
                0.75, 0.75, 1, 1,
            ])
    }

    // MARK: 3. Transposed convolution

    @Test func transposedConvolutionScattersTheKernel() throws {
        let x = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float64)
        let bilinear = Tensor(
            [
                0.25, 0.5, 0.25,
                0.5, 1, 0.5,
                0.25, 0.5, 0.25,
            ], shape: [1, 1, 3, 3], dtype: .float64)  // (C_in, C_out, KH, KW)
        let y = x.convTranspose2d(bilinear, stride: 2)
        #expect(y.shape == [1, 1, 5, 5])
        #expect(
            y.scalars == [
                0.25, 0.5, 0.75, 1, 0.5,
                0.5, 1, 1.5, 2, 1,
                1, 2, 2.5, 3, 1.5,
                1.5, 3, 3.5, 4, 2,
                0.75, 1.5, 1.75, 2, 1,
            ])

        let cropped = x.convTranspose2d(bilinear, stride: 2, padding: 1, outputPadding: 1)
        #expect(cropped.shape == [1, 1, 4, 4])
        #expect(
            cropped.scalars == [
                1, 1.5, 2, 1,
                2, 2.5, 3, 1.5,
                3, 3.5, 4, 2,
                1.5, 1.75, 2, 1,
            ])
        let shape = try ConvTranspose2d.outputShape(
            for: [1, 2, 2], outChannels: 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1)
        #expect(shape == [1, 4, 4])
    }

    // MARK: 4. Dilated convolutions and the receptive field

    @Test func dilatedStackReceptiveField() {
        #expect(receptiveField(strides: [1], dilations: [1]) == (extent: 3, pixels: 9))
        #expect(receptiveField(strides: [1, 1], dilations: [1, 2]) == (extent: 7, pixels: 49))
        #expect(receptiveField(strides: [1, 1, 1], dilations: [1, 2, 4]) == (extent: 15, pixels: 225))
    }

    @Test func strideMultipliesTheReceptiveFieldOfLaterLayers() {
        #expect(receptiveField(strides: [2, 1], dilations: [1, 1]) == (extent: 7, pixels: 49))
        // Extent 11, but rows 3 and 7 of it are never read: 9 rows and 9 columns reach the output pixel.
        #expect(receptiveField(strides: [2, 1], dilations: [1, 2]) == (extent: 11, pixels: 81))
    }

    // MARK: 5. Backpropagation through a 2-2-1 network

    @Test func backpropagationThroughA221Network() {
        let x = Tensor([[0.5, -1.0]], dtype: .float64)  // (1, 2): one example
        let w1 = Tensor([[0.1, -0.2], [0.4, 0.3]], dtype: .float64).requiringGrad()  // (2 inputs, 2 hidden)
        let b1 = Tensor([0.1, -0.1], dtype: .float64).requiringGrad()
        let w2 = Tensor([[0.5], [-0.6]], dtype: .float64).requiringGrad()  // (2 hidden, 1 output)
        let b2 = Tensor([0.2], dtype: .float64).requiringGrad()
        let target = Tensor([[1.0]], dtype: .float64)

        let h = (x.matmul(w1) + b1).sigmoid()  // (1, 2)
        let output = (h.matmul(w2) + b2).sigmoid()  // (1, 1)
        let loss = 0.5 * (output - target).pow(2).sum()
        loss.backward()

        let tolerance = 1e-12
        expectClose(h.scalars, [0.437823499114, 0.377540668798], tolerance: tolerance)
        expectClose([output.item()], [0.547949033856], tolerance: tolerance)
        expectClose([loss.item()], [0.102175037996], tolerance: tolerance)
        expectClose(b2.grad!.scalars, [-0.111973426708], tolerance: tolerance)  // δ_out
        expectClose(b1.grad!.scalars, [-0.013780238337, 0.015788502567], tolerance: tolerance)  // δ_hidden
        expectClose(w2.grad!.scalars, [-0.049024597489, -0.042274522407], tolerance: tolerance)
        expectClose(
            w1.grad!.scalars, [-0.006890119168, 0.007894251283, 0.013780238337, -0.015788502567], tolerance: tolerance)
    }
}

/// How far one output pixel of a stack of 3×3 convolutions without padding reaches into a 21×21 input: the extent
/// (first to last input row it depends on) and the number of input pixels whose gradient is nonzero. All weights are
/// 1 and the input is all ones, so no gradient is zero by accident.
func receptiveField(strides: [Int], dilations: [Int]) -> (extent: Int, pixels: Int) {
    var rng = RandomGenerator(seed: 0)
    let stack = Sequential(
        zip(strides, dilations).map { stride, dilation in
            Conv2d(
                1, 1, kernel: 3, stride: Size2D(stride), dilation: Size2D(dilation), bias: false, weightInit: .ones,
                using: &rng)
        })
    let size = 21
    let x = Tensor.ones([1, 1, size, size]).requiringGrad()
    let y = stack(x)  // (1, 1, OH, OW)
    let (oh, ow) = (y.shape[2], y.shape[3])
    let middle = (oh / 2) * ow + ow / 2
    y.backward(gradient: Tensor.generate(y.shape) { $0 == middle ? 1 : 0 })  // from the middle output pixel alone
    let gradient = x.grad!.scalars
    let reached = gradient.indices.filter { gradient[$0] != 0 }
    let rows = reached.map { $0 / size }
    return (extent: rows.max()! - rows.min()! + 1, pixels: reached.count)
}
