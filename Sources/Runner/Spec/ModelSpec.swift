// The `model` section of a spec: a multilayer perceptron, a list of layers, a Vision Transformer or a decoder-only
// Transformer. Sizes that follow from the data (input features, channels, classes, vocabulary) are inferred, not
// written.

import Models

/// The model types a spec can name.
enum ModelKind: String, SpecChoice {
    case mlp, sequential
    /// Another name for `sequential`, for convolutional networks.
    case cnn
    case vit, transformer
    /// A residual network (torchvision's layout for ImageNet-style depths, the paper's CIFAR-style otherwise).
    case resnet
    /// One linear layer from all-zero weights: the multiclass perceptron (with `"loss": "perceptron"`).
    case perceptron
    /// An encoder–decoder Transformer, for the `sequences` dataset.
    case seq2seq
    /// The multiclass kernel perceptron in dual form, trained by its mistakes (see `KernelPerceptronSpec.swift`).
    case kernelPerceptron = "kernel_perceptron"
}

extension Activation: SpecChoice {}

/// The model of an experiment: `{"type": "mlp", "hidden": [128]}`.
typealias ModelSpec = Section<ModelKeys>

struct ModelKeys: SpecKeys {
    let type = SpecKey("type", ModelKind.mlp, "The model (see below).")
    let hidden = SpecKey(
        "hidden", [128], range: .positive, "Hidden widths, input side first; `[]` is a linear or logistic regression.")
    let activation = SpecKey(
        "activation", Activation.relu, "After each hidden layer (`linear`: none); in the feed-forward network.")
    let dropout = SpecKey(
        "dropout", byVariant: ["vit": 0.1], otherwise: 0, range: .fraction,
        "mlp: after each hidden activation; vit, transformer, seq2seq: after the embeddings, attention and in the "
            + "feed-forward network.")
    let layers = SpecKey<[LayerSpec]>(
        "layers", required: "a non-empty array of layers such as {\"type\": \"linear\"}",
        "The layers, applied in order (see [layers](#layers)).")
    let fuse = SpecKey(
        "fuse", true,
        "Run Conv2d → ReLU → MaxPool2d, ReLU → MaxPool2d and MaxPool2d → ReLU chains as one fused kernel (`Fusion`): "
            + "the same values and gradients, less time and memory.")
    let imageSize = SpecKey<Int?>(
        "image_size", derived: nil, becomes: "the data's", range: .positive, "The image side; must match the data.")
    let channels = SpecKey<Int?>(
        "channels", derived: nil, becomes: "the data's", range: .positive, "The image channels; must match the data.")
    let patchSize = SpecKey("patch_size", 7, range: .positive, "The patch side P, which must divide the image side.")
    let blockSize = SpecKey(
        "block_size", 64, range: .positive, "The longest context the model sees (learned positions).")
    let dim = SpecKey("dim", 64, range: .positive, "The embedding width.")
    let depth = SpecKey(
        "depth", byVariant: ["vit": 6, "resnet": 20], otherwise: 4, range: .positive,
        "The number of blocks; resnet: of layers, ImageNet-style 18, 34, 50, 101 or 152, CIFAR-style 20, 32, 44, 56 "
            + "or 110.")
    let heads = SpecKey(
        "heads", byVariant: ["vit": 8], otherwise: 4, range: .positive, "Attention heads per block, dividing `dim`.")
    let mlpDim = SpecKey("mlp_dim", 128, range: .positive, "The hidden width of each block's feed-forward network.")
    let ffnMultiplier = SpecKey(
        "ffn_multiplier", 4, range: .positive, "The feed-forward width as a multiple of `dim`.")
    let encoderLayers = SpecKey("encoder_layers", 2, range: .positive, "seq2seq: the encoder's blocks.")
    let decoderLayers = SpecKey("decoder_layers", 2, range: .positive, "seq2seq: the decoder's blocks.")
    let kernel = SpecKey(
        "kernel", KernelKind.rbf,
        "The kernel k(x, z): `linear` x·z, `polynomial` (x·z + c)^d, `rbf` exp(−γ‖x − z‖²).")
    let degree = SpecKey<Int?>(
        "degree", derived: nil, becomes: "`\(KernelKind.defaultDegree)` with the polynomial kernel",
        range: .positive, "polynomial kernel: the degree d.")
    let coef0 = SpecKey<Double?>(
        "coef0", derived: nil, becomes: "`\(formatNumber(KernelKind.defaultCoef0))` with the polynomial kernel",
        range: .nonNegative, "polynomial kernel: the constant c (0: only the monomials of degree d).")
    let gamma = SpecKey<Double?>(
        "gamma", derived: nil, becomes: "1 / the input features, with the rbf kernel", range: .positive,
        "rbf kernel: the inverse width γ.")

    static let variants: SpecVariants<Self>? = SpecVariants(
        selector: "type", names: ModelKind.names, standard: "mlp",
        keys: { kind in
            switch ModelKind(rawValue: kind) {
            case .mlp: [\.type, \.hidden, \.activation, \.dropout]
            case .sequential, .cnn: [\.type, \.layers, \.fuse]
            case .vit: [\.type, \.imageSize, \.channels, \.patchSize, \.dim, \.depth, \.heads, \.mlpDim, \.dropout]
            case .transformer: [\.type, \.blockSize, \.dim, \.depth, \.heads, \.ffnMultiplier, \.activation, \.dropout]
            case .resnet: [\.type, \.depth]
            case .perceptron: [\.type]
            case .seq2seq:
                [
                    \.type, \.dim, \.encoderLayers, \.decoderLayers, \.heads, \.ffnMultiplier, \.activation,
                    \.dropout,
                ]
            case .kernelPerceptron: [\.type, \.kernel, \.degree, \.coef0, \.gamma]
            case nil: nil
            }
        }, owner: { "\(article($0)) \($0) model" })

    static func check(_ model: inout ModelSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        if model.type == .resnet && !ResNetConfiguration.isSupported(model.depth)
            && !diagnostics.hasIssues(under: path.appending("depth"))
        {
            let depths = ResNetConfiguration.depths.map(String.init).joined(separator: ", ")
            diagnostics.report(path.appending("depth"), "resnet has no depth \(model.depth); choose one of \(depths)")
        }
        if model.type == .kernelPerceptron { checkKernelKeys(&model, at: path, diagnostics) }
        if model.values["layers"] == .array([]) {
            diagnostics.report(path.appending("layers"), "expected a non-empty array of layers, got []")
        }
        if [.vit, .transformer, .seq2seq].contains(model.type) && model.dim % model.heads != 0
            && !diagnostics.hasIssues(under: path)
        {
            diagnostics.report(path.appending("heads"), "\(model.heads) heads do not divide dim \(model.dim)")
        }
    }
}

extension Section where Keys == ModelKeys {
    /// The configuration of the decoder-only Transformer this spec describes, for a vocabulary of `vocabularySize`.
    func decoderConfiguration(vocabularySize: Int) -> DecoderTransformerConfiguration {
        var c = DecoderTransformerConfiguration()
        c.vocabularySize = vocabularySize
        (c.blockSize, c.dim, c.heads, c.layers) = (self.blockSize, self.dim, self.heads, self.depth)
        (c.ffnMultiplier, c.activation, c.dropout) = (self.ffnMultiplier, self.activation, self.dropout)
        return c
    }

    /// The encoder–decoder Transformer this spec describes, for strings of `length` tokens over `vocabularySize`
    /// (the start token included).
    func seq2seqConfiguration(vocabularySize: Int, length: Int) -> Seq2SeqTransformerConfiguration {
        var c = Seq2SeqTransformerConfiguration()
        (c.vocabularySize, c.sourceLength, c.targetLength) = (vocabularySize, length, length)
        (c.dim, c.heads, c.encoderLayers, c.decoderLayers) = (
            self.dim, self.heads, self.encoderLayers, self.decoderLayers
        )
        (c.ffnMultiplier, c.activation, c.dropout) = (self.ffnMultiplier, self.activation, self.dropout)
        return c
    }
}
