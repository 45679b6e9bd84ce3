/// One group of points of a `ScatterChart`, such as the examples of one class.
struct ScatterSeries: Sendable {
    var name: String
    /// The points; those with a NaN or infinite coordinate are skipped.
    var points: [PlotPoint]
    /// The points' color; `nil` takes the chart palette's color for the series' position.
    var color: RGB?

    init(name: String, points: [PlotPoint], color: RGB? = nil) {
        self.name = name
        self.points = points
        self.color = color
    }
}

/// Points in the plane colored by group, such as examples projected on their first two principal components with
/// one color per class. Each point is a small square; the axes get nice 1-2-5 ticks over the points' extent, a
/// light grid, and a legend on the right lists every group, empty ones included (as `LineChart`'s).
struct ScatterChart: Chart {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [ScatterSeries]
    var width = 760
    var height = 460
    /// The side of each point's square, in pixels.
    var markerSize = 4.0

    /// The points of `series` that can be drawn.
    func drawablePoints(of series: ScatterSeries) -> [PlotPoint] {
        series.points.filter(\.isFinite)
    }

    /// The x and y axes: the points' extent, widened to nice ticks.
    func axes() -> (x: AxisTicks, y: AxisTicks) {
        let points = series.flatMap(drawablePoints)
        guard let first = points.first else { return (.linear(lower: 0, upper: 1), .linear(lower: 0, upper: 1)) }
        var minX = first.x
        var maxX = first.x
        var minY = first.y
        var maxY = first.y
        for p in points {
            minX = min(minX, p.x)
            maxX = max(maxX, p.x)
            minY = min(minY, p.y)
            maxY = max(maxY, p.y)
        }
        return (.linear(lower: minX, upper: maxX, targetCount: 6), .linear(lower: minY, upper: maxY))
    }

    /// The frame the points are drawn in: axes, legend, and the pixel of each data point.
    func frame() -> ChartFrame {
        let (xAxis, yAxis) = axes()
        return ChartFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, xAxis: xAxis, yAxis: yAxis,
            legend: series.map(\.name))
    }

    func draw<Surface: PlotSurface>(on surface: inout Surface) {
        let frame = frame()
        frame.drawAxes(on: &surface)
        let usable = series.map(drawablePoints)
        if usable.allSatisfy(\.isEmpty) { frame.drawNoData(on: &surface) }
        for (index, points) in usable.enumerated() {
            let color = series[index].color ?? PlotPalette.color(index)
            for p in points.map(frame.pixel) {
                surface.fillRect(
                    x: p.x - markerSize / 2, y: p.y - markerSize / 2, width: markerSize, height: markerSize,
                    color: color)
            }
        }
        let legend = series.enumerated().map { index, entry in (entry.name, entry.color ?? PlotPalette.color(index)) }
        frame.drawLegend(legend, mark: .square, on: &surface)
    }
}
