import Foundation
import Models
import Testing

@testable import Runner

private func build(_ json: String, resolver: DatasetResolver = DatasetResolver()) throws -> Experiment {
    try buildExperiment(try SpecFixtures.spec(json), resolver: resolver)
}

private func classification(_ experiment: Experiment) throws -> ClassificationTask {
    guard case .classification(let task) = experiment.task else { throw SpecError("not a classification task") }
    return task
}

@Test func anMLPOnXORIsBuiltFromTheSeed() throws {
    let json =
        "{\"seed\": 3, \"data\": {\"dataset\": \"xor\"}, \"model\": {\"hidden\": [4]}, \"training\": {\"epochs\": 2}}"
    let experiment = try build(json)
    let task = try classification(experiment)
    #expect(experiment.dataNote == "xor: the four XOR points")
    #expect(task.train.count == 4 && task.validation == nil && task.test == nil)
    #expect(experiment.summary.rows.map(\.parameterCount) == [12, 10] && experiment.summary.outputShape == [2])
    #expect(experiment.model.parameterCount == 2 * 4 + 4 + 4 * 2 + 2)
    // Built with RandomGenerator(seed: 3): the same weights as building the MLP by hand.
    var rng = RandomGenerator(seed: 3)
    let byHand = MLP(sizes: [2, 4, 2], using: &rng)
    #expect(experiment.model.parameters.map(\.scalars) == byHand.parameters.map(\.scalars))
    #expect(noGrad { task.model(task.train.inputs) }.shape == [4, 2])
    #expect(experiment.optimizer is Adam && experiment.optimizer.learningRate == 0.001)
    let training = experiment.spec.training
    #expect(training.epochs == 2 && training.steps == nil && training.batchSize == 32 && training.shuffle == true)
    #expect(training.evaluateEvery == nil && training.logEvery == 100 && training.earlyStoppingPatience == nil)
    #expect(training.checkpointEvery == nil && training.batchShards == 1 && experiment.spec.seed == 3)
    #expect(experiment.spec.optimizer.clipGradNorm == nil)
}

@Test func tablesAreSplitStandardizedAndSortedAsAsked() throws {
    let experiment = try build(
        """
        {"data": {"dataset": "blobs", "points": 50, "validation": 30, "test": 20, "order": "sorted"},
         "training": {"epochs": 1, "batch_size": 10, "early_stopping_patience": 2},
         "optimizer": {"type": "sgd", "lr": 0.1, "clip_grad_norm": 5}}
        """)
    let task = try classification(experiment)
    #expect(task.train.count == 100 && task.validation?.count == 30 && task.test?.count == 20)
    #expect(experiment.spec.data.train == 100 && experiment.spec.data.test == 20)
    #expect(task.train.labels == task.train.labels.sorted())
    #expect(experiment.spec.training.shuffle == false && experiment.spec.optimizer.clipGradNorm == 5)
    #expect(experiment.spec.training.earlyStoppingPatience == 2)
    #expect(experiment.optimizer is SGD)
    // Standardized with the training split's statistics: mean 0, standard deviation 1 per feature there.
    let statistics = Standardization(fittedOn: task.train)
    #expect(statistics.mean.allSatisfy { abs($0) < 1e-5 } && statistics.std.allSatisfy { abs($0 - 1) < 1e-5 })
}

@Test func aSequentialModelHasItsSizesInferred() throws {
    let experiment = try build(
        """
        {"data": {"dataset": "blobs", "classes": 4}, "training": {"epochs": 2, "batch_size": 32},
         "schedule": {"warmup_steps": 3, "decay": "cosine"},
         "model": {"type": "sequential", "layers": [{"type": "linear", "out": 16}, {"type": "batchnorm1d"},
          {"type": "relu"}, {"type": "dropout", "p": 0.2}, {"type": "linear"}]}}
        """)
    let summary = experiment.summary
    #expect(
        summary.rows.map(\.layer)
            == ["0  Linear(2, 16)", "1  BatchNorm1d(16)", "2  ReLU()", "3  Dropout(0.2)", "4  Linear(16, 4)"])
    #expect(summary.totalParameterCount == experiment.model.parameterCount)
    #expect(experiment.spec.model.layers.last?.out == 4)
    // 400 examples in batches of 32: 13 steps per epoch, 26 in all, 23 after the warm-up.
    #expect(experiment.schedule == LearningRateSchedule(warmupSteps: 3, decay: .cosine(steps: 23, minimum: 0)))
    #expect(experiment.spec.schedule.steps == 23)
}

@Test func aResidualBlockGetsAProjectionWhenItChangesTheShape() throws {
    let experiment = try build(
        """
        {"data": {"dataset": "blobs"}, "training": {"epochs": 1},
         "model": {"type": "sequential", "layers": [{"type": "linear", "out": 8},
          {"type": "residual", "layers": [{"type": "linear", "out": 8}, {"type": "relu"}]},
          {"type": "residual", "layers": [{"type": "linear", "out": 4}, {"type": "tanh"}]}, {"type": "linear"}]}}
        """)
    let model = try #require(experiment.model as? Sequential)
    let same = try #require(model.layers[1] as? Residual)
    let changing = try #require(model.layers[2] as? Residual)
    #expect(same.shortcut == nil && (changing.shortcut as? Linear)?.weight.shape == [8, 4])
    #expect(experiment.model.parameterCount == (2 * 8 + 8) + (8 * 8 + 8) + (8 * 4 + 4 + 8 * 4) + (4 * 3 + 3))
    #expect(experiment.summary.rows.count == 4 + 2 + 3)  // four layers; two inside block 1; two and a shortcut in 2
    #expect(experiment.spec.model.layers[3].out == 3)
}

@Test func aLastBatchOfOneIsRejectedForBatchNorm() {
    let json = """
        {"data": {"dataset": "blobs", "points": 11, "classes": 3}, "training": {"epochs": 1, "batch_size": 32},
         "model": {"type": "sequential", "layers": [{"type": "linear", "out": 8}, {"type": "batchnorm1d"},
          {"type": "linear"}]}}
        """
    #expect {
        try build(json)
    } throws: { error in
        "\(error)".contains("$.training.batch_size: a batch of 1 example (33 training examples in batches of 32)")
    }
}

@Test func batchNormCannotSplitItsBatch() {
    let json = """
        {"data": {"dataset": "blobs", "points": 64, "classes": 3},
         "training": {"epochs": 1, "batch_size": 16, "batch_shards": 2},
         "model": {"type": "sequential", "layers": [{"type": "linear", "out": 8}, {"type": "batchnorm1d"},
          {"type": "linear"}]}}
        """
    #expect {
        try build(json)
    } throws: { error in
        "\(error)".contains("$.training.batch_shards: the model has batch norm, whose batch statistics mix")
    }
}

@Test func theLogisticLossGivesOneOutput() throws {
    let experiment = try build(
        "{\"data\": {\"dataset\": \"separable\"}, \"loss\": \"logistic\", \"model\": {\"hidden\": []}, "
            + "\"training\": {\"epochs\": 1}}")
    let task = try classification(experiment)
    var context = ForwardContext(training: true)
    #expect(task.logits(task.train.inputs, &context).shape == [200, 1])
    #expect(task.loss == .logistic)
}

@Test func aCSVTableIsReadWithItsColumns() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        let rows = (0..<40).map { i in "\(i % 2 == 0 ? "yes" : "no"),\(Double(i) * 0.5),\(i % 7),ignored" }
        let path = SpecFixtures.write((["y,a,b,c"] + rows).joined(separator: "\n"), "t.csv", in: directory)
        let json = """
            {"data": {"dataset": "csv", "path": "\(path)", "label_column": "y", "feature_columns": ["a", "b"],
             "validation": 10, "test": 10}, "training": {"epochs": 1}}
            """
        let experiment = try build(json)
        let task = try classification(experiment)
        #expect(task.train.exampleShape == [2] && task.train.classCount == 2 && task.train.count == 20)
        #expect(experiment.dataNote == "csv \(path): 40 rows, 2 features, 2 classes")
        let badColumn = json.replacingOccurrences(of: "\"b\"]", with: "\"d\"]")
        #expect { try build(badColumn) } throws: { error in
            "\(error)".contains("$.data.feature_columns: \(path) has no column \"d\"")
        }
    }
}

@Test func imagesGiveSplitsSuitesFiltersAndANote() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        SpecFixtures.linkTestSplitAsBothSplits(in: directory)
        let experiment = try build(
            """
            {"data": {"path": "\(directory)", "train": 600, "validation": 100, "test": 300},
             "evaluation": {"suites": ["shifted_up_4", "rotated_90"]}, "training": {"epochs": 1},
             "model": {"type": "sequential", "layers": [{"type": "conv2d", "out": 4, "kernel": 3, "padding": 1},
              {"type": "batchnorm2d"}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
              {"type": "linear"}]}}
            """)
        let task = try classification(experiment)
        #expect(experiment.dataNote == "fashion-mnist from \(directory) (explicitPath)")
        #expect(task.train.count == 600 && task.validation?.count == 100 && task.test?.count == 300)
        #expect(task.suites.map(\.name) == ["shifted_up_4", "rotated_90"])
        #expect(task.suites.allSatisfy { $0.dataset.count == 300 && $0.dataset.labels == task.test!.labels })
        #expect(((task.model as? Sequential)?.layers.first as? Conv2d)?.weight.shape == [4, 1, 3, 3])
        #expect(experiment.summary.rows.last?.outputShape == [10])
        // Shifted up in pixel space, then standardized: the bottom four rows all hold the value of a 0 pixel,
        // which is what the top rows of the standardized test set would hold only by chance.
        let shifted = task.suites[0].dataset.inputs.scalars
        let bottom = (0..<300).flatMap { n in (24 * 28..<28 * 28).map { shifted[n * 784 + $0] } }
        #expect(Set(bottom.map { Float($0) }).count == 1)
        #expect(bottom[0] < 0)
        #expect(noGrad { task.model(task.test!.subset(0..<2).inputs) }.shape == [2, 10])
    }
}

@Test func aVisionTransformerShowsItsLastAttention() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        SpecFixtures.linkTestSplitAsBothSplits(in: directory)
        let experiment = try build(
            """
            {"data": {"dataset": "mnist", "train": 64, "test": 16}, "training": {"epochs": 1},
             "model": {"type": "vit", "dim": 16, "depth": 1, "heads": 2, "mlp_dim": 16}}
            """, resolver: SpecFixtures.isolatedResolver(directory).withSystemFashionMNIST(at: directory))
        #expect(experiment.dataNote.contains("instead of mnist"))
        #expect(experiment.spec.model.imageSize == 28 && experiment.spec.model.channels == 1)
        let task = try classification(experiment)
        let vit = try #require(task.model as? VisionTransformer)
        let attention = noGrad { vit.attentionWeights(task.test!.inputs[0..<1]) }
        #expect(attention.shape == [1, 2, 17, 17])
        let rowSums = attention.sum(axes: [3]).scalars
        #expect(rowSums.allSatisfy { abs($0 - 1) < 1e-5 })
    }
}

@Test func aLanguageModelIsBuiltOnItsText() throws {
    try SpecFixtures.withTemporaryDirectory { directory in
        let text = String(repeating: "To be, or not to be: that is the question.\n", count: 30)
        SpecFixtures.write(text, "input.txt", in: directory)
        let experiment = try build(
            """
            {"data": {"dataset": "tinyshakespeare", "path": "\(directory)"}, "training": {"steps": 40},
             "model": {"type": "transformer", "block_size": 16, "dim": 16, "heads": 2, "depth": 1},
             "optimizer": {"type": "adamw"}, "outputs": {"sample_length": 30}}
            """)
        guard case .languageModel(let task) = experiment.task else { throw SpecError("not a language model") }
        #expect(task.vocabulary == CharacterVocabulary(text: text))
        #expect(task.blockSize == 16 && experiment.spec.data.blockSize == 16 && task.sampleLength == 30)
        #expect(task.train.count + task.validation.count == text.unicodeScalars.count)
        #expect(task.model.configuration.vocabularySize == task.vocabulary.count)
        #expect(experiment.spec.training.evaluateEvery == 4 && experiment.spec.training.steps == 40)
        #expect((experiment.optimizer as? Adam)?.decoupledWeightDecay == true)
        let tooLong = """
            {"data": {"dataset": "tinyshakespeare", "path": "\(directory)", "validation_fraction": 0.05},
             "model": {"type": "transformer", "block_size": 128}, "training": {"steps": 1}}
            """
        #expect {
            try build(tooLong)
        } throws: { error in
            "\(error)".contains(
                "$.data.block_size: blocks of 128 characters need more text: training has 1225, "
                    + "validation 65")
        }
    }
}

extension DatasetResolver {
    /// The resolver with `directory` as its system dataset folder, holding Fashion-MNIST (a link to it).
    func withSystemFashionMNIST(at directory: String) -> DatasetResolver {
        let system = systemDirectory
        try? FileManager.default.createDirectory(atPath: system, withIntermediateDirectories: true)
        try? FileManager.default.createSymbolicLink(
            atPath: (system as NSString).appendingPathComponent("fashion-mnist"), withDestinationPath: directory)
        return self
    }
}

@Test func aDilatedConvolutionSpansItsDilatedKernel() throws {
    let spec = try SpecFixtures.spec(
        """
        {"training": {"epochs": 1}, "model": {"type": "cnn", "layers": [
          {"type": "conv2d", "out": 4, "kernel": 3, "dilation": 2}, {"type": "flatten"}, {"type": "linear"}]}}
        """)
    #expect(spec.model.layers[0].dilation == 2 && spec.model.layers[2].out == 10)
    let diagnostics = SpecDiagnostics()
    let fitted = try #require(
        fitModel(
            spec.model, to: DataShape(exampleShape: [1, 28, 28], classCount: 10), loss: .crossEntropy, at: .root,
            lossPath: .root, diagnostics))
    var building = LayerBuilding(dtype: .float32, rng: RandomGenerator(seed: 0))
    let model = try #require(fitted.build(&building) as? Sequential)
    // A 3 × 3 kernel with dilation 2 spans 5 × 5: 28 − 4 = 24.
    #expect(try model.outputShapes(for: [1, 28, 28]) == [[4, 24, 24], [2304], [10]])
    #expect((model.layers[0] as? Conv2d)?.dilation == 2)
}

@Test func aLayerNormNormalizesTheFeaturesOfEachExample() throws {
    let experiment = try build(
        """
        {"data": {"dataset": "blobs"}, "training": {"epochs": 1},
         "model": {"type": "sequential", "layers": [{"type": "linear", "out": 8}, {"type": "layernorm"},
          {"type": "relu"}, {"type": "linear"}]}}
        """)
    let model = try #require(experiment.model as? Sequential)
    #expect((model.layers[1] as? LayerNorm)?.features == 8)
    #expect(
        experiment.model.namedParameters.map(\.name) == [
            "0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias",
        ])
    // Each example's 8 features leave the layer with mean 0 and variance 1 (γ = 1, β = 0 at first).
    let task = try classification(experiment)
    let hidden = noGrad { Sequential(Array(model.layers[0...1]))(task.train.inputs) }  // (N, 8)
    for row in 0..<5 {
        let values = (0..<8).map { hidden.scalar(at: row, $0) }
        let mean = values.reduce(0, +) / 8
        #expect(abs(mean) < 1e-5)
        #expect(abs(values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8 - 1) < 1e-3)
    }
}
