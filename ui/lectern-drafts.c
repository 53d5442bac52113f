/* lectern-drafts.c — unsaved work kept on disk (see lectern-drafts.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "error.h"
#include "lectern-drafts.h"

#define DRAFT_GROUP "draft"

void
lectern_draft_free (LecternDraft *draft)
{
  if (draft == NULL)
    return;
  g_free (draft->image_path);
  g_free (draft->save_path);
  g_free (draft->xml_path);
  g_free (draft);
}

char *
lectern_drafts_get_folder (void)
{
  return g_build_filename (g_get_user_data_dir (), "lectern", "drafts", NULL);
}

/* The draft's file name without extension: a hash of the image path, so that any path maps to
 * a safe, fixed-length name. */
static char *
draft_base_path (const char *image_path)
{
  g_autofree char *folder = lectern_drafts_get_folder ();
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, image_path, -1);

  return g_build_filename (folder, hash, NULL);
}

gboolean
lectern_drafts_write (const LecternDocument *doc,
                      const char            *image_path,
                      const char            *save_path,
                      GError               **error)
{
  g_autofree char *folder = lectern_drafts_get_folder ();
  g_autofree char *base = NULL;
  g_autofree char *xml_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *key_data = NULL;
  g_autoptr(LecternDocument) copy = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize key_length;

  g_return_val_if_fail (doc != NULL && image_path != NULL && save_path != NULL, FALSE);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   _("Could not make the drafts folder “%s”: %s"), folder,
                   g_strerror (saved_errno));
      return FALSE;
    }

  base = draft_base_path (image_path);
  xml_path = g_strconcat (base, ".xml", NULL);
  key_path = g_strconcat (base, ".draft", NULL);

  copy = lectern_document_copy (doc);
  g_free (copy->image_filename);
  copy->image_filename = g_strdup (image_path);
  if (!lectern_document_save (copy, xml_path, LECTERN_FORMAT_PAGE, error))
    return FALSE;

  key_file = g_key_file_new ();
  g_key_file_set_string (key_file, DRAFT_GROUP, "image", image_path);
  g_key_file_set_string (key_file, DRAFT_GROUP, "save", save_path);
  g_key_file_set_int64 (key_file, DRAFT_GROUP, "modified", g_get_real_time () / G_USEC_PER_SEC);
  key_data = g_key_file_to_data (key_file, &key_length, NULL);
  if (!g_file_set_contents (key_path, key_data, key_length, &local_error))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, _("Could not write “%s”: %s"),
                   key_path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

void
lectern_drafts_remove (const char *image_path)
{
  g_autofree char *base = NULL;
  g_autofree char *xml_path = NULL;
  g_autofree char *key_path = NULL;

  g_return_if_fail (image_path != NULL);

  base = draft_base_path (image_path);
  key_path = g_strconcat (base, ".draft", NULL);
  xml_path = g_strconcat (base, ".xml", NULL);
  /* The key file first: a draft without it is never offered. */
  g_unlink (key_path);
  g_unlink (xml_path);
}

gboolean
lectern_drafts_exists (const char *image_path)
{
  g_autofree char *base = NULL;
  g_autofree char *key_path = NULL;

  g_return_val_if_fail (image_path != NULL, FALSE);

  base = draft_base_path (image_path);
  key_path = g_strconcat (base, ".draft", NULL);
  return g_file_test (key_path, G_FILE_TEST_IS_REGULAR);
}

static LecternDraft *
read_draft (const char *key_path)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(LecternDraft) draft = g_new0 (LecternDraft, 1);
  g_autofree char *base = NULL;

  if (!g_key_file_load_from_file (key_file, key_path, G_KEY_FILE_NONE, NULL))
    return NULL;

  draft->image_path = g_key_file_get_string (key_file, DRAFT_GROUP, "image", NULL);
  draft->save_path = g_key_file_get_string (key_file, DRAFT_GROUP, "save", NULL);
  draft->modified = g_key_file_get_int64 (key_file, DRAFT_GROUP, "modified", NULL);
  base = g_strndup (key_path, strlen (key_path) - strlen (".draft"));
  draft->xml_path = g_strconcat (base, ".xml", NULL);

  if (draft->image_path == NULL || draft->save_path == NULL
      || !g_file_test (draft->xml_path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&draft);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const LecternDraft *da = *(LecternDraft * const *) a;
  const LecternDraft *db = *(LecternDraft * const *) b;

  if (da->modified != db->modified)
    return da->modified > db->modified ? -1 : 1;
  return g_strcmp0 (da->image_path, db->image_path);
}

GPtrArray *
lectern_drafts_list (void)
{
  g_autofree char *folder = lectern_drafts_get_folder ();
  GPtrArray *drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_draft_free);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      LecternDraft *draft;

      if (!g_str_has_suffix (name, ".draft"))
        continue;
      path = g_build_filename (folder, name, NULL);
      draft = read_draft (path);
      if (draft != NULL)
        g_ptr_array_add (drafts, draft);
    }

  g_ptr_array_sort (drafts, compare_newest_first);
  return drafts;
}

LecternDocument *
lectern_draft_load (const LecternDraft *draft,
                    GError            **error)
{
  g_return_val_if_fail (draft != NULL, NULL);

  return lectern_document_load (draft->xml_path, error);
}
