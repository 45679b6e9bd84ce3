import Foundation
import Models
import Testing

@testable import Runner

/// Whether two JSON trees are equal, numbers compared by value (`0` equals `0.0`).
func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
    case (.object(let x), .object(let y)):
        return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { sameJSON(x[$0]!, y[$0]!) }
    default:
        if let p = a.doubleValue, let q = b.doubleValue { return p == q }
        return a == b
    }
}

@Test func theSmallestSpecHasEveryDefaultFilled() throws {
    let spec = try SpecFixtures.spec("{\"training\": {\"epochs\": 1}}")
    let expected = try JSONParser.parse(
        """
        {
          "name": "experiment", "seed": 0, "loss": "cross_entropy",
          "data": {"dataset": "fashion-mnist", "path": null, "train": null, "validation": 0, "test": null,
                   "normalize": true, "augment_crop_padding": 0, "augment_flip": false, "order": "shuffled"},
          "model": {"type": "mlp", "hidden": [128], "activation": "relu", "dropout": 0},
          "optimizer": {"type": "adam", "lr": 0.001, "weight_decay": 0, "l1": 0, "betas": [0.9, 0.999],
                        "eps": 1e-8, "clip_grad_norm": null},
          "schedule": {"warmup_steps": 0, "decay": "constant"},
          "training": {"epochs": 1, "steps": null, "batch_size": 32, "shuffle": true, "evaluate_every": null,
                       "log_every": 100, "early_stopping_patience": null, "checkpoint_every": null,
                       "batch_shards": 1, "memory_limit_gb": null},
          "evaluation": {"suites": []},
          "outputs": {"plots": true, "sample_length": 200, "sample_temperature": 0, "attention_plot": true,
                      "predictions": false, "least_squares": false, "tensorboard": true, "curves_x": "step",
                      "sample_grids": true, "weight_images": true, "feature_maps": null, "decision_boundary": true},
          "sweep": null
        }
        """)
    #expect(sameJSON(spec.resolvedJSON, expected), "resolved: \(spec.resolvedJSON.prettyJSON)")
}

@Test func optimizerDefaultsDependOnTheType() throws {
    func optimizer(_ type: String) throws -> OptimizerSpec {
        try SpecFixtures.spec("{\"training\": {\"epochs\": 1}, \"optimizer\": {\"type\": \"\(type)\"}}").optimizer
    }
    let sgd = try optimizer("sgd")
    let momentum = try optimizer("momentum")
    let nesterov = try optimizer("nesterov")
    let adamw = try optimizer("adamw")
    let rmsprop = try optimizer("rmsprop")
    #expect(sgd.lr == 0.01 && sgd.momentum == 0 && sgd.values["betas"] == nil && sgd.values["eps"] == nil)
    #expect(momentum.lr == 0.01 && momentum.momentum == 0.9)
    #expect(nesterov.momentum == 0.9)
    #expect(adamw.lr == 0.001 && adamw.weightDecay == 0.01 && adamw.betas == [0.9, 0.999] && adamw.eps == 1e-8)
    #expect(rmsprop.lr == 0.01 && rmsprop.alpha == 0.99 && rmsprop.momentum == 0 && rmsprop.eps == 1e-8)
}

@Test func defaultsThatDependOnOtherSections() throws {
    let sorted = try SpecFixtures.spec("{\"data\": {\"order\": \"sorted\"}, \"training\": {\"epochs\": 1}}")
    #expect(sorted.training.shuffle == false)
    let text = try SpecFixtures.spec(
        "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\"}, "
            + "\"training\": {\"steps\": 2000}}")
    #expect(text.training.evaluateEvery == 200)
    #expect(text.data.validationFraction == 0.1 && text.data.blockSize == nil)
    let blobs = try SpecFixtures.spec("{\"data\": {\"dataset\": \"blobs\"}, \"training\": {\"epochs\": 1}}")
    #expect(blobs.data.points == 100 && blobs.data.classes == 3 && blobs.data.test == 0)
    let csv = try SpecFixtures.spec(
        "{\"data\": {\"dataset\": \"csv\", \"path\": \"t.csv\"}, \"training\": {\"steps\": 1}}")
    #expect(csv.data.labelColumn == "label" && csv.data.featureColumns == nil)
}

@Test func sequentialLayersGetTheirDefaultsAndTheLastOutTheClassCount() throws {
    let spec = try SpecFixtures.spec(
        """
        {"training": {"epochs": 1}, "model": {"type": "cnn", "layers": [
          {"type": "conv2d", "out": 16, "kernel": 3, "padding": 1}, {"type": "batchnorm2d"}, {"type": "relu"},
          {"type": "maxpool2d", "kernel": 2}, {"type": "dropout"}, {"type": "flatten"}, {"type": "linear"}]}}
        """)
    let layers = spec.model.layers
    #expect(layers[0].stride == 1 && layers[0].bias == true && layers[0].padding == 1)
    #expect(layers[3].stride == 2)
    #expect(layers[4].p == 0.5)
    #expect(layers[6].out == 10)
    let json = spec.resolvedJSON.objectValue!["model"]!
    #expect(json.objectValue!["type"] == .string("cnn"))
}

@Test(arguments: [
    "{\"training\": {\"epochs\": 1}}",
    """
    {"name": "cnn", "seed": 7, "training": {"epochs": 3, "batch_size": 16, "evaluate_every": 50,
     "early_stopping_patience": 2, "checkpoint_every": 100}, "data": {"validation": 500, "test": 1000},
     "optimizer": {"type": "momentum", "lr": 0.05, "momentum": 0.5, "weight_decay": 1e-4, "l1": 1e-5,
     "clip_grad_norm": 1.5}, "schedule": {"warmup_steps": 10, "decay": "step", "every": 100, "factor": 0.5},
     "evaluation": {"suites": ["shifted_up_4", "rotated_90", "rotated_45"]},
     "model": {"type": "sequential", "layers": [{"type": "conv2d", "out": 8, "kernel": 5, "stride": 2,
     "bias": false}, {"type": "avgpool2d", "kernel": 2, "stride": 1}, {"type": "global_avg_pool"},
     {"type": "batchnorm1d"}, {"type": "gelu"}, {"type": "tanh"}, {"type": "sigmoid"},
     {"type": "linear", "out": 10, "bias": false}]}}
    """,
    """
    {"data": {"dataset": "cifar10"}, "model": {"type": "vit", "patch_size": 8, "dim": 32, "heads": 4},
     "optimizer": {"type": "rmsprop", "alpha": 0.9}, "schedule": {"decay": "cosine", "steps": 500},
     "training": {"steps": 1000}, "outputs": {"plots": false, "attention_plot": false}}
    """,
    """
    {"data": {"dataset": "tinyshakespeare", "block_size": 32, "validation_fraction": 0.2},
     "model": {"type": "transformer", "depth": 2, "activation": "gelu", "dropout": 0.1},
     "optimizer": {"type": "adamw", "betas": [0.9, 0.95]}, "training": {"steps": 100}, "outputs": {"sample_length": 50}}
    """,
    """
    {"data": {"dataset": "csv", "path": "table.csv", "label_column": "y", "feature_columns": ["a", "b"], "test": 5},
     "model": {"hidden": [], "activation": "linear"}, "loss": "mse", "training": {"epochs": 2},
     "sweep": {"grid": {"model.hidden": [[], [4]]}, "random": {"optimizer.lr": {"min": 0.001, "max": 0.1,
     "log": true}}, "trials": 3, "seed": 5, "parallel": 2}}
    """,
    """
    {"data": {"dataset": "separable", "points": 50, "normalize": false, "order": "sorted"}, "loss": "logistic",
     "optimizer": {"type": "nesterov"}, "training": {"epochs": 1}}
    """,
])
func resolvedSpecsRoundTripThroughJSON(_ text: String) throws {
    let spec = try SpecFixtures.spec(text)
    // Through the text of a run's spec.json.
    #expect(try ExperimentSpec(json: try JSONParser.parse(spec.resolvedJSON.prettyJSON)) == spec)
    // Through the strict reader, as `runner` reading a resolved spec would.
    let reread = try ExperimentSpec(json: spec.resolvedJSON, source: "<resolved>")
    #expect(reread == spec)
    #expect(reread.resolvedJSON == spec.resolvedJSON)
}

// MARK: - --set

@Test func overridesChangeValues() throws {
    let base = "{\"training\": {\"epochs\": 5}, \"model\": {\"hidden\": [10]}}"
    let spec = try SpecFixtures.spec(
        base,
        [
            "optimizer.lr=0.01", "training.epochs=1", "model.hidden=[64,32]", "data.dataset=mnist", "name=my run",
        ])
    #expect(spec.optimizer.lr == 0.01)
    #expect(spec.training.epochs == 1)
    #expect(spec.model.type == .mlp && spec.model.hidden == [64, 32] && spec.model.dropout == 0)
    #expect(spec.data.dataset == .mnist)
    #expect(spec.name == "my run")
}

@Test func overridePathsMayBeWrittenAsErrorsWriteThem() throws {
    let spec = try SpecFixtures.spec("{\"training\": {\"epochs\": 5}}", ["$.optimizer.lr=0.2", "$.training.epochs=2"])
    #expect(spec.optimizer.lr == 0.2 && spec.training.epochs == 2)
}

@Test func overrideShortcutsFindTheirSection() throws {
    let spec = try SpecFixtures.spec(
        "{\"training\": {\"epochs\": 5}}", ["epochs=3", "lr=0.5", "batch_size=7", "seed=9"])
    #expect(spec.training.epochs == 3 && spec.optimizer.lr == 0.5 && spec.training.batchSize == 7 && spec.seed == 9)
}

@Test func overridesReachIntoArraysAndCreateSections() throws {
    let base = """
        {"training": {"epochs": 1}, "model": {"type": "sequential", "layers": [
          {"type": "conv2d", "out": 4, "kernel": 3}, {"type": "flatten"}, {"type": "linear"}]}}
        """
    for path in ["model.layers.0.out", "model.layers[0].out"] {
        let spec = try SpecFixtures.spec(base, ["\(path)=8", "schedule.decay=cosine"])
        #expect(spec.model.layers[0].out == 8)
        #expect(spec.schedule.decay == .cosine && spec.schedule.minLr == 0)
    }
}

@Test func overridesApplyInOrderAndBeforeValidation() throws {
    // The file alone is invalid; the override fixes it before it is checked.
    let spec = try SpecFixtures.spec(
        "{\"training\": {\"epochs\": 1, \"batch_size\": -5}}", ["training.batch_size=2", "training.batch_size=8"])
    #expect(spec.training.batchSize == 8)
    // A value that parses as JSON is taken as JSON: 42 is a number, not a name.
    #expect(
        SpecFixtures.rejection("{\"training\": {\"epochs\": 1}}", ["name=42"])?
            .contains("$.name: expected a non-empty string, got 42") == true)
    #expect(try SpecFixtures.spec("{\"training\": {\"epochs\": 1}}", ["name=\"42\""]).name == "42")
}

// MARK: - Files

@Test func aFileNamesTheRunAndIsFoundWhateverTheCaseOfItsFolder() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        SpecFixtures.write("{\"training\": {\"epochs\": 1}}", "Experiments/mlp.json", in: directory)
        SpecFixtures.write(
            "{\"name\": \"given\", \"training\": {\"epochs\": 1}}", "Experiments/named.json", in: directory)
        let lower = (directory as NSString).appendingPathComponent("experiments/mlp.json")
        let document = try SpecDocument.load(path: lower, overrides: ["epochs=4"])
        #expect(document.spec.name == "mlp" && document.spec.training.epochs == 4)
        let named = try ExperimentSpec.load(
            path: (directory as NSString).appendingPathComponent("Experiments/named.json"))
        #expect(named.name == "given")
        let missing = (directory as NSString).appendingPathComponent("Experiments/none.json")
        #expect(throws: SpecError(source: missing, "the spec file does not exist")) {
            try ExperimentSpec.load(path: missing)
        }
    }
}
