// A training checkpoint: everything a resumed run needs, in ONE safetensors file, so that training k steps,
// saving, loading into fresh objects and training m more steps gives bit-identical weights to k + m steps.

import Autograd
import Foundation
import Ops

/// Saves and restores training checkpoints: model parameters and buffers, optimizer state and the trainer's
/// metadata, in one safetensors file.
///
/// The file holds
/// - `model.<name>`: every parameter and buffer under its `namedParameters` / `namedBuffers` name
///   (`model.0.weight`, `model.3.running_mean`), in the model's own layout and dtype;
/// - `optimizer.<slot>.<parameter name>`: the optimizer's buffers (`optimizer.exp_avg.0.weight`, see
///   `OptimizerState`);
/// - metadata: the caller's keys as given (step, epoch, RNG state as JSON, …) plus reserved `tapegrad.` keys:
///   `tapegrad.format`, `tapegrad.optimizer` (its kind), `tapegrad.optimizer.<scalar>` (`step`,
///   `learning_rate`), `tapegrad.model.<name>.num_batches_tracked` of each batch norm module and
///   `tapegrad.sha256`, the SHA-256 of everything else in the file (see `verifyChecksum`).
///
/// ```
/// try Checkpoint.save(model: cnn, optimizer: adam, metadata: ["step": "\(step)"], to: "run/checkpoint.safetensors")
/// let metadata = try Checkpoint.load(from: "run/checkpoint.safetensors", into: cnn, optimizer: adam)
/// ```
///
/// Model weights are stored in this library's layout (linear weights (in, out)); for a file PyTorch's
/// `load_state_dict` accepts, see `PyTorchExport`.
public enum Checkpoint {
    /// The value of `tapegrad.format` in files this version writes. Files of format "1" are read too: they name
    /// an `Embedding`'s table without its `.weight` (`token_embedding`, now `token_embedding.weight`).
    public static let formatVersion = "2"
    /// Metadata keys starting with this are the library's own; callers may not use them.
    public static let reservedPrefix = "tapegrad."

    /// The checkpoint as a safetensors file in memory (see the type's description for its layout).
    /// `metadata` keys must not start with `tapegrad.`.
    public static func contents(
        model: any Module, optimizer: (any Optimizer)? = nil, metadata: [String: String] = [:]
    ) -> SafetensorsFile {
        let reserved = metadata.keys.filter { $0.hasPrefix(reservedPrefix) }.sorted()
        precondition(
            reserved.isEmpty, "Checkpoint: metadata keys \(reserved) use the reserved prefix \(reservedPrefix)")
        var file = SafetensorsFile(metadata: metadata)
        file.metadata[reservedPrefix + "format"] = formatVersion
        for (name, tensor) in model.namedParameters + model.namedBuffers {
            precondition(file.tensors["model." + name] == nil, "Checkpoint: the model names two tensors \"\(name)\"")
            file.tensors["model." + name] = SafetensorsTensor(tensor)
        }
        for (name, statistics) in batchNormStatistics(of: model) {
            file.metadata[reservedPrefix + "model.\(name).num_batches_tracked"] = "\(statistics.batchesTracked)"
        }
        if let optimizer {
            let state = optimizer.stateDict(names: model.parameterNames)
            file.metadata[reservedPrefix + "optimizer"] = state.kind
            for (key, value) in state.metadata { file.metadata[reservedPrefix + "optimizer." + key] = value }
            for (key, tensor) in state.tensors { file.tensors["optimizer." + key] = SafetensorsTensor(tensor) }
        }
        return addingChecksum(file)
    }

    /// Writes a checkpoint of `model`, `optimizer` (when given) and `metadata` to `path` atomically: a crash or
    /// a full disk leaves the previous checkpoint intact. Throws `CheckpointError.unwritable`.
    public static func save(
        model: any Module, optimizer: (any Optimizer)? = nil, metadata: [String: String] = [:], to path: String
    ) throws(CheckpointError) {
        try contents(model: model, optimizer: optimizer, metadata: metadata).write(to: path)
    }

    /// Restores a checkpoint file into `model` (and `optimizer`, when given) in place and returns the caller's
    /// metadata (without the `tapegrad.` keys).
    ///
    /// A file with a checksum must match it (else `CheckpointError.checksumMismatch`); one without, written
    /// before checkpoints carried checksums, loads unchecked.
    /// Every parameter and buffer must be in the file with the same shape and dtype, and the file may hold no
    /// other `model.` tensor; the optimizer state must fit `optimizer` (see `Optimizer.loadStateDict`). All of
    /// this is checked before anything changes: on a mismatch it throws `CheckpointError.mismatch` listing every
    /// problem, and the model and optimizer are untouched. Also throws any error of reading the file.
    ///
    /// Parameters and batch-norm running statistics are overwritten in place (`assign` inside `noGrad`), and the
    /// saved `num_batches_tracked` counts are written back.
    @discardableResult
    public static func load(
        from path: String, into model: any Module, optimizer: (any Optimizer)? = nil
    ) throws(CheckpointError) -> [String: String] {
        try restore(SafetensorsFile(contentsOf: path), path: path, into: model, optimizer: optimizer)
    }

    /// Restores checkpoint `contents` (read from `path`, which names it in errors), as `load(from:into:optimizer:)`.
    @discardableResult
    public static func restore(
        _ contents: SafetensorsFile, path: String, into model: any Module, optimizer: (any Optimizer)? = nil
    ) throws(CheckpointError) -> [String: String] {
        try verifyChecksum(contents, path: path)
        guard let format = contents.metadata[reservedPrefix + "format"] else {
            throw .invalidMetadata(
                path: path, key: reservedPrefix + "format", reason: "is missing: this is not a TapeGrad checkpoint")
        }
        guard format == formatVersion || format == "1" else {
            throw .invalidMetadata(
                path: path, key: reservedPrefix + "format",
                reason: "is \"\(format)\", this version reads \"1\" and \"\(formatVersion)\"")
        }
        let contents = format == "1" ? renamingFormat1Tensors(contents, for: model) : contents
        let targets = model.namedParameters + model.namedBuffers
        var values: [(target: Tensor, value: Tensor)] = []
        var problems: [String] = []
        for (name, target) in targets {
            guard let stored = contents.tensors["model." + name] else {
                problems.append("missing model.\(name) (\(target.shape) \(target.dtype))")
                continue
            }
            guard let value = stored.tensor(), value.dtype == target.dtype, value.shape == target.shape else {
                problems.append(
                    "model.\(name) is \(stored.shape) \(stored.dtype.rawValue) in the file, "
                        + "\(target.shape) \(target.dtype) in the model")
                continue
            }
            values.append((target, value))
        }
        let known = Set(targets.map { "model." + $0.name })
        for name in contents.tensors.keys.sorted() where !known.contains(name) {
            if name.hasPrefix("optimizer.") { continue }
            problems.append("unexpected \(name): the model has no such tensor")
        }
        for (name, stored) in contents.tensors where name.hasPrefix("optimizer.") && stored.dtype == .int64 {
            problems.append("\(name) is I64; optimizer state is floating point")
        }
        let savedKind = contents.metadata[reservedPrefix + "optimizer"]
        if optimizer != nil && savedKind == nil { problems.append("the file holds no optimizer state") }
        if !problems.isEmpty { throw .mismatch(path: path, problems: problems) }

        if let optimizer, let savedKind {
            do {
                try optimizer.loadStateDict(optimizerState(contents, kind: savedKind), names: model.parameterNames)
            } catch .optimizerStateMismatch(let optimizerProblems) {
                throw .mismatch(path: path, problems: optimizerProblems.map { "optimizer: " + $0 })
            } catch {
                throw error
            }
        }
        noGrad {
            for (target, value) in values { target.assign(value) }
        }
        for (name, statistics) in batchNormStatistics(of: model) {
            if let count = contents.metadata[reservedPrefix + "model.\(name).num_batches_tracked"].flatMap(Int.init) {
                statistics.batchesTracked = count
            }
        }
        return contents.metadata.filter { !$0.key.hasPrefix(reservedPrefix) }
    }

    /// The `optimizer.` tensors and `tapegrad.optimizer.` scalars of a checkpoint as an `OptimizerState`.
    private static func optimizerState(_ contents: SafetensorsFile, kind: String) -> OptimizerState {
        var state = OptimizerState(kind: kind)
        let scalarPrefix = reservedPrefix + "optimizer."
        for (key, value) in contents.metadata where key.hasPrefix(scalarPrefix) {
            state.metadata[String(key.dropFirst(scalarPrefix.count))] = value
        }
        for (key, stored) in contents.tensors where key.hasPrefix("optimizer.") {
            state.tensors[String(key.dropFirst("optimizer.".count))] = stored.tensor()  // I64 ones rejected before
        }
        return state
    }

    /// The statistics of every batch norm inside `model`, by module name.
    static func batchNormStatistics(of model: any Module) -> [(name: String, statistics: BatchNormStatistics)] {
        model.namedModules.compactMap { name, module in
            (module as? any BatchNormalization).map { (name, $0.statistics) }
        }
    }

    /// A format-1 file with its tensors renamed as format 2 names them: a model tensor `x` that the model calls
    /// `x.weight` (an `Embedding`, whose table format 1 named without `.weight`), and its optimizer state with it.
    private static func renamingFormat1Tensors(_ contents: SafetensorsFile, for model: any Module) -> SafetensorsFile {
        let names = Set((model.namedParameters + model.namedBuffers).map(\.name))
        var renamed: [String: String] = [:]
        for name in names where name.hasSuffix(".weight") {
            let old = String(name.dropLast(".weight".count))
            if !names.contains(old), contents.tensors["model." + old] != nil { renamed[old] = name }
        }
        guard !renamed.isEmpty else { return contents }
        var upgraded = contents
        upgraded.tensors = [:]
        for (key, tensor) in contents.tensors {
            var key = key
            for (old, new) in renamed
            where key == "model." + old || (key.hasPrefix("optimizer.") && key.hasSuffix("." + old)) {
                key = String(key.dropLast(old.count)) + new
            }
            upgraded.tensors[key] = tensor
        }
        return upgraded
    }
}
