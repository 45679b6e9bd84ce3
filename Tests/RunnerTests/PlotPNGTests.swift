import Testing
@testable import Runner

@Suite("Plot PNG and canvas")
struct PlotPNGTests {
    /// A 37×23 canvas with a red rectangle covering x 5..<12, y 3..<9.
    func redRectangleCanvas() -> Canvas {
        var canvas = Canvas(width: 37, height: 23, background: RGB(10, 20, 30))
        canvas.fillRect(x: 5, y: 3, width: 7, height: 6, color: RGB(255, 0, 0))
        return canvas
    }

    @Test func signatureAndHeader() throws {
        let png = PNGReader(PNGEncoder.encode(redRectangleCanvas()))
        #expect(png.signature == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(png.chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        let header = try #require(png.header)
        #expect(header.width == 37)
        #expect(header.height == 23)
        #expect(header.bitDepth == 8)
        #expect(header.colorType == 2)
        #expect(header.interlace == 0)
        #expect(png.chunks.last?.data.isEmpty == true)
        #expect(png.endsCleanly)
    }

    @Test func everyChunkCRCVerifies() {
        let png = PNGReader(LineChart.sample.png())
        #expect(png.chunks.count >= 3)
        for chunk in png.chunks {
            #expect(chunk.crcMatches, "CRC of \(chunk.type)")
        }
    }

    @Test func imageDataInflatesToUnfilteredScanlines() throws {
        let canvas = redRectangleCanvas()
        let png = PNGReader(PNGEncoder.encode(canvas))
        let expected = 23 * (1 + 37 * 3)
        let scanlines = try #require(png.inflated(capacity: expected + 1))
        #expect(scanlines.count == expected)
        for row in 0..<23 {
            #expect(scanlines[row * (1 + 37 * 3)] == 0, "filter byte of row \(row)")
        }
        #expect(PNGReader.pixel(scanlines, width: 37, x: 5, y: 3) == [255, 0, 0])
        #expect(PNGReader.pixel(scanlines, width: 37, x: 11, y: 8) == [255, 0, 0])
        #expect(PNGReader.pixel(scanlines, width: 37, x: 12, y: 8) == [10, 20, 30])
        #expect(PNGReader.pixel(scanlines, width: 37, x: 11, y: 9) == [10, 20, 30])
        #expect(PNGReader.pixel(scanlines, width: 37, x: 4, y: 3) == [10, 20, 30])
        #expect(PNGReader.pixel(scanlines, width: 37, x: 36, y: 22) == [10, 20, 30])
    }

    @Test func chartPNGDecodesToItsRaster() throws {
        let chart = ConfusionMatrixPlot(title: "cm", classNames: ["a", "b"], counts: [[3, 1], [0, 4]])
        let canvas = chart.raster()
        let png = PNGReader(chart.png())
        let scanlines = try #require(png.inflated(capacity: canvas.height * (1 + canvas.width * 3) + 1))
        #expect(scanlines.count == canvas.height * (1 + canvas.width * 3))
        for (x, y) in [(0, 0), (canvas.width / 2, canvas.height / 2), (canvas.width - 1, canvas.height - 1)] {
            let rgb = canvas[x, y]
            #expect(PNGReader.pixel(scanlines, width: canvas.width, x: x, y: y) == [rgb.r, rgb.g, rgb.b])
        }
    }

    @Test func rectanglesAreClippedToTheCanvas() {
        var canvas = Canvas(width: 4, height: 3)
        canvas.fillRect(x: -10, y: 1, width: 12, height: 100, color: .black)
        #expect(canvas[0, 0] == .white)
        #expect(canvas[1, 2] == .black)
        #expect(canvas[2, 2] == .white)
    }

    @Test func polylineIsSolidOnTheLineAndAntiAliasedAtItsEdge() {
        var canvas = Canvas(width: 40, height: 20)
        // A horizontal 2-pixel line through the centers of row 10: the band y 9.5…11.5 covers row 10 and half
        // of rows 9 and 11.
        canvas.strokePolyline([PlotPoint(5, 10.5), PlotPoint(35, 10.5)], color: .black, lineWidth: 2)
        #expect(canvas[20, 10] == .black)
        #expect(canvas[20, 9] == RGB(128, 128, 128))
        #expect(canvas[20, 11] == RGB(128, 128, 128))
        #expect(canvas[20, 8] == .white)
        #expect(canvas[20, 12] == .white)
        #expect(canvas[38, 10] == .white)
        // The same band on whole-pixel boundaries is crisp: rows 9 and 10 solid, nothing outside.
        var crisp = Canvas(width: 40, height: 20)
        crisp.strokePolyline([PlotPoint(5, 10), PlotPoint(35, 10)], color: .black, lineWidth: 2)
        #expect(crisp[20, 9] == .black)
        #expect(crisp[20, 10] == .black)
        #expect(crisp[20, 8] == .white)
        #expect(crisp[20, 11] == .white)
    }

    @Test func polylineJoinsDoNotDarkenTwice() {
        var canvas = Canvas(width: 30, height: 30)
        let gray = RGB(100, 100, 100)
        let corner = [PlotPoint(5.5, 15.5), PlotPoint(15.5, 15.5), PlotPoint(15.5, 25.5)]
        canvas.strokePolyline(corner, color: gray, lineWidth: 2)
        // Pixel (16, 15) is half covered by both segments (its center is 1 from the corner); blended once it is
        // halfway between white and the line color (blending per segment would give 139).
        #expect(canvas[16, 15] == RGB(178, 178, 178))
        #expect(canvas[15, 15] == gray)
        #expect(canvas[10, 15] == gray)
    }

    @Test func textInksTheGlyphPixels() {
        var canvas = Canvas(width: 20, height: 12)
        // "I" at scale 1 with its top-left at (2, 2): the glyph's top row is ".###." .
        canvas.drawText("I", x: 2, y: 2 + 3.5, style: TextStyle(scale: 1, color: .black))
        #expect(canvas[2, 2] == .white)
        #expect(canvas[3, 2] == .black)
        #expect(canvas[5, 2] == .black)
        #expect(canvas[6, 2] == .white)
        #expect(canvas[4, 5] == .black)  // the stem
        #expect(canvas[3, 5] == .white)
        let inked = (0..<20).flatMap { x in (0..<12).map { y in canvas[x, y] } }.filter { $0 == .black }.count
        #expect(inked == 3 + 5 + 3)  // top bar, stem rows 1–5, bottom bar
    }

    @Test func verticalTextRunsUpward() {
        var canvas = Canvas(width: 12, height: 20)
        // "-" rotated: its horizontal bar (row 3, columns 0–4) becomes a vertical bar in column x = left + 3.
        canvas.drawText("-", x: 6.5, y: 15, style: TextStyle(scale: 1, color: .black, vertical: true))
        let left = 3
        let inked = (0..<12).flatMap { x in (0..<20).map { y in (x, y) } }.filter { canvas[$0.0, $0.1] == .black }
        #expect(inked.count == 5)
        #expect(inked.allSatisfy { $0.0 == left + 3 })
        #expect(Set(inked.map(\.1)) == Set(10..<15))
    }

    @Test func everyPrintableASCIICharacterHasAGlyph() {
        let question = BitmapFont.glyph("?")
        for code in 32...126 where code != 63 {
            let character = Character(Unicode.Scalar(UInt8(code)))
            #expect(BitmapFont.glyph(character) != question, "glyph for \(character)")
        }
        #expect(BitmapFont.glyph("α") != question)
        #expect(BitmapFont.glyph("€") == question)
    }
}
