// Each spec key declared once: its JSON name, value type, default, allowed range and meaning. Reading, writing,
// messages, the JSON Schema and the docs' tables all come from these declarations.

import Models

/// One key of a spec object: `SpecKey("batch_size", 32, range: .positive, "Examples (or text blocks) per batch.")`.
///
/// Keys are declared as the stored properties of a `SpecKeys` struct, in the order the docs list them; a
/// `Section` of that struct reads, checks and holds their values, and gives them back typed:
/// `spec.training.batchSize`.
struct SpecKey<Value: SpecValue>: AnySpecKey {
    /// What a key holds when the spec leaves it out.
    enum Default: Sendable {
        /// A fixed value.
        case value(Value)
        /// A value per variant of the section (an optimizer's `lr`), `otherwise` for the rest.
        case byVariant([String: Value], otherwise: Value)
        /// No default: the key must be given; the text says what it holds ("the kernel size").
        case required(String)
        /// A value that the rules across sections or the data fill in later (`training.shuffle`), `Value` until
        /// then; the text says what it becomes, for the docs.
        case derived(Value, String)
    }

    /// The JSON name, snake_case.
    let name: String
    let defaultValue: Default
    /// The bounds of a number, or of each number of an array.
    let range: NumberRange?
    /// One line for the docs and the schema.
    let meaning: String

    /// A key with a fixed default.
    init(_ name: String, _ defaultValue: Value, range: NumberRange? = nil, _ meaning: String) {
        (self.name, self.defaultValue, self.range, self.meaning) = (name, .value(defaultValue), range, meaning)
    }


    /// A key whose default depends on the section's variant.
    init(
        _ name: String, byVariant defaults: [String: Value], otherwise: Value, range: NumberRange? = nil,
        _ meaning: String
    ) {
        self.name = name
        defaultValue = .byVariant(defaults, otherwise: otherwise)
        (self.range, self.meaning) = (range, meaning)
    }


    /// A key that must be given; `what` completes "expected …" in the message when it is missing.
    init(_ name: String, required what: String, range: NumberRange? = nil, _ meaning: String) {
        (self.name, self.defaultValue, self.range, self.meaning) = (name, .required(what), range, meaning)
    }


    /// A key whose default is filled in later from other sections or the data (`becomes` says how, in the docs).
    init(_ name: String, derived value: Value, becomes: String, range: NumberRange? = nil, _ meaning: String) {
        (self.name, self.defaultValue, self.range, self.meaning) = (name, .derived(value, becomes), range, meaning)
    }


    /// The default in `variant` (nil for a required key).
    func defaultValue(in variant: String?) -> Value? {
        switch defaultValue {
        case .value(let v), .derived(let v, _): v
        case .byVariant(let values, let otherwise): variant.flatMap { values[$0] } ?? otherwise
        case .required: nil
        }
    }

    // MARK: AnySpecKey

    var isRequired: Bool { if case .required = defaultValue { true } else { false } }

    func read(_ json: JSONValue?, variant: String?, at path: SpecPath, _ diagnostics: SpecDiagnostics) -> JSONValue? {
        guard let json else {
            if case .required(let what) = defaultValue {
                diagnostics.report(path, "required key is missing; expected \(what)")
            }
            return (Value.readAbsent(at: path, diagnostics) ?? defaultValue(in: variant))?.json
        }
        return Value.read(json, at: path, range: range, diagnostics)?.json
    }

    func defaultJSON(in variant: String?) -> JSONValue? {
        if case .derived = defaultValue { return nil }
        return defaultValue(in: variant)?.json
    }

    func documentedDefault(in variant: String?) -> String {
        if !Value.memberKeys.isEmpty, case .value = defaultValue { return "its defaults" }
        switch defaultValue {
        case .required: return "**required**"
        case .derived(_, let text): return text
        case .value(let v): return "`\(v.json.compactJSON)`"
        case .byVariant(let values, let otherwise):
            if let variant { return "`\((values[variant] ?? otherwise).json.compactJSON)`" }
            return
                (values.keys.sorted().map { "\($0) `\(values[$0]!.json.compactJSON)`" }
                + ["otherwise `\(otherwise.json.compactJSON)`"]).joined(separator: ", ")
        }
    }

    /// What a value must be, as messages say it, without the article and with names in backticks: "positive
    /// integer", "one of `relu`, `tanh`", "… or null" for keys that take null.
    var documentedType: String {
        var text = Value.expected(range: range)
        for article in ["a ", "an "] where text.hasPrefix(article) { text.removeFirst(article.count) }
        text = text.replacingOccurrences(of: "\"", with: "`")
        return Value(json: .null) != nil ? text + " or null" : text
    }

    var schema: [String: JSONValue] { Value.schema(range: range) }

    var memberKeys: [String] { Value.memberKeys }
}

/// A spec key whatever its value type: what a `Section` reads, the schema describes and the docs list.
protocol AnySpecKey: Sendable {
    var name: String { get }
    var meaning: String { get }
    var isRequired: Bool { get }
    /// The key's resolved value as JSON: `json` read strictly, or the default when it is absent (nil after a
    /// problem was reported at `path`).
    func read(_ json: JSONValue?, variant: String?, at path: SpecPath, _ diagnostics: SpecDiagnostics) -> JSONValue?
    /// The default in `variant` as the schema states it; nil for required and derived keys.
    func defaultJSON(in variant: String?) -> JSONValue?
    /// The default for the docs: "`32`", "**required**", "the model's `block_size`"; `variant` nil: all of them.
    func documentedDefault(in variant: String?) -> String
    /// The type for the docs: "integer ≥ 1", "`relu`, `tanh`".
    var documentedType: String { get }
    /// The JSON Schema of the value.
    var schema: [String: JSONValue] { get }
    /// The keys of the section the key holds (none for other values).
    var memberKeys: [String] { get }
}

/// The keys of one spec object, declared as the stored properties of a struct (in the order the docs list them):
///
/// ```
/// struct TrainingKeys: SpecKeys {
///     let epochs = SpecKey<Int?>("epochs", nil, .positive, "Epochs over the training set.")
///     let batchSize = SpecKey("batch_size", 32, .positive, "Examples per batch.")
/// }
/// typealias TrainingSpec = Section<TrainingKeys>
/// ```
protocol SpecKeys: Sendable {
    init()
    /// The section's variants, when a key (`type`, `dataset`, `decay`) selects which other keys apply; nil when
    /// every key always applies.
    static var variants: SpecVariants<Self>? { get }
    /// JSON Schema keywords for rules between keys that the schema can state (`anyOf` of `required`,
    /// `dependentRequired`), added to the section's object schema.
    static var schemaRules: [String: JSONValue] { get }
    /// A name for the section's schema in the schema's `$defs`, for sections that hold themselves (a residual
    /// layer holds layers); nil: the schema is written in place.
    static var schemaName: String? { get }
    /// Rules between the section's keys, run after every key is read: report problems at `path` (or inside it)
    /// and fill in defaults that depend on other keys.
    static func check(_ section: inout Section<Self>, at path: SpecPath, _ diagnostics: SpecDiagnostics)
}

extension SpecKeys {
    static var variants: SpecVariants<Self>? { nil }
    static var schemaName: String? { nil }
    static var schemaRules: [String: JSONValue] { [:] }
    static func check(_ section: inout Section<Self>, at path: SpecPath, _ diagnostics: SpecDiagnostics) {}

    /// Every declared key, in declaration order.
    static var all: [any AnySpecKey] {
        Mirror(reflecting: Self()).children.compactMap { $0.value as? any AnySpecKey }
    }

    /// The keys that apply in `variant` (all of them without variants, or when the variant is unknown).
    static func keys(in variant: String?) -> [any AnySpecKey] {
        guard let variants, let variant, let paths = variants.keys(variant) else { return all }
        let declared = Self()
        let names = Set(paths.compactMap { (declared[keyPath: $0] as? any AnySpecKey)?.name })
        return all.filter { names.contains($0.name) }
    }
}

/// How a section's keys depend on the value of one of them, its selector (`"type": "sgd"`).
struct SpecVariants<Keys: SpecKeys>: Sendable {
    /// The selector key's name.
    let selector: String
    /// The selector's values, in order.
    let names: [String]
    /// The variant of a section that leaves the selector out; nil: the selector is required.
    let standard: String?
    /// The keys that apply in a variant, the selector included; nil for an unknown variant.
    let keys: @Sendable (String) -> [PartialKeyPath<Keys>]?
    /// Who owns a variant's keys, for "not a key of …": "the sgd optimizer", "a relu layer".
    let owner: @Sendable (String) -> String
}
