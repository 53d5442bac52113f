/* augment.h — random distortions of a line image for training: width stretch, slant, vertical
 * scale and shift, a smooth random grid (elastic) distortion with a gently curved baseline,
 * stroke width, contrast and noise. The output keeps the input's height. Both training from
 * scratch and fine-tuning draw every training line through lectern_augment_line. */
#pragma once

#include <glib.h>
#include "image.h"
#include "rng.h"

G_BEGIN_DECLS

/* The grid distortion moves no point by more than this fraction of the line's height, in x or
 * in y; its horizontal map stays increasing, so the text keeps its order. */
#define LECTERN_AUGMENT_GRID_MAX_SHIFT 0.25f

LecternImage *lectern_augment_line         (const LecternImage *line, LecternRng *rng);

/* The grid distortion alone (no affine warp, no pixel effects), for checking its properties:
 * the output has the input's height and is 2 · ceil (LECTERN_AUGMENT_GRID_MAX_SHIFT · height)
 * pixels wider, the input sitting in the middle before it is distorted. */
LecternImage *lectern_augment_grid_distort (const LecternImage *line, LecternRng *rng);

G_END_DECLS
