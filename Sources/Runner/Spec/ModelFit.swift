// Fitting a model spec to the data before anything is trained: every layer's input and output shape is
// computed from the example shape, sizes the spec leaves out (in-channels, in-features, the last linear layer's
// out, a ViT's image size and channels) are inferred, and a layer that cannot take its input is reported with
// its index and the shapes involved.

import Models
import Ops

/// A model spec fitted to a data shape.
struct FittedModel {
    /// The spec with every inferred size filled in.
    var spec: ModelSpec
    /// For sequential models: the layers with every size, for `Sequential`.
    var layers: [Layer] = []
    /// The shape of one example after each layer (sequential) or the model's output shape (others).
    var outputShapes: [[Int]] = []
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
    switch model {
    case .mlp:
        return FittedModel(spec: model, outputShapes: [[outputs]])
    case .sequential(let layers):
        return fitSequential(layers, input: shape.exampleShape, outputs: outputs, at: path, diagnostics)
    case .vit(var v):
        let s = shape.exampleShape
        guard s.count == 3, s[1] == s[2] else {
            diagnostics.report(path.appending("type"), "vit needs square images (C, H, H), the data has \(show(s))")
            return nil
        }
        let (channels, side) = (s[0], s[1])
        var fits = true
        if let written = v.imageSize, written != side {
            diagnostics.report(path.appending("image_size"), "is \(written), but the images are \(side)×\(side)")
            fits = false
        }
        if let written = v.channels, written != channels {
            diagnostics.report(path.appending("channels"), "is \(written), but the images have \(channels)")
            fits = false
        }
        if side % v.patchSize != 0 {
            diagnostics.report(
                path.appending("patch_size"), "\(v.patchSize) does not divide the image side \(side)")
            fits = false
        }
        guard fits else { return nil }
        v.imageSize = side
        v.channels = channels
        return FittedModel(spec: .vit(v), outputShapes: [[outputs]])
    case .transformer:
        diagnostics.report(
            path.appending("type"), "a transformer is a language model; it needs the tinyshakespeare text")
        return nil
    }
}

/// Walks the layers from the example shape: each layer's sizes are inferred from its input, and the first layer
/// that cannot take its input is reported (later shapes are unknown, so the walk stops there).
private func fitSequential(
    _ specs: [LayerSpec], input: [Int], outputs: Int, at path: SpecPath, _ diagnostics: SpecDiagnostics
) -> FittedModel? {
    let lastLinear = specs.lastIndex { $0.kind == .linear }
    var shape = input
    var fitted = specs
    var layers: [Layer] = []
    var shapes: [[Int]] = []
    for (i, spec) in specs.enumerated() {
        let here = path.appending("layers").appending(index: i)
        func fail(_ message: String) -> FittedModel? {
            diagnostics.report(here, "\(spec.kind.rawValue) " + message + " (its input is \(show(shape)))")
            return nil
        }
        switch spec.kind {
        case .conv2d:
            guard shape.count == 3 else { return fail("needs (C, H, W) images") }
            let (k, s, p) = (spec.kernel ?? 1, spec.stride ?? 1, spec.padding ?? 0)
            let h = convolutionOutputSize(inputSize: shape[1], kernelSize: k, stride: s, padding: Padding1D(p))
            let w = convolutionOutputSize(inputSize: shape[2], kernelSize: k, stride: s, padding: Padding1D(p))
            guard h > 0 && w > 0 else {
                return fail("kernel \(k) is larger than its padded input \(shape[1] + 2 * p)×\(shape[2] + 2 * p)")
            }
            layers.append(
                .conv2d(
                    inChannels: shape[0], outChannels: spec.out ?? 1, kernel: k, stride: s, padding: p,
                    bias: spec.bias ?? true))
            shape = [spec.out ?? 1, h, w]
        case .maxpool2d, .avgpool2d:
            guard shape.count == 3 else { return fail("needs (C, H, W) images") }
            let (k, s) = (spec.kernel ?? 1, spec.stride ?? spec.kernel ?? 1)
            guard k <= shape[1] && k <= shape[2] else {
                return fail("kernel \(k) is larger than its input \(shape[1])×\(shape[2])")
            }
            layers.append(spec.kind == .maxpool2d ? .maxPool2d(kernel: k, stride: s) : .avgPool2d(kernel: k, stride: s))
            shape = [shape[0], (shape[1] - k) / s + 1, (shape[2] - k) / s + 1]
        case .batchnorm2d:
            guard shape.count == 3 else { return fail("needs (C, H, W) images; use batchnorm1d for features") }
            layers.append(.batchNorm2d(channels: shape[0]))
        case .batchnorm1d:
            guard shape.count == 1 else { return fail("needs (F) features; use batchnorm2d for images") }
            layers.append(.batchNorm1d(features: shape[0]))
        case .globalAvgPool:
            guard shape.count == 3 else { return fail("needs (C, H, W) images") }
            layers.append(.globalAvgPool)
            shape = [shape[0]]
        case .flatten:
            layers.append(.flatten)
            shape = [shape.reduce(1, *)]
        case .linear:
            guard shape.count == 1 else { return fail("needs (F) features; add a flatten layer before it") }
            guard let out = spec.out ?? (i == lastLinear ? outputs : nil) else {
                diagnostics.report(
                    here.appending("out"),
                    "required key is missing; only the last linear layer may leave out \"out\" (it is then \(outputs))")
                return nil
            }
            fitted[i].out = out
            layers.append(.linear(inFeatures: shape[0], outFeatures: out, bias: spec.bias ?? true))
            shape = [out]
        case .dropout:
            layers.append(.dropout(spec.p ?? 0.5))
        case .relu: layers.append(.relu)
        case .sigmoid: layers.append(.sigmoid)
        case .tanh: layers.append(.tanh)
        case .gelu: layers.append(.gelu)
        }
        shapes.append(shape)
    }
    guard shape == [outputs] else {
        let what = outputs == 1 ? "one output (the logistic loss)" : "one logit per class, (\(outputs))"
        let hint = shape.count == 1 ? "" : "; end with flatten and linear"
        diagnostics.report(
            path.appending("layers").appending(index: max(specs.count - 1, 0)),
            "the model's output is \(show(shape)), but it must be \(what)\(hint)")
        return nil
    }
    return FittedModel(spec: .sequential(layers: fitted), layers: layers, outputShapes: shapes)
}

/// A shape as "(1, 28, 28)".
func show(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
