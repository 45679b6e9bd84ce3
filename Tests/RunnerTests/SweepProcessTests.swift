import Foundation
import Testing

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

// A sweep run by the built `runner` (`.build/debug/runner`, from `swift build`): its trials are processes of their
// own, stopped at a checkpoint by a Ctrl-C to the sweep and by the sweep's death.

/// Two trials that train far longer than the tests wait, checkpointing often.
private let longSweep = """
    {
      "name": "long",
      "seed": 3,
      "data": {"dataset": "blobs", "classes": 3, "points": 120, "train": 80, "validation": 20, "test": 20},
      "model": {"type": "mlp", "hidden": [8]},
      "training": {"steps": 1000000, "batch_size": 8, "log_every": 1000, "checkpoint_every": 20},
      "outputs": {"plots": false, "tensorboard": false},
      "sweep": {"grid": {"optimizer.lr": [0.01, 0.05]}}
    }
    """

/// The debug `runner` beside this package's build products, or nil (with the reason printed) when it is not built.
private func builtRunner() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = root.appendingPathComponent(".build/debug/runner").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        print("skipped: \(path) is not built (swift build)")
        return nil
    }
    return path
}

/// Waits up to `seconds` for `condition`; whether it held.
private func wait(seconds: Double, until condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return true
}

/// The processes whose parent is `parent` (from `/proc/PID/stat`, whose fourth field is the parent's id).
private func children(of parent: pid_t) -> [pid_t] {
    let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { pid_t($0) } ?? []
    return ids.filter { id in
        guard let stat = try? String(contentsOfFile: "/proc/\(id)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && pid_t(fields[1]) == parent
    }
}

/// Whether process `id` has ended (gone, or a zombie no one has reaped yet).
private func hasEnded(_ id: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(id)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
}

/// Starts `runner run SPEC --out FOLDER` for `longSweep` in a new folder, with one thread; waits until its first
/// trial has written a checkpoint. Returns the sweep's process, its folder, the trial's process id and the file
/// that collects the sweep's standard error.
private func startLongSweep(
    _ runner: String
) throws -> (sweep: Process, folder: String, trial: pid_t, stderr: String) {
    let folder = NSTemporaryDirectory() + "tapegrad-sweep-process-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let spec = folder + ".json"
    try longSweep.write(toFile: spec, atomically: true, encoding: .utf8)
    let (outPath, errPath) = (folder + ".out", folder + ".err")
    for path in [outPath, errPath] { FileManager.default.createFile(atPath: path, contents: nil) }
    let sweep = Process()
    sweep.executableURL = URL(fileURLWithPath: runner)
    sweep.arguments = ["run", spec, "--out", folder + "/sweep"]
    var environment = ProcessInfo.processInfo.environment
    environment["TAPEGRAD_NUM_THREADS"] = "1"
    sweep.environment = environment
    sweep.standardOutput = FileHandle(forWritingAtPath: outPath)
    sweep.standardError = FileHandle(forWritingAtPath: errPath)
    try sweep.run()
    let checkpoint = folder + "/sweep/trial-0/checkpoint.safetensors"
    let started = wait(seconds: 120) { FileManager.default.fileExists(atPath: checkpoint) }
    let trial = children(of: sweep.processIdentifier).first
    guard started, let trial else {
        sweep.terminate()
        throw RunnerTestFailure("the sweep's first trial did not checkpoint within 120 s")
    }
    return (sweep, folder, trial, errPath)
}

/// Ends the sweep and its trial if they still run (a failed test), and removes what `startLongSweep` wrote.
private func removeLongSweep(_ folder: String, sweep: Process, trial: pid_t) {
    if sweep.isRunning { kill(sweep.processIdentifier, SIGKILL) }
    if !hasEnded(trial) { kill(trial, SIGKILL) }
    for suffix in ["", ".json", ".out", ".err"] { try? FileManager.default.removeItem(atPath: folder + suffix) }
}

private struct RunnerTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `trial-0/summary.json`'s status in the sweep folder of `folder`.
private func firstTrialStatus(_ folder: String) -> String? {
    let text = try? String(contentsOfFile: folder + "/sweep/trial-0/summary.json", encoding: .utf8)
    return text?.firstMatch(of: /"status" : "([a-z_]+)"/).map { String($0.1) }
}

@Suite(.serialized)
struct SweepProcessTests {
    @Test func ctrlCStopsTheRunningTrialAtACheckpointAndWritesTheSweepResults() throws {
        guard let runner = builtRunner() else { return }
        let (sweep, folder, trial, stderr) = try startLongSweep(runner)
        defer { removeLongSweep(folder, sweep: sweep, trial: trial) }
        // The trial has a process group of its own: a Ctrl-C at the terminal reaches the sweep alone.
        #expect(getpgid(trial) == trial)
        sweep.interrupt()
        try #require(wait(seconds: 60) { !sweep.isRunning }, "the sweep did not stop")
        #expect(sweep.terminationStatus == 130)
        #expect(hasEnded(trial))
        #expect(firstTrialStatus(folder) == "interrupted")
        let csv = try String(contentsOfFile: folder + "/sweep/sweep.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 2 && csv[1].hasPrefix("0,1,\"optimizer.lr=0.01\",interrupted,"))
        #expect(FileManager.default.fileExists(atPath: folder + "/sweep/report.html"))
        let message = try String(contentsOfFile: stderr, encoding: .utf8)
        #expect(
            message.contains(
                "sweep interrupted: 0 of 2 trials finished, 1 stopped at a checkpoint, 1 not started; "
                    + "\(folder)/sweep/sweep.csv holds the trials that started; continue with: runner --resume "),
            "\(message)")
    }

    @Test func killingTheSweepStopsItsTrialAtACheckpoint() throws {
        guard let runner = builtRunner() else { return }
        let (sweep, folder, trial, _) = try startLongSweep(runner)
        defer { removeLongSweep(folder, sweep: sweep, trial: trial) }
        kill(sweep.processIdentifier, SIGKILL)
        #expect(wait(seconds: 60) { hasEnded(trial) }, "trial \(trial) runs on after its sweep was killed")
        #expect(firstTrialStatus(folder) == "interrupted")
        let log = try String(contentsOfFile: folder + "/sweep/trial-0/log.txt", encoding: .utf8)
        #expect(log.contains("interrupted at step"), "\(log)")
    }
}
