// The `sweep` section of a spec: a grid of values and/or random ranges for any key path. Trials are the base
// spec with the sweep removed and one combination of values set, exactly as `--set` would set them.

import Foundation
import Models

/// Trials to run instead of one spec: `{"grid": {"optimizer.momentum": [0.1, 0.5, 0.9]}}` or
/// `{"random": {"optimizer.lr": {"min": 1e-4, "max": 1e-1, "log": true}}, "trials": 20}`.
struct SweepSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case grid, random, trials, seed, parallel
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
        if trialCount > Self.maximumTrials {
            diagnostics.report(path, "expands to \(trialCount) trials, more than \(Self.maximumTrials)")
        }
    }

    /// The number of trials: grid points × random draws.
    var trialCount: Int {
        let points = grid.values.reduce(1) { $0.multipliedReportingOverflow(by: $1.count).partialValue }
        return points * (random.isEmpty ? 1 : (trials ?? 10))
    }

    /// Every trial's overrides, in order: grid keys sorted, the last varying fastest; for each grid point, the
    /// random draws in order. Draws come from one generator seeded with `seed`, keys sorted within a draw, so a
    /// draw is the same for every grid point.
    func combinations() -> [[(key: String, value: JSONValue)]] {
        var points: [[(key: String, value: JSONValue)]] = [[]]
        for key in grid.keys.sorted() {
            points = points.flatMap { point in grid[key]!.map { point + [(key, $0)] } }
        }
        guard !random.isEmpty else { return points }
        var rng = RandomGenerator(seed: seed)
        let draws = (0..<(trials ?? 10)).map { _ in
            random.keys.sorted().map { (key: $0, value: random[$0]!.draw(using: &rng)) }
        }
        return points.flatMap { point in draws.map { point + $0 } }
    }

    /// Writes every key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(grid, forKey: .grid)
        try c.encode(random, forKey: .random)
        try c.encode(trials, forKey: .trials)
        try c.encode(seed, forKey: .seed)
        try c.encode(parallel, forKey: .parallel)
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
