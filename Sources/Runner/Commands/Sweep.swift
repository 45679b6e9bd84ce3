import Foundation
import Models

/// Runs a batch of trials, each in `folder/trial-K`, at most `parallel` at once; returns one message per trial
/// that failed.
typealias SweepTrialRunner = (_ trials: [SweepTrial], _ folder: String, _ parallel: Int) throws -> [String]

/// Runs every trial of a sweep (with `runTrials`: by default each as its own `runner` process, at most
/// `sweep.parallel` at once), each in `folder/trial-K`, then writes `sweep.csv` (one row per trial: its round,
/// values, status and final metrics) and overlay plots of the trials' validation (or training) loss and
/// accuracy. A refined search (`sweep.refine`) runs round by round: after each round the best trial so far (by
/// `refine.metric` in its `summary.json`) centres the next round's narrowed ranges.
///
/// The document is saved as `folder/sweep-spec.json`, from which `runner --resume folder` reads it back; `resuming`
/// keeps the trials that finished, resumes the interrupted ones from their checkpoints and runs the others
/// (`trialsLeft`), so that the results equal an uninterrupted sweep's. On Ctrl-C or SIGTERM the running trials stop
/// at a checkpoint, no more start, and the results of the trials that started are written; the sweep then says so
/// and returns `.interrupted` (`.completed` otherwise).
@discardableResult
func runSweep(
    _ document: SpecDocument, folder: String, quiet: Bool, resuming: Bool = false,
    runTrials: SweepTrialRunner = runTrialProcesses
) throws -> RunStatus {
    let sweep = document.spec.sweep
    let refine = sweep?.refine
    let parallel = max(1, sweep?.parallel ?? 1)
    try createOutputFolder(folder)
    if !resuming {
        let path = (folder as NSString).appendingPathComponent(sweepSpecFile)
        try (document.json.prettyJSON + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
    Interruption.install()
    let count = sweep?.trialCount ?? 1
    let rounds = refine.map { " in \($0.rounds) rounds" } ?? ""
    let how = resuming ? "resuming sweep" : "sweep"
    print("\(how) \(document.spec.name): \(count) trials\(rounds), \(parallel) at a time → \(folder)")

    var drawn: [SweepTrial] = []
    var failures: [String] = []
    for round in 1...(refine?.rounds ?? 1) {
        var trials: [SweepTrial]
        if round == 1 {
            trials = try document.trials()
        } else {
            guard let refine, let best = bestSweepTrial(drawn, folder: folder, metric: refine.metric) else {
                let metric = refine?.metric.rawValue ?? "metric"
                failures.append("no finished trial has a \(metric) to refine around; stopped after round \(round - 1)")
                break
            }
            let next = try document.refinedRound(round, best: best.trial.values)
            trials = next.trials
            print(
                "round \(round): best so far trial \(best.trial.index) (\(best.trial.label)), "
                    + "\(refine.metric.rawValue) \(String(format: "%.6f", best.value)); ranges:")
            for key in next.ranges.keys.sorted() { print("  \(key): \(next.ranges[key]!.summary)") }
        }
        failures += try runTrials(resuming ? try trialsLeft(trials, folder: folder) : trials, folder, parallel)
        drawn += trials
        if Interruption.requested { break }
    }
    let logKeys = Set(sweep?.random.entries.filter { $0.value.log }.map(\.key) ?? [])
    guard Interruption.requested else {
        try writeSweepResults(trials: drawn, folder: folder, title: document.spec.name, logKeys: logKeys)
        if !failures.isEmpty {
            throw RunnerFailure(message: "sweep: " + failures.joined(separator: "; ") + "; see each trial's output.txt")
        }
        return .completed
    }
    let started = drawn.filter { FileManager.default.fileExists(atPath: trialFolder($0, in: folder)) }
    try writeSweepResults(trials: started, folder: folder, title: document.spec.name, logKeys: logKeys)
    let statuses = started.compactMap { FinishedRun(folder: trialFolder($0, in: folder)).status }
    let interrupted = statuses.filter { $0 == RunStatus.interrupted.rawValue }.count
    let failed = failures.isEmpty ? "" : "; " + failures.joined(separator: "; ")
    let message =
        "sweep interrupted: \(statuses.count - interrupted) of \(count) trials finished, \(interrupted) stopped at a "
            + "checkpoint, \(count - started.count) not started\(failed); \(folder)/sweep.csv holds the trials that "
            + "started; continue with: runner --resume \(folder)\n"
    FileHandle.standardError.write(Data(message.utf8))
    return .interrupted
}

/// The trial of `trials` with the best `metric` (`metrics.validation.accuracy` or `.loss` of its
/// `folder/trial-K/summary.json`), and that value; nil when no trial has a finite value. Ties go to the first.
func bestSweepTrial(
    _ trials: [SweepTrial], folder: String, metric: SweepRefineKeys.Metric
) -> (trial: SweepTrial, value: Double)? {
    var best: (trial: SweepTrial, value: Double)?
    for trial in trials {
        let path = (trialFolder(trial, in: folder) as NSString).appendingPathComponent("summary.json")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            case .object(let metrics)? = (try? JSONParser.parse(text))?.objectValue?["metrics"],
            case .object(let validation)? = metrics["validation"],
            let value = validation[metric.summaryKey]?.doubleValue, value.isFinite
        else { continue }
        if let current = best?.value, metric.higherIsBetter ? value <= current : value >= current { continue }
        best = (trial, value)
    }
    return best
}

/// `sweep.csv` and the sweep's plots (`sweepCharts`) from the trials' summaries and curves; `logKeys` are the
/// swept keys drawn from `log` ranges.
func writeSweepResults(trials: [SweepTrial], folder: String, title: String, logKeys: Set<String> = []) throws {
    var lines = ["trial,round,values," + FinishedRun.csvHeader]
    var outcomes: [TrialOutcome] = []
    var rows: [[HTMLReport.Cell]] = []
    for trial in trials {
        let run = FinishedRun(folder: trialFolder(trial, in: folder))
        let label = trial.label.isEmpty ? "trial \(trial.index)" : trial.label
        let cells = ["\(trial.index)", "\(trial.round)", "\"\(label.replacingOccurrences(of: "\"", with: "'"))\""]
        lines.append((cells + run.csvCells).joined(separator: ","))
        outcomes.append(TrialOutcome(label: label, values: trial.values, metrics: run.metrics, curves: run.curves))
        rows.append(
            [.link("\(trial.index)", href: "trial-\(trial.index)/report.html"), .text("\(trial.round)"), .text(label)]
                + run.csvCells.map { .text($0) })
    }
    try (lines.joined(separator: "\n") + "\n")
        .write(toFile: (folder as NSString).appendingPathComponent("sweep.csv"), atomically: true, encoding: .utf8)
    let charts = sweepCharts(outcomes, logKeys: logKeys, title: title)
    for (name, chart) in charts { try write(chart, to: (folder as NSString).appendingPathComponent(name)) }
    // The page: the trials (sortable, each linking to its own report) and every plot.
    var report = HTMLReport(title: "\(title): sweep of \(trials.count) trials")
    report.heading("Trials")
    report.table(
        header: ["trial", "round", "values"] + FinishedRun.csvHeader.split(separator: ",").map(String.init), rows: rows,
        sortable: true)
    report.heading("Plots")
    report.images(charts.map { "\($0.name).png" })
    try report.write(to: (folder as NSString).appendingPathComponent("report.html"))
    print(lines.joined(separator: "\n"))
}
