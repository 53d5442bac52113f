/* optim.h — parameter updates for training: Adam with global-norm gradient clipping.
 *
 * Moments live in arenas with the network's layout. One step:
 *   g ← g · min(1, clip / ‖g‖)
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   w ← w − lr · m̂ / (√v̂ + ε),  m̂ = m / (1−β1^t),  v̂ = v / (1−β2^t) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gsize   n;
  float  *m, *v;
  guint64 step;
  float   lr, beta1, beta2, eps, clip;
} LecternAdam;

void   lectern_adam_init  (LecternAdam *opt, gsize n, float lr);
void   lectern_adam_clear (LecternAdam *opt);
/* Applies one update to params from grad (which is left clipped). Returns the gradient norm
 * before clipping; a non-finite gradient is skipped (no update) and its norm returned. */
double lectern_adam_step  (LecternAdam *opt, float *params, float *grad);

G_END_DECLS
