// Classification metrics. Not differentiable: they read values and record nothing.

extension Tensor {
    /// The index of the largest element along `axis` (negative counts from the end), like `torch.argmax`: one
    /// index per position of the other axes, in row-major order (so (N, C) along axis 1 gives N indices). Ties go
    /// to the lowest index; NaN counts as larger than every number (the first NaN wins).
    public func argmax(axis: Int = -1) -> [Int] {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "argmax: axis \(axis) out of range for shape \(shape)")
        let (outer, n, inner) = split(at: a)
        precondition(n > 0, "argmax: axis \(a) of shape \(shape) is empty")
        var result = [Int](repeating: 0, count: outer * inner)
        func run<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * n * inner + i
                    var best = 0
                    var bestValue = x[base]
                    for j in 1..<n where !bestValue.isNaN {
                        let v = x[base + j * inner]
                        if v > bestValue || v.isNaN {
                            best = j
                            bestValue = v
                        }
                    }
                    result[o * inner + i] = best
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return result
    }

    /// The fraction of rows whose largest logit is at the label: (1/N)·#{i : argmax xᵢ = yᵢ}, ties to the lowest
    /// class index (as `argmax`). Shapes: logits (N, C), `labels` N ints in 0..<C. Equals top-1 accuracy.
    public func accuracy(labels: [Int]) -> Double {
        topKAccuracy(labels: labels, k: 1)
    }

    /// The fraction of rows whose label is among the k largest logits. Rank of the label in row i: the number of
    /// classes scoring strictly higher plus those tying with it at a lower index (the order of a stable sort),
    /// so ties are broken as in `argmax` and k = 1 equals `accuracy`. Shapes: logits (N, C), `labels` N ints in
    /// 0..<C, 1 ≤ k ≤ C.
    public func topKAccuracy(labels: [Int], k: Int) -> Double {
        precondition(rank == 2, "topKAccuracy: logits must be (N, C), got \(shape)")
        let (n, classes) = (shape[0], shape[1])
        precondition(n > 0, "topKAccuracy: no rows in logits \(shape)")
        precondition(labels.count == n, "topKAccuracy: \(labels.count) labels for logits \(shape)")
        precondition(k >= 1 && k <= classes, "topKAccuracy: k = \(k) not in 1...\(classes) for logits \(shape)")
        var correct = 0
        func run<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self)
            for i in 0..<n {
                let y = labels[i]
                precondition(y >= 0 && y < classes, "topKAccuracy: label \(y) out of range 0..<\(classes)")
                let row = x + i * classes
                let target = row[y]
                var ahead = 0
                for c in 0..<classes where row[c] > target || (c < y && row[c] == target) { ahead += 1 }
                if ahead < k { correct += 1 }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return Double(correct) / Double(n)
    }
}
