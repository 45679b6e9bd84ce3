import Foundation
import Models

@testable import Runner

/// Shared helpers of the spec tests: reading spec text, temporary directories, and a Fashion-MNIST directory made
/// of the test split only (so tests that load images read 10k examples, not 70k).
enum SpecFixtures {
    /// The repository root, found from this file's path (Tests/RunnerTests/SpecTestSupport.swift).
    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Debian's `dataset-fashion-mnist` install directory.
    static let systemFashionMNIST = "/usr/share/datasets/fashion-mnist"

    /// The validated spec of `json` after `overrides`.
    static func spec(_ json: String, _ overrides: [String] = []) throws(SpecError) -> ExperimentSpec {
        try SpecDocument(text: json, overrides: overrides).spec
    }

    /// The message a spec is rejected with, or nil when it is accepted.
    static func rejection(_ json: String, _ overrides: [String] = []) -> String? {
        do {
            _ = try SpecDocument(text: json, overrides: overrides)
            return nil
        } catch {
            return error.description
        }
    }

    /// Runs `body` with a fresh empty directory that is removed afterwards.
    static func withTemporaryDirectory<R>(_ body: (String) throws -> R) rethrows -> R {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("tapegrad-spec-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    /// Writes `text` to `directory/name` (creating subdirectories) and returns the path.
    @discardableResult
    static func write(_ text: String, _ name: String, in directory: String) -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try! FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Fills `directory` with links named like Fashion-MNIST's four files, the training names pointing at the
    /// test split too: a 10k-example dataset with both splits, quick to load in debug builds.
    static func linkTestSplitAsBothSplits(in directory: String) {
        for kind in ["images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"] {
            let target = (systemFashionMNIST as NSString).appendingPathComponent("t10k-" + kind)
            for prefix in ["train-", "t10k-"] {
                try! FileManager.default.createSymbolicLink(
                    atPath: (directory as NSString).appendingPathComponent(prefix + kind), withDestinationPath: target)
            }
        }
    }

    /// A resolver that searches only inside `directory` (no environment, system or shared data).
    static func isolatedResolver(_ directory: String) -> DatasetResolver {
        DatasetResolver(
            environment: [:], currentDirectory: (directory as NSString).appendingPathComponent("work"),
            systemDirectory: (directory as NSString).appendingPathComponent("system"),
            cacheDirectory: (directory as NSString).appendingPathComponent("cache"))
    }
}
