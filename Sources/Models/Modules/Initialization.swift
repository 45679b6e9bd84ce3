import Autograd

/// How a layer's weight or bias is initialized.
public enum Initialization: Equatable, Sendable {
    /// PyTorch's default for `nn.Linear` and `nn.Conv*` weights and biases (`kaiming_uniform_(a=√5)` for the
    /// weight, then the bias): U[−1/√fanIn, 1/√fanIn].
    case pytorchDefault
    /// N(0, std²); GPT-2 and ViT initialize their weights with std 0.02.
    case normal(std: Double)
    /// Every element `value` (0 for biases, 1 for normalization scales).
    case constant(Double)

    /// All zeros.
    public static let zeros = Initialization.constant(0)
    /// All ones.
    public static let ones = Initialization.constant(1)

    /// A new parameter of `shape` (requiring its gradient), `fanIn` being the inputs each output sums over.
    public func parameter(
        _ shape: [Int], fanIn: Int, dtype: DType, using rng: inout RandomGenerator
    ) -> Tensor {
        let tensor: Tensor
        switch self {
        case .pytorchDefault:
            let bound = 1 / Double(fanIn).squareRoot()
            tensor = Tensor.uniform(shape, low: -bound, high: bound, dtype: dtype, using: &rng)
        case .normal(let std):
            tensor = Tensor.normal(shape, std: std, dtype: dtype, using: &rng)
        case .constant(let value):
            tensor = Tensor.full(shape, value, dtype: dtype)
        }
        return tensor.requiringGrad()
    }
}
