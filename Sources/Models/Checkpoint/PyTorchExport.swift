// Weights for PyTorch: the names and layouts of the equivalent `torch.nn` module's `state_dict()`, so that
// `model.load_state_dict(safetensors.torch.load_file(path))` just works. The only layout change is the
// transpose of linear weights, which this library stores (in, out) and PyTorch (out, in).

import Autograd
import Ops

/// Exports a model's weights as a safetensors file named and laid out like the `state_dict()` of the equivalent
/// PyTorch module (`Experiments/reference/check_safetensors.py` loads one and compares logits).
///
/// The mapping per model:
/// - `Sequential` → the `nn.Sequential` of the same layers, indices unchanged: `i.weight` / `i.bias` for
///   `Conv2d` (as stored, (out, in, kH, kW)), `Linear` (transposed to (out, in)) and `BatchNorm1d/2d` (γ, β);
///   batch norms also get `i.running_mean`, `i.running_var` and `i.num_batches_tracked` (an `I64` scalar).
/// - `MLP` → `nn.Sequential(Linear, act, Linear, act, …, Linear)`: linear layer k at index 2k (`0.weight`,
///   `2.weight`, `4.weight`, …); with dropout each hidden layer is `Linear, act, Dropout`, so layer k is at 3k.
///   Weights transposed to (out, in). `Activation.linear` is an `nn.Identity()` slot. The PyTorch module takes
///   flattened inputs (this MLP flattens (N, …) itself).
/// - `VisionTransformer`, `DecoderTransformer` → the module whose attributes follow `namedParameters`: every
///   2-D `*.weight` (patch embedding (D, C·P·P), `blocks.i.mlp.hidden`, `blocks.i.mlp.output`, `head`) is an
///   `nn.Linear` weight, transposed to (out, in); the bias-free attention projections `blocks.i.attention.query`,
///   `.key`, `.value`, `.output` become `nn.Linear(D, D, bias=False)` weights named `….query.weight` etc.,
///   transposed; layer norms (`norm1`, `norm2`, `norm`) are as stored. The ViT's `class_token` (1, 1, D) and
///   `position_embedding` (1, N + 1, D) are `nn.Parameter`s as stored; the decoder's `token_embedding` (V, D)
///   and `position_embedding` (T, D) are `nn.Embedding`s, named `token_embedding.weight` and
///   `position_embedding.weight`, as stored. (The ViT's patch weight reshaped to (D, C, P, P) is the weight of
///   the equivalent `nn.Conv2d(C, D, P, stride=P)`.)
/// - any other model: parameters and buffers under their own names, 2-D `*.weight` tensors transposed.
public enum PyTorchExport {
    /// The PyTorch `state_dict()` of `model`, as safetensors tensors (see the type's description).
    public static func stateDict(of model: any Model) -> [String: SafetensorsTensor] {
        let named: [(String, SafetensorsTensor)] = noGrad {
            switch model {
            case let sequential as Sequential: sequentialStateDict(sequential)
            case let mlp as MLP: mlpStateDict(mlp)
            case let decoder as DecoderTransformer:
                genericStateDict(decoder, embeddings: ["token_embedding", "position_embedding"])
            default: genericStateDict(model, embeddings: [])
            }
        }
        var out: [String: SafetensorsTensor] = [:]
        for (name, tensor) in named {
            precondition(out[name] == nil, "PyTorchExport: two tensors named \"\(name)\"")
            out[name] = tensor
        }
        return out
    }

    /// Writes `stateDict(of: model)` and `metadata` to `path` atomically; load it in PyTorch with
    /// `module.load_state_dict(safetensors.torch.load_file(path))`. Throws `CheckpointError.unwritable`.
    public static func write(_ model: any Model, to path: String, metadata: [String: String] = [:])
        throws(CheckpointError)
    {
        try SafetensorsFile(tensors: stateDict(of: model), metadata: metadata).write(to: path)
    }

    /// (out, in) from this library's (in, out).
    private static func linearWeight(_ w: Tensor) -> SafetensorsTensor {
        precondition(w.rank == 2, "PyTorchExport: a linear weight must be 2-D, got \(w.shape)")
        return SafetensorsTensor(w.transposed())
    }

    private static func sequentialStateDict(_ model: Sequential) -> [(String, SafetensorsTensor)] {
        var out: [(String, SafetensorsTensor)] = []
        for (i, (layer, state)) in zip(model.layers, model.states).enumerated() {
            if let weight = state.weight {
                if case .linear = layer {
                    out.append(("\(i).weight", linearWeight(weight)))
                } else {
                    out.append(("\(i).weight", SafetensorsTensor(weight)))
                }
            }
            if let bias = state.bias { out.append(("\(i).bias", SafetensorsTensor(bias))) }
            if let statistics = state.statistics {
                out.append(("\(i).running_mean", SafetensorsTensor(statistics.runningMean)))
                out.append(("\(i).running_var", SafetensorsTensor(statistics.runningVariance)))
                out.append(("\(i).num_batches_tracked", SafetensorsTensor(int64: [Int64(statistics.batchesTracked)])))
            }
        }
        return out
    }

    private static func mlpStateDict(_ model: MLP) -> [(String, SafetensorsTensor)] {
        let stride = model.dropout > 0 ? 3 : 2
        return model.weights.indices.flatMap { k in
            [("\(stride * k).weight", linearWeight(model.weights[k])),
             ("\(stride * k).bias", SafetensorsTensor(model.biases[k]))]
        }
    }

    /// Parameters and buffers by their own names; 2-D `*.weight` and attention projections transposed (the
    /// latter renamed `….weight`); `embeddings` renamed `<name>.weight` and kept as stored.
    private static func genericStateDict(
        _ model: any Model, embeddings: Set<String>
    ) -> [(String, SafetensorsTensor)] {
        let projections = [".attention.query", ".attention.key", ".attention.value", ".attention.output"]
        return (model.namedParameters + model.namedBuffers).map { name, tensor in
            if embeddings.contains(name) { return (name + ".weight", SafetensorsTensor(tensor)) }
            if tensor.rank == 2 && projections.contains(where: name.hasSuffix) {
                return (name + ".weight", linearWeight(tensor))
            }
            if tensor.rank == 2 && name.hasSuffix(".weight") { return (name, linearWeight(tensor)) }
            return (name, SafetensorsTensor(tensor))
        }
    }
}
