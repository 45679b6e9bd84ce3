import ArgumentParser
import Foundation
import Models

/// Times the training workloads W1–W6: milliseconds per step (forward + backward + update), samples/s, GFLOP/s
/// and its share of an sgemm peak measured in the same run, and peak RSS.
struct TrainingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Milliseconds per training step of the coursework models (W1–W6).",
        discussion: """
            Protocol: float32, batch 32, Adam (AdamW for W5), one step = forward + backward + optimizer step, \
            the median over --steps steps after --warmup steps (W6 runs 20× as many). Peak RSS is the \
            process's peak so far: run one workload per process (--only) for a per-workload figure, as \
            Experiments/reference/compare.py does. See docs/performance.md.
            """)

    @Option(help: "Timed steps per workload (after warm-up; W6 runs 20× as many).")
    var steps = 200

    @Option(help: "Warm-up steps per workload.")
    var warmup = 20

    @Option(help: "Workloads to run, e.g. W1,W3a (default: all of W1, W2, W3a, W3b, W4, W5, W6).")
    var only: String?

    @Option(help: "Threads of the engine (Parallelism.threadCount; matrix products are split over them).")
    var threads = 2

    @Flag(help: "Skip the sgemm peak measurement (no % of peak): for runs under a profiler (perf, valgrind).")
    var noPeak = false

    @Option(help: "Also write the results as CSV to this file.")
    var csv: String?

    @Option(help: "Also write the results and the environment as JSON to this file.")
    var json: String?

    func validate() throws {
        guard steps >= 1, warmup >= 0 else { throw ValidationError("--steps must be ≥ 1 and --warmup ≥ 0") }
        _ = try Workloads.selected(only)
    }

    func run() throws {
        #if DEBUG
        print("warning: debug build; use `swift build -c release --product runner` for meaningful numbers")
        #endif
        try setBenchThreads(threads)
        let wanted = try Workloads.selected(only)
        let peak = noPeak ? nil : measureSgemmPeak()
        let environment = BenchEnvironment.current(threads: threads, sgemmPeakGFLOPS: peak)
        environment.summaryLines.forEach { print($0) }
        resetPeakResidentSetSize()  // the peak RSS below is the workloads' (with their data), not the sgemm's

        let images = loadImageBatches()
        let (text, vocabularySize) = loadText()
        print(TrainingBenchResult.tableHeader)
        var results: [TrainingBenchResult] = []
        for workload in Workloads.all(images: images, text: text, vocabularySize: vocabularySize)
        where wanted.contains(workload.name) {
            let result = time(workload, sgemmPeak: environment.sgemmPeakGFLOPS)
            results.append(result)
            print(result.tableLine)
        }
        let options = ["steps": steps, "warmup": warmup]
        try BenchReport(environment: environment, options: options, results: results).write(json: json, csv: csv)
    }

    /// Runs `warmup` steps, then times each of the `steps` (× the workload's multiplier) steps.
    private func time(_ workload: Workload, sgemmPeak: Double?) -> TrainingBenchResult {
        let step = workload.makeStep()
        var loss = 0.0
        for i in 0..<warmup { loss = step(i) }
        let timedSteps = steps * workload.stepMultiplier
        var times: [Double] = []
        times.reserveCapacity(timedSteps)
        for i in 0..<timedSteps {
            let start = DispatchTime.now().uptimeNanoseconds
            loss = step(warmup + i)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        let median = times[times.count / 2]
        let gflops = workload.flopsPerStep > 0 ? workload.flopsPerStep / median / 1e6 : nil
        return TrainingBenchResult(
            workload: workload.name, what: workload.summary, steps: timedSteps, medianMilliseconds: median,
            minMilliseconds: times.first!, maxMilliseconds: times.last!,
            samplesPerSecond: Double(workload.samplesPerStep) * 1000 / median, gflops: gflops,
            percentOfSgemmPeak: sgemmPeak.flatMap { peak in gflops.map { $0 / peak * 100 } },
            peakRSSMegabytes: peakResidentMegabytes(), finalLoss: loss)
    }

    /// The first 64 batches of Fashion-MNIST's training set, or noise when it is not on this machine.
    private func loadImageBatches() -> ImageBatches {
        do {
            return try ImageBatches.fashionMNIST(count: 64)
        } catch {
            print("note: \(error); timing on synthetic images instead")
            return ImageBatches.synthetic(count: 64)
        }
    }

    /// The first 200,000 characters of tiny Shakespeare as token ids and the size of the whole file's
    /// vocabulary, or random tokens when it is not on this machine.
    private func loadText() -> (tokens: [Int], vocabularySize: Int) {
        do {
            let corpus = try DatasetResolver().locate(.tinyShakespeare).loadCorpus()
            return (Array(corpus.tokens.prefix(200_000)), corpus.vocabulary.count)
        } catch {
            print("note: \(error); timing on random text instead")
            var rng = RandomGenerator(seed: 0)
            return ((0..<200_000).map { _ in rng.nextInt(below: 65) }, 65)
        }
    }
}
