import ArgumentParser
import Foundation
import Models

/// Times the training workloads W1–W5: median milliseconds per step (forward + backward + update).
struct TrainingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Milliseconds per training step of the coursework models (W1–W5).")

    @Option(help: "Timed steps per workload (after warm-up; W6 runs 20× as many).")
    var steps = 50

    @Option(help: "Warm-up steps per workload.")
    var warmup = 5

    @Option(help: "Workloads to run, e.g. W1,W3a (default: all).")
    var only: String?

    func run() throws {
        let images: ImageBatches
        do {
            images = try ImageBatches.fashionMNIST(count: 64)
        } catch {
            print("note: \(error); timing on synthetic images instead")
            images = ImageBatches.synthetic(count: 64)
        }
        var text: [Int]
        var vocabularySize = 65
        do {
            let corpus = try DatasetResolver().locate(.tinyShakespeare).loadCorpus()
            text = Array(corpus.tokens.prefix(200_000))
            vocabularySize = corpus.vocabulary.count
        } catch {
            print("note: \(error); timing on random text instead")
            var rng = RandomGenerator(seed: 0)
            text = (0..<200_000).map { _ in rng.nextInt(below: 65) }
        }
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        print("workload  ms/step (median)  min     max     GFLOP/s  loss   what")
        for workload in Workloads.all(images: images, text: text, vocabularySize: vocabularySize) {
            if let wanted, !wanted.contains(workload.name) { continue }
            let step = workload.makeStep()
            var loss = 0.0
            for i in 0..<warmup { loss = step(i) }
            var times: [Double] = []
            for i in 0..<(workload.name == "W6" ? 20 * steps : steps) {
                let start = DispatchTime.now().uptimeNanoseconds
                loss = step(warmup + i)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            let median = times[times.count / 2]
            print(String(
                format: "%-9@ %10.3f       %7.3f %7.3f %7.1f  %5.3f  %@", workload.name as NSString, median,
                times.first!, times.last!, workload.flopsPerStep / median / 1e6, loss, workload.summary as NSString))
        }
    }
}
