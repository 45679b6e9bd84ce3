// Image transforms on the last two axes (H, W) of any tensor of rank ≥ 2, e.g. (N, C, H, W) batches: the
// out-of-distribution test sets (shifted, rotated). Composed from differentiable primitives.

extension Tensor {
    /// Reverses the order of the elements along `axis`, like `torch.flip`.
    public func flipped(axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "flipped: axis \(axis) out of range for shape \(shape)")
        return indexSelect(axis: a, indices: Array((0..<shape[a]).reversed()))
    }

    /// Moves the image content `rows` pixels down (negative: up) and `columns` pixels right (negative: left)
    /// with zero fill; pixels pushed past an edge are lost. Shape is unchanged.
    public func shifted(rows: Int = 0, columns: Int = 0) -> Tensor {
        precondition(rank >= 2, "shifted: needs rank ≥ 2 (…, H, W), got \(shape)")
        return shiftedAlong(axis: rank - 2, by: rows).shiftedAlong(axis: rank - 1, by: columns)
    }

    private func shiftedAlong(axis: Int, by k: Int) -> Tensor {
        let n = shape[axis]
        if k == 0 { return self }
        var fillShape = shape
        fillShape[axis] = Swift.min(Swift.abs(k), n)
        let fill = Tensor.zeros(fillShape, dtype: dtype)
        if Swift.abs(k) >= n { return fill }
        if k > 0 { return Tensor.concatenate([fill, sliced(axis: axis, 0..<(n - k))], axis: axis) }
        return Tensor.concatenate([sliced(axis: axis, -k..<n), fill], axis: axis)
    }

    /// Rotates the image by `times` × 90° counterclockwise, like `numpy.rot90(x, times, axes=(-2, -1))`:
    /// a (…, H, W) tensor becomes (…, W, H) for odd `times`. Negative `times` rotate clockwise.
    public func rotated90(times: Int = 1) -> Tensor {
        precondition(rank >= 2, "rotated90: needs rank ≥ 2 (…, H, W), got \(shape)")
        switch ((times % 4) + 4) % 4 {
        case 1: return flipped(axis: -1).transposed(-2, -1)
        case 2: return flipped(axis: -1).flipped(axis: -2)
        case 3: return transposed(-2, -1).flipped(axis: -1)
        default: return self
        }
    }
}
