// The key tables of docs/spec.md, generated from the key declarations.

/// Markdown tables of spec keys, and the generated blocks of a document that hold them.
enum SpecDocsWriter {
    /// The table of a section's keys: key, type, default, meaning; with a column naming the variants a key
    /// applies to when the section has variants.
    static func table<Keys: SpecKeys>(of _: Keys.Type) -> String {
        guard let variants = Keys.variants else {
            let rows = Keys.all.map { key in
                "| `\(key.name)` | \(key.documentedType) | \(key.documentedDefault(in: nil)) | \(key.meaning) |"
            }
            return (["| key | type | default | meaning |", "|---|---|---|---|"] + rows).joined(separator: "\n")
        }
        let rows = Keys.all.map { key -> String in
            let users = variants.names.filter { Keys.keys(in: $0).contains { $0.name == key.name } }
            let applies = users.count == variants.names.count ? "all" : users.map { "`\($0)`" }.joined(separator: ", ")
            let standard = users.count == 1 ? key.documentedDefault(in: users[0]) : key.documentedDefault(in: nil)
            return "| `\(key.name)` | \(applies) | \(key.documentedType) | \(standard) | \(key.meaning) |"
        }
        let header = "| key | for `\(variants.selector)` | type | default | meaning |"
        return ([header, "|---|---|---|---|---|"] + rows).joined(separator: "\n")
    }

    /// Every generated block, by name, as `<!-- keys: NAME -->` … `<!-- end keys -->` markers in docs/spec.md
    /// enclose them.
    static var blocks: [(name: String, text: String)] {
        [
            ("top level", table(of: ExperimentKeys.self)), ("data", table(of: DataKeys.self)),
            ("model", table(of: ModelKeys.self)), ("layers", LayerTypes.table),
            ("layer keys", table(of: LayerKeys.self)),
            ("initializations", table(of: InitKeys.self)),
            ("optimizer", table(of: OptimizerKeys.self)), ("schedule", table(of: ScheduleKeys.self)),
            ("training", table(of: TrainingKeys.self)), ("evaluation", table(of: EvaluationKeys.self)),
            ("outputs", table(of: OutputKeys.self)), ("sweep", table(of: SweepKeys.self)),
            ("sweep range", table(of: SweepRangeKeys.self)), ("sweep refine", table(of: SweepRefineKeys.self)),
        ]
    }

    /// `document` with each generated block replaced by the current one; throws naming a block whose markers are
    /// missing.
    static func updating(_ document: String) throws(SpecError) -> String {
        var text = document
        for (name, table) in blocks {
            let open = "<!-- keys: \(name) -->"
            let close = "<!-- end keys -->"
            guard let start = text.range(of: open),
                let end = text.range(of: close, range: start.upperBound..<text.endIndex)
            else {
                throw SpecError(source: "docs/spec.md", "no \(open) … \(close) block for the \(name) keys")
            }
            text.replaceSubrange(start.upperBound..<end.lowerBound, with: "\n" + table + "\n")
        }
        return text
    }
}
