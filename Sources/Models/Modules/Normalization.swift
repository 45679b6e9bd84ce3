import Autograd
import Ops

/// Batch normalization over the features of (N, F) inputs, like PyTorch's `nn.BatchNorm1d(F)` (see
/// `Tensor.batchNorm`): scale γ (`weight`, 1 at first) and shift β (`bias`, 0), running mean and variance in
/// `statistics` (buffers `running_mean`, `running_var`).
public struct BatchNorm1d: Layer, BatchNormalization {
    public var weight: Tensor
    public var bias: Tensor
    public var statistics: BatchNormStatistics

    public init(_ features: Int, momentum: Double = 0.1, dtype: DType = .float32) {
        (weight, bias, statistics) = batchNormTensors(features, momentum: momentum, dtype: dtype)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input == [features] else {
            throw ShapeError("needs (\(features)) features; use batchnorm2d for images")
        }
        return input
    }

    public var description: String { "BatchNorm1d(\(features))" }
}

/// Batch normalization over the channels of (N, C, H, W) images, like PyTorch's `nn.BatchNorm2d(C)`; see
/// `BatchNorm1d`.
public struct BatchNorm2d: Layer, BatchNormalization {
    public var weight: Tensor
    public var bias: Tensor
    public var statistics: BatchNormStatistics

    public init(_ channels: Int, momentum: Double = 0.1, dtype: DType = .float32) {
        (weight, bias, statistics) = batchNormTensors(channels, momentum: momentum, dtype: dtype)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 3 else {
            throw ShapeError("needs (C, H, W) images; use batchnorm1d for features")
        }
        guard input[0] == features else { throw ShapeError("needs \(features) channels") }
        return input
    }

    public var description: String { "BatchNorm2d(\(features))" }
}

/// What the two batch norms share: the forward pass, and PyTorch's `num_batches_tracked` in their state dict.
public protocol BatchNormalization: Layer {
    var weight: Tensor { get }
    var bias: Tensor { get }
    var statistics: BatchNormStatistics { get }
}

extension BatchNormalization {
    /// The features or channels C.
    public var features: Int { weight.count }

    /// Batch statistics (updating the running ones) in training, running statistics in evaluation.
    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        x.batchNorm(scale: weight, shift: bias, statistics: statistics, training: context.training)
    }

    public func pytorchStateDict() -> [(name: String, tensor: SafetensorsTensor)] {
        [
            ("weight", SafetensorsTensor(weight)), ("bias", SafetensorsTensor(bias)),
            ("running_mean", SafetensorsTensor(statistics.runningMean)),
            ("running_var", SafetensorsTensor(statistics.runningVar)),
            ("num_batches_tracked", SafetensorsTensor(int64: [Int64(statistics.batchesTracked)])),
        ]
    }
}

/// γ = 1, β = 0 and fresh running statistics for `count` features.
private func batchNormTensors(
    _ count: Int, momentum: Double, dtype: DType
)
    -> (Tensor, Tensor, BatchNormStatistics)
{
    precondition(count > 0, "BatchNorm: the number of features must be positive, got \(count)")
    return (
        Tensor.ones([count], dtype: dtype).requiringGrad(), Tensor.zeros([count], dtype: dtype).requiringGrad(),
        BatchNormStatistics(channels: count, momentum: momentum, dtype: dtype)
    )
}

/// Layer normalization over the last axis, like PyTorch's `nn.LayerNorm(C)` (see `Tensor.layerNorm`): scale γ
/// (`weight`, 1 at first) and shift β (`bias`, 0), each (C).
///
/// Shapes: (…, C) → (…, C).
public struct LayerNorm: UnaryLayer {
    public var weight: Tensor
    public var bias: Tensor
    public var eps: Double

    public init(_ features: Int, eps: Double = 1e-5, dtype: DType = .float32) {
        precondition(features > 0, "LayerNorm: the number of features must be positive, got \(features)")
        weight = Tensor.ones([features], dtype: dtype).requiringGrad()
        bias = Tensor.zeros([features], dtype: dtype).requiringGrad()
        self.eps = eps
    }

    public var features: Int { weight.count }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(normalizedShape: [features], scale: weight, shift: bias, eps: eps)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.last == features else {
            throw ShapeError("needs \(features) features on its last axis")
        }
        return input
    }

    public var description: String { "LayerNorm(\(features))" }
}
