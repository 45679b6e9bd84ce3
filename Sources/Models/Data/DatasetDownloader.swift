// Downloading a dataset's files, only when no local copy exists, with SHA-256 verification before anything is
// stored or extracted. Files go to the download cache (outside the repository) and are never committed.

import Crypto
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads of the files in `DatasetName.remoteFiles`, each verified against its published SHA-256 before it is
/// stored or extracted.
///
/// Requests time out after `timeout` seconds without progress, and a whole transfer after 30 times that, so a
/// machine without network gets a `DatasetError.downloadFailed` quickly instead of hanging. A file is held in
/// memory while it is verified; an archive also while it is extracted, together with its decompressed tar
/// (about 350 MB for CIFAR-10's 170 MB archive).
public enum DatasetDownloader {
    /// Downloads the files of `name` that `directory` does not already hold with the right digest, extracts the
    /// members of an archive there, and returns the paths of the dataset's files (an archive's extracted members
    /// in its place). Throws `DatasetError.downloadFailed` (no network, timeout, HTTP error), `.checksumMismatch`,
    /// `.unwritable`, and for an archive the errors of `DataFile.gunzip` and `TarArchive`. `files` replaces
    /// `name.remoteFiles` (tests point it at a local copy).
    public static func download(
        _ name: DatasetName, into directory: String, timeout: TimeInterval = 20, files: [RemoteFile]? = nil
    ) async throws(DatasetError) -> [String] {
        let remoteFiles = files ?? name.remoteFiles
        guard !remoteFiles.isEmpty else {
            throw .downloadFailed(url: name.rawValue, reason: "no download location is known. \(name.installHint)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: directory, reason: error.localizedDescription)
        }
        var paths: [String] = []
        for file in remoteFiles {
            let path = (directory as NSString).appendingPathComponent(file.fileName)
            if file.isArchive {
                paths += try await fetchArchive(file, to: path, timeout: timeout)
                continue
            }
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
        try DataFile.write(try await verifiedContents(of: file, timeout: timeout), to: path)
    }

    /// Downloads the gzip'd tar archive `file` to `path` and extracts its members into the directory of `path`,
    /// and returns the members' paths. An archive already at `path` with the right digest is not downloaded
    /// again, and not extracted again when its members are all there.
    ///
    /// The archive is verified before anything is extracted, every member is found in it before any is written,
    /// and the archive itself is written last, so a tampered, truncated or malformed archive leaves nothing
    /// behind.
    public static func fetchArchive(
        _ file: RemoteFile, to path: String, timeout: TimeInterval = 20
    ) async throws(DatasetError) -> [String] {
        precondition(file.isArchive, "DatasetDownloader.fetchArchive: \(file.fileName) has no members to extract")
        let directory = (path as NSString).deletingLastPathComponent
        if let cached = try? DataFile.rawContents(of: path), hexDigest(cached) == file.sha256 {
            let members = file.members.map { (directory as NSString).appendingPathComponent($0) }
            if members.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) { return members }
            return try extract(file, from: cached, source: path, into: directory)
        }
        let bytes = try await verifiedContents(of: file, timeout: timeout)
        let members = try extract(file, from: bytes, source: file.url, into: directory)
        try DataFile.write(bytes, to: path)
        return members
    }

    /// Extracts `file.members`, and those of `file.optionalMembers` the archive holds, from the gzip'd tar
    /// `bytes` into `directory`; `source` names the archive in errors. Returns the paths of `file.members`.
    private static func extract(
        _ file: RemoteFile, from bytes: [UInt8], source: String, into directory: String
    ) throws(DatasetError) -> [String] {
        let archive = try TarArchive(try DataFile.gunzip(bytes, path: source), path: source)
        let optional = file.optionalMembers.filter { archive.contents(of: $0) != nil }
        return Array(try archive.extract(file.members + optional, into: directory).prefix(file.members.count))
    }

    /// The bytes at `file.url`, verified against `file.sha256`. A `file://` URL (a local copy) is read from disk,
    /// since URLSession opens only network URLs on Linux; other URLs are downloaded.
    public static func verifiedContents(
        of file: RemoteFile, timeout: TimeInterval = 20
    ) async throws(DatasetError) -> [UInt8] {
        guard let url = URL(string: file.url) else {
            throw .downloadFailed(url: file.url, reason: "not a valid URL")
        }
        let bytes: [UInt8]
        if url.isFileURL {
            do {
                bytes = try DataFile.rawContents(of: url.path)
            } catch {
                throw .downloadFailed(url: file.url, reason: error.description)
            }
        } else {
            bytes = try await networkContents(of: url, source: file.url, timeout: timeout)
        }
        try verify(bytes, sha256: file.sha256, source: file.url)
        return bytes
    }

    /// The body of a GET of `url`, which must answer with HTTP status 200; `source` names it in errors.
    private static func networkContents(
        of url: URL, source: String, timeout: TimeInterval
    ) async throws(DatasetError) -> [UInt8] {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        // The whole transfer: 10 minutes by default, CIFAR-10's 170 MB archive at 0.3 MB/s.
        configuration.timeoutIntervalForResource = timeout * 30
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (body, response) = try await session.data(from: url)
            if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                throw DatasetError.downloadFailed(url: source, reason: "HTTP status \(http.statusCode)")
            }
            return [UInt8](body)
        } catch let error as DatasetError {
            throw error
        } catch {
            throw .downloadFailed(url: source, reason: error.localizedDescription)
        }
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
    /// its files into `cacheDirectory/<name>` (CIFAR-10: its archive, verified, and the batch files extracted
    /// from it). On a machine without network this fails within about `timeout` seconds with
    /// `DatasetError.downloadFailed`, whose message also says what to install. `files` replaces the canonical
    /// `name.remoteFiles` (tests point it at a local address or a local copy).
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
