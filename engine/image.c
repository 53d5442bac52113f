/* image.c — grey images: creation, loading (format told by the first bytes), resizing, and
 * cutting line polygons out of pages. PNG decoding is in image-png.c, JPEG and TIFF in
 * image-pixbuf.c. */
#include "image.h"

#include <math.h>
#include <string.h>

#include "error.h"
#include "file-util.h"
#include "image-private.h"

static gboolean
size_is_allowed (guint64 width, guint64 height)
{
  return width >= 1 && height >= 1 && width <= LECTERN_IMAGE_MAX_SIDE
         && height <= LECTERN_IMAGE_MAX_SIDE && width * height <= LECTERN_IMAGE_MAX_PIXELS;
}

gboolean
lectern_image_check_size (guint64 width, guint64 height, const char *name, GError **error)
{
  if (width == 0 || height == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot load image “%s”: its header gives an empty size (%" G_GUINT64_FORMAT
                   "×%" G_GUINT64_FORMAT ")", name, width, height);
      return FALSE;
    }
  if (!size_is_allowed (width, height))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot load image “%s”: %" G_GUINT64_FORMAT "×%" G_GUINT64_FORMAT
                   " pixels is more than Lectern handles (at most %d pixels a side and %"
                   G_GUINT64_FORMAT " pixels in all)", name, width, height,
                   LECTERN_IMAGE_MAX_SIDE, LECTERN_IMAGE_MAX_PIXELS);
      return FALSE;
    }
  return TRUE;
}

LecternImage *
lectern_image_try_new_uninit (int width, int height)
{
  if (!size_is_allowed ((guint64) MAX (width, 0), (guint64) MAX (height, 0)))
    return NULL;
  guint8 *pixels = g_try_malloc ((gsize) width * (gsize) height);
  if (pixels == NULL)
    return NULL;
  LecternImage *image = g_new (LecternImage, 1);
  image->width = width;
  image->height = height;
  image->pixels = pixels;
  return image;
}

LecternImage *
lectern_image_new (int width, int height)
{
  g_return_val_if_fail (size_is_allowed ((guint64) MAX (width, 0), (guint64) MAX (height, 0)),
                        NULL);
  LecternImage *image = g_new (LecternImage, 1);
  image->width = width;
  image->height = height;
  image->pixels = g_malloc ((gsize) width * (gsize) height);
  memset (image->pixels, 255, (gsize) width * (gsize) height);
  return image;
}

LecternImage *
lectern_image_copy (const LecternImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);
  LecternImage *copy = g_new (LecternImage, 1);
  copy->width = image->width;
  copy->height = image->height;
  copy->pixels = g_memdup2 (image->pixels, (gsize) image->width * (gsize) image->height);
  return copy;
}

void
lectern_image_free (LecternImage *image)
{
  if (image == NULL)
    return;
  g_free (image->pixels);
  g_free (image);
}

void
lectern_image_row_to_grey (const guint8 *src, int channels, int width, guint8 *dst)
{
  /* Rec. 601 luma in 16-bit fixed point: 0.299, 0.587, 0.114 scaled by 65536 (sum 65536).
   * Alpha on white: v·a + 255·(255 − a), divided by 255 with rounding. */
  switch (channels)
    {
    case 1:
      memcpy (dst, src, (gsize) width);
      break;
    case 2:
      for (int x = 0; x < width; x++)
        {
          guint v = src[2 * x], a = src[2 * x + 1];
          dst[x] = (guint8) ((v * a + 255 * (255 - a) + 127) / 255);
        }
      break;
    case 3:
      for (int x = 0; x < width; x++)
        {
          const guint8 *p = src + 3 * x;
          dst[x] = (guint8) ((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 32768u) >> 16);
        }
      break;
    case 4:
      for (int x = 0; x < width; x++)
        {
          const guint8 *p = src + 4 * x;
          guint v = (19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 32768u) >> 16;
          guint a = p[3];
          dst[x] = (guint8) ((v * a + 255 * (255 - a) + 127) / 255);
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* What the first bytes say the file is; NULL when unknown. */
static const char *
sniff_format (const guint8 *data, gsize size)
{
  static const struct {
    const char *name;
    const char *magic;
    gsize       length;
  } formats[] = {
    { "png", "\x89PNG\r\n\x1a\n", 8 },
    { "jpeg", "\xff\xd8\xff", 3 },
    { "tiff", "II*\0", 4 },
    { "tiff", "MM\0*", 4 },
    { "tiff", "II+\0", 4 },   /* BigTIFF */
    { "tiff", "MM\0+", 4 },
    /* Recognised only to say what they are. */
    { "GIF", "GIF8", 4 },
    { "BMP", "BM", 2 },
    { "JPEG 2000", "\0\0\0\x0cjP  ", 8 },
    { "PDF", "%PDF", 4 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (size >= formats[i].length && memcmp (data, formats[i].magic, formats[i].length) == 0)
      return formats[i].name;
  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "WebP";
  return NULL;
}

LecternImage *
lectern_image_load_bytes (GBytes *bytes, const char *name, GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  if (name == NULL)
    name = "(memory)";

  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot load image “%s”: the file is empty", name);
      return NULL;
    }
  const char *format = sniff_format (data, size);
  if (format == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   "Cannot load image “%s”: not a PNG, JPEG or TIFF file", name);
      return NULL;
    }
  if (strcmp (format, "png") == 0)
    return lectern_image_decode_png (data, size, name, error);
  if (strcmp (format, "jpeg") == 0 || strcmp (format, "tiff") == 0)
    return lectern_image_decode_pixbuf (data, size, format, name, error);
  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
               "Cannot load image “%s”: it is a %s file; Lectern reads PNG, JPEG and TIFF",
               name, format);
  return NULL;
}

LecternImage *
lectern_image_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr(GBytes) bytes = lectern_file_read_capped (path, LECTERN_IMAGE_MAX_FILE_BYTES, error);
  if (bytes == NULL)
    return NULL;
  g_autofree char *display = g_filename_display_name (path);
  return lectern_image_load_bytes (bytes, display, error);
}

gboolean
lectern_image_save_png (const LecternImage *image, const char *path, GError **error)
{
  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GBytes) png = lectern_image_encode_png (image, display, error);
  if (png == NULL)
    return FALSE;
  gsize size = 0;
  const void *data = g_bytes_get_data (png, &size);
  return lectern_file_write_atomic (path, data, size, error);
}

/* ---- Resizing ----
 *
 * Separable: one 1-D filter along x into a float buffer, then along y. Each output sample is a
 * weighted sum of `count` consecutive input samples from `first`. Shrinking averages the area
 * each output pixel covers (box filter of the exact width); enlarging interpolates linearly
 * between the two nearest input pixel centres. */

typedef struct {
  int   *first;    /* [dst] */
  int   *count;    /* [dst] */
  float *weights;  /* [dst × stride] */
  int    stride;
} ResampleTable;

static void
resample_table_init (ResampleTable *table, int src, int dst)
{
  table->first = g_new (int, dst);
  table->count = g_new (int, dst);
  if (dst < src)
    {
      double scale = (double) src / dst;
      table->stride = (int) ceil (scale) + 1;
      table->weights = g_new0 (float, (gsize) dst * table->stride);
      for (int i = 0; i < dst; i++)
        {
          double lo = i * scale, hi = (i + 1) * scale;
          int first = (int) floor (lo);
          int last = MIN ((int) ceil (hi) - 1, src - 1);
          float *w = table->weights + (gsize) i * table->stride;
          int n = 0;
          for (int j = first; j <= last && n < table->stride; j++, n++)
            w[n] = (float) ((MIN (hi, j + 1.0) - MAX (lo, (double) j)) / scale);
          table->first[i] = first;
          table->count[i] = n;
        }
    }
  else
    {
      table->stride = 2;
      table->weights = g_new0 (float, (gsize) dst * 2);
      double scale = (double) src / dst;
      for (int i = 0; i < dst; i++)
        {
          double centre = CLAMP ((i + 0.5) * scale - 0.5, 0.0, (double) (src - 1));
          int j0 = (int) floor (centre);
          double f = centre - j0;
          float *w = table->weights + (gsize) i * 2;
          table->first[i] = j0;
          if (j0 + 1 < src && f > 0)
            {
              w[0] = (float) (1.0 - f);
              w[1] = (float) f;
              table->count[i] = 2;
            }
          else
            {
              w[0] = 1.0f;
              table->count[i] = 1;
            }
        }
    }
}

static void
resample_table_clear (ResampleTable *table)
{
  g_free (table->first);
  g_free (table->count);
  g_free (table->weights);
}

LecternImage *
lectern_image_scale (const LecternImage *image, int width, int height)
{
  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (size_is_allowed ((guint64) MAX (width, 0), (guint64) MAX (height, 0)),
                        NULL);

  if (width == image->width && height == image->height)
    return lectern_image_copy (image);

  ResampleTable tx, ty;
  resample_table_init (&tx, image->width, width);
  resample_table_init (&ty, image->height, height);

  /* rows: image->height × width, filtered along x */
  float *rows = g_new (float, (gsize) image->height * width);
  for (int y = 0; y < image->height; y++)
    {
      const guint8 *src = image->pixels + (gsize) y * image->width;
      float *dst = rows + (gsize) y * width;
      for (int x = 0; x < width; x++)
        {
          const float *w = tx.weights + (gsize) x * tx.stride;
          const guint8 *s = src + tx.first[x];
          float sum = 0;
          for (int k = 0; k < tx.count[x]; k++)
            sum += w[k] * s[k];
          dst[x] = sum;
        }
    }

  LecternImage *out = lectern_image_new (width, height);
  float *acc = g_new (float, width);
  for (int y = 0; y < height; y++)
    {
      const float *w = ty.weights + (gsize) y * ty.stride;
      memset (acc, 0, sizeof (float) * width);
      for (int k = 0; k < ty.count[y]; k++)
        {
          const float *src = rows + (gsize) (ty.first[y] + k) * width;
          float wk = w[k];
          for (int x = 0; x < width; x++)
            acc[x] += wk * src[x];
        }
      guint8 *dst = out->pixels + (gsize) y * width;
      for (int x = 0; x < width; x++)
        {
          float v = acc[x] + 0.5f;
          dst[x] = v <= 0 ? 0 : v >= 255 ? 255 : (guint8) v;
        }
    }
  g_free (acc);
  g_free (rows);
  resample_table_clear (&tx);
  resample_table_clear (&ty);
  return out;
}

LecternImage *
lectern_image_scale_to_height (const LecternImage *image, int height)
{
  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (height >= 1 && height <= LECTERN_IMAGE_MAX_SIDE, NULL);
  double width = round ((double) image->width * height / image->height);
  width = CLAMP (width, 1.0, (double) LECTERN_IMAGE_MAX_SIDE);
  return lectern_image_scale (image, (int) width, height);
}

/* ---- Cutting polygons ----
 *
 * Polygon vertices are points in page coordinates where pixel (x, y) is the unit square from
 * (x, y) to (x + 1, y + 1); a pixel belongs to the polygon when its centre does (even-odd rule).
 * The box cut out is the set of pixels the polygon can touch, clipped to the page. Sampling at
 * half-integer rows means integer vertices never lie on a scanline, so no vertex special cases. */

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

LecternImage *
lectern_image_cut_polygon (const LecternImage *page, const LecternPoint *points, gsize n_points,
                           int *out_x, int *out_y)
{
  g_return_val_if_fail (page != NULL, NULL);
  g_return_val_if_fail (points != NULL || n_points == 0, NULL);

  if (out_x != NULL)
    *out_x = 0;
  if (out_y != NULL)
    *out_y = 0;
  if (n_points < 3)
    return NULL;

  gint64 min_x = G_MAXINT64, min_y = G_MAXINT64, max_x = G_MININT64, max_y = G_MININT64;
  for (gsize i = 0; i < n_points; i++)
    {
      min_x = MIN (min_x, points[i].x);
      max_x = MAX (max_x, points[i].x);
      min_y = MIN (min_y, points[i].y);
      max_y = MAX (max_y, points[i].y);
    }
  /* Pixels [x0, x1) × [y0, y1), clipped to the page. */
  int x0 = (int) CLAMP (min_x, 0, page->width);
  int x1 = (int) CLAMP (max_x, 0, page->width);
  int y0 = (int) CLAMP (min_y, 0, page->height);
  int y1 = (int) CLAMP (max_y, 0, page->height);
  if (x1 <= x0 || y1 <= y0)
    return NULL;

  LecternImage *out = lectern_image_new (x1 - x0, y1 - y0);
  double *crossings = g_new (double, n_points);
  for (int y = y0; y < y1; y++)
    {
      double yc = y + 0.5;
      gsize n = 0;
      for (gsize i = 0; i < n_points; i++)
        {
          const LecternPoint *a = &points[i];
          const LecternPoint *b = &points[(i + 1) % n_points];
          if ((a->y <= yc) == (b->y <= yc))
            continue;
          crossings[n++] = a->x + (yc - a->y) * (double) (b->x - a->x) / (double) (b->y - a->y);
        }
      if (n < 2)
        continue;
      qsort (crossings, n, sizeof (double), compare_doubles);
      const guint8 *src = page->pixels + (gsize) y * page->width;
      guint8 *dst = out->pixels + (gsize) (y - y0) * out->width;
      for (gsize k = 0; k + 1 < n; k += 2)
        {
          /* pixel centres x + 0.5 in [left, right) */
          double left = ceil (crossings[k] - 0.5), right = ceil (crossings[k + 1] - 0.5);
          int from = (int) CLAMP (left, (double) x0, (double) x1);
          int to = (int) CLAMP (right, (double) x0, (double) x1);
          if (to > from)
            memcpy (dst + (from - x0), src + from, (gsize) (to - from));
        }
    }
  g_free (crossings);

  if (out_x != NULL)
    *out_x = x0;
  if (out_y != NULL)
    *out_y = y0;
  return out;
}
