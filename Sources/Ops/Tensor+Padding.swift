// Padding of the spatial axes as its own op, for the padding modes convolutions do not do in their kernels.

extension Tensor {
    /// This tensor with `padding` added along `axis`: zeros, the input wrapped around (`.circular`), or mirrored
    /// without repeating the edge (`.reflect`, as PyTorch's: padding [a b c d] by 2 gives [c b a b c d c b]).
    /// Reflect padding must be shorter than the axis, as in PyTorch. Differentiable: the padded elements are copies
    /// of (or zeros beside) input elements, so their gradients add up onto those elements.
    ///
    /// Shapes: any; the axis grows by `padding.left + padding.right`.
    public func padded(axis: Int, _ padding: Padding1D, mode: PaddingMode) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "padded: axis \(axis) out of range for shape \(shape)")
        precondition(padding.left >= 0 && padding.right >= 0, "padded: padding \(padding) must be non-negative")
        let n = shape[a]
        if padding.left == 0 && padding.right == 0 { return self }
        switch mode {
        case .zeros:
            func zeros(_ count: Int) -> Tensor {
                var s = shape
                s[a] = count
                return Tensor.zeros(s, dtype: dtype)
            }
            return Tensor.concatenate([zeros(padding.left), self, zeros(padding.right)], axis: a)
        case .circular:
            precondition(n > 0, "padded: circular padding of an empty axis in \(shape)")
            let indices = (-padding.left..<(n + padding.right)).map { (($0 % n) + n) % n }
            return indexSelect(axis: a, indices: indices)
        case .reflect:
            precondition(
                padding.left < n && padding.right < n,
                "padded: reflect padding \(padding) must be shorter than the axis (\(n)) in \(shape)")
            let indices = (-padding.left..<(n + padding.right)).map { i in i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i) }
            return indexSelect(axis: a, indices: indices)
        }
    }

    /// This (…, H, W) tensor with `padding` added to its last two axes in `mode` (see `padded(axis:_:mode:)`).
    public func padded(_ padding: Padding2D, mode: PaddingMode) -> Tensor {
        precondition(rank >= 2, "padded: needs rank ≥ 2 (…, H, W), got \(shape)")
        return padded(axis: -2, Padding1D(left: padding.top, right: padding.bottom), mode: mode)
            .padded(axis: -1, Padding1D(left: padding.left, right: padding.right), mode: mode)
    }
}
