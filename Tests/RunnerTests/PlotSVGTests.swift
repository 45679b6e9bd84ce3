import Testing
@testable import Runner

@Suite("Plot SVG and line charts")
struct PlotSVGTests {
    @Test func documentIsWellFormedWithEscapedText() throws {
        var document = SVGDocument(width: 120, height: 40)
        document.text("a < b & c > \"d\"", x: 5, y: 20, style: TextStyle())
        document.polyline([PlotPoint(0, 0), PlotPoint(10.25, 3.5)], color: RGB(hex: 0x4E79A7), lineWidth: 2)
        let svg = document.text
        let lines = svg.split(separator: "\n")
        #expect(lines[0] == #"<?xml version="1.0" encoding="UTF-8"?>"#)
        #expect(lines[1].hasPrefix("<svg "))
        #expect(lines[1].contains(#"viewBox="0 0 120 40""#))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("a &lt; b &amp; c &gt; &quot;d&quot;"))
        #expect(!svg.contains("a < b"))
        let reader = SVGReader(svg)
        #expect(reader.wellFormed)
        #expect(reader.texts == ["a < b & c > \"d\""])
        let polyline = try #require(reader.elements("polyline").first)
        #expect(polyline.points == [PlotPoint(0, 0), PlotPoint(10.25, 3.5)])
        #expect(polyline.attributes["stroke"] == "#4e79a7")
        #expect(markupEscaped("x\u{1}y'") == "x?y&apos;")
    }

    @Test func numbersAreShort() {
        #expect(svgNumber(12) == "12")
        #expect(svgNumber(12.5) == "12.5")
        #expect(svgNumber(-0.001) == "0")
        #expect(svgNumber(3.14159) == "3.14")
    }

    /// The polylines of `chart`'s SVG keyed by stroke color.
    func polylines(_ chart: LineChart) -> [String: [PlotPoint]] {
        let reader = SVGReader(chart.svg())
        #expect(reader.wellFormed)
        var result: [String: [PlotPoint]] = [:]
        for line in reader.elements("polyline") { result[line.attributes["stroke"]!] = line.points }
        return result
    }

    @Test func polylineHasOnePointPerFiniteDataPoint() {
        let a = LineSeries(name: "train", x: [0, 1, 2, 3, 4, 5], y: [1, .nan, 0.5, .infinity, 0.3, 0.2])
        let b = LineSeries(name: "val", x: [0, 2, 4], y: [1.2, 0.7, 0.4])
        let chart = LineChart(title: "loss", xLabel: "epoch", yLabel: "loss", series: [a, b])
        let lines = polylines(chart)
        #expect(lines.count == 2)
        #expect(lines[PlotPalette.color(0).hexString]?.count == 4)
        #expect(lines[PlotPalette.color(1).hexString]?.count == 3)
        // Larger x lies further right, larger y higher up (smaller SVG y).
        let train = lines[PlotPalette.color(0).hexString]!
        #expect(zip(train, train.dropFirst()).allSatisfy { $0.x < $1.x && $0.y < $1.y })
    }

    @Test func pointsLandOnTheirTicks() throws {
        // x ticks 0…10 step 2, y ticks 0…1 step 0.2: the data corners are the plot corners.
        let series = LineSeries(name: "s", x: [0, 10], y: [0, 1])
        let chart = LineChart(title: "", xLabel: "x", yLabel: "y", series: [series])
        let reader = SVGReader(chart.svg())
        let line = try #require(reader.elements("polyline").first).points
        let xTick = try #require(reader.elements("text").first { $0.text == "10" })
        let yTick = try #require(reader.elements("text").first { $0.text == "1" })
        #expect(abs(line[1].x - (xTick.number("x")! - 0.5)) < 1)
        // A y tick label is centered on its grid line, and SVG places text by its baseline 3.5 px lower.
        #expect(abs(line[1].y - (yTick.number("y")! - 3.5 - 0.5)) < 1)
    }

    @Test func legendNamesAppearEscaped() {
        let chart = LineChart(title: "sweep <lr>", xLabel: "step", yLabel: "loss", series: [
            LineSeries(name: "lr=0.1 & momentum", x: [0, 1], y: [1, 2]),
            LineSeries(name: "lr=0.01", x: [0, 1], y: [2, 1]),
            LineSeries(name: "empty", points: []),
        ])
        let svg = chart.svg()
        #expect(svg.contains("lr=0.1 &amp; momentum"))
        #expect(svg.contains("sweep &lt;lr&gt;"))
        let texts = SVGReader(svg).texts
        for name in ["lr=0.1 & momentum", "lr=0.01", "empty", "sweep <lr>", "step", "loss"] {
            #expect(texts.contains(name), "\(name) in \(texts)")
        }
    }

    @Test func logScaleSkipsNonPositiveValues() {
        let series = LineSeries(name: "loss", x: [1, 2, 3, 4, 5], y: [2.0, 0.5, 0, -1, 0.01])
        var chart = LineChart(title: "", xLabel: "step", yLabel: "loss", series: [series])
        chart.logY = true
        let line = polylines(chart)[PlotPalette.color(0).hexString]
        #expect(line?.count == 3)
        let texts = SVGReader(chart.svg()).texts
        #expect(texts.contains("0.01") && texts.contains("0.1") && texts.contains("1") && texts.contains("10"))
    }

    @Test func singlePointIsDrawnAsAMarker() {
        let chart = LineChart(title: "", xLabel: "epoch", yLabel: "loss",
                              series: [LineSeries(name: "test", points: [PlotPoint(10, 0.19)])])
        let reader = SVGReader(chart.svg())
        #expect(reader.elements("polyline").isEmpty)
        let color = PlotPalette.color(0).hexString
        // One marker in the plot plus the legend swatch.
        #expect(reader.elements("rect").filter { $0.attributes["fill"] == color }.count == 2)
        #expect(PNGReader(chart.png()).chunks.allSatisfy { $0.crcMatches })
    }

    @Test func emptyChartSaysNoData() {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "nothing", x: [1.0, 2.0], y: [Double.nan, .nan])])
        let reader = SVGReader(chart.svg())
        #expect(reader.wellFormed)
        #expect(reader.elements("polyline").isEmpty)
        #expect(reader.texts.contains("no data"))
        #expect(LineChart(title: "", xLabel: "", yLabel: "", series: []).raster().width == 760)
    }

    @Test func constantSeriesIsAFlatLineInsideThePlot() throws {
        let chart = LineChart(title: "", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "flat", x: [0, 1, 2, 3], y: [0.5, 0.5, 0.5, 0.5])])
        let line = try #require(polylines(chart)[PlotPalette.color(0).hexString])
        #expect(line.count == 4)
        #expect(Set(line.map(\.y)).count == 1)
        #expect(line[0].y > 40 && line[0].y < Double(chart.height) - 40)
    }

    @Test func pngShowsEachSeriesColor() {
        let canvas = LineChart.sample.raster()
        var counts: [RGB: Int] = [:]
        for y in 0..<canvas.height {
            for x in 0..<canvas.width { counts[canvas[x, y], default: 0] += 1 }
        }
        for index in 0..<3 {
            #expect(counts[PlotPalette.color(index), default: 0] > 20, "series \(index)")
        }
    }

    @Test func longNoisyCurveKeepsEveryPoint() throws {
        // 20,000 logged steps, as a per-step training loss curve has: no decimation, no lost points.
        let steps = (0..<20_000).map(Double.init)
        let loss = steps.map { 2.3 / (1 + $0 / 500) + 0.05 * ($0 * 7919).truncatingRemainder(dividingBy: 13) / 13 }
        let chart = LineChart(title: "train loss", xLabel: "step", yLabel: "loss",
                              series: [LineSeries(name: "train", x: steps, y: loss)])
        let line = try #require(SVGReader(chart.svg()).elements("polyline").first)
        #expect(line.points.count == 20_000)
        #expect(chart.raster()[0, 0] == .white)
    }

    @Test func paletteColorsAreDistinct() {
        let colors = (0..<16).map(PlotPalette.color)
        #expect(Set(colors).count == 16)
        #expect(PlotPalette.color(0) == RGB(hex: 0x4E79A7))
    }
}

@Suite("Curve markers and axes")
struct CurveMarkerTests {
    private func point(_ step: Int, _ split: String, _ loss: Double, _ accuracy: Double?, seconds: Double = 0)
        -> CurvePoint
    {
        CurvePoint(
            epoch: 0, step: step, split: split, loss: loss, accuracy: accuracy, learningRate: 0.1,
            wallSeconds: seconds)
    }

    @Test func theBestValidationPointAndTheEarlyStopAreMarkedOnTheChosenAxis() {
        let curves = [
            point(10, "train", 1.0, 0.5, seconds: 2), point(10, "validation", 0.9, 0.6, seconds: 2.5),
            point(20, "validation", 0.7, 0.8, seconds: 5), point(30, "validation", 0.6, 0.8, seconds: 7.5),
            point(40, "validation", 0.8, 0.7, seconds: 10),
        ]
        // The first of the equal best accuracies (step 20), on epochs of 10 steps.
        let epochs = CurveLayout(axis: .epoch, stepsPerEpoch: 10, earlyStopping: true)
        let markers = epochs.markers(curves, status: .earlyStopped)
        #expect(markers.map(\.x) == [2, 4] && markers.map(\.label) == ["best, restored", "early stop"])
        #expect(epochs.label == "epoch" && epochs.x(curves[0]) == 1)
        // Without accuracies (a language model), the lowest loss; seconds on the axis; no stop to mark.
        let losses = curves.map { point($0.step, $0.split, $0.loss, nil, seconds: $0.wallSeconds) }
        let seconds = CurveLayout(axis: .seconds)
        #expect(seconds.markers(losses, status: .completed).map(\.x) == [7.5])
        #expect(seconds.markers(losses, status: .completed).map(\.label) == ["best validation"])
        #expect(CurveLayout().markers(curves.filter { $0.split == "train" }, status: .completed).isEmpty)
    }

    @Test func aMarkerIsAVerticalLineWithItsLabelInBothFormats() throws {
        let red = RGB(hex: 0xC0392B)
        let chart = LineChart(
            title: "t", xLabel: "epoch", yLabel: "loss",
            series: [LineSeries(name: "train", x: [0.0, 1, 2, 3, 4], y: [5.0, 4, 3, 2, 1])],
            markers: [VerticalMarker(x: 2, label: "best", color: red), VerticalMarker(x: 99, label: "outside")])
        let reader = SVGReader(chart.svg())
        #expect(reader.texts.contains("best") && !reader.texts.contains("outside"))
        let line = try #require(reader.elements("rect").first { $0.attributes["fill"] == "#c0392b" })
        #expect((line.number("width") ?? 0) <= 1.5 && (line.number("height") ?? 0) > 300)
        // In the raster, a column at x = 2 is red from the top of the plot to its bottom, and only there.
        let canvas = chart.raster()
        let reds = (0..<canvas.width).filter { x in (0..<canvas.height).filter { canvas[x, $0] == red }.count > 300 }
        let middle = (Double(reds.first ?? 0) + Double(reds.last ?? 0)) / 2
        #expect((1...2).contains(reds.count))
        #expect(abs(middle - chart.frame.pixel(PlotPoint(2, 0)).x) <= 1)
    }
}
