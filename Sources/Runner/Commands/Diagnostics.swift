import ArgumentParser
import Foundation
import Models

/// `runner summary SPEC`: the model's layers with output shapes and parameters, the optimizer's state, and the
/// activation memory of one training step per batch size.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per-layer shapes and parameters, optimizer state and activation memory of a spec's model.")

    @Argument(help: "The spec file (JSON).") var spec: String
    @Option(name: .customLong("set"), help: "Override a key of the spec (repeatable).") var overrides: [String] = []
    @Option(help: "Batch sizes to measure activation memory for.") var batchSizes: [Int] = [1, 32, 128]

    func run() throws {
        let experiment = try buildExperiment(try SpecDocument.load(path: spec, overrides: overrides).spec)
        print("data: \(experiment.dataNote)")
        print(experiment.summary)
        print("parameters: \(experiment.model.parameterCount) (\(formatBytes(experiment.model.parameterCount * 4)))")
        print("batch size  activation memory (forward, graph kept)  peak during backward  optimizer state")
        for batchSize in batchSizes {
            let step = try DiagnosticBatch(experiment, batchSize: batchSize)
            let before = MemoryStatistics.liveBytes
            MemoryStatistics.resetPeak()
            let loss = step.loss()
            let activations = MemoryStatistics.liveBytes - before
            loss.backward()
            let peak = MemoryStatistics.peakBytes - before
            experiment.optimizer.step()
            experiment.optimizer.zeroGrad()
            print(
                String(
                    format: "%10d  %40@  %20@  %@", batchSize, formatBytes(activations) as NSString,
                    formatBytes(peak) as NSString, formatBytes(experiment.optimizer.stateByteCount) as NSString))
        }
    }
}

/// `runner gradcheck SPEC`: finite differences against the tape's gradients for sampled entries of every
/// parameter of the spec's model (built in float64) on one batch, like a course's `--check_gradient`;
/// then the magnitude check: the gradient norm of a mean loss should not grow with the batch size.
struct GradCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck", abstract: "Finite-difference check of a spec's model on one batch (float64).")

    @Argument(help: "The spec file (JSON).") var spec: String
    @Option(name: .customLong("set"), help: "Override a key of the spec (repeatable).") var overrides: [String] = []
    @Option(help: "Entries checked per parameter tensor.") var samples = 5
    @Option(help: "Examples in the checked batch.") var batchSize = 4
    @Option(help: "The small and the large batch of the magnitude check.") var magnitudeBatches: [Int] = [2, 64]

    func run() throws {
        let spec = try SpecDocument.load(path: spec, overrides: overrides).spec
        let experiment = try buildExperiment(spec, dtype: .float64)
        let batch = try DiagnosticBatch(experiment, batchSize: batchSize)
        let names = experiment.model.namedParameters
        let result = checkGradients(parameters: names.map(\.tensor), samples: samples, seed: UInt64(spec.seed)) {
            batch.loss()
        }
        print("finite differences (ε = 1e-6, atol 1e-5, rtol 1e-3), \(samples) entries per tensor, batch \(batchSize):")
        print(result)
        if !result.passed, result.worstInput >= 0 {
            print("worst entry: \(names[result.worstInput].name)[\(result.worstIndex)]")
        }
        var norms: [Double] = []
        for size in magnitudeBatches {
            let loss = try DiagnosticBatch(experiment, batchSize: size).loss()
            experiment.optimizer.zeroGrad()
            loss.backward()
            let norm = names.reduce(0.0) { sum, p in sum + (p.tensor.grad?.scalars.reduce(0) { $0 + $1 * $1 } ?? 0) }
                .squareRoot()
            norms.append(norm)
            print(String(format: "gradient norm, batch %4d: %.6g", size, norm))
        }
        if norms.count == 2, norms[0] > 0 {
            let ratio = norms[1] / norms[0]
            let ok = ratio < 10 && ratio > 0.1
            print(
                String(
                    format: "ratio large/small %.3f — %@", ratio,
                    ok ? "the loss is a mean (as expected)" : "grows with the batch: is the loss a sum?"))
        }
        if !result.passed { throw ExitCode(1) }
    }
}

/// One fixed batch of a spec's task and its loss in training mode with a fixed dropout seed (deterministic).
struct DiagnosticBatch {
    let loss: () -> Tensor

    init(_ experiment: Experiment, batchSize: Int) throws {
        switch experiment.task {
        case .classification(let task):
            let count = min(batchSize, task.train.labels.count)
            let batch = task.train.subset(0..<count)
            loss = {
                var context = ForwardContext(training: true, rng: RandomGenerator(seed: 7))
                return task.loss(task.logits(batch.inputs, &context), batch.labels)
            }
        case .languageModel(let task):
            var rng = RandomGenerator(seed: 7)
            let blocks = sampleBlocks(from: task.train, batchSize: batchSize, blockSize: task.blockSize, using: &rng)
            loss = {
                var context = ForwardContext(training: true, rng: RandomGenerator(seed: 7))
                return task.model.loss(blocks.inputs, targets: blocks.targets, batch: batchSize, &context)
            }
        case .sequenceToSequence(let task):
            let count = min(batchSize, task.train.count)
            let batch = task.train.batch(Array(0..<count))
            loss = {
                var context = ForwardContext(training: true, rng: RandomGenerator(seed: 7))
                return task.model.loss(
                    source: batch.source, target: batch.target, labels: batch.labels, batch: count, &context)
            }
        }
    }
}

/// "12.3 MB", "4.0 KB", "512 B".
func formatBytes(_ bytes: Int) -> String {
    let b = Double(bytes)
    if bytes >= 1 << 30 { return String(format: "%.2f GB", b / 1_073_741_824) }
    if bytes >= 1 << 20 { return String(format: "%.1f MB", b / 1_048_576) }
    if bytes >= 1 << 10 { return String(format: "%.1f KB", b / 1024) }
    return "\(bytes) B"
}
