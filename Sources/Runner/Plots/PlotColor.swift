/// An opaque 8-bit sRGB color, as stored in a `Canvas` and written to SVG as `#rrggbb`.
struct RGB: Equatable, Hashable, Sendable {
    var r: UInt8
    var g: UInt8
    var b: UInt8

    init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// The color `0xRRGGBB`.
    init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    static let white = RGB(255, 255, 255)
    static let black = RGB(0, 0, 0)
    /// Text and axes.
    static let ink = RGB(hex: 0x222222)
    /// Secondary text (tick labels, captions).
    static let mutedInk = RGB(hex: 0x555555)
    /// Grid lines inside a plot area.
    static let grid = RGB(hex: 0xE3E3E3)
    /// Cells whose value is NaN or infinite.
    static let missing = RGB(hex: 0xBDBDBD)

    /// `#rrggbb`, the SVG spelling.
    var hexString: String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for byte in [r, g, b] {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return text
    }

    /// Relative luminance in [0, 1] (Rec. 709 weights on the gamma-encoded values, good enough to pick a text
    /// color that stands out on this background).
    var luminance: Double {
        (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
    }

    /// `self` when `t == 0`, `other` when `t == 1`, linear per channel in between.
    func mixed(with other: RGB, _ t: Double) -> RGB {
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
        }
        return RGB(channel(r, other.r), channel(g, other.g), channel(b, other.b))
    }
}

/// Series colors: Tableau 10 (distinct for up to 10 series, readable for color-blind viewers in the common
/// cases), then further hues spaced by the golden angle for sweeps with more trials.
enum PlotPalette {
    static let tableau10: [RGB] = [
        0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC,
    ].map { RGB(hex: $0) }

    /// The color of series `index` (0-based).
    static func color(_ index: Int) -> RGB {
        precondition(index >= 0, "PlotPalette.color: negative index \(index)")
        if index < tableau10.count { return tableau10[index] }
        let hue = (Double(index - tableau10.count) * 137.508 + 20).truncatingRemainder(dividingBy: 360)
        return hsv(hue: hue, saturation: 0.65, value: 0.8)
    }

    /// HSV → RGB with hue in degrees [0, 360), saturation and value in [0, 1].
    static func hsv(hue: Double, saturation: Double, value: Double) -> RGB {
        let c = value * saturation
        let h = hue / 60
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch Int(h) {
        case 0: (r, g, b) = (c, x, 0)
        case 1: (r, g, b) = (x, c, 0)
        case 2: (r, g, b) = (0, c, x)
        case 3: (r, g, b) = (0, x, c)
        case 4: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        let m = value - c
        func byte(_ v: Double) -> UInt8 { UInt8(((v + m) * 255).rounded()) }
        return RGB(byte(r), byte(g), byte(b))
    }
}

/// A continuous colormap: evenly spaced color stops, linearly interpolated.
struct Colormap: Sendable {
    /// The colors at t = 0, 1/(n-1), …, 1.
    let stops: [RGB]

    init(stops: [RGB]) {
        precondition(stops.count >= 2, "Colormap: needs at least 2 stops, got \(stops.count)")
        self.stops = stops
    }

    /// The color at `t`, clamped to [0, 1]; NaN maps to `RGB.missing`.
    func color(at t: Double) -> RGB {
        guard !t.isNaN else { return .missing }
        let position = min(max(t, 0), 1) * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        return stops[index].mixed(with: stops[index + 1], position - Double(index))
    }

    /// The color of `value` on the scale `lower…upper`; a degenerate scale (lower == upper) gives the middle color.
    func color(of value: Double, lower: Double, upper: Double) -> RGB {
        guard value.isFinite else { return .missing }
        guard upper > lower else { return color(at: 0.5) }
        return color(at: (value - lower) / (upper - lower))
    }

    /// Matplotlib's viridis (dark purple → blue → green → yellow), sampled at 11 evenly spaced points: perceptually
    /// uniform and readable in grayscale. https://bids.github.io/colormap/
    static let viridis = Colormap(stops: [
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C,
        0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    ].map { RGB(hex: $0) })

    /// White → dark blue (ColorBrewer "Blues"), for counts where the text in each cell must stay readable.
    static let blues = Colormap(stops: [
        0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B,
    ].map { RGB(hex: $0) })

    /// Black → white, for images such as convolution filters.
    static let gray = Colormap(stops: [.black, .white])
}
