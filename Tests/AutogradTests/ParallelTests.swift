import Dispatch
import Testing

@testable import Autograd

@Suite(.serialized) struct ParallelTests {
    @Test func everyIndexRunsExactlyOnce() {
        for count in [0, 1, 2, 3, 17, 1000] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            defer { hits.deallocate() }
            hits.initialize(repeating: 0, count: max(count, 1))
            parallelFor(count) { i in hits[i] += 1 }
            #expect((0..<count).allSatisfy { hits[$0] == 1 }, "count \(count)")
        }
    }

    @Test func rangesCoverTheWholeSpanWithoutOverlap() {
        for (total, grain) in [(0, 4), (5, 4), (8, 4), (1001, 10), (100_000, 1 << 15)] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(total, 1))
            defer { hits.deallocate() }
            hits.initialize(repeating: 0, count: max(total, 1))
            parallelRanges(total, grain: grain) { range in
                for i in range { hits[i] += 1 }
            }
            #expect((0..<total).allSatisfy { hits[$0] == 1 }, "total \(total), grain \(grain)")
        }
    }

    @Test func nestedLoopsRunTheirIndicesOnTheCallingThread() {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 8 * 8)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: 64)
        parallelFor(8) { i in
            parallelFor(8) { j in hits[i * 8 + j] += 1 }
        }
        #expect((0..<64).allSatisfy { hits[$0] == 1 })
    }

    @Test func loopsStartedFromSeveralThreadsAtOnceAllComplete() {
        let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * 100)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0)
        nonisolated(unsafe) let shared = sums
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for _ in 0..<50 {
                parallelFor(100) { i in shared[t * 100 + i] += 1 }
            }
        }
        #expect(sums.allSatisfy { $0 == 50 })
    }

    /// Products large enough to be split between threads (by rows, and by columns when C is wide) agree with the
    /// product computed on one thread, for every transpose combination.
    @Test func splitMatrixProductsAgreeWithOneThread() {
        let saved = Parallelism.threadCount
        defer { Parallelism.threadCount = saved }
        var rng = RandomGenerator(seed: 7)
        for (m, k, n) in [(300, 64, 40), (40, 64, 300)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = Tensor.normal(ta ? [k, m] : [m, k], using: &rng)
                let b = Tensor.normal(tb ? [n, k] : [k, n], using: &rng)
                func product() -> [Float] {
                    let c = Tensor.zeros([m, n])
                    Float.gemm(
                        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a.pointer(Float.self),
                        lda: ta ? m : k, b: b.pointer(Float.self), ldb: tb ? k : n, beta: 0,
                        c: c.pointer(Float.self), ldc: n)
                    return c.scalars.map(Float.init)
                }
                Parallelism.threadCount = 1
                let serial = product()
                Parallelism.threadCount = 2
                let split = product()
                let worst = zip(serial, split).map { abs($0 - $1) }.max()!
                #expect(worst <= 1e-4, "m \(m) k \(k) n \(n) transposes \(ta) \(tb): differs by \(worst)")
            }
        }
    }

    /// β = 0 overwrites C whatever it held (NaN here: OpenBLAS would keep NaN · 0), only the m × n block inside a
    /// wider leading dimension, in Float and Double, called both ways: `Float.gemm(…)` from another module runs
    /// `gemm`'s unspecialized generic body, `T.gemm` in generic code its specialized witness.
    @Test func productsWithBetaZeroOverwriteOnlyTheirBlock() {
        let (m, n, k, ldc) = (3, 2, 2, 4)
        func check<T: NativeScalar>(
            _: T.Type, _ gemm: (UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
        ) {
            let a: [T] = [1, 2, 3, 4, 5, 6], b: [T] = [1, 0, 0, 1]  // A (3 × 2), B = I (2 × 2)
            var c = [T](repeating: .nan, count: m * ldc)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in gemm(a.baseAddress!, b.baseAddress!, c.baseAddress!) }
                }
            }
            for r in 0..<m {
                #expect(Array(c[(r * ldc)..<(r * ldc + n)]) == Array(a[(r * k)..<(r * k + k)]), "\(T.self) row \(r)")
                #expect(c[(r * ldc + n)..<((r + 1) * ldc)].allSatisfy { $0.isNaN }, "\(T.self) row \(r)'s padding")
            }
        }
        func generic<T: NativeScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>) {
            T.gemm(
                transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0,
                c: c, ldc: ldc)
        }
        check(Float.self) { a, b, c in
            Float.gemm(
                transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0,
                c: c, ldc: ldc)
        }
        check(Double.self) { a, b, c in
            Double.gemm(
                transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0,
                c: c, ldc: ldc)
        }
        check(Float.self, generic)
        check(Double.self, generic)
    }
}
