import ArgumentParser
import Foundation
import Models

/// `runner example …`: short training programs written with the library alone, one per model of the course.
struct Example: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model of the course with a short program (build with -c release).",
        subcommands: [MLPExample.self, CNNExample.self, TransformerExample.self]
    )
}

/// Fashion-MNIST train and test splits as (N, 1, 28, 28) images, found by name, scaled to [0, 1] and then
/// standardized with the training set's pixel mean and standard deviation (torchvision's `Normalize`).
func loadFashionMNIST() throws -> (train: LabelledDataset, test: LabelledDataset) {
    let location = try DatasetResolver().locate(.fashionMNIST)
    print("data: \(location.summary)")
    let train = try location.loadImages(split: .train), test = try location.loadImages(split: .test)
    let (mean, std) = train.channelStatistics()
    return (train.normalized(mean: mean, std: std), test.normalized(mean: mean, std: std))
}

/// Test accuracy of `predict` (logits from a batch), in evaluation mode and without recording.
func accuracy(of predict: (Tensor) -> Tensor, on dataset: LabelledDataset, batchSize: Int = 1000) -> Double {
    var correct = 0.0
    noGrad {
        for batch in BatchLoader(dataset, batchSize: batchSize, shuffle: false).batches() {
            correct += predict(batch.inputs).accuracy(labels: batch.labels) * Double(batch.labels.count)
        }
    }
    return correct / Double(dataset.labels.count)
}

/// One epoch of mini-batch training of a classifier; prints the running loss every `every` steps.
func trainEpoch(
    _ epoch: Int, loader: BatchLoader, optimizer: any Optimizer, every: Int = 500,
    loss: (Batch) -> Tensor
) {
    var sum = 0.0, count = 0
    let start = Date()
    for (step, batch) in loader.batches(epoch: epoch).enumerated() {
        optimizer.zeroGrad()
        let l = loss(batch)
        l.backward()
        optimizer.step()
        sum += l.item()
        count += 1
        if (step + 1) % every == 0 {
            print(String(format: "epoch %d step %5d  loss %.4f  (%.1f s)", epoch + 1, step + 1, sum / Double(count),
                         Date().timeIntervalSince(start)))
            sum = 0
            count = 0
        }
    }
}
