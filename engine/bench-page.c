/* bench-page.c — page throughput: open, segment and recognise one page, timed, with the peak
 * memory of the process. */
#include "bench.h"
#include "recognizer.h"
#include "segment.h"
#include "transcribe.h"

#include <string.h>
#include <sys/resource.h>

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static gint64
cpu_time_us (void)
{
  struct rusage usage;
  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

gboolean
lectern_bench_page (const char *image_path, LecternRecognizer *recognizer, int n_threads,
                    int n_runs, LecternPageBenchResult *r, GError **error)
{
  g_return_val_if_fail (image_path != NULL && recognizer != NULL && r != NULL, FALSE);
  memset (r, 0, sizeof *r);
  n_runs = MAX (n_runs, 1);
  r->n_threads = n_threads > 0 ? n_threads : (int) g_get_num_processors ();
  r->n_runs = n_runs;
  g_autoptr (GArray) open_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) segment_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) recognize_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) total_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cpu_serial_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cpu_recognize_ms = g_array_new (FALSE, FALSE, sizeof (double));

  for (int run = 0; run < n_runs; run++)
    {
      const gint64 cpu0 = cpu_time_us ();
      const gint64 t0 = g_get_monotonic_time ();
      g_autoptr (LecternImage) page = lectern_image_load (image_path, error);
      if (page == NULL)
        return FALSE;
      const gint64 t1 = g_get_monotonic_time ();
      LecternSegmentOptions seg_opts;
      lectern_segment_options_init (&seg_opts);
      g_autoptr (LecternDocument) doc = lectern_segment_page (page, &seg_opts, NULL, error);
      if (doc == NULL)
        return FALSE;
      const gint64 t2 = g_get_monotonic_time ();
      const gint64 cpu2 = cpu_time_us ();
      LecternTranscribeOptions opts;
      lectern_transcribe_options_init (&opts);
      opts.n_threads = r->n_threads;
      guint n_recognized = 0;
      if (!lectern_transcribe_document (recognizer, page, doc, &opts, &n_recognized, NULL, error))
        return FALSE;
      const gint64 t3 = g_get_monotonic_time ();

      double v;
      v = (t1 - t0) / 1e3; g_array_append_val (open_ms, v);
      v = (t2 - t1) / 1e3; g_array_append_val (segment_ms, v);
      v = (t3 - t2) / 1e3; g_array_append_val (recognize_ms, v);
      const gint64 cpu3 = cpu_time_us ();
      v = (cpu3 - cpu0) / 1e3; g_array_append_val (cpu_ms, v);
      v = (cpu2 - cpu0) / 1e3; g_array_append_val (cpu_serial_ms, v);
      v = (cpu3 - cpu2) / 1e3; g_array_append_val (cpu_recognize_ms, v);
      v = (t3 - t0) / 1e3; g_array_append_val (total_ms, v);
      if (run == 0)
        r->first_total_ms = v;
      r->width = page->width;
      r->height = page->height;
      r->n_lines = (int) n_recognized;
      g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
      r->n_chars = 0;
      for (guint i = 0; i < lines->len; i++)
        r->n_chars += (int) g_utf8_strlen (((LecternLine *) lines->pdata[i])->text, -1);
    }
  r->open_ms = median (open_ms);
  r->segment_ms = median (segment_ms);
  r->recognize_ms = median (recognize_ms);
  r->total_ms = median (total_ms);
  r->cpu_ms = median (cpu_ms);
  r->cpu_serial_ms = median (cpu_serial_ms);
  r->cpu_recognize_ms = median (cpu_recognize_ms);
  r->idle_estimate_ms = r->cpu_serial_ms + r->cpu_recognize_ms / r->n_threads;
  r->lines_per_s = r->recognize_ms > 0 ? r->n_lines / (r->recognize_ms / 1e3) : 0;
  struct rusage usage;
  if (getrusage (RUSAGE_SELF, &usage) == 0)
    r->peak_rss_mib = usage.ru_maxrss / 1024.0;   /* Linux: kilobytes */
  return TRUE;
}
