import Foundation
import Testing

@testable import Models

// Kernels and the kernel perceptron: Gram matrices by hand, the dual perceptron against the primal one and the
// binary one, XOR, and reproducibility from a seed.

/// x₁ = (1, 0), x₂ = (0, 2), x₃ = (1, 1): inner products 1, 0, 1 / 0, 4, 2 / 1, 2, 2; squared distances
/// ‖x₁ − x₂‖² = 5, ‖x₁ − x₃‖² = 1, ‖x₂ − x₃‖² = 2.
private func threePoints() -> Tensor { Tensor([[1, 0], [0, 2], [1, 1]]) }

@Test func gramMatricesOfThreePointsAreTheHandComputedOnes() {
    let x = threePoints()
    #expect(Kernel.linear.gram(x, x).scalars == [1, 0, 1, 0, 4, 2, 1, 2, 2])
    // (x·z + 1)²
    let polynomial = Kernel.polynomial(degree: 2, coef0: 1).gram(x, x)
    #expect(polynomial.shape == [3, 3] && polynomial.dtype == .float64)
    #expect(polynomial.scalars == [4, 1, 4, 1, 25, 9, 4, 9, 9])
    // (x·z)³, homogeneous
    #expect(Kernel.polynomial(degree: 3, coef0: 0).gram(x, x).scalars == [1, 0, 1, 0, 64, 8, 1, 8, 8])
    // exp(−½‖x − z‖²)
    let distances: [Double] = [0, 5, 1, 5, 0, 2, 1, 2, 0]
    #expect(Kernel.rbf(gamma: 0.5).gram(x, x).scalars == distances.map { exp(-0.5 * $0) })
}

@Test func aGramMatrixPairsTheRowsOfItsFirstInputWithThoseOfItsSecond() {
    // (2, 1, 2) examples are flattened to two features; float64 inputs give the same values as float32 ones.
    let a = Tensor([1, 0, 0, 2], shape: [2, 1, 2])
    let b = Tensor([[1, 1], [3, 0], [0, 0]], dtype: .float64)
    let linear = Kernel.linear.gram(a, b)
    #expect(linear.shape == [2, 3])
    #expect(linear.scalars == [1, 3, 0, 2, 0, 0])
    let distances: [Double] = [1, 4, 1, 2, 13, 4]
    #expect(Kernel.rbf(gamma: 1).gram(a, b).scalars == distances.map { exp(-$0) })
}

/// Nine points in three angular sectors around the origin, integer coordinates (so that every sum is exact),
/// classes interleaved. Weights through the origin separate them: w₀ = (1, 0), w₁ = (−0.3, 1), w₂ = (−0.3, −1).
private func sectors() -> LabelledDataset {
    LabelledDataset(
        inputs: Tensor([[3, 0], [-1, 3], [-1, -3], [4, 1], [0, 4], [-2, -4], [5, -1], [-2, 5], [0, -5]]),
        labels: [0, 1, 2, 0, 1, 2, 0, 1, 2], classCount: 3)
}

/// One pass of the primal multiclass perceptron over `order`: ŷ = the first maximum of w_c·x, and on a mistake
/// w_y += x, w_ŷ −= x. Returns the mistakes.
private func primalEpoch(_ w: inout [[Double]], _ data: LabelledDataset, order: [Int]) -> Int {
    let x = data.inputs.scalars
    let f = data.exampleShape.reduce(1, *)
    var mistakes = 0
    for j in order {
        let example = Array(x[(j * f)..<((j + 1) * f)])
        let scores = w.map { zip($0, example).reduce(0) { $0 + $1.0 * $1.1 } }
        let predicted = scores.indices.first { scores[$0] == scores.max()! }!
        let y = data.labels[j]
        if predicted != y {
            for i in 0..<f {
                w[y][i] += example[i]
                w[predicted][i] -= example[i]
            }
            mistakes += 1
        }
    }
    return mistakes
}

@Test func theLinearKernelPerceptronIsThePrimalPerceptron() {
    let sectors = sectors()
    let dual = KernelPerceptron(kernel: .linear, training: sectors)
    var w = [[Double]](repeating: [0, 0], count: 3)
    let loader = BatchLoader(sectors, batchSize: 1, shuffle: true, seed: 4)
    var mistakes: [Int] = []
    for epoch in 0..<6 {
        let order = loader.order(epoch: epoch)
        let primal = primalEpoch(&w, sectors, order: order)
        mistakes.append(dual.trainEpoch(order: order))
        #expect(mistakes.last == primal, "epoch \(epoch)")
        // w_c = Σ_i α_{i,c} x_i
        let alpha = dual.coefficients.scalars
        let x = sectors.inputs.scalars
        for c in 0..<3 {
            let fromAlpha = (0..<2).map { f in (0..<9).reduce(0.0) { $0 + alpha[$1 * 3 + c] * x[$1 * 2 + f] } }
            #expect(fromAlpha == w[c], "epoch \(epoch), class \(c)")
        }
    }
    #expect(mistakes.first! > 0 && mistakes.last == 0)
    // The same scores and predictions on new points, ties included ((0, 0) scores 0 for every class).
    let grid = Tensor((-3...3).flatMap { a in (-3...3).map { b in [Double(a), Double(b)] } })
    let primalScores = grid.scalars.indices.filter { $0 % 2 == 0 }.flatMap { i in
        w.map { $0[0] * grid.scalars[i] + $0[1] * grid.scalars[i + 1] }
    }
    #expect(dual(grid).scalars == primalScores)
    #expect(dual.predict(grid) == Tensor(primalScores, shape: [49, 3]).argmax(axis: 1))
    // `train` visits the examples in the same orders.
    let again = KernelPerceptron(kernel: .linear, training: sectors)
    #expect(again.train(epochs: 6, seed: 4) == Array(mistakes.prefix { $0 > 0 }) + [0])
}

@Test func withTwoClassesTheKernelPerceptronIsTheBinaryOne() {
    // The binary kernel perceptron with labels ±1: g(x) = Σ_i a_i k(x_i, x), predicted +1 when g > 0 (sign(0) = −1),
    // a_j += y_j on a mistake.
    let data = SyntheticData.gaussianBlobs(classCount: 2, pointsPerClass: 10, radius: 1, spread: 1, seed: 2)
    let kernel = Kernel.rbf(gamma: 0.7)
    let k = kernel.gram(data.inputs, data.inputs).scalars
    let n = data.count
    var a = [Double](repeating: 0, count: n)
    let perceptron = KernelPerceptron(kernel: kernel, training: data)
    let loader = BatchLoader(data, batchSize: 1, shuffle: true, seed: 9)
    var total = 0
    for epoch in 0..<5 {
        var binaryMistakes = 0
        for j in loader.order(epoch: epoch) {
            let g = (0..<n).reduce(0.0) { $0 + a[$1] * k[$1 * n + j] }
            let y = data.labels[j] == 1 ? 1.0 : -1.0
            if (g > 0 ? 1.0 : -1.0) != y {
                a[j] += y
                binaryMistakes += 1
            }
        }
        let mistakes = perceptron.trainEpoch(order: loader.order(epoch: epoch))
        #expect(mistakes == binaryMistakes, "epoch \(epoch)")
        total += mistakes
        let alpha = perceptron.coefficients.scalars
        #expect((0..<n).map { alpha[2 * $0 + 1] } == a)
        #expect((0..<n).map { alpha[2 * $0] } == a.map { -$0 })
    }
    #expect(total > 0)
}

@Test func xorNeedsAKernelThatSeparatesIt() {
    let xor = SyntheticData.xor()
    // No line through the origin puts (0, 1) and (1, 0) on one side and (1, 1) on the other.
    let linear = KernelPerceptron(kernel: .linear, training: xor)
    let linearMistakes = linear.train(epochs: 20, seed: 0)
    #expect(linearMistakes.count == 20 && linearMistakes.allSatisfy { $0 > 0 })
    // x₁x₂ is a feature of (x·z + 1)²; the Gaussian kernel's Gram matrix is positive definite.
    for kernel in [Kernel.polynomial(degree: 2, coef0: 1), .rbf(gamma: 1)] {
        let perceptron = KernelPerceptron(kernel: kernel, training: xor)
        let mistakes = perceptron.train(epochs: 20, seed: 0)
        #expect(mistakes.last == 0 && mistakes.count < 20, "\(kernel): \(mistakes)")
        #expect(perceptron.predict(xor.inputs) == xor.labels, "\(kernel)")
    }
}

@Test func aSeededRunIsReproducible() {
    let data = SyntheticData.gaussianBlobs(classCount: 3, pointsPerClass: 12, radius: 2, spread: 1, seed: 5)
    func run(seed: UInt64, shuffle: Bool = true) -> (mistakes: [Int], alpha: [Double]) {
        let perceptron = KernelPerceptron(kernel: .rbf(gamma: 0.5), training: data)
        let mistakes = perceptron.train(epochs: 4, shuffle: shuffle, seed: seed)
        return (mistakes, perceptron.coefficients.scalars)
    }
    let first = run(seed: 7)
    #expect(first.mistakes.first! > 0)
    let second = run(seed: 7)
    #expect(second.mistakes == first.mistakes && second.alpha == first.alpha)
    // Another seed visits the examples in other orders; without shuffling the seed does not matter.
    #expect(run(seed: 8).alpha != first.alpha)
    #expect(run(seed: 1, shuffle: false).alpha == run(seed: 2, shuffle: false).alpha)
}

@Test func theKernelPerceptronIsALayerOfItsCoefficients() throws {
    let sectors = sectors()
    let perceptron = KernelPerceptron(kernel: .polynomial(degree: 2, coef0: 1), training: sectors)
    #expect(perceptron.namedParameters.map(\.name) == ["coefficients"])
    #expect(perceptron.namedBuffers.map(\.name) == ["inputs"])
    #expect(perceptron.parameterCount == 9 * 3)
    #expect(try perceptron.outputShape(for: [2]) == [3])
    #expect(throws: ShapeError.self) { try perceptron.outputShape(for: [1, 3]) }
    perceptron.train(epochs: 3, seed: 0)
    // The scores of the training examples are K·α.
    let k = perceptron.gram.scalars
    let alpha = perceptron.coefficients.scalars
    let expected = (0..<9).flatMap { j in
        (0..<3).map { c in (0..<9).reduce(0.0) { $0 + alpha[$1 * 3 + c] * k[$1 * 9 + j] } }
    }
    #expect(perceptron(sectors.inputs).scalars == expected)
}
