// The examples of a classification experiment, as inputs or as a layer's outputs, projected on their first two
// principal components: what `runner project` computes and writes.

import Foundation
import Models

/// The split `runner project` takes its examples from.
enum ProjectionSplit: String, CaseIterable, Sendable {
    case train, validation, test
}

/// Examples of one split projected on the first two principal components of their features (the raw inputs, or
/// the outputs of a sequential model's layer): pc_i = (x − μ) · v_i, with v_i the principal axes of these
/// examples themselves (`principalComponents`).
struct Projection {
    /// Each example's first and second coordinate, in the split's order.
    var coordinates: [PlotPoint]
    /// Each example's class index.
    var labels: [Int]
    /// The name of each class, for the legend.
    var classNames: [String]
    /// The share of the features' total variance along each of the two components.
    var explainedVarianceRatio: (first: Double, second: Double)
    /// What was projected: "raw inputs" or "layer 2 (ReLU())".
    var source: String
    /// The features per example that were projected.
    var featureCount: Int
    var split: ProjectionSplit

    /// Projects the first `limit` examples of `split` of a classification experiment: their inputs as the model
    /// sees them (standardized when the spec normalizes), or with `layer`, the output of layer `layer` of the
    /// experiment's `Sequential` model in evaluation mode, flattened per example.
    init(_ experiment: Experiment, split: ProjectionSplit, layer: Int?, limit: Int) throws(ProjectionError) {
        guard case .classification(let task) = experiment.task else {
            throw .notClassification(dataset: experiment.spec.data.dataset.rawValue)
        }
        var layers: ArraySlice<any Layer> = []
        if let layer {
            guard let model = task.model as? Sequential else {
                throw .notSequential(modelType: experiment.spec.model.type.rawValue)
            }
            guard model.layers.indices.contains(layer) else {
                throw .noSuchLayer(layer, count: model.layers.count)
            }
            layers = model.layers[...layer]
        }
        let chosen: LabelledDataset?
        switch split {
        case .train: chosen = task.train
        case .validation: chosen = task.validation
        case .test: chosen = task.test
        }
        guard let whole = chosen, whole.count > 0 else { throw .noSplit(split) }
        let dataset = whole.prefix(limit)
        guard dataset.count >= 2 else { throw .tooFewExamples(dataset.count, split: split) }

        var features = dataset.inputs  // (M, …)
        source = "raw inputs"
        if let layer, let last = layers.last {
            features = Self.outputs(of: layers, for: features.converted(to: task.inputDType))
            source = "layer \(layer) (\(last))"
        }
        let count = dataset.count
        featureCount = features.count / count
        guard featureCount >= 2 else { throw .tooFewFeatures(featureCount, source: source) }
        let flat = features.reshaped([count, featureCount]).converted(to: .float64)  // (M, D)
        let components: PrincipalComponents
        do {
            components = try principalComponents(of: flat, count: 2)
        } catch {
            throw .linearAlgebra(error)
        }
        let ratio = components.explainedVarianceRatio.scalars
        guard ratio.allSatisfy(\.isFinite) else { throw .noVariance(count, source: source) }
        let projected = components.project(flat).scalars  // (M, 2)
        coordinates = (0..<count).map { PlotPoint(projected[2 * $0], projected[2 * $0 + 1]) }
        labels = dataset.labels
        classNames = dataset.classNames ?? (0..<dataset.classCount).map { "class \($0)" }
        explainedVarianceRatio = (ratio[0], ratio[1])
        self.split = split
    }

    /// The outputs of `layers` applied in order to `inputs` (M, …) in evaluation mode, in batches: (M, …).
    private static func outputs(of layers: ArraySlice<any Layer>, for inputs: Tensor) -> Tensor {
        var context = ForwardContext.evaluation
        let count = inputs.shape[0]
        let batchSize = 256
        return noGrad {
            let batches = stride(from: 0, to: count, by: batchSize).map { start in
                var x = inputs.sliced(axis: 0, start..<min(start + batchSize, count))
                for layer in layers { x = layer(x, &context) }
                return x
            }
            return Tensor.concatenate(batches, axis: 0)
        }
    }

    /// `projection.csv`: a header `index,pc1,pc2,label`, then one row per example: its position in the split, its
    /// two coordinates and its class index.
    var csv: String {
        var text = "index,pc1,pc2,label\n"
        for (i, (point, label)) in zip(coordinates, labels).enumerated() {
            text += "\(i),\(String(format: "%.6g", point.x)),\(String(format: "%.6g", point.y)),\(label)\n"
        }
        return text
    }

    /// The scatter plot of the examples, one color per class, each axis labelled with its share of the variance.
    func chart(title: String) -> ScatterChart {
        func percent(_ share: Double) -> String { String(format: "%.1f %%", 100 * share) }
        let series = classNames.indices.map { c in
            ScatterSeries(
                name: classNames[c], points: zip(coordinates, labels).filter { $0.1 == c }.map(\.0))
        }
        return ScatterChart(
            title: "\(title): \(split.rawValue) split, \(source)",
            xLabel: "pc1 (\(percent(explainedVarianceRatio.first)) of the variance)",
            yLabel: "pc2 (\(percent(explainedVarianceRatio.second)))", series: series)
    }

    /// Writes `projection.csv`, `projection.svg` and `projection.png` into `folder` (created when missing) and
    /// returns their names.
    @discardableResult
    func writeFiles(to folder: String, title: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = (folder as NSString).appendingPathComponent("projection")
        try csv.write(toFile: base + ".csv", atomically: true, encoding: .utf8)
        try write(chart(title: title), to: base)
        return ["projection.csv", "projection.svg", "projection.png"]
    }
}

/// Why examples could not be projected; each message says what to change.
enum ProjectionError: Error, CustomStringConvertible {
    case notClassification(dataset: String)
    case noSplit(ProjectionSplit)
    case notSequential(modelType: String)
    case noSuchLayer(Int, count: Int)
    case tooFewExamples(Int, split: ProjectionSplit)
    case tooFewFeatures(Int, source: String)
    case noVariance(Int, source: String)
    case linearAlgebra(LinearAlgebraError)

    var description: String {
        switch self {
        case .notClassification(let dataset):
            "runner project projects the examples of a classification dataset; \(dataset) is not one"
        case .noSplit(let split):
            "the spec has no \(split.rawValue) examples (data.\(split.rawValue) is 0); choose another --split"
        case .notSequential(let type):
            "--layer needs a sequential model (model.type sequential, cnn or perceptron); the spec's model is "
                + "\(article(type)) \(type); leave --layer out to project the raw inputs"
        case .noSuchLayer(let layer, let count):
            "--layer \(layer): the model has no layer \(layer); its layers are 0…\(count - 1)"
        case .tooFewExamples(let count, let split):
            "two principal components need at least 2 examples; the \(split.rawValue) split gives \(count) "
                + "(see --limit)"
        case .tooFewFeatures(let count, let source):
            "\(source): \(count) feature\(count == 1 ? "" : "s") per example; two principal components need at "
                + "least 2"
        case .noVariance(let count, let source):
            "the \(count) examples are all the same at \(source); there is no direction to project on"
        case .linearAlgebra(let error):
            "\(error)"
        }
    }
}
