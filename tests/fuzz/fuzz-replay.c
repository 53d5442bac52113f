/* fuzz-replay.c — main() for the fuzz targets outside libFuzzer: feeds every file of the given
 * folders (or the given files) to LLVMFuzzerTestOneInput, so that the seed corpora and the
 * inputs that once crashed a loader run in the ordinary test suite, with any compiler.
 *
 * Files go in name order; folders are searched recursively. It fails when it finds no input at
 * all (a missing corpus must not pass as an empty success). */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
collect (const char *path, GPtrArray *files)
{
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    collect (names->pdata[i], files);
}

int
main (int argc, char *argv[])
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE-OR-FOLDER…\n", argv[0]);
      return 2;
    }
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    {
      if (!g_file_test (argv[i], G_FILE_TEST_EXISTS))
        {
          fprintf (stderr, "%s: %s does not exist\n", argv[0], argv[i]);
          return 1;
        }
      collect (argv[i], files);
    }
  if (files->len == 0)
    {
      fprintf (stderr, "%s: no inputs found\n", argv[0]);
      return 1;
    }
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize size = 0;
      if (!g_file_get_contents (path, &data, &size, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      /* A copy of exactly the file's size, so that reading past the end shows under ASan. */
      g_autofree guint8 *input = g_memdup2 (data, size);
      printf ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, size);
      fflush (stdout);
      LLVMFuzzerTestOneInput (input, size);
    }
  printf ("%u inputs replayed in %.1f s\n", files->len,
          (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
