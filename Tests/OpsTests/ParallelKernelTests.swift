import Ops
import Testing

// The convolution, pooling and batch-norm kernels split images, planes and channels over threads: the same
// results on one thread and on several (three, so that the images do not split evenly).

/// The output and input gradients of `f` at fixed float32 inputs of `shapes`, with `Parallelism.threadCount`
/// set to `threads` for the call.
private func resultsOn(threads: Int, _ shapes: [[Int]], _ f: ([Tensor]) -> Tensor) -> [[Double]] {
    let saved = Parallelism.threadCount
    Parallelism.threadCount = threads
    defer { Parallelism.threadCount = saved }
    let inputs = normalInputs(shapes, seed: 31).map { $0.converted(to: .float32) }
    let result = outputAndGradients(of: f, at: inputs)
    return [result.output] + result.gradients
}

/// Expects `f` to give the same output and gradients on one thread and on three (float32, up to the rounding of
/// sums taken in another order).
private func expectThreadCountIndependent(
    _ what: String, _ shapes: [[Int]], _ f: ([Tensor]) -> Tensor, sourceLocation: SourceLocation = #_sourceLocation
) {
    let serial = resultsOn(threads: 1, shapes, f)
    let parallel = resultsOn(threads: 3, shapes, f)
    for (k, (a, e)) in zip(parallel, serial).enumerated() {
        expectScalars(a, approximately: e, tolerance: 1e-5, "\(what), result \(k)", sourceLocation: sourceLocation)
    }
}

@Test func convolutionIsThreadCountIndependent() {
    expectThreadCountIndependent("conv2d 3×3 padding 1", [[5, 3, 12, 12], [8, 3, 3, 3], [8]]) {
        $0[0].conv2d($0[1], bias: $0[2], padding: 1)
    }
    expectThreadCountIndependent("convTranspose2d stride 2", [[5, 4, 6, 6], [4, 3, 3, 3], [3]]) {
        $0[0].convTranspose2d($0[1], bias: $0[2], stride: 2)
    }
}

@Test func poolingIsThreadCountIndependent() {
    expectThreadCountIndependent("maxPool2d 2×2", [[8, 6, 32, 32]]) { $0[0].maxPool2d(kernel: 2) }
    expectThreadCountIndependent("maxPool2d 3×3 stride 2 padding 1", [[8, 6, 31, 31]]) {
        $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1)
    }
    expectThreadCountIndependent("avgPool2d 2×2", [[8, 6, 32, 32]]) { $0[0].avgPool2d(kernel: 2) }
}

@Test func batchNormIsThreadCountIndependent() {
    expectThreadCountIndependent("batchNorm training", [[8, 5, 32, 32], [5], [5]]) {
        $0[0].batchNorm(scale: $0[1], shift: $0[2], statistics: nil, training: true)
    }
}
