import Foundation
import Models

/// How a run's curves are drawn: against steps, epochs or seconds, with the best validation point and the point
/// early stopping stopped at marked.
struct CurveLayout {
    var axis: CurveAxis = .step
    /// Steps per epoch, for the `epoch` axis.
    var stepsPerEpoch = 1
    /// Whether the run had early stopping (its best weights were restored).
    var earlyStopping = false

    var label: String { axis == .seconds ? "seconds" : axis.rawValue }

    func x(_ point: CurvePoint) -> Double {
        switch axis {
        case .step: Double(point.step)
        case .epoch: Double(point.step) / Double(max(stepsPerEpoch, 1))
        case .seconds: point.wallSeconds
        }
    }

    /// The best validation point (highest accuracy, else lowest loss; the first of equals), labelled as what early
    /// stopping restores when the run had it; and where an early-stopped run stopped.
    func markers(_ curves: [CurvePoint], status: RunStatus) -> [VerticalMarker] {
        let validation = curves.filter { $0.split == "validation" }
        var markers: [VerticalMarker] = []
        // The first of equal points, as early stopping keeps the first best epoch.
        let best: CurvePoint? =
            validation.allSatisfy { $0.accuracy != nil }
            ? validation.reduce(nil) { best, p in best.map { p.accuracy! > $0.accuracy! ? p : $0 } ?? p }
            : validation.reduce(nil) { best, p in best.map { p.loss < $0.loss ? p : $0 } ?? p }
        if let best {
            markers.append(VerticalMarker(x: x(best), label: earlyStopping ? "best, restored" : "best validation"))
        }
        if status == .earlyStopped, let last = curves.last {
            markers.append(VerticalMarker(x: x(last), label: "early stop", color: RGB(hex: 0xC0392B)))  // red
        }
        return markers
    }
}

/// The plots of a run: loss and accuracy curves, the test confusion matrix, the first-layer filters of CNNs, and
/// as `outputs` asks: sample grids, linear-layer weight images, feature maps, decision regions of 2-D data, the last
/// layer's attention for attention models; each as `name.svg` and `name.png` in `directory`. Returns the base
/// names written.
@discardableResult
func writeRunPlots(
    curves: [CurvePoint], result: RunResult, task: ExperimentTask, title: String, directory: String,
    outputs: OutputSpec = OutputSpec(), layout: CurveLayout = CurveLayout()
) throws -> [String] {
    let attention = outputs.attentionPlot
    var written: [String] = []
    func save(_ chart: some Chart, _ name: String) throws {
        try write(chart, to: (directory as NSString).appendingPathComponent(name))
        written.append(name)
    }
    let splits = ["train", "validation", "test"]
    func series(_ value: (CurvePoint) -> Double?) -> [LineSeries] {
        splits.compactMap { split in
            let points = curves.filter { $0.split == split }
                .compactMap { p in value(p).map { PlotPoint(layout.x(p), $0) } }
            return points.isEmpty ? nil : LineSeries(name: split, points: points)
        }
    }
    let markers = layout.markers(curves, status: result.status)
    func curveChart(_ what: String, _ value: (CurvePoint) -> Double?) -> LineChart {
        LineChart(
            title: "\(title): \(what)", xLabel: layout.label, yLabel: what.hasSuffix("accuracy") ? "accuracy" : what,
            series: series(value), markers: markers)
    }
    try save(curveChart("loss", \.loss), "loss")

    switch task {
    case .classification(let classification):
        try save(curveChart("accuracy", \.accuracy), "accuracy")
        if let confusion = result.confusion {
            let names = classification.test?.classNames ?? (0..<confusion.count).map(String.init)
            try save(
                ConfusionMatrixPlot(
                    title: "\(title): test confusion matrix", classNames: names,
                    counts: confusion),
                "confusion_matrix")
        }
        if let filters = classification.model.namedModules.lazy.compactMap({ ($0.module as? Conv2d)?.weight }).first {
            let s = filters.shape  // (F, C, KH, KW)
            try save(
                ImageGrid.filters(
                    filters.scalars, filters: s[0], channels: s[1], kernelHeight: s[2],
                    kernelWidth: s[3], title: "\(title): first-layer filters"), "filters")
        }
        if outputs.sampleGrids {
            let sets =
                [("train", classification.train), ("test", classification.test)]
                + classification.suites.map {
                    ($0.name, Optional($0.dataset))
                }
            for (name, dataset) in sets {
                if let dataset, let grid = sampleGrid(dataset, title: "\(title): \(name) samples") {
                    try save(grid, "samples_\(name)")
                }
            }
        }
        if outputs.weightImages,
            let grid = linearWeightImages(
                classification.model, exampleShape: classification.train.exampleShape,
                classNames: classification.train.classNames, title: "\(title): first linear layer's weights")
        {
            try save(grid, "linear_weights")
        }
        if let layer = outputs.featureMaps,
            let grid = featureMaps(
                classification.model, layer: layer, dataset: classification.test ?? classification.train,
                inputDType: classification.inputDType, title: "\(title): outputs of layers 0…\(layer)")
        {
            try save(grid, "feature_maps")
        }
        if outputs.decisionBoundary, let chart = decisionBoundary(classification, title: "\(title): decision regions") {
            try save(chart, "decision_boundary")
        }
        if attention, let vit = classification.model as? VisionTransformer,
            let example = (classification.validation ?? classification.test)?.subset(0..<1)
        {
            let image = example.inputs.converted(to: classification.inputDType)
            let weights = noGrad { vit.attentionWeights(image) }  // (1, H, T, T)
            let s = weights.shape
            try save(
                HeatmapGrid.attention(
                    weights.scalars, heads: s[1], queries: s[2], keys: s[3],
                    title: "\(title): last-layer attention, first example"), "attention")
        }
    case .languageModel(let language) where attention:
        let block = Array(language.validation.prefix(language.blockSize))
        let weights = noGrad { language.model.attentionWeights(block, batch: 1) }
        let s = weights.shape  // (1, H, T, T)
        try save(
            HeatmapGrid.attention(
                weights.scalars, heads: s[1], queries: s[2], keys: s[3],
                title: "\(title): last-layer attention, first validation block"),
            "attention")
    case .languageModel:
        break
    case .sequenceToSequence:
        try save(curveChart("token accuracy", \.accuracy), "accuracy")
    }
    return written
}
