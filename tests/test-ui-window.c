/* test-ui-window.c — the application window: opening pages (from the window and from the
 * command line), zoom actions, errors in the banner, remembered settings, and a rendered
 * picture of the window whose pixels show the page. */
#include "config.h"

#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>

#include "lectern-application.h"
#include "lectern-window.h"
#include "test-ui-common.h"

#define PAGE_WIDTH 600
#define PAGE_HEIGHT 800

static LecternApplication *app;
static char *tmp_dir;
static char *page_path;

/* Writes a page PNG with cairo: white paper, a red block in the middle third, a blue strip at
 * the top. */
static char *
write_page_png (const char *name,
                int         width,
                int         height)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 220 / 255.0, 20 / 255.0, 20 / 255.0);
  cairo_rectangle (cr, width / 3, height / 3, width / 3, height / 3);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 20 / 255.0, 20 / 255.0, 220 / 255.0);
  cairo_rectangle (cr, 0, 0, width, height / 20);
  cairo_fill (cr);
  cairo_destroy (cr);

  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static char *
write_file (const char   *name,
            const guint8 *data,
            gsize         length)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, length, &error);
  g_assert_no_error (error);
  return path;
}

static gboolean
not_loading (gpointer data)
{
  return !lectern_window_get_loading (LECTERN_WINDOW (data));
}

static gboolean
page_view_allocated (gpointer data)
{
  LecternPageView *view = lectern_window_get_page_view (LECTERN_WINDOW (data));
  return gtk_widget_get_mapped (GTK_WIDGET (view)) && gtk_widget_get_width (GTK_WIDGET (view)) > 0;
}

static LecternWindow *
open_window (const char *path)
{
  LecternWindow *window = lectern_window_new (app);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_present (GTK_WINDOW (window));
  lectern_window_open (window, file);
  g_assert_true (lectern_window_get_loading (window));
  test_ui_wait_for (not_loading, window, 20000);
  return window;
}

static void
close_window (LecternWindow *window)
{
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (window);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_open (void)
{
  LecternWindow *window = open_window (page_path);
  LecternPageView *view = lectern_window_get_page_view (window);
  GSettings *settings = lectern_application_get_settings (app);
  g_autoptr(GFile) expected = g_file_new_for_path (page_path);
  g_auto(GStrv) recent = NULL;
  g_autofree char *last_folder = NULL;
  GdkTexture *texture;

  g_assert_null (lectern_window_get_error_message (window));
  g_assert_true (g_file_equal (lectern_window_get_file (window), expected));
  g_assert_false (lectern_window_is_empty (window));

  texture = lectern_page_view_get_texture (view);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, PAGE_WIDTH);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, PAGE_HEIGHT);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "page.png — Lectern");

  /* The file is now the most recent one, and its folder the last folder. */
  g_assert_nonnull (settings);
  recent = g_settings_get_strv (settings, "recent-files");
  g_assert_cmpstr (recent[0], ==, page_path);
  last_folder = g_settings_get_string (settings, "last-folder");
  g_assert_cmpstr (last_folder, ==, tmp_dir);

  close_window (window);
}

static void
test_zoom_actions (void)
{
  LecternWindow *window = open_window (page_path);
  LecternPageView *view = lectern_window_get_page_view (window);
  guint notifications = 0;
  double fit;

  test_ui_wait_for (page_view_allocated, window, 10000);
  test_ui_wait_for_paint (GTK_WIDGET (window));
  g_assert_cmpint (lectern_page_view_get_zoom_mode (view), ==, LECTERN_ZOOM_MODE_FIT_PAGE);
  fit = lectern_page_view_get_zoom (view);
  g_signal_connect (view, "notify::zoom", G_CALLBACK (count_notify), &notifications);

  /* The header bar's and the shortcuts' window actions drive the page view. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-in", NULL);
  g_assert_cmpuint (notifications, ==, 1);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (view), fit * G_SQRT2, 1e-9);

  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-out", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-out", NULL);
  g_assert_cmpuint (notifications, ==, 3);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (view), fit / G_SQRT2, 1e-9);

  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-original", NULL);
  g_assert_cmpfloat (lectern_page_view_get_zoom (view), ==, 1.0);

  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-fit-width", NULL);
  g_assert_cmpint (lectern_page_view_get_zoom_mode (view), ==, LECTERN_ZOOM_MODE_FIT_WIDTH);
  g_assert_cmpfloat (lectern_page_view_get_zoom (view), >, fit);

  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-fit-page", NULL);
  g_assert_cmpint (lectern_page_view_get_zoom_mode (view), ==, LECTERN_ZOOM_MODE_FIT_PAGE);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (view), fit, 1e-9);

  /* Keyboard shortcuts are bound to these actions. */
  {
    g_auto(GStrv) zoom_in = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                   "win.zoom-in");
    g_auto(GStrv) fit_page = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                    "win.zoom-fit-page");
    g_auto(GStrv) open = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                "win.open");
    g_assert_true (g_strv_contains ((const char * const *) zoom_in, "<Control>plus"));
    g_assert_true (g_strv_contains ((const char * const *) fit_page, "<Control>0"));
    g_assert_true (g_strv_contains ((const char * const *) open, "<Control>o"));
  }

  g_signal_handlers_disconnect_by_func (view, count_notify, &notifications);
  close_window (window);
}

static void
test_render (void)
{
  LecternWindow *window = open_window (page_path);
  LecternPageView *view = lectern_window_get_page_view (window);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *png_path = g_build_filename (tmp_dir, "window.png", NULL);
  g_autoptr(GdkTexture) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  GtkSnapshot *snapshot;
  graphene_rect_t view_bounds;
  graphene_rect_t page_bounds;
  int width, height;
  double page_x, page_y;

  test_ui_wait_for (page_view_allocated, window, 10000);
  test_ui_wait_for_paint (GTK_WIDGET (window));

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, png_path));
  if (g_getenv ("LECTERN_TEST_SCREENSHOT") != NULL)
    g_assert_true (gdk_texture_save_to_png (texture, g_getenv ("LECTERN_TEST_SCREENSHOT")));

  reloaded = gdk_texture_new_from_filename (png_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (reloaded), ==, width);

  /* Where the page view and the page are, in window coordinates. */
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (view), GTK_WIDGET (window),
                                            &view_bounds));
  g_assert_true (lectern_page_view_get_page_bounds (view, &page_bounds));
  g_assert_cmpfloat (page_bounds.size.width, >, 50);

  /* The middle of the page is red, a point on the paper is white, the strip at the top is
   * blue, and beside the page is the darker desk. */
#define AT(px, py) \
  (lectern_page_view_page_to_widget (view, px, py, &page_x, &page_y), \
   test_ui_texture_pixel (texture, (int) (view_bounds.origin.x + page_x), \
                          (int) (view_bounds.origin.y + page_y)))
  g_assert_true (test_ui_colour_near (AT (PAGE_WIDTH / 2, PAGE_HEIGHT / 2), 0xdc1414, 12));
  g_assert_true (test_ui_colour_near (AT (PAGE_WIDTH / 6, PAGE_HEIGHT * 5 / 6), 0xffffff, 12));
  g_assert_true (test_ui_colour_near (AT (PAGE_WIDTH / 2, PAGE_HEIGHT / 50), 0x1414dc, 12));
#undef AT
  {
    guint32 desk = test_ui_texture_pixel (texture,
                                          (int) (view_bounds.origin.x + page_bounds.origin.x / 2),
                                          (int) (view_bounds.origin.y
                                                 + view_bounds.size.height / 2));
    g_assert_false (test_ui_colour_near (desk, 0xffffff, 8));
    g_assert_false (test_ui_colour_near (desk, 0xdc1414, 60));
  }

  close_window (window);
}

static void
assert_error_keeps_page (LecternWindow *window,
                         const char    *bad_path,
                         const char    *expected_words)
{
  g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
  g_autofree char *basename = g_path_get_basename (bad_path);
  g_autoptr(GFile) good = g_file_new_for_path (page_path);
  const char *message;

  lectern_window_open (window, bad);
  test_ui_wait_for (not_loading, window, 20000);

  message = lectern_window_get_error_message (window);
  g_assert_nonnull (message);
  g_test_message ("%s → %s", basename, message);
  g_assert_nonnull (strstr (message, basename));
  g_assert_nonnull (strstr (message, expected_words));

  /* The page that was shown stays. */
  g_assert_true (g_file_equal (lectern_window_get_file (window), good));
  g_assert_nonnull (lectern_page_view_get_texture (lectern_window_get_page_view (window)));
}

/* Appends a PNG chunk with its length and CRC-32 (PNG, zlib) over type and data. */
static void
append_png_chunk (GByteArray   *png,
                  const char   *type,
                  const guint8 *data,
                  guint32       length)
{
  guint8 bytes[4];
  guint32 crc = 0xffffffff;

  bytes[0] = length >> 24; bytes[1] = length >> 16; bytes[2] = length >> 8; bytes[3] = length;
  g_byte_array_append (png, bytes, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, length);

  for (guint32 i = 0; i < 4 + length; i++)
    {
      crc ^= i < 4 ? (guint8) type[i] : data[i - 4];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  crc ^= 0xffffffff;
  bytes[0] = crc >> 24; bytes[1] = crc >> 16; bytes[2] = crc >> 8; bytes[3] = crc;
  g_byte_array_append (png, bytes, 4);
}

/* A PNG that declares width × height of grey pixels but holds only a few bytes of them: a
 * decoder that believed it would allocate width × height before finding out. */
static GBytes *
png_header_only (guint32 width,
                 guint32 height)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  /* The start of a zlib stream (deflate, default compression), cut short. */
  static const guint8 pixel_data[] = { 0x78, 0x9c, 0x63, 0x60, 0x18, 0x05 };
  GByteArray *png = g_byte_array_new ();
  guint8 ihdr[13] = { 0 };

  ihdr[0] = width >> 24; ihdr[1] = width >> 16; ihdr[2] = width >> 8; ihdr[3] = width;
  ihdr[4] = height >> 24; ihdr[5] = height >> 16; ihdr[6] = height >> 8; ihdr[7] = height;
  ihdr[8] = 8;   /* bit depth */
  ihdr[9] = 0;   /* greyscale */

  g_byte_array_append (png, signature, sizeof signature);
  append_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_png_chunk (png, "IDAT", pixel_data, sizeof pixel_data);
  append_png_chunk (png, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (png);
}

static void
test_errors (void)
{
  LecternWindow *window = open_window (page_path);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.png", NULL);
  g_autofree char *text = write_file ("letter.png", (const guint8 *) "Dear Sir,\n", 10);
  g_autofree char *empty = write_file ("empty.tif", (const guint8 *) "", 0);
  g_autofree char *truncated = NULL;
  g_autofree char *huge = NULL;
  g_autoptr(GBytes) huge_bytes = png_header_only (20000, 6000);
  g_autofree char *page_bytes = NULL;
  gsize page_length;
  GSettings *settings = lectern_application_get_settings (app);
  g_auto(GStrv) recent = NULL;

  g_assert_true (g_file_get_contents (page_path, &page_bytes, &page_length, NULL));
  truncated = write_file ("truncated.png", (const guint8 *) page_bytes, page_length / 3);
  huge = write_file ("huge.png", g_bytes_get_data (huge_bytes, NULL),
                     g_bytes_get_size (huge_bytes));

  assert_error_keeps_page (window, missing, "Could not read");
  assert_error_keeps_page (window, text, "not a PNG, JPEG or TIFF");
  assert_error_keeps_page (window, empty, "empty");
  assert_error_keeps_page (window, truncated, "damaged: the file ends");
  /* 120 million pixels: refused from the header, before any pixel memory. */
  assert_error_keeps_page (window, huge, "too large");

  /* A file that failed is not offered as recent. */
  recent = g_settings_get_strv (settings, "recent-files");
  g_assert_false (g_strv_contains ((const char * const *) recent, truncated));

  /* Dismissing hides the banner. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "dismiss-error", NULL);
  g_assert_null (lectern_window_get_error_message (window));

  close_window (window);
}

static void
test_window_size_remembered (void)
{
  GSettings *settings = lectern_application_get_settings (app);
  LecternWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 650);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  window = lectern_window_new (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 650);

  gtk_window_present (GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  close_window (window);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
}

static gboolean
one_window_with_file (gpointer data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));
  return windows != NULL && windows->next == NULL
         && lectern_window_get_file (windows->data) != NULL;
}

static void
test_open_from_command_line (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (page_path);
  GList *windows;

  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* What `lectern page.png` does once the application is running. */
  g_application_open (G_APPLICATION (app), &file, 1, "");
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  g_assert_nonnull (windows);
  test_ui_wait_for (one_window_with_file, NULL, 20000);

  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  g_assert_true (g_file_equal (lectern_window_get_file (windows->data), file));
  close_window (windows->data);
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

static void
test_drop_files (void)
{
  LecternWindow *window = lectern_window_new (app);
  GtkDropTarget *target = find_drop_target (GTK_WIDGET (window));
  g_autoptr(GFile) file = g_file_new_for_path (page_path);
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_nonnull (target);

  /* What the drop target delivers when a page is dragged from a file manager. */
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, g_slist_prepend (NULL, g_object_ref (file)));
  g_signal_emit_by_name (target, "drop", &value, 100.0, 100.0, &accepted);
  g_value_unset (&value);

  g_assert_true (accepted);
  test_ui_wait_for (not_loading, window, 20000);
  g_assert_true (g_file_equal (lectern_window_get_file (window), file));

  close_window (window);
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("lectern-test-ui-XXXXXX", &error);
  g_assert_no_error (error);
  page_path = write_page_png ("page.png", PAGE_WIDTH, PAGE_HEIGHT);

  /* Registering runs startup (settings, style, accelerators) without running a main loop. */
  app = lectern_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lectern_application_get_settings (app));

  g_test_add_func ("/Lectern/Window/open", test_open);
  g_test_add_func ("/Lectern/Window/zoom-actions", test_zoom_actions);
  g_test_add_func ("/Lectern/Window/render", test_render);
  g_test_add_func ("/Lectern/Window/errors", test_errors);
  g_test_add_func ("/Lectern/Window/drop-files", test_drop_files);
  g_test_add_func ("/Lectern/Window/window-size-remembered", test_window_size_remembered);
  g_test_add_func ("/Lectern/Window/open-from-command-line", test_open_from_command_line);

  status = g_test_run ();

  /* Each test checks that its windows are finalized. The application itself is not: once
   * registered, GtkApplication keeps a reference to itself until g_application_run() shuts it
   * down, which these tests do not use. */
  g_object_unref (app);
  remove_tmp_dir ();
  g_free (page_path);
  g_free (tmp_dir);
  return status;
}
