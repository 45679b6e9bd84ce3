import ArgumentParser
import Foundation
import Models

/// The benchmark's training workloads (W1–W6, docs/performance.md), each one step = forward + backward + optimizer
/// update at batch 32, float32.
struct Workload {
    let name: String
    let summary: String
    /// Forward + backward + update FLOPs per step, ≈ 3 × the forward's multiply-adds × 2.
    let flopsPerStep: Double
    /// Examples per step: 32 for the training workloads, 1 for W6 (its rate is iterations per second).
    var samplesPerStep = 32
    /// How many times `--steps` the timed loop runs (W6's steps take microseconds, so it runs 20×).
    var stepMultiplier = 1
    /// Builds the model and returns a closure that runs one training step on the given batch index and
    /// returns the loss.
    let makeStep: () -> (Int) -> Double
}

/// An image classifier of the workloads: the model, whose forward maps images (N, 1, 28, 28) to logits (N, 10).
struct ImageClassifier {
    let model: any Layer
    /// Whether a training step splits its batch over the threads (`shardedBackward`) rather than each op: not for
    /// batch norm, which mixes a batch's examples, and not where a step is too short to gain from it (W1's
    /// 0.2 ms step took 0.2–0.8 ms split in two, measured in docs/performance.md).
    let splitsBatch: Bool

    init(_ model: any Layer, splitsBatch: Bool = false) {
        precondition(
            !splitsBatch || model.namedBuffers.isEmpty, "ImageClassifier: a model with buffers cannot split its batch")
        self.model = model
        self.splitsBatch = splitsBatch
    }

    /// One training step on a batch: zero the gradients, cross-entropy of the logits and its gradients (the
    /// runner's `classifierLossAndGradients`, whole or split into one shard per thread), update. Returns the loss.
    func trainingStep(
        _ images: Tensor, _ labels: [Int], optimizer: Optimizer, using rng: inout RandomGenerator
    ) -> Double {
        optimizer.zeroGrad()
        let (loss, _) = classifierLossAndGradients(
            images, labels, shards: splitsBatch ? Parallelism.threadCount : 1, using: &rng,
            forward: model.callAsFunction
        ) { logits, labels in logits.crossEntropy(labels: labels) }
        optimizer.step()
        return loss
    }
}

/// One of the image-classification workloads W1–W4: its name, what it is, its FLOPs per step at batch 32,
/// and how to build its model from a seeded generator.
struct ClassifierWorkload {
    let name: String
    let summary: String
    let flopsPerStep: Double
    let build: (inout RandomGenerator) -> ImageClassifier
}

/// Image batches (32, 1, 28, 28) with labels, cycled by step index.
struct ImageBatches {
    let images: [Tensor]
    let labels: [[Int]]

    /// `count` batches of uniform noise with random labels (when real data is not needed).
    static func synthetic(count: Int, batchSize: Int = 32, seed: UInt64 = 0) -> ImageBatches {
        var rng = RandomGenerator(seed: seed)
        let images = (0..<count).map { _ in Tensor.uniform([batchSize, 1, 28, 28], using: &rng) }
        let labels = (0..<count).map { _ in (0..<batchSize).map { _ in rng.nextInt(below: 10) } }
        return ImageBatches(images: images, labels: labels)
    }

    /// The first `count` batches of the Fashion-MNIST training set, in file order (as the PyTorch script),
    /// pixels scaled to [0, 1]. Only those images are read from the files (see `readFashionMNISTPrefix`), so
    /// the 188 MB of the whole training set do not count in the workloads' peak RSS.
    static func fashionMNIST(count: Int, batchSize: Int = 32) throws -> ImageBatches {
        let location = try DatasetResolver().locate(.fashionMNIST, split: .train)
        let (pixels, labels) = try readFashionMNISTPrefix(directory: location.directory, count: count * batchSize)
        var images: [Tensor] = []
        var batchLabels: [[Int]] = []
        for b in 0..<count {
            let batch = Tensor(uninitialized: [batchSize, 1, 28, 28], dtype: .float32)  // (B, 1, 28, 28)
            let destination = batch.pointer(Float.self)
            let offset = b * batchSize * 784
            for i in 0..<(batchSize * 784) { destination[i] = Float(pixels[offset + i]) / 255 }
            images.append(batch)
            batchLabels.append(labels[(b * batchSize)..<((b + 1) * batchSize)].map(Int.init))
        }
        return ImageBatches(images: images, labels: batchLabels)
    }

    func batch(_ i: Int) -> (Tensor, [Int]) { (images[i % images.count], labels[i % labels.count]) }
}

enum Workloads {
    /// The names of all workloads, in order.
    static let names = ["W1", "W2", "W3a", "W3b", "W4", "W5", "W6"]

    /// W1–W4: the course's Fashion-MNIST classifiers.
    static var classifiers: [ClassifierWorkload] {
        [
            ClassifierWorkload(name: "W1", summary: "MLP 784-128-10 ReLU", flopsPerStep: 19.5e6) { rng in
                ImageClassifier(MLP(sizes: [784, 128, 10], using: &rng))
            },
            ClassifierWorkload(
                name: "W2", summary: "CNN conv16-BN-pool-conv32-BN-pool-dropout-linear", flopsPerStep: 198e6
            ) { rng in
                ImageClassifier(
                    Sequential(
                        [
                            Conv2d(1, 16, kernel: 3, padding: 1, using: &rng), BatchNorm2d(16), ReLU(), MaxPool2d(2),
                            Conv2d(16, 32, kernel: 3, padding: 1, using: &rng), BatchNorm2d(32), ReLU(), MaxPool2d(2),
                            Dropout(0.25), Flatten(), Linear(1568, 10, using: &rng),
                        ], fusion: .all))
            },
            ClassifierWorkload(
                name: "W3a", summary: "Conv(1→64, 7×7)-ReLU-MaxPool2-Linear(7744→10)", flopsPerStep: 306e6
            ) { rng in
                ImageClassifier(
                    Sequential(
                        [
                            Conv2d(1, 64, kernel: 7, using: &rng), ReLU(), MaxPool2d(2), Flatten(),
                            Linear(7744, 10, using: &rng),
                        ], fusion: .all), splitsBatch: true)
            },
            ClassifierWorkload(
                name: "W3b", summary: "W3a + Conv(64→128, 2×2)-ReLU-MaxPool2", flopsPerStep: 927e6
            ) { rng in
                ImageClassifier(
                    Sequential(
                        [
                            Conv2d(1, 64, kernel: 7, using: &rng), ReLU(), MaxPool2d(2),
                            Conv2d(64, 128, kernel: 2, using: &rng), ReLU(), MaxPool2d(2), Flatten(),
                            Linear(3200, 10, using: &rng),
                        ], fusion: .all), splitsBatch: true)
            },
            ClassifierWorkload(
                name: "W4", summary: "ViT patch 7, dim 64, 6 layers, 8 heads, MLP 128", flopsPerStep: 694e6
            ) { rng in
                ImageClassifier(VisionTransformer(using: &rng), splitsBatch: true)
            },
        ]
    }

    /// W5's model: the course's character Transformer (C 64, 4 heads, 4 layers, block 64, ReLU FFN 4×).
    static func languageModel(vocabularySize: Int, using rng: inout RandomGenerator) -> DecoderTransformer {
        var configuration = DecoderTransformerConfiguration()
        configuration.vocabularySize = vocabularySize
        return DecoderTransformer(configuration, using: &rng)
    }

    /// One training step of W5's model on a batch: zero the gradients, the batch split over the threads
    /// (`shardedBackward`: each shard's mean cross-entropy and its backward on a thread of its own), update.
    /// Returns the batch's loss.
    static func languageModelStep(
        _ model: DecoderTransformer, _ batch: TokenBatch, optimizer: Optimizer, using rng: inout RandomGenerator
    ) -> Double {
        optimizer.zeroGrad()
        let loss = model.lossAndGradients(batch, shards: Parallelism.threadCount, using: &rng)
        optimizer.step()
        return loss
    }

    static func all(images: ImageBatches, text: [Int], vocabularySize: Int) -> [Workload] {
        let classifiers = Self.classifiers.map { spec in
            Workload(name: spec.name, summary: spec.summary, flopsPerStep: spec.flopsPerStep) {
                var rng = RandomGenerator(seed: 0)
                let classifier = spec.build(&rng)
                let optimizer = Adam(classifier.model.parameters, learningRate: 1e-3)
                return { step in
                    let (x, y) = images.batch(step)
                    return classifier.trainingStep(x, y, optimizer: optimizer, using: &rng)
                }
            }
        }
        let characterTransformer = Workload(
            name: "W5", summary: "char Transformer 64-dim, 4 heads, 4 layers, block 64, AdamW", flopsPerStep: 2.87e9
        ) {
            var rng = RandomGenerator(seed: 0)
            let model = languageModel(vocabularySize: vocabularySize, using: &rng)
            let optimizer = AdamW(model.parameters, learningRate: 1e-3)
            return { step in
                var blockRNG = RandomGenerator(seed: UInt64(step))
                let batch = sampleBlocks(from: text, batchSize: 32, blockSize: 64, using: &blockRNG)
                return languageModelStep(model, batch, optimizer: optimizer, using: &rng)
            }
        }
        let tinyGraph = Workload(
            name: "W6", summary: "relu(x·W + b).sum() forward + backward, x 1×8, W 8×8", flopsPerStep: 0,
            samplesPerStep: 1, stepMultiplier: 20
        ) {
            var rng = RandomGenerator(seed: 0)
            let x = Tensor.normal([1, 8], using: &rng)
            let w = Tensor.normal([8, 8], using: &rng).requiringGrad()
            let b = Tensor.normal([8], using: &rng).requiringGrad()
            return { _ in
                w.zeroGrad()
                b.zeroGrad()
                let y = (x.matmul(w) + b).relu().sum()
                y.backward()
                return y.item()
            }
        }
        return classifiers + [characterTransformer, tinyGraph]
    }

    /// The workloads named in `list` ("W1,W3a"), in the order of `names`; all for `nil`. Throws a validation
    /// error naming an unknown workload.
    static func selected(_ list: String?, among known: [String] = names) throws -> Set<String> {
        guard let list else { return Set(known) }
        let wanted = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let unknown = wanted.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown workload \(unknown); choose among \(known.joined(separator: ", "))")
        }
        return Set(wanted)
    }
}
