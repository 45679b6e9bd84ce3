// A rough estimate of the memory a run needs, made from the spec and the data's shape before any tensor is
// allocated, so that a model or a dataset too large for the machine is refused with a message instead of
// failing to allocate. The numbers are doubles: an absurd size becomes a large estimate, never an overflow.

import Foundation
import Models

/// What a training run holds at once, in scalars of 4 bytes (float32) and bytes of data, and the spec key whose
/// value makes the model large: parameters (with their gradients and the optimizer's state), the activations
/// a batch keeps for the backward pass, and the generated data.
struct MemoryEstimate {
    /// The model's parameters.
    var parameters = 0.0
    /// The scalars one example's forward pass keeps for the backward pass (outputs, masks, attention weights).
    var activationsPerExample = 0.0
    /// The bytes of the examples held (generated data; files are not counted).
    var dataBytes = 0.0
    /// The key whose value makes the model's parameters or activations large (a hidden width, a layer, `dim`).
    var modelKey = SpecPath.root.appending("model")
    /// The key whose value makes the data large (`points`, `image_size`).
    var dataKey = SpecPath.root.appending("data")

    /// The bytes of a parameter, a gradient, a moment or an activation.
    static let scalarBytes = 4.0

    /// The bytes of the parameters, their gradients and `optimizerSlots` tensors of state per parameter.
    func parameterBytes(optimizerSlots: Int) -> Double {
        parameters * Double(2 + optimizerSlots) * Self.scalarBytes
    }

    /// The bytes of a batch's activations.
    func activationBytes(batch: Int) -> Double { activationsPerExample * Double(batch) * Self.scalarBytes }
}

extension MemoryEstimate {
    /// The estimate of a classifier fitted to examples of `shape`, with the key that makes it large.
    init(_ fitted: FittedModel, shape: DataShape, loss: ClassificationLoss, classesKey: SpecPath) {
        let model = fitted.spec
        let example = shape.exampleShape.reduce(1.0) { $0 * Double($1) }
        let outputs = Double(outputCount(classes: shape.classCount, loss: loss))
        let path = SpecPath.root.appending("model")
        switch model.type {
        case .mlp:
            let sizes = [example] + model.hidden.map(Double.init) + [outputs]
            let weights = zip(sizes, sizes.dropFirst()).map { $0 * $1 + $1 }
            parameters = weights.reduce(0, +)
            activationsPerExample = 3 * sizes.dropFirst().reduce(0, +)
            // The widest of the hidden layers and the output names what makes the largest weights.
            let widest = sizes.indices.dropFirst().max { sizes[$0] < sizes[$1] } ?? 1
            modelKey = widest == sizes.count - 1 ? classesKey : path.appending("hidden").appending(index: widest - 1)
        case .sequential, .cnn:
            let fusion: Fusion = []
            if case .success(let (layers, _)) = fitLayers(
                model.layers, input: shape.exampleShape, outputs: Int(outputs), fusion: fusion,
                lastLinearMayOmitOut: true)
            {
                let sizes = layers.map { (parameters: $0.parameterEstimate, activations: $0.activationEstimate) }
                parameters = sizes.map(\.parameters).reduce(0, +)
                activationsPerExample = sizes.map(\.activations).reduce(0, +)
                let largest = sizes.indices.max { sizes[$0].parameters < sizes[$1].parameters } ?? 0
                modelKey = path.appending("layers").appending(index: largest)
            }
        case .vit:
            let (d, mlp, heads) = (Double(model.dim), Double(model.mlpDim), Double(model.heads))
            let side = Double(shape.exampleShape.last ?? 1) / Double(model.patchSize)
            let tokens = side * side + 1
            let patch = Double(model.patchSize * model.patchSize) * Double(shape.exampleShape.first ?? 1)
            parameters = patch * d + tokens * d + Double(model.depth) * (4 * d * d + 2 * d * mlp) + d * outputs
            activationsPerExample = Double(model.depth) * tokens * (10 * d + 2 * mlp + 2 * heads * tokens)
            modelKey = path.appending(mlp > d ? "mlp_dim" : "dim")
        case .resnet:
            // ImageNet-style ResNets have at most ~60 M parameters; activations grow with depth and image area.
            parameters = 60e6
            activationsPerExample = Double(model.depth) * 64 * example
            modelKey = path.appending("depth")
        case .perceptron, .kernelPerceptron:
            parameters = example * outputs + outputs
            activationsPerExample = example + outputs
            modelKey = classesKey
        case .transformer, .seq2seq:
            break
        }
    }

    /// The estimate of a Transformer of `layers` blocks over contexts of `length` tokens of a `vocabulary`.
    init(transformer model: ModelSpec, layers: Int, length: Int, vocabulary: Int) {
        let (d, t, v) = (Double(model.dim), Double(length), Double(vocabulary))
        let (f, heads, blocks) = (Double(model.ffnMultiplier), Double(model.heads), Double(layers))
        parameters = 2 * v * d + t * d + blocks * (4 + 2 * f) * d * d
        activationsPerExample = blocks * t * (d * (10 + 2 * f) + 2 * heads * t) + 2 * t * v
        let path = SpecPath.root.appending("model")
        modelKey = heads * t > d * (5 + f) ? path.appending(model.type == .transformer ? "block_size" : "heads")
            : path.appending(f > 4 ? "ffn_multiplier" : "dim")
    }

    /// The estimate of `spec`'s generated data (nothing for data read from files).
    mutating func addData(of data: DataSpec) {
        let path = SpecPath.root.appending("data")
        let points = Double(data.points)
        switch data.dataset {
        case .edges:
            let side = Double(data.imageSize)
            dataBytes = 2 * points * side * side * Self.scalarBytes
            dataKey = path.appending(side * side > points ? "image_size" : "points")
        case .blobs:
            dataBytes = 2 * points * Double(data.classes) * Self.scalarBytes
            dataKey = path.appending(data.classes > data.points ? "classes" : "points")
        case .separable, .circle, .spiral, .gaussian, .xorNoisy:
            dataBytes = 2 * points * Self.scalarBytes
            dataKey = path.appending("points")
        case .sequences:
            dataBytes = 3 * points * Double(data.length) * 8
            dataKey = path.appending(data.length > data.points ? "length" : "points")
        default:
            break
        }
    }

    /// Why a run of `spec` with `batch` examples per batch does not fit its memory limit, at the key that makes it
    /// large; nil when it fits.
    func problem(_ spec: ExperimentSpec, batch: Int) -> SpecIssue? {
        let limitGB = spec.training.memoryLimitGb ?? Double(ProcessInfo.processInfo.physicalMemory) / 1e9
        let slots: Int
        switch spec.optimizer.type {
        case .adam, .adamw, .rmsprop: slots = 2
        case .momentum, .nesterov: slots = 1
        case .sgd: slots = spec.optimizer.momentum > 0 ? 1 : 0
        }
        let (weights, activations) = (parameterBytes(optimizerSlots: slots), activationBytes(batch: batch))
        let total = weights + activations + dataBytes
        guard total > limitGB * 1e9 else { return nil }
        // Activations that would fit for a single example are the batch size's doing; others the model's.
        let batchIsTooLarge = weights + activationBytes(batch: 1) + dataBytes <= limitGB * 1e9
        var key = modelKey
        if dataBytes > weights + activations {
            key = dataKey
        } else if activations > weights && batchIsTooLarge {
            key = SpecPath.root.appending("training").appending("batch_size")
        }
        let limit =
            spec.training.memoryLimitGb == nil
            ? "the machine's memory (raise it with training.memory_limit_gb)" : "training.memory_limit_gb"
        return SpecIssue(
            path: key,
            message: "the run needs about \(formatSize(total)): \(formatSize(weights)) for \(formatCount(parameters)) "
                + "parameters with their gradients and optimizer state, \(formatSize(activations)) for the activations "
                + "of a batch of \(batch), \(formatSize(dataBytes)) of data; the limit is "
                + "\(formatSize(limitGB * 1e9)), \(limit)")
    }
}

/// "512 MB", "25.3 GB", "80.0 TB", "9.3e+14 TB": bytes in decimal units, for estimates.
private func formatSize(_ bytes: Double) -> String {
    if bytes < 1e9 { return String(format: "%.0f MB", bytes / 1e6) }
    if bytes < 1e12 { return String(format: "%.1f GB", bytes / 1e9) }
    return String(format: bytes < 1e15 ? "%.1f TB" : "%.2g TB", bytes / 1e12)
}

/// The count itself below a billion, "1.29e+11" above.
private func formatCount(_ count: Double) -> String {
    count < 1e9 ? String(Int(count)) : String(format: "%.3g", count)
}

extension FittedLayer {
    /// The layer's parameters: its weight and a bias per output channel, and those of the layers inside it.
    var parameterEstimate: Double {
        let weight = weightShape?.reduce(1.0) { $0 * Double($1) } ?? 0
        let bias = weightShape == nil ? 0 : Double(output.first ?? 0)
        return weight + bias + parts.map(\.parameterEstimate).reduce(0, +)
    }

    /// The scalars one example's pass through the layer keeps: its output and a same-sized mask or input copy,
    /// and those of the layers inside it.
    var activationEstimate: Double {
        2 * output.reduce(1.0) { $0 * Double($1) } + parts.map(\.activationEstimate).reduce(0, +)
    }
}
