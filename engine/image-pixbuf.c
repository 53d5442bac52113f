/* image-pixbuf.c — JPEG and TIFF through gdk-pixbuf's loaders (libjpeg, libtiff), to grey.
 *
 * The loader is fed the whole file; its size-prepared signal gives the size from the header
 * before any pixel buffer exists, and asking for a 0×0 result there makes every loader stop
 * without decoding. EXIF / TIFF orientation is applied after decoding. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "error.h"
#include "image-private.h"

typedef struct {
  const char *name;
  GError     *size_error;   /* set when the header gave a refused size */
  gboolean    size_seen;
} PixbufState;

static void
on_size_prepared (GdkPixbufLoader *loader, int width, int height, gpointer user_data)
{
  PixbufState *state = user_data;
  state->size_seen = TRUE;
  if (state->size_error != NULL)
    return;
  if (!lectern_image_check_size ((guint64) MAX (width, 0), (guint64) MAX (height, 0),
                                 state->name, &state->size_error))
    gdk_pixbuf_loader_set_size (loader, 0, 0);
}

/* gdk-pixbuf decodes a JPEG cut short, and a TIFF whose strips run past the end of the file,
 * into an image with a grey or black bottom and no error. These checks of the file's structure
 * catch both before decoding. Each returns a problem, or NULL when the structure is whole. */

/* Walks the JPEG markers from SOI to EOI, stepping over segments by their lengths and over the
 * entropy-coded data after each SOS (where 0xFF is followed by 0x00 or a restart marker). */
static const char *
jpeg_structure_problem (const guint8 *data, gsize size)
{
  gsize pos = 2;   /* after SOI */
  for (;;)
    {
      /* Junk between segments is tolerated (libjpeg skips it too). */
      const guint8 *next = pos < size ? memchr (data + pos, 0xff, size - pos) : NULL;
      if (next == NULL)
        return "the file is truncated (no end-of-image marker)";
      pos = (gsize) (next - data);
      while (pos < size && data[pos] == 0xff)
        pos++;
      if (pos >= size)
        return "the file is truncated (no end-of-image marker)";
      guint8 marker = data[pos++];
      if (marker == 0xd9)
        return NULL;                                /* EOI */
      if (marker == 0x00 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
        continue;                                   /* no length follows */
      if (pos + 2 > size)
        return "the file is truncated (in a marker segment)";
      gsize length = ((gsize) data[pos] << 8) | data[pos + 1];
      if (length < 2)
        return "a marker segment has an impossible length";
      if (length > size - pos)
        return "the file is truncated (in a marker segment)";
      pos += length;
      if (marker == 0xda)
        {
          /* Entropy-coded data runs to the next marker that is not a stuffed byte or RSTn. */
          for (;;)
            {
              next = pos < size ? memchr (data + pos, 0xff, size - pos) : NULL;
              if (next == NULL || (gsize) (next - data) + 1 >= size)
                return "the file is truncated (in the image data)";
              pos = (gsize) (next - data);
              guint8 after = data[pos + 1];
              if (after == 0x00 || (after >= 0xd0 && after <= 0xd7) || after == 0xff)
                pos += after == 0xff ? 1 : 2;
              else
                break;
            }
        }
    }
}

static guint32
tiff_read (const guint8 *p, gboolean big_endian, int bytes)
{
  guint32 value = 0;
  for (int i = 0; i < bytes; i++)
    value |= (guint32) p[big_endian ? i : bytes - 1 - i] << (8 * (bytes - 1 - i));
  return value;
}

/* Checks that the first directory of a classic TIFF and the strips or tiles it points to lie
 * inside the file. BigTIFF and anything unusual is left to libtiff. */
static const char *
tiff_structure_problem (const guint8 *data, gsize size)
{
  if (size < 8)
    return "the file is truncated (in the header)";
  gboolean big_endian = data[0] == 'M';
  if (tiff_read (data + 2, big_endian, 2) != 42)
    return NULL;
  guint64 ifd = tiff_read (data + 4, big_endian, 4);
  if (ifd + 2 > size)
    return "the file is truncated (the image directory is missing)";
  guint32 n_entries = tiff_read (data + ifd, big_endian, 2);
  if (ifd + 2 + 12 * (guint64) n_entries > size)
    return "the file is truncated (in the image directory)";

  /* tag → (type, count, value or offset) for offsets and byte counts of strips and tiles */
  guint32 found[4][3] = { { 0 } };
  gboolean have[4] = { FALSE };
  static const guint32 tags[4] = { 273, 279, 324, 325 };  /* Strip/Tile Offsets/ByteCounts */
  /* bytes per value for TIFF field types 1..13 */
  static const guint8 type_sizes[14] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4 };
  for (guint32 i = 0; i < n_entries; i++)
    {
      const guint8 *entry = data + ifd + 2 + 12 * (guint64) i;
      guint32 tag = tiff_read (entry, big_endian, 2);
      guint32 type = tiff_read (entry + 2, big_endian, 2);
      guint64 bytes = (guint64) tiff_read (entry + 4, big_endian, 4)
                      * (type < G_N_ELEMENTS (type_sizes) ? type_sizes[type] : 0);
      /* Every field too long to sit in its entry (a colour profile, say) must be in the file. */
      if (bytes > 4 && tiff_read (entry + 8, big_endian, 4) + bytes > size)
        return "the file is truncated (a directory field is missing)";
      for (int t = 0; t < 4; t++)
        if (tag == tags[t])
          {
            have[t] = TRUE;
            found[t][0] = tiff_read (entry + 2, big_endian, 2);
            found[t][1] = tiff_read (entry + 4, big_endian, 4);
            /* A short inline value sits in the first bytes of the field. */
            found[t][2] = found[t][0] == 3 && found[t][1] == 1
                            ? tiff_read (entry + 8, big_endian, 2)
                            : tiff_read (entry + 8, big_endian, 4);
          }
    }
  int offsets = have[0] && have[1] ? 0 : have[2] && have[3] ? 2 : -1;
  if (offsets < 0)
    return NULL;
  const guint32 *off = found[offsets], *cnt = found[offsets + 1];
  if (off[1] != cnt[1] || off[1] == 0 || (off[0] != 3 && off[0] != 4)
      || (cnt[0] != 3 && cnt[0] != 4))
    return NULL;
  guint32 n = off[1];
  int off_size = off[0] == 3 ? 2 : 4, cnt_size = cnt[0] == 3 ? 2 : 4;
  /* Values of up to 4 bytes are stored in the entry itself. */
  gboolean off_inline = (guint64) n * off_size <= 4, cnt_inline = (guint64) n * cnt_size <= 4;
  if ((!off_inline && off[2] + (guint64) n * off_size > size)
      || (!cnt_inline && cnt[2] + (guint64) n * cnt_size > size))
    return "the file is truncated (in the strip table)";
  if (!off_inline && !cnt_inline)
    for (guint32 i = 0; i < n; i++)
      {
        guint64 start = tiff_read (data + off[2] + (guint64) i * off_size, big_endian, off_size);
        guint64 length = tiff_read (data + cnt[2] + (guint64) i * cnt_size, big_endian,
                                    cnt_size);
        if (start + length > size)
          return "the file is truncated (image data is missing)";
      }
  else if (n == 1 && (guint64) off[2] + cnt[2] > size)
    return "the file is truncated (image data is missing)";
  return NULL;
}

/* gdk-pixbuf's messages say what went wrong but not always that the file ended early. */
static const char *
describe_pixbuf_error (const GError *error)
{
  return error != NULL && error->message != NULL ? error->message : "unknown decoder error";
}

LecternImage *
lectern_image_decode_pixbuf (const guint8 *data, gsize size, const char *type, const char *name,
                             GError **error)
{
  gboolean is_jpeg = strcmp (type, "jpeg") == 0;
  const char *label = is_jpeg ? "JPEG" : "TIFF";
  const char *problem = is_jpeg ? jpeg_structure_problem (data, size)
                                : tiff_structure_problem (data, size);
  if (problem != NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot load image “%s”: damaged %s (%s)", name, label, problem);
      return NULL;
    }

  g_autoptr(GError) local = NULL;
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type (type, &local);
  if (loader == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   "Cannot load image “%s”: no %s decoder is installed (%s)", name, label,
                   local->message);
      return NULL;
    }

  PixbufState state = { .name = name };
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &state);

  gboolean written = gdk_pixbuf_loader_write (loader, data, size, &local);
  /* Close even after a failed write: the loader must be closed before it is finalised. */
  gboolean closed = gdk_pixbuf_loader_close (loader, written ? &local : NULL);

  if (state.size_error != NULL)
    {
      g_propagate_error (error, state.size_error);
      return NULL;
    }
  if (!written || !closed)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot load image “%s”: damaged %s (%s)", name, label,
                   describe_pixbuf_error (local));
      return NULL;
    }

  GdkPixbuf *decoded = gdk_pixbuf_loader_get_pixbuf (loader);
  if (decoded == NULL || !state.size_seen)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot load image “%s”: damaged %s (no image data)", name, label);
      return NULL;
    }

  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_apply_embedded_orientation (decoded);
  if (pixbuf == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
                   "Cannot load image “%s”: out of memory while rotating", name);
      return NULL;
    }

  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  if (gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB
      || gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 || (channels != 3 && channels != 4))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   "Cannot load image “%s”: unexpected pixel layout from the %s decoder", name,
                   label);
      return NULL;
    }
  if (!lectern_image_check_size ((guint64) width, (guint64) height, name, error))
    return NULL;

  LecternImage *image = lectern_image_try_new_uninit (width, height);
  if (image == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot load image “%s”: out of memory for %d×%d pixels", name, width,
                   height);
      return NULL;
    }
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  for (int y = 0; y < height; y++)
    lectern_image_row_to_grey (pixels + (gsize) y * rowstride, channels, width,
                               image->pixels + (gsize) y * width);
  return image;
}
