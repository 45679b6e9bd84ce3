import Autograd
import Ops

/// The shape of a Vision Transformer; the defaults are the coursework's MNIST model.
public struct VisionTransformerConfiguration: Codable, Sendable, Equatable {
    /// Image height and width (square images).
    public var imageSize = 28
    public var channels = 1
    /// Patch side P; `imageSize` must be a multiple of it.
    public var patchSize = 7
    /// Embedding width D.
    public var dim = 64
    /// Number of encoder blocks.
    public var depth = 6
    public var heads = 8
    /// Hidden width of each block's MLP.
    public var mlpDim = 128
    public var classes = 10
    /// Dropout after attention, inside the MLP and after it.
    public var dropout = 0.1

    public init() {}

    /// Patches per image, (imageSize / P)².
    public var patchCount: Int { (imageSize / patchSize) * (imageSize / patchSize) }
}

/// A Vision Transformer classifier (Dosovitskiy et al. 2021, https://arxiv.org/abs/2010.11929): the image is
/// cut into P×P patches, each linearly embedded; a learned class token is prepended, learned position
/// embeddings added, N pre-LayerNorm encoder blocks applied, and the class token's final state classified.
public struct VisionTransformer: Model {
    public let configuration: VisionTransformerConfiguration
    /// Patch embedding, (C·P·P, D) and (D).
    public var patchWeight: Tensor, patchBias: Tensor
    /// (1, 1, D).
    public var classToken: Tensor
    /// (1, N + 1, D).
    public var positionEmbedding: Tensor
    public var blocks: [TransformerBlock]
    public var normScale: Tensor, normShift: Tensor
    /// Classification head, (D, classes) and (classes).
    public var headWeight: Tensor, headBias: Tensor

    public init(
        _ configuration: VisionTransformerConfiguration = .init(), dtype: DType = .float32,
        using rng: inout RandomGenerator
    ) {
        let c = configuration
        precondition(
            c.imageSize % c.patchSize == 0,
            "VisionTransformer: image size \(c.imageSize) not a multiple of patch \(c.patchSize)")
        precondition(c.dim % c.heads == 0, "VisionTransformer: dim \(c.dim) not divisible by \(c.heads) heads")
        self.configuration = c
        let patchDim = c.channels * c.patchSize * c.patchSize
        patchWeight = defaultWeight([patchDim, c.dim], fanIn: patchDim, dtype: dtype, using: &rng)
        patchBias = defaultWeight([c.dim], fanIn: patchDim, dtype: dtype, using: &rng)
        classToken = Tensor.normal([1, 1, c.dim], std: 0.02, dtype: dtype, using: &rng).requiringGrad()
        positionEmbedding = Tensor.normal([1, c.patchCount + 1, c.dim], std: 0.02, dtype: dtype, using: &rng)
            .requiringGrad()
        blocks = (0..<c.depth).map { _ in TransformerBlock(dim: c.dim, mlpDim: c.mlpDim, dtype: dtype, using: &rng) }
        normScale = Tensor.ones([c.dim], dtype: dtype).requiringGrad()
        normShift = Tensor.zeros([c.dim], dtype: dtype).requiringGrad()
        headWeight = defaultWeight([c.dim, c.classes], fanIn: c.dim, dtype: dtype, using: &rng)
        headBias = defaultWeight([c.classes], fanIn: c.dim, dtype: dtype, using: &rng)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var named: [(name: String, tensor: Tensor)] = [
            ("patch.weight", patchWeight), ("patch.bias", patchBias), ("class_token", classToken),
            ("position_embedding", positionEmbedding),
        ]
        for (i, block) in blocks.enumerated() { named += block.namedParameters(prefix: "blocks.\(i).") }
        named += [
            ("norm.weight", normScale), ("norm.bias", normShift), ("head.weight", headWeight), ("head.bias", headBias),
        ]
        return named
    }

    /// Cuts (B, C, H, W) images into (B, N, C·P·P) rows of flattened patches, in row-major patch order.
    public func patchify(_ images: Tensor) -> Tensor {
        let c = configuration
        precondition(
            images.rank == 4 && Array(images.shape.dropFirst()) == [c.channels, c.imageSize, c.imageSize],
            "VisionTransformer: images \(images.shape) must be (B, \(c.channels), \(c.imageSize), \(c.imageSize))")
        let b = images.shape[0], p = c.patchSize, g = c.imageSize / p
        return images.reshaped([b, c.channels, g, p, g, p])  // (B, C, H/P, P, W/P, P)
            .permuted([0, 2, 4, 1, 3, 5])  // (B, H/P, W/P, C, P, P)
            .reshaped([b, g * g, c.channels * p * p])  // (B, N, C·P·P)
    }

    /// Logits (B, classes), and the post-softmax attention weights (B, H, N+1, N+1) of block `attentionLayer`
    /// when asked (negative counts from the last).
    public func forward(
        _ images: Tensor, training: Bool, using rng: inout RandomGenerator, attentionLayer: Int? = nil
    ) -> (logits: Tensor, attention: Tensor?) {
        let c = configuration
        let b = images.shape[0]
        let patches = patchify(images).linear(weight: patchWeight, bias: patchBias)  // (B, N, D)
        let tokens = Tensor.concatenate([classToken.expanded(to: [b, 1, c.dim]), patches], axis: 1)  // (B, N+1, D)
        var x = (tokens + positionEmbedding).dropout(p: c.dropout, training: training, using: &rng)
        let wanted = attentionLayer.map { $0 < 0 ? $0 + blocks.count : $0 }
        var attention: Tensor?
        for (i, block) in blocks.enumerated() {
            let out = block.forward(
                x, heads: c.heads, causal: false, activation: .gelu, dropout: c.dropout, training: training,
                using: &rng)
            x = out.output
            if i == wanted { attention = out.attention }
        }
        let classState = x.layerNorm(normalizedShape: [c.dim], scale: normScale, shift: normShift)[0..<b, 0..<1]
            .reshaped([b, c.dim])  // (B, D)
        return (classState.linear(weight: headWeight, bias: headBias), attention)
    }

    /// Logits in evaluation mode.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        var rng = RandomGenerator(seed: 0)
        return forward(images, training: false, using: &rng).logits
    }
}
