/* lectern-model-store.c — the user's model folder (see lectern-model-store.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>

#include "error.h"
#include "lectern-model-store.h"

void
lectern_model_info_free (LecternModelInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->name);
  g_free (info->date);
  g_clear_pointer (&info->card, g_key_file_unref);
  g_free (info->error);
  g_free (info);
}

char *
lectern_model_store_get_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "lectern", "models", NULL);
}

gboolean
lectern_model_store_contains (const char *path)
{
  g_autofree char *dir = lectern_model_store_get_dir ();
  g_autofree char *parent = NULL;

  if (path == NULL || !g_str_has_suffix (path, ".lectern"))
    return FALSE;
  parent = g_path_get_dirname (path);
  return g_strcmp0 (parent, dir) == 0;
}

static GKeyFile *
card_copy (GKeyFile *card)
{
  GKeyFile *copy = g_key_file_new ();
  gsize len = 0;
  g_autofree char *data = g_key_file_to_data (card, &len, NULL);

  if (data != NULL)
    g_key_file_load_from_data (copy, data, len, G_KEY_FILE_NONE, NULL);
  return copy;
}

LecternModelInfo *
lectern_model_store_read (const char *path)
{
  LecternModelInfo *info = g_new0 (LecternModelInfo, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternModel) model = NULL;

  info->path = g_strdup (path);
  info->cer = NAN;
  model = path != NULL ? lectern_model_load (path, &error) : lectern_model_load_default (&error);
  if (model == NULL)
    {
      g_autofree char *basename = path != NULL ? g_path_get_basename (path) : NULL;
      info->error = g_strdup (error->message);
      info->card = g_key_file_new ();
      info->name = basename != NULL ? g_filename_display_name (basename)
                                    : g_strdup (_("Lectern’s model"));
      return info;
    }

  info->card = card_copy (model->card);
  info->name = lectern_model_get_info (model, "name");
  if (info->name == NULL || info->name[0] == '\0')
    {
      g_autofree char *basename = path != NULL ? g_path_get_basename (path) : NULL;
      g_free (info->name);
      info->name = basename != NULL ? g_filename_display_name (basename)
                                    : g_strdup (_("Lectern’s model"));
    }
  info->date = lectern_model_get_info (model, "fine-tuned");
  if (info->date == NULL)
    info->date = lectern_model_get_info (model, "trained");
  info->cer = lectern_model_get_card_cer (model);
  return info;
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const LecternModelInfo *x = *(LecternModelInfo * const *) a;
  const LecternModelInfo *y = *(LecternModelInfo * const *) b;
  int by_date = g_strcmp0 (y->date, x->date);

  return by_date != 0 ? by_date : g_strcmp0 (x->path, y->path);
}

GPtrArray *
lectern_model_store_list (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_model_info_free);
  g_autofree char *dir_path = lectern_model_store_get_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) user = g_ptr_array_new ();
  const char *name;

  g_ptr_array_add (list, lectern_model_store_read (NULL));
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      /* ".name.lectern.XXXXXX" temporary files of a write in progress are not models yet */
      if (name[0] == '.' || !g_str_has_suffix (name, ".lectern"))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (user, lectern_model_store_read (path));
    }
  g_ptr_array_sort (user, compare_newest_first);
  for (guint i = 0; i < user->len; i++)
    g_ptr_array_add (list, user->pdata[i]);
  return list;
}

char *
lectern_model_store_new_path (const char *name,
                              GError    **error)
{
  g_autofree char *dir = lectern_model_store_get_dir ();
  g_autoptr(GString) stem = g_string_new (NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   _("Cannot make the model folder %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  /* a file name from the model's name: letters and digits kept, the rest as dashes */
  for (const char *p = name != NULL ? name : ""; *p != '\0' && stem->len < 48;
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 128 && g_ascii_isalnum (c))
        g_string_append_c (stem, g_ascii_tolower ((char) c));
      else if (stem->len > 0 && stem->str[stem->len - 1] != '-')
        g_string_append_c (stem, '-');
    }
  while (stem->len > 0 && stem->str[stem->len - 1] == '-')
    g_string_truncate (stem, stem->len - 1);
  if (stem->len == 0)
    g_string_assign (stem, "model");

  for (guint n = 1; n < 10000; n++)
    {
      g_autofree char *file = n == 1 ? g_strdup_printf ("%s.lectern", stem->str)
                                     : g_strdup_printf ("%s-%u.lectern", stem->str, n);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
               _("The model folder %s has no free name left for “%s”"), dir, stem->str);
  return NULL;
}

static gboolean
check_user_model (const char *path,
                  GError    **error)
{
  if (path == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("Lectern’s own model cannot be changed or deleted"));
      return FALSE;
    }
  if (!lectern_model_store_contains (path))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("%s is not in your model folder; Lectern changes only the models there"),
                   path);
      return FALSE;
    }
  return TRUE;
}

gboolean
lectern_model_store_rename (const char *path,
                            const char *name,
                            GError    **error)
{
  g_autoptr(LecternModel) model = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (name != NULL ? name : ""));

  if (!check_user_model (path, error))
    return FALSE;
  if (stripped[0] == '\0')
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID, _("A model needs a name"));
      return FALSE;
    }
  model = lectern_model_load (path, error);
  if (model == NULL)
    return FALSE;
  lectern_model_set_info (model, "name", stripped);
  return lectern_model_save (model, path, error);
}

gboolean
lectern_model_store_delete (const char *path,
                            GError    **error)
{
  if (!check_user_model (path, error))
    return FALSE;
  if (g_unlink (path) != 0)
    {
      int saved = errno;
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, _("Cannot delete the model %s: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

char *
lectern_model_store_get_default (GSettings *settings)
{
  g_autofree char *path = settings != NULL ? g_settings_get_string (settings, "model-path")
                                           : NULL;

  if (path == NULL || path[0] == '\0' || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&path);
}
