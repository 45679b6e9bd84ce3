// The errors a spec file (or a `--set` override) can cause: each names the JSON path of the offending value and
// what was expected, e.g. `$.training.batch_size: expected a positive integer, got -5`.

import Foundation
import Models

/// A location in a JSON document, written like JSONPath: `$`, `$.optimizer.lr`, `$.model.layers[3].kernel`,
/// `$.sweep.grid["optimizer.lr"][1]`.
struct SpecPath: Hashable, Sendable, CustomStringConvertible {
    /// One step from a value to a value inside it.
    enum Component: Hashable, Sendable {
        /// A key of an object whose keys are fixed by the spec's structs.
        case key(String)
        /// A position in an array.
        case index(Int)
        /// A key of an object whose keys are free (a sweep's key paths), written in brackets.
        case entry(String)
    }

    /// The steps from the document's root.
    var components: [Component] = []

    /// The document's root, `$`.
    static let root = SpecPath()

    /// This path extended by a key.
    func appending(_ key: String) -> SpecPath { SpecPath(components: components + [.key(key)]) }

    /// This path extended by an array position.
    func appending(index: Int) -> SpecPath { SpecPath(components: components + [.index(index)]) }

    /// This path extended by a free-form object key.
    func appending(entry: String) -> SpecPath { SpecPath(components: components + [.entry(entry)]) }

    /// Whether `self` is `other` or lies inside it.
    func hasPrefix(_ other: SpecPath) -> Bool { components.starts(with: other.components) }

    /// `$.model.layers[3].kernel`.
    var description: String {
        "$"
            + components.map { component in
                switch component {
                case .key(let k): "." + Self.shortened(k)
                case .index(let i): "[\(i)]"
                case .entry(let e): "[" + JSONValue.string(e).excerpt() + "]"
                }
            }.joined()
    }

    /// A key as a path writes it: cut to 60 characters, and quoted when it holds a control character.
    private static func shortened(_ key: String) -> String {
        if key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return JSONValue.string(key).excerpt()
        }
        return key.count <= 60 ? key : String(key.prefix(59)) + "…"
    }
}

/// One problem in a spec: where, and what was expected.
struct SpecIssue: Equatable, Sendable, CustomStringConvertible {
    /// The value concerned; nil for problems that are not about a value (a syntax error, a malformed `--set`).
    var path: SpecPath?
    var message: String

    /// `$.training.batch_size: expected a positive integer, got -5`.
    var description: String { (path.map { "\($0): " } ?? "") + message }

    /// Whether the problem concerns the value at `other` or one inside it.
    func isUnder(_ other: SpecPath) -> Bool { path?.hasPrefix(other) ?? false }
}

/// Why a spec was rejected: every problem found, each with its JSON path. Thrown by `SpecDocument`,
/// `ExperimentSpec(json:)` and `buildExperiment`.
struct SpecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or "--set", or "<spec>") the problems are in.
    var source: String
    /// The problems, in the order they were found (document order within each section).
    var issues: [SpecIssue]

    /// A single problem at `path` (nil: not about one value).
    init(source: String = "<spec>", path: SpecPath? = nil, _ message: String) {
        self.init(source: source, issues: [SpecIssue(path: path, message: message)])
    }

    /// Several problems.
    init(source: String, issues: [SpecIssue]) {
        self.source = source
        self.issues = issues
    }

    /// `cnn.json: $.optimizer.lr: expected a positive number, got 0`, or for several problems a count followed
    /// by one indented line each.
    var description: String {
        if issues.count == 1 { return "\(source): \(issues[0])" }
        return "\(source): \(issues.count) problems:\n" + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}

extension SpecError: LocalizedError {
    /// The same text as `description`.
    var errorDescription: String? { description }
}

/// Collects the problems found while reading a spec, so that all of them are reported together.
final class SpecDiagnostics {
    /// The problems so far.
    private(set) var issues: [SpecIssue] = []

    /// Records a problem.
    func report(_ path: SpecPath, _ message: String) {
        issues.append(SpecIssue(path: path, message: message))
    }

    /// Whether a problem was found at `path` or inside it.
    func hasIssues(under path: SpecPath) -> Bool {
        issues.contains { $0.isUnder(path) }
    }

    /// Throws the problems found, if any, as one `SpecError`.
    func check(source: String) throws(SpecError) {
        if !issues.isEmpty { throw SpecError(source: source, issues: issues) }
    }
}

/// The candidate closest to `word` for a "did you mean" hint: equal up to case, containing or contained in it,
/// or within a small edit distance; nil when nothing is close.
func closestMatch(to word: String, among candidates: [String]) -> String? {
    let w = word.lowercased()
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let c = candidate.lowercased()
        var distance = editDistance(Array(w), Array(c))
        if w.count >= 3 && c.count >= 3 && (c.contains(w) || w.contains(c)) { distance = min(distance, 1) }
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    guard let best else { return nil }
    let allowed = max(1, min(3, word.count / 3))
    return best.distance <= allowed ? best.candidate : nil
}

/// `" (did you mean \"lr\"?)"`-style hint, or "" when nothing is close.
func suggestion(for word: String, among candidates: [String]) -> String {
    closestMatch(to: word, among: candidates).map { "; did you mean \(quoteJSONString($0))?" } ?? ""
}

/// The Levenshtein distance between two character sequences.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var row = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where j <= b.count {
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = row
    }
    return previous[b.count]
}
