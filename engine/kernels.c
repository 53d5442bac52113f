/* kernels.c — vectorised exp/sigmoid/tanh, the MDLSTM cell update, and the small products of
 * the recurrence.
 *
 * Each exported loop is cloned for x86-64-v3 (AVX2, FMA) and the baseline; the dynamic loader
 * picks one. The cell update and the small products' tails also have AVX2 intrinsics versions
 * (see "AVX2 + FMA forward kernel"). Nothing here calls libm, so all versions give the same
 * results up to FMA rounding. */
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
  /* Two passes, not one: in one fused pass every element is a chain of two exps, two
   * divisions and the cell update, over a hundred cycles deep, and the processor cannot look far
   * enough ahead to overlap the next elements' chains. Split, each pass is half as long and the
   * out-of-order core keeps several elements in flight (measured: the layer's gate updates
   * about twice as fast). */
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
      g_i[k] = i;
      g_f1[k] = f1;
      g_f2[k] = f2;
      g_g[k] = g;
      c[k] = cc;
    }
  for (gsize k = 0; k < m; k++)
    {
      /* o = σ(a_o + p_o ⊙ c), h = o ⊙ tanh(c) */
      float o = fast_sigmoid (g_o[k] + p_o[k * ps] * c[k]);
      float t = fast_tanh (c[k]);
      g_o[k] = o;
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

/* ---- AVX2 + FMA forward kernel ------------------------------------------------------------
 *
 * The same arithmetic as lectern_lstm_cells_forward_impl, written with intrinsics, because the
 * compiler's own vectorisation of that loop spends a third of its instructions on the clamps
 * (a compare and a two-µop blend each, where one max or min is enough) and runs the last m % 8
 * elements one at a time, as expensive as whole vectors (with 10 or 50 units per call, most of
 * the work). Here the tail is one masked vector. Chosen at run time when the processor has AVX2
 * and FMA; the portable loop is kept for other processors and to test this one against. */
#if defined(__x86_64__) && defined(__GNUC__)
# include <immintrin.h>
# define LECTERN_AVX2_KERNELS 1
# define AVX2_FN __attribute__ ((target ("avx2,fma")))

AVX2_FN static inline __m256
exp8 (__m256 x)
{
  /* max(c, x) and min(c, x) with the constant first keep a NaN x a NaN, as the portable
   * clamps do */
  x = _mm256_max_ps (_mm256_set1_ps (-80.0f), x);
  x = _mm256_min_ps (_mm256_set1_ps (80.0f), x);
  const __m256 big = _mm256_set1_ps (12582912.0f);
  __m256 t = _mm256_fmadd_ps (x, _mm256_set1_ps (1.44269504088896341f), big);
  __m256 fn = _mm256_sub_ps (t, big);
  __m256 r = _mm256_fnmadd_ps (fn, _mm256_set1_ps (0.693145751953125f), x);
  r = _mm256_fnmadd_ps (fn, _mm256_set1_ps (1.428606765330187e-06f), r);
  __m256 p = _mm256_set1_ps (1.9875691500e-4f);
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.3981999507e-3f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (8.3334519073e-3f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (4.1665795894e-2f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.6666665459e-1f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (5.0000001201e-1f));
  p = _mm256_fmadd_ps (_mm256_mul_ps (p, r), r, _mm256_add_ps (r, _mm256_set1_ps (1.0f)));
  __m256i e = _mm256_slli_epi32 (_mm256_sub_epi32 (_mm256_castps_si256 (t),
                                                   _mm256_set1_epi32 (0x4B400000 - 127)), 23);
  return _mm256_mul_ps (p, _mm256_castsi256_ps (e));
}

AVX2_FN static inline __m256
sigmoid8 (__m256 x)
{
  const __m256 one = _mm256_set1_ps (1.0f);
  return _mm256_div_ps (one, _mm256_add_ps (one, exp8 (_mm256_sub_ps (_mm256_setzero_ps (), x))));
}

AVX2_FN static inline __m256
tanh8 (__m256 x)
{
  const __m256 one = _mm256_set1_ps (1.0f);
  __m256 q = _mm256_div_ps (_mm256_set1_ps (2.0f), _mm256_add_ps (one, exp8 (_mm256_add_ps (x, x))));
  return _mm256_sub_ps (one, q);
}

/* Lanes below n set (n ≤ 8). */
AVX2_FN static inline __m256i
lanes8 (gsize n)
{
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) n),
                             _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}

/* A peephole vector: eight values (per element) or one value broadcast (ps = 0). */
# define PEEP8(ptr, k, ps, mask) \
  ((ps) ? _mm256_maskload_ps ((ptr) + (k), (mask)) : _mm256_broadcast_ss (ptr))

/* Pass 1 (i, f1, f2, tanh(a_g), c) and pass 2 (o, tanh(c), h) over m elements; two passes
 * instead of one, as in the portable loop. With bias (b non-NULL, 5 × m: b_i … b_o), it is added
 * to the pre-activations first. */
AVX2_FN static inline void
pass1_avx2 (gsize m, const gsize ps, float *g_i, float *g_f1, float *g_f2, float *g_g,
            const float *c1, const float *c2, const float *p_i, const float *p_f1,
            const float *p_f2, const float *b, float *c)
{
  const __m256 lim = _mm256_set1_ps (LECTERN_CELL_LIMIT), nlim = _mm256_set1_ps (-LECTERN_CELL_LIMIT);
  const __m256i all = _mm256_set1_epi32 (-1);
  for (gsize k = 0; k < m; k += 8)
    {
      const __m256i mk = k + 8 <= m ? all : lanes8 (m - k);
      const __m256 v1 = _mm256_maskload_ps (c1 + k, mk), v2 = _mm256_maskload_ps (c2 + k, mk);
      __m256 ai = _mm256_maskload_ps (g_i + k, mk), af1 = _mm256_maskload_ps (g_f1 + k, mk);
      __m256 af2 = _mm256_maskload_ps (g_f2 + k, mk), ag = _mm256_maskload_ps (g_g + k, mk);
      if (b != NULL)
        {
          ai = _mm256_add_ps (ai, _mm256_maskload_ps (b + k, mk));
          af1 = _mm256_add_ps (af1, _mm256_maskload_ps (b + m + k, mk));
          af2 = _mm256_add_ps (af2, _mm256_maskload_ps (b + 2 * m + k, mk));
          ag = _mm256_add_ps (ag, _mm256_maskload_ps (b + 3 * m + k, mk));
        }
      const __m256 i = sigmoid8 (_mm256_fmadd_ps (PEEP8 (p_i, k, ps, mk), _mm256_add_ps (v1, v2), ai));
      const __m256 f1 = sigmoid8 (_mm256_fmadd_ps (PEEP8 (p_f1, k, ps, mk), v1, af1));
      const __m256 f2 = sigmoid8 (_mm256_fmadd_ps (PEEP8 (p_f2, k, ps, mk), v2, af2));
      const __m256 g = tanh8 (ag);
      __m256 cc = _mm256_fmadd_ps (i, g, _mm256_fmadd_ps (f1, v1, _mm256_mul_ps (f2, v2)));
      cc = _mm256_min_ps (lim, _mm256_max_ps (nlim, cc));
      _mm256_maskstore_ps (g_i + k, mk, i);
      _mm256_maskstore_ps (g_f1 + k, mk, f1);
      _mm256_maskstore_ps (g_f2 + k, mk, f2);
      _mm256_maskstore_ps (g_g + k, mk, g);
      _mm256_maskstore_ps (c + k, mk, cc);
    }
}

AVX2_FN static inline void
pass2_avx2 (gsize m, const gsize ps, float *g_o, const float *c, const float *p_o,
            const float *b_o, float *tc, float *h)
{
  const __m256i all = _mm256_set1_epi32 (-1);
  for (gsize k = 0; k < m; k += 8)
    {
      const __m256i mk = k + 8 <= m ? all : lanes8 (m - k);
      const __m256 cc = _mm256_maskload_ps (c + k, mk);
      __m256 ao = _mm256_maskload_ps (g_o + k, mk);
      if (b_o != NULL)
        ao = _mm256_add_ps (ao, _mm256_maskload_ps (b_o + k, mk));
      const __m256 o = sigmoid8 (_mm256_fmadd_ps (PEEP8 (p_o, k, ps, mk), cc, ao));
      const __m256 t = tanh8 (cc);
      _mm256_maskstore_ps (g_o + k, mk, o);
      _mm256_maskstore_ps (tc + k, mk, t);
      _mm256_maskstore_ps (h + k, mk, _mm256_mul_ps (o, t));
    }
}

AVX2_FN static inline void
cells_forward_avx2 (gsize m, const gsize ps, float *g_i, float *g_f1, float *g_f2, float *g_g,
                    float *g_o, const float *c1, const float *c2, const float *p_i,
                    const float *p_f1, const float *p_f2, const float *p_o, float *c, float *tc,
                    float *h)
{
  pass1_avx2 (m, ps, g_i, g_f1, g_f2, g_g, c1, c2, p_i, p_f1, p_f2, NULL, c);
  pass2_avx2 (m, ps, g_o, c, p_o, NULL, tc, h);
}

/* All cells first through pass 1, then all through pass 2: a cell's few vectors (10 units are
 * two) are too short a loop for the processor to overlap anything within one cell. */
AVX2_FN static void
cells_forward_batch_avx2 (gsize n, gsize D, float *a, gssize a_stride, const float *b,
                          const float *const *c1, const float *const *c2, const float *p,
                          float *c, float *tc, float *h, gssize stride)
{
  for (gsize k = 0; k < n; k++)
    {
      float *ak = a + (gssize) k * a_stride;
      pass1_avx2 (D, 1, ak, ak + D, ak + 2 * D, ak + 3 * D, c1[k], c2[k], p, p + D, p + 2 * D, b,
                  c + (gssize) k * stride);
    }
  for (gsize k = 0; k < n; k++)
    {
      const gssize o = (gssize) k * stride;
      pass2_avx2 (D, 1, a + (gssize) k * a_stride + 4 * D, c + o, p + 3 * D, b + 4 * D, tc + o,
                  h + o);
    }
}
# undef PEEP8

AVX2_FN static void
cells_forward_avx2_vec (gsize m, float *g_i, float *g_f1, float *g_f2, float *g_g, float *g_o,
                        const float *c1, const float *c2, const float *p_i, const float *p_f1,
                        const float *p_f2, const float *p_o, float *c, float *tc, float *h)
{
  cells_forward_avx2 (m, 1, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p_i, p_f1, p_f2, p_o, c, tc, h);
}

AVX2_FN static void
cells_forward_avx2_one (gsize m, float *g_i, float *g_f1, float *g_f2, float *g_g, float *g_o,
                        const float *c1, const float *c2, const float *p, float *c, float *tc,
                        float *h)
{
  cells_forward_avx2 (m, 0, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p, p + 1, p + 2, p + 3, c, tc, h);
}

/* Columns j0 … m − 1 (fewer than 8) of lectern_gemm_acc_small, as one masked vector per row:
 * done one column at a time, 2 of 50 columns cost as much as the first 32 together. The masked
 * loads read nothing beyond column m − 1 of b and c. */
AVX2_FN static void
gemm_acc_tail_avx2 (gsize n, gsize k, gsize m, gsize j0, const float *a, gssize lda,
                    const float *b, float *c, gssize ldc)
{
  const __m256i mk = lanes8 (m - j0);
  gsize i = 0;
  for (; i + 2 <= n; i += 2)
    {
      float *c0 = c + (gssize) i * ldc + j0, *c1 = c0 + ldc;
      const float *a0 = a + (gssize) i * lda, *a1 = a0 + lda;
      __m256 s0 = _mm256_maskload_ps (c0, mk), s1 = _mm256_maskload_ps (c1, mk);
      for (gsize t = 0; t < k; t++)
        {
          const __m256 bt = _mm256_maskload_ps (b + t * m + j0, mk);
          s0 = _mm256_fmadd_ps (_mm256_broadcast_ss (a0 + t), bt, s0);
          s1 = _mm256_fmadd_ps (_mm256_broadcast_ss (a1 + t), bt, s1);
        }
      _mm256_maskstore_ps (c0, mk, s0);
      _mm256_maskstore_ps (c1, mk, s1);
    }
  for (; i < n; i++)
    {
      float *c0 = c + (gssize) i * ldc + j0;
      const float *a0 = a + (gssize) i * lda;
      __m256 s0 = _mm256_maskload_ps (c0, mk);
      for (gsize t = 0; t < k; t++)
        s0 = _mm256_fmadd_ps (_mm256_broadcast_ss (a0 + t),
                              _mm256_maskload_ps (b + t * m + j0, mk), s0);
      _mm256_maskstore_ps (c0, mk, s0);
    }
}

static gboolean
cpu_has_avx2_fma (void)
{
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
}

static int use_avx2 = -1;  /* -1: not decided yet */

static inline gboolean
avx2_kernels (void)
{
  int u = g_atomic_int_get (&use_avx2);
  if (G_UNLIKELY (u < 0))
    {
      u = cpu_has_avx2_fma ();
      g_atomic_int_set (&use_avx2, u);
    }
  return u;
}
#else
# define avx2_kernels() FALSE
#endif

gboolean
lectern_kernels_use_avx2 (gboolean use)
{
#ifdef LECTERN_AVX2_KERNELS
  const gboolean can = cpu_has_avx2_fma ();
  g_atomic_int_set (&use_avx2, use && can);
  return can;
#else
  (void) use;
  return FALSE;
#endif
}

/* Peepholes per element (ps = 1) or one value for all (ps = 0): two specialised clones. */
LECTERN_CLONES void
lectern_lstm_cells_forward (gsize m, float *g_i, float *g_f1, float *g_f2, float *g_g, float *g_o,
                            const float *c1, const float *c2, const float *p_i, const float *p_f1,
                            const float *p_f2, const float *p_o, float *c, float *tc, float *h)
{
#ifdef LECTERN_AVX2_KERNELS
  if (avx2_kernels ())
    {
      cells_forward_avx2_vec (m, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p_i, p_f1, p_f2, p_o, c, tc, h);
      return;
    }
#endif
  lectern_lstm_cells_forward_impl (m, 1, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p_i, p_f1, p_f2, p_o,
                                   c, tc, h);
}

LECTERN_CLONES void
lectern_lstm_cells_forward_scalar (gsize m, float *g_i, float *g_f1, float *g_f2, float *g_g,
                                   float *g_o, const float *c1, const float *c2, const float *p,
                                   float *c, float *tc, float *h)
{
#ifdef LECTERN_AVX2_KERNELS
  if (avx2_kernels ())
    {
      cells_forward_avx2_one (m, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p, c, tc, h);
      return;
    }
#endif
  lectern_lstm_cells_forward_impl (m, 0, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p, p + 1, p + 2, p + 3,
                                   c, tc, h);
}

void
lectern_lstm_cells_forward_batch (gsize n, gsize D, float *a, gssize a_stride, const float *b,
                                  const float *const *c1, const float *const *c2, const float *p,
                                  float *c, float *tc, float *h, gssize stride)
{
#ifdef LECTERN_AVX2_KERNELS
  if (avx2_kernels ())
    {
      cells_forward_batch_avx2 (n, D, a, a_stride, b, c1, c2, p, c, tc, h, stride);
      return;
    }
#endif
  for (gsize k = 0; k < n; k++)
    {
      float *ak = a + (gssize) k * a_stride;
      for (gsize j = 0; j < 5 * D; j++)
        ak[j] += b[j];
      const gssize o = (gssize) k * stride;
      lectern_lstm_cells_forward (D, ak, ak + D, ak + 2 * D, ak + 3 * D, ak + 4 * D, c1[k], c2[k],
                                  p, p + D, p + 2 * D, p + 3 * D, c + o, tc + o, h + o);
    }
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
  /* columns up to mv here; the last m % 8 as masked vectors where AVX2 is there */
  gsize mv = m;
#ifdef LECTERN_AVX2_KERNELS
  if (m % 8 != 0 && avx2_kernels ())
    mv = m & ~(gsize) 7;
#endif
  gsize i = 0;
  for (; i + 2 <= n; i += 2)
    {
      float *restrict c0 = c + (gssize) i * ldc, *restrict c1 = c0 + ldc;
      const float *a0 = a + (gssize) i * lda, *a1 = a0 + lda;
      gsize j = 0;
      for (; j + 32 <= mv; j += 32)
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
      for (; j + 8 <= mv; j += 8)
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
      for (; j < mv; j++)
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
      for (; j + 32 <= mv; j += 32)
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
      for (; j + 8 <= mv; j += 8)
        {
          v8sf s0 = *(const v8sf *) (ci + j);
          for (gsize t = 0; t < k; t++)
            s0 += ai[t] * *(const v8sf *) (b + t * m + j);
          *(v8sf *) (ci + j) = s0;
        }
      for (; j < mv; j++)
        {
          float s0 = ci[j];
          for (gsize t = 0; t < k; t++)
            s0 += ai[t] * b[t * m + j];
          ci[j] = s0;
        }
    }
#ifdef LECTERN_AVX2_KERNELS
  if (mv < m)
    gemm_acc_tail_avx2 (n, k, m, mv, a, lda, b, c, ldc);
#endif
}

/* nq outputs (5 or 1) × nv vectors of 8 (2 or 1) from position i, accumulated in registers
 * (the loops have constant bounds and are unrolled). */
static inline __attribute__ ((always_inline)) void
project_block (const int nq, const int nv, gsize n_out, gsize nz, const float *const *z,
               const float *w, const float *bias, gsize g, gsize i, float *out, gsize out_stride)
{
  v8sf acc[2][5];
  for (int v = 0; v < nv; v++)
    for (int q = 0; q < nq; q++)
      {
        acc[v][q] = (v8sf) { 0 };
        if (bias != NULL)
          acc[v][q] += bias[g + q];
      }
  for (gsize t = 0; t < nz; t++)
    {
      const float *wt = w + t * n_out + g;
      for (int v = 0; v < nv; v++)
        {
          const v8sf x = *(const v8sf *) (z[t] + i + 8 * v);
          for (int q = 0; q < nq; q++)
            acc[v][q] += wt[q] * x;
        }
    }
  for (int v = 0; v < nv; v++)
    for (int q = 0; q < nq; q++)
      *(v8sf *) (out + (g + q) * out_stride + i + 8 * v) = acc[v][q];
}

LECTERN_CLONES void
lectern_project_rows (gsize n_out, gsize nz, const float *const *z, const float *w,
                      const float *bias, gsize len, float *out, gsize out_stride)
{
  /* Five outputs × two vectors of 8 in ten registers while the inputs stream past: each input
   * vector is loaded once for five outputs, each weight once for sixteen elements. */
  g_return_if_fail (len % 8 == 0);
  gsize g = 0;
  for (; g + 5 <= n_out; g += 5)
    {
      gsize i = 0;
      for (; i + 16 <= len; i += 16)
        project_block (5, 2, n_out, nz, z, w, bias, g, i, out, out_stride);
      for (; i < len; i += 8)
        project_block (5, 1, n_out, nz, z, w, bias, g, i, out, out_stride);
    }
  for (; g < n_out; g++)
    {
      gsize i = 0;
      for (; i + 16 <= len; i += 16)
        project_block (1, 2, n_out, nz, z, w, bias, g, i, out, out_stride);
      for (; i < len; i += 8)
        project_block (1, 1, n_out, nz, z, w, bias, g, i, out, out_stride);
    }
}
