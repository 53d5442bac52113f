/* transcribe.c — recognising the lines of a page on all cores. */
#include "transcribe.h"
#include "error.h"

#include <math.h>
#include <string.h>

void
lectern_transcribe_options_init (LecternTranscribeOptions *opts)
{
  g_return_if_fail (opts != NULL);
  memset (opts, 0, sizeof *opts);
}

static int
compare_ints (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

/* The median height of the lines' polygons, else the median distance between consecutive
 * baselines, else a fortieth of the page: what a baseline-only line's band is made from. */
static int
typical_line_height (const LecternDocument *doc)
{
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  g_autoptr (GArray) heights = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < lines->len; i++)
    {
      const LecternLine *line = lines->pdata[i];
      if (line->polygon->len < 3)
        continue;
      int y0 = G_MAXINT, y1 = G_MININT;
      for (guint k = 0; k < line->polygon->len; k++)
        {
          int y = g_array_index (line->polygon, LecternPoint, k).y;
          y0 = MIN (y0, y);
          y1 = MAX (y1, y);
        }
      int h = y1 - y0;
      g_array_append_val (heights, h);
    }
  if (heights->len == 0)
    {
      double previous = NAN;
      for (guint i = 0; i < lines->len; i++)
        {
          const LecternLine *line = lines->pdata[i];
          if (line->baseline->len < 2)
            continue;
          double mean = 0;
          for (guint k = 0; k < line->baseline->len; k++)
            mean += g_array_index (line->baseline, LecternPoint, k).y;
          mean /= line->baseline->len;
          if (!isnan (previous) && mean > previous)
            {
              int h = (int) lround (mean - previous);
              g_array_append_val (heights, h);
            }
          previous = mean;
        }
    }
  int h = doc->height / 40;
  if (heights->len > 0)
    {
      g_array_sort (heights, compare_ints);
      h = g_array_index (heights, int, heights->len / 2);
    }
  return MAX (h, 8);
}

LecternImage *
lectern_transcribe_cut_line (const LecternImage *page, const LecternDocument *doc,
                             const LecternLine *line, int *x, int *y)
{
  g_return_val_if_fail (page != NULL && line != NULL, NULL);
  *x = *y = 0;
  if (line->polygon->len >= 3)
    return lectern_image_cut_polygon (page, (const LecternPoint *) line->polygon->data,
                                      line->polygon->len, x, y);
  if (line->baseline->len < 2)
    return NULL;
  /* a band that follows the baseline: its points shifted up, then back along it shifted down */
  const int h = doc != NULL ? typical_line_height (doc) : page->height / 40;
  const int above = (3 * h + 3) / 4, below = MAX (h / 4, 1);
  const guint n = line->baseline->len;
  g_autofree LecternPoint *band = g_new (LecternPoint, 2 * n);
  for (guint k = 0; k < n; k++)
    {
      LecternPoint p = g_array_index (line->baseline, LecternPoint, k);
      band[k] = (LecternPoint) { p.x, p.y - above };
      band[2 * n - 1 - k] = (LecternPoint) { p.x, p.y + below };
    }
  return lectern_image_cut_polygon (page, band, 2 * n, x, y);
}

void
lectern_line_set_recognition (LecternLine *line, const LecternRecognition *rec, int x_offset)
{
  g_return_if_fail (line != NULL && rec != NULL);
  const char *text = rec->text != NULL ? rec->text : "";
  glong n_points = 0;
  g_autofree gunichar *points = g_utf8_to_ucs4 (text, -1, NULL, &n_points, NULL);
  if (points == NULL || (guint) n_points != rec->n_chars)
    {
      /* per-character data that does not match the text would mislead: keep the text only */
      lectern_line_set_text (line, text);
      line->confidence = rec->mean_confidence;
      return;
    }

  /* NFC per cluster (a starter and the combining marks after it), merging the entries of
   * characters that composed */
  g_autoptr (GString) nfc_text = g_string_new (NULL);
  g_autoptr (GArray) confs = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) spans = g_array_new (FALSE, FALSE, sizeof (LecternPoint));
  for (glong i = 0; i < n_points;)
    {
      glong j = i + 1;
      while (j < n_points && g_unichar_combining_class (points[j]) != 0)
        j++;
      g_autofree char *cluster = g_ucs4_to_utf8 (points + i, j - i, NULL, NULL, NULL);
      g_autofree char *composed = cluster != NULL
                                  ? g_utf8_normalize (cluster, -1, G_NORMALIZE_NFC) : NULL;
      if (composed == NULL)
        break;
      g_string_append (nfc_text, composed);
      const glong m = g_utf8_strlen (composed, -1);
      /* the first output character takes the characters that composed into it, the rest
       * one each (composition only ever joins marks to what precedes them) */
      const glong first = MAX ((j - i) - (m - 1), 1);
      for (glong k = 0, src = i; k < m && src < j; k++)
        {
          const glong take = k == 0 ? first : 1;
          float conf = 1.0f;
          int x0 = G_MAXINT, x1 = G_MININT;
          for (glong s = src; s < src + take && s < j; s++)
            {
              conf = MIN (conf, rec->confidence[s]);
              x0 = MIN (x0, rec->x_start[s]);
              x1 = MAX (x1, rec->x_end[s]);
            }
          LecternPoint span = { x_offset + x0, x_offset + x1 };
          g_array_append_val (confs, conf);
          g_array_append_val (spans, span);
          src += take;
        }
      i = j;
    }

  lectern_line_set_text (line, nfc_text->str);
  line->confidence = rec->mean_confidence;
  g_array_set_size (line->char_confidences, 0);
  g_array_set_size (line->char_spans, 0);
  /* whole-text NFC can differ from per-cluster NFC only in exotic scripts: then no per-char data */
  if ((guint) g_utf8_strlen (line->text, -1) == confs->len)
    {
      g_array_append_vals (line->char_confidences, confs->data, confs->len);
      g_array_append_vals (line->char_spans, spans->data, spans->len);
    }
}

/* ---- recognising the lines on all cores ---------------------------------------------------- */

typedef struct {
  LecternRecognizer              *recognizer;
  const LecternImage             *page;
  const LecternDocument          *doc;
  const LecternTranscribeOptions *opts;
  GCancellable                   *cancellable;
  LecternLine                   **lines;    /* those to recognise */
  guint                           n_lines;
  LecternRecognition            **results;  /* per line; NULL when skipped */
  int                            *x_offsets;
  gint                            next;     /* atomic: the next line to take */
  gint                            done;     /* atomic */
  GMutex                          lock;     /* serialises progress calls and error */
  GError                         *error;
} TranscribeJob;

static gpointer
transcribe_worker (gpointer data)
{
  TranscribeJob *job = data;
  for (;;)
    {
      const guint i = (guint) g_atomic_int_add (&job->next, 1);
      if (i >= job->n_lines || g_cancellable_is_cancelled (job->cancellable))
        return NULL;
      int x, y;
      g_autoptr (LecternImage) image = lectern_transcribe_cut_line (job->page, job->doc,
                                                                    job->lines[i], &x, &y);
      if (image != NULL)
        {
          GError *error = NULL;
          job->results[i] = lectern_recognizer_recognize (job->recognizer, image,
                                                          job->opts->flags, &error);
          job->x_offsets[i] = x;
          if (error != NULL)
            {
              g_mutex_lock (&job->lock);
              if (job->error == NULL)
                job->error = error;
              else
                g_error_free (error);
              g_mutex_unlock (&job->lock);
            }
        }
      const guint done = (guint) g_atomic_int_add (&job->done, 1) + 1;
      if (job->opts->progress != NULL)
        {
          g_mutex_lock (&job->lock);
          job->opts->progress (done, job->n_lines, job->opts->progress_data);
          g_mutex_unlock (&job->lock);
        }
    }
}

static int
line_width (const LecternLine *line)
{
  int x0, y0, x1, y1;
  return lectern_line_bbox (line, &x0, &y0, &x1, &y1) ? x1 - x0 : 0;
}

/* widest first: the threads then finish together instead of one waiting on a long last line */
static gint
compare_widths_descending (gconstpointer a, gconstpointer b)
{
  const int wa = line_width (*(LecternLine *const *) a);
  const int wb = line_width (*(LecternLine *const *) b);
  return (wb > wa) - (wb < wa);
}

gboolean
lectern_transcribe_document (LecternRecognizer *recognizer, const LecternImage *page,
                             LecternDocument *doc, const LecternTranscribeOptions *opts,
                             guint *n_recognized, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (recognizer != NULL && doc != NULL, FALSE);
  LecternTranscribeOptions defaults;
  if (opts == NULL)
    {
      lectern_transcribe_options_init (&defaults);
      opts = &defaults;
    }
  if (n_recognized != NULL)
    *n_recognized = 0;

  g_autoptr (GPtrArray) all = lectern_document_lines (doc);
  g_autoptr (GPtrArray) todo = g_ptr_array_new ();
  for (guint i = 0; i < all->len; i++)
    {
      LecternLine *line = all->pdata[i];
      if (opts->keep_text && line->text != NULL && line->text[0] != '\0')
        continue;
      if (line->polygon->len < 3 && line->baseline->len < 2)
        continue;
      g_ptr_array_add (todo, line);
    }
  if (todo->len == 0)
    return TRUE;
  g_ptr_array_sort (todo, compare_widths_descending);
  if (page == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "%s: no page image to recognise the lines from",
                   doc->image_filename != NULL ? doc->image_filename : "page");
      return FALSE;
    }
  if (page->width != doc->width || page->height != doc->height)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "%s: the image is %d×%d pixels but the document describes %d×%d",
                   doc->image_filename != NULL ? doc->image_filename : "page",
                   page->width, page->height, doc->width, doc->height);
      return FALSE;
    }

  TranscribeJob job = {
    .recognizer = recognizer, .page = page, .doc = doc, .opts = opts,
    .cancellable = cancellable,
    .lines = (LecternLine **) todo->pdata, .n_lines = todo->len,
  };
  job.results = g_new0 (LecternRecognition *, todo->len);
  job.x_offsets = g_new0 (int, todo->len);
  g_mutex_init (&job.lock);

  int n_threads = opts->n_threads > 0 ? opts->n_threads : (int) g_get_num_processors ();
  n_threads = CLAMP (n_threads, 1, (int) MIN (todo->len, 256));
  if (n_threads == 1)
    transcribe_worker (&job);
  else
    {
      g_autofree GThread **threads = g_new (GThread *, n_threads);
      for (int t = 0; t < n_threads; t++)
        threads[t] = g_thread_new ("lectern-transcribe", transcribe_worker, &job);
      for (int t = 0; t < n_threads; t++)
        g_thread_join (threads[t]);
    }

  gboolean ok = TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    ok = FALSE;
  else if (job.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job.error));
      ok = FALSE;
    }
  guint recognized = 0;
  for (guint i = 0; i < todo->len; i++)
    {
      if (ok && job.results[i] != NULL)
        {
          lectern_line_set_recognition (todo->pdata[i], job.results[i], job.x_offsets[i]);
          recognized++;
        }
      lectern_recognition_free (job.results[i]);
    }
  g_clear_error (&job.error);
  g_mutex_clear (&job.lock);
  g_free (job.results);
  g_free (job.x_offsets);

  if (recognized > 0)
    {
      g_autofree char *name = lectern_model_get_info (lectern_recognizer_get_model (recognizer),
                                                      "name");
      g_free (doc->model_name);
      doc->model_name = g_strdup (name != NULL && name[0] != '\0' ? name : "lectern");
    }
  if (n_recognized != NULL)
    *n_recognized = recognized;
  return ok;
}
