// Downloading a dataset's files, only when no local copy exists, with SHA-256 verification before anything is
// stored. Files go to the download cache (outside the repository) and are never committed.

import Crypto
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads of the files in `DatasetName.remoteFiles`, each verified against its published SHA-256.
///
/// Requests time out after `timeout` seconds (connection and whole transfer), so a machine without network
/// gets a `DatasetError.downloadFailed` quickly instead of hanging.
public enum DatasetDownloader {
    /// Downloads the files of `name` that `directory` does not already hold with the right digest, and
    /// returns the paths of all its files. Throws `DatasetError.downloadFailed` (no network, timeout, HTTP
    /// error; also for CIFAR-10, which has no single-file download), `.checksumMismatch`, `.unwritable`.
    /// `files` replaces `name.remoteFiles` (tests point it at a local address).
    public static func download(
        _ name: DatasetName, into directory: String, timeout: TimeInterval = 20, files: [RemoteFile]? = nil
    ) async throws(DatasetError) -> [String] {
        let remoteFiles = files ?? name.remoteFiles
        guard !remoteFiles.isEmpty else {
            throw .downloadFailed(url: name.rawValue, reason: "no single-file download is known. \(name.installHint)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: directory, reason: error.localizedDescription)
        }
        var paths: [String] = []
        for file in remoteFiles {
            let path = (directory as NSString).appendingPathComponent(file.fileName)
            if (try? hexDigest(ofFileAt: path)) != file.sha256 {
                try await fetch(file, to: path, timeout: timeout)
            }
            paths.append(path)
        }
        return paths
    }

    /// Downloads `file` to `path`: the bytes are verified against `file.sha256` in memory and only then
    /// written (atomically), so a failed or tampered download leaves nothing behind.
    public static func fetch(
        _ file: RemoteFile, to path: String, timeout: TimeInterval = 20
    ) async throws(DatasetError) {
        guard let url = URL(string: file.url) else {
            throw .downloadFailed(url: file.url, reason: "not a valid URL")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 30  // a whole 26 MB file, once connected
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        do {
            let (body, response) = try await session.data(from: url)
            if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                throw DatasetError.downloadFailed(url: file.url, reason: "HTTP status \(http.statusCode)")
            }
            data = body
        } catch let error as DatasetError {
            throw error
        } catch {
            throw .downloadFailed(url: file.url, reason: error.localizedDescription)
        }
        let bytes = [UInt8](data)
        try verify(bytes, sha256: file.sha256, source: file.url)
        try DataFile.write(bytes, to: path)
    }

    /// Checks that `bytes` have SHA-256 `sha256` (hexadecimal); `source` names them in the error.
    public static func verify(_ bytes: [UInt8], sha256: String, source: String) throws(DatasetError) {
        let actual = hexDigest(bytes)
        guard actual == sha256.lowercased() else {
            throw .checksumMismatch(path: source, expected: sha256.lowercased(), actual: actual)
        }
    }

    /// The SHA-256 digest of `bytes` as 64 lowercase hexadecimal digits, as `sha256sum` prints it and as
    /// `RemoteFile.sha256` holds it.
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// The hexadecimal SHA-256 digest of the file at `path`, as stored (not decompressed).
    public static func hexDigest(ofFileAt path: String) throws(DatasetError) -> String {
        hexDigest(try DataFile.rawContents(of: path))
    }
}

extension DatasetResolver {
    /// The local copy of `name` if there is one (see `locate(_:split:explicitPath:)`), otherwise a download of
    /// its files into `cacheDirectory/<name>`. On a machine without network this fails within about `timeout`
    /// seconds with `DatasetError.downloadFailed`, whose message also says what to install.
    /// `files` replaces the canonical `name.remoteFiles` (tests point it at a local address).
    public func locateOrDownload(
        _ name: DatasetName, split: DatasetSplit? = nil, timeout: TimeInterval = 20, files: [RemoteFile]? = nil
    ) async throws(DatasetError) -> DatasetLocation {
        if let local = try? locate(name, split: split) { return local }
        let directory = (cacheDirectory as NSString).appendingPathComponent(name.rawValue)
        do {
            _ = try await DatasetDownloader.download(name, into: directory, timeout: timeout, files: files)
        } catch {
            guard case .downloadFailed(let url, let reason) = error else { throw error }
            throw .downloadFailed(url: url, reason: reason + ". No local copy either: " + name.installHint)
        }
        return try locate(name, split: split)  // now found in the download cache
    }
}
