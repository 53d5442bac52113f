/* fuzz-image.c — fuzz target for page and line images (PNG through libpng, JPEG and TIFF through
 * gdk-pixbuf), as lectern_image_load_bytes sees any file a user opens.
 *
 * Every input either loads as an image within the size limits or is refused with a LECTERN_ERROR
 * naming the file. A loaded image is then scaled to a line height and has a polygon cut out of
 * it, as the recognizer and the dataset reader do with what they load. */
#include "fuzz-common.h"
#include "image.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_init ();
  static const char name[] = "fuzz image.png";
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternImage) image = lectern_image_load_bytes (bytes, name, &error);
  if (image == NULL)
    {
      fuzz_check_error (error, name);
      return 0;
    }
  if (error != NULL)
    g_error ("an image came with an error: %s", error->message);
  if (image->width < 1 || image->height < 1 || image->width > LECTERN_IMAGE_MAX_SIDE
      || image->height > LECTERN_IMAGE_MAX_SIDE
      || (guint64) image->width * (guint64) image->height > LECTERN_IMAGE_MAX_PIXELS)
    g_error ("loaded an image of %d×%d pixels", image->width, image->height);

  /* Touch every pixel, so that uninitialised or short buffers show under the sanitizers. */
  guint64 sum = 0;
  for (gsize i = 0; i < (gsize) image->width * (gsize) image->height; i++)
    sum += image->pixels[i];
  if (sum > (guint64) 255 * image->width * image->height)
    g_error ("impossible pixel sum");

  /* Small images go on to what the recognizer does with a line (large ones would only measure
   * the resampler's speed). */
  if ((guint64) image->width * image->height <= 1 << 20)
    {
      g_autoptr(LecternImage) line = lectern_image_scale_to_height (image, 48);
      g_assert_nonnull (line);
      g_assert_cmpint (line->height, ==, 48);
      const LecternPoint triangle[] = {
        { -3, image->height / 2 }, { image->width + 5, 0 }, { image->width / 2, image->height + 7 },
      };
      int x = 0, y = 0;
      g_autoptr(LecternImage) cut = lectern_image_cut_polygon (image, triangle, 3, &x, &y);
      if (cut != NULL)
        g_assert_true (x >= 0 && y >= 0 && x + cut->width <= image->width
                       && y + cut->height <= image->height);
    }
  return 0;
}
