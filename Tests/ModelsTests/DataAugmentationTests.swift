import Models
import Testing

/// Random crops with padding and horizontal flips: exact pixels for given placements, and seeded draws.
@Suite struct DataAugmentationTests {
    /// One 3×3 grey image holding 1 … 9, row by row: (1, 1, 3, 3).
    static var digits: Tensor { Tensor((1...9).map(Double.init), shape: [1, 1, 3, 3]) }

    @Test func aPlacementCropsAndFlipsAsHandComputed() {
        let augment = ImageAugmentation(cropPadding: 1, flip: true)
        // One row down in the padded image: the content moves up, the last row is padding.
        let up = augment.apply(to: Self.digits, placements: [ImagePlacement(rows: 1)])
        #expect(up.scalars == [4, 5, 6, 7, 8, 9, 0, 0, 0])
        // The crop starts in the padding column (content moves right: f 1 2), then the flip mirrors it: 2 1 f.
        let filled = ImageAugmentation(cropPadding: 1, flip: true, fill: [-1])
        let rightFlipped = filled.apply(to: Self.digits, placements: [ImagePlacement(columns: -1, flipped: true)])
        #expect(rightFlipped.scalars == [2, 1, -1, 5, 4, -1, 8, 7, -1])
        // The flip alone mirrors each row.
        let mirrored = augment.apply(to: Self.digits, placements: [ImagePlacement(flipped: true)])
        #expect(mirrored.scalars == [3, 2, 1, 6, 5, 4, 9, 8, 7])
        #expect(augment.apply(to: Self.digits, placements: [ImagePlacement()]).scalars == Self.digits.scalars)
    }

    @Test func eachChannelIsFilledWithItsOwnValueAndEachImageHasItsPlacement() {
        // Two images of two 2×2 channels: image n, channel c holds 10·n + c everywhere.
        let values = [0.0, 1, 10, 11].flatMap { [Double](repeating: $0, count: 4) }
        let images = Tensor(values, shape: [2, 2, 2, 2], dtype: .float64)
        let augment = ImageAugmentation(cropPadding: 1, fill: [-5, -6])
        let out = augment.apply(to: images, placements: [ImagePlacement(rows: -1), ImagePlacement(columns: 1)])
        #expect(out.dtype == .float64)
        // Image 0 moved down one row: its top row is padding. Image 1 moved left one column: its right column is.
        #expect(out.scalars == [-5, -5, 0, 0, -6, -6, 1, 1, 10, -5, 10, -5, 11, -6, 11, -6])
    }

    @Test func drawsFollowTheDocumentedOrderAndStayInRange() {
        let augment = ImageAugmentation(cropPadding: 2, flip: true)
        var rng = RandomGenerator(seed: 11)
        let placements = augment.placements(count: 400, using: &rng)
        // Row offset, column offset, flip, image after image.
        var replay = RandomGenerator(seed: 11)
        for placement in placements.prefix(3) {
            let rows = replay.nextInt(below: 5) - 2
            let columns = replay.nextInt(below: 5) - 2
            let flipped = replay.nextInt(below: 2) == 1
            #expect(placement == ImagePlacement(rows: rows, columns: columns, flipped: flipped))
        }
        #expect(Set(placements.map(\.rows)) == Set(-2...2) && Set(placements.map(\.columns)) == Set(-2...2))
        let flips = placements.filter(\.flipped).count
        #expect(flips > 150 && flips < 250, "\(flips) of 400 flipped")
        // Flip only: nothing moves, and no offset is drawn.
        var flipOnly = RandomGenerator(seed: 11)
        let noCrop = ImageAugmentation(flip: true).placements(count: 50, using: &flipOnly)
        #expect(noCrop.allSatisfy { $0.rows == 0 && $0.columns == 0 })
    }

    @Test func aSeedGivesTheSameBatchAndTheIdentityIsFree() {
        let images = Tensor((0..<(8 * 3 * 4 * 4)).map(Double.init), shape: [8, 3, 4, 4])
        let augment = ImageAugmentation(cropPadding: 1, flip: true)
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5), c = RandomGenerator(seed: 6)
        let first = augment.apply(to: images, using: &a).scalars
        #expect(first == augment.apply(to: images, using: &b).scalars)
        #expect(first != augment.apply(to: images, using: &c).scalars)
        #expect(augment.apply(to: images, using: &a).scalars != first, "the next batch gets fresh draws")
        var untouched = RandomGenerator(seed: 5)
        #expect(ImageAugmentation().apply(to: images, using: &untouched) === images)
        #expect(untouched == RandomGenerator(seed: 5), "the identity draws nothing")
    }
}
