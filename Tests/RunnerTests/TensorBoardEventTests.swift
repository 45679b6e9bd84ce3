import Foundation
import Models
import Testing

@testable import Runner

// A run's TensorBoard event file: the same values as curves.csv, read back here by a protocol-buffer decoder of
// its own and, when PyPI is reachable, by TensorBoard's own reader in a virtual environment the test creates.

/// One scalar of an event file.
struct EventScalar: Equatable, CustomStringConvertible {
    var step: Int
    var tag: String
    var value: Float
    var description: String { "\(step) \(tag) \(value)" }
}

/// The scalars of the one event file in `folder`, decoded from the protocol-buffer wire format (event.proto:
/// Event.step = 2, Event.summary = 5, Summary.value = 1, Value.tag = 1, Value.simple_value = 2).
func eventScalars(in folder: String) throws -> [EventScalar] {
    let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("tfevents") }
    guard names.count == 1 else { throw SpecError("expected one event file in \(folder), found \(names)") }
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + names[0])))
    guard let records = TFRecord.records(in: bytes) else { throw SpecError("\(names[0]) is not valid TFRecords") }
    /// The fields of one message: (field number, varint value or bytes).
    func fields(_ m: [UInt8]) -> [(Int, UInt64, [UInt8])] {
        var (i, out) = (0, [(Int, UInt64, [UInt8])]())
        func varint() -> UInt64 {
            var (v, shift) = (UInt64(0), UInt64(0))
            while true {
                let b = m[i]
                i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        while i < m.count {
            let key = varint()
            switch key & 7 {
            case 0: out.append((Int(key >> 3), varint(), []))
            case 1: i += 8
            case 2:
                let n = Int(varint())
                out.append((Int(key >> 3), 0, Array(m[i..<i + n])))
                i += n
            case 5:
                out.append((Int(key >> 3), 0, Array(m[i..<i + 4])))
                i += 4
            default: return out
            }
        }
        return out
    }
    var scalars: [EventScalar] = []
    for record in records.dropFirst() {  // the first holds the file version
        let event = fields(record)
        let step = Int(event.first { $0.0 == 2 }?.1 ?? 0)
        for (_, _, summary) in event where !summary.isEmpty {
            for (_, _, value) in fields(summary) {
                let parts = fields(value)
                let tag = String(decoding: parts.first { $0.0 == 1 }?.2 ?? [], as: UTF8.self)
                let raw = parts.first { $0.0 == 2 }?.2 ?? [0, 0, 0, 0]
                let bits = raw.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                scalars.append(EventScalar(step: step, tag: tag, value: Float(bitPattern: bits)))
            }
        }
    }
    return scalars
}

/// The scalars curves.csv in `folder` says the event file holds, as float32.
func curveScalars(in folder: String) throws -> [EventScalar] {
    try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        .compactMap(CurvePoint.init(csvLine:))
        .flatMap { point in
            CurvesWriter.scalars(of: point).map { EventScalar(step: point.step, tag: $0.tag, value: Float($0.value)) }
        }
}

/// Whether two lists of scalars agree, values to the 6 significant digits curves.csv keeps.
func sameScalars(_ a: [EventScalar], _ b: [EventScalar]) -> Bool {
    a.count == b.count
        && zip(a, b).allSatisfy {
            $0.step == $1.step && $0.tag == $1.tag && abs($0.value - $1.value) <= 1e-5 * max(1, abs($1.value))
        }
}

private let spec = """
    {"name": "events", "seed": 1,
     "data": {"dataset": "blobs", "classes": 3, "points": 60, "train": 40, "validation": 10, "test": 10},
     "model": {"type": "mlp", "hidden": [4]}, "optimizer": {"type": "sgd", "lr": 0.1},
     "training": {"steps": 12, "batch_size": 8, "log_every": 3, "evaluate_every": 6}, "outputs": {"plots": false}}
    """

private func runFolder() -> String { NSTemporaryDirectory() + "tapegrad-events-\(UUID().uuidString)" }

/// A new folder holding a finished run of `spec`.
private func trainedRun(_ overrides: [String] = []) throws -> String {
    let folder = runFolder()
    let document = try SpecDocument(text: spec, source: "events", overrides: overrides)
    #expect(try trainRun(document.spec, folder: folder, resuming: false, quiet: true) == .completed)
    return folder
}

/// Runs `arguments` and returns its standard output, or nil when it fails or outlives `timeout` seconds.
private func output(of arguments: [String], timeout: Double) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    (process.standardOutput, process.standardError) = (pipe, FileHandle.nullDevice)
    guard (try? process.run()) != nil else { return nil }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(100_000) }
    if process.isRunning {
        process.terminate()
        return nil
    }
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return process.terminationStatus == 0 ? text : nil
}

extension InterruptibleTraining {
    @Suite
    struct TensorBoardEventTests {
        @Test func aRunWritesItsCurvesAsTensorBoardScalars() throws {
            let folder = try trainedRun()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let events = try eventScalars(in: folder)
            #expect(sameScalars(events, try curveScalars(in: folder)), "\(events)")
            #expect(events.filter { $0.tag == "train/loss" }.map(\.step) == [3, 6, 9, 12])
            #expect(Set(events.map(\.tag)).isSuperset(of: ["validation/accuracy", "test/loss", "train/learning_rate"]))
            #expect(events.first { $0.tag == "train/learning_rate" }?.value == 0.1)
            let summary = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
            #expect(summary.contains("events.out.tfevents."))

            // Switched off: no event file.
            let off = try trainedRun(["outputs.tensorboard=false"])
            defer { try? FileManager.default.removeItem(atPath: off) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: off).allSatisfy { !$0.contains("tfevents") })
        }

        @Test func tensorBoardsOwnReaderFindsTheCurves() throws {
            let folder = try trainedRun()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let venv = folder + "/venv"
            guard output(of: ["python3", "-m", "venv", venv], timeout: 120) != nil,
                output(of: [venv + "/bin/pip", "install", "--quiet", "tensorboard"], timeout: 600) != nil
            else {
                print("skipped: TensorBoard could not be installed from PyPI into a virtual environment")
                return
            }
            let script = """
                import glob, sys
                from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
                from tensorboard.util import tensor_util
                for event in EventFileLoader(glob.glob(sys.argv[1] + "/events.out.tfevents.*")[0]).Load():
                    for v in event.summary.value:
                        x = tensor_util.make_ndarray(v.tensor).item() if v.HasField("tensor") else v.simple_value
                        print(event.step, v.tag, repr(x))
                """
            let read = try #require(output(of: [venv + "/bin/python", "-c", script, folder], timeout: 120))
            let scalars = read.split(separator: "\n").compactMap { line -> EventScalar? in
                let parts = line.split(separator: " ")
                guard parts.count == 3, let step = Int(parts[0]), let value = Float(parts[2]) else { return nil }
                return EventScalar(step: step, tag: String(parts[1]), value: value)
            }
            #expect(sameScalars(scalars, try curveScalars(in: folder)), "TensorBoard read: \(read)")
        }
    }
}
