import Autograd
import Foundation

/// Adam (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980) and AdamW (Loshchilov & Hutter 2019,
/// https://arxiv.org/abs/1711.05101).
///
/// At step t, with g = ∇F(w) (+ λ·w for Adam's L2 penalty, + λ₁·sign(w)):
///
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     w ← w − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// AdamW decouples the weight decay from the gradient: w ← w − η·λ·w before the update above.
public final class Adam: Optimizer {
    public private(set) var groups: [ParameterGroup]
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    /// Whether the weight decay is decoupled (AdamW) instead of an L2 term in the gradient.
    public let decoupledWeightDecay: Bool
    public private(set) var stepCount = 0
    private var firstMoment = StateBuffers()
    private var secondMoment = StateBuffers()

    public init(
        _ groups: [ParameterGroup], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, decoupledWeightDecay: Bool = false
    ) {
        precondition(learningRate >= 0, "Adam: learning rate must be ≥ 0, got \(learningRate)")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must be in [0, 1)")
        self.groups = groups
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public convenience init(
        _ parameters: [Tensor], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false
    ) {
        self.init(
            [ParameterGroup(parameters, weightDecay: weightDecay)], learningRate: learningRate, beta1: beta1,
            beta2: beta2, epsilon: epsilon, decoupledWeightDecay: decoupledWeightDecay)
    }

    public var stateByteCount: Int { firstMoment.byteCount + secondMoment.byteCount }

    /// m as `exp_avg.<name>`, v as `exp_avg_sq.<name>`, the step count t as `step`, and `learning_rate`; the
    /// kind is `AdamW` with decoupled weight decay.
    public func stateDict(names: [ObjectIdentifier: String]) -> OptimizerState {
        OptimizerState(
            kind: kind,
            tensors: firstMoment.exported(slot: "exp_avg", names: names)
                .merging(secondMoment.exported(slot: "exp_avg_sq", names: names)) { a, _ in a },
            metadata: ["step": "\(stepCount)", "learning_rate": "\(learningRate)"])
    }

    public func loadStateDict(_ state: OptimizerState, names: [ObjectIdentifier: String]) throws(CheckpointError) {
        let restored = try state.restored(
            kind: kind, slots: ["exp_avg", "exp_avg_sq"], scalars: ["step", "learning_rate"],
            parameters: parameters, names: names)
        guard let step = Int(exactly: restored.scalars["step"]!), step >= 0 else {
            throw .optimizerStateMismatch(problems: ["scalar \"step\" is \"\(state.metadata["step"]!)\""])
        }
        firstMoment = restored.buffers["exp_avg"]!
        secondMoment = restored.buffers["exp_avg_sq"]!
        stepCount = step
        learningRate = restored.scalars["learning_rate"]!
    }

    private var kind: String { decoupledWeightDecay ? "AdamW" : "Adam" }

    public func step() {
        stepCount += 1
        forEachParameterWithGradient { p, grad, lr, group in
            let m = firstMoment.buffer(for: p), v = secondMoment.buffer(for: p)
            withParameter(
                p, grad,
                float: { w, g in update(w, g, m.pointer(Float.self), v.pointer(Float.self), p.count, lr, group) },
                double: { w, g in update(w, g, m.pointer(Double.self), v.pointer(Double.self), p.count, lr, group) })
        }
    }

    private func update<T: NativeScalar>(
        _ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>,
        _ v: UnsafeMutablePointer<T>, _ n: Int, _ lr: Double, _ group: ParameterGroup
    ) {
        let t = Double(stepCount)
        let b1 = T(beta1), b2 = T(beta2), eps = T(epsilon), eta = T(lr)
        let correction1 = T(1 - Foundation.pow(beta1, t)), correction2 = T(1 - Foundation.pow(beta2, t))
        let l2 = decoupledWeightDecay ? 0 : T(group.weightDecay), l1 = T(group.l1)
        let decay = decoupledWeightDecay ? 1 - T(lr * group.weightDecay) : 1
        for i in 0..<n {
            let gi = penalized(g[i], w[i], l2: l2, l1: l1)
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            w[i] = w[i] * decay - eta * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
        }
    }
}

/// AdamW: Adam with decoupled weight decay (default λ = 0.01, as PyTorch).
public func AdamW(
    _ parameters: [Tensor], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-8, weightDecay: Double = 0.01
) -> Adam {
    Adam(
        parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
        weightDecay: weightDecay, decoupledWeightDecay: true)
}
