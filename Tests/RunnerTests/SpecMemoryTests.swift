import Foundation
import Models
import Testing

@testable import Runner

// Sizes an integer holds but the machine does not: the memory estimate refuses them before anything is
// allocated, at the key that makes the run large, with the estimate and the limit in the message.

/// `{"training": {"epochs": 1}, …}`: the smallest valid spec, with more sections spliced in.
private func spec(_ sections: String) -> String { "{\"training\": {\"epochs\": 1}, " + sections + "}" }

/// The part of every memory refusal after the key.
private let needs = ": the run needs about "

let oversizedSpecs: [BadSpec] = [
    BadSpec(
        name: "a hidden layer of 10^12",
        json: spec("\"data\": {\"dataset\": \"xor\"}, \"model\": {\"hidden\": [1e12]}"),
        expected: "$.model.hidden[0]\(needs)"),
    BadSpec(
        name: "the second hidden layer the widest",
        json: spec("\"data\": {\"dataset\": \"xor\"}, \"model\": {\"hidden\": [8, 1000000000000, 8]}"),
        expected: "$.model.hidden[1]\(needs)"),
    BadSpec(
        name: "a linear layer of 10^12 outputs",
        json: spec("\"model\": {\"type\": \"sequential\", \"layers\": [{\"type\": \"flatten\"}, "
            + "{\"type\": \"linear\", \"out\": 1000000000000}, {\"type\": \"linear\"}]}"),
        expected: "$.model.layers[1]\(needs)"),
    BadSpec(
        name: "a conv2d of 2^40 channels in a residual block",
        json: spec("\"model\": {\"type\": \"sequential\", \"layers\": [{\"type\": \"residual\", \"layers\": "
            + "[{\"type\": \"conv2d\", \"out\": 1099511627776, \"kernel\": 5, \"padding\": 2}]}, "
            + "{\"type\": \"globalavgpool2d\"}, {\"type\": \"linear\"}]}"),
        expected: "$.model.layers[0]\(needs)"),
    BadSpec(
        name: "a transformer dim of 2^40",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\", "
            + "\"dim\": 1099511627776, \"heads\": 1}, \"training\": {\"steps\": 1}}",
        expected: "$.model.dim\(needs)"),
    BadSpec(
        name: "a transformer context of 2^30",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\", "
            + "\"block_size\": 1073741824}, \"training\": {\"steps\": 1}}",
        expected: "$.model.block_size\(needs)"),
    BadSpec(
        name: "a language model's batch of Int.max",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\"}, "
            + "\"training\": {\"steps\": 1, \"batch_size\": 9223372036854775807}}",
        expected: "$.training.batch_size\(needs)"),
    BadSpec(
        name: "a vit dim of 2^40",
        json: spec("\"model\": {\"type\": \"vit\", \"dim\": 1099511627776, \"heads\": 1}"),
        expected: "$.model.dim\(needs)"),
    BadSpec(
        name: "a seq2seq dim of 2^40",
        json: spec("\"data\": {\"dataset\": \"sequences\"}, \"model\": {\"type\": \"seq2seq\", "
            + "\"dim\": 1099511627776, \"heads\": 1}"),
        expected: "$.model.dim\(needs)"),
    BadSpec(
        name: "10^9 blob classes",
        json: spec("\"data\": {\"dataset\": \"blobs\", \"classes\": 1000000000, \"points\": 1}, "
            + "\"model\": {\"hidden\": [64]}"),
        expected: "$.data.classes\(needs)"),
    BadSpec(
        name: "10^13 generated points", json: spec("\"data\": {\"dataset\": \"spiral\", \"points\": 1e13}"),
        expected: "$.data.points\(needs)"),
    BadSpec(
        name: "edge images of 10^5 × 10^5 pixels",
        json: spec("\"data\": {\"dataset\": \"edges\", \"image_size\": 100000, \"points\": 10}, "
            + "\"model\": {\"hidden\": []}"),
        expected: "$.data.image_size\(needs)"),
    BadSpec(
        name: "a small model over a tiny limit",
        json: "{\"data\": {\"dataset\": \"xor\"}, \"training\": {\"epochs\": 1, \"memory_limit_gb\": 1e-9}}",
        expected: "$.model.hidden[0]: the run needs about 0 MB: 0 MB for 642 parameters with their gradients and "
            + "optimizer state, 0 MB for the activations of a batch of 4, 0 MB of data; the limit is 0 MB, "
            + "training.memory_limit_gb"),
    BadSpec(
        name: "a memory limit of zero",
        json: "{\"data\": {\"dataset\": \"xor\"}, \"training\": {\"epochs\": 1, \"memory_limit_gb\": 0}}",
        expected: "$.training.memory_limit_gb: expected a positive number, got 0"),
]

@Test(arguments: oversizedSpecs)
func refusesRunsLargerThanTheMemoryLimit(_ bad: BadSpec) {
    guard let message = refusal(bad.json, bad.overrides) else {
        Issue.record("accepted: \(bad.json) with \(bad.overrides)")
        return
    }
    #expect(message.contains(bad.expected), "message was: \(message)")
}

@Test func theMemoryRefusalStatesTheEstimateAndTheMachinesLimit() {
    let message = refusal(spec("\"data\": {\"dataset\": \"xor\"}, \"model\": {\"hidden\": [1e12]}")) ?? ""
    // 2 → 10^12 → 2 weights and biases: 5·10^12 parameters, 4 bytes each for the values, gradients, 2 moments.
    #expect(message.contains("the run needs about 128.0 TB: 80.0 TB for 5e+12 parameters"), "\(message)")
    #expect(message.contains("the machine's memory (raise it with training.memory_limit_gb)"), "\(message)")
}

@Test func aRaisedLimitAcceptsWhatTheDefaultRefuses() throws {
    let wide = "{\"data\": {\"dataset\": \"xor\"}, \"model\": {\"hidden\": [1000000]}, \"training\": {\"epochs\": 1, "
    #expect(SpecFixtures.rejection(wide + "\"memory_limit_gb\": 0.01}}")?.contains("$.model.hidden[0]") == true)
    #expect(SpecFixtures.rejection(wide + "\"memory_limit_gb\": 1}}") == nil)
}

@Test func aCSVLabelOfABillionClassesIsRefusedBeforeTheModelIsBuilt() {
    SpecFixtures.withTemporaryDirectory { dir in
        let path = SpecFixtures.write("a,b,label\n1,2,0\n3,4,1000000000\n5,6,1\n", "t.csv", in: dir)
        let message = refusal(spec("\"data\": {\"dataset\": \"csv\", \"path\": \"\(path)\"}")) ?? ""
        #expect(message.contains("$.data.label_column\(needs)"), "message was: \(message)")
    }
}

@Test func aTestSetOfAnotherImageShapeIsRefusedWhenLoaded() throws {
    try SpecFixtures.withTemporaryDirectory { dir in
        func images(_ count: Int, side: Int) -> [UInt8] {
            let pixels = [UInt8](repeating: 7, count: count * side * side)
            return IDX.encode(IDXArray(dimensions: [count, side, side], bytes: pixels))
        }
        let labels = IDX.encode(IDXArray(dimensions: [4], bytes: [0, 1, 2, 3]))
        for (name, bytes) in [
            ("train-images-idx3-ubyte", images(4, side: 28)), ("t10k-images-idx3-ubyte", images(4, side: 14)),
            ("train-labels-idx1-ubyte", labels), ("t10k-labels-idx1-ubyte", labels),
        ] {
            try Data(bytes).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name)))
        }
        let message = refusal(spec("\"data\": {\"path\": \"\(dir)\"}")) ?? ""
        #expect(message.contains("$.data.path: the test images are (1, 14, 14), the training images (1, 28, 28)"))
    }
}
