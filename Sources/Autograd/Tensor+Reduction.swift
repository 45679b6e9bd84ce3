// Reductions over any set of axes, with or without the reduced axes kept as size 1.

extension Tensor {
    /// Normalizes possibly negative axes (−1 is the last) to sorted, unique, in-range ones.
    func normalizedAxes(_ axes: [Int]?, _ name: StaticString) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        var sorted = axes.map { axis -> Int in
            let a = axis < 0 ? axis + rank : axis
            precondition(a >= 0 && a < rank, "\(name): axis \(axis) out of range for shape \(shape)")
            return a
        }
        // Sorted without repeats (an axis named twice counts once), in place.
        sorted.sort()
        var kept = 0
        for i in sorted.indices where kept == 0 || sorted[kept - 1] != sorted[i] {
            sorted[kept] = sorted[i]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }

    /// Splits the shape around `axis` into (outer, n, inner) element counts: the view kernels along one axis use.
    public func split(at axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The shape with `axes` set to 1.
    func keptShape(_ axes: [Int]) -> [Int] {
        var kept = shape
        for a in axes { kept[a] = 1 }
        return kept
    }

    /// Reduces over `axes` (normalized) keeping them as size 1, without recording anything.
    func reduce(_ op: ReduceOp, _ axes: [Int]) -> Tensor {
        var x = self
        for axis in axes.reversed() {
            let (outer, n, inner) = x.split(at: axis)
            let y = Tensor(uninitialized: x.keptShape([axis]), dtype: dtype)
            switch dtype {
            case .float32:
                reduceKernel(op, x.pointer(Float.self), y.pointer(Float.self), outer: outer, n: n, inner: inner)
            case .float64:
                reduceKernel(op, x.pointer(Double.self), y.pointer(Double.self), outer: outer, n: n, inner: inner)
            }
            x = y
        }
        return x
    }

    /// The sum over `axes` (all axes when `nil`; negative axes count from the end), keeping them as size 1 when
    /// `keepDims`. ∂/∂x = g broadcast back over the reduced axes.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, "sum")
        let kept = keptShape(axes)
        let reduced = reduce(.sum, axes)
        let out = keepDims ? reduced : reduced.reshapedStorage(dropping: axes)
        return out.recorded("sum", [self]) { g, _ in [g.reshaped(kept).expanded(to: self.shape)] }
    }

    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// The mean over `axes` (all when `nil`).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, "mean")
        let n = axes.reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Double(n))
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// The maximum over `axes` (all when `nil`). The gradient goes to the maximal elements; when several tie,
    /// it is split equally between them (as PyTorch's `amax`).
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, "max")
        let kept = keptShape(axes)
        let reduced = reduce(.max, axes)
        let out = keepDims ? reduced : reduced.reshapedStorage(dropping: axes)
        return out.recorded("max", [self]) { g, _ in
            let isMax = self.equal(to: reduced)
            let ties = isMax.reduce(.sum, axes)
            return [isMax * (g.reshaped(kept) / ties)]
        }
    }

    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }

    /// The minimum over `axes`, as −max(−x); ties split the gradient equally.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        -(-self).max(axes: axes, keepDims: keepDims)
    }

    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }

    /// The variance over `axes`, Σ(x − mean)² / (n − correction): `correction` 1 is the unbiased estimator
    /// (PyTorch's default), 0 the population variance used by batch and layer norm.
    public func variance(axes: [Int]? = nil, correction: Int = 1, keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, "variance")
        let n = axes.reduce(1) { $0 * shape[$1] }
        precondition(n - correction > 0, "variance: \(n) elements with correction \(correction)")
        let centered = self - mean(axes: axes, keepDims: true)
        return (centered * centered).sum(axes: axes, keepDims: keepDims) * (1 / Double(n - correction))
    }

    /// Sums broadcast axes away so the result has `target` shape: the inverse of broadcasting `target` to this
    /// tensor's shape. The engine calls it on every gradient whose shape differs from its input's.
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(
            broadcastShapes(target, shape) == shape,
            "sum(toShape:): \(target) does not broadcast to \(shape)")
        // Summing only over size-1 axes adds nothing: a reshape (no copy).
        if count == target.reduce(1, *) { return reshaped(target) }
        let offset = rank - target.count
        var axes = Array(0..<offset)
        for (i, d) in target.enumerated() where d == 1 && shape[i + offset] != 1 { axes.append(i + offset) }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// The reduced storage under the shape without `axes` (no copy).
    private func reshapedStorage(dropping axes: [Int]) -> Tensor {
        let dropped = shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return Tensor(shape: dropped, dtype: dtype, storage: storage)
    }
}
