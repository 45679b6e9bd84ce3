import Testing

@testable import Runner

/// A spec that must be rejected, and a piece of the message it must be rejected with.
struct BadSpec: CustomTestStringConvertible, Sendable {
    var name: String
    var json: String
    var overrides: [String] = []
    var expected: String

    var testDescription: String { name }
}

/// `{"training": {"epochs": 1}, …}`: the smallest valid spec, with more sections spliced in.
private func spec(_ sections: String = "") -> String {
    "{\"training\": {\"epochs\": 1}" + (sections.isEmpty ? "" : ", " + sections) + "}"
}

/// A sequential model over Fashion-MNIST made of the layers given as JSON objects.
private func layers(_ list: String) -> String {
    spec("\"model\": {\"type\": \"sequential\", \"layers\": [\(list)]}")
}

/// A kernel perceptron on the XOR points with `modelKeys` added to its model and `sections` to the spec.
private func kernelPerceptron(_ modelKeys: String, _ sections: String = "") -> String {
    let model = "\"model\": {\"type\": \"kernel_perceptron\"" + (modelKeys.isEmpty ? "" : ", " + modelKeys) + "}"
    return spec("\"data\": {\"dataset\": \"xor\"}, " + model + (sections.isEmpty ? "" : ", " + sections))
}

let badSpecs: [BadSpec] = [
    // Keys
    BadSpec(
        name: "unknown key with suggestion", json: "{\"training\": {\"epochs\": 1, \"batchsize\": 5}}",
        expected: "$.training.batchsize: unknown key \"batchsize\"; did you mean \"batch_size\"?"),
    BadSpec(
        name: "unknown section with suggestion", json: "{\"trainig\": {\"epochs\": 1}}",
        expected: "$.trainig: unknown key \"trainig\"; did you mean \"training\"?"),
    BadSpec(
        name: "key of another optimizer", json: spec("\"optimizer\": {\"type\": \"sgd\", \"betas\": [0.9, 0.99]}"),
        expected: "$.optimizer.betas: not a key of the sgd optimizer (its keys are type, lr, momentum"),
    BadSpec(
        name: "key of another layer", json: layers("{\"type\": \"relu\", \"p\": 0.5}, {\"type\": \"linear\"}"),
        expected: "$.model.layers[0].p: not a key of a relu layer"),
    BadSpec(
        name: "key of another model", json: spec("\"model\": {\"hidden\": [8], \"layers\": []}"),
        expected: "$.model.layers: not a key of an mlp model"),
    // Types and ranges
    BadSpec(
        name: "wrong type", json: "{\"training\": {\"epochs\": \"ten\"}}",
        expected: "$.training.epochs: expected a positive integer, got \"ten\""),
    BadSpec(
        name: "fractional integer", json: "{\"training\": {\"epochs\": 2.5}}",
        expected: "$.training.epochs: expected a positive integer, got 2.5"),
    BadSpec(
        name: "negative batch size", json: "{\"training\": {\"epochs\": 1, \"batch_size\": -5}}",
        expected: "$.training.batch_size: expected a positive integer, got -5"),
    BadSpec(
        name: "null for a required value", json: "{\"training\": {\"epochs\": 1, \"batch_size\": null}}",
        expected: "$.training.batch_size: expected a positive integer, got null"),
    BadSpec(
        name: "zero learning rate", json: spec("\"optimizer\": {\"lr\": 0}"),
        expected: "$.optimizer.lr: expected a positive number, got 0"),
    BadSpec(
        name: "dropout of one", json: spec("\"model\": {\"dropout\": 1}"),
        expected: "$.model.dropout: expected a number in [0, 1), got 1"),
    BadSpec(
        name: "negative seed", json: spec("\"seed\": -1"), expected: "$.seed: expected a non-negative integer, got -1"),
    BadSpec(
        name: "section not an object", json: spec("\"optimizer\": \"adam\""),
        expected: "$.optimizer: expected an object, got \"adam\""),
    BadSpec(
        name: "three betas", json: spec("\"optimizer\": {\"betas\": [0.9, 0.99, 0.999]}"),
        expected: "$.optimizer.betas: expected two numbers"),
    BadSpec(
        name: "momentum needs momentum", json: spec("\"optimizer\": {\"type\": \"momentum\", \"momentum\": 0}"),
        expected: "$.optimizer.momentum: momentum needs a momentum in (0, 1), got 0"),
    BadSpec(
        name: "heads not dividing dim", json: spec("\"model\": {\"type\": \"vit\", \"dim\": 30, \"heads\": 4}"),
        expected: "$.model.heads: 4 heads do not divide dim 30"),
    // Names
    BadSpec(
        name: "unknown dataset", json: spec("\"data\": {\"dataset\": \"fashion_mnist\"}"),
        expected: "$.data.dataset: expected one of \"fashion-mnist\", \"mnist\""),
    BadSpec(
        name: "unknown dataset suggestion", json: spec("\"data\": {\"dataset\": \"fashion_mnist\"}"),
        expected: "got \"fashion_mnist\"; did you mean \"fashion-mnist\"?"),
    BadSpec(
        name: "unknown optimizer", json: spec("\"optimizer\": {\"type\": \"adamm\"}"),
        expected: "$.optimizer.type: expected one of \"sgd\", \"momentum\", \"nesterov\", \"adam\", \"adamw\", "
            + "\"rmsprop\", got \"adamm\"; did you mean \"adam\"?"),
    BadSpec(
        name: "unknown layer", json: layers("{\"type\": \"conv3d\", \"out\": 4, \"kernel\": 3}"),
        expected: "$.model.layers[0].type: expected one of \"conv2d\", \"maxpool2d\""),
    BadSpec(
        name: "unknown layer suggestion", json: layers("{\"type\": \"Conv2D\", \"out\": 4, \"kernel\": 3}"),
        expected: "got \"Conv2D\"; did you mean \"conv2d\"?"),
    BadSpec(
        name: "dilation of zero", json: layers("{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 3, \"dilation\": 0}"),
        expected: "$.model.layers[0].dilation: expected a positive integer, got 0"),
    BadSpec(
        name: "dilation of a pooling layer", json: layers("{\"type\": \"maxpool2d\", \"kernel\": 2, \"dilation\": 2}"),
        expected: "$.model.layers[0].dilation: not a key of a maxpool2d layer"),
    BadSpec(
        name: "layer without type", json: layers("{\"out\": 4}"),
        expected: "$.model.layers[0].type: required key is missing"),
    BadSpec(
        name: "unknown suite", json: spec("\"evaluation\": {\"suites\": [\"shifted_up\"]}"),
        expected: "$.evaluation.suites[0]: unknown suite \"shifted_up\""),
    BadSpec(
        name: "suite direction", json: spec("\"evaluation\": {\"suites\": [\"shifted_in_2\"]}"),
        expected: "the direction must be up, down, left or right, got \"in\""),
    // Missing and conflicting values
    BadSpec(
        name: "epochs and steps missing", json: "{\"training\": {\"batch_size\": 8}}",
        expected: "$.training: expected \"epochs\" or \"steps\" (how long to train); neither is given"),
    BadSpec(name: "empty spec", json: "{}", expected: "$.training: expected \"epochs\" or \"steps\""),
    BadSpec(
        name: "conv2d without kernel", json: layers("{\"type\": \"conv2d\", \"out\": 4}"),
        expected: "$.model.layers[0].kernel: required key is missing; a conv2d layer needs kernel"),
    BadSpec(
        name: "csv without path", json: spec("\"data\": {\"dataset\": \"csv\"}"),
        expected: "$.data.path: required key is missing; expected the path of the CSV file"),
    BadSpec(
        name: "sorted but shuffled",
        json: "{\"data\": {\"order\": \"sorted\"}, \"training\": {\"epochs\": 1, \"shuffle\": true}}",
        expected: "$.training.shuffle: data.order is \"sorted\", which shuffling would undo"),
    BadSpec(
        name: "early stopping without validation",
        json: "{\"training\": {\"epochs\": 1, \"early_stopping_patience\": 3}}",
        expected: "$.training.early_stopping_patience: early stopping needs validation data"),
    BadSpec(
        name: "more shards than examples in a batch",
        json: "{\"training\": {\"epochs\": 1, \"batch_size\": 4, \"batch_shards\": 5}}",
        expected:
            "$.training.batch_shards: 5 shards of a batch of 4 would leave some empty; at most batch_size"),
    BadSpec(
        name: "language model with epochs",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\"}, "
            + "\"training\": {\"epochs\": 1}}",
        expected: "$.training.epochs: language models train for a number of steps"),
    BadSpec(
        name: "transformer on images", json: spec("\"model\": {\"type\": \"transformer\"}"),
        expected: "$.data.dataset: a transformer is a language model; it needs \"tinyshakespeare\""),
    BadSpec(
        name: "mlp on text",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"training\": {\"steps\": 10}}",
        expected: "$.model.type: tinyshakespeare is a text corpus; it needs a \"transformer\" model"),
    BadSpec(
        name: "block longer than the model's",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\", \"block_size\": 128}, "
            + "\"model\": {\"type\": \"transformer\"}, \"training\": {\"steps\": 10}}",
        expected: "$.data.block_size: 128 is longer than the model's block_size 64"),
    BadSpec(
        name: "min_lr above lr", json: spec("\"schedule\": {\"decay\": \"cosine\", \"min_lr\": 0.01}"),
        expected: "$.schedule.min_lr: 0.01 is not below the optimizer's lr 0.001"),
    BadSpec(
        name: "splits larger than the blobs",
        json: spec("\"data\": {\"dataset\": \"blobs\", \"points\": 10, \"train\": 25, \"validation\": 10}"),
        expected: "$.data.train: 25 train + 10 validation + 0 test examples exceed the 30 points"),
    BadSpec(
        name: "suite on a table",
        json: spec(
            "\"data\": {\"dataset\": \"blobs\"}, \"evaluation\": "
                + "{\"suites\": [\"rotated_90\"]}"),
        expected: "$.evaluation.suites: suites transform images; blobs is not an image dataset"),
    BadSpec(
        name: "shift as wide as the image", json: spec("\"evaluation\": {\"suites\": [\"shifted_left_28\"]}"),
        expected: "$.evaluation.suites[0]: \"shifted_left_28\" shifts by 28 pixels"),
    // Shapes
    BadSpec(
        name: "conv kernel larger than the input",
        json: layers(
            "{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 30}, {\"type\": \"flatten\"}, "
                + "{\"type\": \"linear\"}"),
        expected:
            "$.model.layers[0]: conv2d kernel 30×30 is larger than its padded input 28×28 (its input is (1, 28, 28))"
    ),
    BadSpec(
        name: "impossible pooling",
        json: layers(
            "{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 3, \"padding\": 1}, "
                + String(repeating: "{\"type\": \"maxpool2d\", \"kernel\": 2}, ", count: 5)
                + "{\"type\": \"flatten\"}, {\"type\": \"linear\"}"),
        expected: "$.model.layers[5]: maxpool2d kernel 2×2 is larger than its input 1×1 (its input is (4, 1, 1))"),
    BadSpec(
        name: "linear on images", json: layers("{\"type\": \"linear\", \"out\": 10}"),
        expected: "$.model.layers[0]: linear needs (F) features; add a flatten layer before it"),
    BadSpec(
        name: "hidden linear without out",
        json: layers(
            "{\"type\": \"flatten\"}, {\"type\": \"linear\"}, {\"type\": \"relu\"}, "
                + "{\"type\": \"linear\"}"),
        expected: "$.model.layers[1]: linear needs \"out\"; only the last linear layer may leave it out (then 10)"),
    BadSpec(
        name: "output not the class count",
        json: layers("{\"type\": \"flatten\"}, {\"type\": \"linear\", \"out\": 5}"),
        expected: "$.model.layers[1]: the model's output is (5), but it must be one logit per class, (10)"),
    BadSpec(
        name: "no flatten at the end", json: layers("{\"type\": \"conv2d\", \"out\": 4, \"kernel\": 3}"),
        expected: "the model's output is (4, 26, 26), but it must be one logit per class, (10); end with flatten"),
    BadSpec(
        name: "batchnorm2d on features",
        json: spec(
            "\"data\": {\"dataset\": \"blobs\"}, \"model\": "
                + "{\"type\": \"cnn\", \"layers\": [{\"type\": \"batchnorm2d\"}, {\"type\": \"linear\"}]}"),
        expected: "$.model.layers[0]: batchnorm2d needs (C, H, W) images; use batchnorm1d for features"),
    BadSpec(
        name: "vit patch not dividing the image", json: spec("\"model\": {\"type\": \"vit\", \"patch_size\": 5}"),
        expected: "$.model.patch_size: 5 does not divide the image side 28"),
    BadSpec(
        name: "vit channels not the data's",
        json: spec(
            "\"data\": {\"dataset\": \"cifar10\"}, \"model\": {\"type\": \"vit\", \"patch_size\": 8, "
                + "\"channels\": 1}"),
        expected: "$.model.channels: is 1, but the images have 3"),
    BadSpec(
        name: "vit on a table", json: spec("\"data\": {\"dataset\": \"xor\"}, \"model\": {\"type\": \"vit\"}"),
        expected: "$.model.type: vit needs an image dataset"),
    BadSpec(
        name: "resnet of an unknown depth", json: spec("\"model\": {\"type\": \"resnet\", \"depth\": 19}"),
        expected: "$.model.depth: resnet has no depth 19; choose one of 18, 34, 50, 101, 152, 20, 32, 44, 56, 110"),
    BadSpec(
        name: "resnet on a table", json: spec("\"data\": {\"dataset\": \"xor\"}, \"model\": {\"type\": \"resnet\"}"),
        expected: "$.model.type: resnet needs (C, H, W) images (the data has"),
    BadSpec(
        name: "resnet with layers", json: spec("\"model\": {\"type\": \"resnet\", \"layers\": []}"),
        expected: "$.model.layers: not a key of a resnet model (its keys are type, depth)"),
    BadSpec(
        name: "logistic loss with ten classes", json: spec("\"loss\": \"logistic\""),
        expected: "$.loss: the logistic loss needs two classes, the data has 10"),
    // The kernel perceptron
    BadSpec(
        name: "degree with the rbf kernel", json: kernelPerceptron("\"kernel\": \"rbf\", \"degree\": 2"),
        expected: "$.model.degree: not a key of the rbf kernel (its keys are gamma)"),
    BadSpec(
        name: "gamma with the polynomial kernel",
        json: kernelPerceptron("\"kernel\": \"polynomial\", \"gamma\": 0.5"),
        expected: "$.model.gamma: not a key of the polynomial kernel (its keys are degree, coef0)"),
    BadSpec(
        name: "coef0 with the linear kernel", json: kernelPerceptron("\"kernel\": \"linear\", \"coef0\": 1"),
        expected: "$.model.coef0: not a key of the linear kernel (it has none)"),
    BadSpec(
        name: "gamma of zero", json: kernelPerceptron("\"gamma\": 0"),
        expected: "$.model.gamma: expected a positive number"),
    BadSpec(
        name: "polynomial of degree zero", json: kernelPerceptron("\"kernel\": \"polynomial\", \"degree\": 0"),
        expected: "$.model.degree: expected a positive integer"),
    BadSpec(
        name: "unknown kernel", json: kernelPerceptron("\"kernel\": \"gaussian\""),
        expected: "$.model.kernel: expected one of \"linear\", \"polynomial\", \"rbf\", got \"gaussian\""),
    BadSpec(
        name: "kernel of an mlp", json: spec("\"model\": {\"kernel\": \"rbf\"}"),
        expected: "$.model.kernel: not a key of an mlp model"),
    BadSpec(
        name: "kernel perceptron with an optimizer",
        json: kernelPerceptron("", "\"optimizer\": {\"type\": \"sgd\", \"lr\": 1}"),
        expected: "$.optimizer: the kernel perceptron has no optimizer"),
    BadSpec(
        name: "kernel perceptron with a schedule",
        json: kernelPerceptron("", "\"schedule\": {\"warmup_steps\": 10}"),
        expected: "$.schedule: the kernel perceptron has no learning rate to schedule"),
    BadSpec(
        name: "kernel perceptron with a loss", json: kernelPerceptron("", "\"loss\": \"perceptron\""),
        expected: "$.loss: the kernel perceptron learns from its mistakes, not from a loss"),
    BadSpec(
        name: "kernel perceptron for a number of steps",
        json: "{\"data\": {\"dataset\": \"xor\"}, \"model\": {\"type\": \"kernel_perceptron\"}, "
            + "\"training\": {\"steps\": 10}}",
        expected: "$.training.steps: the kernel perceptron trains for a number of epochs"),
    BadSpec(
        name: "kernel perceptron in batches",
        json: "{\"data\": {\"dataset\": \"xor\"}, \"model\": {\"type\": \"kernel_perceptron\"}, "
            + "\"training\": {\"epochs\": 2, \"batch_size\": 1}}",
        expected: "$.training.batch_size: the kernel perceptron does not use this key"),
    // Syntax
    BadSpec(
        name: "invalid JSON", json: "{\"training\": {\"epochs\": 1\n  \"batch_size\": 4}}",
        expected: "<spec>: invalid JSON at line 2, column 3: expected ',' or '}' after an object member"),
    BadSpec(
        name: "duplicate key", json: "{\"training\": {\"epochs\": 1, \"epochs\": 2}}",
        expected: "invalid JSON at line 1, column 28: duplicate key \"epochs\""),
    BadSpec(name: "not an object", json: "[1, 2]", expected: "$: expected an object, got [1,2]"),
    // --set
    BadSpec(
        name: "bad --set value", json: spec(), overrides: ["training.batch_size=abc"],
        expected: "$.training.batch_size: expected a positive integer, got \"abc\" (from --set training.batch_size=abc)"
    ),
    BadSpec(
        name: "bad --set array value", json: spec(), overrides: ["model.hidden=[64,"],
        expected: "$.model.hidden: expected an array of positive integers, got \"[64,\""),
    BadSpec(
        name: "bad --set number", json: spec(), overrides: ["optimizer.lr=-0.1"],
        expected: "$.optimizer.lr: expected a positive number, got -0.1 (from --set optimizer.lr=-0.1)"),
    BadSpec(
        name: "--set unknown key", json: spec(), overrides: ["optimizer.lrr=0.1"],
        expected: "$.optimizer.lrr: unknown key \"lrr\"; did you mean \"lr\"? (from --set optimizer.lrr=0.1)"),
    BadSpec(
        name: "--set through a number", json: spec(), overrides: ["training.epochs.x=3"],
        expected: "--set training.epochs.x=3: $.training.epochs: is a number, not an object, so it has no key \"x\""),
    BadSpec(
        name: "--set index out of range", json: layers("{\"type\": \"flatten\"}, {\"type\": \"linear\"}"),
        overrides: ["model.layers.5.out=3"],
        expected: "$.model.layers: has 2 elements, so index 5 is out of range"),
    BadSpec(
        name: "--set without =", json: spec(), overrides: ["training.epochs"],
        expected: "--set training.epochs: expected key.path=value"),
    BadSpec(
        name: "--set empty key", json: spec(), overrides: ["training..epochs=1"],
        expected: "\"training..epochs\" has an empty key"),
    BadSpec(
        name: "--set ambiguous shortcut", json: spec(), overrides: ["type=sgd"],
        expected: "\"type\" is a key of several sections; write model.type or optimizer.type"),
    // Sweeps
    BadSpec(
        name: "sweep value out of range", json: spec("\"sweep\": {\"grid\": {\"optimizer.lr\": [0.1, -1]}}"),
        expected: "$.sweep.grid[\"optimizer.lr\"]: value -1 gives $.optimizer.lr: expected a positive number, got -1"),
    BadSpec(
        name: "sweep unknown key path", json: spec("\"sweep\": {\"grid\": {\"optimizer.lrr\": [0.1]}}"),
        expected: "$.sweep.grid[\"optimizer.lrr\"]: value 0.1 gives $.optimizer.lrr: unknown key \"lrr\""),
    BadSpec(
        name: "sweep value breaking another section",
        json: spec("\"sweep\": {\"grid\": {\"data.dataset\": [\"xor\", \"tinyshakespeare\"]}}"),
        expected: "$.model.type: tinyshakespeare is a text corpus; it needs a \"transformer\" model, got \"mlp\" "
            + "(in trial 1: data.dataset=\"tinyshakespeare\")"),
    BadSpec(
        name: "sweep empty list", json: spec("\"sweep\": {\"grid\": {\"optimizer.lr\": []}}"),
        expected: "$.sweep.grid[\"optimizer.lr\"]: expected a non-empty array of values, got []"),
    BadSpec(
        name: "sweep log range through zero",
        json: spec("\"sweep\": {\"random\": {\"optimizer.lr\": {\"min\": 0, \"max\": 1, \"log\": true}}}"),
        expected: "$.sweep.random[\"optimizer.lr\"].min: a log-scale range needs min > 0, got 0"),
    BadSpec(
        name: "sweep range without max", json: spec("\"sweep\": {\"random\": {\"optimizer.lr\": {\"min\": 0.1}}}"),
        expected: "$.sweep.random[\"optimizer.lr\"].max: required key is missing"),
    BadSpec(
        name: "sweep trials without random", json: spec("\"sweep\": {\"grid\": {\"seed\": [1, 2]}, \"trials\": 4}"),
        expected: "$.sweep.trials: only random search has trials"),
    BadSpec(
        name: "sweep of nothing", json: spec("\"sweep\": {\"parallel\": 2}"),
        expected: "$.sweep: expected \"grid\" or \"random\""),
]

@Test(arguments: badSpecs + badDataSpecs)
func rejectsBadSpec(_ bad: BadSpec) {
    guard let message = SpecFixtures.rejection(bad.json, bad.overrides) else {
        Issue.record("accepted: \(bad.json) with \(bad.overrides)")
        return
    }
    #expect(message.contains(bad.expected), "message was: \(message)")
}

@Test func reportsEveryProblemOfAFileTogether() {
    let message =
        SpecFixtures.rejection(
            "{\"training\": {\"epochs\": 0, \"batch_size\": -5}, \"optimizer\": {\"lr\": 0, \"typo\": 1}}") ?? ""
    #expect(message.hasPrefix("<spec>: 4 problems:\n"))
    for expected in [
        "  $.training.epochs: expected a positive integer, got 0",
        "  $.training.batch_size: expected a positive integer, got -5",
        "  $.optimizer.lr: expected a positive number, got 0",
        "  $.optimizer.typo: unknown key \"typo\"",
    ] {
        #expect(message.contains(expected), "message was: \(message)")
    }
}

@Test func aLayerThatIsNotAnObjectIsOneProblem() {
    let message = SpecFixtures.rejection(
        """
        {"training": {"epochs": 1}, "model": {"type": "cnn", "layers": ["relu", {"type": "linear"}]}}
        """)
    #expect(message == "<spec>: $.model.layers[0]: expected an object, got \"relu\"")
}

@Test func aMistakeInOneSectionIsNotReportedAgainByTheRulesAcrossSections() {
    // A misspelt dataset must not also produce "a transformer needs tinyshakespeare".
    let message =
        SpecFixtures.rejection(
            "{\"data\": {\"dataset\": \"tinyshakspeare\"}, \"model\": {\"type\": \"transformer\"}, "
                + "\"training\": {\"steps\": 5}}") ?? ""
    #expect(message.contains("did you mean \"tinyshakespeare\"?"))
    #expect(!message.contains("language model"), "message was: \(message)")
}

@Test func suggestionsFindTheClosestKey() {
    let keys = ["epochs", "steps", "batch_size", "shuffle", "evaluate_every"]
    #expect(closestMatch(to: "batchsize", among: keys) == "batch_size")
    #expect(closestMatch(to: "epoch", among: keys) == "epochs")
    #expect(closestMatch(to: "EPOCHS", among: keys) == "epochs")
    #expect(closestMatch(to: "evaluate", among: keys) == "evaluate_every")
    #expect(closestMatch(to: "learning_rate", among: keys) == nil)
}
