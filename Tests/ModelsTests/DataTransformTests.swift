import Models
import Testing

/// Input transforms of a `LabelledDataset`, checked against hand-computed values.
@Suite struct DataTransformTests {
    /// One 3×3 image [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as (1, 1, 3, 3).
    let image = LabelledDataset(
        inputs: Tensor((1...9).map(Double.init), shape: [1, 1, 3, 3]), labels: [0], classCount: 1)

    @Test func scalingMultipliesEveryInput() {
        #expect(image.scaled(by: 0.5).inputs.scalars == [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5])
    }

    @Test func normalizationUsesEachChannelsMeanAndStd() {
        // (2 examples, 2 channels, 1×2): channel 0 holds 1, 3, 5, 7; channel 1 holds 10, 20, 30, 40.
        let x = Tensor([1, 3, 10, 20, 5, 7, 30, 40], shape: [2, 2, 1, 2])
        let data = LabelledDataset(inputs: x, labels: [0, 1], classCount: 2)
        let stats = data.channelStatistics()
        #expect(stats.mean == [4, 25])
        #expect(stats.std == [Double(5).squareRoot(), Double(125).squareRoot()])

        let normalized = data.normalized(mean: [1, 10], std: [2, 5])
        #expect(normalized.inputs.scalars == [0, 1, 0, 2, 2, 3, 4, 6])
        #expect(data.normalized(mean: 1, std: 2).inputs.scalars == [0, 1, 4.5, 9.5, 2, 3, 14.5, 19.5])
    }

    @Test func translationShiftsWithZeroFill() {
        #expect(image.translated(rows: 1).inputs.scalars == [0, 0, 0, 1, 2, 3, 4, 5, 6])
        #expect(image.translated(columns: -1).inputs.scalars == [2, 3, 0, 5, 6, 0, 8, 9, 0])
        #expect(image.translated(rows: -1, columns: 1).inputs.scalars == [0, 4, 5, 0, 7, 8, 0, 0, 0])
    }

    @Test func quarterTurnsMatchNumpyRot90() {
        #expect(image.rotated90().inputs.scalars == [3, 6, 9, 2, 5, 8, 1, 4, 7])
        #expect(image.rotated90(times: 2).inputs.scalars == [9, 8, 7, 6, 5, 4, 3, 2, 1])
    }

    @Test func arbitraryRotationAgreesWithQuarterTurnsAndKeepsTheCentre() {
        var rng = RandomGenerator(seed: 5)
        let x = LabelledDataset(
            inputs: Tensor.uniform([2, 1, 6, 6], using: &rng), labels: [0, 0], classCount: 1)
        for (degrees, times) in [(90.0, 1), (180, 2), (-90, 3), (0, 0)] {
            let rotated = x.rotated(degrees: degrees).inputs.scalars
            let reference = x.rotated90(times: times).inputs.scalars
            #expect(zip(rotated, reference).allSatisfy { abs($0 - $1) < 1e-5 }, "\(degrees)°")
        }
        // 45° of a 3×3 image: the centre stays; the top-left output samples (row 1 − √2, column 1), between the
        // zero padding above and pixel 2; output (row 0, column 1) samples (row 1 − √½, column 1 + √½), between
        // the pixels 2, 3 (row 0) and 5, 6 (row 1).
        let turned = image.rotated(degrees: 45).inputs.scalars
        #expect(abs(turned[4] - 5) < 1e-6)
        #expect(abs(turned[0] - (2 - Double(2).squareRoot()) * 2) < 1e-6)
        let f = 0.5.squareRoot()  // fractional offset along the column; (1 − f) along the row
        let expected = f * ((1 - f) * 2 + f * 3) + (1 - f) * ((1 - f) * 5 + f * 6)
        #expect(abs(turned[1] - expected) < 1e-5)
    }

    @Test func flatteningKeepsValuesAndExampleCount() {
        let data = DataFixtures.numbered(labels: [0, 1, 0])
        let flat = data.flattened()
        #expect(flat.inputs.shape == [3, 4])
        #expect(flat.inputs.scalars == data.inputs.scalars)
        #expect(flat.labels == data.labels)
    }
}
