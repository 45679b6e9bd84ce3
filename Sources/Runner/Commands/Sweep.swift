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
func runSweep(
    _ document: SpecDocument, folder: String, quiet: Bool, runTrials: SweepTrialRunner = runTrialProcesses
) throws {
    let sweep = document.spec.sweep
    let refine = sweep?.refine
    let parallel = max(1, sweep?.parallel ?? 1)
    try createOutputFolder(folder)
    let count = sweep?.trialCount ?? 1
    let rounds = refine.map { " in \($0.rounds) rounds" } ?? ""
    print("sweep \(document.spec.name): \(count) trials\(rounds), \(parallel) at a time → \(folder)")

    var finished: [SweepTrial] = []
    var failures: [String] = []
    for round in 1...(refine?.rounds ?? 1) {
        var trials: [SweepTrial]
        if round == 1 {
            trials = try document.trials()
        } else {
            guard let refine, let best = bestSweepTrial(finished, folder: folder, metric: refine.metric) else {
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
        failures += try runTrials(trials, folder, parallel)
        finished += trials
        if Interruption.requested { break }
    }
    let logKeys = Set(sweep?.random.entries.filter { $0.value.log }.map(\.key) ?? [])
    try writeSweepResults(trials: finished, folder: folder, title: document.spec.name, logKeys: logKeys)
    if !failures.isEmpty {
        throw RunnerFailure(message: "sweep: " + failures.joined(separator: "; ") + "; see each trial's log.txt")
    }
}

/// The trial of `trials` with the best `metric` (`metrics.validation.accuracy` or `.loss` of its
/// `folder/trial-K/summary.json`), and that value; nil when no trial has a finite value. Ties go to the first.
func bestSweepTrial(
    _ trials: [SweepTrial], folder: String, metric: SweepRefineKeys.Metric
) -> (trial: SweepTrial, value: Double)? {
    var best: (trial: SweepTrial, value: Double)?
    for trial in trials {
        let path = (folder as NSString).appendingPathComponent("trial-\(trial.index)/summary.json")
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

/// The default `SweepTrialRunner`: each trial as `runner run trial-spec.json --out folder/trial-K --quiet`, its
/// output in `log.txt`, `Parallelism.threadCount / parallel` threads each; on Ctrl-C every running trial is
/// interrupted.
func runTrialProcesses(_ trials: [SweepTrial], folder: String, parallel: Int) throws -> [String] {
    let executable = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).standardizedFileURL.path
    var pending = Array(trials.reversed())
    var running: [(trial: SweepTrial, process: Process)] = []
    var failures: [String] = []
    while !pending.isEmpty || !running.isEmpty {
        while running.count < parallel, let trial = pending.popLast() {
            let trialFolder = (folder as NSString).appendingPathComponent("trial-\(trial.index)")
            try FileManager.default.createDirectory(atPath: trialFolder, withIntermediateDirectories: true)
            let specPath = (trialFolder as NSString).appendingPathComponent("trial-spec.json")
            try (trial.json.prettyJSON + "\n").write(toFile: specPath, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["run", specPath, "--out", trialFolder, "--quiet"]
            // Trials side by side share the cores: each gets its part of the threads (a worker spinning on a
            // core another trial needs would only slow both down).
            var environment = ProcessInfo.processInfo.environment
            environment["TAPEGRAD_NUM_THREADS"] = "\(max(1, Parallelism.threadCount / parallel))"
            process.environment = environment
            // The trial's output, in a new empty log.txt (replacing one that an earlier sweep into this folder left).
            let logPath = (trialFolder as NSString).appendingPathComponent("log.txt")
            guard FileManager.default.createFile(atPath: logPath, contents: nil),
                let log = FileHandle(forWritingAtPath: logPath)
            else {
                throw RunnerFailure(message: "sweep: cannot create \(logPath) for trial \(trial.index)")
            }
            process.standardOutput = log
            process.standardError = log
            try process.run()
            print("  trial \(trial.index) started: \(trial.label)")
            running.append((trial, process))
        }
        Thread.sleep(forTimeInterval: 0.2)
        if Interruption.requested { running.forEach { $0.process.interrupt() } }
        running.removeAll { entry in
            guard !entry.process.isRunning else { return false }
            let status = entry.process.terminationStatus
            print("  trial \(entry.trial.index) finished (exit \(status))")
            if status != 0 {
                failures.append("trial \(entry.trial.index) (\(entry.trial.label)) exited with \(status)")
            }
            return true
        }
    }
    return failures
}

/// `sweep.csv` and the sweep's plots (`sweepCharts`) from the trials' summaries and curves; `logKeys` are the
/// swept keys drawn from `log` ranges.
func writeSweepResults(trials: [SweepTrial], folder: String, title: String, logKeys: Set<String> = []) throws {
    var lines = ["trial,round,values," + FinishedRun.csvHeader]
    var outcomes: [TrialOutcome] = []
    var rows: [[HTMLReport.Cell]] = []
    for trial in trials {
        let run = FinishedRun(folder: (folder as NSString).appendingPathComponent("trial-\(trial.index)"))
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
