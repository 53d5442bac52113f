/* bench.h — speed measurements of the engine (for `lectern-cli bench`; never asserted in tests).
 *
 * All figures come from one run on this machine: the OpenBLAS kernel and SGEMM rate it reaches,
 * then the default network on a 64 × 1000 line, forward and forward + backward (with CTC),
 * single thread and all threads. Times are medians over repeated runs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char   openblas_core[64];
  double sgemm_gflops;           /* single thread, 512³ */
  int    line_height, line_width, n_classes, n_threads_all;
  double network_mflop_forward;  /* per line */
  double forward_ms_1t, forward_ms_all;
  double train_ms_1t, train_ms_all;       /* forward + CTC + backward, per line */
  /* single thread, least CPU time of one call: what a busy machine inflates least */
  double forward_cpu_ms_1t, train_cpu_ms_1t;
  double load_average;           /* 1-minute load average during the run (−1 if unknown) */
  double forward_gflops_1t, train_gflops_1t;
  double lines_per_s_all;        /* forward, all threads, one line per thread */
} LecternBenchResult;

/* Runs every measurement; min_seconds per figure (≈ 0.5–2). */
void lectern_bench_run (LecternBenchResult *r, double min_seconds);

/* Page throughput (engine/bench-page.c): a page image opened, segmented and every line
 * recognised on all cores with a given recognizer (its LM, if any, included), as `lectern-cli
 * transcribe` does. Times are medians over the runs; the peak memory is the process's resident
 * set high-water mark (getrusage ru_maxrss) after the runs, so it includes the model, the LM and
 * whatever the process held before. */
typedef struct {
  int    width, height;          /* the page */
  int    n_lines, n_chars;       /* found and recognised (last run) */
  int    n_threads, n_runs;
  double open_ms, segment_ms, recognize_ms, total_ms;
  double first_total_ms;         /* the first run (cold caches) */
  double cpu_ms;                 /* user + system CPU time of the process per page (median):
                                  * with other work on the machine, wall time overstates and
                                  * this tells what the page itself cost */
  double cpu_serial_ms;          /* of which opening and segmenting (one thread) */
  double cpu_recognize_ms;       /* of which recognising (all threads) */
  /* what the page would take on an idle machine with n_threads cores:
   * cpu_serial_ms + cpu_recognize_ms / n_threads (a lower bound: perfect balance) */
  double idle_estimate_ms;
  double lines_per_s;            /* n_lines / recognize time */
  double peak_rss_mib;
} LecternPageBenchResult;

struct _LecternRecognizer;
/* n_threads 0: all cores; n_runs >= 1. FALSE when the image cannot be read or segmented. */
gboolean lectern_bench_page (const char *image_path, struct _LecternRecognizer *recognizer,
                             int n_threads, int n_runs, LecternPageBenchResult *r,
                             GError **error);

G_END_DECLS
