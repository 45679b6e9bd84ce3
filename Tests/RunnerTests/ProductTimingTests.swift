import Testing

@testable import Autograd  // ProductCall's memberwise initializer
@testable import Runner

// A BLAS call replayed alone, as `runner bench train --products` times each call of a step.
struct ProductTimingTests {
    @Test func timesACallAlone() {
        let call = ProductCall(
            dtype: .float32, transposeA: true, transposeB: false, m: 64, n: 48, k: 32, lda: 70, ldb: 48, ldc: 50,
            accumulates: true)
        let seconds = secondsAlone(call, repetitions: 2)
        #expect(seconds > 0 && seconds < 0.01)
    }
}
