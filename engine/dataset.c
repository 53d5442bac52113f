/* dataset.c — reading line datasets from folders, line images and PAGE/ALTO pages. */
#include "dataset.h"
#include "document.h"
#include "error.h"
#include "file-util.h"
#include "rng.h"

#include <string.h>

LecternDataset *
lectern_dataset_new (int height)
{
  LecternDataset *ds = g_new0 (LecternDataset, 1);
  ds->height = height;
  ds->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_sample_free);
  return ds;
}

void
lectern_sample_free (LecternSample *s)
{
  if (s == NULL)
    return;
  g_free (s->source);
  g_free (s->text);
  lectern_image_free (s->image);
  g_free (s);
}

void
lectern_dataset_free (LecternDataset *ds)
{
  if (ds == NULL)
    return;
  g_ptr_array_unref (ds->samples);
  g_free (ds);
}

static gboolean
has_suffix_ci (const char *name, const char *const *suffixes)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  for (int i = 0; suffixes[i]; i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

static const char *const image_suffixes[] = { ".png", ".jpg", ".jpeg", ".tif", ".tiff", NULL };
static const char *const xml_suffixes[] = { ".xml", NULL };

/* Adds one line unless its text is unusable; takes the image. */
static void
add_line (LecternDataset *ds, const char *source, const char *raw_text, LecternImage *image,
          LecternCleanFlags clean)
{
  g_autoptr (LecternImage) owned = image;
  g_autofree char *text = lectern_text_clean_transcription (raw_text, clean);
  if (text[0] == '\0' || lectern_text_has_unread_parts (raw_text) || owned == NULL
      || owned->width < 2 || owned->height < 2
      || g_utf8_strlen (text, -1) > LECTERN_DATASET_MAX_LINE_CHARS)
    {
      ds->skipped++;
      return;
    }
  LecternSample *s = g_new0 (LecternSample, 1);
  s->source = g_strdup (source);
  s->text = g_steal_pointer (&text);
  s->image = lectern_image_scale_to_height (owned, ds->height);
  g_ptr_array_add (ds->samples, s);
}

static gboolean
add_line_image (LecternDataset *ds, const char *path, LecternCleanFlags clean, gboolean need_gt,
                GError **error)
{
  /* NAME.png → NAME.gt.txt */
  const char *dot = strrchr (path, '.');
  g_autofree char *stem = g_strndup (path, dot ? (gsize) (dot - path) : strlen (path));
  g_autofree char *gt_path = g_strconcat (stem, ".gt.txt", NULL);
  if (!g_file_test (gt_path, G_FILE_TEST_EXISTS))
    {
      if (need_gt)
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                       "Line image %s has no transcription beside it (%s)", path, gt_path);
          return FALSE;
        }
      return TRUE;
    }
  /* capped: a wrong or hostile sidecar of gigabytes is not read into memory */
  g_autoptr (GBytes) gt_bytes = lectern_file_read_capped (gt_path, LECTERN_DATASET_MAX_GT_BYTES,
                                                          error);
  if (gt_bytes == NULL)
    return FALSE;
  gsize len = 0;
  const char *gt_data = g_bytes_get_data (gt_bytes, &len);
  g_autofree char *gt = g_strndup (gt_data != NULL ? gt_data : "", len);
  if (!g_utf8_validate (gt, (gssize) len, NULL))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Transcription %s is not valid UTF-8", gt_path);
      return FALSE;
    }
  LecternImage *image = lectern_image_load (path, error);
  if (image == NULL)
    return FALSE;
  add_line (ds, path, gt, image, clean);
  return TRUE;
}

static gboolean
add_page (LecternDataset *ds, const char *path, LecternCleanFlags clean, GError **error)
{
  g_autoptr (LecternDocument) doc = lectern_document_load (path, error);
  if (doc == NULL)
    return FALSE;
  if (doc->image_path == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   "Page %s names no image (%s) that can be found", path,
                   doc->image_filename ? doc->image_filename : "none");
      return FALSE;
    }
  g_autoptr (LecternImage) page = lectern_image_load (doc->image_path, error);
  if (page == NULL)
    return FALSE;
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  for (guint i = 0; i < lines->len; i++)
    {
      LecternLine *line = g_ptr_array_index (lines, i);
      g_autofree char *source = g_strdup_printf ("%s#%s", path, line->id);
      LecternImage *cut = NULL;
      if (line->polygon->len >= 3)
        cut = lectern_image_cut_polygon (page, (const LecternPoint *) line->polygon->data,
                                         line->polygon->len, NULL, NULL);
      else
        {
          int x0, y0, x1, y1;
          if (lectern_line_bbox (line, &x0, &y0, &x1, &y1))
            {
              LecternPoint box[4] = { { x0, y0 }, { x1, y0 }, { x1, y1 }, { x0, y1 } };
              cut = lectern_image_cut_polygon (page, box, 4, NULL, NULL);
            }
        }
      add_line (ds, source, line->text ? line->text : "", cut, clean);
    }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
add_folder (LecternDataset *ds, const char *dir_path, LecternCleanFlags clean, int depth,
            GError **error)
{
  if (depth > 8)
    return TRUE;
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &local);
  if (dir == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot open folder %s: %s",
                   dir_path, local->message);
      return FALSE;
    }
  /* sorted, so a dataset is the same list whatever the file system's order */
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && name[0] != '_')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
      gboolean ok = TRUE;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        ok = add_folder (ds, path, clean, depth + 1, error);
      else if (has_suffix_ci (path, image_suffixes))
        ok = add_line_image (ds, path, clean, FALSE, error);
      else if (has_suffix_ci (path, xml_suffixes))
        ok = add_page (ds, path, clean, error);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

gboolean
lectern_dataset_add (LecternDataset *ds, const char *path, LecternCleanFlags clean, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return add_folder (ds, path, clean, 0, error);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "%s does not exist", path);
      return FALSE;
    }
  if (has_suffix_ci (path, xml_suffixes))
    return add_page (ds, path, clean, error);
  if (has_suffix_ci (path, image_suffixes))
    return add_line_image (ds, path, clean, TRUE, error);
  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
               "%s is neither a folder, a line image nor a PAGE/ALTO file", path);
  return FALSE;
}

guint
lectern_dataset_choose_held (guint n, double fraction, guint64 seed, gboolean *held)
{
  guint n_held = (guint) (n * fraction + 0.5);
  if (n_held == 0 && n > 1 && fraction > 0)
    n_held = 1;
  if (held == NULL)
    return n_held;
  g_autofree guint32 *order = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    order[i] = i;
  LecternRng rng;
  lectern_rng_init (&rng, seed);
  lectern_rng_shuffle (&rng, order, n);
  memset (held, 0, n * sizeof *held);
  for (guint i = 0; i < n_held; i++)
    held[order[i]] = TRUE;
  return n_held;
}

LecternDataset *
lectern_dataset_split (LecternDataset *ds, double fraction, guint64 seed)
{
  LecternDataset *held = lectern_dataset_new (ds->height);
  const guint n = ds->samples->len;
  g_autofree gboolean *take = g_new (gboolean, n);
  lectern_dataset_choose_held (n, fraction, seed, take);
  GPtrArray *keep = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_sample_free);
  for (guint i = 0; i < n; i++)
    {
      gpointer s = g_ptr_array_index (ds->samples, i);
      g_ptr_array_add (take[i] ? held->samples : keep, s);
    }
  /* the pointers moved: empty the old array without freeing them */
  g_ptr_array_set_free_func (ds->samples, NULL);
  g_ptr_array_unref (ds->samples);
  ds->samples = keep;
  return held;
}
