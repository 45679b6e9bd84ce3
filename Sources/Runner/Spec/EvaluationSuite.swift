// Named transforms of the test set for out-of-distribution evaluation: "shifted_up_4", "rotated_90", ….

import Models

/// A transformed copy of the test set, named in a spec's `evaluation.suites`:
///
/// - `shifted_<up|down|left|right>_<n>`: images moved n pixels, the uncovered border filled with zeros;
/// - `rotated_<degrees>`: images rotated counterclockwise (90, 180, 270 exactly; other angles from 1 to 359
///   with bilinear interpolation).
enum EvaluationSuite: Equatable, Sendable {
    /// Moved `rows` down (negative: up) and `columns` right (negative: left).
    case shifted(rows: Int, columns: Int)
    /// Rotated `degrees` counterclockwise.
    case rotated(degrees: Int)

    /// Why a suite name was not understood.
    struct NameProblem: Error, Equatable {
        var message: String
    }

    /// The names `parse` accepts, as a regular expression (for the JSON Schema).
    static let namePattern =
        "^(shifted_(up|down|left|right)_[1-9][0-9]*|rotated_([1-9]|[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]))$"

    /// The suite called `name`, or what is wrong with the name.
    static func parse(_ name: String) -> Result<EvaluationSuite, NameProblem> {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        let examples = "such as \"shifted_up_4\", \"shifted_left_2\" or \"rotated_90\""
        if parts.count == 3, parts[0] == "shifted" {
            guard let n = Int(parts[2]), n > 0 else {
                return .failure(
                    NameProblem(
                        message: "suite \(quoteJSONString(name)): the shift must be a positive "
                            + "number of pixels, got \(quoteJSONString(parts[2]))"))
            }
            switch parts[1] {
            case "up": return .success(.shifted(rows: -n, columns: 0))
            case "down": return .success(.shifted(rows: n, columns: 0))
            case "left": return .success(.shifted(rows: 0, columns: -n))
            case "right": return .success(.shifted(rows: 0, columns: n))
            default:
                return .failure(
                    NameProblem(
                        message: "suite \(quoteJSONString(name)): the direction must be up, down, "
                            + "left or right, got \(quoteJSONString(parts[1]))"))
            }
        }
        if parts.count == 2, parts[0] == "rotated" {
            guard let degrees = Int(parts[1]), (1...359).contains(degrees) else {
                return .failure(
                    NameProblem(
                        message: "suite \(quoteJSONString(name)): the angle must be whole degrees "
                            + "from 1 to 359, got \(quoteJSONString(parts[1]))"))
            }
            return .success(.rotated(degrees: degrees))
        }
        return .failure(NameProblem(message: "unknown suite \(quoteJSONString(name)); expected a name \(examples)"))
    }

    /// The largest shift in pixels (0 for rotations), which must stay below the image side.
    var shift: Int {
        switch self {
        case .shifted(let rows, let columns): max(abs(rows), abs(columns))
        case .rotated: 0
        }
    }

    /// `dataset` (images (N, C, H, W)) transformed; rotations by an odd number of quarter turns need square images.
    func apply(to dataset: LabelledDataset) -> LabelledDataset {
        switch self {
        case .shifted(let rows, let columns):
            return dataset.translated(rows: rows, columns: columns)
        case .rotated(let degrees) where degrees % 90 == 0:
            return dataset.rotated90(times: degrees / 90)
        case .rotated(let degrees):
            return dataset.rotated(degrees: Double(degrees))
        }
    }
}
