// Fitting a model spec to the data before anything is trained: every layer's input and output shape is computed
// from the example shape, sizes the spec leaves out (in-channels, in-features, the last linear layer's out, a
// ViT's image size and channels) are inferred, and a layer that cannot take its input is reported with its index
// and the shapes involved. No weight is drawn until the model is built.

import Models
import Ops

/// A model spec fitted to a data shape: the spec with every inferred size filled in, and how to build the model.
struct FittedModel {
    var spec: ModelSpec
    /// Builds the model: its parameters of `building.dtype`, their initial values drawn from `building.rng`, the
    /// groups of layers with penalties of their own collected in `building`.
    var build: (inout LayerBuilding) -> any Layer
}

/// The number of outputs a classifier needs: one logit per class, or a single one for the logistic loss.
func outputCount(classes: Int, loss: ClassificationLoss) -> Int {
    loss == .logistic ? 1 : classes
}

/// `model` fitted to examples of `shape`, or nil after reporting why it does not fit (at `path`, the model's
/// place in the spec, or `lossPath` when the loss does not suit the classes).
func fitModel(
    _ model: ModelSpec, to shape: DataShape, loss: ClassificationLoss, at path: SpecPath, lossPath: SpecPath,
    _ diagnostics: SpecDiagnostics
) -> FittedModel? {
    if loss == .logistic && shape.classCount != 2 {
        diagnostics.report(lossPath, "the logistic loss needs two classes, the data has \(shape.classCount)")
        return nil
    }
    let outputs = outputCount(classes: shape.classCount, loss: loss)
    switch model.type {
    case .mlp:
        let sizes = [shape.exampleShape.reduce(1, *)] + model.hidden + [outputs]
        return FittedModel(spec: model) { b in
            MLP(sizes: sizes, activation: model.activation, dropout: model.dropout, dtype: b.dtype, using: &b.rng)
        }
    case .sequential, .cnn:
        return fitSequential(model, input: shape.exampleShape, outputs: outputs, at: path, diagnostics)
    case .vit:
        return fitVisionTransformer(model, shape: shape, outputs: outputs, at: path, diagnostics)
    case .resnet:
        let configuration = ResNetConfiguration(
            depth: model.depth, channels: shape.exampleShape.first ?? 1, classes: outputs)
        do {
            _ = try ResNet.outputShape(for: shape.exampleShape, configuration)
        } catch {
            diagnostics.report(
                path.appending("type"), "resnet \(error.message) (the data has \(describeShape(shape.exampleShape)))")
            return nil
        }
        return FittedModel(spec: model) { b in ResNet(configuration, dtype: b.dtype, using: &b.rng) }
    case .perceptron:
        let features = shape.exampleShape.reduce(1, *)
        return FittedModel(spec: model) { b in
            Sequential([
                Flatten(),
                Linear(features, outputs, weightInit: .zeros, biasInit: .zeros, dtype: b.dtype, using: &b.rng),
            ])
        }
    case .kernelPerceptron:
        // The rbf kernel's γ defaults to 1 / F for F input features (scikit-learn's "auto").
        var model = model
        if model.kernel == .rbf && model.gamma == nil { model.gamma = 1 / Double(shape.exampleShape.reduce(1, *)) }
        let kernel = model.resolvedKernel
        return FittedModel(spec: model) { b in
            guard let training = b.training else {
                preconditionFailure("a kernel perceptron is built from its training examples (LayerBuilding.training)")
            }
            return KernelPerceptron(kernel: kernel, training: training)
        }
    case .transformer:
        diagnostics.report(
            path.appending("type"), "a transformer is a language model; it needs the tinyshakespeare text")
        return nil
    case .seq2seq:
        diagnostics.report(path.appending("type"), "a seq2seq model maps strings to strings; it needs sequences")
        return nil
    }
}

/// Walks the layers from the example shape, each fitted to its input (the last linear layer's `out` filled in),
/// and reports the first layer that cannot take its input (later shapes are unknown, so the walk stops there).
private func fitSequential(
    _ model: ModelSpec, input: [Int], outputs: Int, at path: SpecPath, _ diagnostics: SpecDiagnostics
) -> FittedModel? {
    var model = model
    let specs = model.layers
    let fusion: Fusion = model.fuse ? .all : []
    switch fitLayers(specs, input: input, outputs: outputs, fusion: fusion, lastLinearMayOmitOut: true) {
    case .failure(let failure):
        diagnostics.report(path.appending("layers").appending(index: failure.index), failure.message)
        return nil
    case .success(let (fitted, resolved)):
        let output = fitted.last?.output ?? input
        guard output == [outputs] else {
            let what = outputs == 1 ? "one output (the logistic loss)" : "one logit per class, (\(outputs))"
            let hint = output.count == 1 ? "" : "; end with flatten and linear"
            diagnostics.report(
                path.appending("layers").appending(index: max(specs.count - 1, 0)),
                "the model's output is \(describeShape(output)), but it must be \(what)\(hint)")
            return nil
        }
        model.layers = resolved
        return FittedModel(spec: model) { b in Sequential(fitted.map { $0.build(&b) }, fusion: fusion) }
    }
}

/// Why a list of layers does not fit its input: the first layer that cannot take its input, and why.
struct LayerFitFailure: Error {
    var index: Int
    var message: String
}

/// Each layer of `specs` fitted to the output of the one before, from `input`, and the specs with their inferred
/// sizes filled in.
func fitLayers(
    _ specs: [LayerSpec], input: [Int], outputs: Int, fusion: Fusion, lastLinearMayOmitOut: Bool
) -> Result<(layers: [FittedLayer], specs: [LayerSpec]), LayerFitFailure> {
    let lastLinear = lastLinearMayOmitOut ? specs.lastIndex { $0.type.name == "linear" } : nil
    var shape = input
    var fitted: [FittedLayer] = []
    var resolved = specs
    for (i, spec) in specs.enumerated() {
        guard let type = LayerTypes.named(spec.type.name) else { preconditionFailure("checked on reading") }
        do throws(ShapeError) {
            var layer = try type.fit(
                &resolved[i], shape, LayerFitting(isLastLinear: i == lastLinear, outputs: outputs, fusion: fusion))
            if let weights = spec.weights {
                guard let expected = layer.weightShape else { throw ShapeError("has no weight to set") }
                guard weights.shape == expected else {
                    throw ShapeError(
                        "weights of shape \(describeShape(weights.shape)) given; its weight is "
                            + "\(describeShape(expected)) (PyTorch's layout)")
                }
            }
            let (build, layerSpec) = (layer.build, resolved[i])
            layer.build = { b in
                let built = build(&b)
                layerSpec.applyParameterKeys(to: built, &b)
                return built
            }
            fitted.append(layer)
            shape = layer.output
        } catch {
            return .failure(
                LayerFitFailure(
                    index: i, message: "\(type.name) \(error.message) (its input is \(describeShape(shape)))"))
        }
    }
    return .success((fitted, resolved))
}

/// A residual block of the layers `specs` (their inferred sizes filled in) on inputs of shape `input`: its body,
/// and a 1×1 projection on the shortcut when the body changes the shape.
func fitResidual(_ specs: inout [LayerSpec], input: [Int], fitting: LayerFitting) throws(ShapeError) -> FittedLayer {
    let body: [FittedLayer]
    switch fitLayers(specs, input: input, outputs: fitting.outputs, fusion: fitting.fusion, lastLinearMayOmitOut: false)
    {
    case .failure(let failure): throw ShapeError("layer \(failure.index) of its body: \(failure.message)")
    case .success(let (layers, resolved)): (body, specs) = (layers, resolved)
    }
    let output = body.last?.output ?? input
    // Whether a projection exists depends on the ranks and sides only: it is tried on one channel (one feature),
    // so that no large weight is drawn before the model's size is checked.
    let probe = { (shape: [Int]) in shape.isEmpty ? shape : [1] + shape.dropFirst() }
    var scratch = RandomGenerator(seed: 0)
    do {
        _ = try Residual.projection(from: probe(input), to: probe(output), dtype: .float32, using: &scratch)
    } catch {
        throw ShapeError(
            "no 1×1 projection maps the input \(describeShape(input)) to the body's output \(describeShape(output))")
    }
    var fitted = FittedLayer(output: output) { b in
        let layers = body.map { $0.build(&b) }
        // The shapes were checked above, so a projection exists.
        let shortcut = try! Residual.projection(from: input, to: output, dtype: b.dtype, using: &b.rng)
        return Residual(Sequential(layers, fusion: fitting.fusion), shortcut: shortcut)
    }
    fitted.parts = body
    return fitted
}

/// A Vision Transformer fitted to square images: the image size and channels filled in from the data.
private func fitVisionTransformer(
    _ model: ModelSpec, shape: DataShape, outputs: Int, at path: SpecPath, _ diagnostics: SpecDiagnostics
) -> FittedModel? {
    var model = model
    let s = shape.exampleShape
    guard s.count == 3, s[1] == s[2] else {
        diagnostics.report(
            path.appending("type"), "vit needs square images (C, H, H), the data has \(describeShape(s))")
        return nil
    }
    let (channels, side) = (s[0], s[1])
    var fits = true
    if let written = model.imageSize, written != side {
        diagnostics.report(path.appending("image_size"), "is \(written), but the images are \(side)×\(side)")
        fits = false
    }
    if let written = model.channels, written != channels {
        diagnostics.report(path.appending("channels"), "is \(written), but the images have \(channels)")
        fits = false
    }
    if side % model.patchSize != 0 {
        diagnostics.report(path.appending("patch_size"), "\(model.patchSize) does not divide the image side \(side)")
        fits = false
    }
    guard fits else { return nil }
    model.imageSize = side
    model.channels = channels
    var c = VisionTransformerConfiguration()
    (c.imageSize, c.channels, c.patchSize, c.dim) = (side, channels, model.patchSize, model.dim)
    (c.depth, c.heads, c.mlpDim, c.classes, c.dropout) = (
        model.depth, model.heads, model.mlpDim, outputs, model.dropout
    )
    return FittedModel(spec: model) { [c] b in VisionTransformer(c, dtype: b.dtype, using: &b.rng) }
}
