/// A point: data coordinates in a series, pixel coordinates (y down) on a surface.
struct PlotPoint: Equatable, Sendable {
    var x: Double
    var y: Double

    init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    var isFinite: Bool { x.isFinite && y.isFinite }
}

/// Which point of a text's run the given coordinate names.
enum TextAnchor: Sendable {
    case start, middle, end
}

/// How text is drawn: the bitmap font scale, color, anchor and orientation.
///
/// Metrics are those of `BitmapFont` at `scale` (a character is `6 × scale` pixels wide, capitals `7 × scale`
/// tall); the SVG writer picks a monospace font size with the same metrics so both outputs lay out alike.
struct TextStyle: Sendable {
    /// Whole-pixel magnification of the 5×7 font: 1 for ticks and labels, 2 for titles.
    var scale: Int = 1
    var color: RGB = .ink
    var anchor: TextAnchor = .start
    /// Rotated 90° counter-clockwise (reads bottom to top), as for a y-axis label.
    var vertical: Bool = false

    /// The length of `text` along its direction, in pixels.
    func advance(of text: String) -> Double {
        Double(text.count * BitmapFont.advance * scale)
    }

    /// The extent of a line across its direction (capital height), in pixels.
    var lineHeight: Double { Double(BitmapFont.capHeight * scale) }
}

/// Where a chart draws: a raster `Canvas` for PNG or an `SVGDocument`. Coordinates are pixels from the top-left.
///
/// Charts are written once against this protocol, so each chart description renders to both formats.
protocol PlotSurface {
    /// Fills the axis-aligned rectangle with top-left corner (x, y).
    mutating func fillRect(x: Double, y: Double, width: Double, height: Double, color: RGB)

    /// Draws the line through `points` (at least 2) with round joins, `lineWidth` pixels wide.
    mutating func polyline(_ points: [PlotPoint], color: RGB, lineWidth: Double)

    /// Draws one line of text. For horizontal text `x` is the anchor point along the line and `y` the vertical
    /// center of the capitals; for vertical text `x` is the horizontal center and `y` the anchor point.
    mutating func text(_ text: String, x: Double, y: Double, style: TextStyle)
}

extension PlotSurface {
    /// The outline of a rectangle, drawn inside it as four filled bars `lineWidth` pixels thick.
    mutating func strokeRect(x: Double, y: Double, width: Double, height: Double, color: RGB, lineWidth: Double = 1) {
        fillRect(x: x, y: y, width: width, height: lineWidth, color: color)
        fillRect(x: x, y: y + height - lineWidth, width: width, height: lineWidth, color: color)
        fillRect(x: x, y: y, width: lineWidth, height: height, color: color)
        fillRect(x: x + width - lineWidth, y: y, width: lineWidth, height: height, color: color)
    }
}

extension Canvas: PlotSurface {
    mutating func polyline(_ points: [PlotPoint], color: RGB, lineWidth: Double) {
        strokePolyline(points, color: color, lineWidth: lineWidth)
    }

    mutating func text(_ text: String, x: Double, y: Double, style: TextStyle) {
        drawText(text, x: x, y: y, style: style)
    }
}
