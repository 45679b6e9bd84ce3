// A CSV table for an experiment: its rows split before they are encoded, so that the category lists of the
// categorical columns come from the training rows alone and the other rows are encoded with them.

import Models

/// The table `spec.path` names as a classification dataset of every row, in file order: the feature columns
/// the spec lists, its categorical columns one-hot over the categories of the rows the split (same counts, same
/// seed) gives training; the note says what was read and counts the validation and test cells whose category
/// training lacks (all zeros). A column the table lacks is thrown as a `SpecError` at the key that names it;
/// other problems of the file as the `DatasetError` they are.
func loadCSV(
    _ spec: DataSpec, seed: UInt64, source: String
) throws -> (dataset: LabelledDataset, note: String, featureNames: [String]) {
    let path = spec.path ?? ""
    let table = try CSVTable.load(path: existingPath(matching: path) ?? path)
    do {
        let rows = table.rows.count
        let (trainCount, testCount) = try splitCounts(spec, poolCount: rows, testSetCount: nil, source: source)
        let pieces = LabelledDataset.randomSplitIndices(
            count: rows, counts: [trainCount, spec.validation, testCount], seed: seed)
        let features = try table.featureEncoding(
            labelColumn: spec.labelColumn, featureColumns: spec.featureColumns,
            categoricalColumns: spec.categoricalColumns, fittedOn: pieces[0])
        let dataset = try table.classificationDataset(labelColumn: spec.labelColumn, features: features)
        var note = "csv \(path): \(rows) rows, \(features.featureCount) features"
        let oneHot = features.columns.compactMap { column -> String? in
            guard case .categorical(let name, let categories) = column else { return nil }
            return "\(name) \(categories.count)"
        }
        if !oneHot.isEmpty {
            note += " (one-hot over the training rows' categories: \(oneHot.joined(separator: ", ")))"
        }
        note += ", \(dataset.classCount) classes"
        let unseen = try features.unseenCategories(in: table, rows: pieces[1] + pieces[2])
        if let first = unseen.first {
            note +=
                "; \(unseen.count) validation/test cell\(unseen.count == 1 ? "" : "s") of a category unseen in "
                + "training encoded as zeros (first: row \(first.row), \(first.column) \(quoteJSONString(first.value)))"
        }
        return (dataset, note, features.featureNames)
    } catch .missingColumn(_, let column, _) as DatasetError {
        let error = DatasetError.missingColumn(path: table.source, column: column, available: table.header)
        let key =
            column == spec.labelColumn
            ? "label_column"
            : spec.categoricalColumns.contains(column) ? "categorical_columns" : "feature_columns"
        throw SpecError(source: source, path: SpecPath.root.appending("data").appending(key), "\(error)")
    }
}
