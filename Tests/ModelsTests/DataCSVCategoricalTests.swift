import Models
import Testing

/// Categorical CSV columns: one-hot over the training rows' sorted categories, all zeros for a category the
/// training rows lack, empty categorical cells as a category, empty numeric cells refused with row and column.
@Suite struct DataCSVCategoricalTests {
    static let table = """
        size,color,shape,fruit
        1,red,round,apple
        2,blue,,plum
        3,red,square,apple
        4,green,round,plum
        """

    @Test func categoriesComeFromTheFittedRowsSorted() throws {
        let csv = try CSVTable(parsing: Self.table, source: "fruit.csv")
        // Fitted on rows 0…2, the training rows: green is not among them.
        let encoding = try csv.featureEncoding(
            labelColumn: "fruit", categoricalColumns: ["color", "shape"], fittedOn: [0, 1, 2])
        #expect(
            encoding.columns == [
                .numeric(name: "size"), .categorical(name: "color", categories: ["blue", "red"]),
                .categorical(name: "shape", categories: ["", "round", "square"]),
            ])
        #expect(encoding.featureCount == 6)
        #expect(
            encoding.featureNames == [
                "size", "color=blue", "color=red", "shape=(empty)", "shape=round", "shape=square",
            ])
        let inputs = try encoding.encode(csv)
        #expect(inputs.shape == [4, 6])
        #expect(
            inputs.scalars == [
                1, 0, 1, 0, 1, 0,
                2, 1, 0, 1, 0, 0,  // the empty shape is its own category
                3, 0, 1, 0, 0, 1,
                4, 0, 0, 0, 1, 0,  // green was not seen in training: all zeros
            ])
        let unseen = try encoding.unseenCategories(in: csv, rows: [3])
        #expect(unseen.map(\.row) == [4] && unseen.map(\.column) == ["color"] && unseen.map(\.value) == ["green"])
        #expect(try encoding.unseenCategories(in: csv, rows: [0, 1, 2]).isEmpty)
        #expect(try encoding.encode(csv, rows: [3, 0]).scalars == [4, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    }

    @Test func aDatasetOfEveryRowEncodesOverEveryRowsCategories() throws {
        let csv = try CSVTable(parsing: Self.table, source: "fruit.csv")
        let data = try csv.classificationDataset(
            labelColumn: "fruit", featureColumns: ["color", "size"], categoricalColumns: ["color"])
        // color over blue, green, red, then size.
        #expect(data.inputs.scalars == [0, 0, 1, 1, 1, 0, 0, 2, 0, 0, 1, 3, 0, 1, 0, 4])
        #expect(data.labels == [0, 1, 0, 1] && data.classNames == ["apple", "plum"])
    }

    @Test func emptyNumericCellsAndUnknownColumnsAreNamed() throws {
        let csv = try CSVTable(parsing: "size,color,y\n1,red,0\n,blue,1\n", source: "gaps.csv")
        let empty = #expect(throws: DatasetError.self) {
            try csv.classificationDataset(labelColumn: "y", categoricalColumns: ["color"])
        }
        #expect(
            empty?.description
                == "gaps.csv, row 2 (line 3), column \"size\": \"\" is empty; expected a number (empty numeric cells "
                + "are not imputed: fill them in, or leave the column out)")
        let unknown = #expect(throws: DatasetError.self) {
            try csv.classificationDataset(
                labelColumn: "y", featureColumns: ["size", "colour"], categoricalColumns: ["colour"])
        }
        #expect(unknown == .missingColumn(path: "gaps.csv", column: "colour", available: ["size", "color", "y"]))
    }
}
