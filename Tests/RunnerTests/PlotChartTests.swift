import Foundation
import Testing
@testable import Runner

@Suite("Plot heatmaps, confusion matrices, image grids, files")
struct PlotChartTests {
    func pixel(_ canvas: Canvas, _ point: PlotPoint) -> RGB {
        canvas[Int(point.x), Int(point.y)]
    }

    @Test func colormapEndsAndMiddle() {
        #expect(Colormap.viridis.color(at: 0) == RGB(hex: 0x440154))
        #expect(Colormap.viridis.color(at: 1) == RGB(hex: 0xFDE725))
        #expect(Colormap.viridis.color(at: 0.5) == RGB(hex: 0x21918C))
        #expect(Colormap.viridis.color(at: -3) == RGB(hex: 0x440154))
        #expect(Colormap.gray.color(at: 0.5) == RGB(128, 128, 128))
        #expect(Colormap.viridis.color(of: 3, lower: 3, upper: 3) == Colormap.viridis.color(at: 0.5))
        #expect(Colormap.viridis.color(of: .nan, lower: 0, upper: 1) == .missing)
    }

    @Test func heatmapMinAndMaxTakeTheColormapEnds() throws {
        let values: [Double] = [0.2, 0.5, 0.9, 0.1, 0.3, 0.4]  // (2, 3): min at (1, 0), max at (0, 2)
        let grid = HeatmapGrid(title: "h", panels: [Heatmap(title: "m", rows: 2, columns: 3, values: values)])
        let layout = grid.layout()
        let canvas = grid.raster()
        #expect(pixel(canvas, layout.cellCenter(panel: 0, row: 1, column: 0)) == Colormap.viridis.stops.first)
        #expect(pixel(canvas, layout.cellCenter(panel: 0, row: 0, column: 2)) == Colormap.viridis.stops.last)
        #expect(pixel(canvas, layout.cellCenter(panel: 0, row: 0, column: 1)) == Colormap.viridis.color(at: 0.5))
        let bar = try #require(layout.colorbar)
        #expect(canvas[Int(bar.x) + 5, Int(bar.y)] == Colormap.viridis.stops.last)
        #expect(canvas[Int(bar.x) + 5, Int(bar.y + bar.height) - 1] == Colormap.viridis.stops.first)
        #expect(grid.colorbarLabels() == ["0.9", "0.5", "0.1"])
    }

    @Test func attentionGridHasOnePanelPerHead() throws {
        let grid = HeatmapGrid.sample
        #expect(grid.panels.count == 8)
        let layout = grid.layout()
        #expect(layout.origins.count == 8)
        #expect(Set(layout.origins.map { "\($0.x),\($0.y)" }).count == 8)
        let reader = SVGReader(grid.svg())
        #expect(reader.wellFormed)
        for head in 0..<8 { #expect(reader.texts.contains("head \(head)")) }
        // Every panel is square and inside the image.
        let side = Double(17 * layout.cell)
        for origin in layout.origins {
            #expect(origin.x >= 0 && origin.x + side <= Double(grid.width))
            #expect(origin.y >= 0 && origin.y + side <= Double(grid.height))
        }
        // One cell rectangle per weight.
        let cells = reader.elements("rect").filter {
            $0.number("width") == Double(layout.cell) && $0.number("height") == Double(layout.cell)
        }
        #expect(cells.count == 8 * 17 * 17)
    }

    @Test func perPanelScaleUsesEachPanelsOwnRange() {
        let a = Heatmap(title: "a", rows: 1, columns: 2, values: [0.0, 1.0])
        let b = Heatmap(title: "b", rows: 1, columns: 2, values: [10.0, 20.0])
        var grid = HeatmapGrid(title: "", panels: [a, b], scale: .perPanel)
        grid.cellSize = 10
        let layout = grid.layout()
        let canvas = grid.raster()
        for panel in 0..<2 {
            #expect(pixel(canvas, layout.cellCenter(panel: panel, row: 0, column: 0)) == Colormap.viridis.stops.first)
            #expect(pixel(canvas, layout.cellCenter(panel: panel, row: 0, column: 1)) == Colormap.viridis.stops.last)
        }
        grid.scale = .shared
        let shared = grid.raster()
        #expect(pixel(shared, layout.cellCenter(panel: 0, row: 0, column: 1)) == Colormap.viridis.color(at: 0.05))
        #expect(pixel(shared, layout.cellCenter(panel: 1, row: 0, column: 0)) == Colormap.viridis.color(at: 0.5))
    }

    @Test func confusionMatrixCellsShowTheirCounts() throws {
        let plot = ConfusionMatrixPlot.sample
        let layout = plot.layout()
        let texts = SVGReader(plot.svg()).elements("text")
        for row in 0..<10 {
            for column in 0..<10 {
                let center = layout.cellCenter(row: row, column: column)
                let cell = try #require(texts.first {
                    $0.number("x") == center.x && $0.number("y") == center.y + 3.5
                }, "text in cell (\(row), \(column))")
                #expect(cell.text == String(plot.counts[row][column]))
            }
        }
        // Long class names run vertically under the columns; all names appear twice.
        #expect(layout.verticalColumnLabels)
        #expect(texts.filter { $0.text == "Ankle boot" }.count == 2)
    }

    @Test func confusionMatrixColorsByRowShare() {
        // Row 0 has 3 of 4 on the diagonal, row 1 all 50 on the diagonal: equal counts get different colors.
        let fifty = [Int](repeating: 1, count: 50)
        let plot = ConfusionMatrixPlot(title: "", classNames: ["a", "b"], truth: [0, 0, 0, 0] + fifty,
                                       predicted: [0, 0, 0, 1] + fifty)
        #expect(plot.counts == [[3, 1], [0, 50]])
        #expect(plot.accuracy == 53.0 / 54.0)
        let layout = plot.layout()
        let canvas = plot.raster()
        // Sample a cell corner, away from the count text.
        func corner(_ row: Int, _ column: Int) -> RGB {
            let c = layout.cellCenter(row: row, column: column)
            return canvas[Int(c.x - layout.cell / 2) + 2, Int(c.y - layout.cell / 2) + 2]
        }
        #expect(corner(0, 0) == Colormap.blues.color(at: 0.75))
        #expect(corner(0, 1) == Colormap.blues.color(at: 0.25))
        #expect(corner(1, 1) == Colormap.blues.color(at: 1))
        #expect(corner(1, 0) == Colormap.blues.color(at: 0))
        #expect(SVGReader(plot.svg()).texts.contains("accuracy 98.15% of 54 · color: share of the true class"))
    }

    @Test func imageGridNormalizesEachTileToItsOwnRange() {
        // Two 2×1 images with different ranges: each one's minimum is black and maximum white.
        let grid = ImageGrid(title: "filters", images: [
            GrayImage(width: 2, height: 1, values: [-0.5, 0.25]),
            GrayImage(width: 2, height: 1, values: [100.0, 300.0]),
        ])
        let layout = grid.layout()
        let canvas = grid.raster()
        let zoom = Double(layout.zoom)
        #expect(layout.zoom == 24)
        for origin in layout.origins {
            #expect(pixel(canvas, PlotPoint(origin.x + zoom / 2, origin.y + zoom / 2)) == .black)
            #expect(pixel(canvas, PlotPoint(origin.x + 1.5 * zoom, origin.y + zoom - 1)) == .white)
        }
    }

    @Test func filterGridHasOneTilePerFilterAndChannel() {
        let weights = (0..<(4 * 3 * 3 * 3)).map { Float($0 % 7) }
        let grid = ImageGrid.filters(weights, filters: 4, channels: 3, kernelHeight: 3, kernelWidth: 3, title: "conv1")
        #expect(grid.images.count == 12)
        #expect(grid.images[1].values == (9..<18).map { Double($0 % 7) })
        let origins = grid.layout().origins
        #expect(origins[0].y == origins[2].y && origins[3].y > origins[2].y)  // a row of 3 channels per filter
        #expect(ImageGrid.sample.images.count == 16)
    }

    @Test func writeCreatesSVGAndPNGFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-plot-samples").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let charts: [(String, any Chart)] = [
            ("loss", LineChart.sample), ("steps", LineChart.stepSample), ("sweep", LineChart.sweepSample),
            ("attention", HeatmapGrid.sample),
            ("confusion", ConfusionMatrixPlot.sample), ("filters", ImageGrid.sample), ("scatter", ScatterChart.sample),
        ]
        for (name, chart) in charts {
            let base = folder + "/" + name
            try write(chart, to: base)
            let svg = try String(contentsOfFile: base + ".svg", encoding: .utf8)
            #expect(svg == chart.svg())
            #expect(SVGReader(svg).wellFormed, "\(name).svg")
            let png = PNGReader([UInt8](try Data(contentsOf: URL(fileURLWithPath: base + ".png"))))
            #expect(png.header?.width == chart.width && png.header?.height == chart.height, "\(name).png")
            #expect(png.chunks.allSatisfy { $0.crcMatches })
        }
    }

    @Test func writeNamesThePathThatFailed() {
        let base = "/nonexistent-tapegrad-folder/plot"
        let error = #expect(throws: PlotError.self) { try write(ConfusionMatrixPlot.sample, to: base) }
        guard case .cannotWrite(let path, _) = error else { return }
        #expect(path == base + ".svg")
        #expect(error?.description.contains(base + ".svg") == true)
    }
}
