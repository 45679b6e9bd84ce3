import Autograd
import Ops

/// The shape of a Vision Transformer; the defaults are an MNIST model (patch 7, dim 64, 6 blocks, 8 heads).
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
/// embeddings added, N pre-LayerNorm encoder blocks applied, and the class token's final state classified:
///
///     x = [class_token; patch(patches(image))] + position_embedding
///     x = block(x) for each block
///     logits = head(norm(x)[class token])
public struct VisionTransformer: Layer {
    public let configuration: VisionTransformerConfiguration
    /// Patch embedding, C·P·P → D.
    public var patch: Linear
    /// (1, 1, D).
    public var classToken: Tensor
    /// (1, N + 1, D).
    public var positionEmbedding: Tensor
    public var blocks: [TransformerBlock]
    public var norm: LayerNorm
    /// D → classes.
    public var head: Linear
    public var dropout: Dropout

    /// Patch embedding and head as PyTorch's `nn.Linear`, class token, positions and blocks N(0, 0.02²).
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
        patch = Linear(c.channels * c.patchSize * c.patchSize, c.dim, dtype: dtype, using: &rng)
        classToken = Initialization.normal(std: 0.02).parameter([1, 1, c.dim], fanIn: 1, dtype: dtype, using: &rng)
        positionEmbedding = Initialization.normal(std: 0.02).parameter(
            [1, c.patchCount + 1, c.dim], fanIn: 1, dtype: dtype, using: &rng)
        blocks = (0..<c.depth).map { _ in
            TransformerBlock(
                dim: c.dim, heads: c.heads, mlpDim: c.mlpDim, activation: .gelu, dropout: c.dropout, dtype: dtype,
                using: &rng)
        }
        norm = LayerNorm(c.dim, dtype: dtype)
        head = Linear(c.dim, c.classes, dtype: dtype, using: &rng)
        dropout = Dropout(c.dropout)
    }

    /// Cuts (B, C, H, W) images into (B, N, C·P·P) rows of flattened patches, in row-major patch order.
    public func patchify(_ images: Tensor) -> Tensor {
        let c = configuration
        precondition(
            images.rank == 4 && Array(images.shape.dropFirst()) == [c.channels, c.imageSize, c.imageSize],
            "VisionTransformer: images \(images.shape) must be (B, \(c.channels), \(c.imageSize), \(c.imageSize))")
        let b = images.shape[0]
        let p = c.patchSize
        let g = c.imageSize / p
        return images.reshaped([b, c.channels, g, p, g, p])  // (B, C, H/P, P, W/P, P)
            .permuted([0, 2, 4, 1, 3, 5])  // (B, H/P, W/P, C, P, P)
            .reshaped([b, g * g, c.channels * p * p])  // (B, N, C·P·P)
    }

    /// The tokens the first block reads: (B, N + 1, D).
    public func embed(_ images: Tensor, _ context: inout ForwardContext) -> Tensor {
        let b = images.shape[0]
        let patches = patch(patchify(images))  // (B, N, D)
        let tokens = Tensor.concatenate(
            [classToken.expanded(to: [b, 1, configuration.dim]), patches], axis: 1)  // (B, N+1, D)
        return dropout(tokens + positionEmbedding, &context)
    }

    /// Logits (B, classes) for images (B, C, H, W).
    public func callAsFunction(_ images: Tensor, _ context: inout ForwardContext) -> Tensor {
        var x = embed(images, &context)  // (B, N+1, D)
        for block in blocks { x = block(x, &context) }
        let b = images.shape[0]
        let classState = norm(x)[0..<b, 0..<1].reshaped([b, configuration.dim])  // (B, D)
        return head(classState)
    }

    /// The post-softmax attention weights (B, H, N+1, N+1) of block `layer` (negative counts from the last) for
    /// `images`, in evaluation mode.
    public func attentionWeights(_ images: Tensor, layer: Int = -1) -> Tensor {
        let wanted = layer < 0 ? layer + blocks.count : layer
        precondition(blocks.indices.contains(wanted), "VisionTransformer: no block \(layer) of \(blocks.count)")
        var context = ForwardContext.evaluation
        var x = embed(images, &context)
        for block in blocks[..<wanted] { x = block(x, &context) }
        return blocks[wanted].attentionWeights(x)
    }

    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let c = configuration
        guard input == [c.channels, c.imageSize, c.imageSize] else {
            throw ShapeError(
                "needs (\(c.channels), \(c.imageSize), \(c.imageSize)) images")
        }
        return [c.classes]
    }

    public var description: String {
        let c = configuration
        return "VisionTransformer(patch \(c.patchSize), dim \(c.dim), depth \(c.depth), heads \(c.heads), "
            + "mlp \(c.mlpDim), classes \(c.classes))"
    }
}
