// The four 2-D classification datasets of the TensorFlow Playground (https://playground.tensorflow.org), drawn
// as its `src/dataset.ts` draws them, with this library's seeded generator and exactly the points asked for.

import Foundation

/// A 2-D two-class dataset of the TensorFlow Playground. `noise` is the Playground's: its slider's 0–50 % is
/// 0…0.5 here; larger values are allowed and keep the same formulas.
public enum PlaygroundDataset: String, CaseIterable, Sendable {
    /// Class 1 inside a disc, class 0 in a ring around it: half the points drawn at a radius uniform in [0, 2.5],
    /// half in [3.5, 5], at a uniform angle. Each is labelled by whether the point moved by noise uniform in
    /// ±5·`noise` on each axis lies within radius 2.5; the point itself stays where it was drawn, so noise flips
    /// labels near the boundary.
    case circle
    /// Two interleaved arms of 1.75 turns: point k of n in an arm has radius 5k / n and angle 3.5πk / n, the
    /// second arm (class 0) turned by π; each coordinate moved by noise uniform in ±`noise`. Class 1 is the arm
    /// that starts at angle 0.
    case spiral
    /// Two Gaussian clouds, class 1 around (2, 2) and class 0 around (−2, −2), with variance 0.5 + 7·`noise` on
    /// each axis (0.5 without noise, 4 at the Playground's largest noise).
    case gaussian
    /// Points uniform in [−5, 5]², each coordinate moved 0.3 further from 0, labelled by the quadrant of the point
    /// moved by noise uniform in ±5·`noise` on each axis (the point stays): class 1 where the signs differ
    /// (x·y < 0), as for the exact `xor` dataset, class 0 where they agree.
    case xor
}

extension SyntheticData {
    /// `count` points (N, 2) of a Playground dataset, two classes. Where the Playground draws two groups of
    /// points (circle: inside and outside; spiral: the arms; gaussian: the clouds), the groups alternate, the
    /// first holding ⌈N / 2⌉ points and the second ⌊N / 2⌋, so any prefix is about balanced. Deterministic for
    /// a seed.
    public static func playground(
        _ dataset: PlaygroundDataset, count: Int, noise: Double = 0, seed: UInt64
    ) -> LabelledDataset {
        precondition(count >= 0, "playground: count must be non-negative, got \(count)")
        precondition(noise >= 0, "playground: noise must be non-negative, got \(noise)")
        var rng = RandomGenerator(seed: seed)
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * rng.nextUniform() }
        var values = [Double](repeating: 0, count: 2 * count)
        var labels = [Int](repeating: 0, count: count)
        let firstGroup = (count + 1) / 2
        for i in 0..<count {
            // The group (1: the Playground's positive examples), the point's index in it and the group's size.
            let (group, k) = (i % 2 == 0 ? 1 : 0, i / 2)
            let groupSize = group == 1 ? firstGroup : count - firstGroup
            var (x, y, label) = (0.0, 0.0, group)
            switch dataset {
            case .circle:
                let r = group == 1 ? uniform(0, 2.5) : uniform(3.5, 5)
                let angle = uniform(0, 2 * .pi)
                (x, y) = (r * sin(angle), r * cos(angle))
                let (nx, ny) = (uniform(-5, 5) * noise, uniform(-5, 5) * noise)
                label = ((x + nx) * (x + nx) + (y + ny) * (y + ny)).squareRoot() < 2.5 ? 1 : 0
            case .spiral:
                let r = Double(k) / Double(groupSize) * 5
                let t = 1.75 * Double(k) / Double(groupSize) * 2 * .pi + (group == 1 ? 0 : .pi)
                x = r * sin(t) + uniform(-1, 1) * noise
                y = r * cos(t) + uniform(-1, 1) * noise
            case .gaussian:
                let std = (0.5 + 7 * noise).squareRoot()
                let centre = group == 1 ? 2.0 : -2.0
                (x, y) = (centre + std * rng.nextNormal(), centre + std * rng.nextNormal())
            case .xor:
                x = uniform(-5, 5)
                x += x > 0 ? 0.3 : -0.3
                y = uniform(-5, 5)
                y += y > 0 ? 0.3 : -0.3
                let (nx, ny) = (uniform(-5, 5) * noise, uniform(-5, 5) * noise)
                label = (x + nx) * (y + ny) >= 0 ? 0 : 1
            }
            (values[2 * i], values[2 * i + 1], labels[i]) = (x, y, label)
        }
        return LabelledDataset(
            inputs: Tensor(values, shape: [count, 2]), labels: labels, classCount: 2, name: dataset.rawValue)
    }
}
