import RealModule

/// Elementwise functions of one tensor, each a tight loop per dtype.
enum UnaryOp {
    case neg, exp, log, sqrt, abs, sign, reciprocal
    case relu, sigmoid, tanh, gelu, geluTanh
    case leakyRelu(slope: Double)
    /// The derivative of leaky ReLU: 1 where x > 0, else `slope`.
    case leakyReluDerivative(slope: Double)
    case clamp(min: Double, max: Double)
    /// 1 where min ≤ x ≤ max, else 0.
    case inside(min: Double, max: Double)
    case pow(Double)
    case addScalar(Double)
    case mulScalar(Double)
    /// The derivative of tanh-approximated GELU.
    case geluTanhDerivative
}

/// √(2/π), the constant of the tanh approximation of GELU.
let geluTanhScale = 0.797_884_560_802_865_4

@inline(__always)
private func loop<T>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, _ f: (T) -> T) {
    for i in 0..<n { y[i] = f(x[i]) }
}

/// Elements per parallel block of an elementwise kernel: smaller tensors run on the calling thread.
let elementwiseGrain = 1 << 15

/// `y[i] = op(x[i])` for i < n, in parallel blocks over large tensors.
func unaryKernel<T: NativeScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    parallelRanges(n, grain: elementwiseGrain) { r in unaryLoop(op, x + r.lowerBound, y + r.lowerBound, r.count) }
}

private func unaryLoop<T: NativeScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .neg: loop(x, y, n) { -$0 }
    case .exp: loop(x, y, n) { T.exp($0) }
    case .log: loop(x, y, n) { T.log($0) }
    case .sqrt: loop(x, y, n) { $0.squareRoot() }
    case .abs: loop(x, y, n) { Swift.abs($0) }
    case .sign: loop(x, y, n) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
    case .reciprocal: loop(x, y, n) { 1 / $0 }
    case .relu: loop(x, y, n) { $0 > 0 ? $0 : 0 }
    case .sigmoid:
        // Stable for large |x|: never exponentiates a positive number.
        loop(x, y, n) { v in
            if v >= 0 { return 1 / (1 + T.exp(-v)) }
            let e = T.exp(v)
            return e / (1 + e)
        }
    case .tanh: loop(x, y, n) { T.tanh($0) }
    case .gelu:
        if T.self == Float.self {
            let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
            let yf = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
            let invSqrt2 = 1 / Float(2).squareRoot()
            loop(xf, yf, n) { v in v * (1 + erfFloat(v * invSqrt2)) / 2 }
        } else {
            loop(x, y, n) { v in v * (1 + T.erf(v / T.sqrt(2))) / 2 }
        }
    case .geluTanh:
        let c = T(geluTanhScale)
        loop(x, y, n) { v in v * (1 + T.tanh(c * (v + T(0.044715) * v * v * v))) / 2 }
    case .leakyRelu(let slope):
        let s = T(slope)
        loop(x, y, n) { $0 > 0 ? $0 : s * $0 }
    case .leakyReluDerivative(let slope):
        let s = T(slope)
        loop(x, y, n) { $0 > 0 ? 1 : s }
    case .clamp(let lo, let hi):
        let l = T(lo), h = T(hi)
        loop(x, y, n) { Swift.min(Swift.max($0, l), h) }
    case .inside(let lo, let hi):
        let l = T(lo), h = T(hi)
        loop(x, y, n) { $0 >= l && $0 <= h ? 1 : 0 }
    case .pow(let p):
        if p == 2 {
            loop(x, y, n) { $0 * $0 }
        } else if p == p.rounded() && Swift.abs(p) <= 64 {
            // Integral exponents are defined for negative bases too.
            let e = Int(p)
            loop(x, y, n) { T.pow($0, e) }
        } else {
            let e = T(p)
            loop(x, y, n) { T.pow($0, e) }
        }
    case .addScalar(let s):
        let c = T(s)
        loop(x, y, n) { $0 + c }
    case .mulScalar(let s):
        let c = T(s)
        loop(x, y, n) { $0 * c }
    case .geluTanhDerivative:
        let c = T(geluTanhScale), k = T(0.044715)
        loop(x, y, n) { v in
            let t = T.tanh(c * (v + k * v * v * v))
            return (1 + t) / 2 + v * (1 - t * t) * c * (1 + 3 * k * v * v) / 2
        }
    }
}

/// The VJP of exact GELU, `y[i] = g[i]·(Φ(x[i]) + x[i]·φ(x[i]))`, in one pass (parallel blocks over large tensors).
func geluBackwardKernel<T: NativeScalar>(
    _ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int
) {
    func run(_ start: Int, _ count: Int) {
        let x = x + start, g = g + start, y = y + start
        if T.self == Float.self {
            let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
            let gf = UnsafeRawPointer(g).assumingMemoryBound(to: Float.self)
            let yf = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
            let a = 1 / Float(2).squareRoot(), b = 1 / (2 * Float.pi).squareRoot()
            for i in 0..<count {
                let v = xf[i]
                yf[i] = gf[i] * ((1 + erfFloat(v * a)) / 2 + v * b * expFloat(-v * v / 2))
            }
        } else {
            let a = 1 / T.sqrt(2), b = 1 / T.sqrt(2 * T.pi)
            for i in 0..<count {
                let v = x[i]
                y[i] = g[i] * ((1 + T.erf(v * a)) / 2 + v * b * T.exp(-v * v / 2))
            }
        }
    }
    parallelRanges(n, grain: elementwiseGrain) { r in run(r.lowerBound, r.count) }
}

/// The VJP of ReLU, `y[i] = g[i]·(out[i] > 0 ? 1 : 0)` (out the ReLU's output), in one pass (parallel blocks over large
/// tensors).
func reluBackwardKernel<T: NativeScalar>(
    _ out: UnsafePointer<T>, _ g: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int
) {
    // g times a 0/1 factor, not a conditional read of g: the loop vectorizes without branches.
    func run(_ start: Int, _ count: Int) {
        let out = out + start, g = g + start, y = y + start
        for i in 0..<count { y[i] = g[i] * (out[i] > 0 ? 1 : 0) }
    }
    parallelRanges(n, grain: elementwiseGrain) { r in run(r.lowerBound, r.count) }
}

/// Elementwise functions of two tensors under broadcasting.
enum BinaryOp {
    case add, sub, mul, div, pow, maximum, minimum
    /// Comparisons give 1 where true, 0 where false.
    case equal, greater, greaterEqual, less, lessEqual
}

@inline(__always)
private func rowLoop<T>(
    _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int, _ y: UnsafeMutablePointer<T>, _ n: Int,
    _ f: (T, T) -> T
) {
    if sa == 1 && sb == 1 {
        for i in 0..<n { y[i] = f(a[i], b[i]) }
    } else if sa == 1 && sb == 0 {
        let bv = b.pointee
        for i in 0..<n { y[i] = f(a[i], bv) }
    } else if sa == 0 && sb == 1 {
        let av = a.pointee
        for i in 0..<n { y[i] = f(av, b[i]) }
    } else {
        for i in 0..<n { y[i] = f(a[i * sa], b[i * sb]) }
    }
}

func binaryKernel<T: NativeScalar>(
    _ op: BinaryOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
    shape: [Int], aStrides: [Int], bStrides: [Int]
) {
    let (shape, strides) = coalesce(shape, [aStrides, bStrides])
    let n = shape.last!, sa = strides[0].last!, sb = strides[1].last!
    forEachRow(shape, strides) { out, offsets in
        binaryRow(op, a + offsets[0], sa, b + offsets[1], sb, y + out, n)
    }
}

/// One row of a binary op: `y[i] = op(a[i·sa], b[i·sb])` for i < n, with strides 0 or 1 on the fast paths; in
/// parallel blocks over long rows.
func binaryRow<T: NativeScalar>(
    _ op: BinaryOp, _ pa: UnsafePointer<T>, _ sa: Int, _ pb: UnsafePointer<T>, _ sb: Int,
    _ py: UnsafeMutablePointer<T>, _ n: Int
) {
    parallelRanges(n, grain: elementwiseGrain) { r in
        let i = r.lowerBound
        binaryLoop(op, pa + i * sa, sa, pb + i * sb, sb, py + i, r.count)
    }
}

private func binaryLoop<T: NativeScalar>(
    _ op: BinaryOp, _ pa: UnsafePointer<T>, _ sa: Int, _ pb: UnsafePointer<T>, _ sb: Int,
    _ py: UnsafeMutablePointer<T>, _ n: Int
) {
    switch op {
    case .add: rowLoop(pa, sa, pb, sb, py, n, +)
    case .sub: rowLoop(pa, sa, pb, sb, py, n, -)
    case .mul: rowLoop(pa, sa, pb, sb, py, n, *)
    case .div: rowLoop(pa, sa, pb, sb, py, n, /)
    case .pow: rowLoop(pa, sa, pb, sb, py, n) { T.pow($0, $1) }
    case .maximum: rowLoop(pa, sa, pb, sb, py, n) { Swift.max($0, $1) }
    case .minimum: rowLoop(pa, sa, pb, sb, py, n) { Swift.min($0, $1) }
    case .equal: rowLoop(pa, sa, pb, sb, py, n) { $0 == $1 ? 1 : 0 }
    case .greater: rowLoop(pa, sa, pb, sb, py, n) { $0 > $1 ? 1 : 0 }
    case .greaterEqual: rowLoop(pa, sa, pb, sb, py, n) { $0 >= $1 ? 1 : 0 }
    case .less: rowLoop(pa, sa, pb, sb, py, n) { $0 < $1 ? 1 : 0 }
    case .lessEqual: rowLoop(pa, sa, pb, sb, py, n) { $0 <= $1 ? 1 : 0 }
    }
}
