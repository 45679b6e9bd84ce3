import Testing
@testable import Models

// Optimizer state export and restore: PyTorch's slot names, copies rather than shared buffers, exact scalars,
// a restored optimizer that steps exactly like the original, and every mismatch reported without side effects.

/// Two named float64 parameters w (2, 3) and b (3) with gradients of F = Σ w² + Σ b·[1, 2, 3].
private struct Quadratic {
    let w = Tensor([[1, -2, 3], [0.5, 0, -1]], dtype: .float64).requiringGrad()
    let b = Tensor([0.1, 0.2, 0.3], dtype: .float64).requiringGrad()
    var names: [ObjectIdentifier: String] { [ObjectIdentifier(w): "w", ObjectIdentifier(b): "b"] }
    var parameters: [Tensor] { [w, b] }

    func step(_ optimizer: any Optimizer) {
        optimizer.zeroGrad()
        ((w * w).sum() + (b * Tensor([1, 2, 3], dtype: .float64)).sum()).backward()
        optimizer.step()
    }
}

private func makeOptimizer(_ name: String, _ parameters: [Tensor]) -> any Optimizer {
    switch name {
    case "SGD": SGD(parameters, learningRate: 0.1, momentum: 0.9)
    case "Adam": Adam(parameters, learningRate: 0.05)
    case "AdamW": AdamW(parameters, learningRate: 0.05)
    default: RMSprop(parameters, learningRate: 0.01, momentum: 0.5)
    }
}

@Test(arguments: [
    ("SGD", ["momentum_buffer"], ["learning_rate": "0.1"]),
    ("Adam", ["exp_avg", "exp_avg_sq"], ["learning_rate": "0.05", "step": "2"]),
    ("AdamW", ["exp_avg", "exp_avg_sq"], ["learning_rate": "0.05", "step": "2"]),
    ("RMSprop", ["momentum_buffer", "square_avg"], ["learning_rate": "0.01"]),
])
func stateRoundTripsIntoAFreshOptimizer(kind: String, slots: [String], metadata: [String: String]) throws {
    let original = Quadratic()
    let optimizer = makeOptimizer(kind, original.parameters)
    original.step(optimizer)
    original.step(optimizer)
    let state = optimizer.stateDict(names: original.names)
    #expect(state.kind == kind && state.metadata == metadata)
    #expect(state.tensors.keys.sorted() == slots.flatMap { ["\($0).b", "\($0).w"] })
    #expect(state.tensors["\(slots[0]).w"]!.shape == [2, 3] && state.tensors["\(slots[0]).b"]!.dtype == .float64)
    let exported = state.tensors.mapValues(\.scalars)

    // A fresh copy of the parameters, restored, steps exactly like the original.
    let copy = Quadratic()
    noGrad {
        copy.w.assign(original.w)
        copy.b.assign(original.b)
    }
    let restored = makeOptimizer(kind, copy.parameters)
    restored.learningRate = 123
    try restored.loadStateDict(state, names: copy.names)
    #expect(restored.stateByteCount == optimizer.stateByteCount && restored.learningRate == optimizer.learningRate)
    for _ in 0..<3 {
        original.step(optimizer)
        copy.step(restored)
    }
    #expect(copy.w.scalars == original.w.scalars && copy.b.scalars == original.b.scalars)
    // The exported tensors were copies: later steps did not change them, nor are they the restored buffers.
    #expect(state.tensors.mapValues(\.scalars) == exported)
    #expect(restored.stateDict(names: copy.names).tensors.mapValues(\.scalars) != exported)
}

@Test func parametersWithoutGradientsExportNoBuffers() {
    let q = Quadratic()
    let unused = Tensor.zeros([4]).requiringGrad()
    let adam = Adam(q.parameters + [unused])
    q.step(adam)
    var names = q.names
    names[ObjectIdentifier(unused)] = "unused"
    let keys = adam.stateDict(names: names).tensors.keys.sorted()
    #expect(keys == ["exp_avg.b", "exp_avg.w", "exp_avg_sq.b", "exp_avg_sq.w"])
    #expect(SGD(q.parameters, learningRate: 1).stateDict(names: names).tensors.isEmpty)
}

@Test func mismatchedStatesAreRejectedWithEveryProblemAndNoChange() {
    let q = Quadratic()
    let adam = Adam(q.parameters, learningRate: 0.05)
    q.step(adam)
    var state = adam.stateDict(names: q.names)
    state.tensors["exp_avg.w"] = Tensor.zeros([3, 2], dtype: .float64)
    state.tensors["exp_avg.b"] = Tensor.zeros([3])
    state.tensors["exp_avg.v"] = Tensor.zeros([3], dtype: .float64)
    state.tensors["velocity.w"] = Tensor.zeros([2, 3], dtype: .float64)
    state.metadata["step"] = nil
    state.metadata["learning_rate"] = "fast"

    let target = Quadratic()
    let fresh = Adam(target.parameters, learningRate: 0.7)
    let error = #expect(throws: CheckpointError.self) { try fresh.loadStateDict(state, names: target.names) }
    #expect(error == .optimizerStateMismatch(problems: [
        "\"exp_avg.b\" is [3] float32, its parameter is [3] float64",
        "\"exp_avg.v\" is for parameter \"v\", which this optimizer does not update",
        "\"exp_avg.w\" is [3, 2] float64, its parameter is [2, 3] float64",
        "unexpected \"velocity.w\": this Adam keeps no such buffer (it keeps: exp_avg, exp_avg_sq)",
        "scalar \"step\" is missing",
        "scalar \"learning_rate\" is \"fast\"",
    ]))
    #expect(fresh.stateByteCount == 0 && fresh.stepCount == 0 && fresh.learningRate == 0.7)

    var fractional = adam.stateDict(names: q.names)
    fractional.metadata["step"] = "1.5"
    #expect(throws: CheckpointError.optimizerStateMismatch(problems: ["scalar \"step\" is \"1.5\""])) {
        try fresh.loadStateDict(fractional, names: target.names)
    }
    #expect(throws: CheckpointError.optimizerStateMismatch(problems: ["it was saved by Adam, not AdamW"])) {
        try AdamW(target.parameters).loadStateDict(adam.stateDict(names: q.names), names: target.names)
    }
    let plainSGD = SGD(target.parameters, learningRate: 0.1)
    let momentumState = OptimizerState(
        kind: "SGD", tensors: ["momentum_buffer.w": Tensor.zeros([2, 3], dtype: .float64)],
        metadata: ["learning_rate": "0.1"])
    #expect(throws: CheckpointError.optimizerStateMismatch(problems: [
        "unexpected \"momentum_buffer.w\": this SGD keeps no such buffer (it keeps: none)",
    ])) {
        try plainSGD.loadStateDict(momentumState, names: target.names)
    }
    let unnamed = CheckpointError.optimizerStateMismatch(problems: ["parameter #1 [3] of the optimizer has no name"])
    #expect(throws: unnamed) {
        try plainSGD.loadStateDict(
            OptimizerState(kind: "SGD", metadata: ["learning_rate": "0.1"]), names: [ObjectIdentifier(target.w): "w"])
    }
}

@Test func restoringReplacesTheWholeState() throws {
    // Buffers the saved state does not have (a parameter that had no gradient yet) are dropped, not kept.
    let q = Quadratic()
    let sgd = SGD(q.parameters, learningRate: 0.1, momentum: 0.9)
    let empty = sgd.stateDict(names: q.names)
    q.step(sgd)
    #expect(sgd.stateByteCount == 9 * 8)
    try sgd.loadStateDict(empty, names: q.names)
    #expect(sgd.stateByteCount == 0)
}
