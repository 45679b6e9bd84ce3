import Foundation
import Models
import Testing

@testable import Runner

// `runner compare`: finished runs read back from their folders, their final metrics in one table and their curves
// overlaid, and clear refusals for folders that are not runs.

/// A run folder with `curves.csv` rows (step, split, loss, accuracy) and, unless `summary` is false, a summary.
private func makeRun(
    _ folder: String, _ rows: [(Int, String, Double, Double?)], summary: Bool = true, test: Double = 0.8
) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let lines =
        [CurvePoint.header]
        + rows.map { step, split, loss, accuracy in
            CurvePoint(
                epoch: 0, step: step, split: split, loss: loss, accuracy: accuracy, learningRate: 0.1,
                wallSeconds: Double(step) / 10
            ).csvLine
        }
    try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/curves.csv", atomically: true, encoding: .utf8)
    if summary {
        let json = """
            {"status": "completed", "steps": 20, "total_seconds": 2.5,
             "metrics": {"train": {"loss": 0.4, "accuracy": 0.9}, "test": {"loss": 0.5, "accuracy": \(test)}}}
            """
        try json.write(toFile: folder + "/summary.json", atomically: true, encoding: .utf8)
    }
}

@Test func comparedRunsShareOneTableAndOnePlotPerMetric() throws {
    let root = NSTemporaryDirectory() + "tapegrad-compare-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    try makeRun(root + "/a", [(10, "train", 1, 0.5), (10, "validation", 0.9, 0.6), (20, "validation", 0.7, 0.7)])
    try makeRun(root + "/b", [(10, "train", 2, 0.4), (20, "validation", 0.8, 0.65)], summary: false)
    let command = try Compare.parse([root + "/a", root + "/b", "--out", root + "/out"])
    try command.run()
    let table = try String(contentsOfFile: root + "/out/compare.csv", encoding: .utf8).split(separator: "\n")
    #expect(table.count == 3 && table[0].hasPrefix("run,status,steps,total_seconds,train_loss"))
    #expect(table[1] == "\"a\",completed,20,2.5,0.400000,0.900000,,,0.500000,0.800000")
    #expect(table[2] == "\"b\",failed,,,,,,,,")  // no summary: the run did not end
    for name in ["compare_loss", "compare_accuracy"] {
        #expect(FileManager.default.fileExists(atPath: root + "/out/\(name).png"), "\(name)")
    }
    // Both runs have validation curves: those are overlaid, one series per run, against steps or seconds.
    let runs = [("a", FinishedRun(folder: root + "/a")), ("b", FinishedRun(folder: root + "/b"))]
    let charts = comparisonCharts(runs, split: nil, x: "seconds")
    #expect(charts.map(\.name) == ["compare_loss", "compare_accuracy"])
    #expect(charts[0].chart.series.map(\.name) == ["a", "b"] && charts[0].chart.xLabel == "seconds")
    #expect(charts[0].chart.series[0].points == [PlotPoint(1, 0.9), PlotPoint(2, 0.7)])
    #expect(comparisonCharts(runs, split: "train", x: "step")[1].chart.series[1].points == [PlotPoint(10, 0.4)])
    // Two folders of the same name are told apart by their paths.
    #expect(
        Compare.label("x/run", among: ["x/run", "y/run"]) == "x/run" && Compare.label("x/a", among: ["x/a"]) == "a")
}

@Test func compareRefusesWhatIsNotARun() throws {
    let root = NSTemporaryDirectory() + "tapegrad-compare-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    try makeRun(root + "/a", [(10, "train", 1, 0.5)])
    try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
    #expect(throws: (any Error).self) { try Compare.parse([root + "/a"]) }  // one run
    #expect(throws: (any Error).self) { try Compare.parse([root + "/a", root + "/a", "--split", "dev"]) }
    func message(_ arguments: [String]) -> String {
        do {
            try Compare.parse(arguments + ["--out", root + "/out"]).run()
            return ""
        } catch { return "\(error)" }
    }
    #expect(message([root + "/a", root + "/missing"]) == "\(root)/missing: not a run folder (no such folder)")
    #expect(message([root + "/a", root + "/empty"]) == "\(root)/empty: no curves.csv with rows, so nothing to compare")
}
