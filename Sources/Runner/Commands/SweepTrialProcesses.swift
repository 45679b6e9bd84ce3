import Foundation
import Models

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// The default `SweepTrialRunner`: each trial as `runner run trial-spec.json --out folder/trial-K --quiet` (a
/// resumed one as `runner run --resume folder/trial-K --quiet`), its standard output and error in `output.txt` (its
/// own `log.txt` holds the run's lines),
/// `Parallelism.threadCount / parallel` threads each.
///
/// Each trial runs in its own process group, so a Ctrl-C at the terminal reaches only the sweep; on Ctrl-C or
/// SIGTERM (`Interruption.requested`) the sweep sends each running trial one SIGINT (a second one would make it exit
/// without its checkpoint), starts no more, and waits until they have checkpointed and stopped; a trial stopped so
/// (exit status 130) is not a failure. Each trial gets `--stop-with-parent`, so it stops the same way when the
/// sweep ends without waiting for it (killed, or a second Ctrl-C).
func runTrialProcesses(_ trials: [SweepTrial], folder: String, parallel: Int) throws -> [String] {
    let executable = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).standardizedFileURL.path
    var pending = Array(trials.reversed())
    var running: [(trial: SweepTrial, process: Process)] = []
    var failures: [String] = []
    var interrupting = false
    while (!interrupting && !pending.isEmpty) || !running.isEmpty {
        while !interrupting, running.count < parallel, let trial = pending.popLast() {
            let directory = try prepareTrialFolder(trial, in: folder)
            let specPath = (directory as NSString).appendingPathComponent("trial-spec.json")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            let what = trial.resuming ? ["--resume", directory] : [specPath, "--out", directory]
            process.arguments = ["run"] + what + ["--quiet", "--stop-with-parent", "\(getpid())"]
            // Trials side by side share the cores: each gets its part of the threads (a worker spinning on a
            // core another trial needs would only slow both down).
            var environment = ProcessInfo.processInfo.environment
            environment["TAPEGRAD_NUM_THREADS"] = "\(max(1, Parallelism.threadCount / parallel))"
            process.environment = environment
            let log = try trialLog(in: directory, appending: trial.resuming, trial: trial.index)
            process.standardOutput = log
            process.standardError = log
            try process.run()
            print("  trial \(trial.index) \(trial.resuming ? "resumed" : "started"): \(trial.label)")
            running.append((trial, process))
        }
        Thread.sleep(forTimeInterval: 0.2)
        if !interrupting && Interruption.requested {
            interrupting = true
            running.forEach { $0.process.interrupt() }
            if !running.isEmpty { print("  stopping \(running.count) running trial(s) at their next step…") }
        }
        running.removeAll { entry in
            guard !entry.process.isRunning else { return false }
            let status = entry.process.terminationStatus
            let stopped = interrupting && status == 130
            print("  trial \(entry.trial.index) \(stopped ? "interrupted" : "finished") (exit \(status))")
            if status != 0 && !stopped {
                failures.append("trial \(entry.trial.index) (\(entry.trial.label)) exited with \(status)")
            }
            return true
        }
    }
    return failures
}

/// The trial's `output.txt`, opened for its standard output and error: a new empty file (replacing one that an
/// earlier sweep into this folder left), or the existing one with the output added at its end when `appending`.
/// Not `log.txt`, which the trial writes itself.
private func trialLog(in directory: String, appending: Bool, trial: Int) throws -> FileHandle {
    let path = (directory as NSString).appendingPathComponent("output.txt")
    if !appending || !FileManager.default.fileExists(atPath: path) {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw RunnerFailure(message: "sweep: cannot create \(path) for trial \(trial)")
        }
    }
    guard let log = FileHandle(forWritingAtPath: path) else {
        throw RunnerFailure(message: "sweep: cannot write \(path) for trial \(trial)")
    }
    log.seekToEndOfFile()
    return log
}
