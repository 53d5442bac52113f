/* image.h — grey page and line images, loading, and cutting lines out of pages.
 *
 * The engine works on 8-bit grey images (ink dark on light). Colour scans are converted with
 * Rec. 601 luma; alpha is composited on white. PNG is read with libpng (8/16 bit, grey, RGB,
 * palette); JPEG and TIFF with gdk-pixbuf, honouring the EXIF orientation. Images larger than
 * LECTERN_IMAGE_MAX_PIXELS are refused before any pixel buffer is allocated. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 80 000 000 pixels: an A3 page at 600 dpi is ~70 M, an A4 at 600 dpi ~35 M. */
#define LECTERN_IMAGE_MAX_PIXELS (G_GUINT64_CONSTANT (80000000))
#define LECTERN_IMAGE_MAX_SIDE   65535

/* Checks a size from a file header against LECTERN_IMAGE_MAX_PIXELS / _MAX_SIDE before any
 * pixels are decoded; the error (LECTERN_ERROR_TOO_LARGE, or _FORMAT for a zero size) names the
 * file. Anything that decodes images (the window's scans and thumbnails too) asks this. */
gboolean lectern_image_check_size (guint64 width, guint64 height, const char *name,
                                   GError **error);

typedef struct {
  int     width;
  int     height;
  guint8 *pixels;   /* height × width, row-major, stride = width; 0 = black, 255 = white */
} LecternImage;

typedef struct {
  int x, y;
} LecternPoint;

LecternImage *lectern_image_new        (int width, int height);   /* filled white */
LecternImage *lectern_image_copy       (const LecternImage *image);
void          lectern_image_free       (LecternImage *image);

/* Loads PNG, JPEG or TIFF as grey; the format is told by the file's first bytes, not by its
 * name. Errors name the file and the problem: LECTERN_ERROR_IO (cannot read),
 * LECTERN_ERROR_FORMAT (damaged or truncated), LECTERN_ERROR_TOO_LARGE (beyond the limits above;
 * refused from the header, before decoding), LECTERN_ERROR_UNSUPPORTED (another format). */
LecternImage *lectern_image_load       (const char *path, GError **error);
/* Same, from memory (fuzzing, resources); name is used in messages. */
LecternImage *lectern_image_load_bytes (GBytes *bytes, const char *name, GError **error);
/* Writes an 8-bit grey PNG, atomically. */
gboolean      lectern_image_save_png   (const LecternImage *image, const char *path, GError **error);
/* Encodes an 8-bit grey PNG in memory; name is used in messages. */
GBytes       *lectern_image_encode_png (const LecternImage *image, const char *name, GError **error);

/* Area-averaging resize (for shrinking) / bilinear (for enlarging). */
LecternImage *lectern_image_scale      (const LecternImage *image, int width, int height);
/* Scales to the given height keeping the aspect ratio (width at least 1). */
LecternImage *lectern_image_scale_to_height (const LecternImage *image, int height);

/* Cuts the bounding box of a polygon out of a page, painting pixels outside the polygon white
 * (like the line images in ../shared/data/train). Points outside the page are clamped.
 * n_points >= 3; returns NULL for an empty box. */
LecternImage *lectern_image_cut_polygon (const LecternImage *page, const LecternPoint *points,
                                         gsize n_points, int *out_x, int *out_y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternImage, lectern_image_free)

G_END_DECLS
