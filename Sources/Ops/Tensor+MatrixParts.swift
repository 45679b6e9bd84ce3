// The parts of a matrix the linear-algebra ops and their VJPs are written with: the identity, the diagonal, the
// triangles, and the recording of an op with several outputs.

extension Tensor {
    /// The n × n identity matrix, like `torch.eye(n)`.
    public static func eye(_ n: Int, dtype: DType = .float32) -> Tensor {
        precondition(n >= 0, "eye: size \(n) is negative")
        return generate([n, n], dtype: dtype) { $0 / n == $0 % n ? 1 : 0 }
    }

    /// The main diagonal of each matrix, like `torch.diagonal(x, dim1=-2, dim2=-1)`: (…, m, n) → (…, min(m, n)).
    /// Copies. ∂/∂x = g on the diagonal, zeros elsewhere.
    public func diagonal() -> Tensor {
        precondition(rank >= 2, "diagonal: needs a matrix (rank ≥ 2), got shape \(shape)")
        let m = shape[rank - 2], n = shape[rank - 1], k = Swift.min(m, n), matrices = matrixCount(shape)
        let out = Tensor(uninitialized: Array(shape.dropLast(2)) + [k], dtype: dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self), y = out.pointer(T.self)
            for b in 0..<matrices {
                for i in 0..<k { y[b * k + i] = x[b * m * n + i * n + i] }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out.recorded("diagonal", [self]) { g, _ in
            [Tensor.diagonalMatrices(g, rows: m, columns: n)]
        }
    }

    /// Square matrices with the last axis of `d` on their diagonals and zeros elsewhere, like
    /// `torch.diag_embed(d)`: (…, n) → (…, n, n). ∂/∂d = the diagonal of g.
    public static func diagEmbed(_ d: Tensor) -> Tensor {
        precondition(d.rank >= 1, "diagEmbed: needs a vector (rank ≥ 1), got shape \(d.shape)")
        let n = d.shape[d.rank - 1]
        return diagonalMatrices(d, rows: n, columns: n).recorded("diagEmbed", [d]) { g, _ in [g.diagonal()] }
    }

    /// (…, k) → (…, rows, columns) with the vectors on the diagonals, k = min(rows, columns). Not recorded.
    private static func diagonalMatrices(_ d: Tensor, rows m: Int, columns n: Int) -> Tensor {
        let k = Swift.min(m, n), matrices = d.count / Swift.max(k, 1)
        let out = Tensor.zeros(Array(d.shape.dropLast()) + [m, n], dtype: d.dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let x = d.pointer(T.self), y = out.pointer(T.self)
            for b in 0..<matrices {
                for i in 0..<k { y[b * m * n + i * n + i] = x[b * k + i] }
            }
        }
        switch d.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }

    /// The lower triangle of each matrix, like `torch.tril(x, diagonal)`: elements (i, j) with j − i ≤ `diagonal`
    /// are kept, the others set to zero (`diagonal` −1 drops the main diagonal too). ∂/∂x = g masked the same way.
    public func tril(diagonal offset: Int = 0) -> Tensor {
        precondition(rank >= 2, "tril: needs a matrix (rank ≥ 2), got shape \(shape)")
        return self * triangleMask(rows: shape[rank - 2], columns: shape[rank - 1], dtype: dtype) { $1 - $0 <= offset }
    }

    /// The upper triangle of each matrix, like `torch.triu(x, diagonal)`: elements (i, j) with j − i ≥ `diagonal`
    /// are kept, the others set to zero (`diagonal` 1 drops the main diagonal too). ∂/∂x = g masked the same way.
    public func triu(diagonal offset: Int = 0) -> Tensor {
        precondition(rank >= 2, "triu: needs a matrix (rank ≥ 2), got shape \(shape)")
        return self * triangleMask(rows: shape[rank - 2], columns: shape[rank - 1], dtype: dtype) { $1 - $0 >= offset }
    }
}

/// A rows × columns matrix of 1 where `keep(i, j)` and 0 elsewhere.
private func triangleMask(rows: Int, columns: Int, dtype: DType, _ keep: (Int, Int) -> Bool) -> Tensor {
    Tensor.generate([rows, columns], dtype: dtype) { keep($0 / columns, $0 % columns) ? 1 : 0 }
}

// MARK: - Ops with several outputs

extension Tensor {
    /// Records an op with several outputs (QR's Q and R, an SVD's U, S and Vᵀ) as one node, so that its VJP sees
    /// the gradients of all of them at once: the outputs, whose leading `batch` axes agree, are packed into one
    /// tensor (…batch, Σ sizes), the VJP is recorded on it, and the outputs returned are slices of it. The VJP gets
    /// one gradient per output, `nil` for an output the loss does not depend on (an all-zero gradient), as
    /// PyTorch's backward formulas get undefined gradients. When nothing is recorded the outputs are returned as
    /// they are.
    static func recordedJointly(
        _ name: StaticString, outputs: [Tensor], batch: [Int], inputs: [Tensor],
        _ vjp: @escaping (_ gradients: [Tensor?], _ needs: [Bool]) -> [Tensor?]
    ) -> [Tensor] {
        guard Tape.current.isRecording, inputs.contains(where: { !$0.isLeaf || $0.requiresGrad }) else {
            return outputs
        }
        let sizes = outputs.map { $0.shape.dropFirst(batch.count).reduce(1, *) }
        let packed = concatenate(zip(outputs, sizes).map { $0.reshaped(batch + [$1]) }, axis: batch.count)
        var ranges: [Range<Int>] = []
        var start = 0
        for size in sizes {
            ranges.append(start..<(start + size))
            start += size
        }
        packed.recorded(name, inputs) { g, needs in
            let gradients = zip(outputs, ranges).map { output, range -> Tensor? in
                let part = g.sliced(axis: batch.count, range).reshaped(output.shape)
                return part.isAllZero ? nil : part
            }
            return vjp(gradients, needs)
        }
        return zip(outputs, ranges).map { output, range in
            packed.sliced(axis: batch.count, range).reshaped(output.shape)
        }
    }
}
