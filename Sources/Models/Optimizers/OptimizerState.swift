import Autograd

/// An optimizer's state in a form a checkpoint can store and a fresh optimizer can restore, like PyTorch's
/// `optimizer.state_dict()`; restoring it into a new optimizer over the same parameters continues the run
/// exactly as if it had never stopped.
///
/// - `tensors`: one buffer per parameter and slot, named `<slot>.<parameter name>` with PyTorch's slot names
///   (`momentum_buffer` for SGD, `exp_avg` / `exp_avg_sq` for Adam, `square_avg` / `momentum_buffer` for
///   RMSprop), e.g. `exp_avg.0.weight`. A parameter that never had a gradient has no buffers yet, as in PyTorch.
/// - `metadata`: scalars as exact decimal strings: `learning_rate` always, `step` for Adam.
///
/// Parameters are named by a map from tensor identity to name, usually `model.parameterNames`, so the state
/// does not depend on the order of the optimizer's parameter groups.
public struct OptimizerState {
    /// The optimizer kind: `SGD`, `Adam`, `AdamW` or `RMSprop`; restoring into another kind is an error.
    public var kind: String
    /// The per-parameter buffers by `<slot>.<parameter name>`: copies, not shared with the optimizer.
    public var tensors: [String: Tensor]
    /// Scalars by name, written so that they parse back to the identical value.
    public var metadata: [String: String]

    public init(kind: String, tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.kind = kind
        self.tensors = tensors
        self.metadata = metadata
    }
}

extension Module {
    /// Each parameter's name by tensor identity, for `Optimizer.stateDict(names:)` and
    /// `Optimizer.loadStateDict(_:names:)` (a tensor listed twice keeps its first name).
    public var parameterNames: [ObjectIdentifier: String] {
        Dictionary(namedParameters.map { (ObjectIdentifier($0.tensor), $0.name) }, uniquingKeysWith: { a, _ in a })
    }
}

extension StateBuffers {
    /// Copies of the buffers, named `<slot>.<parameter name>`.
    func exported(slot: String, names: [ObjectIdentifier: String]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (id, buffer) in buffers {
            guard let name = names[id] else {
                preconditionFailure("stateDict: a \(buffer.shape) parameter of the optimizer has no name in `names`")
            }
            out["\(slot).\(name)"] = buffer.copied()
        }
        return out
    }
}

extension OptimizerState {
    /// The restored buffers of each of `slots` for `parameters`, and the values of the scalar metadata `scalars`,
    /// after checking `kind`, every tensor's slot, parameter name, shape and dtype, and every scalar. Throws
    /// `CheckpointError.optimizerStateMismatch` listing all problems; nothing is changed in that case.
    func restored(
        kind expectedKind: String, slots: [String], scalars: [String], parameters: [Tensor],
        names: [ObjectIdentifier: String]
    ) throws(CheckpointError) -> (buffers: [String: StateBuffers], scalars: [String: Double]) {
        var problems: [String] = []
        if kind != expectedKind { problems.append("it was saved by \(kind), not \(expectedKind)") }
        var byName: [String: Tensor] = [:]
        for (i, p) in parameters.enumerated() {
            guard let name = names[ObjectIdentifier(p)] else {
                problems.append("parameter #\(i) \(p.shape) of the optimizer has no name")
                continue
            }
            byName[name] = p
        }
        var buffers = Dictionary(uniqueKeysWithValues: slots.map { ($0, StateBuffers()) })
        for key in tensors.keys.sorted() {
            let value = tensors[key]!
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, slots.contains(parts[0]) else {
                let kept = slots.isEmpty ? "none" : slots.joined(separator: ", ")
                problems.append("unexpected \"\(key)\": this \(expectedKind) keeps no such buffer (it keeps: \(kept))")
                continue
            }
            guard let p = byName[parts[1]] else {
                problems.append("\"\(key)\" is for parameter \"\(parts[1])\", which this optimizer does not update")
                continue
            }
            guard value.shape == p.shape && value.dtype == p.dtype else {
                problems.append(
                    "\"\(key)\" is \(value.shape) \(value.dtype), its parameter is \(p.shape) \(p.dtype)")
                continue
            }
            buffers[parts[0]]!.set(value.copied(), for: p)
        }
        var values: [String: Double] = [:]
        for name in scalars {
            guard let text = metadata[name], let value = Double(text), value.isFinite else {
                problems.append("scalar \"\(name)\" is \(metadata[name].map { "\"\($0)\"" } ?? "missing")")
                continue
            }
            values[name] = value
        }
        if !problems.isEmpty { throw .optimizerStateMismatch(problems: problems) }
        return (buffers, values)
    }
}
