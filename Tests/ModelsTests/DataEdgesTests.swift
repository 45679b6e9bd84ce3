import Models
import Testing

/// The edges dataset: exact lines without noise, positions where they are asked for, seeded noise.
@Suite struct DataEdgesTests {
    @Test func linesAreRowsOrColumnsOfOnes() {
        let edges = SyntheticData.edges(count: 4, imageSize: 4, thickness: 1, positions: 2...2, seed: 1)
        #expect(edges.inputs.shape == [4, 1, 4, 4])
        #expect(edges.labels == [0, 1, 0, 1] && edges.classNames == ["horizontal", "vertical"])
        let values = edges.inputs.scalars
        // Image 0: row 2 lit; image 1: column 2 lit.
        #expect(Array(values[0..<16]) == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0])
        #expect(Array(values[16..<32]) == [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0])

        let thick = SyntheticData.edges(count: 2, imageSize: 3, thickness: 2, positions: 1...1, seed: 1)
        #expect(thick.inputs.scalars == [0, 0, 0, 1, 1, 1, 1, 1, 1] + [0, 1, 1, 0, 1, 1, 0, 1, 1])
    }

    @Test func positionsCoverTheirRangeAndNothingElse() {
        // Where is the line of each image? The first lit row (horizontal) or column (vertical).
        func starts(_ edges: LabelledDataset, side: Int) -> [Int] {
            let values = edges.inputs.scalars
            return (0..<edges.count).map { i in
                (0..<side).first { k in
                    edges.labels[i] == 0 ? values[i * side * side + k * side] == 1 : values[i * side * side + k] == 1
                }!
            }
        }
        let all = SyntheticData.edges(count: 200, imageSize: 5, thickness: 2, seed: 3)
        #expect(Set(starts(all, side: 5)) == [0, 1, 2, 3])
        #expect(all.inputs.scalars.reduce(0, +) == 200 * 10)  // two lines of five pixels each
        let shifted = SyntheticData.edges(count: 200, imageSize: 5, thickness: 2, positions: 2...3, seed: 3)
        #expect(Set(starts(shifted, side: 5)) == [2, 3])
    }

    @Test func noiseHasTheAskedStandardDeviationAndIsSeeded() {
        // With one possible position the lines are known, so the noise is what is left.
        let noisy = SyntheticData.edges(count: 500, imageSize: 8, noise: 0.3, positions: 0...0, seed: 7)
        let clean = SyntheticData.edges(count: 500, imageSize: 8, noise: 0, positions: 0...0, seed: 7)
        let residuals = zip(noisy.inputs.scalars, clean.inputs.scalars).map { $0 - $1 }
        let n = Double(residuals.count)
        let mean = residuals.reduce(0, +) / n
        let std = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
        // 32,000 draws: the mean is within 4σ/√n ≈ 0.007 of 0, the standard deviation within 2 % of 0.3.
        #expect(abs(mean) < 0.007 && abs(std - 0.3) < 0.006, "mean \(mean), std \(std)")
        let seeded = SyntheticData.edges(count: 500, imageSize: 8, thickness: 1, noise: 0.3, seed: 7)
        let again = SyntheticData.edges(count: 500, imageSize: 8, thickness: 1, noise: 0.3, seed: 7)
        #expect(again.inputs.scalars == seeded.inputs.scalars)
        #expect(SyntheticData.edges(count: 500, noise: 0.3, seed: 8).inputs.scalars != seeded.inputs.scalars)
    }
}
