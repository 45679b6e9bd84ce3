import Foundation
import Testing
@testable import Autograd

// The single-precision exp and erf of the softmax, GELU and cross-entropy kernels against libm in double precision.

@Test func floatExpIsAccurateToAFewUlp() {
    // Relative error ≤ 2.5·10⁻⁷ (two ulp of float) over the range where eˣ is a normal float.
    for i in -8_700...8_800 {
        let x = Float(Double(i) / 100)
        let exact = Foundation.exp(Double(x))
        let error = Swift.abs(Double(expFloat(x)) - exact) / exact
        #expect(error <= 2.5e-7, "expFloat(\(x)) = \(expFloat(x)), exact \(exact)")
    }
    // Far outside: 0 below, finite above; NaN stays NaN.
    #expect(expFloat(-1_000) == 0 && expFloat(-.infinity) == 0)
    #expect(expFloat(1_000).isFinite && expFloat(1_000) > 1e38)
    #expect(expFloat(.nan).isNaN)
}

@Test func floatErfIsAccurateToAFewUlpOfOne() {
    for i in -6_000...6_000 {
        let x = Float(Double(i) / 1_000)
        let error = Swift.abs(Double(erfFloat(x)) - Foundation.erf(Double(x)))
        #expect(error <= 5e-7, "erfFloat(\(x)) = \(erfFloat(x)), exact \(Foundation.erf(Double(x)))")
    }
    #expect(erfFloat(0) == 0 && erfFloat(10) == 1 && erfFloat(-10) == -1)
}

@Test func float32GeluAndItsGradientAgreeWithFloat64() {
    let x = Tensor.generate([2_001], dtype: .float64) { Double($0 - 1_000) / 200 }.requiringGrad()
    let narrow = x.converted(to: .float32).detached().requiringGrad()
    x.gelu().sum().backward()
    narrow.gelu().sum().backward()
    let wide = x.gelu().scalars, single = narrow.gelu().scalars
    for i in wide.indices {
        #expect(Swift.abs(single[i] - wide[i]) <= 1e-6 * Swift.max(1, Swift.abs(wide[i])), "gelu at \(i)")
        #expect(Swift.abs(narrow.grad!.scalars[i] - x.grad!.scalars[i]) <= 2e-6, "gelu′ at \(i)")
    }
}

@Test func rowReductionsMatchPlainLoops() {
    let values = (0..<37).map { Double(($0 * 7919) % 101) - 50 }
    values.withUnsafeBufferPointer { v in
        #expect(rowSum(v.count) { v[$0] } == values.reduce(0, +))
        #expect(rowMaximum(v.count) { v[$0] } == values.max()!)
        #expect(rowSum(0) { v[$0] } == 0 && rowMaximum(0) { v[$0] } == -.infinity)
    }
    // A NaN term is passed over, in the vector part and in the tail, as Swift.max(m, term) does.
    var withNaN = values.map { Float($0) }
    withNaN[3] = .nan
    withNaN[35] = .nan
    let expected = Float(values.indices.filter { $0 != 3 && $0 != 35 }.map { values[$0] }.max()!)
    withNaN.withUnsafeBufferPointer { v in
        #expect(rowMaximum(v.count) { v[$0] } == expected)
    }
}
