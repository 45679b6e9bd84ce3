import Foundation
import Models
import Testing

@testable import Runner

// Hostile numbers: sizes, counts and products whose arithmetic would overflow an integer, each refused with a
// message at the key that holds the number, when the spec is read or when its experiment is built (from
// generated data only: no file is read).

/// `{"training": {"epochs": 1}, …}`: the smallest valid spec, with more sections spliced in.
private func spec(_ sections: String) -> String { "{\"training\": {\"epochs\": 1}, " + sections + "}" }

/// A sequential model over Fashion-MNIST made of the layers given as JSON objects (refused before any image is read).
private func layers(_ list: String) -> String {
    spec("\"model\": {\"type\": \"sequential\", \"layers\": [\(list)]}")
}

/// 2^62 and 2^63 − 1 as JSON.
private let huge = "4611686018427387904"
private let largest = "9223372036854775807"

/// The message `json` is refused with when read or when built, or nil when it is accepted.
func refusal(_ json: String, _ overrides: [String] = []) -> String? {
    do {
        let document = try SpecDocument(text: json, overrides: overrides)
        _ = try buildExperiment(document.spec, resolver: SpecFixtures.isolatedResolver("/nonexistent"))
        return nil
    } catch {
        return "\(error)"
    }
}

let overflowingSpecs: [BadSpec] = [
    BadSpec(
        name: "train + validation near 2^63",
        json: spec("\"data\": {\"dataset\": \"blobs\", \"train\": \(largest), \"validation\": \(largest)}"),
        expected: "$.data.train: \(largest) train + \(largest) validation + 0 test examples are more than an "
            + "integer can count"),
    BadSpec(
        name: "validation + test near 2^63",
        json: spec("\"data\": {\"dataset\": \"spiral\", \"validation\": \(largest), \"test\": \(largest)}"),
        expected: "$.data.validation: \(largest) validation + \(largest) test examples are more than an integer"),
    BadSpec(
        name: "edges: train + validation near 2^63",
        json: spec("\"data\": {\"dataset\": \"edges\", \"train\": \(largest), \"validation\": \(largest)}"),
        expected: "$.data.train: \(largest) train + \(largest) validation images exceed the 1000 generated"),
    BadSpec(
        name: "edges: a shift near 2^63",
        json: spec("\"data\": {\"dataset\": \"edges\", \"thickness\": 2, \"test_shift\": \(largest)}"),
        expected: "$.data.test_shift: a line 2 pixels thick shifted by \(largest) leaves the 8×8 image"),
    BadSpec(
        name: "edges: images of 2^32 × 2^32 pixels",
        json: spec("\"data\": {\"dataset\": \"edges\", \"image_size\": 4294967296}"),
        expected: "$.data.image_size: 4294967296×4294967296 images have more pixels than an integer can count"),
    BadSpec(
        name: "blobs: points × classes past 2^63",
        json: spec("\"data\": {\"dataset\": \"blobs\", \"points\": \(huge), \"classes\": 4}"),
        expected: "$.data.points: \(huge) points in each of 4 classes are more than an integer can count"),
    BadSpec(
        name: "crop padding near 2^62", json: spec("\"data\": {\"augment_crop_padding\": \(huge)}"),
        expected: "$.data.augment_crop_padding: \(huge) pixels of padding on 28×28 images"),
    BadSpec(
        name: "conv2d padding near 2^62",
        json: layers("{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 3, \"padding\": \(huge)}, "
            + "{\"type\": \"flatten\"}, {\"type\": \"linear\"}"),
        expected: "$.model.layers[0]: conv2d padding \(huge) is larger than the largest size supported, 1073741824"),
    BadSpec(
        name: "conv2d dilation near 2^62",
        json: layers("{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 3, \"dilation\": \(huge)}, "
            + "{\"type\": \"flatten\"}, {\"type\": \"linear\"}"),
        expected: "$.model.layers[0]: conv2d dilation \(huge) is larger than the largest size supported"),
    BadSpec(
        name: "conv2d kernel near 2^63",
        json: layers("{\"type\": \"conv2d\", \"out\": 4, \"kernel\": \(largest)}, {\"type\": \"flatten\"}, "
            + "{\"type\": \"linear\"}"),
        expected: "$.model.layers[0]: conv2d kernel \(largest) is larger than the largest size supported"),
    BadSpec(
        name: "conv_transpose2d stride near 2^62",
        json: layers("{\"type\": \"conv_transpose2d\", \"out\": 4, \"kernel\": 3, \"stride\": \(huge)}, "
            + "{\"type\": \"flatten\"}, {\"type\": \"linear\"}"),
        expected: "$.model.layers[0]: conv_transpose2d stride \(huge) is larger than the largest size supported"),
    BadSpec(
        name: "a flatten of more values than an integer counts",
        json: layers("{\"type\": \"conv2d\", \"out\": \(huge), \"kernel\": 1}, {\"type\": \"flatten\"}, "
            + "{\"type\": \"linear\"}"),
        expected: "$.model.layers[1]: flatten would make one axis of more values than an integer can count"),
    BadSpec(
        name: "epochs × steps per epoch past 2^63",
        json: "{\"data\": {\"dataset\": \"blobs\"}, \"training\": {\"epochs\": \(largest), \"batch_size\": 1}}",
        expected: "$.training.epochs: \(largest) epochs of 300 steps are more steps than an integer can count"),
    BadSpec(
        name: "sequences: validation + test near 2^63",
        json: "{\"data\": {\"dataset\": \"sequences\", \"validation\": \(largest), \"test\": \(largest)}, "
            + "\"model\": {\"type\": \"seq2seq\"}, \"training\": {\"epochs\": 1}}",
        expected: "$.data.validation: \(largest) validation + \(largest) test examples are more than an integer"),
    BadSpec(
        name: "an integer sweep range past 2^53",
        json: spec("\"data\": {\"dataset\": \"xor\"}, \"sweep\": {\"random\": {\"seed\": {\"min\": 0, \"max\": 1e300, "
            + "\"integer\": true}}}"),
        expected: "$.sweep.random[\"seed\"].max: an integer range lies within ±2^53 (9007199254740992"),
    BadSpec(
        name: "an integer sweep range below −2^53",
        json: spec("\"data\": {\"dataset\": \"xor\"}, \"sweep\": {\"random\": {\"seed\": {\"min\": -1e19, \"max\": 1, "
            + "\"integer\": true}}}"),
        expected: "$.sweep.random[\"seed\"].min: an integer range lies within ±2^53"),
    BadSpec(
        name: "a sweep range of infinite span",
        json: spec("\"sweep\": {\"random\": {\"optimizer.lr\": {\"min\": -1.7e308, \"max\": 1.7e308}}}"),
        expected: "$.sweep.random[\"optimizer.lr\"].max: the range [-1.7e+308, 1.7e+308] is wider than the largest"),
    BadSpec(
        name: "2^62 trials × 4 rounds",
        json: spec("\"sweep\": {\"random\": {\"optimizer.lr\": {\"min\": 0.1, \"max\": 0.2}}, \"trials\": \(huge), "
            + "\"refine\": {\"rounds\": 4}}"),
        expected: "$.sweep: expands to more trials than an integer can count; at most 10000"),
    BadSpec(
        name: "64 grid keys of 2 values",
        json: spec("\"sweep\": {\"grid\": {"
            + (0..<64).map { "\"model.hidden[\($0)]\": [1, 2]" }.joined(separator: ", ") + "}}"),
        expected: "$.sweep: expands to more trials than an integer can count; at most 10000"),
    BadSpec(
        name: "2^62 trials of a 4-point grid",
        json: spec("\"sweep\": {\"grid\": {\"seed\": [1, 2, 3, 4]}, \"random\": {\"optimizer.lr\": {\"min\": 0.1, "
            + "\"max\": 0.2}}, \"trials\": \(huge)}"),
        expected: "$.sweep: expands to more trials than an integer can count; at most 10000"),
]

@Test(arguments: overflowingSpecs)
func refusesNumbersWhoseArithmeticOverflows(_ bad: BadSpec) {
    guard let message = refusal(bad.json, bad.overrides) else {
        Issue.record("accepted: \(bad.json) with \(bad.overrides)")
        return
    }
    #expect(message.contains(bad.expected), "message was: \(message)")
}

@Test func aBatchOfTheLargestIntegerTrainsOnWhatThereIs() throws {
    let experiment = try buildExperiment(
        SpecFixtures.spec(
            "{\"data\": {\"dataset\": \"xor\"}, \"training\": {\"epochs\": 3, \"batch_size\": \(largest)}}"))
    #expect(experiment.spec.training.batchSize == Int.max)
    #expect(batchCount(4, batchSize: Int.max) == 1 && batchCount(9, batchSize: 4) == 3)
}
