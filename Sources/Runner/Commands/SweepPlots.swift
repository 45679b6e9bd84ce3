import Foundation
import Models

/// A finished trial as a sweep's plots see it: its label, swept values, final metrics and curves.
struct TrialOutcome {
    var label: String
    /// The swept key paths and their values.
    var values: [String: JSONValue]
    /// The final loss and accuracy (nil without one) of each split in its summary.json.
    var metrics: [String: (loss: Double, accuracy: Double?)]
    var curves: [CurvePoint]
}

/// The overlays and metric-vs-value charts of a sweep, by base name:
/// - `sweep_loss` / `sweep_accuracy`: each trial's validation curve (its training curve without validation data);
/// - `sweep_train_loss`: each trial's training loss;
/// - `sweep_vs_<key>` for each swept key: the final accuracy (loss, for a task without accuracy) of train,
///   validation and test against the key's value — a line over the sorted values for numbers (a log axis for a
///   `log` range in `logKeys`), bars for choices, strings and booleans. With several keys swept, each trial is one
///   point of the line, whatever the other keys' values.
func sweepCharts(_ trials: [TrialOutcome], logKeys: Set<String>, title: String) -> [(name: String, chart: any Chart)] {
    var charts: [(name: String, chart: any Chart)] = []
    func add(_ name: String, _ chart: any Chart) { charts.append((name, chart)) }
    func overlay(_ split: (TrialOutcome) -> String, _ value: (CurvePoint) -> Double?) -> [LineSeries] {
        trials.compactMap { trial in
            let chosen = split(trial)
            let points = trial.curves.filter { $0.split == chosen }.compactMap { p in
                value(p).map { PlotPoint(Double(p.step), $0) }
            }
            return points.isEmpty ? nil : LineSeries(name: trial.label, points: points)
        }
    }
    let evaluated = { (trial: TrialOutcome) in
        trial.curves.contains { $0.split == "validation" } ? "validation" : "train"
    }
    let loss = overlay(evaluated, \.loss)
    add("sweep_loss", LineChart(title: "\(title): loss per trial", xLabel: "step", yLabel: "loss", series: loss))
    let accuracy = overlay(evaluated, \.accuracy)
    if !accuracy.isEmpty {
        add(
            "sweep_accuracy",
            LineChart(title: "\(title): accuracy per trial", xLabel: "step", yLabel: "accuracy", series: accuracy))
    }
    let trainLoss = overlay({ _ in "train" }, \.loss)
    add(
        "sweep_train_loss",
        LineChart(title: "\(title): training loss per trial", xLabel: "step", yLabel: "loss", series: trainLoss))

    let hasAccuracy = trials.contains { $0.metrics.values.contains { $0.accuracy != nil } }
    let metric = hasAccuracy ? "accuracy" : "loss"
    func value(_ trial: TrialOutcome, _ split: String) -> Double {
        guard let m = trial.metrics[split] else { return .nan }
        return hasAccuracy ? m.accuracy ?? .nan : m.loss
    }
    let splits = ["train", "validation", "test"].filter { split in trials.contains { $0.metrics[split] != nil } }
    let keys = Set(trials.flatMap(\.values.keys)).sorted()
    for key in keys {
        let chartTitle = "\(title): final \(metric) against \(key)"
        let numbers = trials.map { $0.values[key]?.doubleValue }
        if numbers.allSatisfy({ $0 != nil }) {
            let order = trials.indices.sorted { numbers[$0]! < numbers[$1]! }
            let series = splits.map { split in
                LineSeries(name: split, points: order.map { PlotPoint(numbers[$0]!, value(trials[$0], split)) })
            }
            var chart = LineChart(title: chartTitle, xLabel: key, yLabel: metric, series: series)
            chart.logX = logKeys.contains(key)
            add("sweep_vs_\(key)", chart)
        } else {
            let names = trials.map { $0.values[key].map(choiceName) ?? "" }
            var categories: [String] = []
            for name in names where !categories.contains(name) { categories.append(name) }
            // A category's bar is the mean over its trials.
            func mean(_ category: String, _ split: String) -> Double {
                let members = trials.indices.filter { names[$0] == category }.map { value(trials[$0], split) }
                return members.reduce(0, +) / Double(members.count)
            }
            let series = splits.map { split in (name: split, values: categories.map { mean($0, split) }) }
            add(
                "sweep_vs_\(key)",
                BarChart(title: chartTitle, xLabel: key, yLabel: metric, categories: categories, series: series))
        }
    }
    return charts
}

/// A swept value as a category name: a string without its quotes, anything else as JSON.
private func choiceName(_ value: JSONValue) -> String {
    if case .string(let s) = value { return s }
    return value.compactJSON
}
