import Foundation
import Models
import Testing

@testable import Runner

// A sweep stopped by Ctrl-C writes what it has, and `runner --resume SWEEP_FOLDER` ends it as if never stopped.

private let blobsSpec = """
    {
      "name": "blobs",
      "seed": 3,
      "data": {"dataset": "blobs", "classes": 3, "points": 120, "train": 80, "validation": 20, "test": 20},
      "model": {"type": "mlp", "hidden": [8], "dropout": 0.2},
      "optimizer": {"type": "adam", "lr": 0.05},
      "training": {"steps": 30, "batch_size": 8, "log_every": 5, "evaluate_every": 10, "checkpoint_every": 10},
      "outputs": {"plots": false}
    }
    """

private let gridSweep = #"sweep={"grid": {"optimizer.lr": [0.01, 0.05, 0.1]}}"#
private let refinedSweep = #"""
    sweep={"random": {"optimizer.lr": {"min": 0.001, "max": 0.1, "log": true}}, "trials": 2, "seed": 1,
     "refine": {"rounds": 2, "shrink": 0.5}}
    """#

/// The trials handed to one `runTrials` call of `runSweep`, with how each was to be run.
private struct Batch: Equatable {
    var indices: [Int]
    var resuming: [Bool]
}

/// A `SweepTrialRunner` that trains the trials in this process, one after another, and starts none once a stop is
/// requested (as `runTrialProcesses` does); with `stopAtStep`, a stop is requested when the first trial has
/// finished, so the second stops at that step with a checkpoint. Each call is recorded in `batches`.
private final class InProcessTrials {
    var batches: [Batch] = []
    var stopAtStep: Int?

    func run(_ trials: [SweepTrial], folder: String, parallel: Int) throws -> [String] {
        batches.append(Batch(indices: trials.map(\.index), resuming: trials.map(\.resuming)))
        for trial in trials {
            if Interruption.requested { break }
            let directory = try prepareTrialFolder(trial, in: folder)
            try trainRun(trial.spec, folder: directory, resuming: trial.resuming, quiet: true)
            if let step = stopAtStep {
                Interruption.request(afterChecks: 1 + step)  // the look above, then one a step
                stopAtStep = nil
            }
        }
        return []
    }
}

private func temporaryFolder() -> String {
    NSTemporaryDirectory() + "tapegrad-sweep-\(UUID().uuidString)"
}

/// The rows of `folder/sweep.csv` without the wall-clock column `total_seconds` (with one swept key, so that no
/// quoted label holds a comma).
private func sweepRows(_ folder: String) throws -> [[String]] {
    let rows = try String(contentsOfFile: folder + "/sweep.csv", encoding: .utf8).split(separator: "\n")
        .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let seconds = try #require(rows.first?.firstIndex(of: "total_seconds"))
    return rows.map { row in row.enumerated().filter { $0.offset != seconds }.map(\.element) }
}

extension InterruptibleTraining {
    @Suite
    struct SweepResumeTests {
        @Test(arguments: [gridSweep, refinedSweep])
        func aSweepInterruptedAfterItsFirstTrialResumesToTheUninterruptedResult(sweep: String) throws {
            Interruption.reset()
            defer { Interruption.reset() }
            let (whole, parts) = (temporaryFolder(), temporaryFolder())
            defer { for f in [whole, parts] { try? FileManager.default.removeItem(atPath: f) } }
            let document = try SpecDocument(text: blobsSpec, source: "test", overrides: [sweep])
            let trialCount = try #require(document.spec.sweep?.trialCount)
            #expect(try runSweep(document, folder: whole, quiet: true, runTrials: InProcessTrials().run) == .completed)

            // Stopped in trial 1 at step 15: sweep.csv holds trial 0 (completed) and trial 1 (interrupted).
            let first = InProcessTrials()
            first.stopAtStep = 15
            #expect(try runSweep(document, folder: parts, quiet: true, runTrials: first.run) == .interrupted)
            let roundOne = try document.trials().count
            let fresh = Array(repeating: false, count: roundOne)
            #expect(first.batches == [Batch(indices: Array(0..<roundOne), resuming: fresh)])
            let partial = try sweepRows(parts)
            #expect(partial.count == 3)
            let outcomes = partial.dropFirst().map { [$0[0], $0[3], $0[4]] }
            #expect(outcomes == [["0", "completed", "30"], ["1", "interrupted", "15"]])
            #expect(!FileManager.default.fileExists(atPath: parts + "/trial-2"))

            // Resumed from the folder alone: trial 0 kept, trial 1 resumed, the rest run.
            Interruption.reset()
            let saved = try SpecDocument.load(path: parts + "/" + sweepSpecFile)
            let rest = InProcessTrials()
            #expect(try runSweep(saved, folder: parts, quiet: true, resuming: true, runTrials: rest.run) == .completed)
            #expect(rest.batches.first == Batch(
                indices: Array(1..<roundOne), resuming: [true] + Array(repeating: false, count: roundOne - 2)))
            #expect(rest.batches.flatMap(\.indices) == Array(1..<trialCount))
            #expect(try sweepRows(parts) == sweepRows(whole))
        }

        @Test func resumingASweepWhoseTrialsChangedIsRefused() throws {
            Interruption.reset()
            defer { Interruption.reset() }
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let document = try SpecDocument(text: blobsSpec, source: "test", overrides: [gridSweep])
            let trials = InProcessTrials()
            trials.stopAtStep = 15
            #expect(try runSweep(document, folder: folder, quiet: true, runTrials: trials.run) == .interrupted)
            Interruption.reset()
            let changed = try SpecDocument.load(path: folder + "/" + sweepSpecFile, overrides: ["model.hidden=[4]"])
            let error = #expect(throws: RunnerFailure.self) {
                try runSweep(changed, folder: folder, quiet: true, resuming: true, runTrials: InProcessTrials().run)
            }
            #expect(
                error?.message
                    == "\(folder)/trial-0/trial-spec.json is not trial 0 as the sweep draws it now "
                    + "(optimizer.lr=0.01); the sweep's spec changed, cannot resume")
        }

        @Test func resumingAFolderThatIsNeitherARunNorASweepSaysSo() throws {
            let folder = temporaryFolder()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let error = #expect(throws: RunnerFailure.self) { try Run.parse(["--resume", folder]).run() }
            let expected = "\(folder): not a run folder (no spec.json) nor a sweep folder (no sweep-spec.json); "
            #expect(error?.message == expected + "cannot resume")
        }
    }
}
