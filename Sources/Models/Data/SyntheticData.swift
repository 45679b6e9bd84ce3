// Small synthetic datasets for tests and demos, all deterministic for a seed.

import Foundation

/// 2-D points labelled ±1 that a line separates with a margin, for perceptrons and linear SVMs.
public struct SeparablePoints {
    /// The points, (N, 2) `float32`, in [−1, 1]².
    public let points: Tensor
    /// The side of each point, +1 or −1: the sign of `normal · x + offset`.
    public let signs: [Int]
    /// The unit normal of the separating line.
    public let normal: [Double]
    /// The line's offset: it is {x : normal · x + offset = 0}.
    public let offset: Double
    /// Every point is at distance ≥ `margin` from the line.
    public let margin: Double

    /// The same points as a two-class dataset: label 1 for sign +1, label 0 for sign −1.
    public var dataset: LabelledDataset {
        LabelledDataset(
            inputs: points, labels: signs.map { $0 > 0 ? 1 : 0 }, classCount: 2, name: "linearly separable")
    }
}

/// Generators of synthetic datasets.
public enum SyntheticData {
    /// The four XOR points (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0: (4, 2) inputs, two classes.
    public static func xor(dtype: DType = .float32) -> LabelledDataset {
        LabelledDataset(
            inputs: Tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype: dtype), labels: [0, 1, 1, 0], classCount: 2,
            name: "xor")
    }

    /// `classCount` isotropic Gaussian blobs in 2-D: class k is centred at radius `radius`, angle 2πk / K, with
    /// standard deviation `spread` on each axis; `pointsPerClass` points each, classes interleaved
    /// (0, 1, …, K−1, 0, 1, …) so any prefix is balanced. (N, 2) inputs with N = K · `pointsPerClass`.
    public static func gaussianBlobs(
        classCount: Int, pointsPerClass: Int, radius: Double = 3, spread: Double = 0.5, seed: UInt64
    ) -> LabelledDataset {
        precondition(classCount >= 1 && pointsPerClass >= 0, "gaussianBlobs: need ≥ 1 class and ≥ 0 points")
        precondition(spread >= 0, "gaussianBlobs: spread must be non-negative, got \(spread)")
        var rng = RandomGenerator(seed: seed)
        let n = classCount * pointsPerClass
        var values = [Double](repeating: 0, count: 2 * n)
        var labels = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let k = i % classCount
            let angle = 2 * Double.pi * Double(k) / Double(classCount)
            values[2 * i] = radius * cos(angle) + spread * rng.nextNormal()
            values[2 * i + 1] = radius * sin(angle) + spread * rng.nextNormal()
            labels[i] = k
        }
        return LabelledDataset(
            inputs: Tensor(values, shape: [n, 2]), labels: labels, classCount: classCount, name: "gaussian blobs")
    }

    /// `count` points uniform in [−1, 1]², on either side of a random line through the origin, keeping only
    /// points at distance ≥ `margin` from it (rejection sampling), with signs ±1.
    public static func linearlySeparable(count: Int, margin: Double = 0.1, seed: UInt64) -> SeparablePoints {
        precondition(count >= 0, "linearlySeparable: count must be non-negative, got \(count)")
        precondition(margin >= 0 && margin <= 0.5, "linearlySeparable: margin must be in [0, 0.5], got \(margin)")
        var rng = RandomGenerator(seed: seed)
        let angle = 2 * Double.pi * rng.nextUniform()
        let normal = [cos(angle), sin(angle)]
        var values: [Double] = []
        var signs: [Int] = []
        while signs.count < count {
            // Rounded to Float first, so the stored float32 points keep the margin exactly.
            let x = Double(Float(2 * rng.nextUniform() - 1)), y = Double(Float(2 * rng.nextUniform() - 1))
            let distance = normal[0] * x + normal[1] * y
            if Swift.abs(distance) < margin { continue }
            values += [x, y]
            signs.append(distance > 0 ? 1 : -1)
        }
        return SeparablePoints(
            points: Tensor(values, shape: [count, 2]), signs: signs, normal: normal, offset: 0, margin: margin)
    }
}
