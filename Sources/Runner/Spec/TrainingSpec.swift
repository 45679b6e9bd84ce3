// The `training`, `evaluation` and `outputs` sections of a spec: how long and how to train, the extra test sets,
// and what a run writes.

import Models

/// How long to train, in what batches, and how often to evaluate, log and checkpoint.
typealias TrainingSpec = Section<TrainingKeys>

struct TrainingKeys: SpecKeys {
    let epochs = SpecKey<Int?>(
        "epochs", nil, range: .positive,
        "Epochs over the training set (classification); one of `epochs` and `steps` is required.")
    let steps = SpecKey<Int?>(
        "steps", nil, range: .positive,
        "A fixed number of optimizer steps instead of epochs; required for language models.")
    let batchSize = SpecKey("batch_size", 32, range: .positive, "Examples (or text blocks) per batch.")
    let shuffle = SpecKey<Bool?>(
        "shuffle", derived: nil, becomes: "`true`, `false` when `data.order` is `sorted`",
        "A fresh random order of the training examples each epoch.")
    let evaluateEvery = SpecKey<Int?>(
        "evaluate_every", derived: nil, becomes: "`null`: each epoch; language models a tenth of the steps",
        range: .positive, "Evaluate validation and test data every this many steps.")
    let logEvery = SpecKey("log_every", 100, range: .positive, "Log the running training loss every this many steps.")
    let earlyStoppingPatience = SpecKey<Int?>(
        "early_stopping_patience", nil, range: .positive,
        "Stop when validation accuracy has not improved for this many evaluations and restore the best weights "
            + "(needs validation data); `null`: never.")
    let checkpointEvery = SpecKey<Int?>(
        "checkpoint_every", nil, range: .positive,
        "Checkpoint every this many steps (and always at the end); `null`: at the end.")
    let batchShards = SpecKey(
        "batch_shards", 1, range: .positive,
        "Split each batch into this many shards whose forward and backward run at the same time, one per thread, "
            + "their gradients summed in shard order (`shardedBackward`); results depend on this number, not on the "
            + "thread count. Not for models with batch norm.")
    let memoryLimitGb = SpecKey<Double?>(
        "memory_limit_gb", nil, range: .positive,
        "Refuse, before allocating, a run whose estimated memory (parameters with their gradients and optimizer "
            + "state, a batch's activations, generated data) exceeds this many GB (10⁹ bytes); `null`: the "
            + "machine's physical memory.")

    static let schemaRules: [String: JSONValue] = ["anyOf": [["required": ["epochs"]], ["required": ["steps"]]]]

    static func check(_ training: inout TrainingSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        if training.epochs == nil && training.steps == nil && !diagnostics.hasIssues(under: path) {
            diagnostics.report(path, "expected \"epochs\" or \"steps\" (how long to train); neither is given")
        }
        if training.batchShards > training.batchSize {
            diagnostics.report(
                path.appending("batch_shards"),
                "\(training.batchShards) shards of a batch of \(training.batchSize) would leave some empty; "
                    + "at most batch_size")
        }
    }
}

/// Extra test sets: `{"suites": ["shifted_up_4", "rotated_90"]}`, each the test split transformed.
typealias EvaluationSpec = Section<EvaluationKeys>

struct EvaluationKeys: SpecKeys {
    let suites = SpecKey<[SuiteName]>(
        "suites", [],
        "Transformed copies of the test split, each evaluated like it: `shifted_<up|down|left|right>_<n>` (n pixels, "
            + "zeros filling in), `rotated_<degrees>` (counterclockwise; 90, 180, 270 exact, others bilinear).")

    static func check(_ evaluation: inout EvaluationSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        for (i, name) in evaluation.suites.enumerated() where evaluation.suites[..<i].contains(name) {
            diagnostics.report(
                path.appending("suites").appending(index: i), "suite \(quoteJSONString(name.name)) is listed twice")
        }
    }
}

/// The name of an evaluation suite (`EvaluationSuite`), read with the suite's own messages.
struct SuiteName: SpecValue {
    var name: String

    init?(json: JSONValue) {
        guard case .string(let s) = json, case .success = EvaluationSuite.parse(s) else { return nil }
        name = s
    }

    var json: JSONValue { .string(name) }

    /// The suite it names.
    var suite: EvaluationSuite {
        guard case .success(let suite) = EvaluationSuite.parse(name) else { preconditionFailure("checked on reading") }
        return suite
    }

    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        guard case .string(let s) = json else {
            diagnostics.report(path, "expected a suite name such as \"rotated_90\", got \(json.excerpt())")
            return nil
        }
        if case .failure(let problem) = EvaluationSuite.parse(s) {
            diagnostics.report(path, problem.message)
            return nil
        }
        return Self(json: json)
    }

    static func expected(range: NumberRange?) -> String { "a suite name such as \"rotated_90\"" }
    static func schema(range: NumberRange?) -> [String: JSONValue] {
        ["type": "string", "pattern": .string(EvaluationSuite.namePattern)]
    }
}

/// What a run's curves are plotted against.
enum CurveAxis: String, SpecChoice {
    /// Optimizer steps.
    case step
    /// Epochs, fractional between their ends (step / steps per epoch).
    case epoch
    /// Seconds of training (the `wall_seconds` of curves.csv).
    case seconds
}

/// What a run writes besides its curves and summary.
typealias OutputSpec = Section<OutputKeys>

struct OutputKeys: SpecKeys {
    let plots = SpecKey("plots", true, "Draw loss, accuracy, filter, attention and confusion plots.")
    let curvesX = SpecKey(
        "curves_x", CurveAxis.step,
        "The x axis of the loss and accuracy plots: `step`, `epoch` (fractional: step / steps per epoch) or "
            + "`seconds` of training. The plots mark the best validation accuracy's point, and where early "
            + "stopping stopped.")
    let sampleLength = SpecKey(
        "sample_length", 200, range: .nonNegative, "Language models: characters generated before and after training.")
    let sampleTemperature = SpecKey(
        "sample_temperature", 0.0, range: .nonNegative,
        "Sequence tasks: decode the sample strings greedily (0) or draw each token from softmax(logits / "
            + "temperature), seeded with `seed`. The sequence accuracy is always greedy's.")
    let sampleGrids = SpecKey(
        "sample_grids", true,
        "Image classifiers: a grid of the first 32 training and test images (and of each evaluation suite) with their "
            + "labels.")
    let weightImages = SpecKey(
        "weight_images", true,
        "Image classifiers whose first layer is linear: its weights as images, one per unit (at most 64).")
    let featureMaps = SpecKey<Int?>(
        "feature_maps", nil, range: .nonNegative,
        "Sequential image models: the outputs of layers 0 … this index for the first 4 test images, a row per "
            + "image (at most 15 channels); `null`: none.")
    let decisionBoundary = SpecKey(
        "decision_boundary", true, "Classifiers on 2-D data: the predicted class over the plane, with the test points.")
    let attentionPlot = SpecKey(
        "attention_plot", true, "Attention models: plot the last layer's attention for the first validation example.")
    let tensorBoard = SpecKey(
        "tensorboard", true,
        "Write the curves as a TensorBoard event file (`events.out.tfevents.*`) too: `tensorboard --logdir runs/`.")
    let predictions = SpecKey(
        "predictions", false,
        "Classifiers: write `predictions.csv`, one row per test example: `index` (its position in the test split), "
            + "`predicted` and `true` class.")
    let leastSquares = SpecKey(
        "least_squares", false,
        "Classifiers on tables: also fit a linear map from the features to one-hot targets in closed form (least "
            + "squares) and report its accuracy and mean squared error per split beside the network's.")
}
