// Reading one JSON object of a spec strictly: unknown keys, wrong types and values out of range are reported to
// a `SpecDiagnostics` with their path, and the reader goes on with the default so that every problem of a file is
// found in one pass.

/// The keys of one spec object: a `CodingKey` enum whose raw values are the snake_case JSON keys. The same enum
/// drives reading (the keys accepted) and encoding (the keys written), so the two cannot disagree.
protocol SpecKey: CodingKey, CaseIterable, Hashable, RawRepresentable<String> {}

/// A spec section that is read strictly from a JSON value and written back with every default filled.
protocol SpecSection: Codable, Equatable, Sendable {
    /// Reads the section from `value` (nil: the section is absent, so every default applies).
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics)
}

extension SpecSection {
    /// `Decodable` through the strict reader: the value is read as JSON, then as a spec section; any problem is
    /// thrown as a `SpecError`.
    init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        let diagnostics = SpecDiagnostics()
        let path = SpecPath(components: decoder.codingPath.map { .key($0.stringValue) })
        self.init(reading: json, at: path, diagnostics)
        try diagnostics.check(source: "<decoder>")
    }
}

/// What an integer must be, with the words a message uses for it ("a positive integer").
struct IntRule: Sendable {
    let text: String
    let test: @Sendable (Int) -> Bool

    static let any = IntRule(text: "an integer") { _ in true }
    static let positive = IntRule(text: "a positive integer") { $0 > 0 }
    static let nonNegative = IntRule(text: "a non-negative integer") { $0 >= 0 }
}

/// What a number must be, with the words a message uses for it ("a number in [0, 1)").
struct DoubleRule: Sendable {
    let text: String
    let test: @Sendable (Double) -> Bool

    static let any = DoubleRule(text: "a number") { _ in true }
    static let positive = DoubleRule(text: "a positive number") { $0 > 0 }
    static let nonNegative = DoubleRule(text: "a non-negative number") { $0 >= 0 }
    /// [0, 1): a probability that must leave something (dropout), a decay rate (momentum, betas).
    static let fraction = DoubleRule(text: "a number in [0, 1)") { $0 >= 0 && $0 < 1 }
    /// (0, 1): a share that must leave something on both sides.
    static let openFraction = DoubleRule(text: "a number in (0, 1)") { $0 > 0 && $0 < 1 }
}

/// An article for a name: "an mlp", "an adam", "a relu".
func article(_ name: String) -> String {
    name.first.map { "aeio".contains($0) } == true || name == "mlp" ? "an" : "a"
}

/// A number for messages: integral values without ".0" (`0`, `1e-05`, `0.01`).
func formatNumber(_ d: Double) -> String {
    d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : d.description
}

/// One JSON object of a spec, read through the keys of `Key`.
struct SpecObject<Key: SpecKey> {
    /// Where the object is.
    let path: SpecPath
    /// Its members (empty when the object is absent or not an object).
    let members: [String: JSONValue]
    let diagnostics: SpecDiagnostics

    /// Reads `value` (nil: absent, so empty) as an object whose keys must be among `allowed`. A key of `Key` that
    /// is not allowed here is reported as not belonging to `owner` (e.g. "an sgd optimizer"); any other key as
    /// unknown, with the closest allowed key as a suggestion.
    init(
        _ value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics, allowed: [Key] = Array(Key.allCases),
        owner: String? = nil
    ) {
        self.path = path
        self.diagnostics = diagnostics
        diagnostics.noteKeys(Key.allCases.map(\.rawValue), at: path)
        guard let value else {
            members = [:]
            return
        }
        guard let object = value.objectValue else {
            diagnostics.report(path, "expected an object, got \(value.excerpt())")
            members = [:]
            return
        }
        members = object
        let allowedNames = allowed.map(\.rawValue)
        for key in object.keys.sorted() where !allowedNames.contains(key) {
            if Key(rawValue: key) != nil, let owner {
                let list = allowedNames.joined(separator: ", ")
                diagnostics.report(path.appending(key), "not a key of \(owner) (its keys are \(list))")
            } else {
                let hint = suggestion(for: key, among: allowedNames)
                diagnostics.report(path.appending(key), "unknown key \(quoteJSONString(key))" + hint)
            }
        }
    }

    /// The path of `key` in this object.
    func path(_ key: Key) -> SpecPath { path.appending(key.rawValue) }

    /// The value of `key`, nil when absent or null.
    func value(_ key: Key) -> JSONValue? {
        guard let v = members[key.rawValue], v != .null else { return nil }
        return v
    }

    /// Whether `key` is given with a value other than null.
    func has(_ key: Key) -> Bool { value(key) != nil }

    /// Reports a problem with the value of `key`.
    func report(_ key: Key, _ message: String) { diagnostics.report(path(key), message) }

    /// Reports that `key` is missing, and what it should hold.
    func reportMissing(_ key: Key, expected: String) {
        diagnostics.report(path(key), "required key is missing; expected \(expected)")
    }

    // MARK: Scalars

    /// An integer satisfying `rule`, or nil (and a report) when the value is anything else. Absent: nil.
    func optionalInt(_ key: Key, _ rule: IntRule = .any) -> Int? {
        value(key).flatMap { readInt($0, at: path(key), rule, diagnostics) }
    }

    /// An integer satisfying `rule`; `defaultValue` when absent or wrong.
    func int(_ key: Key, default defaultValue: Int, _ rule: IntRule = .any) -> Int {
        optionalInt(key, rule)
            ?? (members[key.rawValue] == .null ? nullReported(key, rule.text, defaultValue) : defaultValue)
    }

    /// A number satisfying `rule`, or nil (and a report) when the value is anything else. Absent: nil.
    func optionalDouble(_ key: Key, _ rule: DoubleRule = .any) -> Double? {
        value(key).flatMap { readDouble($0, at: path(key), rule, diagnostics) }
    }

    /// A number satisfying `rule`; `defaultValue` when absent or wrong.
    func double(_ key: Key, default defaultValue: Double, _ rule: DoubleRule = .any) -> Double {
        optionalDouble(key, rule)
            ?? (members[key.rawValue] == .null ? nullReported(key, rule.text, defaultValue) : defaultValue)
    }

    /// A boolean; nil when absent or null, reported when not a boolean.
    func optionalBool(_ key: Key) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else {
            report(key, "expected true or false, got \(v.excerpt())")
            return nil
        }
        return b
    }

    /// A boolean; `defaultValue` when absent or wrong.
    func bool(_ key: Key, default defaultValue: Bool) -> Bool {
        optionalBool(key)
            ?? (members[key.rawValue] == .null ? nullReported(key, "true or false", defaultValue) : defaultValue)
    }

    /// A non-empty string; nil when absent or null, reported when anything else.
    func optionalString(_ key: Key) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v, !s.isEmpty else {
            report(key, "expected a non-empty string, got \(v.excerpt())")
            return nil
        }
        return s
    }

    /// A non-empty string; `defaultValue` when absent or wrong.
    func string(_ key: Key, default defaultValue: String) -> String {
        optionalString(key)
            ?? (members[key.rawValue] == .null ? nullReported(key, "a non-empty string", defaultValue) : defaultValue)
    }

    /// One of the names of `E`; nil when absent or null, reported (with a suggestion) when anything else.
    func optionalChoice<E: RawRepresentable<String> & CaseIterable>(_ key: Key, _: E.Type = E.self) -> E? {
        guard let v = value(key) else { return nil }
        return readChoice(v, at: path(key), E.self, diagnostics)
    }

    /// One of the names of `E`; `defaultValue` when absent or wrong.
    func choice<E: RawRepresentable<String> & CaseIterable>(_ key: Key, default defaultValue: E) -> E {
        if members[key.rawValue] == .null {
            let names = E.allCases.map { quoteJSONString($0.rawValue) }.joined(separator: ", ")
            return nullReported(key, "one of " + names, defaultValue)
        }
        return optionalChoice(key) ?? defaultValue
    }

    // MARK: Arrays and objects

    /// The elements of an array with their paths; nil when absent or null, reported when not an array.
    func array(_ key: Key) -> [(value: JSONValue, path: SpecPath)]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else {
            report(key, "expected an array, got \(v.excerpt())")
            return nil
        }
        return items.enumerated().map { ($1, path(key).appending(index: $0)) }
    }

    /// An array of integers satisfying `rule` (`rule.text` with "s" appended names the elements); nil when
    /// absent, null, or wrong (reported).
    func optionalIntArray(_ key: Key, _ rule: IntRule) -> [Int]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else {
            report(key, "expected an array of \(plural(rule.text)), got \(v.excerpt())")
            return nil
        }
        let values = items.enumerated().map { readInt($1, at: path(key).appending(index: $0), rule, diagnostics) }
        return values.contains(nil) ? nil : values.map { $0! }
    }

    /// A non-empty array of non-empty strings; nil when absent, null, or wrong (reported).
    func optionalStringArray(_ key: Key) -> [String]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v, !items.isEmpty,
            items.allSatisfy({ if case .string(let s) = $0 { !s.isEmpty } else { false } })
        else {
            report(key, "expected a non-empty array of non-empty strings, got \(v.excerpt())")
            return nil
        }
        return items.map { if case .string(let s) = $0 { s } else { "" } }
    }

    /// The members of a free-form object (keys chosen by the user, such as a sweep's key paths) with their paths;
    /// nil when absent or null, reported when not an object.
    func entries(_ key: Key) -> [(key: String, value: JSONValue, path: SpecPath)]? {
        guard let v = value(key) else { return nil }
        guard let object = v.objectValue else {
            report(key, "expected an object, got \(v.excerpt())")
            return nil
        }
        return object.keys.sorted().map { ($0, object[$0]!, path(key).appending(entry: $0)) }
    }

    /// Reports that `key` is null where a value is needed, and returns `fallback`.
    private func nullReported<T>(_ key: Key, _ expected: String, _ fallback: T) -> T {
        report(key, "expected \(expected), got null")
        return fallback
    }
}

/// `value` as an integer satisfying `rule`, or nil after reporting what was expected.
func readInt(_ value: JSONValue, at path: SpecPath, _ rule: IntRule, _ diagnostics: SpecDiagnostics) -> Int? {
    guard let i = value.intValue, rule.test(i) else {
        diagnostics.report(path, "expected \(rule.text), got \(value.excerpt())")
        return nil
    }
    return i
}

/// `value` as a number satisfying `rule`, or nil after reporting what was expected.
func readDouble(_ value: JSONValue, at path: SpecPath, _ rule: DoubleRule, _ diagnostics: SpecDiagnostics) -> Double? {
    guard let d = value.doubleValue, rule.test(d) else {
        diagnostics.report(path, "expected \(rule.text), got \(value.excerpt())")
        return nil
    }
    return d
}

/// `value` as one of the names of `E`, or nil after reporting the names (and the closest one).
func readChoice<E: RawRepresentable<String> & CaseIterable>(
    _ value: JSONValue, at path: SpecPath, _: E.Type, _ diagnostics: SpecDiagnostics
) -> E? {
    let names = E.allCases.map(\.rawValue)
    if case .string(let s) = value, let choice = E(rawValue: s) { return choice }
    let hint: String
    if case .string(let s) = value { hint = suggestion(for: s, among: names) } else { hint = "" }
    diagnostics.report(
        path, "expected one of \(names.map(quoteJSONString).joined(separator: ", ")), got \(value.excerpt())\(hint)")
    return nil
}

/// "a positive integer" → "positive integers", for array messages.
private func plural(_ text: String) -> String {
    var words = text.split(separator: " ").map(String.init)
    if words.first == "a" || words.first == "an" { words.removeFirst() }
    if let last = words.popLast() { words.append(last + "s") }
    return words.joined(separator: " ")
}
