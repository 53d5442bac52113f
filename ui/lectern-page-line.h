/* lectern-page-line.h — one text line of a page, as the widgets see it.
 *
 * A LecternPageLine is the item of a LecternPage's list model: it stands for one LecternLine of
 * the page's document (its polygon, baseline, text, confidences, corrected flag) and tells the
 * widgets when that line changes ("changed" and property notifications). Only the page changes
 * lines, through its undo stack; widgets read them here.
 *
 * A line removed from the page (deleted, or replaced by a new segmentation) stays readable as
 * long as an undo step may bring it back; once that step is forgotten its data is gone and the
 * item reads as an empty line with no geometry. */
#pragma once

#include <glib-object.h>

#include "document.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_PAGE_LINE (lectern_page_line_get_type ())
G_DECLARE_FINAL_TYPE (LecternPageLine, lectern_page_line, LECTERN, PAGE_LINE, GObject)

/* The engine's line (borrowed; NULL once it is gone). Read only: change it through LecternPage. */
const LecternLine *lectern_page_line_get_line       (LecternPageLine *self);
const char        *lectern_page_line_get_id         (LecternPageLine *self);
const char        *lectern_page_line_get_text       (LecternPageLine *self);
gboolean           lectern_page_line_get_corrected  (LecternPageLine *self);
/* Mean confidence 0–1, or < 0 when the line was never recognised. */
double             lectern_page_line_get_confidence (LecternPageLine *self);
/* Bounding box of the polygon (or baseline); FALSE without geometry. */
gboolean           lectern_page_line_get_bounds     (LecternPageLine *self,
                                                     int             *x0,
                                                     int             *y0,
                                                     int             *x1,
                                                     int             *y1);
/* 1-based position in the page's reading order; 0 when the line is not on the page. */
guint              lectern_page_line_get_number     (LecternPageLine *self);
/* Whether the point (page pixels) is inside the line's polygon (or near its baseline when it
 * has no polygon; tolerance in page pixels). */
gboolean           lectern_page_line_contains       (LecternPageLine *self,
                                                     double           x,
                                                     double           y,
                                                     double           tolerance);

G_END_DECLS
