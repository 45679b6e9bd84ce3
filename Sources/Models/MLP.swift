import Autograd

/// A multilayer perceptron: hᵢ = f(hᵢ₋₁·Wᵢ + bᵢ) for the hidden layers (with dropout after each activation in
/// training), and a last affine layer without activation, giving logits.
///
/// Inputs of rank > 2, such as (N, 1, 28, 28) images, are flattened to (N, 784) first.
public struct MLP: Model {
    /// Wᵢ, shaped (inᵢ, outᵢ).
    public var weights: [Tensor]
    /// bᵢ, shaped (outᵢ).
    public var biases: [Tensor]
    public var activation: Activation
    /// The probability of zeroing a hidden unit in training.
    public var dropout: Double

    /// A network with layer widths `sizes` (input, hidden…, output), initialized like PyTorch's `nn.Linear`.
    public init(
        sizes: [Int], activation: Activation = .relu, dropout: Double = 0, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP: sizes \(sizes) need ≥ 2 positive widths")
        precondition(dropout >= 0 && dropout < 1, "MLP: dropout \(dropout) not in [0, 1)")
        var weights: [Tensor] = [], biases: [Tensor] = []
        for (fanIn, fanOut) in zip(sizes, sizes.dropFirst()) {
            weights.append(defaultWeight([fanIn, fanOut], fanIn: fanIn, dtype: dtype, using: &rng))
            biases.append(defaultWeight([fanOut], fanIn: fanIn, dtype: dtype, using: &rng))
        }
        self.init(weights: weights, biases: biases, activation: activation, dropout: dropout)
    }

    /// A network with the given weights, e.g. the hand-set OR and XOR networks of the coursework.
    public init(weights: [Tensor], biases: [Tensor], activation: Activation, dropout: Double = 0) {
        precondition(weights.count == biases.count && !weights.isEmpty, "MLP: one bias per weight matrix")
        for (i, (w, b)) in zip(weights, biases).enumerated() {
            precondition(w.rank == 2 && b.shape == [w.shape[1]], "MLP: layer \(i) weight \(w.shape) bias \(b.shape)")
            if i > 0 {
                precondition(w.shape[0] == weights[i - 1].shape[1], "MLP: layer \(i) input \(w.shape[0]) "
                    + "does not match previous output \(weights[i - 1].shape[1])")
            }
        }
        self.weights = weights.map { $0.isLeaf && !$0.requiresGrad ? $0.requiringGrad() : $0 }
        self.biases = biases.map { $0.isLeaf && !$0.requiresGrad ? $0.requiringGrad() : $0 }
        self.activation = activation
        self.dropout = dropout
    }

    /// Layer widths: input, hidden…, output.
    public var sizes: [Int] { [weights[0].shape[0]] + weights.map { $0.shape[1] } }

    /// The number of hidden units (all layers but input and output).
    public var hiddenUnitCount: Int { sizes.dropFirst().dropLast().reduce(0, +) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        weights.indices.flatMap { i in [("layers.\(i).weight", weights[i]), ("layers.\(i).bias", biases[i])] }
    }

    /// Logits (N, out) for x (N, in) or (N, …) flattened.
    public func forward(_ x: Tensor, training: Bool, using rng: inout RandomGenerator) -> Tensor {
        var h = x.rank > 2 ? x.flattened(from: 1) : x  // (N, in)
        for i in weights.indices {
            h = h.linear(weight: weights[i], bias: biases[i])
            if i < weights.count - 1 {
                h = activation(h).dropout(p: dropout, training: training, using: &rng)
            }
        }
        return h
    }

    /// Logits in evaluation mode (no dropout).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var rng = RandomGenerator(seed: 0)
        return forward(x, training: false, using: &rng)
    }
}
