import ArgumentParser
import Models

/// A small end-to-end training example: a 2-2-1 ReLU network learns XOR by full-batch gradient descent.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a 2-hidden-unit ReLU network on XOR and print its loss curve.")

    @Option(help: "Gradient-descent steps.")
    var steps = 2000

    @Option(help: "Learning rate.")
    var lr = 0.1

    @Option(help: "Seed of the weight initialization.")
    var seed: UInt64 = 5

    func run() throws {
        let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
        let t = Tensor([[0], [1], [1], [0]])
        var rng = RandomGenerator(seed: seed)
        let w1 = Tensor.uniform([2, 2], low: -1, high: 1, using: &rng).requiringGrad()
        let b1 = Tensor.uniform([2], low: 0, high: 0.1, using: &rng).requiringGrad()
        let w2 = Tensor.uniform([2, 1], low: -1, high: 1, using: &rng).requiringGrad()
        let b2 = Tensor.zeros([1]).requiringGrad()
        let parameters = [w1, b1, w2, b2]
        func predict() -> Tensor { (x.matmul(w1) + b1).relu().matmul(w2) + b2 }

        print("step,loss")
        for step in 0...steps {
            let loss = (predict() - t).pow(2).mean()
            if step % (steps / 10) == 0 { print("\(step),\(loss.item())") }
            if step == steps { break }
            loss.backward()
            noGrad {
                for p in parameters {
                    p.assign(p - lr * p.grad!)
                    p.zeroGrad()
                }
            }
        }
        let outputs = noGrad { predict().floats }
        for (input, output) in zip([[0, 0], [0, 1], [1, 0], [1, 1]], outputs) {
            print("XOR\(input) ≈ \(String(format: "%.3f", output))")
        }
    }
}
