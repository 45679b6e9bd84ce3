import Ops
import TestSupport
import Testing

// MARK: - Dropout

/// The 32-bit draws of a dropout mask of `n` elements with key `key`: the SplitMix64 stream from `key`, each word
/// giving its low half and then its high half.
private func maskDraws(key: UInt64, _ n: Int) -> [UInt32] {
    var state = key, draws: [UInt32] = []
    while draws.count < n {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        draws += [UInt32(truncatingIfNeeded: z), UInt32(truncatingIfNeeded: z >> 32)]
    }
    return Array(draws.prefix(n))
}

@Test func dropoutKeepsTheMeanAndZeroesTheDrawnElements() {
    // 10 000 ones, p = 0.3, seed 42: each element is 0 (when its 32-bit draw is below 0.3·2³²) or 1/0.7 exactly.
    let n = 10_000, p = 0.3
    var rng = RandomGenerator(seed: 42)
    let y = Tensor.ones([100, 100], dtype: .float64).dropout(p: p, training: true, using: &rng)
    let values = y.scalars
    #expect(values.allSatisfy { $0 == 0 || $0 == 1 / (1 - p) })
    // The zeros are exactly the draws below p·2³², in row-major order, of the stream keyed by one draw of `rng`.
    var replay = RandomGenerator(seed: 42)
    let draws = maskDraws(key: replay.next(), n)
    let threshold = UInt32((p * 0x1p32).rounded())
    let expectedZeros = draws.indices.filter { draws[$0] < threshold }
    let zeros = values.indices.filter { values[$0] == 0 }
    #expect(zeros == expectedZeros)
    // Binomial(10 000, 0.3) has standard deviation ≈ 46, so the fraction dropped is 0.3 ± 0.014 at 3σ and the
    // mean 1 ± 0.02.
    #expect(Swift.abs(Double(zeros.count) / Double(n) - p) < 0.014)
    #expect(Swift.abs(values.reduce(0, +) / Double(n) - 1) < 0.02)
    // The generator advanced by exactly one draw.
    #expect(rng.next() == replay.next())
}

@Test func dropoutOfAnOddCountUsesTheLowHalfOfItsLastWord() {
    var rng = RandomGenerator(seed: 5), replay = RandomGenerator(seed: 5)
    let y = Tensor.ones([3], dtype: .float64).dropout(p: 0.5, training: true, using: &rng)
    #expect(y.scalars == maskDraws(key: replay.next(), 3).map { $0 >= 1 << 31 ? 2.0 : 0 })
    #expect(rng.next() == replay.next())
}

@Test func largeDropoutMasksAreThreadCountIndependent() {
    // 100 001 elements: drawn in parallel blocks, identical on one thread and on three.
    func mask(threads: Int) -> [Double] {
        let saved = Parallelism.threadCount
        Parallelism.threadCount = threads
        defer { Parallelism.threadCount = saved }
        var rng = RandomGenerator(seed: 8)
        return Tensor.ones([100_001]).dropout(p: 0.1, training: true, using: &rng).scalars
    }
    let serial = mask(threads: 1)
    #expect(serial == mask(threads: 3))
    var replay = RandomGenerator(seed: 8)
    let threshold = UInt32((0.1 * 0x1p32).rounded())
    #expect(serial.map { $0 == 0 } == maskDraws(key: replay.next(), 100_001).map { $0 < threshold })
}

@Test func dropoutIsIdentityInEvaluationAndForZeroProbability() {
    let x = Tensor([1, -2, 3, 4.5], dtype: .float64)
    var rng = RandomGenerator(seed: 1)
    #expect(x.dropout(p: 0.5, training: false, using: &rng).scalars == [1, -2, 3, 4.5])
    #expect(x.dropout(p: 0, training: true, using: &rng).scalars == [1, -2, 3, 4.5])
    var fresh = RandomGenerator(seed: 1)
    #expect(rng.next() == fresh.next(), "identity dropout must not draw from the generator")
}

@Test func dropoutWithProbabilityOneGivesZerosAndZeroGradient() {
    let x = Tensor([1, -2, 3], dtype: .float64).requiringGrad()
    var rng = RandomGenerator(seed: 1)
    let y = x.dropout(p: 1, training: true, using: &rng)
    #expect(y.scalars == [0, 0, 0])
    y.sum().backward()
    #expect(x.grad!.scalars == [0, 0, 0])
}

@Test func dropoutGradientUsesTheSameMask() {
    // Upstream gradient of ones: ∂/∂x = the mask itself, 0 or 1/(1 − p) exactly where the output is 0 or x/(1 − p).
    let x = Tensor.generate([4, 5], dtype: .float64) { Double($0 + 1) }.requiringGrad()
    var rng = RandomGenerator(seed: 9)
    let y = x.dropout(p: 0.5, training: true, using: &rng)
    y.sum().backward()
    let mask = x.grad!.scalars, outputs = y.scalars
    #expect(mask.contains(0) && mask.contains(2))
    for i in 0..<20 {
        #expect(mask[i] == 0 || mask[i] == 2)
        #expect(outputs[i] == Double(i + 1) * mask[i])
    }
}

@Test func dropoutWithTheSameSeedIsReproducibleAndTheStreamMovesOn() {
    let x = Tensor.ones([50], dtype: .float64)
    var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
    let first = x.dropout(p: 0.5, training: true, using: &a).scalars
    #expect(first == x.dropout(p: 0.5, training: true, using: &b).scalars)
    #expect(first != x.dropout(p: 0.5, training: true, using: &a).scalars)
}

// MARK: - Embedding

/// The table [[0, 1], [2, 3], [4, 5], [6, 7]]: row v is [2v, 2v + 1].
private func table4x2() -> Tensor { Tensor.generate([4, 2], dtype: .float64) { Double($0) } }

@Test func embeddingPicksRowsInIdOrder() {
    let out = Tensor.embedding([2, 0, 2, 3, 1, 1], shape: [2, 3], table: table4x2())
    #expect(out.shape == [2, 3, 2])
    #expect(out.scalars == [4, 5, 0, 1, 4, 5, 6, 7, 2, 3, 2, 3])
    #expect(Tensor.embedding([3], table: table4x2()).shape == [1, 2])
}

@Test func embeddingGradientScatterAddsRepeatedIds() {
    // ids [2, 0, 2] with upstream gradients [[1, 10], [100, 1000], [2, 20]]: row 2 gets [1 + 2, 10 + 20],
    // row 0 gets [100, 1000], rows 1 and 3 get nothing.
    let table = table4x2().requiringGrad()
    let out = Tensor.embedding([2, 0, 2], shape: [1, 3], table: table)
    out.backward(gradient: Tensor([1, 10, 100, 1000, 2, 20], shape: [1, 3, 2], dtype: .float64))
    #expect(table.grad!.scalars == [100, 1000, 0, 0, 3, 30, 0, 0])
}

// MARK: - Gradients

let dropoutEmbeddingGradientCases: [GradientCase] = [
    GradientCase("dropout p 0.4, seeded", [[3, 5]]) {
        var rng = RandomGenerator(seed: 21)  // reseeded on every call: the same mask each time
        return $0[0].dropout(p: 0.4, training: true, using: &rng)
    },
    GradientCase("dropout then tanh, input reused", [[2, 6]]) {
        var rng = RandomGenerator(seed: 5)
        return ($0[0].dropout(p: 0.5, training: true, using: &rng) * $0[0]).tanh()
    },
    GradientCase("dropout eval", [[2, 3]]) {
        var rng = RandomGenerator(seed: 5)
        return $0[0].dropout(p: 0.5, training: false, using: &rng)
    },
    GradientCase("embedding with repeated ids", [[5, 3]]) {
        Tensor.embedding([4, 1, 4, 0, 4, 1], shape: [2, 3], table: $0[0])
    },
    GradientCase("embedding then layer norm", [[4, 3], [3], [3]]) {
        Tensor.embedding([3, 3, 2], table: $0[0]).layerNorm(normalizedShape: [3], scale: $0[1], shift: $0[2])
    },
]

@Test("dropout and embedding gradients (float64)", arguments: dropoutEmbeddingGradientCases)
func dropoutEmbeddingGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 23))
    #expect(result.passed, "\(c.name): \(result)")
    #expect(result.checkedCount == c.shapes.reduce(0) { $0 + $1.reduce(1, *) })
}
