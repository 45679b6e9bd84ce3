// A checkpoint's SHA-256 checksum, stored in its own metadata, so that a file changed after it was written (a
// flipped bit on disk, a bad copy, an edit) is refused on load instead of being trained on.

import Crypto
import Foundation

extension SafetensorsFile {
    /// The SHA-256 digest of `encoded()` as 64 lowercase hexadecimal digits, computed piece by piece without
    /// building the file's bytes: it covers the header (every tensor's name, dtype and shape, and the metadata)
    /// and every tensor's bytes.
    public func sha256() -> String {
        let (header, order) = layout()
        var hasher = SHA256()
        hasher.update(data: littleEndianBytes([UInt64(header.count)]))
        hasher.update(data: header)
        for name in order { hasher.update(data: tensors[name]!.bytes) }
        return hasher.finalize().map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}

extension Checkpoint {
    /// The metadata key of a checkpoint's checksum: the `sha256()` of the file without this key.
    public static let checksumKey = reservedPrefix + "sha256"

    /// `contents` with its checksum added under `checksumKey`.
    static func addingChecksum(_ contents: SafetensorsFile) -> SafetensorsFile {
        var signed = contents
        signed.metadata[checksumKey] = nil
        signed.metadata[checksumKey] = signed.sha256()
        return signed
    }

    /// Checks the checksum of checkpoint `contents` read from `path`: true when it holds one and it matches,
    /// false when it holds none (a file written before checkpoints carried checksums). Throws
    /// `CheckpointError.checksumMismatch` when the contents are not those the checksum was computed from.
    @discardableResult
    public static func verifyChecksum(_ contents: SafetensorsFile, path: String) throws(CheckpointError) -> Bool {
        var unsigned = contents
        guard let stored = unsigned.metadata.removeValue(forKey: checksumKey) else { return false }
        let computed = unsigned.sha256()
        guard stored == computed else { throw .checksumMismatch(path: path, stored: stored, computed: computed) }
        return true
    }
}
