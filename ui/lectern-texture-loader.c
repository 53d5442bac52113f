/* lectern-texture-loader.c — loads a page scan for display (see lectern-texture-loader.h).
 *
 * The file is fed to a GdkPixbufLoader in chunks so that the image size is known, and checked,
 * before the loader allocates the pixel buffer. */
#include "config.h"

#include <glib/gi18n.h>

#include "error.h"
#include "image.h"
#include "lectern-texture-loader.h"

#define READ_CHUNK_SIZE (64 * 1024)

/* Formats Lectern opens; gdk-pixbuf may know more (SVG, GIF, …) but those are not scans. */
static const char * const page_formats[] = { "png", "jpeg", "tiff" };

typedef struct {
  gboolean  too_large;
  int       width;
  int       height;
  int       rows_decoded;   /* bottom of the lowest area the decoder has filled */
} SizeCheck;

static void
size_prepared (GdkPixbufLoader *loader,
               int              width,
               int              height,
               SizeCheck       *check)
{
  check->width = width;
  check->height = height;
  if (!lectern_image_check_size ((guint64) MAX (width, 0), (guint64) MAX (height, 0), NULL, NULL))
    {
      /* A requested size of 0 × 0 makes the decoders stop before they allocate the pixels
       * (gdk_pixbuf_get_file_info() relies on the same). */
      check->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
}

/* gdk-pixbuf's PNG and JPEG decoders accept a file that ends early and leave the missing rows
 * blank; the rows they report as filled tell a damaged file from a whole one. */
static void
area_updated (GdkPixbufLoader *loader,
              int              x,
              int              y,
              int              width,
              int              height,
              SizeCheck       *check)
{
  check->rows_decoded = MAX (check->rows_decoded, y + height);
}

static gboolean
is_page_format (GdkPixbufFormat *format)
{
  g_autofree char *name = format != NULL ? gdk_pixbuf_format_get_name (format) : NULL;

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (page_formats); i++)
    if (g_str_equal (name, page_formats[i]))
      return TRUE;
  return FALSE;
}

GdkPixbuf *
lectern_texture_load_pixbuf (GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *name = g_file_get_parse_name (file);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autofree guint8 *buffer = NULL;
  g_autoptr(GError) local_error = NULL;
  SizeCheck check = { FALSE, 0, 0, 0 };
  GdkPixbuf *pixbuf;
  gboolean empty = TRUE;

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED,
                     _("Opening “%s” was cancelled"), name);
      else
        g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                     _("Could not read “%s”: %s"), name, local_error->message);
      return NULL;
    }

  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared), &check);
  g_signal_connect (loader, "area-updated", G_CALLBACK (area_updated), &check);
  buffer = g_malloc (READ_CHUNK_SIZE);

  for (;;)
    {
      gssize n_read = g_input_stream_read (G_INPUT_STREAM (stream), buffer, READ_CHUNK_SIZE,
                                           cancellable, &local_error);
      if (n_read < 0)
        {
          gdk_pixbuf_loader_close (loader, NULL);
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED,
                         _("Opening “%s” was cancelled"), name);
          else
            g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                         _("Could not read “%s”: %s"), name, local_error->message);
          return NULL;
        }
      if (n_read == 0)
        break;

      empty = FALSE;

      if (!gdk_pixbuf_loader_write (loader, buffer, n_read, &local_error) || check.too_large)
        break;
    }

  if (empty)
    {
      gdk_pixbuf_loader_close (loader, NULL);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT, _("“%s” is empty"), name);
      return NULL;
    }

  if (local_error == NULL && !check.too_large)
    gdk_pixbuf_loader_close (loader, &local_error);
  else
    gdk_pixbuf_loader_close (loader, NULL);

  if (check.too_large)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   _("“%s” is too large to open: %d × %d pixels (at most %d million pixels "
                     "and %d pixels a side)"),
                   name, check.width, check.height,
                   (int) (LECTERN_IMAGE_MAX_PIXELS / 1000000), LECTERN_IMAGE_MAX_SIDE);
      return NULL;
    }

  if (!is_page_format (gdk_pixbuf_loader_get_format (loader)))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   _("“%s” is not a PNG, JPEG or TIFF image"), name);
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (local_error != NULL || pixbuf == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   _("“%s” is damaged or not an image: %s"), name,
                   local_error != NULL ? local_error->message : _("no picture in it"));
      return NULL;
    }

  if (check.rows_decoded < gdk_pixbuf_get_height (pixbuf))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   _("“%s” is damaged: the file ends after %d of its %d rows"), name,
                   check.rows_decoded, gdk_pixbuf_get_height (pixbuf));
      return NULL;
    }

  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GdkPixbuf *pixbuf = lectern_texture_load_pixbuf (G_FILE (task_data), cancellable, &error);

  if (pixbuf == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pixbuf, g_object_unref);
}

void
lectern_texture_load_async (GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lectern_texture_load_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_in_thread);
}

GdkTexture *
lectern_texture_load_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lectern_texture_load_async,
                        NULL);

  pixbuf = g_task_propagate_pointer (G_TASK (result), error);
  if (pixbuf == NULL)
    return NULL;

  return gdk_texture_new_for_pixbuf (pixbuf);
}
