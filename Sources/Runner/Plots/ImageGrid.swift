/// A small grayscale image: one convolution filter slice, one input example.
struct GrayImage: Sendable {
    var width: Int
    var height: Int
    /// Row-major values, `height × width` of them, in any range.
    var values: [Double]

    init<T: BinaryFloatingPoint>(width: Int, height: Int, values: [T]) {
        precondition(width > 0 && height > 0, "GrayImage: size must be positive, got \(width)×\(height)")
        precondition(values.count == width * height, "GrayImage: \(values.count) values for \(width)×\(height)")
        self.width = width
        self.height = height
        self.values = values.map { Double($0) }
    }

    /// The smallest and largest finite value (0, 0 when there is none): the image's black and white.
    var range: (lower: Double, upper: Double) {
        let finite = values.filter(\.isFinite)
        return (finite.min() ?? 0, finite.max() ?? 0)
    }
}

/// Small images in a grid, each scaled up with nearest-neighbour sampling and normalized to its own range (its
/// minimum black, its maximum white, a constant image mid-gray, NaN light gray): the first-layer filters of a
/// CNN, or a batch of inputs.
struct ImageGrid: Chart {
    var title: String
    var images: [GrayImage]
    /// Tiles per row; `nil` makes the grid about square.
    var tilesPerRow: Int?
    /// Screen pixels per image pixel; `nil` makes the largest image about 48 pixels on a side.
    var zoom: Int?
    /// A line of text under each image (a label, a unit's number); nil: none.
    var captions: [String]?

    init(title: String, images: [GrayImage], tilesPerRow: Int? = nil, captions: [String]? = nil) {
        precondition(!images.isEmpty, "ImageGrid \(title): needs at least one image")
        precondition(
            captions == nil || captions?.count == images.count,
            "ImageGrid \(title): \(captions?.count ?? 0) captions for \(images.count) images")
        self.title = title
        self.images = images
        self.tilesPerRow = tilesPerRow
        self.captions = captions
    }

    /// The filters of a convolution weight of shape (F, C, KH, KW), row-major: one tile per filter and input
    /// channel, a row of C tiles per filter when C > 1.
    static func filters<T: BinaryFloatingPoint>(_ weights: [T], filters: Int, channels: Int, kernelHeight: Int,
                                                kernelWidth: Int, title: String) -> ImageGrid {
        let size = kernelHeight * kernelWidth
        precondition(filters > 0 && channels > 0 && weights.count == filters * channels * size,
                     "ImageGrid.filters: \(weights.count) weights for shape "
                         + "(\(filters), \(channels), \(kernelHeight), \(kernelWidth))")
        let images = (0..<filters * channels).map { i in
            GrayImage(width: kernelWidth, height: kernelHeight, values: Array(weights[i * size..<(i + 1) * size]))
        }
        return ImageGrid(title: title, images: images, tilesPerRow: channels > 1 ? channels : nil)
    }

    static let padding = 12.0, gap = 4.0

    /// Where everything goes, in pixels.
    struct Layout {
        var zoom: Int
        /// Top-left corner of each image.
        var origins: [PlotPoint]
        var width: Int
        var height: Int
    }

    func layout() -> Layout {
        let largest = images.map { max($0.width, $0.height) }.max()!
        let zoom = max(1, self.zoom ?? Int((48 / Double(largest)).rounded()))
        let perRow = max(1, min(tilesPerRow ?? Int(Double(images.count).squareRoot().rounded(.up)), images.count))
        let rows = (images.count + perRow - 1) / perRow
        // A caption needs its text's width and a line below the tile.
        let captionWidth = captions.map { $0.map(TextStyle().advance).max() ?? 0 } ?? 0
        let tileWidth = max(Double(images.map(\.width).max()! * zoom), captionWidth)
        let tileHeight = Double(images.map(\.height).max()! * zoom) + (captions == nil ? 0 : 12)
        let top = Self.padding + (title.isEmpty ? 0 : 30)
        let gridWidth = Double(perRow) * (tileWidth + Self.gap) - Self.gap
        let width = max(gridWidth, TextStyle(scale: 2).advance(of: title)) + 2 * Self.padding
        let left = ((width - gridWidth) / 2).rounded(.down)  // the grid is centered under the title
        let origins = images.indices.map { i in
            PlotPoint(left + Double(i % perRow) * (tileWidth + Self.gap),
                      top + Double(i / perRow) * (tileHeight + Self.gap))
        }
        let height = top + Double(rows) * (tileHeight + Self.gap) - Self.gap + Self.padding
        return Layout(zoom: zoom, origins: origins, width: Int(width), height: Int(height))
    }

    var width: Int { layout().width }
    var height: Int { layout().height }

    func draw<Surface: PlotSurface>(on surface: inout Surface) {
        let layout = layout()
        let zoom = Double(layout.zoom)
        surface.fillRect(x: 0, y: 0, width: Double(layout.width), height: Double(layout.height), color: .white)
        if !title.isEmpty {
            surface.text(title, x: Double(layout.width) / 2, y: Self.padding + 7,
                         style: TextStyle(scale: 2, anchor: .middle))
        }
        for (index, image) in images.enumerated() {
            let origin = layout.origins[index]
            let (lower, upper) = image.range
            surface.strokeRect(x: origin.x - 1, y: origin.y - 1, width: Double(image.width) * zoom + 2,
                               height: Double(image.height) * zoom + 2, color: .missing)
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let color = Colormap.gray.color(of: image.values[y * image.width + x], lower: lower, upper: upper)
                    surface.fillRect(x: origin.x + Double(x) * zoom, y: origin.y + Double(y) * zoom,
                                     width: zoom, height: zoom, color: color)
                }
            }
            if let captions {
                surface.text(
                    captions[index], x: origin.x + Double(image.width) * zoom / 2,
                    y: origin.y + Double(image.height) * zoom + 8, style: TextStyle(color: .mutedInk, anchor: .middle))
            }
        }
    }
}
