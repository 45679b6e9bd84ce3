import CBLAS
import CKernelChoice

/// The OpenBLAS kernels this process runs its matrix products with, and how they were chosen.
///
/// OpenBLAS picks its kernels when it is loaded, from a table of CPU models; a model newer than the table gets its
/// baseline x86-64 kernels (SSE3, "Prescott"), two to three times slower than the CPU's. Before `main` the library
/// compares that choice with what the CPU can do (cpuid) and, when the CPU can do more, has OpenBLAS choose again
/// (`CKernelChoice`). A core set with `OPENBLAS_CORETYPE` is never overridden; `fallbackWarning` says when it is
/// below the CPU's.
public enum BLASKernels {
    /// An instruction-set level of a CPU or a kernel set, in order.
    public enum Level: Int, Comparable, Sendable, CustomStringConvertible {
        case baseline, avx, avx2, avx512

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .baseline: "SSE"
            case .avx: "AVX"
            case .avx2: "AVX2"
            case .avx512: "AVX-512"
            }
        }
    }

    /// How the kernels in use were chosen.
    public enum Choice: Equatable, Sendable {
        /// OpenBLAS's own choice, which matches the CPU (or which no other core improves on).
        case openBLAS
        /// OpenBLAS's choice `replaced` was below the CPU's level and was replaced by the best core for it.
        case cpuFeatures(replaced: String)
        /// `OPENBLAS_CORETYPE` was set when the process started.
        case userSetting
    }

    /// OpenBLAS's name of the kernels in use: "Haswell", "Zen", "SkylakeX", "Cooperlake", "Prescott", …
    public static var core: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// What the CPU can run (cpuid, with the register state the OS saves).
    public static var cpuLevel: Level { Level(rawValue: Int(tapegrad_cpu_isa_level())) ?? .baseline }

    /// What the kernels in use need; nil for a core name this does not know.
    public static var coreLevel: Level? { level(ofCore: core) }

    /// The level OpenBLAS's core `name` needs; nil when unknown.
    public static func level(ofCore name: String) -> Level? { Level(rawValue: Int(tapegrad_core_isa_level(name))) }

    /// The best OpenBLAS core for this CPU ("Cooperlake", "SkylakeX", "Zen", "Haswell", "Sandybridge"); nil at
    /// the baseline.
    public static var bestCore: String? { tapegrad_best_core().map { String(cString: $0) } }

    public static var choice: Choice {
        switch tapegrad_kernel_choice() {
        case Int32(TAPEGRAD_CHOSEN_BY_CPUID.rawValue):
            .cpuFeatures(replaced: tapegrad_replaced_core().map { String(cString: $0) } ?? "unknown")
        case Int32(TAPEGRAD_CHOSEN_BY_USER.rawValue): .userSetting
        default: .openBLAS
        }
    }

    /// One line for reports: "Cooperlake (AVX-512; CPU AVX-512; OpenBLAS's choice)".
    public static var summary: String {
        let how: String
        switch choice {
        case .openBLAS: how = "OpenBLAS's choice"
        case .cpuFeatures(let replaced): how = "chosen from cpuid in place of OpenBLAS's \(replaced)"
        case .userSetting: how = "set by OPENBLAS_CORETYPE"
        }
        return "\(core) (\(coreLevel?.description ?? "unknown level"); CPU \(cpuLevel); \(how))"
    }

    /// A one-line warning when the kernels in use are below what the CPU can run, saying what to do; nil when they
    /// match it (or their level is not known).
    public static var fallbackWarning: String? {
        guard let coreLevel, coreLevel < cpuLevel else { return nil }
        let fix =
            switch choice {
            case .userSetting:
                "OPENBLAS_CORETYPE=\(core) is set: unset it" + (bestCore.map { " or set it to \($0)" } ?? "")
            case .openBLAS, .cpuFeatures:
                "this OpenBLAS could not be switched; set OPENBLAS_CORETYPE=\(bestCore ?? "Haswell") before starting"
            }
        return "warning: matrix products run on OpenBLAS's \(core) kernels (\(coreLevel)) while this CPU has "
            + "\(cpuLevel), which its best kernels run up to 3× faster: \(fix)"
    }

    /// Whether the BLAS can switch kernels at run time (an OpenBLAS built with DYNAMIC_ARCH, as Debian's).
    public static var canSwitch: Bool { tapegrad_can_switch_core() != 0 }

    /// Has OpenBLAS use the kernels of `core` from now on; false when it cannot. Only while no matrix product runs
    /// on any thread (a process of its own, as the tests' exit tests): the switch is not synchronized.
    @discardableResult
    public static func use(core: String) -> Bool { tapegrad_use_core(core) == 0 }

    /// Chooses again as at the start of the process (keeps a set `OPENBLAS_CORETYPE`; else replaces a core below
    /// the CPU's level by the best one), with the same restriction as `use(core:)`.
    public static func chooseAgain() { tapegrad_choose_kernels() }
}
