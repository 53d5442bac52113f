/* test-blas-core.c — the choice of a better OpenBLAS core type (engine/blas-core.c). */
#include <glib.h>

#include "blas-core.h"

static void
test_generic_core_replaced (void)
{
  g_assert_cmpstr (lectern_blas_better_core ("Prescott", TRUE, TRUE), ==, "SkylakeX");
  g_assert_cmpstr (lectern_blas_better_core ("Prescott", TRUE, FALSE), ==, "Haswell");
  g_assert_cmpstr (lectern_blas_better_core ("Nehalem", TRUE, FALSE), ==, "Haswell");
  g_assert_cmpstr (lectern_blas_better_core ("Sandybridge", TRUE, TRUE), ==, "SkylakeX");
}

static void
test_good_core_kept (void)
{
  g_assert_null (lectern_blas_better_core ("Haswell", TRUE, TRUE));
  g_assert_null (lectern_blas_better_core ("SkylakeX", TRUE, TRUE));
  g_assert_null (lectern_blas_better_core ("skylakex", TRUE, TRUE));
  g_assert_null (lectern_blas_better_core ("Zen", TRUE, FALSE));
  g_assert_null (lectern_blas_better_core ("SapphireRapids", TRUE, TRUE));
}

static void
test_nothing_better_runs (void)
{
  /* Without AVX2 and FMA the generic kernel is all there is. */
  g_assert_null (lectern_blas_better_core ("Prescott", FALSE, FALSE));
  g_assert_null (lectern_blas_better_core ("Core2", FALSE, FALSE));
  g_assert_null (lectern_blas_better_core (NULL, TRUE, TRUE));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/BlasCore/generic-replaced", test_generic_core_replaced);
  g_test_add_func ("/Lectern/BlasCore/good-kept", test_good_core_kept);
  g_test_add_func ("/Lectern/BlasCore/nothing-better", test_nothing_better_runs);
  return g_test_run ();
}
