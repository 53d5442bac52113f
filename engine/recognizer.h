/* recognizer.h — line image → text, with per-character confidences and x-ranges, and on
 * request every MDLSTM layer's output maps and the frame posteriors (for heat maps).
 *
 * Thread-safe: one recognizer (one loaded model) serves many threads at once; each call takes a
 * workspace from an internal pool. */
#pragma once

#include <gio/gio.h>
#include "image.h"
#include "model.h"

G_BEGIN_DECLS

typedef struct _LecternRecognizer LecternRecognizer;

typedef enum {
  LECTERN_RECOGNIZE_DEFAULT     = 0,
  LECTERN_RECOGNIZE_ACTIVATIONS = 1 << 0,  /* keep the layer maps and the posteriors */
  LECTERN_RECOGNIZE_BEST_PATH   = 1 << 1,  /* best path even when a language model is set */
} LecternRecognizeFlags;

typedef struct {
  int    H, W, D;          /* the layer's grid and units per direction */
  double cell_w, cell_h;   /* line-image pixels covered by one cell */
  float *h;                /* H × W × 4D: directions ↘ ↙ ↗ ↖ side by side per cell */
} LecternLayerMap;

typedef struct {
  char   *text;            /* UTF-8 NFC */
  guint   n_chars;         /* characters of text (code points) */
  float  *confidence;      /* n_chars, 0–1 */
  int    *x_start, *x_end; /* n_chars: x-range in the line image's pixels */
  float   mean_confidence;
  /* LECTERN_RECOGNIZE_ACTIVATIONS */
  int     T, C;            /* frames and classes */
  double  frame_w;         /* line-image pixels per frame */
  float  *posteriors;      /* T × C probabilities */
  int    *frame_start, *frame_end; /* n_chars: frames of each character */
  int     n_layers;
  LecternLayerMap layers[LECTERN_MAX_LAYERS];
} LecternRecognition;

void lectern_recognition_free (LecternRecognition *r);

/* Takes ownership of model. */
LecternRecognizer  *lectern_recognizer_new   (LecternModel *model);
void                lectern_recognizer_free  (LecternRecognizer *r);
const LecternModel *lectern_recognizer_get_model (const LecternRecognizer *r);

/* line: grey line image of any size (at least 1×1). */
LecternRecognition *lectern_recognizer_recognize (LecternRecognizer *r, const LecternImage *line,
                                                  LecternRecognizeFlags flags, GError **error);

/* The network input for a line: scaled to the model's height, normalised. Returns the float
 * buffer (height × *width) and the scale factor (network pixels per line pixel). Used by
 * recognition and training alike so that both see the same input. */
float *lectern_line_to_input (const LecternArch *arch, const LecternImage *line, int *width,
                              double *scale);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternRecognition, lectern_recognition_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternRecognizer, lectern_recognizer_free)

G_END_DECLS
