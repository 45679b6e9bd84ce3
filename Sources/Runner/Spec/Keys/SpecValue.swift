// The values a spec key can hold, each knowing how it is read strictly from JSON (with a message naming what
// was expected), written back, and described in the JSON Schema and the docs.

import Models

/// A type of value a spec key holds: integers, numbers, booleans, strings, names from a list, arrays and
/// optionals of these, and nested sections.
protocol SpecValue: Equatable, Sendable {
    /// The value of JSON that was already checked (a resolved spec); nil when `json` is not one.
    init?(json: JSONValue)
    /// The value as JSON.
    var json: JSONValue { get }
    /// Reads `json` strictly: the value, or nil after reporting at `path` what was expected.
    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    /// What a value must be, for messages: "an integer", "a positive integer", "one of \"relu\", \"tanh\"".
    static func expected(range: NumberRange?) -> String
    /// The JSON Schema of the value, with `range` as bounds.
    static func schema(range: NumberRange?) -> [String: JSONValue]
    /// The value of a key the spec leaves out, when reading it from `{}` gives it (a section, whose own rules then
    /// run); nil: the key's declared default.
    static func readAbsent(at path: SpecPath, _ diagnostics: SpecDiagnostics) -> Self?
    /// The keys of a section value (for `--set` shortcuts); none for other values.
    static var memberKeys: [String] { get }
}

extension SpecValue {
    static func readAbsent(at path: SpecPath, _ diagnostics: SpecDiagnostics) -> Self? { nil }
    static var memberKeys: [String] { [] }

    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        guard let value = Self(json: json), range?.contains(value.json) ?? true else {
            diagnostics.report(path, "expected \(expected(range: range)), got \(json.excerpt())")
            return nil
        }
        return value
    }
}

/// The bounds of a number (or of each number of an array): `.positive` is (0, ∞), `.fraction` [0, 1).
struct NumberRange: Sendable, Equatable {
    var lower: Double?
    var lowerInclusive = true
    var upper: Double?
    var upperInclusive = true

    /// > 0.
    static let positive = NumberRange(lower: 0, lowerInclusive: false)
    /// ≥ 0.
    static let nonNegative = NumberRange(lower: 0)
    /// [0, 1): a probability that must leave something (dropout), a decay rate (momentum, betas).
    static let fraction = NumberRange(lower: 0, upper: 1, upperInclusive: false)
    /// (0, 1): a share that must leave something on both sides.
    static let openFraction = NumberRange(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: false)
    /// (0, 1]: a factor that shrinks or keeps.
    static let unitInterval = NumberRange(lower: 0, lowerInclusive: false, upper: 1)

    /// ≥ `value`.
    static func atLeast(_ value: Double) -> NumberRange { NumberRange(lower: value) }

    /// Whether the number `json` (or every number of an array) lies in the range; other values pass.
    func contains(_ json: JSONValue) -> Bool {
        switch json {
        case .array(let items): return items.allSatisfy(contains)
        default:
            guard let d = json.doubleValue else { return true }
            if let lower, lowerInclusive ? d < lower : d <= lower { return false }
            if let upper, upperInclusive ? d > upper : d >= upper { return false }
            return true
        }
    }

    /// "a positive integer", "a number in [0, 1)", "an integer ≥ 2": what a value of `noun` in the range is.
    func phrase(_ noun: String, plural: Bool = false) -> String {
        let nouns = plural ? noun + "s" : noun
        let withArticle: (String) -> String = { plural ? $0 : "\(article($0)) \($0)" }
        if upper == nil, lower == 0 {
            return withArticle((lowerInclusive ? "non-negative " : "positive ") + nouns)
        }
        if upper == nil, let lower, lowerInclusive { return withArticle(nouns) + " ≥ \(formatNumber(lower))" }
        let low = lower.map { (lowerInclusive ? "[" : "(") + formatNumber($0) } ?? "(−∞"
        let high = upper.map { formatNumber($0) + (upperInclusive ? "]" : ")") } ?? "∞)"
        return withArticle(nouns) + " in \(low), \(high)"
    }

    /// The range as JSON Schema bounds.
    var schema: [String: JSONValue] {
        var s: [String: JSONValue] = [:]
        if let lower { s[lowerInclusive ? "minimum" : "exclusiveMinimum"] = jsonNumber(lower) }
        if let upper { s[upperInclusive ? "maximum" : "exclusiveMaximum"] = jsonNumber(upper) }
        return s
    }
}

/// An integral number as a JSON integer, any other as a number.
func jsonNumber(_ d: Double) -> JSONValue { d.rounded() == d && abs(d) < 1e15 ? .integer(Int(d)) : .number(d) }

/// An article for a name: "an mlp", "an adam", "a relu", "an integer".
func article(_ name: String) -> String {
    name.first.map { "aeio".contains($0) } == true || name == "mlp" ? "an" : "a"
}

/// A number for messages: integral values without ".0" (`0`, `1e-05`, `0.01`).
func formatNumber(_ d: Double) -> String {
    d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : d.description
}

// MARK: - Scalars

/// A value with a one-word name ("integer", "number") that a range qualifies.
protocol ScalarSpecValue: SpecValue {
    static var noun: String { get }
    static var schemaType: String { get }
}

extension ScalarSpecValue {
    static func expected(range: NumberRange?) -> String { range?.phrase(noun) ?? "\(article(noun)) \(noun)" }


    static func schema(range: NumberRange?) -> [String: JSONValue] {
        ["type": .string(schemaType)].merging(range?.schema ?? [:]) { $1 }
    }
}

extension Int: ScalarSpecValue {
    static let noun = "integer"
    static let schemaType = "integer"
    init?(json: JSONValue) {
        guard let i = json.intValue else { return nil }
        self = i
    }
    var json: JSONValue { .integer(self) }
}

extension Double: ScalarSpecValue {
    static let noun = "number"
    static let schemaType = "number"
    init?(json: JSONValue) {
        guard let d = json.doubleValue else { return nil }
        self = d
    }
    var json: JSONValue { jsonNumber(self) }
}

extension Bool: SpecValue {
    init?(json: JSONValue) {
        guard case .bool(let b) = json else { return nil }
        self = b
    }
    var json: JSONValue { .bool(self) }
    static func expected(range: NumberRange?) -> String { "true or false" }
    static func schema(range: NumberRange?) -> [String: JSONValue] { ["type": "boolean"] }
}

extension String: SpecValue {
    /// A non-empty string.
    init?(json: JSONValue) {
        guard case .string(let s) = json, !s.isEmpty else { return nil }
        self = s
    }
    var json: JSONValue { .string(self) }
    static func expected(range: NumberRange?) -> String { "a non-empty string" }
    static func schema(range: NumberRange?) -> [String: JSONValue] { ["type": "string", "minLength": 1] }
}

// MARK: - Names

/// One of a fixed list of names (a dataset, an optimizer, an activation), as a `String`-backed enum.
protocol SpecChoice: SpecValue, RawRepresentable<String>, CaseIterable {}

extension SpecChoice {
    init?(json: JSONValue) {
        guard case .string(let s) = json, let value = Self(rawValue: s) else { return nil }
        self = value
    }

    var json: JSONValue { .string(rawValue) }

    static var names: [String] { allCases.map(\.rawValue) }

    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        if let value = Self(json: json) { return value }
        var hint = ""
        if case .string(let s) = json { hint = suggestion(for: s, among: names) }
        diagnostics.report(path, "expected \(expected(range: nil)), got \(json.excerpt())\(hint)")
        return nil
    }

    static func expected(range: NumberRange?) -> String {
        "one of " + names.map(quoteJSONString).joined(separator: ", ")
    }


    static func schema(range: NumberRange?) -> [String: JSONValue] {
        ["type": "string", "enum": .array(names.map { .string($0) })]
    }
}

// MARK: - Optionals and arrays

extension Optional: SpecValue where Wrapped: SpecValue {
    /// null is nil.
    init?(json: JSONValue) {
        if json == .null {
            self = .none
        } else if let value = Wrapped(json: json) {
            self = .some(value)
        } else {
            return nil
        }
    }

    var json: JSONValue { map(\.json) ?? .null }

    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        if json == .null { return .some(nil) }
        return Wrapped.read(json, at: path, range: range, diagnostics).map { .some($0) }
    }

    static func expected(range: NumberRange?) -> String { Wrapped.expected(range: range) }

    static var memberKeys: [String] { Wrapped.memberKeys }


    static func schema(range: NumberRange?) -> [String: JSONValue] {
        var s = Wrapped.schema(range: range)
        if case .string(let type)? = s["type"] { s["type"] = .array([.string(type), "null"]) }
        if case .array(let names)? = s["enum"] { s["enum"] = .array(names + [.null]) }
        return s
    }
}

extension Array: SpecValue where Element: SpecValue {
    init?(json: JSONValue) {
        guard case .array(let items) = json else { return nil }
        var values: [Element] = []
        for item in items {
            guard let value = Element(json: item) else { return nil }
            values.append(value)
        }
        self = values
    }

    var json: JSONValue { .array(map(\.json)) }

    /// Each element is read at its own path (`$.model.hidden[1]`).
    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        guard case .array(let items) = json else {
            diagnostics.report(path, "expected \(expected(range: range)), got \(json.excerpt())")
            return nil
        }
        let values = items.enumerated().map {
            Element.read($1, at: path.appending(index: $0), range: range, diagnostics)
        }
        return values.contains(nil) ? nil : values.map { $0! }
    }

    static func expected(range: NumberRange?) -> String {
        if let scalar = Element.self as? any ScalarSpecValue.Type {
            return "an array of " + (range?.phrase(scalar.noun, plural: true) ?? scalar.noun + "s")
        }
        return "an array"
    }


    static func schema(range: NumberRange?) -> [String: JSONValue] {
        ["type": "array", "items": .object(Element.schema(range: range))]
    }
}
