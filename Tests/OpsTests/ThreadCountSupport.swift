import Ops
import Testing

// Kernels that split images, planes, channels, rows or (batch, head) pairs over threads must give the same results
// on one thread and on several (three, so that the work does not split evenly).

/// The output and input gradients of `f` at fixed inputs of `shapes` in `dtype` (the same float32-rounded values
/// for both dtypes), with `Parallelism.threadCount` set to `threads` for the call.
private func resultsOn(
    threads: Int, _ shapes: [[Int]], dtype: DType = .float32, _ f: ([Tensor]) -> Tensor
) -> [[Double]] {
    let saved = Parallelism.threadCount
    Parallelism.threadCount = threads
    defer { Parallelism.threadCount = saved }
    let inputs = normalInputs(shapes, seed: 31).map { $0.converted(to: .float32).converted(to: dtype) }
    let result = outputAndGradients(of: f, at: inputs)
    return [result.output] + result.gradients
}

/// Expects `f` to give the same float32 output and gradients on one thread and on three. With `exact`, identical
/// results. Otherwise the two may differ by the rounding of sums taken in another order, which depends on the
/// CPU's BLAS kernels and on how much the op amplifies it (a peaked softmax does): per result, the largest
/// difference between the two runs must stay within `slack` times the one-thread run's largest distance from the
/// float64 result at the same inputs (plus 10⁻⁶ of the result's largest magnitude, for results float32 gets
/// exactly). A split that drops, doubles or races on work is off by far more than rounding.
func expectThreadCountIndependent(
    _ what: String, _ shapes: [[Int]], exact: Bool = false, slack: Double = 4, _ f: ([Tensor]) -> Tensor,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let serial = resultsOn(threads: 1, shapes, f)
    let parallel = resultsOn(threads: 3, shapes, f)
    let reference = exact ? [] : resultsOn(threads: 1, shapes, dtype: .float64, f)
    for (k, (a, e)) in zip(parallel, serial).enumerated() {
        if exact {
            #expect(a == e, "\(what), result \(k)", sourceLocation: sourceLocation)
            continue
        }
        #expect(a.count == e.count && e.count == reference[k].count, "\(what), result \(k): sizes differ")
        func largest(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).map { Swift.abs($0 - $1) }.max() ?? 0 }
        let rounding = largest(e, reference[k])
        let magnitude = reference[k].map(Swift.abs).max() ?? 0
        let allowed = slack * rounding + 1e-6 * magnitude
        let difference = largest(a, e)
        let message = "\(what), result \(k): three threads differ from one by \(difference), more than \(slack) × "
            + "the one-thread float32 error \(rounding) (+ 1e-6 × \(magnitude))"
        #expect(difference <= allowed, Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}
