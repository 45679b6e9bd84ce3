import ArgumentParser
import Foundation
import Models

/// A 784-128-10 ReLU MLP trained with Adam on Fashion-MNIST, the learning rate decayed along a cosine.
struct MLPExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlp", abstract: "784-128-10 MLP, Adam with cosine decay, batch 32, on Fashion-MNIST.")

    @Option(help: "Training epochs.") var epochs = 1
    @Option(help: "Learning rate.") var lr = 1e-3
    @Option(help: "Mini-batch size.") var batchSize = 32
    @Flag(inversion: .prefixedNo, help: "Decay the learning rate to 0 along a cosine over the run.")
    var cosine = true
    @Option(help: "Seed of initialization and shuffling.") var seed: UInt64 = 0

    func run() throws {
        let (train, test) = try loadFashionMNIST()
        var rng = RandomGenerator(seed: seed)
        let model = MLP(sizes: [784, 128, 10], activation: .relu, using: &rng)
        var context = ForwardContext(training: true, rng: rng)
        let optimizer = Adam(model.parameters, learningRate: lr)
        let loader = BatchLoader(train, batchSize: batchSize, shuffle: true, seed: seed)
        let decay: LearningRateSchedule.Decay =
            cosine ? .cosine(steps: epochs * loader.batchCount, minimum: 0) : .constant
        let schedule = LearningRateSchedule(decay: decay)
        var step = 0
        let start = Date()
        for epoch in 0..<epochs {
            trainEpoch(epoch, loader: loader, optimizer: optimizer) { batch in
                optimizer.learningRate = schedule.rate(base: lr, step: step)
                step += 1
                return model(batch.inputs, &context).crossEntropy(labels: batch.labels)
            }
            let seconds = Date().timeIntervalSince(start)
            print(
                String(
                    format: "epoch %d: test accuracy %.2f%%  (%.1f s)", epoch + 1,
                    100 * accuracy(of: { model($0) }, on: test), seconds))
        }
    }
}
