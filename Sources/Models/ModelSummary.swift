import Autograd

/// A printable table of a model's layers, output shapes (per example), parameter counts, multiply-adds and
/// receptive fields, like Keras's `model.summary()` with the columns of a course's shape exercises.
public struct ModelSummary: CustomStringConvertible, Sendable {
    public struct Row: Sendable {
        /// The layer's name and description, e.g. `3  Conv2d(16, 32, 3, stride=1, padding=1)`.
        public var layer: String
        /// The output shape per example; nil where the row does not map a tensor to a tensor by itself (a class
        /// token, a block of a model that is not a `Sequential`).
        public var outputShape: [Int]?
        public var parameterCount: Int
        /// The multiply-adds of the row's forward pass for one example (`MultiplyAddCounting`); nil when unknown.
        public var multiplyAdds: Int?
        /// The input region one output position of this row depends on; nil for inputs without spatial axes and
        /// where it is not known.
        public var receptiveField: ReceptiveField?

        public init(
            layer: String, outputShape: [Int]?, parameterCount: Int, multiplyAdds: Int? = nil,
            receptiveField: ReceptiveField? = nil
        ) {
            (self.layer, self.outputShape, self.parameterCount) = (layer, outputShape, parameterCount)
            (self.multiplyAdds, self.receptiveField) = (multiplyAdds, receptiveField)
        }
    }

    public var inputShape: [Int]
    public var outputShape: [Int]
    public var rows: [Row]
    /// The whole model's multiply-adds for one example; nil when a part is not known.
    public var totalMultiplyAdds: Int?

    public init(inputShape: [Int], outputShape: [Int], rows: [Row], totalMultiplyAdds: Int? = nil) {
        (self.inputShape, self.outputShape, self.rows) = (inputShape, outputShape, rows)
        self.totalMultiplyAdds = totalMultiplyAdds
    }

    /// The summary of `model` for examples of shape `inputShape`: one row per link of a `LayerChain` (a
    /// `Sequential`'s layers, a `ResNet`'s stem, blocks and head; a residual block's layers indented under it,
    /// fused chains marked) with its output shape, multiply-adds and, for inputs with spatial axes, receptive
    /// field; the rows a `SummaryRowsDescribing` model gives (the Transformers: embeddings, blocks with their parts
    /// indented, head); else one row per parameter and per child module with parameters. Throws when the model
    /// cannot take the input.
    public init(_ model: any Layer, inputShape: [Int]) throws(ShapeError) {
        let output = try model.outputShape(for: inputShape)
        var rows: [Row] = []
        if let chain = model as? any LayerChain {
            // Examples (C, H, W) or (C, L) have positions; a table's features do not.
            let field: ReceptiveField? = inputShape.count >= 2 ? .identity : nil
            try Self.appendRows(of: chain, input: inputShape, field: field, indent: "", to: &rows)
        } else if let model = model as? any SummaryRowsDescribing {
            rows = try model.summaryRows(for: inputShape)
        } else {
            rows = Self.entryRows(of: model)
        }
        self.init(
            inputShape: inputShape, outputShape: output, rows: rows,
            totalMultiplyAdds: multiplyAdds(of: model, for: inputShape))
    }

    /// The summary of an encoder–decoder for a source of S tokens and a decoder input of T (input shape (S, T)):
    /// the encoder's rows over S, the decoder's over T. Throws when a length exceeds the model's.
    public init(_ model: Seq2SeqTransformer, sourceLength s: Int, targetLength t: Int) throws(ShapeError) {
        self.init(
            inputShape: [s, t], outputShape: [t, model.configuration.vocabularySize],
            rows: try model.summaryRows(for: [s, t]),
            totalMultiplyAdds: model.multiplyAdds(sourceLength: s, targetLength: t))
    }

    /// A row per direct parameter and per child module with parameters.
    private static func entryRows(of module: any Module) -> [Row] {
        module.entries.compactMap { entry in
            switch entry.value {
            case .parameter(let t):
                Row(layer: "\(entry.name)  \(t.shape)", outputShape: nil, parameterCount: t.count)
            case .module(let child) where child.parameterCount > 0:
                Row(layer: "\(entry.name)  \(child)", outputShape: nil, parameterCount: child.parameterCount)
            case .buffer, .module: nil
            }
        }
    }

    private static func appendRows(
        of chain: any LayerChain, input: [Int], field: ReceptiveField?, indent: String, to rows: inout [Row]
    ) throws(ShapeError) {
        let sequential = chain as? Sequential
        var (shape, field) = (input, field)
        var fusedUntil = -1
        var fusedName = ""
        for (i, (name, layer)) in chain.links.enumerated() {
            if let sequential, i > fusedUntil, let fused = sequential.fusion.match(sequential.layers, at: i) {
                (fusedUntil, fusedName) = (i + fused.count - 1, fused.name)
            }
            let mark = i <= fusedUntil ? "  [fused: \(fusedName)]" : ""
            let output = try layer.outputShape(for: shape)
            let fieldBefore = field
            field = field.flatMap { receptiveField(after: layer, from: $0) }
            rows.append(
                Row(
                    layer: "\(indent)\(name)  \(layer)\(mark)", outputShape: output,
                    parameterCount: layer.parameterCount, multiplyAdds: multiplyAdds(of: layer, for: shape),
                    receptiveField: field))
            if let residual = layer as? Residual {
                try appendRows(of: residual.body, input: shape, field: fieldBefore, indent: indent + "  ", to: &rows)
                if let shortcut = residual.shortcut {
                    rows.append(
                        Row(
                            layer: "\(indent)  shortcut  \(shortcut)", outputShape: output,
                            parameterCount: shortcut.parameterCount,
                            multiplyAdds: multiplyAdds(of: shortcut, for: shape),
                            receptiveField: fieldBefore.flatMap { receptiveField(after: shortcut, from: $0) }))
                }
            }
            shape = output
        }
    }

    /// The rows of the model itself, not those nested in a residual block (which are counted in their block).
    private var topRows: [Row] { rows.filter { !$0.layer.hasPrefix(" ") } }

    /// Every parameter of the model once.
    public var totalParameterCount: Int { topRows.reduce(0) { $0 + $1.parameterCount } }

    public var description: String {
        let showsFields = rows.contains { $0.receptiveField != nil }
        let header = ["Layer", "Output shape", "Params", "MACs"] + (showsFields ? ["RF"] : [])
        func cells(_ row: Row) -> [String] {
            [row.layer, row.outputShape.map { "\($0)" } ?? "", "\(row.parameterCount)"]
                + [row.multiplyAdds.map(String.init) ?? ""]
                + (showsFields ? [row.receptiveField.map(\.description) ?? ""] : [])
        }
        let table = rows.map(cells)
        let total =
            ["Total", "\(outputShape)", "\(totalParameterCount)", totalMultiplyAdds.map(String.init) ?? "?"]
            + (showsFields ? [""] : [])
        let widths = header.indices.map { c in ([header[c], total[c]] + table.map { $0[c] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c < 2 ? cell + pad : pad + cell  // names and shapes left, numbers right
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var lines = ["Input shape \(inputShape)", line(header), rule]
        lines += table.map(line)
        lines += [rule, line(total)]
        if totalMultiplyAdds == nil { lines.append("MACs: ? — a layer's multiply-adds are not known") }
        return lines.joined(separator: "\n")
    }
}

/// A model whose forward pass applies named layers one after the other, each to the previous one's output, so that
/// a summary can show each link's output shape, multiply-adds and receptive field.
public protocol LayerChain {
    /// The layers in the order the forward pass applies them, under their names.
    var links: [(name: String, layer: any Layer)] { get }
}

extension Sequential: LayerChain {
    /// Layer i, named `i`.
    public var links: [(name: String, layer: any Layer)] { layers.enumerated().map { ("\($0)", $1) } }
}

extension ResNet: LayerChain {
    /// torchvision's names: conv1, bn1, relu, maxpool, layer1.0 …, avgpool, fc.
    public var links: [(name: String, layer: any Layer)] {
        var links: [(name: String, layer: any Layer)] = [("conv1", conv1), ("bn1", bn1), ("relu", ReLU())]
        if let maxpool { links.append(("maxpool", maxpool)) }
        for (stage, blocks) in [layer1, layer2, layer3, layer4].enumerated() {
            links += blocks.enumerated().map { ("layer\(stage + 1).\($0)", $1) }
        }
        return links + [("avgpool", GlobalAvgPool2d()), ("fc", fc)]
    }
}
