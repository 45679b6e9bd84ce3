import Foundation
import Models

/// Loss and accuracy of one split at the end of a run.
struct SplitMetrics: Codable, Equatable {
    var loss: Double
    /// Classification: of examples; sequence-to-sequence: of target tokens, with teacher forcing.
    var accuracy: Double?
    /// Sequence-to-sequence: the share of strings that greedy decoding gets entirely right.
    var sequenceAccuracy: Double? = nil
}

/// What a finished (or stopped) run reports.
struct RunResult {
    var status: RunStatus
    /// Why the run stopped early, for the user.
    var message: String?
    var state: TrainingState
    /// Final metrics by split: "train", "validation", "test" and each evaluation suite.
    var metrics: [String: SplitMetrics] = [:]
    /// The test set's confusion matrix, counts[true][predicted].
    var confusion: [[Int]]?
    /// The predicted class of each test example, in the test split's order.
    var testPredictions: [Int]?
    /// Generated text before and after training (language models), decoded strings (sequence-to-sequence).
    var samples: (before: String, after: String)?
}

extension RunResult {
    /// Stops for Ctrl-C after the step or epoch `point` names ("at step 12"); the run saves a checkpoint.
    mutating func interrupt(_ point: String) {
        status = .interrupted
        message = "interrupted \(point); checkpoint saved, resume with --resume"
    }

    /// Stops on a loss that is not finite at the step `point` names, before updating with it.
    mutating func diverge(loss: Double, _ point: String) {
        status = .diverged
        message = "the loss became \(loss) \(point); stopped without updating, the last good checkpoint is kept"
    }
}

extension RunResult {
    /// The final metrics of a classifier: training, validation and test (with the test's confusion matrix and
    /// predictions), and each evaluation suite, whose metrics `record` also adds to the curves.
    mutating func finishClassification(
        _ task: ClassificationTask, record: (String, SplitMetrics) -> Void,
        evaluate: (LabelledDataset) -> (metrics: SplitMetrics, confusion: [[Int]], predicted: [Int])
    ) {
        metrics["train"] = evaluate(task.train).metrics
        if let validation = task.validation { metrics["validation"] = evaluate(validation).metrics }
        if let test = task.test {
            let evaluation = evaluate(test)
            metrics["test"] = evaluation.metrics
            (confusion, testPredictions) = (evaluation.confusion, evaluation.predicted)
        }
        for (name, dataset) in task.suites {
            let suiteMetrics = evaluate(dataset).metrics
            metrics[name] = suiteMetrics
            record(name, suiteMetrics)
        }
    }
}

/// Mini-batch training of a classifier with periodic evaluation, early stopping, checkpoints, divergence and
/// interruption handling; every logging point goes to `curves`.
struct ClassificationRun {
    let task: ClassificationTask
    let model: any Module
    let optimizer: any Optimizer
    let schedule: LearningRateSchedule
    let baseLearningRate: Double
    /// The resolved spec, for the training settings (`training`), gradient clipping and the seed.
    let spec: ExperimentSpec
    let curves: CurvesWriter
    let checkpoints: CheckpointStore?
    /// Where the best weights are kept for early stopping.
    var bestWeights: BestWeights = BestWeightsInMemory()
    let showProgress: Bool
    /// Where the per-epoch lines go (log.txt and the terminal); nil: nowhere.
    var log: RunLog? = nil

    func run(from start: TrainingState) throws -> RunResult {
        var state = start
        let settings = spec.training
        let (batchSize, logEvery, evaluateEvery) = (settings.batchSize, settings.logEvery, settings.evaluateEvery)
        let (patience, checkpointEvery, shards) = (
            settings.earlyStoppingPatience, settings.checkpointEvery, settings.batchShards
        )
        let clipNorm = spec.optimizer.clipGradNorm
        let loader = BatchLoader(
            task.train, batchSize: batchSize, shuffle: settings.shuffle ?? true, seed: UInt64(spec.seed))
        let stepsPerEpoch = loader.batchCount
        let totalSteps = settings.steps ?? (settings.epochs ?? 1) * stepsPerEpoch
        let clock = Date()
        // Seconds of training so far, this process's and earlier processes' (a resumed run).
        func wall() -> Double { start.elapsedBefore + Date().timeIntervalSince(clock) }
        let progress = showProgress ? Progress(total: totalSteps, label: "train") : nil
        var epochStart = Date()
        // A state that records how the run ended (a resume stopped before writing its results) trains no more.
        var result = RunResult(status: state.finished ?? .completed, state: state)

        func record(_ split: String, _ metrics: SplitMetrics) {
            curves.append(
                CurvePoint(
                    epoch: state.epoch, step: state.step, split: split, loss: metrics.loss, accuracy: metrics.accuracy,
                    learningRate: optimizer.learningRate, wallSeconds: wall()))
        }

        /// Evaluates validation and test (and suites), and applies early stopping; true when training must stop.
        func evaluateAndCheckPatience() throws -> Bool {
            if let test = task.test { record("test", evaluate(test).metrics) }
            guard let validation = task.validation else { return false }
            let metrics = evaluate(validation).metrics
            record("validation", metrics)
            let accuracy = metrics.accuracy ?? 0
            if accuracy > (state.bestValidationAccuracy ?? -1) {
                state.bestValidationAccuracy = accuracy
                state.bestEpoch = state.epoch
                state.evaluationsWithoutImprovement = 0
                if patience != nil { try bestWeights.remember(model) }
            } else {
                state.evaluationsWithoutImprovement += 1
            }
            if let patience, state.evaluationsWithoutImprovement >= patience {
                result.status = .earlyStopped
                result.message =
                    "validation accuracy did not improve for \(patience) evaluations; "
                    + "best \(String(format: "%.4f", state.bestValidationAccuracy ?? 0)) "
                    + "after epoch \(state.bestEpoch ?? 0)"
                return true
            }
            return false
        }

        // An epoch whose last batch was trained before a stop still has its end (evaluation, count) to close.
        training: while (state.step < totalSteps || state.batchInEpoch >= stepsPerEpoch) && state.finished == nil {
            for batch in loader.batches(epoch: state.epoch).dropFirst(state.batchInEpoch) {
                optimizer.learningRate = schedule.rate(base: baseLearningRate, step: state.step)
                optimizer.zeroGrad()
                let inputs = task.trainingInputs(batch.inputs, seed: UInt64(spec.seed), step: state.step)
                let (value, predicted) = classifierLossAndGradients(
                    inputs, batch.labels, shards: shards, using: &state.rng, forward: task.logits,
                    loss: task.loss.callAsFunction)
                guard value.isFinite else {
                    result.diverge(loss: value, "at step \(state.step + 1) (epoch \(state.epoch + 1))")
                    break training
                }
                if let clipNorm { clipGradientNorm(optimizer.parameters, maxNorm: clipNorm) }
                optimizer.step()
                state.step += 1
                state.batchInEpoch += 1
                let correct = Double(zip(predicted, batch.labels).filter { $0 == $1 }.count)
                state.runningLoss += value * Double(batch.labels.count)
                state.runningCorrect += correct
                state.runningCount += batch.labels.count
                log?.addTraining(loss: value, correct: correct, count: batch.labels.count)
                let samples = Int.exactProduct(state.step - start.step, batchSize) ?? Int.max
                progress?.update(done: state.step, loss: value, samples: samples)

                if state.step % logEvery == 0 || state.step == totalSteps {
                    record(
                        "train",
                        SplitMetrics(
                            loss: state.runningLoss / Double(state.runningCount),
                            accuracy: state.runningCorrect / Double(state.runningCount)))
                    state.runningLoss = 0
                    state.runningCorrect = 0
                    state.runningCount = 0
                }
                if let every = evaluateEvery, state.step % every == 0, try evaluateAndCheckPatience() {
                    break training
                }
                if let every = checkpointEvery, state.step % every == 0 { try checkpoints?.save(state) }
                if Interruption.requested {
                    result.interrupt("at step \(state.step)")
                    break training
                }
                if state.step == totalSteps { break }
            }
            if state.batchInEpoch >= stepsPerEpoch {
                state.finishEpoch(startedAt: &epochStart)
                let stop = evaluateEvery == nil ? try evaluateAndCheckPatience() : false
                log?.epochEnded(
                    state, of: (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch, points: curves.points,
                    isBest: state.bestValidationAccuracy != nil && state.evaluationsWithoutImprovement == 0)
                if stop { break training }
            }
        }
        progress?.finish()

        // With early stopping, a finished run ends on its best weights, whether patience ran out or the epochs did.
        let ended = result.status == .earlyStopped || result.status == .completed
        if patience != nil, ended, state.evaluationsWithoutImprovement > 0 {
            _ = try bestWeights.restore(into: model)
        }
        state.elapsedBefore = wall()
        if result.status.isFinal { state.finished = result.status }
        if result.status != .diverged { try checkpoints?.save(state) }
        result.state = state
        result.finishClassification(task, record: record, evaluate: evaluate)
        return result
    }

    /// Mean loss, accuracy, confusion matrix and each example's predicted class over a dataset, in evaluation mode
    /// and without recording.
    func evaluate(_ dataset: LabelledDataset) -> (metrics: SplitMetrics, confusion: [[Int]], predicted: [Int]) {
        var context = ForwardContext.evaluation
        var lossSum = 0.0
        let classes = dataset.classCount
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var predictions: [Int] = []
        noGrad {
            for batch in BatchLoader(dataset, batchSize: 1000, shuffle: false).batches() {
                let logits = task.logits(batch.inputs, &context)
                lossSum += task.loss(logits, batch.labels).item() * Double(batch.labels.count)
                let predicted = predictedClasses(logits)
                predictions += predicted
                for (label, predicted) in zip(batch.labels, predicted) where predicted < classes {
                    confusion[label][predicted] += 1
                }
            }
        }
        let n = Double(dataset.labels.count)
        let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
        return (SplitMetrics(loss: lossSum / n, accuracy: Double(correct) / n), confusion, predictions)
    }
}

/// A classifier's mean loss on a training batch and its examples' predicted classes, with the loss's gradients
/// accumulated into the parameters; `forward(inputs, context)` gives the logits (N, classes), here in training
/// mode with dropout drawn from `rng`.
/// With `shards` > 1 the batch is split into that many shards (`shardedBackward`), each drawing dropout from a
/// generator seeded from `rng`, and the gradients are there whatever the loss; whole, a loss that is not finite is
/// not differentiated. Either way callers do not step on such a loss. The runner's training loop and the benchmark's
/// W1–W4 steps both take this path.
func classifierLossAndGradients(
    _ inputs: Tensor, _ labels: [Int], shards: Int, using rng: inout RandomGenerator,
    forward: (Tensor, inout ForwardContext) -> Tensor, loss: (Tensor, [Int]) -> Tensor
) -> (loss: Double, predicted: [Int]) {
    let shards = min(shards, labels.count)
    if shards <= 1 {
        var context = ForwardContext(training: true, rng: rng)
        let logits = forward(inputs, &context)
        rng = context.rng
        let whole = loss(logits, labels)
        let value = whole.item()
        if value.isFinite { whole.backward() } else { Tape.current.reset() }
        return (value, predictedClasses(logits))
    }
    var predicted = [[Int]](repeating: [], count: shards)
    let value = predicted.withUnsafeMutableBufferPointer { predicted in
        shardedBackward(batchSize: labels.count, shards: shards, using: &rng) { s, examples, shardRNG in
            var context = ForwardContext(training: true, rng: shardRNG)
            let logits = forward(inputs.sliced(axis: 0, examples), &context)
            shardRNG = context.rng
            predicted[s] = predictedClasses(logits)
            return loss(logits, Array(labels[examples]))
        }
    }
    return (value, predicted.flatMap { $0 })
}

/// The predicted class of each row of logits (N, classes); a single output column is a binary score (class 1
/// when positive).
func predictedClasses(_ logits: Tensor) -> [Int] {
    logits.shape[1] == 1 ? logits.scalars.map { $0 > 0 ? 1 : 0 } : logits.argmax(axis: 1)
}
