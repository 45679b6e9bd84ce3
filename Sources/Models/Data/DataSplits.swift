// Train / validation / test splits, and feature standardization fitted on the training split only.

/// Per-feature standardization of (N, F) inputs, `x̂[:, j] = (x[:, j] − mean[j]) / std[j]`, as scikit-learn's
/// `StandardScaler`: fit it on the training split, then apply the same numbers to every split, so no statistic
/// of the validation or test data leaks into training.
public struct Standardization: Equatable, Sendable {
    /// The mean of each feature.
    public let mean: [Double]
    /// The population standard deviation of each feature (divided by N), 1 for a constant feature.
    public let std: [Double]

    /// Given statistics; every `std` must be positive.
    public init(mean: [Double], std: [Double]) {
        precondition(mean.count == std.count, "Standardization: \(mean.count) means and \(std.count) stds")
        precondition(std.allSatisfy { $0 > 0 }, "Standardization: standard deviations must be positive, got \(std)")
        self.mean = mean
        self.std = std
    }

    /// The statistics of the features of `train` (inputs (N, F)), computed in `Double`.
    public init(fittedOn train: LabelledDataset) {
        let x = train.inputs
        precondition(x.rank == 2, "Standardization: inputs must be (N, F), got \(x.shape)")
        precondition(train.count > 0, "Standardization: cannot fit on an empty dataset")
        let (n, f) = (x.shape[0], x.shape[1])
        let values = x.scalars
        var mean = [Double](repeating: 0, count: f)
        for i in 0..<n { for j in 0..<f { mean[j] += values[i * f + j] } }
        mean = mean.map { $0 / Double(n) }
        var variance = [Double](repeating: 0, count: f)
        for i in 0..<n {
            for j in 0..<f {
                let d = values[i * f + j] - mean[j]
                variance[j] += d * d
            }
        }
        let std = variance.map { v -> Double in
            let s = (v / Double(n)).squareRoot()
            return s > 0 ? s : 1
        }
        self.init(mean: mean, std: std)
    }

    /// `dataset` with each feature shifted by `mean` and divided by `std`; inputs must be (N, F).
    public func apply(to dataset: LabelledDataset) -> LabelledDataset {
        precondition(
            dataset.inputs.rank == 2 && dataset.inputs.shape[1] == mean.count,
            "Standardization.apply: inputs \(dataset.inputs.shape) do not have \(mean.count) features")
        let m = Tensor(mean, shape: [1, mean.count], dtype: dataset.inputs.dtype)
        let s = Tensor(std, shape: [1, std.count], dtype: dataset.inputs.dtype)
        return dataset.mapInputs { ($0 - m) / s }  // (N, F)
    }
}

/// The three splits of an experiment.
public struct DataSplits {
    /// The examples the model is trained on.
    public var train: LabelledDataset
    /// Held-out examples for model selection and early stopping.
    public var validation: LabelledDataset
    /// Examples used once, for the final number.
    public var test: LabelledDataset

    /// Splits as given.
    public init(train: LabelledDataset, validation: LabelledDataset, test: LabelledDataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// Train and validation drawn at random, disjoint, from `pool` (e.g. the 60k training file), and the test
    /// split from the separate `test` set (its first `testCount` examples, or all): e.g. 10k / 2k / 10k.
    public init(
        pool: LabelledDataset, test: LabelledDataset, trainCount: Int, validationCount: Int, testCount: Int? = nil,
        seed: UInt64
    ) {
        let parts = pool.randomSplit(counts: [trainCount, validationCount], seed: seed)
        self.init(train: parts[0], validation: parts[1], test: test.prefix(testCount ?? test.count))
    }

    /// Three disjoint random parts of one dataset, e.g. a CSV table.
    public init(
        splitting dataset: LabelledDataset, trainCount: Int, validationCount: Int, testCount: Int, seed: UInt64
    ) {
        let parts = dataset.randomSplit(counts: [trainCount, validationCount, testCount], seed: seed)
        self.init(train: parts[0], validation: parts[1], test: parts[2])
    }

    /// The splits standardized with statistics fitted on `train` only, and those statistics.
    public func standardized() -> (splits: DataSplits, standardization: Standardization) {
        let s = Standardization(fittedOn: train)
        return (DataSplits(train: s.apply(to: train), validation: s.apply(to: validation), test: s.apply(to: test)), s)
    }
}
