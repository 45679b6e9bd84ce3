import Foundation
import Models
import Testing

@testable import Runner

// The training loops on small synthetic tasks: learning, logging, early stopping, divergence, interruption.

/// A resolved spec with these training settings and seed 3.
private func settings(
    epochs: Int = 5, steps: Int? = nil, batchSize: Int = 16, evaluateEvery: Int? = nil, logEvery: Int = 5,
    patience: Int? = nil
) -> ExperimentSpec {
    var spec = ExperimentSpec()
    spec.seed = 3
    (spec.training.epochs, spec.training.steps, spec.training.batchSize) = (epochs, steps, batchSize)
    (spec.training.shuffle, spec.training.evaluateEvery, spec.training.logEvery) = (true, evaluateEvery, logEvery)
    spec.training.earlyStoppingPatience = patience
    return spec
}

/// A model whose every logit is NaN: a run that diverges at once.
private struct Diverging: Layer {
    var model: MLP
    func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor { model(x, &context) * Double.nan }
    func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { try model.outputShape(for: input) }
}

/// Three well separated Gaussian blobs in 2-D with an MLP: a task any working loop learns in a few epochs.
private func blobsRun(
    _ spec: ExperimentSpec, learningRate: Double = 0.05, in directory: String, diverging: Bool = false
) throws -> (ClassificationRun, MLP) {
    let data = SyntheticData.gaussianBlobs(classCount: 3, pointsPerClass: 60, seed: 1)
    let splits = data.randomSplit(counts: [120, 30, 30], seed: 2)
    var rng = RandomGenerator(seed: 4)
    let model = MLP(sizes: [2, 16, 3], activation: .relu, using: &rng)
    let task = ClassificationTask(
        train: splits[0], validation: splits[1], test: splits[2], suites: [("test_again", splits[2])],
        loss: .crossEntropy, model: diverging ? Diverging(model: model) : model)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let run = ClassificationRun(
        task: task, model: model, optimizer: SGD(model.parameters, learningRate: learningRate, momentum: 0.9),
        schedule: LearningRateSchedule(), baseLearningRate: learningRate, spec: spec,
        curves: try CurvesWriter(path: directory + "/curves.csv"), checkpoints: nil, showProgress: false)
    return (run, model)
}

private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let directory = NSTemporaryDirectory() + "tapegrad-run-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try body(directory)
}

/// The suites that train: serialized together, because the interruption flag is process-wide.
@Suite(.serialized)
struct InterruptibleTraining {}

extension InterruptibleTraining {
    @Suite
    struct TrainingRunTests {
        @Test func classificationRunLearnsAndLogsEveryPoint() throws {
            try withTemporaryDirectory { dir in
                let (run, _) = try blobsRun(settings(epochs: 5), in: dir)
                let started = Date()
                let result = try run.run(from: TrainingState(seed: 3))
                let seconds = Date().timeIntervalSince(started)
                #expect(result.status == .completed)
                #expect(result.state.step == 5 * 8 && result.state.epoch == 5)  // 120 examples / batch 16 = 8 batches
                #expect((result.metrics["test"]?.accuracy ?? 0) > 0.9)
                #expect(result.confusion?.flatMap { $0 }.reduce(0, +) == 30)
                let lines = try String(contentsOfFile: dir + "/curves.csv", encoding: .utf8).split(separator: "\n")
                #expect(lines.first == Substring(CurvePoint.header))
                let points = lines.dropFirst().compactMap(CurvePoint.init(csvLine:))
                #expect(points.count == lines.count - 1)
                #expect(points.filter { $0.split == "train" }.count == 8)  // every 5 of 40 steps
                #expect(points.filter { $0.split == "validation" }.map(\.epoch) == [1, 2, 3, 4, 5])
                #expect(points.filter { $0.split == "test" }.count == 5)
                // Wall-clock seconds never run past the run's total (they were once counted twice after training).
                #expect(points.allSatisfy { $0.wallSeconds <= seconds + 0.001 })
                #expect(points.last?.split == "test_again")
                let trainLosses = points.filter { $0.split == "train" }.map(\.loss)
                #expect(trainLosses.last! < trainLosses.first!)
            }
        }

        @Test func earlyStoppingStopsAndRestoresTheBestWeights() throws {
            try withTemporaryDirectory { dir in
                // Validation accuracy reaches its best and cannot exceed it; two evaluations later training stops.
                let (run, model) = try blobsRun(settings(epochs: 50, patience: 2), in: dir)
                let result = try run.run(from: TrainingState(seed: 3))
                #expect(result.status == .earlyStopped)
                let bestEpoch = try #require(result.state.bestEpoch)
                #expect(result.state.epoch == bestEpoch + 2)
                #expect(result.message?.contains("did not improve for 2 evaluations") == true)
                // The same run stopped after `bestEpoch` epochs ends with exactly the restored weights.
                let (reference, referenceModel) = try blobsRun(settings(epochs: bestEpoch), in: dir + "/reference")
                _ = try reference.run(from: TrainingState(seed: 3))
                #expect(model.layers[0].weight.scalars == referenceModel.layers[0].weight.scalars)
                #expect(model.layers[1].bias!.scalars == referenceModel.layers[1].bias!.scalars)
            }
        }

        @Test func aNaNLossStopsTheRunWithoutUpdating() throws {
            try withTemporaryDirectory { dir in
                let (run, model) = try blobsRun(settings(epochs: 3), in: dir, diverging: true)
                let before = model.layers[0].weight.scalars
                let result = try run.run(from: TrainingState(seed: 3))
                #expect(result.status == .diverged)
                #expect(result.state.step == 0)
                #expect(result.message?.contains("the loss became nan at step 1") == true)
                #expect(model.layers[0].weight.scalars == before)
            }
        }

        @Test func interruptionStopsAfterTheCurrentStep() throws {
            try withTemporaryDirectory { dir in
                let (run, _) = try blobsRun(settings(epochs: 3), in: dir)
                Interruption.request()
                defer { Interruption.reset() }
                let result = try run.run(from: TrainingState(seed: 3))
                #expect(result.status == .interrupted)
                #expect(result.state.step == 1)
            }
        }

        @Test func stepBudgetOverridesEpochs() throws {
            try withTemporaryDirectory { dir in
                let (run, _) = try blobsRun(settings(epochs: 100, steps: 12, evaluateEvery: 4), in: dir)
                let result = try run.run(from: TrainingState(seed: 3))
                #expect(result.state.step == 12 && result.state.epoch == 1 && result.state.batchInEpoch == 4)
                #expect(run.curves.points.filter { $0.split == "validation" }.map(\.step) == [4, 8, 12])
            }
        }

        @Test func resumedCurvesKeepOnlyRowsUpToTheCheckpoint() throws {
            try withTemporaryDirectory { dir in
                let path = dir + "/curves.csv"
                let first = try CurvesWriter(path: path)
                for step in [5, 10, 15] {
                    first.append(
                        CurvePoint(
                            epoch: 0, step: step, split: "train", loss: 1, accuracy: 0.5, learningRate: 0.1,
                            wallSeconds: 1))
                }
                var checkpoint = TrainingState(seed: 3)
                checkpoint.step = 10
                let resumed = try CurvesWriter(path: path, resumingFrom: checkpoint)
                #expect(resumed.points.map(\.step) == [5, 10])
                resumed.append(
                    CurvePoint(
                        epoch: 0, step: 15, split: "train", loss: 0.9, accuracy: 0.6, learningRate: 0.1, wallSeconds: 2)
                )
                let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
                #expect(lines.count == 4)
                #expect(lines.last?.hasPrefix("0,15,train,0.900000,0.600000") == true)
                // A checkpoint that counted its rows keeps exactly those, even rows at its own step.
                checkpoint.curveRows = 1
                #expect(try CurvesWriter(path: path, resumingFrom: checkpoint).points.map(\.step) == [5])
            }
        }
    }
}
