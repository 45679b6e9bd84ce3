import Foundation
import Models
import Testing

/// Finding datasets by name, SHA-256, and downloads that fail fast and clearly without network.
@Suite struct DataResolverTests {
    /// Writes a tiny valid MNIST-style split into `directory`.
    static func writeMNISTStyle(_ split: DatasetSplit, labels: [UInt8], in directory: String) {
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = MNISTStyle.fileNames(split)
        let images = IDXArray(dimensions: [labels.count, 2, 2], bytes: [UInt8](repeating: 9, count: 4 * labels.count))
        DataFixtures.write(DataFile.gzip(IDX.encode(images)), names.images + ".gz", in: directory)
        let labelFile = IDX.encode(IDXArray(dimensions: [labels.count], bytes: labels))
        DataFixtures.write(labelFile, names.labels, in: directory)
    }

    @Test func namesParseForgivinglyAndUnknownNamesListTheKnownOnes() throws {
        #expect(try DatasetName(parsing: "Fashion_MNIST") == .fashionMNIST)
        #expect(try DatasetName(parsing: "CIFAR-10") == .cifar10)
        #expect(try DatasetName(parsing: "tinyshakespeare") == .tinyShakespeare)
        let error = #expect(throws: DatasetError.self) { try DatasetName(parsing: "imagenet") }
        #expect(
            error?.description == "unknown dataset \"imagenet\"; known datasets are mnist, fashion-mnist, cifar10, "
                + "tinyshakespeare")
    }

    @Test func searchOrderIsExplicitThenEnvironmentThenSystemThenSharedThenCache() throws {
        try DataFixtures.withTemporaryDirectory { dir in
            let work = dir + "/work/repo"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let resolver = DatasetResolver(
                environment: [DatasetResolver.environmentVariable: dir + "/env"], currentDirectory: work,
                systemDirectory: dir + "/system", cacheDirectory: dir + "/cache")
            #expect(resolver.candidates(for: .mnist).map(\.0) == [
                dir + "/env/mnist", dir + "/system/mnist", dir + "/work/shared/data/mnist", dir + "/cache/mnist",
            ])

            Self.writeMNISTStyle(.test, labels: [1], in: dir + "/cache/mnist")
            #expect(try resolver.locate(.mnist, split: .test).source == .downloadCache)
            Self.writeMNISTStyle(.test, labels: [2], in: dir + "/work/shared/data/mnist")
            #expect(try resolver.locate(.mnist, split: .test).source == .sharedDirectory)
            Self.writeMNISTStyle(.test, labels: [3], in: dir + "/system/mnist")
            #expect(try resolver.locate(.mnist, split: .test).source == .systemPackage)
            Self.writeMNISTStyle(.test, labels: [4], in: dir + "/env/mnist")
            let fromEnvironment = try resolver.locate(.mnist, split: .test)
            #expect(fromEnvironment.source == .environment)
            #expect(try fromEnvironment.loadImages(split: .test).labels == [4])
            Self.writeMNISTStyle(.test, labels: [5], in: dir + "/mine")
            let explicit = try resolver.locate(.mnist, split: .test, explicitPath: dir + "/mine")
            #expect(explicit.source == .explicitPath)
            #expect(try explicit.loadImages(split: .test).labels == [5])

            // An explicit path is never silently replaced, and a split that is nowhere is an error.
            let wrong = #expect(throws: DatasetError.self) {
                try resolver.locate(.mnist, split: .test, explicitPath: dir + "/missing")
            }
            #expect(wrong == .notADatasetFolder(path: dir + "/missing", name: "mnist", reason: "it does not exist"))
            #expect(throws: DatasetError.self) { try resolver.locate(.mnist, split: .train) }
        }
    }

    @Test func anExplicitFolderWithoutTheFilesSaysWhatIsMissing() throws {
        try DataFixtures.withTemporaryDirectory { (dir: String) throws in
            let resolver = DatasetResolver(
                environment: [:], currentDirectory: dir, systemDirectory: dir + "/system", cacheDirectory: dir + "/c")
            Self.writeMNISTStyle(.test, labels: [1], in: dir + "/half")
            let cases: [(DatasetName, DatasetSplit?, String, String)] = [
                (.mnist, nil, "/half", "it has no train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz)"),
                (.cifar10, .test, "/half", "it has no test_batch.bin"),
                (.tinyShakespeare, nil, "/half", "it has no input.txt"),
                (.tinyShakespeare, nil, "/half/t10k-labels-idx1-ubyte",
                 "it is a file; name the folder that holds the dataset's files"),
            ]
            for (name, split, path, reason) in cases {
                let error = #expect(throws: DatasetError.self) {
                    try resolver.locate(name, split: split, explicitPath: dir + path)
                }
                #expect(error?.description == "\(dir + path) is not a \(name.rawValue) folder: \(reason)")
            }
        }
    }

    @Test func missingDatasetsSayWhatToInstall() {
        DataFixtures.withTemporaryDirectory { dir in
            let resolver = DatasetResolver(
                environment: [:], currentDirectory: dir, systemDirectory: dir + "/system", cacheDirectory: dir + "/c")
            let error = #expect(throws: DatasetError.self) { try resolver.locate(.fashionMNIST, split: .train) }
            let message = error?.description ?? ""
            #expect(message.hasPrefix("dataset \"fashion-mnist train split\" not found; searched: \(dir)/system/"))
            #expect(message.contains("sudo apt-get install dataset-fashion-mnist"))

            // MNIST-shaped: both datasets were searched, and the message offers both remedies.
            let shaped = #expect(throws: DatasetError.self) { try resolver.locateMNISTShaped() }
            guard case .datasetNotFound(_, let searched, let hint) = shaped else {
                Issue.record("expected datasetNotFound, got \(String(describing: shaped))")
                return
            }
            #expect(searched.contains { $0.hasPrefix(dir + "/system/mnist") })
            #expect(searched.contains { $0.hasPrefix(dir + "/system/fashion-mnist") })
            #expect(hint.contains("apt-get install dataset-fashion-mnist"))
        }
    }

    @Test func mnistIsPreferredWhenBothSplitsExist() throws {
        try DataFixtures.withTemporaryDirectory { dir in
            let resolver = DatasetResolver(
                environment: [DatasetResolver.environmentVariable: dir], currentDirectory: dir,
                systemDirectory: dir + "/system", cacheDirectory: dir + "/cache")
            Self.writeMNISTStyle(.test, labels: [1, 2], in: dir + "/fashion-mnist")
            Self.writeMNISTStyle(.train, labels: [3], in: dir + "/fashion-mnist")
            Self.writeMNISTStyle(.test, labels: [4], in: dir + "/mnist")
            let fallback = try resolver.locateMNISTShaped()
            #expect(fallback.dataset == .fashionMNIST && fallback.isSubstitute)
            #expect(try fallback.loadImages(split: .train).classNames == MNISTStyle.fashionClassNames)

            Self.writeMNISTStyle(.train, labels: [5], in: dir + "/mnist")
            let real = try resolver.locateMNISTShaped()
            #expect(real.dataset == .mnist && !real.isSubstitute && real.note == nil)
            #expect(try real.loadImages(split: .train).labels == [5])
        }
    }

    @Test func sha256MatchesTheStandardTestVectors() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(DatasetDownloader.hexDigest(Array("abc".utf8)) == abc)
        #expect(DatasetDownloader.hexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        let twoBlocksDigest = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        #expect(DatasetDownloader.hexDigest(Array(twoBlocks.utf8)) == twoBlocksDigest)
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let millionDigest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(DatasetDownloader.hexDigest(million) == millionDigest)
        // Lengths around the block boundary: 55 bytes leave room for the padding in the block, 56 do not, 64 fill
        // it, 119 span two (digests from Python's hashlib).
        let digests = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
        ]
        for (count, digest) in digests {
            let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: count)
            #expect(DatasetDownloader.hexDigest(bytes) == digest, "\(count) bytes")
        }
    }

    @Test func publishedDigestsMatchTheLocalCopies() throws {
        let shakespeare = (DataFixtures.sharedData as NSString).appendingPathComponent("tinyshakespeare/input.txt")
        let shakespeareDigest = DatasetName.tinyShakespeare.remoteFiles[0].sha256
        #expect(try DatasetDownloader.hexDigest(ofFileAt: shakespeare) == shakespeareDigest)
        let labels = (DataFixtures.sharedData as NSString).appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz")
        let published = DatasetName.mnist.remoteFiles.first { $0.fileName == "t10k-labels-idx1-ubyte.gz" }
        #expect(try DatasetDownloader.hexDigest(ofFileAt: labels) == published?.sha256)
    }

    @Test func verificationRejectsOtherBytes() {
        let error = #expect(throws: DatasetError.self) {
            let abc = DatasetDownloader.hexDigest(Array("abc".utf8))
            try DatasetDownloader.verify(Array("abd".utf8), sha256: abc, source: "x")
        }
        guard case .checksumMismatch(let source, _, let actual) = error else {
            Issue.record("expected checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(source == "x" && actual == DatasetDownloader.hexDigest(Array("abd".utf8)))
    }

    @Test func aRefusedDownloadFailsFastAndLeavesNothingBehind() async {
        await DataFixtures.withTemporaryDirectory { dir in
            // Port 1 on the loopback interface: nothing listens, so the connection is refused at once.
            let file = RemoteFile(
                url: "http://127.0.0.1:1/input.txt", fileName: "input.txt", sha256: String(repeating: "0", count: 64))
            let path = dir + "/input.txt"
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: DatasetError.self) { try await DatasetDownloader.fetch(file, to: path, timeout: 3) }
            #expect(clock.now - start < .seconds(10))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func locateOrDownloadFailsClearlyWhenTheServerIsUnreachable() async {
        await DataFixtures.withTemporaryDirectory { dir in
            let resolver = DatasetResolver(
                environment: [:], currentDirectory: dir, systemDirectory: dir + "/system",
                cacheDirectory: dir + "/cache")
            // A closed port on this machine stands in for the canonical URL: tests never contact outside hosts.
            let unreachable = RemoteFile(
                url: "http://127.0.0.1:1/input.txt", fileName: "input.txt", sha256: String(repeating: "0", count: 64))
            do {
                _ = try await resolver.locateOrDownload(.tinyShakespeare, timeout: 3, files: [unreachable])
                Issue.record("expected the download to fail")
            } catch let error as DatasetError {
                guard case .downloadFailed(let url, let reason) = error else {
                    Issue.record("expected downloadFailed, got \(error)")
                    return
                }
                #expect(url == unreachable.url)
                #expect(reason.contains("No local copy either: Put input.txt"))
                #expect(!FileManager.default.fileExists(atPath: dir + "/cache/tinyshakespeare/input.txt"))
            } catch {
                Issue.record("expected a DatasetError, got \(error)")
            }
            // CIFAR-10's archive likewise, with CIFAR-10's instructions.
            let canonical = DatasetName.cifar10.remoteFiles[0]
            let archive = RemoteFile(
                url: "http://127.0.0.1:1/" + canonical.fileName, fileName: canonical.fileName, sha256: canonical.sha256,
                members: canonical.members)
            do throws(DatasetError) {
                _ = try await resolver.locateOrDownload(.cifar10, timeout: 3, files: [archive])
                Issue.record("expected the download to fail")
            } catch {
                guard case .downloadFailed(let url, let reason) = error else {
                    Issue.record("expected downloadFailed, got \(error)")
                    return
                }
                #expect(url == archive.url)
                #expect(reason.contains("No local copy either: Put data_batch_1.bin"))
                #expect(DataFixtures.regularFiles(under: dir + "/cache").isEmpty)
            }
        }
    }
}
