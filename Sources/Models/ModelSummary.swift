import Autograd

/// A printable table of a model's layers, output shapes (per example) and parameter counts, like Keras's
/// `model.summary()`.
public struct ModelSummary: CustomStringConvertible, Sendable {
    public struct Row: Sendable {
        /// The layer's name and description, e.g. `3  Conv2d(16, 32, 3, stride=1, padding=1)`.
        public var layer: String
        /// The output shape per example; nil where the row does not map a tensor to a tensor by itself (a class
        /// token, a block of a model that is not a `Sequential`).
        public var outputShape: [Int]?
        public var parameterCount: Int

        public init(layer: String, outputShape: [Int]?, parameterCount: Int) {
            self.layer = layer
            self.outputShape = outputShape
            self.parameterCount = parameterCount
        }
    }

    public var inputShape: [Int]
    public var outputShape: [Int]
    public var rows: [Row]

    public init(inputShape: [Int], outputShape: [Int], rows: [Row]) {
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.rows = rows
    }

    /// The summary of `model` for examples of shape `inputShape`: one row per layer of a `Sequential` (a
    /// residual block's layers indented under it, fused chains marked), else one row per parameter and per child
    /// module with parameters. Throws when the model cannot take the input.
    public init(_ model: any Layer, inputShape: [Int]) throws(ShapeError) {
        let output = try model.outputShape(for: inputShape)
        var rows: [Row] = []
        if let sequential = model as? Sequential {
            try Self.appendRows(of: sequential, input: inputShape, indent: "", to: &rows)
        } else {
            rows = Self.entryRows(of: model)
        }
        self.init(inputShape: inputShape, outputShape: output, rows: rows)
    }

    /// The summary of a module that is not one layer (an encoder–decoder's input is two sequences): a row per
    /// parameter and child, by name, without shapes between them.
    public init(_ module: any Module, inputShape: [Int], outputShape: [Int]) {
        self.init(inputShape: inputShape, outputShape: outputShape, rows: Self.entryRows(of: module))
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
        of sequential: Sequential, input: [Int], indent: String, to rows: inout [Row]
    ) throws(ShapeError) {
        let shapes = try sequential.outputShapes(for: input)
        var fusedUntil = -1
        var fusedName = ""
        for (i, layer) in sequential.layers.enumerated() {
            if i > fusedUntil, let fused = sequential.fusion.match(sequential.layers, at: i) {
                (fusedUntil, fusedName) = (i + fused.count - 1, fused.name)
            }
            let mark = i <= fusedUntil ? "  [fused: \(fusedName)]" : ""
            rows.append(
                Row(
                    layer: "\(indent)\(i)  \(layer)\(mark)", outputShape: shapes[i],
                    parameterCount: layer.parameterCount))
            if let residual = layer as? Residual {
                try appendRows(
                    of: residual.body, input: i == 0 ? input : shapes[i - 1], indent: indent + "  ", to: &rows)
                if let shortcut = residual.shortcut {
                    rows.append(
                        Row(
                            layer: "\(indent)  shortcut  \(shortcut)", outputShape: shapes[i],
                            parameterCount: shortcut.parameterCount))
                }
            }
        }
    }

    /// Every parameter of the model once: nested rows (a residual block's) are already counted in their block.
    public var totalParameterCount: Int {
        rows.filter { !$0.layer.hasPrefix(" ") }.reduce(0) { $0 + $1.parameterCount }
    }

    public var description: String {
        let header = ("Layer", "Output shape", "Params")
        let cells = rows.map { ($0.layer, $0.outputShape.map { "\($0)" } ?? "", "\($0.parameterCount)") }
        let w0 = max(header.0.count, cells.map(\.0.count).max() ?? 0)
        let w1 = max(header.1.count, cells.map(\.1.count).max() ?? 0)
        let w2 = max(header.2.count, cells.map(\.2.count).max() ?? 0, "\(totalParameterCount)".count)
        func line(_ a: String, _ b: String, _ c: String) -> String {
            a.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                + b.padding(toLength: w1, withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: w2 - c.count) + c
        }
        let rule = String(repeating: "─", count: w0 + w1 + w2 + 4)
        var lines = ["Input shape \(inputShape)", line(header.0, header.1, header.2), rule]
        lines += cells.map { line($0.0, $0.1, $0.2) }
        lines += [rule, line("Total", "\(outputShape)", "\(totalParameterCount)")]
        return lines.joined(separator: "\n")
    }
}
