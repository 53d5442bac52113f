/* image-private.h — what the image decoders (image-png.c, image-pixbuf.c) share with image.c. */
#pragma once

#include "image.h"

G_BEGIN_DECLS

/* Image files larger than this are refused before reading: an 80 M pixel page as uncompressed
 * 16-bit RGBA TIFF is 640 MB. */
#define LECTERN_IMAGE_MAX_FILE_BYTES ((gsize) 1 << 30)

/* An image whose pixels are not initialised, or NULL when memory is short. */
LecternImage *lectern_image_try_new_uninit (int width, int height);

/* One row of 8-bit samples with 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA) channels to grey:
 * Rec. 601 luma, alpha composited on white. */
void          lectern_image_row_to_grey    (const guint8 *src, int channels, int width,
                                            guint8 *dst);

LecternImage *lectern_image_decode_png     (const guint8 *data, gsize size, const char *name,
                                            GError **error);
/* type: a gdk-pixbuf loader name ("jpeg", "tiff"). */
LecternImage *lectern_image_decode_pixbuf  (const guint8 *data, gsize size, const char *type,
                                            const char *name, GError **error);

G_END_DECLS
