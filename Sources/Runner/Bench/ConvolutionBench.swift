import ArgumentParser
import Foundation
import Models

/// conv2d forward + backward (weight and bias gradients) on a 32×1×28×28 batch, in GFLOP/s.
struct ConvolutionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv", abstract: "conv2d forward+backward GFLOP/s on a 32×1×28×28 batch.")

    @Option(help: "Timed steps per configuration.")
    var steps = 100

    @Option(help: "Timed repetitions (the median is reported).")
    var repetitions = 5

    func run() throws {
        print("conv2d, input 32×1×28×28, stride 1, no padding; step = forward + ∂W + ∂b (FLOPs 4·N·F·K²·OH·OW)")
        print("filters  kernel  ms/step  GFLOP/s")
        for (filters, kernel) in [(16, 3), (16, 7), (64, 3), (64, 7)] {
            let runs = (0..<repetitions).map { _ in benchmarkConv2d(filters: filters, kernel: kernel, steps: steps) }
                .sorted { $0.secondsPerStep < $1.secondsPerStep }
            let median = runs[runs.count / 2]
            print(String(
                format: "%7d  %3d×%-3d %7.3f  %7.1f", filters, kernel, kernel, median.secondsPerStep * 1e3,
                median.gflops))
        }
    }
}
