import Autograd
import Ops

/// A multilayer perceptron: hᵢ = dropout(f(layers[i](hᵢ₋₁))) for the hidden layers, and a last `Linear` without
/// activation, giving logits.
///
/// Inputs of rank > 2, such as (N, 1, 28, 28) images, are flattened to (N, 784) first.
public struct MLP: Layer {
    public var layers: [Linear]
    public var activation: Activation
    /// After each hidden activation.
    public var dropout: Dropout

    /// A network with layer widths `sizes` (input, hidden…, output), initialized like PyTorch's `nn.Linear`.
    public init(
        sizes: [Int], activation: Activation = .relu, dropout: Double = 0, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP: sizes \(sizes) need ≥ 2 positive widths")
        precondition(dropout >= 0 && dropout < 1, "MLP: dropout \(dropout) not in [0, 1)")
        let layers = zip(sizes, sizes.dropFirst()).map { Linear($0, $1, dtype: dtype, using: &rng) }
        self.init(layers, activation: activation, dropout: dropout)
    }

    /// A network of the given layers, e.g. set by hand (the OR and XOR networks); each layer's input must be the
    /// previous one's output.
    public init(_ layers: [Linear], activation: Activation, dropout: Double = 0) {
        precondition(!layers.isEmpty, "MLP: at least one layer")
        for i in layers.indices.dropFirst() {
            precondition(
                layers[i].inFeatures == layers[i - 1].outFeatures,
                "MLP: layer \(i) input \(layers[i].inFeatures) does not match previous output "
                    + "\(layers[i - 1].outFeatures)"
            )
        }
        self.layers = layers
        self.activation = activation
        self.dropout = Dropout(dropout)
    }

    /// Layer widths: input, hidden…, output.
    public var sizes: [Int] { [layers[0].inFeatures] + layers.map(\.outFeatures) }

    /// The number of hidden units (all layers but input and output).
    public var hiddenUnitCount: Int { sizes.dropFirst().dropLast().reduce(0, +) }

    /// Logits (N, out) for x (N, in) or (N, …) flattened.
    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        var h = x.rank > 2 ? x.flattened(from: 1) : x  // (N, in)
        for layer in layers.dropLast() {
            h = dropout(activation(layer(h)), &context)
        }
        return layers[layers.count - 1](h)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let features = input.reduce(1, *)
        guard features == sizes[0] else {
            throw ShapeError("needs \(sizes[0]) features")
        }
        return [sizes.last!]
    }

    public var description: String {
        "MLP(\(sizes.map(String.init).joined(separator: "-")), \(activation.rawValue)"
            + (dropout.p > 0 ? ", dropout=\(dropout.p)" : "") + ")"
    }

    /// The equivalent PyTorch module is `nn.Sequential(Linear, act, Linear, act, …, Linear)`, with a `Dropout` after
    /// each hidden activation when p > 0: linear layer k sits at index 2k, or 3k with dropout.
    public func pytorchStateDict() -> [(name: String, tensor: SafetensorsTensor)] {
        let stride = dropout.p > 0 ? 3 : 2
        return layers.enumerated().flatMap { k, layer in
            layer.pytorchStateDict().map { ("\(stride * k).\($0.name)", $0.tensor) }
        }
    }
}
