import Models

/// What a run trains and evaluates, built from a spec (see `Experiment`).
enum ExperimentTask {
    case classification(ClassificationTask)
    case languageModel(LanguageModelTask)
}

/// Supervised classification of images or table rows.
struct ClassificationTask {
    var train: LabelledDataset
    var validation: LabelledDataset?
    var test: LabelledDataset?
    /// Extra test sets made by transforms (e.g. "shifted_up_4", "rotated_90"), evaluated like the test set.
    var suites: [(name: String, dataset: LabelledDataset)]
    /// The loss between logits (N, classes) and labels.
    var loss: ClassificationLoss
    /// Logits (N, classes) for a batch of inputs; the flag selects training mode (dropout, batch statistics).
    var forward: (Tensor, Bool, inout RandomGenerator) -> Tensor
    /// The first convolution's weights (F, C, KH, KW), for the filter plot; nil for models without one.
    var firstLayerFilters: (() -> Tensor)?
    /// The post-softmax attention weights (1, H, T, T) of the last layer for one input, for attention models.
    var lastLayerAttention: ((Tensor) -> Tensor)?
}

/// The classification losses a spec can choose.
enum ClassificationLoss: String, Codable, Sendable, CaseIterable {
    case crossEntropy = "cross_entropy"
    /// Multiclass perceptron / hinge loss.
    case hinge
    /// ln(1 + exp(−y·ŷ)) for two classes with a single output (labels 0/1 read as −1/+1).
    case logistic
    /// Mean squared error against one-hot targets.
    case mse

    func callAsFunction(_ logits: Tensor, _ labels: [Int]) -> Tensor {
        switch self {
        case .crossEntropy:
            return logits.crossEntropy(labels: labels)
        case .hinge:
            return logits.multiclassHingeLoss(labels: labels)
        case .logistic:
            let signs = Tensor(labels.map { $0 == 1 ? 1.0 : -1.0 }, shape: logits.shape, dtype: logits.dtype)
            return logits.logisticLoss(labels: signs)
        case .mse:
            let classes = logits.shape[1]
            let oneHot = Tensor.generate(logits.shape, dtype: logits.dtype) { i in
                labels[i / classes] == i % classes ? 1 : 0
            }
            return logits.mseLoss(target: oneHot)
        }
    }
}

/// Next-character prediction on a text corpus.
struct LanguageModelTask {
    var model: DecoderTransformer
    var vocabulary: CharacterVocabulary
    var train: [Int]
    var validation: [Int]
    /// Context length T of each training block (≤ the model's block size).
    var blockSize: Int
    /// Characters generated for the samples before and after training.
    var sampleLength: Int
}

/// How long and how to train, with the evaluation and checkpoint cadence (resolved from the spec's defaults).
struct TrainingSettings: Codable, Sendable, Equatable {
    /// Epochs over the training set (classification); ignored when `steps` is set.
    var epochs: Int
    /// A fixed number of optimizer steps instead of epochs (language models always use steps).
    var steps: Int?
    var batchSize: Int
    /// Mini-batch order: shuffled anew each epoch, or the dataset's order (e.g. sorted by label).
    var shuffle: Bool
    /// Evaluate validation/test every this many steps; nil: at the end of each epoch.
    var evaluateEvery: Int?
    /// Log the running training loss every this many steps.
    var logEvery: Int
    /// Stop when validation accuracy has not improved for this many evaluations, restoring the best weights.
    var earlyStoppingPatience: Int?
    /// Write a checkpoint every this many steps (and always at the end); nil: only at the end.
    var checkpointEvery: Int?
    /// Clip the global gradient norm to this value before each step.
    var clipGradientNorm: Double?
    /// Seed of initialization, shuffling, dropout and sampling.
    var seed: UInt64
    /// Shards each batch is split into for `shardedBackward` (1: the whole batch at once).
    var batchShards = 1
}
