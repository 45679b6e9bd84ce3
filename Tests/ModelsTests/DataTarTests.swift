import Foundation
import Models
import Testing

/// The strict tar reader that unpacks downloaded archives: archives made by GNU tar, written ones, and the
/// hostile, corrupt and truncated ones it must refuse.
@Suite struct DataTarTests {
    /// `tar --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner --sort=name -czf - -C src ./d` (GNU tar
    /// 1.34, then `gzip -n -9`): the directory ./d/, ./d/a.txt ("hello\n") and ./d/b.bin (bytes 0, 1, 2).
    static let gnuArchive =
        "H4sIAAAAAAACA+3TSwqDMBRG4dsOXUVWEDXNYz1KBQVRaFPo8hs6DKWzKOL5JvfOf46u77UU1iTBue9N8vvj98Y7UU428HrG7qGUnJRO+3c6"
        + "vmPh/b21f/b32f7BWCOqYf/ixmGe10pw4v573U/Lrv3f8v7b0NL/Ji5XIgAAAAAAAAAAAAAA4OA+EadFywAoAAA="

    /// The same tar with `--format=ustar` of one file whose 126-character path does not fit the 100-byte name
    /// field: 60 × "p" / 60 × "q" / c.txt ("long\n"), split by tar into the header's prefix and name.
    static let ustarArchive =
        "H4sIAAAAAAACA+3PPQrCQBAG0K09hScwQXdzH0lhI4k/G/D4DqmCnUQF4b3mG6aZ+fpdfdT0XW3ocp4zvGYoizn2eV8OXdq26Qemez3e4vwn"
        + "Si7LXVZoriu89/Z5HE6bBAAAAAAAAAAAwL95AnOXt8IAKAAA"

    static func gunzipped(_ base64: String) throws -> [UInt8] {
        try DataFile.gunzip([UInt8](Data(base64Encoded: base64)!), path: "fixture")
    }

    @Test func archivesMadeByGNUTarAreRead() throws {
        let gnu = try TarArchive(try Self.gunzipped(Self.gnuArchive), path: "gnu.tar")
        #expect(gnu.entries.map(\.name) == ["d/a.txt", "d/b.bin"])  // the directory skipped, "./" dropped
        #expect(gnu.contents(of: "d/a.txt").map(Array.init) == Array("hello\n".utf8))
        #expect(gnu.contents(of: "d/b.bin").map(Array.init) == [0, 1, 2])
        #expect(gnu.contents(of: "./d/a.txt") == nil)

        let ustar = try TarArchive(try Self.gunzipped(Self.ustarArchive), path: "ustar.tar")
        let longName = String(repeating: "p", count: 60) + "/" + String(repeating: "q", count: 60) + "/c.txt"
        #expect(ustar.entries.map(\.name) == [longName])
        #expect(ustar.contents(of: longName).map(Array.init) == Array("long\n".utf8))
    }

    @Test func filesAreExtractedIntoTheirSubdirectoriesAndMissingOnesNamedFirst() throws {
        try DataFixtures.withTemporaryDirectory { dir in
            let bytes = DataFixtures.tar([
                (name: "top/", type: "5", bytes: []),
                (name: "top/one.bin", type: "0", bytes: [UInt8](repeating: 7, count: 513)),
                (name: "top/sub/two.txt", type: "0", bytes: Array("two".utf8)),
                (name: "empty", type: "0", bytes: []),
            ])
            let archive = try TarArchive(bytes, path: "t.tar")
            #expect(archive.entries.map(\.name) == ["top/one.bin", "top/sub/two.txt", "empty"])
            #expect(archive.entries[0].range == 1024..<1537)  // after the directory's and its own header
            #expect(archive.contents(of: "empty") == [])

            let missing = #expect(throws: DatasetError.self) {
                try archive.extract(["top/one.bin", "top/three.txt"], into: dir)
            }
            #expect(missing == .invalidFormat(path: "t.tar", reason: "the archive has no file \"top/three.txt\""))
            #expect(DataFixtures.regularFiles(under: dir).isEmpty)

            let paths = try archive.extract(["top/sub/two.txt", "top/one.bin"], into: dir)
            #expect(paths == [dir + "/top/sub/two.txt", dir + "/top/one.bin"])
            #expect(DataFixtures.regularFiles(under: dir) == ["top/one.bin", "top/sub/two.txt"])
            #expect(try DataFile.rawContents(of: dir + "/top/one.bin") == [UInt8](repeating: 7, count: 513))
            #expect(try DataFile.rawContents(of: dir + "/top/sub/two.txt") == Array("two".utf8))
        }
    }

    @Test func namesOutsideTheExtractionDirectoryAreRefused() {
        for name in ["../evil.bin", "/etc/evil", "a/../../evil.bin", "ok/.."] {
            let bytes = DataFixtures.tar(files: [(name: "fine.bin", bytes: [1]), (name: name, bytes: [2])])
            let error = #expect(throws: DatasetError.self, "\(name)") { try TarArchive(bytes, path: "t.tar") }
            let reason =
                "tar entry \"\(name)\" at byte 1024 is absolute or has a \"..\" component, so it would be written "
                + "outside the extraction directory; the archive is refused"
            #expect(error == .invalidFormat(path: "t.tar", reason: reason), "\(name)")
        }
    }

    @Test func linksAndOtherEntryTypesAreRefused() {
        let cases: [(Character, String)] = [
            ("2", "a symbolic link"), ("1", "a hard link"), ("x", "a pax extended header"), ("Z", "of type \"Z\""),
        ]
        for (type, what) in cases {
            let bytes = DataFixtures.tar([(name: "link", type: type, bytes: [])])
            let error = #expect(throws: DatasetError.self) { try TarArchive(bytes, path: "t.tar") }
            let reason = "tar entry \"link\" is \(what); only regular files and directories can be extracted"
            #expect(error == .invalidFormat(path: "t.tar", reason: reason))
        }
    }

    @Test func corruptHeadersAndDuplicateNamesAreRefused() {
        var flipped = DataFixtures.tar(files: [(name: "a.bin", bytes: [1, 2, 3])])
        flipped[0] ^= 0x20  // "a.bin" becomes "A.bin"
        let corrupt = #expect(throws: DatasetError.self) { try TarArchive(flipped, path: "t.tar") }
        #expect(corrupt?.description.contains("the tar header at byte 0 has checksum") == true)
        #expect(corrupt?.description.contains("the archive is corrupt") == true)

        let notTar = [UInt8](repeating: 0x41, count: 2048)
        let wrongMagic = #expect(throws: DatasetError.self) { try TarArchive(notTar, path: "t.tar") }
        #expect(
            wrongMagic
                == .invalidFormat(
                    path: "t.tar",
                    reason: "the tar header at byte 0 is not a ustar or GNU tar header (magic \"AAAAAAAA\")"))

        let twice = DataFixtures.tar(files: [(name: "a.bin", bytes: [1]), (name: "./a.bin", bytes: [2])])
        let duplicate = #expect(throws: DatasetError.self) { try TarArchive(twice, path: "t.tar") }
        #expect(duplicate == .invalidFormat(path: "t.tar", reason: "tar entry \"a.bin\" appears twice"))

        let trailing = DataFixtures.tar(files: [(name: "a.bin", bytes: [1])]) + [0, 0, 9]
        let garbage = #expect(throws: DatasetError.self) { try TarArchive(trailing, path: "t.tar") }
        #expect(garbage == .invalidFormat(path: "t.tar", reason: "a non-zero byte at 2050, after the tar end marker"))
    }

    @Test func truncatedArchivesSayWhereTheyEnd() {
        let whole = DataFixtures.tar(files: [(name: "a.bin", bytes: [UInt8](repeating: 5, count: 600))])
        #expect(whole.count == 512 + 1024 + 1024)
        // (length kept, what is missing, the length it needs)
        let cases = [
            (300, "the tar header at byte 0", 512),
            (1000, "the tar data of \"a.bin\"", 1112),
            (1536, "the tar header at byte 1536", 2048),  // the data is whole; the end marker is missing
            (2048, "the tar end marker (two zero blocks) at byte 1536", 2560),
        ]
        for (length, what, needed) in cases {
            let error = #expect(throws: DatasetError.self) {
                _ = try TarArchive(Array(whole.prefix(length)), path: "t.tar")
            }
            #expect(error == .truncated(path: "t.tar", what: what, expectedBytes: needed, actualBytes: length))
        }
        #expect(throws: Never.self) { _ = try TarArchive(whole, path: "t.tar") }
    }
}
