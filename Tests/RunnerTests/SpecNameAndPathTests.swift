import Foundation
import Models
import Testing

@testable import Runner

// Names and paths a user types: run names that are not safe folder names, sweep maps that sweep nothing, paths
// holding a NUL, a spec path that is a folder, an output folder that is a file, a CSV whose header names a column
// twice, and keys too long to echo whole.

/// The XOR points trained for an epoch, with `members` added to the spec object.
private func xor(_ members: String) -> String {
    "{\"data\": {\"dataset\": \"xor\"}, \"training\": {\"epochs\": 1}, " + members + "}"
}

private let unsafe = "is not a safe folder name"

let unsafeSpecs: [BadSpec] = [
    BadSpec(
        name: "a name that climbs out of runs/", json: xor("\"name\": \"../../somewhere\""),
        expected: "$.name: \"../../somewhere\" \(unsafe): a \"/\" would make it a path"),
    BadSpec(
        name: "an absolute name", json: xor("\"name\": \"/tmp/x\""),
        expected: "$.name: \"/tmp/x\" \(unsafe): a \"/\" would make it a path"),
    BadSpec(
        name: "the parent folder as a name", json: xor("\"name\": \"..\""),
        expected: "$.name: \"..\" \(unsafe): it names the folder itself or its parent"),
    BadSpec(
        name: "the folder itself as a name", json: xor("\"name\": \".\""),
        expected: "$.name: \".\" \(unsafe): it names the folder itself or its parent"),
    BadSpec(
        name: "a name with a newline", json: xor("\"name\": \"a\\nb\""),
        expected: "$.name: \"a\\nb\" \(unsafe): it holds a control character"),
    BadSpec(
        name: "a name with a terminal escape", json: xor("\"name\": \"\\u001b[31mred\""),
        expected: "$.name: \"\\u001b[31mred\" \(unsafe): it holds a control character"),
    BadSpec(
        name: "a name with a C1 escape", json: xor("\"name\": \"a\\u009bb\""),
        expected: "$.name: \"a\\u009bb\" \(unsafe): it holds a control character"),
    BadSpec(
        name: "a name with a NUL", json: xor("\"name\": \"a\\u0000b\""),
        expected: "$.name: \"a\\u0000b\" \(unsafe): it holds a control character"),
    BadSpec(
        name: "an empty name", json: xor("\"name\": \"\""), expected: "$.name: expected a non-empty string, got \"\""),
    BadSpec(
        name: "a name of 201 bytes", json: xor("\"name\": \"" + String(repeating: "n", count: 201) + "\""),
        expected: "\(unsafe): longer than 200 bytes"),
    BadSpec(
        name: "a name from --set that climbs out", json: xor("\"name\": \"fine\""), overrides: ["name=../up"],
        expected: "$.name: \"../up\" \(unsafe): a \"/\" would make it a path (from --set name=../up)"),
    BadSpec(
        name: "an explicit empty sweep grid", json: xor("\"sweep\": {\"grid\": {}}"),
        expected: "$.sweep.grid: expected at least one key path, got {}; leave the key out instead"),
    BadSpec(
        name: "an empty grid beside random ranges",
        json: xor("\"sweep\": {\"grid\": {}, \"random\": {\"optimizer.lr\": {\"min\": 0.1, \"max\": 0.2}}}"),
        expected: "$.sweep.grid: expected at least one key path, got {}"),
    BadSpec(
        name: "an explicit empty random map", json: xor("\"sweep\": {\"grid\": {\"seed\": [1, 2]}, \"random\": {}}"),
        expected: "$.sweep.random: expected at least one key path, got {}"),
    BadSpec(
        name: "a data path with a NUL",
        json: "{\"data\": {\"dataset\": \"csv\", \"path\": \"a\\u0000b.csv\"}, \"training\": {\"epochs\": 1}}",
        expected: "$.data.path: a path cannot hold a NUL character (\\u0000)"),
]

@Test(arguments: unsafeSpecs)
func refusesUnsafeNamesAndEmptySweeps(_ bad: BadSpec) {
    guard let message = SpecFixtures.rejection(bad.json, bad.overrides) else {
        Issue.record("accepted: \(bad.json) with \(bad.overrides)")
        return
    }
    #expect(message.contains(bad.expected), "message was: \(message)")
    #expect(!message.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
}

@Test func aMegabyteKeyIsEchoedShort() {
    let key = String(repeating: "x", count: 1_000_000)
    let message = SpecFixtures.rejection(xor("\"\(key)\": 1")) ?? ""
    #expect(message.hasPrefix("<spec>: $.xxxx"), "\(message.prefix(200))")
    #expect(message.contains("unknown key \"xxx") && message.count < 300, "\(message.prefix(400))")
}

@Test func aSpecPathThatIsAFolderIsSaidToBeOne() {
    SpecFixtures.withTemporaryDirectory { dir in
        #expect(throws: SpecError(source: dir, "is a folder, not a spec file")) {
            try SpecDocument.load(path: dir)
        }
    }
}

@Test func anOutputFolderThatIsAFileIsOneLine() {
    SpecFixtures.withTemporaryDirectory { dir in
        let file = SpecFixtures.write("", "taken", in: dir)
        for (folder, reason) in [(file, "it is a file"), (file + "/run/a", "\(file) is a file")] {
            do {
                try createOutputFolder(folder)
                Issue.record("created \(folder)")
            } catch {
                #expect("\(error)" == "cannot write \(folder): \(reason), not a folder")
            }
        }
        let fresh = (dir as NSString).appendingPathComponent("runs/a")
        #expect(throws: Never.self) { try createOutputFolder(fresh) }
        #expect(throws: Never.self) { try createOutputFolder(fresh) }
    }
}

@Test func theParentOfARelativePathIsFoundWithoutFoundation() {
    let cases = [("runs/x", "runs"), ("runs/x/", "runs"), ("a/b/c", "a/b"), ("x", ""), ("/x", "/"), ("/a/b", "/a")]
    for (path, parent) in cases { #expect(parentPath(path) == parent, "\(path)") }
}

@Test func aCSVHeaderThatNamesAColumnTwiceIsRefused() {
    SpecFixtures.withTemporaryDirectory { dir in
        let path = SpecFixtures.write("a,label,label\n1,0,0\n3,1,1\n5,0,0\n", "t.csv", in: dir)
        let message =
            refusal("{\"data\": {\"dataset\": \"csv\", \"path\": \"\(path)\"}, \"training\": {\"epochs\": 1}}") ?? ""
        #expect(
            message.contains("$.data.path: \(path) is malformed: the header names columns 2 and 3 both \"label\""),
            "message was: \(message)")
    }
}
