/* rng.h — a small seeded generator (xoshiro128**) for weights, dropout masks and shuffling.
 *
 * GRand would do, but training needs one cheap generator per worker whose state can be derived
 * from (seed, epoch, sample) so that a run repeats exactly whatever the thread count. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 s[4];
} LecternRng;

void    lectern_rng_init    (LecternRng *rng, guint64 seed);
guint32 lectern_rng_next    (LecternRng *rng);
/* uniform in [0, 1) */
float   lectern_rng_uniform (LecternRng *rng);
/* standard normal (Box–Muller) */
float   lectern_rng_normal  (LecternRng *rng);
/* uniform integer in [0, n) for n > 0 */
guint32 lectern_rng_below   (LecternRng *rng, guint32 n);
/* Fisher–Yates shuffle of n indices */
void    lectern_rng_shuffle (LecternRng *rng, guint32 *items, gsize n);

G_END_DECLS
