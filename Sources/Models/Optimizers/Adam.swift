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
            let m = firstMoment.buffer(for: p)
            let v = secondMoment.buffer(for: p)
            withParameter(
                p, grad,
                float: { w, g in update(w, g, m.pointer(Float.self), v.pointer(Float.self), p.count, lr, group) },
                double: { w, g in update(w, g, m.pointer(Double.self), v.pointer(Double.self), p.count, lr, group) })
        }
    }

    /// The update above as PyTorch computes it, w ← w·(1 − η·λ) − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε),
    /// in one pass over the elements split between threads, four elements at a time without penalties.
    private func update<T: NativeScalar>(
        _ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>,
        _ v: UnsafeMutablePointer<T>, _ n: Int, _ lr: Double, _ group: ParameterGroup
    ) {
        let t = Double(stepCount)
        let b1 = T(beta1)
        let b2 = T(beta2)
        let eps = T(epsilon)
        let stepSize = T(lr / (1 - Foundation.pow(beta1, t)))
        let inverseRootCorrection2 = T(1 / (1 - Foundation.pow(beta2, t)).squareRoot())
        let l2 = T((decoupledWeightDecay ? 0 : group.weightDecay) + group.l2)
        let l1 = T(group.l1)
        let decay = decoupledWeightDecay ? 1 - T(lr * group.weightDecay) : 1
        let penalties = l2 != 0 || l1 != 0
        forEachChunk(n) { range in
            var i = range.lowerBound
            if !penalties {
                while i + 4 <= range.upperBound {
                    let gi = load4(g + i)
                    let mi = b1 * load4(m + i) + (1 - b1) * gi
                    let vi = b2 * load4(v + i) + (1 - b2) * gi * gi
                    store4(mi, m + i)
                    store4(vi, v + i)
                    let denominator = T.squareRoots(vi) * inverseRootCorrection2 + eps
                    store4(load4(w + i) * decay - stepSize * mi / denominator, w + i)
                    i += 4
                }
            }
            for i in i..<range.upperBound {
                let gi = penalties ? penalized(g[i], w[i], l2: l2, l1: l1) : g[i]
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                w[i] = w[i] * decay - stepSize * mi / (vi.squareRoot() * inverseRootCorrection2 + eps)
            }
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
