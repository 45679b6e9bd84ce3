#include "kernel_choice.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

// OpenBLAS's names for what this needs; weak, so that another BLAS (or an OpenBLAS built for one core) links too.
extern char *openblas_get_corename(void) __attribute__((weak));
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

static int choice = TAPEGRAD_CHOSEN_BY_OPENBLAS;
static char replaced[32];

#if defined(__x86_64__)
static unsigned long long xgetbv0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}
#endif

int tapegrad_cpu_isa_level(void) {
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return TAPEGRAD_ISA_BASELINE;
    int avx = (ecx >> 28) & 1, fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1;
    if (!avx || !osxsave) return TAPEGRAD_ISA_BASELINE;
    unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return TAPEGRAD_ISA_BASELINE;  // the OS saves neither XMM nor YMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return TAPEGRAD_ISA_AVX;
    int avx2 = (ebx >> 5) & 1;
    if (!avx2 || !fma) return TAPEGRAD_ISA_AVX;
    // AVX-512 F (16), DQ (17), CD (28), BW (30), VL (31), with opmask and ZMM state saved (XCR0 bits 5–7).
    unsigned int avx512 = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
    if ((ebx & avx512) == avx512 && (xcr0 & 0xe0) == 0xe0) return TAPEGRAD_ISA_AVX512;
    return TAPEGRAD_ISA_AVX2;
#else
    return TAPEGRAD_ISA_BASELINE;
#endif
}

int tapegrad_cpu_has_avx512_bf16(void) {
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (tapegrad_cpu_isa_level() < TAPEGRAD_ISA_AVX512) return 0;
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return 0;
    return (eax >> 5) & 1;
#else
    return 0;
#endif
}

static int is_amd(void) {
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 0;
    return ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163;  // "AuthenticAMD"
#else
    return 0;
#endif
}

int tapegrad_core_isa_level(const char *core) {
    static const struct { const char *name; int level; } cores[] = {
        {"Katmai", 0}, {"Coppermine", 0}, {"Northwood", 0}, {"Prescott", 0}, {"Banias", 0}, {"Atom", 0},
        {"Core2", 0}, {"Penryn", 0}, {"Dunnington", 0}, {"Nehalem", 0}, {"Athlon", 0}, {"Opteron", 0},
        {"Opteron_SSE3", 0}, {"Barcelona", 0}, {"Nano", 0}, {"Bobcat", 0},
        {"Sandybridge", 1}, {"Bulldozer", 1}, {"Piledriver", 1}, {"Steamroller", 1},
        {"Haswell", 2}, {"Excavator", 2}, {"Zen", 2},
        {"SkylakeX", 3}, {"Cooperlake", 3}, {"SapphireRapids", 3},
    };
    if (!core) return -1;
    for (size_t i = 0; i < sizeof cores / sizeof cores[0]; i++) {
        if (strcasecmp(core, cores[i].name) == 0) return cores[i].level;
    }
    return -1;
}

const char *tapegrad_best_core(void) {
    switch (tapegrad_cpu_isa_level()) {
    case TAPEGRAD_ISA_AVX512: return tapegrad_cpu_has_avx512_bf16() ? "Cooperlake" : "SkylakeX";
    case TAPEGRAD_ISA_AVX2: return is_amd() ? "Zen" : "Haswell";
    case TAPEGRAD_ISA_AVX: return "Sandybridge";
    default: return NULL;
    }
}

int tapegrad_kernel_choice(void) { return choice; }

const char *tapegrad_replaced_core(void) { return choice == TAPEGRAD_CHOSEN_BY_CPUID ? replaced : NULL; }

int tapegrad_can_switch_core(void) {
    return openblas_get_corename && gotoblas_dynamic_init && gotoblas_dynamic_quit;
}

int tapegrad_use_core(const char *core) {
    if (!tapegrad_can_switch_core() || !core) return -1;
    if (tapegrad_core_isa_level(core) < 0) return -1;
    // gotoblas_dynamic_init reads OPENBLAS_CORETYPE; the user's value, if any, is put back afterwards.
    const char *user = getenv("OPENBLAS_CORETYPE");
    char saved[64] = {0};
    if (user) strncpy(saved, user, sizeof saved - 1);
    setenv("OPENBLAS_CORETYPE", core, 1);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    if (user) setenv("OPENBLAS_CORETYPE", saved, 1); else unsetenv("OPENBLAS_CORETYPE");
    return strcasecmp(openblas_get_corename(), core) == 0 ? 0 : -1;
}

void tapegrad_choose_kernels(void) {
    choice = TAPEGRAD_CHOSEN_BY_OPENBLAS;
    if (getenv("OPENBLAS_CORETYPE")) {
        choice = TAPEGRAD_CHOSEN_BY_USER;
        return;
    }
    if (!openblas_get_corename) return;
    const char *current = openblas_get_corename();
    const char *best = tapegrad_best_core();
    int level = tapegrad_core_isa_level(current);
    if (!best || level < 0 || level >= tapegrad_cpu_isa_level()) return;
    memset(replaced, 0, sizeof replaced);
    strncpy(replaced, current, sizeof replaced - 1);
    // An OpenBLAS older than its Cooperlake kernels still has SkylakeX's, which do the same float products.
    const char *candidates[] = {best, strcmp(best, "Cooperlake") == 0 ? "SkylakeX" : NULL};
    for (int i = 0; i < 2 && candidates[i]; i++) {
        if (tapegrad_use_core(candidates[i]) == 0) {
            choice = TAPEGRAD_CHOSEN_BY_CPUID;
            return;
        }
    }
    tapegrad_use_core(replaced);  // this OpenBLAS knows none of them: its own choice stays
}

// Runs before `main` and after OpenBLAS's own constructor (a library's initializers run before those of the
// program that needs it).
__attribute__((constructor)) static void choose_kernels_at_start(void) { tapegrad_choose_kernels(); }
