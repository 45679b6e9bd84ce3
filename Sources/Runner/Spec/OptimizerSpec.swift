// The `optimizer` and `schedule` sections of a spec: the update rule with its hyper-parameters, gradient
// clipping, and the learning-rate schedule.

import Models

/// The optimizers a spec can name.
enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// Plain SGD, w ← w − η·g (with `momentum` > 0: heavy ball).
    case sgd
    /// SGD with heavy-ball momentum, v ← α·v + g, w ← w − η·v.
    case momentum
    /// SGD with Nesterov momentum.
    case nesterov
    case adam, adamw, rmsprop
}

/// The update rule: `{"type": "sgd", "lr": 0.01}`. Keys that the chosen type does not use are rejected.
struct OptimizerSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case type, lr, momentum
        case weightDecay = "weight_decay"
        case l1, betas, eps, alpha
        case clipGradNorm = "clip_grad_norm"
    }

    /// The update rule (default adam).
    var kind = OptimizerKind.adam
    /// The base learning rate η > 0 (default 0.001 for adam and adamw, 0.01 for the others).
    var lr = 0.001
    /// Momentum α in [0, 1): sgd and rmsprop default 0, momentum and nesterov default 0.9 (and need α > 0).
    var momentum: Double? = nil
    /// L2 penalty λ ≥ 0 (adamw: decoupled weight decay), default 0 (adamw 0.01, as PyTorch).
    var weightDecay = 0.0
    /// L1 penalty λ₁ ≥ 0, adding λ₁·sign(w) to the gradient (default 0).
    var l1 = 0.0
    /// adam, adamw: [β₁, β₂], each in [0, 1) (default [0.9, 0.999]).
    var betas: [Double]? = nil
    /// adam, adamw, rmsprop: ε > 0 added to the denominator (default 1e-8).
    var eps: Double? = nil
    /// rmsprop: the smoothing constant α in [0, 1) of the squared-gradient average (default 0.99).
    var alpha: Double? = nil
    /// Clip the global gradient norm to this value before each step; nil: no clipping.
    var clipGradNorm: Double? = nil

    /// Every default.
    init() {}

    /// The keys that apply to an optimizer type.
    static func keys(for kind: OptimizerKind) -> [CodingKeys] {
        switch kind {
        case .sgd, .momentum, .nesterov: [.type, .lr, .momentum, .weightDecay, .l1, .clipGradNorm]
        case .adam, .adamw: [.type, .lr, .weightDecay, .l1, .betas, .eps, .clipGradNorm]
        case .rmsprop: [.type, .lr, .momentum, .weightDecay, .l1, .eps, .alpha, .clipGradNorm]
        }
    }

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let named = quietChoice(value, "type", absent: OptimizerKind.adam)
        let o = SpecObject<CodingKeys>(
            value, at: path, diagnostics, allowed: named.map(Self.keys) ?? Array(CodingKeys.allCases),
            owner: named.map { "the \($0.rawValue) optimizer" })
        kind = o.choice(.type, default: .adam)
        let keys = Self.keys(for: kind)
        lr = o.double(.lr, default: kind == .adam || kind == .adamw ? 0.001 : 0.01, .positive)
        weightDecay = o.double(.weightDecay, default: kind == .adamw ? 0.01 : 0, .nonNegative)
        l1 = o.double(.l1, default: 0, .nonNegative)
        clipGradNorm = o.optionalDouble(.clipGradNorm, .positive)
        if keys.contains(.momentum) {
            let standard = kind == .momentum || kind == .nesterov ? 0.9 : 0
            let m = o.double(.momentum, default: standard, .fraction)
            if (kind == .momentum || kind == .nesterov) && m == 0 {
                o.report(.momentum, "\(kind.rawValue) needs a momentum in (0, 1), got 0")
            }
            momentum = m
        }
        if keys.contains(.betas) {
            betas = [0.9, 0.999]
            if let items = o.array(.betas) {
                let values = items.map { readDouble($0.value, at: $0.path, .fraction, diagnostics) }
                if items.count != 2 {
                    o.report(.betas, "expected two numbers [β₁, β₂] in [0, 1), got \(o.value(.betas)!.excerpt())")
                } else if !values.contains(nil) {
                    betas = values.map { $0! }
                }
            }
        }
        if keys.contains(.eps) { eps = o.double(.eps, default: 1e-8, .positive) }
        if keys.contains(.alpha) { alpha = o.double(.alpha, default: 0.99, .fraction) }
    }

    /// Writes `type` and the keys of the optimizer's type, every default filled.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for key in Self.keys(for: kind) {
            switch key {
            case .type: try c.encode(kind, forKey: key)
            case .lr: try c.encode(lr, forKey: key)
            case .momentum: try c.encode(momentum, forKey: key)
            case .weightDecay: try c.encode(weightDecay, forKey: key)
            case .l1: try c.encode(l1, forKey: key)
            case .betas: try c.encode(betas, forKey: key)
            case .eps: try c.encode(eps, forKey: key)
            case .alpha: try c.encode(alpha, forKey: key)
            case .clipGradNorm: try c.encode(clipGradNorm, forKey: key)
            }
        }
    }

    /// The optimizer over `parameters`, with the penalties in one parameter group.
    func makeOptimizer(_ parameters: [Tensor]) -> any Optimizer {
        // For adamw the group's weight decay is the decoupled decay λ (w ← w − η·λ·w), for the others an L2 term.
        let groups = [ParameterGroup(parameters, weightDecay: weightDecay, l1: l1)]
        switch kind {
        case .sgd, .momentum, .nesterov:
            return SGD(groups, learningRate: lr, momentum: momentum ?? 0, nesterov: kind == .nesterov)
        case .adam, .adamw:
            let b = betas ?? [0.9, 0.999]
            return Adam(
                groups, learningRate: lr, beta1: b[0], beta2: b[1], epsilon: eps ?? 1e-8,
                decoupledWeightDecay: kind == .adamw)
        case .rmsprop:
            return RMSprop(
                groups, learningRate: lr, alpha: alpha ?? 0.99, epsilon: eps ?? 1e-8, momentum: momentum ?? 0)
        }
    }
}

/// How the learning rate decays after an optional warm-up.
enum DecayKind: String, CaseIterable, Codable, Sendable {
    case constant, step, cosine
}

/// The learning-rate schedule (`LearningRateSchedule`): `{"warmup_steps": 100, "decay": "cosine"}`.
struct ScheduleSpec: SpecSection {
    /// The JSON keys (snake_case), read and written.
    enum CodingKeys: String, SpecKey {
        case warmupSteps = "warmup_steps"
        case decay, every, factor, steps
        case minLr = "min_lr"
    }

    /// Steps of linear warm-up from η/W to η (default 0: none).
    var warmupSteps = 0
    /// The decay after warm-up (default constant).
    var decay = DecayKind.constant
    /// step: multiply the rate by `factor` every this many steps (required).
    var every: Int? = nil
    /// step: the factor γ in (0, 1] (default 0.1, as PyTorch's StepLR).
    var factor: Double? = nil
    /// cosine: the steps over which the rate falls to `min_lr`; nil: all training steps after warm-up.
    var steps: Int? = nil
    /// cosine: the final learning rate, ≥ 0 and below the optimizer's lr (default 0).
    var minLr: Double? = nil

    /// Every default.
    init() {}

    /// The keys that apply to a decay.
    static func keys(for decay: DecayKind) -> [CodingKeys] {
        switch decay {
        case .constant: [.warmupSteps, .decay]
        case .step: [.warmupSteps, .decay, .every, .factor]
        case .cosine: [.warmupSteps, .decay, .steps, .minLr]
        }
    }

    /// Reads the section strictly (`SpecSection`), reporting every problem to `diagnostics`.
    init(reading value: JSONValue?, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let named = quietChoice(value, "decay", absent: DecayKind.constant)
        let o = SpecObject<CodingKeys>(
            value, at: path, diagnostics, allowed: named.map(Self.keys) ?? Array(CodingKeys.allCases),
            owner: named.map { "the \($0.rawValue) decay" })
        warmupSteps = o.int(.warmupSteps, default: 0, .nonNegative)
        decay = o.choice(.decay, default: .constant)
        switch decay {
        case .constant:
            break
        case .step:
            every = o.optionalInt(.every, .positive)
            if !o.has(.every) { o.reportMissing(.every, expected: "the steps between decays, a positive integer") }
            let unitInterval = DoubleRule(text: "a number in (0, 1]") { $0 > 0 && $0 <= 1 }
            factor = o.double(.factor, default: 0.1, unitInterval)
        case .cosine:
            steps = o.optionalInt(.steps, .positive)
            minLr = o.double(.minLr, default: 0, .nonNegative)
        }
    }

    /// Writes the keys of the decay, every default filled.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for key in Self.keys(for: decay) {
            switch key {
            case .warmupSteps: try c.encode(warmupSteps, forKey: key)
            case .decay: try c.encode(decay, forKey: key)
            case .every: try c.encode(every, forKey: key)
            case .factor: try c.encode(factor, forKey: key)
            case .steps: try c.encode(steps, forKey: key)
            case .minLr: try c.encode(minLr, forKey: key)
            }
        }
    }

    /// The schedule; a cosine decay without `steps` spans `totalSteps` minus the warm-up (at least one step).
    func schedule(totalSteps: Int) -> LearningRateSchedule {
        switch decay {
        case .constant:
            return LearningRateSchedule(warmupSteps: warmupSteps, decay: .constant)
        case .step:
            return LearningRateSchedule(
                warmupSteps: warmupSteps, decay: .step(every: every ?? 1, factor: factor ?? 0.1))
        case .cosine:
            let span = steps ?? max(1, totalSteps - warmupSteps)
            return LearningRateSchedule(warmupSteps: warmupSteps, decay: .cosine(steps: span, minimum: minLr ?? 0))
        }
    }
}
