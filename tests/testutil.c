/* testutil.c — helpers shared by the test programs. */
#include "testutil.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

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

void
lectern_test_append_args (GPtrArray *args, const char *first, va_list ap)
{
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);
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
  lectern_test_append_args (parts, first, ap);
  va_end (ap);
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

void
lectern_test_run_clear (LecternTestRun *run)
{
  g_free (run->out);
  g_free (run->err);
}

void
lectern_test_run_cli_argv (LecternTestRun *run, const char *const *argv)
{
  static char *cli_path;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LC_ALL", "C", TRUE);
  g_autoptr(GError) error = NULL;
  int wait_status;

  if (cli_path == NULL)
    cli_path = g_test_build_filename (G_TEST_BUILT, "..", "app", "lectern-cli", NULL);
  g_ptr_array_add (args, cli_path);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  g_spawn_sync (NULL, (char **) args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

void
lectern_test_run_cli (LecternTestRun *run, const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  lectern_test_append_args (args, first, ap);
  va_end (ap);
  lectern_test_run_cli_argv (run, (const char *const *) args->pdata);
}

char *
lectern_test_read_file (const char *path)
{
  char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

void
lectern_test_copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, length, &error);
  g_assert_no_error (error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
lectern_test_list_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

void
lectern_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          lectern_test_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}
