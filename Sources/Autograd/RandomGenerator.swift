import RealModule

/// A seeded pseudo-random generator whose stream is the same on every run and every machine:
/// xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it) seeded through SplitMix64.
///
/// Uniform doubles take the top 53 bits of each draw; normals use the Box–Muller transform and keep the second
/// value of each pair for the next call.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// A generator whose stream is fully determined by `seed`.
    /// The full state (the four xoshiro words and the pending normal), so a checkpoint can resume the exact stream.
    public struct State: Codable, Sendable, Equatable {
        public var words: [UInt64]
        public var spareNormal: Double?
    }

    public var state: State {
        get { State(words: [s.0, s.1, s.2, s.3], spareNormal: spareNormal) }
        set {
            precondition(newValue.words.count == 4, "RandomGenerator.state: needs 4 words, got \(newValue.words.count)")
            s = (newValue.words[0], newValue.words[1], newValue.words[2], newValue.words[3])
            spareNormal = newValue.spareNormal
        }
    }

    /// Decodes a saved `State`; four words, not all zero (xoshiro's one state that stays zero forever).
    public init(from decoder: Decoder) throws {
        self.init(seed: 0)
        let saved = try State(from: decoder)
        guard saved.words.count == 4, saved.words.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "holds \(saved.words.count) words; a generator's state is 4 words, not all zero"))
        }
        state = saved
    }

    public func encode(to encoder: Encoder) throws { try state.encode(to: encoder) }

    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool { a.state == b.state }

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1).
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal double (mean 0, standard deviation 1).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = 0.0
        repeat { u1 = nextUniform() } while u1 == 0
        let u2 = nextUniform()
        let radius = Double.sqrt(-2 * Double.log(u1))
        let angle = 2 * Double.pi * u2
        spareNormal = radius * Double.sin(angle)
        return radius * Double.cos(angle)
    }

    /// A uniform integer in `0..<bound`.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:): bound must be positive, got \(bound)")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A random permutation of `0..<n` (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, nextInt(below: i + 1)) }
        }
        return p
    }
}
