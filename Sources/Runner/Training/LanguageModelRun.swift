import Foundation
import Models

/// Step-based training of a character-level language model: random blocks of the training text, the
/// validation loss on fixed blocks at each evaluation, and samples before and after training.
struct LanguageModelRun {
    let task: LanguageModelTask
    let optimizer: any Optimizer
    let schedule: LearningRateSchedule
    let baseLearningRate: Double
    /// The resolved spec, for the training settings (`training`), gradient clipping and the seed.
    let spec: ExperimentSpec
    let curves: CurvesWriter
    let checkpoints: CheckpointStore?
    let showProgress: Bool
    /// Where the line of each evaluation goes (log.txt and the terminal); nil: nowhere.
    var log: RunLog? = nil

    /// Blocks of validation text used at every evaluation (the same ones each time, so curves are comparable).
    static let validationBatches = 10
    /// The steps of a run whose spec gives no `training.steps`.
    static let defaultSteps = 2000

    func run(from start: TrainingState) throws -> RunResult {
        var state = start
        let settings = spec.training
        let clipNorm = spec.optimizer.clipGradNorm
        let totalSteps = settings.steps ?? Self.defaultSteps
        let evaluateEvery = settings.evaluateEvery ?? max(totalSteps / 10, 1)
        let clock = Date()
        func wall() -> Double { start.elapsedBefore + Date().timeIntervalSince(clock) }
        let progress = showProgress ? Progress(total: totalSteps, label: "train") : nil
        let before = state.step == 0 ? sample() : ""
        var result = RunResult(status: .completed, state: state)

        func record(_ split: String, _ loss: Double) {
            curves.append(
                CurvePoint(
                    epoch: 0, step: state.step, split: split, loss: loss, accuracy: nil,
                    learningRate: optimizer.learningRate, wallSeconds: wall()))
        }

        while state.step < totalSteps {
            optimizer.learningRate = schedule.rate(base: baseLearningRate, step: state.step)
            let batch = sampleBlocks(
                from: task.train, batchSize: settings.batchSize, blockSize: task.blockSize, using: &state.rng)
            optimizer.zeroGrad()
            let value = task.model.lossAndGradients(batch, shards: settings.batchShards, using: &state.rng)
            guard value.isFinite else {
                result.diverge(loss: value, "at step \(state.step + 1)")
                break
            }
            if let clipNorm { clipGradientNorm(optimizer.parameters, maxNorm: clipNorm) }
            optimizer.step()
            state.step += 1
            state.runningLoss += value
            state.runningCount += 1
            log?.addTraining(loss: value, correct: nil, count: 1)
            let samples = Int.exactProduct(state.step - start.step, settings.batchSize) ?? Int.max
            progress?.update(done: state.step, loss: value, samples: samples)
            if state.step % settings.logEvery == 0 || state.step == totalSteps {
                record("train", state.runningLoss / Double(state.runningCount))
                state.runningLoss = 0
                state.runningCount = 0
            }
            if state.step % evaluateEvery == 0 || state.step == totalSteps {
                record("validation", validationLoss())
                log?.progress("step \(state.step)/\(totalSteps)", points: curves.points, step: state.step,
                    seconds: nil, isBest: false)
            }
            if let every = settings.checkpointEvery, state.step % every == 0 { try checkpoints?.save(state) }
            if Interruption.requested {
                result.interrupt("at step \(state.step)")
                break
            }
        }
        progress?.finish()
        state.elapsedBefore = wall()
        if result.status.isFinal { state.finished = result.status }
        if result.status != .diverged { try checkpoints?.save(state) }
        result.state = state
        result.metrics["validation"] = SplitMetrics(loss: validationLoss(), accuracy: nil)
        result.samples = (before, sample())
        return result
    }

    /// The mean loss over the fixed validation blocks, in evaluation mode.
    func validationLoss() -> Double {
        var rng = RandomGenerator(seed: 1234)
        var evaluation = ForwardContext.evaluation
        let b = spec.training.batchSize
        return noGrad {
            (0..<Self.validationBatches).map { _ in
                let batch = sampleBlocks(from: task.validation, batchSize: b, blockSize: task.blockSize, using: &rng)
                return task.model.loss(batch.inputs, targets: batch.targets, batch: b, &evaluation).item()
            }.reduce(0, +) / Double(Self.validationBatches)
        }
    }

    /// `sampleLength` characters generated from a newline with a fixed seed (temperature 1, top-k 10).
    func sample() -> String {
        var rng = RandomGenerator(seed: UInt64(spec.seed))
        let prompt = task.vocabulary.id(of: "\n").map { [$0] } ?? [0]
        let tokens = task.model.generate(
            prompt: prompt, count: task.sampleLength, temperature: 1, topK: 10, using: &rng)
        return task.vocabulary.decode(tokens)
    }
}

extension DecoderTransformer {
    /// The mean loss of a training batch, with its gradients accumulated into the parameters: the whole batch at
    /// once, or split into `shards` shards (`shardedBackward`) each drawing dropout from a generator seeded from
    /// `rng`. Split, the gradients are there whatever the loss; whole, a loss that is not finite is not
    /// differentiated. Callers do not step on such a loss.
    func lossAndGradients(_ batch: TokenBatch, shards: Int, using rng: inout RandomGenerator) -> Double {
        let shards = min(shards, batch.batchSize)
        if shards <= 1 {
            var context = ForwardContext(training: true, rng: rng)
            let whole = self.loss(batch.inputs, targets: batch.targets, batch: batch.batchSize, &context)
            rng = context.rng
            let value = whole.item()
            if value.isFinite { whole.backward() } else { Tape.current.reset() }
            return value
        }
        return shardedBackward(batchSize: batch.batchSize, shards: shards, using: &rng) { _, blocks, shardRNG in
            let part = batch.blocks(blocks)
            var context = ForwardContext(training: true, rng: shardRNG)
            defer { shardRNG = context.rng }
            return self.loss(part.inputs, targets: part.targets, batch: part.batchSize, &context)
        }
    }
}
