import Models
import Testing

/// Synthetic datasets: exact XOR, seeded blobs around their centres, separable points that keep their margin.
@Suite struct DataSyntheticTests {
    @Test func xorHasTheFourPointsAndTheirParity() {
        let xor = SyntheticData.xor()
        #expect(xor.inputs.shape == [4, 2])
        #expect(xor.inputs.scalars == [0, 0, 0, 1, 1, 0, 1, 1])
        #expect(xor.labels == [0, 1, 1, 0])
        #expect(SyntheticData.xor(dtype: .float64).inputs.dtype == .float64)
    }

    @Test func blobsAreSeededBalancedAndCentredOnACircle() {
        let blobs = SyntheticData.gaussianBlobs(classCount: 4, pointsPerClass: 500, radius: 3, spread: 0.5, seed: 9)
        #expect(blobs.inputs.shape == [2_000, 2])
        #expect(blobs.classCounts() == [500, 500, 500, 500])
        #expect(Array(blobs.labels.prefix(5)) == [0, 1, 2, 3, 0])
        let again = SyntheticData.gaussianBlobs(classCount: 4, pointsPerClass: 500, radius: 3, spread: 0.5, seed: 9)
        #expect(again.inputs.scalars == blobs.inputs.scalars)
        let other = SyntheticData.gaussianBlobs(classCount: 4, pointsPerClass: 500, radius: 3, spread: 0.5, seed: 10)
        #expect(other.inputs.scalars != blobs.inputs.scalars)

        // Class k is centred at 3·(cos 2πk/4, sin 2πk/4): (3, 0), (0, 3), (−3, 0), (0, −3); the mean of 500
        // points with σ = 0.5 is within 4σ/√500 ≈ 0.09 of it.
        let centres: [(Double, Double)] = [(3, 0), (0, 3), (-3, 0), (0, -3)]
        let values = blobs.inputs.scalars
        for k in 0..<4 {
            let rows = blobs.labels.indices.filter { blobs.labels[$0] == k }
            let mx = rows.map { values[2 * $0] }.reduce(0, +) / 500
            let my = rows.map { values[2 * $0 + 1] }.reduce(0, +) / 500
            let close = abs(mx - centres[k].0) < 0.09 && abs(my - centres[k].1) < 0.09
            #expect(close, "class \(k): mean (\(mx), \(my))")
        }
    }

    @Test func separablePointsKeepTheirMarginOnTheRightSide() {
        let set = SyntheticData.linearlySeparable(count: 300, margin: 0.2, seed: 4)
        #expect(set.points.shape == [300, 2])
        let values = set.points.scalars
        for i in 0..<300 {
            let distance = set.normal[0] * values[2 * i] + set.normal[1] * values[2 * i + 1] + set.offset
            #expect(Double(set.signs[i]) * distance >= 0.2)
            #expect(abs(values[2 * i]) <= 1 && abs(values[2 * i + 1]) <= 1)
        }
        #expect(set.signs.contains(1) && set.signs.contains(-1))
        #expect(set.dataset.labels == set.signs.map { $0 > 0 ? 1 : 0 })
        #expect(SyntheticData.linearlySeparable(count: 300, margin: 0.2, seed: 4).points.scalars == values)
    }
}
