// Categorical cross-entropy from logits as one fused op: a stable log-sum-exp per row, the label pick and the
// label smoothing in one pass, with the closed-form backward (softmax − smoothed one-hot).

/// How a loss combines its per-sample values, like PyTorch's `reduction` argument.
public enum LossReduction: String, Sendable, Codable, CaseIterable {
    /// The average over samples (elements, for elementwise losses): a rank-0 tensor.
    case mean
    /// The total over samples: a rank-0 tensor.
    case sum
    /// No reduction: one loss per sample (per element, for elementwise losses).
    case none
}

extension Tensor {
    /// Categorical cross-entropy of logits against integer class labels, like PyTorch's
    /// `F.cross_entropy(logits, labels, reduction=…, label_smoothing=ε)`. For row i with label yᵢ over C classes,
    /// the target distribution is q = (1 − ε)·onehot(yᵢ) + ε/C and
    ///
    ///     ℓᵢ = −Σ_c q_c · log softmax(xᵢ)_c = LSEᵢ − (1 − ε)·x_{i,yᵢ} − (ε/C)·Σ_c x_{i,c}
    ///
    /// with LSEᵢ = mᵢ + log Σ_c exp(x_{i,c} − mᵢ), mᵢ = max_c x_{i,c}: finite for logits of any magnitude.
    ///
    /// Shapes: `self` logits (N, C) (flatten a (B, T, V) language-model output to (B·T, V) first); `labels` N ints
    /// in 0..<C; result rank 0 for `.mean` (÷ N) and `.sum`, (N,) for `.none`.
    ///
    /// ∂ℓᵢ/∂x_{i,c} = softmax(xᵢ)_c − q_c, times the gradient of the reduction (1/N for the mean). Hand-written and
    /// tested against `logSoftmax` + `gather` + `mean`.
    public func crossEntropy(labels: [Int], reduction: LossReduction = .mean, labelSmoothing: Double = 0) -> Tensor {
        precondition(rank == 2, "crossEntropy: logits must be (N, C), got \(shape)")
        let (n, classes) = (shape[0], shape[1])
        precondition(n > 0 && classes > 0, "crossEntropy: empty logits \(shape)")
        precondition(labels.count == n, "crossEntropy: \(labels.count) labels for logits \(shape)")
        for y in labels {
            precondition(
                y >= 0 && y < classes, "crossEntropy: label \(y) out of range 0..<\(classes) for logits \(shape)")
        }
        precondition(
            labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: labelSmoothing \(labelSmoothing) not in [0, 1]")
        let epsilon = labelSmoothing
        let logSumExp = Tensor(uninitialized: [n], dtype: dtype)
        let losses = Tensor(uninitialized: [n], dtype: dtype)
        func forward<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self), lse = logSumExp.pointer(T.self), loss = losses.pointer(T.self)
            let picked = T(1 - epsilon), spread = T(epsilon / Double(classes))
            labels.withUnsafeBufferPointer { labels in
                parallelRanges(n, grain: crossEntropyGrain(classes)) { range in
                    // The row's exponentials go through a buffer: a plain loop of exps vectorizes, exps inside the
                    // sum's partial-sum vectors did not (5.6 ns each).
                    withUnsafeTemporaryAllocation(of: T.self, capacity: classes) { exps in
                        for i in range {
                            let row = x + i * classes
                            let m = rowMaximum(classes) { row[$0] }
                            for c in 0..<classes { exps[c] = fastExp(row[c] - m) }
                            let sumExp = rowSum(classes) { exps[$0] }
                            let sumLogits = epsilon > 0 ? rowSum(classes) { row[$0] } : 0
                            lse[i] = m + T.log(sumExp)
                            loss[i] = lse[i] - picked * row[labels[i]] - spread * sumLogits
                        }
                    }
                }
            }
        }
        switch dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        }
        let out: Tensor
        switch reduction {
        case .none: out = losses
        case .sum: out = noGrad { losses.sum() }
        case .mean: out = noGrad { losses.sum() * (1 / Double(n)) }
        }

        return out.recorded("crossEntropy", [self]) { g, _ in
            // The gradient of the reduction with respect to each ℓᵢ, times g.
            let perRow: Tensor
            switch reduction {
            case .none: perRow = g
            case .sum: perRow = g.expanded(to: [n])
            case .mean: perRow = (g * (1 / Double(n))).expanded(to: [n])
            }
            let dx = Tensor(uninitialized: self.shape, dtype: self.dtype)
            func backward<T: NativeScalar>(_: T.Type) {
                let x = self.pointer(T.self), lse = logSumExp.pointer(T.self), w = perRow.pointer(T.self)
                let gx = dx.pointer(T.self)
                let picked = T(1 - epsilon), spread = T(epsilon / Double(classes))
                labels.withUnsafeBufferPointer { labels in
                    parallelRanges(n, grain: crossEntropyGrain(classes)) { range in
                        for i in range {
                            let row = x + i * classes, dst = gx + i * classes
                            for c in 0..<classes { dst[c] = w[i] * (fastExp(row[c] - lse[i]) - spread) }
                            dst[labels[i]] -= w[i] * picked
                        }
                    }
                }
            }
            switch g.dtype {
            case .float32: backward(Float.self)
            case .float64: backward(Double.self)
            }
            return [dx]
        }
    }
}

/// Rows per parallel block of cross-entropy: about 16K logits, so that small batches stay on one thread.
private func crossEntropyGrain(_ classes: Int) -> Int { Swift.max(1, (1 << 14) / Swift.max(classes, 1)) }
