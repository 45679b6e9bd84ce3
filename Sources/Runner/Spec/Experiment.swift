// From a validated spec to the objects a run needs: data, model, optimizer, schedule, settings.

import Models

/// Everything a run needs, built from a spec by `buildExperiment`.
struct Experiment {
    /// The spec with every default filled, including those that depend on the data (counts, the last layer's
    /// out, image size, block size, cosine steps): what `summary.json` records.
    var spec: ExperimentSpec
    /// The model, for its parameters, named parameters and buffers.
    var model: any Model
    /// Per-layer output shapes and parameter counts, for `runner summary`.
    var summary: ModelSummary
    /// What is trained and evaluated.
    var task: ExperimentTask
    var optimizer: any Optimizer
    var schedule: LearningRateSchedule
    var settings: TrainingSettings
    /// Which data was actually used (`DatasetLocation.summary`, e.g. Fashion-MNIST standing in for MNIST).
    var dataNote: String
}

/// Loads the data `spec` names, checks the model against the data's real shape, and builds the model (seeded
/// with `spec.seed`, parameters of `dtype`: float64 for gradient checks), optimizer, schedule and settings.
/// Throws, with the key concerned, when the data cannot be found or split as asked, or the model does not fit it.
func buildExperiment(
    _ spec: ExperimentSpec, resolver: DatasetResolver = DatasetResolver(), dtype: DType = .float32
) throws(SpecError)
    -> Experiment
{
    var spec = spec
    let source = spec.name
    var rng = RandomGenerator(seed: spec.seed)
    let model: any Model
    let summary: ModelSummary
    let task: ExperimentTask
    let note: String
    let stepsPerEpoch: Int

    if case .transformer(let t) = spec.model {
        let text = try loadTextData(&spec.data, modelBlockSize: t.blockSize, resolver: resolver, source: source)
        var configuration = DecoderTransformerConfiguration()
        configuration.vocabularySize = text.vocabulary.count
        configuration.blockSize = t.blockSize
        configuration.dim = t.dim
        configuration.heads = t.heads
        configuration.layers = t.depth
        configuration.ffnMultiplier = t.ffnMultiplier
        configuration.activation = t.activation
        configuration.dropout = t.dropout
        let transformer = DecoderTransformer(configuration, dtype: dtype, using: &rng)
        (model, summary, note, stepsPerEpoch) = (transformer, transformer.summary(), text.note, 1)
        task = .languageModel(
            LanguageModelTask(
                model: transformer, vocabulary: text.vocabulary, train: text.train, validation: text.validation,
                blockSize: spec.data.blockSize ?? t.blockSize, sampleLength: spec.outputs.sampleLength))
    } else {
        let data = try loadClassificationData(
            &spec.data, seed: spec.seed, suites: spec.evaluation.suites, resolver: resolver, source: source)
        let diagnostics = SpecDiagnostics()
        guard
            let fitted = fitModel(
                spec.model, to: data.shape, loss: spec.loss, at: SpecPath.root.appending("model"),
                lossPath: SpecPath.root.appending("loss"), diagnostics)
        else { throw SpecError(source: source, issues: diagnostics.issues) }
        spec.model = fitted.spec
        try checkBatchNormBatches(
            fitted, input: data.shape.exampleShape, trainCount: data.train.count, batchSize: spec.training.batchSize,
            source: source)
        let classifier = makeClassifier(fitted, shape: data.shape, loss: spec.loss, dtype: dtype, using: &rng)
        (model, summary, note) = (classifier.model, classifier.summary, data.note)
        stepsPerEpoch = (data.train.count + spec.training.batchSize - 1) / spec.training.batchSize
        task = .classification(
            ClassificationTask(
                train: data.train, validation: data.validation, test: data.test, suites: data.suites, loss: spec.loss,
                forward: dtype == .float32 ? classifier.forward : { x, training, r in
                    classifier.forward(x.converted(to: dtype), training, &r)
                }, firstLayerFilters: classifier.filters,
                lastLayerAttention: classifier.attention))
    }

    let totalSteps = spec.training.steps ?? (spec.training.epochs ?? 1) * stepsPerEpoch
    let schedule = spec.schedule.schedule(totalSteps: totalSteps)
    if case .cosine(let steps, _) = schedule.decay { spec.schedule.steps = steps }
    let settings = TrainingSettings(
        epochs: spec.training.epochs ?? 0, steps: spec.training.steps, batchSize: spec.training.batchSize,
        shuffle: spec.training.shuffle ?? true, evaluateEvery: spec.training.evaluateEvery,
        logEvery: spec.training.logEvery, earlyStoppingPatience: spec.training.earlyStoppingPatience,
        checkpointEvery: spec.training.checkpointEvery, clipGradientNorm: spec.optimizer.clipGradNorm, seed: spec.seed,
        batchShards: spec.training.batchShards)
    if spec.training.batchShards > 1 && !model.namedBuffers.isEmpty {
        throw SpecError(
            source: source, path: SpecPath.root.appending("training").appending("batch_shards"),
            "the model has batch norm, whose batch statistics mix the examples of a batch: it cannot be split "
                + "into shards; use 1")
    }
    return Experiment(
        spec: spec, model: model, summary: summary, task: task,
        optimizer: spec.optimizer.makeOptimizer(model.parameters),
        schedule: schedule, settings: settings, dataNote: note)
}

/// A classifier and the closures a `ClassificationTask` holds.
private struct Classifier {
    var model: any Model
    var summary: ModelSummary
    var forward: (Tensor, Bool, inout RandomGenerator) -> Tensor
    var filters: (() -> Tensor)? = nil
    var attention: ((Tensor) -> Tensor)? = nil
}

/// Builds the fitted model with `rng` and wraps its forward pass.
private func makeClassifier(
    _ fitted: FittedModel, shape: DataShape, loss: ClassificationLoss, dtype: DType, using rng: inout RandomGenerator
) -> Classifier {
    let outputs = outputCount(classes: shape.classCount, loss: loss)
    switch fitted.spec {
    case .mlp(let m):
        let inputs = shape.exampleShape.reduce(1, *)
        let mlp = MLP(
            sizes: [inputs] + m.hidden + [outputs], activation: m.activation, dropout: m.dropout, dtype: dtype,
            using: &rng)
        return Classifier(model: mlp, summary: mlp.summary()) { x, training, r in
            mlp.forward(x, training: training, using: &r)
        }
    case .sequential:
        let sequential = Sequential(fitted.layers, dtype: dtype, using: &rng)
        var classifier = Classifier(model: sequential, summary: sequential.summary(inputShape: shape.exampleShape)) {
            x, training, r in sequential.forward(x, training: training, using: &r)
        }
        if let first = fitted.layers.firstIndex(where: { if case .conv2d = $0 { true } else { false } }) {
            classifier.filters = { sequential.states[first].weight! }
        }
        return classifier
    case .vit(let v):
        var configuration = VisionTransformerConfiguration()
        configuration.imageSize = v.imageSize ?? shape.exampleShape[1]
        configuration.channels = v.channels ?? shape.exampleShape[0]
        configuration.patchSize = v.patchSize
        configuration.dim = v.dim
        configuration.depth = v.depth
        configuration.heads = v.heads
        configuration.mlpDim = v.mlpDim
        configuration.classes = outputs
        configuration.dropout = v.dropout
        let vit = VisionTransformer(configuration, dtype: dtype, using: &rng)
        var classifier = Classifier(model: vit, summary: vit.summary()) { x, training, r in
            vit.forward(x, training: training, using: &r).logits
        }
        classifier.attention = { image in
            // One image, (C, H, W) or (1, C, H, W); the post-softmax weights of the last block, (1, H, T, T).
            let batch = (image.rank == 3 ? image.reshaped([1] + image.shape) : image).converted(to: dtype)
            return noGrad {
                var r = RandomGenerator(seed: 0)
                return vit.forward(batch, training: false, using: &r, attentionLayer: -1).attention!
            }
        }
        return classifier
    case .transformer:
        preconditionFailure("makeClassifier: a transformer is a language model")
    }
}

/// Batch normalization in training needs more than one value per channel in every batch; the last batch of an
/// epoch may be smaller, so its size is checked too.
private func checkBatchNormBatches(
    _ fitted: FittedModel, input exampleShape: [Int], trainCount: Int, batchSize: Int, source: String
) throws(SpecError) {
    let last = trainCount % batchSize == 0 ? min(batchSize, trainCount) : trainCount % batchSize
    let smallest = min(batchSize, trainCount, last)
    for (i, layer) in fitted.layers.enumerated() {
        let input = i == 0 ? exampleShape : fitted.outputShapes[i - 1]
        let perChannel: Int
        switch layer {
        case .batchNorm1d: perChannel = smallest
        case .batchNorm2d: perChannel = smallest * input.dropFirst().reduce(1, *)
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
