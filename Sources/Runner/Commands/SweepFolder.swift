import Foundation
import Models

// A sweep folder: `sweep-spec.json`, one `trial-K` folder per trial that started (its `trial-spec.json` and the
// run's own files), and the sweep's results (`sweep.csv`, plots, `report.html`).

/// The file in a sweep's folder that holds its spec document (with any `--set` applied): what
/// `runner --resume SWEEP_FOLDER` draws the trials from again.
let sweepSpecFile = "sweep-spec.json"

/// The folder of `trial` in the sweep folder `folder`: `folder/trial-K`.
func trialFolder(_ trial: SweepTrial, in folder: String) -> String {
    (folder as NSString).appendingPathComponent("trial-\(trial.index)")
}

/// Creates the folder of `trial` in the sweep folder `folder` and writes the trial's document there as
/// `trial-spec.json` (what its process reads, and what a resumed sweep checks the trial against); returns the
/// folder.
@discardableResult
func prepareTrialFolder(_ trial: SweepTrial, in folder: String) throws -> String {
    let directory = trialFolder(trial, in: folder)
    try createOutputFolder(directory)
    let path = (directory as NSString).appendingPathComponent("trial-spec.json")
    try (trial.json.prettyJSON + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return directory
}

/// The trials of `trials` a resumed sweep still has to run, each as its folder in `folder` says: a trial whose
/// `summary.json` says it completed, stopped early or diverged is kept (left out); one with a checkpoint resumes from
/// it (`resuming`); one without a folder or a checkpoint starts. Throws when a trial folder's `trial-spec.json` is not
/// the trial the sweep draws now (the sweep's spec or a `--set` changed it): resuming would mix two sweeps.
func trialsLeft(_ trials: [SweepTrial], folder: String) throws -> [SweepTrial] {
    var left: [SweepTrial] = []
    for var trial in trials {
        let path = trialFolder(trial, in: folder)
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
        guard FileManager.default.fileExists(atPath: path) else {
            left.append(trial)
            continue
        }
        if let saved = try? String(contentsOfFile: file("trial-spec.json"), encoding: .utf8),
            saved != trial.json.prettyJSON + "\n"
        {
            throw RunnerFailure(
                message: "\(file("trial-spec.json")) is not trial \(trial.index) as the sweep draws it now "
                    + "(\(trial.label)); the sweep's spec changed, cannot resume")
        }
        let status = FinishedRun(folder: path).status.flatMap(RunStatus.init(rawValue:))
        if let status, status.isFinal || status == .diverged {
            print("  trial \(trial.index) kept: \(status.rawValue)")
            continue
        }
        trial.resuming = FileManager.default.fileExists(atPath: FileCheckpointStore.path(in: path))
        left.append(trial)
    }
    return left
}
