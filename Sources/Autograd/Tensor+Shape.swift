// Shape ops: views that share storage (reshape) and copies (permute, expand, slice, concat).

extension Tensor {
    /// The same elements under a new shape with the same count; one dimension may be −1 (inferred).
    /// Shares storage. ∂/∂x = g reshaped back.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshaped: cannot reshape \(shape) to \(newShape)")
            target[inferred] = count / known
        }
        precondition(
            target.allSatisfy { $0 >= 0 } && target.reduce(1, *) == count,
            "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        return Tensor(shape: target, dtype: dtype, storage: storage).recorded("reshape", [self]) { g, _ in
            [g.reshaped(self.shape)]
        }
    }

    /// Inserts a size-1 axis at `axis` (−1 appends).
    public func unsqueezed(axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "unsqueezed: axis \(axis) out of range for shape \(shape)")
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Removes the size-1 axis `axis`.
    public func squeezed(axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank && shape[a] == 1, "squeezed: axis \(axis) of shape \(shape) is not 1")
        var s = shape
        s.remove(at: a)
        return reshaped(s)
    }

    /// Merges axes `start...end` into one, like `torch.flatten(start_dim, end_dim)`: `flattened(from: 1)` turns
    /// (N, C, H, W) into (N, C·H·W).
    public func flattened(from start: Int = 0, through end: Int = -1) -> Tensor {
        let s = start < 0 ? start + rank : start, e = end < 0 ? end + rank : end
        precondition(s >= 0 && s <= e && e < rank, "flattened: axes \(start)...\(end) invalid for shape \(shape)")
        return reshaped(Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...]))
    }

    /// Reorders the axes: output axis i is input axis `axes[i]`. Copies. ∂/∂x = g permuted back.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(0..<rank), "permuted: \(axes) is not a permutation of the axes of \(shape)")
        if axes == Array(0..<rank) { return self }
        let own = contiguousStrides(shape)
        let out = Tensor(uninitialized: axes.map { shape[$0] }, dtype: dtype)
        copyStrided(into: out, strides: axes.map { own[$0] })
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return out.recorded("permute", [self]) { g, _ in [g.permuted(inverse)] }
    }

    /// Swaps two axes (by default the last two: the matrix transpose).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        let i = a < 0 ? a + rank : a, j = b < 0 ? b + rank : b
        precondition(i >= 0 && i < rank && j >= 0 && j < rank, "transposed: axes \(a), \(b) invalid for \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(i, j)
        return permuted(axes)
    }

    /// Broadcasts to `target` (NumPy rules), copying. ∂/∂x = g summed back to this shape (by the engine).
    public func expanded(to target: [Int]) -> Tensor {
        precondition(broadcastShapes(shape, target) == target, "expanded: \(shape) does not broadcast to \(target)")
        if target == shape { return self }
        // Only size-1 axes added or stretched to 1: the same elements, so a reshape (no copy).
        if count == target.reduce(1, *) { return reshaped(target) }
        let out: Tensor
        if count == 1 {
            out = Tensor.full(target, scalar(atFlat: 0), dtype: dtype)
        } else {
            out = Tensor(uninitialized: target, dtype: dtype)
            copyStrided(into: out, strides: broadcastStrides(shape, to: target))
        }
        return out.recorded("expand", [self]) { g, _ in [g] }
    }

    /// Writes this tensor, read through `strides` over `out.shape`, into `out`.
    func copyStrided(into out: Tensor, strides: [Int], offset: Int = 0) {
        switch dtype {
        case .float32:
            stridedCopy(pointer(Float.self) + offset, strides: strides, shape: out.shape, into: out.pointer(Float.self))
        case .float64:
            stridedCopy(
                pointer(Double.self) + offset, strides: strides, shape: out.shape, into: out.pointer(Double.self))
        }
    }

    // MARK: Slicing

    /// Elements `range` along `axis` (every `step`-th). Copies. ∂/∂x = g placed back into zeros.
    public func sliced(axis: Int, _ range: Range<Int>, step: Int = 1) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "sliced: axis \(axis) out of range for shape \(shape)")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[a] && step > 0,
            "sliced: range \(range) step \(step) out of bounds for axis \(a) of shape \(shape)")
        var ranges = shape.map { 0..<$0 }
        ranges[a] = range
        var steps = [Int](repeating: 1, count: rank)
        steps[a] = step
        return sliced(ranges, steps: steps)
    }

    /// The block `ranges[i]` along each axis i (with optional steps). Copies.
    public func sliced(_ ranges: [Range<Int>], steps: [Int]? = nil) -> Tensor {
        precondition(ranges.count == rank, "sliced: \(ranges.count) ranges for shape \(shape)")
        let steps = steps ?? [Int](repeating: 1, count: rank)
        for (i, r) in ranges.enumerated() {
            precondition(
                r.lowerBound >= 0 && r.upperBound <= shape[i] && steps[i] > 0,
                "sliced: range \(r) step \(steps[i]) out of bounds for axis \(i) of shape \(shape)")
        }
        let outShape = zip(ranges, steps).map { r, s in (r.count + s - 1) / s }
        if outShape == shape { return self }
        let own = contiguousStrides(shape)
        let strides = zip(own, steps).map { $0 * $1 }
        let offset = zip(own, ranges).reduce(0) { $0 + $1.0 * $1.1.lowerBound }
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        copyStrided(into: out, strides: strides, offset: offset)
        return out.recorded("slice", [self]) { g, _ in
            let dx = self.zerosLike()
            g.scatterStrided(into: dx, strides: strides, offset: offset)
            return [dx]
        }
    }

    /// Row `index` along the first axis, with that axis removed: `x[i]`.
    public subscript(index: Int) -> Tensor {
        precondition(rank > 0 && index >= 0 && index < shape[0], "subscript: index \(index) out of range for \(shape)")
        return sliced(axis: 0, index..<(index + 1)).squeezed(axis: 0)
    }

    /// The block given by one range per leading axis: `x[0..<2, 1..<3]`.
    public subscript(ranges: Range<Int>...) -> Tensor {
        precondition(ranges.count <= rank, "subscript: \(ranges.count) ranges for shape \(shape)")
        return sliced(ranges + shape[ranges.count...].map { 0..<$0 })
    }

    /// Writes this tensor's elements into `destination` at the positions `offset + Σ index·strides` (the inverse
    /// of a strided read). Mutates `destination`, which must be a fresh, untracked tensor.
    func scatterStrided(into destination: Tensor, strides: [Int], offset: Int) {
        let (cShape, cStrides) = coalesce(shape, [strides])
        let s = cStrides[0].last!, n = cShape.last!
        func run<T: NativeScalar>(_: T.Type) {
            let src = pointer(T.self), dst = destination.pointer(T.self) + offset
            forEachRow(cShape, cStrides) { out, offsets in
                for i in 0..<n { dst[offsets[0] + i * s] = src[out + i] }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
    }

    // MARK: Joining

    /// Joins tensors of equal shape except along `axis`. ∂/∂xᵢ = the matching slice of g.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let a = axis < 0 ? axis + first.rank : axis
        precondition(a >= 0 && a < first.rank, "concatenate: axis \(axis) out of range for shape \(first.shape)")
        for t in tensors {
            var s = t.shape, f = first.shape
            precondition(
                s.count == f.count && t.dtype == first.dtype,
                "concatenate: \(t.shape) \(t.dtype) vs \(f) \(first.dtype)")
            s[a] = 0
            f[a] = 0
            precondition(s == f, "concatenate: shapes \(first.shape) and \(t.shape) differ off axis \(a)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(uninitialized: outShape, dtype: first.dtype)
        let outStrides = contiguousStrides(outShape)
        var start = 0
        var starts: [Int] = []
        for t in tensors {
            starts.append(start)
            t.scatterStrided(into: out, strides: outStrides, offset: start * outStrides[a])
            start += t.shape[a]
        }
        return out.recorded("concatenate", tensors) { g, needs in
            tensors.indices.map { i in
                needs[i] ? g.sliced(axis: a, starts[i]..<(starts[i] + tensors[i].shape[a])) : nil
            }
        }
    }

    /// Stacks tensors of equal shape along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors")
        return concatenate(tensors.map { $0.unsqueezed(axis: axis) }, axis: axis)
    }
}
