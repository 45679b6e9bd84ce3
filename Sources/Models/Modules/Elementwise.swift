import Autograd
import Ops

/// Inverted dropout with probability `p`, like PyTorch's `nn.Dropout(p)` (see `Tensor.dropout`): active in
/// training mode, drawing its mask from the context's generator; the identity in evaluation mode.
public struct Dropout: Layer {
    public var p: Double

    public init(_ p: Double = 0.5) {
        precondition(p >= 0 && p <= 1, "Dropout: probability \(p) not in [0, 1]")
        self.p = p
    }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.dropout(p: p, training: context.training, using: &context.rng)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }

    public var description: String { "Dropout(\(p))" }
}

/// An activation function, as a layer (`ReLU()`, …) or a setting of a model (`FeedForward`, `MLP`).
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

/// relu(x) = max(x, 0), like PyTorch's `nn.ReLU()`; relu′(0) = 0.
public struct ReLU: UnaryLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
    public var description: String { "ReLU()" }
}

/// σ(x) = 1 / (1 + e^−x), like PyTorch's `nn.Sigmoid()`.
public struct Sigmoid: UnaryLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
    public var description: String { "Sigmoid()" }
}

/// tanh(x), like PyTorch's `nn.Tanh()`.
public struct Tanh: UnaryLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
    public var description: String { "Tanh()" }
}

/// GELU(x) = x·Φ(x) (Hendrycks & Gimpel 2016, https://arxiv.org/abs/1606.08415), like PyTorch's `nn.GELU()`.
public struct GELU: UnaryLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.gelu() }
    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
    public var description: String { "GELU()" }
}

/// Flattens every axis from `startAxis` on into one, like PyTorch's `nn.Flatten()`: (N, …) → (N, ∏…).
public struct Flatten: UnaryLayer {
    /// The first axis flattened, counting the batch axis (default 1: everything but the batch).
    public var startAxis: Int

    public init(startAxis: Int = 1) {
        precondition(startAxis >= 1, "Flatten: the batch axis 0 is kept, so startAxis must be ≥ 1, got \(startAxis)")
        self.startAxis = startAxis
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened(from: startAxis) }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let kept = min(startAxis - 1, input.count)
        guard let size = Int.exactProduct(input.dropFirst(kept)) else {
            throw ShapeError("would make one axis of more values than an integer can count")
        }
        return Array(input.prefix(kept)) + [size]
    }

    public var description: String { "Flatten()" }
}
