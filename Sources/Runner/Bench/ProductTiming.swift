// The BLAS calls of a piece of code and what each costs alone, for `runner bench train --products`: the calls come
// from the engine's product observers, and each is replayed by itself through the same BLAS entry point.
import Autograd
import Dispatch
import Synchronization

/// Runs `body` and returns what it returned with the BLAS calls made meanwhile, on any thread, in the order they
/// were made (see `ProductObservers`: calls that other code makes at the same time are included).
func recordingProducts<R>(_ body: () throws -> R) rethrows -> (R, [ProductCall]) {
    let log = CallLog()
    let result = try ProductObservers.observing({ call in log.calls.withLock { $0.append(call) } }, during: body)
    return (result, log.calls.withLock { $0 })
}

/// The calls one recording collects, from any thread.
private final class CallLog: Sendable {
    let calls = Mutex<[ProductCall]>([])
}

/// Seconds that `call` takes by itself on the calling thread: the BLAS call repeated on the same operands (so they
/// are in cache, as in the product's fastest possible run), the fastest of `repetitions` timed batches, each batch
/// at least about 100 µs of calls. The operands hold small values; β is the call's (0 or 1).
func secondsAlone(_ call: ProductCall, repetitions: Int = 7) -> Double {
    switch call.dtype {
    case .float32: secondsAlone(call, Float.self, repetitions: repetitions)
    case .float64: secondsAlone(call, Double.self, repetitions: repetitions)
    }
}

private func secondsAlone<T: NativeScalar>(_ call: ProductCall, _: T.Type, repetitions: Int) -> Double {
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
                        // One BLAS call as observed, not split between threads (unlike `NativeScalar.gemm`).
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
