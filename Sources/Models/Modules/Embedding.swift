import Autograd
import Ops

/// A lookup table of learned vectors, one row per id, like PyTorch's `nn.Embedding(count, dimension)` (see
/// `Tensor.embedding`). Weight (count, dimension), initialized N(0, 1) as PyTorch's unless told otherwise.
///
/// Shapes: ids (…) → (…, dimension).
public struct Embedding: Layer {
    public var weight: Tensor

    public init(
        _ count: Int, _ dimension: Int, weightInit: Initialization = .normal(std: 1), dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        precondition(count > 0 && dimension > 0, "Embedding: sizes must be positive, got \(count), \(dimension)")
        // PyTorch's fans of a (V, E) table: fan-in E, fan-out V.
        weight = weightInit.parameter([count, dimension], fanIn: dimension, fanOut: count, dtype: dtype, using: &rng)
    }

    public var count: Int { weight.shape[0] }
    public var dimension: Int { weight.shape[1] }

    /// The rows of `ids`, laid out as `shape` (default [ids.count]): (…shape, dimension).
    public func callAsFunction(_ ids: [Int], shape: [Int]? = nil) -> Tensor {
        Tensor.embedding(ids, shape: shape, table: weight)
    }

    /// The rows of the ids held (as whole numbers) in `ids`, a tensor of any shape: (…, dimension).
    public func callAsFunction(_ ids: Tensor, _ context: inout ForwardContext) -> Tensor {
        let values = ids.scalars
        precondition(
            values.allSatisfy { $0.rounded() == $0 }, "Embedding: ids must be whole numbers, got \(ids.shape) values")
        return self(values.map { Int($0) }, shape: ids.shape)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input + [dimension] }

    public var description: String { "Embedding(\(count), \(dimension))" }
}
