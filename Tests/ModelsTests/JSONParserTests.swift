import Testing

@testable import Models

@Test func parsesEveryKindOfValue() throws {
    let value = try JSONParser.parse(
        " {\"a\": [1, -2.5e3, 0.25, true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\\/\"], \"b\": {}} ")
    #expect(
        value
            == .object([
                "a": .array([
                    .integer(1), .number(-2500), .number(0.25), .bool(true), .bool(false), .null, .string("x\né😀/"),
                ]),
                "b": .object([:]),
            ]))
}

@Test func integersStayApartFromOtherNumbers() throws {
    #expect(try JSONParser.parse("5") == .integer(5))
    #expect(try JSONParser.parse("5.0") == .number(5))
    #expect(try JSONParser.parse("1e3") == .number(1000))
    #expect(try JSONParser.parse("1e3").intValue == 1000)
    #expect(try JSONParser.parse("2.5").intValue == nil)
    #expect(try JSONParser.parse("true").intValue == nil)
    #expect(try JSONParser.parse("-9223372036854775808") == .integer(Int.min))
    #expect(try JSONParser.parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
}

@Test(arguments: [
    ("[1,]", "line 1, column 4: unexpected ']'; expected a value"),
    ("{\"a\" 1}", "line 1, column 6: expected ':' after the key \"a\""),
    ("{\"a\": 1,\n \"a\": 2}", "line 2, column 2: duplicate key \"a\""),
    ("{a: 1}", "line 1, column 2: expected a key in double quotes"),
    ("01", "line 1, column 2: unexpected '1' after the JSON value"),
    ("1.", "line 1, column 3: expected a digit after '.'"),
    ("-", "line 1, column 2: expected a digit"),
    ("\"abc", "line 1, column 5: unterminated string"),
    ("\"a\tb\"", "line 1, column 3: control character in a string"),
    ("\"\\q\"", "line 1, column 3: invalid escape \\'q'"),
    ("\"\\ud83d\"", "unpaired surrogate \\ud83d"),
    ("tru", "line 1, column 1: unexpected 't'; expected a value"),
    ("", "line 1, column 1: unexpected end of text; expected a value"),
    ("1e999", "number 1e999 is out of range"),
    ("{\"é\": [1 2]}", "line 1, column 10: expected ',' or ']' after an array element"),
    (String(repeating: "[", count: 300), "nested deeper than 256 levels"),
])
func reportsSyntaxErrorsWithLineAndColumn(_ text: String, _ expected: String) {
    #expect {
        try JSONParser.parse(text)
    } throws: { error in
        "\(error)".contains(expected)
    }
}

@Test func compactJSONParsesBackToTheSameValue() throws {
    let value: JSONValue = .object([
        "s": .string("quote \" backslash \\ newline \n tab \t bell \u{07}"), "n": .number(1e-8), "i": .integer(-3),
        "list": .array([.null, .bool(true), .object(["x": .number(0.1)])]),
    ])
    #expect(try JSONParser.parse(value.compactJSON) == value)
    #expect(try JSONParser.parse(value.prettyJSON) == value)
    #expect(JSONValue.string(String(repeating: "a", count: 100)).excerpt(limit: 10) == "\"aaaaaaaa…")
}
