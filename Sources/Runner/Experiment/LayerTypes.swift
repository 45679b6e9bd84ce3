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
        self.init(name, pytorch) { _, input, _ throws(ShapeError) in try fitted(layer, input) }
    }
}

/// A layer fitted to its input: its output shape per example, the shape of its weight in PyTorch's layout (for a
/// spec's explicit `weights`; nil for layers without one), and how to build it.
struct FittedLayer {
    var output: [Int]
    var weightShape: [Int]? = nil
    var build: (inout LayerBuilding) -> any Layer
    /// The layers inside it (a residual block's body), for estimates of its size.
    var parts: [FittedLayer] = []
}

/// What building fitted layers uses and collects: the dtype of the parameters, the generator of their initial
/// values, the training examples, and the parameters of layers with penalties of their own (an optimizer's parameter
/// groups).
struct LayerBuilding {
    var dtype: DType
    var rng: RandomGenerator
    var penalizedGroups: [PenalizedGroup] = []
    /// The training examples, for models that keep them (a kernel perceptron); nil where no data is at hand.
    var training: LabelledDataset? = nil
}

/// The parameters of one layer whose spec sets its own penalties (unset ones are the optimizer's).
struct PenalizedGroup {
    var parameters: [Tensor]
    var weightDecay: Double?
    var l1: Double?
    var l2: Double?
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
                "conv2d", "nn.Conv2d",
                keys: [\.out, \.kernel, \.stride, \.padding, \.paddingMode, \.dilation, \.groups, \.bias]
                    + LayerKeys.parameterKeys,
                required: [\.out, \.kernel]
            ) { layer, input, _ throws(ShapeError) in
                let (out, kernel) = (layer.out ?? 1, Size2D(layer.kernel ?? 1))
                layer.stride = layer.stride ?? 1
                let (stride, padding, dilation) = (
                    Size2D(layer.stride ?? 1), Padding2D(layer.padding), Size2D(layer.dilation)
                )
                let (mode, groups, bias, initialization) = (
                    layer.paddingMode, layer.groups, layer.bias, layer.weightInit
                )
                let output = try Conv2d.outputShape(
                    for: input, outChannels: out, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                    paddingMode: mode, groups: groups)
                let weightShape = [out, input[0] / groups, kernel.height, kernel.width]
                return FittedLayer(output: output, weightShape: weightShape) { b in
                    Conv2d(
                        input[0], out, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                        paddingMode: mode, groups: groups, bias: bias, weightInit: initialization, dtype: b.dtype,
                        using: &b.rng)
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
            LayerType("globalavgpool2d", "nn.AdaptiveAvgPool2d(1) + nn.Flatten", GlobalAvgPool2d()),
            LayerType("global_avg_pool", "the same as `globalavgpool2d`", GlobalAvgPool2d()),
            LayerType("batchnorm2d", "nn.BatchNorm2d", keys: LayerKeys.normalizationKeys) {
                _, input, _ throws(ShapeError) in
                guard input.count == 3 else { throw ShapeError("needs (C, H, W) images; use batchnorm1d for features") }
                return FittedLayer(output: input) { b in BatchNorm2d(input[0], dtype: b.dtype) }
            },
            LayerType("batchnorm1d", "nn.BatchNorm1d", keys: LayerKeys.normalizationKeys) {
                _, input, _ throws(ShapeError) in
                guard input.count == 1 else { throw ShapeError("needs (F) features; use batchnorm2d for images") }
                return FittedLayer(output: input) { b in BatchNorm1d(input[0], dtype: b.dtype) }
            },
            LayerType("layernorm", "nn.LayerNorm", keys: LayerKeys.normalizationKeys) {
                _, input, _ throws(ShapeError) in
                FittedLayer(output: input) { b in LayerNorm(input.last ?? 1, dtype: b.dtype) }
            },
            LayerType("dropout", "nn.Dropout", keys: [\.p]) { layer, input, _ throws(ShapeError) in
                try fitted(Dropout(layer.p), input)
            },
            LayerType("relu", "nn.ReLU", ReLU()),
            LayerType("sigmoid", "nn.Sigmoid", Sigmoid()),
            LayerType("tanh", "nn.Tanh", Tanh()),
            LayerType("gelu", "nn.GELU", GELU()),
            LayerType("flatten", "nn.Flatten", Flatten()),
            LayerType("linear", "nn.Linear", keys: [\.out, \.bias] + LayerKeys.parameterKeys) {
                layer, input, fitting throws(ShapeError) in
                guard input.count == 1 else { throw ShapeError("needs (F) features; add a flatten layer before it") }
                guard let out = layer.out ?? (fitting.isLastLinear ? fitting.outputs : nil) else {
                    throw ShapeError(
                        "needs \"out\"; only the last linear layer may leave it out (then \(fitting.outputs))")
                }
                layer.out = out
                let (bias, initialization) = (layer.bias, layer.weightInit)
                return FittedLayer(output: [out], weightShape: [out, input[0]]) { b in
                    Linear(input[0], out, bias: bias, weightInit: initialization, dtype: b.dtype, using: &b.rng)
                }
            },
            LayerType(
                "conv1d", "nn.Conv1d",
                keys: [\.out, \.kernel, \.stride, \.padding, \.paddingMode, \.dilation, \.groups, \.bias]
                    + LayerKeys.parameterKeys,
                required: [\.out, \.kernel]
            ) { layer, input, _ throws(ShapeError) in
                let (out, kernel) = (layer.out ?? 1, layer.kernel ?? 1)
                layer.stride = layer.stride ?? 1
                let (stride, padding, dilation) = (layer.stride ?? 1, Padding1D(layer.padding), layer.dilation)
                let (mode, groups, bias, initialization) = (
                    layer.paddingMode, layer.groups, layer.bias, layer.weightInit
                )
                let output = try Conv1d.outputShape(
                    for: input, outChannels: out, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                    paddingMode: mode, groups: groups)
                return FittedLayer(output: output, weightShape: [out, input[0] / groups, kernel]) { b in
                    Conv1d(
                        input[0], out, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                        paddingMode: mode, groups: groups, bias: bias, weightInit: initialization, dtype: b.dtype,
                        using: &b.rng)
                }
            },
            LayerType(
                "conv_transpose2d", "nn.ConvTranspose2d",
                keys: [\.out, \.kernel, \.stride, \.padding, \.outputPadding, \.dilation, \.bias]
                    + LayerKeys.parameterKeys,
                required: [\.out, \.kernel]
            ) { layer, input, _ throws(ShapeError) in
                layer.stride = layer.stride ?? 1
                let (out, kernel, stride) = (layer.out ?? 1, Size2D(layer.kernel ?? 1), Size2D(layer.stride ?? 1))
                let (padding, outputPadding, dilation) = (
                    Padding2D(layer.padding), Size2D(layer.outputPadding), Size2D(layer.dilation)
                )
                let (bias, initialization) = (layer.bias, layer.weightInit)
                let output = try ConvTranspose2d.outputShape(
                    for: input, outChannels: out, kernel: kernel, stride: stride, padding: padding,
                    outputPadding: outputPadding, dilation: dilation)
                let weightShape = [input[0], out, kernel.height, kernel.width]
                return FittedLayer(output: output, weightShape: weightShape) { b in
                    ConvTranspose2d(
                        input[0], out, kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding,
                        dilation: dilation, bias: bias, weightInit: initialization, dtype: b.dtype, using: &b.rng)
                }
            },
            LayerType(
                "embedding", "nn.Embedding", keys: [\.vocabulary, \.out] + LayerKeys.parameterKeys,
                required: [\.vocabulary, \.out]
            ) { layer, input, _ throws(ShapeError) in
                let (count, dimension) = (layer.vocabulary ?? 1, layer.out ?? 1)
                // PyTorch's nn.Embedding draws N(0, 1) unless told otherwise.
                let initialization = layer.initialization.kind == .default ? .normal(std: 1) : layer.weightInit
                return FittedLayer(output: input + [dimension], weightShape: [count, dimension]) { b in
                    Embedding(count, dimension, weightInit: initialization, dtype: b.dtype, using: &b.rng)
                }
            },
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
        let shared = Set(LayerKeys.parameterKeys.compactMap { (declared[keyPath: $0] as? any AnySpecKey)?.name })
        func keys(_ paths: [PartialKeyPath<LayerKeys>]) -> [any AnySpecKey] {
            paths.compactMap { declared[keyPath: $0] as? any AnySpecKey }
        }
        let rows = all.map { type -> String in
            let required = Set(keys(type.required).map(\.name))
            var listed = keys(type.keys).filter { !shared.contains($0.name) }.map { key in
                "`\(key.name)` (\(required.contains(key.name) ? "required" : key.documentedDefault(in: type.name)))"
            }
            if keys(type.keys).contains(where: { shared.contains($0.name) }) {
                listed.append("[parameter keys](#layer-keys)")
            }
            return "| `\(type.name)` | \(listed.isEmpty ? "—" : listed.joined(separator: ", ")) | \(type.pytorch) |"
        }
        return (["| type | keys (default) | PyTorch |", "|---|---|---|"] + rows).joined(separator: "\n")
    }
}

extension Section where Keys == LayerKeys {
    /// The weight's initialization as the modules take it.
    var weightInit: Initialization { self.initialization.initialization }

    /// Sets what the spec says about the built layer's parameters: explicit `weights` (PyTorch's layout, their shape
    /// checked when the layer was fitted), frozen (`trainable: false`), and penalties of its own (collected in
    /// `building`).
    func applyParameterKeys(to layer: any Layer, _ building: inout LayerBuilding) {
        if let weights = self.weights, let weight = layer.namedParameters.first(where: { $0.name == "weight" })?.tensor
        {
            // Linear layers store their weight (in, out); the spec writes PyTorch's (out, in).
            let values = Tensor(weights.values, shape: weights.shape, dtype: weight.dtype)
            noGrad { weight.assign(layer is Linear ? values.transposed() : values) }
        }
        if !self.trainable { layer.parameters.forEach { $0.requiresGrad = false } }
        if self.weightDecay != nil || self.l1 != nil || self.l2 != nil {
            building.penalizedGroups.append(
                PenalizedGroup(parameters: layer.parameters, weightDecay: self.weightDecay, l1: self.l1, l2: self.l2))
        }
    }
}

/// A layer without parameters fitted to `input` (built once, the same value every time).
private func fitted(_ layer: any Layer, _ input: [Int]) throws(ShapeError) -> FittedLayer {
    FittedLayer(output: try layer.outputShape(for: input)) { _ in layer }
}
