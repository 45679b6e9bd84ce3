import Foundation
import Models

// The pictures of a classification run beyond its curves: samples of each dataset with their labels, the first
// linear layer's weights as images, a layer's feature maps for a few inputs, and the decision regions of a model
// on 2-D data.

/// The first `count` examples of `dataset` as a grid captioned with their class names; nil unless the examples are
/// images (C, H, W). Color images are shown as the mean of their channels.
func sampleGrid(_ dataset: LabelledDataset, title: String, count: Int = 32) -> ImageGrid? {
    let shape = dataset.exampleShape
    guard shape.count == 3, dataset.count > 0 else { return nil }
    let n = min(count, dataset.count)
    let values = dataset.prefix(n).inputs.scalars  // the n shown, not the whole set as Doubles
    let images = (0..<n).map { GrayImage(channelMeanOf: values, example: $0, shape: shape) }
    let captions = dataset.labels.prefix(n).map { dataset.classNames?[$0] ?? "\($0)" }
    return ImageGrid(title: title, images: images, tilesPerRow: 8, captions: Array(captions))
}

/// The weights of `model`'s first linear layer as images of the input's shape, one per output unit (at most 64):
/// what each unit of an MLP on images looks for — one template per class for a linear classifier. Nil unless the
/// examples are images (C, H, W) and that layer reads all their pixels. Captioned with class names when the layer
/// has one unit per class.
func linearWeightImages(
    _ model: any Module, exampleShape: [Int], classNames: [String]?, title: String
) -> ImageGrid? {
    guard exampleShape.count == 3,
        let linear = model.namedModules.lazy.compactMap({ $0.module as? Linear }).first,
        linear.inFeatures == exampleShape.reduce(1, *)
    else { return nil }
    let (channels, height, width) = (exampleShape[0], exampleShape[1], exampleShape[2])
    let units = min(linear.outFeatures, 64)
    let w = linear.weight.scalars  // (in, out), row-major
    let plane = height * width
    let images = (0..<units).map { unit in
        GrayImage(
            width: width, height: height,
            values: (0..<plane).map { k in
                (0..<channels).reduce(0.0) { $0 + w[($1 * plane + k) * linear.outFeatures + unit] }
                    / Double(channels)
            })
    }
    let names = classNames.flatMap { $0.count == linear.outFeatures ? $0 : nil }
    return ImageGrid(
        title: title, images: images, tilesPerRow: min(units, 10),
        captions: (0..<units).map { names?[$0] ?? "unit \($0)" })
}

/// The outputs of layers 0…`layer` of a sequential `model` (evaluation mode) for the first `count` examples of
/// `dataset`: a row per example, its input first, then each channel of the layer's output (at most 15). Nil unless
/// the model is sequential, the examples are images and the layer's output has channels and positions (C, H, W).
func featureMaps(
    _ model: any Layer, layer: Int, dataset: LabelledDataset, inputDType: DType, title: String, count: Int = 4
) -> ImageGrid? {
    guard let sequential = model as? Sequential, sequential.layers.indices.contains(layer),
        dataset.exampleShape.count == 3, dataset.count > 0
    else { return nil }
    let n = min(count, dataset.count)
    let inputs = dataset.subset(0..<n).inputs.converted(to: inputDType)
    var context = ForwardContext.evaluation
    let outputs = noGrad {
        sequential.layers[...layer].reduce(inputs) { x, module in module(x, &context) }
    }
    guard outputs.rank == 4 else { return nil }
    let (channels, height, width) = (outputs.shape[1], outputs.shape[2], outputs.shape[3])
    let shown = min(channels, 15)
    let (x, y) = (inputs.scalars, outputs.scalars)
    var images: [GrayImage] = []
    var captions: [String] = []
    for i in 0..<n {
        images.append(GrayImage(channelMeanOf: x, example: i, shape: dataset.exampleShape))
        captions.append(dataset.classNames?[dataset.labels[i]] ?? "input")
        for c in 0..<shown {
            let start = (i * channels + c) * height * width
            images.append(GrayImage(width: width, height: height, values: Array(y[start..<start + height * width])))
            captions.append("ch \(c)")
        }
    }
    return ImageGrid(title: title, images: images, tilesPerRow: shown + 1, captions: captions)
}

/// The decision regions of `task`'s model over the plane its 2-D examples span (10 % margin), on a grid of
/// `resolution`² cells, with the test examples (else the training ones; at most 1000) drawn over them. Nil unless
/// the examples have 2 features. Axes are the features as the model sees them (standardized, with `normalize`).
func decisionBoundary(_ task: ClassificationTask, title: String, resolution: Int = 100) -> DecisionBoundaryChart? {
    guard task.train.exampleShape == [2] else { return nil }
    let shown = task.test ?? task.train
    let all = task.train.inputs.scalars + shown.inputs.scalars
    let (xs, ys) = (
        stride(from: 0, to: all.count, by: 2).map { all[$0] }, stride(from: 1, to: all.count, by: 2).map { all[$0] }
    )
    func range(_ values: [Double]) -> (lower: Double, upper: Double) {
        let (low, high) = (values.min() ?? 0, values.max() ?? 1)
        let margin = max(high - low, 1e-6) * 0.1
        return (low - margin, high + margin)
    }
    let (xRange, yRange) = (range(xs), range(ys))
    var grid: [Double] = []
    grid.reserveCapacity(resolution * resolution * 2)
    for row in 0..<resolution {
        for column in 0..<resolution {
            grid.append(xRange.lower + (Double(column) + 0.5) / Double(resolution) * (xRange.upper - xRange.lower))
            grid.append(yRange.lower + (Double(row) + 0.5) / Double(resolution) * (yRange.upper - yRange.lower))
        }
    }
    var context = ForwardContext.evaluation
    let logits = noGrad { task.logits(Tensor(grid, shape: [resolution * resolution, 2]), &context) }
    let regions = logits.argmax(axis: 1)
    let n = min(shown.count, 1000)
    let values = shown.inputs.scalars
    let points = (0..<n).map { (point: PlotPoint(values[2 * $0], values[2 * $0 + 1]), label: shown.labels[$0]) }
    let names = shown.classNames ?? (0..<shown.classCount).map { "class \($0)" }
    return DecisionBoundaryChart(
        title: title, xRange: xRange, yRange: yRange, regions: regions, resolution: resolution, points: points,
        classNames: names)
}

extension GrayImage {
    /// Example `i` of row-major examples of `shape` (C, H, W), its channels averaged: a color image in gray.
    init(channelMeanOf values: [Double], example i: Int, shape: [Int]) {
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let plane = height * width
        self.init(
            width: width, height: height,
            values: (0..<plane).map { k in
                (0..<channels).reduce(0.0) { $0 + values[(i * channels + $1) * plane + k] } / Double(channels)
            })
    }
}
