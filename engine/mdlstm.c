/* mdlstm.c — the four-direction 2D-LSTM layer (Graves & Schmidhuber 2009; Pham et al. 2014).
 *
 * Forward: one GEMM gives every cell's input projection for all four directions
 * (a = x·Wx + b, H·W × 20D). Then, per direction, the anti-diagonals of the scan are visited in
 * order; the cells of one diagonal depend only on the previous diagonal, so they are updated
 * together: gather the predecessors' h and c, one small product [h1 h2]·[U1; U2] for the whole
 * diagonal, one fused vectorised gate update.
 *
 * Backward walks the diagonals in reverse. Each cell pulls the gradient from its two successors
 * (the cells that used it as a predecessor): dh += U1·da(below) + U2·da(right), and their cell-
 * state terms. Weight gradients are summed afterwards with GEMMs over the whole map, since the
 * predecessor of every cell is the neighbouring cell of a shifted map. */
#include "mdlstm.h"
#include "kernels.h"

#include <cblas.h>
#include <string.h>

/* Copies of D floats, D small (2–50): a plain loop, inlined, beats a call to memcpy. */
static inline void
copy_floats (float *restrict dst, const float *restrict src, int n)
{
  for (int i = 0; i < n; i++)
    dst[i] = src[i];
}

static inline void
zero_floats (float *dst, int n)
{
  for (int i = 0; i < n; i++)
    dst[i] = 0.0f;
}

enum { GATE_I, GATE_F1, GATE_F2, GATE_G, GATE_O, N_GATES };

void
lectern_mdlstm_scratch_clear (LecternMdlstmScratch *s)
{
  for (int d = 0; d < 4; d++)
    {
      g_clear_pointer (&s->buf[d], g_free);
      g_clear_pointer (&s->dir_buf[d], g_free);
      s->size[d] = s->dir_size[d] = 0;
    }
}

static float *
scratch_get (float **buf, gsize *size, gsize n)
{
  if (*size < n)
    {
      g_free (*buf);
      *buf = g_new (float, n);
      *size = n;
    }
  return *buf;
}

typedef struct {
  const LecternMdlstmParams *p;
  const LecternMdlstmParams *grad;
  const float              *x;
  int                       H, W;
  LecternMdlstmState       *st;
  const LecternMdlstmState *cst;
  const float              *dh;
  float                    *da;   /* H·W × 20D */
  float                    *dc1;  /* H·W × 4D: gradient a cell sends to its vertical predecessor's c */
  float                    *dc2;  /* H·W × 4D: … to its horizontal predecessor's c */
  LecternMdlstmScratch     *scratch;
} Job;

/* Grid cell of scan position (rs, qs) in direction d. */
static inline int
grid_cell (int d, int H, int W, int rs, int qs)
{
  int r = (d & 2) ? H - 1 - rs : rs;
  int q = (d & 1) ? W - 1 - qs : qs;
  return r * W + q;
}

static void
forward_direction (gpointer data, int d)
{
  Job *job = data;
  const int H = job->H, W = job->W, D = job->p->D;
  const int D4 = 4 * D, D5 = 5 * D, D20 = 20 * D;
  const int nmax = MIN (H, W);
  const gsize m = (gsize) nmax * D;
  const float *u = job->p->u + (gsize) d * 2 * D * D5;
  const float *pp = job->p->p + (gsize) d * 4 * D;
  LecternMdlstmState *st = job->st;

  /* scratch: acc n×5D | hh n×2D | gates 5×m | c1, c2 | peepholes 4×m | c, tc, h */
  float *buf = scratch_get (&job->scratch->dir_buf[d], &job->scratch->dir_size[d],
                            (gsize) nmax * D5 + (gsize) nmax * 2 * D + 5 * m + 2 * m + 4 * m + 3 * m);
  float *acc = buf;
  float *hh = acc + (gsize) nmax * D5;
  float *gate = hh + (gsize) nmax * 2 * D;
  float *c1 = gate + 5 * m, *c2 = c1 + m;
  float *pt = c2 + m;
  float *cn = pt + 4 * m, *tcn = cn + m, *hn = tcn + m;

  for (int g = 0; g < 4; g++)
    for (int k = 0; k < nmax; k++)
      copy_floats (pt + g * m + (gsize) k * D, pp + g * D, D);

  for (int s = 0; s <= H + W - 2; s++)
    {
      const int r0 = MAX (0, s - (W - 1)), r1 = MIN (H - 1, s);
      const int n = r1 - r0 + 1;
      const gsize nm = (gsize) n * D;

      /* gather the input projection and the predecessors' states */
      for (int k = 0; k < n; k++)
        {
          const int rs = r0 + k, qs = s - rs;
          const int cell = grid_cell (d, H, W, rs, qs);
          copy_floats (acc + (gsize) k * D5, st->a + (gsize) cell * D20 + d * D5, D5);
          float *h1 = hh + (gsize) k * 2 * D, *h2 = h1 + D;
          float *cc1 = c1 + (gsize) k * D, *cc2 = c2 + (gsize) k * D;
          if (rs > 0)
            {
              const int pred = grid_cell (d, H, W, rs - 1, qs);
              copy_floats (h1, st->h + (gsize) pred * D4 + d * D, D);
              copy_floats (cc1, st->c + (gsize) pred * D4 + d * D, D);
            }
          else
            {
              zero_floats (h1, D);
              zero_floats (cc1, D);
            }
          if (qs > 0)
            {
              const int pred = grid_cell (d, H, W, rs, qs - 1);
              copy_floats (h2, st->h + (gsize) pred * D4 + d * D, D);
              copy_floats (cc2, st->c + (gsize) pred * D4 + d * D, D);
            }
          else
            {
              zero_floats (h2, D);
              zero_floats (cc2, D);
            }
        }

      /* a += U1·h1 + U2·h2 for the whole diagonal: (n × 2D)·(2D × 5D) */
      lectern_gemm_acc_small (n, 2 * D, D5, hh, 2 * D, u, acc, D5);

      /* to gate-major for the fused update */
      for (int k = 0; k < n; k++)
        for (int g = 0; g < N_GATES; g++)
          copy_floats (gate + g * m + (gsize) k * D, acc + (gsize) k * D5 + g * D, D);

      lectern_lstm_cells_forward (nm, gate, gate + m, gate + 2 * m, gate + 3 * m, gate + 4 * m,
                                  c1, c2, pt, pt + m, pt + 2 * m, pt + 3 * m, cn, tcn, hn);

      for (int k = 0; k < n; k++)
        {
          const int rs = r0 + k, qs = s - rs;
          const int cell = grid_cell (d, H, W, rs, qs);
          float *a = st->a + (gsize) cell * D20 + d * D5;
          for (int g = 0; g < N_GATES; g++)
            copy_floats (a + g * D, gate + g * m + (gsize) k * D, D);
          const gsize o = (gsize) cell * D4 + d * D;
          copy_floats (st->c + o, cn + (gsize) k * D, D);
          copy_floats (st->tc + o, tcn + (gsize) k * D, D);
          copy_floats (st->h + o, hn + (gsize) k * D, D);
        }
    }
}

static void
run_directions (const LecternParallel *par, void (*fn) (gpointer, int), gpointer data)
{
  if (par != NULL && par->for_each != NULL)
    par->for_each (fn, data, par->user_data);
  else
    for (int d = 0; d < 4; d++)
      fn (data, d);
}

void
lectern_mdlstm_forward (const LecternMdlstmParams *p, const float *x, int H, int W,
                        LecternMdlstmState *st, LecternMdlstmScratch *scratch,
                        const LecternParallel *par)
{
  g_return_if_fail (H > 0 && W > 0);
  const int K = p->K, D20 = 20 * p->D;
  const gsize HW = (gsize) H * W;
  st->H = H;
  st->W = W;
  st->D = p->D;

  /* a = x·Wx + b   (H·W × K)·(K × 20D) */
  for (gsize n = 0; n < HW; n++)
    memcpy (st->a + n * D20, p->b, D20 * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) HW, D20, K,
               1.0f, x, K, p->wx, D20, 1.0f, st->a, D20);

  Job job = { .p = p, .x = x, .H = H, .W = W, .st = st, .scratch = scratch };
  run_directions (par, forward_direction, &job);
}

static void
backward_direction (gpointer data, int d)
{
  Job *job = data;
  const int H = job->H, W = job->W, D = job->p->D;
  const int D4 = 4 * D, D5 = 5 * D, D20 = 20 * D;
  const int nmax = MIN (H, W);
  const gsize m = (gsize) nmax * D;
  const float *u = job->p->u + (gsize) d * 2 * D * D5;
  const float *u1 = u, *u2 = u + (gsize) D * D5;
  const float *pp = job->p->p + (gsize) d * 4 * D;
  float *gu = job->grad->u + (gsize) d * 2 * D * D5;
  float *gp = job->grad->p + (gsize) d * 4 * D;
  const LecternMdlstmState *st = job->cst;

  /* scratch: act 5×m | c, tc, c1, c2 | peepholes 4×m | dh, dcin | da 5×m | dc1, dc2 | dp 4×m */
  float *buf = scratch_get (&job->scratch->dir_buf[d], &job->scratch->dir_size[d], 26 * m);
  float *act = buf;
  float *cc = act + 5 * m, *tc = cc + m, *c1 = tc + m, *c2 = c1 + m;
  float *pt = c2 + m;
  float *dh = pt + 4 * m, *dcin = dh + m;
  float *da = dcin + m;
  float *dc1 = da + 5 * m, *dc2 = dc1 + m;
  float *dpt = dc2 + m;

  for (int g = 0; g < 4; g++)
    for (int k = 0; k < nmax; k++)
      copy_floats (pt + g * m + (gsize) k * D, pp + g * D, D);
  memset (dpt, 0, 4 * m * sizeof (float));

  for (int s = H + W - 2; s >= 0; s--)
    {
      const int r0 = MAX (0, s - (W - 1)), r1 = MIN (H - 1, s);
      const int n = r1 - r0 + 1;
      const gsize nm = (gsize) n * D;

      for (int k = 0; k < n; k++)
        {
          const int rs = r0 + k, qs = s - rs;
          const int cell = grid_cell (d, H, W, rs, qs);
          const gsize o = (gsize) cell * D4 + d * D;
          float *dhk = dh + (gsize) k * D, *dck = dcin + (gsize) k * D;
          copy_floats (dhk, job->dh + o, D);
          zero_floats (dck, D);
          /* pull from the successor below (it used this cell as h1, c1) */
          if (rs + 1 < H)
            {
              const int succ = grid_cell (d, H, W, rs + 1, qs);
              const float *das = job->da + (gsize) succ * D20 + d * D5;
              const float *dcs = job->dc1 + (gsize) succ * D4 + d * D;
              for (int j = 0; j < D; j++)
                {
                  dhk[j] += lectern_dot (D5, u1 + (gsize) j * D5, das);
                  dck[j] += dcs[j];
                }
            }
          /* … and from the successor to the right (h2, c2) */
          if (qs + 1 < W)
            {
              const int succ = grid_cell (d, H, W, rs, qs + 1);
              const float *das = job->da + (gsize) succ * D20 + d * D5;
              const float *dcs = job->dc2 + (gsize) succ * D4 + d * D;
              for (int j = 0; j < D; j++)
                {
                  dhk[j] += lectern_dot (D5, u2 + (gsize) j * D5, das);
                  dck[j] += dcs[j];
                }
            }
          const float *a = st->a + (gsize) cell * D20 + d * D5;
          for (int g = 0; g < N_GATES; g++)
            copy_floats (act + g * m + (gsize) k * D, a + g * D, D);
          copy_floats (cc + (gsize) k * D, st->c + o, D);
          copy_floats (tc + (gsize) k * D, st->tc + o, D);
          if (rs > 0)
            copy_floats (c1 + (gsize) k * D,
                    st->c + (gsize) grid_cell (d, H, W, rs - 1, qs) * D4 + d * D, D);
          else
            zero_floats (c1 + (gsize) k * D, D);
          if (qs > 0)
            copy_floats (c2 + (gsize) k * D,
                    st->c + (gsize) grid_cell (d, H, W, rs, qs - 1) * D4 + d * D, D);
          else
            zero_floats (c2 + (gsize) k * D, D);
        }

      lectern_lstm_cells_backward (nm, act, act + m, act + 2 * m, act + 3 * m, act + 4 * m,
                                   cc, tc, c1, c2, pt, pt + m, pt + 2 * m, pt + 3 * m, dh, dcin,
                                   da, da + m, da + 2 * m, da + 3 * m, da + 4 * m, dc1, dc2,
                                   dpt, dpt + m, dpt + 2 * m, dpt + 3 * m);

      for (int k = 0; k < n; k++)
        {
          const int rs = r0 + k, qs = s - rs;
          const int cell = grid_cell (d, H, W, rs, qs);
          float *dak = job->da + (gsize) cell * D20 + d * D5;
          for (int g = 0; g < N_GATES; g++)
            copy_floats (dak + g * D, da + g * m + (gsize) k * D, D);
          const gsize o = (gsize) cell * D4 + d * D;
          copy_floats (job->dc1 + o, dc1 + (gsize) k * D, D);
          copy_floats (job->dc2 + o, dc2 + (gsize) k * D, D);
        }
    }

  /* dp: sum the tiled per-cell accumulators */
  for (int g = 0; g < 4; g++)
    for (int k = 0; k < nmax; k++)
      for (int j = 0; j < D; j++)
        gp[g * D + j] += dpt[g * m + (gsize) k * D + j];

  /* dU1 += Σ h1 ⊗ da: the vertical predecessor of grid row r is row r-1 (scan from the top)
   * or row r+1 (scan from the bottom), so it is one GEMM over shifted row blocks. */
  const float *hmap = st->h + d * D;
  const float *damap = job->da + d * D5;
  if (H > 1)
    {
      const int rows = (H - 1) * W;
      const float *hsrc = (d & 2) ? hmap + (gsize) W * D4 : hmap;
      const float *dsrc = (d & 2) ? damap : damap + (gsize) W * D20;
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, D, D5, rows,
                   1.0f, hsrc, D4, dsrc, D20, 1.0f, gu, D5);
    }
  /* dU2 += Σ h2 ⊗ da: the horizontal predecessor is the flat neighbour n-1 (or n+1), except
   * across a row boundary; add the flat-shifted product, then take the boundary pairs out. */
  float *gu2 = gu + (gsize) D * D5;
  const gsize HW = (gsize) H * W;
  if (HW > 1)
    {
      const float *hsrc = (d & 1) ? hmap + D4 : hmap;
      const float *dsrc = (d & 1) ? damap : damap + D20;
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, D, D5, (int) (HW - 1),
                   1.0f, hsrc, D4, dsrc, D20, 1.0f, gu2, D5);
      for (int r = 0; r < H; r++)
        {
          /* the pair (h[n-1], da[n]) with n at a row start, or (h[n+1], da[n]) at a row end */
          gsize nn, hp;
          if (d & 1)
            {
              nn = (gsize) r * W + (W - 1);
              hp = nn + 1;
              if (hp >= HW)
                continue;
            }
          else
            {
              nn = (gsize) r * W;
              if (nn == 0)
                continue;
              hp = nn - 1;
            }
          const float *hv = hmap + hp * D4;
          const float *dv = damap + nn * D20;
          for (int j = 0; j < D; j++)
            lectern_axpy (D5, -hv[j], dv, gu2 + (gsize) j * D5);
        }
    }
}

void
lectern_mdlstm_backward (const LecternMdlstmParams *p, const LecternMdlstmParams *grad,
                         const float *x, int H, int W, const LecternMdlstmState *st,
                         const float *dh, float *dx, LecternMdlstmScratch *scratch,
                         const LecternParallel *par)
{
  const int K = p->K, D = p->D, D20 = 20 * D;
  const gsize HW = (gsize) H * W;
  float *da = scratch_get (&scratch->buf[0], &scratch->size[0], HW * D20);
  float *dc = scratch_get (&scratch->buf[1], &scratch->size[1], 2 * HW * 4 * D);

  Job job = { .p = p, .grad = grad, .x = x, .H = H, .W = W, .cst = st, .dh = dh,
              .da = da, .dc1 = dc, .dc2 = dc + HW * 4 * D, .scratch = scratch };
  run_directions (par, backward_direction, &job);

  /* db += Σ da;  dWx += xᵀ·da;  dx = da·Wxᵀ */
  for (gsize n = 0; n < HW; n++)
    lectern_axpy (D20, 1.0f, da + n * D20, grad->b);
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, K, D20, (int) HW,
               1.0f, x, K, da, D20, 1.0f, grad->wx, D20);
  if (dx != NULL)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) HW, K, D20,
                 1.0f, da, D20, p->wx, D20, 0.0f, dx, K);
}

double
lectern_mdlstm_flops (int K, int D, int H, int W)
{
  double cells = (double) H * W;
  /* input projection + recurrent products, four directions, multiply-add = 2 */
  return cells * (2.0 * K * 20 * D + 4 * 2.0 * (2 * D) * (5 * D));
}
