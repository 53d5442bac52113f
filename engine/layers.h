/* layers.h — the network's feed-forward layers, each a forward/backward pair.
 * Tensors are row-major, channels last. */
#pragma once

#include <glib.h>
#include "rng.h"

G_BEGIN_DECLS

/* Space-to-depth: image (H0 × W0) → x (ceil(H0/th) × ceil(W0/tw) × th·tw); channel
 * dy·tw + dx; zero padding at the bottom/right. */
void lectern_tile_forward (const float *image, int H0, int W0, int th, int tw, float *x);

/* Inverted dropout: keeps each value with probability 1-p and scales it by 1/(1-p).
 * mask receives 0 or 1/(1-p); y = h ⊙ mask. */
void lectern_dropout_forward  (const float *h, gsize n, float p, LecternRng *rng,
                               float *mask, float *y);
/* dh = dy ⊙ mask */
void lectern_dropout_backward (const float *dy, const float *mask, gsize n, float *dh);

/* Subsampling: y (H × W × C) cut into sh × sw windows (stride = window, zero padding at the
 * bottom/right) → z (H' × W' × F) = tanh(patches · w), w: (sh·sw·C) × F, no bias.
 * With C = 4D holding the four directions side by side, this is the per-direction
 * convolution summed over directions. patches: H'·W' × sh·sw·C, kept for the backward pass. */
void lectern_subsample_forward  (const float *y, int H, int W, int C, int sh, int sw,
                                 const float *w, int F, float *patches, float *z);
/* dz → dw (+=) and dy (written). dz is overwritten (becomes the gradient before tanh). */
void lectern_subsample_backward (const float *patches, const float *z, float *dz,
                                 int H, int W, int C, int sh, int sw, const float *w, int F,
                                 float *dw, float *dy);

/* Output: s (W × N) = (Σ_rows y) · w + H·b, with y: H × W × C, w: C × N, b: N — the fully
 * connected layer per direction summed over directions, then summed over the column.
 * colsum: W × C, kept for the backward pass. */
void lectern_collapse_fc_forward  (const float *y, int H, int W, int C, const float *w,
                                   const float *b, int N, float *colsum, float *s);
void lectern_collapse_fc_backward (const float *colsum, const float *ds, int H, int W, int C,
                                   const float *w, int N, float *dw, float *db, float *dy);

/* Row-wise log-softmax of scores (T × N) into out. */
void lectern_log_softmax (const float *scores, int T, int N, float *out);

G_END_DECLS
