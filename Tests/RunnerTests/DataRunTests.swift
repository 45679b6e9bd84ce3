import Foundation
import Models
import Testing

@testable import Runner

// Runs on the new datasets, end to end: CIFAR-10 from written files with augmentation and test predictions.

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
    }
}
