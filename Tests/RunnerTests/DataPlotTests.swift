import Foundation
import Models
import Testing

@testable import Runner

// The pictures beyond the curves, checked by content: sample grids with their labels, a linear layer's weights as
// images, feature maps equal to the layer's outputs, and decision regions where a hand-set classifier puts them.

/// `count` images (1, 2, 3) whose pixels are i, i + 0.1, …; labels alternate between two named classes.
private func images(_ count: Int) -> LabelledDataset {
    let values = (0..<count).flatMap { i in (0..<6).map { Double(i) + Double($0) / 10 } }
    return LabelledDataset(
        inputs: Tensor(values, shape: [count, 1, 2, 3]), labels: (0..<count).map { $0 % 2 }, classCount: 2,
        classNames: ["left", "right"])
}

@Test func aSampleGridShowsTheFirstImagesWithTheirLabels() throws {
    let grid = try #require(sampleGrid(images(40), title: "t"))
    #expect(grid.images.count == 32 && grid.captions?.prefix(3) == ["left", "right", "left"])
    #expect(grid.images[1].width == 3 && grid.images[1].height == 2)
    #expect(zip(grid.images[1].values, [1.0, 1.1, 1.2, 1.3, 1.4, 1.5]).allSatisfy { abs($0 - $1) < 1e-6 })
    let table = LabelledDataset(inputs: Tensor.zeros([4, 2]), labels: [0, 1, 0, 1], classCount: 2)
    #expect(sampleGrid(table, title: "t") == nil)  // a table has no images
}

@Test func linearWeightsBecomeOneImagePerUnit() throws {
    // W (6, 2): unit 0 weighs pixel k by k, unit 1 by −k.
    let w = Tensor((0..<6).flatMap { [Double($0), -Double($0)] }, shape: [6, 2])
    let model = Sequential([Flatten(), Linear(weight: w, bias: nil)])
    let grid = try #require(linearWeightImages(model, exampleShape: [1, 2, 3], classNames: ["a", "b"], title: "t"))
    #expect(grid.images.count == 2 && grid.captions == ["a", "b"])  // one unit per class: named by class
    #expect(grid.images[0].values == [0, 1, 2, 3, 4, 5] && grid.images[1].values == [0, -1, -2, -3, -4, -5])
    let wider = try #require(linearWeightImages(model, exampleShape: [1, 2, 3], classNames: ["a", "b", "c"], title: "t"))
    #expect(wider.captions == ["unit 0", "unit 1"])
    #expect(linearWeightImages(model, exampleShape: [1, 3, 3], classNames: nil, title: "t") == nil)  // 9 ≠ 6 inputs
}

@Test func featureMapsAreTheLayersOutputs() throws {
    var rng = RandomGenerator(seed: 0)
    // Two 1×1 filters of weight 2 and no bias: each map is twice the image.
    let conv = Conv2d(1, 2, kernel: 1, weightInit: .constant(2), biasInit: .zeros, using: &rng)
    let model = Sequential([conv, ReLU(), Flatten(), Linear(12, 2, using: &rng)])
    let grid = try #require(featureMaps(model, layer: 1, dataset: images(5), inputDType: .float32, title: "t"))
    #expect(grid.images.count == 4 * 3 && grid.tilesPerRow == 3)  // 4 examples: the input and 2 channels each
    #expect(grid.captions?.prefix(3) == ["left", "ch 0", "ch 1"])
    let input = grid.images[3].values  // the second example
    #expect(zip(grid.images[4].values, input).allSatisfy { abs($0 - 2 * $1) < 1e-5 })
    #expect(featureMaps(model, layer: 2, dataset: images(5), inputDType: .float32, title: "t") == nil)  // flat
    #expect(featureMaps(model, layer: 9, dataset: images(5), inputDType: .float32, title: "t") == nil)
}

@Test func theDecisionRegionsAreWhereTheClassifierPutsThem() throws {
    // Logits (0, x1): class 1 right of x1 = 0, class 0 left of it.
    let model = Linear(weight: Tensor([0, 1, 0, 0], shape: [2, 2]), bias: nil)
    let points = LabelledDataset(
        inputs: Tensor([-1, -1, 1, 1, -1, 1, 1, -1], shape: [4, 2]), labels: [0, 1, 0, 1], classCount: 2)
    let task = ClassificationTask(
        train: points, validation: nil, test: points, suites: [], loss: .crossEntropy, model: model)
    let chart = try #require(decisionBoundary(task, title: "t", resolution: 10))
    #expect(chart.regions.count == 100 && chart.points.count == 4 && chart.classNames == ["class 0", "class 1"])
    #expect(chart.xRange.lower < -1 && chart.xRange.upper > 1)
    for row in 0..<10 { #expect(chart.regions[row * 10..<row * 10 + 10] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]) }
    // Drawn: the left of the plot in class 0's tint, the right in class 1's.
    let canvas = chart.raster()
    let middle = Int(chart.frame.top + chart.frame.plotHeight / 2)
    #expect(canvas[Int(chart.frame.left) + 3, middle] == DecisionBoundaryChart.regionColor(0))
    #expect(canvas[Int(chart.frame.right) - 3, middle] == DecisionBoundaryChart.regionColor(1))
    let table = LabelledDataset(inputs: Tensor.zeros([2, 3]), labels: [0, 1], classCount: 2)
    #expect(decisionBoundary(
        ClassificationTask(train: table, validation: nil, test: nil, suites: [], loss: .crossEntropy, model: model),
        title: "t") == nil)
}
