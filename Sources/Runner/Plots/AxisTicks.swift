import Foundation

/// The ticks of one axis: the axis range they span and the tick values with their labels.
struct AxisTicks: Equatable, Sendable {
    /// The axis range, widened from the data range to the outermost ticks.
    var lower: Double
    var upper: Double
    /// Tick positions, increasing, from `lower` to `upper`.
    var values: [Double]
    /// Whether the axis maps values through log10.
    var logarithmic: Bool

    /// The label of each tick.
    var labels: [String] { values.map(tickLabel) }

    /// Where `value` sits between `lower` (0) and `upper` (1), in log space for a logarithmic axis.
    func fraction(of value: Double) -> Double {
        if logarithmic {
            let low = log10(lower), high = log10(upper)
            return high > low ? (log10(value) - low) / (high - low) : 0.5
        }
        return upper > lower ? (value - lower) / (upper - lower) : 0.5
    }

    /// Linear ticks at multiples of a "nice" step (1, 2 or 5 × 10^k) chosen so that about `targetCount`
    /// intervals cover `lower…upper`; the axis is widened to whole steps.
    ///
    /// Non-finite bounds fall back to 0…1; reversed bounds are swapped; a constant range `c…c` is widened to
    /// `c ± 10%` (or ±1 around 0) so the value sits in the middle of a real axis.
    static func linear(lower: Double, upper: Double, targetCount: Int = 5) -> AxisTicks {
        var low = lower.isFinite ? lower : 0
        var high = upper.isFinite ? upper : (lower.isFinite ? lower : 1)
        if low > high { swap(&low, &high) }
        if high - low <= abs(high) * 1e-12 {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let step = niceStep((high - low) / Double(max(targetCount, 1)))
        // A small tolerance keeps bounds that are already multiples of the step (0.3 / 0.1 = 2.9999…) in place.
        let first = Int(((low / step) + 1e-9).rounded(.down))
        let last = Int(((high / step) - 1e-9).rounded(.up))
        let values = (first...max(first + 1, last)).map { Double($0) * step }
        return AxisTicks(lower: values.first!, upper: values.last!, values: values, logarithmic: false)
    }

    /// Logarithmic ticks for positive data: the axis spans whole decades; ticks sit on powers of ten (every
    /// k-th decade when there are more than 8), with 2 and 5 × 10^k added when the axis spans at most 2 decades.
    /// Bounds that are not positive and finite fall back to 1…10.
    static func logarithmic(lower: Double, upper: Double) -> AxisTicks {
        var low = lower.isFinite && lower > 0 ? lower : (upper.isFinite && upper > 0 ? upper : 1)
        var high = upper.isFinite && upper > 0 ? upper : low
        if low > high { swap(&low, &high) }
        var first = Int(log10(low).rounded(.down))
        var last = Int((log10(high) - 1e-12).rounded(.up))
        if last <= first { (first, last) = (first, first + 1) }
        let decades = last - first
        let stride = max(1, (decades + 7) / 8)
        last = first + ((decades + stride - 1) / stride) * stride
        var values: [Double] = []
        for exponent in Swift.stride(from: first, through: last, by: stride) {
            let power = powerOfTen(exponent)
            values.append(power)
            if decades <= 2 && exponent < last { values += [2 * power, 5 * power] }
        }
        return AxisTicks(lower: powerOfTen(first), upper: powerOfTen(last), values: values, logarithmic: true)
    }

    /// The smallest of 1, 2, 5, 10 × 10^k that is at least about `rough` (rounding the mantissa at 1.5, 3, 7).
    static func niceStep(_ rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let magnitude = powerOfTen(Int(log10(rough).rounded(.down)))
        let mantissa = rough / magnitude
        let nice: Double = mantissa < 1.5 ? 1 : mantissa < 3 ? 2 : mantissa < 7 ? 5 : 10
        return nice * magnitude
    }
}

/// A tick label: up to 4 significant digits, no trailing zeros, exponent form outside 1e-4 ≤ |v| < 1e6.
/// `0.30000000000000004` reads `0.3`, `250` reads `250`, `1e-5` reads `1e-05`.
func tickLabel(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e-4 && magnitude < 1e6 {
        let decimals = max(0, 3 - Int(log10(magnitude).rounded(.down)))
        return trimmedDecimal(value, decimals: decimals)
    }
    let exponent = Int(log10(magnitude).rounded(.down))
    var mantissa = value / powerOfTen(exponent)
    var e = exponent
    if abs(mantissa) >= 9.9995 { mantissa /= 10; e += 1 }
    let sign = e < 0 ? "-" : "+"
    let digits = abs(e) < 10 ? "0\(abs(e))" : "\(abs(e))"
    return "\(trimmedDecimal(mantissa, decimals: 3))e\(sign)\(digits)"
}

/// `value` with `decimals` fraction digits, trailing zeros (and a trailing point) removed.
func trimmedDecimal(_ value: Double, decimals: Int) -> String {
    let scale = powerOfTen(decimals)
    let scaled = (abs(value) * scale).rounded()
    let whole = (scaled / scale).rounded(.down)
    let fraction = Int(scaled - whole * scale)
    var text = value < 0 && scaled > 0 ? "-" : ""
    text += String(Int(whole))
    guard decimals > 0, fraction > 0 else { return text }
    var digits = String(fraction)
    digits = String(repeating: "0", count: decimals - digits.count) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    return text + "." + digits
}

/// 10^exponent, exact for the exponents that plots use.
func powerOfTen(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<abs(exponent) { result *= 10 }
    return exponent >= 0 ? result : 1 / result
}
