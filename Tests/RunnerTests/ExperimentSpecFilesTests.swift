import Foundation
import Testing
@testable import Runner

/// Every spec in Experiments/ must stay valid as the format evolves (validation only: no data is loaded).
@Test func everyExperimentSpecInTheRepositoryValidates() throws {
    let folder = (SpecFixtures.repositoryRoot as NSString).appendingPathComponent("Experiments")
    let specs = try FileManager.default.contentsOfDirectory(atPath: folder)
        .filter { $0.hasSuffix(".json") && $0 != "spec.schema.json" }.sorted()
    #expect(specs.count >= 20)
    for name in specs {
        let path = (folder as NSString).appendingPathComponent(name)
        #expect(throws: Never.self, "\(name)") { _ = try SpecDocument.load(path: path) }
    }
}
