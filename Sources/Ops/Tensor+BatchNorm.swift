// Batch normalization (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167) over the channel axis 1 of
// (N, F) features or (N, C, H, W) images: a fused forward kernel and the closed-form backward, plus the running
// statistics that evaluation mode reads.

/// The running mean and variance of one batch-norm layer: the state `batchNorm` reads in evaluation mode and
/// updates after every training-mode call, like PyTorch's `running_mean` / `running_var` buffers.
///
/// The update, done inside `noGrad` by `batchNorm(…, training: true)`:
///
///     running = (1 − momentum)·running + momentum·batch
///
/// where the batch variance is the *unbiased* one, Σ(x − μ)² / (M − 1) over the M values of a channel, while the
/// normalization itself uses the biased one (both exactly as PyTorch's `BatchNorm`).
public final class BatchNormStatistics {
    /// The running mean per channel, (C,). Starts at 0. Replaced (never mutated) by each update.
    public var runningMean: Tensor
    /// The running (unbiased) variance per channel, (C,). Starts at 1. Replaced (never mutated) by each update.
    public var runningVar: Tensor
    /// The weight of the newest batch in the running averages (PyTorch's default 0.1).
    public let momentum: Double
    /// How many training batches have been blended in (PyTorch's `num_batches_tracked`); set when a checkpoint
    /// is restored.
    public var batchesTracked = 0

    /// The number of channels C.
    public var channels: Int { runningMean.count }

    /// Fresh statistics for `channels` channels: mean 0, variance 1.
    public convenience init(channels: Int, momentum: Double = 0.1, dtype: DType = .float32) {
        precondition(channels > 0, "BatchNormStatistics: channels must be positive, got \(channels)")
        self.init(
            runningMean: Tensor.zeros([channels], dtype: dtype),
            runningVar: Tensor.ones([channels], dtype: dtype), momentum: momentum)
    }

    /// Statistics with given values, e.g. restored from a checkpoint; both (C,) of one dtype.
    public init(runningMean: Tensor, runningVar: Tensor, momentum: Double = 0.1) {
        precondition(
            runningMean.rank == 1 && runningMean.shape == runningVar.shape
                && runningMean.dtype == runningVar.dtype,
            "BatchNormStatistics: mean \(runningMean.shape) \(runningMean.dtype) and variance "
                + "\(runningVar.shape) \(runningVar.dtype) must both be (C,) of one dtype")
        precondition(momentum >= 0 && momentum <= 1, "BatchNormStatistics: momentum \(momentum) not in [0, 1]")
        self.runningMean = runningMean.detached()
        self.runningVar = runningVar.detached()
        self.momentum = momentum
    }

    /// Blends one batch's mean and unbiased variance, each (C,), into the running averages.
    func update(batchMean: Tensor, unbiasedVariance: Tensor) {
        noGrad {
            runningMean = runningMean * (1 - momentum) + batchMean * momentum
            runningVar = runningVar * (1 - momentum) + unbiasedVariance * momentum
        }
        batchesTracked += 1
    }
}

extension Tensor {
    /// Batch normalization (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167), per channel c of axis 1:
    ///
    ///     y = γ_c · (x − μ_c) / √(σ²_c + ε) + β_c
    ///
    /// - `training`: μ_c and σ²_c are the mean and the biased variance of the batch over every axis but 1 (N for
    ///   (N, F); N, H and W for (N, C, H, W)); then `statistics`, if given, blends in the batch mean and unbiased
    ///   variance (see `BatchNormStatistics`). Needs more than one value per channel.
    /// - evaluation (`training == false`): μ_c and σ²_c are `statistics`' running values, which are required.
    ///
    /// Shapes: x (N, C) or (N, C, H, W) (any (N, C, …)); `scale` γ and `shift` β (C,); the output has x's shape.
    ///
    /// Backward, per channel over its M values, with x̂ = (x − μ)/√(σ² + ε):
    /// ∂/∂β = Σ g, ∂/∂γ = Σ g·x̂, and in training (μ and σ² depend on x)
    /// ∂/∂x = γ / (M·√(σ² + ε)) · (M·g − Σ g − x̂·Σ g·x̂); in evaluation (constants) ∂/∂x = γ·g / √(σ² + ε).
    public func batchNorm(
        scale: Tensor, shift: Tensor, statistics: BatchNormStatistics?, training: Bool, eps: Double = 1e-5
    ) -> Tensor {
        precondition(rank >= 2, "batchNorm: input must be (N, C) or (N, C, H, W), got \(shape)")
        let channels = shape[1]
        let batch = shape[0]
        let inner = shape[2...].reduce(1, *)
        precondition(
            scale.shape == [channels] && shift.shape == [channels],
            "batchNorm: scale \(scale.shape) and shift \(shift.shape) must be [\(channels)] for input \(shape)")
        precondition(
            scale.dtype == dtype && shift.dtype == dtype,
            "batchNorm: dtypes differ, input \(dtype), scale \(scale.dtype), shift \(shift.dtype)")
        if let statistics {
            precondition(
                statistics.channels == channels && statistics.runningMean.dtype == dtype,
                "batchNorm: statistics of \(statistics.channels) channels \(statistics.runningMean.dtype) "
                    + "for input \(shape) \(dtype)")
        }
        let m = batch * inner
        let mean: Tensor
        let invStd: Tensor
        if training {
            precondition(m > 1, "batchNorm: training needs more than one value per channel, got input \(shape)")
            let variance: Tensor
            (mean, variance) = channelMoments(batch: batch, channels: channels, inner: inner)
            invStd = noGrad { 1 / (variance + eps).sqrt() }
            statistics?.update(batchMean: mean, unbiasedVariance: noGrad { variance * (Double(m) / Double(m - 1)) })
        } else {
            guard let statistics else { preconditionFailure("batchNorm: evaluation mode needs running statistics") }
            mean = statistics.runningMean
            invStd = noGrad { 1 / (statistics.runningVar + eps).sqrt() }
        }

        let out = Tensor(uninitialized: shape, dtype: dtype)
        func forward<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self)
            let y = out.pointer(T.self)
            let mu = mean.pointer(T.self)
            let s = invStd.pointer(T.self)
            let gamma = scale.pointer(T.self)
            let beta = shift.pointer(T.self)
            parallelChannels(channels, work: m) { c in
                let k = gamma[c] * s[c]
                let b = beta[c] - mu[c] * k
                for n in 0..<batch {
                    let base = (n * channels + c) * inner
                    let (xRow, yRow) = (x + base, y + base)
                    for i in 0..<inner { yRow[i] = xRow[i] * k + b }
                }
            }
        }
        switch dtype {
        case .float32: forward(Float.self)
        case .float64: forward(Double.self)
        }

        return out.recorded("batchNorm", [self, scale, shift]) { g, needs in
            let dx = needs[0] ? Tensor(uninitialized: self.shape, dtype: self.dtype) : nil
            let dScale = Tensor(uninitialized: [channels], dtype: self.dtype)
            let dShift = Tensor(uninitialized: [channels], dtype: self.dtype)
            func backward<T: NativeScalar>(_: T.Type) {
                let x = self.pointer(T.self)
                let gy = g.pointer(T.self)
                let gx = dx?.pointer(T.self)
                let mu = mean.pointer(T.self)
                let s = invStd.pointer(T.self)
                let gamma = scale.pointer(T.self)
                let gGamma = dScale.pointer(T.self)
                let gBeta = dShift.pointer(T.self)
                let count = T(m)
                parallelChannels(channels, work: m) { c in
                    // Σ g, and Σ g·x̂ = s·Σ g·(x − μ), in one pass.
                    let mean = mu[c]
                    let invStd = s[c]
                    var sumG: T = 0
                    var sumGD: T = 0
                    for n in 0..<batch {
                        let base = (n * channels + c) * inner
                        let (gRow, xRow) = (gy + base, x + base)
                        let (a, b) = rowSums(inner, { gRow[$0] }, { gRow[$0] * (xRow[$0] - mean) })
                        sumG += a
                        sumGD += b
                    }
                    let sumGX = sumGD * invStd
                    gGamma[c] = sumGX
                    gBeta[c] = sumG
                    guard let gx else { return }
                    let k = gamma[c] * invStd
                    if training {
                        // dx = k·(g − Σg/M − x̂·Σg·x̂/M) = k·g + (a·x + b) with a = −k·s·Σg·x̂/M, b = −k·Σg/M − a·μ
                        let a = -k * invStd * sumGX / count
                        let b = -k * sumG / count - a * mean
                        for n in 0..<batch {
                            let base = (n * channels + c) * inner
                            let (gRow, xRow, dxRow) = (gy + base, x + base, gx + base)
                            for i in 0..<inner { dxRow[i] = k * gRow[i] + (a * xRow[i] + b) }
                        }
                    } else {
                        for n in 0..<batch {
                            let base = (n * channels + c) * inner
                            let (gRow, dxRow) = (gy + base, gx + base)
                            for i in 0..<inner { dxRow[i] = k * gRow[i] }
                        }
                    }
                }
            }
            switch g.dtype {
            case .float32: backward(Float.self)
            case .float64: backward(Double.self)
            }
            return [dx, needs[1] ? dScale : nil, needs[2] ? dShift : nil]
        }
    }

    /// The mean and the biased variance of each channel of this (N, C, inner…) tensor, each (C,), channels in
    /// parallel. Each row of `inner` values (one image's plane) is read twice while in cache, for its mean and then
    /// its squared deviations, and the rows are merged by Chan et al.'s update (1979, "Updating formulae and a
    /// pairwise algorithm for computing sample variances"): as accurate as two passes over the whole channel, with
    /// one pass over memory.
    private func channelMoments(batch: Int, channels: Int, inner: Int) -> (mean: Tensor, variance: Tensor) {
        let mean = Tensor(uninitialized: [channels], dtype: dtype)
        let variance = Tensor(uninitialized: [channels], dtype: dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let x = pointer(T.self)
            let mu = mean.pointer(T.self)
            let v = variance.pointer(T.self)
            let rowCount = T(inner)
            parallelChannels(channels, work: batch * inner) { c in
                var count: T = 0
                var average: T = 0
                var squares: T = 0
                for n in 0..<batch {
                    let row = x + (n * channels + c) * inner
                    let rowAverage = rowSum(inner) { row[$0] } / rowCount
                    let rowSquares = rowSum(inner) { i in
                        let d = row[i] - rowAverage
                        return d * d
                    }
                    let total = count + rowCount
                    let delta = rowAverage - average
                    average += delta * (rowCount / total)
                    squares += rowSquares + delta * delta * (count * rowCount / total)
                    count = total
                }
                mu[c] = average
                v[c] = squares / count
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return (mean, variance)
    }
}
