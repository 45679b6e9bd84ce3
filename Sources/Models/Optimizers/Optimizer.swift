import Autograd

/// Parameters that share hyper-parameters, like PyTorch's `param_groups`.
public struct ParameterGroup {
    public var parameters: [Tensor]
    /// Overrides the optimizer's learning rate for this group when set.
    public var learningRate: Double?
    /// L2 penalty λ: adds λ·w to the gradient (AdamW decays the weights directly instead).
    public var weightDecay: Double
    /// L1 penalty λ₁: adds λ₁·sign(w) to the gradient.
    public var l1: Double
    /// L2 penalty λ₂ added to the gradient by every optimizer, AdamW included (whose `weightDecay` decays the weights
    /// directly): adds λ₂·w to the gradient.
    public var l2: Double

    public init(
        _ parameters: [Tensor], learningRate: Double? = nil, weightDecay: Double = 0, l1: Double = 0, l2: Double = 0
    ) {
        precondition(parameters.allSatisfy(\.isLeaf), "ParameterGroup: parameters must be leaf tensors")
        precondition(weightDecay >= 0 && l1 >= 0 && l2 >= 0, "ParameterGroup: penalties must be ≥ 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.l1 = l1
        self.l2 = l2
    }
}

/// Updates parameters from their gradients. Each optimizer is its per-parameter update equation, applied in
/// one fused pass over the parameter's elements inside `noGrad`.
public protocol Optimizer: AnyObject {
    var groups: [ParameterGroup] { get }
    /// The base learning rate η (a schedule sets it before each step).
    var learningRate: Double { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// The bytes of state the optimizer keeps (momentum buffers, moment estimates), for memory comparisons.
    var stateByteCount: Int { get }
    /// A copy of the state (buffers and scalars, see `OptimizerState`), each parameter named by `names`
    /// (usually `model.parameterNames`; every parameter with state must have a name).
    func stateDict(names: [ObjectIdentifier: String]) -> OptimizerState
    /// Replaces the whole state with `state`, e.g. from a checkpoint, so that the next `step()` is the one the
    /// saving optimizer would have taken; restores the base learning rate too. Checks the kind, every buffer's
    /// name, shape and dtype and every scalar first: on any mismatch it throws
    /// `CheckpointError.optimizerStateMismatch` listing them all and changes nothing.
    func loadStateDict(_ state: OptimizerState, names: [ObjectIdentifier: String]) throws(CheckpointError)
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for group in groups {
            for p in group.parameters { p.zeroGrad() }
        }
    }

    /// All parameters of all groups.
    public var parameters: [Tensor] { groups.flatMap(\.parameters) }

    /// Calls `update` for every parameter that has a gradient, with the gradient, the group's learning rate
    /// (or the base one) and the group: the walk every `step()` makes.
    func forEachParameterWithGradient(_ update: (Tensor, Tensor, Double, ParameterGroup) -> Void) {
        for group in groups {
            let lr = group.learningRate ?? learningRate
            for p in group.parameters {
                guard let grad = p.grad else { continue }
                update(p, grad, lr, group)
            }
        }
    }
}

/// One state buffer per parameter (zeros of its shape), created on first use.
struct StateBuffers {
    private(set) var buffers: [ObjectIdentifier: Tensor] = [:]

    mutating func buffer(for p: Tensor) -> Tensor {
        if let b = buffers[ObjectIdentifier(p)] { return b }
        let b = Tensor.zeros(p.shape, dtype: p.dtype)
        buffers[ObjectIdentifier(p)] = b
        return b
    }

    /// Makes `buffer` (same shape and dtype, not shared with anyone) the state of `p`, for restoring.
    mutating func set(_ buffer: Tensor, for p: Tensor) {
        precondition(buffer.shape == p.shape && buffer.dtype == p.dtype, "StateBuffers: \(buffer.shape) for \(p.shape)")
        buffers[ObjectIdentifier(p)] = buffer
    }

    var byteCount: Int { buffers.values.reduce(0) { $0 + $1.count * $1.dtype.byteCount } }
}

/// The gradient with the group's penalties: g + λ·w + λ₁·sign(w).
@inline(__always)
func penalized<T: NativeScalar>(_ g: T, _ w: T, l2: T, l1: T) -> T {
    var result = g
    if l2 != 0 { result += l2 * w }
    if l1 != 0 { result += l1 * (w > 0 ? 1 : (w < 0 ? -1 : 0)) }
    return result
}

/// Runs `body` on ranges covering `0..<count` elements of a parameter, in parallel for large parameters
/// (updates are elementwise, so any split gives the same result).
@inline(__always)
func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
    parallelRanges(count, grain: 1 << 15, body)
}

/// Four consecutive elements from `p` (no alignment needed).
@inline(__always)
func load4<T: NativeScalar>(_ p: UnsafePointer<T>) -> SIMD4<T> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<T>.self)
}

@inline(__always)
func load4<T: NativeScalar>(_ p: UnsafeMutablePointer<T>) -> SIMD4<T> { load4(UnsafePointer(p)) }

/// Stores four consecutive elements at `p`.
@inline(__always)
func store4<T: NativeScalar>(_ x: SIMD4<T>, _ p: UnsafeMutablePointer<T>) {
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD4<T>.self)
}

/// Runs `update` with typed pointers to the parameter's elements and its gradient's.
@inline(__always)
func withParameter(
    _ p: Tensor, _ g: Tensor,
    float: (UnsafeMutablePointer<Float>, UnsafePointer<Float>) -> Void,
    double: (UnsafeMutablePointer<Double>, UnsafePointer<Double>) -> Void
) {
    precondition(g.shape == p.shape && g.dtype == p.dtype, "optimizer: gradient \(g.shape) for parameter \(p.shape)")
    switch p.dtype {
    case .float32: float(p.pointer(Float.self), g.pointer(Float.self))
    case .float64: double(p.pointer(Double.self), g.pointer(Double.self))
    }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm`, like
/// `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping. Gradients are replaced, not mutated
/// (two leaves may share one gradient tensor).
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) -> Double {
    precondition(maxNorm > 0, "clipGradientNorm: maxNorm must be positive, got \(maxNorm)")
    var sumOfSquares = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        sumOfSquares += g.scalars.reduce(0) { $0 + $1 * $1 }
    }
    let norm = sumOfSquares.squareRoot()
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        noGrad {
            for p in parameters { p.grad = p.grad.map { $0 * scale } }
        }
    }
    return norm
}
