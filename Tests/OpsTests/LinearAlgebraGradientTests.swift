import Ops
import TestSupport
import Testing

// The linear-algebra ops against central finite differences in float64. The random N(0, 1) inputs are mapped to
// the matrices each op needs inside the function under test (so the gradient flows through the mapping): A + n·I
// for an invertible A, X Xᵀ + n·I for a positive-definite one, X + Xᵀ for a symmetric one. Eigenvectors and
// singular vectors are checked as they come from LAPACK, and also through sign-invariant functions (their squares,
// U diag(w) Vᵀ), as PyTorch's OpInfo tests do.

/// n·I for the n × n matrices of `a`.
func scaledIdentity(like a: Tensor) -> Tensor {
    let n = a.shape[a.rank - 1]
    return Double(n) * Tensor.eye(n, dtype: a.dtype)
}

/// A + n·I: invertible and well conditioned for the N(0, 1) draws of the tests.
func shiftedDiagonal(_ a: Tensor) -> Tensor { a + scaledIdentity(like: a) }

/// X Xᵀ + n·I: symmetric positive definite.
func positiveDefinite(_ x: Tensor) -> Tensor { x.matmul(x.transposed()) + scaledIdentity(like: x) }

/// X + Xᵀ: symmetric, with distinct eigenvalues for N(0, 1) draws.
func symmetrized(_ x: Tensor) -> Tensor { x + x.transposed() }

/// The outputs flattened and joined into one vector, so one random cotangent covers all of them.
func joined(_ outputs: Tensor...) -> Tensor { Tensor.concatenate(outputs.map { $0.reshaped([-1]) }) }

let linearAlgebraGradientCases: [GradientCase] = [
    // Matrix parts.
    GradientCase("diagonal (2, 3, 4)", [[2, 3, 4]]) { $0[0].diagonal() },
    GradientCase("diagEmbed (2, 3)", [[2, 3]]) { Tensor.diagEmbed($0[0]) },
    GradientCase("tril below the diagonal, (3, 4)", [[3, 4]]) { $0[0].tril(diagonal: -1) },
    GradientCase("triu from the first superdiagonal, (2, 4, 3)", [[2, 4, 3]]) { $0[0].triu(diagonal: 1) },
    // Linear systems.
    GradientCase("solve (3, 3) · X = (3, 2)", [[3, 3], [3, 2]]) {
        try! Tensor.solve(shiftedDiagonal($0[0]), $0[1])
    },
    GradientCase("solve batched, vector right-hand side (2, 3, 3), (2, 3)", [[2, 3, 3], [2, 3]]) {
        try! Tensor.solve(shiftedDiagonal($0[0]), $0[1])
    },
    GradientCase("solve broadcasting batches (2, 1, 3, 3), (4, 3, 2)", [[2, 1, 3, 3], [4, 3, 2]]) {
        try! Tensor.solve(shiftedDiagonal($0[0]), $0[1])
    },
    GradientCase("solve with A on both sides, A X = A²", [[4, 4]]) {
        let a = shiftedDiagonal($0[0])
        return try! Tensor.solve(a, a.matmul(a)).tanh()
    },
    GradientCase("inv (3, 3)", [[3, 3]]) { try! shiftedDiagonal($0[0]).inv() },
    GradientCase("inv batched (2, 4, 4)", [[2, 4, 4]]) { try! shiftedDiagonal($0[0]).inv() },
    GradientCase("lstsq (5, 3), (5, 2)", [[5, 3], [5, 2]]) { try! Tensor.lstsq($0[0], $0[1]) },
    GradientCase("lstsq square (3, 3), vector (3)", [[3, 3], [3]]) {
        try! Tensor.lstsq(shiftedDiagonal($0[0]), $0[1])
    },
    GradientCase("lstsq batched, broadcasting (2, 6, 2), (6, 3)", [[2, 6, 2], [6, 3]]) {
        try! Tensor.lstsq($0[0], $0[1])
    },
    // Determinants.
    GradientCase("det (3, 3)", [[3, 3]]) { $0[0].det() },
    GradientCase("det batched (2, 4, 4)", [[2, 4, 4]]) { $0[0].det() },
    GradientCase("det (1, 1)", [[1, 1]]) { $0[0].det() },
    GradientCase("slogdet log|det| (3, 3)", [[3, 3]]) { $0[0].slogdet().logAbsDet },
    GradientCase("slogdet log|det| batched, times the sign (2, 4, 4)", [[2, 4, 4]]) {
        let (sign, logAbsDet) = $0[0].slogdet()
        return sign * logAbsDet
    },
    // Factorizations.
    GradientCase("cholesky (3, 3)", [[3, 3]]) { try! positiveDefinite($0[0]).cholesky() },
    GradientCase("cholesky batched (2, 4, 4)", [[2, 4, 4]]) { try! positiveDefinite($0[0]).cholesky() },
    GradientCase("qr square (3, 3)", [[3, 3]]) {
        let (q, r) = $0[0].qr()
        return joined(q, r)
    },
    GradientCase("qr tall (5, 3), batched (2, 5, 3)", [[2, 5, 3]]) {
        let (q, r) = $0[0].qr()
        return joined(q, r)
    },
    GradientCase("qr wide (3, 5)", [[3, 5]]) {
        let (q, r) = $0[0].qr()
        return joined(q, r)
    },
    GradientCase("qr tall (4, 2), Q only", [[4, 2]]) { $0[0].qr().q },
    GradientCase("qr wide (2, 4), R only", [[2, 4]]) { $0[0].qr().r },
    // Spectral decompositions.
    GradientCase("eigh eigenvalues (4, 4)", [[4, 4]]) { try! symmetrized($0[0]).eigh().values },
    GradientCase("eigh eigenvalues and eigenvectors (3, 3)", [[3, 3]]) {
        let (values, vectors) = try! symmetrized($0[0]).eigh()
        return joined(values, vectors)
    },
    GradientCase("eigh batched, eigenvalues and squared eigenvectors (2, 4, 4)", [[2, 4, 4]]) {
        let (values, vectors) = try! symmetrized($0[0]).eigh()
        return joined(values, vectors * vectors)
    },
    GradientCase("eigh reconstruction V diag(λ²) Vᵀ (3, 3)", [[3, 3]]) {
        let (values, vectors) = try! symmetrized($0[0]).eigh()
        return Tensor.matmul(vectors * (values * values).unsqueezed(axis: -2), vectors, transposeB: true)
    },
    GradientCase("svd singular values (3, 4)", [[3, 4]]) { try! $0[0].svd().s },
    GradientCase("svd square (3, 3)", [[3, 3]]) {
        let (u, s, vh) = try! $0[0].svd()
        return joined(u, s, vh)
    },
    GradientCase("svd tall (5, 3)", [[5, 3]]) {
        let (u, s, vh) = try! $0[0].svd()
        return joined(u, s, vh)
    },
    GradientCase("svd wide (2, 4)", [[2, 4]]) {
        let (u, s, vh) = try! $0[0].svd()
        return joined(u, s, vh)
    },
    GradientCase("svd batched, U diag(w) Vᵀ for fixed w (2, 4, 3)", [[2, 4, 3]]) {
        let (u, _, vh) = try! $0[0].svd()
        let w = Tensor([1, -2, 0.5], dtype: .float64)
        return (u * w).matmul(vh)
    },
    GradientCase("svd squared singular vectors, U only (4, 2)", [[4, 2]]) {
        let u = try! $0[0].svd().u
        return u * u
    },
    GradientCase("svd squared singular vectors, Vᵀ only (2, 4)", [[2, 4]]) {
        let vh = try! $0[0].svd().vh
        return vh * vh
    },
]

@Test("linear algebra gradients (float64)", arguments: linearAlgebraGradientCases)
func linearAlgebraGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 23))
    #expect(result.passed, "\(c.name): \(result)")
    #expect(result.checkedCount == c.shapes.reduce(0) { $0 + $1.reduce(1, *) })
}

// MARK: - Hand-written backward against compositions

@Test func invMatchesSolveWithTheIdentity() {
    expectFusedMatchesComposed(
        { try! shiftedDiagonal($0[0]).inv() },
        { try! Tensor.solve(shiftedDiagonal($0[0]), Tensor.eye(3, dtype: .float64).expanded(to: [2, 3, 3])) },
        at: normalInputs([[2, 3, 3]], seed: 31), tolerance: 1e-10, "inv")
}

@Test func lstsqMatchesTheNormalEquations() {
    expectFusedMatchesComposed(
        { try! Tensor.lstsq($0[0], $0[1]) },
        {
            let normal = Tensor.matmul($0[0], $0[0], transposeA: true)  // AᵀA
            return try! Tensor.solve(normal, Tensor.matmul($0[0], $0[1], transposeA: true))
        },
        at: normalInputs([[6, 3], [6, 2]], seed: 32), tolerance: 1e-9, "lstsq")
}

@Test func slogdetMatchesTheLogarithmOfDet() {
    expectFusedMatchesComposed(
        { $0[0].slogdet().logAbsDet },
        { $0[0].det().abs().log() },
        at: normalInputs([[3, 4, 4]], seed: 33), tolerance: 1e-10, "slogdet")
}

@Test func choleskyOfASymmetricMatrixMatchesItsEigendecomposition() {
    // log det A = 2 Σ log L_ii = Σ log λ_i: the gradients of the two must agree for a symmetric positive-definite A.
    expectFusedMatchesComposed(
        { 2 * (try! positiveDefinite($0[0]).cholesky()).diagonal().log().sum(axis: -1) },
        { (try! positiveDefinite($0[0]).eigh()).values.log().sum(axis: -1) },
        at: normalInputs([[2, 4, 4]], seed: 34), tolerance: 1e-9, "cholesky log det")
}

@Test func detGradientAtASingularMatrixIsTheCofactorMatrix() {
    // A has rank 2 and an exactly zero pivot: its cofactors (computed by hand from the 2 × 2 minors) are
    // [[4, 4, −4], [−2, −2, 2], [0, 0, 0]].
    let a = Tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]], dtype: .float64).requiringGrad()
    let det = a.det()
    #expect(det.item() == 0)
    det.backward()
    expectScalars(a.grad!.scalars, approximately: [4, 4, -4, -2, -2, 2, 0, 0, 0], tolerance: 1e-12, "cof(A)")
    let result = checkGradients(of: { $0[0].det() }, at: [a.detached()])
    #expect(result.passed, "det at a singular matrix: \(result)")
    // Rank 1 (exact zero pivots again): every 2 × 2 minor vanishes, and so does the gradient.
    let rankOne = Tensor([[1, 2, 3], [2, 4, 6], [4, 8, 12]], dtype: .float64)
    let flat = checkGradients(of: { $0[0].det() }, at: [rankOne])
    #expect(flat.passed, "det at a rank-1 matrix: \(flat)")
}

@Test func detGradientOfA2x2MatrixIsItsCofactorMatrix() {
    // d det [[a, b], [c, d]] = [[d, −c], [−b, a]].
    let a = Tensor([[1, 2], [3, 4]], dtype: .float64).requiringGrad()
    a.det().backward()
    expectScalars(a.grad!.scalars, approximately: [4, -3, -2, 1], tolerance: 1e-14, "d det")
}
