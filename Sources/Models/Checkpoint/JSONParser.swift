// A strict JSON reader for safetensors headers: every byte is checked against RFC 8259, so a corrupted header
// is reported with the byte where it breaks.

/// A parsed JSON value; objects keep their members in file order, numbers their literal text.
indirect enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case literal(String)
}

struct JSONSyntaxError: Error {
    let message: String
}

/// A recursive-descent reader of RFC 8259 JSON over UTF-8 bytes (already validated), rejecting duplicate keys
/// and nesting deeper than 64 levels (a safetensors header needs 3).
struct JSONParser {
    let bytes: [UInt8]
    private var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// One value surrounded by optional whitespace, and nothing else.
    mutating func document() throws(JSONSyntaxError) -> JSONValue {
        let value = try self.value(depth: 0)
        skipWhitespace()
        if i < bytes.count { throw error("unexpected \(describe(bytes[i])) after the JSON value") }
        return value
    }

    private func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: "\(message) at byte \(i)") }

    private func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func skipWhitespace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func expect(_ c: Character) throws(JSONSyntaxError) {
        skipWhitespace()
        guard i < bytes.count else { throw error("expected '\(c)' but the header ended") }
        guard bytes[i] == c.asciiValue! else { throw error("expected '\(c)', found \(describe(bytes[i]))") }
        i += 1
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < 64 else { throw error("nesting deeper than 64 levels") }
        skipWhitespace()
        guard i < bytes.count else { throw error("expected a value but the header ended") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(key: String, value: JSONValue)] = []
            var keys: Set<String> = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .object(members)
            }
            repeat {
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try string()
                guard keys.insert(key).inserted else { throw error("duplicate key \"\(key)\"") }
                try expect(":")
                members.append((key, try value(depth: depth + 1)))
                skipWhitespace()
            } while try consumeSeparator(closing: "}")
            return .object(members)
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .array(items)
            }
            repeat {
                items.append(try value(depth: depth + 1))
                skipWhitespace()
            } while try consumeSeparator(closing: "]")
            return .array(items)
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try number())
        default:
            for word in ["true", "false", "null"] where bytes[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return .literal(word)
            }
            throw error("unexpected \(describe(bytes[i]))")
        }
    }

    /// After a member or item: `,` continues (true), `closing` ends (false).
    private mutating func consumeSeparator(closing: Character) throws(JSONSyntaxError) -> Bool {
        guard i < bytes.count else { throw error("expected ',' or '\(closing)' but the header ended") }
        let byte = bytes[i]
        guard byte == UInt8(ascii: ",") || byte == closing.asciiValue! else {
            throw error("expected ',' or '\(closing)', found \(describe(byte))")
        }
        i += 1
        return byte == UInt8(ascii: ",")
    }

    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let leadingZero = i < bytes.count && bytes[i] == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("a number needs digits") }
        guard !(leadingZero && integerDigits > 1) else { throw error("a number has a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw error("a number needs digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// A string literal starting at the opening quote, with its escapes decoded.
    private mutating func string() throws(JSONSyntaxError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error("a string is not terminated") }
            let byte = bytes[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw error("a string is not terminated") }
                let escape = bytes[i]
                i += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out += Array(String(try unicodeEscape()).utf8)
                default: throw error("invalid escape \\\(Character(Unicode.Scalar(escape)))")
                }
            case 0..<0x20:
                throw error("a control character inside a string must be escaped")
            default:
                out.append(byte)
            }
        }
    }

    /// The scalar of a `\uXXXX` escape (the `\u` consumed), joining a UTF-16 surrogate pair.
    private mutating func unicodeEscape() throws(JSONSyntaxError) -> Character {
        func hex4() throws(JSONSyntaxError) -> UInt32 {
            let isHex = { (b: UInt8) in Character(Unicode.Scalar(b)).isHexDigit }
            guard i + 4 <= bytes.count, bytes[i..<i + 4].allSatisfy(isHex),
                let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16)
            else { throw error("\\u needs 4 hexadecimal digits") }
            i += 4
            return v
        }
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code) {
            guard bytes[i...].starts(with: "\\u".utf8) else { throw error("an unpaired UTF-16 surrogate") }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("an unpaired UTF-16 surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw error("an unpaired UTF-16 surrogate") }
        return Character(scalar)
    }
}
