/* segeval.h — evaluation of line segmentation: polygon IoU and one-to-one line matching.
 *
 * A predicted line counts as found when its polygon overlaps a ground-truth polygon with an
 * intersection over union of at least min_iou (0.5 by convention), each line being matched at
 * most once. Polygons are rasterised on a grid of cell × cell page pixels (cell 1 is exact to
 * the pixel; 4 is within a few per cent for text lines and much faster). */
#pragma once

#include <glib.h>
#include "document.h"

G_BEGIN_DECLS

typedef struct {
  guint  n_pred;
  guint  n_gt;
  guint  n_matched;
  double precision;     /* n_matched / n_pred (1 when nothing was predicted) */
  double recall;        /* n_matched / n_gt (1 when there is nothing to find) */
  double f1;
  double iou_sum;       /* sum of the IoU of the matched pairs */
  /* reading order: of the pairs of matched lines, those the prediction reads in the other
   * order than the ground truth (0 when the order is the same) */
  guint64 order_pairs;
  guint64 order_inversions;
} LecternSegevalScore;

typedef struct {
  guint  gt;            /* index in lectern_document_lines (gt) */
  guint  pred;          /* index in lectern_document_lines (pred) */
  double iou;
} LecternSegevalMatch;

/* IoU of two polygons (even-odd filled). Polygons with fewer than 3 points have no area. */
double lectern_polygon_iou      (const LecternPoint *a, gsize n_a,
                                 const LecternPoint *b, gsize n_b,
                                 int cell);

/* Matches the lines of pred to those of gt, greedily by decreasing IoU among the pairs with
 * IoU >= min_iou, and compares the reading order of the matched lines (each document's lines
 * in the order lectern_document_lines gives). Fills score; appends LecternSegevalMatch items to
 * matches when non-NULL.
 * A line without a polygon (fewer than 3 points) is counted but can never be matched. */
void   lectern_segeval_compare  (const LecternDocument *pred,
                                 const LecternDocument *gt,
                                 double min_iou,
                                 int cell,
                                 LecternSegevalScore *score,
                                 GArray *matches);

/* Whether a region of this type (PAGE XML region types, ALTO block labels of the SegmOnto
 * vocabulary, Lectern's own) holds the page's main text: everything but what is written beside
 * or around it — marginalia, page numbers, running titles, catchwords, signature marks, stamps.
 * A region without a type is main text. Case is ignored. */
gboolean lectern_segeval_is_main_text (const char *region_type);

/* A copy of doc with only its main-text regions. */
LecternDocument *lectern_segeval_main_text (const LecternDocument *doc);

/* Adds the counts of one page to a running total and recomputes the total's rates. */
void   lectern_segeval_score_add (LecternSegevalScore *total, const LecternSegevalScore *page);

/* Recomputes precision, recall and F1 from the counts. */
void   lectern_segeval_score_finish (LecternSegevalScore *score);

G_END_DECLS
