// The `training`, `evaluation` and `outputs` sections of a spec: how long and how to train, the extra test sets,
// and what a run writes.

import Models

/// How long to train, in what batches, and how often to evaluate, log and checkpoint.
struct TrainingSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case epochs, steps
        case batchSize = "batch_size"
        case shuffle
        case evaluateEvery = "evaluate_every"
        case logEvery = "log_every"
        case earlyStoppingPatience = "early_stopping_patience"
        case checkpointEvery = "checkpoint_every"
        case batchShards = "batch_shards"
    }

    /// Epochs over the training set (classification); one of `epochs` and `steps` is required.
    var epochs: Int? = nil
    /// A fixed number of optimizer steps instead of epochs; required for language models.
    var steps: Int? = nil
    /// Examples (or text blocks) per batch (default 32).
    var batchSize = 32
    /// A fresh random order each epoch; default true, false when `data.order` is sorted (which it must then be).
    var shuffle: Bool? = nil
    /// Evaluate every this many steps; nil: at the end of each epoch (language models: a tenth of the steps).
    var evaluateEvery: Int? = nil
    /// Log the running training loss every this many steps (default 100).
    var logEvery = 100
    /// Stop when validation accuracy has not improved for this many evaluations and restore the best weights;
    /// nil: never (needs validation data).
    var earlyStoppingPatience: Int? = nil
    /// Checkpoint every this many steps (and always at the end); nil: only at the end.
    var checkpointEvery: Int? = nil
    /// Split each batch into this many shards whose forward and backward run at the same time, one per thread, their
    /// gradients summed in shard order (`shardedBackward`, data parallelism as PyTorch's DistributedDataParallel
    /// over the cores); default 1, the whole batch at once with each op split over the threads instead. Results
    /// depend on this number (rounding, dropout draws), not on how many threads run the shards. Not for models
    /// with batch norm, whose batch statistics mix the examples of a batch.
    var batchShards = 1

    /// Every default.
    init() {}

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let o = SpecObject<CodingKeys>(value, at: path, diagnostics)
        epochs = o.optionalInt(.epochs, .positive)
        steps = o.optionalInt(.steps, .positive)
        batchSize = o.int(.batchSize, default: 32, .positive)
        shuffle = o.optionalBool(.shuffle)
        evaluateEvery = o.optionalInt(.evaluateEvery, .positive)
        logEvery = o.int(.logEvery, default: 100, .positive)
        earlyStoppingPatience = o.optionalInt(.earlyStoppingPatience, .positive)
        checkpointEvery = o.optionalInt(.checkpointEvery, .positive)
        batchShards = o.int(.batchShards, default: 1, .positive)
        if batchShards > batchSize {
            diagnostics.report(
                path.appending("batch_shards"),
                "\(batchShards) shards of a batch of \(batchSize) would leave some empty; at most batch_size")
        }
        if o.value(.epochs) == nil && o.value(.steps) == nil {
            diagnostics.report(path, "expected \"epochs\" or \"steps\" (how long to train); neither is given")
        }
    }

    /// Writes every key, unset ones as null.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(steps, forKey: .steps)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(shuffle, forKey: .shuffle)
        try c.encode(evaluateEvery, forKey: .evaluateEvery)
        try c.encode(logEvery, forKey: .logEvery)
        try c.encode(earlyStoppingPatience, forKey: .earlyStoppingPatience)
        try c.encode(checkpointEvery, forKey: .checkpointEvery)
        try c.encode(batchShards, forKey: .batchShards)
    }
}

/// Extra test sets: `{"suites": ["shifted_up_4", "rotated_90"]}`, each the test split transformed.
struct EvaluationSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case suites
    }

    /// Names of transformed test sets (default none); see `EvaluationSuite` for the names.
    var suites: [String] = []

    /// Every default.
    init() {}

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let o = SpecObject<CodingKeys>(value, at: path, diagnostics)
        for item in o.array(.suites) ?? [] {
            guard case .string(let name) = item.value else {
                diagnostics.report(
                    item.path, "expected a suite name such as \"rotated_90\", got \(item.value.excerpt())")
                continue
            }
            if suites.contains(name) {
                diagnostics.report(item.path, "suite \(quoteJSONString(name)) is listed twice")
            } else if case .failure(let problem) = EvaluationSuite.parse(name) {
                diagnostics.report(item.path, problem.message)
            } else {
                suites.append(name)
            }
        }
    }

    /// Writes every key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(suites, forKey: .suites)
    }
}

/// What a run writes besides its curves and summary.
struct OutputSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case plots
        case sampleLength = "sample_length"
        case attentionPlot = "attention_plot"
    }

    /// Draw loss, accuracy, filter and confusion plots (default true).
    var plots = true
    /// Language models: characters generated for the samples before and after training (default 200).
    var sampleLength = 200
    /// Attention models: plot the last layer's attention for the first validation example (default true).
    var attentionPlot = true

    /// Every default.
    init() {}

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let o = SpecObject<CodingKeys>(value, at: path, diagnostics)
        plots = o.bool(.plots, default: true)
        sampleLength = o.int(.sampleLength, default: 200, .nonNegative)
        attentionPlot = o.bool(.attentionPlot, default: true)
    }

    /// Writes every key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plots, forKey: .plots)
        try c.encode(sampleLength, forKey: .sampleLength)
        try c.encode(attentionPlot, forKey: .attentionPlot)
    }
}
