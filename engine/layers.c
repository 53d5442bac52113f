/* layers.c — tiling, dropout, subsampling, output projection with collapse, log-softmax. */
#include "layers.h"
#include "kernels.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void
lectern_tile_forward (const float *image, int H0, int W0, int th, int tw, float *x)
{
  const int H = (H0 + th - 1) / th, W = (W0 + tw - 1) / tw, K = th * tw;
  for (int r = 0; r < H; r++)
    for (int q = 0; q < W; q++)
      {
        float *out = x + ((gsize) r * W + q) * K;
        for (int dy = 0; dy < th; dy++)
          for (int dx = 0; dx < tw; dx++)
            {
              int y = r * th + dy, xx = q * tw + dx;
              out[dy * tw + dx] = (y < H0 && xx < W0) ? image[(gsize) y * W0 + xx] : 0.0f;
            }
      }
}

void
lectern_dropout_forward (const float *h, gsize n, float p, LecternRng *rng, float *mask, float *y)
{
  const float keep = 1.0f / (1.0f - p);
  for (gsize i = 0; i < n; i++)
    {
      mask[i] = lectern_rng_uniform (rng) < p ? 0.0f : keep;
      y[i] = h[i] * mask[i];
    }
}

void
lectern_dropout_backward (const float *dy, const float *mask, gsize n, float *dh)
{
  for (gsize i = 0; i < n; i++)
    dh[i] = dy[i] * mask[i];
}

void
lectern_subsample_forward (const float *y, int H, int W, int C, int sh, int sw,
                           const float *w, int F, float *patches, float *z)
{
  const int Ho = (H + sh - 1) / sh, Wo = (W + sw - 1) / sw;
  const gsize P = (gsize) sh * sw * C;
  /* im2col: windows do not overlap, so each input value lands in exactly one patch */
  for (int r = 0; r < Ho; r++)
    for (int q = 0; q < Wo; q++)
      {
        float *patch = patches + ((gsize) r * Wo + q) * P;
        for (int dy = 0; dy < sh; dy++)
          {
            /* a window row is sw neighbouring cells, contiguous in y: one copy where it lies
             * whole inside the map */
            float *dst = patch + (gsize) dy * sw * C;
            const int yy = r * sh + dy, x0 = q * sw;
            if (yy < H && x0 + sw <= W)
              {
                memcpy (dst, y + ((gsize) yy * W + x0) * C, (gsize) sw * C * sizeof (float));
                continue;
              }
            for (int dx = 0; dx < sw; dx++, dst += C)
              if (yy < H && x0 + dx < W)
                memcpy (dst, y + ((gsize) yy * W + x0 + dx) * C, C * sizeof (float));
              else
                memset (dst, 0, C * sizeof (float));
          }
      }
  /* z = tanh(patches · w)   (Ho·Wo × P)·(P × F) */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, Ho * Wo, F, (int) P,
               1.0f, patches, (int) P, w, F, 0.0f, z, F);
  lectern_vtanh (z, z, (gsize) Ho * Wo * F);
}

void
lectern_subsample_backward (const float *patches, const float *z, float *dz,
                            int H, int W, int C, int sh, int sw, const float *w, int F,
                            float *dw, float *dy)
{
  const int Ho = (H + sh - 1) / sh, Wo = (W + sw - 1) / sw;
  const gsize P = (gsize) sh * sw * C, n = (gsize) Ho * Wo;
  /* through tanh */
  for (gsize i = 0; i < n * F; i++)
    dz[i] *= 1.0f - z[i] * z[i];
  /* dw += patchesᵀ · dz */
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) P, F, (int) n,
               1.0f, patches, (int) P, dz, F, 1.0f, dw, F);
  /* dpatches = dz · wᵀ, then col2im straight into dy (padding cells are dropped) */
  g_autofree float *dpatch = g_new (float, n * P);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n, (int) P, F,
               1.0f, dz, F, w, F, 0.0f, dpatch, (int) P);
  for (int r = 0; r < Ho; r++)
    for (int q = 0; q < Wo; q++)
      {
        const float *patch = dpatch + ((gsize) r * Wo + q) * P;
        for (int ddy = 0; ddy < sh; ddy++)
          for (int ddx = 0; ddx < sw; ddx++)
            {
              int yy = r * sh + ddy, xx = q * sw + ddx;
              if (yy < H && xx < W)
                memcpy (dy + ((gsize) yy * W + xx) * C, patch + ((gsize) ddy * sw + ddx) * C,
                        C * sizeof (float));
            }
      }
}

void
lectern_collapse_fc_forward (const float *y, int H, int W, int C, const float *w,
                             const float *b, int N, float *colsum, float *s)
{
  /* colsum[q] = Σ_r y[r][q] */
  memcpy (colsum, y, (gsize) W * C * sizeof (float));
  for (int r = 1; r < H; r++)
    lectern_axpy ((gsize) W * C, 1.0f, y + (gsize) r * W * C, colsum);
  /* s = colsum · w + H·b */
  for (int q = 0; q < W; q++)
    for (int k = 0; k < N; k++)
      s[(gsize) q * N + k] = H * b[k];
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, W, N, C,
               1.0f, colsum, C, w, N, 1.0f, s, N);
}

void
lectern_collapse_fc_backward (const float *colsum, const float *ds, int H, int W, int C,
                              const float *w, int N, float *dw, float *db, float *dy)
{
  /* dw += colsumᵀ · ds;  db += H · Σ_q ds[q] */
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, C, N, W,
               1.0f, colsum, C, ds, N, 1.0f, dw, N);
  for (int q = 0; q < W; q++)
    lectern_axpy (N, (float) H, ds + (gsize) q * N, db);
  if (dy == NULL)
    return;
  /* every row of the column receives the same gradient: dy[r][q] = ds[q] · wᵀ */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, W, C, N,
               1.0f, ds, N, w, N, 0.0f, dy, C);
  for (int r = 1; r < H; r++)
    memcpy (dy + (gsize) r * W * C, dy, (gsize) W * C * sizeof (float));
}

void
lectern_log_softmax (const float *scores, int T, int N, float *out)
{
  for (int t = 0; t < T; t++)
    {
      const float *s = scores + (gsize) t * N;
      float *o = out + (gsize) t * N;
      float mx = s[0];
      for (int k = 1; k < N; k++)
        mx = MAX (mx, s[k]);
      double sum = 0;
      for (int k = 0; k < N; k++)
        sum += exp ((double) s[k] - mx);
      float lse = mx + (float) log (sum);
      for (int k = 0; k < N; k++)
        o[k] = s[k] - lse;
    }
}
