import CZlib

/// A minimal PNG reader for the plot tests: splits chunks, checks their CRCs with zlib's crc32 and inflates the
/// image data with zlib's `uncompress`, independently of `PNGEncoder`.
struct PNGReader {
    struct Chunk: CustomStringConvertible {
        var type: String
        var data: [UInt8]
        /// Whether the stored CRC equals zlib's crc32 of type and data.
        var crcMatches: Bool

        var description: String { "\(type) chunk of \(data.count) bytes, CRC \(crcMatches ? "ok" : "wrong")" }
    }

    var signature: [UInt8]
    var chunks: [Chunk]
    /// Whether the file ended exactly after the last chunk's CRC.
    var endsCleanly: Bool

    init(_ bytes: [UInt8]) {
        signature = Array(bytes.prefix(8))
        chunks = []
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(PNGReader.bigEndian(bytes, at: offset))
            guard offset + 12 + length <= bytes.count else { break }
            let typeAndData = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let stored = PNGReader.bigEndian(bytes, at: offset + 8 + length)
            let computed = typeAndData.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            chunks.append(Chunk(type: String(decoding: typeAndData.prefix(4), as: UTF8.self),
                                data: Array(typeAndData.dropFirst(4)), crcMatches: stored == computed))
            offset += 12 + length
        }
        endsCleanly = offset == bytes.count
    }

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
    }

    var header: (width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, interlace: UInt8)? {
        guard let ihdr = chunks.first(where: { $0.type == "IHDR" }), ihdr.data.count == 13 else { return nil }
        return (Int(PNGReader.bigEndian(ihdr.data, at: 0)), Int(PNGReader.bigEndian(ihdr.data, at: 4)),
                ihdr.data[8], ihdr.data[9], ihdr.data[12])
    }

    /// The concatenated IDAT data inflated, or nil when zlib rejects it. `capacity` bounds the output; a
    /// result of exactly `capacity` bytes means the data may be longer.
    func inflated(capacity: Int) -> [UInt8]? {
        let compressed = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        var output = [UInt8](repeating: 0, count: capacity)
        var length = uLong(capacity)
        let status = output.withUnsafeMutableBufferPointer { destination in
            compressed.withUnsafeBufferPointer { source in
                uncompress(destination.baseAddress, &length, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK else { return nil }
        return Array(output.prefix(Int(length)))
    }

    /// The RGB pixel at (x, y) of an unfiltered (all filter bytes 0) 8-bit RGB image.
    static func pixel(_ scanlines: [UInt8], width: Int, x: Int, y: Int) -> [UInt8] {
        let start = y * (1 + width * 3) + 1 + x * 3
        return Array(scanlines[start..<(start + 3)])
    }
}
