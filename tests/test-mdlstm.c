/* test-mdlstm.c — the four-direction MDLSTM layer against PyTorch (float64 autograd) and
 * against finite differences.
 *
 * Tolerance against the oracle: 2e-5 absolute on outputs, 5e-5 on gradients (scaled by
 * max(1, |reference|)): the engine computes in float32 with a polynomial exp, the oracle in
 * float64; the observed worst error is printed. */
#include "kernels.h"
#include "mdlstm.h"
#include "rng.h"
#include "testutil.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

typedef struct {
  int K, D;
  float *arena;
  LecternMdlstmParams p;
} Layer;

static void
layer_init (Layer *l, int K, int D)
{
  gsize nwx = (gsize) K * 20 * D, nb = 20 * D, nu = 4 * 2 * (gsize) D * 5 * D, np = 16 * D;
  l->K = K;
  l->D = D;
  l->arena = g_new0 (float, nwx + nb + nu + np);
  l->p.K = K;
  l->p.D = D;
  l->p.wx = l->arena;
  l->p.b = l->p.wx + nwx;
  l->p.u = l->p.b + nb;
  l->p.p = l->p.u + nu;
}

static gsize
layer_size (const Layer *l)
{
  return (gsize) l->K * 20 * l->D + 20 * l->D + 40 * (gsize) l->D * l->D + 16 * l->D;
}

typedef struct {
  float *store, *h;
  LecternMdlstmState st;
} State;

static void
state_init (State *s, int H, int W, int D)
{
  s->store = g_new0 (float, lectern_mdlstm_store_size (H, W, D));
  s->h = g_new0 (float, (gsize) H * W * 4 * D);
  s->st = (LecternMdlstmState) { .h = s->h, .store = s->store };
}

static void
state_clear (State *s)
{
  g_free (s->store);
  g_free (s->h);
}

/* Reads a nested JSON array of numbers in row-major order into out (n values). */
static gsize
read_numbers (JsonNode *node, double *out, gsize n, gsize at)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *arr = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        at = read_numbers (json_array_get_element (arr, i), out, n, at);
      return at;
    }
  g_assert_cmpuint (at, <, n);
  out[at] = json_node_get_double (node);
  return at + 1;
}

static double *
member_numbers (JsonObject *obj, const char *name, gsize n)
{
  double *v = g_new0 (double, n);
  gsize got = read_numbers (json_object_get_member (obj, name), v, n, 0);
  g_assert_cmpuint (got, ==, n);
  return v;
}

/* Places one direction's oracle weights into the layer's layout. */
static void
set_direction_weights (Layer *l, int d, JsonObject *w, gboolean gradient_layout_check)
{
  int K = l->K, D = l->D;
  g_autofree double *wx = member_numbers (w, "Wx", (gsize) K * 5 * D);
  g_autofree double *u1 = member_numbers (w, "U1", (gsize) D * 5 * D);
  g_autofree double *u2 = member_numbers (w, "U2", (gsize) D * 5 * D);
  g_autofree double *p = member_numbers (w, "p", 4 * (gsize) D);
  g_autofree double *b = member_numbers (w, "b", 5 * (gsize) D);
  (void) gradient_layout_check;
  for (int k = 0; k < K; k++)
    for (int j = 0; j < 5 * D; j++)
      l->p.wx[(gsize) k * 20 * D + d * 5 * D + j] = (float) wx[k * 5 * D + j];
  for (int j = 0; j < 5 * D; j++)
    l->p.b[d * 5 * D + j] = (float) b[j];
  float *u = l->p.u + (gsize) d * 2 * D * 5 * D;
  for (gsize j = 0; j < (gsize) D * 5 * D; j++)
    {
      u[j] = (float) u1[j];
      u[(gsize) D * 5 * D + j] = (float) u2[j];
    }
  for (int j = 0; j < 4 * D; j++)
    l->p.p[d * 4 * D + j] = (float) p[j];
}

static double
rel_err (float got, double want)
{
  return fabs ((double) got - want) / MAX (1.0, fabs (want));
}

static void
test_oracle (void)
{
  g_autofree char *path = lectern_test_shared_path ("data", "oracles", "mdlstm.json", NULL);
  if (path == NULL)
    return;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  JsonArray *cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");
  g_assert_cmpuint (json_array_get_length (cases), >, 0);

  double worst_out = 0, worst_grad = 0;
  for (guint ci = 0; ci < json_array_get_length (cases); ci++)
    {
      JsonObject *c = json_array_get_object_element (cases, ci);
      int H = json_object_get_int_member (c, "H"), W = json_object_get_int_member (c, "W");
      int K = json_object_get_int_member (c, "K"), D = json_object_get_int_member (c, "D");
      gsize HW = (gsize) H * W;
      Layer l, g;
      layer_init (&l, K, D);
      layer_init (&g, K, D);
      JsonArray *ws = json_object_get_array_member (c, "weights");
      JsonArray *dws = json_object_get_array_member (c, "dweights");
      for (int d = 0; d < 4; d++)
        set_direction_weights (&l, d, json_array_get_object_element (ws, d), FALSE);

      g_autofree double *xd = member_numbers (c, "x", HW * K);
      g_autofree double *hd = member_numbers (c, "h", 4 * HW * D);
      g_autofree double *dhd = member_numbers (c, "dh", 4 * HW * D);
      g_autofree double *dxd = member_numbers (c, "dx", HW * K);
      g_autofree float *x = g_new (float, HW * K);
      for (gsize i = 0; i < HW * K; i++)
        x[i] = (float) xd[i];

      State s;
      state_init (&s, H, W, D);
      LecternMdlstmScratch scratch = { 0 };
      lectern_mdlstm_forward (&l.p, x, H, W, &s.st, &scratch, NULL);

      /* oracle h is 4 × H × W × D, ours H × W × 4D */
      g_autofree float *dh = g_new (float, 4 * HW * D);
      for (int d = 0; d < 4; d++)
        for (gsize n = 0; n < HW; n++)
          for (int j = 0; j < D; j++)
            {
              gsize ours = n * 4 * D + d * D + j, theirs = ((gsize) d * HW + n) * D + j;
              worst_out = MAX (worst_out, rel_err (s.h[ours], hd[theirs]));
              dh[ours] = (float) dhd[theirs];
            }

      g_autofree float *dx = g_new (float, HW * K);
      lectern_mdlstm_backward (&l.p, &g.p, x, H, W, &s.st, dh, dx, &scratch, NULL);
      for (gsize i = 0; i < HW * K; i++)
        worst_grad = MAX (worst_grad, rel_err (dx[i], dxd[i]));

      /* the oracle's weight gradients, in our layout, compared tensor by tensor */
      Layer want;
      layer_init (&want, K, D);
      for (int d = 0; d < 4; d++)
        set_direction_weights (&want, d, json_array_get_object_element (dws, d), TRUE);
      for (gsize i = 0; i < layer_size (&l); i++)
        {
          double e = rel_err (g.arena[i], want.arena[i]);
          if (e > 5e-5)
            g_test_message ("case %u: gradient %zu: %g vs %g", ci, i, g.arena[i], want.arena[i]);
          worst_grad = MAX (worst_grad, e);
        }

      g_free (want.arena);
      g_free (l.arena);
      g_free (g.arena);
      state_clear (&s);
      lectern_mdlstm_scratch_clear (&scratch);
    }
  g_test_message ("oracle: worst output error %.3g, worst gradient error %.3g", worst_out, worst_grad);
  g_assert_cmpfloat (worst_out, <, 2e-5);
  g_assert_cmpfloat (worst_grad, <, 5e-5);
}

/* Loss = Σ h ⊙ r for a fixed random r; compares the analytic gradient of every weight and
 * input with central differences. */
static double
loss_of (Layer *l, const float *x, int H, int W, const float *r)
{
  State s;
  state_init (&s, H, W, l->D);
  LecternMdlstmScratch scratch = { 0 };
  lectern_mdlstm_forward (&l->p, x, H, W, &s.st, &scratch, NULL);
  double loss = 0;
  for (gsize i = 0; i < (gsize) H * W * 4 * l->D; i++)
    loss += (double) s.h[i] * r[i];
  state_clear (&s);
  lectern_mdlstm_scratch_clear (&scratch);
  return loss;
}

static void
check_finite_differences (int H, int W, int K, int D, guint64 seed)
{
  LecternRng rng;
  lectern_rng_init (&rng, seed);
  Layer l, g;
  layer_init (&l, K, D);
  layer_init (&g, K, D);
  for (gsize i = 0; i < layer_size (&l); i++)
    l.arena[i] = lectern_rng_normal (&rng) * 0.5f;
  gsize HW = (gsize) H * W;
  g_autofree float *x = g_new (float, HW * K);
  g_autofree float *r = g_new (float, HW * 4 * D);
  for (gsize i = 0; i < HW * K; i++)
    x[i] = lectern_rng_normal (&rng);
  for (gsize i = 0; i < HW * 4 * D; i++)
    r[i] = lectern_rng_normal (&rng);

  State s;
  state_init (&s, H, W, D);
  LecternMdlstmScratch scratch = { 0 };
  lectern_mdlstm_forward (&l.p, x, H, W, &s.st, &scratch, NULL);
  g_autofree float *dx = g_new (float, HW * K);
  lectern_mdlstm_backward (&l.p, &g.p, x, H, W, &s.st, r, dx, &scratch, NULL);
  state_clear (&s);
  lectern_mdlstm_scratch_clear (&scratch);

  const float eps = 1e-2f;
  double worst = 0;
  for (gsize i = 0; i < layer_size (&l); i++)
    {
      float keep = l.arena[i];
      l.arena[i] = keep + eps;
      double up = loss_of (&l, x, H, W, r);
      l.arena[i] = keep - eps;
      double down = loss_of (&l, x, H, W, r);
      l.arena[i] = keep;
      double fd = (up - down) / (2 * eps);
      double err = fabs (fd - g.arena[i]) / MAX (1.0, fabs (fd));
      worst = MAX (worst, err);
    }
  for (gsize i = 0; i < HW * K; i++)
    {
      float keep = x[i];
      x[i] = keep + eps;
      double up = loss_of (&l, x, H, W, r);
      x[i] = keep - eps;
      double down = loss_of (&l, x, H, W, r);
      x[i] = keep;
      double fd = (up - down) / (2 * eps);
      worst = MAX (worst, fabs (fd - dx[i]) / MAX (1.0, fabs (fd)));
    }
  g_test_message ("%dx%d K=%d D=%d: worst finite-difference error %.3g", H, W, K, D, worst);
  g_assert_cmpfloat (worst, <, 3e-3);
  g_free (l.arena);
  g_free (g.arena);
}

static void
test_finite_differences (void)
{
  check_finite_differences (1, 1, 1, 1, 1);
  check_finite_differences (3, 7, 2, 3, 2);
  check_finite_differences (5, 2, 3, 2, 3);
  check_finite_differences (4, 4, 4, 5, 4);
}

/* Directions see the same picture flipped: flipping the input must permute the directions. */
static void
test_direction_symmetry (void)
{
  const int H = 3, W = 5, K = 2, D = 2;
  LecternRng rng;
  lectern_rng_init (&rng, 7);
  Layer l;
  layer_init (&l, K, D);
  for (gsize i = 0; i < layer_size (&l); i++)
    l.arena[i] = lectern_rng_normal (&rng) * 0.5f;
  /* give every direction the weights of direction 0 */
  for (int d = 1; d < 4; d++)
    {
      for (int k = 0; k < K; k++)
        memcpy (l.p.wx + k * 20 * D + d * 5 * D, l.p.wx + k * 20 * D, 5 * D * sizeof (float));
      memcpy (l.p.b + d * 5 * D, l.p.b, 5 * D * sizeof (float));
      memcpy (l.p.u + d * 10 * D * D, l.p.u, 10 * D * D * sizeof (float));
      memcpy (l.p.p + d * 4 * D, l.p.p, 4 * D * sizeof (float));
    }
  float x[H * W * K], xf[H * W * K];
  for (int i = 0; i < H * W * K; i++)
    x[i] = lectern_rng_normal (&rng);
  /* xf = x flipped horizontally */
  for (int r = 0; r < H; r++)
    for (int q = 0; q < W; q++)
      memcpy (xf + (r * W + q) * K, x + (r * W + (W - 1 - q)) * K, K * sizeof (float));
  State a, b;
  state_init (&a, H, W, D);
  state_init (&b, H, W, D);
  LecternMdlstmScratch scratch = { 0 };
  lectern_mdlstm_forward (&l.p, x, H, W, &a.st, &scratch, NULL);
  lectern_mdlstm_forward (&l.p, xf, H, W, &b.st, &scratch, NULL);
  /* direction 1 on x at (r, q) equals direction 0 on xf at (r, W-1-q) */
  for (int r = 0; r < H; r++)
    for (int q = 0; q < W; q++)
      for (int j = 0; j < D; j++)
        g_assert_cmpfloat_with_epsilon (a.h[(r * W + q) * 4 * D + 1 * D + j],
                                        b.h[(r * W + (W - 1 - q)) * 4 * D + 0 * D + j], 1e-6);
  state_clear (&a);
  state_clear (&b);
  lectern_mdlstm_scratch_clear (&scratch);
  g_free (l.arena);
}

static void
with_path_oracle (gconstpointer path)
{
  lectern_mdlstm_force_path (GPOINTER_TO_INT (path));
  test_oracle ();
  lectern_mdlstm_force_path (LECTERN_MDLSTM_AUTO);
}

static void
with_path_fd (gconstpointer path)
{
  lectern_mdlstm_force_path (GPOINTER_TO_INT (path));
  test_finite_differences ();
  lectern_mdlstm_force_path (LECTERN_MDLSTM_AUTO);
}

static void
with_path_symmetry (gconstpointer path)
{
  lectern_mdlstm_force_path (GPOINTER_TO_INT (path));
  test_direction_symmetry ();
  lectern_mdlstm_force_path (LECTERN_MDLSTM_AUTO);
}

/* The two implementations agree on a larger random layer, outputs and every gradient. */
static void
test_paths_agree (void)
{
  const int H = 9, W = 23, K = 5, D = 6;
  LecternRng rng;
  lectern_rng_init (&rng, 21);
  Layer l;
  layer_init (&l, K, D);
  for (gsize i = 0; i < layer_size (&l); i++)
    l.arena[i] = lectern_rng_normal (&rng) * 0.4f;
  const gsize HW = (gsize) H * W;
  g_autofree float *x = g_new (float, HW * K);
  g_autofree float *dh = g_new (float, HW * 4 * D);
  for (gsize i = 0; i < HW * K; i++)
    x[i] = lectern_rng_normal (&rng);
  for (gsize i = 0; i < HW * 4 * D; i++)
    dh[i] = lectern_rng_normal (&rng);
  float *h[2], *dx[2], *grad[2];
  for (int path = 0; path < 2; path++)
    {
      lectern_mdlstm_force_path (path == 0 ? LECTERN_MDLSTM_CELLS : LECTERN_MDLSTM_DIAGONALS);
      State s;
      state_init (&s, H, W, D);
      LecternMdlstmScratch scratch = { 0 };
      Layer g;
      layer_init (&g, K, D);
      lectern_mdlstm_forward (&l.p, x, H, W, &s.st, &scratch, NULL);
      dx[path] = g_new (float, HW * K);
      lectern_mdlstm_backward (&l.p, &g.p, x, H, W, &s.st, dh, dx[path], &scratch, NULL);
      h[path] = g_memdup2 (s.h, HW * 4 * D * sizeof (float));
      grad[path] = g.arena;
      state_clear (&s);
      lectern_mdlstm_scratch_clear (&scratch);
    }
  lectern_mdlstm_force_path (LECTERN_MDLSTM_AUTO);
  double worst = 0;
  for (gsize i = 0; i < HW * 4 * D; i++)
    worst = MAX (worst, fabs (h[0][i] - h[1][i]));
  for (gsize i = 0; i < HW * K; i++)
    worst = MAX (worst, fabs (dx[0][i] - dx[1][i]) / MAX (1.0, fabs (dx[0][i])));
  for (gsize i = 0; i < layer_size (&l); i++)
    worst = MAX (worst, fabs (grad[0][i] - grad[1][i]) / MAX (1.0, fabs (grad[0][i])));
  g_test_message ("cells vs diagonals: worst difference %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-4);
  for (int path = 0; path < 2; path++)
    {
      g_free (h[path]);
      g_free (dx[path]);
      g_free (grad[path]);
    }
  g_free (l.arena);
}

/* The oracle again with the portable kernels, where the processor would choose AVX2. */
static void
with_path_oracle_portable (gconstpointer path)
{
  gboolean has_avx2 = lectern_kernels_use_avx2 (FALSE);
  with_path_oracle (path);
  lectern_kernels_use_avx2 (TRUE);
  if (!has_avx2)
    g_test_message ("the processor has no AVX2 and FMA: the portable kernels were in use anyway");
}

/* Runs the cell update on random inputs of m elements (per-element and shared peepholes) and n
 * cells of D units (batch) into out; inputs come from a fixed seed. */
static void
run_cells (gsize m, gsize n, gsize D, float *out)
{
  LecternRng rng;
  lectern_rng_init (&rng, 1000 + m + 7 * n + 31 * D);
  float g[5][64], c1[64], c2[64], p[4][64], c[64], tc[64], h[64];
  for (gsize k = 0; k < m; k++)
    {
      for (int j = 0; j < 5; j++)
        g[j][k] = 3.0f * lectern_rng_normal (&rng);
      for (int j = 0; j < 4; j++)
        p[j][k] = lectern_rng_normal (&rng);
      c1[k] = 4.0f * lectern_rng_normal (&rng);
      c2[k] = 4.0f * lectern_rng_normal (&rng);
    }
  /* a cell state at the clamp and huge pre-activations */
  c1[0] = 60.0f;
  g[3][m - 1] = 200.0f;
  lectern_lstm_cells_forward (m, g[0], g[1], g[2], g[3], g[4], c1, c2, p[0], p[1], p[2], p[3],
                              c, tc, h);
  float *o = out;
  for (int j = 0; j < 5; j++)
    o = (float *) memcpy (o, g[j], m * sizeof (float)) + m;
  o = (float *) memcpy (o, c, m * sizeof (float)) + m;
  o = (float *) memcpy (o, tc, m * sizeof (float)) + m;
  o = (float *) memcpy (o, h, m * sizeof (float)) + m;
  /* the same inputs again, one peephole value for all */
  lectern_rng_init (&rng, 2000 + m);
  for (gsize k = 0; k < m; k++)
    for (int j = 0; j < 5; j++)
      g[j][k] = 3.0f * lectern_rng_normal (&rng);
  const float ps[4] = { 0.5f, -0.25f, 0.75f, -1.0f };
  lectern_lstm_cells_forward_scalar (m, g[0], g[1], g[2], g[3], g[4], c1, c2, ps, c, tc, h);
  for (int j = 0; j < 5; j++)
    o = (float *) memcpy (o, g[j], m * sizeof (float)) + m;
  o = (float *) memcpy (o, h, m * sizeof (float)) + m;
  /* n cells of D units, gates at a stride of 5D + 3, states at a stride of D + 1, the
   * predecessors anywhere */
  const gsize as = 5 * D + 3, ss = D + 1;
  g_autofree float *a = g_new (float, n * as), *cs = g_new0 (float, n * ss);
  g_autofree float *tcs = g_new0 (float, n * ss), *hs = g_new0 (float, n * ss);
  g_autofree float *pred = g_new (float, 2 * n * D), *pp = g_new (float, 4 * D);
  g_autofree float *bias = g_new (float, 5 * D);
  for (gsize i = 0; i < 5 * D; i++)
    bias[i] = lectern_rng_normal (&rng);
  g_autofree const float **p1 = g_new (const float *, n), **p2 = g_new (const float *, n);
  for (gsize i = 0; i < n * as; i++)
    a[i] = 2.0f * lectern_rng_normal (&rng);
  for (gsize i = 0; i < 2 * n * D; i++)
    pred[i] = 2.0f * lectern_rng_normal (&rng);
  for (gsize i = 0; i < 4 * D; i++)
    pp[i] = lectern_rng_normal (&rng);
  for (gsize k = 0; k < n; k++)
    {
      p1[k] = pred + (n - 1 - k) * D;
      p2[k] = pred + (n + k) * D;
    }
  lectern_lstm_cells_forward_batch (n, D, a, (gssize) as, bias, p1, p2, pp, cs, tcs, hs,
                                    (gssize) ss);
  o = (float *) memcpy (o, a, n * as * sizeof (float)) + n * as;
  o = (float *) memcpy (o, cs, n * ss * sizeof (float)) + n * ss;
  o = (float *) memcpy (o, hs, n * ss * sizeof (float)) + n * ss;
}

/* The AVX2 cell update gives the portable loop's results (up to rounding) for every length,
 * whole vectors and masked tails, and writes nothing beyond them; the AVX-512 one gives exactly
 * the AVX2 results (the same operations per lane). */
static void
test_kernels_agree (void)
{
  if (!lectern_kernels_use_avx2 (TRUE))
    {
      g_test_skip ("this processor has no AVX2 and FMA: only the portable kernels exist here");
      return;
    }
  const gboolean has_avx512 = lectern_kernels_use_avx512 (TRUE);
  double worst = 0;
  for (gsize m = 1; m <= 37; m++)
    {
      const gsize n = 1 + m % 5, D = m;
      const gsize len = 8 * m + 6 * m + n * (5 * D + 3) + 2 * n * (D + 1);
      g_autofree float *ref = g_new (float, len), *fast = g_new (float, len);
      g_autofree float *wide = g_new (float, len);
      lectern_kernels_use_avx2 (FALSE);
      run_cells (m, n, D, ref);
      lectern_kernels_use_avx2 (TRUE);
      lectern_kernels_use_avx512 (FALSE);
      run_cells (m, n, D, fast);
      lectern_kernels_use_avx512 (TRUE);
      run_cells (m, n, D, wide);
      for (gsize i = 0; i < len; i++)
        {
          g_assert_true (isfinite (fast[i]));
          worst = MAX (worst, fabs (fast[i] - ref[i]) / MAX (1.0, fabs (ref[i])));
        }
      if (has_avx512)
        g_assert_cmpmem (wide, len * sizeof (float), fast, len * sizeof (float));
    }
  g_test_message ("AVX2 vs portable cell update: worst difference %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-5);
  if (!has_avx512)
    g_test_message ("no AVX-512 here: only the AVX2 and portable cell updates were compared");
}

/* c (n × m, row stride ldc) += a (n × k, stride lda) · b (k × m) with the given kernels; the
 * columns of c beyond m hold a marker that must survive. */
static void
run_gemm (gsize n, gsize k, gsize m, const float *a, const float *b, const float *c0, float *c)
{
  const gsize lda = k + 3, ldc = m + 5;
  memcpy (c, c0, n * ldc * sizeof (float));
  lectern_gemm_acc_small (n, k, m, a, (gssize) lda, b, c, (gssize) ldc);
  for (gsize i = 0; i < n; i++)
    for (gsize j = m; j < ldc; j++)
      g_assert_cmpfloat (c[i * ldc + j], ==, -7.0f);
}

/* The small products of the recurrence: every kernel against a float64 sum, over shapes with
 * whole blocks, partial blocks and odd rows, writing nothing beyond the m columns; AVX-512 gives
 * the AVX2 clone's bits (the same chain of FMAs for each output). */
static void
test_gemm_small_agree (void)
{
  static const gsize ns[] = { 1, 2, 3, 5, 8 }, ks[] = { 1, 10, 50 };
  static const gsize ms[] = { 1, 2, 7, 8, 15, 16, 17, 31, 50, 63, 64, 65, 130, 250 };
  const gboolean has_avx2 = lectern_kernels_use_avx2 (TRUE);
  const gboolean has_avx512 = lectern_kernels_use_avx512 (TRUE);
  LecternRng rng;
  lectern_rng_init (&rng, 77);
  double worst = 0;
  for (guint in = 0; in < G_N_ELEMENTS (ns); in++)
    for (guint ik = 0; ik < G_N_ELEMENTS (ks); ik++)
      for (guint im = 0; im < G_N_ELEMENTS (ms); im++)
        {
          const gsize n = ns[in], k = ks[ik], m = ms[im], lda = k + 3, ldc = m + 5;
          g_autofree float *a = g_new (float, n * lda), *b = g_new (float, k * m);
          g_autofree float *c0 = g_new (float, n * ldc);
          g_autofree float *portable = g_new (float, n * ldc), *avx2 = g_new (float, n * ldc);
          g_autofree float *avx512 = g_new (float, n * ldc);
          for (gsize i = 0; i < n * lda; i++)
            a[i] = lectern_rng_normal (&rng);
          for (gsize i = 0; i < k * m; i++)
            b[i] = lectern_rng_normal (&rng);
          for (gsize i = 0; i < n; i++)
            for (gsize j = 0; j < ldc; j++)
              c0[i * ldc + j] = j < m ? lectern_rng_normal (&rng) : -7.0f;
          lectern_kernels_use_avx2 (FALSE);
          run_gemm (n, k, m, a, b, c0, portable);
          lectern_kernels_use_avx2 (TRUE);
          lectern_kernels_use_avx512 (FALSE);
          run_gemm (n, k, m, a, b, c0, avx2);
          lectern_kernels_use_avx512 (TRUE);
          run_gemm (n, k, m, a, b, c0, avx512);
          for (gsize i = 0; i < n; i++)
            for (gsize j = 0; j < m; j++)
              {
                double sum = c0[i * ldc + j], mag = fabs (sum);
                for (gsize t = 0; t < k; t++)
                  {
                    sum += (double) a[i * lda + t] * b[t * m + j];
                    mag += fabs ((double) a[i * lda + t] * b[t * m + j]);
                  }
                worst = MAX (worst, fabs (portable[i * ldc + j] - sum) / MAX (1.0, mag));
                worst = MAX (worst, fabs (avx2[i * ldc + j] - sum) / MAX (1.0, mag));
                worst = MAX (worst, fabs (avx512[i * ldc + j] - sum) / MAX (1.0, mag));
              }
#ifdef LECTERN_HAVE_CLONES
          /* the AVX2 products are the x86-64-v3 clone's (FMA); without clones (sanitizer
           * builds) they are baseline SSE, a multiply and an add, and round differently */
          if (has_avx512)
            g_assert_cmpmem (avx512, n * ldc * sizeof (float), avx2, n * ldc * sizeof (float));
#endif
        }
  g_test_message ("small products against float64: worst relative difference %.3g (AVX2 %s, "
                  "AVX-512 %s)", worst, has_avx2 ? "compared" : "absent",
                  has_avx512 ? "compared" : "absent");
  g_assert_cmpfloat (worst, <, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* each test runs once per implementation */
  static const struct { const char *name; LecternMdlstmPath path; } paths[] = {
    { "cells", LECTERN_MDLSTM_CELLS }, { "diagonals", LECTERN_MDLSTM_DIAGONALS },
  };
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *a = g_strdup_printf ("/Lectern/Mdlstm/%s/oracle", paths[i].name);
      g_autofree char *b = g_strdup_printf ("/Lectern/Mdlstm/%s/finite-differences", paths[i].name);
      g_autofree char *c = g_strdup_printf ("/Lectern/Mdlstm/%s/direction-symmetry", paths[i].name);
      g_test_add_data_func (a, GINT_TO_POINTER (paths[i].path), with_path_oracle);
      g_test_add_data_func (b, GINT_TO_POINTER (paths[i].path), with_path_fd);
      g_test_add_data_func (c, GINT_TO_POINTER (paths[i].path), with_path_symmetry);
      g_autofree char *d = g_strdup_printf ("/Lectern/Mdlstm/%s/oracle-portable-kernels",
                                            paths[i].name);
      g_test_add_data_func (d, GINT_TO_POINTER (paths[i].path), with_path_oracle_portable);
    }
  g_test_add_func ("/Lectern/Mdlstm/kernels-agree", test_kernels_agree);
  g_test_add_func ("/Lectern/Mdlstm/gemm-small-agree", test_gemm_small_agree);
  g_test_add_func ("/Lectern/Mdlstm/paths-agree", test_paths_agree);
  return g_test_run ();
}
