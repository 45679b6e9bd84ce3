// Reading a whole dataset file into memory, transparently decompressing gzip through zlib.

import CZlib
import Foundation

/// Whole-file reading for dataset loaders: one `read` into a preallocated buffer, and gzip decompression
/// straight into a buffer sized from the gzip trailer.
public enum DataFile {
    /// The bytes of the file at `path`, decompressed when the file starts with the gzip magic bytes 1f 8b
    /// (whatever its name), so `x.gz` and `x` read the same.
    ///
    /// Throws `DatasetError.fileNotFound`, `.unreadable`, `.corruptedGzip` (bad header, bad data or CRC) or
    /// `.truncated` (the gzip stream ends before its end marker).
    ///
    /// `promisedSize`, given the first bytes of the decompressed file (at most `headerLimit`), returns the whole
    /// file's size its header promises (nil: not enough bytes yet); decompression stops with `.corruptedGzip` as soon as it would exceed
    /// that, so a small file that inflates to gigabytes (a "gzip bomb") costs no more memory than its header says.
    public static func contents(
        of path: String, promisedSize: (([UInt8]) -> Int?)? = nil
    ) throws(DatasetError) -> [UInt8] {
        let raw = try rawContents(of: path)
        if raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
            return try gunzip(raw, path: path, promisedSize: promisedSize)
        }
        return raw
    }

    /// The bytes of the file at `path`, exactly as stored (no decompression).
    public static func rawContents(of path: String) throws(DatasetError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            let code = errno
            if code == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(path: path, reason: "it is a directory") }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; break }
                if n == 0 { break }  // the file shrank while we read it
                done += n
            }
            initialized = done
        }
        if failure != 0 { throw .unreadable(path: path, reason: String(cString: strerror(failure))) }
        return bytes
    }

    /// The most leading bytes `promisedSize` is shown: room for any header.
    public static let headerLimit = 64 << 10

    /// Decompresses a gzip stream (one or more concatenated members); `path` names the source in errors. With
    /// `promisedSize` (see `contents(of:promisedSize:)`), output beyond the size the header promises is an error.
    public static func gunzip(
        _ compressed: [UInt8], path: String, promisedSize: (([UInt8]) -> Int?)? = nil
    ) throws(DatasetError) -> [UInt8] {
        let n = compressed.count
        guard n >= 18 else {
            throw .truncated(path: path, what: "a gzip header and trailer", expectedBytes: 18, actualBytes: n)
        }
        // ISIZE, the last 4 bytes, is the uncompressed size mod 2³² of the last member: a good first guess,
        // trusted only when plausible (a truncated file ends in arbitrary bytes); the buffer doubles when full.
        let trailerSize = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8
            | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
        let guess = trailerSize <= 16 * n ? trailerSize : 4 * n
        var output = [UInt8](repeating: 0, count: max(guess + 64, 1024))  // + 64: room to read the trailer
        var produced = 0

        var stream = z_stream()
        // windowBits 15 + 16: a gzip wrapper is required, so a zlib or raw deflate stream is reported as corrupt.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .unreadable(path: path, reason: "zlib could not be initialized")
        }
        defer { inflateEnd(&stream) }

        var consumed = 0
        var promised: Int? = nil
        while true {
            if promised == nil, let promisedSize, produced > 0 {
                // At most the first 64 KiB: a header is short, and the whole output each round would be quadratic.
                promised = promisedSize(Array(output[..<Swift.min(produced, headerLimit)]))
            }
            if let promised, produced > promised {
                throw .corruptedGzip(
                    path: path, reason: "it inflates to more than the \(promised) bytes its header promises")
            }
            if produced == output.count {
                // Grow by doubling, but no further than one byte past the promise (which the check above catches).
                let grown = promised.map { Swift.min(output.count * 2, $0 + 1) } ?? output.count * 2
                output.append(contentsOf: repeatElement(0, count: Swift.max(grown - output.count, 1)))
            }
            let status: Int32 = compressed.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = UInt32(min(input.count - consumed, Int(UInt32.max)))
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                    let before = (stream.avail_in, stream.avail_out)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(before.0 - stream.avail_in)
                    produced += Int(before.1 - stream.avail_out)
                    return status
                }
            }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if consumed == n { output.removeSubrange(produced...); return output }
                // Another gzip member follows (as `cat a.gz b.gz` makes); anything else is garbage.
                guard compressed[consumed] == 0x1f, consumed + 1 < n, compressed[consumed + 1] == 0x8b else {
                    throw .corruptedGzip(path: path, reason: "\(n - consumed) bytes of garbage after the gzip stream")
                }
                inflateReset(&stream)
            case Z_BUF_ERROR where produced == output.count:
                continue  // output full; the loop grows it
            case Z_BUF_ERROR:
                // All input consumed and no end marker: the file was cut short.
                throw .truncated(path: path, what: "the gzip stream", expectedBytes: nil, actualBytes: n)
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .corruptedGzip(path: path, reason: reason)
            }
        }
    }

    /// `bytes` compressed as one gzip member (deflate level 6), e.g. to write a `.gz` fixture.
    public static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 writes a gzip header and trailer instead of zlib's; memLevel 8 is zlib's default.
        let status = deflateInit2_(
            &stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "DataFile.gzip: deflateInit2 failed with \(status)")
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let produced: Int = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "DataFile.gzip: deflate failed with \(status)")
                return out.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Writes `bytes` to `path`, replacing any file there.
    public static func write(_ bytes: [UInt8], to path: String) throws(DatasetError) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }
}
