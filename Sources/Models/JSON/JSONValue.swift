// A JSON document as a value tree, read strictly by `JSONParser`: what experiment specs are parsed into (and
// `--set` overrides and sweep trials edit), and what a safetensors header is checked from.

import Foundation

/// A JSON value. Integers written without a fraction or exponent are kept apart from other numbers, so that
/// `"batch_size": 32.5` can be rejected and `"seed": 9007199254740993` read exactly.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The members of an object, nil for any other value.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The value as a `Double` when it is a number (integer or not).
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    /// The value as an `Int` when it is an integer, or a number with an integral value in `Int`'s range
    /// (`1e3` is 1000).
    public var intValue: Int? {
        switch self {
        case .integer(let i): return i
        case .number(let d):
            guard d.rounded() == d, abs(d) < 9.2e18 else { return nil }
            return Int(d)
        default: return nil
        }
    }

    /// A word for the kind of value, for messages: "a string", "an array", ….
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as compact JSON, cut to `limit` characters with "…", for error messages.
    public func excerpt(limit: Int = 60) -> String {
        let text = compactJSON
        return text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// The value as compact JSON text with sorted keys, e.g. `{"lr":0.01,"type":"sgd"}`.
    public var compactJSON: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return formatJSONNumber(d)
        case .string(let s): return quoteJSONString(s)
        case .array(let items): return "[" + items.map(\.compactJSON).joined(separator: ",") + "]"
        case .object(let members):
            let fields = members.keys.sorted().map { quoteJSONString($0) + ":" + members[$0]!.compactJSON }
            return "{" + fields.joined(separator: ",") + "}"
        }
    }

    /// The value as indented JSON text with sorted keys and a final newline, for files.
    public var prettyJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value (numbers are finite by construction).
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension JSONValue: Codable {
    /// Reads any JSON value through a `Decoder` (used to bridge `Decodable` to the strict spec reader).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .integer(i)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Writes the value as the JSON value it is.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .integer(let i): try container.encode(i)
        case .number(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

/// `s` as a JSON string literal, escaping quotes, backslashes and control characters.
public func quoteJSONString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        // Control characters (C0, DEL and C1, which include terminal escapes) are escaped, never written raw.
        case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value):
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// A finite `Double` as a JSON number: integral values keep a ".0" so they read back as non-integers.
public func formatJSONNumber(_ d: Double) -> String {
    precondition(d.isFinite, "formatJSONNumber: \(d) has no JSON form")
    return d.description
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}
