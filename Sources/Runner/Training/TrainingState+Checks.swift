import Foundation
import Models

/// A field of a saved training state and what is wrong with it, for `RunError.invalidTrainingState`.
struct TrainingStateProblem: Equatable {
    /// The field's path in the state's JSON (`step`, `rng.words`); empty for the state as a whole.
    var field: String
    var reason: String
}

extension TrainingState {
    /// The first problem of a saved state on its own and against `spec`, found before any data is loaded: counts
    /// that cannot be negative, numbers that must be finite, one recorded time per finished epoch, a best epoch
    /// among those, and a position within the spec's step or epoch budget. Nil when there is none.
    func problem(spec: ExperimentSpec) -> TrainingStateProblem? {
        func problem(_ field: String, _ reason: String) -> TrainingStateProblem { .init(field: field, reason: reason) }
        let counts = [
            ("step", step), ("epoch", epoch), ("batchInEpoch", batchInEpoch), ("runningCount", runningCount),
            ("evaluationsWithoutImprovement", evaluationsWithoutImprovement), ("curveRows", curveRows ?? 0),
        ]
        for (field, value) in counts where value < 0 { return problem(field, "is \(value), expected 0 or more") }
        for (field, value) in [("elapsedBefore", elapsedBefore), ("runningCorrect", runningCorrect)]
        where !(value.isFinite && value >= 0) {
            return problem(field, "is \(value), expected a finite number ≥ 0")
        }
        if !runningLoss.isFinite { return problem("runningLoss", "is \(runningLoss), expected a finite number") }
        if runningCorrect > Double(runningCount) {
            return problem("runningCorrect", "is \(runningCorrect), more than runningCount \(runningCount)")
        }
        if secondsPerEpoch.count != epoch {
            return problem("secondsPerEpoch", "holds \(secondsPerEpoch.count) times for \(epoch) finished epochs")
        }
        if let seconds = secondsPerEpoch.first(where: { !($0.isFinite && $0 >= 0) }) {
            return problem("secondsPerEpoch", "holds \(seconds), expected finite numbers ≥ 0")
        }
        if (bestEpoch == nil) != (bestValidationAccuracy == nil) {
            return problem("bestEpoch", "and bestValidationAccuracy must be both present or both missing")
        }
        if let bestEpoch, !(0...epoch).contains(bestEpoch) {
            return problem("bestEpoch", "is \(bestEpoch), expected 0 to \(epoch) (the epochs finished)")
        }
        if let accuracy = bestValidationAccuracy, !(0...1).contains(accuracy) {
            return problem("bestValidationAccuracy", "is \(accuracy), expected 0 to 1")
        }
        if let finished, !finished.isFinal {
            return problem("finished", "is \"\(finished.rawValue)\", expected \"completed\" or \"early_stopped\"")
        }
        if spec.model.type == .transformer {
            if epoch != 0 || batchInEpoch != 0 {
                return problem("epoch", "is \(epoch) with batchInEpoch \(batchInEpoch); a language model counts steps")
            }
            let steps = spec.training.steps ?? LanguageModelRun.defaultSteps
            if step > steps { return problem("step", "is \(step), past the spec's \(steps) steps (training.steps)") }
        } else if let steps = spec.training.steps {
            if step > steps { return problem("step", "is \(step), past the spec's \(steps) steps (training.steps)") }
        } else if epoch > spec.training.epochs ?? 1 {
            let epochs = spec.training.epochs ?? 1
            return problem("epoch", "is \(epoch), past the spec's \(epochs) epochs (training.epochs)")
        }
        return nil
    }

    /// The problem of a saved state against the built experiment, if any: its step must be the steps of the
    /// finished epochs plus the batches of the current one, `stepsPerEpoch` batches at most (a language model,
    /// which draws random blocks, counts steps alone).
    func problem(stepsPerEpoch: Int, countsEpochs: Bool) -> TrainingStateProblem? {
        guard countsEpochs else { return nil }
        if batchInEpoch > stepsPerEpoch {
            return .init(field: "batchInEpoch", reason: "is \(batchInEpoch), more than an epoch's \(stepsPerEpoch)")
        }
        let expected = Int.exactProduct(epoch, stepsPerEpoch).map { $0.addingReportingOverflow(batchInEpoch) }
        guard let expected, !expected.overflow, expected.partialValue == step else {
            return .init(
                field: "step",
                reason: "is \(step), but \(epoch) epochs of \(stepsPerEpoch) steps and \(batchInEpoch) batches of "
                    + "the next make \(expected.map { "\($0.partialValue)" } ?? "more than an integer holds")")
        }
        return nil
    }
}

/// The field a decoding error is about (its coding path, as `rng.words[2]`) and what is wrong with it, in words.
func decodingProblem(_ error: DecodingError) -> TrainingStateProblem {
    func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { text, key in
            if let index = key.intValue { return text + "[\(index)]" }
            return text.isEmpty ? key.stringValue : text + "." + key.stringValue
        }
    }
    func kind(_ type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is String.Type: "a string"
        case is [Any].Type: "an array"
        default: "a \(type)"
        }
    }
    switch error {
    case .keyNotFound(let key, let context):
        return .init(field: path(context.codingPath + [key]), reason: "is missing")
    case .typeMismatch(let type, let context):
        return .init(field: path(context.codingPath), reason: "is not \(kind(type))")
    case .valueNotFound(let type, let context):
        return .init(field: path(context.codingPath), reason: "is null, expected \(kind(type))")
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
        return .init(field: "", reason: "is not valid JSON")
    case .dataCorrupted(let context):
        return .init(field: path(context.codingPath), reason: context.debugDescription)
    @unknown default:
        return .init(field: "", reason: "cannot be read (\(error))")
    }
}
