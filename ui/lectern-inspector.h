/* lectern-inspector.h — what the recognizer sees in the current line.
 *
 * Below the page and the line list: the current line's image with the activations of a chosen
 * MDLSTM layer laid over it (one unit or the mean over units, one scan direction or all four),
 * the colour scale, and the CTC posterior strip with the characters the network reads under
 * their frames — drawn by lectern-heatmap-render, as `lectern-cli heatmap` draws them.
 *
 * The line is recognised again with its activations kept, on a worker thread, when it becomes
 * current or changes shape, and only while the inspector is shown. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-page.h"
#include "lectern-recognition-model.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_INSPECTOR (lectern_inspector_get_type ())
G_DECLARE_FINAL_TYPE (LecternInspector, lectern_inspector, LECTERN, INSPECTOR, GtkWidget)

GtkWidget *lectern_inspector_new       (void);
/* The model to look into (nullable). */
void       lectern_inspector_set_model (LecternInspector        *self,
                                        LecternRecognitionModel *model);
/* The line to show (nullable) and its page. */
void       lectern_inspector_set_line  (LecternInspector        *self,
                                        LecternPage             *page,
                                        LecternPageLine         *line);
/* Layer (0-based), unit (or LECTERN_HEATMAP_UNIT_MEAN) and direction (or
 * LECTERN_HEATMAP_ALL_DIRECTIONS) shown; out of range values are clamped. */
void       lectern_inspector_set_view  (LecternInspector        *self,
                                        int                      layer,
                                        int                      unit,
                                        int                      direction);
/* TRUE while a recognition for the inspector runs. */
gboolean   lectern_inspector_get_busy  (LecternInspector        *self);
/* TRUE when a figure is shown. */
gboolean   lectern_inspector_has_figure (LecternInspector       *self);

G_END_DECLS
