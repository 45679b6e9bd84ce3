/// One named curve of a `LineChart`, such as the validation loss per epoch or one trial of a sweep.
struct LineSeries: Sendable {
    var name: String
    /// Data points in drawing order; points with a NaN or infinite coordinate are skipped (the line joins its
    /// finite neighbours), as are points with y ≤ 0 on a log-scale chart.
    var points: [PlotPoint]
    /// The line color; `nil` takes the chart palette's color for the series' position.
    var color: RGB?

    init(name: String, points: [PlotPoint], color: RGB? = nil) {
        self.name = name
        self.points = points
        self.color = color
    }

    /// A series from parallel arrays of x and y values.
    init<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(name: String, x: [X], y: [Y], color: RGB? = nil) {
        precondition(x.count == y.count, "LineSeries \(name): \(x.count) x values but \(y.count) y values")
        self.init(name: name, points: zip(x, y).map { PlotPoint(Double($0), Double($1)) }, color: color)
    }
}

/// A vertical line across a chart's plot area at `x`, labelled at its top: the epoch early stopping restored, the
/// step a run stopped at.
struct VerticalMarker: Sendable {
    var x: Double
    var label: String
    var color: RGB = .mutedInk
}

/// Curves over a shared x axis: loss or accuracy per epoch or step for train/validation/test, or one curve per
/// trial of a sweep. Axes get nice 1-2-5 ticks (or decades on a log-scale y), a light grid, and a legend to the
/// right listing every series, empty ones included (one 14-pixel row each: about 25 fit the default height;
/// colors stay distinct for any count, see `PlotPalette`).
struct LineChart: Chart {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [LineSeries]
    /// Plot y on a log10 scale (points with y ≤ 0 are then skipped).
    var logY = false
    /// Plot x on a log10 scale (points with x ≤ 0 are then skipped), as for a learning rate swept over decades.
    var logX = false
    var width = 760
    var height = 460
    /// Stroke width of the curves, in pixels.
    var lineWidth = 2.0
    /// Mark each point with a square when a series has at most this many points (single points always are).
    var markerLimit = 30
    /// Vertical lines drawn over the curves (those outside the x axis are left out).
    var markers: [VerticalMarker] = []

    /// The points of `series` that can be drawn on this chart.
    func drawablePoints(of series: LineSeries) -> [PlotPoint] {
        series.points.filter { $0.isFinite && (!logY || $0.y > 0) && (!logX || $0.x > 0) }
    }

    /// The x and y axes: the data's extent, widened to nice ticks.
    func axes() -> (x: AxisTicks, y: AxisTicks) {
        let points = series.flatMap(drawablePoints)
        guard let first = points.first else {
            let y = logY ? AxisTicks.logarithmic(lower: 1, upper: 10) : AxisTicks.linear(lower: 0, upper: 1)
            return (AxisTicks.linear(lower: 0, upper: 1), y)
        }
        var minX = first.x, maxX = first.x, minY = first.y, maxY = first.y
        for p in points {
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        let x =
            logX
            ? AxisTicks.logarithmic(lower: minX, upper: maxX)
            : AxisTicks.linear(lower: minX, upper: maxX, targetCount: 6)
        let y = logY ? AxisTicks.logarithmic(lower: minY, upper: maxY) : AxisTicks.linear(lower: minY, upper: maxY)
        return (x, y)
    }

    /// The title, axes and legend around the plot area, and the map from data to pixels.
    var frame: ChartFrame {
        let (xAxis, yAxis) = axes()
        return ChartFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, xAxis: xAxis, yAxis: yAxis,
            legend: series.map(\.name))
    }

    func draw<Surface: PlotSurface>(on surface: inout Surface) {
        let frame = self.frame
        let (xAxis, yAxis) = (frame.xAxis, frame.yAxis)
        frame.drawAxes(on: &surface)

        // Curves, then the legend.
        let usable = series.map(drawablePoints)
        if usable.allSatisfy(\.isEmpty) { frame.drawNoData(on: &surface) }
        let markerSize = lineWidth + 3
        for (index, points) in usable.enumerated() {
            let color = series[index].color ?? PlotPalette.color(index)
            let pixels = points.map(frame.pixel)
            // A curve with more points than the plot has columns (a per-step loss) is drawn thinner, so its noise
            // reads as a band rather than a solid blot.
            let width = Double(pixels.count) > frame.plotWidth ? min(lineWidth, 1.25) : lineWidth
            surface.polyline(pixels, color: color, lineWidth: width)
            if pixels.count <= max(markerLimit, 1) {
                for p in pixels {
                    surface.fillRect(x: p.x - markerSize / 2, y: p.y - markerSize / 2, width: markerSize,
                                     height: markerSize, color: color)
                }
            }
        }
        for marker in markers where marker.x >= xAxis.lower && marker.x <= xAxis.upper {
            let x = frame.pixel(PlotPoint(marker.x, yAxis.lower)).x
            surface.fillRect(x: x - 0.5, y: frame.top, width: 1, height: frame.plotHeight, color: marker.color)
            // The label reads away from the nearer side of the plot.
            let anchor: TextAnchor = x > frame.left + frame.plotWidth / 2 ? .end : .start
            let style = TextStyle(scale: 1, color: marker.color, anchor: anchor)
            surface.text(marker.label, x: x + (style.anchor == .end ? -4 : 4), y: frame.top + 8, style: style)
        }
        let legend = series.enumerated().map { index, entry in (entry.name, entry.color ?? PlotPalette.color(index)) }
        frame.drawLegend(legend, mark: .line, on: &surface)
    }
}
