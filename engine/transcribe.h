/* transcribe.h — recognising every line of a page: cut each line out of the page image by its
 * polygon, recognise the lines on all cores, and fill the document's lines with their text,
 * confidences and per-character x-ranges in page coordinates.
 *
 * Used by `lectern-cli transcribe`, the page benchmark and the page evaluation alike, so all
 * three measure the same pipeline. */
#pragma once

#include <gio/gio.h>
#include "document.h"
#include "image.h"
#include "recognizer.h"

G_BEGIN_DECLS

/* lines_done of lines_total recognised. Called from the worker threads, one call at a time. */
typedef void (*LecternTranscribeProgress) (guint lines_done, guint lines_total,
                                           gpointer user_data);

typedef struct {
  int                       n_threads;  /* 0 (default): one per core */
  LecternRecognizeFlags     flags;      /* e.g. LECTERN_RECOGNIZE_BEST_PATH (default: none) */
  gboolean                  keep_text;  /* lines that already have text keep it (default FALSE) */
  LecternTranscribeProgress progress;   /* nullable */
  gpointer                  progress_data;
} LecternTranscribeOptions;

void lectern_transcribe_options_init (LecternTranscribeOptions *opts);

/* Recognises the lines of doc on page (the image the document describes, same size). Lines
 * without geometry, or whose polygon covers no pixel of the page, are left as they were.
 * page may be NULL only when no line needs recognising (keep_text and every line has text).
 * Sets doc->model_name when it recognised a line. The number of lines recognised goes to
 * *n_recognized (nullable). FALSE with LECTERN_ERROR_CANCELLED when cancelled (doc unchanged),
 * LECTERN_ERROR_INVALID when the page does not match the document. */
gboolean lectern_transcribe_document (LecternRecognizer *recognizer, const LecternImage *page,
                                      LecternDocument *doc, const LecternTranscribeOptions *opts,
                                      guint *n_recognized, GCancellable *cancellable,
                                      GError **error);

/* The line's image: the polygon's bounding box with the pixels outside the polygon painted
 * white; a line with only a baseline gets a band around it (three quarters of the typical
 * line height of the document above, one quarter below). The cut's top-left corner in page
 * coordinates goes to *x, *y. NULL when the line has no geometry or covers no pixel. */
LecternImage *lectern_transcribe_cut_line (const LecternImage *page, const LecternDocument *doc,
                                           const LecternLine *line, int *x, int *y);

/* Fills line from the recognition of its image cut at page column x_offset: the text (NFC),
 * the mean confidence, per-character confidences and x-ranges (in page pixels). The recognizer
 * emits one class per code point, so a letter and a combining accent that NFC composes into one
 * character become one entry: the lower confidence, the joined range. */
void lectern_line_set_recognition (LecternLine *line, const LecternRecognition *recognition,
                                   int x_offset);

G_END_DECLS
