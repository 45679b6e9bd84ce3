import Foundation

/// An n-dimensional array of `Float` or `Double`, row-major and contiguous, that can take part in reverse-mode
/// automatic differentiation.
///
/// A tensor is a reference: the op that made it is recorded on the tape (see `Tape`), and a leaf tensor with
/// `requiresGrad` receives its gradient in `grad` when `backward()` runs. Tensors are never mutated in place
/// while tracked; every op returns a new tensor.
///
/// ```
/// let w = Tensor.normal([3, 2], using: &rng).requiringGrad()
/// let loss = (x.matmul(w)).relu().sum()
/// loss.backward()
/// print(w.grad!)
/// ```
public final class Tensor {
    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// The element type.
    public let dtype: DType
    /// The number of elements, the product of `shape`.
    public let count: Int

    let storage: TensorStorage

    /// The tape entry of the op that produced this tensor; `nil` for leaves and constants.
    var node: Node?

    /// Whether `backward()` should compute a gradient for this leaf. Op outputs report whether they are on the
    /// live graph.
    public var requiresGrad: Bool {
        get { node.map { $0.isLive } ?? wantsGrad }
        set {
            precondition(node == nil, "requiresGrad can only be set on a leaf tensor; use detached() first")
            wantsGrad = newValue
        }
    }
    private var wantsGrad = false

    /// The accumulated gradient of a leaf with `requiresGrad`, filled by `backward()`; same shape and dtype.
    public var grad: Tensor?

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// `true` for tensors not produced by a recorded op: parameters, inputs, constants.
    public var isLeaf: Bool { node == nil }

    init(shape: [Int], dtype: DType, storage: TensorStorage) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        precondition(
            count == storage.count, "Tensor: shape \(shape) needs \(count) elements, storage has \(storage.count)")
        self.shape = shape
        self.dtype = dtype
        self.count = count
        self.storage = storage
    }

    /// A tensor with uninitialized storage, for kernels that write every element before anything reads it.
    public convenience init(uninitialized shape: [Int], dtype: DType) {
        self.init(shape: shape, dtype: dtype, storage: TensorStorage(count: shape.reduce(1, *), dtype: dtype))
    }

    // MARK: Raw access for kernels

    /// The first element, for kernels; `T` must match `dtype`. Write only to a tensor your op just created:
    /// storage is shared by reshapes and captured by VJPs.
    @inline(__always)
    public func pointer<T: NativeScalar>(_ type: T.Type) -> UnsafeMutablePointer<T> { storage.typed(type) }

    /// The elements as a buffer, for kernels; the same rules as `pointer(_:)`.
    @inline(__always)
    public func buffer<T: NativeScalar>(_ type: T.Type) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: storage.typed(type), count: count)
    }
}

// MARK: - Reading values

extension Tensor {
    /// The elements in row-major order, as `Double` whatever the dtype (exact for `float32`).
    public var scalars: [Double] {
        switch dtype {
        case .float32: buffer(Float.self).map(Double.init)
        case .float64: Array(buffer(Double.self))
        }
    }

    /// The elements in row-major order, as `Float` (rounded for `float64`).
    public var floats: [Float] {
        switch dtype {
        case .float32: Array(buffer(Float.self))
        case .float64: buffer(Double.self).map(Float.init)
        }
    }

    /// The value of a one-element tensor (any rank), like PyTorch's `item()`.
    public func item() -> Double {
        precondition(count == 1, "item(): tensor of shape \(shape) has \(count) elements, expected 1")
        return scalar(atFlat: 0)
    }

    /// The element at a multi-index, e.g. `x.scalar(at: 1, 2)`.
    public func scalar(at index: Int...) -> Double {
        precondition(index.count == rank, "scalar(at:): \(index.count) indices for a tensor of shape \(shape)")
        var flat = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "scalar(at:): index \(index) out of range for shape \(shape)")
            flat = flat * shape[axis] + i
        }
        return scalar(atFlat: flat)
    }

    func scalar(atFlat i: Int) -> Double {
        switch dtype {
        case .float32: Double(pointer(Float.self)[i])
        case .float64: pointer(Double.self)[i]
        }
    }

    /// Writes one element in place (gradient checking perturbs parameters this way).
    func setScalar(atFlat i: Int, _ value: Double) {
        switch dtype {
        case .float32: pointer(Float.self)[i] = Float(value)
        case .float64: pointer(Double.self)[i] = value
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape, dtype and up to the first 8 elements: `Tensor([2, 3], float32) [0.1, 0.2, …]`.
    public var description: String {
        let shown = (0..<Swift.min(count, 8)).map { String(format: "%.4g", scalar(atFlat: $0)) }
        let more = count > 8 ? ", …" : ""
        return "Tensor(\(shape), \(dtype)) [\(shown.joined(separator: ", "))\(more)]"
    }
}

// MARK: - Copies and in-place update of leaves

extension Tensor {
    /// A new leaf holding a copy of the values (not sharing storage, not tracked): a snapshot of parameters.
    public func copied() -> Tensor {
        let copy = Tensor(uninitialized: shape, dtype: dtype)
        copy.storage.pointer.copyMemory(from: storage.pointer, byteCount: count * dtype.byteCount)
        return copy
    }

    /// Overwrites this leaf's elements with `value`'s, as an optimizer step does: `p.assign(p - lr * p.grad!)`.
    /// Must run inside `noGrad`, like PyTorch's in-place updates of parameters, and never on a tensor a live
    /// graph still reads.
    public func assign(_ value: Tensor) {
        precondition(isLeaf, "assign: only leaf tensors can be updated in place")
        precondition(
            value.shape == shape && value.dtype == dtype,
            "assign: value \(value.shape) \(value.dtype) does not match \(shape) \(dtype)")
        precondition(!Tape.current.isRecording, "assign: update tensors in place only inside noGrad { }")
        if value.storage === storage { return }
        storage.pointer.copyMemory(from: value.storage.pointer, byteCount: count * dtype.byteCount)
    }
}
