import Foundation
import Testing
@testable import Runner

@Suite("Plot axis ticks")
struct PlotTickTests {
    func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }
    }

    @Test func unitRange() {
        let ticks = AxisTicks.linear(lower: 0, upper: 1)
        #expect(close(ticks.values, [0, 0.2, 0.4, 0.6, 0.8, 1]))
        #expect(ticks.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        #expect(ticks.lower == 0 && ticks.upper == 1)
    }

    @Test func smallRange() {
        let ticks = AxisTicks.linear(lower: 0.0013, upper: 0.0071)
        #expect(close(ticks.values, [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008]))
        #expect(ticks.labels == ["0.001", "0.002", "0.003", "0.004", "0.005", "0.006", "0.007", "0.008"])
    }

    @Test func rangeAcrossZero() {
        let ticks = AxisTicks.linear(lower: -3, upper: 250)
        #expect(ticks.values == [-50, 0, 50, 100, 150, 200, 250])
        #expect(ticks.labels == ["-50", "0", "50", "100", "150", "200", "250"])
    }

    @Test func constantRangesAreWidenedAroundTheValue() {
        let five = AxisTicks.linear(lower: 5, upper: 5)
        #expect(close(five.values, [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]))
        #expect(five.labels == ["4.4", "4.6", "4.8", "5", "5.2", "5.4", "5.6"])
        let zero = AxisTicks.linear(lower: 0, upper: 0)
        #expect(zero.values == [-1, -0.5, 0, 0.5, 1])
        let negative = AxisTicks.linear(lower: -0.02, upper: -0.02)
        #expect(negative.lower < -0.02 && negative.upper > -0.02)
    }

    @Test func degenerateInputsFallBack() {
        #expect(AxisTicks.linear(lower: .nan, upper: .infinity).values == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        let reversed = AxisTicks.linear(lower: 10, upper: 0)
        #expect(reversed.lower == 0 && reversed.upper == 10)
    }

    @Test(arguments: [
        (0.0, 1.0), (0.0013, 0.0071), (-3.0, 250.0), (7.0, 7.0), (0.97, 0.9912), (1.0, 10_000.0),
        (-1e-7, 3e-7), (2.302, 0.04), (123_456.0, 123_999.0),
    ])
    func ticksAreNice(range: (Double, Double)) {
        let (low, high) = (min(range.0, range.1), max(range.0, range.1))
        let ticks = AxisTicks.linear(lower: range.0, upper: range.1)
        #expect(ticks.values.count >= 3 && ticks.values.count <= 12, "\(ticks.values)")
        #expect(ticks.lower <= low && ticks.upper >= high)
        #expect(ticks.lower == ticks.values.first && ticks.upper == ticks.values.last)
        let step = ticks.values[1] - ticks.values[0]
        let magnitude = powerOfTen(Int(log10(step).rounded(.down)))
        let mantissa = (step / magnitude * 1e6).rounded() / 1e6
        #expect([1, 2, 5].contains(mantissa), "step \(step)")
        for value in ticks.values {
            let multiple = value / step
            #expect(abs(multiple - multiple.rounded()) < 1e-6, "\(value) is not a multiple of \(step)")
        }
        #expect(Set(ticks.labels).count == ticks.labels.count, "labels \(ticks.labels)")
    }

    @Test func logarithmicTicksSitOnDecades() {
        let wide = AxisTicks.logarithmic(lower: 0.003, upper: 2.5)
        #expect(close(wide.values, [0.001, 0.01, 0.1, 1, 10]))
        #expect(wide.labels == ["0.001", "0.01", "0.1", "1", "10"])
        #expect(abs(wide.fraction(of: 0.1) - 0.5) < 1e-12)

        let narrow = AxisTicks.logarithmic(lower: 0.2, upper: 0.9)
        #expect(close(narrow.values, [0.1, 0.2, 0.5, 1]))

        let huge = AxisTicks.logarithmic(lower: 1e-12, upper: 1)
        #expect(huge.values.count == 7)
        #expect(close(huge.values, [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]))

        let constant = AxisTicks.logarithmic(lower: 100, upper: 100)
        #expect(constant.lower == 100 && constant.upper == 1000)
        let invalid = AxisTicks.logarithmic(lower: -1, upper: 0)
        #expect(invalid.lower == 1 && invalid.upper == 10)
    }

    @Test func tickLabelsAreShort() {
        #expect(tickLabel(0.30000000000000004) == "0.3")
        #expect(tickLabel(250) == "250")
        #expect(tickLabel(-50) == "-50")
        #expect(tickLabel(0) == "0")
        #expect(tickLabel(0.00015) == "0.00015")
        #expect(tickLabel(1e-5) == "1e-05")
        #expect(tickLabel(2.5e-7) == "2.5e-07")
        #expect(tickLabel(1_234_567) == "1.235e+06")
        #expect(tickLabel(0.123456) == "0.1235")
        #expect(tickLabel(.nan) == "nan")
    }
}
