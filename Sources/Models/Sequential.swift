import Autograd
import Ops

/// One layer of a `Sequential` model, with the vocabulary (and defaults) of PyTorch's `torch.nn`, so that a
/// homework's `nn.Sequential` transcribes one-to-one.
public enum Layer: Equatable, Sendable {
    /// `nn.Conv2d(in, out, kernel, stride, padding)`: weight (out, in, k, k), bias (out).
    case conv2d(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true)
    /// `nn.MaxPool2d(kernel, stride)`, stride defaulting to the kernel.
    case maxPool2d(kernel: Int, stride: Int? = nil)
    /// `nn.AvgPool2d(kernel, stride)`, stride defaulting to the kernel.
    case avgPool2d(kernel: Int, stride: Int? = nil)
    /// `nn.BatchNorm2d(channels)` over (N, C, H, W).
    case batchNorm2d(channels: Int)
    /// `nn.BatchNorm1d(features)` over (N, F).
    case batchNorm1d(features: Int)
    /// `nn.Dropout(p)`.
    case dropout(Double)
    case relu, sigmoid, tanh, gelu
    /// `nn.Flatten()`: (N, …) → (N, ∏…).
    case flatten
    /// `nn.Linear(in, out)`: weight stored (in, out), bias (out).
    case linear(inFeatures: Int, outFeatures: Int, bias: Bool = true)
    /// `nn.AdaptiveAvgPool2d(1)` followed by flattening: (N, C, H, W) → (N, C).
    case globalAvgPool

    /// The PyTorch-style name shown in summaries, e.g. `Conv2d(1, 16, 3, stride=1, padding=1)`.
    public var name: String {
        switch self {
        case let .conv2d(i, o, k, s, p, b):
            "Conv2d(\(i), \(o), \(k), stride=\(s), padding=\(p)\(b ? "" : ", bias=False"))"
        case let .maxPool2d(k, s): "MaxPool2d(\(k)\(s.map { ", stride=\($0)" } ?? ""))"
        case let .avgPool2d(k, s): "AvgPool2d(\(k)\(s.map { ", stride=\($0)" } ?? ""))"
        case let .batchNorm2d(c): "BatchNorm2d(\(c))"
        case let .batchNorm1d(f): "BatchNorm1d(\(f))"
        case let .dropout(p): "Dropout(\(p))"
        case .relu: "ReLU()"
        case .sigmoid: "Sigmoid()"
        case .tanh: "Tanh()"
        case .gelu: "GELU()"
        case .flatten: "Flatten()"
        case let .linear(i, o, b): "Linear(\(i), \(o)\(b ? "" : ", bias=False"))"
        case .globalAvgPool: "GlobalAvgPool()"
        }
    }
}

/// A feed-forward network given as a list of layers, applied in order: PyTorch's `nn.Sequential`.
///
/// ```
/// let cnn = Sequential([
///     .conv2d(inChannels: 1, outChannels: 64, kernel: 7), .relu, .maxPool2d(kernel: 2),
///     .flatten, .linear(inFeatures: 7744, outFeatures: 10),
/// ], using: &rng)   // 80,650 parameters
/// ```
public struct Sequential: Model {
    /// The learnable tensors and running statistics of one layer (nil where the layer has none).
    public struct LayerState {
        public var weight: Tensor?
        public var bias: Tensor?
        public var statistics: BatchNormStatistics?
    }

    public let layers: [Layer]
    public var states: [LayerState]

    /// A model with PyTorch's default initialization: conv and linear weights and biases U[−1/√fanIn, 1/√fanIn],
    /// batch-norm scale 1 and shift 0, running mean 0 and variance 1.
    public init(_ layers: [Layer], dtype: DType = .float32, using rng: inout RandomGenerator) {
        self.layers = layers
        states = layers.map { layer in
            switch layer {
            case let .conv2d(i, o, k, _, _, hasBias):
                let fanIn = i * k * k
                return LayerState(
                    weight: defaultWeight([o, i, k, k], fanIn: fanIn, dtype: dtype, using: &rng),
                    bias: hasBias ? defaultWeight([o], fanIn: fanIn, dtype: dtype, using: &rng) : nil)
            case let .linear(i, o, hasBias):
                return LayerState(
                    weight: defaultWeight([i, o], fanIn: i, dtype: dtype, using: &rng),
                    bias: hasBias ? defaultWeight([o], fanIn: i, dtype: dtype, using: &rng) : nil)
            case let .batchNorm2d(c), let .batchNorm1d(c):
                return LayerState(
                    weight: Tensor.ones([c], dtype: dtype).requiringGrad(),
                    bias: Tensor.zeros([c], dtype: dtype).requiringGrad(),
                    statistics: BatchNormStatistics(channels: c, dtype: dtype))
            default:
                return LayerState()
            }
        }
    }

    /// PyTorch's `nn.Sequential` naming: `0.weight`, `0.bias`, `3.running_mean`, ….
    public var namedParameters: [(name: String, tensor: Tensor)] {
        states.enumerated().flatMap { i, s in
            [s.weight.map { ("\(i).weight", $0) }, s.bias.map { ("\(i).bias", $0) }].compactMap { $0 }
        }
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        states.enumerated().flatMap { i, s in
            s.statistics.map { [("\(i).running_mean", $0.runningMean), ("\(i).running_var", $0.runningVariance)] } ?? []
        }
    }

    /// Applies the layers in order; `training` selects batch statistics and active dropout.
    ///
    /// A ReLU followed by max pooling (or max pooling followed by a ReLU) runs as one op, `rectifiedMaxPool2d`:
    /// relu(maxpool(x)) = maxpool(relu(x)), values and gradients alike (the window's maximum is the same element
    /// either way, and relu′ = 0 wherever the maximum is ≤ 0), in one pass instead of a ReLU over the larger tensor;
    /// preceded by a convolution, the three run as `conv2dRectifiedMaxPool2d`, which never stores the convolution's
    /// output.
    public func forward(_ x: Tensor, training: Bool, using rng: inout RandomGenerator) -> Tensor {
        var x = x
        var i = layers.startIndex
        while i < layers.endIndex {
            if i + 2 < layers.endIndex, case let .conv2d(_, _, _, stride, padding, _) = layers[i],
                let pool = rectifiedPool(layers[i + 1], layers[i + 2])
            {
                let s = states[i]
                x = x.conv2dRectifiedMaxPool2d(
                    s.weight!, bias: s.bias, stride: Size2D(stride), padding: Padding2D(padding),
                    poolKernel: Size2D(pool.kernel), poolStride: Size2D(pool.stride ?? pool.kernel))
                i += 3
            } else if i + 1 < layers.endIndex, let pool = rectifiedPool(layers[i], layers[i + 1]) {
                x = x.rectifiedMaxPool2d(kernel: Size2D(pool.kernel), stride: Size2D(pool.stride ?? pool.kernel))
                i += 2
            } else {
                x = apply(i, x, training: training, using: &rng)
                i += 1
            }
        }
        return x
    }

    /// The max pooling of a ReLU → MaxPool2d or MaxPool2d → ReLU pair of layers, which run as one op.
    private func rectifiedPool(_ first: Layer, _ second: Layer) -> (kernel: Int, stride: Int?)? {
        switch (first, second) {
        case let (.relu, .maxPool2d(kernel, stride)), let (.maxPool2d(kernel, stride), .relu): (kernel, stride)
        default: nil
        }
    }

    /// The output in evaluation mode.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var rng = RandomGenerator(seed: 0)
        return forward(x, training: false, using: &rng)
    }

    /// Applies layer `i` alone.
    public func apply(_ i: Int, _ x: Tensor, training: Bool, using rng: inout RandomGenerator) -> Tensor {
        let s = states[i]
        switch layers[i] {
        case let .conv2d(_, _, _, stride, padding, _):
            return x.conv2d(s.weight!, bias: s.bias, stride: Size2D(stride), padding: Padding2D(padding))
        case let .maxPool2d(k, stride):
            return x.maxPool2d(kernel: Size2D(k), stride: Size2D(stride ?? k))
        case let .avgPool2d(k, stride):
            return x.avgPool2d(kernel: Size2D(k), stride: Size2D(stride ?? k))
        case .batchNorm2d, .batchNorm1d:
            return x.batchNorm(scale: s.weight!, shift: s.bias!, statistics: s.statistics, training: training)
        case let .dropout(p):
            return x.dropout(p: p, training: training, using: &rng)
        case .relu: return x.relu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .gelu: return x.gelu()
        case .flatten: return x.flattened(from: 1)
        case .linear: return x.linear(weight: s.weight!, bias: s.bias)
        case .globalAvgPool: return x.globalAvgPool2d()
        }
    }

    /// Per-layer output shapes (for one example of `inputShape`, batch axis excluded) and parameter counts,
    /// computed by running one zero example through the model in evaluation mode.
    public func summary(inputShape: [Int]) -> ModelSummary {
        var rng = RandomGenerator(seed: 0)
        var x = Tensor.zeros([1] + inputShape, dtype: states.lazy.compactMap(\.weight).first?.dtype ?? .float32)
        var rows: [ModelSummary.Row] = []
        noGrad {
            for i in layers.indices {
                x = apply(i, x, training: false, using: &rng)
                let count = (states[i].weight?.count ?? 0) + (states[i].bias?.count ?? 0)
                rows.append(
                    .init(layer: layers[i].name, outputShape: Array(x.shape.dropFirst()), parameterCount: count))
            }
        }
        return ModelSummary(inputShape: inputShape, rows: rows)
    }
}
