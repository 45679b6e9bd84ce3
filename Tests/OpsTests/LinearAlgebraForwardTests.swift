import Foundation
import Ops
import Testing

// Forward values of the linear-algebra ops on small hand-computed examples, the defining identities on random
// batches, batches against one matrix at a time, and float32 against float64.

private func matrix(_ rows: [[Double]]) -> Tensor { Tensor(rows, dtype: .float64) }

// MARK: - Hand-computed examples

@Test func solveOfA2x2System() throws {
    // 2x + y = 3 and x + 3y = 5: det 5, x = (3·3 − 1·5)/5 = 4/5, y = (2·5 − 3·1)/5 = 7/5.
    let x = try Tensor.solve(matrix([[2, 1], [1, 3]]), Tensor([3, 5], dtype: .float64))
    #expect(x.shape == [2])
    expectScalars(x.scalars, approximately: [0.8, 1.4], tolerance: 1e-15, "solve 2×2")
    // Two right-hand sides at once: the columns (3, 5) and (1, 0), whose solution is (3/5, −1/5).
    let xs = try Tensor.solve(matrix([[2, 1], [1, 3]]), matrix([[3, 1], [5, 0]]))
    expectScalars(xs.scalars, approximately: [0.8, 0.6, 1.4, -0.2], tolerance: 1e-15, "solve 2×2, two columns")
}

@Test func invOfA2x2Matrix() throws {
    // [[4, 7], [2, 6]]⁻¹ = [[6, −7], [−2, 4]] / (4·6 − 7·2).
    let inverse = try matrix([[4, 7], [2, 6]]).inv()
    expectScalars(inverse.scalars, approximately: [0.6, -0.7, -0.2, 0.4], tolerance: 1e-15, "inv 2×2")
}

@Test func detAndSlogdetOfKnownMatrices() {
    // Cofactor expansion along the first row: 1·(50 − 48) − 2·(40 − 42) + 3·(32 − 35) = −3.
    let a = matrix([[1, 2, 3], [4, 5, 6], [7, 8, 10]])
    expectScalars([a.det().item()], approximately: [-3], tolerance: 1e-14, "det 3×3")
    let (sign, logAbsDet) = a.slogdet()
    #expect(sign.item() == -1)
    expectScalars([logAbsDet.item()], approximately: [log(3.0)], tolerance: 1e-14, "slogdet 3×3")
    // A batch: det [[1, 2], [3, 4]] = −2, det diag(2, 3) = 6.
    let batch = Tensor([1, 2, 3, 4, 2, 0, 0, 3], shape: [2, 2, 2], dtype: .float64)
    #expect(batch.det().shape == [2])
    expectScalars(batch.det().scalars, approximately: [-2, 6], tolerance: 1e-15, "det batch")
    expectScalars(batch.slogdet().logAbsDet.scalars, approximately: [log(2.0), log(6.0)], tolerance: 1e-15)
    #expect(batch.slogdet().sign.scalars == [-1, 1])
}

@Test func detOfASingularMatrixIsZeroWithoutAnError() {
    // The second row is twice the first: the LU factorization has an exactly zero pivot.
    let singular = matrix([[1, 2], [2, 4]])
    #expect(singular.det().item() == 0)
    let (sign, logAbsDet) = singular.slogdet()
    #expect(sign.item() == 0)
    #expect(logAbsDet.item() == -.infinity)
    #expect(Tensor.zeros([0, 0], dtype: .float64).det().item() == 1)  // the empty product
}

@Test func choleskyOfKnownMatrices() throws {
    // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]].
    let l = try matrix([[4, 2], [2, 3]]).cholesky()
    expectScalars(l.scalars, approximately: [2, 0, 1, 2.0.squareRoot()], tolerance: 1e-15, "cholesky 2×2")
    // The classic 3×3 example: L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]].
    let l3 = try matrix([[4, 12, -16], [12, 37, -43], [-16, -43, 98]]).cholesky()
    expectScalars(l3.scalars, approximately: [2, 0, 0, 6, 1, 0, -8, 5, 3], tolerance: 1e-14, "cholesky 3×3")
    // Only the lower triangle is read.
    let fromLower = try matrix([[4, 999], [2, 3]]).cholesky()
    #expect(fromLower.scalars == l.scalars)
}

@Test func qrOfA2x2Matrix() {
    // Gram–Schmidt on the columns (3, 4) and (1, 2): q₁ = (3, 4)/5, r₁₂ = q₁·(1, 2) = 11/5, and
    // (1, 2) − 11/5·q₁ = (−8, 6)/25 has length 2/5, so q₂ = (−4, 3)/5: Q = [[0.6, −0.8], [0.8, 0.6]],
    // R = [[5, 2.2], [0, 0.4]], up to the signs of R's rows (LAPACK's convention), which are normalized here.
    let (q, r) = matrix([[3, 1], [4, 2]]).qr()
    let signs = r.diagonal().scalars.map { $0 < 0 ? -1.0 : 1.0 }
    let qs = q.scalars, rs = r.scalars
    let normalizedQ = [qs[0] * signs[0], qs[1] * signs[1], qs[2] * signs[0], qs[3] * signs[1]]
    let normalizedR = [rs[0] * signs[0], rs[1] * signs[0], rs[2] * signs[1], rs[3] * signs[1]]
    expectScalars(normalizedQ, approximately: [0.6, -0.8, 0.8, 0.6], tolerance: 1e-15, "Q")
    expectScalars(normalizedR, approximately: [5, 2.2, 0, 0.4], tolerance: 1e-15, "R")
}

@Test func eighOfASymmetric2x2Matrix() throws {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
    let (values, vectors) = try matrix([[2, 1], [1, 2]]).eigh()
    expectScalars(values.scalars, approximately: [1, 3], tolerance: 1e-15, "eigenvalues")
    let v = vectors.scalars, h = 0.5.squareRoot()
    // Column 0 is ±(1, −1)/√2, column 1 ±(1, 1)/√2.
    expectScalars(v.map(Swift.abs), approximately: [h, h, h, h], tolerance: 1e-15, "|eigenvectors|")
    #expect(v[0] * v[2] < 0 && v[1] * v[3] > 0)
    // A diagonal matrix gives its diagonal, sorted.
    let (sorted, _) = try matrix([[5, 0, 0], [0, -1, 0], [0, 0, 2]]).eigh()
    #expect(sorted.scalars == [-1, 2, 5])
}

@Test func svdOfA2x2Matrix() throws {
    // A = [[3, 0], [4, 5]]: AᵀA = [[25, 20], [20, 25]] has eigenvalues 45 and 5, so S = (3√5, √5).
    let a = matrix([[3, 0], [4, 5]])
    let (u, s, vh) = try a.svd()
    expectScalars(s.scalars, approximately: [3 * 5.0.squareRoot(), 5.0.squareRoot()], tolerance: 1e-15, "S")
    let reconstructed = (u * s.unsqueezed(axis: -2)).matmul(vh)
    expectScalars(reconstructed.scalars, approximately: a.scalars, tolerance: 1e-14, "U diag(S) Vᵀ")
}

@Test func lstsqFitsALineThroughThreePoints() throws {
    // The points (0, 1), (1, 3), (2, 4): the normal equations [[3, 3], [3, 5]] (c, m) = (8, 11) give the
    // intercept c = 7/6 and the slope m = 3/2.
    let a = matrix([[1, 0], [1, 1], [1, 2]])
    let x = try Tensor.lstsq(a, Tensor([1, 3, 4], dtype: .float64))
    #expect(x.shape == [2])
    expectScalars(x.scalars, approximately: [7.0 / 6, 1.5], tolerance: 1e-14, "intercept and slope")
}

@Test func matrixPartsOfA2x3Matrix() {
    let x = matrix([[1, 2, 3], [4, 5, 6]])
    #expect(x.diagonal().scalars == [1, 5])
    #expect(x.tril().scalars == [1, 0, 0, 4, 5, 0])
    #expect(x.triu(diagonal: 1).scalars == [0, 2, 3, 0, 0, 6])
    #expect(Tensor.diagEmbed(Tensor([1, 2], dtype: .float64)).scalars == [1, 0, 0, 2])
    #expect(Tensor.eye(3).scalars == [1, 0, 0, 0, 1, 0, 0, 0, 1])
}

// MARK: - Identities on random batches

/// Random float64 (…, m, n) matrices from N(0, 1).
private func randomMatrices(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.normal(shape, dtype: .float64, using: &rng)
}

/// The largest |x − y| over the elements.
private func maxDifference(_ x: Tensor, _ y: Tensor) -> Double {
    #expect(x.shape == y.shape)
    return zip(x.scalars, y.scalars).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
}

@Test func decompositionsReconstructTheirInputs() throws {
    let square = randomMatrices([2, 3, 4, 4], seed: 1)
    let a = shiftedDiagonal(square)
    #expect(maxDifference(a.matmul(try Tensor.solve(a, square)), square) < 1e-12)
    #expect(maxDifference(a.matmul(try a.inv()), Tensor.eye(4, dtype: .float64).expanded(to: a.shape)) < 1e-12)
    let spd = positiveDefinite(square)
    let l = try spd.cholesky()
    #expect(maxDifference(l.matmul(l.transposed()), spd) < 1e-12)
    #expect(maxDifference(l.triu(diagonal: 1), Tensor.zeros(l.shape, dtype: .float64)) == 0)
    let symmetric = symmetrized(square)
    let (values, vectors) = try symmetric.eigh()
    let rebuilt = Tensor.matmul(vectors * values.unsqueezed(axis: -2), vectors, transposeB: true)
    #expect(maxDifference(rebuilt, symmetric) < 1e-12)
    for shape in [[2, 5, 3], [3, 3], [2, 3, 5]] {
        let x = randomMatrices(shape, seed: 2)
        let k = Swift.min(shape[shape.count - 2], shape[shape.count - 1])
        let identity = Tensor.eye(k, dtype: .float64)
        let (q, r) = x.qr()
        #expect(maxDifference(q.matmul(r), x) < 1e-12, "QR of \(shape)")
        let batchIdentity = identity.expanded(to: Array(r.shape.dropLast()) + [k])
        #expect(maxDifference(Tensor.matmul(q, q, transposeA: true), batchIdentity) < 1e-12, "QᵀQ of \(shape)")
        #expect(maxDifference(r.tril(diagonal: -1), Tensor.zeros(r.shape, dtype: .float64)) == 0)
        let (u, s, vh) = try x.svd()
        #expect(maxDifference((u * s.unsqueezed(axis: -2)).matmul(vh), x) < 1e-12, "SVD of \(shape)")
        #expect(s.scalars.allSatisfy { $0 >= 0 })
    }
}

@Test func lstsqResidualIsOrthogonalToTheColumns() throws {
    // The least-squares residual r = B − A X satisfies the normal equations Aᵀ r = 0.
    let a = randomMatrices([3, 7, 3], seed: 3), b = randomMatrices([3, 7, 2], seed: 4)
    let x = try Tensor.lstsq(a, b)
    #expect(x.shape == [3, 3, 2])
    let normal = Tensor.matmul(a, b - a.matmul(x), transposeA: true)
    #expect(maxDifference(normal, Tensor.zeros(normal.shape, dtype: .float64)) < 1e-12)
}

@Test func batchedOpsEqualOneMatrixAtATime() throws {
    let x = randomMatrices([3, 4, 4], seed: 5)
    let a = shiftedDiagonal(x), b = randomMatrices([3, 4, 2], seed: 6)
    let spd = positiveDefinite(x), symmetric = symmetrized(x)
    let solved = try Tensor.solve(a, b), inverse = try a.inv(), det = a.det(), logAbsDet = a.slogdet().logAbsDet
    let l = try spd.cholesky(), values = try symmetric.eigh().values, s = try x.svd().s, r = x.qr().r
    for i in 0..<3 {
        #expect(try Tensor.solve(a[i], b[i]).scalars == solved[i].scalars)
        #expect(try a[i].inv().scalars == inverse[i].scalars)
        #expect(a[i].det().scalars == det[i].scalars)
        #expect(a[i].slogdet().logAbsDet.scalars == logAbsDet[i].scalars)
        #expect(try spd[i].cholesky().scalars == l[i].scalars)
        #expect(try symmetric[i].eigh().values.scalars == values[i].scalars)
        #expect(try x[i].svd().s.scalars == s[i].scalars)
        #expect(x[i].qr().r.scalars == r[i].scalars)
    }
}

@Test func solveBroadcastsBatchAxes() throws {
    // One A for four right-hand sides, and four vectors for one A.
    let a = shiftedDiagonal(randomMatrices([3, 3], seed: 7)), b = randomMatrices([4, 3, 2], seed: 8)
    let x = try Tensor.solve(a, b)
    #expect(x.shape == [4, 3, 2])
    for i in 0..<4 { #expect(maxDifference(x[i], try Tensor.solve(a, b[i])) < 1e-15) }
    let vectors = randomMatrices([4, 3, 1], seed: 9).reshaped([4, 3])
    #expect(try Tensor.solve(a.expanded(to: [4, 3, 3]), vectors).shape == [4, 3])
}

// MARK: - Float32 against float64

@Test func float32AgreesWithFloat64() throws {
    let square = randomMatrices([2, 4, 4], seed: 10), columns = randomMatrices([2, 4, 3], seed: 11)
    let tall = randomMatrices([2, 6, 3], seed: 12), targets = randomMatrices([2, 6, 2], seed: 13)
    func agree(_ inputs: [Tensor], _ what: String, _ f: ([Tensor]) throws -> Tensor) throws {
        let wide = try f(inputs), narrow = try f(inputs.map { $0.converted(to: .float32) })
        #expect(narrow.dtype == .float32, "\(what)")
        expectScalars(narrow.scalars, approximately: wide.scalars, tolerance: 1e-4, "\(what) float32")
    }
    try agree([square, columns], "solve") { try Tensor.solve(shiftedDiagonal($0[0]), $0[1]) }
    try agree([square], "inv") { try shiftedDiagonal($0[0]).inv() }
    try agree([tall, targets], "lstsq") { try Tensor.lstsq($0[0], $0[1]) }
    try agree([square], "det") { $0[0].det() }
    try agree([square], "slogdet") { $0[0].slogdet().logAbsDet }
    try agree([square], "cholesky") { try positiveDefinite($0[0]).cholesky() }
    // Vectors are compared without their signs, which the two precisions may choose differently.
    try agree([tall], "qr Q") { $0[0].qr().q.abs() }
    try agree([tall], "qr R") { $0[0].qr().r.abs() }
    try agree([square], "eigh values") { try symmetrized($0[0]).eigh().values }
    try agree([square], "eigh vectors") { try symmetrized($0[0]).eigh().vectors.abs() }
    try agree([tall], "svd S") { try $0[0].svd().s }
    try agree([tall], "svd U") { try $0[0].svd().u.abs() }
    try agree([tall], "svd Vᵀ") { try $0[0].svd().vh.abs() }
}
