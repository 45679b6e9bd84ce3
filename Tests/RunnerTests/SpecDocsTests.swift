import Foundation
import Models
import Testing

@testable import Runner

/// The ```json blocks of docs/spec.md: complete specs, each of which must be valid.
private func documentedSpecs() throws -> [String] {
    let path = (SpecFixtures.repositoryRoot as NSString).appendingPathComponent("docs/spec.md")
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
}

@Test func theSpecsInTheDocumentationAreValid() throws {
    let specs = try documentedSpecs()
    #expect(specs.count >= 3)
    let schema = try SpecSchema.load()
    for text in specs {
        let spec = try SpecFixtures.spec(text)
        #expect(schema.problems(try JSONParser.parse(text)).isEmpty, "\(text)")
        #expect(schema.problems(spec.resolvedJSON).isEmpty, "\(text)")
    }
}

@Test func theDocumentedErrorMessagesAreTheOnesGiven() {
    // The three-problem example of docs/spec.md, "Errors".
    let message = SpecFixtures.rejection(
        """
        {"training": {"epochs": 1, "batch_size": -5}, "optimizer": {"lrr": 0.1},
         "model": {"type": "sequential", "layers": [{"type": "flatten"}, {"type": "relu"}, {"type": "conv3d"}]}}
        """)
    let lines = message?.components(separatedBy: "\n") ?? []
    #expect(lines.count == 4)
    let expected = [
        "  $.model.layers[2].type: expected one of \"conv2d\", \"maxpool2d\",",
        "  $.optimizer.lrr: unknown key \"lrr\"; did you mean \"lr\"?",
        "  $.training.batch_size: expected a positive integer, got -5",
    ]
    for (line, start) in zip(lines.dropFirst(), expected) { #expect(line.hasPrefix(start), "\(line)") }
}
