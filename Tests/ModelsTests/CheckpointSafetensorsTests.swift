import Foundation
import Testing
@testable import Models

// The safetensors format byte by byte: a file whose every byte is written out below (and which the reference
// Python writer, safetensors 0.8.0's `save`, produces identically for the same tensors and metadata), a
// hand-assembled file in another valid spelling, and one malformed file per error.

/// A file of `header` (spaces not added) followed by `data`, with the length prefix.
private func assemble(_ header: String, _ data: [UInt8] = []) -> [UInt8] {
    let json = Array(header.utf8)
    return littleEndianBytes([UInt64(json.count)]) + json + data
}

/// The error decoding `bytes` throws, or nil.
private func decodingError(_ bytes: [UInt8]) -> CheckpointError? {
    do {
        _ = try SafetensorsFile(decoding: bytes, path: "bad.safetensors")
        return nil
    } catch {
        return error
    }
}

private func floatBytes(_ values: [Float]) -> [UInt8] { littleEndianBytes(values) }

@Test func encodingMatchesTheReferenceWriterByteForByte() throws {
    let file = SafetensorsFile(
        tensors: [
            "b": SafetensorsTensor(Tensor([1, -2] as [Float])),
            "a": SafetensorsTensor(Tensor(scalar: 0.5, dtype: .float64)),
            "n": SafetensorsTensor(int64: [7]),
        ],
        metadata: ["step": "3"])
    let header = #"{"__metadata__":{"step":"3"},"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"#
        + #""a":{"dtype":"F64","shape":[],"data_offsets":[8,16]},"#
        + #""b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}"#
    #expect(header.utf8.count == 189)  // + 3 spaces of padding = 192 = 0xC0
    let expected: [UInt8] = [0xC0, 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8) + [0x20, 0x20, 0x20]
        + [7, 0, 0, 0, 0, 0, 0, 0]  // I64 7
        + [0, 0, 0, 0, 0, 0, 0xE0, 0x3F]  // F64 0.5 = 0x3FE0000000000000
        + [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]  // F32 1 = 0x3F800000, −2 = 0xC0000000
    let bytes = file.encoded()
    #expect(bytes == expected)
    #expect((bytes.count - 24) % 8 == 0)
    let decoded = try SafetensorsFile(decoding: bytes)
    #expect(decoded == file)
    #expect(decoded.encoded() == bytes)
    #expect(decoded.tensors["b"]!.tensor()!.floats == [1, -2])
    #expect(decoded.tensors["a"]!.tensor()!.dtype == .float64 && decoded.tensors["a"]!.tensor()!.item() == 0.5)
    #expect(decoded.tensors["n"]!.int64Values == [7] && decoded.tensors["n"]!.tensor() == nil)
}

@Test func headerPaddingAlwaysReachesAMultipleOfEight() {
    for length in 1...9 {
        let name = String(repeating: "x", count: length)
        let bytes = SafetensorsFile(tensors: [name: SafetensorsTensor(Tensor([1] as [Float]))]).encoded()
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(headerLength % 8 == 0 && bytes.count == 8 + headerLength + 4)
        let header = bytes[8..<(8 + headerLength)]
        let json = #"{"\#(name)":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        #expect(Array(header.prefix(json.utf8.count)) == Array(json.utf8))
        #expect(header.dropFirst(json.utf8.count).allSatisfy { $0 == 0x20 } && headerLength - json.utf8.count < 8)
    }
}

@Test func namesAndMetadataWithEscapesRoundTrip() throws {
    let name = "layer \"1\"\\w\n\tü→"
    let file = SafetensorsFile(
        tensors: [name: SafetensorsTensor(Tensor([3, 4], shape: [1, 2], dtype: .float64))],
        metadata: ["rng": #"{"words":[1,2],"spareNormal":null}"#, "ctl": "\u{1}"])
    let bytes = file.encoded()
    let header = String(decoding: bytes[8..<bytes.count - 16], as: UTF8.self)
    #expect(header.contains(#""layer \"1\"\\w\n\tü→""#) && header.contains(#""ctl":"\u0001""#))
    #expect(try SafetensorsFile(decoding: bytes) == file)
}

@Test func readsAHandAssembledFile() throws {
    // Another valid spelling: whitespace, tensors before __metadata__, data in reverse name order, \u escapes,
    // no padding. w = [[1, 2], [3, 4]] (F32), s = 2.5 (F64 scalar), e: an empty tensor.
    let header = #"{ "w" : {"shape": [2, 2], "dtype": "F32", "data_offsets": [8, 24]},"#
        + #" "s": {"dtype": "F64", "shape": [], "data_offsets": [0, 8]}, "#
        + #" "e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [24, 24]},"#
        + #" "__metadata__": {"format": "pt", "note": "caf\u00e9 \ud83d\ude00"} }"#
    let data: [UInt8] = [0, 0, 0, 0, 0, 0, 0x04, 0x40] + floatBytes([1, 2, 3, 4])
    let file = try SafetensorsFile(decoding: assemble(header, data))
    #expect(file.metadata == ["format": "pt", "note": "café 😀"])
    #expect(file.tensors["w"]!.shape == [2, 2] && file.tensors["w"]!.tensor()!.floats == [1, 2, 3, 4])
    #expect(file.tensors["s"]!.tensor()!.scalars == [2.5])
    #expect(file.tensors["e"]!.shape == [0, 3] && file.tensors["e"]!.bytes.isEmpty)
}

@Test func truncatedFilesAreReported() {
    #expect(decodingError([1, 0, 0]) == .truncated(
        path: "bad.safetensors", what: "the 8-byte header length", expectedBytes: 8, actualBytes: 3))
    let good = SafetensorsFile(tensors: ["w": SafetensorsTensor(Tensor([1, 2] as [Float]))]).encoded()
    let cut = Array(good.prefix(20))
    #expect(decodingError(cut) == .truncated(
        path: "bad.safetensors", what: "the \(good.count - 16)-byte header", expectedBytes: good.count - 8,
        actualBytes: 20))
    // The header is complete but the data is cut: the tensor's offsets reach past the end.
    #expect(decodingError(Array(good.dropLast(2))) == .offsetsOutOfRange(
        path: "bad.safetensors", tensor: "w", begin: 0, end: 8, dataBytes: 6))
    var huge = good
    huge.replaceSubrange(0..<8, with: [UInt8](repeating: 0xFF, count: 8))
    #expect(decodingError(huge) == .truncated(
        path: "bad.safetensors", what: "the \(UInt64.max)-byte header", expectedBytes: Int.max,
        actualBytes: good.count))
}

@Test(arguments: [
    (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}"#, "is not valid JSON: line 1, column 61: expected ',' or '}'"),
    (#"{"a": 1,}"#, "is not valid JSON: line 1, column 9: expected a key in double quotes"),
    (#"{"a": tru}"#, "is not valid JSON: line 1, column 7: unexpected 't'; expected a value"),
    (#"{"a": "x"} 7"#, "is not valid JSON: line 1, column 12: unexpected '7' after the JSON value"),
    (#"{"a": "\q"}"#, #"is not valid JSON: line 1, column 9: invalid escape \'q'"#),
    (#"{"a": 01}"#, "is not valid JSON: line 1, column 8: expected ',' or '}' after an object member"),
    ("{\"a\": \"\u{1}\"}", "is not valid JSON: line 1, column 8: control character in a string"),
    (#"{"a": {}, "a": {}}"#, "is not valid JSON: line 1, column 11: duplicate key \"a\""),
    (#"[1, 2]"#, "is not a JSON object"),
    (#"{"__metadata__": {"k": 1}}"#, "has __metadata__ \"k\" that is not a string"),
    (#"{"__metadata__": []}"#, "has a __metadata__ that is not an object"),
    (#"{"a": []}"#, "describes tensor \"a\" with a value that is not an object"),
    (#"{"a": {"dtype": "F32", "shape": [1]}}"#, "describes tensor \"a\" with no \"data_offsets\""),
    (#"{"a": {"dtype": 3, "shape": [1], "data_offsets": [0, 4]}}"#, "with a \"dtype\" that is not a string"),
    (#"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, "holding something other than non-neg"),
    (#"{"a": {"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]}}"#, "holding something other than non-neg"),
    (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}"#, "data_offsets [4, 0], expected [begin, end]"),
    (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "x": 1}}"#, "unknown field \"x\""),
])
func malformedHeadersAreInvalid(header: String, message: String) {
    guard case .invalidHeader(let path, let reason)? = decodingError(assemble(header, [0, 0, 0, 0])) else {
        Issue.record("expected invalidHeader for \(header)")
        return
    }
    #expect(path == "bad.safetensors")
    #expect(reason.contains(message), "\(reason)")
}

@Test func headerThatIsNotUTF8IsInvalid() {
    let bytes = littleEndianBytes([UInt64(4)]) + [0x7B, 0xFF, 0xFE, 0x7D]
    #expect(decodingError(bytes) == .invalidHeader(path: "bad.safetensors", reason: "is not valid UTF-8"))
}

@Test func unknownDTypesAreNamed() {
    let header = #"{"h": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}"#
    #expect(decodingError(assemble(header, [0, 0, 0, 0])) == .unknownDType(
        path: "bad.safetensors", tensor: "h", dtype: "BF16"))
}

@Test func byteRangesMustMatchShapesAndCoverTheDataExactlyOnce() {
    func f32(_ name: String, _ shape: [Int], _ begin: Int, _ end: Int) -> String {
        #""\#(name)": {"dtype": "F32", "shape": \#(shape), "data_offsets": [\#(begin), \#(end)]}"#
    }
    let path = "bad.safetensors"
    #expect(decodingError(assemble("{\(f32("a", [3], 0, 8))}", floatBytes([1, 2]))) == .sizeMismatch(
        path: path, tensor: "a", dtype: "F32", shape: [3], expectedBytes: 12, actualBytes: 8))
    #expect(decodingError(assemble("{\(f32("a", [1], 0, 4)), \(f32("b", [2], 4, 12))}", floatBytes([1, 2])))
        == .offsetsOutOfRange(path: path, tensor: "b", begin: 4, end: 12, dataBytes: 8))
    #expect(decodingError(assemble("{\(f32("a", [2], 0, 8)), \(f32("b", [2], 4, 12))}", floatBytes([1, 2, 3])))
        == .overlappingData(path: path, first: "a", second: "b"))
    #expect(decodingError(assemble("{\(f32("a", [1], 0, 4)), \(f32("b", [1], 8, 12))}", floatBytes([1, 2, 3])))
        == .uncoveredData(path: path, begin: 4, end: 8))
    #expect(decodingError(assemble("{\(f32("a", [1], 0, 4))}", floatBytes([1, 2]))) == .uncoveredData(
        path: path, begin: 4, end: 8))
    #expect(decodingError(assemble("{\(f32("a", [1], 0, 4))}", floatBytes([1]))) == nil)
}

@Test func missingAndUnreadableFilesAreReported() {
    DataFixtures.withTemporaryDirectory { directory in
        let missing = directory + "/none.safetensors"
        #expect(throws: CheckpointError.fileNotFound(path: missing)) { try SafetensorsFile(contentsOf: missing) }
        #expect(throws: CheckpointError.unreadable(path: directory, reason: "it is a directory")) {
            try SafetensorsFile(contentsOf: directory)
        }
        #expect(CheckpointError.fileNotFound(path: missing).description.contains(missing))
    }
}

@Test func writesAtomicallyWithoutLeavingTemporaryFiles() throws {
    try DataFixtures.withTemporaryDirectory { directory in
        let path = directory + "/w.safetensors"
        let first = SafetensorsFile(tensors: ["w": SafetensorsTensor(Tensor([1] as [Float]))])
        let second = SafetensorsFile(tensors: ["w": SafetensorsTensor(Tensor([2, 3] as [Float]))])
        try first.write(to: path)
        try second.write(to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["w.safetensors"])
        #expect(try SafetensorsFile(contentsOf: path) == second)

        // A failed replacement (the target is a non-empty directory) keeps nothing half-written.
        let blocked = directory + "/blocked"
        try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
        let error = #expect(throws: CheckpointError.self) { try first.write(to: blocked) }
        guard case .unwritable(let p, let reason)? = error else {
            Issue.record("expected unwritable, got \(String(describing: error))")
            return
        }
        #expect(p == blocked && reason.contains("cannot replace the file"), "\(reason)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["blocked", "w.safetensors"])
        #expect(throws: CheckpointError.self) { try first.write(to: directory + "/no/such/dir/w.safetensors") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["blocked", "w.safetensors"])
    }
}
