/* defaults.c — finding the files that ship with the default model. */
#include "config.h"
#include "defaults.h"
#include "error.h"

char *
lectern_default_lm_path (void)
{
  const char *env = g_getenv ("LECTERN_DEFAULT_LM");
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  const char *dirs[] = { LECTERN_MODEL_DIR, LECTERN_SOURCE_MODEL_DIR };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      char *path = g_build_filename (dirs[i], LECTERN_DEFAULT_LM_NAME, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  return NULL;
}

LecternLm *
lectern_lm_load_default (GError **error)
{
  g_autofree char *path = lectern_default_lm_path ();
  if (path == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   "The default language model %s is in neither %s nor %s",
                   LECTERN_DEFAULT_LM_NAME, LECTERN_MODEL_DIR, LECTERN_SOURCE_MODEL_DIR);
      return NULL;
    }
  /* an explicit $LECTERN_DEFAULT_LM that does not exist fails here, naming it */
  return lectern_lm_load (path, error);
}
