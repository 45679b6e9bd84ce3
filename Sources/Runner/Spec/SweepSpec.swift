// The `sweep` section of a spec: a grid of values and/or random ranges for any key path. Trials are the base
// spec with the sweep removed and one combination of values set, exactly as `--set` would set them. A refined
// random search runs in rounds, each drawing from ranges narrowed around the best trial so far.

import Foundation
import Models

/// Trials to run instead of one spec: `{"grid": {"optimizer.momentum": [0.1, 0.5, 0.9]}}` or
/// `{"random": {"optimizer.lr": {"min": 1e-4, "max": 1e-1, "log": true}}, "trials": 20}`.
struct SweepSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case grid, random, trials, seed, parallel, refine
    }

    /// Key path → the values to try; every combination is a trial (default none).
    var grid: [String: [JSONValue]] = [:]
    /// Key path → a range to draw from, once per random trial (default none).
    var random: [String: SweepRange] = [:]
    /// Random draws (default 10 when `random` is given; each is combined with every grid point).
    var trials: Int? = nil
    /// Seed of the random draws (default 0).
    var seed: UInt64 = 0
    /// The most trials run at once, each in its own process (default 1).
    var parallel = 1
    /// Coarse-to-fine random search: rounds after the first draw around the best trial so far (default none).
    var refine: SweepRefine? = nil

    /// The most trials a sweep may expand to.
    static let maximumTrials = 10_000

    /// Every default.
    init() {}

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let o = SpecObject<CodingKeys>(value, at: path, diagnostics)
        var paths: [String: SpecPath] = [:]
        func keyPath(_ key: String, at place: SpecPath) -> Bool {
            switch parseKeyPath(key) {
            case .failure(let problem):
                diagnostics.report(place, "not a key path: \(problem.message)")
                return false
            case .success(let p):
                if case .key("sweep")? = p.components.first {
                    diagnostics.report(place, "a sweep cannot change the sweep itself")
                    return false
                }
                if paths[key] != nil {
                    diagnostics.report(place, "\(quoteJSONString(key)) is swept twice (in grid and random)")
                    return false
                }
                paths[key] = p
                return true
            }
        }
        diagnostics.noteKeys([], at: o.path(.grid))
        for entry in o.entries(.grid) ?? [] where keyPath(entry.key, at: entry.path) {
            guard case .array(let values) = entry.value, !values.isEmpty else {
                diagnostics.report(entry.path, "expected a non-empty array of values, got \(entry.value.excerpt())")
                continue
            }
            grid[entry.key] = values
        }
        diagnostics.noteKeys([], at: o.path(.random))
        for entry in o.entries(.random) ?? [] where keyPath(entry.key, at: entry.path) {
            random[entry.key] = SweepRange(reading: entry.value, at: entry.path, diagnostics)
        }
        if grid.isEmpty && random.isEmpty && !o.has(.grid) && !o.has(.random) {
            diagnostics.report(path, "expected \"grid\" or \"random\" with at least one key path")
        }
        trials = o.optionalInt(.trials, .positive)
        if trials != nil && !o.has(.random) {
            o.report(.trials, "only random search has trials; give \"random\" ranges or remove \"trials\"")
        }
        if o.has(.random) { trials = trials ?? 10 }
        seed = UInt64(o.int(.seed, default: 0, .nonNegative))
        parallel = o.int(.parallel, default: 1, .positive)
        if let value = o.value(.refine) {
            refine = SweepRefine(reading: value, at: o.path(.refine), diagnostics)
            if !o.has(.random) {
                o.report(.refine, "only random search can be refined; give \"random\" ranges or remove \"refine\"")
            }
        }
        if trialCount > Self.maximumTrials {
            diagnostics.report(path, "expands to \(trialCount) trials, more than \(Self.maximumTrials)")
        }
    }

    /// The number of trials of one round: grid points × random draws.
    var roundTrialCount: Int {
        let points = grid.values.reduce(1) { $0.multipliedReportingOverflow(by: $1.count).partialValue }
        return points.multipliedReportingOverflow(by: random.isEmpty ? 1 : (trials ?? 10)).partialValue
    }

    /// The number of trials over every round (one round unless `refine`).
    var trialCount: Int { roundTrialCount.multipliedReportingOverflow(by: refine?.rounds ?? 1).partialValue }

    /// Every trial's overrides, in order: grid keys sorted, the last varying fastest; for each grid point, the
    /// random draws in order. Draws come from one generator seeded with `seed + round - 1` (round 1: `seed`),
    /// keys sorted within a draw, so a draw is the same for every grid point. `ranges` replaces `random` (a
    /// refined round's narrowed ranges).
    func combinations(round: Int = 1, ranges: [String: SweepRange]? = nil) -> [[(key: String, value: JSONValue)]] {
        var points: [[(key: String, value: JSONValue)]] = [[]]
        for key in grid.keys.sorted() {
            points = points.flatMap { point in grid[key]!.map { point + [(key, $0)] } }
        }
        let ranges = ranges ?? random
        guard !ranges.isEmpty else { return points }
        var rng = RandomGenerator(seed: seed &+ UInt64(Swift.max(0, round - 1)))
        let draws = (0..<(trials ?? 10)).map { _ in
            ranges.keys.sorted().map { (key: $0, value: ranges[$0]!.draw(using: &rng)) }
        }
        return points.flatMap { point in draws.map { point + $0 } }
    }

    /// The ranges of round `round` (from 1) of a refined search: `random` itself in round 1; later, each range
    /// narrowed by `refine.shrink^(round - 1)` around the best trial's value for its key (`best`, key path →
    /// value; a key without a numeric value keeps its range). See `SweepRange.narrowed`.
    func ranges(round: Int, best: [String: JSONValue]) -> [String: SweepRange] {
        guard round > 1, let refine else { return random }
        let factor = Foundation.pow(refine.shrink, Double(round - 1))
        var ranges = random
        for (key, range) in random {
            if let center = best[key]?.doubleValue { ranges[key] = range.narrowed(around: center, by: factor) }
        }
        return ranges
    }

    /// Writes every key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(grid, forKey: .grid)
        try c.encode(random, forKey: .random)
        try c.encode(trials, forKey: .trials)
        try c.encode(seed, forKey: .seed)
        try c.encode(parallel, forKey: .parallel)
        try c.encodeIfPresent(refine, forKey: .refine)
    }
}

/// Coarse-to-fine random search (`sweep.refine`): round 1 draws `trials` points from the `random` ranges; each
/// later round draws `trials` new points from the ranges narrowed around the best trial so far.
struct SweepRefine: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case rounds, shrink, metric
    }

    /// What picks the best trial: a final validation metric of its `summary.json`.
    enum Metric: String, CaseIterable, Codable, Sendable {
        case validationAccuracy = "validation_accuracy"
        case validationLoss = "validation_loss"

        /// The key under `metrics.validation` of a run's `summary.json`.
        var summaryKey: String { self == .validationAccuracy ? "accuracy" : "loss" }
        /// Whether a larger value is better (accuracy) or a smaller one (loss).
        var higherIsBetter: Bool { self == .validationAccuracy }
    }

    /// Rounds of search, the first one included (default 2, at least 2).
    var rounds = 2
    /// Each round multiplies every range's width (log width for `log` ranges) by this, in (0, 1) (default 0.5).
    var shrink = 0.5
    /// The metric that picks the best trial (default validation accuracy).
    var metric = Metric.validationAccuracy

    /// Every default.
    init() {}

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let o = SpecObject<CodingKeys>(value, at: path, diagnostics)
        rounds = o.int(.rounds, default: 2, IntRule(text: "an integer ≥ 2") { $0 >= 2 })
        shrink = o.double(.shrink, default: 0.5, .openFraction)
        metric = o.choice(.metric, default: .validationAccuracy)
    }

    /// Writes every key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rounds, forKey: .rounds)
        try c.encode(shrink, forKey: .shrink)
        try c.encode(metric, forKey: .metric)
    }
}

/// A range a random search draws from: uniform in [min, max], or log-uniform (`log`), rounded to an integer
/// (`integer`, then uniform over the integers of the range).
struct SweepRange: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case min, max, log, integer
    }

    /// The smallest value (required; > 0 with `log`).
    var min = 0.0
    /// The largest value (required, ≥ min).
    var max = 1.0
    /// Draw log(value) uniformly, for scale parameters such as a learning rate (default false).
    var log = false
    /// Draw whole numbers, for sizes and counts (default false).
    var integer = false

    /// A range with the given bounds and scale.
    init(min: Double, max: Double, log: Bool = false, integer: Bool = false) {
        (self.min, self.max, self.log, self.integer) = (min, max, log, integer)
    }

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let o = SpecObject<CodingKeys>(value, at: path, diagnostics)
        if !o.has(.min) { o.reportMissing(.min, expected: "the smallest value, a number") }
        if !o.has(.max) { o.reportMissing(.max, expected: "the largest value, a number") }
        min = o.double(.min, default: 0)
        max = o.double(.max, default: 1)
        log = o.bool(.log, default: false)
        integer = o.bool(.integer, default: false)
        guard !diagnostics.hasIssues(under: path) else { return }
        if min > max {
            o.report(.max, "\(formatNumber(max)) is below min \(formatNumber(min))")
        } else if log && min <= 0 {
            o.report(.min, "a log-scale range needs min > 0, got \(formatNumber(min))")
        } else if integer && min.rounded(.up) > max.rounded(.down) {
            o.report(.max, "no integer lies in [\(formatNumber(min)), \(formatNumber(max))]")
        }
    }

    /// The range re-centred on `center` with its width multiplied by `factor` (the width of log(value) for a `log`
    /// range), then clamped to this range; an `integer` range keeps only the whole numbers inside (its bounds are
    /// rounded inwards). `center` is expected inside the range (a value drawn from it).
    func narrowed(around center: Double, by factor: Double) -> SweepRange {
        let half = factor / 2
        var low: Double, high: Double
        if log {
            let c = Foundation.log(center), width = Foundation.log(max) - Foundation.log(min)
            (low, high) = (Foundation.exp(c - half * width), Foundation.exp(c + half * width))
        } else {
            (low, high) = (center - half * (max - min), center + half * (max - min))
        }
        (low, high) = (Swift.min(Swift.max(low, min), max), Swift.max(Swift.min(high, max), min))
        if integer {
            let whole = (low.rounded(.up), high.rounded(.down))
            if whole.0 <= whole.1 { (low, high) = whole }
        }
        return SweepRange(min: low, max: high, log: log, integer: integer)
    }

    /// "[0.001, 0.1] log integer": the bounds and scale, for messages.
    var summary: String {
        "[\(formatNumber(min)), \(formatNumber(max))]" + (log ? " log" : "") + (integer ? " integer" : "")
    }

    /// One draw: a JSON integer when `integer`, else a number.
    func draw(using rng: inout RandomGenerator) -> JSONValue {
        let u = rng.nextUniform()
        if integer && !log {
            let low = Int(min.rounded(.up))
            let high = Int(max.rounded(.down))
            return .integer(low + Swift.min(Int(u * Double(high - low + 1)), high - low))
        }
        let x =
            log
            ? Foundation.exp(Foundation.log(min) + u * (Foundation.log(max) - Foundation.log(min)))
            : min + u * (max - min)
        guard integer else { return .number(x) }
        let low = min.rounded(.up)
        let high = max.rounded(.down)
        return .integer(Int(Swift.min(Swift.max(x.rounded(), low), high)))
    }

    /// Writes every key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
        try c.encode(log, forKey: .log)
        try c.encode(integer, forKey: .integer)
    }
}
