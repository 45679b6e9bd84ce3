import Autograd

/// What every model offers the training loop, checkpoints and summaries.
///
/// Models are plain structs of tensors with a forward function (`forward(_:training:using:)`) written like the
/// paper; the struct owns the parameters, built by a seeded initializer.
public protocol Model {
    /// Every learnable tensor under a stable dotted name (`blocks.0.attention.query`), like PyTorch's
    /// `named_parameters()`.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// Non-learnable state that checkpoints keep (batch-norm running statistics), like PyTorch's buffers.
    var namedBuffers: [(name: String, tensor: Tensor)] { get }
}

extension Model {
    public var namedBuffers: [(name: String, tensor: Tensor)] { [] }

    /// The learnable tensors, for an optimizer.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// The number of learnable scalars.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }
}

/// PyTorch's default initialization of a linear or convolution layer (`kaiming_uniform_(a=√5)` for the weight,
/// then the bias): U[−1/√fanIn, 1/√fanIn] for both.
func defaultWeight(_ shape: [Int], fanIn: Int, dtype: DType, using rng: inout RandomGenerator) -> Tensor {
    let bound = 1 / Double(fanIn).squareRoot()
    return Tensor.uniform(shape, low: -bound, high: bound, dtype: dtype, using: &rng).requiringGrad()
}

/// An activation function, selectable by name in specs.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case relu, sigmoid, tanh, gelu
    /// The identity: a linear network.
    case linear

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .sigmoid: x.sigmoid()
        case .tanh: x.tanh()
        case .gelu: x.gelu()
        case .linear: x
        }
    }
}
