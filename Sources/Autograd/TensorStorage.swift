/// A contiguous buffer of one dtype's scalars, from the `BufferCache` (64-byte aligned from 16 KiB up). Several
/// tensors may share one storage (a reshape is a new shape over the same storage), so a storage is written only by
/// the kernel that creates it, or by an optimizer updating a leaf parameter inside `noGrad`.
final class TensorStorage {
    let pointer: UnsafeMutableRawPointer
    let count: Int
    let dtype: DType
    private let size: Int

    /// Uninitialized storage for `count` scalars of `dtype`; the creating kernel must write every element.
    init(count: Int, dtype: DType) {
        self.count = count
        self.dtype = dtype
        size = BufferCache.roundedSize(count * dtype.byteCount)
        pointer = BufferCache.shared.allocate(size: size)
        MemoryStatistics.allocated(size)
        switch dtype {
        case .float32: pointer.bindMemory(to: Float.self, capacity: max(count, 1))
        case .float64: pointer.bindMemory(to: Double.self, capacity: max(count, 1))
        }
    }

    deinit {
        MemoryStatistics.freed(size)
        BufferCache.shared.release(pointer, size: size)
    }

    @inline(__always)
    func typed<T: NativeScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dtype == dtype, "storage holds \(dtype), accessed as \(T.dtype)")
        return pointer.assumingMemoryBound(to: T.self)
    }

    func zero() { pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * dtype.byteCount) }
}
