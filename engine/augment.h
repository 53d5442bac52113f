/* augment.h — random distortions of a line image for training: width stretch, slant, vertical
 * scale and shift, stroke width, contrast and noise. The output keeps the input's height. */
#pragma once

#include <glib.h>
#include "image.h"
#include "rng.h"

G_BEGIN_DECLS

LecternImage *lectern_augment_line (const LecternImage *line, LecternRng *rng);

G_END_DECLS
