// Loading a spec file: read, parse, apply `--set` overrides, validate, and expand a sweep into trials.

import Foundation
import Models

/// A spec as loaded: the JSON tree after `--set` overrides (what sweep trials start from) and the validated spec.
struct SpecDocument {
    /// The file the spec came from ("<spec>" for text given directly).
    var source: String
    /// The document after overrides, before defaults are filled (with `name` added when the file has none).
    var json: JSONValue
    /// The overrides applied, in order.
    var overrides: [SpecOverride]
    /// The validated spec, with every default that does not need the data filled.
    var spec: ExperimentSpec

    /// Reads the spec at `path` and applies `overrides` (`key.path=value` strings) before validating. The name
    /// defaults to the file's base name. When the path does not exist as written, a path that differs only in
    /// letter case is accepted (`experiments/cnn.json` finds `Experiments/cnn.json`).
    static func load(path: String, overrides: [String] = []) throws(SpecError) -> SpecDocument {
        let found = existingPath(matching: path) ?? path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: found, isDirectory: &isFolder), isFolder.boolValue {
            throw SpecError(source: path, "is a folder, not a spec file")
        }
        let text: String
        do {
            text = try String(contentsOfFile: found, encoding: .utf8)
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: found) ? "cannot be read as UTF-8 text" : "does not exist"
            throw SpecError(source: path, "the spec file \(reason)")
        }
        let name = ((found as NSString).lastPathComponent as NSString).deletingPathExtension
        return try SpecDocument(text: text, source: path, overrides: overrides, defaultName: name)
    }

    /// Parses and validates spec text. Every problem of the file is reported together; a syntax error or a bad
    /// `--set` stops before validation.
    init(
        text: String, source: String = "<spec>", overrides: [String] = [], defaultName: String? = nil
    )
        throws(SpecError)
    {
        let json: JSONValue
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw SpecError(source: source, "invalid JSON at \(error)")
        }
        var parsed: [SpecOverride] = []
        for argument in overrides { parsed.append(try SpecOverride(parsing: argument)) }
        try self.init(json: json, source: source, overrides: parsed, defaultName: defaultName)
    }

    /// Validates a JSON tree after applying `overrides`.
    init(
        json: JSONValue, source: String, overrides: [SpecOverride] = [], defaultName: String? = nil
    )
        throws(SpecError)
    {
        var tree = json
        if let defaultName, var members = tree.objectValue, members["name"] == nil {
            members["name"] = .string(defaultName)
            tree = .object(members)
        }
        if tree.objectValue != nil {
            for o in overrides { tree = try tree.setting(o.value, at: o.path, source: "--set \(o.argument)") }
        }
        self.source = source
        self.json = tree
        self.overrides = overrides
        let diagnostics = SpecDiagnostics()
        spec = ExperimentSpec.read(tree, at: .root, diagnostics) ?? ExperimentSpec()  // nil: reported
        let issues = diagnostics.issues.map { issue in
            guard let o = overrides.last(where: { issue.isUnder($0.path) }) else { return issue }
            return SpecIssue(path: issue.path, message: issue.message + " (from --set \(o.argument))")
        }
        if !issues.isEmpty { throw SpecError(source: source, issues: issues) }
        if spec.sweep != nil { _ = try trials() }
    }

    /// The trials of the sweep (one trial, the spec itself, when there is no sweep): for each combination of
    /// values, the document without `sweep` and with the values set, validated like a file. Problems of every
    /// trial are reported together, at the sweep entry that caused them where one did. A refined sweep's later
    /// rounds come from `refinedRound`.
    func trials() throws(SpecError) -> [SweepTrial] {
        guard let sweep = spec.sweep else { return [SweepTrial(index: 0, overrides: [], json: json, spec: spec)] }
        return try trials(of: sweep, round: 1, ranges: sweep.random.entries)
    }

    /// Round `round` (from 1) of a refined random search (`sweep.refine`): the ranges narrowed around `best`
    /// (the best trial so far's values, key path → value; see `SweepSpec.ranges`) and the round's trials, drawn
    /// with seed `sweep.seed + round - 1`. Indices continue across rounds: round r's first trial is
    /// `(r - 1) × sweep.roundTrialCount`. Round 1 is `trials()` with the given ranges.
    func refinedRound(
        _ round: Int, best: [String: JSONValue]
    ) throws(SpecError)
        -> (ranges: [String: SweepRange], trials: [SweepTrial])
    {
        guard let sweep = spec.sweep else { return ([:], try trials()) }
        let ranges = sweep.ranges(round: round, best: best)
        return (ranges, try trials(of: sweep, round: round, ranges: ranges))
    }

    /// The trials of one round, drawn from `ranges`.
    private func trials(
        of sweep: SweepSpec, round: Int, ranges: [String: SweepRange]
    ) throws(SpecError)
        -> [SweepTrial]
    {
        func entryPath(_ key: String) -> SpecPath {
            SpecPath.root.appending("sweep").appending(sweep.grid.entries[key] != nil ? "grid" : "random").appending(
                entry: key)
        }
        let base = json.removingKey("sweep")
        let firstIndex = (round - 1) * sweep.roundTrialCount
        var trials: [SweepTrial] = []
        var issues: [SpecIssue] = []
        for (offset, combination) in sweep.combinations(round: round, ranges: ranges).enumerated() {
            let index = firstIndex + offset
            var set: [(key: String, override: SpecOverride)] = []
            var tree = base
            do {
                for (key, value) in combination {
                    guard case .success(let path) = parseKeyPath(key) else { continue }  // reported when read
                    set.append((key, SpecOverride(path: path, value: value, argument: "\(key)=\(value.compactJSON)")))
                    tree = try tree.setting(value, at: path, source: source)
                }
            } catch {
                let key = set.last?.key ?? ""
                issues.append(SpecIssue(path: entryPath(key), message: error.issues.map(\.description).joined()))
                continue
            }
            let overrides = set.map(\.override)
            let diagnostics = SpecDiagnostics()
            let trialSpec = ExperimentSpec.read(tree, at: .root, diagnostics) ?? ExperimentSpec()  // nil: reported
            for issue in diagnostics.issues {
                if let cause = set.last(where: { issue.isUnder($0.override.path) }) {
                    let message = "value \(cause.override.value.compactJSON) gives \(issue)"
                    issues.append(SpecIssue(path: entryPath(cause.key), message: message))
                } else {
                    let label = overrides.map(\.argument).joined(separator: ", ")
                    let message = "\(issue.message) (in trial \(index): \(label))"
                    issues.append(SpecIssue(path: issue.path, message: message))
                }
            }
            if diagnostics.issues.isEmpty {
                var trial = SweepTrial(index: index, overrides: overrides, json: tree, spec: trialSpec)
                trial.round = round
                trial.values = Dictionary(combination.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
                trials.append(trial)
            }
        }
        var unique: [SpecIssue] = []
        for issue in issues where !unique.contains(issue) { unique.append(issue) }
        if !unique.isEmpty { throw SpecError(source: source, issues: unique) }
        return trials
    }
}

/// One trial of a sweep: its position, the values it sets, and the spec it runs.
struct SweepTrial {
    /// The position in the sweep, from 0 (counting on across the rounds of a refined search).
    var index: Int
    /// The values set, as `key.path=value` overrides.
    var overrides: [SpecOverride]
    /// The base document with `sweep` removed and the overrides applied: what the trial's process reads.
    var json: JSONValue
    /// The trial's validated spec.
    var spec: ExperimentSpec
    /// The round of a refined search it belongs to, from 1 (1 for every other sweep).
    var round = 1
    /// The swept key paths and their values (what `overrides` set).
    var values: [String: JSONValue] = [:]
    /// Whether the trial continues from the checkpoint in its folder (a resumed sweep's interrupted trial) instead
    /// of starting.
    var resuming = false

    /// A trial with the given position, overrides, document and spec (round 1, no recorded values).
    init(index: Int, overrides: [SpecOverride], json: JSONValue, spec: ExperimentSpec) {
        (self.index, self.overrides, self.json, self.spec) = (index, overrides, json, spec)
    }

    /// "optimizer.lr=0.01, model.dropout=0.5" (empty without a sweep).
    var label: String { overrides.map(\.argument).joined(separator: ", ") }
}

extension ExperimentSpec {
    /// The validated spec of the file at `path` with `--set` overrides applied; see `SpecDocument.load`.
    static func load(path: String, overrides: [String] = []) throws(SpecError) -> ExperimentSpec {
        try SpecDocument.load(path: path, overrides: overrides).spec
    }
}

/// `path` if it exists; else the path whose components match it ignoring letter case, if exactly one does.
func existingPath(matching path: String) -> String? {
    let manager = FileManager.default
    if manager.fileExists(atPath: path) { return path }
    let isAbsolute = path.hasPrefix("/")
    var current = isAbsolute ? "/" : "."
    for component in path.split(separator: "/").map(String.init) {
        let candidate = (current as NSString).appendingPathComponent(component)
        if manager.fileExists(atPath: candidate) {
            current = candidate
            continue
        }
        let entries = (try? manager.contentsOfDirectory(atPath: current)) ?? []
        let matches = entries.filter { $0.lowercased() == component.lowercased() }
        guard matches.count == 1 else { return nil }
        current = (current as NSString).appendingPathComponent(matches[0])
    }
    return isAbsolute ? current : String(current.dropFirst(current.hasPrefix("./") ? 2 : 0))
}
