import ArgumentParser
import Foundation
import Models

/// `runner bench …`: release-mode benchmarks (never run as tests).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks; build with -c release (swift build -c release --product runner).",
        discussion: """
            runner bench train times W1–W6 (ms/step, GFLOP/s, peak RSS); runner bench accuracy trains them to \
            equal epochs; Experiments/reference/compare.py runs both next to PyTorch. See docs/performance.md.
            """,
        subcommands: [TrainingBench.self, AccuracyBench.self, EngineBench.self, ConvolutionBench.self]
    )
}

/// Seconds per call of `body`: the median, min and max over `repetitions` timed runs of `iterations` calls each.
func measure(repetitions: Int, iterations: Int, _ body: () -> Void) -> (median: Double, min: Double, max: Double) {
    body()  // warm-up
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { body() }
        let end = DispatchTime.now().uptimeNanoseconds
        times.append(Double(end - start) / 1e9 / Double(iterations))
    }
    times.sort()
    return (times[times.count / 2], times.first!, times.last!)
}

/// Formats seconds with a unit that keeps 3–4 significant digits.
func formatDuration(_ seconds: Double) -> String {
    if seconds < 1e-6 { return String(format: "%.1f ns", seconds * 1e9) }
    if seconds < 1e-3 { return String(format: "%.2f µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
    return String(format: "%.2f s", seconds)
}

/// One line of a printed table: the first cell left-aligned and the others right-aligned to `widths`, two spaces
/// apart; the last cell as it is (a free-text column).
func tableRow(_ cells: [String], widths: [Int]) -> String {
    cells.enumerated().map { i, cell in
        let fill = String(repeating: " ", count: max(0, widths[i] - cell.count))
        return i == 0 ? cell + fill : i == cells.count - 1 ? cell : fill + cell
    }.joined(separator: "  ")
}
