/* testutil.c — helpers shared by the test programs. */
#include "testutil.h"

#include <math.h>
#include <stdarg.h>

const char *
lectern_test_shared_dir (void)
{
  static char *dir;
  if (dir == NULL)
    {
      const char *env = g_getenv ("LECTERN_SHARED_DIR");
      dir = g_strdup (env != NULL ? env : "../shared");
    }
  return g_file_test (dir, G_FILE_TEST_IS_DIR) ? dir : NULL;
}

char *
lectern_test_shared_path (const char *first, ...)
{
  const char *dir = lectern_test_shared_dir ();
  if (dir == NULL)
    {
      g_test_skip ("../shared is absent (set LECTERN_SHARED_DIR); this test needs its data");
      return NULL;
    }
  GPtrArray *parts = g_ptr_array_new ();
  g_ptr_array_add (parts, (gpointer) dir);
  va_list ap;
  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  char *path = g_build_filenamev ((char **) parts->pdata);
  g_ptr_array_free (parts, TRUE);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      char *msg = g_strdup_printf ("%s is absent; this test needs it", path);
      g_test_skip (msg);
      g_free (msg);
      g_free (path);
      return NULL;
    }
  return path;
}

double
lectern_test_max_abs_diff (const float *a, const double *b, gsize n)
{
  double worst = 0;
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - b[i]);
      if (!(d <= worst))
        worst = d;
    }
  return worst;
}
