import Autograd
import Foundation
import Ops
import TestSupport
import Testing

// The kernels of the Transformer workloads: the fused linear layer against matmul + bias, float32 against float64,
// and the same results on one thread and on several (layer norm, attention, GELU, cross-entropy and the linear
// layer split their rows, (batch, head) pairs or elements over threads).

// MARK: - Fused linear layer

@Test func linearMatchesMatmulPlusBias() {
    let cases: [[[Int]]] = [[[2, 3, 4], [4, 5], [5]], [[3, 4], [4, 2], [2]], [[2, 1, 3, 4], [4, 6], [6]]]
    for shapes in cases {
        expectFusedMatchesComposed(
            { $0[0].linear(weight: $0[1], bias: $0[2]) }, { $0[0].matmul($0[1]) + $0[2] },
            at: normalInputs(shapes, seed: 61), "linear \(shapes[0])")
    }
}

@Test func linearOfAHandComputedExample() {
    // [1, 2]·[[1, 0, 2], [0, 1, 3]] + [10, 20, 30] = [11, 22, 38].
    let x = Tensor([[1, 2]], dtype: .float64)
    let w = Tensor([[1, 0, 2], [0, 1, 3]], dtype: .float64)
    let b = Tensor([10, 20, 30] as [Double], dtype: .float64)
    #expect(x.linear(weight: w, bias: b).scalars == [11, 22, 38])
    #expect(x.reshaped([1, 1, 2]).linear(weight: w, bias: b).shape == [1, 1, 3])
}

@Test func linearRunsOneMatrixProduct() {
    // In-features 13 and out-features 11 are this test's own, to tell its products from those of tests running at
    // the same time. (A linear layer with a bias once also computed the product without it and dropped it.)
    let w = Tensor.ones([13, 11]), b = Tensor.ones([11])
    for x in [Tensor.ones([3, 2, 13]), Tensor.ones([13])] {
        for bias in [b, nil] {
            let (y, calls) = observedProducts { x.linear(weight: w, bias: bias) }
            #expect(y.shape == x.shape.dropLast() + [11])
            #expect(
                calls.filter { $0.k == 13 && $0.n == 11 }.count == 1, "input \(x.shape), bias \(bias != nil)")
        }
    }
}

let transformerKernelGradientCases: [GradientCase] = [
    GradientCase("linear with bias (B, T, in)", [[2, 3, 4], [4, 5], [5]]) { $0[0].linear(weight: $0[1], bias: $0[2]) },
    GradientCase("linear with bias applied twice", [[3, 4], [4, 4], [4]]) {
        $0[0].linear(weight: $0[1], bias: $0[2]).linear(weight: $0[1], bias: $0[2])
    },
    GradientCase("layer norm then linear", [[2, 3, 4], [4], [4], [4, 3], [3]]) {
        $0[0].layerNorm(normalizedShape: [4], scale: $0[1], shift: $0[2]).linear(weight: $0[3], bias: $0[4])
    },
]

@Test("transformer kernel gradients (float64)", arguments: transformerKernelGradientCases)
func transformerKernelGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 67))
    #expect(result.passed, "\(c.name): \(result)")
}

// MARK: - Float32 against float64

@Test func float32CrossEntropyOfManyRowsAgreesWithFloat64() {
    let logits = normalInputs([[40, 65]], seed: 71)[0] * 4
    let labels = (0..<40).map { ($0 * 17) % 65 }
    let wide = outputAndGradients(of: { $0[0].crossEntropy(labels: labels) }, at: [logits])
    let single = outputAndGradients(of: { $0[0].crossEntropy(labels: labels) }, at: [logits.converted(to: .float32)])
    expectScalars(single.output, approximately: wide.output, tolerance: 1e-5, "cross-entropy")
    expectScalars(single.gradients[0], approximately: wide.gradients[0], tolerance: 1e-6, "cross-entropy gradient")
}

// MARK: - Thread-count independence

@Test func transformerKernelsAreThreadCountIndependent() {
    // Shapes large enough to be split: 600 rows of layer norm and cross-entropy, 70 000 GELU elements.
    expectThreadCountIndependent("layerNorm", [[600, 64], [64], [64]]) {
        $0[0].layerNorm(normalizedShape: [64], scale: $0[1], shift: $0[2])
    }
    expectThreadCountIndependent("gelu", [[70_000]]) { $0[0].gelu() }
    expectThreadCountIndependent("linear", [[300, 256], [256, 64], [64]]) {
        $0[0].linear(weight: $0[1], bias: $0[2])
    }
    let labels = (0..<600).map { ($0 * 13) % 65 }
    expectThreadCountIndependent("crossEntropy", [[600, 65]]) { $0[0].crossEntropy(labels: labels) }
    for causal in [false, true] {
        // Each (batch, head) pair is computed by the same code on any thread: identical results.
        expectThreadCountIndependent("attention causal \(causal)", [[6, 4, 17, 8], [6, 4, 17, 8], [6, 4, 17, 5]],
                                       exact: true) {
            Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: causal).output
        }
        expectThreadCountIndependent("attention with dropout", [[6, 4, 17, 8], [6, 4, 17, 8], [6, 4, 17, 5]],
                                       exact: true) {
            var rng = RandomGenerator(seed: 3)
            return Tensor.scaledDotProductAttention(
                query: $0[0], key: $0[1], value: $0[2], causal: causal, dropout: 0.2, training: true, using: &rng
            ).output
        }
        // The projections around it are split by rows, which rounds differently; the softmax amplifies that.
        let shapes = [[6, 17, 32], [32, 32], [32, 32], [32, 32], [32, 32]]
        expectThreadCountIndependent("multiHeadAttention causal \(causal)", shapes) {
            $0[0].multiHeadAttention(
                heads: 4, queryWeight: $0[1], keyWeight: $0[2], valueWeight: $0[3], outputWeight: $0[4], causal: causal
            ).output
        }
    }
}
