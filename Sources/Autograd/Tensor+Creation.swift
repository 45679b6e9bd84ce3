import RealModule

extension Tensor {
    /// A tensor of `shape` whose element at flat index `i` is `value(i)`, converted to `dtype`.
    public static func generate(_ shape: [Int], dtype: DType = .float32, _ value: (Int) -> Double) -> Tensor {
        let t = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32:
            let p = t.pointer(Float.self)
            for i in 0..<t.count { p[i] = Float(value(i)) }
        case .float64:
            let p = t.pointer(Double.self)
            for i in 0..<t.count { p[i] = value(i) }
        }
        return t
    }

    /// A tensor holding `scalars` in row-major order; `shape` defaults to `[scalars.count]`.
    public convenience init(_ scalars: [Double], shape: [Int]? = nil, dtype: DType = .float32) {
        let shape = shape ?? [scalars.count]
        precondition(
            shape.reduce(1, *) == scalars.count,
            "Tensor(_:shape:): \(scalars.count) scalars do not fill shape \(shape)")
        self.init(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32:
            let p = pointer(Float.self)
            for (i, v) in scalars.enumerated() { p[i] = Float(v) }
        case .float64:
            let p = pointer(Double.self)
            for (i, v) in scalars.enumerated() { p[i] = v }
        }
    }

    /// A `float32` tensor holding `scalars` in row-major order.
    public convenience init(_ scalars: [Float], shape: [Int]? = nil) {
        self.init(scalars.map(Double.init), shape: shape, dtype: .float32)
    }

    /// A matrix from its rows, e.g. `Tensor([[1, 2], [3, 4]])`.
    public convenience init(_ rows: [[Double]], dtype: DType = .float32) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): rows have different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, columns], dtype: dtype)
    }

    /// A rank-0 tensor.
    public convenience init(scalar: Double, dtype: DType = .float32) {
        self.init([scalar], shape: [], dtype: dtype)
    }

    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        let t = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: t.buffer(Float.self).initialize(repeating: Float(value))
        case .float64: t.buffer(Double.self).initialize(repeating: value)
        }
        return t
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        let t = Tensor(uninitialized: shape, dtype: dtype)
        t.storage.zero()
        return t
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, 1, dtype: dtype) }

    /// Zeros of this tensor's shape and dtype.
    public func zerosLike() -> Tensor { Tensor.zeros(shape, dtype: dtype) }

    /// Ones of this tensor's shape and dtype.
    public func onesLike() -> Tensor { Tensor.ones(shape, dtype: dtype) }

    /// `[start, start + step, …]` up to but excluding `end`, like `torch.arange`.
    public static func arange(
        _ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32
    ) -> Tensor {
        precondition(step != 0, "arange: step must not be zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return generate([n], dtype: dtype) { start + Double($0) * step }
    }

    /// The same values converted to `dtype` (a new leaf; not differentiable across dtypes).
    public func converted(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let values = scalars
        return Tensor.generate(shape, dtype: dtype) { values[$0] }
    }

    // MARK: Random

    /// Samples from U[low, high).
    public static func uniform(
        _ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) -> Tensor {
        generate(shape, dtype: dtype) { _ in low + (high - low) * rng.nextUniform() }
    }

    /// Samples from N(mean, std²).
    public static func normal(
        _ shape: [Int], mean: Double = 0, std: Double = 1, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) -> Tensor {
        generate(shape, dtype: dtype) { _ in mean + std * rng.nextNormal() }
    }

    /// He/Kaiming uniform initialization, U[−b, b] with b = gain·√(3 / fanIn) (He et al. 2015,
    /// https://arxiv.org/abs/1502.01852); gain √2 suits ReLU.
    public static func kaimingUniform(
        _ shape: [Int], fanIn: Int, gain: Double = 2.0.squareRoot(), dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) -> Tensor {
        let bound = gain * (3.0 / Double(fanIn)).squareRoot()
        return uniform(shape, low: -bound, high: bound, dtype: dtype, using: &rng)
    }

    /// He/Kaiming normal initialization, N(0, σ²) with σ = gain / √fanIn.
    public static func kaimingNormal(
        _ shape: [Int], fanIn: Int, gain: Double = 2.0.squareRoot(), dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) -> Tensor {
        normal(shape, std: gain / Double(fanIn).squareRoot(), dtype: dtype, using: &rng)
    }

    /// Glorot/Xavier uniform initialization, U[−b, b] with b = gain·√(6 / (fanIn + fanOut)) (Glorot & Bengio 2010).
    public static func xavierUniform(
        _ shape: [Int], fanIn: Int, fanOut: Int, gain: Double = 1, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) -> Tensor {
        let bound = gain * (6.0 / Double(fanIn + fanOut)).squareRoot()
        return uniform(shape, low: -bound, high: bound, dtype: dtype, using: &rng)
    }

    /// Glorot/Xavier normal initialization, N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
    public static func xavierNormal(
        _ shape: [Int], fanIn: Int, fanOut: Int, gain: Double = 1, dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) -> Tensor {
        normal(shape, std: gain * (2.0 / Double(fanIn + fanOut)).squareRoot(), dtype: dtype, using: &rng)
    }
}
