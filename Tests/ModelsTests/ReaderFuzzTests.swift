import Foundation
import Models
import Testing

// A seeded byte-level fuzzer of the file readers: valid small files (IDX, gzip, CIFAR-10 batch, CSV, text,
// safetensors checkpoint) with bytes flipped, inserted, deleted or cut off. Each mutant must read or be refused with
// the reader's error — never trap. Fixed seeds: the same mutants on every run.

/// `bytes` changed one to four times: a flipped bit, a random byte set, bytes inserted or deleted, or the end cut.
private func mutate(_ bytes: [UInt8], _ rng: inout RandomGenerator) -> [UInt8] {
    var out = bytes
    for _ in 0...(rng.next() % 4) {
        let i = out.isEmpty ? 0 : Int(rng.next() % UInt64(out.count))
        switch rng.next() % 6 {
        case 0 where !out.isEmpty: out[i] ^= UInt8(1 << (rng.next() % 8))
        case 1 where !out.isEmpty: out[i] = UInt8(truncatingIfNeeded: rng.next())
        case 2:
            out.insert(
                contentsOf: (0..<Int(1 + rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: i)
        case 3 where !out.isEmpty: out.removeSubrange(i..<min(out.count, i + Int(1 + rng.next() % 8)))
        case 4: out = Array(out.prefix(i))
        default: if !out.isEmpty { out[i] = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)] }
        }
    }
    return out
}

@Test func mutatedDataFilesAreReadOrRefusedNeverTrapped() throws {
    let dir = NSTemporaryDirectory() + "tapegrad-fuzz-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rng = RandomGenerator(seed: 7)
    let images = IDX.encode(IDXArray(dimensions: [3, 2, 4], bytes: (0..<24).map { UInt8($0 * 9) }))
    let labels = IDX.encode(IDXArray(dimensions: [3], bytes: [2, 0, 1]))
    let cifar = (0..<2).flatMap { r in [UInt8(r * 3)] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 + r) } }
    let csv = Array("a,b,colour,label\n1,2.5,red,0\n3,-1,blue,1\n0.5,4,red,2\n".utf8)
    let text = Array("To be, or not to be: that is the question.\n".utf8)
    var model = Sequential([Linear(2, 3, using: &rng)])
    let checkpointPath = dir + "/checkpoint.safetensors"
    try Checkpoint.save(model: model, to: checkpointPath)
    let checkpoint = Array(try Data(contentsOf: URL(fileURLWithPath: checkpointPath)))

    /// Writes `bytes` and runs `read` on the file; true when it was read, false when refused with a `Failure`
    /// (any other error is recorded as an issue).
    func outcome<Failure: Error>(_ bytes: [UInt8], _: Failure.Type, _ read: (String) throws -> Void) -> Bool {
        let path = dir + "/mutant"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            try read(path)
            return true
        } catch is Failure {
            return false
        } catch {
            Issue.record("unexpected error \(error)")
            return false
        }
    }
    var (read, refused) = (0, 0)
    func tally(_ accepted: Bool) { if accepted { read += 1 } else { refused += 1 } }
    for round in 0..<150 {
        let gzipped = round % 2 == 1
        func source(_ bytes: [UInt8]) -> [UInt8] { mutate(gzipped ? DataFile.gzip(bytes) : bytes, &rng) }
        tally(outcome(source(images), DatasetError.self) { _ = try IDX.read(at: $0, magic: IDX.imagesMagic) })
        tally(outcome(source(labels), DatasetError.self) { _ = try IDX.read(at: $0, magic: IDX.labelsMagic) })
        tally(outcome(source(cifar), DatasetError.self) { _ = try CIFAR10.readBatch(at: $0) })
        tally(outcome(source(csv), DatasetError.self) { _ = try CSVTable.load(path: $0) })
        tally(outcome(source(text), DatasetError.self) { _ = try CharacterCorpus.load(path: $0) })
        tally(outcome(mutate(checkpoint, &rng), CheckpointError.self) { try Checkpoint.load(from: $0, into: model) })
    }
    // Both outcomes happen (a flipped pixel is still an image; a cut header is not).
    #expect(read > 50 && refused > 300, "read \(read), refused \(refused)")
    model = Sequential([Linear(2, 3, using: &rng)])
    #expect(throws: Never.self) { try Checkpoint.load(from: checkpointPath, into: model) }  // the original loads
}
