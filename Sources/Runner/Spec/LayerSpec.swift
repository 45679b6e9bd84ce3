// One layer of a `sequential` model as a spec writes it, in PyTorch's vocabulary but without the sizes that
// follow from the data: `{"type": "conv2d", "out": 16, "kernel": 3, "padding": 1}` has its in-channels inferred.

import Models

/// The layer types of a `sequential` model, named as in a spec.
enum LayerKind: String, CaseIterable, Codable, Sendable {
    case conv2d, maxpool2d, avgpool2d, batchnorm2d, batchnorm1d, dropout, relu, sigmoid, tanh, gelu, flatten, linear
    case globalAvgPool = "global_avg_pool"
}

/// One layer of a `sequential` model; only the keys of its kind are accepted.
struct LayerSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case type, out, kernel, stride, padding, bias, p
    }

    var kind: LayerKind
    /// conv2d: output channels (required); linear: output features (nil only for the last linear layer, which
    /// then outputs one logit per class, or one for the logistic loss).
    var out: Int? = nil
    /// conv2d, maxpool2d, avgpool2d: the square kernel's side (required).
    var kernel: Int? = nil
    /// conv2d: default 1; pooling: default the kernel (non-overlapping windows, as PyTorch).
    var stride: Int? = nil
    /// conv2d: zeros added on every side (default 0).
    var padding: Int? = nil
    /// conv2d, linear: whether the layer adds a bias (default true).
    var bias: Bool? = nil
    /// dropout: the probability of zeroing a unit in training (default 0.5, as PyTorch).
    var p: Double? = nil

    /// A layer of `kind` with its defaults.
    init(_ kind: LayerKind) { self.kind = kind }

    /// The keys that apply to `kind`.
    static func keys(for kind: LayerKind) -> [CodingKeys] {
        switch kind {
        case .conv2d: [.type, .out, .kernel, .stride, .padding, .bias]
        case .maxpool2d, .avgpool2d: [.type, .kernel, .stride]
        case .dropout: [.type, .p]
        case .linear: [.type, .out, .bias]
        case .batchnorm2d, .batchnorm1d, .relu, .sigmoid, .tanh, .gelu, .flatten, .globalAvgPool: [.type]
        }
    }

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let named: LayerKind? = quietChoice(value, "type", absent: nil)
        let o = SpecObject<CodingKeys>(
            value, at: path, diagnostics, allowed: named.map(Self.keys) ?? Array(CodingKeys.allCases),
            owner: named.map { "\(article($0.rawValue)) \($0.rawValue) layer" })
        if value?.objectValue != nil && !o.has(.type) {
            o.reportMissing(
                .type,
                expected: "one of "
                    + LayerKind.allCases.map { quoteJSONString($0.rawValue) }
                    .joined(separator: ", "))
        }
        kind = o.choice(.type, default: .relu)
        switch kind {
        case .conv2d:
            out = o.optionalInt(.out, .positive)
            kernel = o.optionalInt(.kernel, .positive)
            if !o.has(.out) { o.reportMissing(.out, expected: "the number of output channels, a positive integer") }
            if !o.has(.kernel) { o.reportMissing(.kernel, expected: "the kernel size, a positive integer") }
            stride = o.int(.stride, default: 1, .positive)
            padding = o.int(.padding, default: 0, .nonNegative)
            bias = o.bool(.bias, default: true)
        case .maxpool2d, .avgpool2d:
            kernel = o.optionalInt(.kernel, .positive)
            if !o.has(.kernel) { o.reportMissing(.kernel, expected: "the kernel size, a positive integer") }
            stride = o.optionalInt(.stride, .positive) ?? kernel
        case .dropout:
            p = o.double(.p, default: 0.5, .fraction)
        case .linear:
            out = o.optionalInt(.out, .positive)
            bias = o.bool(.bias, default: true)
        case .batchnorm2d, .batchnorm1d, .relu, .sigmoid, .tanh, .gelu, .flatten, .globalAvgPool:
            break
        }
    }

    /// Writes `type` and the keys of the layer's kind.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for key in Self.keys(for: kind) {
            switch key {
            case .type: try c.encode(kind, forKey: key)
            case .out: try c.encode(out, forKey: key)
            case .kernel: try c.encode(kernel, forKey: key)
            case .stride: try c.encode(stride, forKey: key)
            case .padding: try c.encode(padding, forKey: key)
            case .bias: try c.encode(bias, forKey: key)
            case .p: try c.encode(p, forKey: key)
            }
        }
    }
}
