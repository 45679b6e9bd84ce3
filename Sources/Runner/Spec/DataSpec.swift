// The `data` section of a spec: which dataset, how it is split, normalized and ordered.

import Models

/// The datasets a spec can name.
enum DatasetChoice: String, CaseIterable, Codable, Sendable {
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

    /// Image datasets: (C, H, W) examples with a separate test file.
    var isImage: Bool { self == .fashionMNIST || self == .mnist || self == .cifar10 }
    /// The text corpus, for language models.
    var isText: Bool { self == .tinyShakespeare }
    /// One table of (F) examples that the splits are all carved from.
    var isTable: Bool { !isImage && !isText }
}

/// The order of the training examples the batches are cut from.
enum DataOrder: String, CaseIterable, Codable, Sendable {
    /// A seeded random order (and, with `training.shuffle`, a fresh one each epoch).
    case shuffled
    /// Sorted by label, all of class 0 first: the "no shuffling" experiment, where each batch holds one class.
    case sorted
}

/// Where the examples come from and how they are split: `{"dataset": "fashion-mnist", "train": 10000,
/// "validation": 2000, "test": 10000}`.
struct DataSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case dataset, path
        case labelColumn = "label_column"
        case featureColumns = "feature_columns"
        case points, classes, train, validation, test, normalize, order
        case blockSize = "block_size"
        case validationFraction = "validation_fraction"
    }

    /// The dataset (default fashion-mnist, installed by the README's set-up command).
    var dataset = DatasetChoice.fashionMNIST
    /// An explicit directory (images, text) or file (csv, required there); nil: found by name (`DatasetResolver`).
    var path: String? = nil
    /// csv: the column holding the labels (default "label").
    var labelColumn: String? = nil
    /// csv: the feature columns; nil: every column but the label, in file order.
    var featureColumns: [String]? = nil
    /// blobs: points per class (default 100); separable: points in all (default 200).
    var points: Int? = nil
    /// blobs: the number of blobs, one class each (default 3).
    var classes: Int? = nil
    /// Training examples; nil: all that are left after the validation (and, for tables, test) examples.
    var train: Int? = nil
    /// Validation examples, carved at random (with the seed) from the training file or table (default 0: none).
    var validation = 0
    /// Test examples: images take the first `test` of the test file (nil: all of it); tables carve them at random
    /// from the table (default 0: none).
    var test: Int? = nil
    /// Standardize inputs with statistics of the training split only (per channel for images, per feature for
    /// tables); default true.
    var normalize = true
    /// The order of the training examples (default shuffled).
    var order = DataOrder.shuffled
    /// tinyshakespeare: the context length T of training blocks; nil: the model's block size.
    var blockSize: Int? = nil
    /// tinyshakespeare: the share of the text, at its end, held out for validation (default 0.1, as nanoGPT).
    var validationFraction: Double? = nil

    /// The keys that apply to `dataset`.
    static func keys(for dataset: DatasetChoice) -> [CodingKeys] {
        switch dataset {
        case .fashionMNIST, .mnist, .cifar10: [.dataset, .path, .train, .validation, .test, .normalize, .order]
        case .csv:
            [.dataset, .path, .labelColumn, .featureColumns, .train, .validation, .test, .normalize, .order]
        case .blobs: [.dataset, .points, .classes, .train, .validation, .test, .normalize, .order]
        case .separable: [.dataset, .points, .train, .validation, .test, .normalize, .order]
        case .xor: [.dataset, .normalize, .order]
        case .tinyShakespeare: [.dataset, .path, .blockSize, .validationFraction]
        }
    }

    /// Every default.
    init() {}

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let named = quietChoice(value, "dataset", absent: DatasetChoice.fashionMNIST)
        let o = SpecObject<CodingKeys>(
            value, at: path, diagnostics, allowed: named.map(Self.keys) ?? Array(CodingKeys.allCases),
            owner: named.map { "the \($0.rawValue) dataset" })
        dataset = o.choice(.dataset, default: .fashionMNIST)
        self.path = o.optionalString(.path)
        labelColumn = o.optionalString(.labelColumn) ?? (dataset == .csv ? "label" : nil)
        featureColumns = o.optionalStringArray(.featureColumns)
        let defaultPoints = dataset == .blobs ? 100 : (dataset == .separable ? 200 : nil)
        points = o.optionalInt(.points, .positive) ?? defaultPoints
        classes = o.optionalInt(.classes, .positive) ?? (dataset == .blobs ? 3 : nil)
        train = o.optionalInt(.train, .positive)
        validation = o.int(.validation, default: 0, .nonNegative)
        test = o.optionalInt(.test, .nonNegative) ?? (dataset.isTable && dataset != .xor ? 0 : nil)
        normalize = o.bool(.normalize, default: true)
        order = o.choice(.order, default: .shuffled)
        blockSize = o.optionalInt(.blockSize, .positive)
        validationFraction = o.optionalDouble(.validationFraction, .openFraction) ?? (dataset.isText ? 0.1 : nil)
        if dataset == .blobs, let classes, classes < 2 {
            o.report(.classes, "expected at least 2 classes, got \(classes)")
        }
        if dataset == .csv && !o.has(.path) { o.reportMissing(.path, expected: "the path of the CSV file") }
        if let total = syntheticCount, let train {
            let needed = train + validation + (test ?? 0)
            if needed > total {
                o.report(
                    .train,
                    "\(train) train + \(validation) validation + \(test ?? 0) test examples exceed the "
                        + "\(total) points of the \(dataset.rawValue) dataset")
            }
        }
        if let total = syntheticCount, train == nil, validation + (test ?? 0) >= total {
            o.report(
                .validation,
                "\(validation) validation + \(test ?? 0) test examples leave none of the \(total) "
                    + "points for training")
        }
    }

    /// The number of examples of a synthetic dataset, known without reading anything.
    var syntheticCount: Int? {
        switch dataset {
        case .xor: 4
        case .blobs: (points ?? 100) * (classes ?? 3)
        case .separable: points ?? 200
        default: nil
        }
    }

    /// The example shape and class count, when known without reading files (not for csv or text).
    var knownShape: DataShape? {
        switch dataset {
        case .fashionMNIST, .mnist: DataShape(exampleShape: [1, 28, 28], classCount: 10)
        case .cifar10: DataShape(exampleShape: [3, 32, 32], classCount: 10)
        case .xor, .separable: DataShape(exampleShape: [2], classCount: 2)
        case .blobs: DataShape(exampleShape: [2], classCount: classes ?? 3)
        case .csv, .tinyShakespeare: nil
        }
    }

    /// Writes the keys that apply to the dataset, optional ones as null when unset.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for key in Self.keys(for: dataset) {
            switch key {
            case .dataset: try c.encode(dataset, forKey: key)
            case .path: try c.encode(path, forKey: key)
            case .labelColumn: try c.encode(labelColumn, forKey: key)
            case .featureColumns: try c.encode(featureColumns, forKey: key)
            case .points: try c.encode(points, forKey: key)
            case .classes: try c.encode(classes, forKey: key)
            case .train: try c.encode(train, forKey: key)
            case .validation: try c.encode(validation, forKey: key)
            case .test: try c.encode(test, forKey: key)
            case .normalize: try c.encode(normalize, forKey: key)
            case .order: try c.encode(order, forKey: key)
            case .blockSize: try c.encode(blockSize, forKey: key)
            case .validationFraction: try c.encode(validationFraction, forKey: key)
            }
        }
    }
}

/// What a classifier sees: the shape of one example (no batch axis) and the number of classes.
struct DataShape: Equatable, Sendable {
    var exampleShape: [Int]
    var classCount: Int
}

/// The value of `key` in the object `value` read as a name of `E`, without reporting anything: how a section
/// learns its own kind (dataset, model type, …) before choosing which keys it accepts. `absent` when the key is
/// absent or null; nil when it holds anything but a name of `E`.
func quietChoice<E: RawRepresentable<String> & CaseIterable>(_ value: JSONValue?, _ key: String, absent: E?) -> E? {
    guard let written = value?.objectValue?[key], written != .null else { return absent }
    guard case .string(let s) = written else { return nil }
    return E(rawValue: s)
}
