// The `optimizer` and `schedule` sections of a spec: the update rule with its hyper-parameters, gradient
// clipping, and the learning-rate schedule.

import Models

/// The optimizers a spec can name.
enum OptimizerKind: String, SpecChoice {
    /// Plain SGD, w ← w − η·g (with `momentum` > 0: heavy ball).
    case sgd
    /// SGD with heavy-ball momentum, v ← α·v + g, w ← w − η·v.
    case momentum
    /// SGD with Nesterov momentum.
    case nesterov
    case adam, adamw, rmsprop
}

/// The update rule: `{"type": "sgd", "lr": 0.01}`. Keys that the chosen type does not use are rejected.
typealias OptimizerSpec = Section<OptimizerKeys>

struct OptimizerKeys: SpecKeys {
    let type = SpecKey("type", OptimizerKind.adam, "The update rule.")
    let lr = SpecKey(
        "lr", byVariant: ["adam": 0.001, "adamw": 0.001], otherwise: 0.01, range: .positive, "The base learning rate η."
    )
    let momentum = SpecKey(
        "momentum", byVariant: ["momentum": 0.9, "nesterov": 0.9], otherwise: 0, range: .fraction,
        "Momentum α (heavy ball; `momentum` and `nesterov` need α > 0).")
    let weightDecay = SpecKey(
        "weight_decay", byVariant: ["adamw": 0.01], otherwise: 0, range: .nonNegative,
        "L2 penalty λ (adamw: decoupled weight decay, w ← w − η·λ·w, as PyTorch's `AdamW`).")
    let l1 = SpecKey("l1", 0.0, range: .nonNegative, "L1 penalty λ₁, adding λ₁·sign(w) to the gradient.")
    let betas = SpecKey("betas", [0.9, 0.999], range: .fraction, "[β₁, β₂], the decay rates of the moment averages.")
    let eps = SpecKey("eps", 1e-8, range: .positive, "ε added to the denominator.")
    let alpha = SpecKey("alpha", 0.99, range: .fraction, "The smoothing constant of the squared-gradient average.")
    let clipGradNorm = SpecKey<Double?>(
        "clip_grad_norm", nil, range: .positive,
        "Clip the global gradient norm to this value before each step; `null`: never."
    )

    static let variants: SpecVariants<Self>? = SpecVariants(
        selector: "type", names: OptimizerKind.names, standard: "adam",
        keys: { kind in
            switch OptimizerKind(rawValue: kind) {
            case .sgd, .momentum, .nesterov: [\.type, \.lr, \.momentum, \.weightDecay, \.l1, \.clipGradNorm]
            case .adam, .adamw: [\.type, \.lr, \.weightDecay, \.l1, \.betas, \.eps, \.clipGradNorm]
            case .rmsprop: [\.type, \.lr, \.momentum, \.weightDecay, \.l1, \.eps, \.alpha, \.clipGradNorm]
            case nil: nil
            }
        }, owner: { "the \($0) optimizer" })

    static func check(_ optimizer: inout OptimizerSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let kind = optimizer.type
        if (kind == .momentum || kind == .nesterov) && optimizer.momentum == 0 {
            diagnostics.report(path.appending("momentum"), "\(kind.rawValue) needs a momentum in (0, 1), got 0")
        }
        if optimizer.betas.count != 2 && !diagnostics.hasIssues(under: path.appending("betas")) {
            diagnostics.report(
                path.appending("betas"),
                "expected two numbers [β₁, β₂] in [0, 1), got \(optimizer.betas.json.excerpt())")
        }
    }
}

extension Section where Keys == OptimizerKeys {
    /// The optimizer over `parameters`: the layers of `layerGroups` (those whose spec sets penalties of their own) in
    /// a parameter group each, with the optimizer's penalties where a layer leaves one unset; the rest in one group.
    func makeOptimizer(_ parameters: [Tensor], layerGroups: [PenalizedGroup] = []) -> any Optimizer {
        // For adamw a group's weight decay is the decoupled decay λ (w ← w − η·λ·w), for the others an L2 term.
        let grouped = Set(layerGroups.flatMap(\.parameters).map(ObjectIdentifier.init))
        let rest = parameters.filter { !grouped.contains(ObjectIdentifier($0)) }
        let trained = Set(parameters.map(ObjectIdentifier.init))
        let groups =
            [ParameterGroup(rest, weightDecay: self.weightDecay, l1: self.l1)]
            + layerGroups.map { group in
                ParameterGroup(
                    group.parameters.filter { trained.contains(ObjectIdentifier($0)) },
                    weightDecay: group.weightDecay ?? self.weightDecay, l1: group.l1 ?? self.l1, l2: group.l2 ?? 0)
            }
        switch self.type {
        case .sgd, .momentum, .nesterov:
            return SGD(groups, learningRate: self.lr, momentum: self.momentum, nesterov: self.type == .nesterov)
        case .adam, .adamw:
            return Adam(
                groups, learningRate: self.lr, beta1: self.betas[0], beta2: self.betas[1], epsilon: self.eps,
                decoupledWeightDecay: self.type == .adamw)
        case .rmsprop:
            return RMSprop(groups, learningRate: self.lr, alpha: self.alpha, epsilon: self.eps, momentum: self.momentum)
        }
    }
}

/// How the learning rate decays after an optional warm-up.
enum DecayKind: String, SpecChoice {
    case constant, step, cosine
}

/// The learning-rate schedule (`LearningRateSchedule`): `{"warmup_steps": 100, "decay": "cosine"}`.
typealias ScheduleSpec = Section<ScheduleKeys>

struct ScheduleKeys: SpecKeys {
    let warmupSteps = SpecKey("warmup_steps", 0, range: .nonNegative, "Steps of linear warm-up from η/W to η.")
    let decay = SpecKey("decay", DecayKind.constant, "The decay after warm-up.")
    let every = SpecKey<Int>(
        "every", required: "the steps between decays, a positive integer", range: .positive,
        "step: multiply the rate by `factor` every this many steps.")
    let factor = SpecKey("factor", 0.1, range: .unitInterval, "step: the factor γ (PyTorch's `StepLR`).")
    let steps = SpecKey<Int?>(
        "steps", derived: nil, becomes: "the training steps after warm-up", range: .positive,
        "cosine: the steps over which the rate falls to `min_lr`.")
    let minLr = SpecKey(
        "min_lr", 0.0, range: .nonNegative, "cosine: the final learning rate, below the optimizer's `lr`.")

    static let variants: SpecVariants<Self>? = SpecVariants(
        selector: "decay", names: DecayKind.names, standard: "constant",
        keys: { decay in
            switch DecayKind(rawValue: decay) {
            case .constant: [\.warmupSteps, \.decay]
            case .step: [\.warmupSteps, \.decay, \.every, \.factor]
            case .cosine: [\.warmupSteps, \.decay, \.steps, \.minLr]
            case nil: nil
            }
        }, owner: { "the \($0) decay" })
}

extension Section where Keys == ScheduleKeys {
    /// The schedule; a cosine decay without `steps` spans `totalSteps` minus the warm-up (at least one step).
    func schedule(totalSteps: Int) -> LearningRateSchedule {
        switch self.decay {
        case .constant:
            return LearningRateSchedule(warmupSteps: self.warmupSteps, decay: .constant)
        case .step:
            return LearningRateSchedule(
                warmupSteps: self.warmupSteps, decay: .step(every: self.every, factor: self.factor))
        case .cosine:
            let span = self.steps ?? max(1, totalSteps - self.warmupSteps)
            return LearningRateSchedule(warmupSteps: self.warmupSteps, decay: .cosine(steps: span, minimum: self.minLr))
        }
    }
}
