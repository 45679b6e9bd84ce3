import Foundation
import Testing

@testable import Models

// A checkpoint's SHA-256 checksum: written with every checkpoint, over everything else in the file, checked on load;
// files from before checksums still load. And the temporary files a killed write leaves, removed afterwards.

/// A small model with an optimizer that has state, so the file holds model and optimizer tensors and metadata.
private func model() -> (Sequential, Adam) {
    var rng = RandomGenerator(seed: 7)
    let model = Sequential([Linear(3, 4, using: &rng), ReLU(), Linear(4, 2, using: &rng)])
    let adam = Adam(model.parameters, learningRate: 0.01)
    var context = ForwardContext(training: true)
    let y = model(Tensor.normal([5, 3], using: &rng), &context)
    (y * y).mean().backward()
    adam.step()
    return (model, adam)
}

@Test func aChecksumIsTheDigestOfTheFileWithoutIt() {
    let (model, adam) = model()
    var file = Checkpoint.contents(model: model, optimizer: adam, metadata: ["step": "1"])
    let stored = file.metadata.removeValue(forKey: Checkpoint.checksumKey)
    #expect(stored == file.sha256())
    #expect(file.sha256() == DatasetDownloader.hexDigest(file.encoded()))
    #expect(throws: Never.self) { try Checkpoint.verifyChecksum(Checkpoint.contents(model: model), path: "a") }
}

@Test(arguments: ["tensor", "metadata", "shape"])
func aChangedCheckpointIsRefusedNamingTheFile(_ change: String) throws {
    try DataFixtures.withTemporaryDirectory { directory in
        let (trained, adam) = model()
        let path = directory + "/checkpoint.safetensors"
        try Checkpoint.save(model: trained, optimizer: adam, metadata: ["step": "1"], to: path)
        var file = try SafetensorsFile(contentsOf: path)
        switch change {
        case "tensor":  // one flipped bit of a weight
            let weight = try #require(file.tensors["model.0.weight"])
            var bytes = weight.bytes
            bytes[6] ^= 0x01
            file.tensors["model.0.weight"] = SafetensorsTensor(dtype: weight.dtype, shape: weight.shape, bytes: bytes)
        case "metadata":
            file.metadata["step"] = "2"
        default:  // the same bytes read as another shape
            let bias = try #require(file.tensors["model.2.bias"])
            file.tensors["model.2.bias"] = SafetensorsTensor(dtype: bias.dtype, shape: [1, 2], bytes: bias.bytes)
        }
        try file.write(to: path)
        let (fresh, freshAdam) = model()
        #expect {
            try Checkpoint.load(from: path, into: fresh, optimizer: freshAdam)
        } throws: { error in
            guard case .checksumMismatch(let named, _, _) = error as? CheckpointError else { return false }
            return named == path && "\(error)".hasPrefix("\(path) is corrupted: its contents have SHA-256 ")
        }
    }
}

@Test func aCheckpointWithoutAChecksumStillLoads() throws {
    let (trained, adam) = model()
    var file = Checkpoint.contents(model: trained, optimizer: adam)
    file.metadata[Checkpoint.checksumKey] = nil
    #expect(try Checkpoint.verifyChecksum(file, path: "old") == false)
    let (fresh, freshAdam) = model()
    try Checkpoint.restore(file, path: "old", into: fresh, optimizer: freshAdam)
    #expect(fresh.parameters.map(\.scalars) == trained.parameters.map(\.scalars))
}

@Test func staleTemporaryFilesOfDeadWritersAreRemoved() throws {
    try DataFixtures.withTemporaryDirectory { (directory: String) throws in
        // 2147483646 is no process (beyond any pid_max); 1 is init, always running; ours is running too.
        let names = [
            ".checkpoint.safetensors.tmp-2147483646-77", ".best.safetensors.tmp-2147483646-5",
            ".checkpoint.safetensors.tmp-1-77", ".checkpoint.safetensors.tmp-\(getpid())-8",
            ".hidden", "checkpoint.safetensors", ".notes.tmp-abc-1",
        ]
        for name in names { _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data([1])) }
        #expect(
            AtomicFile.removeStaleTemporaryFiles(in: directory)
                == [".best.safetensors.tmp-2147483646-5", ".checkpoint.safetensors.tmp-2147483646-77"])
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: directory)) == Set(names.dropFirst(2)))
    }
}
