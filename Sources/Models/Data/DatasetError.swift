// The errors a dataset file, directory, table or download can cause. Each message names the file (or URL) and
// says what was wrong, so a user can fix the file rather than read a stack trace.

import Foundation

/// An error caused by a dataset on disk or on the network: a missing, unreadable, corrupted, truncated or
/// malformed file, a bad table cell, a dataset that cannot be found, or a failed download.
public enum DatasetError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Nothing exists at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, I/O error, a directory where a file was expected).
    case unreadable(path: String, reason: String)
    /// The file could not be written (a missing directory, permissions, a full disk).
    case unwritable(path: String, reason: String)
    /// The file starts like gzip but does not decompress: bad header, bad data or a failed CRC check.
    case corruptedGzip(path: String, reason: String)
    /// The file ends before the `expectedBytes` bytes that `what` needs (`nil` when the format does not say
    /// how long it should be, as for a gzip stream that stops before its end marker).
    case truncated(path: String, what: String, expectedBytes: Int?, actualBytes: Int)
    /// The file's magic number is not the one its format requires.
    case wrongMagic(path: String, expected: UInt32, found: UInt32)
    /// The file decodes but its content breaks the format, e.g. a label out of range or extra bytes.
    case invalidFormat(path: String, reason: String)
    /// A table cell could not be used: `row` counts data rows from 1, `line` is the line in the file.
    case invalidCell(path: String, row: Int, line: Int, column: String, value: String, reason: String)
    /// A table lacks a column the caller asked for.
    case missingColumn(path: String, column: String, available: [String])
    /// `name` is not a dataset this library knows how to find.
    case unknownDataset(name: String, known: [String])
    /// No directory holding the files of `name` was found; `searched` lists where we looked and `hint` says
    /// what to install or where to put the files.
    case datasetNotFound(name: String, searched: [String], hint: String)
    /// The folder a user named for dataset `name` does not hold its files: `reason` says what is missing.
    case notADatasetFolder(path: String, name: String, reason: String)
    /// A downloaded or cached file's SHA-256 digest differs from the published one.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// A download did not complete (no network, timeout, HTTP error).
    case downloadFailed(url: String, reason: String)

    /// A one-paragraph message naming the file and what was wrong.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "dataset file not found: \(path)"
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .unwritable(let path, let reason):
            "cannot write \(path): \(reason)"
        case .corruptedGzip(let path, let reason):
            "\(path) is not a valid gzip file (corrupted or not gzip): \(reason)"
        case .truncated(let path, let what, let expected?, let actual):
            "\(path) is truncated: \(what) needs \(expected) bytes, the file has \(actual)"
        case .truncated(let path, let what, nil, let actual):
            "\(path) is truncated: the file (\(actual) bytes) ends in the middle of \(what)"
        case .wrongMagic(let path, let expected, let found):
            "\(path) has magic number \(hex(found)), expected \(hex(expected)); wrong file or not an IDX file"
        case .invalidFormat(let path, let reason):
            "\(path) is malformed: \(reason)"
        case .invalidCell(let path, let row, let line, let column, let value, let reason):
            "\(path), row \(row) (line \(line)), column \"\(column)\": \"\(value)\" \(reason)"
        case .missingColumn(let path, let column, let available):
            "\(path) has no column \"\(column)\"; columns are \(available.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .unknownDataset(let name, let known):
            "unknown dataset \"\(name)\"; known datasets are \(known.joined(separator: ", "))"
        case .datasetNotFound(let name, let searched, let hint):
            "dataset \"\(name)\" not found; searched: \(searched.joined(separator: "; ")). \(hint)"
        case .notADatasetFolder(let path, let name, let reason):
            "\(path) is not a \(name) folder: \(reason)"
        case .checksumMismatch(let path, let expected, let actual):
            "\(path) has SHA-256 \(actual), expected \(expected); the file is corrupted or not the published one"
        case .downloadFailed(let url, let reason):
            "download of \(url) failed: \(reason)"
        }
    }
}

extension DatasetError: LocalizedError {
    /// The same message as `description`, so `error.localizedDescription` is useful too.
    public var errorDescription: String? { description }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
