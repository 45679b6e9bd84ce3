import Foundation
import Models
import Testing

@testable import Runner

// The kernel perceptron in specs: its kernel keys and their defaults, the experiment built from a spec, and runs
// end to end (curves, summary, resume).

private let xorSpec = """
    {"name": "xor", "data": {"dataset": "xor"}, "model": {"type": "kernel_perceptron"},
     "training": {"epochs": 10}, "outputs": {"plots": false}}
    """

private let blobsSpec = """
    {"name": "blobs", "seed": 2,
     "data": {"dataset": "blobs", "classes": 3, "points": 40, "train": 90, "validation": 15, "test": 15},
     "model": {"type": "kernel_perceptron", "kernel": "rbf"}, "training": {"epochs": 6}}
    """

private func temporaryFolder() -> String {
    NSTemporaryDirectory() + "tapegrad-kernel-perceptron-\(UUID().uuidString)"
}

/// The rows of a run's `curves.csv`.
private func curvePoints(_ folder: String) throws -> [CurvePoint] {
    try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        .compactMap(CurvePoint.init(csvLine:))
}

/// `metrics.<split>.accuracy` of a run's `summary.json`.
private func summaryAccuracy(_ folder: String, _ split: String) throws -> Double? {
    let summary = try JSONParser.parse(try String(contentsOfFile: folder + "/summary.json", encoding: .utf8))
    return summary.objectValue?["metrics"]?.objectValue?[split]?.objectValue?["accuracy"]?.doubleValue
}

@Test func kernelKeysTakeTheirKernelsDefaults() throws {
    let polynomial = try SpecFixtures.spec(xorSpec, ["model.kernel=polynomial"])
    #expect(polynomial.model.degree == 3 && polynomial.model.coef0 == 1 && polynomial.model.gamma == nil)
    // γ is 1 / F: the XOR points have two features.
    let rbf = try SpecFixtures.spec(xorSpec)
    #expect(rbf.model.kernel == .rbf && rbf.model.gamma == 0.5 && rbf.model.degree == nil && rbf.model.coef0 == nil)
    #expect(try SpecFixtures.spec(xorSpec, ["model.gamma=2"]).model.gamma == 2)
    // The resolved spec, which lists the unused optimizer at its defaults, reads back as the same spec.
    for spec in [polynomial, rbf] {
        #expect(try ExperimentSpec(json: spec.resolvedJSON).resolvedJSON == spec.resolvedJSON)
    }
    #expect(throws: Never.self) { try SpecFixtures.spec(xorSpec, ["optimizer={\"type\": \"adam\", \"lr\": 0.001}"]) }
}

@Test func aKernelPerceptronIsBuiltFromTheTrainingExamples() throws {
    let experiment = try buildExperiment(
        try SpecFixtures.spec(blobsSpec, ["model.kernel=polynomial", "model.degree=2"]))
    let perceptron = try #require(experiment.model as? KernelPerceptron)
    guard case .classification(let task) = experiment.task else { throw SpecError("not a classification task") }
    #expect(perceptron.kernel == .polynomial(degree: 2, coef0: 1))
    #expect(perceptron.exampleCount == 90 && perceptron.classCount == 3)
    #expect(perceptron.inputs.scalars == task.train.inputs.scalars && perceptron.labels == task.train.labels)
    #expect(experiment.model.parameterCount == 90 * 3 && experiment.summary.outputShape == [3])
}

extension InterruptibleTraining {
    @Suite
    struct KernelPerceptronRunTests {
        @Test func xorIsSeparatedByAKernelAndNotWithout() throws {
            for (kernel, separates) in [("linear", false), ("polynomial", true), ("rbf", true)] {
                let folder = temporaryFolder()
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let spec = try SpecFixtures.spec(xorSpec, ["model.kernel=\(kernel)"])
                #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
                let train = try curvePoints(folder).filter { $0.split == "train" }
                // One row per epoch, a step per example visited; the loss is the epoch's mistake rate.
                #expect(train.map(\.step) == train.indices.map { 4 * ($0 + 1) }, "\(kernel)")
                #expect(train.allSatisfy { $0.loss + ($0.accuracy ?? 0) == 1 && $0.learningRate == 1 })
                if separates {
                    #expect(train.count < 10 && train.last?.loss == 0, "\(kernel)")
                    #expect(try summaryAccuracy(folder, "train") == 1, "\(kernel)")
                } else {
                    #expect(train.count == 10 && train.allSatisfy { $0.loss > 0 })
                    #expect(try summaryAccuracy(folder, "train")! < 1)
                }
            }
        }

        @Test func aKernelPerceptronRunEvaluatesEveryEpochAndWritesItsOutputs() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let spec = try SpecFixtures.spec(blobsSpec, ["outputs.predictions=true"])
            #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
            let points = try curvePoints(folder)
            let epochs = points.filter { $0.split == "train" }.count
            #expect(epochs >= 2 && epochs <= 6)
            for split in ["validation", "test"] {
                let rows = points.filter { $0.split == split }
                #expect(rows.map(\.epoch) == Array(1...epochs) && rows.map(\.step) == (1...epochs).map { 90 * $0 })
                #expect(rows.allSatisfy { abs($0.loss - (1 - $0.accuracy!)) < 1e-12 })
            }
            let accuracy = try #require(try summaryAccuracy(folder, "test"))
            #expect(accuracy >= 0.9)
            // One prediction per test example, right as often as the test accuracy says.
            let predictions = try String(contentsOfFile: folder + "/predictions.csv", encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Int($0)! } }
            #expect(predictions.count == 15)
            #expect(Double(predictions.filter { $0[1] == $0[2] }.count) / 15 == accuracy)
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
            for name in ["checkpoint.safetensors", "weights.safetensors", "accuracy.png", "confusion_matrix.png"] {
                #expect(files.contains(name), "missing \(name)")
            }
            let weights = try SafetensorsFile(contentsOf: folder + "/weights.safetensors")
            #expect(weights.tensors.keys.sorted() == ["coefficients", "inputs"])
        }

        @Test func aResumedKernelPerceptronRunEqualsAnUninterruptedOne() throws {
            let straight = temporaryFolder()
            let interrupted = temporaryFolder()
            defer {
                try? FileManager.default.removeItem(atPath: straight)
                try? FileManager.default.removeItem(atPath: interrupted)
            }
            let spec = try SpecFixtures.spec(blobsSpec, ["outputs.plots=false"])
            #expect(try trainRun(spec, folder: straight, resuming: false, quiet: true) == .completed)
            Interruption.request()  // as Ctrl-C during the first epoch: the run stops after it, with a checkpoint
            let first = try trainRun(spec, folder: interrupted, resuming: false, quiet: true)
            Interruption.reset()
            #expect(first == .interrupted)
            #expect(try curvePoints(interrupted).filter { $0.split == "train" }.count == 1)
            #expect(try trainRun(spec, folder: interrupted, resuming: true, quiet: true) == .completed)
            let a = try Data(contentsOf: URL(fileURLWithPath: straight + "/weights.safetensors"))
            let b = try Data(contentsOf: URL(fileURLWithPath: interrupted + "/weights.safetensors"))
            #expect(a == b)
            func rows(_ folder: String) throws -> [CurvePoint] {
                try curvePoints(folder).map { point in
                    var point = point
                    point.wallSeconds = 0
                    return point
                }
            }
            #expect(try rows(straight) == rows(interrupted))
        }
    }
}
