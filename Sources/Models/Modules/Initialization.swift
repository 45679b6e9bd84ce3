import Autograd

/// How a layer's weight or bias is initialized, as `torch.nn.init` does it.
///
/// fan-in is the number of inputs each output sums over (a linear layer's in-features, a convolution's
/// in-channels/groups × kernel area), fan-out the number of outputs each input reaches.
public enum Initialization: Equatable, Sendable {
    /// PyTorch's default for `nn.Linear` and `nn.Conv*` weights and biases (`kaiming_uniform_(a=√5)` for the
    /// weight, then the bias): U[−1/√fanIn, 1/√fanIn].
    case pytorchDefault
    /// N(0, std²); GPT-2 and ViT initialize their weights with std 0.02.
    case normal(std: Double)
    /// U[low, high].
    case uniform(low: Double, high: Double)
    /// Glorot & Bengio 2010: U[−a, a], a = gain·√(6 / (fanIn + fanOut)).
    case xavierUniform(gain: Double)
    /// Glorot & Bengio 2010: N(0, (gain·√(2 / (fanIn + fanOut)))²).
    case xavierNormal(gain: Double)
    /// He et al. 2015 for ReLU networks: U[−b, b], b = √2·√(3 / fanIn).
    case kaimingUniform
    /// He et al. 2015 for ReLU networks: N(0, 2 / fanIn).
    case kaimingNormal
    /// Saxe et al. 2013 (`torch.nn.init.orthogonal_`): a random semi-orthogonal matrix times `gain`, the shape
    /// viewed as shape[0] × (the product of the rest); see `Tensor.orthogonal`. Only for weights of two or more
    /// axes (a bias or a normalization scale has one).
    case orthogonal(gain: Double)
    /// Every element `value` (0 for biases, 1 for normalization scales).
    case constant(Double)

    /// All zeros.
    public static let zeros = Initialization.constant(0)
    /// All ones.
    public static let ones = Initialization.constant(1)

    /// A new parameter of `shape` (requiring its gradient) with the given fans (fan-out defaults to fan-in).
    public func parameter(
        _ shape: [Int], fanIn: Int, fanOut: Int? = nil, dtype: DType, using rng: inout RandomGenerator
    ) -> Tensor {
        let fanOut = fanOut ?? fanIn
        let tensor: Tensor
        switch self {
        case .pytorchDefault:
            let bound = 1 / Double(fanIn).squareRoot()
            tensor = Tensor.uniform(shape, low: -bound, high: bound, dtype: dtype, using: &rng)
        case .normal(let std):
            tensor = Tensor.normal(shape, std: std, dtype: dtype, using: &rng)
        case .uniform(let low, let high):
            tensor = Tensor.uniform(shape, low: low, high: high, dtype: dtype, using: &rng)
        case .xavierUniform(let gain):
            tensor = Tensor.xavierUniform(shape, fanIn: fanIn, fanOut: fanOut, gain: gain, dtype: dtype, using: &rng)
        case .xavierNormal(let gain):
            tensor = Tensor.xavierNormal(shape, fanIn: fanIn, fanOut: fanOut, gain: gain, dtype: dtype, using: &rng)
        case .kaimingUniform:
            tensor = Tensor.kaimingUniform(shape, fanIn: fanIn, dtype: dtype, using: &rng)
        case .kaimingNormal:
            tensor = Tensor.kaimingNormal(shape, fanIn: fanIn, dtype: dtype, using: &rng)
        case .orthogonal(let gain):
            tensor = Tensor.orthogonal(shape, gain: gain, dtype: dtype, using: &rng)
        case .constant(let value):
            tensor = Tensor.full(shape, value, dtype: dtype)
        }
        return tensor.requiringGrad()
    }
}
