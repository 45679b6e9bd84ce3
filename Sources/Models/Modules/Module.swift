// Modules: values that hold tensors and are functions of them, in the spirit of PyTorch's `nn.Module` and
// mlx-swift's `MLXNN.Module`. A module's parameters and buffers are found by reflection over its stored
// properties, so their names come from the structure (`blocks.0.attention.query`), never from hand-typed strings.

import Autograd
import Ops

/// A part of a network that holds tensors: parameters (learned), buffers (kept, not learned: batch norm's running
/// statistics) and child modules.
///
/// A module is a plain value, a struct of tensors and settings, with no registry and no hidden graph: its forward
/// function reads its tensors, and an optimizer updates those tensors in place (tensors are references). Its
/// contents are found by reflection (`Mirror`) over its stored properties, in declaration order, so a new layer
/// needs no list of names:
///
/// - a `Tensor` (or a non-nil `Tensor?`) is a parameter named after the property, in snake_case
///   (`classToken` → `class_token`);
/// - a `Module` (or a non-nil optional one) is a child, whose entries are prefixed with its name and a dot;
/// - an array of tensors or modules gives one entry per element, named by its index (`blocks.0`, `blocks.1`);
/// - a `ModuleBuffers` value (batch norm's `BatchNormStatistics`) adds its buffers under their own names;
/// - anything else (sizes, probabilities, flags) is a setting, not an entry.
///
/// A container that names its children otherwise implements `entries` itself (`Sequential` names its layers
/// `0`, `1`, … as PyTorch's `nn.Sequential`).
///
/// ```
/// struct Block: Layer {
///     var norm: LayerNorm
///     var mlp: FeedForward
///     func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor { x + mlp(norm(x), &context) }
/// }
/// // namedParameters: norm.weight, norm.bias, mlp.hidden.weight, mlp.hidden.bias, mlp.output.weight, …
/// ```
public protocol Module: CustomStringConvertible {
    /// The module's own parameters and buffers and its children, in order. The default reflects over the stored
    /// properties as the type's description says.
    var entries: [ModuleEntry] { get }

    /// The module's tensors as the equivalent `torch.nn` module's `state_dict()` holds them: names relative to
    /// this module, PyTorch's layouts. The default gives parameters and buffers as stored and each child's own
    /// state dict under its name; modules whose layout differs from PyTorch's (`Linear` stores its weight
    /// transposed) override it.
    func pytorchStateDict() -> [(name: String, tensor: SafetensorsTensor)]
}

/// One entry of a module: a parameter, a buffer or a child module, under its name within the module.
public struct ModuleEntry {
    public enum Value {
        case parameter(Tensor)
        case buffer(Tensor)
        case module(any Module)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// Non-learned tensors that a module keeps and checkpoints save, reached through one of its properties:
/// batch norm's running mean and variance. Their names are part of the owning module (`running_mean`, not
/// `statistics.running_mean`), as PyTorch's `register_buffer`.
public protocol ModuleBuffers: AnyObject {
    var namedBuffers: [(name: String, tensor: Tensor)] { get }
}

extension BatchNormStatistics: ModuleBuffers {
    /// `running_mean` and `running_var`, as PyTorch's `BatchNorm` names them.
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar)]
    }
}

extension Module {
    public var entries: [ModuleEntry] { reflectedEntries(of: self) }

    /// The type's name; layers describe themselves as PyTorch prints its modules (`Linear(784, 128)`).
    public var description: String { "\(Self.self)" }

    public func pytorchStateDict() -> [(name: String, tensor: SafetensorsTensor)] {
        entries.flatMap { entry -> [(name: String, tensor: SafetensorsTensor)] in
            switch entry.value {
            case .parameter(let t), .buffer(let t): [(entry.name, SafetensorsTensor(t))]
            case .module(let child): child.pytorchStateDict().map { (entry.name + "." + $0.name, $0.tensor) }
            }
        }
    }

    /// Every learnable tensor under its dotted name (`blocks.0.attention.query`), in order, like PyTorch's
    /// `named_parameters()`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        flattened { if case .parameter(let t) = $0 { t } else { nil } }
    }

    /// Every buffer under its dotted name (`3.running_mean`), like PyTorch's `named_buffers()`.
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        flattened { if case .buffer(let t) = $0 { t } else { nil } }
    }

    /// This module (named "") and every module inside it, depth first in order, like PyTorch's `named_modules()`.
    public var namedModules: [(name: String, module: any Module)] {
        var out: [(name: String, module: any Module)] = [("", self)]
        for entry in entries {
            guard case .module(let child) = entry.value else { continue }
            out += child.namedModules.map { (entry.name + ($0.name.isEmpty ? "" : "." + $0.name), $0.module) }
        }
        return out
    }

    /// The learnable tensors, in order.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// The parameters that are trained: those that require a gradient (a frozen layer's do not), for an optimizer.
    public var trainableParameters: [Tensor] { parameters.filter(\.requiresGrad) }

    /// The number of learnable scalars.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }

    /// Parameters and buffers under their dotted names.
    private func flattened(_ pick: (ModuleEntry.Value) -> Tensor?) -> [(name: String, tensor: Tensor)] {
        entries.flatMap { entry -> [(name: String, tensor: Tensor)] in
            if case .module(let child) = entry.value {
                return child.flattened(pick).map { (entry.name + "." + $0.name, $0.tensor) }
            }
            return pick(entry.value).map { [(entry.name, $0)] } ?? []
        }
    }
}

/// The entries of `module` found by reflection over its stored properties (see `Module`).
func reflectedEntries(of module: some Module) -> [ModuleEntry] {
    var entries: [ModuleEntry] = []
    func visit(_ value: Any, _ name: String) {
        switch value {
        case let tensor as Tensor: entries.append(ModuleEntry(name, .parameter(tensor)))
        case let child as any Module: entries.append(ModuleEntry(name, .module(child)))
        case let buffers as any ModuleBuffers:
            entries += buffers.namedBuffers.map { ModuleEntry($0.name, .buffer($0.tensor)) }
        default:
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional: if let wrapped = mirror.children.first { visit(wrapped.value, name) }
            case .collection: for (i, element) in mirror.children.enumerated() { visit(element.value, "\(name).\(i)") }
            default: break
            }
        }
    }
    for child in Mirror(reflecting: module).children {
        guard let label = child.label else { continue }
        visit(child.value, snakeCase(label))
    }
    return entries
}

/// `classToken` → `class_token`: a Swift property name as PyTorch would spell the attribute.
func snakeCase(_ name: String) -> String {
    var out = ""
    for character in name {
        if character.isUppercase {
            if !out.isEmpty { out.append("_") }
            out += character.lowercased()
        } else {
            out.append(character)
        }
    }
    return out
}

// MARK: - Layers

/// How a forward pass runs: in training mode (dropout active, batch norm on batch statistics and updating its
/// running ones) or in evaluation mode, and the generator dropout draws from.
///
/// Passed `inout` through a network, as Keras passes `training` to every call and mlx-swift threads a random key,
/// so that a model stays a plain function of its tensors: the same inputs and context give the same outputs.
public struct ForwardContext {
    /// Training mode (true) or evaluation mode (false).
    public var training: Bool
    /// The generator of dropout masks; advanced by each draw.
    public var rng: RandomGenerator

    public init(training: Bool, rng: RandomGenerator = RandomGenerator(seed: 0)) {
        self.training = training
        self.rng = rng
    }

    /// Evaluation mode: no dropout, batch norm on running statistics (nothing is drawn).
    public static var evaluation: ForwardContext { ForwardContext(training: false) }
}

/// A module that maps a tensor to a tensor: a layer, a block or a whole network.
public protocol Layer: Module {
    /// The output for input `x` in the mode, and with the generator, of `context`.
    func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor

    /// The output shape for one example of shape `input` (no batch axis), or why the layer cannot take it.
    func outputShape(for input: [Int]) throws(ShapeError) -> [Int]
}

extension Layer {
    /// The output in evaluation mode.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var context = ForwardContext.evaluation
        return self(x, &context)
    }
}

/// A layer whose output depends on its input alone, not on the mode or on random draws (linear maps,
/// convolutions, layer norm, activations, pooling), so it can be called without a context: `norm(x)`.
public protocol UnaryLayer: Layer {
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension UnaryLayer {
    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor { self(x) }
}

/// Why a layer cannot take an input shape: "needs (C, H, W) images", "kernel 5×5 is larger than its padded input
/// 4×4" (the caller knows the input and names it). Shapes are per example, without the batch axis.
public struct ShapeError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A shape as "(1, 28, 28)", for messages.
public func describeShape(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
