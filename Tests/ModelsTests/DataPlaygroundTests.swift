import Models
import Testing

/// The TensorFlow Playground datasets: the spiral's exact points without noise, the geometry of each dataset,
/// labels flipped by noise where the Playground flips them, and seeding.
@Suite struct DataPlaygroundTests {
    /// The points of a dataset as (x, y, label).
    static func points(_ data: LabelledDataset) -> [(x: Double, y: Double, label: Int)] {
        let v = data.inputs.scalars
        return (0..<data.count).map { (v[2 * $0], v[2 * $0 + 1], data.labels[$0]) }
    }

    @Test func theSpiralWithoutNoiseIsExact() {
        // Two arms of two points: k = 0 at the centre; k = 1 at radius 5·1/2 = 2.5, angle 1.75·½·2π = 1.75π
        // (x = 2.5 sin 1.75π = −2.5/√2, y = 2.5 cos 1.75π = 2.5/√2), the second arm turned by π.
        let spiral = SyntheticData.playground(.spiral, count: 4, seed: 1)
        let a = 2.5 / Double(2).squareRoot()
        let expected: [Double] = [0, 0, 0, 0, -a, a, a, -a]
        #expect(zip(spiral.inputs.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(spiral.inputs.scalars)")
        #expect(spiral.labels == [1, 0, 1, 0] && spiral.name == "spiral")
        // An odd count: the first arm has one more point.
        #expect(SyntheticData.playground(.spiral, count: 5, seed: 1).classCounts() == [2, 3])
    }

    @Test func circlesAreDiscAndRingAndNoiseFlipsLabelsNearTheBoundary() {
        for point in Self.points(SyntheticData.playground(.circle, count: 400, seed: 2)) {
            let r = (point.x * point.x + point.y * point.y).squareRoot()
            #expect(point.label == 1 ? r <= 2.5 : r >= 3.5 && r <= 5, "\(point)")
        }
        // With noise the points stay where they were drawn; their labels come from the moved points.
        let noisy = Self.points(SyntheticData.playground(.circle, count: 400, noise: 0.3, seed: 2))
        let radii = noisy.map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }
        #expect(radii.allSatisfy { $0 <= 2.5 || ($0 >= 3.5 && $0 <= 5) })
        let flipped = zip(noisy, radii).filter { ($1 < 2.5 ? 1 : 0) != $0.label }.count
        #expect(flipped > 0 && flipped < 200, "\(flipped) of 400 labels flipped")
    }

    @Test func gaussiansHaveTheirCentresAndTheNoisesVariance() {
        for (noise, variance) in [(0.0, 0.5), (0.5, 4.0)] {
            let points = Self.points(SyntheticData.playground(.gaussian, count: 4_000, noise: noise, seed: 3))
            for (label, centre) in [(1, 2.0), (0, -2.0)] {
                let xs = points.filter { $0.label == label }.map(\.x)
                let mean = xs.reduce(0, +) / Double(xs.count)
                let sampleVariance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
                // 2,000 points: the mean within 4·√(v / 2000), the variance within 10 %.
                #expect(abs(mean - centre) < 4 * (variance / 2_000).squareRoot(), "noise \(noise): mean \(mean)")
                #expect(abs(sampleVariance / variance - 1) < 0.1, "noise \(noise): variance \(sampleVariance)")
            }
        }
    }

    @Test func xorKeepsOffTheAxesAndLabelsByQuadrant() {
        let points = Self.points(SyntheticData.playground(.xor, count: 400, seed: 4))
        for point in points {
            #expect(abs(point.x) >= 0.3 && abs(point.x) <= 5.3 && abs(point.y) >= 0.3 && abs(point.y) <= 5.3)
            #expect(point.label == (point.x * point.y < 0 ? 1 : 0), "\(point)")
        }
        #expect(Set(points.map(\.label)) == [0, 1])
        let noisy = Self.points(SyntheticData.playground(.xor, count: 400, noise: 0.2, seed: 4))
        let flipped = noisy.filter { $0.label != ($0.x * $0.y < 0 ? 1 : 0) }.count
        #expect(flipped > 0 && flipped < 100, "\(flipped) of 400 labels flipped")
    }

    @Test func everyDatasetIsSeeded() {
        for dataset in PlaygroundDataset.allCases {
            func draw(seed: UInt64) -> [Double] {
                SyntheticData.playground(dataset, count: 50, noise: 0.2, seed: seed).inputs.scalars
            }
            let a = SyntheticData.playground(dataset, count: 50, noise: 0.2, seed: 9)
            #expect(a.inputs.shape == [50, 2] && a.classCount == 2)
            #expect(a.inputs.scalars == draw(seed: 9) && a.inputs.scalars != draw(seed: 10))
        }
    }
}
