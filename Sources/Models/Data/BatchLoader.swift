// Mini-batching: an epoch is a permutation of the examples (or the dataset order) cut into batches.

/// One mini-batch: the inputs (B, …), their labels, and which examples of the dataset they are.
public struct Batch {
    /// The examples, (B, …) with B ≤ the loader's batch size (smaller only for a last, partial batch).
    public let inputs: Tensor
    /// The label of each example in the batch.
    public let labels: [Int]
    /// The position of each example in the loader's dataset.
    public let indices: [Int]
}

/// Cuts a dataset into mini-batches, epoch after epoch:
///
/// ```
/// let loader = BatchLoader(train, batchSize: 64, shuffle: true, seed: 7)
/// for epoch in 0..<10 {
///     for batch in loader.batches(epoch: epoch) { … batch.inputs, batch.labels … }
/// }
/// ```
///
/// With `shuffle`, epoch `e` visits the examples in a permutation drawn from a `RandomGenerator` seeded with
/// `seed` and `e`, so a run (or a resumed run) is reproducible and each epoch has its own order; without it, in
/// the dataset's order (use `sortedByLabel()` for the class-by-class experiment). Every example appears
/// exactly once per epoch, except that `dropLast` leaves out the final partial batch.
public struct BatchLoader {
    /// The dataset the batches are drawn from.
    public let dataset: LabelledDataset
    /// The number of examples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the examples in a fresh seeded random order.
    public let shuffle: Bool
    /// Whether a final batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    /// The seed of the per-epoch permutations.
    public let seed: UInt64

    /// A loader of `batchSize` examples per batch.
    public init(
        _ dataset: LabelledDataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0
    ) {
        precondition(batchSize > 0, "BatchLoader: batchSize must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
    }

    /// The number of batches in one epoch.
    public var batchCount: Int {
        dataset.count / batchSize + (dropLast || dataset.count % batchSize == 0 ? 0 : 1)
    }

    /// The order in which epoch `epoch` visits the examples (before `dropLast` is applied).
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        // A distinct, well-mixed stream per (seed, epoch): RandomGenerator passes its seed through SplitMix64.
        var rng = RandomGenerator(seed: seed &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
        return rng.permutation(dataset.count)
    }

    /// The batches of epoch `epoch`, in order; each batch's tensor is copied only when it is reached.
    public func batches(epoch: Int = 0) -> BatchSequence {
        BatchSequence(loader: self, order: order(epoch: epoch))
    }
}

/// The batches of one epoch of a `BatchLoader`.
public struct BatchSequence: Sequence, IteratorProtocol {
    let loader: BatchLoader
    let order: [Int]
    var start = 0

    /// The number of batches in the epoch.
    public var count: Int { loader.batchCount }

    /// The next batch, or `nil` at the end of the epoch.
    public mutating func next() -> Batch? {
        let remaining = order.count - start
        if remaining <= 0 || (loader.dropLast && remaining < loader.batchSize) { return nil }
        let indices = Array(order[start..<(start + Swift.min(loader.batchSize, remaining))])
        start += indices.count
        let data = loader.dataset
        let labels = indices.map { data.labels[$0] }
        return Batch(inputs: gatherRows(data.inputs, indices), labels: labels, indices: indices)
    }
}
