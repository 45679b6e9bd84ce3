import Foundation

/// A learning-rate schedule: an optional linear warm-up followed by a decay of the base rate η.
///
/// - warm-up (t < W): η·(t + 1)/W
/// - constant: η
/// - step: η·γ^⌊s/k⌋ (γ every k steps)
/// - cosine: η_min + (η − η_min)·(1 + cos(π·s/S))/2 for s ≤ S, then η_min (Loshchilov & Hutter,
///   https://arxiv.org/abs/1608.03983, without restarts)
///
/// where s = t − W counts the steps after warm-up.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public enum Decay: Codable, Sendable, Equatable {
        case constant
        case step(every: Int, factor: Double)
        case cosine(steps: Int, minimum: Double)
    }

    public var warmupSteps: Int
    public var decay: Decay

    public init(warmupSteps: Int = 0, decay: Decay = .constant) {
        precondition(warmupSteps >= 0, "LearningRateSchedule: warmupSteps must be ≥ 0")
        self.warmupSteps = warmupSteps
        self.decay = decay
    }

    /// The learning rate for step `t` (counting from 0) given the base rate.
    public func rate(base: Double, step t: Int) -> Double {
        if t < warmupSteps { return base * Double(t + 1) / Double(warmupSteps) }
        let s = t - warmupSteps
        switch decay {
        case .constant:
            return base
        case .step(let every, let factor):
            return base * Foundation.pow(factor, Double(s / Swift.max(every, 1)))
        case .cosine(let steps, let minimum):
            if s >= steps { return minimum }
            return minimum + (base - minimum) * (1 + cos(Double.pi * Double(s) / Double(steps))) / 2
        }
    }
}
