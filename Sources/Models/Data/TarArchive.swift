// Reading tar archives held in memory, in the POSIX ustar and GNU formats: each file is a 512-byte header (name,
// octal size, type, checksum) followed by its bytes padded to a multiple of 512 bytes, and two zero blocks end
// the archive. The reader unpacks downloads, so it is strict: what it does not understand is an error, never
// skipped.

import Foundation

/// The regular files of a tar archive (POSIX ustar or GNU format) held in memory.
///
/// Every header's checksum is checked. A name that is absolute or has a `..` component (which would write outside
/// the extraction directory) is refused, as are links, devices, FIFOs, pax and GNU extension headers and a file
/// named twice; directory entries are accepted and skipped, since `extract(_:into:)` creates the directories it
/// needs. An archive that ends inside a header, inside a file's data or before its end marker is reported as
/// truncated. Entries are ranges of `bytes`, not copies.
public struct TarArchive: Sendable {
    /// A regular file in the archive.
    public struct Entry: Sendable, Equatable {
        /// Its path in the archive, `/`-separated, without `.` components: "cifar-10-batches-bin/test_batch.bin".
        public let name: String
        /// Where its bytes are in the archive's `bytes`.
        public let range: Range<Int>
    }

    /// The size of a header, and the unit a file's data is padded to.
    public static let blockSize = 512

    /// The archive, as given.
    public let bytes: [UInt8]
    /// Its regular files, in archive order.
    public let entries: [Entry]
    /// What errors call the archive: its path or URL.
    public let path: String
    /// The index in `entries` of each name.
    private let index: [String: Int]

    /// Reads the uncompressed tar archive `bytes`; `path` names it in errors. Throws `DatasetError.truncated`
    /// and `.invalidFormat` (bad magic or checksum, a refused name or entry type, bytes after the end marker).
    public init(_ bytes: [UInt8], path: String) throws(DatasetError) {
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        var offset = 0
        while true {
            guard offset + Self.blockSize <= bytes.count else {
                throw .truncated(
                    path: path, what: "the tar header at byte \(offset)", expectedBytes: offset + Self.blockSize,
                    actualBytes: bytes.count)
            }
            let header = TarHeader(bytes[offset..<(offset + Self.blockSize)], offset: offset, path: path)
            if header.isZero {
                try Self.checkEnd(of: bytes, at: offset, path: path)
                break
            }
            let (name, kind, size) = try header.parse()
            let start = offset + Self.blockSize
            guard start + size <= bytes.count else {
                throw .truncated(
                    path: path, what: "the tar data of \"\(name)\"", expectedBytes: start + size,
                    actualBytes: bytes.count)
            }
            if kind == .regularFile {
                guard index[name] == nil else {
                    throw .invalidFormat(path: path, reason: "tar entry \"\(name)\" appears twice")
                }
                index[name] = entries.count
                entries.append(Entry(name: name, range: start..<(start + size)))
            }
            offset = start + (size + Self.blockSize - 1) / Self.blockSize * Self.blockSize
        }
        self.bytes = bytes
        self.entries = entries
        self.path = path
        self.index = index
    }

    /// The bytes of the regular file `name`, or `nil` when the archive has none of that name.
    public func contents(of name: String) -> ArraySlice<UInt8>? {
        index[name].map { bytes[entries[$0].range] }
    }

    /// Writes the regular files `names` into `directory`, each at its path in the archive (creating the
    /// directories on the way), and returns the paths written. Every name is looked up before anything is
    /// written: one the archive lacks throws `DatasetError.invalidFormat`. Each file is written atomically.
    @discardableResult
    public func extract(_ names: [String], into directory: String) throws(DatasetError) -> [String] {
        if let missing = names.first(where: { index[$0] == nil }) {
            throw .invalidFormat(path: path, reason: "the archive has no file \"\(missing)\"")
        }
        var paths: [String] = []
        for name in names {
            // Names are relative and free of `..` (checked when the header was read), so this stays in `directory`.
            let destination = (directory as NSString).appendingPathComponent(name)
            let parent = (destination as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw .unwritable(path: parent, reason: error.localizedDescription)
            }
            try DataFile.write(Array(contents(of: name)!), to: destination)
            paths.append(destination)
        }
        return paths
    }

    /// Checks the end marker at `offset`: two zero blocks, and nothing but zeros after them (tar pads an archive
    /// to a whole number of 10,240-byte records).
    private static func checkEnd(of bytes: [UInt8], at offset: Int, path: String) throws(DatasetError) {
        let end = offset + 2 * blockSize
        guard end <= bytes.count else {
            throw .truncated(
                path: path, what: "the tar end marker (two zero blocks) at byte \(offset)", expectedBytes: end,
                actualBytes: bytes.count)
        }
        if let stray = bytes[(offset + blockSize)...].firstIndex(where: { $0 != 0 }) {
            let place = stray < end ? "inside the tar end marker at byte \(offset)" : "after the tar end marker"
            throw .invalidFormat(path: path, reason: "a non-zero byte at \(stray), \(place)")
        }
    }
}

/// One 512-byte tar header and the meaning of its fields.
private struct TarHeader {
    /// What an entry is, of the types a `TarArchive` accepts.
    enum Kind { case regularFile, directory }

    let block: ArraySlice<UInt8>
    /// Where the header starts in the archive, for messages.
    let offset: Int
    let path: String

    init(_ block: ArraySlice<UInt8>, offset: Int, path: String) {
        self.block = block
        self.offset = offset
        self.path = path
    }

    var isZero: Bool { block.allSatisfy { $0 == 0 } }

    /// `length` bytes at `start` within the header.
    func field(_ start: Int, _ length: Int) -> ArraySlice<UInt8> {
        block[(block.startIndex + start)..<(block.startIndex + start + length)]
    }

    /// The bytes of a text field up to its first NUL, as UTF-8.
    func text(_ start: Int, _ length: Int) -> String {
        let bytes = field(start, length)
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The entry's cleaned name, what it is and its data size. Throws `.invalidFormat` for a header that is not
    /// ustar or GNU, a wrong checksum, a size that is not octal, a refused type or an unsafe name.
    func parse() throws(DatasetError) -> (name: String, kind: Kind, size: Int) {
        let magic = Array(field(257, 8))
        let isPOSIX = magic == Array("ustar\u{0}00".utf8)
        guard isPOSIX || magic == Array("ustar  \u{0}".utf8) else {
            throw invalid("is not a ustar or GNU tar header (magic \(Self.quoted(magic)))")
        }
        try checkChecksum()
        // A POSIX header may split a long name into a prefix and a name; GNU headers use those bytes otherwise.
        let prefix = isPOSIX ? text(345, 155) : ""
        let rawName = prefix.isEmpty ? text(0, 100) : prefix + "/" + text(0, 100)
        let name = try cleaned(rawName)
        guard let size = Self.octal(field(124, 12)) else {
            throw invalid("has a size field \(Self.quoted(Array(field(124, 12)))) that is not an octal number")
        }
        let type = block[block.startIndex + 156]
        switch type {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):  // "7", a contiguous file, is a regular file to readers
            return (name, .regularFile, size)
        case UInt8(ascii: "5"):
            return (name, .directory, size)
        default:
            let what = Self.typeNames[type] ?? "of type \(Self.quoted([type]))"
            throw .invalidFormat(
                path: path,
                reason: "tar entry \"\(rawName)\" is \(what); only regular files and directories can be extracted")
        }
    }

    /// The names of the entry types a `TarArchive` refuses.
    static let typeNames: [UInt8: String] = [
        UInt8(ascii: "1"): "a hard link", UInt8(ascii: "2"): "a symbolic link",
        UInt8(ascii: "3"): "a character device", UInt8(ascii: "4"): "a block device", UInt8(ascii: "6"): "a FIFO",
        UInt8(ascii: "x"): "a pax extended header", UInt8(ascii: "g"): "a pax global header",
        UInt8(ascii: "L"): "a GNU long-name header", UInt8(ascii: "K"): "a GNU long-link-name header",
    ]

    /// Checks the checksum field (bytes 148…155): the octal sum of the header's bytes, counting the field itself
    /// as spaces. Both the unsigned sum POSIX specifies and the signed one of some old tars are accepted.
    func checkChecksum() throws(DatasetError) {
        guard let stored = Self.octal(field(148, 8)) else {
            throw invalid("has a checksum field \(Self.quoted(Array(field(148, 8)))) that is not an octal number")
        }
        var unsigned = 8 * Int(UInt8(ascii: " "))
        var signed = unsigned
        for (k, byte) in block.enumerated() where !(148..<156).contains(k) {
            unsigned += Int(byte)
            signed += Int(Int8(bitPattern: byte))
        }
        guard stored == unsigned || stored == signed else {
            throw invalid("has checksum \(stored) but its bytes sum to \(unsigned): the archive is corrupt")
        }
    }

    /// `raw` without `.` components, or an error when it is empty, absolute or has a `..` component.
    func cleaned(_ raw: String) throws(DatasetError) -> String {
        let parts = raw.split(separator: "/").filter { $0 != "." }
        guard !raw.hasPrefix("/") && !parts.contains("..") else {
            throw .invalidFormat(
                path: path,
                reason: "tar entry \"\(raw)\" at byte \(offset) is absolute or has a \"..\" component, so it would "
                    + "be written outside the extraction directory; the archive is refused")
        }
        guard !parts.isEmpty else { throw invalid("has an empty name") }
        return parts.joined(separator: "/")
    }

    func invalid(_ what: String) -> DatasetError {
        .invalidFormat(path: path, reason: "the tar header at byte \(offset) \(what)")
    }

    /// An octal number field: optional leading spaces, octal digits, then only NULs or spaces; `nil` otherwise
    /// (also for GNU's base-256 sizes of files over 8 GiB, which never occur in the archives read here).
    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let octalDigits = UInt8(ascii: "0")...UInt8(ascii: "7")
        let digits = field.drop { $0 == UInt8(ascii: " ") }.prefix { octalDigits.contains($0) }
        let rest = field[digits.endIndex...]
        guard !digits.isEmpty, rest.allSatisfy({ $0 == 0 || $0 == UInt8(ascii: " ") }) else { return nil }
        return digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
    }

    /// Bytes as a quoted string for messages, non-printable ones as \u{…} escapes.
    static func quoted(_ bytes: [UInt8]) -> String {
        let characters = bytes.map { byte in
            (32..<127).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
        }
        return "\"" + characters.joined() + "\""
    }
}
