import ArgumentParser
import Foundation
import Models

/// A character-level decoder-only Transformer on tiny Shakespeare, with samples before and after training.
struct TransformerExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transformer", abstract: "Char Transformer (64-dim, 4 heads, 4 layers, block 64), AdamW.")

    @Option(help: "Training steps.") var steps = 2000
    @Option(help: "Learning rate.") var lr = 1e-3
    @Option(help: "Evaluate the validation loss every this many steps.") var evalEvery = 250
    @Option(help: "Seed of initialization, batches and sampling.") var seed: UInt64 = 0

    func run() throws {
        let location = try DatasetResolver().locate(.tinyShakespeare)
        print("data: \(location.summary)")
        let corpus = try location.loadCorpus()
        let (train, validation) = corpus.split(trainFraction: 0.9)
        var configuration = DecoderTransformerConfiguration()
        configuration.vocabularySize = corpus.vocabulary.count
        var rng = RandomGenerator(seed: seed)
        let model = DecoderTransformer(configuration, using: &rng)
        print("parameters: \(model.parameterCount)")
        let optimizer = AdamW(model.parameters, learningRate: lr)
        let prompt = try corpus.vocabulary.encode("\n")

        func sample() -> String {
            var sampler = RandomGenerator(seed: seed)
            let tokens = model.generate(prompt: prompt, count: 200, temperature: 1, topK: 10, using: &sampler)
            return corpus.vocabulary.decode(tokens)
        }
        func validationLoss() -> Double {
            var evalRNG = RandomGenerator(seed: 1234)
            var evaluation = ForwardContext.evaluation
            return noGrad {
                (0..<10).map { _ in
                    let b = sampleBlocks(from: validation, batchSize: 32, blockSize: 64, using: &evalRNG)
                    return model.loss(b.inputs, targets: b.targets, batch: 32, &evaluation).item()
                }.reduce(0, +) / 10
            }
        }

        print("sample before training:\n\(sample())\n")
        let start = Date()
        for step in 1...steps {
            var context = ForwardContext(training: true, rng: rng)
            let batch = sampleBlocks(from: train, batchSize: 32, blockSize: 64, using: &context.rng)
            optimizer.zeroGrad()
            let loss = model.loss(batch.inputs, targets: batch.targets, batch: 32, &context)
            rng = context.rng
            loss.backward()
            optimizer.step()
            if step % evalEvery == 0 || step == steps {
                print(
                    String(
                        format: "step %5d  train loss %.4f  validation loss %.4f  (%.1f s)", step, loss.item(),
                        validationLoss(), Date().timeIntervalSince(start)))
            }
        }
        print("\nsample after training:\n\(sample())")
    }
}
