/* cli-bench-page.c — `lectern-cli bench --page IMAGE`: how long one page takes from its image
 * file to its text, and how much memory the process needed for it. */
#include "config.h"
#include "bench.h"
#include "cli.h"
#include "recognizer.h"

#include <glib/gi18n.h>

int
lectern_cli_bench_page (const char *image_path, const LecternCliRecognizerOptions *options,
                        int threads, int runs, gboolean json)
{
  g_autoptr (GError) error = NULL;
  const gint64 t0 = g_get_monotonic_time ();
  g_autoptr (LecternRecognizer) recognizer = lectern_cli_load_recognizer (options, &error);
  if (recognizer == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  const double load_ms = (g_get_monotonic_time () - t0) / 1e3;
  const gboolean lm = lectern_recognizer_has_lm (recognizer);
  LecternPageBenchResult r;
  if (!lectern_bench_page (image_path, recognizer, threads, runs, &r, &error))
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (json)
    {
      g_autofree char *escaped = g_strescape (image_path, NULL);
      g_print ("{\"page\": \"%s\", \"width\": %d, \"height\": %d, \"lines\": %d, \"chars\": %d, "
               "\"threads\": %d, \"runs\": %d, \"lm\": %s, \"model_load_ms\": %.1f, "
               "\"open_ms\": %.1f, \"segment_ms\": %.1f, \"recognize_ms\": %.1f, "
               "\"total_ms\": %.1f, \"first_total_ms\": %.1f, \"cpu_ms\": %.1f, \"cpu_serial_ms\": %.1f, \"cpu_recognize_ms\": %.1f, "
               "\"idle_estimate_ms\": %.1f, \"lines_per_s\": %.1f, "
               "\"peak_rss_mib\": %.1f}\n",
               escaped, r.width, r.height, r.n_lines, r.n_chars, r.n_threads, r.n_runs,
               lm ? "true" : "false", load_ms, r.open_ms, r.segment_ms, r.recognize_ms,
               r.total_ms, r.first_total_ms, r.cpu_ms, r.cpu_serial_ms, r.cpu_recognize_ms,
               r.idle_estimate_ms, r.lines_per_s, r.peak_rss_mib);
      return 0;
    }
  g_print (_("Page:                      %s (%d × %d pixels)\n"), image_path, r.width, r.height);
  g_print (_("Lines, characters:         %d, %d (%s)\n"), r.n_lines, r.n_chars,
           lm ? _("beam search with the language model") : _("best path"));
  g_print (_("Model and LM loading:      %.0f ms (once per process)\n"), load_ms);
  g_print (_("Open the image:            %.0f ms\n"), r.open_ms);
  g_print (_("Segment:                   %.0f ms\n"), r.segment_ms);
  g_print (_("Recognise, %d threads:      %.0f ms (%.1f lines/s)\n"), r.n_threads,
           r.recognize_ms, r.lines_per_s);
  g_print (_("Page, total:               %.0f ms (median of %d; first run %.0f ms)\n"),
           r.total_ms, r.n_runs, r.first_total_ms);
  g_print (_("CPU time per page:         %.0f ms (open + segment %.0f, recognise %.0f)\n"),
           r.cpu_ms, r.cpu_serial_ms, r.cpu_recognize_ms);
  g_print (_("Idle machine, %d cores:     about %.0f ms (CPU time; the wall time above also "
             "counts other work on the cores)\n"), r.n_threads, r.idle_estimate_ms);
  g_print (_("Peak memory (max RSS):     %.1f MiB\n"), r.peak_rss_mib);
  return 0;
}
