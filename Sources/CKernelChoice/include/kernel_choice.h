// Which OpenBLAS kernels this process uses, chosen from what the CPU can do (cpuid), not from its model number.
//
// Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels when it is loaded, from a table of known CPU models; a newer
// model it does not know gets its most basic x86-64 kernels (SSE3, "Prescott"), two to three times slower. Before
// `main`, after OpenBLAS has chosen, a constructor here compares the instruction set of that choice with the CPU's
// and, when the CPU can do more and the user has not set OPENBLAS_CORETYPE, has OpenBLAS choose again with the
// best core the CPU supports. The CPU's instruction set is read with cpuid and xgetbv (the OS must save the wider
// registers), as OpenBLAS's own `support_avx512()` does.
#pragma once

/// Instruction-set levels, in order: what a CPU can run and what a kernel set needs.
enum tapegrad_isa_level {
    TAPEGRAD_ISA_BASELINE = 0,  // x86-64's SSE2/SSE3, or not x86-64
    TAPEGRAD_ISA_AVX = 1,
    TAPEGRAD_ISA_AVX2 = 2,      // AVX2 with FMA
    TAPEGRAD_ISA_AVX512 = 3,    // AVX-512 F, CD, BW, DQ and VL: OpenBLAS's SkylakeX kernels
};

/// How the kernels in use were chosen.
enum tapegrad_kernel_choice {
    TAPEGRAD_CHOSEN_BY_OPENBLAS = 0,  // OpenBLAS's own choice, kept: it matches the CPU (or could not be improved)
    TAPEGRAD_CHOSEN_BY_CPUID = 1,     // replaced: OpenBLAS's choice was below what the CPU supports
    TAPEGRAD_CHOSEN_BY_USER = 2,      // OPENBLAS_CORETYPE was set when the process started: never overridden
};

/// The CPU's level, from cpuid and the registers the OS saves.
int tapegrad_cpu_isa_level(void);

/// Whether the CPU has AVX-512 BF16 (OpenBLAS's Cooperlake kernels add bfloat16 products to SkylakeX's).
int tapegrad_cpu_has_avx512_bf16(void);

/// The level an OpenBLAS core name's kernels need ("Prescott" baseline, "Haswell" AVX2, ...); -1 when unknown.
int tapegrad_core_isa_level(const char *core);

/// The OpenBLAS core name for this CPU's level and vendor: "Cooperlake", "SkylakeX", "Zen", "Haswell",
/// "Sandybridge", or NULL at the baseline.
const char *tapegrad_best_core(void);

/// How the kernels in use were chosen (`tapegrad_kernel_choice`).
int tapegrad_kernel_choice(void);

/// OpenBLAS's own choice when it was replaced (TAPEGRAD_CHOSEN_BY_CPUID), else NULL.
const char *tapegrad_replaced_core(void);

/// Whether this BLAS can switch kernels (an OpenBLAS built with DYNAMIC_ARCH).
int tapegrad_can_switch_core(void);

/// Has OpenBLAS choose its kernels again, as if OPENBLAS_CORETYPE were `core`, and returns 0; -1 when this
/// OpenBLAS cannot (not a DYNAMIC_ARCH build) or does not know the name. No BLAS call may run meanwhile on any
/// thread: the constructor does it before `main`; tests do it in a process of their own.
int tapegrad_use_core(const char *core);

/// What runs before `main`: keeps a set OPENBLAS_CORETYPE (TAPEGRAD_CHOSEN_BY_USER); else, when OpenBLAS's choice is
/// below the CPU's level, switches to `tapegrad_best_core()` (or SkylakeX for an OpenBLAS without Cooperlake's
/// kernels). Call it again only while no BLAS call runs, as `tapegrad_use_core`.
void tapegrad_choose_kernels(void);
