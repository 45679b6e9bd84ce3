import Testing
@testable import Models

// First steps of each optimizer on the quadratic F(w) = w², ∇F = 2w, from w₀ = 1, against values computed by
// hand (written out in the comments) or, for Adam and RMSprop, by an independent Python transcription of the
// update equations.

/// Runs `steps` optimizer steps on F(w) = w² and returns w after each.
private func trajectory(_ w0: Double = 1, steps: Int = 2, _ make: (Tensor) -> any Optimizer) -> [Double] {
    let w = Tensor([w0], dtype: .float64).requiringGrad()
    let optimizer = make(w)
    var values: [Double] = []
    for _ in 0..<steps {
        optimizer.zeroGrad()
        (w * w).sum().backward()
        optimizer.step()
        values.append(w.item())
    }
    return values
}

private func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

@Test func sgdSteps() {
    // w₁ = 1 − 0.1·2 = 0.8; w₂ = 0.8 − 0.1·1.6 = 0.64
    #expect(close(trajectory { SGD([$0], learningRate: 0.1) }, [0.8, 0.64]))
}

@Test func sgdMomentumFollowsTheCourseworkEquation() {
    // v₁ = 2, w₁ = 1 − 0.1·2 = 0.8; v₂ = 0.9·2 + 1.6 = 3.4, w₂ = 0.8 − 0.34 = 0.46
    #expect(close(trajectory { SGD([$0], learningRate: 0.1, momentum: 0.9) }, [0.8, 0.46]))
}

@Test func nesterovSteps() {
    // v₁ = 2, w₁ = 1 − 0.1·(2 + 0.9·2) = 0.62; g = 1.24, v₂ = 1.8 + 1.24 = 3.04,
    // w₂ = 0.62 − 0.1·(1.24 + 0.9·3.04) = 0.2224
    #expect(close(trajectory { SGD([$0], learningRate: 0.1, momentum: 0.9, nesterov: true) }, [0.62, 0.2224]))
}

@Test func l2AndL1PenaltiesAddToTheGradient() {
    // L2 λ = 0.5: g = 2 + 0.5 = 2.5, w₁ = 0.75. L1 λ₁ = 0.5 from w₀ = −1: g = −2 − 0.5, w₁ = −0.75.
    #expect(close(trajectory(steps: 1) { SGD([$0], learningRate: 0.1, weightDecay: 0.5) }, [0.75]))
    let l1 = trajectory(-1, steps: 1) { SGD([ParameterGroup([$0], l1: 0.5)], learningRate: 0.1) }
    #expect(close(l1, [-0.75]))
}

@Test func adamSteps() {
    // Step 1: m̂ = 2, v̂ = 4, w₁ = 1 − 0.1·2/(2 + 1e-8).
    #expect(close(trajectory { Adam([$0], learningRate: 0.1) }, [0.9000000005, 0.8004122286917928]))
}

@Test func adamWDecaysWeightsDirectly() {
    // w ← w·(1 − 0.1·0.1) first, then the Adam step: 0.99 − 0.1 = 0.89.
    #expect(close(trajectory { AdamW([$0], learningRate: 0.1, weightDecay: 0.1) }, [0.8900000005, 0.7815718559365048]))
}

@Test func rmspropSteps() {
    // v₁ = 0.01·4 = 0.04, w₁ = 1 − 0.01·2/(0.2 + 1e-8).
    #expect(close(trajectory { RMSprop([$0], learningRate: 0.01) }, [0.900000005, 0.8329179679700331]))
    #expect(close(trajectory { RMSprop([$0], learningRate: 0.01, momentum: 0.9) }, [0.900000005, 0.7429179724700329]))
}

@Test func groupLearningRateOverridesTheBase() {
    let a = Tensor([1], dtype: .float64).requiringGrad()
    let b = Tensor([1], dtype: .float64).requiringGrad()
    let sgd = SGD([ParameterGroup([a]), ParameterGroup([b], learningRate: 0.5)], learningRate: 0.1)
    (a * a + b * b).sum().backward()
    sgd.step()
    #expect(a.item() == 0.8 && b.item() == 0)
}

@Test func parametersWithoutGradientsAreLeftAlone() {
    let used = Tensor([1], dtype: .float64).requiringGrad()
    let unused = Tensor([1], dtype: .float64).requiringGrad()
    let adam = Adam([used, unused], learningRate: 0.1)
    (used * 3).sum().backward()
    adam.step()
    #expect(unused.item() == 1 && used.item() < 1)
}

@Test func optimizerStateBytes() {
    let w = Tensor.zeros([10, 10]).requiringGrad()
    let b = Tensor.zeros([10]).requiringGrad()
    func stepped(_ o: any Optimizer) -> Int {
        (w.sum() + b.sum()).backward()
        o.step()
        o.zeroGrad()
        return o.stateByteCount
    }
    #expect(stepped(SGD([w, b], learningRate: 0.1)) == 0)
    #expect(stepped(SGD([w, b], learningRate: 0.1, momentum: 0.9)) == 110 * 4)
    #expect(stepped(Adam([w, b])) == 2 * 110 * 4)
    #expect(stepped(RMSprop([w, b])) == 110 * 4)
    #expect(stepped(RMSprop([w, b], momentum: 0.9)) == 2 * 110 * 4)
}

@Test func gradientClippingByGlobalNorm() {
    let a = Tensor([0], dtype: .float64).requiringGrad()
    let b = Tensor([0], dtype: .float64).requiringGrad()
    (a * 3 + b * 4).sum().backward()
    let norm = clipGradientNorm([a, b], maxNorm: 1)
    #expect(norm == 5)
    #expect(Swift.abs(a.grad!.item() - 0.6) < 1e-6 && Swift.abs(b.grad!.item() - 0.8) < 1e-6)
    #expect(clipGradientNorm([a, b], maxNorm: 10) < 1.0001)  // already small: unchanged
    #expect(Swift.abs(a.grad!.item() - 0.6) < 1e-6)
}

@Test func learningRateSchedules() {
    #expect(LearningRateSchedule().rate(base: 0.1, step: 1000) == 0.1)
    let step = LearningRateSchedule(decay: .step(every: 10, factor: 0.5))
    #expect(
        step.rate(base: 1, step: 9) == 1 && step.rate(base: 1, step: 10) == 0.5 && step.rate(base: 1, step: 25) == 0.25)
    let warm = LearningRateSchedule(warmupSteps: 4, decay: .cosine(steps: 10, minimum: 0))
    #expect(warm.rate(base: 1, step: 0) == 0.25 && warm.rate(base: 1, step: 3) == 1)
    #expect(warm.rate(base: 1, step: 4) == 1)
    #expect(Swift.abs(warm.rate(base: 1, step: 9) - 0.5) < 1e-12)  // halfway through the cosine
    #expect(warm.rate(base: 1, step: 14) == 0 && warm.rate(base: 1, step: 100) == 0)
}
