import Foundation
import Models

/// Checkpoints of a run in its output folder: `checkpoint.safetensors` (model, buffers, optimizer state and the
/// training state as JSON metadata, with the file's checksum) — the last good one, replaced atomically.
struct FileCheckpointStore: CheckpointStore {
    let path: String
    let model: any Module
    let optimizer: any Optimizer
    /// The run's curves, whose row count is saved with each state (`TrainingState.curveRows`).
    let curves: CurvesWriter?

    init(directory: String, model: any Module, optimizer: any Optimizer, curves: CurvesWriter? = nil) {
        path = Self.path(in: directory)
        self.model = model
        self.optimizer = optimizer
        self.curves = curves
    }

    /// The checkpoint file of the run folder `directory`.
    static func path(in directory: String) -> String {
        (directory as NSString).appendingPathComponent("checkpoint.safetensors")
    }

    /// The metadata key of the training state (JSON).
    static let stateKey = "training_state"

    func save(_ state: TrainingState) throws {
        var state = state
        if let curves { state.curveRows = curves.points.count }
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try Checkpoint.save(model: model, optimizer: optimizer, metadata: [Self.stateKey: json], to: path)
    }
}

/// Keeps the weights of the best validation accuracy for early stopping.
protocol BestWeights {
    func remember(_ model: any Module) throws
    /// Writes the remembered weights into `model`; false when nothing was remembered.
    func restore(into model: any Module) throws -> Bool
}

/// Best weights in memory (runs without an output folder, tests).
final class BestWeightsInMemory: BestWeights {
    private var snapshot: WeightSnapshot?

    func remember(_ model: any Module) { snapshot = WeightSnapshot(model) }

    func restore(into model: any Module) -> Bool {
        guard let snapshot else { return false }
        snapshot.restore(into: model)
        return true
    }
}

/// Best weights in `best.safetensors`, so that they survive an interruption and a resume.
struct BestWeightsFile: BestWeights {
    let path: String

    init(directory: String) { path = (directory as NSString).appendingPathComponent("best.safetensors") }

    func remember(_ model: any Module) throws { try Checkpoint.save(model: model, to: path) }

    func restore(into model: any Module) throws -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        try Checkpoint.load(from: path, into: model)
        return true
    }
}
