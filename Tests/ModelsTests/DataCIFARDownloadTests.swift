import Foundation
import Models
import Testing

/// CIFAR-10's download: a small archive in the official layout, written here and served from a `file://` URL
/// in place of the canonical one (tests never use the network), verified, extracted and loaded.
@Suite struct DataCIFARDownloadTests {
    static let canonical = DatasetName.cifar10.remoteFiles[0]
    static let folder = CIFAR10.archiveFolder

    /// The batch files of a small CIFAR-10: data_batch_k holds two records, labelled k − 1 and k + 4, with red
    /// planes 10·k and 10·k + 1; test_batch holds labels 9 and 0 with red planes 90 and 91.
    static let batches: [(name: String, bytes: [UInt8])] = {
        var files: [(name: String, bytes: [UInt8])] = []
        for k in 1...5 {
            let first = DataCIFARTests.record(label: UInt8(k - 1), r: UInt8(10 * k))
            let second = DataCIFARTests.record(label: UInt8(k + 4), r: UInt8(10 * k + 1))
            files.append((name: "data_batch_\(k).bin", bytes: first + second))
        }
        let test = DataCIFARTests.record(label: 9, r: 90) + DataCIFARTests.record(label: 0, r: 91)
        return files + [(name: "test_batch.bin", bytes: test)]
    }()

    /// `files` as tar entries in cifar-10-batches-bin/, as the official archive holds them.
    static func entries(_ files: [(name: String, bytes: [UInt8])]) -> [DataFixtures.TarEntry] {
        files.map { (name: folder + "/" + $0.name, type: "0", bytes: $0.bytes) }
    }

    /// The tar (uncompressed) of `files` in cifar-10-batches-bin/, after the directory's own entry.
    static func tar(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        DataFixtures.tar([(name: folder + "/", type: "5", bytes: [])] + entries(files))
    }

    /// Writes `archive` (gzip'd) to `directory`/server and describes it as the canonical file does, with its
    /// own digest unless `sha256` is given.
    static func serve(_ archive: [UInt8], in directory: String, sha256: String? = nil) -> RemoteFile {
        let server = (directory as NSString).appendingPathComponent("server")
        try! FileManager.default.createDirectory(atPath: server, withIntermediateDirectories: true)
        let path = DataFixtures.write(archive, canonical.fileName, in: server)
        return RemoteFile(
            url: URL(fileURLWithPath: path).absoluteString, fileName: canonical.fileName,
            sha256: sha256 ?? DatasetDownloader.hexDigest(archive), members: canonical.members,
            optionalMembers: canonical.optionalMembers)
    }

    /// A resolver that finds nothing but its download cache, `directory`/cache.
    static func resolver(in directory: String) -> DatasetResolver {
        DatasetResolver(
            environment: [:], currentDirectory: directory, systemDirectory: directory + "/system",
            cacheDirectory: directory + "/cache")
    }

    /// The error `locateOrDownload` throws for CIFAR-10 served as `file`, or `nil` (recorded) when it succeeds.
    static func downloadError(_ file: RemoteFile, resolver: DatasetResolver) async -> DatasetError? {
        do throws(DatasetError) {
            _ = try await resolver.locateOrDownload(.cifar10, files: [file])
        } catch {
            return error
        }
        Issue.record("expected the download of \(file.url) to fail")
        return nil
    }

    @Test func theVerifiedArchiveIsExtractedAndLoadsAsCIFAR10() async throws {
        try await DataFixtures.withTemporaryDirectory { dir in
            let meta = (name: "batches.meta.txt", bytes: Array(CIFAR10.classNames.joined(separator: "\n").utf8))
            let archive = DataFile.gzip(Self.tar(Self.batches + [meta, (name: "readme.html", bytes: [60])]))
            let served = Self.serve(archive, in: dir)
            let resolver = Self.resolver(in: dir)

            let location = try await resolver.locateOrDownload(.cifar10, files: [served])
            #expect(location.source == .downloadCache)
            #expect(location.directory == dir + "/cache/cifar10")
            #expect(location.files.count == 6)
            let cached = DataFixtures.regularFiles(under: dir + "/cache/cifar10")
            let batchFiles = (Self.batches.map(\.name) + ["batches.meta.txt"]).map { Self.folder + "/" + $0 }
            #expect(cached == (batchFiles + ["cifar-10-binary.tar.gz"]).sorted())  // not readme.html
            #expect(
                try DatasetDownloader.hexDigest(ofFileAt: dir + "/cache/cifar10/cifar-10-binary.tar.gz")
                    == served.sha256)

            let train = try location.loadImages(split: .train, scaling: .raw)
            #expect(train.inputs.shape == [10, 3, 32, 32])
            #expect(train.labels == [0, 5, 1, 6, 2, 7, 3, 8, 4, 9])
            #expect(train.classNames == CIFAR10.classNames)
            #expect(train.inputs.scalar(at: 0, 0, 0, 0) == 10)  // batch 1, first record: red 10
            #expect(train.inputs.scalar(at: 9, 0, 31, 31) == 51)  // batch 5, second record: red 51
            #expect(train.inputs.scalar(at: 4, 1, 8, 1) == 1)  // green plane: byte 257 % 256
            #expect(train.inputs.scalar(at: 7, 2, 5, 5) == 255)  // blue plane
            let test = try location.loadImages(split: .test, scaling: .raw)
            #expect(test.labels == [9, 0])
            #expect(test.inputs.scalar(at: 1, 0, 3, 4) == 91)

            // With the archive in the cache, nothing is fetched again (the served copy is gone): a lost batch file
            // is extracted again from the cached archive, whose digest is checked first.
            try FileManager.default.removeItem(atPath: dir + "/server/cifar-10-binary.tar.gz")
            try FileManager.default.removeItem(atPath: dir + "/cache/cifar10/\(Self.folder)/data_batch_3.bin")
            let paths = try await DatasetDownloader.download(.cifar10, into: dir + "/cache/cifar10", files: [served])
            #expect(paths == served.members.map { dir + "/cache/cifar10/" + $0 })
            #expect(DataFixtures.regularFiles(under: dir + "/cache/cifar10") == cached)
            #expect(try location.loadImages(split: .train, scaling: .raw).labels == train.labels)
        }
    }

    @Test func anArchiveWithTheWrongDigestIsRefusedAndLeavesNothing() async {
        await DataFixtures.withTemporaryDirectory { dir in
            let archive = DataFile.gzip(Self.tar(Self.batches))
            let published = DatasetDownloader.hexDigest(Array("another archive".utf8))
            let served = Self.serve(archive, in: dir, sha256: published)
            let error = await Self.downloadError(served, resolver: Self.resolver(in: dir))
            let actual = DatasetDownloader.hexDigest(archive)
            #expect(error == .checksumMismatch(path: served.url, expected: published, actual: actual))
            #expect(error?.description.hasPrefix("\(served.url) has SHA-256 \(actual), expected \(published)") == true)
            #expect(DataFixtures.regularFiles(under: dir + "/cache").isEmpty)
        }
    }

    @Test func truncatedArchivesAreClearErrorsAndLeaveNothing() async {
        await DataFixtures.withTemporaryDirectory { dir in
            // Cut inside the gzip stream: zlib reaches the end of the input before the stream's end marker.
            let whole = DataFile.gzip(Self.tar(Self.batches))
            let cut = Self.serve(Array(whole.prefix(whole.count / 2)), in: dir)
            let gzipError = await Self.downloadError(cut, resolver: Self.resolver(in: dir))
            #expect(
                gzipError
                    == .truncated(
                        path: cut.url, what: "the gzip stream", expectedBytes: nil, actualBytes: whole.count / 2))
            #expect(DataFixtures.regularFiles(under: dir + "/cache").isEmpty)

            // A whole gzip stream of a tar that stops inside test_batch.bin's data.
            let tar = Self.tar(Self.batches)
            let short = Self.serve(DataFile.gzip(Array(tar.prefix(tar.count - 2048))), in: dir)
            let tarError = await Self.downloadError(short, resolver: Self.resolver(in: dir))
            guard case .truncated(let path, let what, _, let actual) = tarError else {
                Issue.record("expected truncated, got \(String(describing: tarError))")
                return
            }
            #expect(path == short.url && actual == tar.count - 2048)
            #expect(what == "the tar data of \"\(Self.folder)/test_batch.bin\"")
            #expect(DataFixtures.regularFiles(under: dir + "/cache").isEmpty)
        }
    }

    @Test func entriesOutsideTheCacheAndMissingBatchesAreRefused() async {
        await DataFixtures.withTemporaryDirectory { dir in
            let evil: DataFixtures.TarEntry = (name: "../evil.bin", type: "0", bytes: [1])
            let hostile = DataFile.gzip(DataFixtures.tar(Self.entries(Self.batches) + [evil]))
            let served = Self.serve(hostile, in: dir)
            let error = await Self.downloadError(served, resolver: Self.resolver(in: dir))
            guard case .invalidFormat(let path, let reason) = error else {
                Issue.record("expected invalidFormat, got \(String(describing: error))")
                return
            }
            #expect(path == served.url)
            #expect(reason.hasPrefix("tar entry \"../evil.bin\" at byte "))
            #expect(reason.hasSuffix("would be written outside the extraction directory; the archive is refused"))
            #expect(DataFixtures.regularFiles(under: dir + "/cache").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: dir + "/cache/evil.bin"))

            let incomplete = Self.serve(DataFile.gzip(Self.tar(Array(Self.batches.dropLast()))), in: dir)
            let missing = await Self.downloadError(incomplete, resolver: Self.resolver(in: dir))
            let noTestBatch = "the archive has no file \"\(Self.folder)/test_batch.bin\""
            #expect(missing == .invalidFormat(path: incomplete.url, reason: noTestBatch))
            #expect(DataFixtures.regularFiles(under: dir + "/cache").isEmpty)
        }
    }
}
