import CBLAS
import RealModule

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
public protocol NativeScalar: Real, BinaryFloatingPoint {
    static var dtype: DType { get }

    /// `C ← alpha · op(A) · op(B) + beta · C`, row-major, through `cblas_sgemm` / `cblas_dgemm`.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
    )
}

@inline(__always)
private func cblasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: NativeScalar {
    public static var dtype: DType { .float32 }

    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension Double: NativeScalar {
    public static var dtype: DType { .float64 }

    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
