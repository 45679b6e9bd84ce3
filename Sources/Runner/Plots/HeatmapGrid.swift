/// One matrix to draw as colored squares, such as one attention head's (T, T) weights.
struct Heatmap: Sendable {
    var title: String
    var rows: Int
    var columns: Int
    /// Row-major values, `rows × columns` of them; NaN and infinities are drawn in `RGB.missing`.
    var values: [Double]

    init<T: BinaryFloatingPoint>(title: String, rows: Int, columns: Int, values: [T]) {
        precondition(rows > 0 && columns > 0, "Heatmap \(title): shape must be positive, got \(rows)×\(columns)")
        precondition(values.count == rows * columns,
                     "Heatmap \(title): \(values.count) values for a \(rows)×\(columns) matrix")
        self.title = title
        self.rows = rows
        self.columns = columns
        self.values = values.map { Double($0) }
    }

    /// The smallest and largest finite value, or nil when there is none.
    var finiteRange: (lower: Double, upper: Double)? {
        var range: (lower: Double, upper: Double)?
        for v in values where v.isFinite {
            range = range.map { (min($0.lower, v), max($0.upper, v)) } ?? (v, v)
        }
        return range
    }
}

/// How the colors of a `HeatmapGrid` map to values.
enum HeatmapScale: Sendable {
    /// One range, the smallest to the largest finite value of all panels (compare heads with each other).
    case shared
    /// Each panel spans the whole colormap between its own minimum and maximum (see each head's pattern).
    case perPanel
    /// A given range; values outside it take the end colors.
    case fixed(lower: Double, upper: Double)
}

/// Matrices drawn side by side as square-celled panels, each titled, with an optional colorbar: the attention
/// heatmaps of one layer (one panel per head) or any other set of matrices.
struct HeatmapGrid: Chart {
    var title: String
    var panels: [Heatmap]
    var scale = HeatmapScale.shared
    var colormap = Colormap.viridis
    /// Panels per row; `nil` puts up to 4 in a row.
    var panelsPerRow: Int?
    /// The side of one cell in pixels; `nil` makes the largest panel about 180 pixels wide.
    var cellSize: Int?
    var showColorbar = true
    /// A line under the grid, such as "rows: query position, columns: key position".
    var caption = ""

    init(title: String, panels: [Heatmap], scale: HeatmapScale = .shared, caption: String = "") {
        precondition(!panels.isEmpty, "HeatmapGrid \(title): needs at least one panel")
        self.title = title
        self.panels = panels
        self.scale = scale
        self.caption = caption
    }

    /// Post-softmax attention weights of shape (H, T_q, T_k), row-major: one panel "head h" per head, rows
    /// the query positions and columns the key positions.
    static func attention<T: BinaryFloatingPoint>(_ weights: [T], heads: Int, queries: Int, keys: Int,
                                                  title: String) -> HeatmapGrid {
        precondition(heads > 0 && weights.count == heads * queries * keys,
                     "HeatmapGrid.attention: \(weights.count) weights for shape (\(heads), \(queries), \(keys))")
        let size = queries * keys
        let panels = (0..<heads).map { h in
            let values = Array(weights[h * size..<(h + 1) * size])  // (T_q, T_k)
            return Heatmap(title: "head \(h)", rows: queries, columns: keys, values: values)
        }
        return HeatmapGrid(title: title, panels: panels, caption: "rows: query position, columns: key position")
    }

    /// Where everything goes, in pixels.
    struct Layout {
        var cell: Int
        /// Top-left corner of each panel's first cell.
        var origins: [PlotPoint]
        var colorbar: (x: Double, y: Double, height: Double)?
        var width: Int
        var height: Int

        /// The center of cell (row, column) of panel `panel`.
        func cellCenter(panel: Int, row: Int, column: Int) -> PlotPoint {
            let origin = origins[panel]
            return PlotPoint(origin.x + (Double(column) + 0.5) * Double(cell),
                             origin.y + (Double(row) + 0.5) * Double(cell))
        }
    }

    static let padding = 12.0, gap = 16.0, panelTitleHeight = 14.0, colorbarWidth = 14.0

    func layout() -> Layout {
        let largest = panels.map { max($0.rows, $0.columns) }.max()!
        let cell = max(1, cellSize ?? min(40, Int((180 / Double(largest)).rounded())))
        let perRow = max(1, min(panelsPerRow ?? 4, panels.count))
        let slotWidth = Double(panels.map(\.columns).max()! * cell)
        let slotHeight = Double(panels.map(\.rows).max()! * cell) + Self.panelTitleHeight
        let gridRows = (panels.count + perRow - 1) / perRow
        let top = Self.padding + (title.isEmpty ? 0 : 30)
        let origins = panels.indices.map { i in
            PlotPoint(Self.padding + Double(i % perRow) * (slotWidth + Self.gap),
                      top + Double(i / perRow) * (slotHeight + Self.gap) + Self.panelTitleHeight)
        }
        var right = Self.padding + Double(perRow) * slotWidth + Double(perRow - 1) * Self.gap
        var colorbar: (x: Double, y: Double, height: Double)?
        if showColorbar {
            let labelWidth = colorbarLabels().map(TextStyle().advance).max() ?? 0
            colorbar = (right + Self.gap, top + Self.panelTitleHeight, max(slotHeight - Self.panelTitleHeight, 60))
            right += Self.gap + Self.colorbarWidth + 6 + labelWidth
        }
        let captionHeight = caption.isEmpty ? 0 : 20.0
        let gridBottom = top + Double(gridRows) * slotHeight + Double(gridRows - 1) * Self.gap
        let colorbarBottom = colorbar.map { $0.y + $0.height } ?? 0
        let titleWidth = TextStyle(scale: 2).advance(of: title)
        let captionWidth = TextStyle().advance(of: caption)
        let width = Int(max(right, titleWidth, captionWidth) + Self.padding)
        let height = Int(max(gridBottom, colorbarBottom) + captionHeight + Self.padding)
        return Layout(cell: cell, origins: origins, colorbar: colorbar, width: width, height: height)
    }

    var width: Int { layout().width }
    var height: Int { layout().height }

    /// The value range of panel `index` (lower == upper when it is constant or has no finite value).
    func range(of index: Int) -> (lower: Double, upper: Double) {
        switch scale {
        case .fixed(let lower, let upper): return (lower, upper)
        case .perPanel: return panels[index].finiteRange ?? (0, 0)
        case .shared:
            let ranges = panels.compactMap(\.finiteRange)
            guard let first = ranges.first else { return (0, 0) }
            return ranges.reduce(first) { (min($0.lower, $1.lower), max($0.upper, $1.upper)) }
        }
    }

    /// Labels for the top, middle and bottom of the colorbar.
    func colorbarLabels() -> [String] {
        if case .perPanel = scale { return ["panel max", "", "panel min"] }
        let (lower, upper) = range(of: 0)
        return [tickLabel(upper), tickLabel((lower + upper) / 2), tickLabel(lower)]
    }

    func draw<Surface: PlotSurface>(on surface: inout Surface) {
        let layout = layout()
        let cell = Double(layout.cell)
        surface.fillRect(x: 0, y: 0, width: Double(layout.width), height: Double(layout.height), color: .white)
        if !title.isEmpty {
            surface.text(title, x: Double(layout.width) / 2, y: Self.padding + 7,
                         style: TextStyle(scale: 2, anchor: .middle))
        }
        for (index, panel) in panels.enumerated() {
            let origin = layout.origins[index]
            let (lower, upper) = range(of: index)
            surface.text(panel.title, x: origin.x + Double(panel.columns) * cell / 2,
                         y: origin.y - Self.panelTitleHeight / 2, style: TextStyle(anchor: .middle))
            for row in 0..<panel.rows {
                for column in 0..<panel.columns {
                    let value = panel.values[row * panel.columns + column]
                    surface.fillRect(x: origin.x + Double(column) * cell, y: origin.y + Double(row) * cell,
                                     width: cell, height: cell,
                                     color: colormap.color(of: value, lower: lower, upper: upper))
                }
            }
        }
        if let bar = layout.colorbar {
            let steps = max(Int(bar.height), 2)
            for i in 0..<steps {
                let t = 1 - Double(i) / Double(steps - 1)
                surface.fillRect(x: bar.x, y: bar.y + Double(i), width: Self.colorbarWidth, height: 1,
                                 color: colormap.color(at: t))
            }
            surface.strokeRect(x: bar.x - 1, y: bar.y - 1, width: Self.colorbarWidth + 2, height: Double(steps) + 2,
                               color: .mutedInk)
            let labels = colorbarLabels()
            let style = TextStyle(color: .mutedInk)
            for (i, label) in labels.enumerated() {
                surface.text(label, x: bar.x + Self.colorbarWidth + 6, y: bar.y + Double(i) * Double(steps - 1) / 2,
                             style: style)
            }
        }
        if !caption.isEmpty {
            surface.text(caption, x: Self.padding, y: Double(layout.height) - Self.padding - 3.5,
                         style: TextStyle(color: .mutedInk))
        }
    }
}
