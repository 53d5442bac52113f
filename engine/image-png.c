/* image-png.c — PNG through libpng: every colour type and bit depth to 8-bit grey, and writing
 * grey PNGs.
 *
 * libpng reports errors by calling an error function that must not return; ours records the
 * message and longjmps back to the decoder, which turns it into a GError. Warnings are dropped
 * (nothing is printed). Everything the error path frees lives in a heap struct, not in locals
 * changed after setjmp. */
#include <png.h>
#include <setjmp.h>
#include <string.h>

#include "error.h"
#include "image-private.h"

typedef struct {
  jmp_buf       jump;
  char          message[200];
  const guint8 *data;          /* reading: the whole file */
  gsize         size;
  gsize         offset;
  GByteArray   *output;        /* writing */
  const char   *name;          /* for messages */
  guint8       *rows;          /* decoded rows (one row, or the whole image when interlaced) */
  png_bytep    *row_pointers;
  LecternImage *image;
} PngState;

static void
png_error_cb (png_structp png, png_const_charp message)
{
  PngState *state = png_get_error_ptr (png);
  g_strlcpy (state->message, message, sizeof state->message);
  longjmp (state->jump, 1);
}

static void
png_warning_cb (png_structp png, png_const_charp message)
{
  /* Warnings (bad ancillary chunks, unknown profiles) do not stop decoding; stay silent. */
}

static void
png_read_cb (png_structp png, png_bytep out, png_size_t length)
{
  PngState *state = png_get_io_ptr (png);
  if (length > state->size - state->offset)
    png_error (png, "the file is truncated");
  memcpy (out, state->data + state->offset, length);
  state->offset += length;
}

static void
png_write_cb (png_structp png, png_bytep data, png_size_t length)
{
  PngState *state = png_get_io_ptr (png);
  g_byte_array_append (state->output, data, (guint) length);
}

static void
png_flush_cb (png_structp png)
{
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
png_state_free (PngState *state)
{
  g_free (state->rows);
  g_free (state->row_pointers);
  lectern_image_free (state->image);
  g_free (state);
}

LecternImage *
lectern_image_decode_png (const guint8 *data, gsize size, const char *name, GError **error)
{
  /* The size check comes first, from the IHDR chunk that must directly follow the signature,
   * so that an absurd header never reaches an allocation. */
  if (size < 8 + 8 + 13 || memcmp (data + 12, "IHDR", 4) != 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot load image “%s”: damaged PNG (no IHDR header chunk)", name);
      return NULL;
    }
  if (!lectern_image_check_size (read_be32 (data + 16), read_be32 (data + 20), name, error))
    return NULL;

  PngState *state = g_new0 (PngState, 1);
  state->data = data;
  state->size = size;

  png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, state, png_error_cb,
                                            png_warning_cb);
  png_infop info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (png != NULL ? &png : NULL, NULL, NULL);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
                   "Cannot load image “%s”: out of memory", name);
      g_free (state);
      return NULL;
    }

  if (setjmp (state->jump))
    {
      png_destroy_read_struct (&png, &info, NULL);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot load image “%s”: damaged PNG (%s)", name, state->message);
      png_state_free (state);
      return NULL;
    }

  png_set_read_fn (png, state, png_read_cb);
  png_set_user_limits (png, LECTERN_IMAGE_MAX_SIDE, LECTERN_IMAGE_MAX_SIDE);
  /* Ancillary chunks (ICC profiles, text) are capped so they cannot demand much memory. */
  png_set_chunk_malloc_max (png, 8 << 20);
  png_read_info (png, info);

  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, colour_type = 0, interlace = 0;
  png_get_IHDR (png, info, &width, &height, &bit_depth, &colour_type, &interlace, NULL, NULL);

  /* To 8-bit grey, grey+alpha, RGB or RGBA: palettes and low bit depths expanded, tRNS made an
   * alpha channel, 16-bit samples rounded to 8. */
  png_set_expand (png);
  if (bit_depth == 16)
    png_set_scale_16 (png);
  int passes = png_set_interlace_handling (png);
  png_read_update_info (png, info);

  int channels = png_get_channels (png, info);
  png_size_t rowbytes = png_get_rowbytes (png, info);
  if (channels < 1 || channels > 4 || rowbytes != (png_size_t) width * channels)
    png_error (png, "unexpected pixel layout");

  state->image = lectern_image_try_new_uninit ((int) width, (int) height);
  gsize buffer_rows = passes > 1 ? height : 1;
  state->rows = g_try_malloc (rowbytes * buffer_rows);
  if (state->image == NULL || state->rows == NULL)
    png_error (png, "out of memory");

  if (passes > 1)
    {
      /* Interlaced passes fill the whole image a bit at a time. */
      state->row_pointers = g_new (png_bytep, height);
      for (png_uint_32 y = 0; y < height; y++)
        state->row_pointers[y] = state->rows + (gsize) y * rowbytes;
      png_read_image (png, state->row_pointers);
      for (png_uint_32 y = 0; y < height; y++)
        lectern_image_row_to_grey (state->row_pointers[y], channels, (int) width,
                                   state->image->pixels + (gsize) y * width);
    }
  else
    {
      for (png_uint_32 y = 0; y < height; y++)
        {
          png_read_row (png, state->rows, NULL);
          lectern_image_row_to_grey (state->rows, channels, (int) width,
                                     state->image->pixels + (gsize) y * width);
        }
    }
  /* Reading to IEND catches files cut short after the pixel data. */
  png_read_end (png, NULL);
  png_destroy_read_struct (&png, &info, NULL);

  LecternImage *image = g_steal_pointer (&state->image);
  png_state_free (state);
  return image;
}

GBytes *
lectern_image_encode_png (const LecternImage *image, const char *name, GError **error)
{
  g_return_val_if_fail (image != NULL, NULL);
  PngState *state = g_new0 (PngState, 1);
  state->name = name != NULL ? name : "(memory)";
  state->output = g_byte_array_new ();

  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, state, png_error_cb,
                                             png_warning_cb);
  png_infop info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_write_struct (png != NULL ? &png : NULL, NULL);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
                   "Cannot write image “%s”: out of memory", state->name);
      g_byte_array_unref (state->output);
      g_free (state);
      return NULL;
    }
  if (setjmp (state->jump))
    {
      png_destroy_write_struct (&png, &info);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED, "Cannot write image “%s”: %s",
                   state->name, state->message);
      g_byte_array_unref (state->output);
      png_state_free (state);
      return NULL;
    }

  png_set_write_fn (png, state, png_write_cb, png_flush_cb);
  png_set_IHDR (png, info, (png_uint_32) image->width, (png_uint_32) image->height, 8,
                PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  /* Level 6 (zlib's default) is several times faster than 9 for a few percent in size. */
  png_set_compression_level (png, 6);
  png_write_info (png, info);
  for (int y = 0; y < image->height; y++)
    png_write_row (png, image->pixels + (gsize) y * image->width);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);

  GBytes *bytes = g_byte_array_free_to_bytes (state->output);
  state->output = NULL;
  png_state_free (state);
  return bytes;
}
