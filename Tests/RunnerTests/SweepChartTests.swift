import Models
import Testing

@testable import Runner

// A sweep's charts from its trials: overlays of validation and training curves, and the final metric against
// each swept value (a line for numbers, on a log axis for log ranges; bars for choices).

private func trial(_ label: String, _ values: [String: JSONValue], test: Double, train: Double) -> TrialOutcome {
    let curves = [
        CurvePoint(epoch: 0, step: 5, split: "train", loss: 1, accuracy: 0.5, learningRate: 0.1, wallSeconds: 1),
        CurvePoint(epoch: 1, step: 10, split: "train", loss: 0.5, accuracy: train, learningRate: 0.1, wallSeconds: 2),
        CurvePoint(
            epoch: 1, step: 10, split: "validation", loss: 0.6, accuracy: test, learningRate: 0.1, wallSeconds: 2),
    ]
    return TrialOutcome(
        label: label, values: values, metrics: ["train": (0.5, train), "test": (0.7, test)], curves: curves)
}

@Test func aSweepPlotsItsMetricAgainstEachSweptValue() throws {
    let trials = [
        trial("lr=0.1, act=relu", ["optimizer.lr": .number(0.1), "model.activation": "relu"], test: 0.8, train: 0.9),
        trial(
            "lr=0.001, act=relu", ["optimizer.lr": .number(0.001), "model.activation": "relu"], test: 0.6, train: 0.7),
        trial(
            "lr=0.01, act=tanh", ["optimizer.lr": .number(0.01), "model.activation": "tanh"], test: 0.7, train: 0.75),
    ]
    let charts = sweepCharts(trials, logKeys: ["optimizer.lr"], title: "s")
    #expect(
        charts.map(\.name) == [
            "sweep_loss", "sweep_accuracy", "sweep_train_loss", "sweep_vs_model.activation", "sweep_vs_optimizer.lr",
        ])
    // The overlays: one series per trial; the training loss over both training points.
    let train = try #require(charts[2].chart as? LineChart)
    #expect(train.series.map(\.name) == trials.map(\.label) && train.series[0].points.map(\.y) == [1, 0.5])
    // Numbers: train and test accuracy over the sorted learning rates, on a log axis.
    let lr = try #require(charts[4].chart as? LineChart)
    #expect(lr.logX && lr.series.map(\.name) == ["train", "test"])
    #expect(lr.series[1].points == [PlotPoint(0.001, 0.6), PlotPoint(0.01, 0.7), PlotPoint(0.1, 0.8)])
    #expect(lr.axes().x.logarithmic)
    // Choices: a bar per split and category, the mean of its trials.
    let activation = try #require(charts[3].chart as? BarChart)
    #expect(activation.categories == ["relu", "tanh"])
    #expect(activation.series.map(\.name) == ["train", "test"])
    #expect(abs(activation.series[1].values[0] - 0.7) < 1e-12 && activation.series[1].values[1] == 0.7)
    // Drawn: the bar chart names its categories under the bars, in both formats.
    let texts = SVGReader(activation.svg()).texts
    #expect(texts.contains("relu") && texts.contains("tanh") && texts.contains("test"))
    #expect(!activation.png().isEmpty)
}
