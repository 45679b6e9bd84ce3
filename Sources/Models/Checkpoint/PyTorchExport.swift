// Weights for PyTorch: the names and layouts of the equivalent `torch.nn` module's `state_dict()`, so that
// `model.load_state_dict(safetensors.torch.load_file(path))` just works.

import Autograd
import Ops

/// Exports a model's weights as a safetensors file named and laid out like the `state_dict()` of the equivalent
/// PyTorch module (`Experiments/reference/check_safetensors.py` loads one and compares logits).
///
/// Each module gives its own part (`Module.pytorchStateDict()`): parameters and buffers under their names, as
/// stored, except where PyTorch's layout differs:
/// - `Linear` → `nn.Linear`, the weight transposed to (out, in); `MultiHeadAttention`'s bias-free projections
///   → `nn.Linear(C, C, bias=False)` named `query.weight`, `key.weight`, …, transposed;
/// - `BatchNorm1d/2d` → also `num_batches_tracked`, an `I64` scalar;
/// - `MLP` → `nn.Sequential(Linear, act, Linear, act, …, Linear)` (with a `Dropout` after each hidden activation
///   when p > 0): linear layer k at index 2k, or 3k with dropout;
/// - `Sequential` → `nn.Sequential` of the same layers, indices unchanged; `Embedding` → `nn.Embedding`.
///
/// So a `VisionTransformer`'s `patch.weight` is the (D, C·P·P) weight of an `nn.Linear` (reshaped to (D, C, P, P),
/// that of the equivalent `nn.Conv2d(C, D, P, stride=P)`), and its `class_token` (1, 1, D) and `position_embedding`
/// (1, N + 1, D) are `nn.Parameter`s as stored.
public enum PyTorchExport {
    /// The PyTorch `state_dict()` of `model`, as safetensors tensors (see the type's description).
    public static func stateDict(of model: any Module) -> [String: SafetensorsTensor] {
        var out: [String: SafetensorsTensor] = [:]
        for (name, tensor) in noGrad({ model.pytorchStateDict() }) {
            precondition(out[name] == nil, "PyTorchExport: two tensors named \"\(name)\"")
            out[name] = tensor
        }
        return out
    }

    /// Writes `stateDict(of: model)` and `metadata` to `path` atomically; load it in PyTorch with
    /// `module.load_state_dict(safetensors.torch.load_file(path))`. Throws `CheckpointError.unwritable`.
    public static func write(
        _ model: any Module, to path: String, metadata: [String: String] = [:]
    )
        throws(CheckpointError)
    {
        try SafetensorsFile(tensors: stateDict(of: model), metadata: metadata).write(to: path)
    }
}
