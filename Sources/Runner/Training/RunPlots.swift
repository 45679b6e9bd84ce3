import Foundation
import Models

/// The plots of a run: loss and accuracy curves, the test confusion matrix, the first-layer filters of CNNs and
/// the last layer's attention for attention models (when `attention`), each as `name.svg` and `name.png` in
/// `directory`. Returns the base names written.
@discardableResult
func writeRunPlots(
    curves: [CurvePoint], result: RunResult, task: ExperimentTask, title: String, directory: String,
    attention: Bool = true
) throws -> [String] {
    var written: [String] = []
    func save(_ chart: some Chart, _ name: String) throws {
        try write(chart, to: (directory as NSString).appendingPathComponent(name))
        written.append(name)
    }
    let splits = ["train", "validation", "test"]
    func series(_ value: (CurvePoint) -> Double?) -> [LineSeries] {
        splits.compactMap { split in
            let points = curves.filter { $0.split == split }
                .compactMap { p in value(p).map { PlotPoint(Double(p.step), $0) } }
            return points.isEmpty ? nil : LineSeries(name: split, points: points)
        }
    }
    try save(LineChart(title: "\(title): loss", xLabel: "step", yLabel: "loss", series: series(\.loss)), "loss")

    switch task {
    case .classification(let classification):
        try save(
            LineChart(title: "\(title): accuracy", xLabel: "step", yLabel: "accuracy", series: series(\.accuracy)),
            "accuracy")
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
        try save(
            LineChart(
                title: "\(title): token accuracy", xLabel: "step", yLabel: "accuracy", series: series(\.accuracy)),
            "accuracy")
    }
    return written
}
