/* bench.c — engine speed measurements. */
#include "bench.h"
#include "ctc.h"
#include "network.h"

#include <cblas.h>
#include <string.h>
#include <time.h>

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

typedef void (*BenchFn) (gpointer data);

static double
thread_cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Median wall seconds per call over repeated calls lasting at least min_seconds (after a
 * warm-up); *cpu_min (nullable) receives the least CPU time of the calling thread for one call,
 * which a busy machine inflates far less than wall time (on an idle machine they agree). */
static double
time_median (BenchFn fn, gpointer data, double min_seconds, double *cpu_min)
{
  fn (data);
  GArray *times = g_array_new (FALSE, FALSE, sizeof (double));
  double best_cpu = G_MAXDOUBLE;
  gint64 start = g_get_monotonic_time ();
  while (times->len < 5 || (g_get_monotonic_time () - start) < min_seconds * 1e6)
    {
      gint64 t0 = g_get_monotonic_time ();
      double c0 = thread_cpu_seconds ();
      fn (data);
      best_cpu = MIN (best_cpu, thread_cpu_seconds () - c0);
      double dt = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (times, dt);
      if (times->len >= 10000)
        break;
    }
  g_array_sort (times, cmp_double);
  double median = g_array_index (times, double, times->len / 2);
  g_array_free (times, TRUE);
  if (cpu_min)
    *cpu_min = best_cpu;
  return median;
}

typedef struct {
  int    n;
  float *a, *b, *c;
} SgemmJob;

static void
sgemm_job (gpointer data)
{
  SgemmJob *j = data;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, j->n, j->n, j->n, 1.0f, j->a, j->n,
               j->b, j->n, 0.0f, j->c, j->n);
}

typedef struct {
  LecternNetwork   *net;
  LecternWorkspace *ws;
  float            *image, *grad_scores, *garena;
  LecternParamView  grad;
  int               width, *labels, n_labels;
  gboolean          train;
} LineJob;

static void
line_job (gpointer data)
{
  LineJob *j = data;
  const float *scores;
  int T = lectern_network_forward (j->net, j->ws, j->image, j->width, 0.0f, NULL, &scores);
  if (!j->train)
    return;
  lectern_ctc_loss (scores, T, j->net->arch.n_classes, j->labels, j->n_labels, j->grad_scores);
  lectern_network_backward (j->net, j->ws, j->grad_scores, &j->grad);
}

static void
line_job_init (LineJob *j, LecternNetwork *net, int width, gboolean train, int threads)
{
  memset (j, 0, sizeof *j);
  j->net = net;
  j->width = width;
  j->train = train;
  j->ws = lectern_workspace_new ();
  lectern_workspace_set_threads (j->ws, threads);
  const int H = net->arch.input_height;
  j->image = g_new (float, (gsize) H * width);
  LecternRng rng;
  lectern_rng_init (&rng, 1);
  for (gsize i = 0; i < (gsize) H * width; i++)
    j->image[i] = lectern_rng_normal (&rng);
  j->n_labels = width / 20;
  j->labels = g_new (int, j->n_labels);
  for (int i = 0; i < j->n_labels; i++)
    j->labels[i] = 1 + (int) lectern_rng_below (&rng, net->arch.n_classes - 1);
  j->grad_scores = g_new (float, (gsize) width * net->arch.n_classes);
  j->garena = g_new0 (float, net->n_params);
  lectern_param_view_bind (&net->arch, j->garena, &j->grad);
}

static void
line_job_clear (LineJob *j)
{
  lectern_workspace_free (j->ws);
  g_free (j->image);
  g_free (j->labels);
  g_free (j->grad_scores);
  g_free (j->garena);
}

static double
time_line (LecternNetwork *net, int width, gboolean train, int threads, double min_seconds,
           double *cpu_min)
{
  LineJob j;
  line_job_init (&j, net, width, train, threads);
  double t = time_median (line_job, &j, min_seconds, cpu_min);
  line_job_clear (&j);
  return t;
}

/* Throughput: every thread recognises its own lines (how batches of lines are processed). */
static gpointer
throughput_thread (gpointer data)
{
  LineJob *j = data;
  for (int i = 0; i < 10; i++)
    line_job (j);
  return NULL;
}

void
lectern_bench_run (LecternBenchResult *r, double min_seconds)
{
  memset (r, 0, sizeof *r);
  openblas_set_num_threads (1);
  g_strlcpy (r->openblas_core, openblas_get_corename (), sizeof r->openblas_core);
  g_strstrip (r->openblas_core);

  SgemmJob sj = { .n = 512 };
  gsize nn = (gsize) sj.n * sj.n;
  sj.a = g_new (float, nn);
  sj.b = g_new (float, nn);
  sj.c = g_new (float, nn);
  for (gsize i = 0; i < nn; i++)
    sj.a[i] = sj.b[i] = (float) (i % 7) * 0.1f;
  double t = time_median (sgemm_job, &sj, min_seconds / 2, NULL);
  r->sgemm_gflops = 2.0 * sj.n * sj.n * sj.n / t / 1e9;
  g_free (sj.a);
  g_free (sj.b);
  g_free (sj.c);

  LecternArch arch;
  lectern_arch_default (&arch, 100);
  g_autoptr (LecternNetwork) net = lectern_network_new (&arch);
  lectern_network_init_random (net, 1);
  r->line_height = arch.input_height;
  r->line_width = 1000;
  r->n_classes = arch.n_classes;
  r->n_threads_all = MIN ((int) g_get_num_processors (), 4);
  r->network_mflop_forward = lectern_network_flops (&arch, r->line_width) / 1e6;

  double fcpu, tcpu;
  r->forward_ms_1t = 1e3 * time_line (net, r->line_width, FALSE, 1, min_seconds, &fcpu);
  r->forward_ms_all = 1e3 * time_line (net, r->line_width, FALSE, r->n_threads_all, min_seconds, NULL);
  r->train_ms_1t = 1e3 * time_line (net, r->line_width, TRUE, 1, min_seconds, &tcpu);
  r->train_ms_all = 1e3 * time_line (net, r->line_width, TRUE, r->n_threads_all, min_seconds, NULL);
  r->forward_cpu_ms_1t = 1e3 * fcpu;
  r->train_cpu_ms_1t = 1e3 * tcpu;
  r->load_average = -1;
  {
    g_autofree char *loadavg = NULL;
    if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
      r->load_average = g_ascii_strtod (loadavg, NULL);
  }
  r->forward_gflops_1t = r->network_mflop_forward / r->forward_ms_1t;
  /* backward costs about twice the forward arithmetic */
  r->train_gflops_1t = 3 * r->network_mflop_forward / r->train_ms_1t;

  int nt = r->n_threads_all;
  LineJob jobs[4];
  GThread *threads[4];
  for (int i = 0; i < nt; i++)
    line_job_init (&jobs[i], net, r->line_width, FALSE, 1);
  gint64 t0 = g_get_monotonic_time ();
  for (int i = 0; i < nt; i++)
    threads[i] = g_thread_new ("bench", throughput_thread, &jobs[i]);
  for (int i = 0; i < nt; i++)
    g_thread_join (threads[i]);
  r->lines_per_s_all = nt * 10 / ((g_get_monotonic_time () - t0) / 1e6);
  for (int i = 0; i < nt; i++)
    line_job_clear (&jobs[i]);
}
