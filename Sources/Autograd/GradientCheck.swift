/// The outcome of comparing the tape's gradients with central finite differences.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// Largest |analytic − numeric| over the checked entries.
    public var maxAbsoluteError: Double
    /// Largest |analytic − numeric| / max(|numeric|, tiny) over the checked entries.
    public var maxRelativeError: Double
    /// The entry whose error exceeds the tolerance by the most: (input number, flat index), with both values.
    public var worstInput: Int
    public var worstIndex: Int
    public var worstAnalytic: Double
    public var worstNumeric: Double
    /// How many entries were compared.
    public var checkedCount: Int
    /// Whether every entry satisfied |analytic − numeric| ≤ atol + rtol·|numeric|.
    public var passed: Bool

    public var description: String {
        let verdict = passed ? "passed" : "FAILED"
        return "gradient check \(verdict): \(checkedCount) entries, max abs error \(maxAbsoluteError), "
            + "max rel error \(maxRelativeError), worst input \(worstInput)[\(worstIndex)] "
            + "analytic \(worstAnalytic) vs numeric \(worstNumeric)"
    }
}

/// Checks the tape's gradients of `f` at `inputs` against central finite differences,
/// (f(x + ε) − f(x − ε)) / 2ε, entry by entry.
///
/// A non-scalar output is reduced to the scalar `sum(f(x) ⊙ r)` with a seeded random cotangent `r`, so every
/// output element's Jacobian row takes part. `f` must be deterministic (seed any randomness inside it). Use
/// `float64` inputs: `float32` differences are too coarse for the default tolerances.
///
/// - Parameters:
///   - samples: check this many seeded random entries per input instead of all of them.
///   - atol, rtol: an entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
public func checkGradients(
    of f: ([Tensor]) -> Tensor, at inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5,
    rtol: Double = 1e-3, samples: Int? = nil, seed: UInt64 = 0
) -> GradientCheckResult {
    var rng = RandomGenerator(seed: seed)
    let leaves = inputs.map { $0.detached().requiringGrad() }
    let probe = noGrad { f(leaves) }
    let cotangent: Tensor? =
        probe.count == 1 ? nil : Tensor.normal(probe.shape, dtype: probe.dtype, using: &rng)
    func objective(_ xs: [Tensor]) -> Tensor {
        let y = f(xs)
        guard let cotangent else { return y.sum() }
        return (y * cotangent).sum()
    }

    Tape.current.reset()
    let loss = objective(leaves)
    if loss.requiresGrad { loss.backward() }
    let analytic = leaves.map { $0.grad?.scalars ?? [Double](repeating: 0, count: $0.count) }

    var result = GradientCheckResult(
        maxAbsoluteError: 0, maxRelativeError: 0, worstInput: -1, worstIndex: -1, worstAnalytic: 0,
        worstNumeric: 0, checkedCount: 0, passed: true)
    var worstExcess = -Double.infinity
    for (k, input) in inputs.enumerated() {
        let base = input.scalars
        let entries: [Int]
        if let samples, samples < base.count {
            entries = Array(rng.permutation(base.count).prefix(samples)).sorted()
        } else {
            entries = Array(base.indices)
        }
        for j in entries {
            func evaluate(_ delta: Double) -> Double {
                var values = base
                values[j] += delta
                var xs = inputs
                xs[k] = Tensor(values, shape: input.shape, dtype: input.dtype)
                return noGrad { objective(xs).item() }
            }
            let numeric = (evaluate(eps) - evaluate(-eps)) / (2 * eps)
            let a = analytic[k][j]
            let error = Swift.abs(a - numeric)
            let tolerance = atol + rtol * Swift.abs(numeric)
            result.maxAbsoluteError = Swift.max(result.maxAbsoluteError, error)
            result.maxRelativeError = Swift.max(result.maxRelativeError, error / Swift.max(Swift.abs(numeric), 1e-12))
            result.checkedCount += 1
            if !(error <= tolerance) { result.passed = false }
            if error - tolerance > worstExcess || error.isNaN {
                worstExcess = error.isNaN ? .infinity : error - tolerance
                result.worstInput = k
                result.worstIndex = j
                result.worstAnalytic = a
                result.worstNumeric = numeric
            }
        }
    }
    return result
}
