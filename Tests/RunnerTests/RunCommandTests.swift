import Foundation
import Testing
@testable import Runner
import Models

// `runner SPEC` end to end on tiny specs: the outputs, resume equals uninterrupted, sweeps.

private let blobsSpec = """
    {
      "name": "blobs",
      "seed": 3,
      "data": {"dataset": "blobs", "classes": 3, "points": 120, "train": 80, "validation": 20, "test": 20},
      "model": {"type": "mlp", "hidden": [8], "dropout": 0.2},
      "optimizer": {"type": "adam", "lr": 0.05},
      "training": {"steps": 30, "batch_size": 8, "log_every": 5, "evaluate_every": 10, "checkpoint_every": 10},
      "outputs": {"plots": true}
    }
    """

private func load(_ text: String, _ overrides: [String] = []) throws -> SpecDocument {
    try SpecDocument(text: text, source: "test", overrides: overrides)
}

private func temporaryFolder() -> String {
    NSTemporaryDirectory() + "tapegrad-runner-\(UUID().uuidString)"
}

extension InterruptibleTraining {
    @Suite
    struct RunCommandTests {
        @Test func aRunWritesEveryOutput() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let status = try trainRun(try load(blobsSpec).spec, folder: folder, resuming: false, quiet: true)
            #expect(status == .completed)
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
            for name in ["curves.csv", "summary.json", "spec.json", "checkpoint.safetensors", "weights.safetensors",
                         "loss.svg", "loss.png", "accuracy.svg", "accuracy.png", "confusion_matrix.png"] {
                #expect(files.contains(name), "missing \(name)")
            }
            let curves = try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
            #expect(curves[0] == "epoch,step,split,loss,accuracy,learning_rate,wall_seconds")
            let points = curves.dropFirst().compactMap(CurvePoint.init(csvLine:))
            #expect(points.filter { $0.split == "train" }.map(\.step) == [5, 10, 15, 20, 25, 30])
            #expect(points.filter { $0.split == "validation" }.map(\.step) == [10, 20, 30])
            let text = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
            let summary = try #require(try JSONParser.parse(text).objectValue)
            #expect(summary["status"] == .string("completed"))
            #expect(summary["steps"] == .integer(30))
            let parameterCount = 2 * 8 + 8 + 8 * 3 + 3
            #expect(summary["parameter_count"] == .integer(parameterCount))
            guard case .object(let metrics)? = summary["metrics"], case .object(let test)? = metrics["test"],
                  let accuracy = test["accuracy"]?.doubleValue else {
                Issue.record("summary.json has no test accuracy")
                return
            }
            #expect(accuracy > 0.8)
            guard case .object(let spec)? = summary["spec"] else {
                Issue.record("summary.json has no resolved spec")
                return
            }
            #expect(spec["seed"] == .integer(3))
        }

        @Test func resumingAnInterruptedRunEqualsAnUninterruptedOne() throws {
            let straight = temporaryFolder(), interrupted = temporaryFolder()
            defer {
                try? FileManager.default.removeItem(atPath: straight)
                try? FileManager.default.removeItem(atPath: interrupted)
            }
            let spec = try load(blobsSpec).spec
            #expect(try trainRun(spec, folder: straight, resuming: false, quiet: true) == .completed)

            Interruption.request()  // as Ctrl-C during the first step: the run stops after it, with a checkpoint
            let first = try trainRun(spec, folder: interrupted, resuming: false, quiet: true)
            Interruption.reset()
            #expect(first == .interrupted)
            #expect(try trainRun(spec, folder: interrupted, resuming: true, quiet: true) == .completed)

            let a = try Data(contentsOf: URL(fileURLWithPath: straight + "/weights.safetensors"))
            let b = try Data(contentsOf: URL(fileURLWithPath: interrupted + "/weights.safetensors"))
            #expect(a == b)
            func rows(_ folder: String) throws -> [String] {
                // Everything but the wall-clock column.
                try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
                    .map { line in
                        line.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",")
                    }
            }
            #expect(try rows(straight) == rows(interrupted))
        }

        @Test func aDivergingRunStopsWithAMessage() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let spec = try load(blobsSpec, ["optimizer.lr=1e30", "optimizer.type=sgd"]).spec
            let status = try trainRun(spec, folder: folder, resuming: false, quiet: true)
            #expect(status == .diverged)
            let summary = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
            #expect(summary.contains("\"status\" : \"diverged\""))
            #expect(summary.contains("the loss became"))
        }

        @Test func aSweepRunsEveryTrialAndCombinesThem() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let document = try load(blobsSpec, ["sweep={\"grid\": {\"optimizer.lr\": [0.01, 0.05]}}"])
            let trials = try document.trials()
            #expect(trials.count == 2)
            // The trials run in this process (the sweep command runs each as `runner run trial-spec.json`).
            for trial in trials {
                try trainRun(trial.spec, folder: folder + "/trial-\(trial.index)", resuming: false, quiet: true)
            }
            try writeSweepResults(trials: trials, folder: folder, title: "blobs")
            let csv = try String(contentsOfFile: folder + "/sweep.csv", encoding: .utf8).split(separator: "\n")
            #expect(csv.count == 3)
            #expect(csv[1].hasPrefix("0,\"optimizer.lr=0.01\",completed,30,"))
            #expect(csv[2].hasPrefix("1,\"optimizer.lr=0.05\",completed,30,"))
            #expect(FileManager.default.fileExists(atPath: folder + "/sweep_loss.png"))
        }
    }
}
