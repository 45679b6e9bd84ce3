/// The frame of a chart over x and y axes, which line and scatter charts share: the title on top, the axes with
/// their ticks, grid and labels, a legend on the right with one 14-pixel row per entry, and the map from data
/// coordinates to pixels inside the axes.
struct ChartFrame {
    /// How a legend entry shows its series: a short line (curves) or a square (points).
    enum LegendMark {
        case line, square
    }

    var width: Int
    var height: Int
    var title: String
    var xLabel: String
    var yLabel: String
    var xAxis: AxisTicks
    var yAxis: AxisTicks
    /// The plot area in pixels: its left and right, top and bottom edges.
    let left: Double, right: Double, top: Double, bottom: Double

    private static let padding = 12.0, tickLength = 4.0, gap = 4.0, swatch = 22.0
    private let small = TextStyle(scale: 1, color: .mutedInk)
    private let legendStyle = TextStyle(scale: 1, color: .ink)

    /// The frame of a `width × height` chart whose legend lists `legend` (no legend when empty).
    init(
        width: Int, height: Int, title: String, xLabel: String, yLabel: String, xAxis: AxisTicks, yAxis: AxisTicks,
        legend: [String]
    ) {
        (self.width, self.height, self.title, self.xLabel, self.yLabel) = (width, height, title, xLabel, yLabel)
        (self.xAxis, self.yAxis) = (xAxis, yAxis)
        let (padding, gap, tickLength) = (Self.padding, Self.gap, Self.tickLength)
        // Layout, outside in: title on top; y label, y tick labels on the left; x tick labels, x label below;
        // the legend on the right.
        let legendWidth = legend.isEmpty ? 0 : legend.map(legendStyle.advance).max()! + Self.swatch + 18
        let yLabelWidth = yAxis.labels.map(small.advance).max() ?? 0
        let lastXLabelHalf = small.advance(of: xAxis.labels.last ?? "") / 2
        top = padding + (title.isEmpty ? 6 : 30)
        left = padding + (yLabel.isEmpty ? 0 : small.lineHeight + 10) + yLabelWidth + gap + tickLength
        right = Double(width) - padding - max(legendWidth, lastXLabelHalf)
        bottom =
            Double(height) - padding - (xLabel.isEmpty ? 0 : small.lineHeight + 10)
            - small.lineHeight - gap - tickLength
    }

    var plotWidth: Double { max(right - left, 1) }
    var plotHeight: Double { max(bottom - top, 1) }

    /// The pixel of the data point `p`.
    func pixel(_ p: PlotPoint) -> PlotPoint {
        PlotPoint(left + xAxis.fraction(of: p.x) * plotWidth, bottom - yAxis.fraction(of: p.y) * plotHeight)
    }

    /// Draws the white background, the title, the grid, the ticks and their labels, the plot's border and the axis
    /// labels.
    func drawAxes<Surface: PlotSurface>(on surface: inout Surface) {
        let (padding, gap, tickLength) = (Self.padding, Self.gap, Self.tickLength)
        let (plotWidth, plotHeight) = (self.plotWidth, self.plotHeight)
        surface.fillRect(x: 0, y: 0, width: Double(width), height: Double(height), color: .white)
        if !title.isEmpty {
            surface.text(title, x: Double(width) / 2, y: padding + 7, style: TextStyle(scale: 2, anchor: .middle))
        }
        for (value, label) in zip(yAxis.values, yAxis.labels) {
            let y = bottom - (yAxis.fraction(of: value) * plotHeight).rounded()
            surface.fillRect(x: left, y: y, width: plotWidth, height: 1, color: .grid)
            surface.fillRect(x: left - tickLength, y: y, width: tickLength, height: 1, color: .ink)
            var style = small
            style.anchor = .end
            surface.text(label, x: left - tickLength - gap, y: y + 0.5, style: style)
        }
        for (value, label) in zip(xAxis.values, xAxis.labels) {
            let x = left + (xAxis.fraction(of: value) * plotWidth).rounded()
            surface.fillRect(x: x, y: top, width: 1, height: plotHeight, color: .grid)
            surface.fillRect(x: x, y: bottom, width: 1, height: tickLength, color: .ink)
            var style = small
            style.anchor = .middle
            surface.text(label, x: x + 0.5, y: bottom + tickLength + gap + small.lineHeight / 2, style: style)
        }
        surface.strokeRect(x: left, y: top, width: plotWidth + 1, height: plotHeight + 1, color: .ink)
        if !xLabel.isEmpty {
            surface.text(
                xLabel, x: left + plotWidth / 2, y: Double(height) - padding - small.lineHeight / 2,
                style: TextStyle(scale: 1, color: .ink, anchor: .middle))
        }
        if !yLabel.isEmpty {
            surface.text(
                yLabel, x: padding + small.lineHeight / 2, y: top + plotHeight / 2,
                style: TextStyle(scale: 1, color: .ink, anchor: .middle, vertical: true))
        }
    }

    /// Writes "no data" in the middle of the plot area.
    func drawNoData<Surface: PlotSurface>(on surface: inout Surface) {
        surface.text(
            "no data", x: left + plotWidth / 2, y: top + plotHeight / 2,
            style: TextStyle(scale: 2, color: .mutedInk, anchor: .middle))
    }

    /// Draws the legend: one row per entry, its mark in its color and its name.
    func drawLegend<Surface: PlotSurface>(
        _ entries: [(name: String, color: RGB)], mark: LegendMark, on surface: inout Surface
    ) {
        for (index, entry) in entries.enumerated() {
            let x = right + 12
            let y = top + 8 + Double(index) * 14
            switch mark {
            case .line: surface.fillRect(x: x, y: y - 1, width: Self.swatch, height: 3, color: entry.color)
            case .square: surface.fillRect(x: x + 8, y: y - 3, width: 6, height: 6, color: entry.color)
            }
            surface.text(entry.name, x: x + Self.swatch + 6, y: y + 0.5, style: legendStyle)
        }
    }
}
