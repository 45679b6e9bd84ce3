// What a benchmark ran on: the machine, the versions, the thread setting and the sgemm peak measured in the
// same run, written at the top of every benchmark's JSON.

import ArgumentParser
import Autograd
import CBLAS
import Foundation
import Models

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The header of a benchmark report.
struct BenchEnvironment: Encodable, Equatable {
    /// "TapeGrad" (the PyTorch script writes "PyTorch").
    var implementation = "TapeGrad"
    /// `Parallelism.threadCount` (`--threads`); OpenBLAS itself runs on one thread, the engine splits products.
    var threads: Int
    /// When the run started, ISO 8601 in UTC.
    var date: String
    /// The CPU's model name from /proc/cpuinfo.
    var cpu: String
    /// Logical cores the process may use.
    var cores: Int
    /// Physical memory in GiB.
    var memoryGiB: Double
    /// The Swift compiler that built the runner.
    var swift: String
    /// OpenBLAS's build configuration (`openblas_get_config()`), e.g. "OpenBLAS 0.3.26 DYNAMIC_ARCH … Haswell".
    var openBLAS: String
    /// C = A·B for 2048×2048 float32 matrices through the engine's GEMM (GFLOP/s, median of 5); `nil` when not
    /// measured.
    var sgemmPeakGFLOPS: Double?

    enum CodingKeys: String, CodingKey {
        case implementation, threads, date, cpu, cores, swift
        case memoryGiB = "memory_gib"
        case openBLAS = "openblas"
        case sgemmPeakGFLOPS = "sgemm_peak_gflops"
    }

    /// This machine now, with `threads` threads.
    static func current(threads: Int, sgemmPeakGFLOPS: Double? = nil) -> BenchEnvironment {
        BenchEnvironment(
            threads: threads, date: ISO8601DateFormatter().string(from: Date()), cpu: cpuModel(),
            cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
            swift: swiftCompilerVersion, openBLAS: openBLASConfiguration(),
            sgemmPeakGFLOPS: sgemmPeakGFLOPS.map { ($0 * 100).rounded() / 100 })
    }

    /// Lines for the top of the printed table.
    var summaryLines: [String] {
        var lines = [
            "machine: \(cpu), \(cores) logical cores, \(memoryGiB) GiB; \(threads) threads",
            "versions: Swift \(swift); \(openBLAS)",
        ]
        if let sgemmPeakGFLOPS {
            lines.append(
                String(format: "sgemm peak (2048×2048 float32, the engine's GEMM): %.1f GFLOP/s", sgemmPeakGFLOPS))
        }
        return lines
    }
}

/// The first "model name" of /proc/cpuinfo, or "unknown".
func cpuModel() -> String {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
    for line in info.split(separator: "\n") where line.hasPrefix("model name") {
        if let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }
    return "unknown"
}

/// OpenBLAS's configuration string, which names its version, and the kernels in use with how they were chosen,
/// e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY … (core Cooperlake (AVX-512; CPU AVX-512; OpenBLAS's choice))".
func openBLASConfiguration() -> String {
    guard let config = openblas_get_config() else { return "OpenBLAS (unknown version)" }
    return String(cString: config).trimmingCharacters(in: .whitespaces) + " (core \(BLASKernels.summary))"
}

/// The version of the Swift compiler that built this binary, to the minor version.
let swiftCompilerVersion: String = {
    #if compiler(>=6.4)
    "≥ 6.4"
    #elseif compiler(>=6.3)
    "6.3"
    #elseif compiler(>=6.2)
    "6.2"
    #elseif compiler(>=6.1)
    "6.1"
    #elseif compiler(>=6.0)
    "6.0"
    #else
    "< 6.0"
    #endif
}()

/// The process's peak resident set size so far, in MB (getrusage's ru_maxrss, KiB on Linux): the whole process
/// since it started or since `resetPeakResidentSetSize()`, so a later workload's figure includes the earlier
/// ones' peaks.
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Lowers the kernel's record of this process's peak RSS (VmHWM, which ru_maxrss reports) to its current RSS, by
/// writing "5" to /proc/self/clear_refs (Linux ≥ 4.0); returns whether that worked.
@discardableResult
func resetPeakResidentSetSize() -> Bool {
    (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
}

/// GFLOP/s of C = A·B for n×n float32 matrices through the engine's GEMM (`Float.gemm`, the call `Tensor.matmul`
/// makes, split over `Parallelism.threadCount` threads): 2n³ FLOPs per product, the median of `repetitions`
/// products after one warm-up. The matrices live in pages of their own (mmap) that go back to the system
/// afterwards, so that the measurement leaves nothing resident (tensors' buffers would stay in the engine's
/// buffer cache and count in every workload's peak RSS).
func measureSgemmPeak(size n: Int = 2048, repetitions: Int = 5) -> Double {
    let bytes = n * n * MemoryLayout<Float>.stride
    let pages = (0..<3).map { _ in mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)! }
    defer { for page in pages { munmap(page, bytes) } }
    let (a, b, c) = (
        pages[0].bindMemory(to: Float.self, capacity: n * n), pages[1].bindMemory(to: Float.self, capacity: n * n),
        pages[2].bindMemory(to: Float.self, capacity: n * n)
    )
    var rng = RandomGenerator(seed: 1)
    for i in 0..<(n * n) {
        a[i] = Float(rng.nextUniform() - 0.5)
        b[i] = Float(rng.nextUniform() - 0.5)
    }
    let seconds = measure(repetitions: repetitions, iterations: 1) {
        Float.gemm(
            transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n, beta: 0,
            c: c, ldc: n)
    }
    return 2 * Double(n) * Double(n) * Double(n) / seconds.median / 1e9
}

/// Sets `Parallelism.threadCount`, the threads of the engine's parallel loops and matrix products.
func setBenchThreads(_ threads: Int) throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    Parallelism.threadCount = threads
}
