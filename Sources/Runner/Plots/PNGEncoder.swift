import CZlib

/// Encodes a `Canvas` as a PNG file: 8-bit truecolor (color type 2), no interlace, every scanline with filter
/// type 0 (None), compressed into one IDAT chunk with zlib.
///
/// Layout (PNG specification, https://www.w3.org/TR/png/): the 8-byte signature, then chunks, each
/// `length (4 bytes, big-endian) · type (4 ASCII bytes) · data · CRC-32 of type and data`: IHDR, IDAT, IEND.
enum PNGEncoder {
    /// The 8 bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file of `canvas`; `level` is zlib's compression level (0 none … 9 smallest).
    static func encode(_ canvas: Canvas, level: Int32 = 6) -> [UInt8] {
        var header: [UInt8] = []
        appendBigEndian(UInt32(canvas.width), to: &header)
        appendBigEndian(UInt32(canvas.height), to: &header)
        header += [8, 2, 0, 0, 0]  // bit depth 8, color type 2 (RGB), deflate, adaptive filtering, no interlace

        var file = signature
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", zlibCompress(scanlines(of: canvas), level: level), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// The filtered image data: each row is a filter-type byte (0) followed by `width × 3` RGB bytes.
    static func scanlines(of canvas: Canvas) -> [UInt8] {
        let rowBytes = canvas.width * 3
        var raw = [UInt8](repeating: 0, count: canvas.height * (rowBytes + 1))
        raw.withUnsafeMutableBufferPointer { destination in
            canvas.pixels.withUnsafeBufferPointer { source in
                for y in 0..<canvas.height {
                    let target = destination.baseAddress! + y * (rowBytes + 1) + 1
                    target.update(from: source.baseAddress! + y * rowBytes, count: rowBytes)
                }
            }
        }
        return raw
    }

    /// `bytes` as a zlib stream (RFC 1950), as IDAT requires.
    static func zlibCompress(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { destination in
            bytes.withUnsafeBufferPointer { source in
                compress2(destination.baseAddress!, &capacity, source.baseAddress, uLong(bytes.count), level)
            }
        }
        // compressBound guarantees room and the arguments are valid, so failure is a programming error.
        precondition(status == Z_OK, "PNGEncoder: zlib compress2 failed with status \(status)")
        return Array(output.prefix(Int(capacity)))
    }

    /// CRC-32 (ISO 3309, as PNG uses it) of `bytes`, computed by zlib.
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        precondition(typeBytes.count == 4, "PNGEncoder: chunk type must be 4 ASCII letters, got \(type)")
        appendBigEndian(UInt32(data.count), to: &file)
        file += typeBytes
        file += data
        appendBigEndian(crc(typeBytes + data), to: &file)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
