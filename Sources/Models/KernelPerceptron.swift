// Kernel machines: kernels evaluated as Gram matrices through BLAS, and the multiclass kernel perceptron in dual
// form, which keeps one coefficient per training example and class instead of a weight vector per class.

import Autograd
import Foundation

/// A positive-definite kernel k(x, z) = ⟨φ(x), φ(z)⟩: an inner product in a feature space that is never built.
///
/// - `linear`: k(x, z) = x·z (φ is the identity);
/// - `polynomial(degree: d, coef0: c)`: k(x, z) = (x·z + c)^d, whose features are the monomials of x of degree ≤ d
///   (of degree exactly d when c = 0); c ≥ 0 keeps it positive definite;
/// - `rbf(gamma: γ)`: k(x, z) = exp(−γ‖x − z‖²), the Gaussian kernel, whose feature space has infinite dimension.
///
/// Each kernel reads its inputs only through the inner products x·z, which one GEMM gives for all pairs; the RBF
/// kernel's squared distances follow from them as ‖x − z‖² = ‖x‖² + ‖z‖² − 2x·z.
public enum Kernel: Equatable, Sendable {
    case linear
    case polynomial(degree: Int, coef0: Double)
    case rbf(gamma: Double)

    /// The Gram matrix K with K_ij = k(a_i, b_j), in float64: a (M, …) and b (N, …), each example flattened to the
    /// same number of features F → (M, N). Not differentiable: it reads values and records nothing.
    public func gram(_ a: Tensor, _ b: Tensor) -> Tensor {
        let x = Self.rows(a)  // (M, F)
        let z = Self.rows(b)  // (N, F)
        precondition(
            x.shape[1] == z.shape[1], "Kernel.gram: examples of \(a.shape) and \(b.shape) differ in their features")
        switch self {
        case .linear: break
        case .polynomial(let degree, _):
            precondition(degree >= 1, "Kernel.gram: the polynomial degree must be ≥ 1, got \(degree)")
        case .rbf(let gamma):
            precondition(gamma > 0, "Kernel.gram: the rbf kernel's gamma must be positive, got \(gamma)")
        }
        let (m, n, f) = (x.shape[0], z.shape[0], x.shape[1])
        let k = Tensor(uninitialized: [m, n], dtype: .float64)
        let out = k.pointer(Double.self)
        if m == 0 || n == 0 { return k }
        // K ← X·Zᵀ, the inner products x_i·z_j.
        Double.gemm(
            transposeA: false, transposeB: true, m: m, n: n, k: f, alpha: 1, a: x.pointer(Double.self), lda: f,
            b: z.pointer(Double.self), ldb: f, beta: 0, c: out, ldc: n)
        switch self {
        case .linear:
            break
        case .polynomial(let degree, let c):
            for i in 0..<(m * n) { out[i] = pow(out[i] + c, Double(degree)) }
        case .rbf(let gamma):
            let xx = Self.squaredNorms(x)
            let zz = Self.squaredNorms(z)
            for i in 0..<m {
                let row = out + i * n
                for j in 0..<n {
                    // Rounding can leave a tiny negative distance between (nearly) equal points.
                    let distance = max(0, xx[i] + zz[j] - 2 * row[j])
                    row[j] = exp(-gamma * distance)
                }
            }
        }
        return k
    }

    /// The examples of `t` (N, …) as float64 rows (N, F).
    static func rows(_ t: Tensor) -> Tensor {
        precondition(t.rank >= 1, "Kernel.gram: inputs need an example axis, got shape \(t.shape)")
        let features = t.shape.dropFirst().reduce(1, *)
        return t.converted(to: .float64).reshaped([t.shape[0], features])
    }

    /// ‖x_i‖² of each row of `x` (N, F), float64.
    private static func squaredNorms(_ x: Tensor) -> [Double] {
        let (n, f) = (x.shape[0], x.shape[1])
        let p = x.pointer(Double.self)
        return (0..<n).map { i in (0..<f).reduce(0.0) { $0 + p[i * f + $1] * p[i * f + $1] } }
    }
}

/// The multiclass kernel perceptron in dual form (Aizerman, Braverman & Rozonoer 1964; Freund & Schapire 1999,
/// "Large margin classification using the perceptron algorithm", https://doi.org/10.1023/A:1007662407062).
///
/// The primal perceptron's weight vector of class c, w_c = Σ_i α_{i,c} φ(x_i), is kept as coefficients α over the
/// N training examples, so that only kernel values k(x_i, x) = φ(x_i)·φ(x) are ever computed:
///
///     f_c(x) = Σ_i α_{i,c} k(x_i, x),        ŷ(x) = argmax_c f_c(x).
///
/// Ties go to the first maximum, the lowest class index (as `Tensor.argmax`): with α = 0 every example is predicted
/// as class 0. Training visits the examples one at a time; a mistake on example j, of label y and prediction ŷ ≠ y,
/// updates
///
///     α_{j,y} += 1,        α_{j,ŷ} −= 1,
///
/// which is the primal multiclass update w_y += φ(x_j), w_ŷ −= φ(x_j) written in α. For two classes α_{·,0} = −α_{·,1},
/// and ŷ = 1 exactly when g(x) = Σ_i α_{i,1} k(x_i, x) > 0: the binary kernel perceptron with labels ±1, the update
/// a_j += y_j on a mistake and sign(0) = −1. On data that the kernel's features separate with a margin, the mistakes
/// stop after finitely many updates (Novikoff's bound).
///
/// Shapes: training inputs (N, …), flattened to (N, F); α (N, C); scores (M, C) for inputs (M, …). Everything is
/// float64. The Gram matrix of the training examples, 8·N² bytes (800 MB for N = 10 000), is computed once, when
/// the perceptron is made.
///
/// As a `Layer`, the perceptron maps inputs (M, …) to their scores (M, C), a differentiable function of α. Its
/// parameter is α (`coefficients`, from zeros) and its buffer the training inputs (`inputs`, kept and saved but not
/// learned, as a kernel machine keeps its support vectors). Training updates α in place, as an optimizer updates
/// parameters; copies of a perceptron share it.
///
/// ```
/// let perceptron = KernelPerceptron(kernel: .rbf(gamma: 0.5), training: train)
/// let mistakes = perceptron.train(epochs: 10, seed: 0)       // per epoch, e.g. [31, 9, 2, 0]
/// let predicted = perceptron.predict(test.inputs)
/// ```
public struct KernelPerceptron: UnaryLayer {
    public let kernel: Kernel
    /// The number of classes C.
    public let classCount: Int
    /// The training examples x_i, flattened: (N, F), float64.
    public let inputs: Tensor
    /// The class of each training example.
    public let labels: [Int]
    /// α, the coefficient of each training example for each class: (N, C), float64, zeros until trained.
    public let coefficients: Tensor
    /// K_ij = k(x_i, x_j) of the training examples: (N, N), float64, symmetric.
    public let gram: Tensor

    /// The untrained perceptron (α = 0) over the examples of `training`, with their Gram matrix.
    public init(kernel: Kernel, training: LabelledDataset) {
        precondition(training.count > 0, "KernelPerceptron: no training examples")
        self.kernel = kernel
        classCount = training.classCount
        inputs = Kernel.rows(training.inputs).copied()
        labels = training.labels
        coefficients = Tensor.zeros([training.count, training.classCount], dtype: .float64).requiringGrad()
        gram = kernel.gram(inputs, inputs)
    }

    /// The number of training examples N.
    public var exampleCount: Int { labels.count }

    /// The scores f_c(x) of inputs (M, …): (M, C), float64, K(x, x_i)·α.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        kernel.gram(x, inputs).matmul(coefficients)
    }

    /// The predicted class of each input (M, …): the first maximum of its scores.
    public func predict(_ x: Tensor) -> [Int] {
        noGrad { self(x) }.argmax(axis: 1)
    }

    /// One pass over the training examples in `order` (indices into the training set), updating α after each
    /// mistake; returns the number of mistakes.
    ///
    /// The scores of example j come from row j of the Gram matrix, f_c(x_j) = Σ_i α_{i,c} K_ij, summed over the
    /// examples with a non-zero row of α only (those the perceptron has erred on): O(|support|·C) per example.
    @discardableResult
    public func trainEpoch(order: [Int]) -> Int {
        let (n, c) = (exampleCount, classCount)
        let alpha = coefficients.pointer(Double.self)
        let k = gram.pointer(Double.self)
        var isSupport = (0..<n).map { i in (0..<c).contains { alpha[i * c + $0] != 0 } }
        var support = (0..<n).filter { isSupport[$0] }
        var scores = [Double](repeating: 0, count: c)
        var mistakes = 0
        for j in order {
            precondition(j >= 0 && j < n, "KernelPerceptron.trainEpoch: example \(j) out of range 0..<\(n)")
            let row = k + j * n  // K_ij for every i (K is symmetric)
            for label in 0..<c { scores[label] = 0 }
            for i in support {
                let kij = row[i]
                for label in 0..<c { scores[label] += alpha[i * c + label] * kij }
            }
            var predicted = 0  // the first maximum
            for label in 1..<c where scores[label] > scores[predicted] { predicted = label }
            let y = labels[j]
            if predicted != y {
                alpha[j * c + y] += 1
                alpha[j * c + predicted] -= 1
                mistakes += 1
                if !isSupport[j] {
                    isSupport[j] = true
                    support.append(j)
                }
            }
        }
        return mistakes
    }

    /// Up to `epochs` passes over the training examples, stopping after the first pass without a mistake; returns
    /// the mistakes of each pass. Pass e visits the examples in the order of epoch e of a `BatchLoader` of batches
    /// of one with this `shuffle` and `seed` (a fresh seeded permutation each epoch, or the dataset's order), so a
    /// run is reproducible from its seed.
    @discardableResult
    public func train(epochs: Int, shuffle: Bool = true, seed: UInt64 = 0) -> [Int] {
        precondition(epochs >= 0, "KernelPerceptron.train: epochs must be non-negative, got \(epochs)")
        let examples = LabelledDataset(inputs: inputs, labels: labels, classCount: classCount)
        let loader = BatchLoader(examples, batchSize: 1, shuffle: shuffle, seed: seed)
        var mistakes: [Int] = []
        for epoch in 0..<epochs {
            mistakes.append(trainEpoch(order: loader.order(epoch: epoch)))
            if mistakes.last == 0 { break }
        }
        return mistakes
    }

    // MARK: Module

    /// α (`coefficients`) is the parameter; the training inputs (`inputs`) a buffer. The Gram matrix follows from the
    /// inputs and is not saved.
    public var entries: [ModuleEntry] {
        [ModuleEntry("coefficients", .parameter(coefficients)), ModuleEntry("inputs", .buffer(inputs))]
    }

    public var description: String {
        "KernelPerceptron(\(kernel), \(exampleCount) examples, \(classCount) classes)"
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let features = inputs.shape[1]
        guard input.reduce(1, *) == features else {
            throw ShapeError("needs examples of \(features) features, got \(describeShape(input))")
        }
        return [classCount]
    }
}
