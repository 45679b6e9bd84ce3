import ArgumentParser
import Foundation
import Models

/// Accuracy at equal training, to set next to PyTorch's (`pytorch_bench.py --accuracy` does the same):
/// W1–W4 test accuracy after one epoch of Fashion-MNIST, W5 validation loss after 2,000 steps.
struct AccuracyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Test accuracy of W1–W4 after one epoch and validation loss of W5 after 2,000 steps.",
        discussion: """
            W1–W4: one epoch over the 60,000 Fashion-MNIST training images (batch 32, shuffled with --seed, \
            Adam lr 1e-3, pixels in [0, 1], dropout and batch norm in training mode), then top-1 accuracy on \
            the 10,000 test images in evaluation mode. W5: 2,000 AdamW steps (lr 1e-3) on random 64-character \
            blocks of the first 90% of tiny Shakespeare, batch 32, then the mean cross-entropy over the first \
            200 non-overlapping 64-character blocks of the last 10% (block i at offset 64·i, targets shifted \
            by one), evaluation mode. See docs/performance.md.
            """)

    @Option(help: "Workloads to run, e.g. W1,W5 (default: all of W1, W2, W3a, W3b, W4, W5).")
    var only: String?

    @Option(help: "Threads of the engine (Parallelism.threadCount; matrix products are split over them).")
    var threads = 2

    @Option(help: "Seed of the initialization, the shuffling and the sampled text blocks.")
    var seed: UInt64 = 0

    @Option(help: "Training images per epoch for W1–W4 (the first N; fewer only for a quick check).")
    var trainExamples = 60_000

    @Option(name: .customLong("w5-steps"), help: "Training steps of W5.")
    var languageSteps = 2000

    @Option(help: "Also write the results as CSV to this file.")
    var csv: String?

    @Option(help: "Also write the results and the environment as JSON to this file.")
    var json: String?

    static let workloadNames = Workloads.classifiers.map(\.name) + ["W5"]

    func validate() throws {
        _ = try Workloads.selected(only, among: Self.workloadNames)
        guard trainExamples >= 1, languageSteps >= 1 else {
            throw ValidationError("--train-examples and --w5-steps must be at least 1")
        }
    }

    func run() throws {
        try setBenchThreads(threads)
        let wanted = try Workloads.selected(only, among: Self.workloadNames)
        let environment = BenchEnvironment.current(threads: threads)
        environment.summaryLines.forEach { print($0) }
        print(AccuracyBenchResult.tableHeader)
        var results: [AccuracyBenchResult] = []
        func report(_ result: AccuracyBenchResult) {
            results.append(result)
            print(result.tableLine)
        }

        let classifiers = Workloads.classifiers.filter { wanted.contains($0.name) }
        if !classifiers.isEmpty {
            let location = try DatasetResolver().locate(.fashionMNIST)
            let train = try location.loadImages(split: .train).prefix(trainExamples)
            let test = try location.loadImages(split: .test)
            for workload in classifiers { report(trainOneEpoch(workload, train: train, test: test)) }
        }
        if wanted.contains("W5") {
            let corpus = try DatasetResolver().locate(.tinyShakespeare).loadCorpus()
            report(trainLanguageModel(corpus))
        }
        let options = ["seed": Int(seed), "train_examples": trainExamples, "w5_steps": languageSteps]
        try BenchReport(environment: environment, options: options, results: results).write(json: json, csv: csv)
    }

    /// One epoch over `train` in a seeded random order, batch 32, Adam lr 1e-3; then test accuracy (percent).
    private func trainOneEpoch(
        _ workload: ClassifierWorkload, train: LabelledDataset, test: LabelledDataset
    ) -> AccuracyBenchResult {
        let start = Date()
        var rng = RandomGenerator(seed: seed)
        let classifier = workload.build(&rng)
        let optimizer = Adam(classifier.model.parameters, learningRate: 1e-3)
        let loader = BatchLoader(train, batchSize: 32, shuffle: true, seed: seed)
        var steps = 0
        for batch in loader.batches(epoch: 0) {
            _ = classifier.trainingStep(batch.inputs, batch.labels, optimizer: optimizer, using: &rng)
            steps += 1
        }
        var correct = 0
        noGrad {
            for first in stride(from: 0, to: test.count, by: 500) {
                let part = test.subset(first..<min(first + 500, test.count))
                let predicted = classifier.model(part.inputs).argmax(axis: 1)  // (500,)
                correct += zip(predicted, part.labels).filter { $0 == $1 }.count
            }
        }
        return AccuracyBenchResult(
            workload: workload.name, metric: "test_accuracy_percent", value: 100 * Double(correct) / Double(test.count),
            steps: steps, seconds: Date().timeIntervalSince(start))
    }

    /// `languageSteps` AdamW steps on random blocks of the first 90% of the text; then the validation loss.
    private func trainLanguageModel(_ corpus: CharacterCorpus) -> AccuracyBenchResult {
        let start = Date()
        let (train, validation) = corpus.split(trainFraction: 0.9)
        var rng = RandomGenerator(seed: seed)
        let model = Workloads.languageModel(vocabularySize: corpus.vocabulary.count, using: &rng)
        let optimizer = AdamW(model.parameters, learningRate: 1e-3)
        var blockRNG = RandomGenerator(seed: seed &+ 1)
        for _ in 0..<languageSteps {
            let batch = sampleBlocks(from: train, batchSize: 32, blockSize: 64, using: &blockRNG)
            _ = Workloads.languageModelStep(model, batch, optimizer: optimizer, using: &rng)
        }
        let loss = Self.validationLoss(of: model, on: validation)
        return AccuracyBenchResult(
            workload: "W5", metric: "validation_loss", value: loss, steps: languageSteps,
            seconds: Date().timeIntervalSince(start))
    }

    /// The mean cross-entropy over the first `blocks` non-overlapping 64-token blocks of `tokens` (block i
    /// starts at 64·i; its targets are the tokens one on), in evaluation mode, 50 blocks per forward pass.
    static func validationLoss(of model: DecoderTransformer, on tokens: [Int], blocks: Int = 200) -> Double {
        precondition(tokens.count > 64 * blocks, "validationLoss: \(tokens.count) tokens for \(blocks) blocks of 64")
        let perPass = 50
        var evaluation = ForwardContext.evaluation
        var total = 0.0
        noGrad {
            for first in stride(from: 0, to: blocks, by: perPass) {
                let count = min(perPass, blocks - first)
                let begin = 64 * first
                let end = 64 * (first + count)
                let inputs = Array(tokens[begin..<end])
                let targets = Array(tokens[(begin + 1)..<(end + 1)])
                let loss = model.loss(inputs, targets: targets, batch: count, &evaluation)
                total += loss.item() * Double(count)
            }
        }
        return total / Double(blocks)
    }
}
