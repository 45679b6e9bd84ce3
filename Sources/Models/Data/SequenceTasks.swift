// Sequence-to-sequence tasks on digit strings, generated and seeded: the classic first exercises of an
// encoder–decoder Transformer (copy, reverse or sort a string).

/// What the target of a digit string is.
public enum SequenceTaskKind: String, Sendable, CaseIterable {
    /// The string itself.
    case copy
    /// The string backwards: 3 1 4 → 4 1 3.
    case reverse
    /// The digits in ascending order: 3 1 4 → 1 3 4.
    case sort

    /// The target of `source`.
    public func target(of source: [Int]) -> [Int] {
        switch self {
        case .copy: source
        case .reverse: source.reversed()
        case .sort: source.sorted()
        }
    }
}

/// Source and target strings of one length over the digits 0..<`digits`, and the start token `digits` that
/// begins every decoder input: the vocabulary is `digits + 1` tokens shared by both sides.
public struct SequencePairs: Sendable {
    public let kind: SequenceTaskKind
    /// Each of `count` strings of `length` digits.
    public let sources: [[Int]]
    public let targets: [[Int]]
    public let digits: Int

    public init(kind: SequenceTaskKind, sources: [[Int]], digits: Int) {
        precondition(digits >= 1, "SequencePairs: digits must be positive, got \(digits)")
        precondition(
            sources.allSatisfy { $0.count == sources.first?.count && $0.allSatisfy { (0..<digits).contains($0) } },
            "SequencePairs: every source must have one length and hold digits in 0..<\(digits)")
        (self.kind, self.sources, self.digits) = (kind, sources, digits)
        targets = sources.map(kind.target)
    }

    /// `count` strings of `length` digits, each digit uniform in 0..<`digits`, drawn from a generator seeded
    /// with `seed`.
    public static func generate(
        _ kind: SequenceTaskKind, count: Int, length: Int, digits: Int = 10, seed: UInt64
    ) -> SequencePairs {
        precondition(count >= 1 && length >= 1, "SequencePairs: count \(count) and length \(length) must be ≥ 1")
        var rng = RandomGenerator(seed: seed)
        let sources = (0..<count).map { _ in (0..<length).map { _ in rng.nextInt(below: digits) } }
        return SequencePairs(kind: kind, sources: sources, digits: digits)
    }

    public var count: Int { sources.count }
    /// The length of every string.
    public var length: Int { sources.first?.count ?? 0 }
    /// The token that starts every decoder input.
    public var startToken: Int { digits }
    /// The tokens of both sides: the digits and the start token.
    public var vocabularySize: Int { digits + 1 }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> SequencePairs {
        SequencePairs(kind: kind, sources: indices.map { sources[$0] }, digits: digits)
    }

    /// A teacher-forced batch of the examples at `indices`: the sources (B·S ids), the decoder inputs
    /// [start, y₀, …, y_{T−2}] and the labels [y₀, …, y_{T−1}] (B·T ids each), row-major.
    public func batch(_ indices: [Int]) -> (source: [Int], target: [Int], labels: [Int]) {
        let labels = indices.flatMap { targets[$0] }
        let target = indices.flatMap { [startToken] + targets[$0].dropLast() }
        return (indices.flatMap { sources[$0] }, target, labels)
    }
}
