import Foundation
import Models
import Testing

@testable import Runner

// The datasets of the `data` section built into experiments: CIFAR-10 from files the test writes, edges and the
// Playground datasets generated, CSV tables with categorical columns.

extension SpecFixtures {
    /// Writes CIFAR-10's six batch files into `directory`: training record k (k = 0 … 19, four per file) has label
    /// k % 10, a red plane of bytes 12·k, a green plane of bytes (x + 3y) mod 256 and a blue plane of 255; test
    /// record k has label `testLabels[k]` and planes of 20·k.
    static func writeCIFAR10(in directory: String, testLabels: [UInt8] = [3, 1, 4, 1, 5, 9]) {
        func record(label: UInt8, red: UInt8, green: (Int) -> UInt8, blue: UInt8) -> [UInt8] {
            [label] + [UInt8](repeating: red, count: 1024) + (0..<1024).map(green)
                + [UInt8](repeating: blue, count: 1024)
        }
        let pattern = { (i: Int) in UInt8((i % 32 + 3 * (i / 32)) % 256) }
        for file in 1...5 {
            let records = (0..<4).flatMap { j -> [UInt8] in
                let k = 4 * (file - 1) + j
                return record(label: UInt8(k % 10), red: UInt8(12 * k), green: pattern, blue: 255)
            }
            try! DataFile.write(records, to: (directory as NSString).appendingPathComponent("data_batch_\(file).bin"))
        }
        let test = testLabels.enumerated().flatMap { k, label in
            record(label: label, red: UInt8(20 * k), green: { _ in UInt8(20 * k) }, blue: UInt8(20 * k))
        }
        try! DataFile.write(test, to: (directory as NSString).appendingPathComponent("test_batch.bin"))
    }
}

private func build(_ json: String) throws -> (Experiment, ClassificationTask) {
    let experiment = try buildExperiment(try SpecFixtures.spec(json))
    guard case .classification(let task) = experiment.task else { throw SpecError("not a classification task") }
    return (experiment, task)
}

@Test func cifarIsStandardizedPerChannelAndPaddedWithBlack() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        SpecFixtures.writeCIFAR10(in: directory)
        let (experiment, task) = try build(
            """
            {"data": {"dataset": "cifar10", "path": "\(directory)", "augment_crop_padding": 4, "augment_flip": true},
             "model": {"type": "cnn", "layers": [{"type": "conv2d", "out": 2, "kernel": 3, "stride": 2},
              {"type": "global_avg_pool"}, {"type": "linear"}]}, "training": {"epochs": 1}}
            """)
        #expect(experiment.dataNote == "cifar10 from \(directory) (explicitPath)")
        #expect(task.train.count == 20 && task.test?.count == 6 && task.train.exampleShape == [3, 32, 32])
        // Red: bytes 12k for k = 0 … 19, mean 114, population std 12·√(399/12) ≈ 69.195 (in bytes; the /255
        // cancels): image k's red pixels become (12k − 114) / 69.195, from −1.6475 to 1.6475.
        let std = 12 * (399.0 / 12).squareRoot()
        let red = (0..<20).map { task.train.inputs.scalar(at: $0, 0, 5, 5) }.sorted()
        let expected = (0..<20).map { (12 * Double($0) - 114) / std }
        #expect(zip(red, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(red)")
        // Green has its own statistics; blue is constant (std 0), so it is only centred: 0 everywhere.
        let (mean, deviation) = task.train.channelStatistics()
        #expect(abs(mean[1]) < 1e-5 && abs(deviation[1] - 1) < 1e-4)
        #expect(deviation[2] == 0 && mean[2] == 0)
        // The augmentation pads with a raw 0 pixel standardized: −114 / 69.195 in red, −1 in blue (mean 1).
        let fill = try #require(task.augmentation?.fill)
        #expect(abs(fill[0] + 114 / std) < 1e-6 && fill[2] == -1)
        #expect(task.augmentation?.cropPadding == 4 && task.augmentation?.flip == true)
        // The test split is standardized with the training statistics: test image 0 has red byte 0.
        #expect(abs(task.test!.inputs.scalar(at: 0, 0, 0, 0) + 114 / std) < 1e-5)
    }
}

@Test func trainingBatchesAreAugmentedBySeedAndStepOnly() {
    let images = Tensor((0..<(4 * 1 * 5 * 5)).map(Double.init), shape: [4, 1, 5, 5])
    let data = LabelledDataset(inputs: images, labels: [0, 1, 0, 1], classCount: 2)
    var rng = RandomGenerator(seed: 1)
    var task = ClassificationTask(
        train: data, validation: nil, test: data, suites: [], loss: .crossEntropy,
        model: MLP(sizes: [25, 2], using: &rng))
    #expect(task.trainingInputs(images, seed: 3, step: 7) === images, "no augmentation: the batch as it is")
    task.augmentation = ImageAugmentation(cropPadding: 2, flip: true)
    let a = task.trainingInputs(images, seed: 3, step: 7).scalars
    #expect(a == task.trainingInputs(images, seed: 3, step: 7).scalars)
    #expect(a != task.trainingInputs(images, seed: 3, step: 8).scalars)
    #expect(a != task.trainingInputs(images, seed: 4, step: 7).scalars)
    #expect(a != images.scalars)
}

@Test func edgesHaveTheirShiftedTestDomain() throws {
    let (experiment, task) = try build(
        """
        {"seed": 2, "data": {"dataset": "edges", "points": 100, "validation": 20, "test": 50, "thickness": 2,
         "test_shift": 3, "noise": 0, "normalize": false},
         "model": {"type": "cnn", "layers": [{"type": "conv2d", "out": 4, "kernel": 3}, {"type": "relu"},
          {"type": "global_avg_pool"}, {"type": "linear"}]}, "training": {"epochs": 1}}
        """)
    #expect(
        experiment.dataNote
            == "edges: 100 training and 100 test images of 8×8, lines 2 px thick, noise 0; test lines shifted 3 px, "
            + "noise 0 (seed 2)")
    #expect(task.train.count == 80 && task.validation?.count == 20 && task.test?.count == 50)
    #expect(task.train.exampleShape == [1, 8, 8] && experiment.summary.outputShape == [2])
    #expect(experiment.spec.data.train == 80 && experiment.spec.data.test == 50)
    // Where each line starts: training lines at 0 … 8 − 2 − 3 = 3, test lines three pixels further, 3 … 6.
    func starts(_ set: LabelledDataset) -> Set<Int> {
        let v = set.inputs.scalars
        return Set(
            (0..<set.count).map { i in
                (0..<8).first { k in (set.labels[i] == 0 ? v[i * 64 + k * 8] : v[i * 64 + k]) == 1 }!
            })
    }
    #expect(starts(task.train) == [0, 1, 2, 3])
    #expect(starts(task.test!) == [3, 4, 5, 6])
}

@Test(arguments: ["circle", "spiral", "gaussian", "xor_noisy"])
func playgroundDatasetsAreSplitLikeTables(_ name: String) throws {
    let (experiment, task) = try build(
        """
        {"data": {"dataset": "\(name)", "points": 100, "noise": 0.1, "validation": 20, "test": 30},
         "model": {"hidden": [8]}, "training": {"epochs": 1}}
        """)
    let kind = name == "xor_noisy" ? "xor" : name
    #expect(
        experiment.dataNote == "\(name): 100 points of the TensorFlow Playground's \(kind), noise 0.1 (seed 0)")
    #expect(task.train.count == 50 && task.validation?.count == 20 && task.test?.count == 30)
    #expect(task.train.exampleShape == [2] && task.train.classCount == 2)
    let statistics = Standardization(fittedOn: task.train)
    #expect(statistics.mean.allSatisfy { abs($0) < 1e-5 } && statistics.std.allSatisfy { abs($0 - 1) < 1e-5 })
}

@Test func categoricalColumnsAreEncodedWithTheTrainingRowsCategories() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        // 40 rows; "teal" only in the first row the split gives the test set, so training never sees it.
        let unseenRow = LabelledDataset.randomSplitIndices(count: 40, counts: [20, 10, 10], seed: 0)[2][0]
        let rows = (0..<40).map { i in
            "\(i),\(i == unseenRow ? "teal" : (i % 3 == 0 ? "red" : "blue")),\(i % 2 == 0 ? "yes" : "no")"
        }
        let path = SpecFixtures.write((["size,color,y"] + rows).joined(separator: "\n"), "t.csv", in: directory)
        let json = """
            {"data": {"dataset": "csv", "path": "\(path)", "label_column": "y", "categorical_columns": ["color"],
             "validation": 10, "test": 10, "normalize": false}, "training": {"epochs": 1}}
            """
        let (experiment, task) = try build(json)
        #expect(experiment.featureNames == ["size", "color=blue", "color=red"])
        #expect(
            experiment.dataNote
                == "csv \(path): 40 rows, 3 features (one-hot over the training rows' categories: color 2), 2 classes; "
                + "1 validation/test cell of a category unseen in training encoded as zeros (first: row "
                + "\(unseenRow + 1), color \"teal\")")
        // The test split keeps the split's order, so its first example is the teal row: its size, then zeros.
        #expect(task.test?.inputs.shape == [10, 3])
        #expect(Array(task.test!.inputs.scalars.prefix(3)) == [Double(unseenRow), 0, 0])

        let unknown = json.replacingOccurrences(of: "[\"color\"]", with: "[\"colour\"]")
        #expect { try build(unknown) } throws: { error in
            "\(error)".contains("$.data.categorical_columns: \(path) has no column \"colour\"")
        }
        let label = json.replacingOccurrences(of: "\"label_column\": \"y\"", with: "\"label_column\": \"z\"")
        #expect { try build(label) } throws: { error in
            "\(error)".contains("$.data.label_column: \(path) has no column \"z\"")
        }
        let gap = SpecFixtures.write("size,color,y\n1,red,no\n,blue,yes\n3,red,no\n", "gap.csv", in: directory)
        #expect {
            try build("{\"data\": {\"dataset\": \"csv\", \"path\": \"\(gap)\", \"label_column\": \"y\", "
                + "\"categorical_columns\": [\"color\"]}, \"training\": {\"epochs\": 1}}")
        } throws: { error in
            "\(error)".contains("$.data.path: \(gap), row 2 (line 3), column \"size\": \"\" is empty")
        }
    }
}
