import Testing
import TestSupport
@testable import Autograd

let gradientCases: [GradientCase] = [
    // Arithmetic with broadcasting.
    GradientCase("add same shape", [[3, 4], [3, 4]]) { $0[0] + $0[1] },
    GradientCase("add row broadcast", [[3, 4], [4]]) { $0[0] + $0[1] },
    GradientCase("add both broadcast", [[2, 1, 4], [3, 1]]) { $0[0] + $0[1] },
    GradientCase("add rank-0", [[], [2, 3]]) { $0[0] + $0[1] },
    GradientCase("sub broadcast", [[3, 1], [1, 4]]) { $0[0] - $0[1] },
    GradientCase("mul column broadcast", [[3, 4], [3, 1]]) { $0[0] * $0[1] },
    GradientCase("div broadcast", [[2, 3], [3]], .positive) { $0[0] / $0[1] },
    GradientCase("neg", [[2, 3]]) { -$0[0] },
    GradientCase("scalar ops", [[2, 3]]) { (2 * $0[0] + 1) / 3 - $0[0] * 0.5 },
    GradientCase("scalar divided by tensor", [[4]], .positive) { 1.5 / $0[0] },
    // Elementwise functions.
    GradientCase("exp", [[2, 3]]) { $0[0].exp() },
    GradientCase("log", [[2, 3]], .positive) { $0[0].log() },
    GradientCase("sqrt", [[2, 3]], .positive) { $0[0].sqrt() },
    GradientCase("pow 3 of any sign", [[2, 3]]) { $0[0].pow(3) },
    GradientCase("pow -1.5", [[2, 3]], .positive) { $0[0].pow(-1.5) },
    GradientCase("pow tensor^tensor broadcast", [[2, 3], [3]], .positive) { Tensor.pow($0[0], $0[1]) },
    GradientCase("abs", [[3, 4]]) { $0[0].abs() },
    GradientCase("clamp", [[3, 4]]) { $0[0].clamped(min: -0.5, max: 0.7) },
    GradientCase("maximum broadcast", [[3, 4], [4]]) { Tensor.maximum($0[0], $0[1]) },
    GradientCase("minimum broadcast", [[3, 1], [3, 4]]) { Tensor.minimum($0[0], $0[1]) },
    // Activations.
    GradientCase("relu", [[3, 4]]) { $0[0].relu() },
    GradientCase("leaky relu", [[3, 4]]) { $0[0].leakyRelu(slope: 0.1) },
    GradientCase("sigmoid", [[3, 4]]) { $0[0].sigmoid() },
    GradientCase("tanh", [[3, 4]]) { $0[0].tanh() },
    GradientCase("gelu exact", [[3, 4]]) { $0[0].gelu() },
    GradientCase("gelu tanh", [[3, 4]]) { $0[0].gelu(approximate: .tanh) },
    GradientCase("softmax last axis", [[3, 5]]) { $0[0].softmax() },
    GradientCase("softmax axis 0", [[3, 5]]) { $0[0].softmax(axis: 0) },
    GradientCase("log-softmax middle axis", [[2, 3, 4]]) { $0[0].logSoftmax(axis: 1) },
    // Matrix products.
    GradientCase("matmul 2-D", [[3, 4], [4, 5]]) { $0[0].matmul($0[1]) },
    GradientCase("matmul Aᵀ", [[4, 3], [4, 5]]) { Tensor.matmul($0[0], $0[1], transposeA: true) },
    GradientCase("matmul Bᵀ", [[3, 4], [5, 4]]) { Tensor.matmul($0[0], $0[1], transposeB: true) },
    GradientCase("matmul AᵀBᵀ", [[4, 3], [5, 4]]) {
        Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true)
    },
    GradientCase("matmul batched", [[2, 3, 4], [2, 4, 5]]) { $0[0].matmul($0[1]) },
    GradientCase("matmul batched Bᵀ", [[2, 3, 4], [2, 5, 4]]) { Tensor.matmul($0[0], $0[1], transposeB: true) },
    GradientCase("matmul linear fold", [[2, 3, 4], [4, 5]]) { $0[0].matmul($0[1]) },
    GradientCase("matmul broadcast batch", [[2, 1, 3, 4], [3, 4, 2]]) { $0[0].matmul($0[1]) },
    // Reductions.
    GradientCase("sum all", [[3, 4]]) { $0[0].sum() },
    GradientCase("sum axes keepDims", [[2, 3, 4]]) { $0[0].sum(axes: [0, 2], keepDims: true) },
    GradientCase("sum last axis", [[2, 3, 4]]) { $0[0].sum(axis: -1) },
    GradientCase("mean axis", [[2, 3, 4]]) { $0[0].mean(axis: 1) },
    GradientCase("max axis", [[3, 5]]) { $0[0].max(axis: 1) },
    GradientCase("max all", [[2, 3, 2]]) { $0[0].max() },
    GradientCase("min axes", [[2, 3, 4]]) { $0[0].min(axes: [0, 2], keepDims: true) },
    GradientCase("variance unbiased", [[3, 4]]) { $0[0].variance(axes: [1]) },
    GradientCase("variance population keepDims", [[2, 3, 4]]) {
        $0[0].variance(axes: [0, 2], correction: 0, keepDims: true)
    },
    GradientCase("sum to shape", [[2, 3, 4]]) { $0[0].sum(toShape: [3, 1]) },
    // Shapes.
    GradientCase("reshape", [[2, 6]]) { $0[0].reshaped([3, -1]) * $0[0].reshaped([3, 4]) },
    GradientCase("permute", [[2, 3, 4]]) { $0[0].permuted([2, 0, 1]) },
    GradientCase("transpose", [[3, 4]]) { $0[0].transposed() },
    GradientCase("expand", [[3, 1]]) { $0[0].expanded(to: [2, 3, 4]) },
    GradientCase("flatten", [[2, 3, 4]]) { $0[0].flattened(from: 1) },
    GradientCase("slice with step", [[4, 6]]) { $0[0].sliced(axis: 1, 1..<6, step: 2) },
    GradientCase("subscript ranges", [[4, 5, 2]]) { $0[0][1..<3, 0..<4] },
    GradientCase("subscript index", [[4, 5]]) { $0[0][2] },
    GradientCase("concatenate", [[2, 3], [2, 1], [2, 2]]) { Tensor.concatenate($0, axis: 1) },
    GradientCase("stack", [[2, 3], [2, 3]]) { Tensor.stack($0, axis: 1) },
    // Indexing and masks.
    GradientCase("gather", [[3, 4]]) { $0[0].gather(axis: 1, indices: [3, 0, 2, 2, 1, 1]) },
    GradientCase("index select with repeats", [[4, 3]]) { $0[0].indexSelect(axis: 0, indices: [2, 0, 2, 3, 2]) },
    GradientCase("where broadcast", [[3, 4], [4]]) { Tensor.where(mask([3, 4]), $0[0], $0[1]) },
    GradientCase("masked fill", [[3, 4]]) { $0[0].maskedFill(mask([3, 1]), with: -1e9).softmax() },
    // Composition and reuse.
    GradientCase("tensor used by two consumers", [[3, 4]]) { $0[0] * $0[0].exp() + $0[0] },
    GradientCase("diamond through shared intermediate", [[2, 3], [3, 2]]) {
        let h = $0[0].matmul($0[1]).tanh()
        return h.matmul(h) + h.sum(axis: 0, keepDims: true)
    },
    GradientCase("linear layer", [[4, 3], [3, 2], [2]]) { ($0[0].matmul($0[1]) + $0[2]).relu().mean() },
]

@Test("finite-difference gradient check (float64)", arguments: gradientCases)
func gradientMatchesFiniteDifferences(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 7), eps: 1e-6, atol: 1e-5, rtol: 1e-3)
    #expect(result.passed, "\(c.name): \(result)")
    #expect(result.checkedCount == c.shapes.reduce(0) { $0 + $1.reduce(1, *) })
}

@Test func gradientCheckCatchesAWrongGradient() {
    // x·stopGradient(x) has derivative x, not 2x: a checker that passed this would prove nothing.
    let x = Tensor([1.5, -2.0, 0.5], dtype: .float64)
    let result = checkGradients(of: { $0[0] * $0[0].detached() }, at: [x])
    #expect(!result.passed)
    #expect(result.maxAbsoluteError > 1)
    #expect(result.worstInput == 0 && result.worstIndex == 1)
}

@Test func gradientCheckSamplesEntries() {
    var rng = RandomGenerator(seed: 3)
    let x = Tensor.normal([10, 10], dtype: .float64, using: &rng)
    let result = checkGradients(of: { $0[0].tanh() }, at: [x], samples: 12, seed: 1)
    #expect(result.passed)
    #expect(result.checkedCount == 12)
}

@Test func parameterGradientCheckCatchesAWrongGradient() {
    let w = Tensor([1.5, -2.0], dtype: .float64).requiringGrad()
    let wrong = checkGradients(parameters: [w]) { (w * w.detached()).sum() }
    #expect(!wrong.passed && wrong.worstInput == 0)
    let right = checkGradients(parameters: [w]) { (w * w).sum() }
    #expect(right.passed && right.checkedCount == 2)
    #expect(w.scalars == [1.5, -2.0])  // perturbations were undone
}
