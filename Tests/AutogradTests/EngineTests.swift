import Foundation
import Testing
@testable import Autograd

// The tape: recording, accumulation, release, no-grad scopes, and end-to-end learning.

@Test func twoLayerMLPGradientsEqualHandDerivedValues() {
    // x = [1, 2]; h = relu(x·W1 + b1); y = h·W2 + b2; L = ½(y − 1)².
    let x = Tensor([[1, 2]], dtype: .float64)
    let w1 = Tensor([[0.5, -1], [0.25, 0.5]], dtype: .float64).requiringGrad()
    let b1 = Tensor([0.1, -0.2], dtype: .float64).requiringGrad()
    let w2 = Tensor([[2], [3]], dtype: .float64).requiringGrad()
    let b2 = Tensor([0.5], dtype: .float64).requiringGrad()
    let h = (x.matmul(w1) + b1).relu()  // pre-activation [1.1, −0.2] → h = [1.1, 0]
    let y = h.matmul(w2) + b2  // 1.1·2 + 0·3 + 0.5 = 2.7
    let loss = 0.5 * (y - 1).pow(2)  // ½·1.7² = 1.445
    #expect(Swift.abs(loss.item() - 1.445) < 1e-12)
    loss.backward()
    // ∂L/∂y = 1.7; ∂L/∂W2 = hᵀ·1.7 = [1.87, 0]; ∂L/∂b2 = 1.7
    // ∂L/∂h = 1.7·W2ᵀ = [3.4, 5.1]; through relu (second unit off): [3.4, 0]
    // ∂L/∂W1 = xᵀ·[3.4, 0] = [[3.4, 0], [6.8, 0]]; ∂L/∂b1 = [3.4, 0]
    func close(_ t: Tensor?, _ expected: [Double]) -> Bool {
        guard let t else { return false }
        return t.scalars.count == expected.count && zip(t.scalars, expected).allSatisfy { Swift.abs($0 - $1) < 1e-12 }
    }
    #expect(close(w2.grad, [1.87, 0]))
    #expect(close(b2.grad, [1.7]))
    #expect(close(w1.grad, [3.4, 0, 6.8, 0]))
    #expect(close(b1.grad, [3.4, 0]))
    #expect(x.grad == nil)
}

@Test func reluNetworkWithTwoHiddenUnitsLearnsXOR() {
    // Full-batch gradient descent on the four XOR points with a 2-2-1 ReLU network and squared error.
    let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype: .float64)
    let t = Tensor([[0], [1], [1], [0]], dtype: .float64)
    var rng = RandomGenerator(seed: 5)
    let w1 = Tensor.uniform([2, 2], low: -1, high: 1, dtype: .float64, using: &rng).requiringGrad()
    let b1 = Tensor.uniform([2], low: 0, high: 0.1, dtype: .float64, using: &rng).requiringGrad()
    let w2 = Tensor.uniform([2, 1], low: -1, high: 1, dtype: .float64, using: &rng).requiringGrad()
    let b2 = Tensor.zeros([1], dtype: .float64).requiringGrad()
    let parameters = [w1, b1, w2, b2]
    var loss = Double.infinity
    for _ in 0..<3000 {
        let y = (x.matmul(w1) + b1).relu().matmul(w2) + b2
        let l = (y - t).pow(2).mean()
        loss = l.item()
        if loss < 0.01 { break }
        l.backward()
        noGrad {
            for p in parameters {
                p.assign(p - 0.1 * p.grad!)
                p.zeroGrad()
            }
        }
    }
    #expect(loss < 0.01)
    let predictions = noGrad { ((x.matmul(w1) + b1).relu().matmul(w2) + b2).scalars }
    #expect(predictions.map { $0 > 0.5 } == [false, true, true, false])
}

@Test func aTensorUsedTwiceAccumulatesBothContributions() {
    let x = Tensor([3], dtype: .float64).requiringGrad()
    let y = x * x + x  // dy/dx = 2x + 1 = 7
    y.sum().backward()
    #expect(x.grad?.scalars == [7])
}

@Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
    let w = Tensor([2], dtype: .float64).requiringGrad()
    (w * 3).sum().backward()
    (w * 4).sum().backward()
    #expect(w.grad?.scalars == [7])
    w.zeroGrad()
    #expect(w.grad == nil)
}

@Test func backwardWithAnExplicitOutputGradient() {
    let x = Tensor([1, 2, 3], dtype: .float64).requiringGrad()
    let y = x * x
    y.backward(gradient: Tensor([1, 0, -1], dtype: .float64))
    #expect(x.grad?.scalars == [2, 0, -6])
}

@Test func broadcastGradientIsSummedToTheInputShape() {
    let x = Tensor.ones([4, 3], dtype: .float64)
    let b = Tensor([1, 2, 3], dtype: .float64).requiringGrad()
    (x * b).sum().backward()
    #expect(b.grad?.shape == [3])
    #expect(b.grad?.scalars == [4, 4, 4])
}

@Test func noGradRecordsNothing() {
    let w = Tensor([1, 2], dtype: .float64).requiringGrad()
    let before = Tape.current.liveNodeCount
    let y = noGrad { (w * 2).exp().sum() }
    #expect(!y.requiresGrad)
    #expect(y.isLeaf)
    #expect(Tape.current.liveNodeCount == before)
}

@Test func opsOnConstantsRecordNothing() {
    let y = (Tensor([1, 2]) * 3).sum()
    #expect(!y.requiresGrad && y.isLeaf)
}

@Test func gradientsAreComputedOnlyForInputsThatNeedThem() {
    let x = Tensor([[1, 2]], dtype: .float64)
    let w = Tensor([[1], [1]], dtype: .float64).requiringGrad()
    let y = x.matmul(w)
    #expect(y.node?.needs == [false, true])
    y.sum().backward()
    #expect(x.grad == nil && w.grad != nil)
}

@Test func theTapeIsReleasedAfterBackward() {
    let w = Tensor([1, 2, 3], dtype: .float64).requiringGrad()
    let before = Tape.current.liveNodeCount  // other tests may have run on this thread
    weak var intermediate: Tensor?
    var loss: Tensor
    do {
        let h = (w * 2).exp()
        intermediate = h
        loss = h.sum()
    }
    #expect(intermediate != nil)  // held by the graph of `loss`
    #expect(Tape.current.liveNodeCount == before + 3)
    loss.backward()
    #expect(Tape.current.liveNodeCount == 0)
    #expect(intermediate == nil)  // freed although `loss` is still alive
    #expect(loss.isLeaf == false && loss.requiresGrad == false)
    _ = loss
}

@Test func memoryDoesNotGrowFromStepToStep() {
    let w = Tensor.ones([8, 8], dtype: .float64).requiringGrad()
    let x = Tensor.ones([4, 8], dtype: .float64)
    for _ in 0..<50 {
        x.matmul(w).relu().sum().backward()
        #expect(Tape.current.liveNodeCount == 0)
        w.zeroGrad()
    }
}

@Test func forwardPassesWithoutBackwardDoNotAccumulateNodes() {
    let w = Tensor.ones([2], dtype: .float64).requiringGrad()
    let before = Tape.current.liveNodeCount  // other tests may have run on this thread
    for _ in 0..<100 { _ = (w * 2).sum() }
    // Every discarded graph has already been freed; only weak entries remain until compaction.
    #expect(Tape.current.liveNodeCount == before)
}

@Test func detachedCutsTheGraph() {
    let w = Tensor([2], dtype: .float64).requiringGrad()
    let y = (w * w.detached()).sum()  // d/dw = w (the detached factor is a constant)
    y.backward()
    #expect(w.grad?.scalars == [2])
}

@Test func backwardFromALeaf() {
    let w = Tensor([[1, 2]], dtype: .float64).requiringGrad()
    w.backward(gradient: Tensor([[3, 4]], dtype: .float64))
    #expect(w.grad?.scalars == [3, 4])
}

@Test func reshapeSharesStorageAndFlowsGradients() {
    let w = Tensor([1, 2, 3, 4], dtype: .float64).requiringGrad()
    let m = w.reshaped([2, 2])
    #expect(m.storage === w.storage)
    (m * Tensor([[1, 0], [0, 1]], dtype: .float64)).sum().backward()
    #expect(w.grad?.scalars == [1, 0, 0, 1])
}

@Test func maxTiesSplitTheGradient() {
    let x = Tensor([1, 3, 3], dtype: .float64).requiringGrad()
    x.max().backward()
    #expect(x.grad?.scalars == [0, 0.5, 0.5])
    let a = Tensor([2, 1], dtype: .float64).requiringGrad()
    let b = Tensor([2, 5], dtype: .float64).requiringGrad()
    Tensor.maximum(a, b).sum().backward()
    #expect(a.grad?.scalars == [0.5, 0] && b.grad?.scalars == [0.5, 1])
}

@Test func subgradientConventionsAtZero() {
    let x = Tensor([0, 0, 0], dtype: .float64).requiringGrad()
    (x.relu() + x.abs() + x.clamped(min: 0, max: 1)).sum().backward()
    // relu′(0) = 0, abs′(0) = 0, clamp passes the gradient at its boundary.
    #expect(x.grad?.scalars == [1, 1, 1])
}

/// Carries a result out of a thread.
private final class ResultBox: @unchecked Sendable {
    var gradient: [Double] = []
}

@Test func tapesArePerThread() {
    let w = Tensor([1], dtype: .float64).requiringGrad()
    let y = (w * 2).sum()  // recorded on this thread's tape
    let nodes = Tape.current.liveNodeCount
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        let v = Tensor([5], dtype: .float64).requiringGrad()
        (v * v).sum().backward()  // releases only that thread's tape
        box.gradient = v.grad?.scalars ?? []
        done.signal()
    }
    thread.start()
    done.wait()
    #expect(box.gradient == [10])
    #expect(y.requiresGrad)
    #expect(Tape.current.liveNodeCount == nodes)
    y.backward()
    #expect(w.grad?.scalars == [2])
}

@Test func memoryStatisticsCountLiveTensorBytes() {
    // Tensors on other test threads change the totals too, so measure a large tensor's own contribution.
    let before = MemoryStatistics.liveBytes
    var big: Tensor? = Tensor.zeros([1 << 20])  // 4 MiB
    let during = MemoryStatistics.liveBytes
    #expect(during - before >= (1 << 22) - (1 << 20) && MemoryStatistics.peakBytes >= during - (1 << 20))
    big = nil
    #expect(big == nil)
}
