import Foundation
import Models
import Testing

/// The character-level corpus: vocabulary, encoding, the contiguous split and language-modelling batches.
@Suite struct DataTextTests {
    static let shakespearePath = (DataFixtures.sharedData as NSString)
        .appendingPathComponent("tinyshakespeare/input.txt")

    @Test func vocabularyIsTheSortedDistinctCharacters() throws {
        let vocabulary = CharacterVocabulary(text: "hello, world\n")
        #expect(vocabulary.characters.map(String.init).joined() == "\n ,dehlorw")
        #expect(vocabulary.count == 10)
        #expect(try vocabulary.encode("hello") == [5, 4, 6, 6, 7])
        #expect(vocabulary.decode([9, 7, 8, 6, 3]) == "world")
        #expect(vocabulary.id(of: "z") == nil)
    }

    @Test func nonASCIICharactersAreScalarsSortedByCodePoint() throws {
        let vocabulary = CharacterVocabulary(text: "éa→b a")
        #expect(vocabulary.characters.map(\.value) == [0x20, 0x61, 0x62, 0xe9, 0x2192])
        #expect(vocabulary.decode(try vocabulary.encode("b→é")) == "b→é")
    }

    @Test func unknownCharactersAreReportedWithTheirPosition() {
        let vocabulary = CharacterVocabulary(text: "abc")
        let error = #expect(throws: DatasetError.self) { try vocabulary.encode("abxc", source: "prompt") }
        #expect(error == .invalidFormat(path: "prompt", reason: "character x at position 2 is not in the vocabulary"))
    }

    @Test func tinyShakespeareHas65CharactersAndRoundTrips() throws {
        let corpus = try CharacterCorpus.load(path: Self.shakespearePath)
        #expect(corpus.vocabulary.count == 65)
        #expect(corpus.tokens.count == 1_115_394)
        #expect(corpus.vocabulary.characters.first == "\n")
        #expect(corpus.vocabulary.characters.map(String.init).joined().hasSuffix("xyz"))
        #expect(corpus.vocabulary.decode(Array(corpus.tokens.prefix(14))) == "First Citizen:")
        let text = try String(contentsOfFile: Self.shakespearePath, encoding: .utf8)
        #expect(corpus.vocabulary.decode(corpus.tokens) == text)

        let (train, validation) = corpus.split()
        #expect(train.count == 1_003_854)  // ⌊0.9 · 1,115,394⌋, as nanoGPT's prepare.py
        #expect(validation.count == 111_540)
        #expect(train + validation == corpus.tokens)
    }

    @Test func blockTargetsAreTheInputsShiftedByOne() {
        let tokens = Array(0..<100)  // token i at position i, so a block says where it starts
        var rng = RandomGenerator(seed: 11)
        let batch = sampleBlocks(from: tokens, batchSize: 6, blockSize: 8, using: &rng)
        #expect(batch.shape == [6, 8])
        #expect(batch.inputs.count == 48 && batch.targets.count == 48)
        for b in 0..<6 {
            let row = Array(batch.inputs[(b * 8)..<(b * 8 + 8)])
            let target = Array(batch.targets[(b * 8)..<(b * 8 + 8)])
            #expect(row == Array(row[0]..<(row[0] + 8)))  // contiguous
            #expect(target == row.map { $0 + 1 })
            #expect(row[0] >= 0 && row[0] + 8 < 100)
        }
        var again = RandomGenerator(seed: 11)
        #expect(sampleBlocks(from: tokens, batchSize: 6, blockSize: 8, using: &again) == batch)
        #expect(sampleBlocks(from: tokens, batchSize: 6, blockSize: 8, using: &rng) != batch)
    }

    @Test func everyStartOffsetCanBeDrawn() {
        // 10 tokens, blocks of 7: offsets 0, 1, 2 are the only ones with a next token for every position.
        var rng = RandomGenerator(seed: 2)
        let batch = sampleBlocks(from: Array(0..<10), batchSize: 200, blockSize: 7, using: &rng)
        let starts = Set(stride(from: 0, to: batch.inputs.count, by: 7).map { batch.inputs[$0] })
        #expect(starts == [0, 1, 2])
    }

    @Test func emptyAndInvalidTextFilesAreRejected() {
        DataFixtures.withTemporaryDirectory { dir in
            let empty = DataFixtures.write([], "empty.txt", in: dir)
            let emptyError = #expect(throws: DatasetError.self) { try CharacterCorpus.load(path: empty) }
            #expect(emptyError == .invalidFormat(path: empty, reason: "the text file is empty"))

            let latin1 = DataFixtures.write([0x63, 0x61, 0x66, 0xe9], "latin1.txt", in: dir)  // "café" in Latin-1
            let utf8Error = #expect(throws: DatasetError.self) { try CharacterCorpus.load(path: latin1) }
            #expect(utf8Error == .invalidFormat(path: latin1, reason: "the file is not valid UTF-8 text"))
        }
    }

    @Test func theCorpusIsFoundByName() throws {
        let resolver = DatasetResolver(environment: [:], currentDirectory: DataFixtures.repositoryRoot)
        let location = try resolver.locate(.tinyShakespeare)
        #expect(location.source == .sharedDirectory)
        #expect(location.files == [Self.shakespearePath])
        #expect(try location.loadCorpus().vocabulary.count == 65)
    }
}
