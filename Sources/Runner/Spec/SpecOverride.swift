// `--set key.path=value` overrides: edits of the JSON tree made before it is validated, so an override is
// checked exactly like the file. Sweeps make their trials with the same edits.

import Models

/// One `--set key.path=value`: the value is parsed as JSON when it parses (`0.01`, `[64, 32]`, `true`), and
/// taken as a string otherwise (`mnist`).
struct SpecOverride: Equatable, Sendable {
    /// Where the value goes, e.g. `$.optimizer.lr` or `$.model.layers[0].out`.
    var path: SpecPath
    var value: JSONValue
    /// The argument as given, for messages.
    var argument: String

    /// A path and value set directly (sweeps).
    init(path: SpecPath, value: JSONValue, argument: String) {
        self.path = path
        self.value = value
        self.argument = argument
    }

    /// Parses `key.path=value`. A path is keys separated by dots; an array element is a number (`layers.0.out`)
    /// or an index in brackets (`layers[0].out`). A single key that is not a top-level key but belongs to exactly
    /// one section is looked up there: `epochs=1` is `training.epochs=1`, `lr=0.1` is `optimizer.lr=0.1`.
    init(parsing argument: String) throws(SpecError) {
        let source = "--set \(argument)"
        guard let equals = argument.firstIndex(of: "=") else {
            throw SpecError(source: source, "expected key.path=value, e.g. optimizer.lr=0.01")
        }
        let pathText = String(argument[..<equals])
        let valueText = String(argument[argument.index(after: equals)...])
        var path: SpecPath
        switch parseKeyPath(pathText) {
        case .success(let p): path = p
        case .failure(let problem): throw SpecError(source: source, problem.message)
        }
        if path.components.count == 1, case .key(let key) = path.components[0] {
            path = try expandShortcut(key, source: source)
        }
        let value = (try? JSONParser.parse(valueText)) ?? .string(valueText)
        self.init(path: path, value: value, argument: argument)
    }
}

/// Why a key path could not be parsed.
struct KeyPathProblem: Error, Equatable {
    var message: String
}

/// `optimizer.lr`, `model.layers.0.out` or `model.layers[0].out` as a `SpecPath`; a leading `$.`, as error
/// messages write paths, is allowed.
func parseKeyPath(_ written: String) -> Result<SpecPath, KeyPathProblem> {
    let text = written.hasPrefix("$.") ? String(written.dropFirst(2)) : written
    guard !text.isEmpty else { return .failure(KeyPathProblem(message: "the key path before '=' is empty")) }
    var path = SpecPath.root
    for piece in text.split(separator: ".", omittingEmptySubsequences: false) {
        var piece = Substring(piece)
        var indices: [Int] = []
        while piece.hasSuffix("]"), let open = piece.lastIndex(of: "[") {
            guard let i = Int(piece[piece.index(after: open)..<piece.index(before: piece.endIndex)]), i >= 0 else {
                return .failure(KeyPathProblem(message: "\(quoteJSONString(text)): \(piece[open...]) is not an index"))
            }
            indices.insert(i, at: 0)
            piece = piece[..<open]
        }
        if piece.isEmpty && indices.isEmpty {
            return .failure(KeyPathProblem(message: "\(quoteJSONString(text)) has an empty key"))
        }
        if piece.contains("[") || piece.contains("]") {
            return .failure(KeyPathProblem(message: "\(quoteJSONString(text)): unbalanced brackets in \"\(piece)\""))
        }
        if !piece.isEmpty {
            if let i = Int(piece), i >= 0 {
                path = path.appending(index: i)
            } else {
                path = path.appending(String(piece))
            }
        }
        for i in indices { path = path.appending(index: i) }
    }
    return .success(path)
}

/// `$.key` when `key` is a top-level key, else `$.section.key` for the one section that has it.
private func expandShortcut(_ key: String, source: String) throws(SpecError) -> SpecPath {
    if ExperimentKeys.all.contains(where: { $0.name == key }) { return SpecPath.root.appending(key) }
    let owners = ExperimentSpec.sectionKeys.filter { $0.keys.contains(key) }.map(\.section)
    switch owners.count {
    case 1:
        return SpecPath.root.appending(owners[0]).appending(key)
    case 0:
        return SpecPath.root.appending(key)  // reported as an unknown key when the spec is read
    default:
        let options = owners.map { "\($0).\(key)" }.joined(separator: " or ")
        throw SpecError(source: source, "\(quoteJSONString(key)) is a key of several sections; write \(options)")
    }
}

extension JSONValue {
    /// The tree with `value` put at `path`, creating objects for missing keys on the way (an absent section
    /// becomes `{}`). Throws when the way passes through something that is not an object (for a key) or an array
    /// (for an index), or an index beyond the array's end; `source` names the override in the error.
    func setting(_ value: JSONValue, at path: SpecPath, source: String) throws(SpecError) -> JSONValue {
        try setting(value, at: path.components[...], walked: .root, source: source)
    }

    /// `setting(_:at:source:)` for the path components still to walk from `walked`.
    private func setting(
        _ value: JSONValue, at rest: ArraySlice<SpecPath.Component>, walked: SpecPath, source: String
    ) throws(SpecError) -> JSONValue {
        guard let first = rest.first else { return value }
        switch (first, self) {
        case (.key(let key), .object(var members)), (.entry(let key), .object(var members)):
            let next = first == .key(key) ? walked.appending(key) : walked.appending(entry: key)
            let child = members[key] ?? .object([:])
            members[key] = try child.setting(value, at: rest.dropFirst(), walked: next, source: source)
            return .object(members)
        case (.index(let i), .array(var items)):
            guard i < items.count else {
                throw SpecError(
                    source: source, path: walked,
                    "has \(items.count) element\(items.count == 1 ? "" : "s"), so index \(i) is out of range")
            }
            items[i] = try items[i].setting(
                value, at: rest.dropFirst(), walked: walked.appending(index: i), source: source)
            return .array(items)
        case (.index(let i), _):
            throw SpecError(
                source: source, path: walked, "is \(kindDescription), not an array, so it has no element \(i)")
        case (.key(let key), _), (.entry(let key), _):
            throw SpecError(
                source: source, path: walked,
                "is \(kindDescription), not an object, so it has no key \(quoteJSONString(key))")
        }
    }

    /// The tree without the key `key` at the top (nil when not an object).
    func removingKey(_ key: String) -> JSONValue {
        guard var members = objectValue else { return self }
        members[key] = nil
        return .object(members)
    }
}
