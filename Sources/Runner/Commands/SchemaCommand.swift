import ArgumentParser
import Foundation

/// `runner schema`: the JSON Schema of experiment specs, generated from the key declarations; with `--write`, also
/// the key tables of docs/spec.md.
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of specs; --write updates Experiments/spec.schema.json and docs/spec.md.")

    @Flag(help: "Write the schema and the key tables of docs/spec.md into the repository at --root.")
    var write = false

    @Option(help: "The repository's root folder.")
    var root = "."

    func run() throws {
        let schema = SpecSchemaWriter.document.prettyJSON
        guard write else {
            print(schema, terminator: "")
            return
        }
        let schemaPath = (root as NSString).appendingPathComponent("Experiments/spec.schema.json")
        let docsPath = (root as NSString).appendingPathComponent("docs/spec.md")
        let docs = try String(contentsOfFile: docsPath, encoding: .utf8)
        try schema.write(toFile: schemaPath, atomically: true, encoding: .utf8)
        try SpecDocsWriter.updating(docs).write(toFile: docsPath, atomically: true, encoding: .utf8)
        print("wrote \(schemaPath) and the key tables of \(docsPath)")
    }
}
