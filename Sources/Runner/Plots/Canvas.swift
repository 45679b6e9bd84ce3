/// A raster image of 8-bit RGB pixels, row-major from the top-left corner, that charts draw on for PNG output.
///
/// Pixel (x, y) covers the square [x, x+1) × [y, y+1); its center is (x + 0.5, y + 0.5). Shapes are clipped to
/// the canvas, so drawing partly or wholly outside it is allowed.
struct Canvas: Equatable {
    let width: Int
    let height: Int
    /// `height` rows of `width` pixels of 3 bytes (r, g, b).
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int, background: RGB = .white) {
        precondition(width > 0 && height > 0, "Canvas: size must be positive, got \(width)×\(height)")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x0: 0, y0: 0, x1: width, y1: height, color: background)
    }

    /// The color of pixel (x, y).
    subscript(x: Int, y: Int) -> RGB {
        precondition(x >= 0 && x < width && y >= 0 && y < height,
                     "Canvas: pixel (\(x), \(y)) outside \(width)×\(height)")
        let i = (y * width + x) * 3
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets the pixels x0..<x1 × y0..<y1 (clipped to the canvas) to `color`.
    mutating func fill(x0: Int, y0: Int, x1: Int, y1: Int, color: RGB) {
        let left = max(x0, 0), right = min(x1, width)
        let top = max(y0, 0), bottom = min(y1, height)
        guard left < right && top < bottom else { return }
        let rowLength = width
        pixels.withUnsafeMutableBufferPointer { buffer in
            for y in top..<bottom {
                var i = (y * rowLength + left) * 3
                for _ in left..<right {
                    buffer[i] = color.r
                    buffer[i + 1] = color.g
                    buffer[i + 2] = color.b
                    i += 3
                }
            }
        }
    }

    /// Fills the rectangle with top-left corner (x, y), both sides rounded to whole pixels.
    mutating func fillRect(x: Double, y: Double, width: Double, height: Double, color: RGB) {
        guard x.isFinite, y.isFinite, width.isFinite, height.isFinite else { return }
        fill(x0: Int((x).rounded()), y0: Int((y).rounded()),
             x1: Int((x + width).rounded()), y1: Int((y + height).rounded()), color: color)
    }

    /// Mixes `color` into pixel (x, y) with opacity `alpha` in [0, 1]; pixels outside the canvas are ignored.
    mutating func blend(x: Int, y: Int, color: RGB, alpha: Double) {
        guard x >= 0 && x < width && y >= 0 && y < height && alpha > 0 else { return }
        let i = (y * width + x) * 3
        let a = min(alpha, 1)
        pixels[i] = UInt8((Double(pixels[i]) + (Double(color.r) - Double(pixels[i])) * a).rounded())
        pixels[i + 1] = UInt8((Double(pixels[i + 1]) + (Double(color.g) - Double(pixels[i + 1])) * a).rounded())
        pixels[i + 2] = UInt8((Double(pixels[i + 2]) + (Double(color.b) - Double(pixels[i + 2])) * a).rounded())
    }

    /// Strokes the line through `points` with round joins and caps, anti-aliased.
    ///
    /// A pixel's coverage is `clamp(lineWidth/2 + 0.5 − d, 0, 1)` where `d` is the distance from its center to the
    /// nearest segment; taking the maximum over segments (rather than blending each segment) keeps the joins from
    /// darkening. Non-finite points are skipped.
    mutating func strokePolyline(_ points: [PlotPoint], color: RGB, lineWidth: Double) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard let first = finite.first, lineWidth > 0 else { return }
        let reach = lineWidth / 2 + 0.5
        var minX = first.x, maxX = first.x, minY = first.y, maxY = first.y
        for p in finite {
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        let left = max(Int((minX - reach).rounded(.down)), 0)
        let top = max(Int((minY - reach).rounded(.down)), 0)
        let right = min(Int((maxX + reach).rounded(.up)) + 1, width)
        let bottom = min(Int((maxY + reach).rounded(.up)) + 1, height)
        guard left < right && top < bottom else { return }
        let boxWidth = right - left
        var coverage = [Float](repeating: 0, count: boxWidth * (bottom - top))
        let segments = finite.count == 1 ? [(first, first)] : (1..<finite.count).map { (finite[$0 - 1], finite[$0]) }
        coverage.withUnsafeMutableBufferPointer { cover in
            for (a, b) in segments {
                let x0 = max(Int((min(a.x, b.x) - reach).rounded(.down)), left)
                let x1 = min(Int((max(a.x, b.x) + reach).rounded(.up)) + 1, right)
                let y0 = max(Int((min(a.y, b.y) - reach).rounded(.down)), top)
                let y1 = min(Int((max(a.y, b.y) + reach).rounded(.up)) + 1, bottom)
                guard x0 < x1 && y0 < y1 else { continue }
                let dx = b.x - a.x, dy = b.y - a.y
                let lengthSquared = dx * dx + dy * dy
                for y in y0..<y1 {
                    let py = Double(y) + 0.5
                    for x in x0..<x1 {
                        let px = Double(x) + 0.5
                        var t = lengthSquared > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / lengthSquared : 0
                        t = min(max(t, 0), 1)
                        let ex = px - (a.x + t * dx), ey = py - (a.y + t * dy)
                        let c = Float(min(max(reach - (ex * ex + ey * ey).squareRoot(), 0), 1))
                        let k = (y - top) * boxWidth + (x - left)
                        if c > cover[k] { cover[k] = c }
                    }
                }
            }
        }
        for y in top..<bottom {
            for x in left..<right {
                let c = coverage[(y - top) * boxWidth + (x - left)]
                if c > 0 { blend(x: x, y: y, color: color, alpha: Double(c)) }
            }
        }
    }
}
