import Foundation
import Models
import Testing

@testable import Runner

// `runner SPEC` end to end on tiny specs: the outputs, resume equals uninterrupted, sweeps.

private let blobsSpec = """
    {
      "name": "blobs",
      "seed": 3,
      "data": {"dataset": "blobs", "classes": 3, "points": 120, "train": 80, "validation": 20, "test": 20},
      "model": {"type": "mlp", "hidden": [8], "dropout": 0.2},
      "optimizer": {"type": "adam", "lr": 0.05},
      "training": {"steps": 30, "batch_size": 8, "log_every": 5, "evaluate_every": 10, "checkpoint_every": 10},
      "outputs": {"plots": true}
    }
    """

/// A tiny encoder–decoder on the copy task, with dropout (whose draws a resumed run must repeat).
private let seq2seqSpec = """
    {
      "name": "copy",
      "seed": 2,
      "data": {"dataset": "sequences", "task": "copy", "length": 3, "digits": 3, "points": 80, "validation": 10,
               "test": 10},
      "model": {"type": "seq2seq", "dim": 8, "heads": 2, "encoder_layers": 1, "decoder_layers": 1, "dropout": 0.1},
      "optimizer": {"type": "adam", "lr": 0.01},
      "training": {"steps": 12, "batch_size": 8, "log_every": 2, "evaluate_every": 4, "checkpoint_every": 4},
      "outputs": {"plots": false}
    }
    """

private func load(_ text: String, _ overrides: [String] = []) throws -> SpecDocument {
    try SpecDocument(text: text, source: "test", overrides: overrides)
}

private func temporaryFolder() -> String {
    NSTemporaryDirectory() + "tapegrad-runner-\(UUID().uuidString)"
}

extension InterruptibleTraining {
    @Suite
    struct RunCommandTests {
        @Test func aRunWritesEveryOutput() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let status = try trainRun(try load(blobsSpec).spec, folder: folder, resuming: false, quiet: true)
            #expect(status == .completed)
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
            for name in [
                "curves.csv", "summary.json", "spec.json", "checkpoint.safetensors", "weights.safetensors",
                "loss.svg", "loss.png", "accuracy.svg", "accuracy.png", "confusion_matrix.png",
                "decision_boundary.png", "report.html", "log.txt",
            ] {
                #expect(files.contains(name), "missing \(name)")
            }
            // Each extra plot can be switched off.
            let off = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: off) }
            let without = try load(blobsSpec, ["outputs.decision_boundary=false"]).spec
            #expect(try trainRun(without, folder: off, resuming: false, quiet: true) == .completed)
            #expect(!FileManager.default.fileExists(atPath: off + "/decision_boundary.png"))
            let curves = try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
            #expect(curves[0] == "epoch,step,split,loss,accuracy,learning_rate,wall_seconds")
            let points = curves.dropFirst().compactMap(CurvePoint.init(csvLine:))
            #expect(points.filter { $0.split == "train" }.map(\.step) == [5, 10, 15, 20, 25, 30])
            #expect(points.filter { $0.split == "validation" }.map(\.step) == [10, 20, 30])
            let text = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
            let summary = try #require(try JSONParser.parse(text).objectValue)
            #expect(summary["status"] == .string("completed"))
            #expect(summary["steps"] == .integer(30))
            let parameterCount = 2 * 8 + 8 + 8 * 3 + 3
            #expect(summary["parameter_count"] == .integer(parameterCount))
            // The BLAS kernels the products ran on, and how they were chosen.
            let blas = summary["blas"]?.objectValue
            #expect(
                blas?["core"] == .string(BLASKernels.core) && blas?["cpu_isa"] == .string("\(BLASKernels.cpuLevel)"))
            #expect(
                ["openblas", "cpuid", "OPENBLAS_CORETYPE"].map { JSONValue.string($0) }.contains(blas?["chosen_by"]))
            guard case .object(let metrics)? = summary["metrics"], case .object(let test)? = metrics["test"],
                let accuracy = test["accuracy"]?.doubleValue
            else {
                Issue.record("summary.json has no test accuracy")
                return
            }
            #expect(accuracy > 0.8)
            guard case .object(let spec)? = summary["spec"] else {
                Issue.record("summary.json has no resolved spec")
                return
            }
            #expect(spec["seed"] == .integer(3))
        }

        @Test func aRunLogsOneLinePerEpochAndItsReportToLogTxt() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            #expect(try trainRun(try load(blobsSpec).spec, folder: folder, resuming: false, quiet: true) == .completed)
            let lines = try String(contentsOfFile: folder + "/log.txt", encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "run blobs → \(folder)")
            // 80 examples in batches of 8: 10 steps an epoch, 3 epochs in 30 steps, each evaluated at its end.
            let epochs = lines.filter { $0.hasPrefix("epoch ") }
            #expect(epochs.map { $0.prefix(9) } == ["epoch 1/3", "epoch 2/3", "epoch 3/3"])
            #expect(
                epochs.allSatisfy {
                    $0.contains("  train loss ") && $0.contains("  validation loss ") && $0.contains(" accuracy ")
                        && $0.contains("  test loss ") && $0.contains(" s")
                })
            #expect(epochs[0].hasSuffix("★ best"))  // the first evaluation is the best so far
            // The epoch's validation figures are the curve's.
            let points = try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
                .compactMap(CurvePoint.init(csvLine:))
            let validation = try #require(points.first { $0.split == "validation" && $0.step == 10 })
            #expect(epochs[0].contains(String(format: "validation loss %.4f", validation.loss)))
            #expect(lines.contains { $0.hasPrefix("blobs: completed after 30 steps") })  // the closing report
            #expect(lines.contains { $0.hasPrefix("  test loss ") })
        }

        @Test func aSeq2SeqRunReportsTokenAndSequenceAccuracyAndDecodedSamples() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            #expect(
                try trainRun(try load(seq2seqSpec).spec, folder: folder, resuming: false, quiet: true) == .completed)
            let curves = try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
            let points = curves.dropFirst().compactMap(CurvePoint.init(csvLine:))
            #expect(points.filter { $0.split == "train" }.map(\.step) == [2, 4, 6, 8, 10, 12])
            #expect(points.filter { $0.split == "validation" }.map(\.step) == [4, 8, 12])
            #expect(points.allSatisfy { ($0.accuracy ?? -1) >= 0 && $0.accuracy! <= 1 })
            let summary = try JSONParser.parse(try String(contentsOfFile: folder + "/summary.json", encoding: .utf8))
            let test = summary.objectValue?["metrics"]?.objectValue?["test"]?.objectValue
            let sequences = try #require(test?["sequence_accuracy"]?.doubleValue)
            #expect(sequences >= 0 && sequences <= 1)
            let experiment = try buildExperiment(try load(seq2seqSpec).spec)
            #expect(summary.objectValue?["parameter_count"] == .integer(experiment.model.parameterCount))
            // Eight decoded test strings after training, each marked right or wrong against its target.
            let samples = try String(contentsOfFile: folder + "/samples.txt", encoding: .utf8)
            let after = samples.components(separatedBy: "--- after training ---\n")[1]
                .split(separator: "\n").filter { $0.contains("→") }
            #expect(after.count == 8 && after.allSatisfy { $0.hasSuffix("✓") || $0.hasSuffix("✗") })
            // The ✓ are among the test strings that the sequence accuracy counts right: of 10, the first 8 shown.
            let right = Int((sequences * 10).rounded())
            #expect((right - 2...right).contains(after.filter { $0.hasSuffix("✓") }.count))
        }

        @Test func seq2seqSamplesAreGreedyOrDrawnAtTheSpecsTemperatureWithItsSeed() throws {
            func task(_ temperature: Double) throws -> SequenceTask {
                var spec = try load(seq2seqSpec).spec
                spec.outputs.sampleTemperature = temperature
                guard case .sequenceToSequence(let task) = try buildExperiment(spec).task else {
                    throw SpecError("not a sequence task")
                }
                return task
            }
            let (greedy, hot) = (try task(0), try task(50))
            let pairs = try #require(greedy.test)
            let indices = Array(0..<8)
            let greedyStrings = greedy.decodeSamples(pairs, indices)
            #expect(
                greedyStrings
                    == greedy.model.greedyDecode(
                        pairs.batch(indices).source, batch: 8, start: pairs.startToken, length: pairs.length))
            // At temperature 50 the draws are near uniform: 24 tokens all equal to greedy's by chance is out of reach.
            let drawn = hot.decodeSamples(pairs, indices)
            #expect(drawn != greedyStrings && drawn == hot.decodeSamples(pairs, indices))
            #expect(drawn.allSatisfy { $0.count == pairs.length })
        }

        @Test func thePerceptronSeparatesSeparableDataFromZeroWeights() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            // Rosenblatt's algorithm: one example at a time, rate 1, the perceptron criterion, all-zero weights.
            let spec = try load(
                """
                {"name": "perceptron", "seed": 1,
                 "data": {"dataset": "separable", "points": 200, "train": 160, "validation": 20, "test": 20,
                          "normalize": false},
                 "model": {"type": "perceptron"}, "optimizer": {"type": "sgd", "lr": 1},
                 "loss": "perceptron", "training": {"epochs": 20, "batch_size": 1, "log_every": 160}}
                """
            ).spec
            #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
            let curves = try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
            let points = curves.dropFirst().compactMap(CurvePoint.init(csvLine:))
            // Separable data with a margin: the mistakes stop (Novikoff's bound), so the criterion reaches zero.
            #expect(points.filter { $0.split == "train" }.last?.loss == 0)
            #expect(points.filter { $0.split == "test" }.last?.accuracy == 1)
        }

        @Test func theTestPredictionsAreTheTestAccuracysOwn() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let spec = try load(blobsSpec, ["outputs.predictions=true", "outputs.plots=false"]).spec
            #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
            let lines = try String(contentsOfFile: folder + "/predictions.csv", encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "index,predicted,true")
            let rows = lines.dropFirst().map { $0.split(separator: ",").map { Int($0)! } }
            // One row per test example, in the test split's order, with its true label.
            let experiment = try buildExperiment(spec)
            guard case .classification(let task) = experiment.task, let test = task.test else {
                Issue.record("no test split")
                return
            }
            #expect(rows.map { $0[0] } == Array(0..<20) && rows.map { $0[2] } == test.labels)
            #expect(rows.allSatisfy { (0..<3).contains($0[1]) })
            let summary = try JSONParser.parse(try String(contentsOfFile: folder + "/summary.json", encoding: .utf8))
            let accuracy = summary.objectValue?["metrics"]?.objectValue?["test"]?.objectValue?["accuracy"]?.doubleValue
            #expect(accuracy == Double(rows.filter { $0[1] == $0[2] }.count) / 20)
            guard case .array(let outputs)? = summary.objectValue?["outputs"] else {
                Issue.record("summary.json lists no outputs")
                return
            }
            #expect(outputs.contains(.string("predictions.csv")))
        }

        @Test(arguments: [blobsSpec, seq2seqSpec])
        func resumingAnInterruptedRunEqualsAnUninterruptedOne(_ text: String) throws {
            let straight = temporaryFolder()
            let interrupted = temporaryFolder()
            defer {
                try? FileManager.default.removeItem(atPath: straight)
                try? FileManager.default.removeItem(atPath: interrupted)
            }
            let spec = try load(text).spec
            #expect(try trainRun(spec, folder: straight, resuming: false, quiet: true) == .completed)

            Interruption.request()  // as Ctrl-C during the first step: the run stops after it, with a checkpoint
            let first = try trainRun(spec, folder: interrupted, resuming: false, quiet: true)
            Interruption.reset()
            #expect(first == .interrupted)
            #expect(try trainRun(spec, folder: interrupted, resuming: true, quiet: true) == .completed)

            let a = try Data(contentsOf: URL(fileURLWithPath: straight + "/weights.safetensors"))
            let b = try Data(contentsOf: URL(fileURLWithPath: interrupted + "/weights.safetensors"))
            #expect(a == b)
            func rows(_ folder: String) throws -> [String] {
                // Everything but the wall-clock column.
                try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
                    .map { line in
                        line.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",")
                    }
            }
            #expect(try rows(straight) == rows(interrupted))
            // The event file holds the same scalars as the uninterrupted run's: none lost, none twice.
            #expect(try eventScalars(in: straight) == eventScalars(in: interrupted))
        }

        @Test func aCNNAndATransformerTrainToTheSameBytesOnAnyThreadCount() throws {
            // Sums over a batch (convolution weights, layer-norm scales) are split into chunks, and large products
            // into blocks, fixed by the shapes, so 1, 2 and 3 threads give the same bytes.
            let cnn = """
                {"seed": 1, "data": {"dataset": "edges", "points": 96, "validation": 0, "test": 16},
                 "model": {"type": "cnn", "layers": [{"type": "conv2d", "out": 4, "kernel": 3, "padding": 1},
                  {"type": "batchnorm2d"}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
                  {"type": "linear"}]},
                 "training": {"steps": 4, "batch_size": 48}, "outputs": {"plots": false}}
                """
            try SpecFixtures.withTemporaryDirectory { directory in
                SpecFixtures.write(
                    String(repeating: "To be, or not to be: that is the question.\n", count: 80), "input.txt",
                    in: directory)
                let transformer = """
                    {"seed": 2, "data": {"dataset": "tinyshakespeare", "path": "\(directory)"},
                     "training": {"steps": 3, "batch_size": 32},
                     "model": {"type": "transformer", "block_size": 64, "dim": 16, "heads": 2, "depth": 1},
                     "optimizer": {"type": "adamw", "lr": 0.01}, "outputs": {"sample_length": 0, "plots": false}}
                    """
                for (name, text) in [("cnn", cnn), ("transformer", transformer)] {
                    var weights: [Data] = []
                    for threads in [1, 2, 3] {
                        let folder = temporaryFolder()
                        defer { try? FileManager.default.removeItem(atPath: folder) }
                        let saved = Parallelism.threadCount
                        Parallelism.threadCount = threads
                        defer { Parallelism.threadCount = saved }
                        let status = try trainRun(load(text).spec, folder: folder, resuming: false, quiet: true)
                        #expect(status == .completed)
                        weights.append(try Data(contentsOf: URL(fileURLWithPath: folder + "/weights.safetensors")))
                    }
                    #expect(weights[0] == weights[1] && weights[0] == weights[2], "\(name)")
                }
            }
        }

        @Test func aBatchSplitIntoShardsTrainsAsTheWholeBatchOnAnyThreadCount() throws {
            func train(_ overrides: [String], threads: Int) throws -> (weights: Data, curves: [[Double]]) {
                let folder = temporaryFolder()
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let saved = Parallelism.threadCount
                Parallelism.threadCount = threads
                defer { Parallelism.threadCount = saved }
                let spec = try load(blobsSpec, overrides).spec
                #expect(try trainRun(spec, folder: folder, resuming: false, quiet: true) == .completed)
                // The numbers of every row but the wall-clock column (the last).
                let rows = try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
                return (
                    try Data(contentsOf: URL(fileURLWithPath: folder + "/weights.safetensors")),
                    rows.dropFirst().map { row in
                        row.split(separator: ",", omittingEmptySubsequences: false).dropLast().compactMap { Double($0) }
                    }
                )
            }
            // With dropout: the same shards give the same run on one thread and on two.
            let shards = ["training.batch_shards=3"]
            #expect(try train(shards, threads: 1).weights == train(shards, threads: 2).weights)
            // Without dropout: the same run as the whole batch, up to rounding.
            let whole = try train(["model.dropout=0"], threads: 2).curves
            let split = try train(["model.dropout=0", "training.batch_shards=3"], threads: 2).curves
            #expect(whole.count == split.count && whole.count > 5)
            for (a, b) in zip(whole, split) {
                #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
            }
        }

        @Test func aLanguageModelSplitsItsBatchIntoShards() throws {
            try SpecFixtures.withTemporaryDirectory { directory in
                let text = String(repeating: "To be, or not to be: that is the question.\n", count: 30)
                SpecFixtures.write(text, "input.txt", in: directory)
                let json = """
                    {"seed": 2, "data": {"dataset": "tinyshakespeare", "path": "\(directory)"},
                     "training": {"steps": 12, "batch_size": 6, "log_every": 3},
                     "model": {"type": "transformer", "block_size": 8, "dim": 16, "heads": 2, "depth": 1},
                     "optimizer": {"type": "adamw", "lr": 0.01}, "outputs": {"sample_length": 10, "plots": false}}
                    """
                func train(_ overrides: [String], threads: Int) throws -> [String] {
                    let folder = temporaryFolder()
                    defer { try? FileManager.default.removeItem(atPath: folder) }
                    let saved = Parallelism.threadCount
                    Parallelism.threadCount = threads
                    defer { Parallelism.threadCount = saved }
                    #expect(
                        try trainRun(load(json, overrides).spec, folder: folder, resuming: false, quiet: true)
                            == .completed)
                    // Training-loss rows without the wall-clock column.
                    return try String(contentsOfFile: folder + "/curves.csv", encoding: .utf8).split(separator: "\n")
                        .filter { $0.contains("train") }
                        .map { row in
                            let cells = row.split(separator: ",", omittingEmptySubsequences: false)
                            return cells.dropLast().joined(separator: ",")
                        }
                }
                let one = try train(["training.batch_shards=4"], threads: 1)
                #expect(one.count == 4)
                #expect(one == (try train(["training.batch_shards=4"], threads: 2)))
                #expect(one != (try train([], threads: 2)), "4 shards round differently from the whole batch")
            }
        }

        @Test(arguments: [true, false])
        func theAttentionPlotIsDrawnWhenTheSpecAsks(_ attentionPlot: Bool) throws {
            try SpecFixtures.withTemporaryDirectory { directory in
                SpecFixtures.write(String(repeating: "To be, or not to be.\n", count: 40), "input.txt", in: directory)
                let json = """
                    {"data": {"dataset": "tinyshakespeare", "path": "\(directory)"}, "training": {"steps": 2},
                     "model": {"type": "transformer", "block_size": 8, "dim": 8, "heads": 2, "depth": 1},
                     "outputs": {"sample_length": 5, "attention_plot": \(attentionPlot)}}
                    """
                let folder = directory + "/run"
                #expect(try trainRun(load(json).spec, folder: folder, resuming: false, quiet: true) == .completed)
                let files = try FileManager.default.contentsOfDirectory(atPath: folder)
                #expect(files.contains("loss.svg"))
                #expect(files.contains("attention.svg") == attentionPlot)
                #expect(files.contains("attention.png") == attentionPlot)
            }
        }

        @Test(arguments: [1, 2])
        func aDivergingRunStopsWithAMessage(shards: Int) throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let overrides = ["optimizer.lr=1e30", "optimizer.type=sgd", "training.batch_shards=\(shards)"]
            let spec = try load(blobsSpec, overrides).spec
            let status = try trainRun(spec, folder: folder, resuming: false, quiet: true)
            #expect(status == .diverged)
            let summary = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
            #expect(summary.contains("\"status\" : \"diverged\""))
            #expect(summary.contains("the loss became"))
        }

        @Test func aSweepRunsEveryTrialAndCombinesThem() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let document = try load(blobsSpec, ["sweep={\"grid\": {\"optimizer.lr\": [0.01, 0.05]}}"])
            let trials = try document.trials()
            #expect(trials.count == 2)
            // The trials run in this process (the sweep command runs each as `runner run trial-spec.json`).
            for trial in trials {
                try trainRun(trial.spec, folder: folder + "/trial-\(trial.index)", resuming: false, quiet: true)
            }
            try writeSweepResults(trials: trials, folder: folder, title: "blobs")
            let csv = try String(contentsOfFile: folder + "/sweep.csv", encoding: .utf8).split(separator: "\n")
            #expect(csv.count == 3)
            #expect(csv[0].hasPrefix("trial,round,values,status,steps,"))
            #expect(csv[1].hasPrefix("0,1,\"optimizer.lr=0.01\",completed,30,"))
            #expect(csv[2].hasPrefix("1,1,\"optimizer.lr=0.05\",completed,30,"))
            for plot in ["sweep_loss", "sweep_accuracy", "sweep_train_loss", "sweep_vs_optimizer.lr"] {
                #expect(FileManager.default.fileExists(atPath: folder + "/\(plot).png"), "\(plot)")
            }
            // The final test accuracies against the learning rate: the trials' own.
            let reader = SVGReader(try String(contentsOfFile: folder + "/sweep_vs_optimizer.lr.svg", encoding: .utf8))
            #expect(reader.texts.contains("optimizer.lr") && reader.texts.contains("test"))
        }

        @Test func aRefinedSweepDrawsItsSecondRoundAroundTheBestTrial() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let sweep = """
                sweep={"random": {"optimizer.lr": {"min": 0.001, "max": 0.1, "log": true},
                 "model.dropout": {"min": 0, "max": 0.5},
                 "training.batch_size": {"min": 4, "max": 16, "integer": true}},
                 "trials": 3, "seed": 1, "refine": {"rounds": 2, "shrink": 0.5}}
                """
            let document = try load(blobsSpec, [sweep])
            // `runSweep`'s round logic with the trials trained in this process instead of `runner run` processes.
            var batches: [[SweepTrial]] = []
            try runSweep(document, folder: folder, quiet: true) { trials, folder, _ in
                batches.append(trials)
                for trial in trials {
                    try trainRun(trial.spec, folder: folder + "/trial-\(trial.index)", resuming: false, quiet: true)
                }
                return []
            }
            #expect(batches.map { $0.map(\.index) } == [[0, 1, 2], [3, 4, 5]])
            #expect(batches.map { $0.map(\.round) } == [[1, 1, 1], [2, 2, 2]])
            #expect(batches[0].map(\.json) == (try document.trials()).map(\.json))

            let csv = try String(contentsOfFile: folder + "/sweep.csv", encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(csv.count == 7)
            #expect(
                csv.dropFirst().map { [$0[0], $0[1]] } == [
                    ["0", "1"], ["1", "1"], ["2", "1"], ["3", "2"],
                    ["4", "2"], ["5", "2"],
                ])
            // The best trial of round 1 has the highest validation accuracy of sweep.csv's round-1 rows.
            let best = try #require(bestSweepTrial(batches[0], folder: folder, metric: .validationAccuracy))
            let column = try #require(csv[0].firstIndex(of: "validation_accuracy"))
            let accuracies = csv[1...3].map { row in Double(row[row.count - csv[0].count + column]) ?? -1 }
            #expect(abs(accuracies.max()! - best.value) < 1e-6, "\(accuracies) vs \(best.value)")

            // Round 2: the ranges narrowed around the best trial, and every value inside them.
            let round2 = try document.refinedRound(2, best: best.trial.values)
            #expect(round2.trials.map(\.json) == batches[1].map(\.json))
            let original = try #require(document.spec.sweep?.random)
            for (key, range) in round2.ranges {
                let wide = try #require(original[key])
                let center = try #require(best.trial.values[key]?.doubleValue)
                #expect(range.min >= wide.min && range.max <= wide.max && (range.min...range.max) ~= center)
                #expect(range.max - range.min < wide.max - wide.min, "\(key) narrowed: \(range.summary)")
            }
            let lr = try #require(round2.ranges["optimizer.lr"])
            let dropout = try #require(round2.ranges["model.dropout"])
            let sizes = try #require(round2.ranges["training.batch_size"])
            #expect(sizes.integer && sizes.min.rounded() == sizes.min && sizes.max.rounded() == sizes.max)
            for trial in batches[1] {
                #expect((lr.min...lr.max) ~= trial.spec.optimizer.lr)
                #expect(trial.spec.model.type == .mlp)
                #expect((dropout.min...dropout.max) ~= trial.spec.model.dropout)
                #expect(Double(trial.spec.training.batchSize) >= sizes.min)
                #expect(Double(trial.spec.training.batchSize) <= sizes.max)
            }
        }
    }
}
