import Ops
import Testing

// Kernels that split images, planes, channels, rows or (batch, head) pairs over threads must give the same results
// on one thread and on several (three, so that the work does not split evenly).

/// The output and input gradients of `f` at fixed float32 inputs of `shapes`, with `Parallelism.threadCount`
/// set to `threads` for the call.
private func resultsOn(threads: Int, _ shapes: [[Int]], _ f: ([Tensor]) -> Tensor) -> [[Double]] {
    let saved = Parallelism.threadCount
    Parallelism.threadCount = threads
    defer { Parallelism.threadCount = saved }
    let inputs = normalInputs(shapes, seed: 31).map { $0.converted(to: .float32) }
    let result = outputAndGradients(of: f, at: inputs)
    return [result.output] + result.gradients
}

/// Expects `f` to give the same output and gradients on one thread and on three, up to float32 rounding of sums
/// taken in another order (`tolerance` 0 asks for identical results).
func expectThreadCountIndependent(
    _ what: String, _ shapes: [[Int]], tolerance: Double = 1e-5, _ f: ([Tensor]) -> Tensor,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let serial = resultsOn(threads: 1, shapes, f)
    let parallel = resultsOn(threads: 3, shapes, f)
    for (k, (a, e)) in zip(parallel, serial).enumerated() {
        if tolerance == 0 {
            #expect(a == e, "\(what), result \(k)", sourceLocation: sourceLocation)
        } else {
            expectScalars(
                a, approximately: e, tolerance: tolerance, "\(what), result \(k)", sourceLocation: sourceLocation)
        }
    }
}
