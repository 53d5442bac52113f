/* ctc.h — Connectionist Temporal Classification loss (Graves et al., 2006) for training.
 *
 * The network emits, per frame, unnormalised scores over C classes (class 0 is the blank); CTC
 * sums the probability of every frame-by-frame path that collapses to the target labels. The
 * forward (alpha) and backward (beta) recursions run in log space with float64 accumulation, so
 * long, sharply peaked sequences (T in the thousands, log-probabilities far below -700) neither
 * underflow nor lose precision. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CTC negative log-likelihood of `labels` (L class indices in 1..C-1; blank = 0) given
 * unnormalised scores `scores` (T × C, row-major; log-softmax is taken inside, in log space).
 * If grad != NULL, writes d loss / d scores (T × C). Returns +INFINITY when the labels cannot be
 * aligned in T frames (then grad, if given, is all zeros) — never NaN. Non-finite scores are
 * treated the same way (+INFINITY, zero gradient), so training can skip the sample.
 * Labels outside 1..C-1 are a programming error (a critical warning, +INFINITY, zero gradient).
 * Thread-safe: it allocates its own work space. */
double lectern_ctc_loss (const float *scores, int T, int C, const int *labels, int L, float *grad);

/* The fewest frames that can carry `labels`: L plus one blank between each pair of equal
 * neighbours. A loss is finite exactly when T is at least this. */
int    lectern_ctc_min_frames (const int *labels, int L);

G_END_DECLS
