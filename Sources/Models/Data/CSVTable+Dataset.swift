// From a CSV table to a classification dataset: numeric feature columns and one label column.

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
    /// the label, in header order) and labels from `labelColumn`.
    ///
    /// Throws `DatasetError.missingColumn` for an unknown column and `.invalidCell` naming the row, line and
    /// column of a feature cell that is not a number or of a label that is not a class index.
    public func classificationDataset(
        labelColumn: String, featureColumns: [String]? = nil, labels encoding: CSVLabelEncoding = .automatic
    ) throws(DatasetError) -> LabelledDataset {
        let labelIndex = try columnIndex(named: labelColumn)
        let featureNames = featureColumns ?? header.filter { $0 != labelColumn }
        var featureIndices: [Int] = []
        for name in featureNames { featureIndices.append(try columnIndex(named: name)) }

        let f = featureIndices.count
        var values = [Double](repeating: 0, count: rows.count * f)
        for (r, row) in rows.enumerated() {
            for (j, column) in featureIndices.enumerated() {
                let cell = row[column]
                guard let value = Double(cell), value.isFinite else {
                    throw .invalidCell(
                        path: source, row: r + 1, line: lines[r], column: featureNames[j], value: cell,
                        reason: cell.isEmpty ? "is empty; expected a number" : "is not a number")
                }
                values[r * f + j] = value
            }
        }

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
            inputs: Tensor(values, shape: [rows.count, f]), labels: labels, classCount: classCount,
            classNames: classNames, name: source)
    }
}

extension LabelledDataset {
    /// Reads a CSV file (header row first) as a classification dataset; see
    /// `CSVTable.classificationDataset(labelColumn:featureColumns:labels:)`.
    public static func loadCSV(
        path: String, labelColumn: String, featureColumns: [String]? = nil,
        labels encoding: CSVLabelEncoding = .automatic, separator: Character = ","
    ) throws(DatasetError) -> LabelledDataset {
        try CSVTable.load(path: path, separator: separator)
            .classificationDataset(labelColumn: labelColumn, featureColumns: featureColumns, labels: encoding)
    }
}
