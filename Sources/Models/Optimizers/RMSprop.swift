import Autograd

/// RMSprop (Hinton, Lecture 6e of "Neural Networks for Machine Learning"), as PyTorch defines it.
///
/// With g = ∇F(w) + λ·w + λ₁·sign(w):
///
///     v ← α·v + (1 − α)·g²
///     w ← w − η · g / (√v + ε)                 (μ = 0)
///     b ← μ·b + g / (√v + ε);  w ← w − η·b     (momentum μ > 0)
public final class RMSprop: Optimizer {
    public private(set) var groups: [ParameterGroup]
    public var learningRate: Double
    public let alpha: Double
    public let epsilon: Double
    public let momentum: Double
    private var squareAverage = StateBuffers()
    private var momentumBuffer = StateBuffers()

    public init(
        _ groups: [ParameterGroup], learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
        momentum: Double = 0
    ) {
        precondition(learningRate >= 0, "RMSprop: learning rate must be ≥ 0, got \(learningRate)")
        precondition((0..<1).contains(alpha), "RMSprop: alpha must be in [0, 1), got \(alpha)")
        precondition(momentum >= 0 && momentum < 1, "RMSprop: momentum must be in [0, 1), got \(momentum)")
        self.groups = groups
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
    }

    public convenience init(
        _ parameters: [Tensor], learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
        momentum: Double = 0, weightDecay: Double = 0
    ) {
        self.init(
            [ParameterGroup(parameters, weightDecay: weightDecay)], learningRate: learningRate, alpha: alpha,
            epsilon: epsilon, momentum: momentum)
    }

    public var stateByteCount: Int { squareAverage.byteCount + momentumBuffer.byteCount }

    /// v as `square_avg.<name>`, b as `momentum_buffer.<name>` (with momentum), and `learning_rate`.
    public func stateDict(names: [ObjectIdentifier: String]) -> OptimizerState {
        OptimizerState(
            kind: "RMSprop",
            tensors: squareAverage.exported(slot: "square_avg", names: names)
                .merging(momentumBuffer.exported(slot: "momentum_buffer", names: names)) { a, _ in a },
            metadata: ["learning_rate": "\(learningRate)"])
    }

    public func loadStateDict(_ state: OptimizerState, names: [ObjectIdentifier: String]) throws(CheckpointError) {
        let restored = try state.restored(
            kind: "RMSprop", slots: ["square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []),
            scalars: ["learning_rate"], parameters: parameters, names: names)
        squareAverage = restored.buffers["square_avg"]!
        momentumBuffer = restored.buffers["momentum_buffer"] ?? StateBuffers()
        learningRate = restored.scalars["learning_rate"]!
    }

    public func step() {
        forEachParameterWithGradient { p, grad, lr, group in
            let v = squareAverage.buffer(for: p)
            let b = momentum > 0 ? momentumBuffer.buffer(for: p) : nil
            withParameter(
                p, grad,
                float: { w, g in update(w, g, v.pointer(Float.self), b?.pointer(Float.self), p.count, lr, group) },
                double: { w, g in
                    update(w, g, v.pointer(Double.self), b?.pointer(Double.self), p.count, lr, group)
                })
        }
    }

    private func update<T: NativeScalar>(
        _ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ v: UnsafeMutablePointer<T>,
        _ b: UnsafeMutablePointer<T>?, _ n: Int, _ lr: Double, _ group: ParameterGroup
    ) {
        let a = T(alpha)
        let eps = T(epsilon)
        let eta = T(lr)
        let mu = T(momentum)
        let l2 = T(group.weightDecay + group.l2)
        let l1 = T(group.l1)
        forEachChunk(n) { range in
            for i in range {
                let gi = penalized(g[i], w[i], l2: l2, l1: l1)
                v[i] = a * v[i] + (1 - a) * gi * gi
                let scaled = gi / (v[i].squareRoot() + eps)
                if let b {
                    b[i] = mu * b[i] + scaled
                    w[i] -= eta * b[i]
                } else {
                    w[i] -= eta * scaled
                }
            }
        }
    }
}
