// How a layer's weight starts: an initialization scheme with its settings, or explicit values.

import Models

/// The initialization schemes of `torch.nn.init` a spec can name.
enum InitKind: String, SpecChoice {
    /// PyTorch's own default for the layer (U[−1/√fan-in, 1/√fan-in] for linear layers and convolutions).
    case `default`
    case normal, uniform
    case xavierUniform = "xavier_uniform"
    case xavierNormal = "xavier_normal"
    case kaimingUniform = "kaiming_uniform"
    case kaimingNormal = "kaiming_normal"
    case orthogonal, zeros, constant
}

/// The settings of an initialization scheme: `{"type": "normal", "std": 0.02}`.
typealias InitSection = Section<InitKeys>

struct InitKeys: SpecKeys {
    let type = SpecKey("type", InitKind.default, "The scheme.")
    let std = SpecKey("std", 1.0, range: .positive, "normal: the standard deviation.")
    let low = SpecKey("low", 0.0, "uniform: the lower bound.")
    let high = SpecKey("high", 1.0, "uniform: the upper bound, above `low`.")
    let gain = SpecKey("gain", 1.0, range: .positive, "xavier_uniform, xavier_normal, orthogonal: the scaling gain.")
    let value = SpecKey<Double>("value", required: "the value, a number", "constant: every element's value.")

    static let variants: SpecVariants<Self>? = SpecVariants(
        selector: "type", names: InitKind.names, standard: InitKind.default.rawValue,
        keys: { kind in
            switch InitKind(rawValue: kind) {
            case .default, .kaimingUniform, .kaimingNormal, .zeros: [\.type]
            case .normal: [\.type, \.std]
            case .uniform: [\.type, \.low, \.high]
            case .xavierUniform, .xavierNormal, .orthogonal: [\.type, \.gain]
            case .constant: [\.type, \.value]
            case nil: nil
            }
        }, owner: { "the \($0) initialization" })

    static func check(_ section: inout InitSection, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        if section.type == .uniform && section.low >= section.high && !diagnostics.hasIssues(under: path) {
            diagnostics.report(
                path.appending("high"), "\(formatNumber(section.high)) is not above low \(formatNumber(section.low))")
        }
    }
}

/// A layer's `init`: a scheme's name (`"xavier_uniform"`), or an object with its settings; always written back as
/// the object.
struct WeightInit: SpecValue {
    var section: InitSection

    /// PyTorch's default.
    init() { section = InitSection() }

    init?(json: JSONValue) {
        let object: JSONValue = if case .string = json { ["type": json] } else { json }
        guard let section = InitSection(json: object) else { return nil }
        self.section = section
    }

    var json: JSONValue { section.json }

    /// The scheme.
    var kind: InitKind { section.type }

    /// The scheme as the modules take it.
    var initialization: Initialization {
        switch section.type {
        case .default: .pytorchDefault
        case .normal: .normal(std: section.std)
        case .uniform: .uniform(low: section.low, high: section.high)
        case .xavierUniform: .xavierUniform(gain: section.gain)
        case .xavierNormal: .xavierNormal(gain: section.gain)
        case .kaimingUniform: .kaimingUniform
        case .kaimingNormal: .kaimingNormal
        case .orthogonal: .orthogonal(gain: section.gain)
        case .zeros: .zeros
        case .constant: .constant(section.value)
        }
    }

    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        guard case .string = json else {
            return InitSection.read(json, at: path, range: nil, diagnostics).map { Self(section: $0) }
        }
        // A name: the scheme with its default settings (a bad name is reported with the list of names).
        guard InitKind.read(json, at: path, range: nil, diagnostics) != nil else { return nil }
        return InitSection.read(["type": json], at: path, range: nil, diagnostics).map { Self(section: $0) }
    }

    private init(section: InitSection) { self.section = section }

    static func expected(range: NumberRange?) -> String {
        "an initialization name (\(InitKind.expected(range: nil))) or an object {\"type\": …}"
    }

    static func schema(range: NumberRange?) -> [String: JSONValue] {
        ["anyOf": [.object(InitKind.schema(range: nil)), .object(InitSection.schema(range: nil))]]
    }
}

/// Numbers nested in arrays of a regular shape: `[[1, 2], [3, 4]]` is shape (2, 2).
struct NumberArray: SpecValue {
    var shape: [Int]
    /// Row-major.
    var values: [Double]

    init?(json: JSONValue) {
        guard let (shape, values) = Self.flatten(json), !shape.isEmpty else { return nil }
        (self.shape, self.values) = (shape, values)
    }

    var json: JSONValue {
        func nest(_ values: ArraySlice<Double>, _ shape: ArraySlice<Int>) -> JSONValue {
            guard let first = shape.first, shape.count > 1 else { return .array(values.map(jsonNumber)) }
            let size = values.count / max(first, 1)
            return .array(
                (0..<first).map { i in
                    nest(
                        values[(values.startIndex + i * size)..<(values.startIndex + (i + 1) * size)], shape.dropFirst()
                    )
                })
        }
        return nest(values[...], shape[...])
    }

    /// The shape and row-major values of nested arrays of numbers, nil when the nesting is not regular.
    private static func flatten(_ json: JSONValue) -> ([Int], [Double])? {
        if let d = json.doubleValue { return ([], [d]) }
        guard case .array(let items) = json, !items.isEmpty else { return nil }
        var inner: [Int]?
        var values: [Double] = []
        for item in items {
            guard let (shape, v) = flatten(item), inner == nil || inner == shape else { return nil }
            inner = shape
            values += v
        }
        return ([items.count] + (inner ?? []), values)
    }

    static func expected(range: NumberRange?) -> String { "numbers nested in arrays of a regular shape" }

    static func schema(range: NumberRange?) -> [String: JSONValue] { ["type": "array", "minItems": 1] }
}
