import Foundation
import Models

/// Where a run is and what it has seen, carried from step to step and saved in checkpoints so that a resumed
/// run continues exactly where it stopped.
struct TrainingState: Codable, Equatable {
    /// Optimizer steps done.
    var step = 0
    /// The current epoch, from 0.
    var epoch = 0
    /// Batches of the current epoch already trained on.
    var batchInEpoch = 0
    /// The random stream of dropout (and of text batches for language models).
    var rng: RandomGenerator
    /// The best validation accuracy so far and the epoch count (completed epochs, as in the curves' `epoch`
    /// column) when it was reached (early stopping).
    var bestValidationAccuracy: Double?
    var bestEpoch: Int?
    /// Evaluations since the best one.
    var evaluationsWithoutImprovement = 0
    /// Wall-clock seconds of each finished epoch.
    var secondsPerEpoch: [Double] = []
    /// Training seconds before this process (for resumed runs).
    var elapsedBefore = 0.0
    /// The running training loss and accuracy since the last log line.
    var runningLoss = 0.0
    var runningCorrect = 0.0
    var runningCount = 0
    /// The rows `curves.csv` held when this state was saved: a resumed run keeps exactly those, so that rows
    /// written after the checkpoint (a stopped run's final evaluations, an epoch's end before a kill) are not
    /// kept twice. Nil in checkpoints written before it was saved (their resumed runs keep rows by step).
    var curveRows: Int?
    /// How the run ended, once it completed or stopped early; nil while it has training left (interrupted).
    var finished: RunStatus?

    init(seed: UInt64) {
        rng = RandomGenerator(seed: seed &+ 1)
    }
}

extension TrainingState {
    /// Closes the epoch that began at `start`: records its seconds, counts it and starts the next one at its
    /// first batch; `start` restarts for the next epoch.
    mutating func finishEpoch(startedAt start: inout Date) {
        secondsPerEpoch.append(Date().timeIntervalSince(start))
        start = Date()
        epoch += 1
        batchInEpoch = 0
    }
}

/// How a run ended.
enum RunStatus: String, Codable {
    case completed
    case earlyStopped = "early_stopped"
    case interrupted
    /// The loss became NaN or infinite.
    case diverged

    /// Whether a run that ended so has nothing left to train: it completed or stopped early.
    var isFinal: Bool { self == .completed || self == .earlyStopped }
}

/// Saves everything a resumed run needs (model, optimizer, training state); see `SavedCheckpoint` for reading.
protocol CheckpointStore {
    func save(_ state: TrainingState) throws
}

/// A copy of a model's parameters and buffers by name, to restore the best weights after early stopping.
struct WeightSnapshot {
    private let values: [String: Tensor]

    init(_ model: any Module) {
        values = Dictionary(
            uniqueKeysWithValues: (model.namedParameters + model.namedBuffers).map {
                ($0.name, $0.tensor.copied())
            })
    }

    /// Writes the saved values into the model's current tensors (batch-norm statistics are replaced by every
    /// update, so they are looked up by name now, not remembered).
    func restore(into model: any Module) {
        noGrad {
            for (name, tensor) in model.namedParameters + model.namedBuffers {
                if let saved = values[name] { tensor.assign(saved) }
            }
        }
    }
}
