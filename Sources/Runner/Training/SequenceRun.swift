import Foundation
import Models

/// Training of an encoder–decoder Transformer on string pairs with teacher forcing: epochs over the training
/// pairs in batches (shuffled each epoch with the seed), the loss and token accuracy logged, validation and test
/// evaluated each epoch (or every `evaluate_every` steps), and at the end each split's loss, token accuracy and
/// sequence accuracy — the share of strings that greedy decoding gets entirely right.
struct SequenceRun {
    let task: SequenceTask
    let optimizer: any Optimizer
    let schedule: LearningRateSchedule
    let baseLearningRate: Double
    /// The resolved spec, for the training settings (`training`), gradient clipping and the seed.
    let spec: ExperimentSpec
    let curves: CurvesWriter
    let checkpoints: CheckpointStore?
    let showProgress: Bool
    /// Where the per-epoch lines go (log.txt and the terminal); nil: nowhere.
    var log: RunLog? = nil

    /// Strings decoded for the samples before and after training.
    static let sampleCount = 8

    func run(from start: TrainingState) throws -> RunResult {
        var state = start
        let settings = spec.training
        let batchSize = settings.batchSize
        let stepsPerEpoch = batchCount(task.train.count, batchSize: batchSize)
        let totalSteps = settings.steps ?? (settings.epochs ?? 1) * stepsPerEpoch
        let clock = Date()
        func wall() -> Double { start.elapsedBefore + Date().timeIntervalSince(clock) }
        let progress = showProgress ? Progress(total: totalSteps, label: "train") : nil
        var epochStart = Date()
        let before = state.step == 0 ? samples() : ""
        var result = RunResult(status: .completed, state: state)

        func record(_ split: String, _ metrics: SplitMetrics) {
            curves.append(
                CurvePoint(
                    epoch: state.epoch, step: state.step, split: split, loss: metrics.loss, accuracy: metrics.accuracy,
                    learningRate: optimizer.learningRate, wallSeconds: wall()))
        }
        func evaluateSplits() {
            if let validation = task.validation { record("validation", evaluate(validation)) }
            if let test = task.test { record("test", evaluate(test)) }
        }

        // An epoch whose last batch was trained before a stop still has its end (evaluation, count) to close.
        training: while state.step < totalSteps || state.batchInEpoch >= stepsPerEpoch {
            for indices in batches(epoch: state.epoch).dropFirst(state.batchInEpoch) {
                optimizer.learningRate = schedule.rate(base: baseLearningRate, step: state.step)
                optimizer.zeroGrad()
                let (value, correct) = lossAndGradients(task.train.batch(indices), count: indices.count, &state.rng)
                guard value.isFinite else {
                    result.diverge(loss: value, "at step \(state.step + 1) (epoch \(state.epoch + 1))")
                    break training
                }
                if let clipNorm = spec.optimizer.clipGradNorm {
                    clipGradientNorm(optimizer.parameters, maxNorm: clipNorm)
                }
                optimizer.step()
                state.step += 1
                state.batchInEpoch += 1
                let tokens = indices.count * task.train.length
                state.runningLoss += value * Double(tokens)
                state.runningCorrect += Double(correct)
                state.runningCount += tokens
                log?.addTraining(loss: value, correct: Double(correct), count: tokens)
                let samples = Int.exactProduct(state.step - start.step, batchSize) ?? Int.max
                progress?.update(done: state.step, loss: value, samples: samples)
                if state.step % settings.logEvery == 0 || state.step == totalSteps {
                    let n = Double(state.runningCount)
                    record("train", SplitMetrics(loss: state.runningLoss / n, accuracy: state.runningCorrect / n))
                    (state.runningLoss, state.runningCorrect, state.runningCount) = (0, 0, 0)
                }
                if let every = settings.evaluateEvery, state.step % every == 0 { evaluateSplits() }
                if let every = settings.checkpointEvery, state.step % every == 0 { try checkpoints?.save(state) }
                if Interruption.requested {
                    result.interrupt("at step \(state.step)")
                    break training
                }
                if state.step == totalSteps { break }
            }
            if state.batchInEpoch >= stepsPerEpoch {
                state.finishEpoch(startedAt: &epochStart)
                if settings.evaluateEvery == nil { evaluateSplits() }
                log?.epochEnded(
                    state, of: (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch, points: curves.points, isBest: false)
            }
        }
        progress?.finish()
        state.elapsedBefore = wall()
        if result.status.isFinal { state.finished = result.status }
        if result.status != .diverged { try checkpoints?.save(state) }
        result.state = state
        for (split, pairs) in [("train", task.train), ("validation", task.validation), ("test", task.test)] {
            guard let pairs else { continue }
            var metrics = evaluate(pairs)
            metrics.sequenceAccuracy = sequenceAccuracy(pairs)
            result.metrics[split] = metrics
        }
        result.samples = (before, samples())
        return result
    }

    /// The batches of an epoch, as indices into the training pairs: a permutation seeded by the seed and the
    /// epoch (so a resumed run draws the same ones), or in order without `shuffle`.
    func batches(epoch: Int) -> [[Int]] {
        var order = Array(0..<task.train.count)
        if spec.training.shuffle ?? true {
            var rng = RandomGenerator(seed: UInt64(spec.seed) &+ 0x5E05 &* UInt64(epoch + 1))
            order = rng.permutation(task.train.count)
        }
        return stride(from: 0, to: order.count, by: spec.training.batchSize).map {
            Array(order[$0..<min($0 + spec.training.batchSize, order.count)])
        }
    }

    /// The mean token loss of a teacher-forced batch of `count` pairs, with its gradients accumulated into the
    /// parameters (whole, or in `batch_shards` shards), and the number of tokens whose argmax is the label.
    private func lossAndGradients(
        _ batch: (source: [Int], target: [Int], labels: [Int]), count: Int, _ rng: inout RandomGenerator
    ) -> (loss: Double, correct: Int) {
        let (model, length) = (task.model, task.train.length)
        let shards = min(spec.training.batchShards, count)
        if shards <= 1 {
            var context = ForwardContext(training: true, rng: rng)
            let logits = model(source: batch.source, target: batch.target, batch: count, &context)
                .reshaped([-1, model.configuration.vocabularySize])  // (B·T, V)
            rng = context.rng
            let loss = logits.crossEntropy(labels: batch.labels)
            let value = loss.item()
            if value.isFinite { loss.backward() } else { Tape.current.reset() }
            return (value, zip(logits.argmax(axis: 1), batch.labels).filter { $0 == $1 }.count)
        }
        var correct = [Int](repeating: 0, count: shards)
        let value = correct.withUnsafeMutableBufferPointer { correct in
            shardedBackward(batchSize: count, shards: shards, using: &rng) { s, examples, shardRNG in
                let tokens = (examples.lowerBound * length)..<(examples.upperBound * length)
                var context = ForwardContext(training: true, rng: shardRNG)
                defer { shardRNG = context.rng }
                let logits = model(
                    source: Array(batch.source[tokens]), target: Array(batch.target[tokens]), batch: examples.count,
                    &context
                ).reshaped([-1, model.configuration.vocabularySize])  // (B_s·T, V)
                let labels = Array(batch.labels[tokens])
                correct[s] = zip(logits.argmax(axis: 1), labels).filter { $0 == $1 }.count
                return logits.crossEntropy(labels: labels)
            }
        }
        return (value, correct.reduce(0, +))
    }

    /// The mean token loss and token accuracy of `pairs` with teacher forcing, in evaluation mode.
    func evaluate(_ pairs: SequencePairs) -> SplitMetrics {
        var context = ForwardContext.evaluation
        var (lossSum, correct) = (0.0, 0)
        noGrad {
            for indices in Self.chunks(pairs.count) {
                let batch = pairs.batch(indices)
                let logits = task.model(source: batch.source, target: batch.target, batch: indices.count, &context)
                    .reshaped([-1, task.model.configuration.vocabularySize])  // (B·T, V)
                lossSum += logits.crossEntropy(labels: batch.labels).item() * Double(batch.labels.count)
                correct += zip(logits.argmax(axis: 1), batch.labels).filter { $0 == $1 }.count
            }
        }
        let tokens = Double(pairs.count * pairs.length)
        return SplitMetrics(loss: lossSum / tokens, accuracy: Double(correct) / tokens)
    }

    /// The share of `pairs` whose greedy decoding equals the target in every token.
    func sequenceAccuracy(_ pairs: SequencePairs) -> Double {
        var right = 0
        for indices in Self.chunks(pairs.count) {
            let decoded = task.model.greedyDecode(
                pairs.batch(indices).source, batch: indices.count, start: pairs.startToken, length: pairs.length)
            right += zip(decoded, indices).filter { $0 == pairs.targets[$1] }.count
        }
        return Double(right) / Double(pairs.count)
    }

    /// Decodings (greedy, or sampled at `outputs.sample_temperature`) of the first test (else validation, else
    /// training) strings, one per line: `3 1 4 → 4 1 3 (target 4 1 3) ✓`.
    func samples() -> String {
        let pairs = task.test ?? task.validation ?? task.train
        let indices = Array(0..<min(Self.sampleCount, pairs.count))
        let decoded = task.decodeSamples(pairs, indices)
        func text(_ tokens: [Int]) -> String { tokens.map(String.init).joined(separator: " ") }
        return zip(indices, decoded).map { i, output in
            "\(text(pairs.sources[i])) → \(text(output)) (target \(text(pairs.targets[i])))"
                + (output == pairs.targets[i] ? " ✓" : " ✗")
        }.joined(separator: "\n")
    }

    /// Indices 0..<count in batches of 500, for evaluation.
    private static func chunks(_ count: Int) -> [[Int]] {
        stride(from: 0, to: count, by: 500).map { Array($0..<min($0 + 500, count)) }
    }
}
