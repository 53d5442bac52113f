/* lectern-line-strip-view.h — a line's picture in the line list, with a character marked.
 *
 * Shows a LecternLineStrip scaled to the widget's width (never taller than its natural height),
 * aligned left, and highlights the page columns of the character the text cursor is on. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-line-strips.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_LINE_STRIP_VIEW (lectern_line_strip_view_get_type ())
G_DECLARE_FINAL_TYPE (LecternLineStripView, lectern_line_strip_view, LECTERN, LINE_STRIP_VIEW,
                      GtkWidget)

GtkWidget *lectern_line_strip_view_new           (void);
/* strip is copied (its texture referenced); NULL shows nothing. */
void       lectern_line_strip_view_set_strip     (LecternLineStripView   *self,
                                                  const LecternLineStrip *strip);
gboolean   lectern_line_strip_view_has_strip     (LecternLineStripView   *self);
/* Marks page columns x0 … x1; x1 < x0 removes the mark. */
void       lectern_line_strip_view_set_highlight (LecternLineStripView   *self,
                                                  int                     x0,
                                                  int                     x1);

G_END_DECLS
