// CIFAR-10's binary version (https://www.cs.toronto.edu/~kriz/cifar.html): each file is a run of 3,073-byte
// records, 1 label byte (0…9) then a 32×32 image as 1,024 red, 1,024 green and 1,024 blue bytes, row-major.
// That is already (C, H, W) order, so a record's pixels are copied as they are.

import Foundation

/// Reading CIFAR-10 binary batches (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`).
public enum CIFAR10 {
    /// Bytes per record: 1 label + 3 × 32 × 32 pixels.
    public static let recordSize = 1 + 3 * 32 * 32
    /// The ten classes, in label order.
    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]

    /// The folder the official archive (`cifar-10-binary.tar.gz`) holds the batch files in.
    public static let archiveFolder = "cifar-10-batches-bin"

    /// The batch files of a split.
    public static func fileNames(_ split: DatasetSplit) -> [String] {
        switch split {
        case .train: (1...5).map { "data_batch_\($0).bin" }
        case .test: ["test_batch.bin"]
        }
    }

    /// The directory holding a split's batch files: `directory` itself or its `cifar-10-batches-bin`
    /// subdirectory (as the official archive extracts), or `nil` when neither holds all of them.
    public static func batchDirectory(in directory: String, split: DatasetSplit) -> String? {
        let candidates = [directory, (directory as NSString).appendingPathComponent(archiveFolder)]
        return candidates.first { candidate in
            fileNames(split).allSatisfy {
                FileManager.default.fileExists(atPath: (candidate as NSString).appendingPathComponent($0))
            }
        }
    }

    /// Reads one batch file (plain or gzip) into a dataset of (N, 3, 32, 32) `float32` images.
    ///
    /// Throws `DatasetError.truncated` when the size is not a whole number of records, `.invalidFormat` for an
    /// empty file or a label above 9, and the errors of `DataFile.contents(of:)`.
    public static func readBatch(
        at path: String, scaling: PixelScaling = .unitInterval
    ) throws(DatasetError) -> LabelledDataset {
        let bytes = try DataFile.contents(of: path)
        guard !bytes.isEmpty else { throw .invalidFormat(path: path, reason: "the file is empty") }
        let n = (bytes.count + recordSize - 1) / recordSize
        guard bytes.count == n * recordSize else {
            throw .truncated(
                path: path, what: "\(n) CIFAR-10 records of \(recordSize) bytes", expectedBytes: n * recordSize,
                actualBytes: bytes.count)
        }
        let pixelsPerImage = recordSize - 1
        let table = (0..<256).map { scaling == .unitInterval ? Float($0) / 255 : Float($0) }
        let images = Tensor(uninitialized: [n, 3, 32, 32], dtype: .float32)
        var labels = [Int](repeating: 0, count: n)
        let destination = images.pointer(Float.self)
        bytes.withUnsafeBufferPointer { source in
            table.withUnsafeBufferPointer { table in
                for record in 0..<n {
                    let r = source.baseAddress! + record * recordSize
                    labels[record] = Int(r[0])
                    let d = destination + record * pixelsPerImage
                    for k in 0..<pixelsPerImage { d[k] = table[Int(r[1 + k])] }
                }
            }
        }
        if let i = labels.firstIndex(where: { $0 > 9 }) {
            throw .invalidFormat(
                path: path, reason: "record \(i) has label \(labels[i]) (CIFAR-10 labels are 0…9; a CIFAR-100 file?)")
        }
        return LabelledDataset(
            inputs: images, labels: labels, classCount: 10, classNames: classNames,
            name: (path as NSString).lastPathComponent)
    }

    /// Reads all batch files of `split` from `directory` (or its `cifar-10-batches-bin` subdirectory), in
    /// file order. Throws `DatasetError.fileNotFound` naming the first missing file.
    public static func load(
        directory: String, split: DatasetSplit, scaling: PixelScaling = .unitInterval
    ) throws(DatasetError) -> LabelledDataset {
        guard let batches = batchDirectory(in: directory, split: split) else {
            let missing = fileNames(split).first {
                !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0))
            }
            throw .fileNotFound(path: (directory as NSString).appendingPathComponent(missing ?? fileNames(split)[0]))
        }
        var parts: [LabelledDataset] = []
        for file in fileNames(split) {
            parts.append(try readBatch(at: (batches as NSString).appendingPathComponent(file), scaling: scaling))
        }
        var dataset = LabelledDataset.concatenated(parts)
        dataset.name = "cifar10 \(split.rawValue)"
        return dataset
    }
}
