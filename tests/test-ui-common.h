/* test-ui-common.h — helpers shared by the UI tests (run under Xvfb, see tests/meson.build).
 *
 * Header-only so that each UI test stays one program built from its own .c file. */
#pragma once

#include <gtk/gtk.h>

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

/* Runs the main loop until widget's window has painted two more frames, so that layout has
 * settled after whatever the test changed. */
static inline void
test_ui_wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (widget);
  guint paints = 0;
  gulong handler;

  g_assert_nonnull (frame_clock);
  handler = g_signal_connect (frame_clock, "after-paint", G_CALLBACK (test_ui_count_paint),
                              &paints);
  gtk_widget_queue_draw (widget);
  gdk_frame_clock_request_phase (frame_clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  test_ui_wait_for (test_ui_painted_twice, &paints, 30000);
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
