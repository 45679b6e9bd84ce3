/// A K×K confusion matrix: rows are the true classes, columns the predicted ones, each cell shows its count and
/// is colored by its share of the row (the fraction of that true class predicted as the column's class), so
/// per-class recall reads along the diagonal whatever the class sizes.
struct ConfusionMatrixPlot: Chart {
    var title: String
    var classNames: [String]
    /// `counts[trueClass][predictedClass]`.
    var counts: [[Int]]
    var colormap = Colormap.blues

    /// A plot of `counts` (K rows of K); `classNames` empty names the classes 0, 1, …, K−1.
    init(title: String, classNames: [String] = [], counts: [[Int]]) {
        let k = counts.count
        precondition(counts.allSatisfy { $0.count == k },
                     "ConfusionMatrixPlot \(title): counts must be square, got rows of \(counts.map(\.count))")
        precondition(classNames.isEmpty || classNames.count == k,
                     "ConfusionMatrixPlot \(title): \(classNames.count) class names for \(k) classes")
        self.title = title
        self.classNames = classNames.isEmpty ? (0..<k).map(String.init) : classNames
        self.counts = counts
    }

    /// A plot from parallel label arrays: `truth[i]` and `predicted[i]` in `0..<classNames.count`.
    init(title: String, classNames: [String], truth: [Int], predicted: [Int]) {
        precondition(truth.count == predicted.count,
                     "ConfusionMatrixPlot \(title): \(truth.count) true labels but \(predicted.count) predictions")
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classNames.count), count: classNames.count)
        for (t, p) in zip(truth, predicted) {
            precondition(counts.indices.contains(t) && counts.indices.contains(p),
                         "ConfusionMatrixPlot \(title): label pair (\(t), \(p)) outside 0..<\(classNames.count)")
            counts[t][p] += 1
        }
        self.init(title: title, classNames: classNames, counts: counts)
    }

    /// The fraction of true class `row` predicted as `column` (0 for a class with no examples).
    func rowShare(row: Int, column: Int) -> Double {
        let total = counts[row].reduce(0, +)
        return total > 0 ? Double(counts[row][column]) / Double(total) : 0
    }

    /// The trace over the total, or nil for an empty matrix.
    var accuracy: Double? {
        let total = counts.joined().reduce(0, +)
        guard total > 0 else { return nil }
        return Double(counts.indices.map { counts[$0][$0] }.reduce(0, +)) / Double(total)
    }

    /// Where everything goes, in pixels.
    struct Layout {
        var cell: Double
        /// Top-left corner of the matrix.
        var origin: PlotPoint
        /// Column labels run vertically when they are wider than a cell.
        var verticalColumnLabels: Bool
        var width: Int
        var height: Int

        /// The center of cell (row, column).
        func cellCenter(row: Int, column: Int) -> PlotPoint {
            PlotPoint(origin.x + (Double(column) + 0.5) * cell, origin.y + (Double(row) + 0.5) * cell)
        }
    }

    static let padding = 12.0, labelGap = 6.0

    func layout() -> Layout {
        let style = TextStyle()
        let k = Double(counts.count)
        let widestCount = counts.joined().map { style.advance(of: String($0)) }.max() ?? 0
        let cell = max(36, widestCount + 10)
        let nameWidth = classNames.map(style.advance).max() ?? 0
        let vertical = nameWidth > cell - 4
        let axisTitle = style.lineHeight + 10
        let left = Self.padding + axisTitle + nameWidth + Self.labelGap
        let top = Self.padding + (title.isEmpty ? 0 : 30)
        let columnLabels = vertical ? nameWidth : style.lineHeight
        let bottom = top + k * cell + Self.labelGap + columnLabels + 10 + axisTitle + 14 + Self.padding
        let titleWidth = TextStyle(scale: 2).advance(of: title) + 2 * Self.padding
        let width = max(left + k * cell + Self.padding, titleWidth, style.advance(of: caption) + 2 * Self.padding)
        return Layout(cell: cell, origin: PlotPoint(left, top), verticalColumnLabels: vertical,
                      width: Int(width.rounded(.up)), height: Int(bottom.rounded(.up)))
    }

    var width: Int { layout().width }
    var height: Int { layout().height }

    /// The line under the matrix: accuracy and what the colors mean.
    var caption: String {
        let total = counts.joined().reduce(0, +)
        let accuracy = self.accuracy.map { "accuracy \(trimmedDecimal($0 * 100, decimals: 2))% of \(total)" }
        return (accuracy ?? "no examples") + " · color: share of the true class"
    }

    func draw<Surface: PlotSurface>(on surface: inout Surface) {
        let layout = layout()
        let k = counts.count, cell = layout.cell, origin = layout.origin
        let style = TextStyle()
        surface.fillRect(x: 0, y: 0, width: Double(layout.width), height: Double(layout.height), color: .white)
        if !title.isEmpty {
            surface.text(title, x: Double(layout.width) / 2, y: Self.padding + 7,
                         style: TextStyle(scale: 2, anchor: .middle))
        }
        for row in 0..<k {
            for column in 0..<k {
                let color = colormap.color(at: rowShare(row: row, column: column))
                surface.fillRect(x: origin.x + Double(column) * cell, y: origin.y + Double(row) * cell,
                                 width: cell, height: cell, color: color)
            }
        }
        surface.strokeRect(x: origin.x - 1, y: origin.y - 1, width: Double(k) * cell + 2, height: Double(k) * cell + 2,
                           color: .mutedInk)
        for row in 0..<k {
            for column in 0..<k {
                let fill = colormap.color(at: rowShare(row: row, column: column))
                let center = layout.cellCenter(row: row, column: column)
                surface.text(String(counts[row][column]), x: center.x, y: center.y,
                             style: TextStyle(color: fill.luminance < 0.5 ? .white : .ink, anchor: .middle))
            }
        }

        // Class names: true classes left of the rows, predicted classes under the columns.
        let matrixBottom = origin.y + Double(k) * cell
        for (index, name) in classNames.enumerated() {
            let center = layout.cellCenter(row: index, column: index)
            surface.text(name, x: origin.x - Self.labelGap, y: center.y, style: TextStyle(anchor: .end))
            if layout.verticalColumnLabels {
                surface.text(name, x: center.x, y: matrixBottom + Self.labelGap,
                             style: TextStyle(anchor: .end, vertical: true))
            } else {
                surface.text(name, x: center.x, y: matrixBottom + Self.labelGap + style.lineHeight / 2,
                             style: TextStyle(anchor: .middle))
            }
        }
        let labelsBottom = matrixBottom + Self.labelGap
            + (layout.verticalColumnLabels ? (classNames.map(style.advance).max() ?? 0) : style.lineHeight)
        surface.text("predicted class", x: origin.x + Double(k) * cell / 2, y: labelsBottom + 10 + style.lineHeight / 2,
                     style: TextStyle(anchor: .middle))
        surface.text("true class", x: Self.padding + style.lineHeight / 2, y: origin.y + Double(k) * cell / 2,
                     style: TextStyle(anchor: .middle, vertical: true))
        surface.text(caption, x: Self.padding, y: Double(layout.height) - Self.padding - style.lineHeight / 2,
                     style: TextStyle(color: .mutedInk))
    }
}
