import Ops
import Testing

// Tensor.orthogonal: orthonormal rows or columns for every shape, scaled by the gain, drawn as PyTorch's
// orthogonal_ draws them.

/// The largest |(M Mᵀ or Mᵀ M) − gain²·I| for the rows × cols view of `w`, over its smaller side.
private func orthogonalityError(_ w: Tensor, gain: Double = 1) -> Double {
    let rows = w.shape[0], columns = w.count / rows
    let m = w.reshaped([rows, columns]).converted(to: .float64)
    let gram = rows <= columns
        ? Tensor.matmul(m, m, transposeB: true) : Tensor.matmul(m, m, transposeA: true)  // (min, min)
    let k = Swift.min(rows, columns)
    let target = (gain * gain * Tensor.eye(k, dtype: .float64)).scalars
    return zip(gram.scalars, target).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
}

@Test func orthogonalMatricesHaveOrthonormalRowsOrColumns() {
    var rng = RandomGenerator(seed: 1)
    for shape in [[5, 5], [6, 3], [3, 6], [4, 2, 3, 3], [1, 4], [4, 1]] {
        let w = Tensor.orthogonal(shape, dtype: .float64, using: &rng)
        #expect(w.shape == shape)
        #expect(!w.requiresGrad)
        #expect(orthogonalityError(w) < 1e-12, "orthogonal \(shape)")
    }
    // A square orthogonal matrix: QᵀQ = Q Qᵀ = I.
    let q = Tensor.orthogonal([4, 4], dtype: .float64, using: &rng)
    #expect(orthogonalityError(q.transposed()) < 1e-12)
}

@Test func orthogonalScalesByTheGainInFloat32() {
    var rng = RandomGenerator(seed: 2)
    let w = Tensor.orthogonal([8, 5], gain: 2, using: &rng)
    #expect(w.dtype == .float32)
    #expect(orthogonalityError(w, gain: 2) < 1e-5)  // WᵀW = 4·I
}

@Test func orthogonalIsTheSignCorrectedQOfAGaussianMatrix() {
    // The recipe of torch.nn.init.orthogonal_: the same N(0, 1) draws, transposed when wide, factored, Q's columns
    // multiplied by the signs of R's diagonal, transposed back; the result has the seeded generator's draws.
    for shape in [[4, 3], [3, 4]] {
        var rng = RandomGenerator(seed: 3)
        let w = Tensor.orthogonal(shape, dtype: .float64, using: &rng)
        var again = RandomGenerator(seed: 3)
        var gaussian = Tensor.normal(shape, dtype: .float64, using: &again)
        if shape[0] < shape[1] { gaussian = gaussian.transposed() }
        let (q, r) = gaussian.qr()
        let signs = r.diagonal().scalars.map { $0 < 0 ? -1.0 : 1.0 }
        var expected = q * Tensor(signs, dtype: .float64)
        if shape[0] < shape[1] { expected = expected.transposed() }
        #expect(w.scalars == expected.scalars, "orthogonal \(shape)")
        #expect(rng == again, "orthogonal \(shape) draws exactly rows × cols normals")
    }
}

@Test func orthogonalOfAVectorShapeIsRejected() async {
    // A programmer error: the exit test runs the body in a child process.
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        var rng = RandomGenerator(seed: 0)
        _ = Tensor.orthogonal([5], using: &rng)
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("orthogonal: shape [5] has 1 dimension(s); an orthogonal matrix needs at least 2"))
}
