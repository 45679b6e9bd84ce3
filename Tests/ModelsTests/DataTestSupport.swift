import Foundation
import Models

/// Shared helpers of the data tests: temporary directories and the locations of the real data on this machine.
enum DataFixtures {
    /// The repository root, found from this file's path (Tests/ModelsTests/DataTestSupport.swift), so tests
    /// do not depend on the working directory.
    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `../shared/data` next to the repository.
    static let sharedData = ((repositoryRoot as NSString).appendingPathComponent("../shared/data") as NSString)
        .standardizingPath

    /// Debian's `dataset-fashion-mnist` install directory.
    static let systemFashionMNIST = "/usr/share/datasets/fashion-mnist"

    /// Runs `body` with a fresh empty directory that is removed afterwards.
    static func withTemporaryDirectory<R>(_ body: (String) throws -> R) rethrows -> R {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("tapegrad-data-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    /// The async variant of `withTemporaryDirectory(_:)`.
    static func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async rethrows -> R {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("tapegrad-data-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// Writes `bytes` to `directory/name` and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], _ name: String, in directory: String) -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try! DataFile.write(bytes, to: path)
        return path
    }

    /// A small labelled dataset whose inputs (N, 1, 2, 2) hold 4·i … 4·i + 3 for example i, so every row says
    /// which example it is, with `labels` (classCount: max + 1).
    static func numbered(labels: [Int]) -> LabelledDataset {
        let n = labels.count
        return LabelledDataset(
            inputs: Tensor((0..<(4 * n)).map(Double.init), shape: [n, 1, 2, 2]), labels: labels,
            classCount: (labels.max() ?? 0) + 1)
    }

    /// Which example each row of (N, 1, 2, 2) `numbered` inputs came from.
    static func exampleIDs(_ inputs: Tensor) -> [Int] {
        let values = inputs.scalars
        return stride(from: 0, to: values.count, by: 4).map { Int(values[$0]) / 4 }
    }
}
