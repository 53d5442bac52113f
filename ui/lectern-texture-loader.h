/* lectern-texture-loader.h — loads a page scan for display, off the main thread.
 *
 * The engine reads pages as grey images for analysis; the window shows the scan as it is, in
 * colour, so it decodes the file itself with gdk-pixbuf (PNG, JPEG, TIFF), honouring the EXIF
 * orientation and refusing images over the engine's size limits before any pixels are allocated.
 * Errors are in LECTERN_ERROR and name the file. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        lectern_texture_load_async  (GFile               *file,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GdkTexture *lectern_texture_load_finish (GAsyncResult        *result,
                                         GError             **error);

/* The same decoding, synchronously, for code already on a worker thread (the pixbuf is
 * oriented; make the texture on the main thread). */
GdkPixbuf  *lectern_texture_load_pixbuf (GFile               *file,
                                         GCancellable        *cancellable,
                                         GError             **error);

G_END_DECLS
