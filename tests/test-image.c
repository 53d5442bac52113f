/* test-image.c — image loading (every PNG colour type and bit depth, JPEG and TIFF through
 * gdk-pixbuf, EXIF orientation), refusal of damaged and oversized files, saving, resizing and
 * cutting polygons. PNG test files are written here with libpng; the expected grey values are
 * computed independently in floating point. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <string.h>

#include "error.h"
#include "image.h"
#include "testutil.h"

/* ---- Writing test PNGs with libpng ---- */

typedef struct {
  int          colour_type;
  int          bit_depth;
  gboolean     interlaced;
  /* tRNS: for palettes an alpha per entry, for grey/RGB one transparent colour */
  gboolean     transparent_colour;
} PngCase;

#define TEST_W 13
#define TEST_H 9
#define PALETTE_SIZE 6

static const png_color test_palette[PALETTE_SIZE] = {
  { 0, 0, 0 }, { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 200, 150, 100 }, { 255, 255, 255 },
};
static const png_byte test_palette_alpha[PALETTE_SIZE] = { 255, 128, 0, 64, 255, 10 };

static int
channels_of (int colour_type)
{
  switch (colour_type)
    {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    case PNG_COLOR_TYPE_PALETTE: return 1;
    default: g_assert_not_reached ();
    }
}

/* The sample stored at (x, y, channel), in the file's bit depth. */
static guint
test_sample (const PngCase *c, int x, int y, int channel)
{
  if (c->colour_type == PNG_COLOR_TYPE_PALETTE)
    return (guint) ((x + 3 * y) % MIN (PALETTE_SIZE, 1 << c->bit_depth));
  guint max = (1u << c->bit_depth) - 1;
  return (guint) ((x * 37u + y * 91u + channel * 53u + 11u) * (max > 255 ? 257u : 1u)) % (max + 1);
}

/* The transparent colour (tRNS) for grey and RGB: the sample of pixel (2, 1), so that some
 * pixels match it. */
static guint
transparent_sample (const PngCase *c, int channel)
{
  return test_sample (c, 2, 1, channel);
}

static void
write_to_array (png_structp png, png_bytep data, png_size_t length)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) length);
}

static void
flush_nothing (png_structp png)
{
}

static GBytes *
make_png (const PngCase *c, int width, int height)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  g_assert_nonnull (info);
  if (setjmp (png_jmpbuf (png)))
    g_assert_not_reached ();
  png_set_write_fn (png, out, write_to_array, flush_nothing);
  png_set_IHDR (png, info, width, height, c->bit_depth, c->colour_type,
                c->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (c->colour_type == PNG_COLOR_TYPE_PALETTE)
    {
      png_set_PLTE (png, info, test_palette, MIN (PALETTE_SIZE, 1 << c->bit_depth));
      if (c->transparent_colour)
        png_set_tRNS (png, info, test_palette_alpha, MIN (PALETTE_SIZE, 1 << c->bit_depth), NULL);
    }
  else if (c->transparent_colour)
    {
      png_color_16 colour = { 0 };
      if (c->colour_type == PNG_COLOR_TYPE_GRAY)
        colour.gray = (png_uint_16) transparent_sample (c, 0);
      else
        {
          colour.red = (png_uint_16) transparent_sample (c, 0);
          colour.green = (png_uint_16) transparent_sample (c, 1);
          colour.blue = (png_uint_16) transparent_sample (c, 2);
        }
      png_set_tRNS (png, info, NULL, 0, &colour);
    }
  png_write_info (png, info);
  if (c->bit_depth < 8)
    png_set_packing (png);

  int channels = channels_of (c->colour_type);
  int bytes_per_sample = c->bit_depth == 16 ? 2 : 1;
  gsize row_bytes = (gsize) width * channels * bytes_per_sample;
  png_bytep image = g_malloc0 (row_bytes * height);
  png_bytep *rows = g_new (png_bytep, height);
  for (int y = 0; y < height; y++)
    {
      rows[y] = image + row_bytes * y;
      for (int x = 0; x < width; x++)
        for (int ch = 0; ch < channels; ch++)
          {
            guint v = test_sample (c, x, y, ch);
            png_bytep p = rows[y] + ((gsize) x * channels + ch) * bytes_per_sample;
            if (bytes_per_sample == 2)
              {
                p[0] = (png_byte) (v >> 8);
                p[1] = (png_byte) (v & 0xff);
              }
            else
              p[0] = (png_byte) v;
          }
    }
  png_write_image (png, rows);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  g_free (rows);
  g_free (image);
  return g_byte_array_free_to_bytes (out);
}

/* What a pixel should become: Rec. 601 luma of the colour, alpha composited on white. */
static double
expected_grey (const PngCase *c, int x, int y)
{
  double r, g, b, a = 1.0;
  double max = (double) ((1u << c->bit_depth) - 1);
  if (c->colour_type == PNG_COLOR_TYPE_PALETTE)
    {
      guint index = test_sample (c, x, y, 0);
      r = test_palette[index].red;
      g = test_palette[index].green;
      b = test_palette[index].blue;
      if (c->transparent_colour)
        a = test_palette_alpha[index] / 255.0;
    }
  else
    {
      int channels = channels_of (c->colour_type);
      gboolean colour = channels >= 3;
      r = test_sample (c, x, y, 0) * 255.0 / max;
      g = colour ? test_sample (c, x, y, 1) * 255.0 / max : r;
      b = colour ? test_sample (c, x, y, 2) * 255.0 / max : r;
      if (channels == 2 || channels == 4)
        a = test_sample (c, x, y, channels - 1) / max;
      if (c->transparent_colour)
        {
          gboolean match = test_sample (c, x, y, 0) == transparent_sample (c, 0);
          if (colour)
            match = match && test_sample (c, x, y, 1) == transparent_sample (c, 1)
                    && test_sample (c, x, y, 2) == transparent_sample (c, 2);
          if (match)
            a = 0.0;
        }
    }
  double luma = 0.299 * r + 0.587 * g + 0.114 * b;
  return luma * a + 255.0 * (1.0 - a);
}

static void
test_png_colour_types (void)
{
  static const struct {
    int colour_type;
    int depths[5];
  } types[] = {
    { PNG_COLOR_TYPE_GRAY, { 1, 2, 4, 8, 16 } },
    { PNG_COLOR_TYPE_GRAY_ALPHA, { 8, 16 } },
    { PNG_COLOR_TYPE_RGB, { 8, 16 } },
    { PNG_COLOR_TYPE_RGB_ALPHA, { 8, 16 } },
    { PNG_COLOR_TYPE_PALETTE, { 1, 2, 4, 8 } },
  };
  guint n_cases = 0;
  for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
    for (int d = 0; d < 5 && types[t].depths[d] != 0; d++)
      for (int interlaced = 0; interlaced <= 1; interlaced++)
        for (int transparent = 0; transparent <= 1; transparent++)
          {
            PngCase c = {
              .colour_type = types[t].colour_type,
              .bit_depth = types[t].depths[d],
              .interlaced = interlaced,
              .transparent_colour = transparent,
            };
            /* tRNS is allowed for grey, RGB and palettes only. */
            if (transparent && (c.colour_type & PNG_COLOR_MASK_ALPHA))
              continue;
            g_autoptr(GBytes) png = make_png (&c, TEST_W, TEST_H);
            g_autofree char *name = g_strdup_printf ("type%d-depth%d%s%s.png", c.colour_type,
                                                     c.bit_depth, interlaced ? "-adam7" : "",
                                                     transparent ? "-trns" : "");
            g_autoptr(GError) error = NULL;
            g_autoptr(LecternImage) image = lectern_image_load_bytes (png, name, &error);
            g_assert_no_error (error);
            g_assert_cmpint (image->width, ==, TEST_W);
            g_assert_cmpint (image->height, ==, TEST_H);
            for (int y = 0; y < TEST_H; y++)
              for (int x = 0; x < TEST_W; x++)
                {
                  double want = expected_grey (&c, x, y);
                  double got = image->pixels[y * TEST_W + x];
                  if (fabs (got - want) > 1.0)
                    g_error ("%s: pixel (%d, %d) is %g, expected %.2f", name, x, y, got, want);
                }
            n_cases++;
          }
  /* 15 depths × 2 interlacings, plus tRNS for the 11 depths of grey, RGB and palette */
  g_assert_cmpuint (n_cases, ==, 15 * 2 + 11 * 2);
}

/* A larger PNG with texture, so that it has many chunks' worth of compressed data. */
static GBytes *
make_textured_png (void)
{
  PngCase c = { .colour_type = PNG_COLOR_TYPE_RGB, .bit_depth = 8 };
  return make_png (&c, 96, 64);
}

static void
assert_refused_at_every_length (GBytes *whole, const char *name, gsize step)
{
  gsize size = g_bytes_get_size (whole);
  for (gsize length = 0; length < size; length += (length + 64 >= size ? 1 : step))
    {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (whole, 0, length);
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternImage) image = lectern_image_load_bytes (part, name, &error);
      if (image != NULL)
        g_error ("%s cut to %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes loaded", name,
                 length, size);
      g_assert_error (error, LECTERN_ERROR, error->code);
      g_assert_nonnull (strstr (error->message, name));
    }
}

static void
test_truncated_png (void)
{
  g_autoptr(GBytes) png = make_textured_png ();
  assert_refused_at_every_length (png, "cut.png", 1);
}

static void
test_truncated_png_quiet (void)
{
  /* libpng errors and warnings must not reach stderr. */
  if (g_test_subprocess ())
    {
      g_autoptr(GBytes) png = make_textured_png ();
      assert_refused_at_every_length (png, "cut.png", 7);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("?*");
  g_test_trap_assert_stdout_unmatched ("?*");
}

static void
test_corrupt_png (void)
{
  /* Any single damaged byte gives an error or an image of the right size, never a crash. */
  g_autoptr(GBytes) png = make_textured_png ();
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (png, &size);
  guint8 *copy = g_memdup2 (data, size);
  guint refused = 0;
  for (gsize i = 8; i < size; i++)
    {
      copy[i] ^= 0x5a;
      g_autoptr(GBytes) damaged = g_bytes_new_static (copy, size);
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternImage) image = lectern_image_load_bytes (damaged, "damaged.png", &error);
      if (image == NULL)
        {
          g_assert_error (error, LECTERN_ERROR, error->code);
          refused++;
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpint (image->width, ==, 96);
          g_assert_cmpint (image->height, ==, 64);
        }
      copy[i] ^= 0x5a;
    }
  /* CRCs guard the critical chunks: nearly every damaged byte is caught. */
  g_assert_cmpuint (refused, >, (size - 8) * 9 / 10);
  g_free (copy);
}

static guint32
crc32_of (const guint8 *data, gsize length)
{
  guint32 crc = 0xffffffffu;
  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  return crc ^ 0xffffffffu;
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* A PNG signature and a valid IHDR claiming width × height, then IEND: no pixel data. */
static GBytes *
make_png_header (guint32 width, guint32 height)
{
  guint8 file[8 + 25 + 12];
  memcpy (file, "\x89PNG\r\n\x1a\n", 8);
  put_be32 (file + 8, 13);
  memcpy (file + 12, "IHDR", 4);
  put_be32 (file + 16, width);
  put_be32 (file + 20, height);
  file[24] = 8;   /* bit depth */
  file[25] = 2;   /* RGB */
  file[26] = file[27] = file[28] = 0;
  put_be32 (file + 29, crc32_of (file + 12, 17));
  put_be32 (file + 33, 0);
  memcpy (file + 37, "IEND", 4);
  put_be32 (file + 41, crc32_of (file + 37, 4));
  return g_bytes_new (file, sizeof file);
}

static void
test_huge_png_refused (void)
{
  static const guint32 sizes[][2] = {
    { 100000, 100000 },   /* 10 G pixels */
    { 70000, 10 },        /* wider than any side allowed */
    { 10000, 9000 },      /* 90 M pixels, sides allowed */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) png = make_png_header (sizes[i][0], sizes[i][1]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternImage) image = lectern_image_load_bytes (png, "huge.png", &error);
      g_assert_null (image);
      /* TOO_LARGE comes from the header check; a failed allocation would give another code. */
      g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE);
      g_assert_nonnull (strstr (error->message, "huge.png"));
    }

  /* A header within the limits but without pixel data is damaged, not too large. */
  g_autoptr(GBytes) small = make_png_header (100, 100);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternImage) image = lectern_image_load_bytes (small, "empty.png", &error);
  g_assert_null (image);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
}

/* ---- JPEG and TIFF ---- */

static GdkPixbuf *
make_pixbuf (int width, int height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;
        /* a dark block in the top-left corner on a light textured ground */
        gboolean corner = x < width / 4 && y < height / 4;
        p[0] = corner ? 10 : (guint8) (200 + (x * 7 + y * 3) % 50);
        p[1] = corner ? 10 : (guint8) (210 + (x * 5) % 40);
        p[2] = corner ? 10 : (guint8) (190 + (y * 11) % 60);
      }
  return pixbuf;
}

static GBytes *
encode_pixbuf (GdkPixbuf *pixbuf, const char *type)
{
  gchar *buffer = NULL;
  gsize size = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, type, &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static void
test_jpeg_tiff_load (void)
{
  g_autoptr(GdkPixbuf) pixbuf = make_pixbuf (120, 80);
  const char *types[] = { "jpeg", "tiff" };
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GBytes) file = encode_pixbuf (pixbuf, types[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternImage) image = lectern_image_load_bytes (file, types[i], &error);
      g_assert_no_error (error);
      g_assert_cmpint (image->width, ==, 120);
      g_assert_cmpint (image->height, ==, 80);
      g_assert_cmpint (image->pixels[5 * 120 + 5], <, 40);       /* dark corner */
      g_assert_cmpint (image->pixels[60 * 120 + 100], >, 180);   /* light ground */
    }
}

static void
test_truncated_jpeg (void)
{
  g_autoptr(GdkPixbuf) pixbuf = make_pixbuf (200, 150);
  g_autoptr(GBytes) jpeg = encode_pixbuf (pixbuf, "jpeg");
  assert_refused_at_every_length (jpeg, "cut.jpg", 13);
  g_autoptr(GBytes) tiff = encode_pixbuf (pixbuf, "tiff");
  assert_refused_at_every_length (tiff, "cut.tif", 97);
}

static void
test_truncated_real_jpeg (void)
{
  g_autofree char *path = lectern_test_shared_path ("data", "real", "poilus",
                                                    "TestamentsDePoilus_will_AN_0030-0.jpg",
                                                    NULL);
  if (path == NULL)
    return;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  g_autoptr(GBytes) whole = g_mapped_file_get_bytes (mapped);
  gsize size = g_bytes_get_size (whole);
  /* 40 cuts across the file, and the last bytes one by one */
  for (gsize k = 1; k <= 40 + 16; k++)
    {
      gsize length = k <= 40 ? size * k / 41 : size - (k - 40);
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (whole, 0, length);
      g_autoptr(GError) cut_error = NULL;
      g_autoptr(LecternImage) image = lectern_image_load_bytes (part, "cut.jpg", &cut_error);
      g_assert_null (image);
      g_assert_error (cut_error, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
    }
}

/* Offset of the first SOFn marker's segment in a JPEG. */
static gsize
find_sof (const guint8 *data, gsize size)
{
  for (gsize i = 2; i + 9 < size; i++)
    if (data[i] == 0xff && data[i + 1] >= 0xc0 && data[i + 1] <= 0xc2)
      return i;
  g_assert_not_reached ();
}

static void
test_huge_jpeg_tiff_refused (void)
{
  g_autoptr(GdkPixbuf) pixbuf = make_pixbuf (64, 48);

  /* JPEG: SOF says 60000 × 60000. */
  g_autoptr(GBytes) jpeg = encode_pixbuf (pixbuf, "jpeg");
  gsize size = 0;
  guint8 *data = g_memdup2 (g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg));
  size = g_bytes_get_size (jpeg);
  gsize sof = find_sof (data, size);
  data[sof + 5] = 60000 >> 8;
  data[sof + 6] = 60000 & 0xff;
  data[sof + 7] = 60000 >> 8;
  data[sof + 8] = 60000 & 0xff;
  g_autoptr(GBytes) huge_jpeg = g_bytes_new_take (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternImage) image = lectern_image_load_bytes (huge_jpeg, "huge.jpg", &error);
  g_assert_null (image);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* TIFF: ImageWidth and ImageLength say 20000 × 20000 (small enough for gdk-pixbuf's own
   * overflow checks, so that the size reaches size-prepared). */
  g_autoptr(GBytes) tiff = encode_pixbuf (pixbuf, "tiff");
  size = g_bytes_get_size (tiff);
  data = g_memdup2 (g_bytes_get_data (tiff, NULL), size);
  g_assert_true (data[0] == 'I' && data[1] == 'I');
  guint32 ifd = data[4] | data[5] << 8 | data[6] << 16 | (guint32) data[7] << 24;
  guint n = data[ifd] | data[ifd + 1] << 8;
  guint patched = 0;
  for (guint i = 0; i < n; i++)
    {
      guint8 *entry = data + ifd + 2 + 12 * i;
      guint tag = entry[0] | entry[1] << 8;
      if (tag == 256 || tag == 257)
        {
          entry[8] = 20000 & 0xff;   /* a SHORT, or the low half of a LONG */
          entry[9] = 20000 >> 8;
          if ((entry[2] | entry[3] << 8) == 4)
            entry[10] = entry[11] = 0;
          patched++;
        }
    }
  g_assert_cmpuint (patched, ==, 2);
  g_autoptr(GBytes) huge_tiff = g_bytes_new_take (data, size);
  image = lectern_image_load_bytes (huge_tiff, "huge.tif", &error);
  g_assert_null (image);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE);
}

static void
test_exif_orientation (void)
{
  /* A 40 × 20 JPEG with EXIF orientation 6 (rotate 90° clockwise to show): it loads 20 × 40,
   * and the dark top-left corner is then at the top right. */
  g_autoptr(GdkPixbuf) pixbuf = make_pixbuf (40, 20);
  g_autoptr(GBytes) plain = encode_pixbuf (pixbuf, "jpeg");
  static const guint8 app1[] = {
    0xff, 0xe1, 0x00, 0x22,                    /* APP1, length 34 */
    'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,   /* TIFF header, IFD at 8 */
    0x00, 0x01,                                /* one entry */
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,  /* Orientation 6 */
    0x00, 0x00, 0x00, 0x00,                    /* no next IFD */
  };
  gsize size = g_bytes_get_size (plain);
  const guint8 *data = g_bytes_get_data (plain, NULL);
  GByteArray *with_exif = g_byte_array_new ();
  g_byte_array_append (with_exif, data, 2);   /* SOI */
  g_byte_array_append (with_exif, app1, sizeof app1);
  g_byte_array_append (with_exif, data + 2, (guint) (size - 2));
  g_autoptr(GBytes) rotated = g_byte_array_free_to_bytes (with_exif);

  g_autoptr(GError) error = NULL;
  g_autoptr(LecternImage) image = lectern_image_load_bytes (rotated, "rotated.jpg", &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 20);
  g_assert_cmpint (image->height, ==, 40);
  g_assert_cmpint (image->pixels[1 * 20 + 18], <, 60);    /* top right: dark */
  g_assert_cmpint (image->pixels[1 * 20 + 1], >, 150);    /* top left: light */
}

static void
test_real_images (void)
{
  g_autofree char *real = lectern_test_shared_path ("data", "real", NULL);
  if (real == NULL)
    return;
  /* Every page and line image of the real data, with its size from gdk-pixbuf's own header
   * reader. */
  GPtrArray *folders = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (folders, g_strdup (real));
  guint checked = 0, tiffs = 0;
  for (guint f = 0; f < folders->len; f++)
    {
      g_autoptr(GDir) dir = g_dir_open (folders->pdata[f], 0, NULL);
      g_assert_nonnull (dir);
      const char *entry;
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folders->pdata[f], entry, NULL);
          if (g_file_test (path, G_FILE_TEST_IS_DIR))
            {
              g_ptr_array_add (folders, g_steal_pointer (&path));
              continue;
            }
          if (!g_str_has_suffix (entry, ".jpg") && !g_str_has_suffix (entry, ".tif")
              && !g_str_has_suffix (entry, ".png"))
            continue;
          int want_w = 0, want_h = 0;
          g_assert_nonnull (gdk_pixbuf_get_file_info (path, &want_w, &want_h));
          g_autoptr(GError) error = NULL;
          g_autoptr(LecternImage) image = lectern_image_load (path, &error);
          g_assert_no_error (error);
          g_assert_cmpint (image->width, ==, want_w);
          g_assert_cmpint (image->height, ==, want_h);
          /* Scans are mostly light paper. */
          guint64 sum = 0;
          for (gsize i = 0; i < (gsize) image->width * image->height; i++)
            sum += image->pixels[i];
          g_assert_cmpfloat ((double) sum / ((double) image->width * image->height), >, 120.0);
          checked++;
          tiffs += g_str_has_suffix (entry, ".tif");
        }
    }
  g_ptr_array_unref (folders);
  /* 9 + 5 + 1 JPEG, 2 TIFF, 3 page PNG variants and line PNGs */
  g_assert_cmpuint (tiffs, ==, 2);
  g_assert_cmpuint (checked, >=, 19 + 70);
}

static void
test_grey_alpha_line (void)
{
  /* simplehtr's line is grey + alpha with a transparent ground: it must come out white, not
   * black. */
  g_autofree char *path = lectern_test_shared_path ("data", "real", "simplehtr-line", "line.png",
                                                    NULL);
  if (path == NULL)
    return;
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternImage) image = lectern_image_load (path, &error);
  g_assert_no_error (error);
  guint white = 0, dark = 0;
  for (gsize i = 0; i < (gsize) image->width * image->height; i++)
    {
      white += image->pixels[i] >= 250;
      dark += image->pixels[i] < 100;
    }
  g_assert_cmpuint (white, >, (guint) (image->width * image->height / 2));
  g_assert_cmpuint (dark, >, 100);
}

static void
test_format_by_content (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lectern-image-XXXXXX", NULL);
  g_assert_nonnull (dir);
  PngCase c = { .colour_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 8 };
  g_autoptr(GBytes) png = make_png (&c, 10, 10);

  /* A PNG named .jpg is read as the PNG it is. */
  g_autofree char *misnamed = g_build_filename (dir, "page.jpg", NULL);
  g_assert_true (g_file_set_contents (misnamed, g_bytes_get_data (png, NULL),
                                      (gssize) g_bytes_get_size (png), NULL));
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternImage) image = lectern_image_load (misnamed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 10);

  /* Text named .png is refused, naming the file. */
  g_autofree char *text = g_build_filename (dir, "notes.png", NULL);
  g_assert_true (g_file_set_contents (text, "not an image at all\n", -1, NULL));
  g_autoptr(LecternImage) none = lectern_image_load (text, &error);
  g_assert_null (none);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "notes.png"));
  g_clear_error (&error);

  /* A GIF is named as such. */
  g_autoptr(GBytes) gif = g_bytes_new_static ("GIF89a\x01\x00\x01\x00", 10);
  g_autoptr(LecternImage) gif_image = lectern_image_load_bytes (gif, "x.gif", &error);
  g_assert_null (gif_image);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "GIF"));
  g_clear_error (&error);

  /* A missing file is an I/O error naming it. */
  g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
  g_autoptr(LecternImage) missing_image = lectern_image_load (missing, &error);
  g_assert_null (missing_image);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "missing.png"));

  g_unlink (misnamed);
  g_unlink (text);
  g_rmdir (dir);
}

static void
test_save_png (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lectern-image-XXXXXX", NULL);
  g_autoptr(LecternImage) image = lectern_image_new (31, 17);
  for (int i = 0; i < 31 * 17; i++)
    image->pixels[i] = (guint8) (i * 7);
  g_autofree char *path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(GError) error = NULL;

  /* Replacing an existing file leaves only the new one (no temporary files behind). */
  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_true (lectern_image_save_png (image, path, &error));
  g_assert_no_error (error);
  g_autoptr(LecternImage) back = lectern_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->width, ==, 31);
  g_assert_cmpint (back->height, ==, 17);
  g_assert_cmpmem (back->pixels, 31 * 17, image->pixels, 31 * 17);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n_files = 0;
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  /* A folder that does not exist: an I/O error naming the file. */
  g_autofree char *bad = g_build_filename (dir, "no-such-folder", "out.png", NULL);
  g_assert_false (lectern_image_save_png (image, bad, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.png"));

  g_unlink (path);
  g_rmdir (dir);
}

/* ---- Resizing and cutting ---- */

static void
test_scale (void)
{
  /* Shrinking averages areas: 4 → 2 pairs pixels, 3 → 2 weighs the middle pixel half. */
  g_autoptr(LecternImage) row = lectern_image_new (4, 1);
  memcpy (row->pixels, (guint8[]) { 0, 100, 200, 254 }, 4);
  g_autoptr(LecternImage) half = lectern_image_scale (row, 2, 1);
  g_assert_cmpint (half->pixels[0], ==, 50);
  g_assert_cmpint (half->pixels[1], ==, 227);

  g_autoptr(LecternImage) three = lectern_image_new (3, 1);
  memcpy (three->pixels, (guint8[]) { 0, 90, 180 }, 3);
  g_autoptr(LecternImage) two = lectern_image_scale (three, 2, 1);
  g_assert_cmpint (two->pixels[0], ==, 30);    /* (1·0 + 0.5·90) / 1.5 */
  g_assert_cmpint (two->pixels[1], ==, 150);   /* (0.5·90 + 1·180) / 1.5 */

  /* Enlarging interpolates between pixel centres: 2 → 4. */
  g_autoptr(LecternImage) pair = lectern_image_new (2, 1);
  memcpy (pair->pixels, (guint8[]) { 0, 200 }, 2);
  g_autoptr(LecternImage) four = lectern_image_scale (pair, 4, 1);
  g_assert_cmpint (four->pixels[0], ==, 0);
  g_assert_cmpint (four->pixels[1], ==, 50);
  g_assert_cmpint (four->pixels[2], ==, 150);
  g_assert_cmpint (four->pixels[3], ==, 200);

  /* Both axes: a constant image stays constant whatever the factors. */
  g_autoptr(LecternImage) flat = lectern_image_new (37, 23);
  memset (flat->pixels, 77, 37 * 23);
  const int sizes[][2] = { { 5, 3 }, { 100, 60 }, { 11, 90 }, { 1, 1 } };
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(LecternImage) scaled = lectern_image_scale (flat, sizes[i][0], sizes[i][1]);
      for (int k = 0; k < sizes[i][0] * sizes[i][1]; k++)
        g_assert_cmpint (scaled->pixels[k], ==, 77);
    }

  /* Shrinking keeps the mean (each output pixel the mean of an equal area). */
  g_autoptr(LecternImage) noise = lectern_image_new (60, 40);
  for (int i = 0; i < 60 * 40; i++)
    noise->pixels[i] = (guint8) ((i * 2654435761u) >> 24);
  g_autoptr(LecternImage) small = lectern_image_scale (noise, 20, 10);
  double mean_in = 0, mean_out = 0;
  for (int i = 0; i < 60 * 40; i++)
    mean_in += noise->pixels[i] / (60.0 * 40);
  for (int i = 0; i < 20 * 10; i++)
    mean_out += small->pixels[i] / (20.0 * 10);
  g_assert_cmpfloat (fabs (mean_in - mean_out), <, 0.5);

  g_autoptr(LecternImage) line = lectern_image_new (1000, 64);
  g_autoptr(LecternImage) line80 = lectern_image_scale_to_height (line, 80);
  g_assert_cmpint (line80->height, ==, 80);
  g_assert_cmpint (line80->width, ==, 1250);
  g_autoptr(LecternImage) tall = lectern_image_new (1, 500);
  g_autoptr(LecternImage) thin = lectern_image_scale_to_height (tall, 10);
  g_assert_cmpint (thin->width, ==, 1);
}

static LecternImage *
make_page (int width, int height)
{
  LecternImage *page = lectern_image_new (width, height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      page->pixels[y * width + x] = (guint8) ((x * 3 + y * 5) % 200);   /* never 255 */
  return page;
}

static void
test_cut_polygon (void)
{
  g_autoptr(LecternImage) page = make_page (100, 80);
  int x = -1, y = -1;

  /* A rectangle cuts exactly the pixels it covers. */
  LecternPoint rect[] = { { 10, 20 }, { 40, 20 }, { 40, 30 }, { 10, 30 } };
  g_autoptr(LecternImage) box = lectern_image_cut_polygon (page, rect, 4, &x, &y);
  g_assert_nonnull (box);
  g_assert_cmpint (x, ==, 10);
  g_assert_cmpint (y, ==, 20);
  g_assert_cmpint (box->width, ==, 30);
  g_assert_cmpint (box->height, ==, 10);
  for (int j = 0; j < 10; j++)
    g_assert_cmpmem (box->pixels + j * 30, 30, page->pixels + (20 + j) * 100 + 10, 30);

  /* A triangle: inside pixels copied, outside white; the diagonal decides by pixel centres. */
  LecternPoint triangle[] = { { 0, 0 }, { 20, 0 }, { 0, 20 } };
  g_autoptr(LecternImage) tri = lectern_image_cut_polygon (page, triangle, 3, &x, &y);
  g_assert_cmpint (tri->width, ==, 20);
  g_assert_cmpint (tri->height, ==, 20);
  for (int j = 0; j < 20; j++)
    for (int i = 0; i < 20; i++)
      {
        gboolean inside = (i + 0.5) + (j + 0.5) < 20;
        guint8 want = inside ? page->pixels[j * 100 + i] : 255;
        g_assert_cmpint (tri->pixels[j * 20 + i], ==, want);
      }

  /* Partly outside the page: clamped to it. */
  LecternPoint spill[] = { { -30, 70 }, { 130, 70 }, { 130, 95 }, { -30, 95 } };
  g_autoptr(LecternImage) edge = lectern_image_cut_polygon (page, spill, 4, &x, &y);
  g_assert_cmpint (x, ==, 0);
  g_assert_cmpint (y, ==, 70);
  g_assert_cmpint (edge->width, ==, 100);
  g_assert_cmpint (edge->height, ==, 10);
  g_assert_cmpmem (edge->pixels, 100 * 10, page->pixels + 70 * 100, 100 * 10);

  /* Wholly outside, degenerate or too few points: nothing. */
  LecternPoint away[] = { { 200, 200 }, { 300, 200 }, { 300, 300 } };
  g_assert_null (lectern_image_cut_polygon (page, away, 3, &x, &y));
  LecternPoint flat[] = { { 10, 10 }, { 50, 10 }, { 30, 10 } };
  g_assert_null (lectern_image_cut_polygon (page, flat, 3, NULL, NULL));
  g_assert_null (lectern_image_cut_polygon (page, rect, 2, NULL, NULL));

  /* A concave U: the notch stays white (even-odd filling). */
  LecternPoint u[] = { { 0, 0 }, { 10, 0 }, { 10, 20 }, { 20, 20 }, { 20, 0 }, { 30, 0 },
                       { 30, 30 }, { 0, 30 } };
  g_autoptr(LecternImage) cup = lectern_image_cut_polygon (page, u, G_N_ELEMENTS (u), &x, &y);
  g_assert_cmpint (cup->pixels[5 * 30 + 15], ==, 255);
  g_assert_cmpint (cup->pixels[5 * 30 + 5], ==, page->pixels[5 * 100 + 5]);
  g_assert_cmpint (cup->pixels[25 * 30 + 15], ==, page->pixels[25 * 100 + 15]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Image/png-colour-types", test_png_colour_types);
  g_test_add_func ("/Lectern/Image/png-truncated", test_truncated_png);
  g_test_add_func ("/Lectern/Image/png-truncated-quiet", test_truncated_png_quiet);
  g_test_add_func ("/Lectern/Image/png-corrupt", test_corrupt_png);
  g_test_add_func ("/Lectern/Image/png-huge-header", test_huge_png_refused);
  g_test_add_func ("/Lectern/Image/jpeg-tiff", test_jpeg_tiff_load);
  g_test_add_func ("/Lectern/Image/jpeg-tiff-truncated", test_truncated_jpeg);
  g_test_add_func ("/Lectern/Image/jpeg-real-truncated", test_truncated_real_jpeg);
  g_test_add_func ("/Lectern/Image/jpeg-tiff-huge-header", test_huge_jpeg_tiff_refused);
  g_test_add_func ("/Lectern/Image/exif-orientation", test_exif_orientation);
  g_test_add_func ("/Lectern/Image/real-files", test_real_images);
  g_test_add_func ("/Lectern/Image/grey-alpha-line", test_grey_alpha_line);
  g_test_add_func ("/Lectern/Image/format-by-content", test_format_by_content);
  g_test_add_func ("/Lectern/Image/save-png", test_save_png);
  g_test_add_func ("/Lectern/Image/scale", test_scale);
  g_test_add_func ("/Lectern/Image/cut-polygon", test_cut_polygon);
  return g_test_run ();
}
