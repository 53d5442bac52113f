/* mdlstm.h — one multidirectional 2D-LSTM layer: four directions, forward and backward.
 *
 * Shapes (all row-major, grid coordinates of the input, channels last):
 *   x   H × W × K          input
 *   h   H × W × 4D         output: the four directions' maps, flipped back to the grid, side by side
 *   wx  K × 20D            input weights of the four directions, column blocks d·5D + [i f1 f2 g o]·D
 *   b   20D                biases, same blocks
 *   u   4 × 2D × 5D        recurrent weights per direction: rows 0..D-1 are U1 (vertical
 *                          predecessor), rows D..2D-1 are U2 (horizontal predecessor)
 *   p   4 × 4 × D          peepholes per direction, rows [p_i p_f1 p_f2 p_o]
 * Direction d scans from: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
 *
 * The input projection of every cell and direction is one GEMM; the recurrence then walks the
 * anti-diagonals of each direction's scan, updating all cells of a diagonal at once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int    K, D;
  float *wx, *b, *u, *p;
} LecternMdlstmParams;

/* What the forward pass keeps for the backward pass (and for heat maps). */
typedef struct {
  int    H, W, D;
  float *a;    /* H·W × 20D   gate activations (i f1 f2 tanh(a_g) o) per direction */
  float *c;    /* H·W × 4D    cell states */
  float *tc;   /* H·W × 4D    tanh(c) */
  float *h;    /* H·W × 4D    outputs */
} LecternMdlstmState;

/* Growable scratch memory owned by a caller (one per thread). */
typedef struct {
  float *buf[4];
  gsize  size[4];
  float *dir_buf[4];
  gsize  dir_size[4];
} LecternMdlstmScratch;

void   lectern_mdlstm_scratch_clear (LecternMdlstmScratch *s);

/* Runs fn(data, d) for d = 0..3, possibly on several threads; NULL runs them in turn. */
typedef void (*LecternForEachDirection) (void (*fn) (gpointer data, int d), gpointer data,
                                         gpointer user_data);

typedef struct {
  LecternForEachDirection for_each;
  gpointer                user_data;
} LecternParallel;

/* st->a, c, tc, h must hold H·W·20D, H·W·4D ×3 floats. */
void lectern_mdlstm_forward  (const LecternMdlstmParams *p, const float *x, int H, int W,
                              LecternMdlstmState *st, LecternMdlstmScratch *scratch,
                              const LecternParallel *par);

/* dh: H × W × 4D gradient of the outputs. Accumulates (+=) into grad's tensors; writes dx
 * (H × W × K) when dx != NULL. */
void lectern_mdlstm_backward (const LecternMdlstmParams *p, const LecternMdlstmParams *grad,
                              const float *x, int H, int W, const LecternMdlstmState *st,
                              const float *dh, float *dx, LecternMdlstmScratch *scratch,
                              const LecternParallel *par);

/* Floating-point operations of one forward pass (multiply-add = 2). */
double lectern_mdlstm_flops (int K, int D, int H, int W);

G_END_DECLS
