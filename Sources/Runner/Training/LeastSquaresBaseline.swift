// The closed-form linear baseline that a classification run on a table reports beside its network
// (`outputs.least_squares`).

import Models

/// A linear-regression classifier fitted in closed form, the baseline a trained network should beat: W and b
/// minimizing ‖X W + b − Y‖² over the training split, where X (N, F) holds the features as the network sees them
/// (standardized when the spec normalizes) and Y (N, C) the one-hot targets. An example's class is the argmax of
/// its scores x W + b; the mean squared error is that of the scores against the one-hot targets, averaged over
/// examples and classes (the `mse` loss's definition). The fit is `leastSquares` (QR of [X 1]) in float64.
///
/// The baseline is unavailable, with the reason, when the least-squares solution is not unique: when the design
/// matrix [X 1] has fewer rows than columns, or its columns are linearly dependent — a constant feature, a repeated
/// one, or the one-hot columns of one categorical column (which sum to 1, standardized or not).
struct LeastSquaresBaseline {
    /// Accuracy and mean squared error of the baseline on one split.
    struct Metrics: Equatable {
        var split: String
        var accuracy: Double
        var mse: Double
    }

    enum Outcome: Equatable {
        /// The metrics of each split the task has, in the order train, validation, test.
        case fitted([Metrics])
        /// Why there is no unique fit.
        case unavailable(reason: String)
    }

    var outcome: Outcome

    /// Fits the baseline on `task`'s training split and evaluates it on each split. `featureNames` name the
    /// features in the reason a fit is unavailable (`feature 0`, `feature 1`, … when nil).
    init(_ task: ClassificationTask, featureNames: [String]? = nil) {
        let train = task.train
        precondition(train.inputs.rank == 2, "LeastSquaresBaseline: features must be (N, F), got \(train.inputs.shape)")
        let (samples, features) = (train.inputs.shape[0], train.inputs.shape[1])
        let names = featureNames ?? (0..<features).map { "feature \($0)" }
        guard samples >= features + 1 else {
            outcome = .unavailable(
                reason: "\(samples) training examples cannot determine \(features) weights and a bias per class")
            return
        }
        let x = train.inputs.converted(to: .float64)  // (N, F)
        let targets = oneHot(train.labels, classes: train.classCount)  // (N, C)
        if let dependency = Self.linearDependency(x, names: names) {
            outcome = .unavailable(reason: dependency)
            return
        }
        let weight: Tensor
        let bias: Tensor
        do {
            let fit = try leastSquares(features: x, targets: targets)
            (weight, bias) = (fit.weight, fit.bias!)  // (F, C), (C)
        } catch {
            outcome = .unavailable(reason: error.description)
            return
        }
        var metrics: [Metrics] = []
        let splits = [("train", train), ("validation", task.validation), ("test", task.test)]
        for case (let name, let dataset?) in splits where dataset.count > 0 {
            let scores = dataset.inputs.converted(to: .float64).matmul(weight) + bias  // (M, C)
            let predicted = scores.argmax(axis: 1)
            let correct = zip(predicted, dataset.labels).filter { $0 == $1 }.count
            let mse = scores.mseLoss(target: oneHot(dataset.labels, classes: train.classCount)).item()
            metrics.append(Metrics(split: name, accuracy: Double(correct) / Double(dataset.count), mse: mse))
        }
        outcome = .fitted(metrics)
    }

    /// Why the columns of the design matrix [X 1] (N, F + 1) are linearly dependent, naming the features that take
    /// part; nil when they have full column rank.
    ///
    /// The features come from float32 data, so a dependency among them holds only to float32 precision (the
    /// standardized one-hot columns of a category, for instance): a singular value counts as zero below
    /// σ₁ · max(N, F + 1) · ε₃₂, the tolerance of numpy's `matrix_rank` for float32 data. `lstsq` itself stops
    /// only at an exactly zero pivot, and on a repeated feature returns a huge, arbitrary fit instead.
    private static func linearDependency(_ x: Tensor, names: [String]) -> String? {
        let (samples, features) = (x.shape[0], x.shape[1])
        let columns = features + 1
        let design = Tensor.concatenate([x, Tensor.ones([samples, 1], dtype: .float64)], axis: 1)  // (N, F+1)
        guard let (_, s, vh) = try? design.svd() else {  // vh (F+1, F+1)
            return "the singular value decomposition of the training features did not converge"
        }
        let values = s.scalars  // descending
        let tolerance = values[0] * Double(max(samples, columns)) * Double(Float.ulpOfOne)
        let rank = values.filter { $0 > tolerance }.count
        guard rank < columns else { return nil }
        // The right singular vectors of the zero singular values span the dependencies; a column takes part when
        // it has a weight in one of them.
        let basis = vh.scalars
        var involved = Set<Int>()
        for row in rank..<columns {
            let null = basis[(row * columns)..<((row + 1) * columns)]
            let largest = null.map(abs).max() ?? 0
            for (column, v) in zip(0..., null) where abs(v) > 1e-3 * largest { involved.insert(column) }
        }
        let named = involved.sorted().filter { $0 < features }.map { names[$0] }
        let list = named.joined(separator: ", ") + (involved.contains(features) ? " and the bias" : "")
        let what: String
        if named.count == 1 {
            what = "\(named[0]) is constant"
        } else if rank == columns - 1 {
            what = "\(list) are linearly dependent"
        } else {
            what = "\(columns - rank) linear dependencies among \(list)"
        }
        return "the training features are rank-deficient (the design matrix [X 1] of \(samples) × \(columns) has "
            + "rank \(rank)): \(what); drop a constant or redundant feature"
    }

    /// `summary.json`'s `least_squares`: `{"train": {"accuracy": …, "mse": …}, …}`, or `{"unavailable": reason}`.
    var json: JSONValue {
        switch outcome {
        case .fitted(let splits):
            var members: [String: JSONValue] = [:]
            for m in splits {
                members[m.split] = .object(["accuracy": finiteNumber(m.accuracy), "mse": finiteNumber(m.mse)])
            }
            return .object(members)
        case .unavailable(let reason):
            return .object(["unavailable": .string(reason)])
        }
    }

    /// The lines of the run's report.
    var reportLines: [String] {
        switch outcome {
        case .fitted(let splits):
            return ["least-squares baseline (linear, fitted in closed form to one-hot targets):"]
                + splits.map { m in
                    "  \(m.split) mse \(String(format: "%.4f", m.mse))  accuracy \(String(format: "%.4f", m.accuracy))"
                }
        case .unavailable(let reason):
            return ["least-squares baseline unavailable: \(reason)"]
        }
    }
}

/// One-hot rows (N, classes) of `labels`, in float64.
private func oneHot(_ labels: [Int], classes: Int) -> Tensor {
    Tensor.generate([labels.count, classes], dtype: .float64) { i in labels[i / classes] == i % classes ? 1 : 0 }
}

/// A finite number as JSON; NaN and infinity, which JSON lacks, as null.
private func finiteNumber(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }
