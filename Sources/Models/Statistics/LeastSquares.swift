import Autograd
import Ops

/// The linear model fitted in closed form by least squares, like scikit-learn's `LinearRegression`: the weight W
/// and bias b minimizing ‖X W + b − Y‖² over the N samples, solved by QR factorization (`Tensor.lstsq`) of the
/// design matrix [X 1] (or X alone without a bias), which is better conditioned than the normal equations
/// (XᵀX) W = XᵀY.
///
/// Shapes: features X (N, F); targets Y (N) or (N, T). The weight is (F) or (F, T), the bias a scalar () or (T),
/// `nil` when `bias` is false. Differentiable with respect to X and Y (through `lstsq`).
///
/// - Throws: `LinearAlgebraError.rankDeficient` when the columns of the design matrix are linearly dependent
///   (a feature that is constant or repeats another one; N must be at least F, plus 1 with a bias).
public func leastSquares(
    features x: Tensor, targets y: Tensor, bias: Bool = true
) throws(LinearAlgebraError) -> (weight: Tensor, bias: Tensor?) {
    precondition(x.rank == 2, "leastSquares: features must be (N, F), got \(x.shape)")
    precondition(
        (y.rank == 1 || y.rank == 2) && y.shape[0] == x.shape[0],
        "leastSquares: targets \(y.shape) must be (N) or (N, T) with N = \(x.shape[0]) like the features \(x.shape)")
    let (samples, features) = (x.shape[0], x.shape[1])
    let parameters = features + (bias ? 1 : 0)
    precondition(
        samples >= parameters,
        "leastSquares: \(samples) samples cannot determine \(parameters) parameters (\(features) weights"
            + (bias ? " and a bias)" : ")"))
    let design = bias ? Tensor.concatenate([x, Tensor.ones([samples, 1], dtype: x.dtype)], axis: 1) : x  // (N, F+1)
    let solution = try Tensor.lstsq(design, y)  // (F+1) or (F+1, T)
    let weight = solution.sliced(axis: 0, 0..<features)
    guard bias else { return (weight, nil) }
    return (weight, solution[features])
}
