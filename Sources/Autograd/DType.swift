import CBLAS
import RealModule

#if canImport(Glibc)
import Glibc
#endif

/// The element type of a tensor: `float32` for training, `float64` for gradient checks.
public enum DType: String, Sendable, Codable, CaseIterable {
    case float32
    case float64

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32: MemoryLayout<Float>.stride
        case .float64: MemoryLayout<Double>.stride
        }
    }
}

/// The Swift scalar types behind `DType`. Kernels are generic over it and specialized for `Float` and `Double`
/// by a `switch` on the tensor's dtype (the pattern of PyTorch's `AT_DISPATCH_FLOATING_TYPES`):
///
/// ```
/// func run<T: NativeScalar>(_: T.Type) { let x = input.pointer(T.self); … }
/// switch input.dtype {
/// case .float32: run(Float.self)
/// case .float64: run(Double.self)
/// }
/// ```
public protocol NativeScalar: Real, BinaryFloatingPoint, SIMDScalar, Codable {
    static var dtype: DType { get }

    /// The square roots of four elements, as vector instructions where the CPU has them.
    static func squareRoots(_ x: SIMD4<Self>) -> SIMD4<Self>

    /// `C ← alpha · op(A) · op(B) + beta · C`, row-major, through `cblas_sgemm` / `cblas_dgemm`.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
    )
}

extension NativeScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
    ) {
        splitProduct(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c,
            ldc: ldc
        ) { m, n, a, b, c in
            ProductObservers.notify(
                ProductCall(
                    dtype: dtype, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda,
                    ldb: ldb, ldc: ldc, accumulates: beta != 0))
            blasGemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
                ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}

/// One BLAS call on the calling thread, `cblas_sgemm` or `cblas_dgemm`: C ← alpha · op(A) · op(B) + beta · C,
/// row-major. `gemm` runs it once per block of a split product; code that times an observed `ProductCall` alone
/// replays it through this function, so that it runs exactly as the engine ran it.
///
/// A product that overwrites C (beta = 0) is run as C ← 0, then C ← alpha · op(A) · op(B) + 1 · C: the same
/// values (OpenBLAS itself zeroes C first, then accumulates), but OpenBLAS 0.3.21's zeroing pass (`?gemm_beta`) is
/// slower than `memset` on the small products of a Transformer (docs/performance.md, "Design decisions").
@inlinable @inline(__always)
package func blasGemm<T: NativeScalar>(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
    b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
) {
    var beta = beta
    if beta == 0 && m > 0 && n > 0 {
        // memset on the bytes (0.0 is all zero bits): `update(repeating:)` would run element by element through
        // T's value witness wherever this generic function is not specialized (a call from another module).
        let row = n * MemoryLayout<T>.stride
        if ldc == n {
            memset(c, 0, m * row)
        } else {
            for r in 0..<m { memset(c + r * ldc, 0, row) }
        }
        beta = 1
    }
    let (ta, tb) = (transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans)
    let (m, n, k, lda, ldb, ldc) = (blasint(m), blasint(n), blasint(k), blasint(lda), blasint(ldb), blasint(ldc))
    if T.self == Float.self {
        cblas_sgemm(
            CblasRowMajor, ta, tb, m, n, k, unsafeBitCast(alpha, to: Float.self),
            UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda,
            UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb, unsafeBitCast(beta, to: Float.self),
            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc)
    } else {
        precondition(T.self == Double.self, "blasGemm: \(T.self) is neither Float nor Double")
        cblas_dgemm(
            CblasRowMajor, ta, tb, m, n, k, unsafeBitCast(alpha, to: Double.self),
            UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda,
            UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb, unsafeBitCast(beta, to: Double.self),
            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc)
    }
}

extension Float: NativeScalar {
    public static var dtype: DType { .float32 }

    @inlinable @inline(__always)
    public static func squareRoots(_ x: SIMD4<Float>) -> SIMD4<Float> {
        #if arch(x86_64)
        _mm_sqrt_ps(x)
        #else
        x.squareRoot()
        #endif
    }
}

extension Double: NativeScalar {
    public static var dtype: DType { .float64 }

    @inlinable @inline(__always)
    public static func squareRoots(_ x: SIMD4<Double>) -> SIMD4<Double> {
        #if arch(x86_64)
        let low = _mm_sqrt_pd(x.lowHalf), high = _mm_sqrt_pd(x.highHalf)
        return SIMD4(lowHalf: low, highHalf: high)
        #else
        x.squareRoot()
        #endif
    }
}

/// Runs a row-major product C (m × n) = op(A) · op(B) as one BLAS call, or, when it is large enough to pay for a
/// second thread, as `productBlocks` calls, one per block of C's rows (or columns, when it has more of those), on
/// `parallelFor`. The blocks depend on the shapes alone, never on the thread count (one thread runs them in turn),
/// so the result has the same bits on any number of threads: OpenBLAS picks its kernels by the size of each call.
/// `product(m, n, a, b, c)` computes the block of C at `c` from the matching rows of op(A) and columns of op(B).
/// Inside a parallel loop (e.g. one image per chunk) the product stays whole on the calling thread.
@inline(__always)
private func splitProduct<T>(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<T>, lda: Int,
    b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int,
    _ product: (Int, Int, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
) {
    let blocks = productBlocks
    guard m * n * k >= parallelProductWork, max(m, n) >= 2 * blocks, !WorkerPool.shared.isBusy else {
        return product(m, n, a, b, c)
    }
    if m >= n {
        // Rows i of op(A) start at a + i·lda, or at a + i when A is stored transposed (k × m).
        parallelFor(blocks) { t in
            let start = t * m / blocks, end = (t + 1) * m / blocks
            product(end - start, n, a + start * (transposeA ? 1 : lda), b, c + start * ldc)
        }
    } else {
        // Columns j of op(B) start at b + j, or at b + j·ldb when B is stored transposed (n × k).
        parallelFor(blocks) { t in
            let start = t * n / blocks, end = (t + 1) * n / blocks
            product(m, end - start, a, b + start * (transposeB ? ldb : 1), c + start)
        }
    }
}

/// The blocks a large product is split into (and so the most threads it uses).
let productBlocks = 2

/// Multiply-adds (m·n·k) from which a matrix product is split between threads: about 5 µs of one core's work.
let parallelProductWork = 1 << 18
