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
    let padding = SpecKey("padding", 0, range: .nonNegative, "Zeros added on every side.")
    let dilation = SpecKey("dilation", 1, range: .positive, "The spacing between kernel taps (atrous convolution).")
    let bias = SpecKey("bias", true, "Whether the layer adds a learned bias.")
    let p = SpecKey("p", 0.5, range: .fraction, "The probability of zeroing a unit in training.")
    let layers = SpecKey<[LayerSpec]>(
        "layers", required: "a non-empty array of layers", "The layers of a residual block's body, applied in order.")

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
