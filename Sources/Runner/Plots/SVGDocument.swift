/// An SVG 1.1 document built element by element: the vector counterpart of `Canvas`.
///
/// Text uses a monospace font at `10 × scale` px, whose advance (≈ 0.6 em) and capital height (≈ 0.7 em) match
/// `BitmapFont`, so a chart lays out the same in SVG and PNG. Rectangles are drawn with crisp edges; polylines
/// are anti-aliased by the viewer.
struct SVGDocument: PlotSurface {
    let width: Int
    let height: Int
    private var elements: [String] = []

    init(width: Int, height: Int, background: RGB = .white) {
        precondition(width > 0 && height > 0, "SVGDocument: size must be positive, got \(width)×\(height)")
        self.width = width
        self.height = height
        fillRect(x: 0, y: 0, width: Double(width), height: Double(height), color: background)
    }

    /// The complete document: XML declaration, `<svg>` root with its `viewBox`, the elements, `</svg>`.
    var text: String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(width)" height="\#(height)" "#
                + #"viewBox="0 0 \#(width) \#(height)">"#,
            "<style>rect{shape-rendering:crispEdges}"
                + "text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;white-space:pre}</style>",
        ]
        lines.append(contentsOf: elements)
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func fillRect(x: Double, y: Double, width: Double, height: Double, color: RGB) {
        guard x.isFinite, y.isFinite, width.isFinite, height.isFinite, width > 0, height > 0 else { return }
        elements.append(#"<rect x="\#(svgNumber(x))" y="\#(svgNumber(y))" width="\#(svgNumber(width))" "#
            + #"height="\#(svgNumber(height))" fill="\#(color.hexString)"/>"#)
    }

    mutating func polyline(_ points: [PlotPoint], color: RGB, lineWidth: Double) {
        let finite = points.filter(\.isFinite)
        guard finite.count >= 2 else { return }
        let coordinates = finite.map { "\(svgNumber($0.x)),\(svgNumber($0.y))" }.joined(separator: " ")
        elements.append(#"<polyline points="\#(coordinates)" fill="none" stroke="\#(color.hexString)" "#
            + #"stroke-width="\#(svgNumber(lineWidth))" stroke-linejoin="round" stroke-linecap="round"/>"#)
    }

    mutating func text(_ text: String, x: Double, y: Double, style: TextStyle) {
        guard !text.isEmpty, x.isFinite, y.isFinite else { return }
        let s = Double(max(style.scale, 1))
        let anchor: String
        switch style.anchor {
        case .start: anchor = "start"
        case .middle: anchor = "middle"
        case .end: anchor = "end"
        }
        // SVG places text by its baseline, half a capital height below the center the caller gives.
        let half = Double(BitmapFont.capHeight) * s / 2
        let (bx, by) = style.vertical ? (x + half, y) : (x, y + half)
        let rotation = style.vertical ? #" transform="rotate(-90 \#(svgNumber(bx)) \#(svgNumber(by)))""# : ""
        elements.append(#"<text x="\#(svgNumber(bx))" y="\#(svgNumber(by))" font-size="\#(svgNumber(10 * s))" "#
            + #"fill="\#(style.color.hexString)" text-anchor="\#(anchor)"\#(rotation)>\#(markupEscaped(text))</text>"#)
    }
}

/// `text` made safe for SVG and HTML character data and attribute values: `&`, `<`, `>`, `"` and `'` become
/// entities, and control characters that XML 1.0 forbids become `?`.
func markupEscaped(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&apos;"
        case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
        default:
            if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                escaped += "?"
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
    }
    return escaped
}

/// A coordinate for SVG: rounded to 2 decimals, without a fraction when whole (`12`, `12.5`, `-0.25`).
func svgNumber(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
    return "\(rounded)"
}
