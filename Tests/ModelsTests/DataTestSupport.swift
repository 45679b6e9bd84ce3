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

    /// The regular files under `directory`, as paths relative to it, sorted; empty when it does not exist.
    static func regularFiles(under directory: String) -> [String] {
        guard let walk = FileManager.default.enumerator(atPath: directory) else { return [] }
        return walk.compactMap { $0 as? String }.filter { name in
            var isDirectory: ObjCBool = false
            let path = (directory as NSString).appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// A file in a tar archive: its name, its type ("0" regular file, "5" directory, "2" symbolic link…) and bytes.
    typealias TarEntry = (name: String, type: Character, bytes: [UInt8])

    /// A POSIX ustar archive of `entries` as `tar --format=ustar` writes it: for each, a 512-byte header (name,
    /// octal size, type, checksum) and its bytes padded to 512, then two zero blocks. Names are written as given, so
    /// tests can build hostile archives.
    static func tar(_ entries: [TarEntry]) -> [UInt8] {
        var archive: [UInt8] = []
        for entry in entries {
            precondition(entry.name.utf8.count <= 100, "DataFixtures.tar: name \(entry.name) is over 100 bytes")
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int) {
                for (k, byte) in text.utf8.enumerated() { header[offset + k] = byte }
            }
            func octal(_ value: Int, digits: Int) -> String {
                let text = String(value, radix: 8)
                return String(repeating: "0", count: digits - text.count) + text
            }
            put(entry.name, at: 0)
            put(entry.type == "5" ? "0000755" : "0000644", at: 100)  // mode
            put("0000000", at: 108)  // uid
            put("0000000", at: 116)  // gid
            put(octal(entry.bytes.count, digits: 11), at: 124)
            put(octal(0, digits: 11), at: 136)  // mtime
            put(String(entry.type), at: 156)
            put("ustar", at: 257)  // then NUL, and the version "00"
            put("00", at: 263)
            put("        ", at: 148)  // the checksum counts its own field as spaces
            put(octal(header.reduce(0) { $0 + Int($1) }, digits: 6) + "\u{0} ", at: 148)
            archive += header + entry.bytes
            archive += [UInt8](repeating: 0, count: (512 - entry.bytes.count % 512) % 512)
        }
        return archive + [UInt8](repeating: 0, count: 1024)
    }

    /// `tar(_:)` of regular files.
    static func tar(files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        tar(files.map { (name: $0.name, type: "0", bytes: $0.bytes) })
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
