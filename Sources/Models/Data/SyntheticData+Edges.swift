// Small grey images of one horizontal or one vertical line: the smallest task a convolution solves and an
// MLP must learn position by position, with a test domain whose lines sit where training never put them.

extension SyntheticData {
    /// The classes of `edges`, in label order.
    public static let edgeClassNames = ["horizontal", "vertical"]

    /// `count` grey images (N, 1, S, S) with S = `imageSize`, each holding one bright line (pixels 1) on a dark
    /// ground (pixels 0): class 0 a horizontal line filling rows p ..< p + `thickness`, class 1 a vertical line
    /// filling those columns. Classes alternate (0, 1, 0, …), so any prefix is balanced.
    ///
    /// For each image, in order: p is drawn uniformly from `positions` (nil: every position where the line fits,
    /// 0 … S − `thickness`), then, when `noise` > 0, Gaussian noise of standard deviation `noise` is added to each
    /// pixel in row-major order. A shifted domain is the same call with other positions, thickness or noise.
    public static func edges(
        count: Int, imageSize: Int = 8, thickness: Int = 1, noise: Double = 0, positions: ClosedRange<Int>? = nil,
        seed: UInt64
    ) -> LabelledDataset {
        precondition(count >= 0, "edges: count must be non-negative, got \(count)")
        precondition(
            thickness >= 1 && thickness <= imageSize,
            "edges: thickness \(thickness) must be in 1…\(imageSize), the image side")
        precondition(noise >= 0, "edges: noise must be non-negative, got \(noise)")
        let positions = positions ?? 0...(imageSize - thickness)
        precondition(
            positions.lowerBound >= 0 && positions.upperBound + thickness <= imageSize,
            "edges: lines of thickness \(thickness) at positions \(positions) do not fit in \(imageSize) pixels")
        var rng = RandomGenerator(seed: seed)
        let pixels = imageSize * imageSize
        var values = [Double](repeating: 0, count: count * pixels)
        var labels = [Int](repeating: 0, count: count)
        for i in 0..<count {
            let label = i % 2
            let p = positions.lowerBound + rng.nextInt(below: positions.count)
            let image = i * pixels
            for along in 0..<imageSize {
                for across in p..<(p + thickness) {
                    // Horizontal: row `across`, column `along`; vertical: the transpose.
                    let (row, column) = label == 0 ? (across, along) : (along, across)
                    values[image + row * imageSize + column] = 1
                }
            }
            if noise > 0 {
                for k in 0..<pixels { values[image + k] += noise * rng.nextNormal() }
            }
            labels[i] = label
        }
        return LabelledDataset(
            inputs: Tensor(values, shape: [count, 1, imageSize, imageSize]), labels: labels, classCount: 2,
            classNames: edgeClassNames, name: "edges")
    }
}
