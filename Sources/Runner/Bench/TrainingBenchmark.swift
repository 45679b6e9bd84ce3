import ArgumentParser
import Foundation
import Models

/// Times the training workloads W1–W6: milliseconds per step (forward + backward + update), samples/s, GFLOP/s
/// and its share of an sgemm peak measured in the same run, and peak RSS.
struct TrainingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Milliseconds per training step of the benchmark workloads (W1–W6).",
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

    @Flag(help: """
        Also time every BLAS call of one more step by itself, on warm caches: the floor the step's matrix products \
        set, and where it goes call by call (see docs/performance.md).
        """)
    var products = false

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
        var floors: [ProductFloor] = []
        for workload in Workloads.all(images: images, text: text, vocabularySize: vocabularySize)
        where wanted.contains(workload.name) {
            let (result, step) = time(workload, sgemmPeak: environment.sgemmPeakGFLOPS)
            results.append(result)
            print(result.tableLine)
            if products { floors.append(ProductFloor(result, step: step, index: warmup + result.steps)) }
        }
        if products {
            print("\n" + ProductFloor.explanation)
            print(ProductFloor.tableHeader)
            floors.forEach { print($0.tableLine) }
            print("\n" + ProductFloor.shapeExplanation)
            print(ProductFloor.shapeTableHeader)
            floors.forEach { $0.shapeTableLines.forEach { print($0) } }
        }
        let options = ["steps": steps, "warmup": warmup]
        try BenchReport(environment: environment, options: options, results: results).write(json: json, csv: csv)
    }

    /// Runs `warmup` steps, then times each of the `steps` (× the workload's multiplier) steps. Returns the result
    /// and the workload's step function (the model as trained so far).
    private func time(_ workload: Workload, sgemmPeak: Double?) -> (TrainingBenchResult, (Int) -> Double) {
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
        let result = TrainingBenchResult(
            workload: workload.name, what: workload.summary, steps: timedSteps, medianMilliseconds: median,
            minMilliseconds: times.first!, maxMilliseconds: times.last!,
            samplesPerSecond: Double(workload.samplesPerStep) * 1000 / median, gflops: gflops,
            percentOfSgemmPeak: sgemmPeak.flatMap { peak in gflops.map { $0 / peak * 100 } },
            peakRSSMegabytes: peakResidentMegabytes(), finalLoss: loss)
        return (result, step)
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

/// A workload's matrix products measured alone (`runner bench train --products`): every BLAS call of one more
/// training step, recorded as it ran (after the engine split large products between threads), then timed by itself
/// on warm caches with one thread (`secondsAlone`; calls of the same shape are timed once). Their sum
/// over the threads is what the step's products take when every call runs at its stand-alone speed and the threads
/// share them perfectly: no schedule of these products through this BLAS is faster.
struct ProductFloor {
    let workload: String
    /// BLAS calls in the step, and how many distinct shapes (with leading dimensions and β) among them.
    let calls: Int
    var shapes: Int { byShape.count }
    /// Σ 2·m·n·k over the calls, in GFLOP.
    let gflop: Double
    /// Σ of the calls' stand-alone times (ms): the products on one thread.
    let oneThreadMilliseconds: Double
    /// `oneThreadMilliseconds` / threads.
    let floorMilliseconds: Double
    /// The timed steps' median (ms), from the workload's result.
    let medianMilliseconds: Double
    /// Each distinct call with how often the step made it and its stand-alone seconds, the costliest (count ×
    /// seconds) first: where the floor goes.
    let byShape: [(call: ProductCall, count: Int, seconds: Double)]

    /// Records the BLAS calls of `step(index)` and times them.
    init(_ result: TrainingBenchResult, step: (Int) -> Double, index: Int) {
        let (_, recorded) = recordingProducts { step(index) }
        var counts: [ProductCall: Int] = [:]
        for call in recorded { counts[call, default: 0] += 1 }
        byShape = counts.map { (call: $0.key, count: $0.value, seconds: secondsAlone($0.key)) }
            .sorted { Double($0.count) * $0.seconds > Double($1.count) * $1.seconds }
        workload = result.workload
        calls = recorded.count
        gflop = recorded.reduce(0) { $0 + $1.flops } / 1e9
        oneThreadMilliseconds = byShape.reduce(0) { $0 + Double($1.count) * $1.seconds } * 1e3
        floorMilliseconds = oneThreadMilliseconds / Double(Parallelism.threadCount)
        medianMilliseconds = result.medianMilliseconds
    }

    static let explanation = """
        Matrix products alone: one step's BLAS calls, each timed by itself on warm caches with one thread; the \
        floor is their sum over the threads (every call at its stand-alone speed, the threads sharing them \
        perfectly).
        """
    private static let widths = [8, 6, 6, 7, 13, 9, 9, 14]
    static let tableHeader = tableRow(
        ["workload", "calls", "shapes", "GFLOP", "one-thread ms", "floor ms", "median ms", "floor / median"],
        widths: widths)
    var tableLine: String {
        let cells = [
            workload, "\(calls)", "\(shapes)", String(format: "%.3f", gflop),
            String(format: "%.3f", oneThreadMilliseconds), String(format: "%.3f", floorMilliseconds),
            String(format: "%.3f", medianMilliseconds), String(format: "%.2f", floorMilliseconds / medianMilliseconds),
        ]
        return tableRow(cells, widths: Self.widths)
    }

    static let shapeExplanation = """
        Where the floor goes: each distinct call (transposes, shape, leading dimensions, β) with its count in the \
        step and its time alone; ms / step = calls × µs alone, on one thread; costliest first.
        """
    private static let shapeWidths = [8, 6, 20, 12, 2, 9, 8, 9]
    static let shapeTableHeader = tableRow(
        ["workload", "calls", "op(A)·op(B) m×n×k", "lda/ldb/ldc", "β", "µs alone", "GFLOP/s", "ms / step"],
        widths: shapeWidths)
    /// One line per distinct call (`byShape`): ms / step is calls × µs alone, on one thread.
    var shapeTableLines: [String] {
        byShape.map { call, count, seconds in
            let (a, b) = (call.transposeA ? "Aᵀ" : "A", call.transposeB ? "Bᵀ" : "B")
            let cells = [
                workload, "\(count)", "\(a)·\(b) \(call.m)×\(call.n)×\(call.k)", "\(call.lda)/\(call.ldb)/\(call.ldc)",
                call.accumulates ? "1" : "0", String(format: "%.2f", seconds * 1e6),
                String(format: "%.1f", call.flops / seconds / 1e9),
                String(format: "%.3f", Double(count) * seconds * 1e3),
            ]
            return tableRow(cells, widths: Self.shapeWidths)
        }
    }
}
