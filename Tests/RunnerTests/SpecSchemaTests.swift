import Foundation
import Models
import Testing

@testable import Runner

/// Specs that between them use every section, model, layer, optimizer, schedule and dataset kind.
private let variantSpecs: [String] = [
    "{\"training\": {\"epochs\": 1}}",
    """
    {"data": {"dataset": "cifar10", "validation": 100, "augment_crop_padding": 4, "augment_flip": true},
     "training": {"steps": 10}, "outputs": {"predictions": true}, "model": {"type": "sequential",
     "layers": [{"type": "conv2d", "out": 8, "kernel": 3}, {"type": "batchnorm2d"}, {"type": "relu"},
     {"type": "maxpool2d", "kernel": 2}, {"type": "avgpool2d", "kernel": 2, "stride": 1}, {"type": "dropout"},
     {"type": "global_avg_pool"}, {"type": "batchnorm1d"}, {"type": "gelu"}, {"type": "tanh"}, {"type": "sigmoid"},
     {"type": "flatten"}, {"type": "linear"}]}, "optimizer": {"type": "sgd"}, "schedule": {"decay": "step",
     "every": 10}, "evaluation": {"suites": ["rotated_180"]},
     "sweep": {"grid": {"seed": [1, 2]}, "random": {"optimizer.lr": {"min": 0.01, "max": 0.1}}, "trials": 2,
     "refine": {"metric": "validation_loss"}}}
    """,
    """
    {"data": {"dataset": "mnist"}, "model": {"type": "vit"}, "optimizer": {"type": "momentum"},
     "schedule": {"decay": "cosine"}, "training": {"epochs": 1}}
    """,
    """
    {"data": {"dataset": "tinyshakespeare"}, "model": {"type": "transformer"}, "optimizer": {"type": "adamw"},
     "training": {"steps": 100}}
    """,
    """
    {"data": {"dataset": "csv", "path": "t.csv", "categorical_columns": ["color"]}, "optimizer": {"type": "rmsprop"},
     "training": {"epochs": 1}}
    """,
    """
    {"data": {"dataset": "edges", "test_shift": 2, "test_noise": 0.5, "augment_flip": true}, "model": {"type": "cnn",
     "layers": [{"type": "conv2d", "out": 4, "kernel": 3}, {"type": "global_avg_pool"}, {"type": "linear"}]},
     "training": {"epochs": 1}}
    """,
    "{\"data\": {\"dataset\": \"spiral\", \"noise\": 0.1, \"test\": 20}, \"training\": {\"epochs\": 1}}",
    "{\"data\": {\"dataset\": \"xor_noisy\"}, \"training\": {\"epochs\": 1}}",
    "{\"data\": {\"dataset\": \"blobs\"}, \"optimizer\": {\"type\": \"nesterov\"}, \"training\": {\"epochs\": 1}}",
    "{\"data\": {\"dataset\": \"separable\"}, \"loss\": \"logistic\", \"training\": {\"epochs\": 1}}",
    "{\"data\": {\"dataset\": \"xor\"}, \"loss\": \"hinge\", \"training\": {\"epochs\": 1}}",
    """
    {"data": {"dataset": "xor"}, "model": {"type": "kernel_perceptron", "kernel": "polynomial", "degree": 2},
     "training": {"epochs": 1}}
    """,
]

@Test func theCommittedSchemaIsTheGeneratedOne() throws {
    // Experiments/spec.schema.json is written by `runner schema --write` from the key declarations.
    let committed = try SpecSchema.load().root
    #expect(committed == SpecSchemaWriter.document, "run `swift run runner schema --write` and commit the result")
}

@Test func theKeyTablesOfTheDocsAreTheGeneratedOnes() throws {
    let path = (SpecFixtures.repositoryRoot as NSString).appendingPathComponent("docs/spec.md")
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(try SpecDocsWriter.updating(text) == text, "run `swift run runner schema --write` and commit the result")
}

@Test func everyKeyHasAMeaningAndEveryVariantItsKeys() {
    func check<Keys: SpecKeys>(_: Keys.Type) {
        for key in Keys.all { #expect(!key.meaning.isEmpty, "\(Keys.self).\(key.name)") }
        #expect(Set(Keys.all.map(\.name)).count == Keys.all.count, "\(Keys.self) declares a name twice")
        for variant in Keys.variants?.names ?? [] {
            #expect(Keys.variants?.keys(variant) != nil, "\(Keys.self): no keys for \(variant)")
        }
    }
    check(ExperimentKeys.self)
    check(DataKeys.self)
    check(ModelKeys.self)
    check(LayerKeys.self)
    check(OptimizerKeys.self)
    check(ScheduleKeys.self)
    check(TrainingKeys.self)
    check(EvaluationKeys.self)
    check(OutputKeys.self)
    check(SweepKeys.self)
    check(SweepRangeKeys.self)
    check(SweepRefineKeys.self)
}

@Test(arguments: variantSpecs)
func resolvedSpecsAreValidAgainstTheSchema(_ text: String) throws {
    let spec = try SpecFixtures.spec(text)
    let problems = try SpecSchema.load().problems(spec.resolvedJSON)
    #expect(problems.isEmpty, "\(problems)")
    // The text as written is valid too.
    #expect(try SpecSchema.load().problems(try JSONParser.parse(text)).isEmpty)
}

@Test func theSchemaRejectsWhatTheDecoderRejects() throws {
    let schema = try SpecSchema.load()
    for bad in [
        "{\"training\": {\"epochs\": 1, \"batch_size\": -5}}",
        "{\"training\": {\"epochs\": 1, \"batchsize\": 5}}",
        "{\"training\": {\"epochs\": 1}, \"model\": {\"dropout\": 1}}",
        "{\"training\": {\"epochs\": 1}, \"optimizer\": {\"type\": \"sgd\", \"betas\": [0.9, 0.99]}}",
        "{\"training\": {\"batch_size\": 5}}",
        "{\"training\": {\"epochs\": 1}, \"evaluation\": {\"suites\": [\"shifted_up\"]}}",
        "{\"training\": {\"epochs\": 1}, \"model\": {\"type\": \"cnn\", \"layers\": [{\"type\": \"conv3d\"}]}}",
        "{\"training\": {\"epochs\": 1}, \"sweep\": {\"grid\": {\"seed\": [1, 2]}, \"refine\": {}}}",
        "{\"training\": {\"epochs\": 1}, \"sweep\": {\"random\": {\"optimizer.lr\": {\"min\": 0.1, \"max\": 1}}, "
            + "\"refine\": {\"shrink\": 1}}}",
        "{\"training\": {\"epochs\": 1}, \"sweep\": {\"random\": {\"optimizer.lr\": {\"min\": 0.1, \"max\": 1}}, "
            + "\"refine\": {\"rounds\": 1}}}",
    ] {
        #expect(!schema.problems(try JSONParser.parse(bad)).isEmpty, "schema accepts \(bad)")
        #expect(SpecFixtures.rejection(bad) != nil, "decoder accepts \(bad)")
    }
}

@Test(arguments: variantSpecs)
func theSchemaDefaultsAreTheDecoderDefaults(_ text: String) throws {
    // A key the spec leaves out must resolve to the schema's default for its branch.
    let schema = try SpecSchema.load()
    let written = try JSONParser.parse(text)
    let resolved = try SpecFixtures.spec(text).resolvedJSON
    var mismatches: [String] = []
    func compare(_ node: JSONValue, _ value: JSONValue, _ writtenValue: JSONValue?, _ path: String) {
        guard case .object(let members) = value else {
            if case .array(let items) = value, let itemSchema = schema.resolve(node).objectValue?["items"] {
                let writtenItems: [JSONValue]
                if case .array(let w)? = writtenValue { writtenItems = w } else { writtenItems = [] }
                for (i, item) in items.enumerated() {
                    compare(itemSchema, item, i < writtenItems.count ? writtenItems[i] : nil, "\(path)[\(i)]")
                }
            }
            return
        }
        let matching = schema.branches(node).filter { schema.isBranch($0, of: members) }
        guard matching.count == 1, let branch = matching[0].objectValue else {
            mismatches.append("\(path): \(matching.count) schema branches match \(value.excerpt())")
            return
        }
        let properties = branch["properties"]?.objectValue ?? [:]
        for (key, actual) in members {
            let given = writtenValue?.objectValue?[key]
            guard let property = properties[key] else {
                if let extra = branch["additionalProperties"] { compare(extra, actual, given, "\(path).\(key)") }
                continue
            }
            if given == nil, let expected = schema.resolve(property).objectValue?["default"],
                !sameJSON(expected, actual)
            {
                mismatches.append(
                    "\(path).\(key): schema default \(expected.compactJSON), decoder \(actual.compactJSON)")
            }
            compare(property, actual, given, "\(path).\(key)")
        }
    }
    compare(schema.root, resolved, written, "$")
    #expect(mismatches.isEmpty, "\(mismatches)")
}
