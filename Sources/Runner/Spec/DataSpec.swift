// The `data` section of a spec: which dataset, how it is split, normalized and ordered.

import Models

/// The datasets a spec can name.
enum DatasetChoice: String, SpecChoice {
    /// Zalando's 28×28 grey clothing images, 10 classes (Debian package `dataset-fashion-mnist`).
    case fashionMNIST = "fashion-mnist"
    /// The 28×28 handwritten digits; Fashion-MNIST (same shape) stands in when MNIST's files are missing.
    case mnist
    /// 32×32 colour images, 10 classes.
    case cifar10
    /// Karpathy's tiny Shakespeare text, for character-level language models.
    case tinyShakespeare = "tinyshakespeare"
    /// A CSV table: numeric feature columns and one label column.
    case csv
    /// The four XOR points, two classes.
    case xor
    /// Gaussian blobs in 2-D, one per class.
    case blobs
    /// 2-D points on either side of a line with a margin, two classes.
    case separable
    /// Generated grey images of one horizontal or vertical line, two classes, with a test set of its own that
    /// may come from a shifted domain.
    case edges
    /// The TensorFlow Playground's disc inside a ring.
    case circle
    /// The TensorFlow Playground's two interleaved spiral arms.
    case spiral
    /// The TensorFlow Playground's two Gaussian clouds.
    case gaussian
    /// The TensorFlow Playground's xor: points in the four quadrants, labelled by whether the signs differ.
    case xorNoisy = "xor_noisy"
    /// Generated digit strings and their copies, reversals or sortings, for encoder–decoder models.
    case sequences

    /// Image datasets: (C, H, W) examples with a separate test file (generated for edges).
    var isImage: Bool { self == .fashionMNIST || self == .mnist || self == .cifar10 || self == .edges }
    /// The Playground dataset it names, for the four Playground datasets.
    var playground: PlaygroundDataset? {
        switch self {
        case .circle: .circle
        case .spiral: .spiral
        case .gaussian: .gaussian
        case .xorNoisy: .xor
        default: nil
        }
    }
    /// The text corpus, for language models.
    var isText: Bool { self == .tinyShakespeare }
    /// Pairs of digit strings, for sequence-to-sequence models.
    var isSequences: Bool { self == .sequences }
    /// One table of (F) examples that the splits are all carved from.
    var isTable: Bool { !isImage && !isText && !isSequences }
    /// The test split is carved from the examples at random, as validation is (images have a test file).
    var carvesTest: Bool { isTable || isSequences }
}

extension SequenceTaskKind: SpecChoice {}

/// The order of the training examples the batches are cut from.
enum DataOrder: String, SpecChoice {
    /// A seeded random order (and, with `training.shuffle`, a fresh one each epoch).
    case shuffled
    /// Sorted by label, all of class 0 first: the "no shuffling" experiment, where each batch holds one class.
    case sorted
}

/// Where the examples come from and how they are split: `{"dataset": "fashion-mnist", "train": 10000,
/// "validation": 2000, "test": 10000}`.
typealias DataSpec = Section<DataKeys>

struct DataKeys: SpecKeys {
    let dataset = SpecKey("dataset", DatasetChoice.fashionMNIST, "The dataset (see below).")
    let path = SpecKey<String?>(
        "path", nil,
        "An explicit directory of the dataset's files (csv: the CSV file, required, plain or gzip); `null`: found by "
            + "name in `$TAPEGRAD_DATA/<name>`, `/usr/share/datasets/<name>`, `../shared/data/<name>`, then the "
            + "download cache.")
    let labelColumn = SpecKey(
        "label_column", "label", "The label column: class indices, or names (sorted into classes 0, 1, …).")
    let featureColumns = SpecKey<[String]?>(
        "feature_columns", nil, "The feature columns; `null`: every column but the label, in file order.")
    let categoricalColumns = SpecKey<[String]>(
        "categorical_columns", [],
        "Feature columns holding category names, each one-hot encoded over the training split's categories "
            + "(sorted); see [categorical columns](#categorical-columns).")
    let points = SpecKey(
        "points", byVariant: ["blobs": 100, "edges": 1000, "sequences": 5000], otherwise: 200, range: .positive,
        "Generated examples: blobs per class; separable, sequences and the Playground datasets in all; edges: "
            + "images in the training set and in the test set each.")
    let classes = SpecKey("classes", 3, range: .atLeast(2), "The number of blobs, one class each.")
    let noise = SpecKey(
        "noise", byVariant: ["edges": 0.2], otherwise: 0, range: .nonNegative,
        "edges: the standard deviation of Gaussian pixel noise; Playground datasets: the Playground's noise (its "
            + "slider's 0–50 % is 0–0.5).")
    let imageSize = SpecKey("image_size", 8, range: .atLeast(2), "The side S of the (1, S, S) edge images.")
    let thickness = SpecKey(
        "thickness", 1, range: .positive, "The width of the line in pixels, less than `image_size`.")
    let testShift = SpecKey(
        "test_shift", 0, range: .nonNegative,
        "The test lines sit this many pixels further down (horizontal) or right (vertical) than the training lines, "
            + "which start at 0 … `image_size` − `thickness` − `test_shift`.")
    let testNoise = SpecKey<Double?>(
        "test_noise", nil, range: .nonNegative, "The test images' pixel noise; `null`: `noise`.")
    let task = SpecKey(
        "task", SequenceTaskKind.reverse, "sequences: what the target of each digit string is.")
    let length = SpecKey("length", 8, range: .positive, "sequences: the digits in each string.")
    let digits = SpecKey(
        "digits", 10, range: .atLeast(2), "sequences: the digits 0 … `digits` − 1 strings are made of.")
    let train = SpecKey<Int?>(
        "train", derived: nil, becomes: "`null`: all that are left", range: .positive,
        "Training examples; `null`: all that are left after the validation (and, for tables, test) examples.")
    let validation = SpecKey(
        "validation", 0, range: .nonNegative,
        "Validation examples, drawn at random (with `seed`) from the training file (images; edges: the generated "
            + "training images) or the table.")
    let test = SpecKey<Int?>(
        "test",
        byVariant: [
            "csv": 0, "blobs": 0, "separable": 0, "circle": 0, "spiral": 0, "gaussian": 0, "xor_noisy": 0,
            "sequences": 0,
        ], otherwise: nil, range: .nonNegative,
        "Images: the first `test` examples of the test file (edges: of the generated test images; `null`: all); "
            + "tables and sequences: examples carved at random from the table or the generated strings.")
    let normalize = SpecKey(
        "normalize", true,
        "Standardize inputs with statistics of the training split only (per channel for images, per feature for "
            + "tables).")
    let augmentCropPadding = SpecKey(
        "augment_crop_padding", 0, range: .nonNegative,
        "Training batches: pad each image with this many black pixels on every side and crop it back at a random "
            + "offset; less than the image side; 0: no crop.")
    let augmentFlip = SpecKey(
        "augment_flip", false, "Training batches: mirror each image left–right with probability 1/2.")
    let order = SpecKey(
        "order", DataOrder.shuffled,
        "`sorted`: training examples sorted by label (class 0 first), for the no-shuffling experiment; needs "
            + "`training.shuffle` false (its default then).")
    let blockSize = SpecKey<Int?>(
        "block_size", derived: nil, becomes: "the model's `block_size`", range: .positive,
        "The context length T of training blocks; at most the model's `block_size`.")
    let validationFraction = SpecKey(
        "validation_fraction", 0.1, range: .openFraction, "The share of the text, at its end, held out for validation.")

    static let variants: SpecVariants<Self>? = SpecVariants(
        selector: "dataset", names: DatasetChoice.names, standard: DatasetChoice.fashionMNIST.rawValue,
        keys: { dataset in
            switch DatasetChoice(rawValue: dataset) {
            case .fashionMNIST, .mnist, .cifar10:
                [
                    \.dataset, \.path, \.train, \.validation, \.test, \.normalize, \.augmentCropPadding,
                    \.augmentFlip, \.order,
                ]
            case .edges:
                [
                    \.dataset, \.points, \.noise, \.imageSize, \.thickness, \.testShift, \.testNoise, \.train,
                    \.validation, \.test, \.normalize, \.augmentCropPadding, \.augmentFlip, \.order,
                ]
            case .csv:
                [
                    \.dataset, \.path, \.labelColumn, \.featureColumns, \.categoricalColumns, \.train, \.validation,
                    \.test, \.normalize, \.order,
                ]
            case .blobs: [\.dataset, \.points, \.classes, \.train, \.validation, \.test, \.normalize, \.order]
            case .separable: [\.dataset, \.points, \.train, \.validation, \.test, \.normalize, \.order]
            case .circle, .spiral, .gaussian, .xorNoisy:
                [\.dataset, \.points, \.noise, \.train, \.validation, \.test, \.normalize, \.order]
            case .xor: [\.dataset, \.normalize, \.order]
            case .sequences: [\.dataset, \.task, \.length, \.digits, \.points, \.train, \.validation, \.test]
            case .tinyShakespeare: [\.dataset, \.path, \.blockSize, \.validationFraction]
            case nil: nil
            }
        }, owner: { "the \($0) dataset" })
}

extension Section where Keys == DataKeys {
    /// The number of generated examples (a synthetic table, digit strings), known without reading anything;
    /// `Int.max` for blobs too many to count (the rules report it at `points`).
    var syntheticCount: Int? {
        switch self.dataset {
        case .xor: 4
        case .blobs: Int.exactProduct(self.points, self.classes) ?? Int.max
        case .separable, .circle, .spiral, .gaussian, .xorNoisy, .sequences: self.points
        default: nil
        }
    }

    /// The example shape and class count, when known without reading files (not for csv or text).
    var knownShape: DataShape? {
        switch self.dataset {
        case .fashionMNIST, .mnist: DataShape(exampleShape: [1, 28, 28], classCount: 10)
        case .cifar10: DataShape(exampleShape: [3, 32, 32], classCount: 10)
        case .edges: DataShape(exampleShape: [1, self.imageSize, self.imageSize], classCount: 2)
        case .xor, .separable, .circle, .spiral, .gaussian, .xorNoisy: DataShape(exampleShape: [2], classCount: 2)
        case .blobs: DataShape(exampleShape: [2], classCount: self.classes)
        case .csv, .tinyShakespeare, .sequences: nil
        }
    }
}

extension Section where Keys == DataKeys {
    /// The key that sets the number of classes, for messages about the output layer's size.
    var classesKey: SpecPath {
        let path = SpecPath.root.appending("data")
        switch self.dataset {
        case .blobs: return path.appending("classes")
        case .csv: return path.appending("label_column")
        default: return path.appending("dataset")
        }
    }

    /// The most examples a batch of `batchSize` can hold: a language model's batch is `batchSize` blocks, a
    /// classifier's at most the training examples (all of an image file's when the count is not known yet).
    func largestBatch(_ batchSize: Int, isText: Bool) -> Int {
        if isText { return batchSize }
        let available = self.train ?? (self.dataset == .edges ? self.points : nil) ?? self.syntheticCount ?? 70_000
        return Swift.min(batchSize, available)
    }
}

/// What a classifier sees: the shape of one example (no batch axis) and the number of classes.
struct DataShape: Equatable, Sendable {
    var exampleShape: [Int]
    var classCount: Int
}
