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

/* Copies of D floats, D small (2–50): a plain loop, inlined, beats a call to memcpy (which the
 * compiler would otherwise turn it back into). */
__attribute__ ((optimize ("no-tree-loop-distribute-patterns"))) static inline void
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
  float                    *dx_dir[4]; /* diagonals path: each direction's share of dx */
  LecternMdlstmScratch     *scratch;
  /* cells path: views of the store, grid order */
  float                    *a;    /* H·W × 20D gate activations (i f1 f2 tanh(a_g) o) */
  float                    *c;    /* H·W × 4D cell states */
  float                    *tc;   /* H·W × 4D tanh(c) */
} Job;

/* Grid cell of scan position (rs, qs) in direction d. */
static inline int
grid_cell (int d, int H, int W, int rs, int qs)
{
  int r = (d & 2) ? H - 1 - rs : rs;
  int q = (d & 1) ? W - 1 - qs : qs;
  return r * W + q;
}

/* ---- path selection and store layout ------------------------------------------------ */

static LecternMdlstmPath forced_path = LECTERN_MDLSTM_AUTO;

void
lectern_mdlstm_force_path (LecternMdlstmPath path)
{
  forced_path = path;
}

static LecternMdlstmPath
choose_path (int H, int W, int D)
{
  if (forced_path != LECTERN_MDLSTM_AUTO)
    return forced_path;
  /* vectors along a diagonal are at most H long: worth it when they are long compared with the
   * per-cell vectors of the other path (5D); measured: 32 rows × 2 units 2× faster with
   * diagonals, 8 rows × 10 units 1.5–3× faster with cells */
  return H >= 4 * D ? LECTERN_MDLSTM_DIAGONALS : LECTERN_MDLSTM_CELLS;
}

/* Grid-cell step between scan rows rs and rs + 1 on one anti-diagonal (qs falls by one). */
static inline int
diag_step (int d, int W)
{
  return ((d & 2) ? -W : W) + ((d & 1) ? 1 : -1);
}

/* Diagonal vectors hold rows −1 … H of the scan (rows −1 and H stay zero), and room for the
 * last vector of 8 that starts inside the diagonal to run past row H (H + 9 in all), rounded
 * up to 8. */
static inline int
diag_stride (int H)
{
  return (H + 9 + 7) & ~7;
}

static gsize
diag_direction_size (int H, int W, int D)
{
  return (gsize) (H + W - 1) * 8 * D * diag_stride (H);
}

gsize
lectern_mdlstm_store_size (int H, int W, int D)
{
  const gsize cells = (gsize) H * W * 28 * D;
  const gsize diag = 4 * diag_direction_size (H, W, D);
  return MAX (cells, diag);
}

static void
bind_cells_store (Job *job, LecternMdlstmState *st, int H, int W, int D)
{
  const gsize HW = (gsize) H * W;
  job->a = st->store;
  job->c = job->a + HW * 20 * D;
  job->tc = job->c + HW * 4 * D;
}

/* Direction d's diagonal arrays in the store: act S × 5D × Hp, c, tc, h S × D × Hp. */
typedef struct {
  float *act, *c, *tc, *h;
} DiagStore;

static DiagStore
diag_store (const LecternMdlstmState *st, int d, int H, int W, int D)
{
  const gsize S = (gsize) H + W - 1, Hp = diag_stride (H);
  DiagStore ds;
  ds.act = st->store + d * diag_direction_size (H, W, D);
  ds.c = ds.act + S * 5 * D * Hp;
  ds.tc = ds.c + S * D * Hp;
  ds.h = ds.tc + S * D * Hp;
  return ds;
}

/* ---- diagonals path ----------------------------------------------------------------- */

LECTERN_CLONES static void
forward_direction_diag (gpointer data, int d)
{
  Job *job = data;
  const int H = job->H, W = job->W, D = job->p->D, K = job->p->K;
  const int D4 = 4 * D, D5 = 5 * D, D20 = 20 * D;
  const int S = H + W - 1, Hp = diag_stride (H);
  const float *u = job->p->u + (gsize) d * 2 * D * D5;
  const float *pp = job->p->p + (gsize) d * 4 * D;
  const float *wx = job->p->wx + d * D5, *b = job->p->b + d * D5;
  DiagStore ds = diag_store (job->st, d, H, W, D);

  /* scratch: xs K × Hp | zeros Hp | the projection's weights (K + 2D) × 5D: Wx, U1, U2 rows |
   * its input rows (K + 2D pointers) */
  const int nz = K + 2 * D;
  const gsize wz_n = (gsize) nz * D5, head = (gsize) (K + 1) * Hp + wz_n;
  float *buf = scratch_get (&job->scratch->dir_buf[d], &job->scratch->dir_size[d],
                            head + 1 + 2 * (gsize) nz);
  float *xs = buf, *zeros = xs + (gsize) K * Hp, *wz = zeros + Hp;
  memset (buf, 0, (gsize) (K + 1) * Hp * sizeof (float));
  const float **z = (const float **) (gpointer) (buf + ((head + 1) & ~(gsize) 1));
  for (int k = 0; k < K; k++)
    memcpy (wz + (gsize) k * D5, wx + (gsize) k * D20, D5 * sizeof (float));
  memcpy (wz + (gsize) K * D5, u, 2 * (gsize) D * D5 * sizeof (float));

  for (int s = 0; s < S; s++)
    {
      const int r0 = MAX (0, s - (W - 1)), r1 = MIN (H - 1, s);
      const int n = r1 - r0 + 1, off = r0 + 1;
      /* The projections run in vectors of 8 from the diagonal's first row: the last one may
       * compute a few rows beyond it, which no cell update reads; the cell update covers the
       * diagonal's rows exactly. */
      const int lo = off, hi = off + ((n + 7) & ~7);
      float *A = ds.act + (gsize) s * D5 * Hp;
      /* along a diagonal the grid cell moves by a constant step */
      const int cell0 = grid_cell (d, H, W, r0, s - r0), step = diag_step (d, W);
      for (int k = 0; k < K; k++)
        {
          const float *xk = job->x + (gsize) cell0 * K + k;
          float *dst = xs + (gsize) k * Hp + off;
          for (int i = 0; i < n; i++)
            dst[i] = xk[(gssize) i * step * K];
        }
      /* a = Wx·x + b + U1·h1 + U2·h2, as vectors over the diagonal: the vertical predecessor
       * of row i is row i − 1 of the previous diagonal, the horizontal one row i */
      const float *hprev = s > 0 ? ds.h + (gsize) (s - 1) * D * Hp : NULL;
      for (int k = 0; k < K; k++)
        z[k] = xs + (gsize) k * Hp + lo;
      if (hprev != NULL)
        for (int k = 0; k < D; k++)
          {
            z[K + k] = hprev + (gsize) k * Hp + lo - 1;
            z[K + D + k] = hprev + (gsize) k * Hp + lo;
          }
      lectern_project_rows (D5, hprev != NULL ? nz : K, z, wz, b, hi - lo, A + lo, Hp);
      const float *cprev = s > 0 ? ds.c + (gsize) (s - 1) * D * Hp : NULL;
      for (int j = 0; j < D; j++)
        {
          const float pj[4] = { pp[j], pp[D + j], pp[2 * D + j], pp[3 * D + j] };
          const float *cp = cprev ? cprev + (gsize) j * Hp : zeros;
          const gsize o = ((gsize) s * D + j) * Hp;
          lectern_lstm_cells_forward_scalar (n, A + (gsize) j * Hp + off,
                                             A + (gsize) (D + j) * Hp + off,
                                             A + (gsize) (2 * D + j) * Hp + off,
                                             A + (gsize) (3 * D + j) * Hp + off,
                                             A + (gsize) (4 * D + j) * Hp + off,
                                             cp + off - 1, cp + off, pj,
                                             ds.c + o + off, ds.tc + o + off, ds.h + o + off);
          /* rows just outside the diagonal read as zero by the next one */
          ds.c[o + off - 1] = ds.h[o + off - 1] = 0.0f;
          ds.c[o + off + n] = ds.h[o + off + n] = 0.0f;
        }
      for (int j = 0; j < D; j++)
        {
          float *dst = job->st->h + (gsize) cell0 * D4 + d * D + j;
          const float *src = ds.h + ((gsize) s * D + j) * Hp + off;
          for (int i = 0; i < n; i++)
            dst[(gssize) i * step * D4] = src[i];
        }
    }
}

LECTERN_CLONES static void
backward_direction_diag (gpointer data, int d)
{
  Job *job = data;
  const int H = job->H, W = job->W, D = job->p->D, K = job->p->K;
  const int D4 = 4 * D, D5 = 5 * D, D20 = 20 * D;
  const int S = H + W - 1, Hp = diag_stride (H);
  const float *u = job->p->u + (gsize) d * 2 * D * D5;
  const float *pp = job->p->p + (gsize) d * 4 * D;
  const float *wx = job->p->wx + d * D5;
  DiagStore ds = diag_store (job->cst, d, H, W, D);

  /* scratch, in units of Hp floats: da cur/next 5D each, dc1/dc2 cur/next D each, dh D,
   * dcin D, xs K, zeros 1, cells 1, accumulators: U 10D², Wx 5DK, b 5D, p 4D */
  const gsize rows = 10 * D + 4 * D + 2 * D + K + 2 + (gsize) 10 * D * D + (gsize) 5 * D * K + 5 * D + 4 * D;
  /* then, for dx: this direction's share K × Hp, Wx transposed 5D × K; for the pull of dh from
   * the successors: [U1 U2] transposed 10D × D; 10D row pointers */
  const gsize tail = (gsize) K * Hp + (gsize) D5 * K + (gsize) 2 * D5 * D + 1 + 4 * (gsize) D5;
  float *buf = scratch_get (&job->scratch->dir_buf[d], &job->scratch->dir_size[d],
                            rows * Hp + tail);
  memset (buf, 0, rows * Hp * sizeof (float));
  float *dxs = buf + rows * Hp, *wxt = dxs + (gsize) K * Hp, *ut = wxt + (gsize) D5 * K;
  const float **da_rows = (const float **) (gpointer) (buf + ((rows * Hp + (gsize) K * Hp
                                                               + (gsize) D5 * K
                                                               + (gsize) 2 * D5 * D + 1)
                                                              & ~(gsize) 1));
  for (int k = 0; k < K; k++)
    for (int gj = 0; gj < D5; gj++)
      wxt[(gsize) gj * K + k] = wx[(gsize) k * D20 + gj];
  for (int j = 0; j < D; j++)
    for (int gj = 0; gj < D5; gj++)
      {
        ut[(gsize) gj * D + j] = u[(gsize) j * D5 + gj];
        ut[(gsize) (D5 + gj) * D + j] = u[(gsize) (D + j) * D5 + gj];
      }
  float *da_cur = buf, *da_next = da_cur + (gsize) D5 * Hp;
  float *dc1_cur = da_next + (gsize) D5 * Hp, *dc1_next = dc1_cur + (gsize) D * Hp;
  float *dc2_cur = dc1_next + (gsize) D * Hp, *dc2_next = dc2_cur + (gsize) D * Hp;
  float *dh = dc2_next + (gsize) D * Hp, *dcin = dh + (gsize) D * Hp;
  float *xs = dcin + (gsize) D * Hp, *zeros = xs + (gsize) K * Hp;
  int *cells = (int *) (zeros + Hp);
  float *acc_u = (float *) cells + Hp;
  float *acc_wx = acc_u + (gsize) 10 * D * D * Hp;
  float *acc_b = acc_wx + (gsize) 5 * D * K * Hp;
  float *acc_p = acc_b + (gsize) D5 * Hp;

  for (int s = S - 1; s >= 0; s--)
    {
      const int r0 = MAX (0, s - (W - 1)), r1 = MIN (H - 1, s);
      const int n = r1 - r0 + 1, off = r0 + 1;
      const float *A = ds.act + (gsize) s * D5 * Hp;
      memset (da_cur, 0, (gsize) D5 * Hp * sizeof (float));
      memset (dc1_cur, 0, (gsize) D * Hp * sizeof (float));
      memset (dc2_cur, 0, (gsize) D * Hp * sizeof (float));
      const int cell0 = grid_cell (d, H, W, r0, s - r0), step = diag_step (d, W);
      for (int i = 0; i < n; i++)
        cells[i] = cell0 + i * step;
      for (int k = 0; k < K; k++)
        {
          const float *xk = job->x + (gsize) cell0 * K + k;
          float *dst = xs + (gsize) k * Hp + off;
          for (int i = 0; i < n; i++)
            dst[i] = xk[(gssize) i * step * K];
        }
      /* dh = U1ᵀ-pull from the successor below (next diagonal, row + 1) and U2ᵀ from the one
       * to the right (next diagonal, same row), as vectors over the diagonal (rows of da_next
       * beyond its own diagonal are zero) … */
      for (int gj = 0; gj < D5; gj++)
        {
          da_rows[gj] = da_next + (gsize) gj * Hp + off + 1;
          da_rows[D5 + gj] = da_next + (gsize) gj * Hp + off;
        }
      lectern_project_rows (D, 2 * (gsize) D5, da_rows, ut, NULL, (n + 7) & ~7, dh + off, Hp);
      /* … plus the gradient of this diagonal's own outputs */
      for (int j = 0; j < D; j++)
        {
          const float *src = job->dh + (gsize) cell0 * D4 + d * D + j;
          float *dst = dh + (gsize) j * Hp + off;
          for (int i = 0; i < n; i++)
            dst[i] += src[(gssize) i * step * D4];
        }
      /* dc likewise */
      for (int j = 0; j < D; j++)
        {
          const float *c1n = dc1_next + (gsize) j * Hp + off, *c2n = dc2_next + (gsize) j * Hp + off;
          float *restrict dcj = dcin + (gsize) j * Hp + off;
          for (int i = 0; i < n; i++)
            dcj[i] = c1n[i + 1] + c2n[i];
        }
      const float *cprev = s > 0 ? ds.c + (gsize) (s - 1) * D * Hp : NULL;
      for (int j = 0; j < D; j++)
        {
          const float pj[4] = { pp[j], pp[D + j], pp[2 * D + j], pp[3 * D + j] };
          const float *cp = cprev ? cprev + (gsize) j * Hp : zeros;
          const gsize o = ((gsize) s * D + j) * Hp + off;
          lectern_lstm_cells_backward_scalar (n, A + (gsize) j * Hp + off,
                                              A + (gsize) (D + j) * Hp + off,
                                              A + (gsize) (2 * D + j) * Hp + off,
                                              A + (gsize) (3 * D + j) * Hp + off,
                                              A + (gsize) (4 * D + j) * Hp + off,
                                              ds.c + o, ds.tc + o, cp + off - 1, cp + off, pj,
                                              dh + (gsize) j * Hp + off, dcin + (gsize) j * Hp + off,
                                              da_cur + (gsize) j * Hp + off,
                                              da_cur + (gsize) (D + j) * Hp + off,
                                              da_cur + (gsize) (2 * D + j) * Hp + off,
                                              da_cur + (gsize) (3 * D + j) * Hp + off,
                                              da_cur + (gsize) (4 * D + j) * Hp + off,
                                              dc1_cur + (gsize) j * Hp + off,
                                              dc2_cur + (gsize) j * Hp + off,
                                              acc_p + (gsize) j * Hp + off,
                                              acc_p + (gsize) (D + j) * Hp + off,
                                              acc_p + (gsize) (2 * D + j) * Hp + off,
                                              acc_p + (gsize) (3 * D + j) * Hp + off);
        }
      /* weight gradients, accumulated per row position and summed at the end */
      const float *hprev = s > 0 ? ds.h + (gsize) (s - 1) * D * Hp : NULL;
      for (int gj = 0; gj < D5; gj++)
        {
          const float *restrict dn = da_cur + (gsize) gj * Hp + off;
          float *restrict ab = acc_b + (gsize) gj * Hp + off;
          for (int i = 0; i < n; i++)
            ab[i] += dn[i];
          for (int k = 0; k < K; k++)
            {
              float *restrict aw = acc_wx + ((gsize) k * D5 + gj) * Hp + off;
              const float *restrict xk = xs + (gsize) k * Hp + off;
              for (int i = 0; i < n; i++)
                aw[i] += xk[i] * dn[i];
            }
          if (hprev != NULL)
            for (int k = 0; k < D; k++)
              {
                float *restrict a1 = acc_u + ((gsize) k * D5 + gj) * Hp + off;
                float *restrict a2 = acc_u + ((gsize) (D + k) * D5 + gj) * Hp + off;
                const float *restrict hk = hprev + (gsize) k * Hp + off;
                for (int i = 0; i < n; i++)
                  {
                    a1[i] += hk[i - 1] * dn[i];
                    a2[i] += hk[i] * dn[i];
                  }
              }
        }
      /* dx = Wx · da, this direction's share, as vectors over the diagonal (rows of da_cur
       * beyond it are zero), then put in the grid */
      if (job->dx_dir[d] != NULL)
        {
          for (int gj = 0; gj < D5; gj++)
            da_rows[gj] = da_cur + (gsize) gj * Hp + off;
          lectern_project_rows (K, D5, da_rows, wxt, NULL, (n + 7) & ~7, dxs, Hp);
          for (int i = 0; i < n; i++)
            for (int k = 0; k < K; k++)
              job->dx_dir[d][(gsize) cells[i] * K + k] = dxs[(gsize) k * Hp + i];
        }
      float *t = da_cur; da_cur = da_next; da_next = t;
      t = dc1_cur; dc1_cur = dc1_next; dc1_next = t;
      t = dc2_cur; dc2_cur = dc2_next; dc2_next = t;
    }

  const LecternMdlstmParams *g = job->grad;
  float *gu = g->u + (gsize) d * 2 * D * D5;
  for (gsize r = 0; r < (gsize) 2 * D * D5; r++)
    {
      float sum = 0;
      for (int i = 0; i < Hp; i++)
        sum += acc_u[r * Hp + i];
      gu[r] += sum;
    }
  for (int k = 0; k < K; k++)
    for (int gj = 0; gj < D5; gj++)
      {
        float sum = 0;
        for (int i = 0; i < Hp; i++)
          sum += acc_wx[((gsize) k * D5 + gj) * Hp + i];
        g->wx[(gsize) k * D20 + d * D5 + gj] += sum;
      }
  for (int gj = 0; gj < D5; gj++)
    {
      float sum = 0;
      for (int i = 0; i < Hp; i++)
        sum += acc_b[(gsize) gj * Hp + i];
      g->b[d * D5 + gj] += sum;
    }
  for (int r = 0; r < 4 * D; r++)
    {
      float sum = 0;
      for (int i = 0; i < Hp; i++)
        sum += acc_p[(gsize) r * Hp + i];
      g->p[d * 4 * D + r] += sum;
    }
}

LECTERN_CLONES static void
forward_direction (gpointer data, int d)
{
  Job *job = data;
  const int H = job->H, W = job->W, D = job->p->D;
  const int D4 = 4 * D, D5 = 5 * D, D20 = 20 * D;
  const float *u = job->p->u + (gsize) d * 2 * D * D5;
  const float *u1 = u, *u2 = u + (gsize) D * D5;
  const float *pp = job->p->p + (gsize) d * 4 * D, *b = job->p->b + (gsize) d * D5;
  LecternMdlstmState *st = job->st;
  /* scratch: zeros D (rounded up to an even count, so that what follows is aligned for
   * pointers) | the cells' vertical predecessors' cell states H | horizontal ones H */
  G_STATIC_ASSERT (sizeof (float *) <= 2 * sizeof (float));
  const gsize zeros_n = ((gsize) D + 1) & ~(gsize) 1;
  float *zeros = scratch_get (&job->scratch->dir_buf[d], &job->scratch->dir_size[d],
                              zeros_n + 4 * (gsize) H);
  memset (zeros, 0, D * sizeof (float));
  const float **c1s = (const float **) (gpointer) (zeros + zeros_n), **c2s = c1s + H;
  /* grid offsets from a cell to its vertical and horizontal predecessors */
  const int vdelta = (d & 2) ? W : -W, hdelta = (d & 1) ? 1 : -1;
  const int step = diag_step (d, W);

  for (int s = 0; s <= H + W - 2; s++)
    {
      const int r0 = MAX (0, s - (W - 1)), r1 = MIN (H - 1, s);
      const int n = r1 - r0 + 1;
      const int cell0 = grid_cell (d, H, W, r0, s - r0);
      float *a0 = job->a + (gsize) cell0 * D20 + d * D5;
      const gssize a_step = (gssize) step * D20, h_step = (gssize) step * D4;

      /* a += U1·h1 for the cells that have a vertical predecessor (all but scan row 0) and
       * a += U2·h2 for those with a horizontal one (all but scan column 0): the cells of a
       * diagonal, and so their predecessors, lie at a constant step in the grid */
      const int v0 = r0 == 0 ? 1 : 0;
      if (n - v0 > 0)
        lectern_gemm_acc_small (n - v0, D, D5,
                                st->h + ((gssize) cell0 + (gssize) v0 * step + vdelta) * D4 + d * D,
                                h_step, u1, a0 + v0 * a_step, a_step);
      const int h_n = r1 == s ? n - 1 : n;
      if (h_n > 0)
        lectern_gemm_acc_small (h_n, D, D5, st->h + ((gssize) cell0 + hdelta) * D4 + d * D,
                                h_step, u2, a0, a_step);

      for (int k = 0; k < n; k++)
        {
          const int rs = r0 + k, qs = s - rs;
          const gssize cell = cell0 + (gssize) k * step;
          c1s[k] = rs > 0 ? job->c + (cell + vdelta) * D4 + d * D : zeros;
          c2s[k] = qs > 0 ? job->c + (cell + hdelta) * D4 + d * D : zeros;
        }
      const gssize o = cell0 * D4 + d * D;
      lectern_lstm_cells_forward_batch (n, D, a0, a_step, b, c1s, c2s, pp, job->c + o,
                                        job->tc + o, st->h + o, h_step);
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

  Job job = { .p = p, .x = x, .H = H, .W = W, .st = st, .scratch = scratch };
  if (choose_path (H, W, p->D) == LECTERN_MDLSTM_DIAGONALS)
    {
      run_directions (par, forward_direction_diag, &job);
      return;
    }
  bind_cells_store (&job, st, H, W, p->D);
  /* a = x·Wx   (H·W × K)·(K × 20D); the bias is added in the cell update */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) HW, D20, K,
               1.0f, x, K, p->wx, D20, 0.0f, job.a, D20);
  run_directions (par, forward_direction, &job);
}

LECTERN_CLONES static void
backward_direction (gpointer data, int d)
{
  Job *job = data;
  const int H = job->H, W = job->W, D = job->p->D;
  const int D4 = 4 * D, D5 = 5 * D, D20 = 20 * D;
  const int nmax = MIN (H, W);
  const float *u = job->p->u + (gsize) d * 2 * D * D5;
  const float *u1 = u, *u2 = u + (gsize) D * D5;
  const float *pp = job->p->p + (gsize) d * 4 * D;
  float *gu = job->grad->u + (gsize) d * 2 * D * D5;
  float *gp = job->grad->p + (gsize) d * 4 * D;
  const LecternMdlstmState *st = job->cst;
  const int vdelta = (d & 2) ? W : -W, hdelta = (d & 1) ? 1 : -1;
  const int step = diag_step (d, W);

  /* scratch: dh nmax×D | dcin D | zeros D | dp 4D | U1ᵀ, U2ᵀ 5D×D each */
  float *buf = scratch_get (&job->scratch->dir_buf[d], &job->scratch->dir_size[d],
                            (gsize) nmax * D + 6 * (gsize) D + 10 * (gsize) D * D);
  float *dh = buf, *dcin = dh + (gsize) nmax * D, *zeros = dcin + D, *dpt = zeros + D;
  float *u1t = dpt + 4 * D, *u2t = u1t + (gsize) D5 * D;
  memset (zeros, 0, 5 * (gsize) D * sizeof (float));  /* zeros and dp */
  /* U1ᵀ, U2ᵀ (5D × D), so that the pull dh += U1·da is one small product per diagonal */
  for (int j = 0; j < D; j++)
    for (int g = 0; g < D5; g++)
      {
        u1t[(gsize) g * D + j] = u1[(gsize) j * D5 + g];
        u2t[(gsize) g * D + j] = u2[(gsize) j * D5 + g];
      }

  for (int s = H + W - 2; s >= 0; s--)
    {
      const int r0 = MAX (0, s - (W - 1)), r1 = MIN (H - 1, s);
      const int n = r1 - r0 + 1;
      const int cell0 = grid_cell (d, H, W, r0, s - r0);

      for (int k = 0; k < n; k++)
        copy_floats (dh + (gsize) k * D, job->dh + ((gssize) cell0 + (gssize) k * step) * D4 + d * D, D);
      /* dh += U1·da(below) for the cells that have a successor below (all but the last scan
       * row) and U2·da(right) for those with one to the right (all but the last column); the
       * successors lie at the same constant step as the cells */
      const int below_n = r1 == H - 1 ? n - 1 : n;
      if (below_n > 0)
        lectern_gemm_acc_small (below_n, D5, D,
                                job->da + ((gssize) cell0 - vdelta) * D20 + d * D5,
                                (gssize) step * D20, u1t, dh, D);
      const int right0 = s - r0 == W - 1 ? 1 : 0;
      if (n - right0 > 0)
        lectern_gemm_acc_small (n - right0, D5, D,
                                job->da + ((gssize) cell0 + (gssize) right0 * step - hdelta) * D20 + d * D5,
                                (gssize) step * D20, u2t, dh + (gsize) right0 * D, D);

      for (int k = 0; k < n; k++)
        {
          const int rs = r0 + k, qs = s - rs;
          const gssize cell = cell0 + (gssize) k * step;
          const gssize o = cell * D4 + d * D;
          /* the cell-state gradient from the successors' use of c as c1 and c2 */
          const float *from_below = rs + 1 < H ? job->dc1 + (cell - vdelta) * D4 + d * D : zeros;
          const float *from_right = qs + 1 < W ? job->dc2 + (cell - hdelta) * D4 + d * D : zeros;
          for (int j = 0; j < D; j++)
            dcin[j] = from_below[j] + from_right[j];
          const float *a = job->a + cell * D20 + d * D5;
          float *da = job->da + cell * D20 + d * D5;
          const float *c1 = rs > 0 ? job->c + (cell + vdelta) * D4 + d * D : zeros;
          const float *c2 = qs > 0 ? job->c + (cell + hdelta) * D4 + d * D : zeros;
          lectern_lstm_cells_backward (D, a, a + D, a + 2 * D, a + 3 * D, a + 4 * D,
                                       job->c + o, job->tc + o, c1, c2,
                                       pp, pp + D, pp + 2 * D, pp + 3 * D,
                                       dh + (gsize) k * D, dcin,
                                       da, da + D, da + 2 * D, da + 3 * D, da + 4 * D,
                                       job->dc1 + o, job->dc2 + o,
                                       dpt, dpt + D, dpt + 2 * D, dpt + 3 * D);
        }
    }

  for (int r = 0; r < 4 * D; r++)
    gp[r] += dpt[r];

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
  if (choose_path (H, W, D) == LECTERN_MDLSTM_DIAGONALS)
    {
      Job job = { .p = p, .grad = grad, .x = x, .H = H, .W = W, .cst = st, .dh = dh,
                  .scratch = scratch };
      if (dx != NULL)
        {
          float *buf = scratch_get (&scratch->buf[0], &scratch->size[0], 4 * HW * K);
          for (int d = 0; d < 4; d++)
            job.dx_dir[d] = buf + d * HW * K;
        }
      run_directions (par, backward_direction_diag, &job);
      if (dx != NULL)
        for (gsize i = 0; i < HW * K; i++)
          dx[i] = (job.dx_dir[0][i] + job.dx_dir[1][i]) + (job.dx_dir[2][i] + job.dx_dir[3][i]);
      return;
    }
  float *da = scratch_get (&scratch->buf[0], &scratch->size[0], HW * D20);
  float *dc = scratch_get (&scratch->buf[1], &scratch->size[1], 2 * HW * 4 * D);

  Job job = { .p = p, .grad = grad, .x = x, .H = H, .W = W, .cst = st, .dh = dh,
              .da = da, .dc1 = dc, .dc2 = dc + HW * 4 * D, .scratch = scratch };
  bind_cells_store (&job, (LecternMdlstmState *) st, H, W, D);
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
