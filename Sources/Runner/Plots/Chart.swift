import Foundation

/// A chart description that draws itself on any `PlotSurface`, so one value renders to SVG and to PNG alike.
protocol Chart {
    /// The image size in pixels (SVG user units), known before drawing.
    var width: Int { get }
    var height: Int { get }

    /// Draws the whole chart, background included, within `width × height`.
    func draw<Surface: PlotSurface>(on surface: inout Surface)
}

extension Chart {
    /// The chart as an SVG document.
    func svg() -> String {
        var document = SVGDocument(width: width, height: height)
        draw(on: &document)
        return document.text
    }

    /// The chart rasterized with the bitmap font and anti-aliased lines.
    func raster() -> Canvas {
        var canvas = Canvas(width: width, height: height)
        draw(on: &canvas)
        return canvas
    }

    /// The chart as the bytes of a PNG file (8-bit RGB).
    func png() -> [UInt8] {
        PNGEncoder.encode(raster())
    }
}

/// A plot that could not be written.
enum PlotError: Error, Equatable, CustomStringConvertible {
    /// Writing the file at `path` failed; `reason` is the system's explanation.
    case cannotWrite(path: String, reason: String)

    var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "cannot write plot \(path): \(reason)"
        }
    }
}

/// Writes `chart` as `basePath.svg` and `basePath.png` (the folder must exist).
///
/// - Throws: `PlotError.cannotWrite` naming the file that failed.
func write(_ chart: some Chart, to basePath: String) throws(PlotError) {
    try writePlotFile(Data(chart.svg().utf8), to: basePath + ".svg")
    try writePlotFile(Data(chart.png()), to: basePath + ".png")
}

/// Writes `data` to `path` atomically, mapping any failure to `PlotError.cannotWrite`.
private func writePlotFile(_ data: Data, to path: String) throws(PlotError) {
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw .cannotWrite(path: path, reason: error.localizedDescription)
    }
}
