// The `model` section of a spec: a multilayer perceptron, a PyTorch-like layer list, a Vision Transformer or a
// decoder-only Transformer. Sizes that follow from the data (input features, channels, classes, vocabulary) are
// inferred, not written.

import Models

/// The model types a spec can name.
enum ModelKind: String, CaseIterable, Codable, Sendable {
    case mlp, sequential
    /// Another name for `sequential`, for convolutional networks.
    case cnn
    case vit, transformer
}

/// The model of an experiment.
enum ModelSpec: SpecSection {
    /// A multilayer perceptron on flattened inputs.
    case mlp(MLPSpec)
    /// A list of layers applied in order (`nn.Sequential`).
    case sequential(layers: [LayerSpec])
    /// A Vision Transformer classifier on square images.
    case vit(VisionTransformerSpec)
    /// A character-level decoder-only Transformer (language models on tinyshakespeare).
    case transformer(TransformerSpec)

    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case type, hidden, activation, dropout, layers
        case imageSize = "image_size", channels, patchSize = "patch_size", dim, depth, heads, mlpDim = "mlp_dim"
        case blockSize = "block_size", ffnMultiplier = "ffn_multiplier"
    }

    /// The default model: an MLP with one hidden layer of 128 ReLU units.
    static let standard = ModelSpec.mlp(MLPSpec())

    /// The name written as `type`.
    var kind: ModelKind {
        switch self {
        case .mlp: .mlp
        case .sequential: .sequential
        case .vit: .vit
        case .transformer: .transformer
        }
    }

    /// The keys that apply to a model type.
    static func keys(for kind: ModelKind) -> [CodingKeys] {
        switch kind {
        case .mlp: [.type, .hidden, .activation, .dropout]
        case .sequential, .cnn: [.type, .layers]
        case .vit: [.type, .imageSize, .channels, .patchSize, .dim, .depth, .heads, .mlpDim, .dropout]
        case .transformer: [.type, .blockSize, .dim, .depth, .heads, .ffnMultiplier, .activation, .dropout]
        }
    }

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let named = quietChoice(value, "type", absent: ModelKind.mlp)
        let o = SpecObject<CodingKeys>(
            value, at: path, diagnostics, allowed: named.map(Self.keys) ?? Array(CodingKeys.allCases),
            owner: named.map { "\(article($0.rawValue)) \($0.rawValue) model" })
        switch o.choice(.type, default: ModelKind.mlp) {
        case .mlp:
            var m = MLPSpec()
            m.hidden = o.optionalIntArray(.hidden, .positive) ?? m.hidden
            m.activation = o.choice(.activation, default: m.activation)
            m.dropout = o.double(.dropout, default: m.dropout, .fraction)
            self = .mlp(m)
        case .sequential, .cnn:
            let items = o.array(.layers)
            if items == nil && !o.has(.layers) {
                o.reportMissing(.layers, expected: "a non-empty array of layers such as {\"type\": \"linear\"}")
            } else if items?.isEmpty == true {
                o.report(.layers, "expected a non-empty array of layers, got []")
            }
            self = .sequential(layers: (items ?? []).map { LayerSpec(reading: $0.value, at: $0.path, diagnostics) })
        case .vit:
            var v = VisionTransformerSpec()
            v.imageSize = o.optionalInt(.imageSize, .positive)
            v.channels = o.optionalInt(.channels, .positive)
            v.patchSize = o.int(.patchSize, default: v.patchSize, .positive)
            v.dim = o.int(.dim, default: v.dim, .positive)
            v.depth = o.int(.depth, default: v.depth, .positive)
            v.heads = o.int(.heads, default: v.heads, .positive)
            v.mlpDim = o.int(.mlpDim, default: v.mlpDim, .positive)
            v.dropout = o.double(.dropout, default: v.dropout, .fraction)
            if v.dim % v.heads != 0 { o.report(.heads, "\(v.heads) heads do not divide dim \(v.dim)") }
            self = .vit(v)
        case .transformer:
            var t = TransformerSpec()
            t.blockSize = o.int(.blockSize, default: t.blockSize, .positive)
            t.dim = o.int(.dim, default: t.dim, .positive)
            t.depth = o.int(.depth, default: t.depth, .positive)
            t.heads = o.int(.heads, default: t.heads, .positive)
            t.ffnMultiplier = o.int(.ffnMultiplier, default: t.ffnMultiplier, .positive)
            t.activation = o.choice(.activation, default: t.activation)
            t.dropout = o.double(.dropout, default: t.dropout, .fraction)
            if t.dim % t.heads != 0 { o.report(.heads, "\(t.heads) heads do not divide dim \(t.dim)") }
            self = .transformer(t)
        }
    }

    /// Writes `type` and the keys of the model's type, every default filled.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .type)
        switch self {
        case .mlp(let m):
            try c.encode(m.hidden, forKey: .hidden)
            try c.encode(m.activation, forKey: .activation)
            try c.encode(m.dropout, forKey: .dropout)
        case .sequential(let layers):
            try c.encode(layers, forKey: .layers)
        case .vit(let v):
            try c.encode(v.imageSize, forKey: .imageSize)
            try c.encode(v.channels, forKey: .channels)
            try c.encode(v.patchSize, forKey: .patchSize)
            try c.encode(v.dim, forKey: .dim)
            try c.encode(v.depth, forKey: .depth)
            try c.encode(v.heads, forKey: .heads)
            try c.encode(v.mlpDim, forKey: .mlpDim)
            try c.encode(v.dropout, forKey: .dropout)
        case .transformer(let t):
            try c.encode(t.blockSize, forKey: .blockSize)
            try c.encode(t.dim, forKey: .dim)
            try c.encode(t.depth, forKey: .depth)
            try c.encode(t.heads, forKey: .heads)
            try c.encode(t.ffnMultiplier, forKey: .ffnMultiplier)
            try c.encode(t.activation, forKey: .activation)
            try c.encode(t.dropout, forKey: .dropout)
        }
    }
}

/// A multilayer perceptron: the input is flattened, each hidden layer is affine + activation (+ dropout in
/// training), the last layer is affine and gives the logits.
struct MLPSpec: Equatable, Sendable {
    /// Hidden layer widths, input side first (default [128]; [] is a linear or logistic regression).
    var hidden = [128]
    /// The activation after each hidden layer (default relu; "linear" for none).
    var activation = Activation.relu
    /// Dropout probability after each hidden activation, in [0, 1) (default 0).
    var dropout = 0.0
}

/// A Vision Transformer (`VisionTransformerConfiguration`); the defaults are the coursework's MNIST model.
struct VisionTransformerSpec: Equatable, Sendable {
    /// The image side; nil: the data's (when given, it must match the data).
    var imageSize: Int? = nil
    /// The image channels; nil: the data's (when given, it must match the data).
    var channels: Int? = nil
    /// The patch side P, which must divide the image side (default 7).
    var patchSize = 7
    /// The embedding width D (default 64).
    var dim = 64
    /// The number of encoder blocks (default 6).
    var depth = 6
    /// Attention heads per block, dividing `dim` (default 8).
    var heads = 8
    /// The hidden width of each block's MLP (default 128).
    var mlpDim = 128
    /// Dropout after the embeddings, after attention and in the MLP, in [0, 1) (default 0.1).
    var dropout = 0.1
}

/// A decoder-only Transformer (`DecoderTransformerConfiguration`); the defaults are the coursework's tiny
/// Shakespeare model. The vocabulary is the corpus's characters.
struct TransformerSpec: Equatable, Sendable {
    /// The longest context T the model can see (learned positions; default 64).
    var blockSize = 64
    /// The embedding width C (default 64).
    var dim = 64
    /// The number of decoder blocks (default 4).
    var depth = 4
    /// Attention heads per block, dividing `dim` (default 4).
    var heads = 4
    /// The feed-forward width as a multiple of `dim` (default 4).
    var ffnMultiplier = 4
    /// The feed-forward activation (default relu).
    var activation = Activation.relu
    /// Dropout probability, in [0, 1) (default 0).
    var dropout = 0.0
}
