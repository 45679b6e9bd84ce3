import Foundation
import Models
import Testing
@testable import Runner

// The files `runner bench train` and `runner bench accuracy` write, for made-up results (no timing here): the
// CSV header and rows, and the JSON fields that Experiments/reference/compare.py reads; and the per-call table of
// `--products` (its times are only summed, never compared with a number).

private let environment = BenchEnvironment(
    threads: 2, date: "2026-01-02T03:04:05Z", cpu: "Test CPU", cores: 2, memoryGiB: 8, swift: "6.3",
    openBLAS: "OpenBLAS 0.3.21", sgemmPeakGFLOPS: 100)

private let mlp = TrainingBenchResult(
    workload: "W1", what: "MLP 784-128-10 ReLU", steps: 200, medianMilliseconds: 0.5, minMilliseconds: 0.25,
    maxMilliseconds: 2, samplesPerSecond: 64_000, gflops: 39, percentOfSgemmPeak: 39, peakRSSMegabytes: 57.7,
    finalLoss: 0.5)

private let tinyGraph = TrainingBenchResult(
    workload: "W6", what: "relu(x·W + b).sum(), x 1×8", steps: 4000, medianMilliseconds: 0.006,
    minMilliseconds: 0.005, maxMilliseconds: 0.1, samplesPerSecond: 166_666.7, gflops: nil, percentOfSgemmPeak: nil,
    peakRSSMegabytes: 58, finalLoss: 6.428)

/// The JSON text parsed into dictionaries.
private func parsed(_ text: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite
struct BenchOutputTests {
    @Test
    func trainingCSVHasTheHeaderAndOneQuotedRowPerWorkload() {
        let report = BenchReport(environment: environment, options: ["steps": 200], results: [mlp, tinyGraph])
        let lines = report.csv().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "workload,what,steps,median_ms,min_ms,max_ms,samples_per_s,gflops,percent_of_sgemm_peak,peak_rss_mb,"
                + "final_loss",
            "W1,MLP 784-128-10 ReLU,200,0.5000,0.2500,2.0000,64000.0,39.00,39.00,57.7,0.5000",
            "W6,\"relu(x·W + b).sum(), x 1×8\",4000,0.0060,0.0050,0.1000,166666.7,,,58.0,6.4280",
            "",
        ])
    }

    @Test
    func trainingJSONHasTheEnvironmentTheOptionsAndTheResults() throws {
        let report = BenchReport(
            environment: environment, options: ["steps": 200, "warmup": 20], results: [mlp, tinyGraph])
        let json = try parsed(try report.json())
        #expect(json["implementation"] as? String == "TapeGrad")
        #expect(json["threads"] as? Int == 2)
        #expect(json["cpu"] as? String == "Test CPU")
        #expect(json["openblas"] as? String == "OpenBLAS 0.3.21")
        #expect(json["sgemm_peak_gflops"] as? Double == 100)
        #expect(json["steps"] as? Int == 200)
        #expect(json["warmup"] as? Int == 20)
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.count == 2)
        #expect(Set(results[0].keys) == Set(TrainingBenchResult.columns))
        #expect(results[0]["workload"] as? String == "W1")
        #expect(results[0]["median_ms"] as? Double == 0.5)
        #expect(results[0]["samples_per_s"] as? Double == 64_000)
        #expect(results[0]["peak_rss_mb"] as? Double == 57.7)
        #expect(results[1]["gflops"] is NSNull)
        #expect(results[1]["percent_of_sgemm_peak"] is NSNull)
    }

    @Test
    func accuracyCSVAndJSONNameTheMetric() throws {
        let results = [
            AccuracyBenchResult(
                workload: "W1", metric: "test_accuracy_percent", value: 84.1234, steps: 1875, seconds: 12.34),
            AccuracyBenchResult(workload: "W5", metric: "validation_loss", value: 1.9876, steps: 2000, seconds: 99),
        ]
        let report = BenchReport(environment: environment, options: ["seed": 0], results: results)
        #expect(report.csv() == """
            workload,metric,value,steps,seconds
            W1,test_accuracy_percent,84.1234,1875,12.3
            W5,validation_loss,1.9876,2000,99.0

            """)
        let json = try #require(try parsed(try report.json())["results"] as? [[String: Any]])
        #expect(json[0]["value"] as? Double == 84.1234)
        #expect(json[1]["metric"] as? String == "validation_loss")
    }

    @Test
    func tableRowsAlignTheirColumns() {
        #expect(tableRow(["W1", "0.5", "what"], widths: [4, 5, 0]) == "W1      0.5  what")
    }

    @Test
    func workloadSelectionRejectsAnUnknownName() throws {
        #expect(try Workloads.selected("W1,W3a") == ["W1", "W3a"])
        #expect(try Workloads.selected(nil).count == 7)
        #expect(throws: (any Error).self) { try Workloads.selected("W7") }
    }

    /// Other suites' products run at the same time and are recorded too (see ProductObserverTests): the test looks
    /// at the calls of shapes only it uses, 48 × 40 × 56 (three calls) and 3 × 2 × 5 (one, far cheaper).
    @Test
    func productFloorListsEachDistinctCallWithItsCountCostliestFirst() throws {
        let a = Tensor.ones([48, 56]), b = Tensor.ones([56, 40]), c = Tensor.ones([3, 5]), d = Tensor.ones([5, 2])
        let floor = ProductFloor(mlp, step: { _ in
            noGrad {
                for _ in 0..<3 { _ = a.matmul(b) }
                return c.matmul(d).sum().item()
            }
        }, index: 0)
        let large = try #require(floor.byShape.firstIndex { $0.call.m == 48 && $0.call.n == 40 && $0.call.k == 56 })
        let small = try #require(floor.byShape.firstIndex { $0.call.m == 3 && $0.call.n == 2 && $0.call.k == 5 })
        #expect(floor.byShape[large].count == 3 && floor.byShape[small].count == 1)
        #expect(large < small)
        #expect(floor.calls >= 4 && floor.shapes == floor.byShape.count)
        let lines = floor.shapeTableLines
        #expect(lines.count == floor.byShape.count)
        #expect(lines[large].hasPrefix("W1") && lines[large].contains("A·B 48×40×56"))
        #expect(lines[large].contains("56/40/40"))
        #expect(lines[small].contains("A·B 3×2×5") && lines[small].contains("5/2/2"))
        let total = floor.byShape.reduce(0) { $0 + Double($1.count) * $1.seconds } * 1e3
        #expect(abs(total - floor.oneThreadMilliseconds) <= 1e-9 * max(1, total))
    }
}
