import Autograd
import Ops

/// Principal component analysis of a data matrix, like scikit-learn's `PCA(n_components: k)`: the k orthogonal
/// directions along which the data varies most, from the SVD of the centred data X − μ = U diag(s) Vᵀ
/// (Jolliffe & Cadima 2016, "Principal component analysis: a review and recent developments",
/// https://doi.org/10.1098/rsta.2015.0202). The components are the first k right singular vectors and the
/// variance along component i is s_i² / (N − 1).
///
/// Each component is determined up to its sign; the sign is chosen so that its entry of largest magnitude is
/// positive, which makes the result deterministic.
public struct PrincipalComponents {
    /// The principal axes, one unit vector per column, by decreasing variance: (F, k).
    public let components: Tensor
    /// The mean μ of the data, subtracted before projecting: (F).
    public let mean: Tensor
    /// The variance of the data along each component (unbiased, N − 1 in the denominator), decreasing: (k).
    public let explainedVariance: Tensor
    /// Each component's share of the total variance of the data: (k), summing to at most 1.
    public let explainedVarianceRatio: Tensor

    /// The coordinates of `data` (M, F) along the components, (x − μ) · components: (M, k).
    public func project(_ data: Tensor) -> Tensor {
        precondition(
            data.rank == 2 && data.shape[1] == mean.shape[0],
            "PrincipalComponents.project: data must be (M, \(mean.shape[0])), got \(data.shape)")
        return (data - mean).matmul(components)
    }

    /// The points (M, F) that coordinates (M, k) stand for, z · componentsᵀ + μ: the inverse of `project` on the
    /// span of the components.
    public func reconstruct(_ coordinates: Tensor) -> Tensor {
        precondition(
            coordinates.rank == 2 && coordinates.shape[1] == components.shape[1],
            "PrincipalComponents.reconstruct: coordinates must be (M, \(components.shape[1])), got "
                + "\(coordinates.shape)")
        return Tensor.matmul(coordinates, components, transposeB: true) + mean
    }
}

/// The first `count` principal components of `data` (N, F), N ≥ 2 samples of F features; see
/// `PrincipalComponents`. Differentiable with respect to the data through `svd` while the leading singular values
/// are distinct.
///
/// - Throws: `LinearAlgebraError.noConvergence` when the SVD does not converge.
public func principalComponents(of data: Tensor, count k: Int) throws(LinearAlgebraError) -> PrincipalComponents {
    precondition(data.rank == 2, "principalComponents: data must be (N, F), got \(data.shape)")
    let (samples, features) = (data.shape[0], data.shape[1])
    precondition(samples >= 2, "principalComponents: data \(data.shape) needs at least 2 samples")
    precondition(
        k >= 1 && k <= Swift.min(samples, features),
        "principalComponents: count \(k) must be in 1...\(Swift.min(samples, features)) for data \(data.shape)")
    let mean = data.mean(axis: 0)  // (F)
    let (_, s, vh) = try (data - mean).svd()  // s (min(N, F)), vh (min(N, F), F)
    let axes = vh.sliced(axis: 0, 0..<k)  // (k, F)
    // The sign that makes each axis's entry of largest magnitude positive (a constant, not differentiated).
    let signs = noGrad {
        let values = axes.scalars
        return Tensor.generate([k, 1], dtype: data.dtype) { i in
            let row = values[(i * features)..<((i + 1) * features)]
            let largest = row.max { Swift.abs($0) < Swift.abs($1) } ?? 0
            return largest < 0 ? -1 : 1
        }
    }
    let squares = s * s
    let leading = squares.sliced(axis: 0, 0..<k)
    return PrincipalComponents(
        components: (axes * signs).transposed(), mean: mean, explainedVariance: leading / Double(samples - 1),
        explainedVarianceRatio: leading / squares.sum())
}
