import Ops
import Testing

// The convolution, pooling and batch-norm kernels split images, planes and channels over threads: the same
// results on one thread and on three (see ThreadCountSupport.swift).

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
    expectThreadCountIndependent("rectifiedMaxPool2d 2×2", [[8, 6, 22, 22]]) { $0[0].rectifiedMaxPool2d(kernel: 2) }
    expectThreadCountIndependent("conv2dRectifiedMaxPool2d", [[8, 3, 12, 12], [6, 3, 3, 3], [6]]) {
        $0[0].conv2dRectifiedMaxPool2d($0[1], bias: $0[2], padding: 1, poolKernel: 2)
    }
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
