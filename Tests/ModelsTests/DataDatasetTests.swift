import Models
import Testing

/// Subsets, orderings, splits and batching of a `LabelledDataset`: exact, and deterministic for a seed.
@Suite struct DataDatasetTests {
    /// 10 examples with labels 2, 0, 1, 2, 0, 1, 2, 0, 1, 2.
    let data = DataFixtures.numbered(labels: (0..<10).map { (2 + $0) % 3 })

    @Test func subsetsCopyTheChosenRowsAndLabels() {
        let picked = data.subset([7, 2, 2])
        #expect(DataFixtures.exampleIDs(picked.inputs) == [7, 2, 2])
        #expect(picked.labels == [0, 1, 1])
        #expect(picked.inputs.shape == [3, 1, 2, 2])
        #expect(picked.inputs.scalars == [28, 29, 30, 31, 8, 9, 10, 11, 8, 9, 10, 11])

        let range = data.subset(3..<6)
        #expect(DataFixtures.exampleIDs(range.inputs) == [3, 4, 5])
        #expect(range.labels == [2, 0, 1])
        #expect(data.prefix(20).count == 10)
    }

    @Test func shufflingIsAPermutationFixedByTheSeed() {
        let a = data.shuffled(seed: 42), b = data.shuffled(seed: 42), c = data.shuffled(seed: 43)
        let ids = DataFixtures.exampleIDs(a.inputs)
        #expect(ids == DataFixtures.exampleIDs(b.inputs))
        #expect(ids != DataFixtures.exampleIDs(c.inputs))
        #expect(ids.sorted() == Array(0..<10))
        #expect(ids != Array(0..<10))
        #expect(a.labels == ids.map { data.labels[$0] })  // labels travel with their rows
    }

    @Test func sortingByLabelPutsClassZeroFirstAndKeepsOrderWithinAClass() {
        let sorted = data.sortedByLabel()
        #expect(sorted.labels == [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
        #expect(DataFixtures.exampleIDs(sorted.inputs) == [1, 4, 7, 2, 5, 8, 0, 3, 6, 9])
    }

    @Test func splitsAreConsecutiveOrRandomAndDisjoint() {
        let parts = data.split(counts: [6, 3])
        #expect(DataFixtures.exampleIDs(parts[0].inputs) == [0, 1, 2, 3, 4, 5])
        #expect(DataFixtures.exampleIDs(parts[1].inputs) == [6, 7, 8])

        let random = data.randomSplit(counts: [5, 3, 2], seed: 7)
        let ids = random.map { DataFixtures.exampleIDs($0.inputs) }
        #expect(ids.map(\.count) == [5, 3, 2])
        #expect(Set(ids.flatMap { $0 }) == Set(0..<10))
        #expect(ids == data.randomSplit(counts: [5, 3, 2], seed: 7).map { DataFixtures.exampleIDs($0.inputs) })
    }

    @Test func trainValidationTestSplitsAreDisjointAndSized() {
        let pool = DataFixtures.numbered(labels: (0..<100).map { $0 % 10 })
        let test = DataFixtures.numbered(labels: (0..<30).map { $0 % 10 })
        let splits = DataSplits(pool: pool, test: test, trainCount: 60, validationCount: 20, testCount: 25, seed: 1)
        let train = Set(DataFixtures.exampleIDs(splits.train.inputs))
        let validation = Set(DataFixtures.exampleIDs(splits.validation.inputs))
        #expect(train.count == 60 && validation.count == 20)
        #expect(train.isDisjoint(with: validation))
        #expect(DataFixtures.exampleIDs(splits.test.inputs) == Array(0..<25))
    }

    @Test func concatenationAppendsExamplesInOrder() {
        let joined = LabelledDataset.concatenated([data.subset(0..<2), data.subset(8..<10)])
        #expect(DataFixtures.exampleIDs(joined.inputs) == [0, 1, 8, 9])
        #expect(joined.labels == [2, 0, 1, 2])
    }

    @Test func batchesCoverEveryExampleExactlyOncePerEpoch() {
        let loader = BatchLoader(data, batchSize: 4, shuffle: true, seed: 3)
        #expect(loader.batchCount == 3)
        for epoch in 0..<3 {
            let batches = Array(loader.batches(epoch: epoch))
            #expect(batches.map(\.labels.count) == [4, 4, 2])
            let ids = batches.flatMap { DataFixtures.exampleIDs($0.inputs) }
            #expect(ids.sorted() == Array(0..<10))
            #expect(ids == batches.flatMap(\.indices))
            for batch in batches {
                #expect(batch.inputs.shape == [batch.indices.count, 1, 2, 2])
                #expect(batch.labels == batch.indices.map { data.labels[$0] })
            }
        }
        // Each epoch has its own order, and the same seed gives the same orders.
        #expect(loader.order(epoch: 0) != loader.order(epoch: 1))
        #expect(loader.order(epoch: 1) == BatchLoader(data, batchSize: 4, shuffle: true, seed: 3).order(epoch: 1))
        #expect(loader.order(epoch: 1) != BatchLoader(data, batchSize: 4, shuffle: true, seed: 4).order(epoch: 1))
    }

    @Test func dropLastLeavesOutThePartialBatch() {
        let loader = BatchLoader(data, batchSize: 4, shuffle: false, dropLast: true)
        #expect(loader.batchCount == 2)
        let batches = Array(loader.batches())
        #expect(batches.map(\.indices) == [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    @Test func unshuffledBatchesOfASortedDatasetHoldOneClassEach() {
        let sorted = DataFixtures.numbered(labels: (0..<12).map { $0 % 3 }).sortedByLabel()
        let batches = Array(BatchLoader(sorted, batchSize: 4, shuffle: false).batches(epoch: 5))
        #expect(batches.map(\.labels) == [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]])
    }
}
