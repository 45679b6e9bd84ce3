import Foundation
import Models
import Testing

@testable import Runner

// The layer vocabulary of specs: convolution variants, transposed convolutions, embeddings, initializations,
// hand-set weights, frozen layers and per-layer penalties.

/// The model a `sequential` spec of `layers` (JSON objects) builds for examples of `shape` with `classes` classes.
private func built(
    _ layers: String, shape: [Int], classes: Int = 3, seed: UInt64 = 0
) throws -> (model: Sequential, specs: [LayerSpec], groups: [PenalizedGroup]) {
    let diagnostics = SpecDiagnostics()
    let json = try JSONParser.parse("{\"type\": \"sequential\", \"layers\": [\(layers)]}")
    guard let model = ModelSpec.read(json, at: .root, diagnostics), diagnostics.issues.isEmpty else {
        throw SpecError(source: "<layers>", issues: diagnostics.issues)
    }
    let fitted = fitModel(
        model, to: DataShape(exampleShape: shape, classCount: classes), loss: .crossEntropy, at: .root,
        lossPath: .root, diagnostics)
    guard let fitted else { throw SpecError(source: "<layers>", issues: diagnostics.issues) }
    var building = LayerBuilding(dtype: .float64, rng: RandomGenerator(seed: seed))
    let sequential = try #require(fitted.build(&building) as? Sequential)
    return (sequential, fitted.spec.layers, building.penalizedGroups)
}

/// The message fitting `layers` to `shape` gives, nil when they fit.
private func fitProblem(_ layers: String, shape: [Int]) throws -> String? {
    do {
        _ = try built(layers, shape: shape)
        return nil
    } catch let error as SpecError {
        return error.description
    }
}

@Test func groupedReflectPaddedAndOneDimensionalConvolutionsFitAndBuild() throws {
    let (model, specs, _) = try built(
        """
        {"type": "conv2d", "out": 6, "kernel": 3, "padding": 1, "padding_mode": "reflect", "groups": 2},
        {"type": "relu"}, {"type": "globalavgpool2d"}, {"type": "linear"}
        """, shape: [4, 5, 5])
    let conv = try #require(model.layers[0] as? Conv2d)
    #expect(conv.groups == 2 && conv.paddingMode == .reflect && conv.weight.shape == [6, 2, 3, 3])
    #expect(try model.outputShapes(for: [4, 5, 5]) == [[6, 5, 5], [6, 5, 5], [6], [3]])
    #expect(specs[0].stride == 1)
    // A grouped convolution has in/groups weights per filter: 6·2·9 + 6.
    #expect(conv.parameterCount == 114)

    let sequences = try built(
        """
        {"type": "conv1d", "out": 4, "kernel": 3, "dilation": 2, "padding_mode": "circular", "padding": 2},
        {"type": "flatten"}, {"type": "linear"}
        """, shape: [2, 10])
    #expect(try sequences.model.outputShapes(for: [2, 10]) == [[4, 10], [40], [3]])
}

@Test func aTransposedConvolutionUpsamples() throws {
    let (model, _, _) = try built(
        """
        {"type": "conv_transpose2d", "out": 2, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1},
        {"type": "flatten"}, {"type": "linear"}
        """, shape: [3, 4, 4])
    // (4 − 1)·2 − 2 + 3 + 1 = 8.
    #expect(try model.outputShapes(for: [3, 4, 4])[0] == [2, 8, 8])
    #expect((model.layers[0] as? ConvTranspose2d)?.weight.shape == [3, 2, 3, 3])
}

@Test func anEmbeddingLooksUpTheIdsOfAnExample() throws {
    let (model, _, _) = try built(
        """
        {"type": "embedding", "vocabulary": 10, "out": 4}, {"type": "flatten"}, {"type": "linear"}
        """, shape: [5])
    #expect(try model.outputShapes(for: [5]) == [[5, 4], [20], [3]])
    let ids = Tensor([[1, 2, 3, 4, 9], [0, 0, 0, 0, 0]] as [[Double]], dtype: .float64)
    #expect(noGrad { model(ids) }.shape == [2, 3])
}

@Test func initializationsByNameOrWithTheirSettings() throws {
    let (model, specs, _) = try built(
        """
        {"type": "linear", "out": 400, "init": "zeros"}, {"type": "linear", "out": 300, "init": "xavier_uniform"},
        {"type": "linear", "out": 200, "init": {"type": "normal", "std": 0.02}},
        {"type": "linear", "init": {"type": "constant", "value": 0.5}}
        """, shape: [100])
    let weights = model.layers.map { ($0 as! Linear).weight.scalars }
    #expect(weights[0].allSatisfy { $0 == 0 })
    // Xavier: U[−a, a] with a = √(6 / (400 + 300)).
    let bound = (6.0 / 700).squareRoot()
    #expect(weights[1].allSatisfy { abs($0) <= bound } && weights[1].map(abs).max()! > 0.9 * bound)
    let std = (weights[2].map { $0 * $0 }.reduce(0, +) / Double(weights[2].count)).squareRoot()
    #expect(abs(std - 0.02) < 0.001)
    #expect(weights[3].allSatisfy { $0 == 0.5 })
    // The resolved spec writes every init as its object.
    #expect(specs[1].values["init"] == ["type": "xavier_uniform", "gain": 1])
}

@Test func orthogonalInitializationGivesOrthonormalFilters() throws {
    let (model, specs, _) = try built(
        """
        {"type": "conv2d", "out": 4, "kernel": 3, "init": {"type": "orthogonal", "gain": 2}},
        {"type": "flatten"}, {"type": "linear", "out": 5, "init": "orthogonal"}, {"type": "linear"}
        """, shape: [2, 5, 5])
    // The conv weight (4, 2·3·3) as a matrix has orthogonal rows of norm 2 (the gain): W·Wᵀ = 4·I.
    let conv = try #require(model.layers[0] as? Conv2d)
    let w = conv.weight.reshaped([4, 18])
    let gram = noGrad { w.matmul(w.transposed()) }.scalars
    for i in 0..<4 {
        for j in 0..<4 { #expect(abs(gram[i * 4 + j] - (i == j ? 4 : 0)) < 1e-9) }
    }
    // The linear layer (36 → 5): five orthonormal directions.
    let linear = try #require(model.layers[2] as? Linear).weight  // (36, 5)
    let columns = noGrad { linear.transposed().matmul(linear) }.scalars
    for i in 0..<5 {
        for j in 0..<5 { #expect(abs(columns[i * 5 + j] - (i == j ? 1 : 0)) < 1e-9) }
    }
    #expect(specs[2].values["init"] == ["type": "orthogonal", "gain": 1])
}

@Test func aHandSetFilterIsTheLayersWeight() throws {
    // A vertical-edge filter on one channel, in PyTorch's (out, in, kh, kw) layout; frozen.
    let (model, _, _) = try built(
        """
        {"type": "conv2d", "out": 1, "kernel": 3, "bias": false, "trainable": false,
         "weights": [[[[1, 0, -1], [2, 0, -2], [1, 0, -1]]]]},
        {"type": "flatten"}, {"type": "linear", "weights": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]}
        """, shape: [1, 4, 4])
    let conv = try #require(model.layers[0] as? Conv2d)
    #expect(conv.weight.scalars == [1, 0, -1, 2, 0, -2, 1, 0, -1] && !conv.weight.requiresGrad)
    // A linear layer's weights are written (out, in) and stored (in, out).
    let linear = try #require(model.layers[2] as? Linear)
    #expect(
        linear.weight.shape == [4, 3] && linear.weight.scalar(at: 1, 1) == 1 && linear.weight.scalar(at: 3, 0) == 0)
    #expect(model.trainableParameters.count == 2)  // the linear layer's weight and bias
    // The filter responds to a left-to-right step: the image 1 1 0 0 in every row gives 4 in its two positions.
    let image = Tensor([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0], shape: [1, 1, 4, 4], dtype: .float64)
    #expect(noGrad { conv(image) }.scalars == [4, 4, 4, 4])
}

@Test func layersWithPenaltiesOfTheirOwnGetTheirOwnParameterGroups() throws {
    let (model, _, groups) = try built(
        """
        {"type": "linear", "out": 8, "weight_decay": 0.1}, {"type": "relu"},
        {"type": "linear", "l1": 0.01, "l2": 0.001}
        """, shape: [2])
    #expect(groups.count == 2 && groups[0].parameters.count == 2 && groups[0].weightDecay == 0.1 && groups[0].l1 == nil)
    var spec = OptimizerSpec()
    spec.weightDecay = 0.5
    let optimizer = spec.makeOptimizer(model.trainableParameters, layerGroups: groups)
    #expect(optimizer.groups.map(\.parameters.count) == [0, 2, 2])
    #expect(optimizer.groups.map(\.weightDecay) == [0.5, 0.1, 0.5])
    #expect(optimizer.groups.map(\.l1) == [0, 0, 0.01] && optimizer.groups.map(\.l2) == [0, 0, 0.001])
}

@Test func aFrozenLayerKeepsItsWeightsThroughTraining() throws {
    let document = try SpecDocument(
        text: """
            {"data": {"dataset": "blobs"}, "training": {"steps": 20, "batch_size": 16},
             "model": {"type": "sequential", "layers": [{"type": "linear", "out": 8, "trainable": false},
              {"type": "relu"}, {"type": "linear"}]}}
            """)
    let experiment = try buildExperiment(document.spec)
    let model = try #require(experiment.model as? Sequential)
    let frozen = (model.layers[0] as! Linear).weight.scalars
    let head = (model.layers[2] as! Linear).weight.scalars
    let folder = NSTemporaryDirectory() + "tapegrad-frozen-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    guard case .classification(let task) = experiment.task else { throw SpecError("not a classifier") }
    let run = ClassificationRun(
        task: task, model: model, optimizer: experiment.optimizer, schedule: experiment.schedule,
        baseLearningRate: experiment.optimizer.learningRate, spec: experiment.spec,
        curves: try CurvesWriter(path: folder + "-curves.csv"), checkpoints: nil, showProgress: false)
    defer { try? FileManager.default.removeItem(atPath: folder + "-curves.csv") }
    _ = try run.run(from: TrainingState(seed: 0))
    #expect((model.layers[0] as! Linear).weight.scalars == frozen)
    #expect((model.layers[2] as! Linear).weight.scalars != head)
    #expect(experiment.optimizer.parameters.count == 2)
}

@Test func badLayerSettingsNameTheirLayerAndKey() throws {
    #expect(
        try fitProblem(#"{"type": "conv2d", "out": 4, "kernel": 3, "dilation": 5}"#, shape: [1, 8, 8])?
            .contains("$.layers[0]: conv2d kernel 3×3 with dilation 5 spans 11×11, is larger than its padded input 8×8")
            == true)
    #expect(
        try fitProblem(#"{"type": "conv2d", "out": 4, "kernel": 3, "groups": 3}"#, shape: [2, 8, 8])?
            .contains("$.layers[0]: conv2d 3 groups do not divide its 2 input and 4 output channels") == true)
    #expect(
        try fitProblem(
            #"{"type": "conv2d", "out": 4, "kernel": 3, "padding": 4, "padding_mode": "reflect"}"#, shape: [1, 4, 4])?
            .contains("reflect padding 4 must be smaller than its input 4×4") == true)
    #expect(
        try fitProblem(
            #"{"type": "conv_transpose2d", "out": 2, "kernel": 3, "stride": 2, "output_padding": 2}"#,
            shape: [1, 4, 4])?
            .contains("output padding 2 must be smaller than the stride or the dilation") == true)
    #expect(
        try fitProblem(
            #"{"type": "conv2d", "out": 2, "kernel": 3, "weights": [[[[1, 2], [3, 4]]]]}, {"type": "flatten"}"#
                + #", {"type": "linear"}"#,
            shape: [1, 5, 5])?
            .contains("$.layers[0]: conv2d weights of shape (1, 1, 2, 2) given; its weight is (2, 1, 3, 3)") == true)
}

let badLayerSpecs: [BadSpec] = {
    func layers(_ list: String) -> String {
        "{\"training\": {\"epochs\": 1}, \"model\": {\"type\": \"sequential\", \"layers\": [\(list)]}}"
    }
    return [
        BadSpec(
            name: "unknown initialization", json: layers(#"{"type": "linear", "init": "xavier"}"#),
            expected: "$.model.layers[0].init: expected one of \"default\", \"normal\""),
        BadSpec(
            name: "uniform bounds reversed",
            json: layers(#"{"type": "linear", "init": {"type": "uniform", "low": 1, "high": 0}}"#),
            expected: "$.model.layers[0].init.high: 0 is not above low 1"),
        BadSpec(
            name: "constant without value", json: layers(#"{"type": "linear", "init": {"type": "constant"}}"#),
            expected: "$.model.layers[0].init.value: required key is missing"),
        BadSpec(
            name: "std of another scheme", json: layers(#"{"type": "linear", "init": {"type": "zeros", "std": 1}}"#),
            expected: "$.model.layers[0].init.std: not a key of the zeros initialization"),
        BadSpec(
            name: "ragged weights", json: layers(#"{"type": "linear", "weights": [[1, 2], [3]]}"#),
            expected: "$.model.layers[0].weights: expected numbers nested in arrays of a regular shape"),
        BadSpec(
            name: "weights and init", json: layers(#"{"type": "linear", "weights": [[1]], "init": "zeros"}"#),
            expected: "$.model.layers[0].init: is given with \"weights\""),
        BadSpec(
            name: "embedding without vocabulary", json: layers(#"{"type": "embedding", "out": 4}"#),
            expected: "$.model.layers[0].vocabulary: required key is missing; an embedding layer needs vocabulary"),
        BadSpec(
            name: "unknown padding mode",
            json: layers(#"{"type": "conv2d", "out": 1, "kernel": 1, "padding_mode": "mirror"}"#),
            expected: "$.model.layers[0].padding_mode: expected one of \"zeros\", \"circular\", \"reflect\""),
        BadSpec(
            name: "negative weight decay", json: layers(#"{"type": "linear", "weight_decay": -1}"#),
            expected: "$.model.layers[0].weight_decay: expected a non-negative number, got -1"),
        BadSpec(
            name: "trainable on a pooling layer",
            json: layers(#"{"type": "maxpool2d", "kernel": 2, "trainable": false}"#),
            expected: "$.model.layers[0].trainable: not a key of a maxpool2d layer"),
    ]
}()

@Test(arguments: badLayerSpecs)
func rejectsBadLayerSpec(_ bad: BadSpec) {
    guard let message = SpecFixtures.rejection(bad.json, bad.overrides) else {
        Issue.record("accepted: \(bad.json)")
        return
    }
    #expect(message.contains(bad.expected), "message was: \(message)")
}
