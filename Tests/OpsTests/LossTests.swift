import Foundation
import Ops
import TestSupport
import Testing

// MARK: - Cross-entropy

/// Cross-entropy from logSoftmax + gather + mean (the reference for the fused op), with PyTorch's label smoothing:
/// −((1 − ε)·log p_y + (ε/C)·Σ_c log p_c) per row, averaged over rows unless `perRow`.
private func composedCrossEntropy(
    _ logits: Tensor, _ labels: [Int], smoothing ε: Double = 0, perRow: Bool = false
) -> Tensor {
    let logProbabilities = logits.logSoftmax(axis: 1)  // (N, C)
    let picked = logProbabilities.gather(axis: 1, indices: labels).reshaped([labels.count])  // (N,)
    let spread = logProbabilities.sum(axis: 1) * (ε / Double(logits.shape[1]))  // (N,)
    let losses = -(picked * (1 - ε) + spread)  // (N,)
    return perRow ? losses : losses.mean()
}

/// Logits [[0, ln 2, ln 5], [0, 0, 0]] with labels [2, 0]: softmax rows [1/8, 2/8, 5/8] and [1/3, 1/3, 1/3].
private func handLogits() -> Tensor { Tensor([[0, log(2.0), log(5.0)], [0, 0, 0]], dtype: .float64) }

@Test func crossEntropyOfAHandComputedMatrix() {
    // Row 0: −log(5/8) = ln 1.6 ≈ 0.470004; row 1: −log(1/3) = ln 3 ≈ 1.098612.
    // Mean (ln 1.6 + ln 3)/2 = ln(4.8)/2 ≈ 0.784308; sum ln 4.8.
    let logits = handLogits()
    expectScalars([logits.crossEntropy(labels: [2, 0]).item()], approximately: [log(4.8) / 2], tolerance: 1e-15)
    expectScalars([logits.crossEntropy(labels: [2, 0]).item()], approximately: [0.784308], tolerance: 1e-6)
    expectScalars(
        [logits.crossEntropy(labels: [2, 0], reduction: .sum).item()], approximately: [log(4.8)], tolerance: 1e-15)
    let perRow = logits.crossEntropy(labels: [2, 0], reduction: .none)
    #expect(perRow.shape == [2])
    expectScalars(perRow.scalars, approximately: [log(1.6), log(3.0)], tolerance: 1e-15)
}

@Test func crossEntropyGradientIsSoftmaxMinusOneHotOverN() {
    // Mean over N = 2: row 0 ([1/8, 2/8, 5/8] − [0, 0, 1])/2 = [1/16, 1/8, −3/16];
    // row 1 ([1/3, 1/3, 1/3] − [1, 0, 0])/2 = [−1/3, 1/6, 1/6].
    let logits = handLogits().requiringGrad()
    logits.crossEntropy(labels: [2, 0]).backward()
    expectScalars(
        logits.grad!.scalars, approximately: [1.0 / 16, 1.0 / 8, -3.0 / 16, -1.0 / 3, 1.0 / 6, 1.0 / 6],
        tolerance: 1e-15)
}

@Test func crossEntropyWithLabelSmoothing() {
    // ε = 0.3, C = 3: q = 0.7·onehot + 0.1. Row 0: −(0.8·log(5/8) + 0.1·log(1/8) + 0.1·log(2/8));
    // row 1: every log p = −ln 3, and q sums to 1, so ln 3. Gradient row 0 (mean): ([1/8, 2/8, 5/8] − [0.1, 0.1,
    // 0.8])/2 = [0.0125, 0.075, −0.0875].
    let logits = handLogits().requiringGrad()
    let row0 = -(0.8 * log(5.0 / 8) + 0.1 * log(1.0 / 8) + 0.1 * log(2.0 / 8))
    let loss = logits.crossEntropy(labels: [2, 0], labelSmoothing: 0.3)
    expectScalars([loss.item()], approximately: [(row0 + log(3.0)) / 2], tolerance: 1e-15)
    loss.backward()
    expectScalars(Array(logits.grad!.scalars[0..<3]), approximately: [0.0125, 0.075, -0.0875], tolerance: 1e-14)
}

@Test func crossEntropyOfHugeLogitsIsFiniteAndExact() {
    // Logit gaps of 1e4 and 2e4: exp(−1e4) underflows to 0, so each loss is exactly the gap to the row maximum.
    for dtype in DType.allCases {
        let logits = Tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0]], dtype: dtype).requiringGrad()
        let losses = logits.crossEntropy(labels: [0, 0], reduction: .none)
        #expect(losses.scalars == [0, 2e4], "\(dtype)")
        logits.crossEntropy(labels: [0, 0], reduction: .sum).backward()
        #expect(logits.grad!.scalars == [0, 0, 0, -1, 1, 0], "\(dtype)")
        let smoothed = Tensor([[1e4, -1e4]], dtype: dtype).crossEntropy(labels: [0], labelSmoothing: 0.1).item()
        // LSE = 1e4: 1e4 − 0.9·1e4 − 0.05·(1e4 − 1e4) = 1e3 (0.9 rounds in float32: one ulp of 9000 ≈ 1e-3).
        #expect(Swift.abs(smoothed - 1e3) < (dtype == .float64 ? 1e-9 : 2e-3), "\(dtype)")
    }
}

@Test func fusedCrossEntropyMatchesComposition() {
    let labels = [3, 0, 4, 4, 1]
    for ε in [0.0, 0.1, 1.0] {
        expectFusedMatchesComposed(
            { $0[0].crossEntropy(labels: labels, labelSmoothing: ε) },
            { composedCrossEntropy($0[0], labels, smoothing: ε) },
            at: normalInputs([[5, 6]], seed: 61), "cross-entropy ε = \(ε)")
    }
    expectFusedMatchesComposed(
        { $0[0].crossEntropy(labels: labels, reduction: .none, labelSmoothing: 0.2) },
        { composedCrossEntropy($0[0], labels, smoothing: 0.2, perRow: true) },
        at: normalInputs([[5, 6]], seed: 62), "cross-entropy per row")
    expectFusedMatchesComposed(
        { $0[0].crossEntropy(labels: labels, reduction: .sum) },
        { composedCrossEntropy($0[0], labels, perRow: true).sum() },
        at: normalInputs([[5, 6]], seed: 63), "cross-entropy sum")
}

@Test func float32CrossEntropyAgreesWithFloat64() {
    let logits = normalInputs([[4, 7]], seed: 64)[0] * 3
    let wide = logits.crossEntropy(labels: [6, 0, 2, 2], reduction: .none, labelSmoothing: 0.1)
    let single = logits.converted(to: .float32)
        .crossEntropy(labels: [6, 0, 2, 2], reduction: .none, labelSmoothing: 0.1)
    expectScalars(single.scalars, approximately: wide.scalars, tolerance: 1e-5, "float32 cross-entropy")
}

// MARK: - Binary cross-entropy, logistic, MSE, hinge

@Test func binaryCrossEntropyWithLogitsSmallExample() {
    // x = [0, ln 3], y = [1, 0]: ℓ₀ = −log σ(0) = ln 2; ℓ₁ = −log(1 − σ(ln 3)) = −log(1/4) = ln 4.
    // Mean 1.5·ln 2; gradient of the mean (σ(x) − y)/2 = [(0.5 − 1)/2, (0.75 − 0)/2] = [−0.25, 0.375].
    let x = Tensor([0, log(3.0)], dtype: .float64).requiringGrad()
    let y = Tensor([1, 0], dtype: .float64)
    let loss = x.binaryCrossEntropyWithLogits(targets: y)
    expectScalars([loss.item()], approximately: [1.5 * log(2.0)], tolerance: 1e-15)
    loss.backward()
    expectScalars(x.grad!.scalars, approximately: [-0.25, 0.375], tolerance: 1e-15)
    expectScalars(
        x.binaryCrossEntropyWithLogits(targets: y, reduction: .none).scalars, approximately: [log(2.0), log(4.0)],
        tolerance: 1e-15)
    expectScalars(
        [x.binaryCrossEntropyWithLogits(targets: y, reduction: .sum).item()], approximately: [3 * log(2.0)],
        tolerance: 1e-15)
}

@Test func binaryCrossEntropyIsStableForHugeLogits() {
    // x = 1000, y = 1: 1000 − 1000 + log1p(e^−1000) = 0. x = −1000, y = 1: 0 + 1000 + 0 = 1000.
    // x = 40, y = 0: 40 + log1p(e^−40) ≈ 40 + 4.25e-18. Soft targets work too: x = 0, y = 0.25 → ln 2.
    let x = Tensor([1000, -1000, 40, 0], dtype: .float64)
    let y = Tensor([1, 1, 0, 0.25], dtype: .float64)
    let losses = x.binaryCrossEntropyWithLogits(targets: y, reduction: .none).scalars
    expectScalars(losses, approximately: [0, 1000, 40, log(2.0)], tolerance: 1e-15)
    for dtype in DType.allCases {
        let big = Tensor([1e4, -1e4], dtype: dtype).binaryCrossEntropyWithLogits(
            targets: Tensor([0, 0], dtype: dtype), reduction: .none)
        #expect(big.scalars == [1e4, 0], "\(dtype)")
    }
}

@Test func logisticLossSmallExample() {
    // Scores [0, 2, −1], labels [1, −1, −1]: ln 2, ln(1 + e²), ln(1 + e⁻¹); mean of the three.
    // Gradient of the mean: −y·σ(−y·ŷ)/3 = [−σ(0), σ(2), σ(−1)]/3.
    let scores = Tensor([0, 2, -1], dtype: .float64).requiringGrad()
    let labels = Tensor([1, -1, -1], dtype: .float64)
    let expected = [log(2.0), log(1 + exp(2.0)), log(1 + exp(-1.0))]
    let loss = scores.logisticLoss(labels: labels)
    expectScalars([loss.item()], approximately: [expected.reduce(0, +) / 3], tolerance: 1e-15)
    expectScalars(scores.logisticLoss(labels: labels, reduction: .none).scalars, approximately: expected,
                  tolerance: 1e-15)
    loss.backward()
    func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
    expectScalars(scores.grad!.scalars, approximately: [-0.5 / 3, sigmoid(2) / 3, sigmoid(-1) / 3], tolerance: 1e-15)
    // Stable: a score of 1e4 with the wrong sign costs 1e4; with the right sign, 0.
    let big = Tensor([1e4, 1e4], dtype: .float64).logisticLoss(
        labels: Tensor([-1, 1], dtype: .float64), reduction: .none)
    #expect(big.scalars == [1e4, 0])
}

@Test func logisticLossEqualsBinaryCrossEntropyWithZeroOneTargets() {
    let scores = normalInputs([[6]], seed: 65)[0] * 4
    let pm = Tensor([1, -1, -1, 1, 1, -1], dtype: .float64)
    let zeroOne = Tensor([1, 0, 0, 1, 1, 0], dtype: .float64)
    expectScalars(
        scores.logisticLoss(labels: pm, reduction: .none).scalars,
        approximately: scores.binaryCrossEntropyWithLogits(targets: zeroOne, reduction: .none).scalars,
        tolerance: 1e-14)
}

@Test func meanSquaredErrorSmallExample() {
    // x = [1, 2, 3], t = [1, 0, 5]: squared errors [0, 4, 4], mean 8/3, sum 8; ∂mean/∂x = 2(x − t)/3 = [0, 4/3, −4/3].
    let x = Tensor([1, 2, 3], dtype: .float64).requiringGrad()
    let t = Tensor([1, 0, 5], dtype: .float64)
    let loss = x.mseLoss(target: t)
    expectScalars([loss.item()], approximately: [8.0 / 3], tolerance: 1e-15)
    #expect(x.mseLoss(target: t, reduction: .sum).item() == 8)
    #expect(x.mseLoss(target: t, reduction: .none).scalars == [0, 4, 4])
    loss.backward()
    expectScalars(x.grad!.scalars, approximately: [0, 4.0 / 3, -4.0 / 3], tolerance: 1e-15)
}

@Test func multiclassHingeSmallExample() {
    // Scores [[1, 3, 2], [5, 1, 0], [2, 2, 0]], labels [0, 0, 1].
    // Margin 0: row 0 max(0, 3 − 1) = 2; row 1 max(0, 1 − 5) = 0; row 2 max(0, 2 − 2) = 0 (a tie) → mean 2/3.
    // Gradient of the mean: row 0 +1/3 on the rival class 1, −1/3 on the label 0; rows 1 and 2 none (0 at the
    // kink).
    let scores = Tensor([[1, 3, 2], [5, 1, 0], [2, 2, 0]], dtype: .float64).requiringGrad()
    let loss = scores.multiclassHingeLoss(labels: [0, 0, 1])
    expectScalars([loss.item()], approximately: [2.0 / 3], tolerance: 1e-15)
    loss.backward()
    expectScalars(scores.grad!.scalars, approximately: [-1.0 / 3, 1.0 / 3, 0, 0, 0, 0, 0, 0, 0], tolerance: 1e-15)
    // Margin 1: rows 3, 0 and 1 → per row [3, 0, 1], sum 4; row 2's rival is class 0.
    let margined = scores.detached().requiringGrad()
    let perRow = margined.multiclassHingeLoss(labels: [0, 0, 1], margin: 1, reduction: .none)
    #expect(perRow.scalars == [3, 0, 1])
    margined.multiclassHingeLoss(labels: [0, 0, 1], margin: 1, reduction: .sum).backward()
    #expect(margined.grad!.scalars == [-1, 1, 0, 0, 0, 0, 1, -1, 0])
}

@Test func multiclassHingeSplitsTiedRivals() {
    // Scores [0, 2, 2], label 0: loss 2; the +1 is split between the two tied rivals.
    let scores = Tensor([[0, 2, 2]], dtype: .float64).requiringGrad()
    let loss = scores.multiclassHingeLoss(labels: [0])
    #expect(loss.item() == 2)
    loss.backward()
    #expect(scores.grad!.scalars == [-1, 0.5, 0.5])
}

@Test func thePerceptronCriterionIsThePerceptronUpdate() {
    // Scores [[1, 3, 2], [5, 1, 0], [0, 0, 0]], labels [0, 0, 2]: predictions 1, 0, 0 (the tie goes to the first).
    // Losses 3 − 1 = 2, 0, 0 − 0 = 0 (a mistake scored 0), mean 2/3.
    let scores = Tensor([[1, 3, 2], [5, 1, 0], [0, 0, 0]], dtype: .float64).requiringGrad()
    let loss = scores.perceptronLoss(labels: [0, 0, 2], reduction: .sum)
    #expect(loss.item() == 2)
    loss.backward()
    // Each mistake: +1 on the prediction, −1 on the label; the all-zero row learns too.
    #expect(scores.grad!.scalars == [-1, 1, 0, 0, 0, 0, 1, 0, -1])
    // From zero weights one SGD step of rate 1 on x = (1, 2) with label 1 is W₁ += x, W₀ −= x.
    let w = Tensor.zeros([2, 3], dtype: .float64).requiringGrad()  // (in, classes)
    let x = Tensor([[1, 2]], dtype: .float64)
    x.matmul(w).perceptronLoss(labels: [1]).backward()
    #expect(noGrad { w - w.grad! }.scalars == [-1, 1, 0, -2, 2, 0])
}

// MARK: - Gradients

let lossGradientCases: [GradientCase] = [
    GradientCase("cross-entropy mean", [[4, 5]]) { $0[0].crossEntropy(labels: [4, 0, 2, 2]) },
    GradientCase("cross-entropy sum", [[3, 4]]) { $0[0].crossEntropy(labels: [1, 3, 0], reduction: .sum) },
    GradientCase("cross-entropy per row", [[3, 4]]) { $0[0].crossEntropy(labels: [1, 3, 0], reduction: .none) },
    GradientCase("cross-entropy label smoothing 0.1", [[4, 5]]) {
        $0[0].crossEntropy(labels: [4, 0, 2, 2], labelSmoothing: 0.1)
    },
    GradientCase("cross-entropy label smoothing per row", [[3, 4]]) {
        $0[0].crossEntropy(labels: [1, 3, 0], reduction: .none, labelSmoothing: 0.25)
    },
    GradientCase("cross-entropy of a linear layer", [[4, 3], [3, 5]]) {
        $0[0].matmul($0[1]).crossEntropy(labels: [0, 4, 4, 1])
    },
    GradientCase("softplus", [[3, 4]]) { $0[0].softplus() },
    GradientCase("binary cross-entropy with logits", [[3, 4]]) {
        $0[0].binaryCrossEntropyWithLogits(targets: Tensor.generate([3, 4], dtype: .float64) { Double($0 % 5) / 4 })
    },
    GradientCase("binary cross-entropy, logits and targets", [[2, 3], [2, 3]]) {
        $0[0].binaryCrossEntropyWithLogits(targets: $0[1], reduction: .sum)
    },
    GradientCase("logistic loss ±1", [[6]]) {
        $0[0].logisticLoss(labels: Tensor([1, -1, -1, 1, 1, -1], dtype: .float64))
    },
    GradientCase("logistic loss per element", [[2, 3]]) {
        $0[0].logisticLoss(labels: Tensor([1, -1, -1, 1, 1, -1], shape: [2, 3], dtype: .float64), reduction: .none)
    },
    GradientCase("mse mean, both inputs", [[3, 4], [3, 4]]) { $0[0].mseLoss(target: $0[1]) },
    GradientCase("mse per element", [[2, 3], [2, 3]]) { $0[0].mseLoss(target: $0[1], reduction: .none) },
    GradientCase("multiclass hinge (margin 0)", [[4, 5]]) { $0[0].multiclassHingeLoss(labels: [4, 0, 2, 2]) },
    GradientCase("perceptron criterion", [[4, 5]]) { $0[0].perceptronLoss(labels: [4, 0, 2, 2]) },
    GradientCase("multiclass hinge margin 1, sum", [[4, 3]]) {
        $0[0].multiclassHingeLoss(labels: [1, 0, 2, 2], margin: 1, reduction: .sum)
    },
]

@Test("loss gradients (float64)", arguments: lossGradientCases)
func lossGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 67))
    #expect(result.passed, "\(c.name): \(result)")
    #expect(result.checkedCount == c.shapes.reduce(0) { $0 + $1.reduce(1, *) })
}

