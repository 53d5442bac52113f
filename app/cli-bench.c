/* cli-bench.c — `lectern-cli bench`: engine speed on this machine, in one run. */
#include "config.h"
#include "cli.h"
#include "bench.h"

#include <math.h>
#include <glib/gi18n.h>

int
lectern_cli_bench (int argc, char **argv)
{
  gboolean json = FALSE;
  double seconds = 1.0;
  /* --page: the page throughput alone (app/cli-bench-page.c), so that the peak memory is the
   * page's, not the other measurements' */
  g_autofree char *page = NULL, *model_path = NULL, *lm_path = NULL;
  gboolean no_lm = FALSE;
  int page_runs = 3, page_threads = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the figures as JSON"), NULL },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, N_("Time per measurement (default 1)"), N_("S") },
    { "page", 0, 0, G_OPTION_ARG_FILENAME, &page,
      N_("Only time a whole page: open, segment and recognise IMAGE, with peak memory"), N_("IMAGE") },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("With --page: the model (default: the one Lectern ships)"), N_("MODEL") },
    { "lm", 0, 0, G_OPTION_ARG_FILENAME, &lm_path,
      N_("With --page: the language model (default: the one shipped with the model)"), N_("LM") },
    { "no-lm", 0, 0, G_OPTION_ARG_NONE, &no_lm, N_("With --page: best path, no language model"), NULL },
    { "runs", 0, 0, G_OPTION_ARG_INT, &page_runs, N_("With --page: runs (default 3)"), N_("N") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &page_threads,
      N_("With --page: threads (default: all cores)"), N_("N") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— measure the engine's speed"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (page != NULL)
    {
      if (page_runs < 1 || page_runs > 1000 || page_threads < 0 || page_threads > 256)
        {
          g_printerr (_("lectern-cli bench: --runs must be in 1–1000 and --threads in 0–256\n"));
          return LECTERN_CLI_EXIT_USAGE;
        }
      LecternCliRecognizerOptions ro = { .model_path = model_path, .lm_path = lm_path,
                                         .no_lm = no_lm, .lm_weight = -1,
                                         .insertion_bonus = NAN };
      return lectern_cli_bench_page (page, &ro, page_threads, page_runs, json);
    }
  if (seconds <= 0 || seconds > 60)
    {
      g_printerr (_("lectern-cli bench: --seconds must be in (0, 60]\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  LecternBenchResult r;
  lectern_bench_run (&r, seconds);
  if (json)
    {
      g_print ("{\"openblas_core\": \"%s\", \"sgemm_gflops\": %.2f, \"forward_ms_1t\": %.3f, "
               "\"forward_ms_all\": %.3f, \"train_ms_1t\": %.3f, \"train_ms_all\": %.3f, "
               "\"network_mflop_forward\": %.2f, \"forward_gflops_1t\": %.2f, "
               "\"train_gflops_1t\": %.2f, \"threads_all\": %d, \"lines_per_s_all\": %.1f, "
               "\"forward_cpu_ms_1t\": %.3f, \"train_cpu_ms_1t\": %.3f, \"load_average\": %.2f}\n",
               r.openblas_core, r.sgemm_gflops, r.forward_ms_1t, r.forward_ms_all, r.train_ms_1t,
               r.train_ms_all, r.network_mflop_forward, r.forward_gflops_1t, r.train_gflops_1t,
               r.n_threads_all, r.lines_per_s_all, r.forward_cpu_ms_1t, r.train_cpu_ms_1t,
               r.load_average);
      return 0;
    }
  g_print (_("OpenBLAS kernel:           %s\n"), r.openblas_core);
  {
    /* Set by lectern_blas_ensure_core when it started the program again with better kernels. */
    const char *own_choice = g_getenv ("LECTERN_BLAS_CORE_CHECKED");
    if (own_choice != NULL && g_strcmp0 (own_choice, r.openblas_core) != 0
        && g_ascii_isalpha (own_choice[0]))
      g_print (_("                           (OpenBLAS chose %s by itself; Lectern asked for better)\n"),
               own_choice);
  }
  g_print (_("SGEMM, 1 thread (512³):    %.1f GFLOP/s\n"), r.sgemm_gflops);
  g_print (_("Network:                   %d×%d line, %d classes, %.1f MFLOP forward\n"),
           r.line_height, r.line_width, r.n_classes, r.network_mflop_forward);
  g_print (_("Forward, 1 thread:         %.2f ms  (%.2f GFLOP/s); least CPU time %.2f ms\n"),
           r.forward_ms_1t, r.forward_gflops_1t, r.forward_cpu_ms_1t);
  g_print (_("Forward, %d threads:        %.2f ms\n"), r.n_threads_all, r.forward_ms_all);
  g_print (_("Forward+backward, 1 thread: %.2f ms  (%.2f GFLOP/s); least CPU time %.2f ms\n"),
           r.train_ms_1t, r.train_gflops_1t, r.train_cpu_ms_1t);
  g_print (_("Forward+backward, %d threads: %.2f ms\n"), r.n_threads_all, r.train_ms_all);
  g_print (_("Throughput, %d threads:     %.1f lines/s (one line per thread)\n"), r.n_threads_all,
           r.lines_per_s_all);
  if (r.load_average >= 0)
    g_print (_("Load average during the run: %.2f on %d cores (times are medians of wall time; "
               "other work on the machine inflates them)\n"), r.load_average,
             (int) g_get_num_processors ());
  return 0;
}
