// The BLAS products a piece of code runs, and what they cost alone: for benchmarks that set a training step's
// time next to the time of its matrix products measured by themselves (`runner bench train --products`), the
// floor that any schedule of the same products on the same BLAS stays above.
import Dispatch
import Synchronization

/// One call the engine made to `cblas_sgemm` / `cblas_dgemm` (after `NativeScalar.gemm` split a large product
/// between threads, each block is one call): C (m × n) = op(A) (m × k) · op(B) (k × n), row-major, with the
/// operands' leading dimensions.
package struct ProductCall: Hashable, Sendable {
    package let dtype: DType
    package let transposeA: Bool
    package let transposeB: Bool
    package let m: Int
    package let n: Int
    package let k: Int
    package let lda: Int
    package let ldb: Int
    package let ldc: Int
    /// Whether C was added to (β ≠ 0) rather than overwritten.
    package let accumulates: Bool

    /// 2·m·n·k: a multiply and an add per term.
    package var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// Records the BLAS calls made while `recording` runs, from every thread.
package enum ProductLog {
    /// How many recordings are running.
    private static let recordings = Atomic<Int>(0)
    /// The calls of each running recording, by its number.
    private static let logs = Mutex<(next: Int, calls: [Int: [ProductCall]])>((0, [:]))

    /// Runs `body` and returns what it returned with the BLAS calls made meanwhile, on any thread, in the order
    /// they were made. Recordings may overlap (e.g. tests running in parallel): each gets every call made while it
    /// runs, its own and the others'.
    package static func recording<R>(_ body: () throws -> R) rethrows -> (R, [ProductCall]) {
        let id = logs.withLock { log in
            defer { log.next += 1 }
            log.calls[log.next] = []
            return log.next
        }
        recordings.add(1, ordering: .sequentiallyConsistent)
        defer {
            recordings.subtract(1, ordering: .sequentiallyConsistent)
            _ = logs.withLock { $0.calls.removeValue(forKey: id) }
        }
        let result = try body()
        return (result, logs.withLock { $0.calls[id]! })
    }

    /// Called by `NativeScalar.gemm` before each BLAS call; one atomic load when nothing is recording.
    @inline(__always)
    static func record(_ call: @autoclosure () -> ProductCall) {
        guard recordings.load(ordering: .relaxed) > 0 else { return }
        let call = call()
        logs.withLock { log in
            for id in log.calls.keys { log.calls[id]!.append(call) }
        }
    }

    /// Seconds that `call` takes by itself on the calling thread: the BLAS call repeated on the same operands (so
    /// they are in cache, as in the product's fastest possible run), the fastest of `repetitions` timed batches,
    /// each batch at least about 100 µs of calls. The operands hold small values; β is the call's (0 or 1).
    package static func secondsAlone(_ call: ProductCall, repetitions: Int = 7) -> Double {
        switch call.dtype {
        case .float32: secondsAlone(call, Float.self, repetitions: repetitions)
        case .float64: secondsAlone(call, Double.self, repetitions: repetitions)
        }
    }

    private static func secondsAlone<T: NativeScalar>(_ call: ProductCall, _: T.Type, repetitions: Int) -> Double {
        // Rows of each operand as stored: op(A) is A or Aᵀ, so A is m × k (k × m when transposed); likewise B.
        let aRows = call.transposeA ? call.k : call.m, bRows = call.transposeB ? call.n : call.k
        let a = [T](repeating: 0.5, count: max(1, aRows * call.lda))
        let b = [T](repeating: 0.25, count: max(1, bRows * call.ldb))
        var c = [T](repeating: 0, count: max(1, call.m * call.ldc))
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    func run(_ times: Int) -> Double {
                        let start = DispatchTime.now().uptimeNanoseconds
                        for _ in 0..<times {
                            // One BLAS call as recorded, not split between threads (unlike `NativeScalar.gemm`).
                            blasGemm(
                                transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n,
                                k: call.k, alpha: 1, a: a.baseAddress!, lda: call.lda, b: b.baseAddress!,
                                ldb: call.ldb, beta: call.accumulates ? 1 : 0, c: c.baseAddress!, ldc: call.ldc)
                        }
                        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    }
                    let once = run(1)  // warm-up, and a first estimate of the batch size
                    let batch = max(1, Int(1e-4 / max(once, 1e-8)))
                    return (0..<repetitions).map { _ in run(batch) / Double(batch) }.min()!
                }
            }
        }
    }
}
