// OpenBLAS's CBLAS interface and LAPACKE, as installed by Debian's libopenblas-dev and liblapacke-dev.
#include <cblas.h>
#include <lapacke.h>
// SSE2 intrinsics (part of every x86-64 CPU): square roots of whole vectors, which Swift's `squareRoot()` only
// reaches one element at a time (it keeps C's errno semantics, which stops vectorization).
#if defined(__x86_64__)
#include <emmintrin.h>
#endif
// The spin-wait hint for busy-wait loops (x86 `pause`; nothing elsewhere), as OpenMP runtimes use while spinning:
// the loop's loads wait instead of filling the pipeline. Swift cannot call clang's `_mm_pause`, a builtin without a
// symbol, so the shim wraps it.
static inline void tapegrad_spin_pause(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}
