import Foundation
import Models

/// A run folder's checkpoint as a resume reads it: the file, its checksum verified, and its training state,
/// decoded and checked against the spec — all before the data is loaded or anything in the folder is written, so
/// that a refused resume leaves the folder as it was.
struct SavedCheckpoint {
    let path: String
    let contents: SafetensorsFile
    let state: TrainingState
    /// False for a checkpoint written before checkpoints carried a checksum: it loads unchecked.
    let hasChecksum: Bool

    /// Reads the checkpoint of the run folder `folder` and checks its state against `spec`
    /// (`TrainingState.problem(spec:)`). Throws `RunError.missingCheckpoint` when there is none, a
    /// `CheckpointError` naming the file when it cannot be read or fails its checksum, and
    /// `RunError.invalidTrainingState` naming the file and the field when the state is not valid.
    init(folder: String, spec: ExperimentSpec) throws {
        path = FileCheckpointStore.path(in: folder)
        guard FileManager.default.fileExists(atPath: path) else { throw RunError.missingCheckpoint(path: path) }
        contents = try SafetensorsFile(contentsOf: path)
        hasChecksum = try Checkpoint.verifyChecksum(contents, path: path)
        guard let json = contents.metadata[FileCheckpointStore.stateKey] else {
            throw RunError.missingCheckpoint(path: path + " (it holds no training state)")
        }
        do {
            state = try JSONDecoder().decode(TrainingState.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw RunError.invalidTrainingState(path: path, decodingProblem(error))
        }
        if let problem = state.problem(spec: spec) { throw RunError.invalidTrainingState(path: path, problem) }
    }

    /// Checks the state against the built `experiment` (`TrainingState.problem(stepsPerEpoch:countsEpochs:)`)
    /// and restores the model and optimizer from the file; throws, naming the file, when either does not fit.
    func restore(into experiment: Experiment) throws {
        var countsEpochs = true
        if case .languageModel = experiment.task { countsEpochs = false }
        if let problem = state.problem(stepsPerEpoch: experiment.stepsPerEpoch, countsEpochs: countsEpochs) {
            throw RunError.invalidTrainingState(path: path, problem)
        }
        try Checkpoint.restore(contents, path: path, into: experiment.model, optimizer: experiment.optimizer)
    }

    /// How the run in `folder` ended when it has nothing left to train and its results are written: the state
    /// says it completed or stopped early, and `summary.json` reports that status at the same step. Nil when
    /// training remains, or when the run was stopped between its last checkpoint and its summary (the resume
    /// then writes the results without training). A checkpoint from before states recorded how the run ended
    /// counts as finished when its summary says so at its step.
    func finishedStatus(folder: String) -> RunStatus? {
        let path = (folder as NSString).appendingPathComponent("summary.json")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let summary = (try? JSONParser.parse(text))?.objectValue,
            case .string(let name)? = summary["status"], let status = RunStatus(rawValue: name), status.isFinal,
            summary["steps"]?.intValue == state.step
        else { return nil }
        let recordsEnd = state.curveRows != nil
        return state.finished == status || (!recordsEnd && state.finished == nil) ? status : nil
    }
}
