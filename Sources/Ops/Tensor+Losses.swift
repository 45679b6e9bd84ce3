// Losses from raw scores (logits), numerically stable for scores of any magnitude: binary cross-entropy, the
// logistic loss, mean squared error and the multiclass hinge (perceptron) loss. The stable softplus is the one
// primitive; the rest is composed. Cross-entropy, which pays for a fused backward, is in Tensor+CrossEntropy.

extension Tensor {
    /// softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^(−|x|)) so that it neither overflows for large
    /// x nor loses precision for very negative x. ∂/∂x = g·σ(x) (smooth everywhere, including at 0).
    public func softplus() -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self), y = out.pointer(T.self)
            for i in 0..<count {
                let v = x[i]
                y[i] = Swift.max(v, 0) + T.log(onePlus: T.exp(-Swift.abs(v)))
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out.recorded("softplus", [self]) { g, _ in [g * self.sigmoid()] }
    }

    /// Binary cross-entropy of logits x against targets y ∈ [0, 1], like PyTorch's
    /// `binary_cross_entropy_with_logits`: ℓ = −y·log σ(x) − (1 − y)·log(1 − σ(x)), computed in the stable form
    ///
    ///     ℓ = max(x, 0) − x·y + log(1 + e^(−|x|)) = softplus(x) − x·y
    ///
    /// Shapes: logits and `targets` the same shape (no broadcasting); result rank 0 (`.mean` over all elements,
    /// `.sum`) or the elementwise losses (`.none`). ∂ℓ/∂x = σ(x) − y, ∂ℓ/∂y = −x.
    public func binaryCrossEntropyWithLogits(targets: Tensor, reduction: LossReduction = .mean) -> Tensor {
        precondition(
            targets.shape == shape && targets.dtype == dtype,
            "binaryCrossEntropyWithLogits: targets \(targets.shape) \(targets.dtype) must match logits "
                + "\(shape) \(dtype)")
        return (softplus() - self * targets).reduced(by: reduction)
    }

    /// The logistic loss of scores ŷ against labels y ∈ {−1, +1} (logistic regression with ±1 labels):
    ///
    ///     ℓ = ln(1 + exp(−y·ŷ)) = softplus(−y·ŷ)
    ///
    /// stable for scores of any magnitude. Equal to `binaryCrossEntropyWithLogits` with targets (y + 1)/2.
    /// Shapes: scores and `labels` the same shape (no broadcasting); result rank 0 (`.mean`, `.sum`) or
    /// elementwise (`.none`). ∂ℓ/∂ŷ = −y·σ(−y·ŷ).
    public func logisticLoss(labels: Tensor, reduction: LossReduction = .mean) -> Tensor {
        precondition(
            labels.shape == shape && labels.dtype == dtype,
            "logisticLoss: labels \(labels.shape) \(labels.dtype) must match scores \(shape) \(dtype)")
        return (-(labels * self)).softplus().reduced(by: reduction)
    }

    /// Mean squared error, like PyTorch's `mse_loss`: ℓ = (x − t)² elementwise, averaged over all elements for
    /// `.mean`. Shapes: `self` and `target` the same shape (no broadcasting). ∂ℓ/∂x = 2(x − t), ∂ℓ/∂t = −2(x − t).
    public func mseLoss(target: Tensor, reduction: LossReduction = .mean) -> Tensor {
        precondition(
            target.shape == shape && target.dtype == dtype,
            "mseLoss: target \(target.shape) \(target.dtype) must match input \(shape) \(dtype)")
        let difference = self - target
        return (difference * difference).reduced(by: reduction)
    }

    /// The multiclass hinge loss of scores s (N, C) against integer labels (Crammer & Singer 2001,
    /// https://jmlr.org/papers/v2/crammer01a.html); with the default margin 0 it is the multiclass perceptron
    /// criterion:
    ///
    ///     ℓᵢ = max(0, max_{c ≠ yᵢ} s_{i,c} − s_{i,yᵢ} + margin)
    ///
    /// Shapes: scores (N, C) with C ≥ 2; `labels` N ints in 0..<C; result rank 0 (`.mean` ÷ N, `.sum`) or (N,).
    ///
    /// Subgradient: when ℓᵢ > 0 the gradient is +1 on the best rival class and −1 on the label (the perceptron
    /// update); at exactly 0 (margin just met, e.g. a tie with margin 0) it is 0, as relu′(0) = 0; when several
    /// rivals tie for the maximum, the +1 is split equally between them (the convention of `max`).
    public func multiclassHingeLoss(labels: [Int], margin: Double = 0, reduction: LossReduction = .mean) -> Tensor {
        precondition(
            rank == 2 && shape[1] >= 2, "multiclassHingeLoss: scores must be (N, C) with C ≥ 2, got \(shape)")
        let (n, classes) = (shape[0], shape[1])
        precondition(labels.count == n, "multiclassHingeLoss: \(labels.count) labels for scores \(shape)")
        for y in labels {
            precondition(
                y >= 0 && y < classes,
                "multiclassHingeLoss: label \(y) out of range 0..<\(classes) for scores \(shape)")
        }
        let isLabel = Tensor.generate(shape, dtype: dtype) { labels[$0 / classes] == $0 % classes ? 1 : 0 }
        let labelScore = gather(axis: 1, indices: labels)  // (N, 1)
        let rivalScore = maskedFill(isLabel, with: -.infinity).max(axis: 1, keepDims: true)  // (N, 1)
        let losses = (rivalScore - labelScore + margin).relu().reshaped([n])  // (N,)
        return losses.reduced(by: reduction)
    }

    /// The multiclass perceptron criterion of scores s (N, C) against integer labels (Rosenblatt 1958; Collins 2002
    /// for the multiclass form): the score of the predicted class ŷᵢ = argmax_c s_{i,c} (the first maximum on ties)
    /// above the label's,
    ///
    ///     ℓᵢ = s_{i,ŷᵢ} − s_{i,yᵢ} ≥ 0
    ///
    /// so a gradient step of rate 1 on one example is the perceptron update: for a mistake, W_y += x and W_ŷ −= x
    /// (nothing when the prediction is right). Unlike the hinge loss with margin 0, it learns from all-zero weights:
    /// a tie predicts the first class, which is a mistake for every other label.
    ///
    /// Shapes: scores (N, C); `labels` N ints in 0..<C; result rank 0 (`.mean` ÷ N, `.sum`) or (N,). The
    /// predictions are constants (argmax has no gradient), so ∂/∂s is +1 at ŷ and −1 at y for each mistake.
    public func perceptronLoss(labels: [Int], reduction: LossReduction = .mean) -> Tensor {
        precondition(rank == 2 && shape[1] >= 1, "perceptronLoss: scores must be (N, C), got \(shape)")
        precondition(labels.count == shape[0], "perceptronLoss: \(labels.count) labels for scores \(shape)")
        for y in labels {
            precondition(
                y >= 0 && y < shape[1], "perceptronLoss: label \(y) out of range 0..<\(shape[1]) for scores \(shape)")
        }
        let predicted = argmax(axis: 1)  // constants: the first maximum of each row
        let losses = gather(axis: 1, indices: predicted) - gather(axis: 1, indices: labels)  // (N, 1)
        return losses.reshaped([shape[0]]).reduced(by: reduction)
    }

    /// Applies a loss reduction to per-sample (or per-element) losses.
    func reduced(by reduction: LossReduction) -> Tensor {
        switch reduction {
        case .mean: mean()
        case .sum: sum()
        case .none: self
        }
    }
}
