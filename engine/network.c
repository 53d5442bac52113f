/* network.c — the recognizer network: parameters, workspace, forward and backward passes.
 *
 *   image   H0 × W0                         normalised grey line
 *   x[0]    H0/2 × W0/2 × 4                 2×2 tiles
 *   h[l]    H_l × W_l × 4D_l                MDLSTM, four directions side by side
 *   y[l]    = h[l] ⊙ dropout mask           (training only)
 *   x[l+1]  H_l/sh × W_l/sw × F_l           subsampling, tanh
 *   s       W_L × N                         fully connected, summed over directions and rows
 */
#include "network.h"
#include "error.h"
#include "kernels.h"
#include "layers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
lectern_arch_default (LecternArch *arch, int n_classes)
{
  memset (arch, 0, sizeof *arch);
  arch->input_height = 64;
  arch->input_mean = 0.0f;
  arch->input_std = 1.0f;
  arch->tile_h = 2;
  arch->tile_w = 2;
  arch->n_layers = 3;
  arch->units[0] = 2;
  arch->units[1] = 10;
  arch->units[2] = 50;
  arch->sub_h[0] = arch->sub_h[1] = 4;
  arch->sub_w[0] = arch->sub_w[1] = 2;
  arch->sub_features[0] = 6;
  arch->sub_features[1] = 20;
  arch->n_classes = n_classes;
}

gboolean
lectern_arch_parse (LecternArch *arch, const char *spec, GError **error)
{
  LecternArch a;
  memset (&a, 0, sizeof a);
  a.input_std = 1.0f;
  a.n_classes = 2;
  a.tile_h = a.tile_w = 2;
  a.input_height = 64;
  int n_sub = 0;
  g_auto (GStrv) tokens = g_strsplit_set (spec, " ,", -1);
  for (int i = 0; tokens[i]; i++)
    {
      const char *t = tokens[i];
      int x = 0, y = 0, z = 0;
      char extra;
      if (t[0] == '\0')
        continue;
      if (sscanf (t, "h%d%c", &x, &extra) == 1)
        a.input_height = x;
      else if (sscanf (t, "t%dx%d%c", &x, &y, &extra) == 2)
        {
          a.tile_h = x;
          a.tile_w = y;
        }
      else if (sscanf (t, "l%d%c", &x, &extra) == 1 && a.n_layers < LECTERN_MAX_LAYERS
               && n_sub == a.n_layers)
        a.units[a.n_layers++] = x;
      else if (sscanf (t, "s%dx%dx%d%c", &x, &y, &z, &extra) == 3 && a.n_layers > 0
               && n_sub == a.n_layers - 1)
        {
          a.sub_h[n_sub] = x;
          a.sub_w[n_sub] = y;
          a.sub_features[n_sub] = z;
          n_sub++;
        }
      else
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                       "Architecture “%s”: cannot use “%s” here (expected hN, tHxW, then lN "
                       "layers with one sHxWxF between each two)", spec, t);
          return FALSE;
        }
    }
  if (a.n_layers == 0 || n_sub != a.n_layers - 1)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "Architecture “%s” needs at least one layer and one subsampling between each two",
                   spec);
      return FALSE;
    }
  if (!lectern_arch_validate (&a, error))
    return FALSE;
  *arch = a;
  return TRUE;
}

char *
lectern_arch_to_string (const LecternArch *a)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "h%d t%dx%d", a->input_height, a->tile_h, a->tile_w);
  for (int l = 0; l < a->n_layers; l++)
    {
      g_string_append_printf (s, " l%d", a->units[l]);
      if (l < a->n_layers - 1)
        g_string_append_printf (s, " s%dx%dx%d", a->sub_h[l], a->sub_w[l], a->sub_features[l]);
    }
  return g_string_free (s, FALSE);
}

gboolean
lectern_arch_validate (const LecternArch *a, GError **error)
{
#define CHECK(cond, ...) \
  if (!(cond)) { g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID, __VA_ARGS__); return FALSE; }
  CHECK (a->input_height >= 1 && a->input_height <= 1024, "input height %d is out of range 1–1024", a->input_height);
  CHECK (isfinite (a->input_mean) && isfinite (a->input_std) && a->input_std > 1e-6f && a->input_std < 1e6f,
         "input normalisation (mean %g, std %g) is invalid", a->input_mean, a->input_std);
  CHECK (a->tile_h >= 1 && a->tile_h <= 16 && a->tile_w >= 1 && a->tile_w <= 16,
         "tile %d×%d is out of range 1–16", a->tile_h, a->tile_w);
  CHECK (a->n_layers >= 1 && a->n_layers <= LECTERN_MAX_LAYERS, "%d layers: must be 1–%d",
         a->n_layers, LECTERN_MAX_LAYERS);
  for (int l = 0; l < a->n_layers; l++)
    {
      CHECK (a->units[l] >= 1 && a->units[l] <= 512, "layer %d has %d units: must be 1–512", l + 1, a->units[l]);
      if (l < a->n_layers - 1)
        {
          CHECK (a->sub_h[l] >= 1 && a->sub_h[l] <= 16 && a->sub_w[l] >= 1 && a->sub_w[l] <= 16,
                 "subsampling window %d×%d after layer %d is out of range 1–16", a->sub_h[l], a->sub_w[l], l + 1);
          CHECK (a->sub_features[l] >= 1 && a->sub_features[l] <= 1024,
                 "subsampling after layer %d has %d features: must be 1–1024", l + 1, a->sub_features[l]);
        }
    }
  CHECK (a->n_classes >= 2 && a->n_classes <= 65536, "%d classes: must be 2–65536", a->n_classes);
  CHECK (lectern_arch_n_params (a) <= ((gsize) 1 << 28), "the network would have %zu parameters",
         lectern_arch_n_params (a));
#undef CHECK
  return TRUE;
}

/* Input depth of layer l. */
static int
layer_input_depth (const LecternArch *a, int l)
{
  return l == 0 ? a->tile_h * a->tile_w : a->sub_features[l - 1];
}

/* Walks the layout once; with arena == NULL only counts. */
static gsize
layout (const LecternArch *a, float *arena, LecternParamView *v)
{
  gsize at = 0;
#define TAKE(ptr, n) do { if (arena) (ptr) = arena + at; at += (n); } while (0)
  for (int l = 0; l < a->n_layers; l++)
    {
      const gsize K = layer_input_depth (a, l), D = a->units[l];
      LecternMdlstmParams dummy, *p = v ? &v->lstm[l] : &dummy;
      p->K = (int) K;
      p->D = (int) D;
      TAKE (p->wx, K * 20 * D);
      TAKE (p->b, 20 * D);
      TAKE (p->u, 4 * 2 * D * 5 * D);
      TAKE (p->p, 4 * 4 * D);
      if (l < a->n_layers - 1)
        {
          float *dummy_sub, **sub = v ? &v->sub[l] : &dummy_sub;
          TAKE (*sub, (gsize) a->sub_h[l] * a->sub_w[l] * 4 * D * a->sub_features[l]);
        }
    }
  const gsize Dl = a->units[a->n_layers - 1];
  float *dummy_w, *dummy_b, **fc_w = v ? &v->fc_w : &dummy_w, **fc_b = v ? &v->fc_b : &dummy_b;
  TAKE (*fc_w, 4 * Dl * a->n_classes);
  TAKE (*fc_b, a->n_classes);
#undef TAKE
  return at;
}

gsize
lectern_arch_n_params (const LecternArch *arch)
{
  return layout (arch, NULL, NULL);
}

void
lectern_arch_reduction (const LecternArch *a, int *rh, int *rw)
{
  int h = a->tile_h, w = a->tile_w;
  for (int l = 0; l < a->n_layers - 1; l++)
    {
      h *= a->sub_h[l];
      w *= a->sub_w[l];
    }
  *rh = h;
  *rw = w;
}

void
lectern_param_view_bind (const LecternArch *arch, float *arena, LecternParamView *view)
{
  memset (view, 0, sizeof *view);
  layout (arch, arena, view);
}

LecternNetwork *
lectern_network_new (const LecternArch *arch)
{
  LecternNetwork *net = g_new0 (LecternNetwork, 1);
  net->arch = *arch;
  net->n_params = lectern_arch_n_params (arch);
  net->params = g_new0 (float, net->n_params);
  lectern_param_view_bind (arch, net->params, &net->view);
  return net;
}

LecternNetwork *
lectern_network_copy (const LecternNetwork *net)
{
  LecternNetwork *copy = lectern_network_new (&net->arch);
  memcpy (copy->params, net->params, net->n_params * sizeof (float));
  return copy;
}

void
lectern_network_free (LecternNetwork *net)
{
  if (net == NULL)
    return;
  g_free (net->params);
  g_free (net);
}

static void
fill_uniform (LecternRng *rng, float *w, gsize n, float limit)
{
  for (gsize i = 0; i < n; i++)
    w[i] = (2.0f * lectern_rng_uniform (rng) - 1.0f) * limit;
}

void
lectern_network_init_random (LecternNetwork *net, guint64 seed)
{
  LecternRng rng;
  lectern_rng_init (&rng, seed);
  const LecternArch *a = &net->arch;
  LecternParamView *v = &net->view;
  memset (net->params, 0, net->n_params * sizeof (float));
  for (int l = 0; l < a->n_layers; l++)
    {
      LecternMdlstmParams *p = &v->lstm[l];
      const int K = p->K, D = p->D;
      /* each gate sees K inputs and 2D recurrent values */
      float limit = sqrtf (6.0f / (K + 2 * D + 5 * D));
      fill_uniform (&rng, p->wx, (gsize) K * 20 * D, limit);
      fill_uniform (&rng, p->u, 4 * 2 * (gsize) D * 5 * D, limit);
      fill_uniform (&rng, p->p, 16 * (gsize) D, 0.1f);
      /* Forget-gate biases start at −1 (each gate ≈ 0.27), so f1 + f2 < 1 with room to spare.
       * Where f1 + f2 > 1 (as with the usual +1 bias of 1D LSTMs, or even 0 with unlucky
       * weights) c and its gradient grow geometrically along every path of the 2D scan and
       * overflow float on a line of a few hundred columns. */
      for (int d = 0; d < 4; d++)
        for (int j = 0; j < 2 * D; j++)
          p->b[d * 5 * D + D + j] = -1.0f;
      if (l < a->n_layers - 1)
        {
          gsize fan_in = (gsize) a->sub_h[l] * a->sub_w[l] * 4 * D;
          fill_uniform (&rng, v->sub[l], fan_in * a->sub_features[l],
                        sqrtf (6.0f / (fan_in + a->sub_features[l])));
        }
    }
  const gsize C = 4 * (gsize) a->units[a->n_layers - 1];
  fill_uniform (&rng, v->fc_w, C * a->n_classes, sqrtf (6.0f / (C + a->n_classes)));
}

/* ---- widening ------------------------------------------------------------------------- */

/* arch with the input normalisation and the classes of from: those stay the network's own,
 * whatever arch says. */
static LecternArch
widened_arch (const LecternArch *from, const LecternArch *arch)
{
  LecternArch wide = *arch;
  wide.input_mean = from->input_mean;
  wide.input_std = from->input_std;
  wide.n_classes = from->n_classes;
  return wide;
}

gboolean
lectern_arch_check_widening (const LecternArch *from, const LecternArch *arch, GError **error)
{
  const LecternArch wide = widened_arch (from, arch), *to = &wide;
  gboolean same_shape = from->input_height == to->input_height && from->tile_h == to->tile_h
                        && from->tile_w == to->tile_w && from->n_layers == to->n_layers;
  for (int l = 0; same_shape && l < from->n_layers; l++)
    {
      same_shape = to->units[l] >= from->units[l];
      if (same_shape && l < from->n_layers - 1)
        same_shape = from->sub_h[l] == to->sub_h[l] && from->sub_w[l] == to->sub_w[l]
                     && to->sub_features[l] >= from->sub_features[l];
    }
  if (!same_shape)
    {
      g_autofree char *a = lectern_arch_to_string (from), *b = lectern_arch_to_string (to);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "The network “%s” cannot be widened to “%s”: only units and features can grow "
                   "(the input height, tiles, layers and windows must stay the same)", a, b);
      return FALSE;
    }
  return lectern_arch_validate (to, error);
}

LecternNetwork *
lectern_network_widen (const LecternNetwork *from, const LecternArch *arch, guint64 seed,
                       GError **error)
{
  if (!lectern_arch_check_widening (&from->arch, arch, error))
    return NULL;
  const LecternArch a = widened_arch (&from->arch, arch);

  /* start from a random network of the new shape: the new units' incoming weights, their
   * peepholes and forget-gate biases are then what a new network would have */
  LecternNetwork *net = lectern_network_new (&a);
  lectern_network_init_random (net, seed);
  const LecternParamView *o = &from->view;
  LecternParamView *n = &net->view;
  for (int l = 0; l < a.n_layers; l++)
    {
      const int Ko = o->lstm[l].K, Do = o->lstm[l].D, Kn = n->lstm[l].K, Dn = n->lstm[l].D;
      /* input weights: K × [d][gate][unit]; a new input feature feeds no old unit */
      for (int k = 0; k < Kn; k++)
        for (int dg = 0; dg < 20; dg++)
          for (int j = 0; j < Do; j++)
            n->lstm[l].wx[(gsize) k * 20 * Dn + (gsize) dg * Dn + j] =
              k < Ko ? o->lstm[l].wx[(gsize) k * 20 * Do + (gsize) dg * Do + j] : 0.0f;
      for (int dg = 0; dg < 20; dg++)
        for (int j = 0; j < Do; j++)
          n->lstm[l].b[dg * Dn + j] = o->lstm[l].b[dg * Do + j];
      /* recurrent weights per direction: rows [U1 over the units; U2 over the units], columns
       * [gate][unit]; a new unit's state feeds no old unit */
      for (int d = 0; d < 4; d++)
        for (int r = 0; r < 2 * Dn; r++)
          {
            const int which = r / Dn, src = r % Dn;
            for (int g = 0; g < 5; g++)
              for (int j = 0; j < Do; j++)
                n->lstm[l].u[(gsize) d * 2 * Dn * 5 * Dn + (gsize) r * 5 * Dn + g * Dn + j] =
                  src < Do ? o->lstm[l].u[(gsize) d * 2 * Do * 5 * Do
                                          + (gsize) (which * Do + src) * 5 * Do + g * Do + j]
                           : 0.0f;
          }
      for (int dq = 0; dq < 16; dq++)
        for (int j = 0; j < Do; j++)
          n->lstm[l].p[dq * Dn + j] = o->lstm[l].p[dq * Do + j];
      if (l < a.n_layers - 1)
        {
          /* subsampling: rows [window cell][direction][unit], columns features; a new unit
           * feeds no old feature */
          const int Fo = from->arch.sub_features[l], Fn = a.sub_features[l];
          const int cells = a.sub_h[l] * a.sub_w[l];
          for (int c = 0; c < cells; c++)
            for (int d = 0; d < 4; d++)
              for (int j = 0; j < Dn; j++)
                for (int f = 0; f < Fo; f++)
                  n->sub[l][((gsize) c * 4 * Dn + d * Dn + j) * Fn + f] =
                    j < Do ? o->sub[l][((gsize) c * 4 * Do + d * Do + j) * Fo + f] : 0.0f;
        }
    }
  /* output layer: rows [direction][unit]; a new unit feeds no class */
  const int Do = from->arch.units[a.n_layers - 1], Dn = a.units[a.n_layers - 1], N = a.n_classes;
  for (int d = 0; d < 4; d++)
    for (int j = 0; j < Dn; j++)
      for (int c = 0; c < N; c++)
        n->fc_w[((gsize) d * Dn + j) * N + c] =
          j < Do ? o->fc_w[((gsize) d * Do + j) * N + c] : 0.0f;
  memcpy (n->fc_b, o->fc_b, (gsize) N * sizeof (float));
  return net;
}

double
lectern_network_flops (const LecternArch *a, int width)
{
  int H = (a->input_height + a->tile_h - 1) / a->tile_h, W = (width + a->tile_w - 1) / a->tile_w;
  double flops = 0;
  for (int l = 0; l < a->n_layers; l++)
    {
      const int K = layer_input_depth (a, l), D = a->units[l];
      flops += lectern_mdlstm_flops (K, D, H, W);
      if (l < a->n_layers - 1)
        {
          int Ho = (H + a->sub_h[l] - 1) / a->sub_h[l], Wo = (W + a->sub_w[l] - 1) / a->sub_w[l];
          flops += 2.0 * Ho * Wo * a->sub_h[l] * a->sub_w[l] * 4 * D * a->sub_features[l];
          H = Ho;
          W = Wo;
        }
      else
        flops += 2.0 * W * 4 * D * a->n_classes;
    }
  return flops;
}

void
lectern_network_normalize (const LecternArch *arch, const guint8 *pixels, gsize n, float *out)
{
  const float scale = 1.0f / (255.0f * arch->input_std), shift = arch->input_mean / arch->input_std;
  for (gsize i = 0; i < n; i++)
    out[i] = pixels[i] * scale - shift;
}

/* ---- workspace ---------------------------------------------------------------------- */

struct _LecternWorkspace {
  /* sizes of the last forward pass */
  int   n_layers, T, N;
  int   H[LECTERN_MAX_LAYERS], W[LECTERN_MAX_LAYERS], K[LECTERN_MAX_LAYERS], D[LECTERN_MAX_LAYERS];
  gboolean dropout;

  float *arena;
  gsize  arena_size;
  float *x[LECTERN_MAX_LAYERS];        /* layer inputs */
  LecternMdlstmState st[LECTERN_MAX_LAYERS];
  float *mask[LECTERN_MAX_LAYERS];
  float *ybuf[LECTERN_MAX_LAYERS];     /* room for the outputs after dropout */
  float *y[LECTERN_MAX_LAYERS];        /* outputs after dropout: ybuf, or st.h without dropout */
  float *patches[LECTERN_MAX_LAYERS];  /* subsampling after layer l */
  float *colsum, *scores;
  float *grad_a, *grad_b;              /* ping-pong buffers for the backward pass */

  LecternMdlstmScratch scratch;

  /* direction parallelism */
  int          n_threads;
  GThreadPool *pool;
  GMutex       lock;
  GCond        done_cond;
  int          pending;
  LecternParallel par;
};

typedef struct {
  LecternWorkspace *ws;
  void (*fn) (gpointer, int);
  gpointer data;
  int d0, d1;
} DirectionTask;

static void
direction_task_run (gpointer task_data, gpointer pool_data)
{
  DirectionTask *t = task_data;
  const guint fp = lectern_fp_flush_subnormals ();
  for (int d = t->d0; d < t->d1; d++)
    t->fn (t->data, d);
  lectern_fp_restore (fp);
  g_mutex_lock (&t->ws->lock);
  t->ws->pending--;
  g_cond_signal (&t->ws->done_cond);
  g_mutex_unlock (&t->ws->lock);
}

/* Directions 2 and 3 go to the pool's thread (when 2 threads), 0 and 1 run here. */
static void
for_each_direction (void (*fn) (gpointer, int), gpointer data, gpointer user_data)
{
  LecternWorkspace *ws = user_data;
  const int nt = MIN (ws->n_threads, 4);
  DirectionTask tasks[4];
  const int per = 4 / nt;
  ws->pending = nt - 1;
  for (int t = 1; t < nt; t++)
    {
      tasks[t] = (DirectionTask) { ws, fn, data, t * per, t == nt - 1 ? 4 : (t + 1) * per };
      g_thread_pool_push (ws->pool, &tasks[t], NULL);
    }
  for (int d = 0; d < per; d++)
    fn (data, d);
  g_mutex_lock (&ws->lock);
  while (ws->pending > 0)
    g_cond_wait (&ws->done_cond, &ws->lock);
  g_mutex_unlock (&ws->lock);
}

LecternWorkspace *
lectern_workspace_new (void)
{
  LecternWorkspace *ws = g_new0 (LecternWorkspace, 1);
  ws->n_threads = 1;
  g_mutex_init (&ws->lock);
  g_cond_init (&ws->done_cond);
  return ws;
}

void
lectern_workspace_set_threads (LecternWorkspace *ws, int n_threads)
{
  n_threads = CLAMP (n_threads, 1, 4);
  if (n_threads == 3)
    n_threads = 2;  /* four directions split evenly */
  if (ws->pool != NULL)
    {
      g_thread_pool_free (ws->pool, FALSE, TRUE);
      ws->pool = NULL;
    }
  ws->n_threads = n_threads;
  if (n_threads > 1)
    {
      ws->pool = g_thread_pool_new (direction_task_run, NULL, n_threads - 1, TRUE, NULL);
      ws->par.for_each = for_each_direction;
      ws->par.user_data = ws;
    }
  else
    ws->par.for_each = NULL;
}

void
lectern_workspace_free (LecternWorkspace *ws)
{
  if (ws == NULL)
    return;
  if (ws->pool != NULL)
    g_thread_pool_free (ws->pool, FALSE, TRUE);
  lectern_mdlstm_scratch_clear (&ws->scratch);
  g_mutex_clear (&ws->lock);
  g_cond_clear (&ws->done_cond);
  g_free (ws->arena);
  g_free (ws);
}

/* Lays out every buffer for an input of this width; with base == NULL only counts. */
static gsize
workspace_layout (LecternWorkspace *ws, const LecternArch *a, int width, float *base)
{
  gsize at = 0;
  gsize grad_max = 0;
#define TAKE(ptr, n) do { gsize n_ = (n); if (base) (ptr) = base + at; at += (n_ + 15) & ~(gsize) 15; } while (0)
  int H = (a->input_height + a->tile_h - 1) / a->tile_h, W = (width + a->tile_w - 1) / a->tile_w;
  for (int l = 0; l < a->n_layers; l++)
    {
      const int K = layer_input_depth (a, l), D = a->units[l];
      const gsize HW = (gsize) H * W;
      ws->H[l] = H;
      ws->W[l] = W;
      ws->K[l] = K;
      ws->D[l] = D;
      TAKE (ws->x[l], HW * K);
      TAKE (ws->st[l].store, lectern_mdlstm_store_size (H, W, D));
      TAKE (ws->st[l].h, HW * 4 * D);
      TAKE (ws->mask[l], HW * 4 * D);
      TAKE (ws->ybuf[l], HW * 4 * D);
      grad_max = MAX (grad_max, MAX (HW * 4 * D, HW * K));
      if (l < a->n_layers - 1)
        {
          const int Ho = (H + a->sub_h[l] - 1) / a->sub_h[l], Wo = (W + a->sub_w[l] - 1) / a->sub_w[l];
          TAKE (ws->patches[l], (gsize) Ho * Wo * a->sub_h[l] * a->sub_w[l] * 4 * D);
          H = Ho;
          W = Wo;
        }
    }
  const int DL = a->units[a->n_layers - 1];
  TAKE (ws->colsum, (gsize) W * 4 * DL);
  TAKE (ws->scores, (gsize) W * a->n_classes);
  grad_max = MAX (grad_max, (gsize) W * a->n_classes);
  TAKE (ws->grad_a, grad_max);
  TAKE (ws->grad_b, grad_max);
  ws->T = W;
  ws->N = a->n_classes;
  ws->n_layers = a->n_layers;
#undef TAKE
  return at;
}

int
lectern_network_forward (const LecternNetwork *net, LecternWorkspace *ws, const float *image,
                         int width, float dropout, LecternRng *rng, const float **scores)
{
  const LecternArch *a = &net->arch;
  g_return_val_if_fail (width > 0, 0);
  g_return_val_if_fail (dropout == 0.0f || rng != NULL, 0);
  gsize need = workspace_layout (ws, a, width, NULL);
  if (need > ws->arena_size)
    {
      g_free (ws->arena);
      /* zeroed once: the diagonal path computes over a few rows beyond each diagonal, whose
       * values must be finite from the start */
      ws->arena = g_new0 (float, need);
      ws->arena_size = need;
    }
  workspace_layout (ws, a, width, ws->arena);
  ws->dropout = dropout > 0.0f;
  const guint fp = lectern_fp_flush_subnormals ();

  lectern_tile_forward (image, a->input_height, width, a->tile_h, a->tile_w, ws->x[0]);
  const LecternParallel *par = ws->n_threads > 1 ? &ws->par : NULL;
  for (int l = 0; l < a->n_layers; l++)
    {
      const int H = ws->H[l], W = ws->W[l], D = ws->D[l];
      const gsize n = (gsize) H * W * 4 * D;
      lectern_mdlstm_forward (&net->view.lstm[l], ws->x[l], H, W, &ws->st[l], &ws->scratch, par);
      if (ws->dropout)
        {
          ws->y[l] = ws->ybuf[l];
          lectern_dropout_forward (ws->st[l].h, n, dropout, rng, ws->mask[l], ws->y[l]);
        }
      else
        ws->y[l] = ws->st[l].h;
      if (l < a->n_layers - 1)
        lectern_subsample_forward (ws->y[l], H, W, 4 * D, a->sub_h[l], a->sub_w[l],
                                   net->view.sub[l], a->sub_features[l], ws->patches[l], ws->x[l + 1]);
    }
  const int L = a->n_layers - 1;
  lectern_collapse_fc_forward (ws->y[L], ws->H[L], ws->W[L], 4 * ws->D[L], net->view.fc_w,
                               net->view.fc_b, a->n_classes, ws->colsum, ws->scores);
  lectern_fp_restore (fp);
  if (scores != NULL)
    *scores = ws->scores;
  return ws->T;
}

void
lectern_network_backward (const LecternNetwork *net, LecternWorkspace *ws, const float *dscores,
                          const LecternParamView *grad)
{
  const LecternArch *a = &net->arch;
  const LecternParallel *par = ws->n_threads > 1 ? &ws->par : NULL;
  const int L = a->n_layers - 1;
  float *dy = ws->grad_a, *dh = ws->grad_b;
  const guint fp = lectern_fp_flush_subnormals ();

  lectern_collapse_fc_backward (ws->colsum, dscores, ws->H[L], ws->W[L], 4 * ws->D[L],
                                net->view.fc_w, a->n_classes, grad->fc_w, grad->fc_b, dy);
  for (int l = L; l >= 0; l--)
    {
      const int H = ws->H[l], W = ws->W[l], D = ws->D[l];
      const gsize n = (gsize) H * W * 4 * D;
      /* dy: gradient of y[l]; through dropout into dh */
      if (ws->dropout)
        lectern_dropout_backward (dy, ws->mask[l], n, dh);
      else
        memcpy (dh, dy, n * sizeof (float));
      /* dx of this layer is the gradient of the subsampling output below it */
      float *dx = l > 0 ? dy : NULL;
      lectern_mdlstm_backward (&net->view.lstm[l], &grad->lstm[l], ws->x[l], H, W, &ws->st[l],
                               dh, dx, &ws->scratch, par);
      if (l > 0)
        {
          const int p = l - 1;
          /* dx (= dz of the subsampling after layer p) → dy of layer p, in dh's buffer */
          lectern_subsample_backward (ws->patches[p], ws->x[l], dx, ws->H[p], ws->W[p],
                                      4 * ws->D[p], a->sub_h[p], a->sub_w[p], net->view.sub[p],
                                      a->sub_features[p], grad->sub[p], dh);
          float *t = dy;
          dy = dh;
          dh = t;
        }
    }
  lectern_fp_restore (fp);
}

const float *
lectern_workspace_layer_output (const LecternWorkspace *ws, int layer, int *H, int *W, int *D)
{
  g_return_val_if_fail (layer >= 0 && layer < ws->n_layers, NULL);
  if (H)
    *H = ws->H[layer];
  if (W)
    *W = ws->W[layer];
  if (D)
    *D = ws->D[layer];
  return ws->st[layer].h;
}
