// How the feature columns of a CSV table become numbers: a numeric column is one feature, a categorical column
// one feature per category (one-hot), with the categories of the rows the encoding was fitted on, so that the
// validation and test rows are encoded exactly as the training rows were.

/// The encoding of a table's feature columns into (N, F) inputs, fitted on some rows (the training split) and
/// applied to any rows:
///
/// - a **numeric** column is one feature, the cell's number. An empty cell is an error naming its row and column:
///   a missing number is never imputed, since any value made up (a mean, a zero) would be taken for data;
/// - a **categorical** column is one feature per category, the categories being the distinct cells of the rows
///   it was fitted on, sorted as strings: 1 for the cell's category, 0 for the others. An empty cell is a category
///   of its own (the empty string, sorted first; named `column=(empty)`). A cell whose category the fitted rows
///   did not have (a validation or test row) gets all zeros, as scikit-learn's
///   `OneHotEncoder(handle_unknown="ignore")`, and `unseenCategories(in:rows:)` lists such cells.
///
/// The features come in column order, a categorical column's in its categories' order.
public struct CSVFeatureEncoding: Equatable, Sendable {
    /// One feature column and how it is encoded.
    public enum Column: Equatable, Sendable {
        /// One feature: the cell's number.
        case numeric(name: String)
        /// One feature per category, in this order.
        case categorical(name: String, categories: [String])

        /// The column's name in the table.
        public var name: String {
            switch self {
            case .numeric(let name), .categorical(let name, _): name
            }
        }
    }

    /// The feature columns, in order.
    public let columns: [Column]

    /// An encoding with the given columns and categories.
    public init(columns: [Column]) { self.columns = columns }

    /// The encoding of `featureColumns`, those named in `categoricalColumns` one-hot over the categories of
    /// `rows` (indices of `table.rows`; nil: all rows). Throws `DatasetError.missingColumn` for a column the
    /// table lacks.
    public init(
        fitting table: CSVTable, featureColumns: [String], categoricalColumns: [String] = [], rows: [Int]? = nil
    ) throws(DatasetError) {
        for name in categoricalColumns { _ = try table.columnIndex(named: name) }
        for name in categoricalColumns where !featureColumns.contains(name) {
            preconditionFailure("CSVFeatureEncoding: categorical column \"\(name)\" is not a feature column")
        }
        var columns: [Column] = []
        for name in featureColumns {
            let index = try table.columnIndex(named: name)
            if categoricalColumns.contains(name) {
                let cells = (rows ?? Array(table.rows.indices)).map { table.rows[$0][index] }
                columns.append(.categorical(name: name, categories: Array(Set(cells)).sorted()))
            } else {
                columns.append(.numeric(name: name))
            }
        }
        self.columns = columns
    }

    /// The number of features, F.
    public var featureCount: Int {
        columns.reduce(0) { count, column in
            switch column {
            case .numeric: count + 1
            case .categorical(_, let categories): count + categories.count
            }
        }
    }

    /// A name per feature: the column's for a numeric one, `column=category` for a one-hot one.
    public var featureNames: [String] {
        columns.flatMap { column -> [String] in
            switch column {
            case .numeric(let name): [name]
            case .categorical(let name, let categories): categories.map { "\(name)=\($0.isEmpty ? "(empty)" : $0)" }
            }
        }
    }

    /// The features of `rows` of `table` (nil: all rows), (N, F) `float32`. Throws `DatasetError.missingColumn`
    /// for a column the table lacks and `.invalidCell`, naming the row, line and column, for a numeric cell that
    /// is empty or not a number.
    public func encode(_ table: CSVTable, rows: [Int]? = nil) throws(DatasetError) -> Tensor {
        let rows = rows ?? Array(table.rows.indices)
        var indices: [Int] = []
        for column in columns { indices.append(try table.columnIndex(named: column.name)) }
        let f = featureCount
        var values = [Double](repeating: 0, count: rows.count * f)
        for (i, r) in rows.enumerated() {
            var offset = i * f
            for (column, index) in zip(columns, indices) {
                let cell = table.rows[r][index]
                switch column {
                case .numeric(let name):
                    guard let value = Double(cell), value.isFinite else {
                        throw .invalidCell(
                            path: table.source, row: r + 1, line: table.lines[r], column: name, value: cell,
                            reason: cell.isEmpty
                                ? "is empty; expected a number (empty numeric cells are not imputed: fill them in, "
                                    + "or leave the column out)"
                                : "is not a number")
                    }
                    values[offset] = value
                    offset += 1
                case .categorical(_, let categories):
                    if let k = categories.firstIndex(of: cell) { values[offset + k] = 1 }
                    offset += categories.count
                }
            }
        }
        return Tensor(values, shape: [rows.count, f])
    }

    /// The cells of `rows` whose category the encoding does not have (encoded as all zeros), in row order:
    /// the row (counted from 1, as in errors), the column and the cell.
    public func unseenCategories(
        in table: CSVTable, rows: [Int]
    ) throws(DatasetError) -> [(row: Int, column: String, value: String)] {
        var unseen: [(row: Int, column: String, value: String)] = []
        for column in columns {
            guard case .categorical(let name, let categories) = column else { continue }
            let index = try table.columnIndex(named: name)
            let known = Set(categories)
            for r in rows where !known.contains(table.rows[r][index]) {
                unseen.append((r + 1, name, table.rows[r][index]))
            }
        }
        return unseen.sorted { ($0.row, $0.column) < ($1.row, $1.column) }
    }
}
