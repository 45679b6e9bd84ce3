// What a forward pass costs and sees, known from shapes alone: the multiply-adds of its matrix products and the
// receptive field of its outputs, the two numbers a course asks for beside output shapes and parameter counts.

import Ops

/// A layer whose forward pass's work is known from its input shape.
public protocol MultiplyAddCounting {
    /// The multiply-adds of the matrix products (convolutions, linear maps, attention's scores and mixing) of one
    /// forward pass of one example of shape `input` (no batch axis); nil when a part of the layer is not known.
    /// Elementwise work (activations, normalization, pooling, softmax) is not counted, as in the usual MACs/FLOPs
    /// tables of papers.
    func multiplyAdds(for input: [Int]) -> Int?
}

/// The multiply-adds of `layer` for one example of shape `input`: its own count, 0 for a layer without parameters
/// that does not count (activations, pooling, flatten, dropout), else nil (unknown).
public func multiplyAdds(of layer: any Layer, for input: [Int]) -> Int? {
    if let counting = layer as? any MultiplyAddCounting { return counting.multiplyAdds(for: input) }
    return layer.parameterCount == 0 ? 0 : nil
}

extension Linear: MultiplyAddCounting {
    /// in · out per position: (…, in) → (…, out).
    public func multiplyAdds(for input: [Int]) -> Int? {
        input.dropLast().reduce(1, *) * inFeatures * outFeatures
    }
}

extension Conv2d: MultiplyAddCounting {
    /// Each output element sums (in / groups) · kh · kw products.
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard let output = try? outputShape(for: input) else { return nil }
        return output.reduce(1, *) * (inChannels / groups) * kernel.height * kernel.width
    }
}

extension Conv1d: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard let output = try? outputShape(for: input) else { return nil }
        return output.reduce(1, *) * (inChannels / groups) * kernel
    }
}

extension ConvTranspose2d: MultiplyAddCounting {
    /// Each input element scatters a kernel of out · kh · kw products.
    public func multiplyAdds(for input: [Int]) -> Int? {
        input.reduce(1, *) * outChannels * kernel.height * kernel.width
    }
}

extension BatchNorm1d: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? { 0 }
}

extension BatchNorm2d: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? { 0 }
}

extension LayerNorm: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? { 0 }
}

extension Embedding: MultiplyAddCounting {
    /// A lookup: no products.
    public func multiplyAdds(for input: [Int]) -> Int? { 0 }
}

extension MultiHeadAttention: MultiplyAddCounting {
    /// Self-attention of T positions of width C: the four projections 4·T·C², the scores Q·Kᵀ T²·C and the mixing
    /// P·V T²·C (over all heads).
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard input.count == 2 else { return nil }
        return Self.multiplyAdds(queries: input[0], keys: input[0], dim: dim)
    }

    /// Attention of T queries to S keys and values of width C: T·C² (queries) + 2·S·C² (keys, values) + T·C²
    /// (output) + 2·T·S·C (scores and mixing).
    public static func multiplyAdds(queries t: Int, keys s: Int, dim c: Int) -> Int {
        2 * t * c * c + 2 * s * c * c + 2 * t * s * c
    }
}

extension FeedForward: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard let hiddenShape = try? hidden.outputShape(for: input) else { return nil }
        return sum([hidden.multiplyAdds(for: input), output.multiplyAdds(for: hiddenShape)])
    }
}

extension TransformerBlock: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        sum([attention.multiplyAdds(for: input), mlp.multiplyAdds(for: input)])
    }
}

extension Sequential: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard let shapes = try? outputShapes(for: input) else { return nil }
        return sum(layers.indices.map { i in Models.multiplyAdds(of: layers[i], for: i == 0 ? input : shapes[i - 1]) })
    }
}

extension Residual: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        sum([body.multiplyAdds(for: input), shortcut.map { Models.multiplyAdds(of: $0, for: input) } ?? 0])
    }
}

extension MLP: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        sum(layers.map { $0.multiplyAdds(for: [$0.inFeatures]) })
    }
}

extension ResNetBlock: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard let shape1 = try? conv1.outputShape(for: input), let shape2 = try? conv2.outputShape(for: shape1) else {
            return nil
        }
        return sum([
            conv1.multiplyAdds(for: input), conv2.multiplyAdds(for: shape1), conv3?.multiplyAdds(for: shape2) ?? 0,
            downsample?.multiplyAdds(for: input) ?? 0,
        ])
    }
}

extension ResNet: MultiplyAddCounting {
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard var shape = try? conv1.outputShape(for: input), var total = conv1.multiplyAdds(for: input) else {
            return nil
        }
        if let maxpool, let pooled = try? maxpool.outputShape(for: shape) { shape = pooled }
        for block in blocks {
            guard let count = block.multiplyAdds(for: shape), let next = try? block.outputShape(for: shape) else {
                return nil
            }
            (total, shape) = (total + count, next)
        }
        return total + fc.inFeatures * fc.outFeatures
    }
}

extension VisionTransformer: MultiplyAddCounting {
    /// The patch projection of N patches, the blocks over N + 1 tokens, the head on the class token.
    public func multiplyAdds(for input: [Int]) -> Int? {
        let c = configuration
        let tokens = c.patchCount + 1
        let blocksWork = sum(blocks.map { $0.multiplyAdds(for: [tokens, c.dim]) })
        return sum([patch.multiplyAdds(for: [c.patchCount, patch.inFeatures]), blocksWork])
            .map { $0 + head.inFeatures * head.outFeatures }
    }
}

extension DecoderTransformer: MultiplyAddCounting {
    /// The blocks and the head over T positions (input (T)).
    public func multiplyAdds(for input: [Int]) -> Int? {
        guard input.count == 1 else { return nil }
        let t = input[0]
        return sum(
            blocks.map { $0.multiplyAdds(for: [t, configuration.dim]) } + [
                head.multiplyAdds(for: [t, head.inFeatures])
            ])
    }
}

extension TransformerDecoderBlock {
    /// The multiply-adds of T positions of width C attending causally to themselves and to S memory positions,
    /// and of its feed-forward network.
    public func multiplyAdds(targetLength t: Int, sourceLength s: Int) -> Int? {
        let c = selfAttention.dim
        return sum([
            selfAttention.multiplyAdds(for: [t, c]), MultiHeadAttention.multiplyAdds(queries: t, keys: s, dim: c),
            mlp.multiplyAdds(for: [t, c]),
        ])
    }
}

extension Seq2SeqTransformer {
    /// The multiply-adds of one teacher-forced forward pass of a source of S tokens and a decoder input of T: the
    /// encoder blocks over S, the decoder blocks over T attending to S, and the head over T.
    public func multiplyAdds(sourceLength s: Int, targetLength t: Int) -> Int? {
        let c = configuration.dim
        return sum(
            encoder.map { $0.multiplyAdds(for: [s, c]) }
                + decoder.map { $0.multiplyAdds(targetLength: t, sourceLength: s) }
                + [head.multiplyAdds(for: [t, c])])
    }
}

/// The sum, nil when any term is.
private func sum(_ terms: [Int?]) -> Int? {
    terms.reduce(0 as Int?) { total, term in total.flatMap { a in term.map { a + $0 } } }
}

// MARK: - Receptive fields

/// The input region one output position of a stack of spatial layers depends on: its extent in input rows and
/// columns (gaps between dilated taps included), and the jump, the distance in input pixels between the regions of
/// neighbouring outputs. Through a layer of kernel k, dilation d and stride s (Araujo et al. 2019, "Computing
/// receptive fields of convolutional neural networks", https://distill.pub/2019/computing-receptive-fields/):
///
///     extent += (k − 1) · d · jump,   jump *= s
///
/// After a layer that mixes every position (a linear layer on flattened features, global pooling) each output
/// sees the whole input.
public struct ReceptiveField: Equatable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var jumpHeight: Int
    public var jumpWidth: Int
    /// Every output depends on every input position.
    public var isWholeInput: Bool

    /// One position: the input itself.
    public static let identity = ReceptiveField(height: 1, width: 1, jumpHeight: 1, jumpWidth: 1, isWholeInput: false)
    public static let wholeInput = ReceptiveField(height: 0, width: 0, jumpHeight: 0, jumpWidth: 0, isWholeInput: true)

    public init(height: Int, width: Int, jumpHeight: Int, jumpWidth: Int, isWholeInput: Bool) {
        (self.height, self.width, self.jumpHeight, self.jumpWidth) = (height, width, jumpHeight, jumpWidth)
        self.isWholeInput = isWholeInput
    }

    /// Through a window of `kernel` taps `dilation` apart moved by `stride`.
    public func through(kernel: Size2D, stride: Size2D, dilation: Size2D = 1) -> ReceptiveField {
        guard !isWholeInput else { return self }
        return ReceptiveField(
            height: height + (kernel.height - 1) * dilation.height * jumpHeight,
            width: width + (kernel.width - 1) * dilation.width * jumpWidth,
            jumpHeight: jumpHeight * stride.height, jumpWidth: jumpWidth * stride.width, isWholeInput: false)
    }

    /// "7×7", "15" along one axis (a 1-D convolution's `height` stays 1), or "all".
    public var description: String {
        isWholeInput ? "all" : height == 1 && jumpHeight == 1 ? "\(width)" : "\(height)×\(width)"
    }
}

/// The receptive field after `layer`, given the field `before` it; nil when the layer is not known to keep
/// positions apart (a transposed convolution, an attention block) or mixes them in a way this does not follow.
public func receptiveField(after layer: any Layer, from before: ReceptiveField) -> ReceptiveField? {
    switch layer {
    case let conv as Conv2d: before.through(kernel: conv.kernel, stride: conv.stride, dilation: conv.dilation)
    case let conv as Conv1d:
        before.through(
            kernel: Size2D(1, conv.kernel), stride: Size2D(1, conv.stride), dilation: Size2D(1, conv.dilation))
    case let pool as MaxPool2d: before.through(kernel: pool.kernel, stride: pool.stride)
    case let pool as AvgPool2d: before.through(kernel: pool.kernel, stride: pool.stride)
    case is GlobalAvgPool2d, is Flatten, is Linear, is MLP: .wholeInput
    case is ReLU, is Sigmoid, is Tanh, is GELU, is Dropout, is BatchNorm1d, is BatchNorm2d, is Identity: before
    case let sequential as Sequential: sequential.receptiveFields(from: before).last ?? before
    // The shortcut (identity or a 1×1 projection of the same stride) sees no more than the body.
    case let residual as Residual: receptiveField(after: residual.body, from: before)
    case let block as ResNetBlock:
        [block.conv1, block.conv2].reduce(before) {
            $0.through(kernel: $1.kernel, stride: $1.stride, dilation: $1.dilation)
        }
    case let resnet as ResNet: resnet.receptiveFieldBeforePooling(from: before).map { _ in .wholeInput }
    default: nil
    }
}

extension Sequential {
    /// The receptive field after each layer, starting from `start`; stops (shorter than `layers`) at the first
    /// layer whose field is not known.
    public func receptiveFields(from start: ReceptiveField = .identity) -> [ReceptiveField] {
        var fields: [ReceptiveField] = []
        var current = start
        for layer in layers {
            guard let next = receptiveField(after: layer, from: current) else { break }
            fields.append(next)
            current = next
        }
        return fields
    }
}

extension ResNet {
    /// The receptive field of one position of the last stage's output, before global average pooling mixes them.
    public func receptiveFieldBeforePooling(from start: ReceptiveField = .identity) -> ReceptiveField? {
        var field = start.through(kernel: conv1.kernel, stride: conv1.stride, dilation: conv1.dilation)
        if let maxpool { field = field.through(kernel: maxpool.kernel, stride: maxpool.stride) }
        for block in blocks {
            guard let next = receptiveField(after: block, from: field) else { return nil }
            field = next
        }
        return field
    }
}
