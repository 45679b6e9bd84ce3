import ArgumentParser
import Foundation
import Models

/// `runner compare RUN…`: the curves of finished runs overlaid in one plot per metric, and their final metrics in
/// one table — two experiments side by side without a sweep.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Overlay the curves of finished runs and tabulate their final metrics.",
        discussion: """
            Each RUN is a run folder (with curves.csv; summary.json for the final metrics). Writes compare.csv \
            (one row per run: its folder, status, steps, seconds and final train/validation/test loss and \
            accuracy) and compare_loss / compare_accuracy as SVG and PNG (one curve per run, of --split) into \
            --out, and prints the table.
            """)

    @Argument(help: "Run folders to compare (at least two).") var runs: [String]
    @Option(help: "The curve of each run to overlay: train, validation or test (default: validation, else train).")
    var split: String?
    @Option(help: "The x axis: step or seconds.") var x = "step"
    @Option(help: "The output folder (default: runs/compare-TIMESTAMP).") var out: String?

    func validate() throws {
        if runs.count < 2 { throw ValidationError("give at least two run folders to compare") }
        if let split, !FinishedRun.splits.contains(split) {
            throw ValidationError("--split must be train, validation or test; got \(split)")
        }
        if !["step", "seconds"].contains(x) { throw ValidationError("--x must be step or seconds; got \(x)") }
    }

    func run() throws {
        var finished: [(label: String, run: FinishedRun)] = []
        for folder in runs {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw RunnerFailure(message: "\(folder): not a run folder (no such folder)")
            }
            let run = FinishedRun(folder: folder)
            if run.curves.isEmpty {
                throw RunnerFailure(message: "\(folder): no curves.csv with rows, so nothing to compare")
            }
            finished.append((Self.label(folder, among: runs), run))
        }
        let folder = out ?? defaultRunFolder(name: "compare")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let table = comparisonTable(finished)
        try (table.joined(separator: "\n") + "\n")
            .write(
                toFile: (folder as NSString).appendingPathComponent("compare.csv"), atomically: true, encoding: .utf8)
        let charts = comparisonCharts(finished, split: split, x: x)
        for (name, chart) in charts { try write(chart, to: (folder as NSString).appendingPathComponent(name)) }
        print(table.joined(separator: "\n"))
        print("wrote compare.csv and " + charts.map { "\($0.name).svg/png" }.joined(separator: ", ") + " to \(folder)")
    }

    /// A run's label: its folder's last component, or the whole path when two runs share that name.
    static func label(_ folder: String, among folders: [String]) -> String {
        let name = (folder as NSString).lastPathComponent
        let clashes = folders.filter { ($0 as NSString).lastPathComponent == name }.count > 1
        return clashes ? folder : name
    }
}

/// compare.csv: a header, then one row per run: its label and `FinishedRun.csvCells`.
func comparisonTable(_ runs: [(label: String, run: FinishedRun)]) -> [String] {
    ["run," + FinishedRun.csvHeader]
        + runs.map {
            "\"\($0.label.replacingOccurrences(of: "\"", with: "'"))\"," + $0.run.csvCells.joined(separator: ",")
        }
}

/// `compare_loss` and (when the runs have accuracies) `compare_accuracy`: one curve per run, of `split` (default:
/// validation when every run has it, else train), against steps or seconds.
func comparisonCharts(
    _ runs: [(label: String, run: FinishedRun)], split: String?, x: String
)
    -> [(name: String, chart: LineChart)]
{
    let chosen =
        split ?? (runs.allSatisfy { $0.run.curves.contains { $0.split == "validation" } } ? "validation" : "train")
    func series(_ value: (CurvePoint) -> Double?) -> [LineSeries] {
        runs.map { label, run in
            let points = run.curves.filter { $0.split == chosen }.compactMap { p in
                value(p).map { PlotPoint(x == "seconds" ? p.wallSeconds : Double(p.step), $0) }
            }
            return LineSeries(name: label, points: points)
        }
    }
    var charts = [
        ("compare_loss", LineChart(title: "\(chosen) loss", xLabel: x, yLabel: "loss", series: series(\.loss)))
    ]
    let accuracy = series(\.accuracy)
    if accuracy.contains(where: { !$0.points.isEmpty }) {
        charts.append(
            (
                "compare_accuracy",
                LineChart(title: "\(chosen) accuracy", xLabel: x, yLabel: "accuracy", series: accuracy)
            ))
    }
    return charts
}
