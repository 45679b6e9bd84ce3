import Foundation
@testable import Runner

/// Deterministic example charts shaped like the runner's outputs, shared by the plot tests.
extension LineChart {
    /// Train / validation / test loss over 10 epochs (test only at the end).
    static var sample: LineChart {
        let epochs = (1...10).map(Double.init)
        return LineChart(
            title: "loss", xLabel: "epoch", yLabel: "cross-entropy",
            series: [
                LineSeries(name: "train", x: epochs, y: epochs.map { 2.3 * pow(0.62, $0) + 0.05 }),
                LineSeries(name: "validation", x: epochs, y: epochs.map { 2.2 * pow(0.7, $0) + 0.12 }),
                LineSeries(name: "test", points: [PlotPoint(10, 0.19)]),
            ])
    }

    /// A noisy per-step training loss over 3,000 steps with validation every 250 steps, on a log scale.
    static var stepSample: LineChart {
        let steps = (0..<3_000).map(Double.init)
        let train = steps.map { 2.3 / (1 + $0 / 200) + 0.08 * sin($0 * 12.9898).magnitude + 0.02 }
        let evaluated = stride(from: 0.0, through: 3_000, by: 250).map { $0 }
        var chart = LineChart(title: "loss per step", xLabel: "step", yLabel: "loss", series: [
            LineSeries(name: "train", x: steps, y: train),
            LineSeries(name: "validation", x: evaluated, y: evaluated.map { 2.3 / (1 + $0 / 250) + 0.09 }),
        ])
        chart.logY = true
        return chart
    }

    /// Ten trials of a sweep, validation accuracy per epoch.
    static var sweepSample: LineChart {
        let epochs = (1...10).map(Double.init)
        let series = (0..<10).map { trial in
            let p = Double(trial) / 9
            return LineSeries(name: "dropout=\(trimmedDecimal(p, decimals: 3))", x: epochs,
                              y: epochs.map { 0.9 - 0.5 * p * p - 0.3 * pow(0.6, $0) })
        }
        return LineChart(title: "dropout sweep: validation accuracy", xLabel: "epoch", yLabel: "accuracy",
                         series: series)
    }
}

extension HeatmapGrid {
    /// Eight heads of causal-looking attention over 17 tokens, rows summing to 1.
    static var sample: HeatmapGrid {
        let heads = 8, tokens = 17
        var weights: [Double] = []
        for h in 0..<heads {
            for q in 0..<tokens {
                let scores = (0..<tokens).map { k in -abs(Double(q - k - h % 4)) * Double(h + 1) / 4 }
                let exps = scores.map { exp($0) }
                let total = exps.reduce(0, +)
                weights += exps.map { $0 / total }
            }
        }
        return .attention(weights, heads: heads, queries: tokens, keys: tokens, title: "attention, last layer")
    }
}

extension ConfusionMatrixPlot {
    static var sample: ConfusionMatrixPlot {
        let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                     "Ankle boot"]
        let counts = (0..<10).map { t in
            (0..<10).map { p in t == p ? 800 + 17 * t : ((t * 7 + p * 3) % 11) * (t == 6 ? 9 : 2) }
        }
        return ConfusionMatrixPlot(title: "confusion matrix (test)", classNames: names, counts: counts)
    }
}

extension ImageGrid {
    /// Sixteen 5×5 oriented-edge filters of one input channel.
    static var sample: ImageGrid {
        var weights: [Float] = []
        for f in 0..<16 {
            let angle = Double(f) * Double.pi / 8
            for y in 0..<5 {
                for x in 0..<5 {
                    let u = Double(x - 2) * cos(angle) + Double(y - 2) * sin(angle)
                    weights.append(Float(sin(u * 1.3 + Double(f))))
                }
            }
        }
        return .filters(weights, filters: 16, channels: 1, kernelHeight: 5, kernelWidth: 5,
                        title: "first-layer filters")
    }
}

extension ScatterChart {
    /// Three classes of 40 points each, in clusters along a spiral, as a projection on two components.
    static var sample: ScatterChart {
        let series = (0..<3).map { c in
            let points = (0..<40).map { i -> PlotPoint in
                let t = Double(i) / 40 * 2 + Double(c) * 2.1
                return PlotPoint(t * cos(t) + 0.3 * sin(Double(i * 7)), t * sin(t) + 0.3 * cos(Double(i * 5)))
            }
            return ScatterSeries(name: "class \(c)", points: points)
        }
        return ScatterChart(title: "projection", xLabel: "pc1", yLabel: "pc2", series: series)
    }
}
