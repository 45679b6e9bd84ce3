import Models

/// The training workloads of the speed issue (W1–W6), each one step = forward + backward + optimizer update at
/// batch 32, float32.
struct Workload {
    let name: String
    let summary: String
    /// Forward + backward + update FLOPs per step, ≈ 3 × the forward's multiply-adds × 2.
    let flopsPerStep: Double
    /// Builds the model and returns a closure that runs one training step on the given batch index and
    /// returns the loss.
    let makeStep: () -> (Int) -> Double
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

    /// The first `count` batches of the Fashion-MNIST training set, in file order (as the PyTorch script).
    static func fashionMNIST(count: Int, batchSize: Int = 32) throws -> ImageBatches {
        let train = try DatasetResolver().locate(.fashionMNIST, split: .train).loadImages(split: .train)
        let batches = BatchLoader(train.prefix(count * batchSize), batchSize: batchSize, shuffle: false).batches()
        let all = Array(batches)
        return ImageBatches(images: all.map(\.inputs), labels: all.map(\.labels))
    }

    func batch(_ i: Int) -> (Tensor, [Int]) { (images[i % images.count], labels[i % labels.count]) }
}

enum Workloads {
    static func classifier(
        _ name: String, _ summary: String, flops: Double, batches: ImageBatches,
        _ build: @escaping (inout RandomGenerator) -> (Model, (Tensor, Bool, inout RandomGenerator) -> Tensor)
    ) -> Workload {
        Workload(name: name, summary: summary, flopsPerStep: flops) {
            var rng = RandomGenerator(seed: 0)
            let (model, forward) = build(&rng)
            let optimizer = Adam(model.parameters, learningRate: 1e-3)
            return { step in
                let (x, y) = batches.batch(step)
                optimizer.zeroGrad()
                let loss = forward(x, true, &rng).crossEntropy(labels: y)
                loss.backward()
                optimizer.step()
                return loss.item()
            }
        }
    }

    static func all(images: ImageBatches, text: [Int], vocabularySize: Int) -> [Workload] {
        [
            classifier("W1", "MLP 784-128-10 ReLU", flops: 19.5e6, batches: images) { rng in
                let m = MLP(sizes: [784, 128, 10], using: &rng)
                return (m, { x, t, r in m.forward(x, training: t, using: &r) })
            },
            classifier(
                "W2", "CNN conv16-BN-pool-conv32-BN-pool-dropout-linear", flops: 198e6, batches: images
            ) { rng in
                let m = Sequential([
                    .conv2d(inChannels: 1, outChannels: 16, kernel: 3, padding: 1), .batchNorm2d(channels: 16), .relu,
                    .maxPool2d(kernel: 2),
                    .conv2d(inChannels: 16, outChannels: 32, kernel: 3, padding: 1), .batchNorm2d(channels: 32), .relu,
                    .maxPool2d(kernel: 2), .dropout(0.25), .flatten, .linear(inFeatures: 1568, outFeatures: 10),
                ], using: &rng)
                return (m, { x, t, r in m.forward(x, training: t, using: &r) })
            },
            classifier("W3a", "Conv(1→64, 7×7)-ReLU-MaxPool2-Linear(7744→10)", flops: 306e6, batches: images) { rng in
                let m = Sequential([
                    .conv2d(inChannels: 1, outChannels: 64, kernel: 7), .relu, .maxPool2d(kernel: 2), .flatten,
                    .linear(inFeatures: 7744, outFeatures: 10),
                ], using: &rng)
                return (m, { x, t, r in m.forward(x, training: t, using: &r) })
            },
            classifier("W3b", "W3a + Conv(64→128, 2×2)-ReLU-MaxPool2", flops: 927e6, batches: images) { rng in
                let m = Sequential([
                    .conv2d(inChannels: 1, outChannels: 64, kernel: 7), .relu, .maxPool2d(kernel: 2),
                    .conv2d(inChannels: 64, outChannels: 128, kernel: 2), .relu, .maxPool2d(kernel: 2), .flatten,
                    .linear(inFeatures: 3200, outFeatures: 10),
                ], using: &rng)
                return (m, { x, t, r in m.forward(x, training: t, using: &r) })
            },
            classifier("W4", "ViT patch 7, dim 64, 6 layers, 8 heads, MLP 128", flops: 694e6, batches: images) { rng in
                let m = VisionTransformer(using: &rng)
                return (m, { x, t, r in m.forward(x, training: t, using: &r).logits })
            },
            Workload(name: "W6", summary: "relu(x·W + b).sum() forward + backward, x 1×8, W 8×8", flopsPerStep: 0) {
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
            },
            Workload(
                name: "W5", summary: "char Transformer 64-dim, 4 heads, 4 layers, block 64, AdamW", flopsPerStep: 2.87e9
            ) {
                var rng = RandomGenerator(seed: 0)
                var configuration = DecoderTransformerConfiguration()
                configuration.vocabularySize = vocabularySize
                let model = DecoderTransformer(configuration, using: &rng)
                let optimizer = AdamW(model.parameters, learningRate: 1e-3)
                return { step in
                    var blockRNG = RandomGenerator(seed: UInt64(step))
                    var inputs: [Int] = [], targets: [Int] = []
                    for _ in 0..<32 {
                        let start = blockRNG.nextInt(below: text.count - 65)
                        inputs += text[start..<(start + 64)]
                        targets += text[(start + 1)..<(start + 65)]
                    }
                    optimizer.zeroGrad()
                    let loss = model.loss(inputs, targets: targets, batch: 32, training: true, using: &rng)
                    loss.backward()
                    optimizer.step()
                    return loss.item()
                }
            },
        ]
    }
}
