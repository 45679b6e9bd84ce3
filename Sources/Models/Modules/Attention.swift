import Autograd
import Ops

/// Multi-head attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762) with bias-free projections Wq,
/// Wk, Wv, Wo, each (C, C) applied on the right (x·W): self-attention of a sequence (`callAsFunction(_:)`, with a
/// causal mask in a decoder) or cross-attention of a sequence to another (`callAsFunction(_:memory:)`).
///
/// Shapes: x (B, T, C) → (B, T, C); memory (B, S, C).
public struct MultiHeadAttention: UnaryLayer {
    public var query: Tensor
    public var key: Tensor
    public var value: Tensor
    public var output: Tensor
    public var heads: Int
    /// Self-attention masks future positions (query i attends to keys j ≤ i), as in a decoder.
    public var causal: Bool

    /// Projections N(0, 0.02²) (GPT-2's initialization) unless told otherwise.
    public init(
        dim: Int, heads: Int, causal: Bool = false, weightInit: Initialization = .normal(std: 0.02),
        dtype: DType = .float32, using rng: inout RandomGenerator
    ) {
        precondition(
            dim > 0 && heads > 0 && dim % heads == 0, "MultiHeadAttention: \(heads) heads do not divide dim \(dim)")
        func projection() -> Tensor { weightInit.parameter([dim, dim], fanIn: dim, dtype: dtype, using: &rng) }
        query = projection()
        key = projection()
        value = projection()
        output = projection()
        self.heads = heads
        self.causal = causal
    }

    public var dim: Int { query.shape[0] }

    /// Self-attention: the output (B, T, C).
    public func callAsFunction(_ x: Tensor) -> Tensor { attended(x).output }

    /// Self-attention: the output (B, T, C) and the post-softmax weights (B, H, T, T), for plotting (not
    /// differentiable).
    public func attended(_ x: Tensor) -> (output: Tensor, weights: Tensor) {
        x.multiHeadAttention(
            heads: heads, queryWeight: query, keyWeight: key, valueWeight: value, outputWeight: output, causal: causal)
    }

    /// Cross-attention of `x` (B, T, C), the queries, to `memory` (B, S, C), the keys and values (an encoder's
    /// output in an encoder–decoder Transformer); never masked. Output (B, T, C).
    public func callAsFunction(_ x: Tensor, memory: Tensor) -> Tensor {
        precondition(
            x.rank == 3 && memory.rank == 3 && memory.shape[0] == x.shape[0] && x.shape[2] == dim
                && memory.shape[2] == dim,
            "MultiHeadAttention: queries \(x.shape) and memory \(memory.shape) must be (B, T, \(dim)), (B, S, \(dim))")
        let (b, t, s, d) = (x.shape[0], x.shape[1], memory.shape[1], dim / heads)
        func split(_ y: Tensor, _ length: Int) -> Tensor {
            y.reshaped([b, length, heads, d]).permuted([0, 2, 1, 3])  // (B, H, length, D)
        }
        let attended = Tensor.scaledDotProductAttention(
            query: split(x.matmul(query), t), key: split(memory.matmul(key), s),
            value: split(memory.matmul(value), s)
        ).output  // (B, H, T, D)
        return attended.permuted([0, 2, 1, 3]).reshaped([b, t, dim])  // (B, T, C)
            .matmul(output)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 2, input[1] == dim else {
            throw ShapeError("needs (T, \(dim)) sequences")
        }
        return input
    }

    public var description: String { "MultiHeadAttention(\(dim), heads=\(heads)\(causal ? ", causal" : ""))" }

    /// PyTorch's equivalent holds each projection as an `nn.Linear(C, C, bias=False)`: `query.weight`, (out, in).
    public func pytorchStateDict() -> [(name: String, tensor: SafetensorsTensor)] {
        [("query", query), ("key", key), ("value", value), ("output", output)].map {
            ($0.0 + ".weight", SafetensorsTensor($0.1.transposed()))
        }
    }
}
