// The datasets this library can find by name: their files, where to get them, and the published SHA-256 of
// each downloadable file.

import Foundation

/// A dataset known by name, as an experiment spec writes it ("fashion-mnist", "mnist", "cifar10",
/// "tinyshakespeare").
public enum DatasetName: String, Sendable, Codable, CaseIterable {
    /// LeCun et al.'s handwritten digits, 28×28, 10 classes.
    case mnist
    /// Zalando's clothing images in MNIST's format, 28×28, 10 classes (Debian: `dataset-fashion-mnist`).
    case fashionMNIST = "fashion-mnist"
    /// Krizhevsky's 32×32 colour images, 10 classes, binary version.
    case cifar10
    /// Karpathy's 1.1 MB of Shakespeare for character-level language models.
    case tinyShakespeare = "tinyshakespeare"

    /// The dataset called `text`: case, `_` for `-` and a dash in "cifar-10" are forgiven. Throws
    /// `DatasetError.unknownDataset` listing the known names.
    public init(parsing text: String) throws(DatasetError) {
        let key = text.lowercased().replacingOccurrences(of: "_", with: "-")
        switch key {
        case "mnist": self = .mnist
        case "fashion-mnist", "fashionmnist": self = .fashionMNIST
        case "cifar10", "cifar-10": self = .cifar10
        case "tinyshakespeare", "tiny-shakespeare", "shakespeare": self = .tinyShakespeare
        default: throw .unknownDataset(name: text, known: DatasetName.allCases.map(\.rawValue))
        }
    }

    /// The paths of the dataset's files for `split` (`nil`: every split) in `directory`, or `nil` when some
    /// are missing. Split is ignored for tinyshakespeare, which is one file.
    public func files(in directory: String, split: DatasetSplit?) -> [String]? {
        let splits = split.map { [$0] } ?? DatasetSplit.allCases
        switch self {
        case .mnist, .fashionMNIST:
            var paths: [String] = []
            for s in splits {
                guard let files = MNISTStyle.files(in: directory, split: s) else { return nil }
                paths += [files.images, files.labels]
            }
            return paths
        case .cifar10:
            var paths: [String] = []
            for s in splits {
                guard let batches = CIFAR10.batchDirectory(in: directory, split: s) else { return nil }
                paths += CIFAR10.fileNames(s).map { (batches as NSString).appendingPathComponent($0) }
            }
            return paths
        case .tinyShakespeare:
            let path = (directory as NSString).appendingPathComponent("input.txt")
            return FileManager.default.fileExists(atPath: path) ? [path] : nil
        }
    }

    /// The files of `split` (nil: every split) that `directory` lacks, by name (`name(.gz)` where either is
    /// read); empty when it has them all.
    public func missingFiles(in directory: String, split: DatasetSplit?) -> [String] {
        let splits = split.map { [$0] } ?? DatasetSplit.allCases
        func exists(_ name: String) -> Bool {
            var isFolder: ObjCBool = false
            let path = (directory as NSString).appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        switch self {
        case .mnist, .fashionMNIST:
            return splits.flatMap { s in
                let names = MNISTStyle.fileNames(s)
                return [names.images, names.labels].filter { !exists($0) && !exists($0 + ".gz") }.map { $0 + "(.gz)" }
            }
        case .cifar10:
            return splits.flatMap { s in
                guard CIFAR10.batchDirectory(in: directory, split: s) == nil else { return [String]() }
                return CIFAR10.fileNames(s).filter { !exists($0) }
            }
        case .tinyShakespeare:
            return exists("input.txt") ? [] : ["input.txt"]
        }
    }

    /// What to install, or where to put the files, when the dataset cannot be found.
    public var installHint: String {
        let variable = DatasetResolver.environmentVariable
        switch self {
        case .fashionMNIST:
            return "Install it with `sudo apt-get install dataset-fashion-mnist` (files in "
                + "/usr/share/datasets/fashion-mnist), or put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                + "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in $\(variable)/fashion-mnist, or "
                + "download them with `DatasetDownloader` (needs network)."
        case .mnist:
            return "Put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
                + "t10k-labels-idx1-ubyte.gz in $\(variable)/mnist or ../shared/data/mnist, or download them with "
                + "`DatasetDownloader` (needs network); MNIST-shaped experiments fall back to Fashion-MNIST "
                + "(`sudo apt-get install dataset-fashion-mnist`)."
        case .cifar10:
            return "Put data_batch_1.bin … data_batch_5.bin and test_batch.bin, from cifar-10-binary.tar.gz at "
                + "https://www.cs.toronto.edu/~kriz/cifar.html, in $\(variable)/cifar10, or download the archive "
                + "(170 MB, SHA-256-verified, then extracted) with `DatasetDownloader` (needs network)."
        case .tinyShakespeare:
            return "Put input.txt from https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
                + "tinyshakespeare/input.txt in $\(variable)/tinyshakespeare or ../shared/data/tinyshakespeare, or "
                + "download it with `DatasetDownloader` (needs network)."
        }
    }

    /// The canonical download locations and published SHA-256 digests of the dataset's files. CIFAR-10 is
    /// published as one gzip'd tar archive, whose batch files are extracted after it is verified.
    public var remoteFiles: [RemoteFile] {
        switch self {
        case .mnist:
            // The PyTorch mirror of http://yann.lecun.com/exdb/mnist/.
            return Self.mnistStyleFiles(
                base: "https://ossci-datasets.s3.amazonaws.com/mnist/",
                sha256: [
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ])
        case .fashionMNIST:
            return Self.mnistStyleFiles(
                base: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                sha256: [
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                ])
        case .cifar10:
            let folder = CIFAR10.archiveFolder
            return [
                RemoteFile(
                    url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", fileName: "cifar-10-binary.tar.gz",
                    sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
                    members: DatasetSplit.allCases.flatMap(CIFAR10.fileNames).map { folder + "/" + $0 },
                    optionalMembers: [folder + "/batches.meta.txt"]),
            ]
        case .tinyShakespeare:
            return [
                RemoteFile(
                    url: "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                    fileName: "input.txt", sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
            ]
        }
    }
}

extension DatasetName {
    /// The four `.gz` files of an MNIST-style dataset at `base`, with digests in the order train images, train
    /// labels, test images, test labels.
    private static func mnistStyleFiles(base: String, sha256: [String]) -> [RemoteFile] {
        let names = [DatasetSplit.train, .test].flatMap { split in
            let files = MNISTStyle.fileNames(split)
            return [files.images + ".gz", files.labels + ".gz"]
        }
        return zip(names, sha256).map { RemoteFile(url: base + $0, fileName: $0, sha256: $1) }
    }
}

/// A file that can be downloaded, with the SHA-256 digest it must have; either used as it is, or a gzip'd tar
/// archive whose `members` are extracted next to it.
public struct RemoteFile: Sendable, Equatable {
    /// Where to download it from: an `https://` or `http://` URL, or a `file://` URL of a local copy.
    public let url: String
    /// The name to store it under.
    public let fileName: String
    /// The published SHA-256 digest, 64 lowercase hexadecimal digits.
    public let sha256: String
    /// For a gzip'd tar archive, the files to extract from it (paths in the archive, which is kept beside them
    /// under the same relative paths), each of which it must hold; empty for a file that is used as it is.
    public let members: [String]
    /// Files of the archive extracted too when it holds them.
    public let optionalMembers: [String]

    /// The file `fileName` at `url`, whose SHA-256 must be `sha256`; a gzip'd tar archive when `members` is not
    /// empty.
    public init(url: String, fileName: String, sha256: String, members: [String] = [], optionalMembers: [String] = []) {
        precondition(sha256.count == 64, "RemoteFile: SHA-256 \(sha256) of \(fileName) is not 64 hex digits")
        precondition(
            !members.isEmpty || optionalMembers.isEmpty,
            "RemoteFile: \(fileName) has optional members but no members, so it is not an archive")
        self.url = url
        self.fileName = fileName
        self.sha256 = sha256.lowercased()
        self.members = members
        self.optionalMembers = optionalMembers
    }

    /// Whether this is a gzip'd tar archive to extract files from.
    public var isArchive: Bool { !members.isEmpty }
}
