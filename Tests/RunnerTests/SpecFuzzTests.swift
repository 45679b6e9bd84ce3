import Foundation
import Models
import Testing

@testable import Runner

// A seeded fuzzer of the spec reader: every committed spec, its values replaced one or a few at a time by hostile
// ones (huge and negative numbers, wrong types, long strings, paths, control characters, deep nesting), keys
// dropped and foreign keys added. Each mutant must validate or be refused with a SpecError — never trap — and its
// trials (for sweeps) too. Fixed seeds: the same mutants on every run.

/// Values that have broken readers: extremes of each JSON type and of what specs count.
private let hostileValues: [JSONValue] = [
    .null, .bool(true), .bool(false), .integer(0), .integer(-1), .integer(1), .integer(Int.max), .integer(Int.min),
    .integer(1 << 62), .integer(1 << 40), .integer(1_000_000_000_000), .number(-0.0), .number(0.5), .number(1e308),
    .number(-1e308), .number(5e-324), .number(1e-300), .string(""), .string("x"), .string("../../etc"),
    .string("/absolute"), .string("a\u{0}b"), .string("\u{1B}[31mred"), .string(String(repeating: "z", count: 5000)),
    .string("sgd"), .string("relu"), .string("conv2d"), .array([]), .array([.integer(1), .string("2")]),
    .array([.integer(Int.max), .integer(Int.max)]), .object([:]), .object(["type": .string("linear")]),
    .object(["min": .number(0), "max": .number(1e308), "log": .bool(true)]),
]

/// `json` with the value at a random position (a member of an object or an element of an array, at any depth)
/// replaced, removed, or given a foreign sibling.
private func mutate(_ json: JSONValue, _ rng: inout RandomGenerator) -> JSONValue {
    func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    switch json {
    case .object(var members) where !members.isEmpty:
        let key = pick(members.keys.sorted())
        switch rng.next() % 6 {
        case 0: members[key] = pick(hostileValues)
        case 1: members[key] = nil
        case 2: members["unknown_\(rng.next() % 100)"] = pick(hostileValues)
        default: members[key] = mutate(members[key]!, &rng)
        }
        return .object(members)
    case .array(var elements) where !elements.isEmpty:
        let i = Int(rng.next() % UInt64(elements.count))
        switch rng.next() % 4 {
        case 0: elements[i] = pick(hostileValues)
        case 1: elements.remove(at: i)
        case 2: elements.append(pick(hostileValues))
        default: elements[i] = mutate(elements[i], &rng)
        }
        return .array(elements)
    default:
        return pick(hostileValues)
    }
}

@Test func mutatedSpecsAreValidatedOrRefusedNeverTrapped() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Experiments")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        .filter { $0.hasSuffix(".json") && $0 != "spec.schema.json" }.sorted()
    #expect(names.count >= 20)
    var rng = RandomGenerator(seed: 2026)
    var (accepted, refused) = (0, 0)
    for name in names {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        let original = try JSONParser.parse(text)
        for _ in 0..<60 {
            var json = original
            for _ in 0...(rng.next() % 3) { json = mutate(json, &rng) }
            do {
                let document = try SpecDocument(json: json, source: name, overrides: [], defaultName: "fuzz")
                _ = try document.trials()
                accepted += 1
            } catch {
                #expect(!"\(error)".isEmpty)
                refused += 1
            }
        }
    }
    // Both kinds happen: the fuzzer reaches past the first check.
    #expect(accepted > 50 && refused > 500, "accepted \(accepted), refused \(refused)")
}
