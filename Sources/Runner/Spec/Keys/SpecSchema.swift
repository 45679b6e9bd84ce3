// The JSON Schema of experiment specs and the key tables of docs/spec.md, generated from the key declarations
// (`runner schema --write` writes both; tests check the committed files equal what the code generates).

import Models

/// Writes the JSON Schema (draft 2020-12) of spec sections from their `SpecKeys`.
enum SpecSchemaWriter {
    /// The schema of a section: an object of its keys, or one branch per variant (`oneOf`), each fixing the
    /// selector to its name.
    static func schema<Keys: SpecKeys>(of _: Keys.Type) -> [String: JSONValue] {
        guard let variants = Keys.variants else {
            return object(Keys.all, variant: nil).merging(Keys.schemaRules) { $1 }
        }
        let branches = variants.names.map { name -> JSONValue in
            var branch = object(Keys.keys(in: name), variant: name)
            var properties = branch["properties"]?.objectValue ?? [:]
            var selector = properties[variants.selector]?.objectValue ?? [:]
            selector["const"] = .string(name)
            selector["enum"] = nil
            selector["type"] = nil
            properties[variants.selector] = .object(selector)
            branch["properties"] = .object(properties)
            var required: [JSONValue] = []
            if case .array(let listed)? = branch["required"] { required = listed }
            if name != variants.standard, !required.contains(.string(variants.selector)) {
                required.insert(.string(variants.selector), at: 0)
            }
            branch["required"] = required.isEmpty ? nil : .array(required)
            return .object(branch)
        }
        return ["oneOf": .array(branches)]
    }

    /// An object holding exactly `keys`, with their defaults in `variant`.
    private static func object(_ keys: [any AnySpecKey], variant: String?) -> [String: JSONValue] {
        var properties: [String: JSONValue] = [:]
        for key in keys {
            var property = key.schema
            property["description"] = .string(key.meaning)
            if let standard = key.defaultJSON(in: variant) { property["default"] = standard }
            properties[key.name] = .object(property)
        }
        var object: [String: JSONValue] = [
            "type": "object", "additionalProperties": false, "properties": .object(properties),
        ]
        let required = keys.filter(\.isRequired).map { JSONValue.string($0.name) }
        if !required.isEmpty { object["required"] = .array(required) }
        return object
    }

    /// The whole spec's schema, with its identity and title, as the file `Experiments/spec.schema.json` holds it.
    static var document: JSONValue {
        var root = schema(of: ExperimentKeys.self)
        root["$defs"] = ["layer": .object(schema(of: LayerKeys.self))]
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = "https://github.com/tapegrad/tapegrad/Experiments/spec.schema.json"
        root["title"] = "TapeGrad experiment spec"
        root["description"] = .string(
            "An experiment for `runner`: data, model, optimizer, schedule, training, evaluation, outputs and sweep. "
                + "Generated from the key declarations in Sources/Runner/Spec by `runner schema --write`; see "
                + "docs/spec.md.")
        return .object(root)
    }
}
