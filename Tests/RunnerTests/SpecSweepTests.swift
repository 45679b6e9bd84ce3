import Foundation
import Testing

@testable import Runner

private func document(_ sweep: String) throws(SpecError) -> SpecDocument {
    try SpecDocument(text: "{\"training\": {\"epochs\": 1}, \"sweep\": \(sweep)}")
}

@Test func aGridIsTheCartesianProductInKeyOrder() throws {
    let doc = try document("{\"grid\": {\"optimizer.lr\": [0.1, 0.01, 0.001], \"model.dropout\": [0, 0.5]}}")
    let trials = try doc.trials()
    #expect(trials.count == 6)
    // Keys sorted (model.dropout before optimizer.lr), the last one varying fastest.
    let expected: [(Double, Double)] = [(0, 0.1), (0, 0.01), (0, 0.001), (0.5, 0.1), (0.5, 0.01), (0.5, 0.001)]
    for (trial, (dropout, lr)) in zip(trials, expected) {
        guard case .mlp(let m) = trial.spec.model else { throw SpecError("not an mlp") }
        #expect(m.dropout == dropout && trial.spec.optimizer.lr == lr)
        #expect(trial.spec.sweep == nil && trial.json.objectValue?["sweep"] == nil)
        #expect(trial.json.objectValue?["training"] == doc.json.objectValue?["training"])
    }
    #expect(trials.map(\.index) == Array(0..<6))
    #expect(trials[1].label == "model.dropout=0, optimizer.lr=0.01")
    #expect(doc.spec.sweep?.parallel == 1 && doc.spec.sweep?.trials == nil)
}

@Test func noSweepIsOneTrialOfTheSpecItself() throws {
    let doc = try SpecDocument(text: "{\"training\": {\"epochs\": 1}}")
    let trials = try doc.trials()
    #expect(trials.count == 1 && trials[0].spec == doc.spec && trials[0].overrides.isEmpty)
}

@Test func gridValuesMayBeWholeSections() throws {
    let doc = try document(
        """
        {"grid": {"optimizer": [{"type": "sgd", "lr": 0.1}, {"type": "adam"}], "model.hidden": [[8], [8, 8]]}}
        """)
    let trials = try doc.trials()
    #expect(trials.map(\.spec.optimizer.kind) == [.sgd, .adam, .sgd, .adam])
    #expect(
        trials.map { if case .mlp(let m) = $0.spec.model { m.hidden } else { [] } } == [[8], [8], [8, 8], [8, 8]])
}

@Test func randomSearchIsSeededAndWithinItsRanges() throws {
    let text = """
        {"random": {"optimizer.lr": {"min": 0.001, "max": 0.1}, "training.batch_size": {"min": 4, "max": 9,
         "integer": true}}, "trials": 200, "seed": 3}
        """
    let first = try document(text).trials()
    let again = try document(text).trials()
    let other = try document(text.replacingOccurrences(of: "\"seed\": 3", with: "\"seed\": 4")).trials()
    #expect(first.count == 200)
    let rates = first.map(\.spec.optimizer.lr)
    let sizes = first.map(\.spec.training.batchSize)
    #expect(rates == again.map(\.spec.optimizer.lr) && sizes == again.map(\.spec.training.batchSize))
    #expect(rates != other.map(\.spec.optimizer.lr))
    #expect(rates.allSatisfy { (0.001...0.1).contains($0) })
    #expect(Set(sizes) == Set(4...9), "every integer of the range is drawn: \(Set(sizes).sorted())")
    // Uniform on a linear scale: about half the draws lie above the midpoint.
    let above = rates.filter { $0 > 0.0505 }.count
    #expect((70...130).contains(above), "\(above) of 200 above the midpoint")
    // Integers are written as JSON integers, as the spec requires.
    #expect(
        first[0].json.objectValue?["training"]?.objectValue?["batch_size"].map {
            if case .integer = $0 { true } else { false }
        } == true)
}

@Test func logScaleDrawsAreUniformInTheLogarithm() throws {
    let trials = try document(
        "{\"random\": {\"optimizer.lr\": {\"min\": 1e-4, \"max\": 1e-1, \"log\": true}}, \"trials\": 300}"
    ).trials()
    let exponents = trials.map { log10($0.spec.optimizer.lr) }
    #expect(exponents.allSatisfy { $0 >= -4 - 1e-12 && $0 <= -1 + 1e-12 })
    // Each decade holds about a third of the draws; a linear scale would put 90 % in the last one.
    for decade in [-4.0, -3.0, -2.0] {
        let count = exponents.filter { $0 >= decade && $0 < decade + 1 }.count
        #expect((70...130).contains(count), "decade \(decade): \(count) of 300")
    }
}

@Test func gridAndRandomCombineWithTheSameDrawsForEveryGridPoint() throws {
    let doc = try document(
        """
        {"grid": {"model.dropout": [0, 0.25]}, "random": {"optimizer.lr": {"min": 0.01, "max": 0.1}}, "trials": 3}
        """)
    let trials = try doc.trials()
    #expect(trials.count == 6 && doc.spec.sweep?.trialCount == 6)
    let rates = trials.map(\.spec.optimizer.lr)
    #expect(Array(rates[0..<3]) == Array(rates[3..<6]))
    #expect(Set(rates).count == 3)
}

@Test func randomTrialsDefaultToTen() throws {
    let doc = try document("{\"random\": {\"optimizer.lr\": {\"min\": 0.01, \"max\": 0.1}}}")
    #expect(doc.spec.sweep?.trials == 10)
    #expect(try doc.trials().count == 10)
}
