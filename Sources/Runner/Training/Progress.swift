@preconcurrency import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Training progress: a live bar with ETA, loss and samples/s redrawn in place on a terminal; plain periodic
/// lines (one every `lineInterval` seconds) when the output is a file or a pipe.
final class Progress {
    private let total: Int
    private let label: String
    private let isTerminal: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let lineInterval: TimeInterval

    init(total: Int, label: String, lineInterval: TimeInterval = 10) {
        self.total = max(total, 1)
        self.label = label
        self.lineInterval = lineInterval
        isTerminal = isatty(STDOUT_FILENO) == 1
    }

    /// Reports that `done` of `total` steps are finished, with the current loss and throughput.
    func update(done: Int, loss: Double, samples: Int) {
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        guard now.timeIntervalSince(lastDraw) >= (isTerminal ? 0.1 : lineInterval) || done == total else { return }
        lastDraw = now
        let fraction = Double(done) / Double(total)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let rate = elapsed > 0 ? Double(samples) / elapsed : 0
        let stats = String(format: "loss %.4f  %.0f samples/s  ETA %@", loss, rate, Progress.clock(eta))
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            print("\r\(label) \(bar) \(done)/\(total)  \(stats)\u{1B}[K", terminator: done == total ? "\n" : "")
            fflush(stdout)
        } else {
            print("\(label) step \(done)/\(total)  \(stats)")
        }
    }

    /// Ends a bar that stopped before its total (early stopping, interruption).
    func finish() {
        if isTerminal { print("") }
    }

    /// `h:mm:ss` or `m:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
