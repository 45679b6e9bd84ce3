import Autograd
import Synchronization

/// Runs `body` and returns what it returned with the BLAS calls observed meanwhile (`ProductObservers`), in the
/// order they were made. The calls of every thread are observed, those of other tests running at the same time
/// too: a test picks out its own by shapes that only it uses.
package func observedProducts<R>(during body: () throws -> R) rethrows -> (R, [ProductCall]) {
    let log = CallLog()
    let result = try ProductObservers.observing({ call in log.calls.withLock { $0.append(call) } }, during: body)
    return (result, log.calls.withLock { $0 })
}

/// The calls one observation collects, from any thread.
private final class CallLog: Sendable {
    let calls = Mutex<[ProductCall]>([])
}
