import ArgumentParser
import Foundation
import Models

/// The engine's fixed costs on tiny tensors, and GEMM throughput through `Tensor.matmul` next to a direct
/// BLAS call on the same buffers.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Cost per recorded op on tiny tensors and sgemm GFLOP/s through the library.")

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var repetitions = 15

    @Option(help: "Square matrix sizes for the GEMM measurement.")
    var sizes: [Int] = [128, 512, 1024, 2048]

    func run() throws {
        #if DEBUG
        print("warning: debug build; use `swift run -c release runner bench engine` for meaningful numbers")
        #endif
        measureOpOverhead()
        measureTinyGraph()
        measureGEMM()
    }

    /// A chain of 1,000 additions on one-element tensors: recorded, not recorded, and with the backward pass.
    private func measureOpOverhead() {
        let chain = 1000
        let one = Tensor([1])
        let tracked = Tensor([0]).requiringGrad()
        func forward() -> Tensor {
            var y = tracked
            for _ in 0..<chain { y = y + one }
            return y
        }
        let untimed = measure(repetitions: repetitions, iterations: 20) {
            noGrad { _ = forward() }
        }
        let recorded = measure(repetitions: repetitions, iterations: 20) {
            _ = forward()
            Tape.current.reset()
        }
        var backwardTimes: [Double] = []
        for _ in 0..<repetitions {
            var elapsed: UInt64 = 0
            for _ in 0..<20 {
                let y = forward()
                let start = DispatchTime.now().uptimeNanoseconds
                y.backward()
                elapsed += DispatchTime.now().uptimeNanoseconds - start
                tracked.zeroGrad()
            }
            backwardTimes.append(Double(elapsed) / 1e9 / 20)
        }
        let backward = backwardTimes.sorted()[repetitions / 2]
        let perOp = Double(chain)
        print("Op overhead on 1-element float32 tensors (median of \(repetitions), chains of \(chain) adds)")
        print("  untracked op (noGrad)                \(formatDuration(untimed.median / perOp))")
        print("  recorded op (forward + tape)         \(formatDuration(recorded.median / perOp))")
        print("  backward per op (incl. tape release) \(formatDuration(backward / perOp))")
    }

    /// Workload W6: relu(x·W + b).sum() forward and backward, x 1×8, W 8×8.
    private func measureTinyGraph() {
        var rng = RandomGenerator(seed: 0)
        let x = Tensor.normal([1, 8], using: &rng)
        let w = Tensor.normal([8, 8], using: &rng).requiringGrad()
        let b = Tensor.normal([8], using: &rng).requiringGrad()
        let t = measure(repetitions: repetitions, iterations: 2000) {
            (x.matmul(w) + b).relu().sum().backward()
            w.zeroGrad()
            b.zeroGrad()
        }
        print("Tiny graph relu(x·W + b).sum(), x 1×8, W 8×8: forward + backward")
        print("  per iteration  \(formatDuration(t.median))  "
            + "(min \(formatDuration(t.min)), max \(formatDuration(t.max)))")
    }

    /// C = A·B for square float32 matrices, through `Tensor.matmul` and through `cblas_sgemm` directly.
    private func measureGEMM() {
        print("sgemm, float32, square n×n (GFLOP/s = 2n³ / time; median)")
        print("  n       Tensor.matmul   direct cblas_sgemm   ratio")
        var rng = RandomGenerator(seed: 1)
        for n in sizes {
            let a = Tensor.normal([n, n], using: &rng), b = Tensor.normal([n, n], using: &rng)
            let c = Tensor.zeros([n, n])
            let flops = 2 * Double(n) * Double(n) * Double(n)
            let iterations = max(1, Int(2e9 / flops))
            let library = measure(repetitions: repetitions, iterations: iterations) { _ = a.matmul(b) }
            let direct = measure(repetitions: repetitions, iterations: iterations) {
                Float.gemm(
                    transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a.pointer(Float.self),
                    lda: n, b: b.pointer(Float.self), ldb: n, beta: 0, c: c.pointer(Float.self), ldc: n)
            }
            let g1 = flops / library.median / 1e9, g2 = flops / direct.median / 1e9
            print(String(format: "  %-7d %8.1f GFLOP/s %12.1f GFLOP/s %10.2f", n, g1, g2, g1 / g2))
        }
    }
}
