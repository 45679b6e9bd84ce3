// The affine map of a fully connected layer.

extension Tensor {
    /// y = x·W + b over the last axis: x (…, in), `weight` W (in, out), `bias` b (out) → (…, out). One GEMM for all
    /// leading rows. The weight is stored (in, out), the transpose of PyTorch's `Linear.weight`.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(
            weight.rank == 2 && rank >= 1 && shape[rank - 1] == weight.shape[0],
            "linear: input \(shape) does not fit weight \(weight.shape) (in, out)")
        let product = rank == 1 ? unsqueezed(axis: 0).matmul(weight).squeezed(axis: 0) : matmul(weight)
        guard let bias else { return product }
        precondition(bias.shape == [weight.shape[1]], "linear: bias \(bias.shape) must be [\(weight.shape[1])]")
        return product + bias
    }
}
