// Loading an experiment's data as its spec says: find the files (or generate the points), carve the splits
// with the seed, build the evaluation suites from the raw test images, standardize with training statistics,
// and order the training set.

import Models

/// A classification experiment's splits and suites, ready for training.
struct ClassificationData {
    var train: LabelledDataset
    var validation: LabelledDataset?
    var test: LabelledDataset?
    var suites: [(name: String, dataset: LabelledDataset)]
    /// What was actually used, e.g. "fashion-mnist from /usr/share/datasets/fashion-mnist (systemPackage)".
    var note: String
    /// One example's shape and the number of classes.
    var shape: DataShape
    /// The augmentation of training batches (images only), its padding a black pixel of the standardized images.
    var augmentation: ImageAugmentation? = nil
    /// The name of each input feature of a CSV table (`color=red` for a one-hot feature); nil for other data.
    var featureNames: [String]? = nil
}

/// A language-modelling experiment's corpus, split into a training and a validation text.
struct TextData {
    var vocabulary: CharacterVocabulary
    var train: [Int]
    var validation: [Int]
    var note: String
}

/// Loads the splits `spec` describes and fills its data-dependent defaults (`train` and `test` become the counts
/// used). Problems (missing files, splits larger than the data) are thrown with the key they concern.
func loadClassificationData(
    _ spec: inout DataSpec, seed: UInt64, suites: [SuiteName], resolver: DatasetResolver, source: String
) throws(SpecError) -> ClassificationData {
    let root = SpecPath.root.appending("data")
    func fail(_ key: String, _ message: String) -> SpecError {
        SpecError(source: source, path: root.appending(key), message)
    }

    // The pool the training and validation examples come from, and the separate test set (images only).
    var pool: LabelledDataset
    var testSet: LabelledDataset? = nil
    var note: String
    var featureNames: [String]? = nil
    do {
        switch spec.dataset {
        case .fashionMNIST, .mnist, .cifar10:
            let split: DatasetSplit? = spec.test == 0 ? .train : nil
            let location =
                spec.dataset == .mnist
                ? try resolver.locateMNISTShaped(split: split, explicitPath: spec.path)
                : try resolver.locate(
                    spec.dataset == .cifar10 ? .cifar10 : .fashionMNIST, split: split,
                    explicitPath: spec.path)
            pool = try location.loadImages(split: .train)
            if split == nil { testSet = try location.loadImages(split: .test) }
            note = location.summary
            if let test = testSet, test.exampleShape != pool.exampleShape {
                throw fail(
                    spec.path == nil ? "dataset" : "path",
                    "the test images are \(describeShape(test.exampleShape)), the training images "
                        + "\(describeShape(pool.exampleShape)) (\(location.summary)); a model takes one shape")
            }
        case .edges:
            (pool, testSet, note) = edgeImages(spec, seed: seed)
        case .csv:
            let table = try loadCSV(spec, seed: seed, source: source)
            (pool, note, featureNames) = (table.dataset, table.note, table.featureNames)
        case .blobs:
            pool = SyntheticData.gaussianBlobs(
                classCount: spec.classes, pointsPerClass: spec.points, seed: seed)
            note = "blobs: \(pool.count) synthetic points in \(pool.classCount) classes (seed \(seed))"
        case .separable:
            pool = SyntheticData.linearlySeparable(count: spec.points, seed: seed).dataset
            note = "separable: \(pool.count) synthetic points on either side of a line (seed \(seed))"
        case .circle, .spiral, .gaussian, .xorNoisy:
            let kind = spec.dataset.playground!
            pool = SyntheticData.playground(kind, count: spec.points, noise: spec.noise, seed: seed)
            note =
                "\(spec.dataset.rawValue): \(pool.count) points of the TensorFlow Playground's \(kind.rawValue), "
                + "noise \(formatNumber(spec.noise)) (seed \(seed))"
        case .xor:
            pool = SyntheticData.xor()
            note = "xor: the four XOR points"
        case .tinyShakespeare, .sequences:
            throw fail("dataset", "\(spec.dataset.rawValue) is not a classification dataset")
        }
    } catch let error as SpecError {
        throw error
    } catch {
        throw fail(spec.dataset == .csv || spec.path != nil ? "path" : "dataset", "\(error)")
    }

    // Splits: validation (and, for tables, test) carved from the pool at random with the seed.
    let isTable = spec.dataset.isTable
    if let wanted = spec.test, let available = testSet?.count, wanted > available {
        throw fail("test", "\(wanted) test examples asked for, the test set has \(available)")
    }
    let (trainCount, testCount) = try splitCounts(
        spec, poolCount: pool.count, testSetCount: testSet?.count, source: source)
    // XOR keeps its four points in order, all for training; everything else is split at random.
    let parts =
        spec.dataset == .xor
        ? [pool]
        : pool.randomSplit(counts: [trainCount, spec.validation, isTable ? testCount : 0], seed: seed)
    var train = parts[0]
    var validation = spec.validation > 0 ? parts[1] : nil
    var test = isTable ? (testCount > 0 ? parts[2] : nil) : (testCount > 0 ? testSet?.prefix(testCount) : nil)
    // The splits are copies: the pool and the whole test set go before the copies standardization makes.
    let classCount = pool.classCount
    (pool, testSet) = (pool.subset(0..<0), nil)

    // Suites from the raw test images, so a shift fills with true zeros before standardization.
    var suiteSets: [(name: String, dataset: LabelledDataset)] = []
    if let test {
        for name in suites { suiteSets.append((name.name, name.suite.apply(to: test))) }
    }

    var black = [0.0]
    if spec.normalize {
        let standardize = standardizer(fittedOn: train)
        black = standardize.zero
        train = standardize.apply(train)
        validation = validation.map(standardize.apply)
        test = test.map(standardize.apply)
        suiteSets = suiteSets.map { ($0.name, standardize.apply($0.dataset)) }
    }
    if spec.order == .sorted { train = train.sortedByLabel() }
    var augmentation: ImageAugmentation? = nil
    if spec.dataset.isImage && (spec.augmentCropPadding > 0 || spec.augmentFlip) {
        augmentation = ImageAugmentation(cropPadding: spec.augmentCropPadding, flip: spec.augmentFlip, fill: black)
    }

    spec.train = spec.dataset == .xor ? nil : trainCount
    spec.test = spec.dataset == .xor ? nil : (test?.count ?? 0)
    return ClassificationData(
        train: train, validation: validation, test: test, suites: suiteSets, note: note,
        shape: DataShape(exampleShape: train.exampleShape, classCount: classCount), augmentation: augmentation,
        featureNames: featureNames)
}

/// The training and test counts of a pool of `poolCount` examples (and, for images, a test set of
/// `testSetCount`); throws, naming `train` or `validation`, when the splits do not fit.
func splitCounts(
    _ spec: DataSpec, poolCount: Int, testSetCount: Int?, source: String
) throws(SpecError) -> (train: Int, test: Int) {
    let carvesTest = spec.dataset.carvesTest
    let testCount = carvesTest ? (spec.test ?? 0) : min(spec.test ?? Int.max, testSetCount ?? 0)
    let what = carvesTest ? "train + validation + test" : "train + validation"
    let key = SpecPath.root.appending("data").appending(spec.train == nil ? "validation" : "train")
    guard let carved = Int.exactSum(spec.validation, carvesTest ? testCount : 0),
        let total = Int.exactSum(spec.train ?? 0, carved)
    else {
        throw SpecError(source: source, path: key, "\(what) examples are more than an integer can count")
    }
    let trainCount = spec.train ?? (poolCount - carved)
    guard trainCount > 0, total <= poolCount else {
        throw SpecError(
            source: source, path: key,
            "\(what) = \(max(trainCount, 0) + carved) examples, but the data has \(poolCount)"
                + (spec.train == nil ? ", leaving none for training" : ""))
    }
    return (trainCount, testCount)
}

/// The generated edge images: `points` for training and validation with lines at 0 … S − thickness −
/// `test_shift`, and `points` test images with lines `test_shift` further, with `test_noise`, from another seed.
private func edgeImages(_ spec: DataSpec, seed: UInt64) -> (LabelledDataset, LabelledDataset, String) {
    let (side, thickness, shift) = (spec.imageSize, spec.thickness, spec.testShift)
    let testNoise = spec.testNoise ?? spec.noise
    let pool = SyntheticData.edges(
        count: spec.points, imageSize: side, thickness: thickness, noise: spec.noise,
        positions: 0...(side - thickness - shift), seed: seed)
    // The test images' own stream: "test" in ASCII, so they share no draws with the training images.
    let test = SyntheticData.edges(
        count: spec.points, imageSize: side, thickness: thickness, noise: testNoise,
        positions: shift...(side - thickness), seed: seed ^ 0x7465_7374)
    var note =
        "edges: \(spec.points) training and \(spec.points) test images of \(side)×\(side), lines \(thickness) px "
        + "thick, noise \(formatNumber(spec.noise))"
    if shift > 0 || testNoise != spec.noise {
        note += "; test lines shifted \(shift) px, noise \(formatNumber(testNoise))"
    }
    return (pool, test, note + " (seed \(seed))")
}

/// Standardization with `train`'s statistics: per feature for tables (N, F), per channel for images (N, C, H, W);
/// a constant feature or channel is only centred. `zero` is where a raw 0 lands, per channel or feature.
private func standardizer(
    fittedOn train: LabelledDataset
) -> (apply: (LabelledDataset) -> LabelledDataset, zero: [Double]) {
    if train.inputs.rank == 2 {
        let s = Standardization(fittedOn: train)
        return ({ s.apply(to: $0) }, zip(s.mean, s.std).map { -$0 / $1 })
    }
    let (mean, std) = train.channelStatistics()
    let safe = std.map { $0 > 0 ? $0 : 1 }
    return ({ $0.normalized(mean: mean, std: safe) }, zip(mean, safe).map { -$0 / $1 })
}

/// Loads the text corpus, splits it (the last `validation_fraction` is validation) and fills `block_size` with the
/// model's when unset; throws when a block would not fit in either text.
func loadTextData(
    _ spec: inout DataSpec, modelBlockSize: Int, resolver: DatasetResolver, source: String
) throws(SpecError) -> TextData {
    let root = SpecPath.root.appending("data")
    let corpus: CharacterCorpus
    let note: String
    do {
        let location = try resolver.locate(.tinyShakespeare, explicitPath: spec.path)
        corpus = try location.loadCorpus()
        note = location.summary
    } catch {
        throw SpecError(source: source, path: root.appending(spec.path == nil ? "dataset" : "path"), "\(error)")
    }
    let (train, validation) = corpus.split(trainFraction: 1 - spec.validationFraction)
    let block = spec.blockSize ?? modelBlockSize
    if min(train.count, validation.count) <= block {
        throw SpecError(
            source: source, path: root.appending("block_size"),
            "blocks of \(block) characters need more text: training has \(train.count), validation \(validation.count)")
    }
    spec.blockSize = block
    return TextData(vocabulary: corpus.vocabulary, train: train, validation: validation, note: note)
}

/// A sequence-to-sequence experiment's generated strings, split at random into training, validation and test.
struct SequenceData {
    var train: SequencePairs
    var validation: SequencePairs?
    var test: SequencePairs?
    var note: String
}

/// Generates the `points` strings `spec` describes and carves validation and test from them at random with the
/// seed; fills `train` and `test` with the counts used.
func loadSequenceData(_ spec: inout DataSpec, seed: UInt64, source: String) throws(SpecError) -> SequenceData {
    let pairs = SequencePairs.generate(
        spec.task, count: spec.points, length: spec.length, digits: spec.digits, seed: seed)
    let (trainCount, testCount) = try splitCounts(spec, poolCount: pairs.count, testSetCount: nil, source: source)
    let parts = LabelledDataset.randomSplitIndices(
        count: pairs.count, counts: [trainCount, spec.validation, testCount], seed: seed)
    (spec.train, spec.test) = (trainCount, testCount)
    return SequenceData(
        train: pairs.subset(parts[0]), validation: parts[1].isEmpty ? nil : pairs.subset(parts[1]),
        test: parts[2].isEmpty ? nil : pairs.subset(parts[2]),
        note: "sequences: \(pairs.count) strings of \(spec.length) digits in 0..<\(spec.digits) and their "
            + "\(spec.task.rawValue) (seed \(seed))")
}

/// Random examples standing in for data that is not loaded (`runner summary --input-shape`): enough for the
/// shapes, parameter counts, multiply-adds and memory of a training step of a spec's model, nothing to learn from.
struct StandInData {
    /// One example's shape: (C, H, W) for images, (F) for tables, (T) the context of a language model.
    var exampleShape: [Int]
    /// The classes, or a language model's vocabulary.
    var classes: Int
    /// The examples (text: blocks) generated, at least the largest batch measured.
    var count: Int

    var note: String {
        "stand-in: \(count) random examples of shape \(exampleShape) in \(classes) classes (no data loaded)"
    }

    /// N(0, 1) inputs labelled 0, 1, …, classes − 1 in turn.
    func classification(seed: UInt64) -> ClassificationData {
        var rng = RandomGenerator(seed: seed)
        let inputs = Tensor.normal([count] + exampleShape, using: &rng)
        let train = LabelledDataset(
            inputs: inputs, labels: (0..<count).map { $0 % classes }, classCount: classes, name: "stand-in")
        return ClassificationData(
            train: train, validation: nil, test: nil, suites: [], note: note,
            shape: DataShape(exampleShape: exampleShape, classCount: classes))
    }

    /// Uniform random ids over `classes` characters, enough text for `count` blocks of T in each split.
    func text(seed: UInt64) -> TextData {
        var rng = RandomGenerator(seed: seed)
        let length = count * (exampleShape[0] + 1) + 1
        func ids() -> [Int] { (0..<length).map { _ in rng.nextInt(below: classes) } }
        let characters = (0..<classes).compactMap { Unicode.Scalar(0x21 + $0) }
        return TextData(
            vocabulary: CharacterVocabulary(characters: characters), train: ids(), validation: ids(), note: note)
    }
}
