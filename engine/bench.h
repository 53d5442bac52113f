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
  double forward_gflops_1t, train_gflops_1t;
  double lines_per_s_all;        /* forward, all threads, one line per thread */
} LecternBenchResult;

/* Runs every measurement; min_seconds per figure (≈ 0.5–2). */
void lectern_bench_run (LecternBenchResult *r, double min_seconds);

G_END_DECLS
