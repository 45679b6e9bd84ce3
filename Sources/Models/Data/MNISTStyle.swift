// MNIST and Fashion-MNIST: 28×28 grey images and labels 0…9 in IDX files, `train-*` (60,000) and `t10k-*`
// (10,000), each plain or gzip-compressed.

import Foundation

/// Which of a dataset's published splits to read.
public enum DatasetSplit: String, Sendable, Codable, CaseIterable {
    /// The training split (MNIST-style: 60,000 examples; CIFAR-10: data_batch_1…5, 50,000).
    case train
    /// The test split (MNIST-style: 10,000 examples; CIFAR-10: test_batch, 10,000).
    case test
}

/// How byte pixels become `float32` inputs.
public enum PixelScaling: String, Sendable, Codable {
    /// p / 255, in [0, 1].
    case unitInterval
    /// p as is, in 0…255.
    case raw
}

/// File names and class names of the MNIST-style datasets (MNIST, Fashion-MNIST).
public enum MNISTStyle {
    /// The digits "0" … "9".
    public static let mnistClassNames = (0..<10).map(String.init)
    /// Fashion-MNIST's classes (Xiao et al. 2017, https://arxiv.org/abs/1708.07747).
    public static let fashionClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The base names of a split's image and label files, without `.gz`.
    public static func fileNames(_ split: DatasetSplit) -> (images: String, labels: String) {
        let prefix = split == .train ? "train" : "t10k"
        return ("\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte")
    }

    /// The paths of a split's image and label files in `directory` (each `name.gz` or `name`), or `nil` when
    /// either is missing.
    public static func files(in directory: String, split: DatasetSplit) -> (images: String, labels: String)? {
        let names = fileNames(split)
        guard let images = existingFile(in: directory, base: names.images),
            let labels = existingFile(in: directory, base: names.labels)
        else { return nil }
        return (images, labels)
    }

    static func existingFile(in directory: String, base: String) -> String? {
        for candidate in [base + ".gz", base] {
            let path = (directory as NSString).appendingPathComponent(candidate)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue {
                return path
            }
        }
        return nil
    }
}

extension LabelledDataset {
    /// Reads an IDX image file (N, H, W) and its IDX label file (N) into a dataset of (N, 1, H, W) `float32`
    /// images, checking magic numbers, sizes, that both files have N entries and that labels are below
    /// `classCount`.
    public static func loadIDX(
        imagesAt imagesPath: String, labelsAt labelsPath: String, classCount: Int = 10, classNames: [String]? = nil,
        scaling: PixelScaling = .unitInterval, name: String = ""
    ) throws(DatasetError) -> LabelledDataset {
        let images = try IDX.read(at: imagesPath, magic: IDX.imagesMagic)
        let labelBytes = try IDX.read(at: labelsPath, magic: IDX.labelsMagic).bytes
        let n = images.dimensions[0]
        guard labelBytes.count == n else {
            throw .invalidFormat(
                path: labelsPath, reason: "\(labelBytes.count) labels for the \(n) images of \(imagesPath)")
        }
        if let i = labelBytes.firstIndex(where: { Int($0) >= classCount }) {
            throw .invalidFormat(
                path: labelsPath, reason: "label \(labelBytes[i]) of example \(i) is not below \(classCount)")
        }
        let shape = [n, 1, images.dimensions[1], images.dimensions[2]]
        return LabelledDataset(
            inputs: pixelTensor(images.bytes, shape: shape, scaling: scaling), labels: labelBytes.map(Int.init),
            classCount: classCount, classNames: classNames, name: name)
    }

    /// Reads split `split` of an MNIST-style dataset from `directory` (the files `train-images-idx3-ubyte[.gz]`
    /// and `train-labels-idx1-ubyte[.gz]`, or `t10k-…`). Throws `DatasetError.fileNotFound` naming the
    /// missing file.
    public static func loadMNISTStyle(
        directory: String, split: DatasetSplit, classNames: [String]? = MNISTStyle.mnistClassNames,
        scaling: PixelScaling = .unitInterval, name: String = ""
    ) throws(DatasetError) -> LabelledDataset {
        let names = MNISTStyle.fileNames(split)
        var paths: [String] = []
        for base in [names.images, names.labels] {
            guard let path = MNISTStyle.existingFile(in: directory, base: base) else {
                throw .fileNotFound(path: (directory as NSString).appendingPathComponent(base) + "[.gz]")
            }
            paths.append(path)
        }
        return try loadIDX(
            imagesAt: paths[0], labelsAt: paths[1], classCount: 10, classNames: classNames,
            scaling: scaling, name: name.isEmpty ? "\(directory) \(split.rawValue)" : name)
    }
}

/// Bytes (0…255) as a `float32` tensor of `shape`, divided by 255 for `.unitInterval` (exactly `Float(p) / 255`,
/// through a 256-entry table): one tight loop.
func pixelTensor(_ bytes: [UInt8], shape: [Int], scaling: PixelScaling) -> Tensor {
    precondition(shape.reduce(1, *) == bytes.count, "pixelTensor: \(bytes.count) bytes for shape \(shape)")
    let out = Tensor(uninitialized: shape, dtype: .float32)
    let table = (0..<256).map { scaling == .unitInterval ? Float($0) / 255 : Float($0) }
    let destination = out.pointer(Float.self)
    bytes.withUnsafeBufferPointer { source in
        table.withUnsafeBufferPointer { table in
            for i in 0..<source.count { destination[i] = table[Int(source[i])] }
        }
    }
    return out
}
