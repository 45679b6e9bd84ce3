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

    /// An empty result, before any entry is compared.
    static var empty: GradientCheckResult {
        GradientCheckResult(
            maxAbsoluteError: 0, maxRelativeError: 0, worstInput: -1, worstIndex: -1, worstAnalytic: 0,
            worstNumeric: 0, checkedCount: 0, passed: true)
    }

    /// By how much the worst entry so far exceeds its tolerance.
    private var worstExcess = -Double.infinity

    /// Compares one entry and updates the maxima and the worst entry.
    mutating func record(input: Int, index: Int, analytic a: Double, numeric: Double, atol: Double, rtol: Double) {
        let error = Swift.abs(a - numeric)
        let tolerance = atol + rtol * Swift.abs(numeric)
        maxAbsoluteError = Swift.max(maxAbsoluteError, error)
        maxRelativeError = Swift.max(maxRelativeError, error / Swift.max(Swift.abs(numeric), 1e-12))
        checkedCount += 1
        if !(error <= tolerance) { passed = false }
        let excess = error.isNaN ? Double.infinity : error - tolerance
        if excess > worstExcess {
            worstExcess = excess
            worstInput = input
            worstIndex = index
            worstAnalytic = a
            worstNumeric = numeric
        }
    }

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

    var result = GradientCheckResult.empty
    for (k, input) in inputs.enumerated() {
        let base = input.scalars
        let entries = sampledEntries(base.count, samples, &rng)
        for j in entries {
            func evaluate(_ delta: Double) -> Double {
                var values = base
                values[j] += delta
                var xs = inputs
                xs[k] = Tensor(values, shape: input.shape, dtype: input.dtype)
                return noGrad { objective(xs).item() }
            }
            let numeric = (evaluate(eps) - evaluate(-eps)) / (2 * eps)
            result.record(input: k, index: j, analytic: analytic[k][j], numeric: numeric, atol: atol, rtol: rtol)
        }
    }
    return result
}

/// Checks the gradients of a scalar `loss` with respect to `parameters` (leaves with `requiresGrad`) against
/// central finite differences, perturbing the parameters in place and restoring them: a course's
/// `--check_gradient` for a whole model. `loss` must be deterministic (seed dropout inside it).
///
/// - Parameters:
///   - samples: check this many seeded random entries per parameter instead of all of them.
public func checkGradients(
    parameters: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3, samples: Int? = nil,
    seed: UInt64 = 0, loss: () -> Tensor
) -> GradientCheckResult {
    precondition(
        parameters.allSatisfy { $0.isLeaf && $0.requiresGrad },
        "checkGradients: parameters must be leaves with requiresGrad")
    var rng = RandomGenerator(seed: seed)
    for p in parameters { p.zeroGrad() }
    Tape.current.reset()
    let value = loss()
    precondition(value.count == 1, "checkGradients: loss must be a scalar, got shape \(value.shape)")
    value.backward()
    let analytic = parameters.map { $0.grad?.scalars ?? [Double](repeating: 0, count: $0.count) }
    for p in parameters { p.zeroGrad() }

    var result = GradientCheckResult.empty
    for (k, p) in parameters.enumerated() {
        let entries = sampledEntries(p.count, samples, &rng)
        for j in entries {
            let original = p.scalar(atFlat: j)
            func evaluate(_ delta: Double) -> Double {
                p.setScalar(atFlat: j, original + delta)
                defer { p.setScalar(atFlat: j, original) }
                return noGrad { loss().item() }
            }
            let numeric = (evaluate(eps) - evaluate(-eps)) / (2 * eps)
            result.record(input: k, index: j, analytic: analytic[k][j], numeric: numeric, atol: atol, rtol: rtol)
        }
    }
    return result
}

/// All flat indices below `count`, or `samples` of them drawn without replacement, in increasing order.
private func sampledEntries(_ count: Int, _ samples: Int?, _ rng: inout RandomGenerator) -> [Int] {
    guard let samples, samples < count else { return Array(0..<count) }
    return Array(rng.permutation(count).prefix(samples)).sorted()
}
