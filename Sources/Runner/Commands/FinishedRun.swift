import Foundation
import Models

/// What a finished run's folder says about it: the summary's status, steps, seconds and final metrics, and the
/// curves, read back for sweeps and comparisons.
struct FinishedRun {
    /// `summary.json`'s status; nil when the folder has no readable summary (a run that failed or never ended).
    var status: String?
    var steps: String = ""
    var totalSeconds: String = ""
    /// Final loss and accuracy (nil without one) of each split the summary has.
    var metrics: [String: (loss: Double, accuracy: Double?)] = [:]
    /// The rows of `curves.csv` (empty without one).
    var curves: [CurvePoint]

    static let splits = ["train", "validation", "test"]
    /// The CSV columns of `csvCells`.
    static let csvHeader =
        "status,steps,total_seconds,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,"
        + "test_accuracy"

    /// Reads `folder`'s summary.json and curves.csv; missing or unreadable files leave their parts empty.
    init(folder: String) {
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        curves = ((try? String(contentsOfFile: path("curves.csv"), encoding: .utf8)) ?? "")
            .split(separator: "\n").dropFirst().compactMap(CurvePoint.init(csvLine:))
        guard let text = try? String(contentsOfFile: path("summary.json"), encoding: .utf8),
            let summary = try? JSONParser.parse(text).objectValue
        else { return }
        func field(_ key: String) -> String {
            if case .integer(let i)? = summary[key] { return "\(i)" }
            if case .number(let x)? = summary[key] { return String(format: "%g", x) }
            if case .string(let s)? = summary[key] { return s }
            return ""
        }
        (status, steps, totalSeconds) = (field("status"), field("steps"), field("total_seconds"))
        for split in Self.splits {
            guard case .object(let all)? = summary["metrics"], case .object(let m)? = all[split],
                let loss = m["loss"]?.doubleValue
            else { continue }
            metrics[split] = (loss, m["accuracy"]?.doubleValue)
        }
    }

    /// The cells of `csvHeader`: status (`failed` without a summary), steps, seconds, then loss and accuracy of
    /// train, validation and test (empty where missing).
    var csvCells: [String] {
        guard let status else { return ["failed"] + [String](repeating: "", count: 8) }
        return [status, steps, totalSeconds]
            + Self.splits.flatMap { split in
                [
                    metrics[split].map { String(format: "%.6f", $0.loss) } ?? "",
                    metrics[split]?.accuracy.map { String(format: "%.6f", $0) } ?? "",
                ]
            }
    }
}
