/* lectern-widget-render.h — pictures of widgets as they are on screen.
 *
 * Used for `lectern --screenshot` (the README's screenshot) and by the UI tests, which check
 * pixels of the rendered window. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Renders a realized, allocated widget with its window's renderer. */
GdkTexture *lectern_widget_render_texture (GtkWidget   *widget,
                                           GError     **error);
/* Renders widget and writes it to path as PNG, atomically. */
gboolean    lectern_widget_save_png       (GtkWidget   *widget,
                                           const char  *path,
                                           GError     **error);

G_END_DECLS
