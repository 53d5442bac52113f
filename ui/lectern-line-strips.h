/* lectern-line-strips.h — the picture of each line, for the line list.
 *
 * Each line of the page is cut out of the grey page image by its polygon (as the recognizer
 * sees it) and shrunk to a strip a few dozen pixels high, on a worker thread, when a row first
 * asks for it. Strips are kept until the line's geometry changes or the page drops its images;
 * "strip-ready" says when one has been made. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-page.h"

G_BEGIN_DECLS

/* Strips are at most this many pixels high (twice a row's height, for HiDPI screens). */
#define LECTERN_LINE_STRIP_HEIGHT 96

typedef struct {
  GdkTexture *texture;
  int         page_x;    /* the page column of the strip's left edge */
  int         page_y;
  double      scale;     /* strip pixels per page pixel */
} LecternLineStrip;

#define LECTERN_TYPE_LINE_STRIPS (lectern_line_strips_get_type ())
G_DECLARE_FINAL_TYPE (LecternLineStrips, lectern_line_strips, LECTERN, LINE_STRIPS, GObject)

LecternLineStrips      *lectern_line_strips_new    (LecternPage       *page);
LecternPage            *lectern_line_strips_get_page (LecternLineStrips *self);
/* The strip of line, or NULL while it is being made (then "strip-ready" follows) or when the
 * line has no geometry or the page has no image. */
const LecternLineStrip *lectern_line_strips_lookup (LecternLineStrips *self,
                                                    LecternPageLine   *line);

G_END_DECLS
