import Testing

@testable import Autograd
import TestSupport

// Other suites run matrix products at the same time and are observed too: these tests look for calls of shapes
// only they use.
struct ProductObserverTests {
    @Test func observesEachBLASCallWithItsShape() {
        let a = Tensor.ones([3, 29]), b = Tensor.ones([29, 5])
        let (product, calls) = observedProducts { a.matmul(b) }
        #expect(product.shape == [3, 5] && product.pointer(Float.self)[0] == 29)
        let mine = calls.filter { $0.k == 29 && $0.m == 3 }
        #expect(mine.count == 1)
        if let call = mine.first {
            #expect(call.dtype == .float32 && !call.transposeA && !call.transposeB && call.n == 5)
            #expect(call.lda == 29 && call.ldb == 5 && call.ldc == 5 && !call.accumulates)
            #expect(call.flops == 2 * 3 * 5 * 29)
        }
        // Nothing is observed outside an observation.
        _ = a.matmul(b)
        let (_, none) = observedProducts { () }
        #expect(none.filter { $0.k == 29 && $0.m == 3 }.isEmpty)
    }

    @Test func aSplitProductIsObservedAsItsBlocks() {
        // 200 · 300 · 61 multiply-adds: large enough to be split between threads when the pool is free.
        let a = Tensor.ones([200, 61], dtype: .float64), b = Tensor.ones([61, 300], dtype: .float64)
        let (_, calls) = observedProducts { a.matmul(b) }
        let blocks = calls.filter { $0.k == 61 && $0.dtype == .float64 }
        #expect(!blocks.isEmpty)
        // Blocks of rows (each all 300 columns) or of columns (each all 200 rows) that add up to the product.
        let byRows = blocks.allSatisfy { $0.n == 300 } && blocks.reduce(0) { $0 + $1.m } == 200
        let byColumns = blocks.allSatisfy { $0.m == 200 } && blocks.reduce(0) { $0 + $1.n } == 300
        #expect(byRows || byColumns, "\(blocks)")
        #expect(blocks.reduce(0) { $0 + $1.flops } == 2 * 200 * 300 * 61)
    }

    @Test func overlappingObservationsEachSeeTheCallsMadeWhileTheyRun() {
        let a = Tensor.ones([4, 31]), b = Tensor.ones([31, 6]), c = Tensor.ones([7, 33]), d = Tensor.ones([33, 2])
        let (inner, outer) = observedProducts {
            let (_, inner) = observedProducts { a.matmul(b) }
            _ = c.matmul(d)
            return inner
        }
        func count(_ calls: [ProductCall], m: Int, k: Int) -> Int { calls.filter { $0.m == m && $0.k == k }.count }
        #expect(count(outer, m: 4, k: 31) == 1 && count(outer, m: 7, k: 33) == 1)
        // The inner observation has ended before c · d runs.
        #expect(count(inner, m: 4, k: 31) == 1 && count(inner, m: 7, k: 33) == 0)
    }
}
