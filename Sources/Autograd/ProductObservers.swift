// The engine's matrix products, seen from outside: code that wants to know which BLAS calls a piece of code makes
// (a benchmark that times each call alone, a test that counts them) registers an observer for the time that code
// runs. The engine keeps no log of its own; when nothing observes, a call costs one atomic load.
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

/// The observers of the engine's BLAS calls: `NativeScalar.gemm` tells each of them every call it makes, from
/// whichever thread makes it.
package enum ProductObservers {
    /// How many observations are running: the fast path reads only this.
    private static let count = Atomic<Int>(0)
    /// The observer of each running observation, by its number.
    private static let registry = Mutex<(next: Int, observers: [Int: @Sendable (ProductCall) -> Void])>((0, [:]))

    /// Runs `body` and returns what it returned, calling `observer` with every BLAS call made meanwhile, on any
    /// thread, in the order the calls are made. Observations may overlap (e.g. tests running in parallel, or one
    /// inside another): each observer sees every call made while its observation runs, its own code's and the
    /// others', and none after `observing` returns.
    ///
    /// The observer runs on the thread that made the call, one observer at a time (under a lock), so it must be
    /// quick and must not run matrix products itself.
    package static func observing<R>(
        _ observer: @escaping @Sendable (ProductCall) -> Void, during body: () throws -> R
    ) rethrows -> R {
        let id = registry.withLock { registry in
            defer { registry.next += 1 }
            registry.observers[registry.next] = observer
            return registry.next
        }
        count.add(1, ordering: .sequentiallyConsistent)
        defer {
            count.subtract(1, ordering: .sequentiallyConsistent)
            _ = registry.withLock { $0.observers.removeValue(forKey: id) }
        }
        return try body()
    }

    /// Called by `NativeScalar.gemm` before each BLAS call; one atomic load when nothing observes.
    @inline(__always)
    static func notify(_ call: @autoclosure () -> ProductCall) {
        guard count.load(ordering: .relaxed) > 0 else { return }
        let call = call()
        registry.withLock { registry in
            for observer in registry.observers.values { observer(call) }
        }
    }
}
