import Models

/// What a run trains and evaluates, built from a spec (see `Experiment`).
enum ExperimentTask {
    case classification(ClassificationTask)
    case languageModel(LanguageModelTask)
    case sequenceToSequence(SequenceTask)
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
    /// Logits (N, classes) for a batch of inputs (N, …).
    var model: any Layer
    /// The dtype of the model's parameters, which inputs are converted to (the data is float32; gradient checks
    /// build the model in float64).
    var inputDType: DType = .float32
    /// The random crops and flips of training batches; nil: batches as they are.
    var augmentation: ImageAugmentation? = nil

    /// The logits (N, classes) of `inputs` in the mode and with the generator of `context`.
    func logits(_ inputs: Tensor, _ context: inout ForwardContext) -> Tensor {
        model(inputs.dtype == inputDType ? inputs : inputs.converted(to: inputDType), &context)
    }

    /// The inputs of the training batch of step `step` (counted from 0) as the model is trained on them: augmented,
    /// when the task is, with draws from a generator seeded by `seed` and `step` alone, so that a run resumed from
    /// a checkpoint augments every later batch exactly as the uninterrupted run does.
    func trainingInputs(_ inputs: Tensor, seed: UInt64, step: Int) -> Tensor {
        guard let augmentation, !augmentation.isIdentity else { return inputs }
        // A stream per (seed, step), apart from the epochs' shuffling streams ("augment" in ASCII).
        let streamSeed = (seed ^ 0x61_7567_6D65_6E74) &+ UInt64(truncatingIfNeeded: step) &* 0x9E37_79B9_7F4A_7C15
        var rng = RandomGenerator(seed: streamSeed)
        return augmentation.apply(to: inputs, using: &rng)
    }
}

/// The classification losses a spec can choose.
enum ClassificationLoss: String, SpecChoice {
    case crossEntropy = "cross_entropy"
    /// Multiclass perceptron / hinge loss.
    case hinge
    /// ln(1 + exp(−y·ŷ)) for two classes with a single output (labels 0/1 read as −1/+1).
    case logistic
    /// Mean squared error against one-hot targets.
    case mse
    /// The multiclass perceptron criterion: the predicted class's score above the label's (with SGD at rate 1 and
    /// batches of one, the perceptron algorithm).
    case perceptron

    func callAsFunction(_ logits: Tensor, _ labels: [Int]) -> Tensor {
        switch self {
        case .crossEntropy:
            return logits.crossEntropy(labels: labels)
        case .hinge:
            return logits.multiclassHingeLoss(labels: labels)
        case .perceptron:
            return logits.perceptronLoss(labels: labels)
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

/// Mapping digit strings to digit strings (copy, reverse, sort) with an encoder–decoder Transformer.
struct SequenceTask {
    var model: Seq2SeqTransformer
    var train: SequencePairs
    var validation: SequencePairs?
    var test: SequencePairs?
    /// How the sample strings are decoded: 0 greedily, else each token drawn from softmax(logits / temperature).
    var sampleTemperature: Double = 0
    /// The seed of the draws when `sampleTemperature` > 0.
    var sampleSeed: UInt64 = 0

    /// The decodings of `pairs`' strings at `indices` for the samples, greedy or sampled as `sampleTemperature`
    /// says; the same on every call.
    func decodeSamples(_ pairs: SequencePairs, _ indices: [Int]) -> [[Int]] {
        let source = pairs.batch(indices).source
        guard sampleTemperature > 0 else {
            return model.greedyDecode(source, batch: indices.count, start: pairs.startToken, length: pairs.length)
        }
        var rng = RandomGenerator(seed: sampleSeed)
        return model.sampleDecode(
            source, batch: indices.count, start: pairs.startToken, length: pairs.length,
            temperature: sampleTemperature, using: &rng)
    }
}
