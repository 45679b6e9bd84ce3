import ArgumentParser
import Foundation
import Models

/// A small CNN (two conv-BN-ReLU-pool stages, dropout, linear) trained with Adam on Fashion-MNIST.
struct CNNExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn", abstract: "Conv16-BN-pool-Conv32-BN-pool-dropout-linear, Adam, batch 32.")

    @Option(help: "Training epochs.") var epochs = 2
    @Option(help: "Learning rate.") var lr = 1e-3
    @Option(help: "Seed of initialization, dropout and shuffling.") var seed: UInt64 = 0

    func run() throws {
        let (train, test) = try loadFashionMNIST()
        var rng = RandomGenerator(seed: seed)
        let model = Sequential(
            [
                // (16, 14, 14), then (32, 7, 7)
                Conv2d(1, 16, kernel: 3, padding: 1, using: &rng), BatchNorm2d(16), ReLU(), MaxPool2d(2),
                Conv2d(16, 32, kernel: 3, padding: 1, using: &rng), BatchNorm2d(32), ReLU(), MaxPool2d(2),
                Dropout(0.25), Flatten(), Linear(1568, 10, using: &rng),
            ], fusion: .all)
        print(try ModelSummary(model, inputShape: [1, 28, 28]))
        var context = ForwardContext(training: true, rng: rng)
        let optimizer = Adam(model.parameters, learningRate: lr)
        let loader = BatchLoader(train, batchSize: 32, shuffle: true, seed: seed)
        let start = Date()
        for epoch in 0..<epochs {
            trainEpoch(epoch, loader: loader, optimizer: optimizer) { batch in
                model(batch.inputs, &context).crossEntropy(labels: batch.labels)
            }
            let seconds = Date().timeIntervalSince(start)
            print(
                String(
                    format: "epoch %d: test accuracy %.2f%%  (%.1f s)", epoch + 1,
                    100 * accuracy(of: { model($0) }, on: test), seconds))
        }
    }
}
