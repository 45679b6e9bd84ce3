import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// A run's log: the lines a person reads while it trains — its opening lines, one line per epoch (per evaluation
/// for a language model) with the training and evaluation metrics, and its closing report — printed under the live
/// progress bar and appended to `log.txt` in the run folder (flushed line by line, so an interrupted run keeps them).
final class RunLog {
    private let handle: FileHandle?
    private let echo: Bool
    private let isTerminal = isatty(STDOUT_FILENO) == 1
    /// The training loss (summed over examples), correct predictions and examples since the last progress line.
    private var training: (loss: Double, correct: Double?, count: Int) = (0, 0, 0)

    /// Creates `path`, or appends to it when `resumingAt` gives the step a resumed run starts from; `echo` prints
    /// each line too (the progress lines are only printed then).
    init(path: String, resumingAt step: Int? = nil, echo: Bool) {
        if step == nil || !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
        self.echo = echo
        if let step { append("--- resumed at step \(step) ---") }
    }

    deinit { try? handle?.close() }

    /// Appends `line` to the log and prints it when the log echoes or `always` (over the progress bar on a
    /// terminal, which redraws below it).
    func write(_ line: String, always: Bool = false) {
        append(line)
        guard echo || always else { return }
        print(isTerminal ? "\r\(line)\u{1B}[K" : line)
    }

    /// Counts one training batch of `count` examples (tokens, for sequence models) with mean loss `loss` and
    /// `correct` right predictions (nil when the task has no accuracy) towards the next progress line.
    func addTraining(loss: Double, correct: Double?, count: Int) {
        training.loss += loss * Double(count)
        training.correct = training.correct.flatMap { sum in correct.map { sum + $0 } }
        training.count += count
    }

    /// The line of an epoch (or evaluation) that ended at `step`: `label`, the training loss and accuracy over the
    /// batches since the last line, the validation and test points at `step`, the epoch's seconds, and a mark when
    /// `isBest` and validation was evaluated at `step`.
    ///
    ///     epoch 3/10  train loss 0.3412 accuracy 0.8790  validation loss 0.3550 accuracy 0.8732  12.4 s  ★ best
    func progress(_ label: String, points: [CurvePoint], step: Int, seconds: Double?, isBest: Bool) {
        func metrics(_ loss: Double, _ accuracy: Double?) -> String {
            String(format: "loss %.4f", loss) + (accuracy.map { String(format: " accuracy %.4f", $0) } ?? "")
        }
        var parts = [label]
        if training.count > 0 {
            let n = Double(training.count)
            parts.append("train " + metrics(training.loss / n, training.correct.map { $0 / n }))
        }
        for split in ["validation", "test"] {
            if let point = points.last(where: { $0.split == split && $0.step == step }) {
                parts.append("\(split) " + metrics(point.loss, point.accuracy))
            }
        }
        if let seconds { parts.append(String(format: "%.1f s", seconds)) }
        let evaluated = points.contains { $0.split == "validation" && $0.step == step }
        if isBest && evaluated { parts.append("★ best") }
        training = (0, 0, 0)
        write(parts.joined(separator: "  "))
    }

    /// The line of the epoch `state` has just finished, of `epochs`: `epoch 3/10 …` with the epoch's seconds.
    func epochEnded(_ state: TrainingState, of epochs: Int, points: [CurvePoint], isBest: Bool) {
        progress(
            "epoch \(state.epoch)/\(epochs)", points: points, step: state.step, seconds: state.secondsPerEpoch.last,
            isBest: isBest)
    }

    private func append(_ line: String) {
        handle?.write(Data((line + "\n").utf8))
    }
}
