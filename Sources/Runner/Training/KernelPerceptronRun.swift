import Foundation
import Models

/// Training of a kernel perceptron (`KernelPerceptron`): passes over the training examples, one example at a time, in
/// the order `BatchLoader` gives epoch e (a fresh seeded permutation with `training.shuffle`, else the data's order),
/// each mistake updating α. There is no optimizer and no loss to differentiate.
///
/// A step is one example visited. After each epoch the run records the epoch's mistake rate as the training loss
/// (and the share it got right as the accuracy), then the test and validation error rate (1 − accuracy) as their
/// loss, with their accuracy; the learning-rate column holds 1, the size of every update. It stops after
/// `training.epochs` epochs, after an epoch without a mistake (the training examples are separated: later epochs
/// would change nothing), or, on Ctrl-C, after the epoch it is in.
struct KernelPerceptronRun {
    let task: ClassificationTask
    let perceptron: KernelPerceptron
    /// The resolved spec, for `training.epochs`, `training.shuffle` and the seed.
    let spec: ExperimentSpec
    let curves: CurvesWriter
    let checkpoints: CheckpointStore?
    let showProgress: Bool
    /// Where the per-epoch lines go (log.txt and the terminal); nil: nowhere.
    var log: RunLog? = nil

    /// The run of the kernel perceptron that is `task`'s model.
    init(
        task: ClassificationTask, spec: ExperimentSpec, curves: CurvesWriter, checkpoints: CheckpointStore?,
        showProgress: Bool
    ) {
        guard let perceptron = task.model as? KernelPerceptron else {
            preconditionFailure("KernelPerceptronRun: the task's model is a \(type(of: task.model))")
        }
        (self.task, self.perceptron, self.spec) = (task, perceptron, spec)
        (self.curves, self.checkpoints, self.showProgress) = (curves, checkpoints, showProgress)
    }

    func run(from start: TrainingState) throws -> RunResult {
        var state = start
        let epochs = spec.training.epochs ?? 1
        let examples = task.train.count
        let loader = BatchLoader(
            task.train, batchSize: 1, shuffle: spec.training.shuffle ?? true, seed: UInt64(spec.seed))
        let clock = Date()
        // Seconds of training so far, this process's and earlier processes' (a resumed run).
        func wall() -> Double { start.elapsedBefore + Date().timeIntervalSince(clock) }
        let progress = showProgress ? Progress(total: epochs * examples, label: "train") : nil
        // A state that records how the run ended (a resume stopped before writing its results) trains no more.
        var result = RunResult(status: state.finished ?? .completed, state: state)

        func record(_ split: String, _ metrics: SplitMetrics) {
            curves.append(
                CurvePoint(
                    epoch: state.epoch, step: state.step, split: split, loss: metrics.loss, accuracy: metrics.accuracy,
                    learningRate: 1, wallSeconds: wall()))
        }

        while state.epoch < epochs && state.finished == nil {
            let epochStart = Date()
            let mistakes = perceptron.trainEpoch(order: loader.order(epoch: state.epoch))
            state.secondsPerEpoch.append(Date().timeIntervalSince(epochStart))
            state.epoch += 1
            state.step += examples
            let mistakeRate = Double(mistakes) / Double(examples)
            record("train", SplitMetrics(loss: mistakeRate, accuracy: 1 - mistakeRate))
            if let test = task.test { record("test", evaluate(test).metrics) }
            if let validation = task.validation {
                let metrics = evaluate(validation).metrics
                record("validation", metrics)
                if let accuracy = metrics.accuracy, accuracy > (state.bestValidationAccuracy ?? -1) {
                    state.bestValidationAccuracy = accuracy
                    state.bestEpoch = state.epoch
                }
            }
            progress?.update(done: state.step, loss: mistakeRate, samples: state.step - start.step)
            log?.addTraining(loss: mistakeRate, correct: Double(examples - mistakes), count: examples)
            log?.epochEnded(state, of: epochs, points: curves.points, isBest: state.bestEpoch == state.epoch)
            if mistakes == 0 {
                result.message = "epoch \(state.epoch) made no mistake: the training examples are separated"
                break
            }
            if Interruption.requested {
                result.interrupt("after epoch \(state.epoch)")
                break
            }
        }
        progress?.finish()

        state.elapsedBefore = wall()
        if result.status.isFinal { state.finished = result.status }
        try checkpoints?.save(state)
        result.state = state
        result.finishClassification(task, record: record, evaluate: evaluate)
        return result
    }

    /// The error rate (as the loss), accuracy, confusion matrix and predicted classes of the perceptron on a
    /// dataset, in batches of 1000 examples (each batch's Gram matrix against the training examples is 1000 × N).
    func evaluate(_ dataset: LabelledDataset) -> (metrics: SplitMetrics, confusion: [[Int]], predicted: [Int]) {
        let classes = dataset.classCount
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var predictions: [Int] = []
        for batch in BatchLoader(dataset, batchSize: 1000, shuffle: false).batches() {
            let predicted = perceptron.predict(batch.inputs)
            predictions += predicted
            for (label, predicted) in zip(batch.labels, predicted) where predicted < classes {
                confusion[label][predicted] += 1
            }
        }
        let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
        let accuracy = Double(correct) / Double(dataset.count)
        return (SplitMetrics(loss: 1 - accuracy, accuracy: accuracy), confusion, predictions)
    }
}
