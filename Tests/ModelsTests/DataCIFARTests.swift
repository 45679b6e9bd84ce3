import Foundation
import Models
import Testing

/// CIFAR-10 binary batches, on small files written here (CIFAR cannot be downloaded on these machines).
@Suite struct DataCIFARTests {
    /// A record with label `label` whose red plane is all `r`, green plane 0, 1, …, 255, 0, … and blue plane 255.
    static func record(label: UInt8, r: UInt8) -> [UInt8] {
        [label] + [UInt8](repeating: r, count: 1024) + (0..<1024).map { UInt8($0 % 256) }
            + [UInt8](repeating: 255, count: 1024)
    }

    @Test func recordsBecomeChannelFirstImagesAndLabels() throws {
        try DataFixtures.withTemporaryDirectory { dir in
            let path = DataFixtures.write(Self.record(label: 3, r: 10) + Self.record(label: 9, r: 20), "b.bin", in: dir)
            let data = try CIFAR10.readBatch(at: path, scaling: .raw)
            #expect(data.inputs.shape == [2, 3, 32, 32])
            #expect(data.labels == [3, 9])
            #expect(data.classNames?[3] == "cat")
            #expect(data.inputs.scalar(at: 0, 0, 5, 7) == 10)
            #expect(data.inputs.scalar(at: 1, 0, 31, 31) == 20)
            #expect(data.inputs.scalar(at: 0, 1, 0, 3) == 3)  // green plane, row 0, column 3: byte 3
            #expect(data.inputs.scalar(at: 0, 1, 8, 1) == 1)  // row 8, column 1: byte 257 % 256
            #expect(data.inputs.scalar(at: 1, 2, 4, 4) == 255)

            let unit = try CIFAR10.readBatch(at: path)
            #expect(unit.inputs.scalar(at: 0, 2, 0, 0) == 1)
            #expect(Float(unit.inputs.scalar(at: 0, 0, 0, 0)) == Float(10) / 255)
        }
    }

    @Test func partialRecordsAreReportedAsTruncated() {
        DataFixtures.withTemporaryDirectory { dir in
            let bytes = Self.record(label: 1, r: 0) + Array(Self.record(label: 2, r: 0).prefix(100))
            let path = DataFixtures.write(bytes, "cut.bin", in: dir)
            let error = #expect(throws: DatasetError.self) { try CIFAR10.readBatch(at: path) }
            #expect(error == .truncated(
                path: path, what: "2 CIFAR-10 records of 3073 bytes", expectedBytes: 6146, actualBytes: 3173))
        }
    }

    @Test func labelsAboveNineAndEmptyFilesAreRejected() {
        DataFixtures.withTemporaryDirectory { dir in
            let path = DataFixtures.write(Self.record(label: 0, r: 0) + Self.record(label: 42, r: 0), "x.bin", in: dir)
            let error = #expect(throws: DatasetError.self) { try CIFAR10.readBatch(at: path) }
            #expect(error?.description.contains("\(path) is malformed: record 1 has label 42") == true)

            let empty = DataFixtures.write([], "empty.bin", in: dir)
            let emptyError = #expect(throws: DatasetError.self) { try CIFAR10.readBatch(at: empty) }
            #expect(emptyError == .invalidFormat(path: empty, reason: "the file is empty"))
        }
    }

    @Test func splitsLoadFromTheArchiveDirectoryAndMissingBatchesAreNamed() throws {
        try DataFixtures.withTemporaryDirectory { dir in
            let cifar = (dir as NSString).appendingPathComponent("cifar10")
            let batches = (cifar as NSString).appendingPathComponent("cifar-10-batches-bin")
            try FileManager.default.createDirectory(atPath: batches, withIntermediateDirectories: true)
            for k in 1...4 {
                DataFixtures.write(Self.record(label: UInt8(k), r: 0), "data_batch_\(k).bin", in: batches)
            }
            let missing = #expect(throws: DatasetError.self) { try CIFAR10.load(directory: cifar, split: .train) }
            #expect(missing == .fileNotFound(path: "\(cifar)/data_batch_1.bin"))

            // Until every batch is there, the resolver reports where to get CIFAR-10.
            let resolver = DatasetResolver(
                environment: [DatasetResolver.environmentVariable: dir], currentDirectory: dir,
                systemDirectory: dir + "/system", cacheDirectory: dir + "/cache")
            let notFound = #expect(throws: DatasetError.self) { try resolver.locate(.cifar10) }
            #expect(notFound?.description.contains("https://www.cs.toronto.edu/~kriz/cifar.html") == true)

            let two = Self.record(label: 5, r: 0) + Self.record(label: 6, r: 0)
            DataFixtures.write(two, "data_batch_5.bin", in: batches)
            DataFixtures.write(Self.record(label: 0, r: 0), "test_batch.bin", in: batches)
            let train = try CIFAR10.load(directory: cifar, split: .train)
            #expect(train.labels == [1, 2, 3, 4, 5, 6])
            #expect(try CIFAR10.load(directory: cifar, split: .test).count == 1)

            // Found through $TAPEGRAD_DATA/cifar10.
            let location = try resolver.locate(.cifar10)
            #expect(location.source == .environment)
            #expect(location.files.count == 6)
            #expect(try location.loadImages(split: .train).labels == [1, 2, 3, 4, 5, 6])
        }
    }
}
