// The safetensors format (https://github.com/huggingface/safetensors), read and written exactly:
//
//     ┌──────────────┬──────────────────────────────┬────────────────────────────────────────┐
//     │ N (u64, LE)  │ N bytes of UTF-8 JSON header │ data: every tensor's bytes, contiguous │
//     └──────────────┴──────────────────────────────┴────────────────────────────────────────┘
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the
// data section) plus an optional "__metadata__" object of strings; it is padded with spaces so that the data
// starts at a multiple of 8. Elements are little-endian and row-major.

import Autograd
import Foundation

/// The element types of safetensors data this library reads and writes.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float64 = "F64"
    /// 64-bit signed integers, for PyTorch's `num_batches_tracked`.
    case int64 = "I64"

    /// Bytes per element.
    public var byteCount: Int { self == .float32 ? 4 : 8 }

    /// The position in the reference writer's dtype enum (`BOOL, U8, …, F32, F64, I64, U64`); it lays the
    /// tensors out by this, descending, then by name.
    fileprivate var referenceOrder: Int {
        switch self {
        case .float32: 0
        case .float64: 1
        case .int64: 2
        }
    }
}

/// One tensor of a safetensors file: its dtype, shape and elements as little-endian row-major bytes.
public struct SafetensorsTensor: Equatable, Sendable {
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// The elements, `count × dtype.byteCount` bytes, little-endian.
    public let bytes: [UInt8]

    /// A tensor from raw little-endian bytes, which must hold exactly the elements of `shape`.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafetensorsTensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        precondition(
            bytes.count == count * dtype.byteCount,
            "SafetensorsTensor: \(bytes.count) bytes for \(dtype.rawValue) shape \(shape), expected "
                + "\(count * dtype.byteCount)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// The values of a `float32` (`F32`) or `float64` (`F64`) tensor.
    public init(_ tensor: Tensor) {
        switch tensor.dtype {
        case .float32:
            self.init(dtype: .float32, shape: tensor.shape, bytes: littleEndianBytes(tensor.buffer(Float.self)))
        case .float64:
            self.init(dtype: .float64, shape: tensor.shape, bytes: littleEndianBytes(tensor.buffer(Double.self)))
        }
    }

    /// An `I64` tensor of `values`; `shape` defaults to a scalar for one value and to `[values.count]` otherwise.
    public init(int64 values: [Int64], shape: [Int]? = nil) {
        let shape = shape ?? (values.count == 1 ? [] : [values.count])
        self.init(dtype: .int64, shape: shape, bytes: littleEndianBytes(values))
    }

    /// The number of elements, the product of `shape`.
    public var count: Int { shape.reduce(1, *) }

    /// The values as a new leaf tensor (`F32` → `float32`, `F64` → `float64`); nil for `I64`.
    public func tensor() -> Tensor? {
        let dtype: DType
        switch self.dtype {
        case .float32: dtype = .float32
        case .float64: dtype = .float64
        case .int64: return nil
        }
        let t = Tensor(uninitialized: shape, dtype: dtype)
        bytes.withUnsafeBytes { raw in
            switch dtype {
            case .float32:
                let p = t.pointer(Float.self)
                for i in 0..<count { p[i] = Float(bitPattern: loadLittleEndian(raw, i, UInt32.self)) }
            case .float64:
                let p = t.pointer(Double.self)
                for i in 0..<count { p[i] = Double(bitPattern: loadLittleEndian(raw, i, UInt64.self)) }
            }
        }
        return t
    }

    /// The values of an `I64` tensor; nil for the floating-point dtypes.
    public var int64Values: [Int64]? {
        guard dtype == .int64 else { return nil }
        return bytes.withUnsafeBytes { raw in (0..<count).map { loadLittleEndian(raw, $0, Int64.self) } }
    }
}

/// The contents of one safetensors file: named tensors and string metadata.
///
/// ```
/// let file = SafetensorsFile(tensors: ["w": SafetensorsTensor(w)], metadata: ["step": "10"])
/// try file.write(to: "weights.safetensors")          // atomic: a temporary file, then a rename
/// let back = try SafetensorsFile(contentsOf: "weights.safetensors")
/// ```
public struct SafetensorsFile: Equatable, Sendable {
    /// The tensors by name (`__metadata__` is reserved).
    public var tensors: [String: SafetensorsTensor]
    /// Free-form string metadata (the header's `__metadata__`).
    public var metadata: [String: String]

    public init(tensors: [String: SafetensorsTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The file's bytes, laid out as the reference `safetensors` writer does: tensors ordered by dtype (`I64`,
    /// then `F64`, then `F32`) and then by name (bytewise), their data contiguous in that order; the header is
    /// compact JSON with `__metadata__` first (keys sorted; omitted when empty), padded with spaces to a
    /// multiple of 8 bytes.
    public func encoded() -> [UInt8] {
        let (header, order) = layout()
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + order.reduce(0) { $0 + tensors[$1]!.bytes.count })
        out += littleEndianBytes([UInt64(header.count)])
        out += header
        for name in order { out += tensors[name]!.bytes }
        return out
    }

    /// The padded header of `encoded()` and the tensor names in the order their data follows it.
    func layout() -> (header: [UInt8], order: [String]) {
        precondition(tensors["__metadata__"] == nil, "SafetensorsFile: \"__metadata__\" is not a valid tensor name")
        let order = tensors.keys.sorted { a, b in
            let ra = tensors[a]!.dtype.referenceOrder, rb = tensors[b]!.dtype.referenceOrder
            return ra != rb ? ra > rb : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        var entries: [SafetensorsHeaderEntry] = []
        var offset = 0
        for name in order {
            let t = tensors[name]!
            entries.append(.init(name: name, dtype: t.dtype.rawValue, shape: t.shape, begin: offset,
                                 end: offset + t.bytes.count))
            offset += t.bytes.count
        }
        var header = SafetensorsHeader.json(entries, metadata: metadata)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        return (header, order)
    }

    /// Decodes the bytes of a safetensors file; `path` names it in errors.
    ///
    /// Throws `CheckpointError.truncated` (shorter than its header), `.invalidHeader` (not JSON or not the
    /// schema), `.unknownDType`, `.sizeMismatch` (byte range ≠ shape × dtype size), `.offsetsOutOfRange`,
    /// `.overlappingData` or `.uncoveredData` (bytes belonging to no tensor, as the reference reader rejects).
    public init(decoding bytes: [UInt8], path: String = "<memory>") throws(CheckpointError) {
        guard bytes.count >= 8 else {
            throw .truncated(path: path, what: "the 8-byte header length", expectedBytes: 8, actualBytes: bytes.count)
        }
        let declared = bytes.withUnsafeBytes { loadLittleEndian($0, 0, UInt64.self) }
        guard declared <= UInt64(bytes.count - 8) else {
            let expected = declared > UInt64(Int.max - 8) ? Int.max : 8 + Int(declared)
            throw .truncated(
                path: path, what: "the \(declared)-byte header", expectedBytes: expected, actualBytes: bytes.count)
        }
        let headerEnd = 8 + Int(declared)
        let (entries, metadata) = try SafetensorsHeader.parse(bytes[8..<headerEnd], path: path)
        let dataBytes = bytes.count - headerEnd
        var dtypes: [String: SafetensorsDType] = [:]
        for e in entries {
            guard let dtype = SafetensorsDType(rawValue: e.dtype) else {
                throw .unknownDType(path: path, tensor: e.name, dtype: e.dtype)
            }
            guard e.end <= dataBytes else {
                throw .offsetsOutOfRange(path: path, tensor: e.name, begin: e.begin, end: e.end, dataBytes: dataBytes)
            }
            let expected = e.shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let (size, overflow) = expected.0.multipliedReportingOverflow(by: dtype.byteCount)
            guard !expected.1 && !overflow && size == e.end - e.begin else {
                throw .sizeMismatch(
                    path: path, tensor: e.name, dtype: e.dtype, shape: e.shape,
                    expectedBytes: expected.1 || overflow ? Int.max : size, actualBytes: e.end - e.begin)
            }
            dtypes[e.name] = dtype
        }
        var cursor = 0
        var previous = ""
        for e in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            if e.begin < cursor { throw .overlappingData(path: path, first: previous, second: e.name) }
            if e.begin > cursor { throw .uncoveredData(path: path, begin: cursor, end: e.begin) }
            cursor = e.end
            previous = e.name
        }
        if cursor < dataBytes { throw .uncoveredData(path: path, begin: cursor, end: dataBytes) }
        var tensors: [String: SafetensorsTensor] = [:]
        for e in entries {
            let data = Array(bytes[(headerEnd + e.begin)..<(headerEnd + e.end)])
            tensors[e.name] = SafetensorsTensor(dtype: dtypes[e.name]!, shape: e.shape, bytes: data)
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// Reads and decodes the safetensors file at `path`; throws `CheckpointError.fileNotFound`, `.unreadable`
    /// or any error of `init(decoding:path:)`.
    public init(contentsOf path: String) throws(CheckpointError) {
        let bytes: [UInt8]
        do {
            bytes = try DataFile.rawContents(of: path)
        } catch .fileNotFound {
            throw .fileNotFound(path: path)
        } catch .unreadable(_, let reason) {
            throw .unreadable(path: path, reason: reason)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
        try self.init(decoding: bytes, path: path)
    }

    /// Writes the file atomically (see `AtomicFile.write(_:to:)`): a crash leaves either the old file or the
    /// new one, never a half-written file. Throws `CheckpointError.unwritable`.
    public func write(to path: String) throws(CheckpointError) {
        try AtomicFile.write(encoded(), to: path)
    }
}

// MARK: - Little-endian element bytes

/// The little-endian bytes of floating-point or integer values.
func littleEndianBytes<C: Collection>(_ values: C) -> [UInt8] where C.Element: LittleEndianStorable {
    let size = MemoryLayout<C.Element.Bits>.size
    return [UInt8](unsafeUninitializedCapacity: values.count * size) { buffer, initialized in
        let raw = UnsafeMutableRawBufferPointer(buffer)
        for (i, v) in values.enumerated() {
            raw.storeBytes(of: v.storedBits.littleEndian, toByteOffset: i * size, as: C.Element.Bits.self)
        }
        initialized = values.count * size
    }
}

/// Element `i` of little-endian integers of type `I` in `raw` (any alignment).
@inline(__always)
func loadLittleEndian<I: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ i: Int, _: I.Type) -> I {
    I(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<I>.size, as: I.self))
}

/// A scalar stored as the little-endian bytes of an integer bit pattern.
protocol LittleEndianStorable {
    associatedtype Bits: FixedWidthInteger
    var storedBits: Bits { get }
}

extension Float: LittleEndianStorable {
    var storedBits: UInt32 { bitPattern }
}

extension Double: LittleEndianStorable {
    var storedBits: UInt64 { bitPattern }
}

extension Int64: LittleEndianStorable {
    var storedBits: Int64 { self }
}

extension UInt64: LittleEndianStorable {
    var storedBits: UInt64 { self }
}
