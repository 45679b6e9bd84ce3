// The benchmark's image batches: only the first images of Fashion-MNIST's training files, read through zlib's
// streaming `gzread` (which reads plain files as they are), so that a workload's peak RSS is its own and not
// the whole training set's.

import CZlib
import Foundation
import Models

/// The first `count` images (28×28 bytes each, row-major) and labels of the MNIST-style training files in
/// `directory` (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`). Throws `DatasetError` for a
/// missing, short or malformed file.
func readFashionMNISTPrefix(directory: String, count: Int) throws(DatasetError) -> (pixels: [UInt8], labels: [UInt8]) {
    guard let files = MNISTStyle.files(in: directory, split: .train) else {
        throw .fileNotFound(path: (directory as NSString).appendingPathComponent("train-images-idx3-ubyte[.gz]"))
    }
    let images = try readPrefix(of: files.images, bytes: 16 + count * 784)
    let labels = try readPrefix(of: files.labels, bytes: 8 + count)
    for (bytes, path, magic) in [(images, files.images, IDX.imagesMagic), (labels, files.labels, IDX.labelsMagic)] {
        let found = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard found == magic else { throw .wrongMagic(path: path, expected: magic, found: found) }
    }
    return (Array(images[16...]), Array(labels[8...]))
}

/// The first `bytes` bytes of the file at `path`, decompressed when it is gzip.
private func readPrefix(of path: String, bytes: Int) throws(DatasetError) -> [UInt8] {
    guard let file = gzopen(path, "rb") else { throw .unreadable(path: path, reason: "gzopen failed") }
    defer { gzclose(file) }
    var buffer = [UInt8](repeating: 0, count: bytes)
    let read = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
    guard read == bytes else {
        throw .truncated(path: path, what: "the first \(bytes) bytes", expectedBytes: bytes, actualBytes: Int(read))
    }
    return buffer
}
