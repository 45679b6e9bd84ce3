// Comma-separated tables (RFC 4180): a header row, then one row per example. Quoted fields may hold the
// separator, doubled quotes and line breaks; blank lines are skipped; cells are trimmed of spaces.

import Foundation

/// A parsed CSV table of strings, with the file line of each row kept for error messages.
public struct CSVTable: Sendable {
    /// Where the table came from (a path, or a name for in-memory text), used in error messages.
    public let source: String
    /// The column names, from the first row.
    public let header: [String]
    /// The data rows, each with `header.count` cells.
    public let rows: [[String]]
    /// The 1-based line of the file where each data row starts.
    public let lines: [Int]

    /// Parses `text`; `source` names it in errors. Throws `DatasetError.invalidFormat` for a table without a
    /// header, an unterminated quote, or a row whose cell count differs from the header's.
    public init(
        parsing text: String, source: String = "<csv text>", separator: Character = ","
    ) throws(DatasetError) {
        var records: [(cells: [String], line: Int)] = []
        var cells: [String] = []
        var field = ""
        var inQuotes = false, fieldWasQuoted = false
        var line = 1, recordLine = 1
        var characters = text.makeIterator()
        var pending: Character? = nil

        func endField() {
            cells.append(fieldWasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
            field = ""
            fieldWasQuoted = false
        }
        func endRecord() {
            let blank = cells.isEmpty && !fieldWasQuoted && field.allSatisfy(\.isWhitespace)
            endField()
            if !blank { records.append((cells, recordLine)) }
            cells = []
        }

        while let c = pending ?? characters.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.allSatisfy(\.isWhitespace) {
                inQuotes = true
                fieldWasQuoted = true
                field = ""
            } else if c == separator {
                endField()
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
        }
        if inQuotes {
            throw .invalidFormat(path: source, reason: "a quoted field opened on line \(recordLine) never closes")
        }
        endRecord()

        guard let first = records.first else { throw .invalidFormat(path: source, reason: "no header row") }
        header = first.cells
        // A name twice would make a column both the label and a feature, or one feature twice.
        for (i, name) in header.enumerated() {
            if let earlier = header[..<i].firstIndex(of: name) {
                throw .invalidFormat(
                    path: source,
                    reason: "the header names columns \(earlier + 1) and \(i + 1) both \(quoteJSONString(name)); "
                        + "column names must differ")
            }
        }
        for (k, record) in records.enumerated().dropFirst() where record.cells.count != header.count {
            throw .invalidFormat(
                path: source,
                reason: "row \(k) (line \(record.line)) has \(record.cells.count) cells, the header has "
                    + "\(header.count)")
        }
        rows = records.dropFirst().map(\.cells)
        lines = records.dropFirst().map(\.line)
        self.source = source
    }

    /// Reads and parses the CSV file at `path` (plain or gzip).
    public static func load(path: String, separator: Character = ",") throws(DatasetError) -> CSVTable {
        let bytes = try DataFile.contents(of: path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidFormat(path: path, reason: "the file is not valid UTF-8 text")
        }
        return try CSVTable(parsing: text, source: path, separator: separator)
    }

    /// The position of column `name`. Throws `DatasetError.missingColumn` listing the columns there are.
    public func columnIndex(named name: String) throws(DatasetError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw .missingColumn(path: source, column: name, available: header)
        }
        return index
    }

    /// The cells of column `name` as numbers. Throws `DatasetError.invalidCell` naming the row, line, column
    /// and cell of the first cell that is not a finite number.
    public func numericColumn(named name: String) throws(DatasetError) -> [Double] {
        let column = try columnIndex(named: name)
        var values: [Double] = []
        values.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() {
            let cell = row[column]
            guard let value = Double(cell), value.isFinite else {
                let reason = cell.isEmpty ? "is empty; expected a number" : "is not a number"
                throw .invalidCell(path: source, row: r + 1, line: lines[r], column: name, value: cell, reason: reason)
            }
            values.append(value)
        }
        return values
    }
}
