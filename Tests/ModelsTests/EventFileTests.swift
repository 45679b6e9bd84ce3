import Foundation
import Testing

@testable import Models

// TensorBoard event files: CRC-32C against its published check value, the TFRecord framing, and an event's bytes
// encoded by hand from event.proto.

@Test func crc32cHasItsCheckValueAndTheMaskIsTensorFlows() {
    #expect(TFRecord.crc32c(Array("123456789".utf8)) == 0xE306_9283)  // the CRC-32C catalogue's check value
    #expect(TFRecord.crc32c([]) == 0)
    let crc = TFRecord.crc32c([1, 2, 3])
    #expect(TFRecord.maskedCRC([1, 2, 3]) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
}

@Test func recordsAreFramedWithTheirLengthAndChecksumsAndReadBack() {
    let records: [[UInt8]] = [[], [7], Array(0..<200)]
    let file = records.flatMap(TFRecord.frame)
    #expect(file.count == records.reduce(0) { $0 + 16 + $1.count })
    #expect(Array(file[0..<8]) == [0, 0, 0, 0, 0, 0, 0, 0])  // length 0, little-endian
    #expect(TFRecord.records(in: file) == records)
    for index in [3, 9, 17, 40] {  // a length, its checksum, a data byte, a data checksum
        var corrupt = file
        corrupt[index] ^= 1
        #expect(TFRecord.records(in: corrupt) == nil, "byte \(index) flipped")
    }
    #expect(TFRecord.records(in: Array(file.dropLast())) == nil)
}

@Test func aScalarEventIsEncodedAsEventProtoSays() throws {
    let directory = NSTemporaryDirectory() + "tapegrad-events-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let writer = try EventFileWriter(directory: directory, fileName: "events.out.tfevents.1.test", wallTime: 2)
    try writer.addScalar("a", 0.5, step: 300, wallTime: 1)
    let records = try #require(TFRecord.records(in: Array(try Data(contentsOf: URL(fileURLWithPath: writer.path)))))
    #expect(records.count == 2)
    // wall_time (field 1, fixed64) 2.0; file_version (field 3, bytes) "brain.Event:2".
    #expect(records[0] == [0x09, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x1A, 13] + Array("brain.Event:2".utf8))
    // Value { tag "a" (1, bytes); simple_value 0.5 (2, fixed32) } in Summary { value (1) } in Event { summary (5) },
    // after wall_time 1.0 and step 300 (field 2, varint 0xAC 0x02).
    let value: [UInt8] = [0x0A, 1, 0x61, 0x15, 0, 0, 0, 0x3F]
    let summary: [UInt8] = [0x0A, UInt8(value.count)] + value
    let event: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0xAC, 0x02, 0x2A, UInt8(summary.count)] + summary
    #expect(records[1] == event)
}
