// An experiment as data: the JSON spec read strictly through its declared keys, with the rules that tie its
// sections together, checked against the data's shape before anything is loaded or trained.

import Foundation
import Models

/// A whole experiment: `{"name": "cnn", "data": {…}, "model": {…}, "optimizer": {…}, "training": {…}}`.
///
/// Read strictly (`init(json:source:)`, or `SpecDocument` for files and `--set` overrides): every problem is
/// reported with its JSON path. Written back (`resolvedJSON`) with every default filled, which is the "resolved
/// spec" a run records.
typealias ExperimentSpec = Section<ExperimentKeys>

struct ExperimentKeys: SpecKeys {
    let name = SpecKey(
        "name", derived: "experiment", becomes: "the file's base name (`\"experiment\"` for text)",
        "The run's name, used for its output folder `runs/<name>-<time>`: a name refused unless it is a safe "
            + "folder name (no `/`, no control characters such as newlines or terminal escapes, not `.` or `..`, at "
            + "most \(largestNameBytes) bytes).")

    /// The longest name, in UTF-8 bytes: with the time stamp a run folder adds, within a file name's 255.
    static let largestNameBytes = 200
    let seed = SpecKey(
        "seed", 0, range: .nonNegative, "Seed of initialization, data splits, shuffling, dropout and sampling.")
    let data = SpecKey("data", DataSpec(), "[The data](#data): the dataset and its splits.")
    let model = SpecKey("model", ModelSpec(), "[The model](#model).")
    let loss = SpecKey(
        "loss", ClassificationLoss.crossEntropy,
        "The classification loss; `logistic` needs two classes and gives the model one output; language models "
            + "always use `cross_entropy`.")
    let optimizer = SpecKey("optimizer", OptimizerSpec(), "[The update rule](#optimizer).")
    let schedule = SpecKey("schedule", ScheduleSpec(), "[The learning-rate schedule](#schedule).")
    let training = SpecKey(
        "training", derived: TrainingSpec(), becomes: "**required**: `epochs` or `steps`",
        "[How long and how to train](#training).")
    let evaluation = SpecKey("evaluation", EvaluationSpec(), "[Transformed test sets](#evaluation).")
    let outputs = SpecKey("outputs", OutputSpec(), "[Plots, samples, predictions and a baseline](#outputs).")
    let sweep = SpecKey<SweepSpec?>("sweep", nil, "[Trials instead of one run](#sweeps).")

    /// The rules that tie sections together, and the defaults that depend on another section or on the data's
    /// known shape (the model is fitted to it). A rule is skipped when a section it reads already has a problem,
    /// so that one mistake is reported once.
    static func check(_ spec: inout ExperimentSpec, at root: SpecPath, _ d: SpecDiagnostics) {
        if let problem = folderNameProblem(spec.name) {
            d.report(
                root.appending("name"),
                "\(JSONValue.string(spec.name).excerpt()) is not a safe folder name: \(problem)")
        }
        let dataOK = !d.hasIssues(under: root.appending("data"))
        let modelOK = !d.hasIssues(under: root.appending("model"))
        let trainingOK = !d.hasIssues(under: root.appending("training"))
        let (data, model, isText) = (spec.data, spec.model, spec.data.dataset.isText)
        if dataOK && modelOK {
            if isText, model.type != .transformer {
                d.report(
                    root.appending("model").appending("type"),
                    "tinyshakespeare is a text corpus; it needs a \"transformer\" model, got \"\(model.type.rawValue)\""
                )
            } else if !isText, model.type == .transformer {
                d.report(
                    root.appending("data").appending("dataset"),
                    "a transformer is a language model; it needs \"tinyshakespeare\", got \"\(data.dataset.rawValue)\"")
            } else if data.dataset.isSequences, model.type != .seq2seq {
                d.report(
                    root.appending("model").appending("type"),
                    "sequences are pairs of digit strings; they need a \"seq2seq\" model, got "
                        + "\"\(model.type.rawValue)\"")
            } else if !data.dataset.isSequences, model.type == .seq2seq {
                d.report(
                    root.appending("data").appending("dataset"),
                    "a seq2seq model maps strings to strings; it needs \"sequences\", got \"\(data.dataset.rawValue)\"")
            } else if model.type == .vit, !data.dataset.isImage {
                d.report(
                    root.appending("model").appending("type"),
                    "vit needs an image dataset (fashion-mnist, mnist, cifar10, edges), got "
                        + "\"\(data.dataset.rawValue)\"")
            }
            if isText, model.type == .transformer, let block = data.blockSize, block > model.blockSize {
                d.report(
                    root.appending("data").appending("block_size"),
                    "\(block) is longer than the model's block_size \(model.blockSize)")
            }
        }
        if data.dataset.isSequences {
            if spec.loss != .crossEntropy {
                d.report(
                    root.appending("loss"),
                    "seq2seq models are trained with cross_entropy, got \"\(spec.loss.rawValue)\"")
            }
            if spec.training.earlyStoppingPatience != nil {
                d.report(
                    root.appending("training").appending("early_stopping_patience"),
                    "early stopping is for classifiers; a seq2seq run trains for its epochs or steps")
            }
        }
        if isText {
            if spec.training.epochs != nil {
                d.report(
                    root.appending("training").appending("epochs"),
                    "language models train for a number of steps; use \"steps\" instead of \"epochs\"")
            }
            if spec.loss != .crossEntropy {
                d.report(
                    root.appending("loss"),
                    "language models are trained with cross_entropy, got \"\(spec.loss.rawValue)\"")
            }
            if trainingOK, spec.training.evaluateEvery == nil, let steps = spec.training.steps {
                spec.training.evaluateEvery = max(1, steps / 10)
            }
            if !spec.evaluation.suites.isEmpty {
                d.report(root.appending("evaluation").appending("suites"), "suites transform images; the data is text")
            }
        }
        if trainingOK && dataOK {
            if data.order == .sorted && spec.training.shuffle == true {
                d.report(
                    root.appending("training").appending("shuffle"),
                    "data.order is \"sorted\", which shuffling would undo; set shuffle to false or order to "
                        + "\"shuffled\""
                )
            }
            if !isText { spec.training.shuffle = spec.training.shuffle ?? (data.order != .sorted) }
            if spec.training.earlyStoppingPatience != nil, !isText, data.validation == 0 {
                d.report(
                    root.appending("training").appending("early_stopping_patience"),
                    "early stopping needs validation data; set data.validation to a positive count")
            }
        }
        if spec.outputs.predictions, dataOK {
            let at = root.appending("outputs").appending("predictions")
            if isText || data.dataset.isSequences {
                d.report(at, "predictions are a classifier's; \(data.dataset.rawValue) is not a classification dataset")
            } else if data.test == 0 {
                d.report(at, "predictions are written for the test split; data.test is 0")
            }
        }
        if spec.outputs.leastSquares, dataOK, !data.dataset.isTable {
            let kind =
                isText ? "a text corpus" : data.dataset.isSequences ? "a sequence-to-sequence task" : "an image dataset"
            d.report(
                root.appending("outputs").appending("least_squares"),
                "the least-squares baseline fits a table's features (csv or a 2-D dataset); "
                    + "\(data.dataset.rawValue) is \(kind)")
        }
        if dataOK && !isText && !spec.evaluation.suites.isEmpty {
            checkSuites(spec, at: root.appending("evaluation").appending("suites"), d)
        }
        if spec.schedule.decay == .cosine, spec.schedule.minLr >= spec.optimizer.lr,
            !d.hasIssues(under: root.appending("optimizer"))
        {
            d.report(
                root.appending("schedule").appending("min_lr"),
                "\(formatNumber(spec.schedule.minLr)) is not below the optimizer's lr "
                    + formatNumber(spec.optimizer.lr)
            )
        }
        if model.type == .kernelPerceptron, !d.hasIssues(under: root.appending("model").appending("type")) {
            checkKernelPerceptronSettings(spec, at: root, d)
        }
        guard !d.hasIssues(under: root) else { return }
        var estimate = MemoryEstimate()
        if model.type == .transformer {
            // The corpus is not read yet; a byte-sized vocabulary bounds a character corpus's.
            estimate = MemoryEstimate(transformer: model, layers: model.depth, length: model.blockSize, vocabulary: 256)
        } else if model.type == .seq2seq {
            estimate = MemoryEstimate(
                transformer: model, layers: model.encoderLayers + model.decoderLayers, length: data.length,
                vocabulary: data.digits + 1)
        } else if let shape = data.knownShape {
            guard
                let fitted = fitModel(
                    model, to: shape, loss: spec.loss, at: root.appending("model"), lossPath: root.appending("loss"), d)
            else { return }
            spec.model = fitted.spec
            estimate = MemoryEstimate(fitted, shape: shape, loss: spec.loss, classesKey: data.classesKey)
        }
        estimate.addData(of: data)
        if let issue = estimate.problem(spec, batch: data.largestBatch(spec.training.batchSize, isText: isText)) {
            d.report(issue.path ?? root, issue.message)
        }
    }

    /// Why `name` cannot be a folder inside the runs folder, or nil when it can.
    private static func folderNameProblem(_ name: String) -> String? {
        if name == "." || name == ".." { return "it names the folder itself or its parent" }
        if name.contains("/") { return "a \"/\" would make it a path" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "it holds a control character (a newline, a tab, a NUL or a terminal escape)"
        }
        if name.utf8.count > largestNameBytes { return "longer than \(largestNameBytes) bytes" }
        return nil
    }

    /// Suites need images and a test split, and shifts shorter than the image side.
    private static func checkSuites(_ spec: ExperimentSpec, at path: SpecPath, _ d: SpecDiagnostics) {
        guard spec.data.dataset.isImage else {
            d.report(path, "suites transform images; \(spec.data.dataset.rawValue) is not an image dataset")
            return
        }
        if spec.data.test == 0 {
            d.report(path, "suites are made from the test split; data.test is 0")
        }
        let side = spec.data.knownShape?.exampleShape.last ?? 0
        for (i, name) in spec.evaluation.suites.enumerated() {
            if name.suite.shift >= side {
                d.report(
                    path.appending(index: i),
                    "\(quoteJSONString(name.name)) shifts by \(name.suite.shift) pixels, but the images are \(side) "
                        + "pixels wide")
            }
        }
    }
}

extension Section where Keys == ExperimentKeys {
    /// Reads and checks `json`; throws every problem found, naming `source` (a file path) in the message.
    init(json: JSONValue, source: String = "<spec>") throws(SpecError) {
        let diagnostics = SpecDiagnostics()
        let spec = Self.read(json, at: .root, diagnostics)
        try diagnostics.check(source: source)
        self = spec!
    }

    /// The keys of each section, for `--set` shortcuts such as `epochs=1` (→ `training.epochs`).
    static var sectionKeys: [(section: String, keys: [String])] {
        ExperimentKeys.all.filter { !$0.memberKeys.isEmpty }.map { ($0.name, $0.memberKeys) }
    }

    /// The resolved spec as a JSON tree (for `summary.json` and a run's `spec.json`).
    var resolvedJSON: JSONValue { json }
}
