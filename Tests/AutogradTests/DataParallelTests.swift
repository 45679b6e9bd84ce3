import Testing

@testable import Autograd

// shardedBackward: a batch split into shards, each differentiated on its own tape, gives the whole batch's loss and
// gradients.

@Suite(.serialized) struct DataParallelTests {
    /// A small network whose weight is used twice (so a leaf gets two contributions per shard) and a mean loss
    /// over the examples `rows` of a fixed (7, 3) input.
    struct Network {
        let x: Tensor
        let w = Tensor([[0.5, -1, 0.3, 0.2], [0.25, 0.5, -0.7, 0.1], [-0.4, 0.6, 0.9, -0.3]], dtype: .float64)
            .requiringGrad()
        let b = Tensor([0.1, -0.2, 0.05, 0.3], dtype: .float64).requiringGrad()

        init() {
            var rng = RandomGenerator(seed: 11)
            x = Tensor.normal([7, 3], dtype: .float64, using: &rng)
        }

        /// mean over the rows of Σⱼ (tanh(x·W + b)·Wᵀ)²ⱼ.
        func loss(_ rows: Range<Int>) -> Tensor {
            let h = (x.sliced(axis: 0, rows).matmul(w) + b).tanh()  // (n, 4)
            return h.matmul(w.transposed()).pow(2).sum(axis: 1).mean()  // (n, 3) → scalar
        }

        func gradients() -> [Double] { w.grad!.scalars + b.grad!.scalars }

        func zeroGrad() {
            w.zeroGrad()
            b.zeroGrad()
        }
    }

    @Test(arguments: [1, 2, 3, 7])
    func shardsGiveTheWholeBatchLossAndGradients(shards: Int) {
        let net = Network()
        let whole = net.loss(0..<7)
        let expectedLoss = whole.item()
        whole.backward()
        let expected = net.gradients()
        net.zeroGrad()

        let loss = shardedBackward(batchSize: 7, shards: shards) { _, rows in net.loss(rows) }
        #expect(Swift.abs(loss - expectedLoss) <= 1e-12 * Swift.abs(expectedLoss), "shards \(shards)")
        let worst = zip(net.gradients(), expected).map { Swift.abs($0 - $1) }.max()!
        #expect(worst <= 1e-12, "shards \(shards): gradients differ by \(worst)")
        #expect(Tape.current.leafGradients == nil)
        #expect(Tape.current.liveNodeCount == 0)
    }

    @Test func gradientsAccumulateIntoWhatTheLeavesHold() {
        let net = Network()
        _ = shardedBackward(batchSize: 7, shards: 2) { _, rows in net.loss(rows) }
        let once = net.gradients()
        _ = shardedBackward(batchSize: 7, shards: 2) { _, rows in net.loss(rows) }
        let worst = zip(net.gradients(), once).map { Swift.abs($0 - 2 * $1) }.max()!
        #expect(worst <= 1e-12, "a second call adds its gradients: off by \(worst)")
    }

    /// Two threads or one: the shards and the order their gradients are summed in are the same, so are the results,
    /// to the last bit; and every shard ran once, with its own examples.
    @Test func resultsDoNotDependOnTheThreadCount() {
        let saved = Parallelism.threadCount
        defer { Parallelism.threadCount = saved }
        var results: [[Double]] = []
        for threads in [1, 2, 2, 1] {
            Parallelism.threadCount = threads
            let net = Network()
            let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
            defer { seen.deallocate() }
            seen.initialize(repeating: 0)
            let loss = shardedBackward(batchSize: 7, shards: 2) { s, rows in
                seen[s] += rows.count
                return net.loss(rows)
            }
            #expect(Array(seen) == [3, 4], "threads \(threads)")
            results.append([loss] + net.gradients())
        }
        #expect(results.allSatisfy { $0 == results[0] })
    }

    /// With a generator: each shard draws from its own, seeded from the caller's, whatever thread runs it; the
    /// caller's generator advances by one draw per shard.
    @Test func eachShardDrawsFromItsOwnGenerator() {
        let saved = Parallelism.threadCount
        defer { Parallelism.threadCount = saved }
        var results: [[Double]] = []
        for threads in [1, 2, 1] {
            Parallelism.threadCount = threads
            let net = Network()
            var rng = RandomGenerator(seed: 5)
            let loss = shardedBackward(batchSize: 7, shards: 3, using: &rng) { _, rows, shardRNG in
                // Dropout-like: each example's loss scaled by a draw of the shard's generator.
                let scale = Tensor((0..<rows.count).map { _ in shardRNG.nextUniform() }, dtype: .float64)
                return (net.loss(rows) * scale).mean()
            }
            var expected = RandomGenerator(seed: 5)
            for _ in 0..<3 { _ = expected.next() }
            #expect(rng.next() == expected.next(), "threads \(threads): three draws for three shards")
            results.append([loss] + net.gradients())
        }
        #expect(results.allSatisfy { $0 == results[0] })
        #expect(results[0].allSatisfy { $0.isFinite })
    }
}
