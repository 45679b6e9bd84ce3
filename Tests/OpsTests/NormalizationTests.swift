import Ops
import TestSupport
import Testing

// MARK: - Compositions from primitives (the references for the fused kernels)

/// Batch norm from mean / variance / sub / div: normalizes over every axis but 1 with the given statistics, or
/// with the batch's own (biased) ones when `runningMean` is nil.
private func composedBatchNorm(
    _ x: Tensor, _ scale: Tensor, _ shift: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil
) -> Tensor {
    var broadcastShape = [Int](repeating: 1, count: x.rank)
    broadcastShape[1] = x.shape[1]  // (1, C, 1, …)
    let axes = [0] + Array(2..<x.rank)
    let mean = runningMean?.reshaped(broadcastShape) ?? x.mean(axes: axes, keepDims: true)
    let variance =
        runningVar?.reshaped(broadcastShape) ?? x.variance(axes: axes, correction: 0, keepDims: true)
    let normalized = (x - mean) / (variance + 1e-5).sqrt()
    return normalized * scale.reshaped(broadcastShape) + shift.reshaped(broadcastShape)
}

/// Layer norm from mean / variance / sub / div over the trailing `dims` axes.
private func composedLayerNorm(_ x: Tensor, dims: Int, _ scale: Tensor, _ shift: Tensor) -> Tensor {
    let axes = Array((x.rank - dims)..<x.rank)
    let mean = x.mean(axes: axes, keepDims: true)
    let variance = x.variance(axes: axes, correction: 0, keepDims: true)
    return (x - mean) / (variance + 1e-5).sqrt() * scale + shift
}

/// Fixed running statistics for 3 channels (float64).
private func statistics3() -> BatchNormStatistics {
    BatchNormStatistics(
        runningMean: Tensor([0.3, -0.2, 0.1], dtype: .float64),
        runningVar: Tensor([0.5, 1.5, 2.0], dtype: .float64))
}

// MARK: - Gradients

let normalizationGradientCases: [GradientCase] = [
    GradientCase("batch norm train (N, F)", [[4, 3], [3], [3]]) {
        $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: nil, training: true)
    },
    GradientCase("batch norm train (N, C, H, W)", [[2, 3, 2, 2], [3], [3]]) {
        $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: nil, training: true)
    },
    GradientCase("batch norm train tracking statistics", [[3, 3], [3], [3]]) {
        $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: statistics3(), training: true)
    },
    GradientCase("batch norm eval (N, F)", [[4, 3], [3], [3]]) {
        $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: statistics3(), training: false)
    },
    GradientCase("batch norm eval (N, C, H, W)", [[2, 3, 2, 2], [3], [3]]) {
        $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: statistics3(), training: false)
    },
    GradientCase("batch norm train then tanh (input reused)", [[5, 2], [2], [2]]) {
        ($0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: nil, training: true) * $0[0]).tanh()
    },
    GradientCase("layer norm over last axis", [[3, 5], [5], [5]]) {
        $0[0].layerNorm(normalizedShape: [5], scale: $0[1], shift: $0[2])
    },
    GradientCase("layer norm over 2 trailing axes", [[2, 3, 4], [3, 4], [3, 4]]) {
        $0[0].layerNorm(normalizedShape: [3, 4], scale: $0[1], shift: $0[2])
    },
    GradientCase("layer norm (B, T, C) over C", [[2, 3, 4], [4], [4]]) {
        $0[0].layerNorm(normalizedShape: [4], scale: $0[1], shift: $0[2])
    },
    GradientCase("layer norm over 19 columns (two eight-wide blocks and a tail)", [[2, 19], [19], [19]]) {
        $0[0].layerNorm(normalizedShape: [19], scale: $0[1], shift: $0[2])
    },
]

@Test("normalization gradients (float64)", arguments: normalizationGradientCases)
func normalizationGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 17))
    #expect(result.passed, "\(c.name): \(result)")
    #expect(result.checkedCount == c.shapes.reduce(0) { $0 + $1.reduce(1, *) })
}

// MARK: - Fused against composed

@Test func batchNormTrainMatchesComposition() {
    for shapes in [[[5, 3], [3], [3]], [[2, 3, 2, 3], [3], [3]], [[3, 2, 4], [2], [2]]] {
        expectFusedMatchesComposed(
            { $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: nil, training: true) },
            { composedBatchNorm($0[0], $0[1], $0[2]) },
            at: normalInputs(shapes, seed: 3), "batch norm train \(shapes[0])")
    }
}

@Test func batchNormEvalMatchesComposition() {
    let stats = statistics3()
    for shapes in [[[5, 3], [3], [3]], [[2, 3, 2, 3], [3], [3]]] {
        expectFusedMatchesComposed(
            { $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: stats, training: false) },
            {
                composedBatchNorm(
                    $0[0], $0[1], $0[2], runningMean: stats.runningMean, runningVar: stats.runningVar)
            },
            at: normalInputs(shapes, seed: 4), "batch norm eval \(shapes[0])")
    }
}

@Test func layerNormMatchesComposition() {
    expectFusedMatchesComposed(
        { $0[0].layerNorm(normalizedShape: [6], scale: $0[1], shift: $0[2]) },
        { composedLayerNorm($0[0], dims: 1, $0[1], $0[2]) },
        at: normalInputs([[2, 3, 6], [6], [6]], seed: 5), "layer norm over 1 axis")
    expectFusedMatchesComposed(
        { $0[0].layerNorm(normalizedShape: [3, 4], scale: $0[1], shift: $0[2]) },
        { composedLayerNorm($0[0], dims: 2, $0[1], $0[2]) },
        at: normalInputs([[2, 3, 4], [3, 4], [3, 4]], seed: 6), "layer norm over 2 axes")
}

@Test func float32KernelsAgreeWithFloat64() {
    let inputs = normalInputs([[4, 3, 2, 2], [3], [3]], seed: 8)
    let narrow = inputs.map { $0.converted(to: .float32) }
    let bn64 = inputs[0].batchNorm(scale: inputs[1], shift: inputs[2], statistics: nil, training: true)
    let bn32 = narrow[0].batchNorm(scale: narrow[1], shift: narrow[2], statistics: nil, training: true)
    #expect(bn32.dtype == .float32)
    expectScalars(bn32.scalars, approximately: bn64.scalars, tolerance: 1e-5, "batch norm float32")
    let ln64 = inputs[0].layerNorm(
        normalizedShape: [2, 2], scale: Tensor.ones([2, 2], dtype: .float64),
        shift: Tensor.zeros([2, 2], dtype: .float64))
    let ln32 = narrow[0].layerNorm(normalizedShape: [2, 2], scale: Tensor.ones([2, 2]), shift: Tensor.zeros([2, 2]))
    expectScalars(ln32.scalars, approximately: ln64.scalars, tolerance: 1e-5, "layer norm float32")
}

// MARK: - Forward values

@Test func batchNormOfA2x2Matrix() {
    // x = [[1, 2], [3, 6]]: column 0 has mean 2 and biased variance ((1−2)² + (3−2)²)/2 = 1, column 1 mean 4 and
    // variance ((2−4)² + (6−4)²)/2 = 4. With γ = [1, 2], β = [0, 0.5]:
    // y = [[−1/√(1+ε), 2·(−2/√(4+ε)) + 0.5], [1/√(1+ε), 2·(2/√(4+ε)) + 0.5]], ε = 1e-5.
    let x = Tensor([[1, 2], [3, 6]], dtype: .float64)
    let y = x.batchNorm(
        scale: Tensor([1, 2], dtype: .float64), shift: Tensor([0, 0.5], dtype: .float64), statistics: nil,
        training: true)
    let a = 1 / (1 + 1e-5).squareRoot()
    let b = 2 / (4 + 1e-5).squareRoot()
    expectScalars(y.scalars, approximately: [-a, -2 * b + 0.5, a, 2 * b + 0.5], tolerance: 1e-14, "batch norm 2×2")
    // Rounded: [−0.999995, −1.4999975, 0.999995, 2.4999975].
    expectScalars(y.scalars, approximately: [-0.999995, -1.4999975, 0.999995, 2.4999975], tolerance: 1e-9)
}

@Test func batchNormOfImagesNormalizesEachChannelOverBatchAndPixels() {
    // (N, C, H, W) = (2, 2, 1, 2). Channel 0 holds [0, 2] and [4, 6]: mean 3, variance (9 + 1 + 1 + 9)/4 = 5.
    // Channel 1 holds [1, 1] and [1, 1]: mean 1, variance 0, so it normalizes to 0 (then + β = 7).
    let x = Tensor([0, 2, 1, 1, 4, 6, 1, 1], shape: [2, 2, 1, 2], dtype: .float64)
    let y = x.batchNorm(
        scale: Tensor([1, 1], dtype: .float64), shift: Tensor([0, 7], dtype: .float64), statistics: nil,
        training: true)
    let s = 1 / (5 + 1e-5).squareRoot()
    expectScalars(y.scalars, approximately: [-3 * s, -s, 7, 7, s, 3 * s, 7, 7], tolerance: 1e-14, "images")
}

@Test func batchNormStatisticsOfOffsetDataInFloat32() {
    // Values 1000 + N(0, 1) whose rows have different means: the per-row moments merged by Chan et al.'s update
    // keep the float32 batch variance (and so the normalized output) within float32 rounding of float64's.
    var rng = RandomGenerator(seed: 31)
    let noise = Tensor.normal([8, 3, 5, 7], dtype: .float64, using: &rng)
    let rowShift = Tensor((0..<24).map { Double($0 % 5) }, shape: [8, 3, 1, 1], dtype: .float64)
    let x = noise + rowShift + 1000
    let (scale, shift) = (Tensor.ones([3], dtype: .float64), Tensor.zeros([3], dtype: .float64))
    let y64 = x.batchNorm(scale: scale, shift: shift, statistics: nil, training: true)
    let y32 = x.converted(to: .float32).batchNorm(
        scale: scale.converted(to: .float32), shift: shift.converted(to: .float32), statistics: nil, training: true)
    // Inputs rounded to float32 near 1000 move by up to 3·10⁻⁵; outputs of unit scale follow.
    #expect(maxRelativeDifference(y32.converted(to: .float64), y64) < 2e-4)
}

@Test func runningStatisticsFollowPyTorchAfterOneAndTwoSteps() {
    // Batch [[1, 2], [3, 6]]: means [2, 4]; UNBIASED variances ((1−2)² + (3−2)²)/1 = 2 and (4 + 4)/1 = 8.
    // Step 1 from (mean 0, var 1), momentum 0.1: mean 0.1·[2, 4] = [0.2, 0.4]; var 0.9·1 + 0.1·[2, 8] = [1.1, 1.7].
    // Step 2, same batch: mean 0.9·[0.2, 0.4] + [0.2, 0.4] = [0.38, 0.76]; var 0.9·[1.1, 1.7] + [0.2, 0.8]
    // = [1.19, 2.33].
    let x = Tensor([[1, 2], [3, 6]], dtype: .float64)
    let scale = Tensor([1, 1], dtype: .float64)
    let shift = Tensor([0, 0], dtype: .float64)
    let stats = BatchNormStatistics(channels: 2, dtype: .float64)
    #expect(stats.runningMean.scalars == [0, 0] && stats.runningVar.scalars == [1, 1])
    _ = x.batchNorm(scale: scale, shift: shift, statistics: stats, training: true)
    expectScalars(stats.runningMean.scalars, approximately: [0.2, 0.4], tolerance: 1e-15, "mean after 1")
    expectScalars(stats.runningVar.scalars, approximately: [1.1, 1.7], tolerance: 1e-15, "variance after 1")
    _ = x.batchNorm(scale: scale, shift: shift, statistics: stats, training: true)
    expectScalars(stats.runningMean.scalars, approximately: [0.38, 0.76], tolerance: 1e-15, "mean after 2")
    expectScalars(stats.runningVar.scalars, approximately: [1.19, 2.33], tolerance: 1e-15, "variance after 2")
    #expect(stats.batchesTracked == 2)
    #expect(!stats.runningMean.requiresGrad && !stats.runningVar.requiresGrad)
}

@Test func evaluationUsesRunningStatisticsAndLeavesThemAlone() {
    // Running mean [0.2, 0.4], variance [1.1, 1.7]: y = γ·(x − μ)/√(σ² + ε) + β column by column.
    let stats = BatchNormStatistics(
        runningMean: Tensor([0.2, 0.4], dtype: .float64), runningVar: Tensor([1.1, 1.7], dtype: .float64))
    let x = Tensor([[1, 2], [3, 6]], dtype: .float64)
    let y = x.batchNorm(
        scale: Tensor([2, 1], dtype: .float64), shift: Tensor([1, 0], dtype: .float64), statistics: stats,
        training: false)
    let s0 = 1 / (1.1 + 1e-5).squareRoot()
    let s1 = 1 / (1.7 + 1e-5).squareRoot()
    let expected = [2 * 0.8 * s0 + 1, 1.6 * s1, 2 * 2.8 * s0 + 1, 5.6 * s1]
    expectScalars(y.scalars, approximately: expected, tolerance: 1e-14, "eval batch norm")
    #expect(stats.runningMean.scalars == [0.2, 0.4] && stats.runningVar.scalars == [1.1, 1.7])
    #expect(stats.batchesTracked == 0)
}

@Test func trainingGradientOfAConstantShiftIsZero() {
    // Batch norm in training is invariant to adding a constant per channel, so Σ ∂/∂x over each channel is 0;
    // with an upstream gradient of ones the whole input gradient is 0 (∂/∂β = N, ∂/∂γ = Σ x̂ = 0).
    let x = Tensor([[1, -2, 0.5], [3, 6, -1], [0, 1, 2]], dtype: .float64).requiringGrad()
    let scale = Tensor([1.5, -0.5, 2], dtype: .float64).requiringGrad()
    let shift = Tensor([0, 0, 0], dtype: .float64).requiringGrad()
    x.batchNorm(scale: scale, shift: shift, statistics: nil, training: true).sum().backward()
    expectScalars(x.grad!.scalars, approximately: [Double](repeating: 0, count: 9), tolerance: 1e-12, "dx")
    expectScalars(shift.grad!.scalars, approximately: [3, 3, 3], tolerance: 1e-15, "dβ")
    expectScalars(scale.grad!.scalars, approximately: [0, 0, 0], tolerance: 1e-12, "dγ")
}

@Test func layerNormOf1234() {
    // [1, 2, 3, 4]: mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25,
    // so y = [−1.5, −0.5, 0.5, 1.5]/√(1.25 + 1e-5) ≈ [−1.341635, −0.447212, 0.447212, 1.341635].
    let x = Tensor([1, 2, 3, 4], dtype: .float64)
    let y = x.layerNorm(
        normalizedShape: [4], scale: Tensor.ones([4], dtype: .float64), shift: Tensor.zeros([4], dtype: .float64))
    let s = 1 / (1.25 + 1e-5).squareRoot()
    expectScalars(y.scalars, approximately: [-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s], tolerance: 1e-15, "layer norm")
    expectScalars(y.scalars, approximately: [-1.341635, -0.447212, 0.447212, 1.341635], tolerance: 1e-6)
    // With γ = [1, 1, 2, 2] and β = [0, 1, 0, −1] each element is scaled and shifted on its own.
    let z = x.layerNorm(
        normalizedShape: [4], scale: Tensor([1, 1, 2, 2], dtype: .float64),
        shift: Tensor([0, 1, 0, -1], dtype: .float64))
    expectScalars(z.scalars, approximately: [-1.5 * s, -0.5 * s + 1, s, 3 * s - 1], tolerance: 1e-15, "affine")
}

@Test func layerNormNormalizesEveryRowSeparately() {
    // Rows [1, 2, 3, 4] and [10, 20, 30, 40]: the second is the first times 10 (plus 0), so after normalization
    // the rows agree up to ε's effect (variance 125 vs 1.25).
    let x = Tensor([[1, 2, 3, 4], [10, 20, 30, 40]], dtype: .float64)
    let y = x.layerNorm(
        normalizedShape: [4], scale: Tensor.ones([4], dtype: .float64), shift: Tensor.zeros([4], dtype: .float64))
    let s0 = 1 / (1.25 + 1e-5).squareRoot()
    let s1 = 10 / (125 + 1e-5).squareRoot()
    let expected = [-1.5, -0.5, 0.5, 1.5].map { $0 * s0 } + [-1.5, -0.5, 0.5, 1.5].map { $0 * s1 }
    expectScalars(y.scalars, approximately: expected, tolerance: 1e-14, "two rows")
}

@Test func layerNormAndConvolutionGradientsAreThreadCountIndependent() {
    // Sums over rows (∂γ, ∂β) and over images (∂W, ∂b), in blocks fixed by the shapes: the same bits on 1–3 threads.
    var rng = RandomGenerator(seed: 4)
    let rows = Tensor.normal([4096, 32], using: &rng), gamma = Tensor.normal([32], using: &rng)
    let beta = Tensor.normal([32], using: &rng)
    let images = Tensor.normal([24, 3, 10, 10], using: &rng), filters = Tensor.normal([8, 3, 3, 3], using: &rng)
    let bias = Tensor.normal([8], using: &rng)
    func gradients(threads: Int) -> [[Double]] {
        let saved = Parallelism.threadCount
        Parallelism.threadCount = threads
        defer { Parallelism.threadCount = saved }
        let leaves = [rows, gamma, beta, images, filters, bias].map { $0.detached().requiringGrad() }
        let normalized = leaves[0].layerNorm(normalizedShape: [32], scale: leaves[1], shift: leaves[2])
        let convolved = leaves[3].conv2d(leaves[4], bias: leaves[5], padding: 1)
        ((normalized * normalized).sum() + (convolved * convolved).sum()).backward()
        return leaves.map { $0.grad!.scalars }
    }
    let serial = gradients(threads: 1)
    #expect(serial == gradients(threads: 2) && serial == gradients(threads: 3))
}
