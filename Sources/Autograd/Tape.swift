import Foundation
import Synchronization

/// One recorded op: the tensors it read and its vector–Jacobian product.
///
/// The output tensor owns its node (`Tensor.node`) and the node owns its inputs, so a graph lives exactly as long
/// as the tensors that can reach it. The tape itself only orders nodes (weakly), so `backward()` visits them in
/// reverse order of creation without a topological sort or recursion.
final class Node {
    let name: StaticString
    let tapeID: Int
    /// Position on the tape; consumers always have larger indices than the nodes of their inputs.
    var index: Int
    private(set) var inputs: [Tensor]
    /// Which inputs want a gradient; the VJP computes only those.
    let needs: [Bool]
    /// Maps the output's gradient to one gradient per input (`nil` where not needed), shapes as the inputs' or
    /// broadcastable to them.
    private(set) var vjp: ((_ gradient: Tensor, _ needs: [Bool]) -> [Tensor?])?

    var isLive: Bool { vjp != nil }

    /// Every `needs` of up to three inputs, `sharedNeeds[count][mask]` (bit k of mask for input k), built once: an
    /// op then shares one of these instead of allocating its own array (an array allocation costs about 60 ns
    /// here, a tenth of a tiny op).
    static let sharedNeeds: [[[Bool]]] = (0...3).map { count in
        (0..<(1 << count)).map { mask in (0..<count).map { mask & (1 << $0) != 0 } }
    }

    init(
        name: StaticString, tapeID: Int, index: Int, inputs: [Tensor], needs: [Bool],
        vjp: @escaping (Tensor, [Bool]) -> [Tensor?]
    ) {
        self.name = name
        self.tapeID = tapeID
        self.index = index
        self.inputs = inputs
        self.needs = needs
        self.vjp = vjp
    }

    /// Frees what the node holds: its inputs and the tensors its VJP captured.
    func release() {
        inputs = []
        vjp = nil
    }
}

/// The per-thread record of ops on tracked tensors, in the order they ran (a Wengert list).
///
/// Recording starts whenever an op reads a tensor that requires a gradient and stops inside `noGrad`.
/// `backward()` walks the tape from its root back to the start, then releases every node on it: after a
/// backward pass every tensor recorded since the previous one is detached, and the tape is empty again.
public final class Tape {
    private struct Entry { weak var node: Node? }

    private static let nextID = Atomic<Int>(0)

    let id: Int
    private var entries: [Entry] = []
    private var compactionThreshold = 1 << 16
    var noGradDepth = 0
    /// Where leaves' gradients go while this thread runs a shard of `shardedBackward` (their `grad` otherwise).
    var leafGradients: LeafGradients?

    private init() {
        id = Tape.nextID.add(1, ordering: .relaxed).newValue
    }

    /// The calling thread's tape.
    public static var current: Tape {
        if let raw = pthread_getspecific(tapeKey) {
            return Unmanaged<Tape>.fromOpaque(raw).takeUnretainedValue()
        }
        let tape = Tape()
        pthread_setspecific(tapeKey, Unmanaged.passRetained(tape).toOpaque())
        return tape
    }

    /// Whether ops on tracked tensors are recorded right now (false inside `noGrad`).
    public var isRecording: Bool { noGradDepth == 0 }

    /// The number of live nodes on the tape (for tests and diagnostics).
    public var liveNodeCount: Int { entries.reduce(0) { $0 + ($1.node?.isLive == true ? 1 : 0) } }

    func append(_ node: Node) {
        if entries.count >= compactionThreshold { compact() }
        node.index = entries.count
        entries.append(Entry(node: node))
    }

    func node(at index: Int) -> Node? { entries[index].node }

    /// Drops the entries of nodes no tensor can reach any more (a forward pass whose outputs were discarded
    /// without `backward()`), so a loop that never calls `backward()` does not grow the tape without bound.
    private func compact() {
        var kept: [Entry] = []
        for entry in entries {
            guard let node = entry.node else { continue }
            node.index = kept.count
            kept.append(entry)
        }
        entries = kept
        compactionThreshold = max(1 << 16, 2 * kept.count)
    }

    /// Releases every node on the tape (detaching all recorded tensors) and empties it.
    public func reset() {
        // Forward order: each release frees tensors whose own nodes are already released, so no deep deinit chain.
        for entry in entries { entry.node?.release() }
        entries.removeAll(keepingCapacity: true)
    }
}

private let tapeKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { raw in
        if let raw { Unmanaged<Tape>.fromOpaque(raw).release() }
    }
    precondition(status == 0, "Tape: pthread_key_create failed (\(status))")
    return key
}()

/// Runs `body` without recording ops on the tape, like PyTorch's `torch.no_grad()`: for evaluation, and for
/// optimizers updating parameters.
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    let tape = Tape.current
    tape.noGradDepth += 1
    defer { tape.noGradDepth -= 1 }
    return try body()
}

// MARK: - Recording

extension Tensor {
    /// Records `self`, just computed by op `name` from `inputs`, on the tape with its vector–Jacobian product,
    /// and returns `self`. This is how every op, in this library or yours, becomes differentiable (PyTorch's
    /// `autograd.Function`):
    ///
    /// ```
    /// let out = …forward kernel…
    /// return out.recorded("myOp", [x, w]) { g, needs in [needs[0] ? …∂/∂x… : nil, needs[1] ? …∂/∂w… : nil] }
    /// ```
    ///
    /// Nothing is recorded inside `noGrad` or when no input requires a gradient; `vjp` receives the output's
    /// gradient and which inputs need one, and returns one gradient per input (`nil` where not needed), each of
    /// the input's shape or of a shape the input broadcasts to (the engine sums it back, see `backward`). The VJP
    /// runs inside `noGrad` and may use any tensor op.
    @discardableResult
    public func recorded(
        _ name: StaticString, _ inputs: [Tensor],
        _ vjp: @escaping (_ gradient: Tensor, _ needs: [Bool]) -> [Tensor?]
    ) -> Tensor {
        let tape = Tape.current
        guard tape.isRecording else { return self }
        var mask = 0  // bit k: input k needs a gradient
        var freedInput = false
        for (k, input) in inputs.enumerated() {
            if let node = input.node {
                if node.isLive {
                    precondition(node.tapeID == tape.id, "\(name): an input was recorded on another thread's tape")
                    mask |= 1 << k
                } else {
                    freedInput = true
                }
            } else if input.wantsGradAsLeaf {
                mask |= 1 << k
            }
        }
        guard mask != 0 else { return self }
        precondition(
            !freedInput,
            "\(name): an input's graph was freed by an earlier backward(); recompute it, or call detached() on it")
        let needs = inputs.count < Node.sharedNeeds.count
            ? Node.sharedNeeds[inputs.count][mask] : (0..<inputs.count).map { mask & (1 << $0) != 0 }
        let node = Node(name: name, tapeID: tape.id, index: 0, inputs: inputs, needs: needs, vjp: vjp)
        tape.append(node)
        self.node = node
        return self
    }

    var wantsGradAsLeaf: Bool { node == nil && requiresGrad }
}

// MARK: - Backward

extension Tensor {
    /// Computes the gradient of this tensor with respect to every leaf that requires one, accumulating into
    /// the leaves' `grad` (`+=`, so a leaf used twice, or over several backward calls, gets every contribution).
    ///
    /// `gradient` is the gradient of the final objective with respect to `self` (∂L/∂self); it defaults to 1 and
    /// must be given when `self` is not a scalar. The walk is iterative: nodes are visited from this tensor's
    /// tape position back to the start. Gradients that an op returns in a broadcast shape are summed back to its
    /// input's shape here, in one place. Afterwards the whole tape is released.
    public func backward(gradient: Tensor? = nil) {
        let seed: Tensor
        if let gradient {
            precondition(
                gradient.shape == shape && gradient.dtype == dtype,
                "backward(gradient:): gradient \(gradient.shape) \(gradient.dtype) must match \(shape) \(dtype)")
            seed = gradient
        } else {
            precondition(count == 1, "backward(): output of shape \(shape) is not a scalar; pass gradient:")
            seed = Tensor.ones(shape, dtype: dtype)
        }
        let tape = Tape.current
        guard let root = node else {
            precondition(requiresGrad, "backward(): tensor does not require grad (built from constants or in noGrad)")
            accumulateLeafGradient(seed)
            return
        }
        precondition(root.isLive, "backward(): the graph of this tensor was already freed by an earlier backward()")
        precondition(root.tapeID == tape.id, "backward(): tensor was recorded on another thread's tape")

        var grads = [Tensor?](repeating: nil, count: root.index + 1)
        grads[root.index] = seed
        noGrad {
            for i in stride(from: root.index, through: 0, by: -1) {
                guard let g = grads[i], let node = tape.node(at: i), let vjp = node.vjp else { continue }
                grads[i] = nil
                let inputGrads = vjp(g, node.needs)
                precondition(inputGrads.count == node.inputs.count, "\(node.name): VJP returned wrong arity")
                for (k, input) in node.inputs.enumerated() where node.needs[k] {
                    guard var gk = inputGrads[k] else { continue }
                    if gk.shape != input.shape { gk = gk.sum(toShape: input.shape) }
                    if let inputNode = input.node {
                        let j = inputNode.index
                        grads[j] = grads[j].map { $0 + gk } ?? gk
                    } else {
                        input.accumulateLeafGradient(gk)
                    }
                }
            }
        }
        tape.reset()
    }

    func accumulateLeafGradient(_ g: Tensor) {
        precondition(g.shape == shape && g.dtype == dtype, "backward: gradient \(g.shape) for leaf of shape \(shape)")
        if let sink = Tape.current.leafGradients { return sink.add(g, to: self) }
        grad = grad.map { old in noGrad { old + g } } ?? g
    }

    /// The same values, cut from the graph: a leaf that does not require a gradient (shares storage).
    public func detached() -> Tensor {
        Tensor(shape: shape, dtype: dtype, storage: storage)
    }

    /// Marks this leaf as a parameter whose gradient `backward()` computes, and returns it.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// Clears the accumulated gradient, like PyTorch's `zero_grad(set_to_none=True)`.
    public func zeroGrad() { grad = nil }
}
