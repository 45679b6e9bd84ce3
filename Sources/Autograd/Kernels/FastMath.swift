// Branch-free single-precision exp and erf, and reductions with independent accumulators, so that the loops of
// softmax, GELU and normalization kernels vectorize instead of calling libm per element or waiting on one long
// chain of additions.

import RealModule

/// eˣ for `Float`, as Cephes' `expf`: x = n·ln 2 + r with |r| ≤ ln 2 / 2, eʳ by a degree-7 polynomial, 2ⁿ put
/// into the exponent bits. Relative error about 2 ulp. Below −87.3 the result is 0 (eˣ would be subnormal), above
/// 88.3 it stays at e^88.3 ≈ 2.2·10³⁸ (no overflow); NaN stays NaN.
@inlinable @inline(__always)
package func expFloat(_ v: Float) -> Float {
    // Clamped by selects written as SSE's maxps / minps compute them (`a > b ? a : b` takes b when unordered), so
    // each is one instruction and a NaN v passes through; Swift.max / Swift.min compile to four-instruction blends.
    let low: Float = -87.3, high: Float = 88.3
    let above = low > v ? low : v
    let x = high < above ? high : above
    // n = x / ln 2 rounded to the nearest integer by adding 1.5·2²³ (no libm call, vectorizes); the low bits of
    // the shifted value are n itself.
    let shifter: Float = 12_582_912
    let shifted = x * 1.442_695_04 + shifter
    let n = shifted - shifter
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let er = p * r * r + r + 1
    // n + 127 lies in [1, 254], so 2ⁿ is a normal float; the shift drops the bits of 1.5·2²³.
    let scale = Float(bitPattern: (shifted.bitPattern &+ 127) << 23)
    return v < low ? 0 : er * scale
}

/// erf(x) for `Float` as a rational function x·P(x²)/Q(x²) on [−4, 4] (±1 beyond, where erf rounds to ±1 in
/// single precision). The coefficients are Eigen's (`generic_fast_erf_float`, from TensorFlow); the absolute
/// error is below 5·10⁻⁷ (a few ulp of 1).
@inlinable @inline(__always)
package func erfFloat(_ v: Float) -> Float {
    let x = Swift.min(Swift.max(v, -4), 4)
    let x2 = x * x
    var p: Float = -2.726_142_258_013_06e-10
    p = p * x2 + 2.770_681_424_959_02e-08
    p = p * x2 - 2.101_024_020_825_08e-06
    p = p * x2 - 5.692_506_394_623_46e-05
    p = p * x2 - 7.349_906_303_268_55e-04
    p = p * x2 - 2.954_599_808_540_25e-03
    p = p * x2 - 1.609_603_332_624_15e-02
    var q: Float = -1.456_607_184_649_96e-05
    q = q * x2 - 2.133_740_552_789_05e-04
    q = q * x2 - 1.682_826_974_382_03e-03
    q = q * x2 - 7.373_329_167_204_68e-03
    q = q * x2 - 1.426_473_905_141_89e-02
    return x * p / q
}

/// eˣ: `expFloat` for `Float`, libm's `exp` for `Double` (gradient checks keep the exact function).
@inlinable @inline(__always)
package func fastExp<T: NativeScalar>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(expFloat(unsafeBitCast(x, to: Float.self)), to: T.self) }
    return T.exp(x)
}

/// Σ_{i<n} term(i) with eight independent partial sums (added pairwise at the end), so that the additions do not
/// wait on each other; the partial sums are two four-wide vectors, which the compiler keeps as vector registers
/// (eight scalar accumulators stayed scalar in some loops). The order of additions differs from a plain loop's:
/// partial sum j takes the terms i ≡ j (mod 8), and the total is ((s₀ + s₁) + (s₂ + s₃)) + ((s₄ + s₅) + (s₆ + s₇))
/// plus the last n mod 8 terms in order.
@inlinable @inline(__always)
package func rowSum<T: NativeScalar>(_ n: Int, _ term: (Int) -> T) -> T {
    var low = SIMD4<T>.zero, high = SIMD4<T>.zero
    var i = 0
    while i + 8 <= n {
        low += SIMD4(term(i), term(i + 1), term(i + 2), term(i + 3))
        high += SIMD4(term(i + 4), term(i + 5), term(i + 6), term(i + 7))
        i += 8
    }
    var total = ((low[0] + low[1]) + (low[2] + low[3])) + ((high[0] + high[1]) + (high[2] + high[3]))
    while i < n {
        total += term(i)
        i += 1
    }
    return total
}

/// (Σ_{i<n} a(i), Σ_{i<n} b(i)) in one pass, each with eight partial sums as in `rowSum` (as two four-wide vectors,
/// so that both sums vectorize; the final additions pair them differently).
@inlinable @inline(__always)
package func rowSums<T: NativeScalar>(_ n: Int, _ a: (Int) -> T, _ b: (Int) -> T) -> (T, T) {
    var a0 = SIMD4<T>.zero, a1 = SIMD4<T>.zero, b0 = SIMD4<T>.zero, b1 = SIMD4<T>.zero
    var i = 0
    while i + 8 <= n {
        a0 += SIMD4(a(i), a(i + 1), a(i + 2), a(i + 3))
        a1 += SIMD4(a(i + 4), a(i + 5), a(i + 6), a(i + 7))
        b0 += SIMD4(b(i), b(i + 1), b(i + 2), b(i + 3))
        b1 += SIMD4(b(i + 4), b(i + 5), b(i + 6), b(i + 7))
        i += 8
    }
    let (sa, sb) = (a0 + a1, b0 + b1)
    var totalA = (sa[0] + sa[1]) + (sa[2] + sa[3]), totalB = (sb[0] + sb[1]) + (sb[2] + sb[3])
    while i < n {
        totalA += a(i)
        totalB += b(i)
        i += 1
    }
    return (totalA, totalB)
}

/// The maximum of term(i) over i < n (−∞ for n = 0), with eight independent running maxima. A NaN term is passed
/// over, as `Swift.max(m, term)` would; the comparisons are written as SSE's maxps computes them (one instruction
/// where `Swift.max` compiles to a four-instruction blend).
@inlinable @inline(__always)
package func rowMaximum<T: NativeScalar>(_ n: Int, _ term: (Int) -> T) -> T {
    @inline(__always) func larger(_ t: T, _ m: T) -> T { t > m ? t : m }
    var m0 = -T.infinity, m1 = -T.infinity, m2 = -T.infinity, m3 = -T.infinity
    var m4 = -T.infinity, m5 = -T.infinity, m6 = -T.infinity, m7 = -T.infinity
    var i = 0
    while i + 8 <= n {
        m0 = larger(term(i), m0)
        m1 = larger(term(i + 1), m1)
        m2 = larger(term(i + 2), m2)
        m3 = larger(term(i + 3), m3)
        m4 = larger(term(i + 4), m4)
        m5 = larger(term(i + 5), m5)
        m6 = larger(term(i + 6), m6)
        m7 = larger(term(i + 7), m7)
        i += 8
    }
    var m = larger(larger(larger(m0, m1), larger(m2, m3)), larger(larger(m4, m5), larger(m6, m7)))
    while i < n {
        m = larger(term(i), m)
        i += 1
    }
    return m
}
