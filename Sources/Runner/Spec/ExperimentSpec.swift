// An experiment as data: the JSON spec decoded into `Codable` structs whose defaults live here, checked across
// sections and against the data's shape before anything is loaded or trained.

import Foundation
import Models

/// A whole experiment: `{"name": "cnn", "data": {…}, "model": {…}, "optimizer": {…}, "training": {…}}`.
///
/// Read strictly (`init(json:source:)`, or `SpecDocument` for files and `--set` overrides): every problem is
/// reported with its JSON path. Encodes back to the same snake_case JSON with every default filled, which is
/// the "resolved spec" a run records.
struct ExperimentSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case name, seed, data, model, loss, optimizer, schedule, training, evaluation, outputs, sweep
    }

    /// The run's name, used for its output folder (default: the file's base name, or "experiment").
    var name = "experiment"
    /// Seed of initialization, data splits, shuffling, dropout and sampling (default 0).
    var seed: UInt64 = 0
    /// The dataset and its splits (default: Fashion-MNIST, all 60k for training, the 10k test set).
    var data = DataSpec()
    /// The model (default: an MLP with one hidden layer of 128 ReLU units).
    var model = ModelSpec.standard
    /// The classification loss (default cross_entropy; language models always use cross-entropy).
    var loss = ClassificationLoss.crossEntropy
    /// The update rule (default adam, lr 0.001).
    var optimizer = OptimizerSpec()
    /// The learning-rate schedule (default constant, no warm-up).
    var schedule = ScheduleSpec()
    /// Epochs or steps, batch size and cadences (epochs or steps must be given).
    var training = TrainingSpec()
    /// Transformed test sets (default none).
    var evaluation = EvaluationSpec()
    /// Plots and samples (default all on).
    var outputs = OutputSpec()
    /// Trials to run instead of this one spec: a grid and/or random search (default none).
    var sweep: SweepSpec? = nil

    /// The keys of each section, for `--set` shortcuts such as `epochs=1` (→ `training.epochs`).
    static let sectionKeys: [(section: String, keys: [String])] = [
        ("data", DataSpec.CodingKeys.allCases.map(\.rawValue)),
        ("model", ModelSpec.CodingKeys.allCases.map(\.rawValue)),
        ("optimizer", OptimizerSpec.CodingKeys.allCases.map(\.rawValue)),
        ("schedule", ScheduleSpec.CodingKeys.allCases.map(\.rawValue)),
        ("training", TrainingSpec.CodingKeys.allCases.map(\.rawValue)),
        ("evaluation", EvaluationSpec.CodingKeys.allCases.map(\.rawValue)),
        ("outputs", OutputSpec.CodingKeys.allCases.map(\.rawValue)),
        ("sweep", SweepSpec.CodingKeys.allCases.map(\.rawValue)),
    ]

    /// Every default.
    init() {}

    /// Reads and checks `json`; throws every problem found, naming `source` (a file path) in the message.
    init(json: JSONValue, source: String = "<spec>") throws(SpecError) {
        let diagnostics = SpecDiagnostics()
        self.init(reading: json, at: .root, diagnostics)
        try diagnostics.check(source: source)
    }

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let o = SpecObject<CodingKeys>(value, at: path, diagnostics)
        name = o.string(.name, default: "experiment")
        seed = UInt64(o.int(.seed, default: 0, .nonNegative))
        data = DataSpec(reading: o.value(.data), at: o.path(.data), diagnostics)
        model = ModelSpec(reading: o.value(.model), at: o.path(.model), diagnostics)
        loss = o.choice(.loss, default: .crossEntropy)
        optimizer = OptimizerSpec(reading: o.value(.optimizer), at: o.path(.optimizer), diagnostics)
        schedule = ScheduleSpec(reading: o.value(.schedule), at: o.path(.schedule), diagnostics)
        training = TrainingSpec(reading: o.value(.training), at: o.path(.training), diagnostics)
        evaluation = EvaluationSpec(reading: o.value(.evaluation), at: o.path(.evaluation), diagnostics)
        outputs = OutputSpec(reading: o.value(.outputs), at: o.path(.outputs), diagnostics)
        sweep = o.value(.sweep).map { SweepSpec(reading: $0, at: o.path(.sweep), diagnostics) }
        checkAcrossSections(at: path, diagnostics)
        if diagnostics.issues.isEmpty, !data.dataset.isText, let shape = data.knownShape,
            let fitted = fitModel(
                model, to: shape, loss: loss, at: path.appending("model"), lossPath: path.appending("loss"), diagnostics
            )
        {
            model = fitted.spec
        }
    }

    /// The rules that tie sections together, and the defaults that depend on another section. A rule is skipped
    /// when a section it reads already has a problem, so that one mistake is reported once.
    private mutating func checkAcrossSections(at root: SpecPath, _ d: SpecDiagnostics) {
        let dataOK = !d.hasIssues(under: root.appending("data"))
        let modelOK = !d.hasIssues(under: root.appending("model"))
        let trainingOK = !d.hasIssues(under: root.appending("training"))
        let isText = data.dataset.isText
        if dataOK && modelOK {
            if isText, model.kind != .transformer {
                d.report(
                    root.appending("model").appending("type"),
                    "tinyshakespeare is a text corpus; it needs a \"transformer\" model, got \"\(model.kind)\"")
            } else if !isText, model.kind == .transformer {
                d.report(
                    root.appending("data").appending("dataset"),
                    "a transformer is a language model; it needs \"tinyshakespeare\", got \"\(data.dataset.rawValue)\"")
            } else if model.kind == .vit, !data.dataset.isImage {
                d.report(
                    root.appending("model").appending("type"),
                    "vit needs an image dataset (fashion-mnist, mnist, cifar10), got \"\(data.dataset.rawValue)\"")
            }
            if isText, case .transformer(let t) = model, let block = data.blockSize, block > t.blockSize {
                d.report(
                    root.appending("data").appending("block_size"),
                    "\(block) is longer than the model's block_size \(t.blockSize)")
            }
        }
        if isText {
            if training.epochs != nil {
                d.report(
                    root.appending("training").appending("epochs"),
                    "language models train for a number of steps; use \"steps\" instead of \"epochs\"")
            }
            if loss != .crossEntropy {
                d.report(
                    root.appending("loss"), "language models are trained with cross_entropy, got \"\(loss.rawValue)\"")
            }
            if trainingOK, training.evaluateEvery == nil, let steps = training.steps {
                training.evaluateEvery = max(1, steps / 10)
            }
            if !evaluation.suites.isEmpty {
                d.report(root.appending("evaluation").appending("suites"), "suites transform images; the data is text")
            }
        }
        if trainingOK && dataOK {
            if data.order == .sorted && training.shuffle == true {
                d.report(
                    root.appending("training").appending("shuffle"),
                    "data.order is \"sorted\", which shuffling would undo; "
                        + "set shuffle to false or order to \"shuffled\"")
            }
            if !isText { training.shuffle = training.shuffle ?? (data.order != .sorted) }
            if training.earlyStoppingPatience != nil, !isText, data.validation == 0 {
                d.report(
                    root.appending("training").appending("early_stopping_patience"),
                    "early stopping needs validation data; set data.validation to a positive count")
            }
        }
        if dataOK && !isText && !evaluation.suites.isEmpty {
            checkSuites(at: root.appending("evaluation").appending("suites"), d)
        }
        if case .cosine = schedule.decay, let minLr = schedule.minLr, minLr >= optimizer.lr,
            !d.hasIssues(under: root.appending("optimizer"))
        {
            d.report(
                root.appending("schedule").appending("min_lr"),
                "\(formatNumber(minLr)) is not below the optimizer's lr \(formatNumber(optimizer.lr))")
        }
    }

    /// Suites need images and a test split, and shifts shorter than the image side.
    private func checkSuites(at path: SpecPath, _ d: SpecDiagnostics) {
        guard data.dataset.isImage else {
            d.report(path, "suites transform images; \(data.dataset.rawValue) is not an image dataset")
            return
        }
        if data.test == 0 {
            d.report(path, "suites are made from the test split; data.test is 0")
        }
        let side = data.knownShape?.exampleShape.last ?? 0
        for (i, name) in evaluation.suites.enumerated() {
            if case .success(let suite) = EvaluationSuite.parse(name), suite.shift >= side {
                d.report(
                    path.appending(index: i),
                    "\(quoteJSONString(name)) shifts by \(suite.shift) pixels, but the "
                        + "images are \(side) pixels wide")
            }
        }
    }

    /// Writes every key with its resolved value (the sweep only when there is one).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(seed, forKey: .seed)
        try c.encode(data, forKey: .data)
        try c.encode(model, forKey: .model)
        try c.encode(loss, forKey: .loss)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(training, forKey: .training)
        try c.encode(evaluation, forKey: .evaluation)
        try c.encode(outputs, forKey: .outputs)
        try c.encodeIfPresent(sweep, forKey: .sweep)
    }

    /// The resolved spec as a JSON tree (for `summary.json`); `.prettyJSON` gives its text.
    var resolvedJSON: JSONValue {
        let encoder = JSONEncoder()
        // Every value of a spec is finite and every key a string, so encoding and re-parsing cannot fail.
        let text = String(decoding: try! encoder.encode(self), as: UTF8.self)
        return try! JSONParser.parse(text)
    }
}
