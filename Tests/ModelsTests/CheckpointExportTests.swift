import Testing

@testable import Models

// PyTorch export: the names, shapes and layouts of `state_dict()` of the equivalent torch.nn module (checked
// against PyTorch itself by Experiments/reference/check_safetensors.py, outside the tests).

private func shapes(_ state: [String: SafetensorsTensor]) -> [String: [Int]] { state.mapValues(\.shape) }

@Test func sequentialExportMatchesNNSequentialStateDict() throws {
    // nn.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Flatten(),
    //               Linear(36, 5), Dropout(0.2), Linear(5, 3))
    var rng = RandomGenerator(seed: 1)
    let conv = Conv2d(1, 4, kernel: 3, padding: 1, using: &rng)
    let norm = BatchNorm2d(4)
    let linear = Linear(36, 5, using: &rng)
    let cnn = Sequential([
        conv, norm, ReLU(), MaxPool2d(2), Flatten(), linear, Dropout(0.2), Linear(5, 3, using: &rng),
    ])
    var context = ForwardContext(training: true, rng: rng)
    _ = cnn(Tensor.normal([2, 1, 6, 6], using: &rng), &context)
    _ = cnn(Tensor.normal([2, 1, 6, 6], using: &rng), &context)

    let state = PyTorchExport.stateDict(of: cnn)
    #expect(
        shapes(state) == [
            "0.weight": [4, 1, 3, 3], "0.bias": [4],
            "1.weight": [4], "1.bias": [4], "1.running_mean": [4], "1.running_var": [4], "1.num_batches_tracked": [],
            "5.weight": [5, 36], "5.bias": [5], "7.weight": [3, 5], "7.bias": [3],
        ])
    #expect(state["1.num_batches_tracked"]!.dtype == .int64 && state["1.num_batches_tracked"]!.int64Values == [2])
    #expect(state["0.weight"]!.tensor()!.floats == conv.weight.floats)
    #expect(state["1.running_var"]!.tensor()!.floats == norm.statistics.runningVar.floats)
    let w = linear.weight
    let exported = state["5.weight"]!.tensor()!  // (36, 5) → (5, 36)
    for o in 0..<5 {
        for i in 0..<36 { #expect(exported.scalar(at: o, i) == w.scalar(at: i, o)) }
    }
    #expect(state.values.filter { $0.dtype != .int64 }.allSatisfy { $0.dtype == .float32 })
}

@Test func mlpExportUsesSequentialIndices() {
    var rng = RandomGenerator(seed: 2)
    let plain = PyTorchExport.stateDict(of: MLP(sizes: [6, 5, 4, 3], using: &rng))
    #expect(
        shapes(plain) == [
            "0.weight": [5, 6], "0.bias": [5], "2.weight": [4, 5], "2.bias": [4],
            "4.weight": [3, 4], "4.bias": [3],
        ])
    let mlp = MLP(sizes: [6, 5, 3], dropout: 0.5, using: &rng)
    let withDropout = PyTorchExport.stateDict(of: mlp)
    #expect(shapes(withDropout) == ["0.weight": [5, 6], "0.bias": [5], "3.weight": [3, 5], "3.bias": [3]])
    #expect(withDropout["3.weight"]!.tensor()!.scalar(at: 2, 4) == mlp.layers[1].weight.scalar(at: 4, 2))
}

@Test func transformerExportsTransposeLinearsOnly() {
    var configuration = VisionTransformerConfiguration()
    configuration.imageSize = 4
    configuration.patchSize = 2
    configuration.dim = 8
    configuration.depth = 1
    configuration.heads = 2
    configuration.mlpDim = 16
    configuration.classes = 3
    var rng = RandomGenerator(seed: 3)
    let vit = VisionTransformer(configuration, using: &rng)
    let state = PyTorchExport.stateDict(of: vit)
    #expect(
        shapes(state) == [
            "patch.weight": [8, 4], "patch.bias": [8], "class_token": [1, 1, 8], "position_embedding": [1, 5, 8],
            "blocks.0.norm1.weight": [8], "blocks.0.norm1.bias": [8],
            "blocks.0.attention.query.weight": [8, 8], "blocks.0.attention.key.weight": [8, 8],
            "blocks.0.attention.value.weight": [8, 8], "blocks.0.attention.output.weight": [8, 8],
            "blocks.0.norm2.weight": [8], "blocks.0.norm2.bias": [8],
            "blocks.0.mlp.hidden.weight": [16, 8], "blocks.0.mlp.hidden.bias": [16],
            "blocks.0.mlp.output.weight": [8, 16], "blocks.0.mlp.output.bias": [8],
            "norm.weight": [8], "norm.bias": [8], "head.weight": [3, 8], "head.bias": [3],
        ])
    let query = vit.blocks[0].attention.query
    #expect(state["blocks.0.attention.query.weight"]!.tensor()!.scalar(at: 1, 6) == query.scalar(at: 6, 1))
    #expect(state["position_embedding"]!.tensor()!.floats == vit.positionEmbedding.floats)

    var decoderConfiguration = DecoderTransformerConfiguration()
    decoderConfiguration.vocabularySize = 11
    decoderConfiguration.blockSize = 6
    decoderConfiguration.dim = 8
    decoderConfiguration.heads = 2
    decoderConfiguration.layers = 1
    let decoder = DecoderTransformer(decoderConfiguration, using: &rng)
    let decoderState = PyTorchExport.stateDict(of: decoder)
    #expect(decoderState["token_embedding.weight"]!.shape == [11, 8])
    #expect(decoderState["token_embedding.weight"]!.tensor()!.floats == decoder.tokenEmbedding.weight.floats)
    #expect(decoderState["position_embedding.weight"]!.shape == [6, 8])
    #expect(decoderState["head.weight"]!.shape == [11, 8])
    #expect(decoderState["blocks.0.mlp.hidden.weight"]!.shape == [32, 8])
    #expect(decoderState.count == 2 + 12 + 4)  // embeddings, one block, final norm and head
}

@Test func exportedFileRoundTripsThroughSafetensors() throws {
    try DataFixtures.withTemporaryDirectory { directory in
        var rng = RandomGenerator(seed: 4)
        let model = Sequential([Linear(3, 2, using: &rng), BatchNorm1d(2)])
        let path = directory + "/model.safetensors"
        try PyTorchExport.write(model, to: path, metadata: ["format": "pt"])
        let file = try SafetensorsFile(contentsOf: path)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors == PyTorchExport.stateDict(of: model))
    }
}
