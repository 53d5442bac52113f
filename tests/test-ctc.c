/* test-ctc.c — CTC loss and gradient against the PyTorch oracle, brute-force enumeration of
 * alignments, finite differences, and long peaked sequences. */
#include <json-glib/json-glib.h>
#include <math.h>

#include "ctc.h"
#include "rng.h"
#include "testutil.h"

/* Tolerances against the float64 oracle. The engine takes float32 scores, so the oracle's logits
 * are rounded to float32 first (up to 6e-8 relative, i.e. up to 6e-6 absolute on logits of
 * magnitude 100); the loss is compared with 1e-6 relative error and the gradient, stored as
 * float32, with 1e-5 absolute error. */
#define ORACLE_LOSS_RTOL 1e-6
#define ORACLE_GRAD_ATOL 1e-5

static double
json_number (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      if (g_strcmp0 (s, "inf") == 0)
        return INFINITY;
      if (g_strcmp0 (s, "-inf") == 0)
        return -INFINITY;
      return NAN;
    }
  return json_node_get_double (node);
}

static void
test_oracle (void)
{
  g_autofree char *path = lectern_test_shared_path ("data", "oracles", "ctc.json", NULL);
  if (path == NULL)
    return;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "source"), ==,
                   "torch.nn.functional.ctc_loss, float64, blank=0, reduction=sum");
  JsonArray *cases = json_object_get_array_member (root, "cases");
  guint n_cases = json_array_get_length (cases);
  g_assert_cmpuint (n_cases, >, 0);
  guint n_infinite = 0;

  for (guint k = 0; k < n_cases; k++)
    {
      JsonObject *c = json_array_get_object_element (cases, k);
      int T = (int) json_object_get_int_member (c, "T");
      int C = (int) json_object_get_int_member (c, "C");
      JsonArray *jl = json_object_get_array_member (c, "labels");
      JsonArray *jx = json_object_get_array_member (c, "logits");
      JsonArray *jg = json_object_get_array_member (c, "grad");
      int L = (int) json_array_get_length (jl);
      g_assert_cmpuint (json_array_get_length (jx), ==, (guint) (T * C));
      g_assert_cmpuint (json_array_get_length (jg), ==, (guint) (T * C));

      g_autofree int *labels = g_new (int, MAX (L, 1));
      for (int i = 0; i < L; i++)
        labels[i] = (int) json_array_get_int_element (jl, i);
      g_autofree float *scores = g_new (float, T * C);
      g_autofree double *want_grad = g_new (double, T * C);
      g_autofree float *grad = g_new (float, T * C);
      for (int i = 0; i < T * C; i++)
        {
          scores[i] = (float) json_array_get_double_element (jx, i);
          want_grad[i] = json_number (json_array_get_element (jg, i));
          grad[i] = NAN;
        }
      double want = json_number (json_object_get_member (c, "loss"));
      double got = lectern_ctc_loss (scores, T, C, labels, L, grad);
      /* the loss alone must give the same value */
      double got_no_grad = lectern_ctc_loss (scores, T, C, labels, L, NULL);
      g_assert_cmpfloat (got, ==, got_no_grad);

      if (isinf (want))
        {
          n_infinite++;
          g_assert_true (isinf (got) && got > 0);
        }
      else
        {
          g_assert_true (isfinite (got));
          g_assert_cmpfloat (fabs (got - want), <=, ORACLE_LOSS_RTOL * MAX (1.0, fabs (want)));
        }
      for (int i = 0; i < T * C; i++)
        g_assert_false (isnan (grad[i]));
      double diff = lectern_test_max_abs_diff (grad, want_grad, T * C);
      g_test_message ("case %u: T=%d C=%d L=%d loss %.10g (oracle %.10g), max grad diff %.3g",
                      k, T, C, L, got, want, diff);
      g_assert_cmpfloat (diff, <=, ORACLE_GRAD_ATOL);
    }
  /* the file holds an impossible case: it must have been exercised */
  g_assert_cmpuint (n_infinite, >=, 1);
}

/* -log p(labels) by summing over all C^T paths: an independent definition of CTC. */
static double
brute_force_loss (const float *scores, int T, int C, const int *labels, int L)
{
  double logp[64];
  g_assert_cmpint (T * C, <=, 64);
  for (int t = 0; t < T; t++)
    {
      double z = 0;
      for (int c = 0; c < C; c++)
        z += exp (scores[t * C + c]);
      for (int c = 0; c < C; c++)
        logp[t * C + c] = scores[t * C + c] - log (z);
    }
  int n_paths = 1;
  for (int t = 0; t < T; t++)
    n_paths *= C;
  double total = 0;
  for (int p = 0; p < n_paths; p++)
    {
      int path[16], collapsed[16], n = 0, prev = -1, code = p;
      for (int t = 0; t < T; t++)
        {
          path[t] = code % C;
          code /= C;
        }
      for (int t = 0; t < T; t++)
        {
          if (path[t] != 0 && path[t] != prev)
            collapsed[n++] = path[t];
          prev = path[t];
        }
      if (n != L)
        continue;
      gboolean same = TRUE;
      for (int i = 0; i < L && same; i++)
        same = collapsed[i] == labels[i];
      if (!same)
        continue;
      double lp = 0;
      for (int t = 0; t < T; t++)
        lp += logp[t * C + path[t]];
      total += exp (lp);
    }
  return total > 0 ? -log (total) : INFINITY;
}

static void
test_brute_force (void)
{
  LecternRng rng;
  lectern_rng_init (&rng, 7);
  for (int trial = 0; trial < 200; trial++)
    {
      int T = 1 + (int) lectern_rng_below (&rng, 5);
      int C = 2 + (int) lectern_rng_below (&rng, 2);
      int L = (int) lectern_rng_below (&rng, (guint32) T + 1);
      float scores[64];
      int labels[8];
      for (int i = 0; i < T * C; i++)
        scores[i] = 2.0f * lectern_rng_normal (&rng);
      for (int i = 0; i < L; i++)
        labels[i] = 1 + (int) lectern_rng_below (&rng, (guint32) C - 1);
      double want = brute_force_loss (scores, T, C, labels, L);
      double got = lectern_ctc_loss (scores, T, C, labels, L, NULL);
      if (isinf (want))
        {
          g_assert_true (isinf (got) && got > 0);
          g_assert_cmpint (T, <, lectern_ctc_min_frames (labels, L));
        }
      else
        {
          g_assert_cmpint (T, >=, lectern_ctc_min_frames (labels, L));
          g_assert_cmpfloat (fabs (got - want), <=, 1e-9 * MAX (1.0, fabs (want)));
        }
    }
}

/* Central differences on random small problems. The loss is computed in double from float
 * scores; steps of 1e-2 keep the float rounding of x±h (≤ 6e-8·|x|) far below the step, and the
 * truncation error O(h²) below 1e-4. */
static void
test_finite_differences (void)
{
  LecternRng rng;
  lectern_rng_init (&rng, 12345);
  for (int trial = 0; trial < 20; trial++)
    {
      int T = 2 + (int) lectern_rng_below (&rng, 12);
      int C = 2 + (int) lectern_rng_below (&rng, 6);
      int L = (int) lectern_rng_below (&rng, (guint32) (T / 2) + 1);
      g_autofree float *scores = g_new (float, T * C);
      g_autofree float *grad = g_new (float, T * C);
      int labels[16];
      for (int i = 0; i < T * C; i++)
        scores[i] = 1.5f * lectern_rng_normal (&rng);
      for (int i = 0; i < L; i++)
        labels[i] = 1 + (int) lectern_rng_below (&rng, (guint32) C - 1);
      double loss = lectern_ctc_loss (scores, T, C, labels, L, grad);
      if (isinf (loss))
        continue;
      const float h = 1e-2f;
      double worst = 0;
      for (int i = 0; i < T * C; i++)
        {
          float keep = scores[i];
          scores[i] = keep + h;
          double up = lectern_ctc_loss (scores, T, C, labels, L, NULL);
          float step_up = scores[i] - keep;
          scores[i] = keep - h;
          double down = lectern_ctc_loss (scores, T, C, labels, L, NULL);
          float step_down = keep - scores[i];
          scores[i] = keep;
          double numeric = (up - down) / ((double) step_up + (double) step_down);
          worst = MAX (worst, fabs (numeric - grad[i]));
        }
      g_assert_cmpfloat (worst, <=, 2e-4);
    }
}

static void
test_impossible (void)
{
  /* "aa" needs 3 frames (a blank between the two a's) */
  float scores[2 * 3] = { 0.1f, 2.0f, -1.0f, 0.5f, 0.3f, 0.2f };
  float grad[2 * 3];
  int labels[] = { 1, 1 };
  g_assert_cmpint (lectern_ctc_min_frames (labels, 2), ==, 3);
  double loss = lectern_ctc_loss (scores, 2, 3, labels, 2, grad);
  g_assert_true (isinf (loss) && loss > 0);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (grad[i], ==, 0.0f);

  /* more labels than frames */
  int many[] = { 1, 2, 1 };
  loss = lectern_ctc_loss (scores, 2, 3, many, 3, grad);
  g_assert_true (isinf (loss) && loss > 0);

  /* a diverged network: non-finite scores never yield NaN */
  scores[4] = NAN;
  int one[] = { 2 };
  loss = lectern_ctc_loss (scores, 2, 3, one, 1, grad);
  g_assert_true (isinf (loss) && loss > 0);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (grad[i], ==, 0.0f);

  /* no frames: only the empty labelling has probability 1 */
  g_assert_cmpfloat (lectern_ctc_loss (NULL, 0, 3, NULL, 0, NULL), ==, 0.0);
  g_assert_true (isinf (lectern_ctc_loss (NULL, 0, 3, one, 1, NULL)));
}

/* Long, sharply peaked sequences: the probability of a labelling is far below the smallest
 * double (e^-20000), which only log-space recursions survive. Each row of the gradient must sum
 * to zero (softmax minus a distribution over states) and the loss must lie between zero and the
 * negative log-probability of the single path the scores point at. */
static void
test_long_peaked (void)
{
  LecternRng rng;
  lectern_rng_init (&rng, 99);
  const int T = 2000, C = 60, L = 600;
  g_autofree float *scores = g_new (float, T * C);
  g_autofree float *grad = g_new (float, T * C);
  g_autofree int *labels = g_new (int, L);
  g_autofree int *path = g_new (int, T);
  for (int i = 0; i < L; i++)
    labels[i] = 1 + (int) lectern_rng_below (&rng, C - 1);
  /* a path: each label on 1..2 frames, blanks spread in between */
  int t = 0;
  for (int i = 0; i < L; i++)
    {
      int gap = (i > 0 && labels[i] == labels[i - 1]) ? 1 : (int) lectern_rng_below (&rng, 2);
      for (int k = 0; k < gap; k++)
        path[t++] = 0;
      int run = 1 + (int) lectern_rng_below (&rng, 2);
      for (int k = 0; k < run; k++)
        path[t++] = labels[i];
    }
  g_assert_cmpint (t, <=, T);
  while (t < T)
    path[t++] = 0;

  double path_nll = 0;
  for (t = 0; t < T; t++)
    {
      double z = 0;
      for (int c = 0; c < C; c++)
        {
          /* peaked, with a wrong class sometimes competing */
          float s = 3.0f * lectern_rng_normal (&rng);
          if (c == path[t])
            s += 25.0f;
          scores[t * C + c] = s;
        }
      for (int c = 0; c < C; c++)
        z += exp ((double) scores[t * C + c] - scores[t * C + path[t]]);
      path_nll += log (z);
    }
  double loss = lectern_ctc_loss (scores, T, C, labels, L, grad);
  g_assert_true (isfinite (loss));
  g_assert_cmpfloat (loss, >=, 0.0);
  g_assert_cmpfloat (loss, <=, path_nll + 1e-6 * path_nll);
  for (t = 0; t < T; t++)
    {
      double row = 0;
      for (int c = 0; c < C; c++)
        {
          g_assert_true (isfinite (grad[t * C + c]));
          row += grad[t * C + c];
        }
      g_assert_cmpfloat (fabs (row), <=, 1e-5);
    }

  /* now a labelling the scores contradict: the likelihood is about e^-(T*25), far below the
   * smallest double, and the loss must still be finite and large */
  for (int i = 0; i < L; i++)
    labels[i] = 1 + (labels[i] % (C - 1));
  loss = lectern_ctc_loss (scores, T, C, labels, L, grad);
  g_assert_true (isfinite (loss));
  g_assert_cmpfloat (loss, >, 745.0);
  for (int i = 0; i < T * C; i++)
    g_assert_true (isfinite (grad[i]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Ctc/oracle", test_oracle);
  g_test_add_func ("/Lectern/Ctc/brute-force", test_brute_force);
  g_test_add_func ("/Lectern/Ctc/finite-differences", test_finite_differences);
  g_test_add_func ("/Lectern/Ctc/impossible", test_impossible);
  g_test_add_func ("/Lectern/Ctc/long-peaked", test_long_peaked);
  return g_test_run ();
}
