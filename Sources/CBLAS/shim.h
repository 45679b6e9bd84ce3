// OpenBLAS's CBLAS interface and LAPACKE, as installed by Debian's libopenblas-dev and liblapacke-dev.
#include <cblas.h>
#include <lapacke.h>
