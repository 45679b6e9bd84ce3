import Ops
import Testing

/// The output of `f` at `inputs` and the gradients of sum(f(x) ⊙ r) with respect to each input, for a seeded
/// random cotangent r: what a fused op and its composition from primitives must agree on.
func outputAndGradients(
    of f: ([Tensor]) -> Tensor, at inputs: [Tensor], seed: UInt64 = 5
) -> (output: [Double], gradients: [[Double]]) {
    Tape.current.reset()
    let leaves = inputs.map { $0.detached().requiringGrad() }
    let y = f(leaves)
    var rng = RandomGenerator(seed: seed)
    let cotangent = Tensor.normal(y.shape, dtype: y.dtype, using: &rng)
    (y * cotangent).sum().backward()
    return (y.scalars, leaves.map { $0.grad?.scalars ?? [] })
}

/// Expects `actual` and `expected` to have the same length and to agree elementwise within
/// |a − e| ≤ tolerance·max(1, |e|).
func expectScalars(
    _ actual: [Double], approximately expected: [Double], tolerance: Double, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    var worst = 0.0, worstIndex = -1
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let error = Swift.abs(a - e) / Swift.max(1, Swift.abs(e))
        if !(error <= worst) {
            worst = error
            worstIndex = i
        }
    }
    let shown = worstIndex >= 0 ? "\(actual[worstIndex]), expected \(expected[worstIndex])" : ""
    #expect(
        worst <= tolerance, "\(what): element \(worstIndex) is \(shown) (error \(worst) > \(tolerance))",
        sourceLocation: sourceLocation)
}

/// Expects a fused op and its composition from primitives to give the same output and the same gradients with
/// respect to every input (float64, so they agree to rounding).
func expectFusedMatchesComposed(
    _ fused: ([Tensor]) -> Tensor, _ composed: ([Tensor]) -> Tensor, at inputs: [Tensor],
    tolerance: Double = 1e-10, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let a = outputAndGradients(of: fused, at: inputs)
    let b = outputAndGradients(of: composed, at: inputs)
    expectScalars(a.output, approximately: b.output, tolerance: tolerance, "\(what) output",
                  sourceLocation: sourceLocation)
    for k in inputs.indices {
        #expect(!b.gradients[k].isEmpty, "\(what): composed version gave no gradient for input \(k)",
                sourceLocation: sourceLocation)
        expectScalars(a.gradients[k], approximately: b.gradients[k], tolerance: tolerance,
                      "\(what) gradient of input \(k)", sourceLocation: sourceLocation)
    }
}

/// Random float64 inputs of the given shapes from N(0, 1), seeded.
func normalInputs(_ shapes: [[Int]], seed: UInt64) -> [Tensor] {
    var rng = RandomGenerator(seed: seed)
    return shapes.map { Tensor.normal($0, dtype: .float64, using: &rng) }
}
