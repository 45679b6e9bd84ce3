// OpenBLAS's CBLAS interface and LAPACKE, as installed by Debian's libopenblas-dev and liblapacke-dev.
#include <cblas.h>
#include <lapacke.h>
// SSE2 intrinsics (part of every x86-64 CPU): square roots of whole vectors, which Swift's `squareRoot()` only
// reaches one element at a time (it keeps C's errno semantics, which stops vectorization).
#if defined(__x86_64__)
#include <emmintrin.h>
#endif
