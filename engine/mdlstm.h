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
 * The recurrence walks the anti-diagonals of each direction's scan: the cells of one diagonal
 * depend only on the previous diagonal, so they are updated together. Two implementations:
 *   - cells: one GEMM for every cell's input projection, then per diagonal a small product of
 *     the predecessors' states with [U1; U2], cell by cell — suits many units (D ≥ 16) on
 *     short maps;
 *   - diagonals: every quantity of a diagonal is stored as a vector over the rows of the scan,
 *     so the predecessors are the previous diagonal's vector and the same vector shifted by
 *     one; the input projection, recurrence, gates and all gradients are then vector
 *     operations over the diagonal — suits few units on tall maps, where per-cell overhead
 *     would dominate.
 * Both give the same results up to float rounding. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int    K, D;
  float *wx, *b, *u, *p;
} LecternMdlstmParams;

/* What the forward pass keeps for the backward pass. */
typedef struct {
  int    H, W, D;
  float *h;      /* H·W × 4D outputs, in grid order (caller-provided) */
  float *store;  /* lectern_mdlstm_store_size() floats: activations and cell states */
} LecternMdlstmState;

gsize lectern_mdlstm_store_size (int H, int W, int D);

typedef enum {
  LECTERN_MDLSTM_AUTO,       /* chosen by shape */
  LECTERN_MDLSTM_CELLS,
  LECTERN_MDLSTM_DIAGONALS,
} LecternMdlstmPath;

/* Forces one implementation for every layer (tests and benchmarks); AUTO by default. */
void lectern_mdlstm_force_path (LecternMdlstmPath path);

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

/* st->h must hold H·W·4D floats, st->store lectern_mdlstm_store_size(). */
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
