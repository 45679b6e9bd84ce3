// The kernel perceptron in a spec: which kernel keys belong to which kernel and what they default to, and the
// settings it has no use for. It learns by its mistakes, one example at a time, so it has no optimizer, schedule,
// loss or batches: a spec that sets one of them is rejected, with the reason, rather than run with it ignored.

import Models

/// The kernels a spec can name (`Kernel`).
enum KernelKind: String, SpecChoice {
    /// k(x, z) = x·z.
    case linear
    /// k(x, z) = (x·z + c)^d.
    case polynomial
    /// k(x, z) = exp(−γ‖x − z‖²).
    case rbf

    /// The polynomial kernel's degree d when `degree` is left out (scikit-learn's).
    static let defaultDegree = 3
    /// The polynomial kernel's c when `coef0` is left out: 1 keeps the monomials of every degree up to d, which a
    /// perceptron without a bias needs (c = 0 keeps only those of degree d).
    static let defaultCoef0 = 1.0

    /// The model keys that set this kernel's parameters.
    var keys: [PartialKeyPath<ModelKeys>] {
        switch self {
        case .linear: []
        case .polynomial: [\.degree, \.coef0]
        case .rbf: [\.gamma]
        }
    }

    /// The JSON names of `keys`.
    var keyNames: [String] {
        let declared = ModelKeys()
        return keys.compactMap { (declared[keyPath: $0] as? any AnySpecKey)?.name }
    }
}

/// The kernel keys of a kernel perceptron: a key of another kernel is rejected (`degree` with `rbf`), and the
/// polynomial kernel's unset keys take their defaults. The rbf kernel's γ depends on the data, so fitting the model
/// fills it in (`fitModel`).
func checkKernelKeys(_ model: inout ModelSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
    guard !diagnostics.hasIssues(under: path.appending("kernel")) else { return }
    let kernel = model.kernel
    let own = kernel.keyNames
    for name in KernelKind.allCases.flatMap(\.keyNames) where !own.contains(name) {
        guard let value = model.values[name], value != .null else { continue }
        let keys = own.isEmpty ? "it has none" : "its keys are " + own.joined(separator: ", ")
        diagnostics.report(path.appending(name), "not a key of the \(kernel.rawValue) kernel (\(keys))")
    }
    if kernel == .polynomial {
        model.degree = model.degree ?? KernelKind.defaultDegree
        model.coef0 = model.coef0 ?? KernelKind.defaultCoef0
    }
}

/// What a kernel perceptron spec may not set: the optimizer, the schedule, the loss, `training.steps` and the training
/// keys about batches, steps and early stopping. Each must be left out (or at its default); the run reads `epochs`,
/// `shuffle` and the seed.
func checkKernelPerceptronSettings(_ spec: ExperimentSpec, at root: SpecPath, _ diagnostics: SpecDiagnostics) {
    func unchanged<Keys: SpecKeys>(_ section: Section<Keys>, _ name: String) -> Bool {
        diagnostics.hasIssues(under: root.appending(name)) || section.json == Section<Keys>().json
    }
    if !unchanged(spec.optimizer, "optimizer") {
        diagnostics.report(
            root.appending("optimizer"),
            "the kernel perceptron has no optimizer: a mistake on example j adds 1 to α[j, label] and subtracts 1 "
                + "from α[j, prediction], and a learning rate would only scale α, which changes no prediction; "
                + "leave the section out")
    }
    if !unchanged(spec.schedule, "schedule") {
        diagnostics.report(
            root.appending("schedule"), "the kernel perceptron has no learning rate to schedule; leave the section out")
    }
    if spec.loss != ExperimentKeys().loss.defaultValue(in: nil) {
        diagnostics.report(
            root.appending("loss"),
            "the kernel perceptron learns from its mistakes, not from a loss (its curves give the mistake rate as "
                + "the loss); leave it out")
    }
    let training = root.appending("training")
    guard !diagnostics.hasIssues(under: training) else { return }
    if spec.training.steps != nil {
        diagnostics.report(
            training.appending("steps"),
            "the kernel perceptron trains for a number of epochs (passes over the training examples); use \"epochs\"")
    }
    let unused: [PartialKeyPath<TrainingKeys>] = [
        \.batchSize, \.evaluateEvery, \.logEvery, \.earlyStoppingPatience, \.checkpointEvery, \.batchShards,
    ]
    let (declared, defaults) = (TrainingKeys(), TrainingSpec())
    for path in unused {
        guard let key = declared[keyPath: path] as? any AnySpecKey else { continue }
        if spec.training.values[key.name] != defaults.values[key.name] {
            diagnostics.report(
                training.appending(key.name),
                "the kernel perceptron does not use this key: it updates after each example and evaluates, logs and "
                    + "checkpoints after each epoch; leave it out")
        }
    }
}

extension Section where Keys == ModelKeys {
    /// The kernel of a kernel perceptron spec fitted to its data (its keys checked and its γ filled in).
    var resolvedKernel: Kernel {
        switch self.kernel {
        case .linear:
            return .linear
        case .polynomial:
            guard let degree = self.degree, let coef0 = self.coef0 else {
                preconditionFailure("the polynomial kernel's degree and coef0 are filled in when the spec is read")
            }
            return .polynomial(degree: degree, coef0: coef0)
        case .rbf:
            guard let gamma = self.gamma else {
                preconditionFailure("the rbf kernel's gamma is filled in when the model is fitted to the data")
            }
            return .rbf(gamma: gamma)
        }
    }
}
