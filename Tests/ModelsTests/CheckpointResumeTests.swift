import Foundation
import Testing

@testable import Models

// Resume equals uninterrupted, at the library level: train k steps, save a checkpoint, load it into FRESH model
// and optimizer objects (built from another seed, so nothing survives by accident), restore the dropout
// generator from the metadata, train m more steps, and get bit-identical parameters and batch-norm statistics
// to k + m steps straight. The negative controls show the check notices a missing piece of state.

/// A small classifier with batch norm and dropout, so running statistics and the dropout stream matter.
private func makeModel(seed: UInt64, hidden: Int = 8) -> Sequential {
    var rng = RandomGenerator(seed: seed)
    return Sequential([
        Linear(4, hidden, using: &rng), BatchNorm1d(hidden), ReLU(), Dropout(0.3), Linear(hidden, 3, using: &rng),
    ])
}

enum OptimizerKind: String, CaseIterable, Sendable {
    case sgdMomentum, nesterov, adam, adamW, rmsprop, rmspropMomentum

    func make(_ model: any Module) -> any Optimizer {
        switch self {
        case .sgdMomentum: SGD(model.parameters, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3)
        case .nesterov: SGD(model.parameters, learningRate: 0.1, momentum: 0.9, nesterov: true)
        case .adam: Adam(model.parameters, learningRate: 0.01)
        case .adamW: AdamW(model.parameters, learningRate: 0.01, weightDecay: 0.1)
        case .rmsprop: RMSprop(model.parameters, learningRate: 0.01)
        case .rmspropMomentum: RMSprop(model.parameters, learningRate: 0.01, momentum: 0.5)
        }
    }
}

/// 32 examples of 4 features in 3 classes (the label is the largest of the first three features), row-major.
private let inputs: [Double] = {
    var rng = RandomGenerator(seed: 7)
    return (0..<(32 * 4)).map { _ in rng.nextNormal() }
}()
private let labels: [Int] = (0..<32).map { i in (0..<3).max { inputs[4 * i + $0] < inputs[4 * i + $1] }! }

/// Training steps `steps` (batch `s mod 4` of 8 examples each).
private func train(_ model: Sequential, _ optimizer: any Optimizer, _ rng: inout RandomGenerator, _ steps: Range<Int>) {
    for step in steps {
        let rows = (step % 4) * 8..<(step % 4) * 8 + 8
        let x = Tensor(Array(inputs[(rows.lowerBound * 4)..<(rows.upperBound * 4)]), shape: [8, 4])
        var context = ForwardContext(training: true, rng: rng)
        let loss = model(x, &context).crossEntropy(labels: Array(labels[rows]))
        rng = context.rng
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
    }
}

/// Every parameter and buffer as bit patterns, by name.
private func snapshot(_ model: any Module) -> [String: [UInt32]] {
    Dictionary(
        uniqueKeysWithValues: (model.namedParameters + model.namedBuffers).map {
            ($0.name, $0.tensor.floats.map(\.bitPattern))
        })
}

private func checkpointPath(_ directory: String) -> String { directory + "/checkpoint.safetensors" }

/// Trains k steps from seed 1, saves, and returns the checkpoint's path.
private func trainAndSave(_ kind: OptimizerKind, k: Int, in directory: String) throws -> String {
    let model = makeModel(seed: 1)
    let optimizer = kind.make(model)
    var rng = RandomGenerator(seed: 2)
    train(model, optimizer, &rng, 0..<k)
    let rngJSON = String(decoding: try JSONEncoder().encode(rng), as: UTF8.self)
    try Checkpoint.save(
        model: model, optimizer: optimizer, metadata: ["step": "\(k)", "rng": rngJSON],
        to: checkpointPath(directory))
    return checkpointPath(directory)
}

@Test(arguments: OptimizerKind.allCases)
func resumingEqualsTrainingStraight(kind: OptimizerKind) throws {
    let k = 5
    let m = 4
    let straight = makeModel(seed: 1)
    var straightRNG = RandomGenerator(seed: 2)
    train(straight, kind.make(straight), &straightRNG, 0..<(k + m))

    try DataFixtures.withTemporaryDirectory { directory in
        let path = try trainAndSave(kind, k: k, in: directory)
        let stored = try SafetensorsFile(contentsOf: path)
        #expect(stored.metadata["tapegrad.model.1.num_batches_tracked"] == "\(k)")

        let resumed = makeModel(seed: 99)
        let optimizer = kind.make(resumed)
        let metadata = try Checkpoint.load(from: path, into: resumed, optimizer: optimizer)
        #expect(metadata.keys.sorted() == ["rng", "step"] && metadata["step"] == "\(k)")
        #expect((resumed.layers[1] as? BatchNorm1d)?.statistics.batchesTracked == k)
        var rng = try JSONDecoder().decode(RandomGenerator.self, from: Data(metadata["rng"]!.utf8))
        train(resumed, optimizer, &rng, k..<(k + m))
        #expect(snapshot(resumed) == snapshot(straight))
        #expect(rng == straightRNG)
        #expect(
            (resumed.layers[1] as? BatchNorm1d)?.statistics.batchesTracked
                == (straight.layers[1] as? BatchNorm1d)?.statistics.batchesTracked)

        // Negative controls: without the dropout stream, or (for stateful optimizers) without the optimizer
        // state, the result differs.
        let noRNG = makeModel(seed: 99)
        let noRNGOptimizer = kind.make(noRNG)
        try Checkpoint.load(from: path, into: noRNG, optimizer: noRNGOptimizer)
        var freshRNG = RandomGenerator(seed: 2)
        train(noRNG, noRNGOptimizer, &freshRNG, k..<(k + m))
        #expect(snapshot(noRNG) != snapshot(straight))

        let noState = makeModel(seed: 99)
        try Checkpoint.load(from: path, into: noState)
        var restoredRNG = try JSONDecoder().decode(RandomGenerator.self, from: Data(metadata["rng"]!.utf8))
        train(noState, kind.make(noState), &restoredRNG, k..<(k + m))
        #expect(snapshot(noState) != snapshot(straight))
    }
}

@Test func loadingChecksNamesShapesAndDTypesAndChangesNothingOnMismatch() throws {
    try DataFixtures.withTemporaryDirectory { directory in
        let path = try trainAndSave(.adam, k: 2, in: directory)
        let wider = makeModel(seed: 3, hidden: 9)
        let before = snapshot(wider)
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(from: path, into: wider) }
        func vector(_ name: String) -> String { "model.\(name) is [8] F32 in the file, [9] float32 in the model" }
        let expected =
            ["model.0.weight is [4, 8] F32 in the file, [4, 9] float32 in the model"]
            + ["0.bias", "1.weight", "1.bias"].map(vector)
            + ["model.4.weight is [8, 3] F32 in the file, [9, 3] float32 in the model"]
            + ["1.running_mean", "1.running_var"].map(vector)
        #expect(error == .mismatch(path: path, problems: expected))
        #expect(snapshot(wider) == before)

        var rng = RandomGenerator(seed: 0)
        let deeper = Sequential([
            Linear(4, 8, using: &rng), ReLU(), Linear(8, 3, using: &rng), Linear(3, 3, using: &rng),
        ])
        guard
            case .mismatch(_, let problems)? = #expect(
                throws: CheckpointError.self,
                performing: {
                    try Checkpoint.load(from: path, into: deeper)
                })
        else { return }
        #expect(
            problems == [
                "missing model.2.weight ([8, 3] float32)", "missing model.2.bias ([3] float32)",
                "missing model.3.weight ([3, 3] float32)", "missing model.3.bias ([3] float32)",
            ]
                + ["1.bias", "1.running_mean", "1.running_var", "1.weight", "4.bias", "4.weight"].map {
                    "unexpected model.\($0): the model has no such tensor"
                })

        var rng64 = RandomGenerator(seed: 1)
        let doubles = Sequential([
            Linear(4, 8, dtype: .float64, using: &rng64), BatchNorm1d(8, dtype: .float64), ReLU(), Dropout(0.3),
            Linear(8, 3, dtype: .float64, using: &rng64),
        ])
        guard
            case .mismatch(_, let dtypeProblems)? = #expect(
                throws: CheckpointError.self,
                performing: {
                    try Checkpoint.load(from: path, into: doubles)
                })
        else { return }
        #expect(dtypeProblems.first == "model.0.weight is [4, 8] F32 in the file, [4, 8] float64 in the model")
    }
}

@Test func optimizerMismatchesAreListedAndLeaveModelAndOptimizerUntouched() throws {
    try DataFixtures.withTemporaryDirectory { directory in
        let path = try trainAndSave(.adam, k: 2, in: directory)
        let model = makeModel(seed: 3)
        let before = snapshot(model)
        let sgd = SGD(model.parameters, learningRate: 0.5, momentum: 0.9)
        guard
            case .mismatch(_, let problems)? = #expect(
                throws: CheckpointError.self,
                performing: {
                    try Checkpoint.load(from: path, into: model, optimizer: sgd)
                })
        else { return }
        #expect(problems.first == "optimizer: it was saved by Adam, not SGD")
        #expect(
            problems.contains {
                $0.hasPrefix("optimizer: unexpected \"exp_avg.0.weight\": this SGD keeps no such buffer")
            })
        #expect(snapshot(model) == before && sgd.stateByteCount == 0 && sgd.learningRate == 0.5)

        let weightsOnly = directory + "/weights.safetensors"
        try Checkpoint.save(model: model, to: weightsOnly)
        #expect(throws: CheckpointError.mismatch(path: weightsOnly, problems: ["the file holds no optimizer state"])) {
            try Checkpoint.load(from: weightsOnly, into: model, optimizer: Adam(model.parameters))
        }
        try Checkpoint.load(from: weightsOnly, into: model)  // the model alone loads

        let pytorch = directory + "/pytorch.safetensors"
        try PyTorchExport.write(model, to: pytorch)
        #expect(
            throws: CheckpointError.invalidMetadata(
                path: pytorch, key: "tapegrad.format", reason: "is missing: this is not a TapeGrad checkpoint")
        ) {
            try Checkpoint.load(from: pytorch, into: model)
        }
    }
}

@Test func checkpointLayoutNamesModelAndOptimizerTensors() {
    let model = makeModel(seed: 1)
    let adam = Adam(model.parameters, learningRate: 0.02)
    var rng = RandomGenerator(seed: 2)
    train(model, adam, &rng, 0..<3)
    let file = Checkpoint.contents(model: model, optimizer: adam, metadata: ["epoch": "0"])
    let parameters = ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"]
    let expected =
        parameters.map { "model." + $0 } + ["model.1.running_mean", "model.1.running_var"]
        + parameters.flatMap { ["optimizer.exp_avg." + $0, "optimizer.exp_avg_sq." + $0] }
    #expect(file.tensors.keys.sorted() == expected.sorted())
    var unsigned = file
    let checksum = unsigned.metadata.removeValue(forKey: "tapegrad.sha256")
    #expect(
        unsigned.metadata == [
            "epoch": "0", "tapegrad.format": "2", "tapegrad.optimizer": "Adam", "tapegrad.optimizer.step": "3",
            "tapegrad.optimizer.learning_rate": "0.02", "tapegrad.model.1.num_batches_tracked": "3",
        ])
    #expect(checksum == unsigned.sha256())
    let norm = try! #require(model.layers[1] as? BatchNorm1d)
    #expect(file.tensors["model.1.running_mean"]!.tensor()!.floats == norm.statistics.runningMean.floats)
}

/// Format 1 named an embedding's table without `.weight` (`model.token_embedding`); such files still load, with
/// their optimizer state.
@Test func formatOneCheckpointsOfEmbeddingsStillLoad() throws {
    var configuration = DecoderTransformerConfiguration()
    (configuration.vocabularySize, configuration.blockSize, configuration.dim) = (7, 4, 4)
    (configuration.heads, configuration.layers) = (2, 1)
    var rng = RandomGenerator(seed: 1)
    let trained = DecoderTransformer(configuration, using: &rng)
    let adam = Adam(trained.parameters, learningRate: 0.01)
    var context = ForwardContext(training: true)
    trained.loss([1, 2, 3, 4], targets: [2, 3, 4, 5], batch: 1, &context).backward()
    adam.step()
    var old = Checkpoint.contents(model: trained, optimizer: adam)
    old.metadata["tapegrad.format"] = "1"
    old.metadata[Checkpoint.checksumKey] = nil  // format 1 had no checksum
    for (key, tensor) in old.tensors where key.hasSuffix("_embedding.weight") {
        old.tensors[key] = nil
        old.tensors[String(key.dropLast(".weight".count))] = tensor
    }
    #expect(old.tensors["model.token_embedding"] != nil && old.tensors["optimizer.exp_avg.position_embedding"] != nil)
    let fresh = DecoderTransformer(configuration, using: &rng)
    let freshAdam = Adam(fresh.parameters, learningRate: 0.01)
    try Checkpoint.restore(old, path: "old.safetensors", into: fresh, optimizer: freshAdam)
    #expect(snapshot(fresh) == snapshot(trained))
    old.metadata["tapegrad.format"] = "0"
    #expect(throws: CheckpointError.self) { try Checkpoint.restore(old, path: "old.safetensors", into: fresh) }
}

@Test func checkpointsAreReplacedAtomically() throws {
    try DataFixtures.withTemporaryDirectory { directory in
        let model = makeModel(seed: 1)
        let sgd = SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
        var rng = RandomGenerator(seed: 2)
        for k in 1...3 {
            train(model, sgd, &rng, (k - 1)..<k)
            try Checkpoint.save(model: model, optimizer: sgd, metadata: ["step": "\(k)"], to: checkpointPath(directory))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["checkpoint.safetensors"])
        let fresh = makeModel(seed: 5)
        #expect(try Checkpoint.load(from: checkpointPath(directory), into: fresh) == ["step": "3"])
        #expect(snapshot(fresh) == snapshot(model))
    }
}
