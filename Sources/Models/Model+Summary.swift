// Printable summaries (layer, output shape per example, parameters) of the models that are not `Sequential`.

extension MLP {
    /// One row per affine layer (with its activation), for inputs of `sizes[0]` features.
    public func summary() -> ModelSummary {
        let rows = weights.indices.map { i in
            let hidden = i < weights.count - 1
            let name = "Linear(\(weights[i].shape[0]), \(weights[i].shape[1]))" + (hidden ? " + \(activation)" : "")
            return ModelSummary.Row(
                layer: name, outputShape: [weights[i].shape[1]], parameterCount: weights[i].count + biases[i].count)
        }
        return ModelSummary(inputShape: [sizes[0]], rows: rows)
    }
}

extension TransformerBlock {
    var parameterCount: Int {
        namedParameters(prefix: "").reduce(0) { $0 + $1.tensor.count }
    }
}

extension VisionTransformer {
    /// Patch embedding, class token and positions, each encoder block, the final norm and the head.
    public func summary() -> ModelSummary {
        let c = configuration
        let tokens = c.patchCount + 1
        var rows = [
            ModelSummary.Row(
                layer: "PatchEmbedding(\(c.patchSize)×\(c.patchSize) → \(c.dim))", outputShape: [c.patchCount, c.dim],
                parameterCount: patchWeight.count + patchBias.count),
            ModelSummary.Row(
                layer: "ClassToken + PositionEmbedding", outputShape: [tokens, c.dim],
                parameterCount: classToken.count + positionEmbedding.count),
        ]
        for (i, block) in blocks.enumerated() {
            rows.append(.init(
                layer: "EncoderBlock \(i) (\(c.heads) heads, MLP \(c.mlpDim))", outputShape: [tokens, c.dim],
                parameterCount: block.parameterCount))
        }
        rows.append(.init(layer: "LayerNorm(\(c.dim))", outputShape: [tokens, c.dim], parameterCount: 2 * c.dim))
        rows.append(.init(
            layer: "Head(class token → \(c.classes))", outputShape: [c.classes],
            parameterCount: headWeight.count + headBias.count))
        return ModelSummary(inputShape: [c.channels, c.imageSize, c.imageSize], rows: rows)
    }
}

extension DecoderTransformer {
    /// Embeddings, each decoder block, the final norm and the head, for a full context of `blockSize` tokens.
    public func summary() -> ModelSummary {
        let c = configuration
        let t = c.blockSize
        var rows = [
            ModelSummary.Row(
                layer: "TokenEmbedding(\(c.vocabularySize), \(c.dim)) + PositionEmbedding(\(t), \(c.dim))",
                outputShape: [t, c.dim], parameterCount: tokenEmbedding.count + positionEmbedding.count),
        ]
        for (i, block) in blocks.enumerated() {
            rows.append(.init(
                layer: "DecoderBlock \(i) (\(c.heads) heads, FFN \(c.ffnMultiplier * c.dim))", outputShape: [t, c.dim],
                parameterCount: block.parameterCount))
        }
        rows.append(.init(layer: "LayerNorm(\(c.dim))", outputShape: [t, c.dim], parameterCount: 2 * c.dim))
        rows.append(.init(
            layer: "Head(\(c.dim) → \(c.vocabularySize))", outputShape: [t, c.vocabularySize],
            parameterCount: headWeight.count + headBias.count))
        return ModelSummary(inputShape: [t], rows: rows)
    }
}
