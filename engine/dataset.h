/* dataset.h — line datasets for training and evaluation.
 *
 * A dataset is a list of (line image, transcription) pairs, read from:
 *   - a folder (searched recursively) of line images NAME.png|jpg|jpeg|tif|tiff, each with a
 *     NAME.gt.txt sidecar (the kraken / Calamari / Tesseract convention);
 *   - one such image file;
 *   - a PAGE XML or ALTO file, whose lines are cut out of its page image by their polygons
 *     (or bounding boxes);
 *   - a folder of PAGE/ALTO files (searched recursively, beside their images).
 * Transcriptions are cleaned with lectern_text_clean_transcription; lines whose transcription
 * is empty or admits unread parts are skipped and counted. Images are kept grey, scaled to the
 * dataset's height. */
#pragma once

#include <glib.h>
#include "image.h"
#include "text.h"

G_BEGIN_DECLS

/* A .gt.txt sidecar holds one line: larger files are refused (LECTERN_ERROR_TOO_LARGE) before
 * they are read. A transcription longer than LECTERN_DATASET_MAX_LINE_CHARS characters (after
 * cleaning) cannot be one line of writing: the line is skipped and counted, which also bounds
 * the time that error rates and CTC spend on it. */
#define LECTERN_DATASET_MAX_GT_BYTES   ((gsize) 1 << 20)
#define LECTERN_DATASET_MAX_LINE_CHARS 10000

typedef struct {
  char         *source;   /* file, or "file#line-id" */
  char         *text;     /* cleaned, NFC */
  LecternImage *image;    /* grey, dataset height */
} LecternSample;

typedef struct {
  int        height;
  GPtrArray *samples;     /* LecternSample* */
  guint      skipped;     /* lines without usable text */
} LecternDataset;

LecternDataset *lectern_dataset_new  (int height);
void            lectern_dataset_free (LecternDataset *ds);
/* Adds everything found at path (see above). Unreadable files are errors that name them. */
gboolean        lectern_dataset_add  (LecternDataset *ds, const char *path,
                                      LecternCleanFlags clean, GError **error);
/* Moves every n-th sample (by a seeded shuffle) into a new dataset: a held-out part. */
LecternDataset *lectern_dataset_split (LecternDataset *ds, double fraction, guint64 seed);
/* Which of n samples lectern_dataset_split (fraction, seed) holds out: held[i] is set for
 * those (held has n entries; NULL: only count them). Returns how many. */
guint           lectern_dataset_choose_held (guint n, double fraction, guint64 seed,
                                             gboolean *held);
void            lectern_sample_free  (LecternSample *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternDataset, lectern_dataset_free)

G_END_DECLS
