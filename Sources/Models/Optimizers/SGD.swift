import Autograd

/// Stochastic gradient descent, with optional momentum (heavy ball or Nesterov).
///
/// With g = ∇F(w) + λ·w + λ₁·sign(w):
/// - plain (α = 0): w ← w − η·g
/// - momentum: v ← α·v + g;  w ← w − η·v   (the heavy-ball form, and PyTorch's with dampening 0)
/// - Nesterov: v ← α·v + g;  w ← w − η·(g + α·v)
public final class SGD: Optimizer {
    public private(set) var groups: [ParameterGroup]
    public var learningRate: Double
    public let momentum: Double
    public let nesterov: Bool
    private var velocity = StateBuffers()

    public init(_ groups: [ParameterGroup], learningRate: Double, momentum: Double = 0, nesterov: Bool = false) {
        precondition(learningRate >= 0, "SGD: learning rate must be ≥ 0, got \(learningRate)")
        precondition(momentum >= 0 && momentum < 1, "SGD: momentum must be in [0, 1), got \(momentum)")
        precondition(!nesterov || momentum > 0, "SGD: Nesterov needs momentum > 0")
        self.groups = groups
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public convenience init(
        _ parameters: [Tensor], learningRate: Double, momentum: Double = 0, nesterov: Bool = false,
        weightDecay: Double = 0
    ) {
        self.init(
            [ParameterGroup(parameters, weightDecay: weightDecay)], learningRate: learningRate, momentum: momentum,
            nesterov: nesterov)
    }

    public var stateByteCount: Int { velocity.byteCount }

    /// The velocities as `momentum_buffer.<name>` (none without momentum) and `learning_rate`.
    public func stateDict(names: [ObjectIdentifier: String]) -> OptimizerState {
        OptimizerState(
            kind: "SGD", tensors: velocity.exported(slot: "momentum_buffer", names: names),
            metadata: ["learning_rate": "\(learningRate)"])
    }

    public func loadStateDict(_ state: OptimizerState, names: [ObjectIdentifier: String]) throws(CheckpointError) {
        let restored = try state.restored(
            kind: "SGD", slots: momentum > 0 ? ["momentum_buffer"] : [], scalars: ["learning_rate"],
            parameters: parameters, names: names)
        velocity = restored.buffers["momentum_buffer"] ?? StateBuffers()
        learningRate = restored.scalars["learning_rate"]!
    }

    public func step() {
        forEachParameterWithGradient { p, grad, lr, group in
            let v = momentum > 0 ? velocity.buffer(for: p) : nil
            withParameter(
                p, grad,
                float: { w, g in update(w, g, v?.pointer(Float.self), p.count, lr, group) },
                double: { w, g in update(w, g, v?.pointer(Double.self), p.count, lr, group) })
        }
    }

    private func update<T: NativeScalar>(
        _ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ v: UnsafeMutablePointer<T>?, _ n: Int,
        _ lr: Double, _ group: ParameterGroup
    ) {
        let eta = T(lr)
        let alpha = T(momentum)
        let l2 = T(group.weightDecay + group.l2)
        let l1 = T(group.l1)
        let nesterov = nesterov
        forEachChunk(n) { range in
            guard let v else {
                for i in range { w[i] -= eta * penalized(g[i], w[i], l2: l2, l1: l1) }
                return
            }
            for i in range {
                let gi = penalized(g[i], w[i], l2: l2, l1: l1)
                v[i] = alpha * v[i] + gi
                w[i] -= nesterov ? eta * (gi + alpha * v[i]) : eta * v[i]
            }
        }
    }
}
