// The benchmarks' results as rows, written as CSV (one row per workload) and as JSON (the environment's fields,
// then "results", one object per workload), with the field names the PyTorch script writes too.

import Foundation

/// A result row of a benchmark: its CSV columns and their values.
protocol BenchRow: Encodable {
    /// The CSV header, also the JSON keys.
    static var columns: [String] { get }
    /// The values of `columns`, formatted for CSV (an empty field for a missing value).
    var fields: [String] { get }
}

/// One workload's timing in `runner bench train`.
struct TrainingBenchResult: BenchRow, Equatable {
    var workload: String
    var what: String
    /// Timed steps.
    var steps: Int
    /// Milliseconds per step: the median, the fastest and the slowest of the timed steps.
    var medianMilliseconds: Double
    var minMilliseconds: Double
    var maxMilliseconds: Double
    /// Examples per second at the median (32 / median); for W6, iterations per second.
    var samplesPerSecond: Double
    /// FLOPs per step / median time; `nil` for W6, which has no meaningful FLOP count.
    var gflops: Double?
    /// `gflops` as a percentage of the sgemm peak measured in the same run.
    var percentOfSgemmPeak: Double?
    /// The process's peak RSS so far (MB), after the workload ran.
    var peakRSSMegabytes: Double
    /// The loss of the last timed step.
    var finalLoss: Double

    static let columns = [
        "workload", "what", "steps", "median_ms", "min_ms", "max_ms", "samples_per_s", "gflops",
        "percent_of_sgemm_peak", "peak_rss_mb", "final_loss",
    ]

    var fields: [String] {
        [
            workload, what, "\(steps)", format(medianMilliseconds, 4), format(minMilliseconds, 4),
            format(maxMilliseconds, 4), format(samplesPerSecond, 1), gflops.map { format($0, 2) } ?? "",
            percentOfSgemmPeak.map { format($0, 2) } ?? "", format(peakRSSMegabytes, 1), format(finalLoss, 4),
        ]
    }

    /// The printed table: its header and this result's line.
    static let tableHeader = tableRow(
        ["workload", "median ms", "min ms", "max ms", "samples/s", "GFLOP/s", "% peak", "peak RSS MB", "loss", "what"],
        widths: tableWidths)
    var tableLine: String {
        let optional = { (x: Double?) in x.map { String(format: "%.1f", $0) } ?? "–" }
        let cells = [
            workload, String(format: "%.3f", medianMilliseconds), String(format: "%.3f", minMilliseconds),
            String(format: "%.3f", maxMilliseconds), String(format: "%.1f", samplesPerSecond), optional(gflops),
            optional(percentOfSgemmPeak), String(format: "%.1f", peakRSSMegabytes), String(format: "%.3f", finalLoss),
            what,
        ]
        return tableRow(cells, widths: Self.tableWidths)
    }
    private static let tableWidths = [8, 9, 8, 8, 9, 7, 6, 11, 6, 0]

    enum CodingKeys: String, CodingKey {
        case workload, what, steps, gflops
        case medianMilliseconds = "median_ms", minMilliseconds = "min_ms", maxMilliseconds = "max_ms"
        case samplesPerSecond = "samples_per_s", percentOfSgemmPeak = "percent_of_sgemm_peak"
        case peakRSSMegabytes = "peak_rss_mb", finalLoss = "final_loss"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(what, forKey: .what)
        try c.encode(steps, forKey: .steps)
        try c.encode(rounded(medianMilliseconds, 4), forKey: .medianMilliseconds)
        try c.encode(rounded(minMilliseconds, 4), forKey: .minMilliseconds)
        try c.encode(rounded(maxMilliseconds, 4), forKey: .maxMilliseconds)
        try c.encode(rounded(samplesPerSecond, 1), forKey: .samplesPerSecond)
        try c.encode(gflops.map { rounded($0, 2) }, forKey: .gflops)  // null for W6
        try c.encode(percentOfSgemmPeak.map { rounded($0, 2) }, forKey: .percentOfSgemmPeak)
        try c.encode(rounded(peakRSSMegabytes, 1), forKey: .peakRSSMegabytes)
        try c.encode(rounded(finalLoss, 4), forKey: .finalLoss)
    }
}

/// One workload's accuracy at equal training in `runner bench accuracy`.
struct AccuracyBenchResult: BenchRow, Equatable {
    var workload: String
    /// "test_accuracy_percent" (W1–W4, after one epoch) or "validation_loss" (W5, after 2,000 steps).
    var metric: String
    var value: Double
    /// Training steps taken.
    var steps: Int
    /// Wall-clock seconds of training and evaluation.
    var seconds: Double

    static let columns = ["workload", "metric", "value", "steps", "seconds"]

    var fields: [String] { [workload, metric, format(value, 4), "\(steps)", format(seconds, 1)] }

    /// The printed table: its header and this result's line.
    static let tableHeader = tableRow(["workload", "metric", "value", "steps", "seconds"], widths: tableWidths)
    var tableLine: String {
        tableRow(
            [workload, metric, String(format: "%.4f", value), "\(steps)", String(format: "%.1f", seconds)],
            widths: Self.tableWidths)
    }
    private static let tableWidths = [8, 21, 8, 5, 7]

    enum CodingKeys: String, CodingKey { case workload, metric, value, steps, seconds }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(metric, forKey: .metric)
        try c.encode(rounded(value, 4), forKey: .value)
        try c.encode(steps, forKey: .steps)
        try c.encode(rounded(seconds, 1), forKey: .seconds)
    }
}

/// A benchmark run: the environment's fields and the options at the top level, then "results".
struct BenchReport<Row: BenchRow>: Encodable {
    var environment: BenchEnvironment
    /// The run's options, e.g. "steps" and "warmup", written at the top level too.
    var options: [String: Int]
    var results: [Row]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        try environment.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        for (name, value) in options { try c.encode(value, forKey: Key(name)) }
        try c.encode(results, forKey: Key("results"))
    }

    /// The report as pretty-printed JSON with sorted keys.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The results as CSV: the header `Row.columns`, then one line per result (RFC 4180 quoting).
    func csv() -> String {
        ([Row.columns] + results.map(\.fields)).map { $0.map(csvField).joined(separator: ",") + "\n" }.joined()
    }

    /// Writes the JSON and CSV files that are asked for, saying where.
    func write(json jsonPath: String?, csv csvPath: String?) throws {
        if let jsonPath {
            try json().write(toFile: jsonPath, atomically: true, encoding: .utf8)
            print("wrote \(jsonPath)")
        }
        if let csvPath {
            try csv().write(toFile: csvPath, atomically: true, encoding: .utf8)
            print("wrote \(csvPath)")
        }
    }
}

/// `field` quoted for CSV when it holds a comma, a quote or a line break.
func csvField(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// `x` rounded to `decimals` decimals (so the JSON carries no spurious digits).
private func rounded(_ x: Double, _ decimals: Int) -> Double {
    let scale = Foundation.pow(10, Double(decimals))
    return (x * scale).rounded() / scale
}

/// `x` with `decimals` decimals, for CSV.
private func format(_ x: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", x) }
