/* lectern-page-row.h — one page in the page list: a thumbnail of its scan, its name (with "•"
 * while it has unsaved changes) and, once its lines are known, how many of them are corrected.
 *
 * Thumbnails are decoded on a worker thread at their small size (JPEG decoders scale while
 * decoding, so a 4,000-pixel scan costs little) and kept on the page, so scrolling the list
 * does not decode them again. A scan that cannot be read gets no thumbnail (the row keeps its
 * empty frame); its error is the page's to report when it is opened. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-page.h"

G_BEGIN_DECLS

/* The largest side of a thumbnail, in pixels. */
#define LECTERN_PAGE_ROW_THUMBNAIL_SIZE 96

#define LECTERN_TYPE_PAGE_ROW (lectern_page_row_get_type ())
G_DECLARE_FINAL_TYPE (LecternPageRow, lectern_page_row, LECTERN, PAGE_ROW, GtkWidget)

GtkWidget   *lectern_page_row_new      (void);
/* Shows page (nullable: nothing), following its changes until the next call. */
void         lectern_page_row_bind     (LecternPageRow *self,
                                        LecternPage    *page);
/* The texts shown, for tests. */
const char  *lectern_page_row_get_title    (LecternPageRow *self);
const char  *lectern_page_row_get_subtitle (LecternPageRow *self);
/* The thumbnail, or NULL while it is loading or when the scan cannot be read. */
GdkPaintable *lectern_page_row_get_thumbnail (LecternPageRow *self);

/* Decodes the thumbnail of a scan (oriented as its EXIF tag says, at most size pixels on its
 * longer side). Refuses images over the engine's size limits before decoding them. */
GdkTexture  *lectern_page_thumbnail_load (const char    *path,
                                          int            size,
                                          GCancellable  *cancellable,
                                          GError       **error);

G_END_DECLS
