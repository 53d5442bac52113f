/* lectern-line-layer.h — the text lines drawn over the page scan, and the pointer work on them.
 *
 * The layer is the page view's overlay (lectern_page_view_set_overlay). It draws every line of
 * the page: its polygon tinted by confidence (green sure, orange, red doubtful; grey outline
 * when never recognised), its baseline, its number in the reading order, a mark on lines a
 * person corrected, the selected lines stronger, and the character the cursor is on in the text
 * highlighted. The current line shows handles on its polygon and baseline points.
 *
 * Pointer: click a line to select it (Ctrl or Shift adds to the selection), click the paper to
 * select nothing; drag a handle to move that point; in draw mode, drag a box to make a new line.
 * Edits go to the page (undoable); selection is left to whoever listens to "line-activated". */
#pragma once

#include <gtk/gtk.h>

#include "lectern-page.h"
#include "lectern-page-view.h"

G_BEGIN_DECLS

typedef enum {
  LECTERN_LINE_LAYER_SELECT,   /* click selects, handles reshape */
  LECTERN_LINE_LAYER_DRAW,     /* a dragged box becomes a new line */
} LecternLineLayerMode;

GType lectern_line_layer_mode_get_type (void);

#define LECTERN_TYPE_LINE_LAYER (lectern_line_layer_get_type ())
G_DECLARE_FINAL_TYPE (LecternLineLayer, lectern_line_layer, LECTERN, LINE_LAYER, GtkWidget)

/* A layer for view; it installs itself as the view's overlay. */
GtkWidget            *lectern_line_layer_new           (LecternPageView   *view);

void                  lectern_line_layer_set_page      (LecternLineLayer  *self,
                                                        LecternPage       *page);
/* Which lines are selected (a selection over the page's lines; nullable). */
void                  lectern_line_layer_set_selection (LecternLineLayer  *self,
                                                        GtkSelectionModel *selection);
/* The line whose handles are shown (nullable). */
void                  lectern_line_layer_set_current   (LecternLineLayer  *self,
                                                        LecternPageLine   *line);
LecternPageLine      *lectern_line_layer_get_current   (LecternLineLayer  *self);
/* Highlights the page columns x0 … x1 of line (a character's span); x1 < x0 removes it. */
void                  lectern_line_layer_set_highlight (LecternLineLayer  *self,
                                                        LecternPageLine   *line,
                                                        int                x0,
                                                        int                x1);
void                  lectern_line_layer_set_mode      (LecternLineLayer  *self,
                                                        LecternLineLayerMode mode);
LecternLineLayerMode  lectern_line_layer_get_mode      (LecternLineLayer  *self);

G_END_DECLS
