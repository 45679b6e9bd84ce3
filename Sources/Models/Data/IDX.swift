// The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian header,
// then unsigned bytes in row-major order.
//
//   offset 0   magic: 0x00 0x00, type 0x08 (unsigned byte), number of dimensions
//   offset 4   one big-endian UInt32 per dimension
//   then       ∏ dimensions bytes

/// An array of unsigned bytes read from an IDX file: its dimensions and its elements in row-major order.
public struct IDXArray: Equatable, Sendable {
    /// The size of each dimension, e.g. [10000, 28, 28] for the MNIST test images.
    public var dimensions: [Int]
    /// ∏ `dimensions` bytes, row-major.
    public var bytes: [UInt8]

    /// An array of `dimensions`; `bytes` must hold exactly ∏ `dimensions` elements.
    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(
            dimensions.allSatisfy { $0 >= 0 } && dimensions.reduce(1, *) == bytes.count,
            "IDXArray: \(bytes.count) bytes do not fill dimensions \(dimensions)")
        self.dimensions = dimensions
        self.bytes = bytes
    }
}

/// Reading and writing IDX files, plain or gzip-compressed.
public enum IDX {
    /// The magic number of an image file: unsigned bytes, 3 dimensions (count, rows, columns).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// The magic number of a label file: unsigned bytes, 1 dimension (count).
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Reads the IDX file at `path` (gzip or plain) and checks that its magic number is `magic`.
    ///
    /// Throws `DatasetError.wrongMagic` for another magic number, `.truncated` when the header or the data is
    /// shorter than the dimensions say, `.invalidFormat` for bytes past the end of the data, and the errors of
    /// `DataFile.contents(of:)`.
    public static func read(at path: String, magic: UInt32) throws(DatasetError) -> IDXArray {
        try parse(DataFile.contents(of: path, promisedSize: promisedSize), magic: magic, path: path)
    }

    /// The file size an IDX header promises (header + the product of its dimensions, one byte each), once the
    /// header's bytes are there; nil before. An implausible product counts as promising nothing more than the header.
    public static func promisedSize(_ prefix: [UInt8]) -> Int? {
        guard prefix.count >= 4 else { return nil }
        let rank = Int(prefix[3])
        let headerSize = 4 + 4 * rank
        guard prefix.count >= headerSize else { return nil }
        var count = 1
        for i in 0..<rank {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(bigEndianUInt32(prefix, at: 4 + 4 * i)))
            guard !overflow, product <= Int(Int32.max) else { return headerSize }
            count = product
        }
        return headerSize + count
    }

    /// Parses the (decompressed) bytes of an IDX file; `path` names the source in errors.
    public static func parse(_ data: [UInt8], magic: UInt32, path: String) throws(DatasetError) -> IDXArray {
        guard data.count >= 4 else {
            throw .truncated(path: path, what: "the IDX magic number", expectedBytes: 4, actualBytes: data.count)
        }
        let found = bigEndianUInt32(data, at: 0)
        guard found == magic else { throw .wrongMagic(path: path, expected: magic, found: found) }
        let rank = Int(data[3])
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw .truncated(
                path: path, what: "the IDX header of \(rank) dimensions", expectedBytes: headerSize,
                actualBytes: data.count)
        }
        let dimensions = (0..<rank).map { Int(bigEndianUInt32(data, at: 4 + 4 * $0)) }
        // Each dimension is < 2³², so the product can only overflow after several large factors: check as we go.
        var elementCount = 1
        for d in dimensions {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Int(Int32.max) else {
                throw .invalidFormat(path: path, reason: "dimensions \(dimensions) are implausibly large")
            }
            elementCount = product
        }
        let expected = headerSize + elementCount
        let shape = dimensions.map(String.init).joined(separator: "×")
        guard data.count >= expected else {
            throw .truncated(
                path: path, what: "a \(shape) IDX array", expectedBytes: expected, actualBytes: data.count)
        }
        guard data.count == expected else {
            throw .invalidFormat(
                path: path,
                reason: "\(data.count - expected) bytes after the end of the \(shape) array (\(expected) bytes)")
        }
        return IDXArray(dimensions: dimensions, bytes: Array(data[headerSize...]))
    }

    /// The bytes of an IDX file holding `array` (unsigned-byte type), e.g. to write a small test fixture.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        precondition(array.dimensions.count < 256, "IDX.encode: at most 255 dimensions, got \(array.dimensions.count)")
        var out: [UInt8] = [0, 0, 0x08, UInt8(array.dimensions.count)]
        for d in array.dimensions {
            precondition(d <= Int(UInt32.max), "IDX.encode: dimension \(d) does not fit in 32 bits")
            out += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)]
        }
        out += array.bytes
        return out
    }

    private static func bigEndianUInt32(_ data: [UInt8], at offset: Int) -> UInt32 {
        UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16 | UInt32(data[offset + 2]) << 8
            | UInt32(data[offset + 3])
    }
}
