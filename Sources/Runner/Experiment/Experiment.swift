// From a validated spec to the objects a run needs: data, model, optimizer and schedule.

import Models

/// Everything a run needs, built from a spec by `buildExperiment`.
struct Experiment {
    /// The spec with every default filled, including those that depend on the data (counts, the last layer's
    /// out, image size, block size, cosine steps): what `summary.json` records and the run reads its settings from.
    var spec: ExperimentSpec
    /// The model, for its parameters, named parameters and buffers.
    var model: any Module
    /// Per-layer output shapes and parameter counts, for `runner summary`.
    var summary: ModelSummary
    /// What is trained and evaluated.
    var task: ExperimentTask
    var optimizer: any Optimizer
    var schedule: LearningRateSchedule
    /// Which data was actually used (`DatasetLocation.summary`, e.g. Fashion-MNIST standing in for MNIST).
    var dataNote: String
    /// The name of each input feature of a CSV table, in the model's input order (`color=red` for a one-hot
    /// feature); nil for other data.
    var featureNames: [String]? = nil
    /// Steps in one pass over the training data (a kernel perceptron's: its examples); 1 for a language model,
    /// whose steps draw random blocks.
    var stepsPerEpoch = 1
}

/// Loads the data `spec` names, checks the model against the data's real shape, and builds the model (seeded
/// with `spec.seed`, parameters of `dtype`: float64 for gradient checks), optimizer and schedule. Throws, with
/// the key concerned, when the data cannot be found or split as asked, or the model does not fit it. With
/// `standIn`, random examples of its shape replace a classification dataset or a text corpus (the generated
/// strings of `sequences` are always made).
func buildExperiment(
    _ spec: ExperimentSpec, resolver: DatasetResolver = DatasetResolver(), dtype: DType = .float32,
    standIn: StandInData? = nil
) throws(SpecError) -> Experiment {
    var spec = spec
    let source = spec.name
    var rng = RandomGenerator(seed: UInt64(spec.seed))
    let model: any Module
    let summary: ModelSummary
    let task: ExperimentTask
    let note: String
    let stepsPerEpoch: Int
    var penalizedGroups: [PenalizedGroup] = []
    var featureNames: [String]? = nil

    if spec.model.type == .transformer {
        let text: TextData
        if let standIn {
            guard standIn.exampleShape.count == 1, standIn.exampleShape[0] <= spec.model.blockSize else {
                throw SpecError(
                    source: source, path: SpecPath.root.appending("model").appending("block_size"),
                    "a language model's input shape is (T) with T ≤ block_size \(spec.model.blockSize), got "
                        + "\(standIn.exampleShape)")
            }
            (text, spec.data.blockSize) = (standIn.text(seed: UInt64(spec.seed)), standIn.exampleShape[0])
        } else {
            text = try loadTextData(
                &spec.data, modelBlockSize: spec.model.blockSize, resolver: resolver, source: source)
        }
        let configuration = spec.model.decoderConfiguration(vocabularySize: text.vocabulary.count)
        let estimate = MemoryEstimate(
            transformer: spec.model, layers: spec.model.depth, length: spec.model.blockSize,
            vocabulary: text.vocabulary.count)
        if let issue = estimate.problem(spec, batch: spec.training.batchSize) {
            throw SpecError(source: source, issues: [issue])
        }
        let transformer = DecoderTransformer(configuration, dtype: dtype, using: &rng)
        let blockSize = spec.data.blockSize ?? configuration.blockSize
        (model, note, stepsPerEpoch) = (transformer, text.note, 1)
        summary = try! ModelSummary(transformer, inputShape: [configuration.blockSize])  // fits by construction
        task = .languageModel(
            LanguageModelTask(
                model: transformer, vocabulary: text.vocabulary, train: text.train, validation: text.validation,
                blockSize: blockSize, sampleLength: spec.outputs.sampleLength))
    } else if spec.data.dataset.isSequences {
        let data = try loadSequenceData(&spec.data, seed: UInt64(spec.seed), source: source)
        let configuration = spec.model.seq2seqConfiguration(
            vocabularySize: data.train.vocabularySize, length: data.train.length)
        let seq2seq = Seq2SeqTransformer(configuration, dtype: dtype, using: &rng)
        (model, note) = (seq2seq, data.note)
        let length = data.train.length
        summary = try! ModelSummary(seq2seq, sourceLength: length, targetLength: length)  // fits by construction
        stepsPerEpoch = batchCount(data.train.count, batchSize: spec.training.batchSize)
        task = .sequenceToSequence(
            SequenceTask(
                model: seq2seq, train: data.train, validation: data.validation, test: data.test,
                sampleTemperature: spec.outputs.sampleTemperature, sampleSeed: UInt64(spec.seed)))
    } else {
        let data: ClassificationData
        if let standIn {
            data = standIn.classification(seed: UInt64(spec.seed))
        } else {
            data = try loadClassificationData(
                &spec.data, seed: UInt64(spec.seed), suites: spec.evaluation.suites, resolver: resolver,
                source: source)
        }
        let diagnostics = SpecDiagnostics()
        guard
            let fitted = fitModel(
                spec.model, to: data.shape, loss: spec.loss, at: SpecPath.root.appending("model"),
                lossPath: SpecPath.root.appending("loss"), diagnostics)
        else { throw SpecError(source: source, issues: diagnostics.issues) }
        spec.model = fitted.spec
        var estimate = MemoryEstimate(fitted, shape: data.shape, loss: spec.loss, classesKey: spec.data.classesKey)
        estimate.addData(of: spec.data)
        if let issue = estimate.problem(spec, batch: min(spec.training.batchSize, data.train.count)) {
            throw SpecError(source: source, issues: [issue])
        }
        var building = LayerBuilding(dtype: dtype, rng: rng, training: data.train)
        let classifier = fitted.build(&building)
        (model, penalizedGroups) = (classifier, building.penalizedGroups)
        summary = try! ModelSummary(classifier, inputShape: data.shape.exampleShape)  // fitted to this shape
        try checkBatchNormBatches(
            classifier, input: data.shape.exampleShape, trainCount: data.train.count,
            batchSize: spec.training.batchSize,
            source: source)
        (note, featureNames) = (data.note, data.featureNames)
        stepsPerEpoch =
            classifier is KernelPerceptron
            ? data.train.count : batchCount(data.train.count, batchSize: spec.training.batchSize)
        task = .classification(
            ClassificationTask(
                train: data.train, validation: data.validation, test: data.test, suites: data.suites, loss: spec.loss,
                model: classifier, inputDType: dtype, augmentation: data.augmentation))
    }

    guard let totalSteps = spec.training.steps ?? Int.exactProduct(spec.training.epochs ?? 1, stepsPerEpoch) else {
        throw SpecError(
            source: source, path: SpecPath.root.appending("training").appending("epochs"),
            "\(spec.training.epochs ?? 1) epochs of \(stepsPerEpoch) steps are more steps than an integer can count")
    }
    let schedule = spec.schedule.schedule(totalSteps: totalSteps)
    if case .cosine(let steps, _) = schedule.decay { spec.schedule.steps = steps }
    if spec.training.batchShards > 1 && !model.namedBuffers.isEmpty {
        throw SpecError(
            source: source, path: SpecPath.root.appending("training").appending("batch_shards"),
            "the model has batch norm, whose batch statistics mix the examples of a batch: it cannot be split "
                + "into shards; use 1")
    }
    return Experiment(
        spec: spec, model: model, summary: summary, task: task,
        optimizer: spec.optimizer.makeOptimizer(model.trainableParameters, layerGroups: penalizedGroups),
        schedule: schedule, dataNote: note, featureNames: featureNames, stepsPerEpoch: stepsPerEpoch)
}

/// The batches of an epoch over `count` examples, the last one possibly smaller: ⌈count / batchSize⌉.
func batchCount(_ count: Int, batchSize: Int) -> Int { count / batchSize + (count % batchSize == 0 ? 0 : 1) }

/// Batch normalization in training needs more than one value per channel in every batch; the last batch of an
/// epoch may be smaller, so its size is checked too.
private func checkBatchNormBatches(
    _ model: any Layer, input exampleShape: [Int], trainCount: Int, batchSize: Int, source: String
) throws(SpecError) {
    guard let sequential = model as? Sequential, let shapes = try? sequential.outputShapes(for: exampleShape) else {
        return
    }
    let last = trainCount % batchSize == 0 ? min(batchSize, trainCount) : trainCount % batchSize
    let smallest = min(batchSize, trainCount, last)
    for (i, layer) in sequential.layers.enumerated() {
        let input = i == 0 ? exampleShape : shapes[i - 1]
        let perChannel: Int
        switch layer {
        case is BatchNorm1d: perChannel = smallest
        case is BatchNorm2d: perChannel = Int.exactProduct([smallest] + input.dropFirst()) ?? Int.max
        default: continue
        }
        if perChannel <= 1 {
            throw SpecError(
                source: source, path: SpecPath.root.appending("training").appending("batch_size"),
                "a batch of \(smallest) example\(smallest == 1 ? "" : "s") (\(trainCount) training examples in "
                    + "batches of \(batchSize)) gives batch norm layer \(i) a single value per channel; "
                    + "choose another batch size")
        }
    }
}
