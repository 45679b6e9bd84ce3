// One object of a spec, read strictly through its declared keys and holding their resolved values.

import Models

/// The values of one spec object (`"training": {…}`), read strictly through the keys `Keys` declares: unknown
/// keys, keys of another variant, wrong types and values out of range are reported with their JSON path, and
/// every problem of a file is found in one pass. Every key that applies holds a value, its default when the spec
/// leaves it out, so the section written back (`json`) is the resolved spec.
///
/// Values read back typed through the key's property: `spec.training.batchSize` is an `Int`.
@dynamicMemberLookup
struct Section<Keys: SpecKeys>: SpecValue {
    /// Every key that applies, by JSON name, with its resolved value.
    private(set) var values: [String: JSONValue]

    /// The section with every default (of the standard variant).
    init() {
        let variant = Keys.variants?.standard
        var values: [String: JSONValue] = [:]
        for key in Keys.keys(in: variant) {
            if let json = key.read(nil, variant: variant, at: .root, SpecDiagnostics()) { values[key.name] = json }
        }
        self.values = values
    }

    /// The value of a key; a key that does not apply to this section's variant reads as its default there.
    subscript<Value>(dynamicMember path: KeyPath<Keys, SpecKey<Value>>) -> Value {
        get {
            let key = Keys()[keyPath: path]
            if let json = values[key.name], let value = Value(json: json) { return value }
            guard let standard = key.defaultValue(in: variant) else {
                preconditionFailure("spec key \(key.name) is required and was not read")
            }
            return standard
        }
        set { values[Keys()[keyPath: path].name] = newValue.json }
    }

    /// The selector's value (`"sgd"`), for sections with variants.
    var variant: String? {
        guard let variants = Keys.variants else { return nil }
        if case .string(let s)? = values[variants.selector] { return s }
        return variants.standard
    }

    // MARK: SpecValue

    /// A section of a resolved spec, taken as it is.
    init?(json: JSONValue) {
        guard let members = json.objectValue else { return nil }
        values = members
    }

    var json: JSONValue { .object(values) }

    static func read(_ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics)
        -> Self?
    {
        read(json as JSONValue?, at: path, diagnostics)
    }

    /// Reads the section at `path` from `json` (nil: absent, so every default applies); nil when it is not an
    /// object. Problems with its keys are reported and the key left at its default.
    static func read(_ json: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) -> Self? {
        let members: [String: JSONValue]
        switch json {
        case nil: members = [:]
        case .object(let m)?: members = m
        case let other?:
            diagnostics.report(path, "expected an object, got \(other.excerpt())")
            return nil
        }
        let variant = Self.variant(of: members)
        // With a selector that names no variant, only the selector is read (it reports the bad name); other keys
        // are checked against every key the section declares.
        let variants = Keys.variants
        let unknownVariant = variants != nil && variant == nil
        let applicable = unknownVariant ? Keys.all.filter { $0.name == variants?.selector } : Keys.keys(in: variant)
        let names = unknownVariant ? Keys.all.map(\.name) : applicable.map(\.name)
        let declared = Set(Keys.all.map(\.name))
        for key in members.keys.sorted() where !names.contains(key) {
            if declared.contains(key), let variant, let variants {
                let list = names.joined(separator: ", ")
                diagnostics.report(
                    path.appending(key), "not a key of \(variants.owner(variant)) (its keys are \(list))")
            } else {
                diagnostics.report(
                    path.appending(key),
                    "unknown key \(JSONValue.string(key).excerpt())" + suggestion(for: key, among: names))
            }
        }
        var section = Self(values: [:])
        for key in applicable {
            let given = members[key.name]
            if let value = key.read(given, variant: variant, at: path.appending(key.name), diagnostics) {
                section.values[key.name] = value
            }
        }
        Keys.check(&section, at: path, diagnostics)
        return section
    }

    /// A section holding exactly `values` (resolved JSON by key name), for values made in code.
    init(values: [String: JSONValue]) { self.values = values }

    /// The variant the selector names, read quietly (the selector's own key reports a bad or missing name): the
    /// standard one when it is absent, nil when it is not a known name.
    private static func variant(of members: [String: JSONValue]) -> String? {
        guard let variants = Keys.variants else { return nil }
        guard let written = members[variants.selector], written != .null else { return variants.standard }
        guard case .string(let s) = written, variants.names.contains(s) else { return nil }
        return s
    }

    /// An absent section is read as `{}`: its defaults, and its rules (a training section must say how long).
    static func readAbsent(at path: SpecPath, _ diagnostics: SpecDiagnostics) -> Self? {
        read(nil, at: path, diagnostics)
    }

    static var memberKeys: [String] { Keys.all.map(\.name) }

    static func expected(range: NumberRange?) -> String { "an object" }
    static func schema(range: NumberRange?) -> [String: JSONValue] {
        Keys.schemaName.map { ["$ref": .string("#/$defs/\($0)")] } ?? SpecSchemaWriter.schema(of: Keys.self)
    }
}
