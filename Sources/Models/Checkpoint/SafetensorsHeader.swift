// The JSON header of a safetensors file: a compact writer that produces the bytes of the reference
// implementation (serde_json, no spaces) and a small strict reader, so malformed headers are reported with the
// byte where they break instead of being half-accepted.

/// One tensor's entry in a safetensors header: `"name": {"dtype": …, "shape": […], "data_offsets": [b, e]}`.
struct SafetensorsHeaderEntry: Equatable {
    var name: String
    /// The dtype string as written in the file (`F32`, `BF16`, …), checked by the caller.
    var dtype: String
    var shape: [Int]
    /// The byte range in the data section, `begin..<end`.
    var begin: Int
    var end: Int
}

enum SafetensorsHeader {
    /// The header JSON without padding: `__metadata__` first (keys sorted) when non-empty, then `entries` in
    /// the order given, with no whitespace, exactly as the Rust `safetensors` crate serializes it.
    static func json(_ entries: [SafetensorsHeaderEntry], metadata: [String: String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func separator() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        if !metadata.isEmpty {
            separator()
            appendString("__metadata__", to: &out)
            out += Array(":{".utf8)
            for (i, key) in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendString(metadata[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        for entry in entries {
            separator()
            appendString(entry.name, to: &out)
            out += Array(":{\"dtype\":".utf8)
            appendString(entry.dtype, to: &out)
            out += Array(",\"shape\":[\(entry.shape.map(String.init).joined(separator: ","))]".utf8)
            out += Array(",\"data_offsets\":[\(entry.begin),\(entry.end)]}".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string literal with serde_json's escapes: `\"`, `\\`, `\b \f \n \r \t`, other control characters
    /// as `\u00xx`; everything else (including non-ASCII) as raw UTF-8.
    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The entries (by name) and the `__metadata__` of a header; trailing spaces (padding) are allowed.
    /// Throws `CheckpointError.invalidHeader` naming what breaks the JSON grammar or the safetensors schema.
    static func parse(
        _ bytes: ArraySlice<UInt8>, path: String
    ) throws(CheckpointError) -> (entries: [SafetensorsHeaderEntry], metadata: [String: String]) {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .invalidHeader(path: path, reason: "is not valid UTF-8")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .invalidHeader(path: path, reason: "is not valid JSON: \(error)")
        }
        guard case .object(let members) = root else {
            throw .invalidHeader(path: path, reason: "is not a JSON object")
        }
        var entries: [SafetensorsHeaderEntry] = []
        var metadata: [String: String] = [:]
        for key in members.keys.sorted() {
            let value = members[key]!
            if key == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw .invalidHeader(path: path, reason: "has a __metadata__ that is not an object")
                }
                for (name, item) in pairs {
                    guard case .string(let text) = item else {
                        throw .invalidHeader(path: path, reason: "has __metadata__ \"\(name)\" that is not a string")
                    }
                    metadata[name] = text
                }
            } else {
                entries.append(try entry(key, value, path: path))
            }
        }
        return (entries, metadata)
    }

    private static func entry(_ name: String, _ value: JSONValue, path: String) throws(CheckpointError)
        -> SafetensorsHeaderEntry
    {
        func fail(_ what: String) -> CheckpointError {
            .invalidHeader(path: path, reason: "describes tensor \"\(name)\" with \(what)")
        }
        guard case .object(let fields) = value else { throw fail("a value that is not an object") }
        let known: Set = ["dtype", "shape", "data_offsets"]
        if let extra = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("unknown field \"\(extra)\"")
        }
        func field(_ key: String) throws(CheckpointError) -> JSONValue {
            guard let found = fields[key] else { throw fail("no \"\(key)\"") }
            return found
        }
        func integers(_ key: String) throws(CheckpointError) -> [Int] {
            guard case .array(let items) = try field(key) else { throw fail("a \"\(key)\" that is not an array") }
            var result: [Int] = []
            for item in items {
                guard case .integer(let n) = item, n >= 0 else {
                    throw fail("a \"\(key)\" holding something other than non-negative integers")
                }
                result.append(n)
            }
            return result
        }
        guard case .string(let dtype) = try field("dtype") else { throw fail("a \"dtype\" that is not a string") }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2, offsets[0] <= offsets[1] else {
            throw fail("data_offsets \(offsets), expected [begin, end] with begin ≤ end")
        }
        return SafetensorsHeaderEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }
}
