// Selection by integer indices and by masks.

extension Tensor {
    /// `condition ? a : b` elementwise, all three broadcast together; `condition` is nonzero for true and is not
    /// differentiated. ∂/∂a = g where true, ∂/∂b = g where false.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(
            a.dtype == b.dtype && condition.dtype == a.dtype,
            "where: dtypes differ, \(condition.dtype), \(a.dtype), \(b.dtype)")
        guard let ab = broadcastShapes(a.shape, b.shape), let shape = broadcastShapes(condition.shape, ab) else {
            preconditionFailure("where: shapes \(condition.shape), \(a.shape), \(b.shape) do not broadcast")
        }
        let out = Tensor(uninitialized: shape, dtype: a.dtype)
        let strides = [condition, a, b].map { broadcastStrides($0.shape, to: shape) }
        func run<T: NativeScalar>(_: T.Type) {
            let (cShape, cStrides) = coalesce(shape, strides)
            let c = condition.pointer(T.self), pa = a.pointer(T.self), pb = b.pointer(T.self)
            let y = out.pointer(T.self)
            let n = cShape.last!, sc = cStrides[0].last!, sa = cStrides[1].last!, sb = cStrides[2].last!
            forEachRow(cShape, cStrides) { o, offsets in
                for i in 0..<n {
                    y[o + i] = c[offsets[0] + i * sc] != 0 ? pa[offsets[1] + i * sa] : pb[offsets[2] + i * sb]
                }
            }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out.recorded("where", [a, b]) { g, needs in
            let zero = g.scalarLike(0)
            return [
                needs[0] ? Tensor.where(condition, g, zero) : nil,
                needs[1] ? Tensor.where(condition, zero, g) : nil,
            ]
        }
    }

    /// `value` where `mask` is nonzero (broadcast), `self` elsewhere: e.g. −∞ above the diagonal for a causal
    /// attention mask. ∂/∂x = g where the mask is zero.
    public func maskedFill(_ mask: Tensor, with value: Double) -> Tensor {
        Tensor.where(mask, scalarLike(value), self)
    }

    /// The slices `indices` along `axis`, in that order (repeats allowed), like `torch.index_select`; an
    /// embedding lookup is `table.indexSelect(axis: 0, indices: tokens)`. ∂/∂x = g scatter-added back, so a
    /// repeated index receives the sum of its gradients.
    public func indexSelect(axis: Int, indices: [Int]) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "indexSelect: axis \(axis) out of range for shape \(shape)")
        for i in indices {
            precondition(
                i >= 0 && i < shape[a], "indexSelect: index \(i) out of range 0..<\(shape[a]) on axis \(a) of \(shape)")
        }
        let (outer, n, inner) = split(at: a)
        var outShape = shape
        outShape[a] = indices.count
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        let k = indices.count
        func run<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self), y = out.pointer(T.self)
            for o in 0..<outer {
                for (j, index) in indices.enumerated() {
                    (y + (o * k + j) * inner).update(from: x + (o * n + index) * inner, count: inner)
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out.recorded("indexSelect", [self]) { g, _ in
            let dx = self.zerosLike()
            func scatter<T: NativeScalar>(_: T.Type) {
                let gy = g.pointer(T.self), gx = dx.pointer(T.self)
                for o in 0..<outer {
                    for (j, index) in indices.enumerated() {
                        let src = gy + (o * k + j) * inner, dst = gx + (o * n + index) * inner
                        for i in 0..<inner { dst[i] += src[i] }
                    }
                }
            }
            switch g.dtype {
            case .float32: scatter(Float.self)
            case .float64: scatter(Double.self)
            }
            return [dx]
        }
    }

    /// Picks one element along `axis` per index, like `torch.gather`: the result has `indexShape` (this shape with
    /// the axis resized to the number of indices per position, 1 by default) and
    /// `out[…, j, …] = self[…, indices[…, j, …], …]`. Cross-entropy picks each row's label logit with
    /// `logits.gather(axis: 1, indices: labels)`. ∂/∂x = g scatter-added to the picked positions.
    public func gather(axis: Int, indices: [Int]) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "gather: axis \(axis) out of range for shape \(shape)")
        let (outer, n, inner) = split(at: a)
        precondition(
            outer * inner > 0 && indices.count % (outer * inner) == 0,
            "gather: \(indices.count) indices do not fit shape \(shape) along axis \(a)")
        let k = indices.count / (outer * inner)
        for i in indices {
            precondition(i >= 0 && i < n, "gather: index \(i) out of range 0..<\(n) on axis \(a) of \(shape)")
        }
        var outShape = shape
        outShape[a] = k
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self), y = out.pointer(T.self)
            for o in 0..<outer {
                for j in 0..<k {
                    for i in 0..<inner {
                        let flat = (o * k + j) * inner + i
                        y[flat] = x[(o * n + indices[flat]) * inner + i]
                    }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out.recorded("gather", [self]) { g, _ in
            let dx = self.zerosLike()
            func scatter<T: NativeScalar>(_: T.Type) {
                let gy = g.pointer(T.self), gx = dx.pointer(T.self)
                for o in 0..<outer {
                    for j in 0..<k {
                        for i in 0..<inner {
                            let flat = (o * k + j) * inner + i
                            gx[(o * n + indices[flat]) * inner + i] += gy[flat]
                        }
                    }
                }
            }
            switch g.dtype {
            case .float32: scatter(Float.self)
            case .float64: scatter(Double.self)
            }
            return [dx]
        }
    }
}
