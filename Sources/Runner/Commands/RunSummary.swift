import Autograd
import Foundation
import Models

/// `summary.json`: how the run ended, final metrics, sizes, times, and the resolved spec.
struct RunSummary {
    var fields: [(String, JSONValue)]
    var report: String

    /// The summary of `result`; `leastSquares` is the closed-form baseline, when the spec asks for it.
    init(experiment: Experiment, result: RunResult, outputs: [String], leastSquares: LeastSquaresBaseline? = nil) {
        let state = result.state
        /// JSON has no NaN or infinity: a diverged metric is written as null.
        func number(_ x: Double?) -> JSONValue { x.flatMap { $0.isFinite ? .number($0) : nil } ?? .null }
        var metrics: [String: JSONValue] = [:]
        for (split, m) in result.metrics {
            var fields = ["loss": number(m.loss), "accuracy": number(m.accuracy)]
            if let sequences = m.sequenceAccuracy { fields["sequence_accuracy"] = number(sequences) }
            metrics[split] = .object(fields)
        }
        let epochSeconds = state.secondsPerEpoch
        fields = [
            ("name", .string(experiment.spec.name)),
            ("status", .string(result.status.rawValue)),
            ("message", result.message.map { .string($0) } ?? .null),
            ("seed", .integer(Int(experiment.spec.seed))),
            ("data", .string(experiment.dataNote)),
            ("features", experiment.featureNames.map { .array($0.map { .string($0) }) } ?? .null),
            ("metrics", .object(metrics)),
            ("least_squares", leastSquares?.json ?? .null),
            ("best_epoch", state.bestEpoch.map { .integer($0) } ?? .null),
            ("best_validation_accuracy", number(state.bestValidationAccuracy)),
            ("steps", .integer(state.step)),
            ("epochs_completed", .integer(state.epoch)),
            ("parameter_count", .integer(experiment.model.parameterCount)),
            ("optimizer_state_bytes", .integer(experiment.optimizer.stateByteCount)),
            ("peak_tensor_bytes", .integer(MemoryStatistics.peakBytes)),
            ("peak_rss_bytes", .integer(peakResidentBytes())),
            ("blas", blasKernelsJSON()),
            ("seconds_per_epoch", .array(epochSeconds.map { .number($0) })),
            ("total_seconds", .number(state.elapsedBefore)),
            ("outputs", .array(outputs.map { .string($0) })),
            ("spec", experiment.spec.resolvedJSON),
        ]
        var lines = [
            "\(experiment.spec.name): \(result.status.rawValue) after \(state.step) steps "
                + String(format: "(%.1f s)", state.elapsedBefore)
        ]
        for split in ["train", "validation", "test"] + result.metrics.keys.sorted()
        where result.metrics[split] != nil && !lines.contains(where: { $0.hasPrefix("  \(split) ") }) {
            let m = result.metrics[split]!
            let accuracy = m.accuracy.map { String(format: "  accuracy %.4f", $0) } ?? ""
            let sequences = m.sequenceAccuracy.map { String(format: "  sequences right %.4f", $0) } ?? ""
            lines.append("  \(split) loss \(String(format: "%.4f", m.loss))\(accuracy)\(sequences)")
        }
        lines += leastSquares?.reportLines ?? []
        report = lines.joined(separator: "\n")
    }

    func write(to path: String) throws {
        var members: [String: JSONValue] = [:]
        for (key, value) in fields { members[key] = value }
        try (JSONValue.object(members).prettyJSON + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// The BLAS kernels the run's products used: OpenBLAS's core name, its and the CPU's instruction-set level, and
/// how it was chosen (`openblas`, `cpuid` with the core it replaced, or `OPENBLAS_CORETYPE`).
func blasKernelsJSON() -> JSONValue {
    var fields: [String: JSONValue] = [
        "core": .string(BLASKernels.core), "core_isa": BLASKernels.coreLevel.map { .string("\($0)") } ?? .null,
        "cpu_isa": .string("\(BLASKernels.cpuLevel)"),
    ]
    switch BLASKernels.choice {
    case .openBLAS: fields["chosen_by"] = "openblas"
    case .cpuFeatures(let replaced): (fields["chosen_by"], fields["replaced"]) = ("cpuid", .string(replaced))
    case .userSetting: fields["chosen_by"] = "OPENBLAS_CORETYPE"
    }
    return .object(fields)
}

/// The process's peak resident set size in bytes (`getrusage`).
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
