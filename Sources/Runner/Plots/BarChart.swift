/// Bars of values per category, one bar per series side by side in each category: a metric against a swept choice
/// (an activation, an optimizer) for train, validation and test. The y axis starts at 0 (or below, for negative
/// values); category names sit under their bars.
struct BarChart: Chart {
    var title: String
    var xLabel: String
    var yLabel: String
    var categories: [String]
    /// Per series its name and one value per category (NaN: no bar).
    var series: [(name: String, values: [Double])]
    var width = 760
    var height = 460

    /// The frame: categories at 0, 1, … on an x axis without ticks, y from 0 to the tallest bar.
    var frame: ChartFrame {
        let values = series.flatMap(\.values).filter(\.isFinite)
        let y = AxisTicks.linear(lower: min(values.min() ?? 0, 0), upper: max(values.max() ?? 1, 0))
        let x = AxisTicks(lower: -0.5, upper: Double(max(categories.count, 1)) - 0.5, values: [], logarithmic: false)
        return ChartFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, xAxis: x, yAxis: y,
            legend: series.map(\.name))
    }

    func draw<Surface: PlotSurface>(on surface: inout Surface) {
        let frame = self.frame
        frame.drawAxes(on: &surface)
        let slot = frame.plotWidth / Double(max(categories.count, 1))
        let barWidth = slot * 0.8 / Double(max(series.count, 1))
        let zero = frame.pixel(PlotPoint(0, 0)).y
        for (c, category) in categories.enumerated() {
            let center = frame.pixel(PlotPoint(Double(c), 0)).x
            for (s, entry) in series.enumerated() where c < entry.values.count && entry.values[c].isFinite {
                let top = frame.pixel(PlotPoint(Double(c), entry.values[c])).y
                surface.fillRect(
                    x: center - slot * 0.4 + Double(s) * barWidth, y: min(top, zero), width: barWidth - 1,
                    height: abs(zero - top), color: PlotPalette.color(s))
            }
            surface.text(
                category, x: center, y: frame.bottom + 12,
                style: TextStyle(scale: 1, color: .mutedInk, anchor: .middle))
        }
        frame.drawLegend(
            series.enumerated().map { ($1.name, PlotPalette.color($0)) }, mark: .square, on: &surface)
    }
}
