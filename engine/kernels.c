/* kernels.c — vectorised exp/sigmoid/tanh and the fused MDLSTM cell update.
 *
 * Each exported loop is cloned for x86-64-v3 (AVX2, FMA) and the baseline; the dynamic loader
 * picks one. Nothing here calls libm, so the clones give the same results up to FMA rounding. */
#include "kernels.h"

#include <string.h>
#if defined(__SSE__)
# include <xmmintrin.h>
#endif

guint
lectern_fp_flush_subnormals (void)
{
#if defined(__SSE__)
  guint old = _mm_getcsr ();
  _mm_setcsr (old | 0x8040);  /* FTZ (bit 15) and DAZ (bit 6) */
  return old;
#else
  return 0;
#endif
}

void
lectern_fp_restore (guint state)
{
#if defined(__SSE__)
  _mm_setcsr (state);
#else
  (void) state;
#endif
}


/* exp(x) = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln2 / 2, e^r by a degree-6 polynomial. */
static inline float
fast_exp (float x)
{
  /* ±80, not the ±87 that float allows: e^-87 and 1 / (1 + e^88) are subnormal, and every
   * subnormal costs a microcode assist (over a hundred cycles) */
  x = x < -80.0f ? -80.0f : x;
  x = x > 80.0f ? 80.0f : x;
  /* n = round(x / ln 2) by the 1.5·2²³ trick: adding it pushes the fraction out of the
   * mantissa, so the low bits of the sum hold n and no branch or conversion is needed. */
  union { float f; gint32 i; } big;
  big.f = x * 1.44269504088896341f + 12582912.0f;
  float fn = big.f - 12582912.0f;
  float r = x - fn * 0.693145751953125f;
  r = r - fn * 1.428606765330187e-06f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union { gint32 i; float f; } scale;
  /* Unsigned, because for a NaN input big.i is any bits and a signed left shift of a negative
   * value is undefined; the result is NaN through p either way. */
  scale.i = (gint32) (((guint32) big.i - 0x4B400000u + 127u) << 23);
  return p * scale.f;
}

static inline float
fast_sigmoid (float x)
{
  return 1.0f / (1.0f + fast_exp (-x));
}

/* tanh(x) = 1 - 2 / (1 + e^{2x}); exact at 0, |error| < 3e-7. */
static inline float
fast_tanh (float x)
{
  return 1.0f - 2.0f / (1.0f + fast_exp (2.0f * x));
}

LECTERN_CLONES void
lectern_vexp (float *y, const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = fast_exp (x[i]);
}

LECTERN_CLONES void
lectern_vsigmoid (float *y, const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = fast_sigmoid (x[i]);
}

LECTERN_CLONES void
lectern_vtanh (float *y, const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = fast_tanh (x[i]);
}

static inline void
lectern_lstm_cells_forward_impl (gsize m, const gsize ps, float *restrict g_i, float *restrict g_f1,
                            float *restrict g_f2, float *restrict g_g, float *restrict g_o,
                            const float *restrict c1, const float *restrict c2,
                            const float *restrict p_i, const float *restrict p_f1,
                            const float *restrict p_f2, const float *restrict p_o,
                            float *restrict c, float *restrict tc, float *restrict h)
{
  for (gsize k = 0; k < m; k++)
    {
      /* i = σ(a_i + p_i ⊙ (c1 + c2)) */
      float i = fast_sigmoid (g_i[k] + p_i[k * ps] * (c1[k] + c2[k]));
      /* f1 = σ(a_f1 + p_f1 ⊙ c1), f2 = σ(a_f2 + p_f2 ⊙ c2) */
      float f1 = fast_sigmoid (g_f1[k] + p_f1[k * ps] * c1[k]);
      float f2 = fast_sigmoid (g_f2[k] + p_f2[k * ps] * c2[k]);
      float g = fast_tanh (g_g[k]);
      /* c = i ⊙ g + f1 ⊙ c1 + f2 ⊙ c2 */
      float cc = i * g + f1 * c1[k] + f2 * c2[k];
      /* guard: |c| ≤ LECTERN_CELL_LIMIT (see kernels.h) */
      cc = cc > LECTERN_CELL_LIMIT ? LECTERN_CELL_LIMIT : cc;
      cc = cc < -LECTERN_CELL_LIMIT ? -LECTERN_CELL_LIMIT : cc;
      /* o = σ(a_o + p_o ⊙ c), h = o ⊙ tanh(c) */
      float o = fast_sigmoid (g_o[k] + p_o[k * ps] * cc);
      float t = fast_tanh (cc);
      g_i[k] = i;
      g_f1[k] = f1;
      g_f2[k] = f2;
      g_g[k] = g;
      g_o[k] = o;
      c[k] = cc;
      tc[k] = t;
      h[k] = o * t;
    }
}

static inline void
lectern_lstm_cells_backward_impl (gsize m, const gsize ps, const float *restrict i_, const float *restrict f1_,
                             const float *restrict f2_, const float *restrict g_,
                             const float *restrict o_, const float *restrict c_,
                             const float *restrict tc_, const float *restrict c1_,
                             const float *restrict c2_, const float *restrict p_i,
                             const float *restrict p_f1, const float *restrict p_f2,
                             const float *restrict p_o, const float *restrict dh_,
                             const float *restrict dc_in, float *restrict da_i,
                             float *restrict da_f1, float *restrict da_f2, float *restrict da_g,
                             float *restrict da_o, float *restrict dc1, float *restrict dc2,
                             float *restrict dp_i, float *restrict dp_f1, float *restrict dp_f2,
                             float *restrict dp_o)
{
  for (gsize k = 0; k < m; k++)
    {
      float i = i_[k], f1 = f1_[k], f2 = f2_[k], g = g_[k], o = o_[k];
      float c = c_[k], tc = tc_[k], c1 = c1_[k], c2 = c2_[k], dh = dh_[k];
      /* h = o ⊙ tanh(c) */
      float d_o = dh * tc;
      float dc = dc_in[k] + dh * o * (1.0f - tc * tc);
      /* o = σ(a_o + p_o ⊙ c) */
      float dao = d_o * o * (1.0f - o);
      dc += dao * p_o[k * ps];
      /* a clamped cell passes no gradient to what made it */
      dc = (c < LECTERN_CELL_LIMIT && c > -LECTERN_CELL_LIMIT) ? dc : 0.0f;
      /* c = i ⊙ g + f1 ⊙ c1 + f2 ⊙ c2 */
      float dai = dc * g * i * (1.0f - i);
      float dag = dc * i * (1.0f - g * g);
      float daf1 = dc * c1 * f1 * (1.0f - f1);
      float daf2 = dc * c2 * f2 * (1.0f - f2);
      da_i[k] = dai;
      da_f1[k] = daf1;
      da_f2[k] = daf2;
      da_g[k] = dag;
      da_o[k] = dao;
      dc1[k] = dc * f1 + dai * p_i[k * ps] + daf1 * p_f1[k * ps];
      dc2[k] = dc * f2 + dai * p_i[k * ps] + daf2 * p_f2[k * ps];
      dp_i[k * ps] += dai * (c1 + c2);
      dp_f1[k * ps] += daf1 * c1;
      dp_f2[k * ps] += daf2 * c2;
      dp_o[k * ps] += dao * c;
    }
}

/* Peepholes per element (ps = 1) or one value for all (ps = 0): two specialised clones. */
LECTERN_CLONES void
lectern_lstm_cells_forward (gsize m, float *g_i, float *g_f1, float *g_f2, float *g_g, float *g_o,
                            const float *c1, const float *c2, const float *p_i, const float *p_f1,
                            const float *p_f2, const float *p_o, float *c, float *tc, float *h)
{
  lectern_lstm_cells_forward_impl (m, 1, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p_i, p_f1, p_f2, p_o,
                                   c, tc, h);
}

LECTERN_CLONES void
lectern_lstm_cells_forward_scalar (gsize m, float *g_i, float *g_f1, float *g_f2, float *g_g,
                                   float *g_o, const float *c1, const float *c2, const float *p,
                                   float *c, float *tc, float *h)
{
  lectern_lstm_cells_forward_impl (m, 0, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p, p + 1, p + 2, p + 3,
                                   c, tc, h);
}

LECTERN_CLONES void
lectern_lstm_cells_backward (gsize m, const float *i, const float *f1, const float *f2,
                             const float *g, const float *o, const float *c, const float *tc,
                             const float *c1, const float *c2, const float *p_i,
                             const float *p_f1, const float *p_f2, const float *p_o,
                             const float *dh, const float *dc_in, float *da_i, float *da_f1,
                             float *da_f2, float *da_g, float *da_o, float *dc1, float *dc2,
                             float *dp_i, float *dp_f1, float *dp_f2, float *dp_o)
{
  lectern_lstm_cells_backward_impl (m, 1, i, f1, f2, g, o, c, tc, c1, c2, p_i, p_f1, p_f2, p_o,
                                    dh, dc_in, da_i, da_f1, da_f2, da_g, da_o, dc1, dc2,
                                    dp_i, dp_f1, dp_f2, dp_o);
}

LECTERN_CLONES void
lectern_lstm_cells_backward_scalar (gsize m, const float *i, const float *f1, const float *f2,
                                    const float *g, const float *o, const float *c,
                                    const float *tc, const float *c1, const float *c2,
                                    const float *p, const float *dh, const float *dc_in,
                                    float *da_i, float *da_f1, float *da_f2, float *da_g,
                                    float *da_o, float *dc1, float *dc2, float *dp_i,
                                    float *dp_f1, float *dp_f2, float *dp_o)
{
  lectern_lstm_cells_backward_impl (m, 0, i, f1, f2, g, o, c, tc, c1, c2, p, p + 1, p + 2, p + 3,
                                    dh, dc_in, da_i, da_f1, da_f2, da_g, da_o, dc1, dc2,
                                    dp_i, dp_f1, dp_f2, dp_o);
}

LECTERN_CLONES void
lectern_axpy (gsize n, float a, const float *restrict x, float *restrict y)
{
  for (gsize j = 0; j < n; j++)
    y[j] += a * x[j];
}

LECTERN_CLONES float
lectern_dot (gsize n, const float *restrict x, const float *restrict y)
{
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  gsize j = 0;
  for (; j + 8 <= n; j += 8)
    {
      s0 += x[j] * y[j];
      s1 += x[j + 1] * y[j + 1];
      s2 += x[j + 2] * y[j + 2];
      s3 += x[j + 3] * y[j + 3];
      s4 += x[j + 4] * y[j + 4];
      s5 += x[j + 5] * y[j + 5];
      s6 += x[j + 6] * y[j + 6];
      s7 += x[j + 7] * y[j + 7];
    }
  for (; j < n; j++)
    s0 += x[j] * y[j];
  return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}


LECTERN_CLONES void
lectern_gemm_acc_small (gsize n, gsize k, gsize m, const float *restrict a, gssize lda,
                        const float *restrict b, float *restrict c, gssize ldc)
{
  /* Register blocking: 32 outputs of two rows stay in eight vector registers while the k
   * products stream past, so each output is loaded and stored once, not k times, and each row
   * of b is read once for two rows of a. */
  gsize i = 0;
  for (; i + 2 <= n; i += 2)
    {
      float *restrict c0 = c + (gssize) i * ldc, *restrict c1 = c0 + ldc;
      const float *a0 = a + (gssize) i * lda, *a1 = a0 + lda;
      gsize j = 0;
      for (; j + 32 <= m; j += 32)
        {
          v8sf s0 = *(const v8sf *) (c0 + j), s1 = *(const v8sf *) (c0 + j + 8);
          v8sf s2 = *(const v8sf *) (c0 + j + 16), s3 = *(const v8sf *) (c0 + j + 24);
          v8sf t0 = *(const v8sf *) (c1 + j), t1 = *(const v8sf *) (c1 + j + 8);
          v8sf t2 = *(const v8sf *) (c1 + j + 16), t3 = *(const v8sf *) (c1 + j + 24);
          for (gsize t = 0; t < k; t++)
            {
              const float *bt = b + t * m + j;
              const v8sf b0 = *(const v8sf *) bt, b1 = *(const v8sf *) (bt + 8);
              const v8sf b2 = *(const v8sf *) (bt + 16), b3 = *(const v8sf *) (bt + 24);
              const float v = a0[t], w = a1[t];
              s0 += v * b0;
              s1 += v * b1;
              s2 += v * b2;
              s3 += v * b3;
              t0 += w * b0;
              t1 += w * b1;
              t2 += w * b2;
              t3 += w * b3;
            }
          *(v8sf *) (c0 + j) = s0;
          *(v8sf *) (c0 + j + 8) = s1;
          *(v8sf *) (c0 + j + 16) = s2;
          *(v8sf *) (c0 + j + 24) = s3;
          *(v8sf *) (c1 + j) = t0;
          *(v8sf *) (c1 + j + 8) = t1;
          *(v8sf *) (c1 + j + 16) = t2;
          *(v8sf *) (c1 + j + 24) = t3;
        }
      for (; j + 8 <= m; j += 8)
        {
          v8sf s0 = *(const v8sf *) (c0 + j), t0 = *(const v8sf *) (c1 + j);
          for (gsize t = 0; t < k; t++)
            {
              const v8sf bt = *(const v8sf *) (b + t * m + j);
              s0 += a0[t] * bt;
              t0 += a1[t] * bt;
            }
          *(v8sf *) (c0 + j) = s0;
          *(v8sf *) (c1 + j) = t0;
        }
      for (; j < m; j++)
        {
          float s0 = c0[j], t0 = c1[j];
          for (gsize t = 0; t < k; t++)
            {
              s0 += a0[t] * b[t * m + j];
              t0 += a1[t] * b[t * m + j];
            }
          c0[j] = s0;
          c1[j] = t0;
        }
    }
  for (; i < n; i++)
    {
      float *restrict ci = c + (gssize) i * ldc;
      const float *ai = a + (gssize) i * lda;
      gsize j = 0;
      for (; j + 32 <= m; j += 32)
        {
          v8sf s0 = *(const v8sf *) (ci + j), s1 = *(const v8sf *) (ci + j + 8);
          v8sf s2 = *(const v8sf *) (ci + j + 16), s3 = *(const v8sf *) (ci + j + 24);
          for (gsize t = 0; t < k; t++)
            {
              const float *bt = b + t * m + j;
              const float v = ai[t];
              s0 += v * *(const v8sf *) bt;
              s1 += v * *(const v8sf *) (bt + 8);
              s2 += v * *(const v8sf *) (bt + 16);
              s3 += v * *(const v8sf *) (bt + 24);
            }
          *(v8sf *) (ci + j) = s0;
          *(v8sf *) (ci + j + 8) = s1;
          *(v8sf *) (ci + j + 16) = s2;
          *(v8sf *) (ci + j + 24) = s3;
        }
      for (; j + 8 <= m; j += 8)
        {
          v8sf s0 = *(const v8sf *) (ci + j);
          for (gsize t = 0; t < k; t++)
            s0 += ai[t] * *(const v8sf *) (b + t * m + j);
          *(v8sf *) (ci + j) = s0;
        }
      for (; j < m; j++)
        {
          float s0 = ci[j];
          for (gsize t = 0; t < k; t++)
            s0 += ai[t] * b[t * m + j];
          ci[j] = s0;
        }
    }
}
