// The `sweep` section of a spec: a grid of values and/or random ranges for any key path. Trials are the base
// spec with the sweep removed and one combination of values set, exactly as `--set` would set them. A refined
// random search runs in rounds, each drawing from ranges narrowed around the best trial so far.

import Foundation
import Models

/// Trials to run instead of one spec: `{"grid": {"optimizer.momentum": [0.1, 0.5, 0.9]}}` or
/// `{"random": {"optimizer.lr": {"min": 1e-4, "max": 1e-1, "log": true}}, "trials": 20}`.
typealias SweepSpec = Section<SweepKeys>

struct SweepKeys: SpecKeys {
    let grid = SpecKey(
        "grid", KeyPathMap<SweepValues>(),
        "Key path → the values to try (`{\"optimizer.lr\": [0.1, 0.01]}`); every combination is a trial.")
    let random = SpecKey(
        "random", KeyPathMap<SweepRange>(),
        "Key path → a range to draw from, once per random trial (see [ranges](#sweep-ranges)).")
    let trials = SpecKey<Int?>(
        "trials", derived: nil, becomes: "`10` with `random`", range: .positive,
        "Random draws, each combined with every grid point.")
    let seed = SpecKey("seed", 0, range: .nonNegative, "Seed of the random draws.")
    let parallel = SpecKey("parallel", 1, range: .positive, "The most trials run at once, each in its own process.")
    let refine = SpecKey<SweepRefine?>(
        "refine", nil, "Coarse-to-fine random search: rounds after the first draw around the best trial so far.")

    /// The most trials a sweep may expand to.
    static let maximumTrials = 10_000

    static let schemaRules: [String: JSONValue] = [
        "anyOf": [["required": ["grid"]], ["required": ["random"]]],
        "dependentRequired": ["trials": ["random"], "refine": ["random"]],
    ]

    static func check(_ sweep: inout SweepSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        var seen: Set<String> = []
        for (section, keys) in [("grid", Array(sweep.grid.entries.keys)), ("random", Array(sweep.random.entries.keys))]
        {
            for key in keys.sorted() {
                let place = path.appending(section).appending(entry: key)
                switch parseKeyPath(key) {
                case .failure(let problem):
                    diagnostics.report(place, "not a key path: \(problem.message)")
                case .success(let p):
                    if case .key("sweep")? = p.components.first {
                        diagnostics.report(place, "a sweep cannot change the sweep itself")
                    } else if !seen.insert(key).inserted {
                        diagnostics.report(place, "\(quoteJSONString(key)) is swept twice (in grid and random)")
                    }
                }
            }
        }
        if sweep.grid.entries.isEmpty && sweep.random.entries.isEmpty && !diagnostics.hasIssues(under: path) {
            diagnostics.report(path, "expected \"grid\" or \"random\" with at least one key path")
        }
        let isRandom = !sweep.random.entries.isEmpty
        if sweep.trials != nil && !isRandom {
            diagnostics.report(
                path.appending("trials"), "only random search has trials; give \"random\" ranges or remove \"trials\"")
        }
        if isRandom { sweep.trials = sweep.trials ?? 10 }
        if sweep.refine != nil && !isRandom {
            diagnostics.report(
                path.appending("refine"),
                "only random search can be refined; give \"random\" ranges or remove \"refine\"")
        }
        if sweep.trialCount > maximumTrials {
            let count =
                sweep.trialCount == Int.max ? "more trials than an integer can count" : "\(sweep.trialCount) trials"
            diagnostics.report(path, "expands to \(count); at most \(maximumTrials)")
        }
    }
}

extension Section where Keys == SweepKeys {
    /// The number of trials of one round: grid points × random draws; `Int.max` when that is more than an integer
    /// counts (so that it is over any limit).
    var roundTrialCount: Int {
        let draws = self.random.entries.isEmpty ? 1 : (self.trials ?? 10)
        return Int.exactProduct(self.grid.entries.values.map(\.values.count) + [draws]) ?? Int.max
    }

    /// The number of trials over every round (one round unless `refine`); `Int.max` when too many to count.
    var trialCount: Int { Int.exactProduct(roundTrialCount, self.refine?.rounds ?? 1) ?? Int.max }

    /// Every trial's overrides, in order: grid keys sorted, the last varying fastest; for each grid point, the
    /// random draws in order. Draws come from one generator seeded with `seed + round - 1` (round 1: `seed`),
    /// keys sorted within a draw, so a draw is the same for every grid point. `ranges` replaces `random` (a
    /// refined round's narrowed ranges).
    func combinations(round: Int = 1, ranges: [String: SweepRange]? = nil) -> [[(key: String, value: JSONValue)]] {
        var points: [[(key: String, value: JSONValue)]] = [[]]
        for key in self.grid.entries.keys.sorted() {
            points = points.flatMap { point in self.grid.entries[key]!.values.map { point + [(key, $0)] } }
        }
        let ranges = ranges ?? self.random.entries
        guard !ranges.isEmpty else { return points }
        var rng = RandomGenerator(seed: UInt64(self.seed) &+ UInt64(Swift.max(0, round - 1)))
        let draws = (0..<(self.trials ?? 10)).map { _ in
            ranges.keys.sorted().map { (key: $0, value: ranges[$0]!.draw(using: &rng)) }
        }
        return points.flatMap { point in draws.map { point + $0 } }
    }

    /// The ranges of round `round` (from 1) of a refined search: `random` itself in round 1; later, each range
    /// narrowed by `refine.shrink^(round - 1)` around the best trial's value for its key (`best`, key path →
    /// value; a key without a numeric value keeps its range). See `SweepRange.narrowed`.
    func ranges(round: Int, best: [String: JSONValue]) -> [String: SweepRange] {
        guard round > 1, let refine = self.refine else { return self.random.entries }
        let factor = Foundation.pow(refine.shrink, Double(round - 1))
        var ranges = self.random.entries
        for (key, range) in self.random.entries {
            if let center = best[key]?.doubleValue { ranges[key] = range.narrowed(around: center, by: factor) }
        }
        return ranges
    }

}

/// The values a grid tries for one key path: a non-empty array of any JSON values.
struct SweepValues: SpecValue {
    var values: [JSONValue]

    init?(json: JSONValue) {
        guard case .array(let items) = json, !items.isEmpty else { return nil }
        values = items
    }

    var json: JSONValue { .array(values) }

    static func expected(range: NumberRange?) -> String { "a non-empty array of values" }
    static func schema(range: NumberRange?) -> [String: JSONValue] { ["type": "array", "minItems": 1] }
}

/// An object whose keys are chosen by the user (a sweep's key paths), each holding a `Value`; entries are read at
/// their own paths (`$.sweep.grid["optimizer.lr"]`).
struct KeyPathMap<Value: SpecValue>: SpecValue {
    var entries: [String: Value] = [:]

    init() {}

    init?(json: JSONValue) {
        guard let members = json.objectValue else { return nil }
        for (key, value) in members {
            guard let v = Value(json: value) else { return nil }
            entries[key] = v
        }
    }

    var json: JSONValue { .object(entries.mapValues(\.json)) }

    /// The value for key path `key`.
    subscript(key: String) -> Value? { entries[key] }

    static func read(
        _ json: JSONValue, at path: SpecPath, range: NumberRange?, _ diagnostics: SpecDiagnostics
    )
        -> Self?
    {
        guard let members = json.objectValue else {
            diagnostics.report(path, "expected an object, got \(json.excerpt())")
            return nil
        }
        if members.isEmpty {
            diagnostics.report(path, "expected at least one key path, got {}; leave the key out instead")
            return nil
        }
        var map = Self()
        for key in members.keys.sorted() {
            if let value = Value.read(members[key]!, at: path.appending(entry: key), range: range, diagnostics) {
                map.entries[key] = value
            }
        }
        return map
    }

    static func expected(range: NumberRange?) -> String { "an object" }
    static func schema(range: NumberRange?) -> [String: JSONValue] {
        ["type": "object", "additionalProperties": .object(Value.schema(range: range))]
    }
}

/// Coarse-to-fine random search (`sweep.refine`): round 1 draws `trials` points from the `random` ranges; each
/// later round draws `trials` new points from the ranges narrowed around the best trial so far.
typealias SweepRefine = Section<SweepRefineKeys>

struct SweepRefineKeys: SpecKeys {
    /// What picks the best trial: a final validation metric of its `summary.json`.
    enum Metric: String, SpecChoice {
        case validationAccuracy = "validation_accuracy"
        case validationLoss = "validation_loss"

        /// The key under `metrics.validation` of a run's `summary.json`.
        var summaryKey: String { self == .validationAccuracy ? "accuracy" : "loss" }
        /// Whether a larger value is better (accuracy) or a smaller one (loss).
        var higherIsBetter: Bool { self == .validationAccuracy }
    }

    let rounds = SpecKey("rounds", 2, range: .atLeast(2), "Rounds of search, the first one included.")
    let shrink = SpecKey(
        "shrink", 0.5, range: .openFraction,
        "Each round multiplies every range's width (log width for `log` ranges) by this.")
    let metric = SpecKey("metric", Metric.validationAccuracy, "The final metric that picks the best trial.")
}

/// A range a random search draws from: uniform in [min, max], or log-uniform (`log`), rounded to an integer
/// (`integer`, then uniform over the integers of the range).
typealias SweepRange = Section<SweepRangeKeys>

struct SweepRangeKeys: SpecKeys {
    let min = SpecKey<Double>("min", required: "the smallest value, a number", "The smallest value (> 0 with `log`).")
    let max = SpecKey<Double>("max", required: "the largest value, a number", "The largest value, ≥ `min`.")
    let log = SpecKey("log", false, "Draw log(value) uniformly, for scale parameters such as a learning rate.")
    let integer = SpecKey("integer", false, "Draw whole numbers, for sizes and counts.")

    /// The largest magnitude of an integer range's bounds: every whole number up to it is a `Double` exactly.
    static let largestInteger = 9_007_199_254_740_992.0

    static func check(_ range: inout SweepRange, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        guard !diagnostics.hasIssues(under: path) else { return }
        if !(range.max - range.min).isFinite {
            diagnostics.report(
                path.appending("max"),
                "the range [\(formatNumber(range.min)), \(formatNumber(range.max))] is wider than the largest number")
        } else if range.integer && Swift.max(-range.min, range.max) > largestInteger {
            diagnostics.report(
                path.appending(-range.min > range.max ? "min" : "max"),
                "an integer range lies within ±2^53 (\(Int(largestInteger)), the integers a draw keeps exactly), got "
                    + "[\(formatNumber(range.min)), \(formatNumber(range.max))]")
        } else if range.min > range.max {
            diagnostics.report(
                path.appending("max"), "\(formatNumber(range.max)) is below min \(formatNumber(range.min))")
        } else if range.log && range.min <= 0 {
            diagnostics.report(path.appending("min"), "a log-scale range needs min > 0, got \(formatNumber(range.min))")
        } else if range.integer && range.min.rounded(.up) > range.max.rounded(.down) {
            diagnostics.report(
                path.appending("max"), "no integer lies in [\(formatNumber(range.min)), \(formatNumber(range.max))]")
        }
    }
}

extension Section where Keys == SweepRangeKeys {
    /// A range with the given bounds and scale.
    init(min: Double, max: Double, log: Bool = false, integer: Bool = false) {
        self.init(values: ["min": min.json, "max": max.json, "log": .bool(log), "integer": .bool(integer)])
    }

    /// The range re-centred on `center` with its width multiplied by `factor` (the width of log(value) for a `log`
    /// range), then clamped to this range; an `integer` range keeps only the whole numbers inside (its bounds are
    /// rounded inwards). `center` is expected inside the range (a value drawn from it).
    func narrowed(around center: Double, by factor: Double) -> SweepRange {
        let half = factor / 2
        var low: Double
        var high: Double
        if self.log {
            let c = Foundation.log(center)
            let width = Foundation.log(self.max) - Foundation.log(self.min)
            (low, high) = (Foundation.exp(c - half * width), Foundation.exp(c + half * width))
        } else {
            (low, high) = (center - half * (self.max - self.min), center + half * (self.max - self.min))
        }
        (low, high) = (Swift.min(Swift.max(low, self.min), self.max), Swift.max(Swift.min(high, self.max), self.min))
        if self.integer {
            let whole = (low.rounded(.up), high.rounded(.down))
            if whole.0 <= whole.1 { (low, high) = whole }
        }
        return SweepRange(min: low, max: high, log: self.log, integer: self.integer)
    }

    /// "[0.001, 0.1] log integer": the bounds and scale, for messages.
    var summary: String {
        "[\(formatNumber(self.min)), \(formatNumber(self.max))]" + (self.log ? " log" : "")
            + (self.integer ? " integer" : "")
    }

    /// One draw: a JSON integer when `integer`, else a number.
    func draw(using rng: inout RandomGenerator) -> JSONValue {
        let u = rng.nextUniform()
        if self.integer && !self.log {
            let low = Int(self.min.rounded(.up))
            let high = Int(self.max.rounded(.down))
            return .integer(low + Swift.min(Int(u * Double(high - low + 1)), high - low))
        }
        let x =
            self.log
            ? Foundation.exp(Foundation.log(self.min) + u * (Foundation.log(self.max) - Foundation.log(self.min)))
            : self.min + u * (self.max - self.min)
        guard self.integer else { return .number(x) }
        let low = self.min.rounded(.up)
        let high = self.max.rounded(.down)
        return .integer(Int(Swift.min(Swift.max(x.rounded(), low), high)))
    }

}
