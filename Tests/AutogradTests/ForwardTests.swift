import Testing
@testable import Autograd

// Forward values checked against small hand-computed examples.

@Test func broadcastingAddsARowToEveryRow() {
    let x = Tensor([[1, 2, 3], [4, 5, 6]])
    let b = Tensor([10, 20, 30] as [Double])
    #expect((x + b).scalars == [11, 22, 33, 14, 25, 36])
    #expect((x + b).shape == [2, 3])
}

@Test func broadcastingARowOnEitherSideKeepsTheOrderOfOperands() {
    // Small tensors take the row-at-a-time path; the leading size-1 axis of (1, 3) is not a row axis.
    let x = Tensor([[1, 2, 3], [4, 5, 6]])
    let row = Tensor([10, 20, 30], shape: [1, 3])
    #expect((row - x).scalars == [9, 18, 27, 6, 15, 24])
    #expect((x - row).scalars == [-9, -18, -27, -6, -15, -24])
    #expect((Tensor([1, 2] as [Double]) / Tensor([1, 2, 4, 8], shape: [2, 1, 2])).scalars == [1, 1, 0.25, 0.25])
    // (2, 1) against (2, 3) is a column, not a row: the general broadcast.
    #expect((x + Tensor([100, 200], shape: [2, 1])).scalars == [101, 102, 103, 204, 205, 206])
}

@Test func broadcastingColumnTimesRowIsAnOuterProduct() {
    let column = Tensor([1, 2], shape: [2, 1])
    let row = Tensor([3, 4, 5], shape: [1, 3])
    #expect((column * row).scalars == [3, 4, 5, 6, 8, 10])
}

@Test func scalarArithmetic() {
    let x = Tensor([1, 2, 4] as [Double])
    #expect((2 * x + 1).scalars == [3, 5, 9])
    #expect((1 - x).scalars == [0, -1, -3])
    #expect((x / 2).scalars == [0.5, 1, 2])
    #expect((4 / x).scalars == [4, 2, 1])
    #expect((-x).scalars == [-1, -2, -4])
}

@Test func matmulOfTwoMatrices() {
    let a = Tensor([[1, 2], [3, 4], [5, 6]])
    let b = Tensor([[7, 8, 9], [10, 11, 12]])
    // [1·7+2·10, 1·8+2·11, 1·9+2·12], …
    #expect(a.matmul(b).scalars == [27, 30, 33, 61, 68, 75, 95, 106, 117])
    #expect(a.matmul(b).shape == [3, 3])
}

@Test func matmulTransposeFlagsEqualExplicitTransposes() {
    let a = Tensor([[1, 2, 3], [4, 5, 6]])  // (2, 3)
    let b = Tensor([[1, 0, 2], [0, 1, 3]])  // (2, 3)
    // A·Bᵀ = [[1+6, 2+9], [4+12, 5+18]]
    #expect(Tensor.matmul(a, b, transposeB: true).scalars == [7, 11, 16, 23])
    // Aᵀ·B = (3, 3)
    #expect(Tensor.matmul(a, b, transposeA: true).scalars == a.transposed().matmul(b).scalars)
    let c = Tensor([[1, 2], [3, 4], [5, 6]])  // (3, 2)
    #expect(Tensor.matmul(a, c, transposeA: true, transposeB: true).scalars
        == a.transposed().matmul(c.transposed()).scalars)
}

@Test func batchedMatmulMultipliesEachPair() {
    let a = Tensor([1, 0, 0, 1, 2, 0, 0, 2], shape: [2, 2, 2])  // I and 2I
    let b = Tensor([1, 2, 3, 4, 1, 2, 3, 4], shape: [2, 2, 2])
    #expect(a.matmul(b).scalars == [1, 2, 3, 4, 2, 4, 6, 8])
}

@Test func reductionsOverAxes() {
    let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    #expect(x.sum().item() == 21)
    #expect(x.sum(axis: 0).scalars == [5, 7, 9])
    #expect(x.sum(axis: 1).scalars == [6, 15])
    #expect(x.sum(axis: 1, keepDims: true).shape == [2, 1])
    #expect(x.mean(axis: -1).scalars == [2, 5])
    #expect(x.max(axis: 0).scalars == [4, 5, 6])
    #expect(x.min(axis: 1).scalars == [1, 4])
    #expect(x.max().item() == 6)
    // Unbiased variance of [1, 2, 3] is 1; population variance is 2/3.
    #expect(x.variance(axes: [1]).scalars == [1, 1])
    #expect(Swift.abs(x.variance(axes: [1], correction: 0).scalars[0] - 2.0 / 3.0) < 1e-6)
}

@Test func sumToShapeUndoesBroadcasting() {
    let g = Tensor.ones([2, 3, 4])
    #expect(g.sum(toShape: [3, 1]).scalars == [8, 8, 8])
    #expect(g.sum(toShape: []).item() == 24)
    // Only size-1 axes summed: the same values under the target shape.
    let row = Tensor([1, 2, 3], shape: [1, 1, 3])
    #expect(row.sum(toShape: [3]).scalars == [1, 2, 3] && row.sum(toShape: [3]).shape == [3])
    #expect(row.sum(toShape: [1, 3]).shape == [1, 3])
}

@Test func expandedRepeatsOrReshapes() {
    #expect(Tensor([7], shape: [1, 1]).expanded(to: [2, 3]).scalars == [7, 7, 7, 7, 7, 7])
    #expect(Tensor([1, 2, 3] as [Double]).expanded(to: [2, 1, 3]).scalars == [1, 2, 3, 1, 2, 3])
    #expect(Tensor([1, 2, 3] as [Double]).expanded(to: [1, 1, 3]).scalars == [1, 2, 3])
}

@Test func reductionAxesNamedTwiceCountOnce() {
    let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    #expect(x.sum(axes: [1, -1, 1]).scalars == [6, 15])
    #expect(x.sum(axes: [-1, 0, 1]).item() == 21)
}

@Test func softmaxOfKnownLogits() {
    let p = Tensor([0, 0, Double.log(2)], dtype: .float64).softmax()
    #expect(p.scalars.enumerated().allSatisfy { i, v in Swift.abs(v - [0.25, 0.25, 0.5][i]) < 1e-12 })
}

@Test func softmaxAndLogSoftmaxAreStableForHugeLogits() {
    let x = Tensor([1e4, 0, -1e4])
    #expect(x.softmax().scalars == [1, 0, 0])
    #expect(x.logSoftmax().scalars == [0, -1e4, -2e4])
    let y = Tensor([-1e4, -1e4], dtype: .float64)
    #expect(y.logSoftmax().scalars == [-Double.log(2), -Double.log(2)])
}

@Test func activationsAtKnownPoints() {
    let x = Tensor([-2, 0, 1], dtype: .float64)
    #expect(x.relu().scalars == [0, 0, 1])
    #expect(x.leakyRelu(slope: 0.1).scalars == [-0.2, 0, 1])
    #expect(Swift.abs(x.sigmoid().scalars[2] - 0.731_058_578_630_004_9) < 1e-15)
    #expect(Swift.abs(x.tanh().scalars[2] - 0.761_594_155_955_764_9) < 1e-15)
    // GELU(1) = Φ(1) = 0.841344746…; tanh form 0.841191990…
    #expect(Swift.abs(x.gelu().scalars[2] - 0.841_344_746_068_542_9) < 1e-12)
    #expect(Swift.abs(x.gelu(approximate: .tanh).scalars[2] - 0.841_191_990_607_477_1) < 1e-12)
    #expect(Tensor([1e4, -1e4]).sigmoid().scalars == [1, 0])
}

@Test func elementwiseFunctions() {
    let x = Tensor([4, 9, 16], dtype: .float64)
    #expect(x.sqrt().scalars == [2, 3, 4])
    #expect(x.pow(0.5).scalars == [2, 3, 4])
    #expect(Tensor([-2, 3] as [Double]).pow(3).scalars == [-8, 27])
    #expect(Tensor([-1.5, 2] as [Double]).abs().scalars == [1.5, 2])
    #expect(Tensor([-3, 0.2, 5] as [Double]).clamped(min: -1, max: 1).floats == [-1, 0.2, 1])
    #expect(Tensor.maximum(Tensor([1, 5] as [Double]), Tensor([3, 2] as [Double])).scalars == [3, 5])
    #expect(Tensor.minimum(Tensor([1, 5] as [Double]), Tensor(scalar: 2)).scalars == [1, 2])
    #expect(Tensor(scalar: 1, dtype: .float64).exp().item() == Double.exp(1))
    #expect(Tensor(scalar: 1, dtype: .float64).log().item() == 0)
}

@Test func shapeOps() {
    let x = Tensor((0..<6).map(Double.init), shape: [2, 3])
    #expect(x.transposed().scalars == [0, 3, 1, 4, 2, 5])
    #expect(x.reshaped([3, -1]).shape == [3, 2])
    #expect(x[1].scalars == [3, 4, 5])
    #expect(x[0..<2, 1..<3].scalars == [1, 2, 4, 5])
    #expect(x.sliced(axis: 1, 0..<3, step: 2).scalars == [0, 2, 3, 5])
    #expect(Tensor.concatenate([x, x], axis: 0).shape == [4, 3])
    #expect(Tensor.concatenate([x, x[0..<2, 0..<1]], axis: 1).scalars == [0, 1, 2, 0, 3, 4, 5, 3])
    #expect(Tensor.stack([x, x], axis: 1).shape == [2, 2, 3])
    #expect(x.expanded(to: [2, 2, 3]).scalars == x.scalars + x.scalars)
    let y = Tensor((0..<24).map(Double.init), shape: [2, 3, 4])
    #expect(y.permuted([2, 0, 1]).shape == [4, 2, 3])
    #expect(y.permuted([2, 0, 1]).scalar(at: 3, 1, 2) == y.scalar(at: 1, 2, 3))
}

@Test func indexing() {
    let x = Tensor([[1, 2, 3], [4, 5, 6]])
    #expect(x.gather(axis: 1, indices: [2, 0]).scalars == [3, 4])
    #expect(x.indexSelect(axis: 0, indices: [1, 1, 0]).scalars == [4, 5, 6, 4, 5, 6, 1, 2, 3])
    let m = Tensor([[1, 0, 0], [0, 0, 1]])
    #expect(Tensor.where(m, x, Tensor(scalar: -1)).scalars == [1, -1, -1, -1, -1, 6])
    #expect(x.maskedFill(m, with: 0).scalars == [0, 2, 3, 4, 5, 0])
    #expect(x.greater(than: 3).scalars == [0, 0, 0, 1, 1, 1])
}

@Test func creation() {
    #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
    #expect(Tensor.arange(1, 2, step: 0.25, dtype: .float64).scalars == [1, 1.25, 1.5, 1.75])
    #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
    #expect(Tensor.full([3], 7).scalars == [7, 7, 7])
    #expect(Tensor(scalar: 3).shape == [])
    #expect(Tensor([[1, 2], [3, 4]], dtype: .float64).dtype == .float64)
    #expect(Tensor([1, 2] as [Double], dtype: .float64).converted(to: .float32).dtype == .float32)
}
