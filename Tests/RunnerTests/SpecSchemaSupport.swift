import Foundation
import Models

@testable import Runner

/// Experiments/spec.schema.json, read as a JSON tree, with the parts of JSON Schema (draft 2020-12) the spec's
/// schema uses: following references and alternatives, and validating a document against it.
struct SpecSchema {
    let root: JSONValue

    /// The schema file of the repository.
    static func load() throws -> SpecSchema {
        let path = (SpecFixtures.repositoryRoot as NSString).appendingPathComponent("Experiments/spec.schema.json")
        return SpecSchema(root: try JSONParser.parse(try String(contentsOfFile: path, encoding: .utf8)))
    }

    /// `node` with a `$ref` (`#/$defs/name`) followed.
    func resolve(_ node: JSONValue) -> JSONValue {
        guard case .string(let ref)? = node.objectValue?["$ref"] else { return node }
        let name = String(ref.dropFirst("#/$defs/".count))
        return resolve(root.objectValue!["$defs"]!.objectValue![name]!)
    }

    /// The branches of a node: its `oneOf` / `anyOf` alternatives (resolved), or the node itself.
    func branches(_ node: JSONValue) -> [JSONValue] {
        let node = resolve(node)
        guard case .array(let options)? = node.objectValue?["oneOf"] else { return [node] }
        return options.flatMap { branches($0) }
    }

    /// Whether `branch` (one `oneOf` alternative) is the one for an object with `members`, judged only by its
    /// own level: its required keys are present and every member it fixes (`const`, `enum`) has an allowed value.
    func isBranch(_ branch: JSONValue, of members: [String: JSONValue]) -> Bool {
        guard let b = branch.objectValue else { return false }
        if case .array(let required)? = b["required"] {
            for case .string(let key) in required where members[key] == nil { return false }
        }
        for (key, property) in b["properties"]?.objectValue ?? [:] {
            guard let value = members[key], let p = resolve(property).objectValue else { continue }
            if let constant = p["const"], !sameJSON(constant, value) { return false }
            if case .array(let values)? = p["enum"], !values.contains(where: { sameJSON($0, value) }) { return false }
        }
        return true
    }

    // MARK: Validation

    /// The problems of `value` against the schema (empty: valid), each with its path.
    func problems(_ value: JSONValue) -> [String] {
        problems(value, root, "$")
    }

    /// The problems of `value` against one schema node at `path`.
    func problems(_ value: JSONValue, _ node: JSONValue, _ path: String) -> [String] {
        let node = resolve(node)
        if node == .bool(false) { return ["\(path): not allowed"] }
        guard let s = node.objectValue else { return [] }
        var found: [String] = []
        if let type = s["type"], !matchesType(value, type) { found.append("\(path): not of type \(type.compactJSON)") }
        if case .array(let values)? = s["enum"], !values.contains(where: { sameJSON($0, value) }) {
            found.append("\(path): \(value.compactJSON) not in enum")
        }
        if let constant = s["const"], !sameJSON(constant, value) {
            found.append("\(path): not \(constant.compactJSON)")
        }
        if let d = value.doubleValue {
            if let m = s["minimum"]?.doubleValue, d < m { found.append("\(path): below \(m)") }
            if let m = s["maximum"]?.doubleValue, d > m { found.append("\(path): above \(m)") }
            if let m = s["exclusiveMinimum"]?.doubleValue, d <= m { found.append("\(path): not above \(m)") }
            if let m = s["exclusiveMaximum"]?.doubleValue, d >= m { found.append("\(path): not below \(m)") }
        }
        if case .string(let text) = value {
            if let n = s["minLength"]?.intValue, text.count < n { found.append("\(path): shorter than \(n)") }
            if case .string(let pattern)? = s["pattern"],
                text.range(of: pattern, options: .regularExpression) == nil
            {
                found.append("\(path): \(text) does not match \(pattern)")
            }
        }
        if case .array(let items) = value { found += arrayProblems(items, s, path) }
        if case .object(let members) = value { found += objectProblems(members, s, path) }
        for case .array(let all)? in [s["allOf"]] {
            for option in all { found += problems(value, option, path) }
        }
        if case .array(let options)? = s["anyOf"], !options.contains(where: { problems(value, $0, path).isEmpty }) {
            found.append("\(path): matches none of anyOf")
        }
        if case .array(let options)? = s["oneOf"] {
            let matching = options.filter { problems(value, $0, path).isEmpty }.count
            if matching != 1 { found.append("\(path): matches \(matching) of oneOf, not exactly one") }
        }
        return found
    }

    private func arrayProblems(_ items: [JSONValue], _ s: [String: JSONValue], _ path: String) -> [String] {
        var found: [String] = []
        if let n = s["minItems"]?.intValue, items.count < n { found.append("\(path): fewer than \(n) items") }
        if s["uniqueItems"] == .bool(true), Set(items.map(\.compactJSON)).count != items.count {
            found.append("\(path): items not unique")
        }
        var prefix = 0
        if case .array(let schemas)? = s["prefixItems"] {
            prefix = schemas.count
            for (i, (item, schema)) in zip(items, schemas).enumerated() {
                found += problems(item, schema, "\(path)[\(i)]")
            }
        }
        if let itemSchema = s["items"] {
            for (i, item) in items.enumerated().dropFirst(prefix) {
                found += problems(item, itemSchema, "\(path)[\(i)]")
            }
        }
        return found
    }

    private func objectProblems(_ members: [String: JSONValue], _ s: [String: JSONValue], _ path: String) -> [String] {
        var found: [String] = []
        let properties = s["properties"]?.objectValue ?? [:]
        if case .array(let required)? = s["required"] {
            for case .string(let key) in required where members[key] == nil { found.append("\(path).\(key): missing") }
        }
        for (key, needed) in s["dependentRequired"]?.objectValue ?? [:] where members[key] != nil {
            guard case .array(let names) = needed else { continue }
            for case .string(let other) in names where members[other] == nil {
                found.append("\(path).\(other): missing, needed by \(key)")
            }
        }
        for (key, value) in members {
            if let property = properties[key] {
                found += problems(value, property, "\(path).\(key)")
            } else if let extra = s["additionalProperties"] {
                found += problems(value, extra, "\(path).\(key)")
            }
        }
        return found
    }

    private func matchesType(_ value: JSONValue, _ type: JSONValue) -> Bool {
        if case .array(let types) = type { return types.contains { matchesType(value, $0) } }
        guard case .string(let name) = type else { return false }
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object):
            return true
        case ("number", _): return value.doubleValue != nil
        case ("integer", _): return value.intValue != nil
        default: return false
        }
    }
}
