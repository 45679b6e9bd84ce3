// TensorBoard's event files, written without TensorFlow: a sequence of TFRecords, each holding one `Event`
// protocol-buffer message (tensorflow/core/util/event.proto). Only what scalars need is encoded:
//
//     Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//     Summary { repeated Value value = 1; }
//     Value   { string tag = 1; float simple_value = 2; }
//
// A TFRecord is `uint64 length · uint32 masked CRC-32C of length · data · uint32 masked CRC-32C of data`, all
// little-endian (tensorflow/core/lib/io/record_writer.cc).

import Foundation

/// Writes scalars to a TensorBoard event file, as `torch.utils.tensorboard.SummaryWriter.add_scalar` does:
/// `tensorboard --logdir DIR` shows each tag as a curve over steps.
///
/// ```
/// let writer = try EventFileWriter(directory: "runs/mlp")
/// try writer.addScalar("train/loss", 0.42, step: 100)
/// ```
///
/// Each record is appended and flushed as it is added, so an interrupted process keeps every record before it.
public final class EventFileWriter {
    /// The file's path: `DIRECTORY/events.out.tfevents.<seconds>.<name>` (TensorBoard reads files whose name
    /// contains "tfevents", in name order).
    public let path: String
    private let handle: FileHandle

    /// Creates `directory` if needed and a new event file in it, starting with the file-version record.
    /// `fileName` replaces the generated name (one file per run that is rewritten on resume, for instance).
    public init(directory: String, fileName: String? = nil, wallTime: Double = Date().timeIntervalSince1970) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = fileName ?? "events.out.tfevents.\(Int(wallTime)).\(ProcessInfo.processInfo.hostName)"
        path = (directory as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        self.handle = handle
        var event = ProtobufEncoder()
        event.appendDouble(field: 1, wallTime)
        event.appendBytes(field: 3, Array("brain.Event:2".utf8))
        try write(event.bytes)
    }

    deinit { try? handle.close() }

    /// Appends the value of `tag` at `step`.
    public func addScalar(
        _ tag: String, _ value: Double, step: Int, wallTime: Double = Date().timeIntervalSince1970
    )
        throws
    {
        var scalar = ProtobufEncoder()
        scalar.appendBytes(field: 1, Array(tag.utf8))
        scalar.appendFloat(field: 2, Float(value))
        var summary = ProtobufEncoder()
        summary.appendBytes(field: 1, scalar.bytes)
        var event = ProtobufEncoder()
        event.appendDouble(field: 1, wallTime)
        event.appendVarint(field: 2, UInt64(bitPattern: Int64(step)))
        event.appendBytes(field: 5, summary.bytes)
        try write(event.bytes)
    }

    private func write(_ data: [UInt8]) throws {
        try handle.write(contentsOf: TFRecord.frame(data))
    }
}

/// TFRecord framing with masked CRC-32C checksums.
public enum TFRecord {
    /// `length · masked CRC of length · data · masked CRC of data`, little-endian.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = littleEndian(UInt64(data.count))
        return length + littleEndian(maskedCRC(length)) + data + littleEndian(maskedCRC(data))
    }

    /// The records of a file written by `frame`, with both checksums verified; nil when the bytes are not a whole
    /// number of valid records.
    public static func records(in bytes: [UInt8]) -> [[UInt8]]? {
        var records: [[UInt8]] = []
        var offset = 0
        func uint(_ at: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
        }
        while offset < bytes.count {
            guard bytes.count - offset >= 12,
                UInt32(uint(offset + 8, 4)) == maskedCRC(Array(bytes[offset..<offset + 8]))
            else { return nil }
            let length = uint(offset, 8)
            guard length <= UInt64(bytes.count - offset - 16) else { return nil }
            let start = offset + 12
            let data = Array(bytes[start..<start + Int(length)])
            guard UInt32(uint(start + Int(length), 4)) == maskedCRC(data) else { return nil }
            records.append(data)
            offset = start + Int(length) + 4
        }
        return records
    }

    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `bytes`.
    public static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    /// TensorFlow's mask, so that a CRC of data holding CRCs is not degenerate: rotate right by 15, add a constant.
    public static func maskedCRC(_ bytes: [UInt8]) -> UInt32 {
        let crc = crc32c(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    private static let table: [UInt32] = (0..<256).map { (i: UInt32) in
        (0..<8).reduce(i) { crc, _ in crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// The protocol-buffer wire format, for the few field types an event needs.
struct ProtobufEncoder {
    private(set) var bytes: [UInt8] = []

    /// Wire type 0: a base-128 varint.
    mutating func appendVarint(field: Int, _ value: UInt64) {
        appendKey(field, wireType: 0)
        appendRawVarint(value)
    }

    /// Wire type 1: 8 bytes, little-endian.
    mutating func appendDouble(field: Int, _ value: Double) {
        appendKey(field, wireType: 1)
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) }
    }

    /// Wire type 2: a length-delimited string, bytes or embedded message.
    mutating func appendBytes(field: Int, _ value: [UInt8]) {
        appendKey(field, wireType: 2)
        appendRawVarint(UInt64(value.count))
        bytes += value
    }

    /// Wire type 5: 4 bytes, little-endian.
    mutating func appendFloat(field: Int, _ value: Float) {
        appendKey(field, wireType: 5)
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) }
    }

    private mutating func appendKey(_ field: Int, wireType: UInt64) {
        appendRawVarint(UInt64(field) << 3 | wireType)
    }

    private mutating func appendRawVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
}
