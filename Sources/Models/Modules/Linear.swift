import Autograd
import Ops

/// An affine map y = x·W + b over the last axis, like PyTorch's `nn.Linear(in, out)`, with W stored (in, out)
/// (PyTorch's weight transposed, so the product needs no transpose).
///
/// Shapes: x (…, in) → (…, out).
public struct Linear: UnaryLayer {
    /// W, (in, out).
    public var weight: Tensor
    /// b, (out); nil without a bias.
    public var bias: Tensor?

    /// A layer with PyTorch's default initialization unless told otherwise (see `Initialization`).
    public init(
        _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, weightInit: Initialization = .pytorchDefault,
        biasInit: Initialization = .pytorchDefault, dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        precondition(
            inFeatures > 0 && outFeatures > 0, "Linear: sizes must be positive, got \(inFeatures), \(outFeatures)")
        weight = weightInit.parameter(
            [inFeatures, outFeatures], fanIn: inFeatures, fanOut: outFeatures, dtype: dtype, using: &rng)
        self.bias = bias ? biasInit.parameter([outFeatures], fanIn: inFeatures, dtype: dtype, using: &rng) : nil
    }

    /// A layer with the given weight (in, out) and bias (out), e.g. set by hand.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(
            weight.rank == 2 && (bias == nil || bias!.shape == [weight.shape[1]]),
            "Linear: weight \(weight.shape) must be (in, out) and bias \(bias?.shape ?? []) (out)")
        self.weight = weight
        self.bias = bias
    }

    public var inFeatures: Int { weight.shape[0] }
    public var outFeatures: Int { weight.shape[1] }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.last == inFeatures else {
            throw ShapeError("needs \(inFeatures) features on its last axis")
        }
        return input.dropLast() + [outFeatures]
    }

    public var description: String { "Linear(\(inFeatures), \(outFeatures)\(bias == nil ? ", bias=False" : ""))" }

    /// PyTorch stores the weight (out, in).
    public func pytorchStateDict() -> [(name: String, tensor: SafetensorsTensor)] {
        [("weight", SafetensorsTensor(weight.transposed()))] + (bias.map { [("bias", SafetensorsTensor($0))] } ?? [])
    }
}

/// The layer that returns its input, PyTorch's `nn.Identity`.
public struct Identity: UnaryLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
    public var description: String { "Identity()" }
}
