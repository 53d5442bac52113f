/* recognizer.h — line image → text, with per-character confidences and x-ranges, and on
 * request every MDLSTM layer's output maps and the frame posteriors (for heat maps).
 *
 * Thread-safe: one recognizer (one loaded model) serves many threads at once; each call takes a
 * workspace from an internal pool. */
#pragma once

#include <gio/gio.h>
#include "decode.h"
#include "image.h"
#include "lm.h"
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

/* Decoding with a character language model and/or a lexicon: while either is set, recognition
 * uses the prefix beam search (lectern_decode_beam) instead of best path, unless the call asks
 * for LECTERN_RECOGNIZE_BEST_PATH. Confidences and spans come from the beam search's alignment
 * of its text, so they mean the same as with best path.
 * set_lm takes ownership of lm (NULL removes it) and copies opts (NULL: the defaults of
 * lectern_beam_options_init); set_lexicon takes ownership of lex (NULL removes it).
 * Both may be called at any time, even while other threads recognise: a recognition in flight
 * finishes with the setup it started with, which is freed once no call uses it. */
void      lectern_recognizer_set_lm      (LecternRecognizer *r, LecternLm *lm,
                                          const LecternBeamOptions *opts);
void      lectern_recognizer_set_lexicon (LecternRecognizer *r, LecternLexicon *lex);
/* whether a language model is set */
gboolean  lectern_recognizer_has_lm      (LecternRecognizer *r);

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
