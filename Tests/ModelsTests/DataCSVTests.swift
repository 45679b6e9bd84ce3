import Models
import Testing

/// CSV tables: parsing, classification datasets, standardization fitted on the training split only, and errors
/// that name the row and column of a bad cell.
@Suite struct DataCSVTests {
    static let table = """
        height,weight,species
        1,10,cat
        3,10,dog
        5,40,cat

        7,20,"bird, small"
        100,1000,dog
        """

    @Test func parsingHandlesQuotesBlankLinesAndSpaces() throws {
        let text = "a, b ,c\r\n\"x, \"\"quoted\"\"\",2, 3\n\n\"multi\nline\",4,5\n"
        let csv = try CSVTable(parsing: text, source: "t.csv")
        #expect(csv.header == ["a", "b", "c"])
        #expect(csv.rows == [["x, \"quoted\"", "2", "3"], ["multi\nline", "4", "5"]])
        #expect(csv.lines == [2, 4])
        #expect(try csv.numericColumn(named: "c") == [3, 5])
    }

    @Test func classNamesBecomeSortedIndices() throws {
        let csv = try CSVTable(parsing: Self.table, source: "animals.csv")
        let data = try csv.classificationDataset(labelColumn: "species")
        #expect(data.classNames == ["bird, small", "cat", "dog"])
        #expect(data.labels == [1, 2, 1, 0, 2])
        #expect(data.inputs.shape == [5, 2])
        #expect(data.inputs.scalars == [1, 10, 3, 10, 5, 40, 7, 20, 100, 1000])
    }

    @Test func integerLabelColumnsAreClassIndices() throws {
        let csv = try CSVTable(parsing: "x,label\n0.5,2\n1.5,0\n", source: "ints.csv")
        let data = try csv.classificationDataset(labelColumn: "label")
        #expect(data.labels == [2, 0])
        #expect(data.classCount == 3)
        #expect(data.classNames == nil)
        // Forced class names: the same cells as strings.
        let named = try csv.classificationDataset(labelColumn: "label", labels: .classNames)
        #expect(named.classNames == ["0", "2"] && named.labels == [1, 0])
    }

    @Test func standardizationIsFittedOnTheTrainingRowsOnly() throws {
        let csv = try CSVTable(parsing: Self.table, source: "animals.csv")
        let data = try csv.classificationDataset(labelColumn: "species")
        // Train on the first four rows; the outlier row (100, 1000) is the test split.
        let splits = DataSplits(train: data.subset(0..<4), validation: data.subset(2..<3), test: data.subset(4..<5))
        let (standardized, statistics) = splits.standardized()
        // height 1, 3, 5, 7: mean 4, population variance (9 + 1 + 1 + 9) / 4 = 5;
        // weight 10, 10, 40, 20: mean 20, variance (100 + 100 + 400 + 0) / 4 = 150.
        #expect(statistics.mean == [4, 20])
        #expect(statistics.std == [Double(5).squareRoot(), Double(150).squareRoot()])
        let expectedTest = [(100 - 4) / Double(5).squareRoot(), (1000 - 20) / Double(150).squareRoot()]
        #expect(zip(standardized.test.inputs.scalars, expectedTest).allSatisfy { abs($0 - $1) < 1e-4 })
        let expectedValidation = [1 / Double(5).squareRoot(), 20 / Double(150).squareRoot()]
        #expect(zip(standardized.validation.inputs.scalars, expectedValidation).allSatisfy { abs($0 - $1) < 1e-5 })
        let train = standardized.train.inputs.scalars
        #expect(abs(train[0] + 3 / Double(5).squareRoot()) < 1e-6)
        // The training features now have mean 0 and standard deviation 1; the labels are untouched.
        #expect(Standardization(fittedOn: standardized.train).mean.allSatisfy { abs($0) < 1e-6 })
        #expect(Standardization(fittedOn: standardized.train).std.allSatisfy { abs($0 - 1) < 1e-6 })
        #expect(standardized.test.labels == [2])
    }

    @Test func constantFeaturesGetUnitStd() throws {
        let csv = try CSVTable(parsing: "a,b,y\n2,1,0\n2,3,1\n", source: "c.csv")
        let data = try csv.classificationDataset(labelColumn: "y")
        let statistics = Standardization(fittedOn: data)
        #expect(statistics.mean == [2, 2] && statistics.std == [1, 1])
        #expect(statistics.apply(to: data).inputs.scalars == [0, -1, 0, 1])
    }

    @Test func badCellsAreReportedWithRowLineAndColumn() throws {
        let text = "height,weight,species\n1,10,cat\n\n3,heavy,dog\n"
        let csv = try CSVTable(parsing: text, source: "animals.csv")
        let error = #expect(throws: DatasetError.self) { try csv.classificationDataset(labelColumn: "species") }
        #expect(
            error?.description
                == "animals.csv, row 2 (line 4), column \"weight\": \"heavy\" is not a number")

        let empty = try CSVTable(parsing: "a,y\n1,0\n,1\n", source: "e.csv")
        let emptyError = #expect(throws: DatasetError.self) { try empty.numericColumn(named: "a") }
        #expect(emptyError == .invalidCell(
            path: "e.csv", row: 2, line: 3, column: "a", value: "", reason: "is empty; expected a number"))

        let labels = try CSVTable(parsing: "a,y\n1,0\n2,-1\n", source: "l.csv")
        let labelError = #expect(throws: DatasetError.self) {
            try labels.classificationDataset(labelColumn: "y", labels: .classIndices)
        }
        #expect(labelError?.description.contains("row 2 (line 3), column \"y\": \"-1\" is not a class index") == true)
    }

    @Test func structuralErrorsNameTheProblem() {
        let ragged = #expect(throws: DatasetError.self) { try CSVTable(parsing: "a,b\n1,2\n3\n", source: "r.csv") }
        #expect(ragged == .invalidFormat(path: "r.csv", reason: "row 2 (line 3) has 1 cells, the header has 2"))

        let quote = #expect(throws: DatasetError.self) { try CSVTable(parsing: "a\n\"open\n", source: "q.csv") }
        #expect(quote == .invalidFormat(path: "q.csv", reason: "a quoted field opened on line 2 never closes"))

        let noHeader = #expect(throws: DatasetError.self) { try CSVTable(parsing: "\n\n", source: "n.csv") }
        #expect(noHeader == .invalidFormat(path: "n.csv", reason: "no header row"))

        let column = #expect(throws: DatasetError.self) {
            try CSVTable(parsing: "a,b\n1,2\n", source: "m.csv").classificationDataset(labelColumn: "label")
        }
        #expect(column?.description == "m.csv has no column \"label\"; columns are \"a\", \"b\"")
    }

    @Test func filesLoadThroughThePathAndMissingFilesAreNamed() throws {
        try DataFixtures.withTemporaryDirectory { dir in
            let path = DataFixtures.write(Array(Self.table.utf8), "animals.csv", in: dir)
            let data = try LabelledDataset.loadCSV(path: path, labelColumn: "species", featureColumns: ["weight"])
            #expect(data.inputs.scalars == [10, 10, 40, 20, 1000])
            #expect(data.name == path)
            let missing = #expect(throws: DatasetError.self) {
                try LabelledDataset.loadCSV(path: dir + "/nope.csv", labelColumn: "y")
            }
            #expect(missing == .fileNotFound(path: dir + "/nope.csv"))
        }
    }
}
