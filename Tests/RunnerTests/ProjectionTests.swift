import Foundation
import Models
import Testing

@testable import Runner

// `runner project`: the principal components of a known dataset, the files it writes, a layer of a model whose
// checkpoint is loaded, and the messages of what cannot be projected.

/// A sequential model on 2-D blobs: linear 2 → 2, ReLU, linear to the classes.
private let sequentialBlobs = """
    {"name": "blobs", "data": {"dataset": "blobs", "classes": 3, "points": 20, "test": 12},
     "model": {"type": "sequential", "layers": [{"type": "linear", "out": 2}, {"type": "relu"}, {"type": "linear"}]},
     "training": {"epochs": 1}}
    """

/// The CSV rows of a projection.csv file after its header, as numbers.
private func rows(ofCSV text: String) -> [[Double]] {
    text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
}

@Test func pointsOnALineHaveAllTheirVarianceOnTheFirstComponent() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        // y = 2x + 1: standardized, both features are the same z, so the first axis is (1, 1)/√2, pc1 = √2 z and
        // pc2 = 0.
        let lines = (0..<8).map { i in "\(Double(i) / 2),\(Double(i) + 1),\(i % 2)" }
        let path = SpecFixtures.write((["x,y,label"] + lines).joined(separator: "\n"), "line.csv", in: directory)
        let experiment = try buildExperiment(
            try SpecFixtures.spec(
                "{\"data\": {\"dataset\": \"csv\", \"path\": \"\(path)\"}, \"training\": {\"epochs\": 1}}"))
        guard case .classification(let task) = experiment.task else {
            Issue.record("not a classification task")
            return
        }
        let projection = try Projection(experiment, split: .train, layer: nil, limit: 100)
        #expect(abs(projection.explainedVarianceRatio.first - 1) < 1e-6)
        #expect(projection.explainedVarianceRatio.second < 1e-6)
        #expect(projection.featureCount == 2 && projection.source == "raw inputs")
        let z = task.train.inputs.scalars  // (8, 2), both columns equal
        for (i, point) in projection.coordinates.enumerated() {
            #expect(abs(point.x - 2.0.squareRoot() * z[2 * i]) < 1e-5, "example \(i)")
            #expect(abs(point.y) < 1e-5, "example \(i)")
        }

        // projection.csv: a header, then each example's index, coordinates and label.
        #expect(projection.csv.hasPrefix("index,pc1,pc2,label\n"))
        let written = rows(ofCSV: projection.csv)
        #expect(written.map { Int($0[0]) } == Array(0..<8))
        #expect(written.map { Int($0[3]) } == task.train.labels)
        #expect(zip(written, projection.coordinates).allSatisfy { abs($0[1] - $1.x) < 1e-5 })

        let out = directory + "/out"
        let files = try projection.writeFiles(to: out, title: "line")
        #expect(files == ["projection.csv", "projection.svg", "projection.png"])
        #expect(try String(contentsOfFile: out + "/projection.csv", encoding: .utf8) == projection.csv)
        let svg = SVGReader(try String(contentsOfFile: out + "/projection.svg", encoding: .utf8))
        #expect(svg.wellFormed)
        for text in ["line: train split, raw inputs", "pc1 (100.0 % of the variance)", "class 0", "class 1"] {
            #expect(svg.texts.contains(text), "\(text) in \(svg.texts)")
        }
        let png = PNGReader([UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/projection.png"))))
        #expect(png.header?.width == 760 && png.chunks.allSatisfy { $0.crcMatches })
    }
}

@Test func aLayersOutputIsProjectedWithTheCheckpointsWeights() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        let specPath = SpecFixtures.write(sequentialBlobs, "spec.json", in: directory)
        let experiment = try buildExperiment(try SpecDocument.load(path: specPath).spec)
        guard case .classification(let task) = experiment.task, let test = task.test,
            let model = experiment.model as? Sequential, let first = model.layers[0] as? Linear
        else {
            Issue.record("not a sequential classifier")
            return
        }
        // Layer 0 of the checkpoint keeps the first feature and zeroes the second: its outputs (x₁, 0) vary along
        // the first axis only, so pc1 is x₁ (centred) and carries all the variance.
        noGrad {
            first.weight.assign(Tensor([[1, 0], [0, 0]]))  // (in, out)
            first.bias!.assign(Tensor([0.0, 0]))
        }
        try Checkpoint.save(model: experiment.model, to: directory + "/checkpoint.safetensors")

        func project(_ arguments: [String]) throws -> [[Double]] {
            let out = directory + "/out-\(arguments.count)"
            let command = try Project.parse([specPath, "--layer", "0", "--out", out] + arguments)
            try command.run()
            return rows(ofCSV: try String(contentsOfFile: out + "/projection.csv", encoding: .utf8))
        }
        let trained = try project(["--weights", directory])
        let x = test.inputs.scalars  // (12, 2)
        let mean = (0..<12).map { x[2 * $0] }.reduce(0, +) / 12
        #expect(trained.count == 12)
        for (i, row) in trained.enumerated() {
            #expect(abs(row[1] - (x[2 * i] - mean)) < 1e-4, "example \(i)")
            #expect(abs(row[2]) < 1e-5, "example \(i)")
        }
        // The model as the spec builds it, untrained, mixes both features.
        let untrained = try project([])
        #expect(untrained.contains { abs($0[2]) > 1e-3 })
    }
}

/// A projection that must fail, and a piece of its message.
struct BadProjection: CustomTestStringConvertible, Sendable {
    var name: String
    var spec: String
    var arguments: [String]
    var message: String

    var testDescription: String { name }
}

let badProjections: [BadProjection] = [
    BadProjection(
        name: "a layer of an mlp", spec: "{\"data\": {\"dataset\": \"xor\"}, \"training\": {\"epochs\": 1}}",
        arguments: ["--layer", "0"],
        message: "--layer needs a sequential model (model.type sequential, cnn or perceptron); the spec's model is an "
            + "mlp"),
    BadProjection(
        name: "a layer past the last", spec: sequentialBlobs, arguments: ["--layer", "3"],
        message: "--layer 3: the model has no layer 3; its layers are 0…2"),
    BadProjection(
        name: "a missing split", spec: sequentialBlobs, arguments: ["--split", "validation"],
        message: "the spec has no validation examples (data.validation is 0); choose another --split"),
    BadProjection(
        name: "a layer of one output",
        spec: "{\"data\": {\"dataset\": \"xor\"}, \"loss\": \"logistic\", \"training\": {\"epochs\": 1}, "
            + "\"model\": {\"type\": \"sequential\", \"layers\": [{\"type\": \"linear\"}]}}",
        arguments: ["--layer", "0", "--split", "train"],
        message: "layer 0 (Linear(2, 1)): 1 feature per example; two principal components need at least 2"),
    BadProjection(
        name: "a missing dataset file",
        spec: "{\"data\": {\"dataset\": \"csv\", \"path\": \"/nonexistent/t.csv\"}, \"training\": {\"epochs\": 1}}",
        arguments: [], message: "$.data.path: dataset file not found: /nonexistent/t.csv"),
    BadProjection(
        name: "a text corpus",
        spec: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\"}, "
            + "\"training\": {\"steps\": 1}}",
        arguments: [],
        message: "runner project projects the examples of a classification dataset; "
            + "tinyshakespeare is not one"),
    BadProjection(
        name: "PyTorch's weights", spec: sequentialBlobs,
        arguments: ["--layer", "0", "--weights", "weights.safetensors"],
        message: "is not a TapeGrad checkpoint (weights.safetensors is PyTorch's layout); give the run's "
            + "checkpoint.safetensors or its folder"),
]

@Test(arguments: badProjections)
func aProjectionThatCannotBeMadeSaysWhy(_ bad: BadProjection) throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        let specPath = SpecFixtures.write(bad.spec, "spec.json", in: directory)
        var rng = RandomGenerator(seed: 0)
        try PyTorchExport.write(Linear(2, 2, using: &rng), to: directory + "/weights.safetensors")
        let arguments = bad.arguments.map { $0.hasSuffix(".safetensors") ? directory + "/" + $0 : $0 }
        do {
            let command = try Project.parse([specPath, "--out", directory + "/out"] + arguments)
            try command.run()
            Issue.record("projected")
        } catch {
            #expect("\(error)".contains(bad.message), "message was: \(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/out/projection.csv"))
    }
}

@Test func weightsWithoutALayerAreRejected() {
    #expect(throws: (any Error).self) { try Project.parse(["spec.json", "--weights", "run"]) }
    #expect(throws: (any Error).self) { try Project.parse(["spec.json", "--limit", "1"]) }
}
