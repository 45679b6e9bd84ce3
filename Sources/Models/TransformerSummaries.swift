// The rows of `ModelSummary` for the Transformer models, whose forward passes are not one chain of layers: token
// and position embeddings are added, a class token joins the patches, a decoder attends to the encoder's output.

/// A model that lays out its forward pass as summary rows itself: each step's output shape (per example),
/// parameters and multiply-adds, a block's parts indented under it.
public protocol SummaryRowsDescribing {
    /// The rows for one example of shape `input`; throws when the model cannot take it.
    func summaryRows(for input: [Int]) throws(ShapeError) -> [ModelSummary.Row]
}

extension ModelSummary.Row {
    /// A row for `module` under `name` with the output shape `shape`, the multiply-adds `macs` and no receptive
    /// field.
    init(_ name: String, _ module: any Module, shape: [Int], macs: Int?, field: ReceptiveField? = nil) {
        self.init(
            layer: "\(name)  \(module)", outputShape: shape, parameterCount: module.parameterCount,
            multiplyAdds: macs, receptiveField: field)
    }
}

extension TransformerBlock {
    /// The block's row over T positions of width C (input (T, C)) and its parts indented under it: norm1,
    /// attention, norm2, mlp (the residual additions are not rows of their own). With the receptive field of the
    /// block's input positions, the rows show theirs: attention makes each position see the whole input.
    func summaryRows(named name: String, input: [Int], fieldBefore: ReceptiveField? = nil) -> [ModelSummary.Row] {
        let mixed = fieldBefore.map { _ in ReceptiveField.wholeInput }
        return [
            .init(name, self, shape: input, macs: multiplyAdds(for: input), field: mixed),
            .init("  norm1", norm1, shape: input, macs: 0, field: fieldBefore),
            .init("  attention", attention, shape: input, macs: attention.multiplyAdds(for: input), field: mixed),
            .init("  norm2", norm2, shape: input, macs: 0, field: mixed),
            .init("  mlp", mlp, shape: input, macs: mlp.multiplyAdds(for: input), field: mixed),
        ]
    }
}

extension TransformerDecoderBlock {
    /// The block's row over T target positions (input (T, C)) attending to S memory positions, and its parts
    /// indented under it: norm1, self_attention, norm2, cross_attention, norm3, mlp.
    func summaryRows(named name: String, input: [Int], sourceLength s: Int) -> [ModelSummary.Row] {
        let (t, c) = (input[0], input[1])
        return [
            .init(name, self, shape: input, macs: multiplyAdds(targetLength: t, sourceLength: s)),
            .init("  norm1", norm1, shape: input, macs: 0),
            .init("  self_attention", selfAttention, shape: input, macs: selfAttention.multiplyAdds(for: input)),
            .init("  norm2", norm2, shape: input, macs: 0),
            .init(
                "  cross_attention", crossAttention, shape: input,
                macs: MultiHeadAttention.multiplyAdds(queries: t, keys: s, dim: c)),
            .init("  norm3", norm3, shape: input, macs: 0),
            .init("  mlp", mlp, shape: input, macs: mlp.multiplyAdds(for: input)),
        ]
    }
}

extension VisionTransformer: SummaryRowsDescribing {
    /// patchify (N, P·P·C) → patch (N, D) → class_token (N+1, D) → position_embedding → blocks → norm → head on
    /// the class token (classes). A token sees its P×P patch until the first block mixes every position.
    public func summaryRows(for input: [Int]) throws(ShapeError) -> [ModelSummary.Row] {
        let output = try outputShape(for: input)
        let c = configuration
        let (n, tokens) = (c.patchCount, [c.patchCount + 1, c.dim])
        let patchField = ReceptiveField(
            height: c.patchSize, width: c.patchSize, jumpHeight: c.patchSize, jumpWidth: c.patchSize,
            isWholeInput: false)
        var rows: [ModelSummary.Row] = [
            .init(
                layer: "patchify  \(c.patchSize)×\(c.patchSize) patches", outputShape: [n, patch.inFeatures],
                parameterCount: 0, multiplyAdds: 0, receptiveField: patchField),
            .init(
                "patch", patch, shape: [n, c.dim], macs: patch.multiplyAdds(for: [n, patch.inFeatures]),
                field: patchField),
            .init(
                layer: "class_token  \(classToken.shape)", outputShape: tokens, parameterCount: classToken.count,
                multiplyAdds: 0, receptiveField: patchField),
            .init(
                layer: "position_embedding  \(positionEmbedding.shape)", outputShape: tokens,
                parameterCount: positionEmbedding.count, multiplyAdds: 0, receptiveField: patchField),
        ]
        for (i, block) in blocks.enumerated() {
            rows += block.summaryRows(
                named: "blocks.\(i)", input: tokens, fieldBefore: i == 0 ? patchField : .wholeInput)
        }
        rows.append(.init("norm", norm, shape: tokens, macs: 0, field: .wholeInput))
        rows.append(.init("head", head, shape: output, macs: head.multiplyAdds(for: [c.dim]), field: .wholeInput))
        return rows
    }
}

extension DecoderTransformer: SummaryRowsDescribing {
    /// token_embedding (T, C) + position_embedding → blocks → norm → head (T, V).
    public func summaryRows(for input: [Int]) throws(ShapeError) -> [ModelSummary.Row] {
        let output = try outputShape(for: input)
        let positions = [input[0], configuration.dim]
        var rows: [ModelSummary.Row] = [
            .init("token_embedding", tokenEmbedding, shape: positions, macs: 0),
            .init("position_embedding", positionEmbedding, shape: positions, macs: 0),
        ]
        for (i, block) in blocks.enumerated() { rows += block.summaryRows(named: "blocks.\(i)", input: positions) }
        rows.append(.init("norm", norm, shape: positions, macs: 0))
        rows.append(.init("head", head, shape: output, macs: head.multiplyAdds(for: positions)))
        return rows
    }
}

extension Seq2SeqTransformer: SummaryRowsDescribing {
    /// For a source of S tokens and a decoder input of T (input (S, T)): token_embedding + source_positions
    /// (S, C) → encoder blocks → encoder_norm; token_embedding + target_positions (T, C) → decoder blocks, each
    /// attending to the encoder's S positions → decoder_norm → head (T, V). The shared token embedding is one
    /// row, under the source.
    public func summaryRows(for input: [Int]) throws(ShapeError) -> [ModelSummary.Row] {
        let c = configuration
        guard input.count == 2, (1...c.sourceLength).contains(input[0]), (1...c.targetLength).contains(input[1])
        else {
            throw ShapeError("needs (S, T) lengths with S ≤ \(c.sourceLength) and T ≤ \(c.targetLength)")
        }
        let (source, target) = ([input[0], c.dim], [input[1], c.dim])
        var rows: [ModelSummary.Row] = [
            .init("token_embedding", tokenEmbedding, shape: source, macs: 0),
            .init("source_positions", sourcePositions, shape: source, macs: 0),
        ]
        for (i, block) in encoder.enumerated() { rows += block.summaryRows(named: "encoder.\(i)", input: source) }
        rows.append(.init("encoder_norm", encoderNorm, shape: source, macs: 0))
        rows.append(.init("target_positions", targetPositions, shape: target, macs: 0))
        for (i, block) in decoder.enumerated() {
            rows += block.summaryRows(named: "decoder.\(i)", input: target, sourceLength: input[0])
        }
        rows.append(.init("decoder_norm", decoderNorm, shape: target, macs: 0))
        rows.append(
            .init("head", head, shape: [input[1], c.vocabularySize], macs: head.multiplyAdds(for: target)))
        return rows
    }
}
