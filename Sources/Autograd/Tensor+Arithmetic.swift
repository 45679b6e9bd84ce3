// Arithmetic with NumPy broadcasting. Each VJP returns gradients in the output's (broadcast) shape; the engine
// sums them back to each input's shape (see `Tensor.backward`).

extension Tensor {
    /// Applies an elementwise kernel without recording anything.
    func map(_ op: UnaryOp) -> Tensor {
        let y = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: unaryKernel(op, pointer(Float.self), y.pointer(Float.self), count)
        case .float64: unaryKernel(op, pointer(Double.self), y.pointer(Double.self), count)
        }
        return y
    }

    /// Applies a broadcasting binary kernel without recording anything.
    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp, _ name: StaticString) -> Tensor {
        precondition(a.dtype == b.dtype, "\(name): dtypes differ, \(a.dtype) and \(b.dtype)")
        guard let shape = broadcastShapes(a.shape, b.shape) else {
            preconditionFailure("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let y = Tensor(uninitialized: shape, dtype: a.dtype)
        func run<T: NativeScalar>(_: T.Type) {
            let pa = a.pointer(T.self), pb = b.pointer(T.self), py = y.pointer(T.self)
            // Fast paths without index bookkeeping: equal shapes, or one side a single element.
            if a.shape == b.shape {
                binaryRow(op, pa, 1, pb, 1, py, y.count)
            } else if b.count == 1 && a.shape == shape {
                binaryRow(op, pa, 1, pb, 0, py, y.count)
            } else if a.count == 1 && b.shape == shape {
                binaryRow(op, pa, 0, pb, 1, py, y.count)
            } else if y.count < elementwiseGrain, let row = repeatedRow(b, in: a, shape) {
                // A small (…, n) ⊕ (n): one row at a time, without the strided loop's bookkeeping.
                for r in stride(from: 0, to: y.count, by: row) { binaryRow(op, pa + r, 1, pb, 1, py + r, row) }
            } else if y.count < elementwiseGrain, let row = repeatedRow(a, in: b, shape) {
                for r in stride(from: 0, to: y.count, by: row) { binaryRow(op, pa, 1, pb + r, 1, py + r, row) }
            } else {
                binaryKernel(
                    op, pa, pb, py, shape: shape, aStrides: broadcastStrides(a.shape, to: shape),
                    bStrides: broadcastStrides(b.shape, to: shape))
            }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return y
    }

    /// The row length n when `row` is one row repeated over `full`, of the broadcast `shape`: `full` has that
    /// shape and `row`, leading size-1 axes aside, is a non-empty trailing part of it (a bias over rows).
    private static func repeatedRow(_ row: Tensor, in full: Tensor, _ shape: [Int]) -> Int? {
        guard full.shape == shape, row.count > 0 else { return nil }
        let axes = row.shape.drop { $0 == 1 }
        guard axes.count <= shape.count, shape.suffix(axes.count).elementsEqual(axes) else { return nil }
        return row.count
    }

    /// A rank-0 tensor of this dtype.
    public func scalarLike(_ value: Double) -> Tensor { Tensor(scalar: value, dtype: dtype) }
}

// MARK: - Tensor ⊕ Tensor

extension Tensor {
    /// Elementwise sum with broadcasting. ∂/∂a = g, ∂/∂b = g.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, .add, "add").recorded("add", [a, b]) { g, _ in [g, g] }
    }

    /// Elementwise difference with broadcasting. ∂/∂a = g, ∂/∂b = −g.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, .sub, "sub").recorded("sub", [a, b]) { g, needs in [g, needs[1] ? -g : nil] }
    }

    /// Elementwise product with broadcasting. ∂/∂a = g·b, ∂/∂b = g·a.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, .mul, "mul").recorded("mul", [a, b]) { g, needs in
            [needs[0] ? g * b : nil, needs[1] ? g * a : nil]
        }
    }

    /// Elementwise quotient with broadcasting. ∂/∂a = g / b, ∂/∂b = −g·a / b² = −g·out / b.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(a, b, .div, "div")
        return out.recorded("div", [a, b]) { g, needs in
            [needs[0] ? g / b : nil, needs[1] ? -(g * out / b) : nil]
        }
    }

    /// Negation. ∂/∂x = −g.
    public static prefix func - (x: Tensor) -> Tensor {
        x.map(.neg).recorded("neg", [x]) { g, _ in [-g] }
    }

    /// aᵇ elementwise with broadcasting, for a > 0 where b is not an integer.
    /// ∂/∂a = g·b·a^(b−1), ∂/∂b = g·out·ln a.
    public static func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = binary(a, b, .pow, "pow")
        return out.recorded("pow", [a, b]) { g, needs in
            [
                needs[0] ? g * b * binary(a, b - a.scalarLike(1), .pow, "pow") : nil,
                needs[1] ? g * out * a.log() : nil,
            ]
        }
    }

    /// Elementwise maximum with broadcasting. The gradient goes to the larger input; on ties it is split
    /// equally between both (as PyTorch's `maximum`).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(a, b, .maximum, "maximum").recorded("maximum", [a, b]) { g, needs in
            let share = binary(a, b, .greater, "maximum") + binary(a, b, .equal, "maximum") * a.scalarLike(0.5)
            return [needs[0] ? g * share : nil, needs[1] ? g * (a.scalarLike(1) - share) : nil]
        }
    }

    /// Elementwise minimum with broadcasting; ties split the gradient equally.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(a, b, .minimum, "minimum").recorded("minimum", [a, b]) { g, needs in
            let share = binary(a, b, .less, "minimum") + binary(a, b, .equal, "minimum") * a.scalarLike(0.5)
            return [needs[0] ? g * share : nil, needs[1] ? g * (a.scalarLike(1) - share) : nil]
        }
    }
}

// MARK: - Tensor ⊕ scalar

extension Tensor {
    public static func + (x: Tensor, s: Double) -> Tensor {
        x.map(.addScalar(s)).recorded("addScalar", [x]) { g, _ in [g] }
    }

    public static func + (s: Double, x: Tensor) -> Tensor { x + s }

    public static func - (x: Tensor, s: Double) -> Tensor { x + (-s) }

    public static func - (s: Double, x: Tensor) -> Tensor { (-x) + s }

    public static func * (x: Tensor, s: Double) -> Tensor {
        x.map(.mulScalar(s)).recorded("mulScalar", [x]) { g, _ in [g * s] }
    }

    public static func * (s: Double, x: Tensor) -> Tensor { x * s }

    public static func / (x: Tensor, s: Double) -> Tensor { x / x.scalarLike(s) }

    public static func / (s: Double, x: Tensor) -> Tensor { x.scalarLike(s) / x }
}

// MARK: - Comparisons (not differentiable)

extension Tensor {
    /// 1 where `self > other` (broadcast), else 0; records nothing.
    public func greater(than other: Tensor) -> Tensor { Tensor.binary(self, other, .greater, "greater") }
    public func greaterOrEqual(to other: Tensor) -> Tensor {
        Tensor.binary(self, other, .greaterEqual, "greaterOrEqual")
    }
    public func less(than other: Tensor) -> Tensor { Tensor.binary(self, other, .less, "less") }
    public func lessOrEqual(to other: Tensor) -> Tensor { Tensor.binary(self, other, .lessEqual, "lessOrEqual") }
    public func equal(to other: Tensor) -> Tensor { Tensor.binary(self, other, .equal, "equal") }

    public func greater(than s: Double) -> Tensor { greater(than: scalarLike(s)) }
    public func less(than s: Double) -> Tensor { less(than: scalarLike(s)) }
    public func equal(to s: Double) -> Tensor { equal(to: scalarLike(s)) }
}
