import Foundation
import Models
import Testing

/// IDX and gzip reading: exact round trips of small files written here, and clear errors for every way a file can
/// be wrong.
@Suite struct DataIDXTests {
    /// 3 images of 2×4 pixels: 0, 1, …, 23 scaled to span 0…253, and labels 2, 0, 1.
    let images = IDXArray(dimensions: [3, 2, 4], bytes: (0..<24).map { UInt8($0 * 11) })
    let labels = IDXArray(dimensions: [3], bytes: [2, 0, 1])

    @Test func encodeWritesTheBigEndianHeader() {
        let bytes = IDX.encode(labels)
        #expect(bytes == [0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 1])
    }

    @Test(arguments: [false, true])
    func plainAndGzipFilesRoundTripExactly(compressed: Bool) throws {
        try DataFixtures.withTemporaryDirectory { dir in
            let encode = { (array: IDXArray) in compressed ? DataFile.gzip(IDX.encode(array)) : IDX.encode(array) }
            let imagesPath = DataFixtures.write(encode(images), "images.idx", in: dir)
            let labelsPath = DataFixtures.write(encode(labels), "labels.idx", in: dir)
            #expect(try IDX.read(at: imagesPath, magic: IDX.imagesMagic) == images)
            #expect(try IDX.read(at: labelsPath, magic: IDX.labelsMagic) == labels)

            let raw = try LabelledDataset.loadIDX(
                imagesAt: imagesPath, labelsAt: labelsPath, classCount: 3, scaling: .raw)
            #expect(raw.inputs.shape == [3, 1, 2, 4])
            #expect(raw.inputs.scalars == images.bytes.map(Double.init))
            #expect(raw.labels == [2, 0, 1])

            let unit = try LabelledDataset.loadIDX(imagesAt: imagesPath, labelsAt: labelsPath, classCount: 3)
            #expect(unit.inputs.floats == images.bytes.map { Float($0) / 255 })
        }
    }

    @Test func gzipOfManyMembersAndLargeDataRoundTrips() throws {
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 1000) }
        #expect(try DataFile.gunzip(DataFile.gzip(big), path: "big.gz") == big)
        let joined = DataFile.gzip([1, 2, 3]) + DataFile.gzip([4, 5])  // as `cat a.gz b.gz` makes
        #expect(try DataFile.gunzip(joined, path: "joined.gz") == [1, 2, 3, 4, 5])
        #expect(try DataFile.gunzip(DataFile.gzip([]), path: "empty.gz") == [])
    }

    @Test func aGzipBombStopsAtTheSizeItsHeaderPromises() throws {
        let dir = NSTemporaryDirectory() + "tapegrad-bomb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A label file whose header says 3 labels, followed by 64 MB of zeros: 64 KB compressed.
        let bomb = IDX.encode(labels) + [UInt8](repeating: 0, count: 64 << 20)
        let path = DataFixtures.write(DataFile.gzip(bomb), "labels.idx.gz", in: dir)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < 1 << 20)
        let error = #expect(throws: DatasetError.self) { try IDX.read(at: path, magic: IDX.labelsMagic) }
        let reason = "it inflates to more than the 11 bytes its header promises"
        #expect(error == .corruptedGzip(path: path, reason: reason))
        // The promise is read from the header alone; files that keep it read as before.
        #expect(IDX.promisedSize([0, 0, 8, 3, 0, 0, 0, 2]) == nil)  // the dimensions are not there yet
        #expect(IDX.promisedSize(IDX.encode(images)) == 16 + 24)
        let honest = try DataFile.gunzip(DataFile.gzip(IDX.encode(labels)), path: "l", promisedSize: IDX.promisedSize)
        #expect(honest == IDX.encode(labels))
    }

    @Test func missingFileIsReportedWithItsPath() {
        let error = #expect(throws: DatasetError.self) {
            try IDX.read(at: "/nonexistent/train-images-idx3-ubyte.gz", magic: IDX.imagesMagic)
        }
        #expect(error == .fileNotFound(path: "/nonexistent/train-images-idx3-ubyte.gz"))
        #expect(error?.description == "dataset file not found: /nonexistent/train-images-idx3-ubyte.gz")
        #expect(error?.localizedDescription == error?.description)
    }

    @Test func wrongMagicNamesTheFileAndBothNumbers() {
        DataFixtures.withTemporaryDirectory { dir in
            let path = DataFixtures.write(IDX.encode(labels), "labels.idx", in: dir)
            let error = #expect(throws: DatasetError.self) { try IDX.read(at: path, magic: IDX.imagesMagic) }
            #expect(error == .wrongMagic(path: path, expected: 0x0000_0803, found: 0x0000_0801))
            #expect(error?.description.contains("\(path) has magic number 0x00000801, expected 0x00000803") == true)
        }
    }

    @Test func truncatedDataIsReportedWithExpectedAndActualSizes() {
        DataFixtures.withTemporaryDirectory { dir in
            let bytes = IDX.encode(images)  // 16-byte header + 24 pixels
            let path = DataFixtures.write(Array(bytes.dropLast(5)), "short.idx", in: dir)
            let error = #expect(throws: DatasetError.self) { try IDX.read(at: path, magic: IDX.imagesMagic) }
            #expect(error == .truncated(path: path, what: "a 3×2×4 IDX array", expectedBytes: 40, actualBytes: 35))
            #expect(error?.description == "\(path) is truncated: a 3×2×4 IDX array needs 40 bytes, the file has 35")

            let headerOnly = DataFixtures.write(Array(bytes.prefix(9)), "header.idx", in: dir)
            let headerError = #expect(throws: DatasetError.self) {
                try IDX.read(at: headerOnly, magic: IDX.imagesMagic)
            }
            #expect(
                headerError
                    == .truncated(
                        path: headerOnly, what: "the IDX header of 3 dimensions", expectedBytes: 16, actualBytes: 9))
        }
    }

    @Test func extraBytesAfterTheArrayAreRejected() {
        DataFixtures.withTemporaryDirectory { dir in
            let path = DataFixtures.write(IDX.encode(labels) + [7, 7], "long.idx", in: dir)
            let error = #expect(throws: DatasetError.self) { try IDX.read(at: path, magic: IDX.labelsMagic) }
            #expect(error?.description == "\(path) is malformed: 2 bytes after the end of the 3 array (11 bytes)")
        }
    }

    @Test func corruptedGzipIsReportedAsCorrupted() {
        DataFixtures.withTemporaryDirectory { dir in
            var gz = DataFile.gzip(IDX.encode(images))
            gz[gz.count / 2] ^= 0xff  // damage the deflate data or the CRC
            gz[12] ^= 0x5a
            let path = DataFixtures.write(gz, "images.gz", in: dir)
            let error = #expect(throws: DatasetError.self) { try IDX.read(at: path, magic: IDX.imagesMagic) }
            guard case .corruptedGzip(let reported, _) = error else {
                Issue.record("expected corruptedGzip, got \(String(describing: error))")
                return
            }
            #expect(reported == path)
            #expect(error?.description.hasPrefix("\(path) is not a valid gzip file") == true)

            // A gzip magic followed by garbage: a bad header.
            let garbage = DataFixtures.write([0x1f, 0x8b] + [UInt8](repeating: 0x42, count: 40), "g.gz", in: dir)
            let headerError = #expect(throws: DatasetError.self) { try DataFile.contents(of: garbage) }
            guard case .corruptedGzip = headerError else {
                Issue.record("expected corruptedGzip, got \(String(describing: headerError))")
                return
            }
        }
    }

    @Test func truncatedGzipIsReportedAsTruncated() {
        DataFixtures.withTemporaryDirectory { dir in
            let gz = DataFile.gzip((0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let path = DataFixtures.write(Array(gz.prefix(gz.count / 2)), "cut.gz", in: dir)
            let error = #expect(throws: DatasetError.self) { try DataFile.contents(of: path) }
            let expected = DatasetError.truncated(
                path: path, what: "the gzip stream", expectedBytes: nil, actualBytes: gz.count / 2)
            #expect(error == expected)
            #expect(error?.description.contains("ends in the middle of the gzip stream") == true)
        }
    }

    @Test func mismatchedLabelCountAndOutOfRangeLabelsAreRejected() {
        DataFixtures.withTemporaryDirectory { dir in
            let imagesPath = DataFixtures.write(IDX.encode(images), "i.idx", in: dir)
            let twoLabels = DataFixtures.write(IDX.encode(IDXArray(dimensions: [2], bytes: [0, 1])), "l2.idx", in: dir)
            let countError = #expect(throws: DatasetError.self) {
                try LabelledDataset.loadIDX(imagesAt: imagesPath, labelsAt: twoLabels)
            }
            #expect(countError?.description == "\(twoLabels) is malformed: 2 labels for the 3 images of \(imagesPath)")

            let bad = DataFixtures.write(IDX.encode(IDXArray(dimensions: [3], bytes: [0, 12, 1])), "l.idx", in: dir)
            let rangeError = #expect(throws: DatasetError.self) {
                try LabelledDataset.loadIDX(imagesAt: imagesPath, labelsAt: bad, classCount: 10)
            }
            #expect(rangeError?.description == "\(bad) is malformed: label 12 of example 1 is not below 10")
        }
    }

    @Test func directoryLoaderNamesTheMissingFile() throws {
        try DataFixtures.withTemporaryDirectory { dir in
            DataFixtures.write(DataFile.gzip(IDX.encode(images)), "t10k-images-idx3-ubyte.gz", in: dir)
            let error = #expect(throws: DatasetError.self) {
                try LabelledDataset.loadMNISTStyle(directory: dir, split: .test)
            }
            #expect(error == .fileNotFound(path: "\(dir)/t10k-labels-idx1-ubyte[.gz]"))

            DataFixtures.write(IDX.encode(labels), "t10k-labels-idx1-ubyte", in: dir)  // plain, no .gz
            let loaded = try LabelledDataset.loadMNISTStyle(directory: dir, split: .test, scaling: .raw)
            #expect(loaded.labels == [2, 0, 1])
            #expect(loaded.classNames == MNISTStyle.mnistClassNames)
        }
    }
}
