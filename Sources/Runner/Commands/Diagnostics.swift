import ArgumentParser
import Foundation
import Models

/// `runner summary SPEC`: the model's layers with output shapes, parameters, multiply-adds and receptive fields,
/// and the memory of one training step per batch size (parameters, gradients, optimizer state, activations);
/// with `--input-shape`, without loading the data.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per-layer shapes, parameters, multiply-adds and receptive fields, and the memory of a training step."
    )

    @Argument(help: "The spec file (JSON).") var spec: String
    @Option(name: .customLong("set"), help: "Override a key of the spec (repeatable).") var overrides: [String] = []
    @Option(help: "Batch sizes to measure a training step's memory for.") var batchSizes: [Int] = [1, 32, 128]
    @Option(
        help: ArgumentHelp(
            "One example's shape, e.g. 3,32,32 (images), 4 (table features), 64 (a transformer's context): random "
                + "examples of it stand in for the data, which is not loaded.", valueName: "shape"))
    var inputShape: String?
    @Option(help: "With --input-shape: the classes (a transformer: the vocabulary); default the dataset's, else 10.")
    var classes: Int?

    func validate() throws {
        if let inputShape, Self.shape(inputShape) == nil {
            throw ValidationError(
                "--input-shape: expected positive integers separated by commas, got \"\(inputShape)\"")
        }
        if classes != nil && inputShape == nil { throw ValidationError("--classes is given with --input-shape") }
        if let classes, classes < 2 { throw ValidationError("--classes: expected at least 2, got \(classes)") }
        if batchSizes.contains(where: { $0 < 1 }) { throw ValidationError("--batch-sizes: expected positive sizes") }
    }

    func run() throws {
        let spec = try SpecDocument.load(path: spec, overrides: overrides).spec
        let standIn = inputShape.flatMap(Self.shape).map { shape in
            StandInData(
                exampleShape: shape, classes: classes ?? spec.data.knownShape?.classCount ?? 10,
                count: batchSizes.max() ?? 1)
        }
        let experiment = try buildExperiment(spec, standIn: standIn)
        print("data: \(experiment.dataNote)")
        print(experiment.summary)
        print("parameters: \(experiment.model.parameterCount) (\(formatBytes(experiment.model.parameterBytes)))")
        print("memory of one training step (forward, backward, optimizer step):")
        let columns = ["batch size", "parameters", "gradients", "optimizer state", "activations", "peak", "total"]
        func line(_ cells: [String]) -> String {
            zip(cells, columns).map { text, column in
                String(repeating: " ", count: max(0, max(column.count, 9) - text.count)) + text
            }.joined(separator: "  ")
        }
        print(line(columns))
        for batchSize in batchSizes {
            let m = try StepMemory(experiment, batchSize: batchSize)
            print(
                line(
                    ["\(batchSize)"]
                        + [m.parameters, m.gradients, m.optimizerState, m.activations, m.peak, m.total].map(formatBytes)
                ))
        }
        print(
            "activations: kept by the forward pass for the backward one; peak: the most held above the parameters "
                + "during forward and backward (activations and gradients); total: parameters + optimizer state + peak")
    }

    /// "3,32,32" → [3, 32, 32]; nil unless every part is a positive integer.
    static func shape(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return parts.map { $0! }
    }
}

/// The memory of one training step of an experiment's model on a batch, measured: tensor bytes live in the
/// engine (`MemoryStatistics`) around a forward pass, its backward pass and an optimizer step.
struct StepMemory {
    /// The parameters' bytes.
    var parameters: Int
    /// The parameters' gradients after the backward pass.
    var gradients: Int
    /// What the optimizer keeps between steps (momentum, Adam's moments).
    var optimizerState: Int
    /// Kept by the forward pass for the backward one (the graph's saved tensors and the outputs).
    var activations: Int
    /// The most held at once above the parameters during the forward and backward passes.
    var peak: Int

    var total: Int { parameters + optimizerState + peak }

    init(_ experiment: Experiment, batchSize: Int) throws {
        let step = try DiagnosticBatch(experiment, batchSize: batchSize)
        let before = MemoryStatistics.liveBytes
        MemoryStatistics.resetPeak()
        let loss = step.loss()
        activations = MemoryStatistics.liveBytes - before
        loss.backward()
        peak = MemoryStatistics.peakBytes - before
        gradients = experiment.optimizer.parameters.reduce(0) {
            $0 + ($1.grad.map { $0.count * $0.dtype.byteCount } ?? 0)
        }
        experiment.optimizer.step()
        optimizerState = experiment.optimizer.stateByteCount
        experiment.optimizer.zeroGrad()
        parameters = experiment.model.parameterBytes
    }
}

extension Module {
    /// The bytes of the parameters.
    var parameterBytes: Int { parameters.reduce(0) { $0 + $1.count * $1.dtype.byteCount } }
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
