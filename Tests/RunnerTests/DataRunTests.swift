import Foundation
import Models
import Testing

@testable import Runner

// Runs on the new datasets, end to end: CIFAR-10 from written files with augmentation and test predictions, the
// reproducibility of augmented runs, what a CNN and an MLP learn of edges, and a CSV table's one-hot features.

private func runFolder() -> String { NSTemporaryDirectory() + "tapegrad-data-run-\(UUID().uuidString)" }

/// The rows of a run's predictions.csv, and the test accuracy of its summary.json.
private func predictions(in folder: String) throws -> (rows: [[Int]], accuracy: Double?) {
    let lines = try String(contentsOfFile: folder + "/predictions.csv", encoding: .utf8).split(separator: "\n")
    #expect(lines.first == "index,predicted,true")
    let summary = try JSONParser.parse(try String(contentsOfFile: folder + "/summary.json", encoding: .utf8))
    let accuracy = summary.objectValue?["metrics"]?.objectValue?["test"]?.objectValue?["accuracy"]?.doubleValue
    return (lines.dropFirst().map { $0.split(separator: ",").map { Int($0)! } }, accuracy)
}

extension InterruptibleTraining {
    @Suite
    struct DataRunTests {
        @Test func theCIFARSpecRunsOnCIFARFilesAndWritesItsPredictions() throws {
            try SpecFixtures.withTemporaryDirectory { directory in
                SpecFixtures.writeCIFAR10(in: directory)
                // Experiments/cifar10_cnn.json as committed, on 16 + 4 of the written images and all 6 test images, for
                // 2 steps.
                let path = (SpecFixtures.repositoryRoot as NSString).appendingPathComponent(
                    "Experiments/cifar10_cnn.json")
                let overrides = [
                    "data.path=\(directory)", "data.train=16", "data.validation=4", "data.test=null",
                    "training.steps=2", "training.batch_size=8", "schedule.warmup_steps=1", "outputs.plots=false",
                ]
                let spec = try SpecDocument.load(path: path, overrides: overrides).spec
                let folder = directory + "/run"
                #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
                let (rows, accuracy) = try predictions(in: folder)
                // One row per test image in order, with the labels the test file holds.
                #expect(rows.map { $0[0] } == Array(0..<6))
                #expect(rows.map { $0[2] } == [3, 1, 4, 1, 5, 9])
                #expect(rows.allSatisfy { (0..<10).contains($0[1]) })
                let correct = rows.filter { $0[1] == $0[2] }.count
                #expect(accuracy == Double(correct) / 6)
                let summary = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
                #expect(summary.contains("\"predictions.csv\""))
            }
        }

        @Test func anAugmentedRunIsReproducibleAndResumesExactly() throws {
            let json = """
                {"seed": 4, "data": {"dataset": "edges", "points": 120, "validation": 20, "test": 40,
                  "augment_crop_padding": 2, "augment_flip": true},
                 "model": {"type": "cnn", "layers": [{"type": "conv2d", "out": 3, "kernel": 3}, {"type": "relu"},
                  {"type": "global_avg_pool"}, {"type": "linear"}]},
                 "training": {"epochs": 2, "batch_size": 10, "log_every": 4}, "outputs": {"plots": false}}
                """
            func weights(_ overrides: [String] = [], interrupted: Bool = false) throws -> Data {
                let folder = runFolder()
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let spec = try SpecDocument(text: json, source: "edges", overrides: overrides).spec
                if interrupted {
                    Interruption.request()  // stops after the first step, with a checkpoint
                    let first = try trainRun(spec, folder: folder, resuming: false, quiet: true)
                    Interruption.reset()
                    #expect(first == .interrupted)
                    #expect(try trainRun(spec, folder: folder, resuming: true, quiet: true) == .completed)
                } else {
                    #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
                }
                return try Data(contentsOf: URL(fileURLWithPath: folder + "/weights.safetensors"))
            }
            let straight = try weights()
            #expect(try weights() == straight, "the same seed augments the same way")
            #expect(try weights(interrupted: true) == straight, "a resumed run augments as the uninterrupted one")
            #expect(try weights(["data.augment_flip=false", "data.augment_crop_padding=0"]) != straight)
            #expect(try weights(["seed=5"]) != straight)
        }

        @Test func aCNNFindsShiftedEdgesThatAnMLPMisses() throws {
            // Experiments/edges_cnn.json and edges_mlp.json on a quarter of their data: test lines start 3 pixels
            // further than any training line. Global average pooling makes the CNN's answer independent of where
            // the line is; the MLP has learned one weight per pixel and meets pixels it never saw lit.
            func testAccuracy(_ name: String) throws -> Double {
                let folder = runFolder()
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let path = (SpecFixtures.repositoryRoot as NSString).appendingPathComponent("Experiments/\(name)")
                let overrides = [
                    "data.points=500", "data.validation=100", "data.test=250", "outputs.plots=false",
                    "outputs.predictions=true",
                ]
                let spec = try SpecDocument.load(path: path, overrides: overrides).spec
                #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
                return try #require(try predictions(in: folder).accuracy)
            }
            let cnn = try testAccuracy("edges_cnn.json")
            #expect(cnn >= 0.95, "CNN test accuracy \(cnn)")
            let mlp = try testAccuracy("edges_mlp.json")
            #expect(mlp <= 0.75, "MLP test accuracy \(mlp)")
        }

        @Test func aCSVRunRecordsItsOneHotFeatures() throws {
            try SpecFixtures.withTemporaryDirectory { directory in
                // The label follows the color; the shape is sometimes empty (a category of its own).
                let rows = (0..<60).map { i in
                    let color = ["red", "green", "blue"][i % 3]
                    return "\(Double(i % 7) / 2),\(color),\(i % 5 == 0 ? "" : "round"),\(color == "red" ? "a" : "b")"
                }
                let path = SpecFixtures.write(
                    (["size,color,shape,y"] + rows).joined(separator: "\n"), "t.csv", in: directory)
                let json = """
                    {"data": {"dataset": "csv", "path": "\(path)", "label_column": "y",
                      "categorical_columns": ["color", "shape"], "validation": 10, "test": 10},
                     "model": {"hidden": [8]}, "optimizer": {"lr": 0.05}, "training": {"epochs": 20, "batch_size": 8},
                     "outputs": {"plots": false, "predictions": true}}
                    """
                let folder = directory + "/run"
                let spec = try SpecDocument(text: json, source: "t", overrides: []).spec
                #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
                let summary = try JSONParser.parse(
                    try String(contentsOfFile: folder + "/summary.json", encoding: .utf8))
                let features: [JSONValue] = [
                    "size", "color=blue", "color=green", "color=red", "shape=(empty)", "shape=round",
                ]
                #expect(summary.objectValue?["features"] == .array(features))
                let (predicted, accuracy) = try predictions(in: folder)
                #expect(predicted.count == 10 && accuracy == 1, "the color alone gives the class")
            }
        }
    }
}
