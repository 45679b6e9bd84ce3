// One layer of a `sequential` model as a spec writes it, in PyTorch's vocabulary but without the sizes that
// follow from the data: `{"type": "conv2d", "out": 16, "kernel": 3, "padding": 1}` has its in-channels inferred.

import Models

/// One layer of a `sequential` model; only the keys of its type (`LayerTypes`) are accepted.
typealias LayerSpec = Section<LayerKeys>

/// The keys layers share; each layer type (`LayerType`) names the ones it takes.
struct LayerKeys: SpecKeys {
    let type = SpecKey<LayerTypeName>("type", required: "one of \(LayerTypes.quotedNames)", "The layer (see below).")
    let out = SpecKey<Int?>(
        "out", derived: nil, becomes: "the last `linear` layer: the class count", range: .positive,
        "Output channels or features; the last `linear` layer may leave it out (then one per class, or 1 for the "
            + "`logistic` loss).")
    let kernel = SpecKey<Int?>("kernel", nil, range: .positive, "The side of the square kernel or pooling window.")
    let stride = SpecKey<Int?>(
        "stride", derived: nil, becomes: "`1`; pooling: the kernel", range: .positive,
        "The step between windows.")
    let padding = SpecKey("padding", 0, range: .nonNegative, "Added on every side.")
    let paddingMode = SpecKey(
        "padding_mode", PaddingMode.zeros,
        "What a convolution reads outside its input: zeros, the input wrapped around, or mirrored (`reflect`, padding "
            + "smaller than the input).")
    let dilation = SpecKey("dilation", 1, range: .positive, "The spacing between kernel taps (atrous convolution).")
    let groups = SpecKey(
        "groups", 1, range: .positive, "Channel groups convolved separately; must divide the in- and out-channels.")
    let outputPadding = SpecKey(
        "output_padding", 0, range: .nonNegative,
        "Rows and columns added at the bottom and right of the output, smaller than the stride.")
    let bias = SpecKey("bias", true, "Whether the layer adds a learned bias.")
    let vocabulary = SpecKey<Int?>("vocabulary", nil, range: .positive, "The number of ids, the rows of the table.")
    let p = SpecKey("p", 0.5, range: .fraction, "The probability of zeroing a unit in training.")
    let layers = SpecKey<[LayerSpec]>(
        "layers", required: "a non-empty array of layers", "The layers of a residual block's body, applied in order.")
    let initialization = SpecKey(
        "init", WeightInit(),
        "How the weight is initialized: a name (`\"xavier_uniform\"`) or an object with its settings "
            + "(`{\"type\": \"normal\", \"std\": 0.02}`); see [initializations](#initializations).")
    let weights = SpecKey<NumberArray?>(
        "weights", nil,
        "The weight's values, set by hand (a blur or edge filter), nested as PyTorch's layout: linear (out, in), "
            + "convolutions (out, in/groups, kh, kw); they replace `init`.")
    let trainable = SpecKey("trainable", true, "`false` freezes the layer: its parameters are not updated.")
    let weightDecay = SpecKey<Double?>(
        "weight_decay", nil, range: .nonNegative, "This layer's weight decay; `null`: the optimizer's.")
    let l1 = SpecKey<Double?>("l1", nil, range: .nonNegative, "This layer's L1 penalty; `null`: the optimizer's.")
    let l2 = SpecKey<Double?>(
        "l2", nil, range: .nonNegative,
        "An L2 penalty λ·w added to this layer's gradient (with any optimizer, `adamw` included); `null`: none.")

    /// The keys of layers with parameters: their initialization, explicit weights, freezing and penalties.
    static var parameterKeys: [PartialKeyPath<LayerKeys>] {
        [\.initialization, \.weights, \.trainable, \.weightDecay, \.l1, \.l2]
    }
    /// The keys of layers whose parameters are not initialized by a scheme (normalizations): freezing, penalties.
    static var normalizationKeys: [PartialKeyPath<LayerKeys>] { [\.trainable, \.weightDecay, \.l1, \.l2] }

    static let variants: SpecVariants<Self>? = SpecVariants(
        selector: "type", names: LayerTypes.all.map(\.name), standard: nil,
        keys: { name in LayerTypes.named(name).map { [\.type] + $0.keys } },
        owner: { "\(article($0)) \($0) layer" })

    static let schemaName: String? = "layer"

    static func check(_ layer: inout LayerSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        guard let type = layer.variant.flatMap(LayerTypes.named) else { return }
        let declared = LayerKeys()
        for required in type.required {
            guard let key = declared[keyPath: required] as? any AnySpecKey, layer.values[key.name] == .null,
                !diagnostics.hasIssues(under: path.appending(key.name))
            else { continue }
            diagnostics.report(
                path.appending(key.name),
                "required key is missing; \(article(type.name)) \(type.name) layer needs "
                    + "\(key.name): \(key.meaning.prefix(1).lowercased() + key.meaning.dropFirst())")
        }
        if layer.values["weights"] != nil && layer.values["weights"] != .null && layer.values["init"] != nil,
            layer.initialization.kind != .default
        {
            diagnostics.report(path.appending("init"), "is given with \"weights\", which set the weight themselves")
        }
        if layer.values["layers"] == .array([]) {
            diagnostics.report(path.appending("layers"), "expected a non-empty array of layers, got []")
        }
    }
}

/// The name of a layer type, one of `LayerTypes.all`.
struct LayerTypeName: SpecValue {
    var name: String

    init?(json: JSONValue) {
        guard case .string(let s) = json, LayerTypes.named(s) != nil else { return nil }
        name = s
    }

    var json: JSONValue { .string(name) }

    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        if let value = Self(json: json) { return value }
        var hint = ""
        if case .string(let s) = json { hint = suggestion(for: s, among: LayerTypes.all.map(\.name)) }
        diagnostics.report(path, "expected one of \(LayerTypes.quotedNames), got \(json.excerpt())\(hint)")
        return nil
    }

    static func expected(range: NumberRange?) -> String { "one of \(LayerTypes.quotedNames)" }
    static func schema(range: NumberRange?) -> [String: JSONValue] {
        ["type": "string", "enum": .array(LayerTypes.all.map { .string($0.name) })]
    }
}
extension PaddingMode: SpecChoice {}
