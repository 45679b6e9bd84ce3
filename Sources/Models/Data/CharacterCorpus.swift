// A character-level text corpus for language modelling, as in nanoGPT's shakespeare_char: the vocabulary is the
// sorted set of distinct characters (Unicode scalars, as Python's `sorted(set(text))`), tokens are their
// indices, and training batches are random blocks with targets shifted by one.

/// The characters of a corpus, sorted by code point; a character's token id is its position.
public struct CharacterVocabulary: Equatable, Sendable {
    /// The distinct characters, sorted by code point.
    public let characters: [Unicode.Scalar]
    private let ids: [Unicode.Scalar: Int]

    /// The vocabulary of the distinct characters of `text`.
    public init(text: String) {
        var seen = Set<Unicode.Scalar>()
        var ascii = [Bool](repeating: false, count: 128)
        for byte in text.utf8 where byte < 128 { ascii[Int(byte)] = true }
        for (code, present) in ascii.enumerated() where present { seen.insert(Unicode.Scalar(UInt8(code))) }
        if text.utf8.contains(where: { $0 >= 128 }) {
            for scalar in text.unicodeScalars where !scalar.isASCII { seen.insert(scalar) }
        }
        self.init(characters: Array(seen))
    }

    /// A vocabulary of the given characters (sorted and deduplicated).
    public init(characters: [Unicode.Scalar]) {
        self.characters = Array(Set(characters)).sorted { $0.value < $1.value }
        ids = Dictionary(uniqueKeysWithValues: self.characters.enumerated().map { ($1, $0) })
    }

    /// The number of characters, V.
    public var count: Int { characters.count }

    /// The token id of `character`, or `nil` when it is not in the vocabulary.
    public func id(of character: Unicode.Scalar) -> Int? { ids[character] }

    /// The token ids of `text`. Throws `DatasetError.invalidFormat` for a character outside the vocabulary,
    /// naming it and its position; `source` names the text in that message.
    public func encode(_ text: String, source: String = "text") throws(DatasetError) -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(text.utf8.count)
        // ASCII, the common case, goes through a 128-entry table; -1 marks a character not in the vocabulary.
        var table = [Int](repeating: -1, count: 128)
        for (i, c) in characters.enumerated() where c.isASCII { table[Int(c.value)] = i }
        for (position, scalar) in text.unicodeScalars.enumerated() {
            let id = scalar.isASCII ? table[Int(scalar.value)] : (ids[scalar] ?? -1)
            guard id >= 0 else {
                let shown = scalar.escaped(asASCII: true)
                throw .invalidFormat(
                    path: source, reason: "character \(shown) at position \(position) is not in the vocabulary")
            }
            tokens.append(id)
        }
        return tokens
    }

    /// The text of token ids; each must be in `0..<count`.
    public func decode(_ tokens: [Int]) -> String {
        var scalars = String.UnicodeScalarView()
        for t in tokens {
            precondition(t >= 0 && t < count, "CharacterVocabulary.decode: token \(t) out of range 0..<\(count)")
            scalars.append(characters[t])
        }
        return String(scalars)
    }
}

/// A text as a vocabulary and a token sequence, with a contiguous train / validation split.
public struct CharacterCorpus: Sendable {
    /// The sorted distinct characters of the text.
    public let vocabulary: CharacterVocabulary
    /// The text as token ids.
    public let tokens: [Int]

    /// The corpus of `text`.
    public init(text: String) {
        vocabulary = CharacterVocabulary(text: text)
        tokens = try! vocabulary.encode(text)  // every character is in its own vocabulary
    }

    /// Reads a UTF-8 text file, e.g. tinyshakespeare's `input.txt`. Throws `DatasetError.invalidFormat` when
    /// the file is empty or not valid UTF-8, and the errors of `DataFile.contents(of:)`.
    public static func load(path: String) throws(DatasetError) -> CharacterCorpus {
        let bytes = try DataFile.contents(of: path)
        guard !bytes.isEmpty else { throw .invalidFormat(path: path, reason: "the text file is empty") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidFormat(path: path, reason: "the file is not valid UTF-8 text")
        }
        return CharacterCorpus(text: text)
    }

    /// The first `trainFraction` of the tokens and the rest, contiguous (no shuffling, so no block of the
    /// validation text is seen in training): nanoGPT's 90% / 10%.
    public func split(trainFraction: Double = 0.9) -> (train: [Int], validation: [Int]) {
        precondition(
            trainFraction >= 0 && trainFraction <= 1,
            "CharacterCorpus.split: trainFraction \(trainFraction) not in [0, 1]")
        let n = Int(Double(tokens.count) * trainFraction)
        return (Array(tokens[..<n]), Array(tokens[n...]))
    }
}

/// A language-modelling batch: B blocks of T tokens and, for each position, the next token.
public struct TokenBatch: Equatable, Sendable {
    /// B, the number of blocks.
    public let batchSize: Int
    /// T, the number of tokens per block.
    public let blockSize: Int
    /// (B, T) token ids, row-major: `inputs[b * T + t]`, for `Tensor.embedding(inputs, shape: shape, …)`.
    public let inputs: [Int]
    /// (B, T) token ids, row-major, `targets[b * T + t]` = the token after `inputs[b * T + t]`; flat, as
    /// cross-entropy over (B·T, V) logits takes its labels.
    public let targets: [Int]

    /// [B, T].
    public var shape: [Int] { [batchSize, blockSize] }

    /// The blocks `range` of this batch (a shard of it, for `shardedBackward`).
    public func blocks(_ range: Range<Int>) -> TokenBatch {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= batchSize,
            "TokenBatch.blocks: \(range) out of range for \(batchSize) blocks")
        let tokens = (range.lowerBound * blockSize)..<(range.upperBound * blockSize)
        return TokenBatch(
            batchSize: range.count, blockSize: blockSize, inputs: Array(inputs[tokens]),
            targets: Array(targets[tokens]))
    }
}

/// `batchSize` blocks of `blockSize` consecutive tokens starting at uniformly random offsets in
/// `0..<(tokens.count − blockSize)`, and the same blocks shifted one token on as targets (nanoGPT's
/// `get_batch`). Deterministic for the state of `rng`.
public func sampleBlocks(
    from tokens: [Int], batchSize: Int, blockSize: Int, using rng: inout RandomGenerator
) -> TokenBatch {
    precondition(batchSize > 0 && blockSize > 0, "sampleBlocks: batchSize and blockSize must be positive")
    precondition(
        tokens.count > blockSize,
        "sampleBlocks: \(tokens.count) tokens are too few for blocks of \(blockSize) plus one target")
    var inputs = [Int](), targets = [Int]()
    inputs.reserveCapacity(batchSize * blockSize)
    targets.reserveCapacity(batchSize * blockSize)
    for _ in 0..<batchSize {
        let start = rng.nextInt(below: tokens.count - blockSize)
        inputs.append(contentsOf: tokens[start..<(start + blockSize)])
        targets.append(contentsOf: tokens[(start + 1)..<(start + blockSize + 1)])
    }
    return TokenBatch(batchSize: batchSize, blockSize: blockSize, inputs: inputs, targets: targets)
}
