import Models
import Testing

// The closed-form least-squares fit and principal component analysis, on data whose answer is known by hand.

/// Expects every |a − e| ≤ tolerance.
private func expectValues(
    _ actual: Tensor, _ expected: [Double], tolerance: Double = 1e-12, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let values = actual.scalars
    #expect(values.count == expected.count, "\(what): \(values)", sourceLocation: sourceLocation)
    let worst = zip(values, expected).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    #expect(worst <= tolerance, "\(what): \(values), expected \(expected)", sourceLocation: sourceLocation)
}

// MARK: - Least squares

@Test func leastSquaresFitsALineThroughThreePoints() throws {
    // The points (0, 1), (1, 3), (2, 4): the normal equations [[5, 3], [3, 3]] (w, b) = (11, 8) give the slope
    // w = (3·11 − 3·8)/(5·3 − 3·3) = 3/2 and the intercept b = (5·8 − 3·11)/6 = 7/6.
    let x = Tensor([0, 1, 2], shape: [3, 1], dtype: .float64)
    let (weight, bias) = try leastSquares(features: x, targets: Tensor([1, 3, 4], dtype: .float64))
    #expect(weight.shape == [1] && bias?.shape == [])
    expectValues(weight, [1.5], "slope")
    expectValues(bias!, [7.0 / 6], "intercept")
}

@Test func leastSquaresRecoversAnExactLinearMapWithSeveralTargets() throws {
    // Y = X W + b exactly for W = [[2, 0], [−1, 1], [0.5, 3]] and b = (3, −2): the fit gives them back.
    var rng = RandomGenerator(seed: 1)
    let x = Tensor.normal([10, 3], dtype: .float64, using: &rng)
    let w = Tensor([[2, 0], [-1, 1], [0.5, 3]], dtype: .float64), b = Tensor([3, -2], dtype: .float64)
    let (weight, bias) = try leastSquares(features: x, targets: x.matmul(w) + b)
    #expect(weight.shape == [3, 2] && bias?.shape == [2])
    expectValues(weight, w.scalars, tolerance: 1e-12, "weight")
    expectValues(bias!, b.scalars, tolerance: 1e-12, "bias")
    // Without a bias the fit goes through the origin.
    let (throughOrigin, none) = try leastSquares(features: x, targets: x.matmul(w), bias: false)
    #expect(none == nil)
    expectValues(throughOrigin, w.scalars, tolerance: 1e-12, "weight without bias")
}

@Test func leastSquaresWithARepeatedFeatureThrows() {
    // The second feature repeats the first, so the design matrix [X 1] has rank 2 < 3.
    let x = Tensor([[1, 1], [0, 0], [0, 0], [0, 0]], dtype: .float64)
    #expect(throws: LinearAlgebraError.self) {
        try leastSquares(features: x, targets: Tensor([1, 2, 3, 4], dtype: .float64))
    }
}

@Test func leastSquaresIsDifferentiable() {
    var rng = RandomGenerator(seed: 4)
    let inputs = [Tensor.normal([6, 2], dtype: .float64, using: &rng), Tensor.normal([6], dtype: .float64, using: &rng)]
    let result = checkGradients(of: { xs in
        let (weight, bias) = try! leastSquares(features: xs[0], targets: xs[1])
        return Tensor.concatenate([weight, bias!.reshaped([1])])
    }, at: inputs)
    #expect(result.passed, "\(result)")
}

@Test func principalComponentsAreDifferentiable() {
    // The variances and the coordinates along the first component of a cloud with distinct singular values.
    var rng = RandomGenerator(seed: 5)
    let data = Tensor.normal([6, 3], dtype: .float64, using: &rng) * Tensor([3, 1, 0.3], dtype: .float64)
    let result = checkGradients(of: { xs in
        let pca = try! principalComponents(of: xs[0], count: 2)
        return Tensor.concatenate([pca.explainedVariance, pca.project(xs[0]).reshaped([-1])])
    }, at: [data])
    #expect(result.passed, "\(result)")
}

// MARK: - Principal components

@Test func principalComponentsOfPointsOnALine() throws {
    // Five points c + t·d on the line through c = (1, 2) with direction d = (3, 4)/5, t = −2…2: the mean is c, the
    // first component ±d (made positive), its variance Σt²/(N − 1) = 10/4, and all the variance lies along it.
    let t: [Double] = [-2, -1, 0, 1, 2]
    let data = Tensor(t.flatMap { [1 + 0.6 * $0, 2 + 0.8 * $0] }, shape: [5, 2], dtype: .float64)
    let pca = try principalComponents(of: data, count: 1)
    #expect(pca.components.shape == [2, 1])
    expectValues(pca.components, [0.6, 0.8], "component")
    expectValues(pca.mean, [1, 2], "mean")
    expectValues(pca.explainedVariance, [2.5], "variance")
    expectValues(pca.explainedVarianceRatio, [1], "variance ratio")
    expectValues(pca.project(data), t, "coordinates along the line")
    expectValues(pca.reconstruct(pca.project(data)), data.scalars, "reconstruction")
}

@Test func principalComponentsOfAnAxisAlignedCloud() throws {
    // Points spread along x by ±3, along y by ±1 and not at all along z: the components are the x and y axes,
    // with variances (9 + 9)/3 = 6 and (1 + 1)/3 = 2/3 (four points, N − 1 = 3), and no variance is left for z.
    let data = Tensor([[3, 0, 5], [-3, 0, 5], [0, 1, 5], [0, -1, 5]], dtype: .float64)
    let pca = try principalComponents(of: data, count: 2)
    expectValues(pca.components, [1, 0, 0, 1, 0, 0], "components")
    expectValues(pca.explainedVariance, [6, 2.0 / 3], "variances")
    expectValues(pca.explainedVarianceRatio, [0.9, 0.1], "variance ratios")
    expectValues(pca.project(Tensor([[1, 2, 5]], dtype: .float64)), [1, 2], "projection")
}
