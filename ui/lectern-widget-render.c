/* lectern-widget-render.c — pictures of widgets as they are on screen (see the header). */
#include "config.h"

#include <glib/gi18n.h>

#include "error.h"
#include "lectern-widget-render.h"

GdkTexture *
lectern_widget_render_texture (GtkWidget  *widget,
                               GError    **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot;
  GtkNative *native;
  GskRenderer *renderer;
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  native = gtk_widget_get_native (widget);
  renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;
  if (width <= 0 || height <= 0 || renderer == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("The window is not on screen yet, so there is nothing to render"));
      return NULL;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
                   _("The window drew nothing"));
      return NULL;
    }

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

gboolean
lectern_widget_save_png (GtkWidget   *widget,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  texture = lectern_widget_render_texture (widget, error);
  if (texture == NULL)
    return FALSE;

  png = gdk_texture_save_to_png_bytes (texture);
  if (!g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                            &local_error))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   _("Could not write “%s”: %s"), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}
