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

/// Times one training step of a 2-D convolution layer, forward and backward, on an MNIST-shaped float32 batch:
/// input (batch, 1, 28, 28) with padding 0 and stride 1, weight (filters, 1, kernel, kernel) and bias (filters),
/// both requiring gradients, and the input not (so the backward pass computes dW and db but no dX, as for a
/// network's first layer). One untimed warm-up step runs first; the gradients are dropped after every step.
///
/// FLOPs counted per step: the forward GEMM, 2·N·F·C·K²·OH·OW (one multiply and one add per weight tap per output),
/// plus the same amount again for each input gradient the backward pass computes, here only ∂/∂W (the ∂/∂x GEMM is
/// skipped because the input needs no gradient); so 4·N·F·C·K²·OH·OW with C = 1 and OH = OW = 29 − kernel. The
/// bias, im2col and the gradient seed are not counted.
///
/// - Returns: the mean wall-clock seconds per step and the resulting GFLOP/s.
func benchmarkConv2d(
    batch: Int = 32, filters: Int, kernel: Int, steps: Int
) -> (secondsPerStep: Double, gflops: Double) {
    precondition(
        batch > 0 && filters > 0 && kernel > 0 && kernel <= 28 && steps > 0,
        "benchmarkConv2d: batch \(batch), filters \(filters), kernel \(kernel) (1…28), steps \(steps) must be positive")
    var rng = RandomGenerator(seed: 0)
    let x = Tensor.normal([batch, 1, 28, 28], using: &rng)
    let weight = Tensor.kaimingUniform([filters, 1, kernel, kernel], fanIn: kernel * kernel, using: &rng)
        .requiringGrad()
    let bias = Tensor.zeros([filters]).requiringGrad()
    let side = 28 - kernel + 1
    let seed = Tensor.ones([batch, filters, side, side])

    func step() {
        let y = x.conv2d(weight, bias: bias)  // (N, F, OH, OW)
        y.backward(gradient: seed)
        precondition(weight.grad != nil && bias.grad != nil && x.grad == nil, "benchmarkConv2d: missing gradients")
        weight.zeroGrad()
        bias.zeroGrad()
    }

    step()  // warm-up: OpenBLAS threads, allocator
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps { step() }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps)
    let forwardFlops = 2.0 * Double(batch * filters * kernel * kernel * side * side)
    return (seconds, 2 * forwardFlops / seconds / 1e9)
}
