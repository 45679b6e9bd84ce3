import Foundation
import Models
import Testing

@testable import Runner

// Resuming a run folder: stopped at any step or killed between checkpoints, a resumed run ends with the outputs of
// an uninterrupted one; finished runs are not trained again; corrupt checkpoints are refused and change nothing.

/// Blobs with dropout, 10 steps an epoch and evaluations at each epoch's end, a checkpoint every 10 steps.
private let blobsSpec = """
    {
      "name": "blobs",
      "seed": 5,
      "data": {"dataset": "blobs", "classes": 3, "points": 120, "train": 80, "validation": 20, "test": 20},
      "model": {"type": "mlp", "hidden": [8], "dropout": 0.2},
      "optimizer": {"type": "adam", "lr": 0.05},
      "training": {"steps": 30, "batch_size": 8, "log_every": 5, "checkpoint_every": 10},
      "outputs": {"plots": false}
    }
    """

private func spec(_ overrides: [String] = []) throws -> ExperimentSpec {
    try SpecDocument(text: blobsSpec, source: "test", overrides: overrides).spec
}

/// What a resumed run must reproduce: the final weights' bytes, `curves.csv` without its wall-clock column, and
/// `summary.json`'s status, steps and metrics.
private struct RunOutputs: Equatable {
    var weights: Data
    var curves: [String]
    var summary: [JSONValue?]

    init(_ folder: String) throws {
        weights = try Data(contentsOf: URL(fileURLWithPath: folder + "/weights.safetensors"))
        curves = try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",")
        }
        let summary = try JSONParser.parse(try String(contentsOfFile: folder + "/summary.json", encoding: .utf8))
        self.summary = ["status", "steps", "metrics", "best_epoch"].map { summary.objectValue?[$0] }
    }
}

private func withFolders(_ count: Int, _ body: ([String]) throws -> Void) throws {
    let folders = (0..<count).map { _ in NSTemporaryDirectory() + "tapegrad-resume-\(UUID().uuidString)" }
    defer { for folder in folders { try? FileManager.default.removeItem(atPath: folder) } }
    try body(folders)
}

/// Trains `spec` into `folder`, stopped as by Ctrl-C after `steps` more steps.
private func trainStopping(after steps: Int, _ spec: ExperimentSpec, _ folder: String, resuming: Bool) throws {
    Interruption.request(afterChecks: steps)
    defer { Interruption.reset() }
    #expect(try trainRun(spec, folder: folder, resuming: resuming, quiet: true) == .interrupted)
}

/// The bytes of every file in `folder`, by name.
private func files(_ folder: String) throws -> [String: Data] {
    var contents: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
        contents[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }
    return contents
}

extension InterruptibleTraining {
    @Suite
    struct ResumeTests {
        @Test(arguments: [1, 9, 10, 11, 20, 29, 30])
        func aRunStoppedAtAnyStepAndResumedEqualsAnUninterruptedOne(step: Int) throws {
            try withFolders(2) { folders in
                let spec = try spec()
                #expect(try trainRun(spec, folder: folders[0], resuming: false, quiet: true) == .completed)
                try trainStopping(after: step, spec, folders[1], resuming: false)
                #expect(try trainRun(spec, folder: folders[1], resuming: true, quiet: true) == .completed)
                #expect(try RunOutputs(folders[0]) == RunOutputs(folders[1]))
            }
        }

        /// A kill after step `killed` whose last checkpoint is that of step `saved`: the folder holds the rows and
        /// files written since (and a write's temporary file), the checkpoint is the older one.
        @Test(arguments: [(3, 8), (10, 13), (10, 20), (20, 30), (5, 17)])
        func aRunKilledBetweenCheckpointsAndResumedEqualsAnUninterruptedOne(saved: Int, killed: Int) throws {
            try withFolders(2) { folders in
                let (spec, folder) = (try spec(), folders[1])
                #expect(try trainRun(spec, folder: folders[0], resuming: false, quiet: true) == .completed)
                try trainStopping(after: saved, spec, folder, resuming: false)
                let checkpoint = try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoint.safetensors"))
                try trainStopping(after: killed - saved, spec, folder, resuming: true)
                try checkpoint.write(to: URL(fileURLWithPath: folder + "/checkpoint.safetensors"))
                let leftover = folder + "/.checkpoint.safetensors.tmp-2147483646-12345"
                try Data([1, 2, 3]).write(to: URL(fileURLWithPath: leftover))

                #expect(try trainRun(spec, folder: folder, resuming: true, quiet: true) == .completed)
                #expect(try RunOutputs(folders[0]) == RunOutputs(folder))
                #expect(!FileManager.default.fileExists(atPath: leftover))
            }
        }

        @Test func aRunStoppedTwiceAndResumedTwiceEqualsAnUninterruptedOne() throws {
            try withFolders(2) { folders in
                let spec = try spec(["training.evaluate_every=4", "training.early_stopping_patience=20"])
                #expect(try trainRun(spec, folder: folders[0], resuming: false, quiet: true) == .completed)
                try trainStopping(after: 7, spec, folders[1], resuming: false)
                try trainStopping(after: 12, spec, folders[1], resuming: true)
                #expect(try trainRun(spec, folder: folders[1], resuming: true, quiet: true) == .completed)
                #expect(try RunOutputs(folders[0]) == RunOutputs(folders[1]))
            }
        }

        @Test func aFinishedRunIsReportedAndNotTrainedAgain() throws {
            try withFolders(1) { folders in
                let spec = try spec()
                #expect(try trainRun(spec, folder: folders[0], resuming: false, quiet: true) == .completed)
                let before = try files(folders[0])
                #expect(try trainRun(spec, folder: folders[0], resuming: true, quiet: true) == .completed)
                #expect(try files(folders[0]) == before)
            }
        }

        @Test func anEarlyStoppedRunIsReportedAndNotTrainedOn() throws {
            try withFolders(1) { folders in
                // Validation accuracy reaches its best early on these blobs; one evaluation without a gain stops.
                let spec = try spec([
                    "training.steps=300", "training.evaluate_every=2", "training.early_stopping_patience=1",
                ])
                #expect(try trainRun(spec, folder: folders[0], resuming: false, quiet: true) == .earlyStopped)
                let before = try files(folders[0])
                #expect(try trainRun(spec, folder: folders[0], resuming: true, quiet: true) == .earlyStopped)
                #expect(try files(folders[0]) == before)
            }
        }

        /// A kill after the final checkpoint but before `summary.json`: the resume writes the results, untrained.
        @Test func aRunKilledBeforeItsSummaryWritesItsResultsWhenResumed() throws {
            try withFolders(2) { folders in
                let spec = try spec(["training.evaluate_every=2", "training.early_stopping_patience=1"])
                let status = try trainRun(spec, folder: folders[0], resuming: false, quiet: true)
                try trainRun(spec, folder: folders[1], resuming: false, quiet: true)
                try FileManager.default.removeItem(atPath: folders[1] + "/summary.json")
                try FileManager.default.removeItem(atPath: folders[1] + "/weights.safetensors")
                #expect(try trainRun(spec, folder: folders[1], resuming: true, quiet: true) == status)
                #expect(try RunOutputs(folders[0]) == RunOutputs(folders[1]))
            }
        }

        @Test func aCheckpointWithAFlippedByteIsRefusedAndTheFolderKept() throws {
            try withFolders(1) { folders in
                let (spec, folder) = (try spec(), folders[0])
                try trainStopping(after: 12, spec, folder, resuming: false)
                let path = folder + "/checkpoint.safetensors"
                var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                bytes[bytes.count - 5] ^= 0x10  // a bit of the last tensor's data
                try bytes.write(to: URL(fileURLWithPath: path))
                let before = try files(folder)
                #expect {
                    try trainRun(spec, folder: folder, resuming: true, quiet: true)
                } throws: { error in
                    guard case .checksumMismatch(let named, _, _) = error as? CheckpointError else { return false }
                    return named == path && "\(error)".hasPrefix("\(path) is corrupted: ")
                }
                #expect(try files(folder) == before)
            }
        }

        /// Saved training states that no run could have written, each refused with the file and the field.
        @Test(arguments: [
            ("step", #"{"step":-3"#, "\"step\" is -3, expected 0 or more"),
            ("garbled", #"{"step":1"#, "is not valid JSON"),
            ("type", #"{"step":"twelve""#, "\"step\" is not an integer"),
            ("budget", #"{"step":31"#, "\"step\" is 31, past the spec's 30 steps (training.steps)"),
            ("epochs", #"{"epoch":7"#, "\"secondsPerEpoch\" holds 1 times for 7 finished epochs"),
            ("rng", #"{"rng":{"words":[1,2,3]}"#, "\"rng\" holds 3 words; a generator's state is 4 words"),
            ("count", #"{"batchInEpoch":3"#, "\"step\" is 12, but 1 epochs of 10 steps and 3 batches"),
        ])
        func anInvalidTrainingStateIsRefusedNamingTheFileAndField(_ name: String, prefix: String, message: String)
            throws
        {
            try withFolders(1) { folders in
                let (spec, folder) = (try spec(), folders[0])
                try trainStopping(after: 12, spec, folder, resuming: false)
                let path = folder + "/checkpoint.safetensors"
                var file = try SafetensorsFile(contentsOf: path)
                let json = try #require(file.metadata["training_state"])
                // Replace the state's first field (or more, for a garbled state) with `prefix`.
                let key = prefix.dropFirst(2).prefix { $0 != "\"" }
                let state = try #require(JSONParser.parse(json).objectValue)
                let others = state.filter { $0.key != key }.map { "\"\($0.key)\":\($0.value.compactJSON)" }
                file.metadata["training_state"] =
                    name == "garbled" ? "{\"step\":1" : prefix + "," + others.joined(separator: ",") + "}"
                file.metadata[Checkpoint.checksumKey] = nil
                file.metadata[Checkpoint.checksumKey] = file.sha256()
                try file.write(to: path)
                let before = try files(folder)
                #expect {
                    try trainRun(spec, folder: folder, resuming: true, quiet: true)
                } throws: { error in
                    "\(error)".hasPrefix("\(path): its training state") && "\(error)".contains(message)
                }
                #expect(try files(folder) == before)
            }
        }

        @Test func aCheckpointWithoutAChecksumStillResumes() throws {
            try withFolders(2) { folders in
                let spec = try spec()
                #expect(try trainRun(spec, folder: folders[0], resuming: false, quiet: true) == .completed)
                try trainStopping(after: 12, spec, folders[1], resuming: false)
                let path = folders[1] + "/checkpoint.safetensors"
                var file = try SafetensorsFile(contentsOf: path)
                file.metadata[Checkpoint.checksumKey] = nil
                try file.write(to: path)
                #expect(try trainRun(spec, folder: folders[1], resuming: true, quiet: true) == .completed)
                #expect(try RunOutputs(folders[0]) == RunOutputs(folders[1]))
                let log = try String(contentsOfFile: folders[1] + "/log.txt", encoding: .utf8)
                #expect(log.contains("note: \(path) has no checksum"))
            }
        }
    }
}
