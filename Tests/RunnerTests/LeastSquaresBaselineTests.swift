import Foundation
import Models
import Testing

@testable import Runner

// The closed-form least-squares baseline (`outputs.least_squares`): a fit computed by hand, agreement with a direct
// lstsq, rank-deficient features reported instead of fitted, and a run that records the baseline.

/// A classification task with training (and test) examples given as rows of features; its model is not used.
private func task(
    _ rows: [[Double]], _ labels: [Int], classes: Int, test: (rows: [[Double]], labels: [Int])? = nil
) -> ClassificationTask {
    func dataset(_ rows: [[Double]], _ labels: [Int]) -> LabelledDataset {
        LabelledDataset(inputs: Tensor(rows), labels: labels, classCount: classes)
    }
    var rng = RandomGenerator(seed: 0)
    return ClassificationTask(
        train: dataset(rows, labels), validation: nil, test: test.map { dataset($0.rows, $0.labels) }, suites: [],
        loss: .crossEntropy, model: Linear(rows[0].count, classes, using: &rng))
}

/// The metrics of a fitted baseline, or nil (recording an issue) when it is unavailable.
private func fittedMetrics(_ baseline: LeastSquaresBaseline) -> [LeastSquaresBaseline.Metrics]? {
    guard case .fitted(let metrics) = baseline.outcome else {
        Issue.record("expected a fit, got \(baseline.outcome)")
        return nil
    }
    return metrics
}

@Test func theBaselineOfOneFeatureIsTheLineComputedByHand() throws {
    // Class 1 holds one of the three examples at x = −1 and all three at x = 1, so its fitted score is 2/3 + x/3
    // (1/3 and 1) and class 0's is the complement (2/3 and 0): the third example is misclassified, the residuals
    // are ±1/3, ±1/3, ∓2/3 in both columns, and the MSE is 2 · (1/9 + 1/9 + 4/9) / 12 = 1/9.
    let baseline = LeastSquaresBaseline(
        task([[-1], [-1], [-1], [1], [1], [1]], [0, 0, 1, 1, 1, 1], classes: 2, test: ([[-1], [1]], [1, 1])))
    let metrics = try #require(fittedMetrics(baseline))
    #expect(metrics.map(\.split) == ["train", "test"])
    #expect(abs(metrics[0].accuracy - 5.0 / 6) < 1e-12)
    #expect(abs(metrics[0].mse - 1.0 / 9) < 1e-12)
    // Test: at x = −1 the scores (2/3, 1/3) miss the target (0, 1) by 2/3 twice; at x = 1 they are exact.
    #expect(metrics[1].accuracy == 0.5)
    #expect(abs(metrics[1].mse - 2.0 / 9) < 1e-12)
}

@Test func targetsLinearInTheFeaturesAreFittedExactly() throws {
    // The indicators of classes 1 and 2 are features and class 0's is 1 minus both: the one-hot targets are an
    // exact linear function of the features, whatever the third, noisy feature.
    let labels = (0..<12).map { $0 % 3 }
    let rows = labels.enumerated().map { i, label in
        [label == 1 ? 1.0 : 0, label == 2 ? 1.0 : 0, Double((i * 7) % 5) / 5]
    }
    let metrics = try #require(fittedMetrics(LeastSquaresBaseline(task(rows, labels, classes: 3))))
    #expect(metrics[0].accuracy == 1)
    #expect(metrics[0].mse < 1e-20)
}

@Test func theBaselineIsTheDirectLeastSquaresFitOfTheOneHotTargets() throws {
    let rows = (0..<10).map { i in [sin(Double(i)), cos(Double(3 * i)), Double(i % 4)] }
    let labels = (0..<10).map { ($0 * $0) % 3 }
    let metrics = try #require(fittedMetrics(LeastSquaresBaseline(task(rows, labels, classes: 3))))
    // lstsq of [X 1] against the one-hot targets, on the features as the task stores them (float32).
    let x = Tensor(rows).converted(to: .float64)
    let design = Tensor.concatenate([x, Tensor.ones([10, 1], dtype: .float64)], axis: 1)
    let targets = Tensor(labels.map { l in (0..<3).map { $0 == l ? 1.0 : 0 } }, dtype: .float64)
    let scores = design.matmul(try Tensor.lstsq(design, targets))  // (10, 3)
    let residual = scores - targets
    let mse = (residual * residual).mean().item()
    let correct = zip(scores.argmax(axis: 1), labels).filter { $0 == $1 }.count
    #expect(mse > 0.05, "the targets are not linear in these features")
    #expect(abs(metrics[0].mse - mse) < 1e-12)
    #expect(metrics[0].accuracy == Double(correct) / 10)
}

/// Features that admit no unique least-squares fit, and the reason the baseline must give.
struct DegenerateFeatures: CustomTestStringConvertible, Sendable {
    var name: String
    var rows: [[Double]]
    var names: [String]? = nil
    var reason: String

    var testDescription: String { name }
}

private let spread: [Double] = [0.3, -1.2, 2.5, 0.7, -0.4, 1.9]

let degenerateFeatures: [DegenerateFeatures] = [
    DegenerateFeatures(
        name: "a repeated feature", rows: spread.enumerated().map { i, v in [v, Double(i % 3), v] },
        names: ["x1", "x2", "x1_copy"],
        reason: "the design matrix [X 1] of 6 × 4 has rank 3): x1, x1_copy are linearly dependent"),
    DegenerateFeatures(
        name: "a constant feature", rows: spread.enumerated().map { i, v in [v, 0.5, Double(i % 3)] },
        reason: "has rank 3): feature 1 is constant"),
    DegenerateFeatures(
        name: "a feature that is the sum of two",
        rows: spread.enumerated().map { i, v in [v, Double(i), v + Double(i)] },
        reason: "feature 0, feature 1, feature 2 are linearly dependent"),
    DegenerateFeatures(
        name: "fewer examples than parameters", rows: Array(spread.prefix(3)).map { [$0, $0 * $0, 1 / $0] },
        reason: "3 training examples cannot determine 3 weights and a bias per class"),
]

@Test(arguments: degenerateFeatures)
func degenerateFeaturesMakeTheBaselineUnavailable(_ features: DegenerateFeatures) {
    let labels = features.rows.indices.map { $0 % 2 }
    let baseline = LeastSquaresBaseline(task(features.rows, labels, classes: 2), featureNames: features.names)
    guard case .unavailable(let reason) = baseline.outcome else {
        Issue.record("fitted: \(baseline.outcome)")
        return
    }
    #expect(reason.contains(features.reason), "reason was: \(reason)")
    #expect(baseline.json == .object(["unavailable": .string(reason)]))
    #expect(baseline.reportLines == ["least-squares baseline unavailable: \(reason)"])
}

@Test func aFitIsReportedSplitBySplit() throws {
    let baseline = LeastSquaresBaseline(
        task([[-1], [-1], [-1], [1], [1], [1]], [0, 0, 1, 1, 1, 1], classes: 2, test: ([[-1], [1]], [1, 1])))
    #expect(baseline.reportLines.count == 3)
    #expect(baseline.reportLines[1] == "  train mse 0.1111  accuracy 0.8333")
    #expect(baseline.reportLines[2] == "  test mse 0.2222  accuracy 0.5000")
    let test = baseline.json.objectValue?["test"]?.objectValue
    #expect(test?["accuracy"] == .number(0.5))
    #expect(abs((test?["mse"]?.doubleValue ?? 0) - 2.0 / 9) < 1e-12)
}

@Test(arguments: ["csv", "xor", "blobs", "spiral"])
func theBaselineIsAcceptedForTables(_ dataset: String) throws {
    let path = dataset == "csv" ? ", \"path\": \"t.csv\"" : ""
    let spec = try SpecFixtures.spec(
        "{\"data\": {\"dataset\": \"\(dataset)\"\(path)}, \"training\": {\"epochs\": 1}, "
            + "\"outputs\": {\"least_squares\": true}}")
    #expect(spec.outputs.leastSquares)
}

extension InterruptibleTraining {
    @Suite
    struct LeastSquaresRunTests {
        @Test(arguments: [false, true])
        func aRunRecordsTheBaselineOrWhyItHasNone(repeatedFeature: Bool) throws {
            try SpecFixtures.withTemporaryDirectory { directory in
                let rows = (0..<40).map { i in
                    let (x1, x2) = (Double((i * 7) % 13) / 13, Double((i * 5) % 11) / 11)
                    return "\(x1),\(x2)," + (repeatedFeature ? "\(x1)," : "") + (x1 + x2 > 1 ? "1" : "0")
                }
                let header = repeatedFeature ? "x1,x2,x1_copy,label" : "x1,x2,label"
                let path = SpecFixtures.write(([header] + rows).joined(separator: "\n"), "t.csv", in: directory)
                let json = """
                    {"data": {"dataset": "csv", "path": "\(path)", "validation": 10, "test": 10},
                     "model": {"hidden": []}, "training": {"epochs": 2, "batch_size": 10},
                     "outputs": {"plots": false, "least_squares": true}}
                    """
                let spec = try SpecDocument(text: json, source: "t", overrides: []).spec
                let folder = directory + "/run"
                #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
                let summary = try JSONParser.parse(
                    try String(contentsOfFile: folder + "/summary.json", encoding: .utf8))
                let recorded = try #require(summary.objectValue?["least_squares"])
                if repeatedFeature {
                    guard case .string(let reason)? = recorded.objectValue?["unavailable"] else {
                        Issue.record("no reason in \(recorded)")
                        return
                    }
                    #expect(reason.contains("x1, x1_copy are linearly dependent"), "\(reason)")
                    return
                }
                // The baseline of the features the network saw (standardized), on each split.
                guard case .classification(let task) = try buildExperiment(spec).task,
                    case .fitted(let expected) = LeastSquaresBaseline(task).outcome
                else {
                    Issue.record("no fitted baseline of the task")
                    return
                }
                #expect(recorded.objectValue?.keys.sorted() == ["test", "train", "validation"])
                for metrics in expected {
                    let split = recorded.objectValue?[metrics.split]?.objectValue
                    #expect(split?["accuracy"]?.doubleValue == metrics.accuracy, "\(metrics.split)")
                    #expect(abs((split?["mse"]?.doubleValue ?? -1) - metrics.mse) < 1e-12, "\(metrics.split)")
                }
            }
        }
    }
}
