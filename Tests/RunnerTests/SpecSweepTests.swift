import Foundation
import Models
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
        #expect(trial.spec.model.dropout == dropout && trial.spec.optimizer.lr == lr)
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
    #expect(trials.map(\.spec.optimizer.type) == [.sgd, .adam, .sgd, .adam])
    #expect(trials.map(\.spec.model.hidden) == [[8], [8], [8, 8], [8, 8]])
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

// MARK: Coarse-to-fine random search (`sweep.refine`)

/// Whether `a` and `b` agree to a relative 1e-9.
private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300) }

@Test func aLinearRangeNarrowsAroundTheCentreAndIsClampedToItsBounds() {
    let range = SweepRange(min: 0, max: 8)
    #expect(range.narrowed(around: 5, by: 0.5) == SweepRange(min: 3, max: 7))
    #expect(range.narrowed(around: 5, by: 0.25) == SweepRange(min: 4, max: 6))
    #expect(range.narrowed(around: 7, by: 0.5) == SweepRange(min: 5, max: 8))
    #expect(range.narrowed(around: 0.5, by: 0.5) == SweepRange(min: 0, max: 2.5))
}

@Test func aLogRangeNarrowsInTheLogarithm() {
    // Three decades; half of them (1.5) around 1e-2 is [10^-2.75, 10^-1.25].
    let range = SweepRange(min: 1e-4, max: 1e-1, log: true)
    let middle = range.narrowed(around: 1e-2, by: 0.5)
    #expect(close(middle.min, pow(10, -2.75)) && close(middle.max, pow(10, -1.25)) && middle.log)
    #expect(close(middle.min, 0.0017782794100389228) && close(middle.max, 0.05623413251903491))
    let top = range.narrowed(around: 1e-1, by: 0.5)
    #expect(close(top.min, pow(10, -1.75)) && top.max == 1e-1)
    let bottom = range.narrowed(around: 1e-4, by: 0.5)
    #expect(bottom.min == 1e-4 && close(bottom.max, pow(10, -3.25)))
}

@Test func anIntegerRangeStaysIntegerWithWholeBounds() {
    let range = SweepRange(min: 1, max: 10, integer: true)
    // Width 9 × 0.5: [6.75, 11.25], clamped to [6.75, 10], whole numbers [7, 10].
    #expect(range.narrowed(around: 9, by: 0.5) == SweepRange(min: 7, max: 10, integer: true))
    // Width 9 × 0.25: [0.875, 3.125], clamped to [1, 3.125], whole numbers [1, 3].
    #expect(range.narrowed(around: 2, by: 0.25) == SweepRange(min: 1, max: 3, integer: true))
    // A narrow window still holds its centre.
    #expect(range.narrowed(around: 4, by: 0.05) == SweepRange(min: 4, max: 4, integer: true))
    // Log-scale integers: [1, 1024] around 32 by 0.5 is [32 / 2^2.5, 32 × 2^2.5] = [5.66, 181.02].
    let sizes = SweepRange(min: 1, max: 1024, log: true, integer: true)
    #expect(sizes.narrowed(around: 32, by: 0.5) == SweepRange(min: 6, max: 181, log: true, integer: true))
}

private let refinedSweep = """
    {"random": {"optimizer.lr": {"min": 1e-4, "max": 1e-1, "log": true}, "model.dropout": {"min": 0, "max": 0.8},
     "training.batch_size": {"min": 4, "max": 64, "integer": true}}, "trials": 5, "seed": 7,
     "refine": {"rounds": 3, "shrink": 0.5}}
    """

@Test func laterRoundsDrawFromRangesNarrowedAroundTheBestTrial() throws {
    let doc = try document(refinedSweep)
    let sweep = try #require(doc.spec.sweep)
    var expected = SweepRefine()
    expected.rounds = 3
    #expect(sweep.refine == expected)
    #expect(sweep.roundTrialCount == 5 && sweep.trialCount == 15)
    // Round 1 is the unrefined search, unchanged.
    let first = try doc.trials()
    let refineEntry = ",\n \"refine\": {\"rounds\": 3, \"shrink\": 0.5}"
    let plain = try document(refinedSweep.replacingOccurrences(of: refineEntry, with: ""))
    #expect(plain.spec.sweep?.refine == nil)
    #expect(first.map(\.json) == (try plain.trials()).map(\.json))
    #expect(first.map(\.round) == [1, 1, 1, 1, 1] && first.map(\.index) == Array(0..<5))

    let best: [String: JSONValue] = [
        "optimizer.lr": .number(0.01), "model.dropout": .number(0.4),
        "training.batch_size": .integer(16),
    ]
    // Round 3 narrows by 0.5² = 0.25: lr 0.75 decades around 1e-2, dropout 0.2 wide, batch size 15 wide.
    let round3 = try doc.refinedRound(3, best: best)
    let lr = try #require(round3.ranges["optimizer.lr"])
    #expect(close(lr.min, pow(10, -2.375)) && close(lr.max, pow(10, -1.625)) && lr.log)
    let dropout = try #require(round3.ranges["model.dropout"])
    #expect(close(dropout.min, 0.3) && close(dropout.max, 0.5) && !dropout.log)
    #expect(round3.ranges["training.batch_size"] == SweepRange(min: 9, max: 23, integer: true))
    // Indices continue across rounds; every draw lies inside the narrowed ranges.
    #expect(round3.trials.map(\.index) == Array(10..<15) && round3.trials.allSatisfy { $0.round == 3 })
    for trial in round3.trials {
        #expect(lr.min...lr.max ~= trial.spec.optimizer.lr)
        #expect(dropout.min...dropout.max ~= trial.spec.model.dropout)
        #expect((9...23).contains(trial.spec.training.batchSize))
        #expect(trial.values["training.batch_size"]?.intValue == trial.spec.training.batchSize)
    }
    // Seeded by round: the same call gives the same draws, another round other draws.
    #expect(try doc.refinedRound(3, best: best).trials.map(\.json) == round3.trials.map(\.json))
    let round2 = try doc.refinedRound(2, best: best)
    #expect(round2.trials.map(\.index) == Array(5..<10))
    #expect(round2.trials.map(\.spec.optimizer.lr) != round3.trials.map(\.spec.optimizer.lr))
    let lr2 = try #require(round2.ranges["optimizer.lr"])
    #expect(close(lr2.min, pow(10, -2.75)) && close(lr2.max, pow(10, -1.25)))
}

@Test func refineDefaultsAndRejections() throws {
    let doc = try document("{\"random\": {\"optimizer.lr\": {\"min\": 0.01, \"max\": 0.1}}, \"refine\": {}}")
    #expect(doc.spec.sweep?.refine == SweepRefine())
    #expect(SweepRefine().rounds == 2 && SweepRefine().shrink == 0.5 && SweepRefine().metric == .validationAccuracy)
    let cases: [(String, String)] = [
        (
            "{\"grid\": {\"seed\": [1, 2]}, \"refine\": {}}",
            "$.sweep.refine: only random search can be refined; give \"random\" ranges or remove \"refine\""
        ),
        (
            "{\"random\": {\"optimizer.lr\": {\"min\": 0.01, \"max\": 0.1}}, \"refine\": {\"shrink\": 1}}",
            "$.sweep.refine.shrink: expected a number in (0, 1), got 1"
        ),
        (
            "{\"random\": {\"optimizer.lr\": {\"min\": 0.01, \"max\": 0.1}}, \"refine\": {\"shrink\": 0}}",
            "$.sweep.refine.shrink: expected a number in (0, 1), got 0"
        ),
        (
            "{\"random\": {\"optimizer.lr\": {\"min\": 0.01, \"max\": 0.1}}, \"refine\": {\"rounds\": 1}}",
            "$.sweep.refine.rounds: expected an integer ≥ 2, got 1"
        ),
        (
            "{\"random\": {\"optimizer.lr\": {\"min\": 0.01, \"max\": 0.1}}, \"refine\": {\"metric\": \"test_loss\"}}",
            "$.sweep.refine.metric: expected one of \"validation_accuracy\", \"validation_loss\", got \"test_loss\""
        ),
        (
            "{\"random\": {\"optimizer.lr\": {\"min\": 0.01, \"max\": 0.1}}, \"trials\": 5000, "
                + "\"refine\": {\"rounds\": 3}}",
            "$.sweep: expands to 15000 trials; at most 10000"
        ),
    ]
    for (sweep, expected) in cases {
        let message = SpecFixtures.rejection("{\"training\": {\"epochs\": 1}, \"sweep\": \(sweep)}")
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
    }
}
