/// A printable table of a model's layers, output shapes (per example) and parameter counts.
public struct ModelSummary: CustomStringConvertible, Sendable {
    public struct Row: Sendable {
        public var layer: String
        public var outputShape: [Int]
        public var parameterCount: Int

        public init(layer: String, outputShape: [Int], parameterCount: Int) {
            self.layer = layer
            self.outputShape = outputShape
            self.parameterCount = parameterCount
        }
    }

    public var inputShape: [Int]
    public var rows: [Row]

    public init(inputShape: [Int], rows: [Row]) {
        self.inputShape = inputShape
        self.rows = rows
    }

    public var totalParameterCount: Int { rows.reduce(0) { $0 + $1.parameterCount } }

    public var description: String {
        let header = ("Layer", "Output shape", "Params")
        let cells = rows.map { ($0.layer, "\($0.outputShape)", "\($0.parameterCount)") }
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
        lines += [rule, line("Total", "", "\(totalParameterCount)")]
        return lines.joined(separator: "\n")
    }
}
