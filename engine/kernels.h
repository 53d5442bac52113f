/* kernels.h — small vectorised loops the network spends its time in.
 *
 * The MDLSTM recurrence works on many small vectors (2 to 50 units), where a BLAS call costs more
 * than the arithmetic. These loops are written so the compiler vectorises them, and are built
 * twice (AVX2+FMA and baseline x86-64) with the faster one chosen at load time; the cell update
 * and the small products also have hand-written AVX2+FMA and AVX-512 versions (masked tails, no
 * blends), the widest chosen at run time, with the portable loops kept to test them against.
 * exp/sigmoid/tanh use a polynomial exp (relative error < 2e-7 on the range that matters),
 * identical on every machine, so results do not depend on libm. */
#pragma once

#include <glib.h>

/* Marks a hot function to be built for x86-64-v3 (AVX2, FMA) and for the baseline; the dynamic
 * loader picks the one the CPU runs. Not under ASan or TSan: the loader runs the (instrumented)
 * resolver before the sanitizer's runtime is set up, which crashes before main(). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) \
    && !defined(__SANITIZE_THREAD__)
# define LECTERN_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
# define LECTERN_HAVE_CLONES 1
#else
# define LECTERN_CLONES
#endif

G_BEGIN_DECLS

/* y[i] = exp(x[i]) with inputs clamped to [-80, 80] */
void lectern_vexp      (float *y, const float *x, gsize n);
void lectern_vsigmoid  (float *y, const float *x, gsize n);
void lectern_vtanh     (float *y, const float *x, gsize n);

/* Eight floats (GCC/Clang vector extension); unaligned and aliasing loads are allowed. The
 * baseline clone lowers it to SSE. */
typedef float v8sf __attribute__ ((vector_size (32), aligned (4), may_alias));

/* Cell states are clamped to ±LECTERN_CELL_LIMIT. Along a 2D scan a cell state is fed by both
 * predecessors; where f1 + f2 > 1 it grows geometrically along every path and would overflow
 * float on long lines (and its gradient with it). Below the limit the equations are exact;
 * beyond it tanh(c) is 1 to float precision, so only the peephole terms notice. The clamp's own
 * derivative (0 outside) is used in the backward pass, so gradients stay exact. */
#define LECTERN_CELL_LIMIT 50.0f

/* One anti-diagonal of MDLSTM cells, all arrays gate-major over m = n cells × D units:
 * on entry g[0..4][m] hold the pre-activations [i f1 f2 g o]; c1, c2 the predecessors' cell
 * states; p[0..3][m] the peepholes [p_i p_f1 p_f2 p_o] tiled over cells.
 * On exit g holds the activations (i, f1, f2, tanh(a_g), o), and c, tc = tanh(c), h are written.
 *   i  = σ(a_i  + p_i ⊙ (c1 + c2))
 *   f1 = σ(a_f1 + p_f1 ⊙ c1)
 *   f2 = σ(a_f2 + p_f2 ⊙ c2)
 *   c  = i ⊙ tanh(a_g) + f1 ⊙ c1 + f2 ⊙ c2
 *   o  = σ(a_o  + p_o ⊙ c)
 *   h  = o ⊙ tanh(c) */
void lectern_lstm_cells_forward (gsize m, float *g_i, float *g_f1, float *g_f2, float *g_g,
                                 float *g_o, const float *c1, const float *c2,
                                 const float *p_i, const float *p_f1, const float *p_f2,
                                 const float *p_o, float *c, float *tc, float *h);

/* Backward of the above for m units. Inputs: activations (i f1 f2 g o), c, tc, c1, c2, peepholes,
 * dh, dc_in (gradient reaching c from the successors). Outputs: da[0..4] (gradient of the
 * pre-activations), dc1, dc2 (gradient to the predecessors' c), and dp[0..3] accumulated (+=). */
void lectern_lstm_cells_backward (gsize m, const float *i, const float *f1, const float *f2,
                                  const float *g, const float *o, const float *c, const float *tc,
                                  const float *c1, const float *c2,
                                  const float *p_i, const float *p_f1, const float *p_f2,
                                  const float *p_o, const float *dh, const float *dc_in,
                                  float *da_i, float *da_f1, float *da_f2, float *da_g, float *da_o,
                                  float *dc1, float *dc2,
                                  float *dp_i, float *dp_f1, float *dp_f2, float *dp_o);

/* The forward update of n cells of D units each, as lectern_lstm_cells_forward with per-unit
 * peepholes p = [p_i p_f1 p_f2 p_o] (4 × D): cell k's gates [i f1 f2 g o] (5 × D) at
 * a + k·a_stride, to which the bias b (5 × D) is added first, its predecessors' cell states
 * c1[k] and c2[k], and its c, tc, h at k·stride from c, tc and h. */
void lectern_lstm_cells_forward_batch (gsize n, gsize D, float *a, gssize a_stride,
                                       const float *b, const float *const *c1,
                                       const float *const *c2,
                                       const float *p, float *c, float *tc, float *h,
                                       gssize stride);

/* The forward cell update has an AVX2+FMA version, used when the processor has both (the
 * default). Tests call this with FALSE to compare it with the portable loop, and TRUE to go
 * back; returns whether the processor has AVX2 and FMA (whether TRUE can take effect). */
gboolean lectern_kernels_use_avx2 (gboolean use);

/* Where the processor and the system support AVX-512 the cell update and the small products
 * use it instead (the default; the results are bit-identical to the AVX2 ones). FALSE keeps
 * them to AVX2, TRUE goes back; returns whether AVX-512 is there. */
gboolean lectern_kernels_use_avx512 (gboolean use);

/* The same with one peephole value per gate for all m elements: p = [p_i, p_f1, p_f2, p_o].
 * The backward variant accumulates the peephole gradients per element (dp_* arrays of m). */
void lectern_lstm_cells_forward_scalar (gsize m, float *g_i, float *g_f1, float *g_f2,
                                        float *g_g, float *g_o, const float *c1, const float *c2,
                                        const float *p, float *c, float *tc, float *h);
void lectern_lstm_cells_backward_scalar (gsize m, const float *i, const float *f1,
                                         const float *f2, const float *g, const float *o,
                                         const float *c, const float *tc, const float *c1,
                                         const float *c2, const float *p, const float *dh,
                                         const float *dc_in, float *da_i, float *da_f1,
                                         float *da_f2, float *da_g, float *da_o, float *dc1,
                                         float *dc2, float *dp_i, float *dp_f1, float *dp_f2,
                                         float *dp_o);

/* Flush subnormal floats to zero in this thread (x86 MXCSR FTZ and DAZ) for the duration of a
 * pass; returns the previous state for lectern_fp_restore. A subnormal costs a microcode
 * assist of over a hundred cycles and never matters to the network's result. */
guint lectern_fp_flush_subnormals (void);
void  lectern_fp_restore (guint state);

/* y[j] += a * x[j] */
void lectern_axpy (gsize n, float a, const float *x, float *y);
/* sum_j x[j] * y[j] */
float lectern_dot (gsize n, const float *x, const float *y);

G_END_DECLS

G_BEGIN_DECLS
/* c (n × m, row stride ldc) += a (n × k, row stride lda) · b (k × m, contiguous); strides may
 * be negative.
 * For the small products of the recurrence, where BLAS call overhead dominates. */
void lectern_gemm_acc_small (gsize n, gsize k, gsize m, const float *a, gssize lda,
                             const float *b, float *c, gssize ldc);

/* out[g·out_stride + i] = bias[g] + Σ_t w[t·n_out + g] · z[t][i] for g < n_out and i < len (a
 * multiple of 8); bias may be NULL (zero). A layer's projections onto its gates along a
 * diagonal, from input rows z (vectors of the diagonal's cells), and back. Fastest when n_out
 * is a multiple of 5 (the gates of an LSTM layer are). */
void lectern_project_rows (gsize n_out, gsize nz, const float *const *z, const float *w,
                           const float *bias, gsize len, float *out, gsize out_stride);
G_END_DECLS
