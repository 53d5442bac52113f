/* kernels.c — vectorised exp/sigmoid/tanh, the MDLSTM cell update, and the small products of
 * the recurrence.
 *
 * Each exported loop is cloned for x86-64-v3 (AVX2, FMA) and the baseline; the dynamic loader
 * picks one. The cell update and the small products also have AVX2 and AVX-512 intrinsics
 * versions (see "AVX2 + FMA and AVX-512 kernels"). Nothing here calls libm, so all versions give
 * the same results up to FMA rounding, and AVX-512 gives the AVX2 versions' bits. */
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

/* ---- AVX2 + FMA and AVX-512 kernels -------------------------------------------------------
 *
 * The cell update in intrinsics (kernels-simd.inc, built for both widths), because the
 * compiler's own vectorisation of lectern_lstm_cells_forward_impl spends a third of its
 * instructions on the clamps (a compare and a two-µop blend each, where one max or min is
 * enough) and runs the last m % 8 elements one at a time, as expensive as whole vectors (with 10
 * or 50 units per call, most of the work). Here the tail is one masked vector. The small products
 * of the recurrence have an AVX-512 version too (lectern_gemm_acc_small). The widest set the
 * processor and the system support is chosen at run time; the portable loops are kept for other
 * processors and to test these against. */
#if defined(__x86_64__) && defined(__GNUC__)
# include <immintrin.h>
# define LECTERN_AVX2_KERNELS 1
# define AVX2_FN __attribute__ ((target ("avx2,fma")))
# define AVX512_FN __attribute__ ((target ("avx512f,avx2,fma")))

/* Lanes below n set (n ≤ 8). */
AVX2_FN static inline __m256i
lanes8 (gsize n)
{
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) n),
                             _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}

# define SIMD(name) name##_avx2
# define SIMD_FN AVX2_FN
# define LANES 8
# define VF __m256
# define VI __m256i
# define VM __m256i
# define V_ALL _mm256_set1_epi32 (-1)
# define V_LANES(n) lanes8 (n)
# define V_LOAD(ptr, mk) _mm256_maskload_ps ((ptr), (mk))
# define V_STORE(ptr, mk, v) _mm256_maskstore_ps ((ptr), (mk), (v))
# define V_SET1 _mm256_set1_ps
# define V_ADD _mm256_add_ps
# define V_SUB _mm256_sub_ps
# define V_MUL _mm256_mul_ps
# define V_DIV _mm256_div_ps
# define V_MAX _mm256_max_ps
# define V_MIN _mm256_min_ps
# define V_FMADD _mm256_fmadd_ps
# define V_FNMADD _mm256_fnmadd_ps
# define V_AS_I _mm256_castps_si256
# define I_AS_V _mm256_castsi256_ps
# define VI_SET1 _mm256_set1_epi32
# define VI_SUB _mm256_sub_epi32
# define VI_SLLI _mm256_slli_epi32
# include "kernels-simd.inc"

/* AVX-512 masked loads read nothing (and cannot fault) in the lanes outside the mask. */
# define SIMD(name) name##_avx512
# define SIMD_FN AVX512_FN
# define LANES 16
# define VF __m512
# define VI __m512i
# define VM __mmask16
# define V_ALL ((__mmask16) 0xFFFF)
# define V_LANES(n) ((__mmask16) ((1u << (n)) - 1))
# define V_LOAD(ptr, mk) _mm512_maskz_loadu_ps ((mk), (ptr))
# define V_STORE(ptr, mk, v) _mm512_mask_storeu_ps ((ptr), (mk), (v))
# define V_SET1 _mm512_set1_ps
# define V_ADD _mm512_add_ps
# define V_SUB _mm512_sub_ps
# define V_MUL _mm512_mul_ps
# define V_DIV _mm512_div_ps
# define V_MAX _mm512_max_ps
# define V_MIN _mm512_min_ps
# define V_FMADD _mm512_fmadd_ps
# define V_FNMADD _mm512_fnmadd_ps
# define V_AS_I _mm512_castps_si512
# define I_AS_V _mm512_castsi512_ps
# define VI_SET1 _mm512_set1_epi32
# define VI_SUB _mm512_sub_epi32
# define VI_SLLI _mm512_slli_epi32
# include "kernels-simd.inc"

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

/* nv vectors of 16 columns of one or two rows of c (the last vector under mask `last`),
 * accumulated in registers over the k products: up to 8 accumulators, enough to keep both FMA
 * units busy (the loops have constant bounds and are unrolled). */
static inline __attribute__ ((always_inline)) AVX512_FN void
gemm_block_avx512 (const int rows, const int nv, __mmask16 last, gsize k, gsize m,
                   const float *a0, const float *a1, const float *b, float *c0, float *c1)
{
  __m512 s[2][4];
  for (int v = 0; v < nv; v++)
    {
      const __mmask16 mk = v == nv - 1 ? last : (__mmask16) 0xFFFF;
      s[0][v] = _mm512_maskz_loadu_ps (mk, c0 + 16 * v);
      if (rows == 2)
        s[1][v] = _mm512_maskz_loadu_ps (mk, c1 + 16 * v);
    }
  for (gsize t = 0; t < k; t++)
    {
      const float *bt = b + t * m;
      const __m512 x = _mm512_set1_ps (a0[t]);
      const __m512 y = _mm512_set1_ps (a1[t]);
      for (int v = 0; v < nv; v++)
        {
          const __mmask16 mk = v == nv - 1 ? last : (__mmask16) 0xFFFF;
          const __m512 bv = _mm512_maskz_loadu_ps (mk, bt + 16 * v);
          s[0][v] = _mm512_fmadd_ps (x, bv, s[0][v]);
          if (rows == 2)
            s[1][v] = _mm512_fmadd_ps (y, bv, s[1][v]);
        }
    }
  for (int v = 0; v < nv; v++)
    {
      const __mmask16 mk = v == nv - 1 ? last : (__mmask16) 0xFFFF;
      _mm512_mask_storeu_ps (c0 + 16 * v, mk, s[0][v]);
      if (rows == 2)
        _mm512_mask_storeu_ps (c1 + 16 * v, mk, s[1][v]);
    }
}

/* lectern_gemm_acc_small with AVX-512: two rows at a time, 64 columns at a time, and the last
 * 1–63 columns in one pass of up to four vectors, the last under mask. Each output is the same
 * chain of FMAs over t as in the loop's x86-64-v3 clone, so the results are bit-identical to
 * the clone's (builds without clones, the sanitizers', round the baseline loop differently). */
AVX512_FN static void
gemm_acc_small_avx512 (gsize n, gsize k, gsize m, const float *a, gssize lda, const float *b,
                       float *c, gssize ldc)
{
  for (gsize i = 0; i < n; i += 2)
    {
      const gboolean two = i + 1 < n;
      const float *a0 = a + (gssize) i * lda, *a1 = two ? a0 + lda : a0;
      float *c0 = c + (gssize) i * ldc, *c1 = two ? c0 + ldc : c0;
      gsize j = 0;
      for (; j + 64 <= m; j += 64)
        {
          if (two)
            gemm_block_avx512 (2, 4, 0xFFFF, k, m, a0, a1, b + j, c0 + j, c1 + j);
          else
            gemm_block_avx512 (1, 4, 0xFFFF, k, m, a0, a1, b + j, c0 + j, c1 + j);
        }
      if (j == m)
        continue;
      const gsize r = m - j;
      const int nv = (int) ((r + 15) / 16);
      const __mmask16 last = (__mmask16) (0xFFFFu >> (16 * nv - r));
# define GEMM_REST(NV)                                                                       \
      case NV:                                                                              \
        if (two)                                                                            \
          gemm_block_avx512 (2, NV, last, k, m, a0, a1, b + j, c0 + j, c1 + j);             \
        else                                                                                \
          gemm_block_avx512 (1, NV, last, k, m, a0, a1, b + j, c0 + j, c1 + j);             \
        break;
      switch (nv)
        {
          GEMM_REST (1)
          GEMM_REST (2)
          GEMM_REST (3)
          GEMM_REST (4)
        }
# undef GEMM_REST
    }
}

/* What the processor and the system (the saved register state) support. */
enum { KERNELS_PORTABLE, KERNELS_AVX2, KERNELS_AVX512 };

static int
cpu_kernels (void)
{
  __builtin_cpu_init ();
  if (!__builtin_cpu_supports ("avx2") || !__builtin_cpu_supports ("fma"))
    return KERNELS_PORTABLE;
  return __builtin_cpu_supports ("avx512f") ? KERNELS_AVX512 : KERNELS_AVX2;
}

static int kernels_in_use = -1;  /* -1: not decided yet */

static inline int
kernels (void)
{
  int u = g_atomic_int_get (&kernels_in_use);
  if (G_UNLIKELY (u < 0))
    {
      u = cpu_kernels ();
      g_atomic_int_set (&kernels_in_use, u);
    }
  return u;
}
# define avx2_kernels() (kernels () >= KERNELS_AVX2)
# define avx512_kernels() (kernels () == KERNELS_AVX512)
#else
# define avx2_kernels() FALSE
# define avx512_kernels() FALSE
#endif

gboolean
lectern_kernels_use_avx2 (gboolean use)
{
#ifdef LECTERN_AVX2_KERNELS
  const int can = cpu_kernels ();
  g_atomic_int_set (&kernels_in_use, use ? can : KERNELS_PORTABLE);
  return can >= KERNELS_AVX2;
#else
  (void) use;
  return FALSE;
#endif
}

gboolean
lectern_kernels_use_avx512 (gboolean use)
{
#ifdef LECTERN_AVX2_KERNELS
  const int can = cpu_kernels ();
  g_atomic_int_set (&kernels_in_use, use ? can : MIN (can, KERNELS_AVX2));
  return can == KERNELS_AVX512;
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
  if (avx512_kernels ())
    {
      cells_forward_vec_avx512 (m, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p_i, p_f1, p_f2, p_o, c, tc,
                                h);
      return;
    }
  if (avx2_kernels ())
    {
      cells_forward_vec_avx2 (m, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p_i, p_f1, p_f2, p_o, c, tc, h);
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
  if (avx512_kernels ())
    {
      cells_forward_one_avx512 (m, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p, c, tc, h);
      return;
    }
  if (avx2_kernels ())
    {
      cells_forward_one_avx2 (m, g_i, g_f1, g_f2, g_g, g_o, c1, c2, p, c, tc, h);
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
  if (avx512_kernels ())
    {
      cells_forward_batch_avx512 (n, D, a, a_stride, b, c1, c2, p, c, tc, h, stride);
      return;
    }
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
#ifdef LECTERN_AVX2_KERNELS
  if (avx512_kernels ())
    {
      gemm_acc_small_avx512 (n, k, m, a, lda, b, c, ldc);
      return;
    }
#endif
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
