/// The decision regions of a classifier on 2-D inputs: the plane tinted by the class predicted at each cell of a
/// grid, with the data points drawn over it in their true class's color — the TensorFlow Playground's picture.
struct DecisionBoundaryChart: Chart {
    var title: String
    var xLabel = "x1"
    var yLabel = "x2"
    /// The plane covered: x from `xRange.lower` to `.upper`, y likewise.
    var xRange: (lower: Double, upper: Double)
    var yRange: (lower: Double, upper: Double)
    /// The predicted class of each grid cell, `resolution` rows of `resolution`, row 0 at the lowest y.
    var regions: [Int]
    var resolution: Int
    /// The points and their true classes.
    var points: [(point: PlotPoint, label: Int)]
    var classNames: [String]
    var width = 620
    var height = 520
    /// Side of each point's square, in pixels.
    var markerSize = 5.0

    /// The frame: axes over the covered plane (not widened, so the regions fill the plot area), a legend of classes.
    var frame: ChartFrame {
        func axis(_ range: (lower: Double, upper: Double)) -> AxisTicks {
            let ticks = AxisTicks.linear(lower: range.lower, upper: range.upper)
            return AxisTicks(
                lower: range.lower, upper: range.upper,
                values: ticks.values.filter { $0 >= range.lower && $0 <= range.upper }, logarithmic: false)
        }
        return ChartFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, xAxis: axis(xRange),
            yAxis: axis(yRange), legend: classNames)
    }

    /// The color of class `k`'s region: its point color mixed most of the way to white.
    static func regionColor(_ k: Int) -> RGB { PlotPalette.color(k).mixed(with: .white, 0.75) }

    func draw<Surface: PlotSurface>(on surface: inout Surface) {
        let frame = self.frame
        frame.drawAxes(on: &surface)
        let (cellWidth, cellHeight) = (frame.plotWidth / Double(resolution), frame.plotHeight / Double(resolution))
        for row in 0..<resolution {
            // Runs of one class along the row are one rectangle, so the SVG stays small.
            var start = 0
            for column in 1...resolution
            where column == resolution
                || regions[row * resolution + column] != regions[row * resolution + start]
            {
                // Whole pixels, each cell edge rounded once, so neighbouring rows and runs meet without a seam.
                let (x0, x1) = (
                    (frame.left + Double(start) * cellWidth).rounded(),
                    (frame.left + Double(column) * cellWidth).rounded()
                )
                let (y0, y1) = (
                    (frame.bottom - Double(row + 1) * cellHeight).rounded(),
                    (frame.bottom - Double(row) * cellHeight).rounded()
                )
                surface.fillRect(
                    x: x0, y: y0, width: x1 - x0, height: y1 - y0,
                    color: Self.regionColor(regions[row * resolution + start]))
                start = column
            }
        }
        surface.strokeRect(
            x: frame.left, y: frame.top, width: frame.plotWidth + 1, height: frame.plotHeight + 1, color: .ink)
        for (point, label) in points where point.isFinite {
            let p = frame.pixel(point)
            surface.fillRect(
                x: p.x - markerSize / 2 - 1, y: p.y - markerSize / 2 - 1, width: markerSize + 2, height: markerSize + 2,
                color: .white)
            surface.fillRect(
                x: p.x - markerSize / 2, y: p.y - markerSize / 2, width: markerSize, height: markerSize,
                color: PlotPalette.color(label))
        }
        frame.drawLegend(
            classNames.enumerated().map { ($1, PlotPalette.color($0)) }, mark: .square, on: &surface)
    }
}
