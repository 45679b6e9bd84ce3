// The layer types a `sequential` model's spec can name. Adding one is one entry here: its name, the keys it
// takes, and how it is fitted to its input shape and built.

import Models
import Ops

/// A layer type of specs: its name, its keys, and how it fits an input.
struct LayerType {
    /// The name a spec writes as `type`.
    let name: String
    /// The equivalent PyTorch module, for the docs.
    let pytorch: String
    /// The keys it takes besides `type`.
    let keys: [PartialKeyPath<LayerKeys>]
    /// The keys among them that must be given.
    let required: [PartialKeyPath<LayerKeys>]
    /// Its output shape for one example of shape `input`, and how to build it; fills in the sizes the spec left
    /// to be inferred (a stride, the last linear layer's `out`); throws when it cannot take the input.
    let fit: (inout LayerSpec, _ input: [Int], _ context: LayerFitting) throws(ShapeError) -> FittedLayer

    init(
        _ name: String, _ pytorch: String, keys: [PartialKeyPath<LayerKeys>] = [],
        required: [PartialKeyPath<LayerKeys>] = [],
        fit: @escaping (inout LayerSpec, [Int], LayerFitting) throws(ShapeError) -> FittedLayer
    ) {
        (self.name, self.pytorch, self.keys, self.required, self.fit) = (name, pytorch, keys, required, fit)
    }

    /// A type without keys or parameters, built once: `ReLU()`.
    init(_ name: String, _ pytorch: String, _ layer: any Layer) {
        self.init(name, pytorch) { _, input, _ throws(ShapeError) in
            FittedLayer(output: try layer.outputShape(for: input)) { _, _ in layer }
        }
    }
}

/// A layer fitted to its input: its output shape per example, and how to build it (drawing its initial weights).
struct FittedLayer {
    var output: [Int]
    var build: (DType, inout RandomGenerator) -> any Layer
}

/// What a layer's fit may need beyond its input: whether it is the model's last linear layer, and the number of
/// outputs the model must end with.
struct LayerFitting {
    var isLastLinear = false
    var outputs: Int
    /// The fused kernels the model runs (for the layers of a residual block's body).
    var fusion: Fusion = []
}

enum LayerTypes {
    /// Every layer type, in the order the docs list them.
    static var all: [LayerType] {
        [
            LayerType(
                "conv2d", "nn.Conv2d", keys: [\.out, \.kernel, \.stride, \.padding, \.dilation, \.bias],
                required: [\.out, \.kernel]
            ) { layer, input, _ throws(ShapeError) in
                let (out, kernel) = (layer.out ?? 1, Size2D(layer.kernel ?? 1))
                layer.stride = layer.stride ?? 1
                let (stride, padding, bias) = (Size2D(layer.stride ?? 1), Padding2D(layer.padding), layer.bias)
                let dilation = Size2D(layer.dilation)
                let output = try Conv2d.outputShape(
                    for: input, outChannels: out, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
                return FittedLayer(output: output) { dtype, rng in
                    Conv2d(
                        input[0], out, kernel: kernel, stride: stride, padding: padding, dilation: dilation, bias: bias,
                        dtype: dtype, using: &rng)
                }
            },
            LayerType("maxpool2d", "nn.MaxPool2d", keys: [\.kernel, \.stride], required: [\.kernel]) {
                layer, input, _ throws(ShapeError) in
                let kernel = layer.kernel ?? 1
                layer.stride = layer.stride ?? kernel
                return try fitted(MaxPool2d(Size2D(kernel), stride: Size2D(layer.stride ?? kernel)), input)
            },
            LayerType("avgpool2d", "nn.AvgPool2d", keys: [\.kernel, \.stride], required: [\.kernel]) {
                layer, input, _ throws(ShapeError) in
                let kernel = layer.kernel ?? 1
                layer.stride = layer.stride ?? kernel
                return try fitted(AvgPool2d(Size2D(kernel), stride: Size2D(layer.stride ?? kernel)), input)
            },
            LayerType("batchnorm2d", "nn.BatchNorm2d") { _, input, _ throws(ShapeError) in
                guard input.count == 3 else { throw ShapeError("needs (C, H, W) images; use batchnorm1d for features") }
                return FittedLayer(output: input) { dtype, _ in BatchNorm2d(input[0], dtype: dtype) }
            },
            LayerType("batchnorm1d", "nn.BatchNorm1d") { _, input, _ throws(ShapeError) in
                guard input.count == 1 else { throw ShapeError("needs (F) features; use batchnorm2d for images") }
                return FittedLayer(output: input) { dtype, _ in BatchNorm1d(input[0], dtype: dtype) }
            },
            LayerType("layernorm", "nn.LayerNorm") { _, input, _ throws(ShapeError) in
                FittedLayer(output: input) { dtype, _ in LayerNorm(input.last ?? 1, dtype: dtype) }
            },
            LayerType("dropout", "nn.Dropout", keys: [\.p]) { layer, input, _ throws(ShapeError) in
                try fitted(Dropout(layer.p), input)
            },
            LayerType("relu", "nn.ReLU", ReLU()),
            LayerType("sigmoid", "nn.Sigmoid", Sigmoid()),
            LayerType("tanh", "nn.Tanh", Tanh()),
            LayerType("gelu", "nn.GELU", GELU()),
            LayerType("flatten", "nn.Flatten", Flatten()),
            LayerType("linear", "nn.Linear", keys: [\.out, \.bias]) { layer, input, fitting throws(ShapeError) in
                guard input.count == 1 else { throw ShapeError("needs (F) features; add a flatten layer before it") }
                guard let out = layer.out ?? (fitting.isLastLinear ? fitting.outputs : nil) else {
                    throw ShapeError(
                        "needs \"out\"; only the last linear layer may leave it out (then \(fitting.outputs))")
                }
                layer.out = out
                let bias = layer.bias
                return FittedLayer(output: [out]) { dtype, rng in
                    Linear(input[0], out, bias: bias, dtype: dtype, using: &rng)
                }
            },
            LayerType("global_avg_pool", "nn.AdaptiveAvgPool2d(1) + nn.Flatten", GlobalAvgPool2d()),
            LayerType("residual", "y = body(x) + x, or + a 1×1 projection of x", keys: [\.layers]) {
                layer, input, fitting throws(ShapeError) in
                try fitResidual(&layer.layers, input: input, fitting: fitting)
            },
        ]
    }

    /// The type named `name`.
    static func named(_ name: String) -> LayerType? { all.first { $0.name == name } }

    /// `"linear", "conv2d", …` for messages.
    static var quotedNames: String { all.map { quoteJSONString($0.name) }.joined(separator: ", ") }

    /// The docs' table of layer types: name, keys with their defaults, PyTorch equivalent.
    static var table: String {
        let declared = LayerKeys()
        func keys(_ paths: [PartialKeyPath<LayerKeys>]) -> [any AnySpecKey] {
            paths.compactMap { declared[keyPath: $0] as? any AnySpecKey }
        }
        let rows = all.map { type -> String in
            let required = Set(keys(type.required).map(\.name))
            let listed = keys(type.keys).map { key in
                "`\(key.name)` (\(required.contains(key.name) ? "required" : key.documentedDefault(in: type.name)))"
            }
            let keys = listed
            return "| `\(type.name)` | \(keys.isEmpty ? "—" : keys.joined(separator: ", ")) | \(type.pytorch) |"
        }
        return (["| type | keys (default) | PyTorch |", "|---|---|---|"] + rows).joined(separator: "\n")
    }
}

/// A layer without parameters fitted to `input` (built once, the same value every time).
private func fitted(_ layer: any Layer, _ input: [Int]) throws(ShapeError) -> FittedLayer {
    FittedLayer(output: try layer.outputShape(for: input)) { _, _ in layer }
}
