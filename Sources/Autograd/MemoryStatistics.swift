import Synchronization

/// The bytes held by tensor storage right now and at most since the last reset, like PyTorch's
/// `torch.cuda.memory_allocated` / `max_memory_allocated` for this library's tensors (buffers parked in the
/// `BufferCache` are not counted).
public enum MemoryStatistics {
    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    /// Bytes of all tensors alive now.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }

    /// The largest `liveBytes` since the process started or `resetPeak()`.
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// Starts a new peak measurement from the current live bytes.
    public static func resetPeak() { peak.store(liveBytes, ordering: .relaxed) }

    static func allocated(_ bytes: Int) {
        let now = live.add(bytes, ordering: .relaxed).newValue
        _ = peak.max(now, ordering: .relaxed)
    }

    static func freed(_ bytes: Int) { live.subtract(bytes, ordering: .relaxed) }
}
