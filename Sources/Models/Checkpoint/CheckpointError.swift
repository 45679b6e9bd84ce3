// The errors a checkpoint or weights file can cause. Each message names the file and says what is wrong, so a
// user can tell a truncated download from a checkpoint of another model.

import Foundation

/// An error caused by a safetensors file or a checkpoint: missing, unreadable or unwritable, truncated, a header
/// that breaks the format, or tensors that do not fit the model or optimizer they are loaded into.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Nothing exists at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, I/O error, a directory).
    case unreadable(path: String, reason: String)
    /// The file could not be written (a missing directory, permissions, a full disk).
    case unwritable(path: String, reason: String)
    /// The file ends before the `expectedBytes` bytes that `what` needs.
    case truncated(path: String, what: String, expectedBytes: Int, actualBytes: Int)
    /// The JSON header is not valid JSON or not the safetensors schema (a field missing or of the wrong type).
    case invalidHeader(path: String, reason: String)
    /// A tensor's dtype is not one this library reads (`F32`, `F64`, `I64`).
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A tensor's `data_offsets` reach past the end of the data section of `dataBytes` bytes.
    case offsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, dataBytes: Int)
    /// Two tensors claim some of the same bytes.
    case overlappingData(path: String, first: String, second: String)
    /// Bytes of the data section belong to no tensor (a hole between tensors, or trailing bytes).
    case uncoveredData(path: String, begin: Int, end: Int)
    /// A tensor's byte range does not hold exactly shape-product × dtype-size bytes.
    case sizeMismatch(path: String, tensor: String, dtype: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// A metadata value needed to restore state is missing or unreadable.
    case invalidMetadata(path: String, key: String, reason: String)
    /// The file's tensors do not fit the model or optimizer: each problem names a tensor and what differs.
    case mismatch(path: String, problems: [String])
    /// The file's contents do not match the SHA-256 checksum stored in it: it changed after it was written.
    case checksumMismatch(path: String, stored: String, computed: String)
    /// An optimizer state (not yet tied to a file) does not fit the optimizer it is loaded into.
    case optimizerStateMismatch(problems: [String])

    /// A one-paragraph message naming the file and what is wrong.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "checkpoint file not found: \(path)"
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .unwritable(let path, let reason):
            "cannot write \(path): \(reason)"
        case .truncated(let path, let what, let expected, let actual):
            "\(path) is truncated: \(what) needs \(expected) bytes, the file has \(actual)"
        case .invalidHeader(let path, let reason):
            "\(path) is not a valid safetensors file: its header \(reason)"
        case .unknownDType(let path, let tensor, let dtype):
            "\(path): tensor \"\(tensor)\" has dtype \"\(dtype)\"; only F32, F64 and I64 are supported"
        case .offsetsOutOfRange(let path, let tensor, let begin, let end, let dataBytes):
            "\(path): tensor \"\(tensor)\" has data_offsets [\(begin), \(end)] beyond the \(dataBytes)-byte data "
                + "section (a truncated or corrupted file)"
        case .overlappingData(let path, let first, let second):
            "\(path): tensors \"\(first)\" and \"\(second)\" overlap in the data section"
        case .uncoveredData(let path, let begin, let end):
            "\(path): bytes \(begin)..<\(end) of the data section belong to no tensor"
        case .sizeMismatch(let path, let tensor, let dtype, let shape, let expected, let actual):
            "\(path): tensor \"\(tensor)\" of dtype \(dtype) and shape \(shape) needs \(expected) bytes, "
                + "its data_offsets span \(actual)"
        case .invalidMetadata(let path, let key, let reason):
            "\(path): metadata \"\(key)\" \(reason)"
        case .mismatch(let path, let problems):
            "\(path) does not fit: " + problems.joined(separator: "; ")
        case .checksumMismatch(let path, let stored, let computed):
            "\(path) is corrupted: its contents have SHA-256 \(computed.prefix(12))…, the checksum written with it "
                + "is \(stored.prefix(12))… (the file changed after it was written)"
        case .optimizerStateMismatch(let problems):
            "the optimizer state does not fit this optimizer: " + problems.joined(separator: "; ")
        }
    }
}

extension CheckpointError: LocalizedError {
    /// The same message as `description`, so `error.localizedDescription` is useful too.
    public var errorDescription: String? { description }
}
