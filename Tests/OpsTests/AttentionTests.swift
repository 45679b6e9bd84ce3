import Foundation
import Ops
import TestSupport
import Testing

// MARK: - Composition from primitives (the reference for the fused op)

/// 1 where key j > query i (the positions a causal mask hides), (Tq, Tk), float64.
private func futureMask(_ tq: Int, _ tk: Int) -> Tensor {
    Tensor.generate([tq, tk], dtype: .float64) { $0 % tk > $0 / tk ? 1 : 0 }
}

/// softmax(Q·Kᵀ/√d + M)·V from matmul, maskedFill and softmax; attention dropout with its own generator.
private func composedAttention(
    _ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool, dropout: (p: Double, seed: UInt64)? = nil
) -> (output: Tensor, weights: Tensor) {
    let d = q.shape[q.rank - 1]
    var scores = Tensor.matmul(q, k, transposeB: true) * (1 / Double(d).squareRoot())  // (…, Tq, Tk)
    if causal {
        scores = scores.maskedFill(futureMask(q.shape[q.rank - 2], k.shape[k.rank - 2]), with: -.infinity)
    }
    let weights = scores.softmax()  // (…, Tq, Tk)
    var dropped = weights
    if let dropout {
        var rng = RandomGenerator(seed: dropout.seed)
        dropped = weights.dropout(p: dropout.p, training: true, using: &rng)
    }
    return (dropped.matmul(v), weights)  // (…, Tq, dv)
}

/// Multi-head attention head by head: head h uses columns h·D..<(h+1)·D of Wq, Wk, Wv; heads are concatenated
/// along the channels and projected by Wo.
private func headByHeadAttention(_ x: Tensor, _ w: [Tensor], heads: Int, causal: Bool) -> Tensor {
    let c = x.shape[2], d = c / heads
    let outputs = (0..<heads).map { h -> Tensor in
        let columns = (h * d)..<((h + 1) * d)
        let q = x.matmul(w[0].sliced(axis: 1, columns))  // (B, T, D)
        let k = x.matmul(w[1].sliced(axis: 1, columns))  // (B, T, D)
        let v = x.matmul(w[2].sliced(axis: 1, columns))  // (B, T, D)
        return composedAttention(q, k, v, causal: causal).output  // (B, T, D)
    }
    return Tensor.concatenate(outputs, axis: 2).matmul(w[3])  // (B, T, C)
}

// MARK: - Forward values

@Test func attentionOfAHandComputedExample() {
    // d = 4, so scores are divided by √4 = 2. Both queries are [1, 0, 0, 0]; keys [0, 0, 0, 0] and
    // [2·ln 3, 0, 0, 0] give scaled scores [0, ln 3] and weights [1/4, 3/4]; values [4] and [8] give
    // 4/4 + 3·8/4 = 7. Causally, query 0 sees only key 0: weights [1, 0], output 4.
    let q = Tensor([1, 0, 0, 0, 1, 0, 0, 0], shape: [2, 4], dtype: .float64)
    let k = Tensor([0, 0, 0, 0, 2 * log(3.0), 0, 0, 0], shape: [2, 4], dtype: .float64)
    let v = Tensor([4, 8], shape: [2, 1], dtype: .float64)
    let full = Tensor.scaledDotProductAttention(query: q, key: k, value: v)
    expectScalars(full.weights.scalars, approximately: [0.25, 0.75, 0.25, 0.75], tolerance: 1e-15, "weights")
    expectScalars(full.output.scalars, approximately: [7, 7], tolerance: 1e-15, "output")
    let causal = Tensor.scaledDotProductAttention(query: q, key: k, value: v, causal: true)
    expectScalars(causal.weights.scalars, approximately: [1, 0, 0.25, 0.75], tolerance: 1e-15, "causal weights")
    expectScalars(causal.output.scalars, approximately: [4, 7], tolerance: 1e-15, "causal output")
}

@Test func causalWeightsAreZeroAboveTheDiagonalAndRowsSumToOne() {
    let x = normalInputs([[2, 3, 5, 4], [2, 3, 5, 4], [2, 3, 5, 2]], seed: 31)
    let (output, weights) = Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2], causal: true)
    #expect(output.shape == [2, 3, 5, 2] && weights.shape == [2, 3, 5, 5])
    let w = weights.scalars
    for row in 0..<(2 * 3 * 5) {
        let i = row % 5
        let values = w[(row * 5)..<(row * 5 + 5)]
        #expect(values.enumerated().allSatisfy { j, p in j > i ? p == 0 : p > 0 }, "row \(row): \(values)")
        #expect(Swift.abs(values.reduce(0, +) - 1) < 1e-14)
    }
    // The first query sees only the first key, so its output is the first value row exactly.
    #expect(output.sliced([0..<2, 0..<3, 0..<1, 0..<2]).scalars == x[2].sliced([0..<2, 0..<3, 0..<1, 0..<2]).scalars)
}

@Test func attentionWeightsAreNotTracked() {
    let x = normalInputs([[3, 2], [3, 2], [3, 2]], seed: 2).map { $0.requiringGrad() }
    let (output, weights) = Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2])
    #expect(output.requiresGrad)
    #expect(!weights.requiresGrad)
}

@Test func attentionIsStableForLargeScores() {
    // Scores of ±1e4 saturate the softmax to one-hot rows without overflow.
    let q = Tensor([100, -100], shape: [2, 1], dtype: .float64)
    let k = Tensor([100, -100], shape: [2, 1], dtype: .float64)
    let v = Tensor([1, 2], shape: [2, 1], dtype: .float64)
    let (output, weights) = Tensor.scaledDotProductAttention(query: q, key: k, value: v)
    #expect(weights.scalars == [1, 0, 0, 1])
    #expect(output.scalars == [1, 2])
}

@Test func zeroDropoutOrEvaluationEqualsPlainAttentionAndDrawsNothing() {
    let x = normalInputs([[2, 4, 3], [2, 4, 3], [2, 4, 3]], seed: 4)
    let plain = Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2], causal: true).output.scalars
    var rng = RandomGenerator(seed: 8)
    let eval = Tensor.scaledDotProductAttention(
        query: x[0], key: x[1], value: x[2], causal: true, dropout: 0.5, training: false, using: &rng)
    let zero = Tensor.scaledDotProductAttention(
        query: x[0], key: x[1], value: x[2], causal: true, dropout: 0, training: true, using: &rng)
    #expect(eval.output.scalars == plain && zero.output.scalars == plain)
    var fresh = RandomGenerator(seed: 8)
    #expect(rng.next() == fresh.next())
}

@Test func multiHeadAttentionShapesAndWeights() {
    let x = normalInputs([[2, 3, 4], [4, 4], [4, 4], [4, 4], [4, 4]], seed: 12)
    let (output, weights) = x[0].multiHeadAttention(
        heads: 2, queryWeight: x[1], keyWeight: x[2], valueWeight: x[3], outputWeight: x[4], causal: true)
    #expect(output.shape == [2, 3, 4])
    #expect(weights.shape == [2, 2, 3, 3])
    // Head 1 of batch 0: softmax(x₀·Wq[:, 2..<4] · (x₀·Wk[:, 2..<4])ᵀ / √2) with the causal mask.
    let x0 = x[0][0]  // (T, C)
    let q = x0.matmul(x[1].sliced(axis: 1, 2..<4)), k = x0.matmul(x[2].sliced(axis: 1, 2..<4))
    let expected = (Tensor.matmul(q, k, transposeB: true) * (1 / 2.0.squareRoot()))
        .maskedFill(futureMask(3, 3), with: -.infinity).softmax()
    expectScalars(weights[0][1].scalars, approximately: expected.scalars, tolerance: 1e-13, "head 1 weights")
}

// MARK: - Fused against composed

@Test func fusedAttentionMatchesComposition() {
    let cases: [(shapes: [[Int]], causal: Bool)] = [
        ([[2, 3, 4], [2, 5, 4], [2, 5, 3]], false),
        ([[1, 2, 4, 3], [1, 2, 4, 3], [1, 2, 4, 2]], true),
        ([[2, 4, 2], [2, 3, 2], [2, 3, 3]], true),  // Tq > Tk: the last query sees every key
        ([[3, 2], [3, 2], [3, 4]], true),  // no batch axes
    ]
    for (shapes, causal) in cases {
        expectFusedMatchesComposed(
            { Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: causal).output },
            { composedAttention($0[0], $0[1], $0[2], causal: causal).output },
            at: normalInputs(shapes, seed: 41), "attention \(shapes[0]) causal \(causal)")
    }
}

@Test func fusedAttentionWithDropoutMatchesComposition() {
    // The fused op draws its (…, Tq, Tk) mask exactly as `dropout` would on the weights: one draw per weight.
    expectFusedMatchesComposed(
        {
            var rng = RandomGenerator(seed: 77)
            return Tensor.scaledDotProductAttention(
                query: $0[0], key: $0[1], value: $0[2], causal: true, dropout: 0.3, training: true, using: &rng
            ).output
        },
        { composedAttention($0[0], $0[1], $0[2], causal: true, dropout: (0.3, 77)).output },
        at: normalInputs([[2, 2, 4, 3], [2, 2, 4, 3], [2, 2, 4, 3]], seed: 43), "attention with dropout")
}

@Test func multiHeadAttentionMatchesHeadByHeadComposition() {
    for causal in [false, true] {
        expectFusedMatchesComposed(
            {
                $0[0].multiHeadAttention(
                    heads: 3, queryWeight: $0[1], keyWeight: $0[2], valueWeight: $0[3], outputWeight: $0[4],
                    causal: causal
                ).output
            },
            { headByHeadAttention($0[0], Array($0[1...]), heads: 3, causal: causal) },
            at: normalInputs([[2, 4, 6], [6, 6], [6, 6], [6, 6], [6, 6]], seed: 47), "multi-head causal \(causal)")
    }
}

@Test func float32AttentionAgreesWithFloat64() {
    let x = normalInputs([[2, 5, 4], [2, 5, 4], [2, 5, 3]], seed: 53)
    let narrow = x.map { $0.converted(to: .float32) }
    let wide = Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2], causal: true)
    let single = Tensor.scaledDotProductAttention(query: narrow[0], key: narrow[1], value: narrow[2], causal: true)
    expectScalars(single.output.scalars, approximately: wide.output.scalars, tolerance: 1e-5, "float32 output")
}

// MARK: - Gradients

let attentionGradientCases: [GradientCase] = [
    GradientCase("attention (B, Tq, d) × (B, Tk, d)", [[2, 3, 4], [2, 5, 4], [2, 5, 3]]) {
        Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2]).output
    },
    GradientCase("causal attention (B, H, T, D)", [[1, 2, 3, 2], [1, 2, 3, 2], [1, 2, 3, 2]]) {
        Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: true).output
    },
    GradientCase("causal attention Tq > Tk", [[2, 4, 3], [2, 3, 3], [2, 3, 2]]) {
        Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: true).output
    },
    GradientCase("self-attention, one tensor as Q, K and V", [[2, 3, 2]]) {
        Tensor.scaledDotProductAttention(query: $0[0], key: $0[0], value: $0[0], causal: true).output
    },
    GradientCase("attention with dropout, seeded", [[1, 2, 3, 2], [1, 2, 3, 2], [1, 2, 3, 2]]) {
        var rng = RandomGenerator(seed: 13)  // reseeded on every call: the same mask each time
        return Tensor.scaledDotProductAttention(
            query: $0[0], key: $0[1], value: $0[2], causal: true, dropout: 0.4, training: true, using: &rng
        ).output
    },
    GradientCase("multi-head attention: x and Wq, Wk, Wv, Wo", [[2, 3, 4], [4, 4], [4, 4], [4, 4], [4, 4]]) {
        $0[0].multiHeadAttention(
            heads: 2, queryWeight: $0[1], keyWeight: $0[2], valueWeight: $0[3], outputWeight: $0[4]
        ).output
    },
    GradientCase("causal multi-head attention", [[2, 3, 4], [4, 4], [4, 4], [4, 4], [4, 4]]) {
        $0[0].multiHeadAttention(
            heads: 2, queryWeight: $0[1], keyWeight: $0[2], valueWeight: $0[3], outputWeight: $0[4], causal: true
        ).output
    },
    GradientCase("causal multi-head attention with dropout", [[1, 4, 4], [4, 4], [4, 4], [4, 4], [4, 4]]) {
        var rng = RandomGenerator(seed: 29)
        return $0[0].multiHeadAttention(
            heads: 4, queryWeight: $0[1], keyWeight: $0[2], valueWeight: $0[3], outputWeight: $0[4], causal: true,
            dropout: 0.25, training: true, using: &rng
        ).output
    },
]

@Test("attention gradients (float64)", arguments: attentionGradientCases)
func attentionGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 37))
    #expect(result.passed, "\(c.name): \(result)")
    #expect(result.checkedCount == c.shapes.reduce(0) { $0 + $1.reduce(1, *) })
}
