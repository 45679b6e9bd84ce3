// A labelled dataset: one input tensor whose first axis indexes the examples, and one class label per example.
// Subsets, orderings and splits copy the selected rows into a new tensor; nothing here is differentiable.

/// Examples and their class labels, e.g. images (N, 1, 28, 28), CIFAR images (N, 3, 32, 32) or table rows
/// (N, F), with `labels[i]` in `0..<classCount` the class of `inputs[i]`.
///
/// A value type over an immutable tensor: every subset, ordering or transform returns a new dataset.
public struct LabelledDataset {
    /// The examples, stacked along the first axis: (N, …), `float32`.
    public let inputs: Tensor
    /// The class of each example, in `0..<classCount`.
    public let labels: [Int]
    /// The number of classes (labels need not all occur, e.g. in a small subset).
    public let classCount: Int
    /// Human-readable class names, `classNames[label]`, when known.
    public var classNames: [String]?
    /// Where the data came from, e.g. "fashion-mnist test"; kept through subsets and transforms.
    public var name: String

    /// A dataset of `inputs` (N, …) with one label in `0..<classCount` per example.
    public init(inputs: Tensor, labels: [Int], classCount: Int, classNames: [String]? = nil, name: String = "") {
        precondition(inputs.rank >= 1, "LabelledDataset: inputs need an example axis, got shape \(inputs.shape)")
        precondition(
            inputs.shape[0] == labels.count,
            "LabelledDataset: \(labels.count) labels for \(inputs.shape[0]) examples of shape \(inputs.shape)")
        precondition(classCount >= 1, "LabelledDataset: classCount must be positive, got \(classCount)")
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            preconditionFailure("LabelledDataset: label \(bad) out of range 0..<\(classCount)")
        }
        if let names = classNames {
            precondition(
                names.count == classCount,
                "LabelledDataset: \(names.count) class names for \(classCount) classes")
        }
        self.inputs = inputs
        self.labels = labels
        self.classCount = classCount
        self.classNames = classNames
        self.name = name
    }

    /// The number of examples, N.
    public var count: Int { labels.count }

    /// The shape of one example, `inputs.shape` without the first axis, e.g. [1, 28, 28].
    public var exampleShape: [Int] { Array(inputs.shape.dropFirst()) }

    /// How many examples each class has: `classCounts()[c]` examples have label `c`.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The same labels and metadata with new inputs of the same example count, e.g. after a transform.
    public func withInputs(_ newInputs: Tensor) -> LabelledDataset {
        LabelledDataset(inputs: newInputs, labels: labels, classCount: classCount, classNames: classNames, name: name)
    }
}

// MARK: - Subsets and orderings

extension LabelledDataset {
    /// The examples at `indices`, in that order (repeats allowed).
    public func subset(_ indices: [Int]) -> LabelledDataset {
        for i in indices {
            precondition(i >= 0 && i < count, "LabelledDataset.subset: index \(i) out of range 0..<\(count)")
        }
        return LabelledDataset(
            inputs: gatherRows(inputs, indices), labels: indices.map { labels[$0] }, classCount: classCount,
            classNames: classNames, name: name)
    }

    /// The contiguous examples `range`, e.g. `dataset.subset(0..<1000)`.
    public func subset(_ range: Range<Int>) -> LabelledDataset {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= count,
            "LabelledDataset.subset: range \(range) out of bounds 0..<\(count)")
        return subset(Array(range))
    }

    /// The first `n` examples (all of them, without a copy, when `n ≥ count`).
    public func prefix(_ n: Int) -> LabelledDataset { n >= count ? self : subset(0..<Swift.max(n, 0)) }

    /// The examples in a random order fully determined by `seed` (Fisher–Yates over `RandomGenerator`).
    public func shuffled(seed: UInt64) -> LabelledDataset {
        var rng = RandomGenerator(seed: seed)
        return subset(rng.permutation(count))
    }

    /// The examples sorted by label, all of class 0 first, then class 1, …; within a class the original order
    /// is kept (a stable sort). For the "no shuffling" experiment, where every batch holds a single class.
    public func sortedByLabel() -> LabelledDataset {
        subset(indicesSortedByLabel())
    }

    /// The indices of the examples sorted by label, stable (a counting sort).
    public func indicesSortedByLabel() -> [Int] {
        var buckets = [[Int]](repeating: [], count: classCount)
        for (i, label) in labels.enumerated() { buckets[label].append(i) }
        return buckets.flatMap { $0 }
    }

    /// Consecutive, disjoint pieces of `counts[k]` examples each, in the current order; their total must not
    /// exceed `count` (the rest is left out). `split(counts: [50_000, 10_000])` of the 60k training set.
    public func split(counts: [Int]) -> [LabelledDataset] {
        precondition(counts.allSatisfy { $0 >= 0 }, "LabelledDataset.split: negative count in \(counts)")
        let total = counts.reduce(0, +)
        precondition(total <= count, "LabelledDataset.split: counts \(counts) sum to \(total) > \(count) examples")
        var start = 0
        return counts.map { n in
            defer { start += n }
            return subset(start..<(start + n))
        }
    }

    /// Disjoint random pieces of `counts[k]` examples each: a permutation determined by `seed`, then
    /// `split(counts:)`. Each piece keeps the permuted order.
    public func randomSplit(counts: [Int], seed: UInt64) -> [LabelledDataset] {
        Self.randomSplitIndices(count: count, counts: counts, seed: seed).map { subset($0) }
    }

    /// The indices of the pieces `randomSplit(counts:seed:)` takes from `count` examples, known before the
    /// examples are (a table's category lists are fitted on its training rows before it is encoded).
    public static func randomSplitIndices(count: Int, counts: [Int], seed: UInt64) -> [[Int]] {
        let total = counts.reduce(0, +)
        precondition(
            total <= count, "LabelledDataset.randomSplit: counts \(counts) sum to \(total) > \(count) examples")
        var rng = RandomGenerator(seed: seed)
        let order = rng.permutation(count)
        var start = 0
        return counts.map { n in
            defer { start += n }
            return Array(order[start..<(start + n)])
        }
    }

    /// The examples of several datasets one after the other; they must agree on example shape and classes.
    public static func concatenated(_ parts: [LabelledDataset]) -> LabelledDataset {
        precondition(!parts.isEmpty, "LabelledDataset.concatenated: no datasets")
        let first = parts[0]
        for part in parts {
            precondition(
                part.exampleShape == first.exampleShape && part.classCount == first.classCount
                    && part.inputs.dtype == first.inputs.dtype,
                "LabelledDataset.concatenated: example shape \(part.exampleShape) / \(part.classCount) classes "
                    + "do not match \(first.exampleShape) / \(first.classCount)")
        }
        let total = parts.reduce(0) { $0 + $1.count }
        let inputs = Tensor(uninitialized: [total] + first.exampleShape, dtype: first.inputs.dtype)
        let destination = rawPointer(inputs)
        var offset = 0
        for part in parts {
            let bytes = part.inputs.count * part.inputs.dtype.byteCount
            destination.advanced(by: offset).copyMemory(from: rawPointer(part.inputs), byteCount: bytes)
            offset += bytes
        }
        return LabelledDataset(
            inputs: inputs, labels: parts.flatMap(\.labels), classCount: first.classCount,
            classNames: first.classNames, name: first.name)
    }
}

// MARK: - Row copies

/// The rows `indices` of `tensor` along its first axis, copied with one `memcpy` per row.
func gatherRows(_ tensor: Tensor, _ indices: [Int]) -> Tensor {
    let rowCount = tensor.shape[0]
    let rowBytes = (rowCount == 0 ? 0 : tensor.count / rowCount) * tensor.dtype.byteCount
    let out = Tensor(uninitialized: [indices.count] + tensor.shape.dropFirst(), dtype: tensor.dtype)
    if rowBytes == 0 { return out }
    let source = rawPointer(tensor)
    let destination = rawPointer(out)
    for (j, i) in indices.enumerated() {
        precondition(i >= 0 && i < rowCount, "gatherRows: row \(i) out of range 0..<\(rowCount)")
        (destination + j * rowBytes).copyMemory(from: source + i * rowBytes, byteCount: rowBytes)
    }
    return out
}

/// The first byte of `tensor`'s storage, whatever its dtype.
func rawPointer(_ tensor: Tensor) -> UnsafeMutableRawPointer {
    switch tensor.dtype {
    case .float32: UnsafeMutableRawPointer(tensor.pointer(Float.self))
    case .float64: UnsafeMutableRawPointer(tensor.pointer(Double.self))
    }
}
