import Foundation
import Models

/// One logging point of `curves.csv`.
struct CurvePoint: Equatable {
    var epoch: Int
    var step: Int
    /// "train", "validation", "test", or an evaluation suite's name.
    var split: String
    var loss: Double
    /// nil for language models.
    var accuracy: Double?
    var learningRate: Double
    var wallSeconds: Double

    static let header = "epoch,step,split,loss,accuracy,learning_rate,wall_seconds"

    var csvLine: String {
        let accuracy = self.accuracy.map { String(format: "%.6f", $0) } ?? ""
        return "\(epoch),\(step),\(split),\(String(format: "%.6f", loss)),\(accuracy),"
            + "\(String(format: "%.6g", learningRate)),\(String(format: "%.3f", wallSeconds))"
    }

    /// Parses a line written by `csvLine`.
    init?(csvLine line: Substring) {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 7, let epoch = Int(fields[0]), let step = Int(fields[1]), let loss = Double(fields[3]),
            let lr = Double(fields[5]), let wall = Double(fields[6])
        else { return nil }
        self.init(
            epoch: epoch, step: step, split: String(fields[2]), loss: loss, accuracy: Double(fields[4]),
            learningRate: lr, wallSeconds: wall)
    }

    init(
        epoch: Int, step: Int, split: String, loss: Double, accuracy: Double?, learningRate: Double, wallSeconds: Double
    ) {
        self.epoch = epoch
        self.step = step
        self.split = split
        self.loss = loss
        self.accuracy = accuracy
        self.learningRate = learningRate
        self.wallSeconds = wallSeconds
    }
}

/// Appends rows to `curves.csv` as they are produced (flushed each time, so an interrupted run keeps them) and
/// remembers them for the plots; with `eventsDirectory`, writes the same values to a TensorBoard event file there.
final class CurvesWriter {
    private let handle: FileHandle
    private(set) var points: [CurvePoint] = []
    private var events: EventFileWriter?
    /// The wall-clock time (seconds since 1970) a point's `wallSeconds` counts from.
    private var origin = Date().timeIntervalSince1970

    /// Creates `path` with the header, or — when resuming from the checkpoint's `state` — keeps the existing rows
    /// a resumed run does not redo and appends after them: the first `state.curveRows` rows (those written before
    /// the checkpoint), or in a checkpoint without that count the rows up to its step. With `eventsDirectory`, its
    /// event files are replaced by one holding the kept rows, which the new ones are appended to.
    init(path: String, resumingFrom state: TrainingState? = nil, eventsDirectory: String? = nil) throws {
        var lines = [CurvePoint.header]
        if let state, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let rows = text.split(separator: "\n").dropFirst().compactMap(CurvePoint.init(csvLine:))
            points = state.curveRows.map { Array(rows.prefix($0)) } ?? rows.filter { $0.step <= state.step }
            lines += points.map(\.csvLine)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RunError.cannotWrite(path: path, reason: "cannot open for appending")
        }
        handle.seekToEndOfFile()
        self.handle = handle
        if let eventsDirectory { try startEvents(in: eventsDirectory) }
    }

    deinit { try? handle.close() }

    /// The TensorBoard event file being written, if any.
    var eventsPath: String? { events?.path }

    func append(_ point: CurvePoint) {
        points.append(point)
        handle.write(Data((point.csvLine + "\n").utf8))
        writeEvents(point)
    }

    /// The TensorBoard tags of a point: `<split>/loss`, `<split>/accuracy` and, for training, `train/learning_rate`.
    static func scalars(of point: CurvePoint) -> [(tag: String, value: Double)] {
        var scalars = [("\(point.split)/loss", point.loss)]
        if let accuracy = point.accuracy { scalars.append(("\(point.split)/accuracy", accuracy)) }
        if point.split == "train" { scalars.append(("train/learning_rate", point.learningRate)) }
        return scalars
    }

    private func startEvents(in directory: String) throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in files where name.hasPrefix("events.out.tfevents.") {
            try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        origin -= points.last?.wallSeconds ?? 0
        events = try EventFileWriter(
            directory: directory, fileName: "events.out.tfevents.\(Int(origin)).tapegrad", wallTime: origin)
        points.forEach(writeEvents)
    }

    /// Writes `point` to the event file; a failure stops the event file with a warning, never the run.
    private func writeEvents(_ point: CurvePoint) {
        guard let events else { return }
        do {
            for (tag, value) in Self.scalars(of: point) {
                try events.addScalar(tag, value, step: point.step, wallTime: origin + point.wallSeconds)
            }
        } catch {
            FileHandle.standardError.write(Data("warning: TensorBoard events stopped: \(events.path): \(error)\n".utf8))
            self.events = nil
        }
    }
}

/// Errors of a run that are not spec errors: files, checkpoints, divergence.
enum RunError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    case missingCheckpoint(path: String)
    /// The checkpoint's training state is not one a run can resume from.
    case invalidTrainingState(path: String, TrainingStateProblem)

    var description: String {
        switch self {
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        case let .missingCheckpoint(path): "no checkpoint to resume from at \(path)"
        case let .invalidTrainingState(path, problem):
            "\(path): its training state"
                + (problem.field.isEmpty ? "" : " field \"\(problem.field)\"") + " \(problem.reason); cannot resume"
        }
    }
}
