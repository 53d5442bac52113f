/* test-ui-common.h — helpers shared by the UI tests (run under Xvfb, see tests/meson.build).
 *
 * Header-only so that each UI test stays one program built from its own .c file. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-drafts.h"
#include "lectern-page.h"

/* Runs the main loop until condition(data) holds; fails the test after timeout_ms. */
static inline void
test_ui_wait_for (gboolean (*condition) (gpointer data),
                  gpointer   data,
                  guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %u ms waiting for the UI", timeout_ms);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static inline void
test_ui_count_paint (GdkFrameClock *frame_clock,
                     gpointer       user_data)
{
  guint *paints = user_data;

  (*paints)++;
}

static inline gboolean
test_ui_painted_twice (gpointer data)
{
  return *(guint *) data >= 2;
}

/* For test_ui_wait_for: the page's edits are in its draft on disk (none pending). */
static inline gboolean
test_ui_draft_on_disk (gpointer page)
{
  return !lectern_page_get_draft_pending (page)
         && lectern_drafts_exists (lectern_page_get_image_path (page));
}

/* Runs the main loop until widget's window has painted two more frames, so that layout has
 * settled after whatever the test changed. The paint is asked for again now and then: on a
 * loaded machine (software GL under Xvfb) a single request can be lost. */
static inline void
test_ui_wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (widget);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 next_request = 0;
  guint paints = 0;
  gulong handler;

  g_assert_nonnull (frame_clock);
  handler = g_signal_connect (frame_clock, "after-paint", G_CALLBACK (test_ui_count_paint),
                              &paints);
  while (!test_ui_painted_twice (&paints))
    {
      gint64 now = g_get_monotonic_time ();

      if (now > deadline)
        g_error ("timed out after 60 s waiting for the window to paint");
      if (now >= next_request)
        {
          gtk_widget_queue_draw (widget);
          gdk_frame_clock_request_phase (frame_clock, GDK_FRAME_CLOCK_PHASE_PAINT);
          next_request = now + G_USEC_PER_SEC / 2;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_signal_handler_disconnect (frame_clock, handler);
}

/* A page image: white paper, a red block at (x, y, w, h) and a blue strip along the top. */
static inline GdkTexture *
test_ui_make_page_texture (int width,
                           int height)
{
  gsize stride = (gsize) width * 4;
  guint8 *pixels = g_malloc (stride * height);
  g_autoptr(GBytes) bytes = NULL;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * 4;
        gboolean red = x >= width / 3 && x < 2 * width / 3 && y >= height / 3 && y < 2 * height / 3;
        gboolean blue = y < height / 20;
        p[0] = red ? 220 : blue ? 20 : 255;
        p[1] = red || blue ? 20 : 255;
        p[2] = red ? 20 : blue ? 220 : 255;
        p[3] = 255;
      }

  bytes = g_bytes_new_take (pixels, stride * height);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, stride);
}

/* The colour of pixel (x, y) of texture, as 0xRRGGBB. */
static inline guint32
test_ui_texture_pixel (GdkTexture *texture,
                       int         x,
                       int         y)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint8 *data = NULL;
  const guint8 *p;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, <, height);

  data = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, data, (gsize) width * 4);
  /* GDK_MEMORY_DEFAULT: B8G8R8A8 premultiplied; the window is opaque. */
  p = data + ((gsize) y * width + x) * 4;
  return ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

/* TRUE when colour is within tolerance of expected in every channel. */
static inline gboolean
test_ui_colour_near (guint32 colour,
                     guint32 expected,
                     int     tolerance)
{
  for (int shift = 0; shift < 24; shift += 8)
    {
      int a = (colour >> shift) & 0xff;
      int b = (expected >> shift) & 0xff;
      if (ABS (a - b) > tolerance)
        return FALSE;
    }
  return TRUE;
}

/* ---- pages and models for the workflow tests ---------------------------------------------- */

#include <math.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <glib/gstdio.h>

#include "lectern-recognition-model.h"
#include "model.h"
#include "network.h"

/* Rows of writing on the text page: top and bottom of each row, in page pixels. */
#define TEST_UI_TEXT_ROWS        6
#define TEST_UI_TEXT_PAGE_WIDTH  1100
#define TEST_UI_TEXT_PAGE_HEIGHT 760
#define TEST_UI_TEXT_ROW_TOP(i)    (90 + (i) * 105)
#define TEST_UI_TEXT_ROW_BOTTOM(i) (TEST_UI_TEXT_ROW_TOP (i) + 60)

/* Writes a PNG page with TEST_UI_TEXT_ROWS rows of dark text on off-white paper, each row
 * between TEST_UI_TEXT_ROW_TOP and _BOTTOM: something for the line finder to find. */
static inline void
test_ui_write_text_page (const char *path)
{
  static const char * const rows[] = {
    "Dear Sir, I write to you from the old house by the river,",
    "where the winter has been long and the roads are closed.",
    "The letters you sent in March arrived only last week,",
    "and I have read them many times over by the fire.",
    "My brother sends his regards and hopes to see you soon;",
    "we shall travel north as soon as the weather allows.",
  };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                         TEST_UI_TEXT_PAGE_WIDTH,
                                                         TEST_UI_TEXT_PAGE_HEIGHT);
  cairo_t *cr = cairo_create (surface);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("DejaVu Serif");

  cairo_set_source_rgb (cr, 0.97, 0.96, 0.92);
  cairo_paint (cr);
  pango_font_description_set_absolute_size (font, 34 * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  cairo_set_source_rgb (cr, 0.12, 0.1, 0.1);
  for (int i = 0; i < TEST_UI_TEXT_ROWS; i++)
    {
      PangoRectangle ink;
      pango_layout_set_text (layout, rows[i], -1);
      pango_layout_get_pixel_extents (layout, &ink, NULL);
      /* the row's ink from its top to its bottom */
      cairo_move_to (cr, 70, TEST_UI_TEXT_ROW_TOP (i) + 4 - ink.y);
      pango_cairo_show_layout (cr, layout);
    }
  pango_font_description_free (font);
  g_object_unref (layout);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

/* A small random model (fast enough for tests) over a few letters. */
static inline LecternRecognitionModel *
test_ui_make_model (void)
{
  g_autoptr(LecternCharset) charset = lectern_charset_new ();
  g_autoptr(GError) error = NULL;
  LecternArch arch;
  LecternModel *model;

  for (const char *c = "abcdefghijklmnopqrstuvwxyz ,."; *c != '\0'; c++)
    lectern_charset_add (charset, *c);
  g_assert_true (lectern_arch_parse (&arch, "h32 t2x2 l2 s2x2x4 l4", &error));
  g_assert_no_error (error);
  arch.n_classes = lectern_charset_size (charset);
  model = lectern_model_new_random (&arch, charset, 11);
  return lectern_recognition_model_new (lectern_recognizer_new (model), NULL);
}

/* Runs the main loop until *result is set (by test_ui_store_result). */
static inline void
test_ui_store_result (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static inline gboolean
test_ui_result_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static inline GAsyncResult *
test_ui_wait_result (GAsyncResult **result)
{
  test_ui_wait_for (test_ui_result_set, result, 60000);
  return *result;
}

/* Removes a folder and what is in it (one level of sub-folders). */
static inline void
test_ui_remove_tree (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        test_ui_remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (folder);
}
