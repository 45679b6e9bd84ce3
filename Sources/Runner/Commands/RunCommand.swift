import ArgumentParser
import Foundation
import Models

/// `runner SPEC` (or `runner run SPEC`): trains the experiment a JSON spec describes and writes its outputs.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the experiment in a JSON spec (runner Experiments/cnn.json).",
        discussion: """
            Outputs go to one folder per run: curves.csv, summary.json, spec.json (the resolved spec), a \
            TensorBoard event file of the curves, checkpoint.safetensors, weights.safetensors (PyTorch layout), plots as SVG and PNG, and with \
            outputs.predictions the test predictions, predictions.csv; with outputs.least_squares the report and \
            summary.json add a closed-form least-squares baseline. A spec with a "sweep" runs one trial per \
            folder and a combined sweep.csv. See docs/spec.md.
            """)

    @Argument(help: "The spec file (JSON). Optional with --resume, which reads the run's own spec.json.")
    var spec: String?

    @Option(name: .customLong("set"), help: "Override a key of the spec: --set optimizer.lr=0.01 (repeatable).")
    var overrides: [String] = []

    @Option(help: "The output folder (default: runs/NAME-TIMESTAMP).")
    var out: String?

    @Option(help: "Continue the interrupted run or sweep in this folder (a run from its checkpoint).")
    var resume: String?

    @Option(
        help: ArgumentHelp(
            "Stop as on Ctrl-C when the process PID ends, even killed (a sweep passes its own to each trial).",
            valueName: "PID"))
    var stopWithParent: Int32?

    @Flag(help: "No progress bar or periodic lines.")
    var quiet = false

    func validate() throws {
        if spec == nil && resume == nil { throw ValidationError("give a spec file, or --resume RUN_FOLDER") }
    }

    func run() throws {
        if let stopWithParent, !Interruption.stopWhenParentExits(stopWithParent) {
            let note = "note: --stop-with-parent needs Linux; this run goes on if process \(stopWithParent) ends\n"
            FileHandle.standardError.write(Data(note.utf8))
        }
        do {
            if let resume {
                try resumeRun(folder: resume)
                return
            }
            let document = try SpecDocument.load(path: spec!, overrides: overrides)
            let folder = out ?? defaultRunFolder(name: document.spec.name)
            if document.spec.sweep != nil {
                if try runSweep(document, folder: folder, quiet: quiet) == .interrupted { throw ExitCode(130) }
            } else {
                let status = try trainRun(document.spec, folder: folder, resuming: false, quiet: quiet)
                if status == .interrupted { throw ExitCode(130) }
                if status == .diverged { throw ExitCode(1) }
            }
        } catch let error as SpecError {
            throw CleanExit.message(String(describing: error)).failing
        }
    }

    private func resumeRun(folder: String) throws {
        let specPath = (folder as NSString).appendingPathComponent("spec.json")
        let sweepSpecPath = (folder as NSString).appendingPathComponent(sweepSpecFile)
        if !FileManager.default.fileExists(atPath: specPath) && FileManager.default.fileExists(atPath: sweepSpecPath) {
            let document = try SpecDocument.load(path: sweepSpecPath, overrides: overrides)
            guard document.spec.sweep != nil else {
                throw RunnerFailure(message: "\(sweepSpecPath) has no \"sweep\" section; cannot resume a sweep")
            }
            let status = try runSweep(document, folder: folder, quiet: quiet, resuming: true)
            if status == .interrupted { throw ExitCode(130) }
            return
        }
        guard FileManager.default.fileExists(atPath: specPath) else {
            throw RunnerFailure(
                message: "\(folder): not a run folder (no spec.json) nor a sweep folder (no \(sweepSpecFile)); "
                    + "cannot resume")
        }
        let document = try SpecDocument.load(path: specPath, overrides: overrides)
        let status = try trainRun(document.spec, folder: folder, resuming: true, quiet: quiet)
        if status == .interrupted { throw ExitCode(130) }
        if status == .diverged { throw ExitCode(1) }
    }
}

extension CleanExit {
    /// A message printed to standard error with a failing exit code.
    fileprivate var failing: Error { RunnerFailure(message: String(describing: self)) }
}

/// An error whose message is all the user needs (no stack of wrapping).
struct RunnerFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `runs/NAME-YYYYMMDD-HHMMSS`, made unique with a suffix if it exists.
func defaultRunFolder(name: String) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    let base = "runs/\(name)-\(formatter.string(from: Date()))"
    var candidate = base
    var k = 2
    while FileManager.default.fileExists(atPath: candidate) {
        candidate = "\(base)-\(k)"
        k += 1
    }
    return candidate
}

/// Creates the output folder `folder` and its parents, or throws one line naming it and the problem (a file in
/// the way, no permission) instead of a Foundation error.
func createOutputFolder(_ folder: String) throws {
    let manager = FileManager.default
    func isFolder(_ path: String) -> Bool? {
        var folder: ObjCBool = false
        return manager.fileExists(atPath: path, isDirectory: &folder) ? folder.boolValue : nil
    }
    if isFolder(folder) == true { return }
    // The nearest part of the path that exists says why the folder cannot be made.
    var existing = folder
    while isFolder(existing) == nil && existing != "/" && !existing.isEmpty {
        existing = parentPath(existing)
    }
    if existing.isEmpty { existing = "." }
    if isFolder(existing) == false {
        let what = existing == folder ? "it is" : "\(existing) is"
        throw RunError.cannotWrite(path: folder, reason: "\(what) a file, not a folder")
    }
    if !manager.isWritableFile(atPath: existing) {
        throw RunError.cannotWrite(path: folder, reason: "the folder \(existing) is not writable")
    }
    do {
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        throw RunError.cannotWrite(path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
    }
}

/// `path` without its last component: "runs" for "runs/x" or "runs/x/", "/" for "/x", "" for "x". (Foundation's
/// `deletingLastPathComponent` traps on some relative paths.)
func parentPath(_ path: String) -> String {
    guard let slash = path.dropLast().lastIndex(of: "/") else { return "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// Trains one experiment into `folder` and writes every output; returns how the run ended.
///
/// Resuming, the folder's checkpoint is read and checked (checksum, training state) before the data is loaded,
/// and restored into the model before any file is written, so a refused resume leaves the folder as it was. A run
/// that already completed or stopped early is reported and not trained again. Temporary files that a killed
/// run's writes left in the folder are removed.
@discardableResult
func trainRun(_ spec: ExperimentSpec, folder: String, resuming: Bool, quiet: Bool) throws -> RunStatus {
    let saved = resuming ? try SavedCheckpoint(folder: folder, spec: spec) : nil
    if let saved, let finished = saved.finishedStatus(folder: folder) {
        AtomicFile.removeStaleTemporaryFiles(in: folder)
        let how = finished == .completed ? "completed" : "stopped early"
        print("\(folder): the run already \(how) after \(saved.state.step) steps; nothing to resume")
        return finished
    }
    let experiment = try buildExperiment(spec)
    var state = TrainingState(seed: UInt64(experiment.spec.seed))
    if let saved {
        try saved.restore(into: experiment)
        state = saved.state
    }
    try createOutputFolder(folder)
    AtomicFile.removeStaleTemporaryFiles(in: folder)
    func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
    try (experiment.spec.resolvedJSON.prettyJSON + "\n")
        .write(toFile: path("spec.json"), atomically: true, encoding: .utf8)
    let log = RunLog(path: path("log.txt"), resumingAt: resuming ? state.step : nil, echo: !quiet)
    log.write("run \(experiment.spec.name) → \(folder)", always: true)
    log.write("data: \(experiment.dataNote)", always: true)
    log.write("model: \(experiment.model.parameterCount) parameters", always: true)
    if let saved {
        log.write("resuming at step \(state.step) (epoch \(state.epoch + 1))", always: true)
        if !saved.hasChecksum { log.write("note: \(saved.path) has no checksum (written by an older version)") }
    }
    let curves = try CurvesWriter(
        path: path("curves.csv"), resumingFrom: resuming ? state : nil,
        eventsDirectory: experiment.spec.outputs.tensorBoard ? folder : nil)
    let checkpoints = FileCheckpointStore(
        directory: folder, model: experiment.model, optimizer: experiment.optimizer, curves: curves)
    Interruption.install()
    MemoryStatistics.resetPeak()
    let baseLearningRate = experiment.optimizer.learningRate

    let result: RunResult
    switch experiment.task {
    case .classification(let task) where task.model is KernelPerceptron:
        var run = KernelPerceptronRun(
            task: task, spec: experiment.spec, curves: curves, checkpoints: checkpoints, showProgress: !quiet)
        run.log = log
        result = try run.run(from: state)
    case .classification(let task):
        var run = ClassificationRun(
            task: task, model: experiment.model, optimizer: experiment.optimizer, schedule: experiment.schedule,
            baseLearningRate: baseLearningRate, spec: experiment.spec, curves: curves,
            checkpoints: checkpoints, showProgress: !quiet)
        run.bestWeights = BestWeightsFile(directory: folder)
        run.log = log
        result = try run.run(from: state)
    case .languageModel(let task):
        var run = LanguageModelRun(
            task: task, optimizer: experiment.optimizer, schedule: experiment.schedule,
            baseLearningRate: baseLearningRate, spec: experiment.spec, curves: curves,
            checkpoints: checkpoints, showProgress: !quiet)
        run.log = log
        result = try run.run(from: state)
    case .sequenceToSequence(let task):
        var run = SequenceRun(
            task: task, optimizer: experiment.optimizer, schedule: experiment.schedule,
            baseLearningRate: baseLearningRate, spec: experiment.spec, curves: curves,
            checkpoints: checkpoints, showProgress: !quiet)
        run.log = log
        result = try run.run(from: state)
    }

    var outputs = ["curves.csv", "summary.json", "spec.json", "log.txt"]
    if let events = curves.eventsPath { outputs.append((events as NSString).lastPathComponent) }
    if result.status != .diverged || FileManager.default.fileExists(atPath: checkpoints.path) {
        outputs.append("checkpoint.safetensors")
    }
    try PyTorchExport.write(experiment.model, to: path("weights.safetensors"))
    outputs.append("weights.safetensors")
    if experiment.spec.outputs.predictions, case .classification(let task) = experiment.task, let test = task.test,
        let predicted = result.testPredictions
    {
        try writePredictions(predicted, labels: test.labels, to: path("predictions.csv"))
        outputs.append("predictions.csv")
    }
    if let samples = result.samples {
        try "--- before training ---\n\(samples.before)\n\n--- after training ---\n\(samples.after)\n"
            .write(toFile: path("samples.txt"), atomically: true, encoding: .utf8)
        outputs.append("samples.txt")
    }
    if experiment.spec.outputs.plots {
        let plots = try writeRunPlots(
            curves: curves.points, result: result, task: experiment.task, title: experiment.spec.name,
            directory: folder, outputs: experiment.spec.outputs,
            layout: CurveLayout(
                axis: experiment.spec.outputs.curvesX, stepsPerEpoch: experiment.stepsPerEpoch,
                earlyStopping: experiment.spec.training.earlyStoppingPatience != nil))
        outputs += plots.flatMap { ["\($0).svg", "\($0).png"] }
    }
    var baseline: LeastSquaresBaseline? = nil
    if experiment.spec.outputs.leastSquares, case .classification(let task) = experiment.task {
        baseline = LeastSquaresBaseline(task, featureNames: experiment.featureNames)
    }
    outputs.append("report.html")
    let summary = RunSummary(experiment: experiment, result: result, outputs: outputs, leastSquares: baseline)
    try summary.write(to: path("summary.json"))
    try runReport(experiment: experiment, result: result, outputs: outputs, baselineLines: baseline?.reportLines ?? [])
        .write(to: path("report.html"))
    summary.report.split(separator: "\n").forEach { log.write(String($0), always: true) }
    if let message = result.message { log.write("\(result.status.rawValue): \(message)", always: true) }
    return result.status
}

/// `predictions.csv`: a header, then one row per test example: its index in the test split, the predicted class
/// and the true class (class indices, as in the confusion matrix).
func writePredictions(_ predicted: [Int], labels: [Int], to path: String) throws {
    precondition(
        predicted.count == labels.count, "writePredictions: \(predicted.count) predictions for \(labels.count) labels")
    var text = "index,predicted,true\n"
    for (i, (p, label)) in zip(predicted, labels).enumerated() { text += "\(i),\(p),\(label)\n" }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}
