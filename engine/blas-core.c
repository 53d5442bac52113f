/* blas-core.c — start again with a better OpenBLAS core type when the loaded one is generic
 * (see blas-core.h). */
#include "blas-core.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Core types whose SGEMM kernels use AVX2/FMA or AVX-512: nothing better to ask for. */
static const char *const good_cores[] = {
  "Haswell", "SkylakeX", "Cooperlake", "SapphireRapids", "Zen", "Excavator",
};

const char *
lectern_blas_better_core (const char *current,
                          gboolean    has_avx2_fma,
                          gboolean    has_avx512)
{
  if (current == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (good_cores); i++)
    if (g_ascii_strcasecmp (current, good_cores[i]) == 0)
      {
        /* A Haswell-class choice on a processor with AVX-512 is still fine for our shapes
         * (the input projections are small); only generic kernels are worth a restart. */
        return NULL;
      }
  if (has_avx512)
    return "SkylakeX";
  if (has_avx2_fma)
    return "Haswell";
  return NULL;
}

void
lectern_blas_ensure_core (char **argv)
{
  const char *better;
  gboolean avx2_fma = FALSE, avx512 = FALSE;

  if (argv == NULL || argv[0] == NULL)
    return;
  if (g_getenv ("OPENBLAS_CORETYPE") != NULL || g_getenv ("LECTERN_BLAS_CORE_CHECKED") != NULL)
    return;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init ();
  /* These report what the operating system has enabled too (XCR0), not only CPUID. */
  avx2_fma = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
  avx512 = avx2_fma && __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
           && __builtin_cpu_supports ("avx512vl") && __builtin_cpu_supports ("avx512dq");
#endif
  better = lectern_blas_better_core (openblas_get_corename (), avx2_fma, avx512);
  if (better == NULL)
    return;
  /* The bench reports the core OpenBLAS chose by itself from this. */
  g_setenv ("LECTERN_BLAS_CORE_CHECKED", openblas_get_corename (), TRUE);
  g_setenv ("OPENBLAS_CORETYPE", better, TRUE);
  execv ("/proc/self/exe", argv);
  /* Could not start again (no /proc, say): carry on with the slow kernels. */
  g_unsetenv ("OPENBLAS_CORETYPE");
}

void
lectern_blas_single_thread (void)
{
  if (g_getenv ("OPENBLAS_NUM_THREADS") == NULL && g_getenv ("GOTO_NUM_THREADS") == NULL
      && g_getenv ("OMP_NUM_THREADS") == NULL)
    openblas_set_num_threads (1);
}
