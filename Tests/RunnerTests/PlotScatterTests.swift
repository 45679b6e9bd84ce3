import Testing

@testable import Runner

@Suite("Plot scatter charts")
struct PlotScatterTests {
    @Test func eachPointIsASquareOfItsSeriesColorAtItsPixel() throws {
        let chart = ScatterChart(
            title: "pca", xLabel: "pc1", yLabel: "pc2",
            series: [
                ScatterSeries(name: "a", points: [PlotPoint(0, 0), PlotPoint(1, 2), PlotPoint(.nan, 1)]),
                ScatterSeries(name: "b", points: [PlotPoint(-1, 1)]),
                ScatterSeries(name: "empty", points: []),
            ])
        let reader = SVGReader(chart.svg())
        #expect(reader.wellFormed)
        // The NaN point is skipped; the legend's squares are larger (6 px).
        let squares = reader.elements("rect").filter { $0.number("width") == 4 && $0.number("height") == 4 }
        #expect(squares.count == 3)
        let canvas = chart.raster()
        let frame = chart.frame()
        for (point, series) in [(PlotPoint(0, 0), 0), (PlotPoint(1, 2), 0), (PlotPoint(-1, 1), 1)] {
            let pixel = frame.pixel(point)
            let color = PlotPalette.color(series)
            let square = try #require(
                squares.first {
                    abs($0.number("x")! - (pixel.x - 2)) < 0.01 && abs($0.number("y")! - (pixel.y - 2)) < 0.01
                },
                "a square at \(pixel)")
            #expect(square.attributes["fill"] == color.hexString)
            #expect(canvas[Int(pixel.x), Int(pixel.y)] == color)
        }
        // Larger x lies further right, larger y higher up.
        #expect(frame.pixel(PlotPoint(1, 2)).x > frame.pixel(PlotPoint(0, 0)).x)
        #expect(frame.pixel(PlotPoint(1, 2)).y < frame.pixel(PlotPoint(0, 0)).y)
        let legend = reader.elements("rect").filter { $0.number("width") == 6 && $0.number("height") == 6 }
        #expect(legend.map { $0.attributes["fill"] } == (0..<3).map { PlotPalette.color($0).hexString })
        for text in ["pca", "pc1", "pc2", "a", "b", "empty"] { #expect(reader.texts.contains(text), "\(text)") }
    }

    @Test func theAxesSpanEveryPoint() {
        let (x, y) = ScatterChart.sample.axes()
        for point in ScatterChart.sample.series.flatMap(\.points) {
            #expect(x.lower <= point.x && point.x <= x.upper)
            #expect(y.lower <= point.y && point.y <= y.upper)
        }
    }

    @Test func aChartWithoutPointsSaysNoData() {
        let chart = ScatterChart(
            title: "", xLabel: "x", yLabel: "y", series: [ScatterSeries(name: "a", points: [PlotPoint(.nan, 0)])])
        #expect(SVGReader(chart.svg()).texts.contains("no data"))
        #expect(chart.raster().width == 760)
    }
}
