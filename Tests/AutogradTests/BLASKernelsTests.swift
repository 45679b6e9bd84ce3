import Testing

@testable import Autograd

#if canImport(Glibc)
    import Glibc
#endif

// The BLAS kernels chosen from the CPU's features: levels of OpenBLAS's core names, the switch itself (in a child
// process: it must not race another test's products), and the same results on the baseline kernels as on the best.

@Test func coreNamesHaveTheInstructionSetTheirKernelsNeed() {
    #expect(BLASKernels.level(ofCore: "Prescott") == .baseline)
    #expect(BLASKernels.level(ofCore: "sandybridge") == .avx)
    #expect(BLASKernels.level(ofCore: "Haswell") == .avx2 && BLASKernels.level(ofCore: "Zen") == .avx2)
    #expect(BLASKernels.level(ofCore: "SkylakeX") == .avx512 && BLASKernels.level(ofCore: "Cooperlake") == .avx512)
    #expect(BLASKernels.level(ofCore: "Quantum") == nil)
    #expect(BLASKernels.Level.baseline < .avx && BLASKernels.Level.avx2 < .avx512)
    // The best core needs no more than the CPU has.
    if let best = BLASKernels.bestCore { #expect(BLASKernels.level(ofCore: best) == BLASKernels.cpuLevel) }
}

@Test func theProcessRunsOnKernelsOfTheCPUsLevelUnlessTheUserChoseOthers() {
    guard getenv("OPENBLAS_CORETYPE") == nil, BLASKernels.canSwitch, let coreLevel = BLASKernels.coreLevel else {
        // A core set by hand is kept as it is, and warned about when it is below the CPU's level.
        if getenv("OPENBLAS_CORETYPE") != nil { #expect(BLASKernels.choice == .userSetting) }
        return
    }
    #expect(coreLevel == BLASKernels.cpuLevel)
    #expect(BLASKernels.fallbackWarning == nil)
    #expect(BLASKernels.summary.hasPrefix(BLASKernels.core + " ("))
}

/// The largest |c − a·b| over C = A·B in Float32 and Float64 through the BLAS, against sums in Double.
private func productError() -> Double {
    var rng = RandomGenerator(seed: 3)
    var worst = 0.0
    for dtype in [DType.float32, .float64] {
        let (m, k, n) = (37, 130, 65)
        let a = Tensor.uniform([m, k], low: -1, high: 1, dtype: dtype, using: &rng)
        let b = Tensor.uniform([k, n], low: -1, high: 1, dtype: dtype, using: &rng)
        let (x, y, c) = (a.scalars, b.scalars, a.matmul(b).scalars)
        for i in 0..<m {
            for j in 0..<n {
                let exact = (0..<k).reduce(0.0) { $0 + x[i * k + $1] * y[$1 * n + j] }
                worst = max(worst, abs(c[i * n + j] - exact) / (dtype == .float32 ? 1e-4 : 1e-12))
            }
        }
    }
    return worst  // ≤ 1 when both dtypes are within their tolerance
}

@Test(.enabled(if: BLASKernels.canSwitch && BLASKernels.cpuLevel > .baseline))
func fromTheBaselineKernelsTheCPUsBestAreChosenWithTheSameResults() async {
    await #expect(processExitsWith: .success) {
        unsetenv("OPENBLAS_CORETYPE")
        // As on a CPU that OpenBLAS does not know: its baseline kernels.
        guard BLASKernels.use(core: "Prescott"), BLASKernels.core == "Prescott", BLASKernels.coreLevel == .baseline
        else { exit(2) }
        guard BLASKernels.fallbackWarning?.contains("Prescott") == true, productError() <= 1 else { exit(3) }
        for c in gradientCases {
            guard checkGradients(of: c.f, at: c.inputs(seed: 7)).passed else { exit(4) }
        }
        // What happens before `main`: the CPU's level is above the baseline, so the best core replaces it.
        BLASKernels.chooseAgain()
        guard BLASKernels.choice == .cpuFeatures(replaced: "Prescott"), BLASKernels.coreLevel == BLASKernels.cpuLevel,
            BLASKernels.fallbackWarning == nil, productError() <= 1
        else { exit(5) }
    }
}

@Test(.enabled(if: BLASKernels.canSwitch))
func aCoreTypeSetByTheUserIsKept() async {
    await #expect(processExitsWith: .success) {
        guard BLASKernels.use(core: "Prescott") else { exit(2) }
        setenv("OPENBLAS_CORETYPE", "Prescott", 1)
        BLASKernels.chooseAgain()
        guard BLASKernels.choice == .userSetting, BLASKernels.core == "Prescott" else { exit(3) }
        // An unknown name changes nothing.
        guard !BLASKernels.use(core: "Quantum"), BLASKernels.core == "Prescott" else { exit(4) }
    }
}
