import Testing
import Autograd

/// The README's library example, verbatim, so it keeps compiling and working.
@Test func readmeExampleTrainsOneStep() {
    var rng = RandomGenerator(seed: 0)
    let x = Tensor.normal([32, 784], using: &rng)  // a batch
    let labels = (0..<32).map { $0 % 10 }  // its classes
    let w = Tensor.kaimingUniform([784, 10], fanIn: 784, using: &rng).requiringGrad()
    let b = Tensor.zeros([10]).requiringGrad()

    let logits = x.matmul(w) + b  // (32, 10), bias broadcast
    let loss = -logits.logSoftmax(axis: 1).gather(axis: 1, indices: labels).mean()
    loss.backward()  // fills w.grad and b.grad
    noGrad { w.assign(w - 0.1 * w.grad!); b.assign(b - 0.1 * b.grad!) }

    let after = noGrad { -(x.matmul(w) + b).logSoftmax(axis: 1).gather(axis: 1, indices: labels).mean() }
    #expect(w.grad?.shape == [784, 10] && b.grad?.shape == [10])
    #expect(after.item() < loss.item())
}
