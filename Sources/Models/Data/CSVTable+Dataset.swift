// From a CSV table to a classification dataset: numeric and categorical feature columns and one label column.

/// How a CSV label column becomes class indices.
public enum CSVLabelEncoding: String, Sendable, Codable {
    /// Class indices when every cell is a non-negative integer, class names otherwise.
    case automatic
    /// Every cell is a class index, a non-negative integer; `classCount` is the largest + 1.
    case classIndices
    /// Every cell is a class name; the distinct names, sorted, are classes 0, 1, … (deterministic whatever
    /// the row order).
    case classNames
}

extension CSVTable {
    /// A classification dataset of (N, F) `float32` features from `featureColumns` (default: every column but
    /// the label, in header order), those in `categoricalColumns` one-hot encoded over the categories of all rows,
    /// and labels from `labelColumn`. See `CSVFeatureEncoding` for how cells become features.
    ///
    /// Throws `DatasetError.missingColumn` for an unknown column and `.invalidCell` naming the row, line and
    /// column of a numeric feature cell that is empty or not a number, or of a label that is not a class index.
    public func classificationDataset(
        labelColumn: String, featureColumns: [String]? = nil, categoricalColumns: [String] = [],
        labels encoding: CSVLabelEncoding = .automatic
    ) throws(DatasetError) -> LabelledDataset {
        let features = try featureEncoding(
            labelColumn: labelColumn, featureColumns: featureColumns, categoricalColumns: categoricalColumns)
        return try classificationDataset(labelColumn: labelColumn, features: features, labels: encoding)
    }

    /// The encoding of `featureColumns` (nil: every column but the label, in header order), those in
    /// `categoricalColumns` one-hot over the categories of `rows` (nil: all rows), e.g. the training split's.
    public func featureEncoding(
        labelColumn: String, featureColumns: [String]? = nil, categoricalColumns: [String] = [],
        fittedOn rows: [Int]? = nil
    ) throws(DatasetError) -> CSVFeatureEncoding {
        precondition(
            !categoricalColumns.contains(labelColumn),
            "featureEncoding: the label column \"\(labelColumn)\" cannot be a categorical feature")
        _ = try columnIndex(named: labelColumn)
        let names = featureColumns ?? header.filter { $0 != labelColumn }
        return try CSVFeatureEncoding(
            fitting: self, featureColumns: names, categoricalColumns: categoricalColumns, rows: rows)
    }

    /// A classification dataset of every row: features as `features` encodes them, labels from `labelColumn`.
    public func classificationDataset(
        labelColumn: String, features: CSVFeatureEncoding, labels encoding: CSVLabelEncoding = .automatic
    ) throws(DatasetError) -> LabelledDataset {
        let labelIndex = try columnIndex(named: labelColumn)
        let inputs = try features.encode(self)

        let cells = rows.map { $0[labelIndex] }
        let isIndex = { (cell: String) in Int(cell).map { $0 >= 0 } ?? false }
        let useIndices = encoding == .classIndices || (encoding == .automatic && cells.allSatisfy(isIndex))
        var labels: [Int] = []
        var classNames: [String]? = nil
        if useIndices {
            for (r, cell) in cells.enumerated() {
                guard let label = Int(cell), label >= 0 else {
                    throw .invalidCell(
                        path: source, row: r + 1, line: lines[r], column: labelColumn, value: cell,
                        reason: "is not a class index (a non-negative integer)")
                }
                labels.append(label)
            }
        } else {
            let names = Array(Set(cells)).sorted()
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            labels = cells.map { index[$0]! }
            classNames = names
        }
        let classCount = Swift.max(classNames?.count ?? ((labels.max() ?? 0) + 1), 1)
        return LabelledDataset(
            inputs: inputs, labels: labels, classCount: classCount, classNames: classNames, name: source)
    }
}

extension LabelledDataset {
    /// Reads a CSV file (header row first) as a classification dataset; see
    /// `CSVTable.classificationDataset(labelColumn:featureColumns:categoricalColumns:labels:)`.
    public static func loadCSV(
        path: String, labelColumn: String, featureColumns: [String]? = nil, categoricalColumns: [String] = [],
        labels encoding: CSVLabelEncoding = .automatic, separator: Character = ","
    ) throws(DatasetError) -> LabelledDataset {
        try CSVTable.load(path: path, separator: separator).classificationDataset(
            labelColumn: labelColumn, featureColumns: featureColumns, categoricalColumns: categoricalColumns,
            labels: encoding)
    }
}
