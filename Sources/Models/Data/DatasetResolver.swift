// Finding a dataset on this machine by name, in a fixed order, and saying which copy (and which dataset) was
// used: an explicit path; $TAPEGRAD_DATA/<name>; the Debian package's /usr/share/datasets/<name>;
// ../shared/data/<name> relative to the working directory; the download cache.

import Foundation

/// Where a dataset was found, and which dataset it actually is.
public struct DatasetLocation: Sendable, Equatable {
    /// How a location was found, in search order.
    public enum Source: String, Sendable, Codable {
        /// The path the caller gave.
        case explicitPath
        /// `$TAPEGRAD_DATA/<name>`.
        case environment
        /// `/usr/share/datasets/<name>`, from a Debian package such as `dataset-fashion-mnist`.
        case systemPackage
        /// `../shared/data/<name>` relative to the working directory.
        case sharedDirectory
        /// The download cache (`$XDG_CACHE_HOME/tapegrad/<name>` or `~/.cache/tapegrad/<name>`).
        case downloadCache
    }

    /// The dataset the caller asked for.
    public let requested: DatasetName
    /// The dataset actually found: differs from `requested` only when an MNIST-shaped experiment fell back
    /// to Fashion-MNIST.
    public let dataset: DatasetName
    /// The directory holding the files.
    public let directory: String
    /// How the directory was found.
    public let source: Source
    /// The files found for the requested split(s).
    public let files: [String]
    /// Why `dataset` differs from `requested`, when it does.
    public let note: String?

    /// Whether another dataset stands in for the requested one.
    public var isSubstitute: Bool { dataset != requested }

    /// One line for logs and reports, e.g. "fashion-mnist from /usr/share/datasets/fashion-mnist
    /// (systemPackage) instead of mnist: …".
    public var summary: String {
        let base = "\(dataset.rawValue) from \(directory) (\(source.rawValue))"
        guard isSubstitute else { return base }
        return base + " instead of \(requested.rawValue)" + (note.map { ": " + $0 } ?? "")
    }

    /// Split `split` of an image dataset (MNIST-style or CIFAR-10) read from this location.
    public func loadImages(
        split: DatasetSplit, scaling: PixelScaling = .unitInterval
    ) throws(DatasetError) -> LabelledDataset {
        switch dataset {
        case .mnist, .fashionMNIST:
            let names = dataset == .mnist ? MNISTStyle.mnistClassNames : MNISTStyle.fashionClassNames
            return try LabelledDataset.loadMNISTStyle(
                directory: directory, split: split, classNames: names, scaling: scaling,
                name: "\(dataset.rawValue) \(split.rawValue)")
        case .cifar10:
            return try CIFAR10.load(directory: directory, split: split, scaling: scaling)
        case .tinyShakespeare:
            preconditionFailure("DatasetLocation.loadImages: \(dataset.rawValue) is a text corpus; use loadCorpus()")
        }
    }

    /// The text corpus at this location (tinyshakespeare's `input.txt`).
    public func loadCorpus() throws(DatasetError) -> CharacterCorpus {
        precondition(dataset == .tinyShakespeare, "DatasetLocation.loadCorpus: \(dataset.rawValue) is not a text")
        return try CharacterCorpus.load(path: (directory as NSString).appendingPathComponent("input.txt"))
    }
}

/// Finds datasets by name on this machine. Every input is a property, so tests can point it anywhere; the
/// defaults read the process environment and working directory.
public struct DatasetResolver: Sendable {
    /// The environment variable naming a data directory with one subdirectory per dataset.
    public static let environmentVariable = "TAPEGRAD_DATA"

    /// The environment, read for `TAPEGRAD_DATA`.
    public var environment: [String: String]
    /// The directory `../shared/data` is relative to.
    public var currentDirectory: String
    /// Where Debian dataset packages install (`/usr/share/datasets`).
    public var systemDirectory: String
    /// Where downloads are stored, one subdirectory per dataset (never inside the repository).
    public var cacheDirectory: String

    /// A resolver over the process environment and working directory.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        systemDirectory: String = "/usr/share/datasets",
        cacheDirectory: String? = nil
    ) {
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.systemDirectory = systemDirectory
        let home = environment["HOME"] ?? NSHomeDirectory()
        let cacheRoot = environment["XDG_CACHE_HOME"] ?? (home as NSString).appendingPathComponent(".cache")
        self.cacheDirectory = cacheDirectory ?? (cacheRoot as NSString).appendingPathComponent("tapegrad")
    }

    /// The directories searched for `name`, in order (an explicit path replaces the search).
    public func candidates(for name: DatasetName, explicitPath: String? = nil) -> [(String, DatasetLocation.Source)] {
        if let explicitPath { return [(explicitPath, .explicitPath)] }
        var list: [(String, DatasetLocation.Source)] = []
        if let root = environment[Self.environmentVariable], !root.isEmpty {
            list.append(((root as NSString).appendingPathComponent(name.rawValue), .environment))
        }
        list.append(((systemDirectory as NSString).appendingPathComponent(name.rawValue), .systemPackage))
        let shared = ((currentDirectory as NSString).appendingPathComponent("../shared/data") as NSString)
            .appendingPathComponent(name.rawValue)
        list.append(((shared as NSString).standardizingPath, .sharedDirectory))
        list.append(((cacheDirectory as NSString).appendingPathComponent(name.rawValue), .downloadCache))
        return list
    }

    /// The first directory holding the files of `name` for `split` (`nil`: every split). Throws
    /// `DatasetError.datasetNotFound` listing the places searched and what to install or where to put files, or,
    /// for an explicit path, `.notADatasetFolder` saying what it lacks (a user who names a folder needs to know
    /// what is missing from it, not how to install the dataset).
    public func locate(
        _ name: DatasetName, split: DatasetSplit? = nil, explicitPath: String? = nil
    ) throws(DatasetError) -> DatasetLocation {
        if let explicitPath, name.files(in: explicitPath, split: split) == nil {
            var isFolder: ObjCBool = false
            let missing = name.missingFiles(in: explicitPath, split: split)
            let reason =
                !FileManager.default.fileExists(atPath: explicitPath, isDirectory: &isFolder)
                ? "it does not exist"
                : !isFolder.boolValue
                    ? "it is a file; name the folder that holds the dataset's files"
                    : missing.isEmpty
                        ? "its files are not all in one folder" : "it has no " + missing.joined(separator: ", ")
            throw .notADatasetFolder(path: explicitPath, name: name.rawValue, reason: reason)
        }
        var searched: [String] = []
        for (directory, source) in candidates(for: name, explicitPath: explicitPath) {
            if let files = name.files(in: directory, split: split) {
                return DatasetLocation(
                    requested: name, dataset: name, directory: directory, source: source, files: files, note: nil)
            }
            searched.append("\(directory) (\(source.rawValue))")
        }
        let what = split.map { "\(name.rawValue) \($0.rawValue) split" } ?? name.rawValue
        throw .datasetNotFound(name: what, searched: searched, hint: name.installHint)
    }

    /// MNIST if its files for `split` (`nil`: both splits, so train and test come from the same dataset) are
    /// anywhere, else Fashion-MNIST, which has the same shape (28×28 grey images, 10 classes): the location
    /// says which was used (`dataset`, `isSubstitute`, `summary`). An explicit path is taken as MNIST's.
    public func locateMNISTShaped(
        split: DatasetSplit? = nil, explicitPath: String? = nil
    ) throws(DatasetError) -> DatasetLocation {
        let mnistError: DatasetError
        do {
            return try locate(.mnist, split: split, explicitPath: explicitPath)
        } catch {
            if explicitPath != nil { throw error }
            mnistError = error
        }
        do {
            let fashion = try locate(.fashionMNIST, split: split)
            let what = split.map { "MNIST's \($0.rawValue) files were not found" }
                ?? "MNIST's train and test files are not both available"
            return DatasetLocation(
                requested: .mnist, dataset: .fashionMNIST, directory: fashion.directory, source: fashion.source,
                files: fashion.files, note: "\(what), so Fashion-MNIST (same shape) is used")
        } catch {
            guard case .datasetNotFound(let name, let mnistSearched, let hint) = mnistError,
                case .datasetNotFound(_, let fashionSearched, let fashionHint) = error
            else { throw error }
            throw .datasetNotFound(
                name: name, searched: mnistSearched + fashionSearched, hint: hint + " " + fashionHint)
        }
    }
}
