// Data parallelism inside one training step: the batch split into shards that run forward and backward at the same
// time, one per thread, each on its own tape, their gradients summed in shard order at the end. For models built of
// many small ops (a Transformer at width 64) this beats splitting every op over the threads, which pays a fork–join
// per op and leaves each thread only a sliver of every product.

/// The gradients leaves receive while a shard runs, held apart from their `grad` until every shard is done: shards
/// running at the same time never write the same leaf, and the sum over shards is taken in a fixed order.
final class LeafGradients {
    private(set) var leaves: [Tensor] = []
    private(set) var gradients: [Tensor] = []
    private var position: [ObjectIdentifier: Int] = [:]

    /// Adds `g` to what `leaf` received so far in this shard.
    func add(_ g: Tensor, to leaf: Tensor) {
        if let k = position[ObjectIdentifier(leaf)] {
            gradients[k] = noGrad { gradients[k] + g }
        } else {
            position[ObjectIdentifier(leaf)] = leaves.count
            leaves.append(leaf)
            gradients.append(g)
        }
    }
}

/// Forward and backward of a batch of `batchSize` examples split into `shards` contiguous ranges that run at the
/// same time, one per thread, like PyTorch's `DistributedDataParallel` over the cores of one process. `loss(s, r)`
/// builds shard s's loss Lₛ, the mean over the examples r (a scalar), which is differentiated on the thread that
/// built it; then every leaf receives, in shard order s = 0, 1, …,
///
///     ∂L/∂θ = Σₛ (nₛ / n) · ∂Lₛ/∂θ,   where L = Σₛ (nₛ / n) · Lₛ = the returned value
///
/// (nₛ the examples of shard s, n = `batchSize`), accumulated into `grad` as `backward()` does. That is the whole
/// batch's mean loss and its gradient, up to rounding, as long as no op mixes the examples of a batch. Batch norm
/// does (each shard would normalize by its own statistics, and two threads would update the running ones): do not
/// shard models that have it. Dropout draws from whatever generator `loss` uses, which must be the shard's own.
///
/// Parallel loops inside a shard run on the shard's thread, hence the default of one shard per thread; with one
/// thread the shards run one after the other. The result depends on the number of shards (rounding), not on which
/// thread ran which shard.
public func shardedBackward(
    batchSize n: Int, shards: Int = Parallelism.threadCount, _ loss: (_ shard: Int, _ examples: Range<Int>) -> Tensor
) -> Double {
    precondition(n > 0 && shards > 0, "shardedBackward: batchSize \(n) and shards \(shards) must be positive")
    let count = min(shards, n)
    let ranges = (0..<count).map { s in (s * n / count)..<((s + 1) * n / count) }
    let weights = ranges.map { Double($0.count) / Double(n) }
    var losses = [Double](repeating: 0, count: count)
    var received = [LeafGradients?](repeating: nil, count: count)
    losses.withUnsafeMutableBufferPointer { losses in
        received.withUnsafeMutableBufferPointer { received in
            parallelFor(count) { s in
                let tape = Tape.current
                precondition(tape.leafGradients == nil, "shardedBackward: called from inside a shard")
                let sink = LeafGradients()
                tape.leafGradients = sink
                defer { tape.leafGradients = nil }
                let shardLoss = loss(s, ranges[s])
                precondition(
                    shardLoss.count == 1,
                    "shardedBackward: shard \(s)'s loss has shape \(shardLoss.shape), not a scalar")
                losses[s] = shardLoss.item()
                shardLoss.backward(gradient: Tensor.full(shardLoss.shape, weights[s], dtype: shardLoss.dtype))
                received[s] = sink
            }
        }
    }
    for sink in received {
        for (leaf, g) in zip(sink!.leaves, sink!.gradients) { leaf.accumulateLeafGradient(g) }
    }
    return zip(weights, losses).reduce(0) { $0 + $1.0 * $1.1 }
}

/// `shardedBackward` for a loss that draws random numbers (dropout): shard s draws from a generator of its own,
/// seeded with the s-th of `shards` numbers drawn from `rng` before any shard runs, so the results depend on `rng`
/// and the number of shards, not on which thread ran which shard or in what order.
public func shardedBackward(
    batchSize n: Int, shards: Int = Parallelism.threadCount, using rng: inout RandomGenerator,
    _ loss: (_ shard: Int, _ examples: Range<Int>, _ rng: inout RandomGenerator) -> Tensor
) -> Double {
    let seeds = (0..<shards).map { _ in rng.next() }
    return shardedBackward(batchSize: n, shards: shards) { s, examples in
        var shardRNG = RandomGenerator(seed: seeds[s])
        return loss(s, examples, &shardRNG)
    }
}
