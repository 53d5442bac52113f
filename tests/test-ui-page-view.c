/* test-ui-page-view.c — LecternPageView: zoom steps and limits, fit modes, the "page" actions,
 * and the page ↔ widget coordinate conversions that overlays rely on. */
#include "config.h"

#include <math.h>

#include "lectern-page-view.h"
#include "test-ui-common.h"

#define PAGE_WIDTH 600
#define PAGE_HEIGHT 900
#define VIEW_WIDTH 700
#define VIEW_HEIGHT 500
/* The view keeps this many pixels around the page (PAGE_MARGIN in lectern-page-view.c). */
#define MARGIN 24.0

typedef struct {
  GtkWindow       *window;
  GtkScrolledWindow *scrolled;
  LecternPageView *view;
  guint            zoom_notifications;
  guint            mode_notifications;
} Fixture;

static void
count_zoom (GObject    *object,
            GParamSpec *pspec,
            Fixture    *fixture)
{
  fixture->zoom_notifications++;
}

static void
count_mode (GObject    *object,
            GParamSpec *pspec,
            Fixture    *fixture)
{
  fixture->mode_notifications++;
}

static gboolean
view_allocated (gpointer data)
{
  Fixture *fixture = data;
  return gtk_widget_get_width (GTK_WIDGET (fixture->view)) == VIEW_WIDTH
         && gtk_widget_get_height (GTK_WIDGET (fixture->view)) == VIEW_HEIGHT;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  fixture->view = LECTERN_PAGE_VIEW (lectern_page_view_new ());
  fixture->scrolled = GTK_SCROLLED_WINDOW (scrolled);
  gtk_widget_set_size_request (scrolled, VIEW_WIDTH, VIEW_HEIGHT);
  gtk_scrolled_window_set_child (fixture->scrolled, GTK_WIDGET (fixture->view));
  /* Classic scroll bars take room from the view; overlay ones keep its size predictable. */
  gtk_scrolled_window_set_overlay_scrolling (fixture->scrolled, TRUE);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_decorated (fixture->window, FALSE);
  gtk_window_set_resizable (fixture->window, FALSE);
  gtk_window_set_child (fixture->window, scrolled);
  gtk_window_present (fixture->window);

  g_signal_connect (fixture->view, "notify::zoom", G_CALLBACK (count_zoom), fixture);
  g_signal_connect (fixture->view, "notify::zoom-mode", G_CALLBACK (count_mode), fixture);

  test_ui_wait_for (view_allocated, fixture, 10000);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *view = GTK_WIDGET (fixture->view);

  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &fixture->view);
  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (fixture->view);
}

static void
show_page (Fixture *fixture)
{
  g_autoptr(GdkTexture) texture = test_ui_make_page_texture (PAGE_WIDTH, PAGE_HEIGHT);

  lectern_page_view_set_texture (fixture->view, texture);
  test_ui_wait_for_paint (GTK_WIDGET (fixture->view));
  fixture->zoom_notifications = 0;
  fixture->mode_notifications = 0;
}

static double
fit_page_zoom (void)
{
  return MIN ((VIEW_WIDTH - 2 * MARGIN) / PAGE_WIDTH, (VIEW_HEIGHT - 2 * MARGIN) / PAGE_HEIGHT);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  graphene_rect_t bounds;

  g_assert_null (lectern_page_view_get_texture (fixture->view));
  g_assert_false (lectern_page_view_get_page_bounds (fixture->view, &bounds));
  g_assert_cmpfloat (bounds.size.width, ==, 0);
  g_assert_false (lectern_page_view_can_zoom_in (fixture->view));
  g_assert_false (lectern_page_view_can_zoom_out (fixture->view));

  /* The actions are disabled: activating them changes nothing. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-in", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-original", NULL);
  g_assert_cmpuint (fixture->zoom_notifications, ==, 0);
  g_assert_cmpint (lectern_page_view_get_zoom_mode (fixture->view), ==,
                   LECTERN_ZOOM_MODE_FIT_PAGE);
}

static void
test_fit_page (Fixture       *fixture,
               gconstpointer  data)
{
  graphene_rect_t bounds;

  show_page (fixture);

  g_assert_cmpint (lectern_page_view_get_zoom_mode (fixture->view), ==,
                   LECTERN_ZOOM_MODE_FIT_PAGE);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (fixture->view), fit_page_zoom (),
                                  1e-9);

  /* The whole page is inside the view, centred. */
  g_assert_true (lectern_page_view_get_page_bounds (fixture->view, &bounds));
  g_assert_cmpfloat_with_epsilon (bounds.size.height, VIEW_HEIGHT - 2 * MARGIN, 1e-3);
  g_assert_cmpfloat_with_epsilon (bounds.origin.y, MARGIN, 1e-3);
  g_assert_cmpfloat_with_epsilon (bounds.origin.x + bounds.size.width / 2, VIEW_WIDTH / 2.0, 1e-3);
}

static void
test_zoom_steps (Fixture       *fixture,
                 gconstpointer  data)
{
  double fit;

  show_page (fixture);
  fit = lectern_page_view_get_zoom (fixture->view);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-in", NULL);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (fixture->view), fit * G_SQRT2,
                                  1e-9);
  g_assert_cmpuint (fixture->zoom_notifications, ==, 1);
  g_assert_cmpint (lectern_page_view_get_zoom_mode (fixture->view), ==, LECTERN_ZOOM_MODE_FREE);
  g_assert_cmpuint (fixture->mode_notifications, ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-out", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-out", NULL);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (fixture->view), fit / G_SQRT2,
                                  1e-9);
  g_assert_cmpuint (fixture->zoom_notifications, ==, 3);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-original", NULL);
  g_assert_cmpfloat (lectern_page_view_get_zoom (fixture->view), ==, 1.0);
  g_assert_cmpuint (fixture->zoom_notifications, ==, 4);

  /* Back to fitting the page, and the page follows the view. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-fit-page", NULL);
  g_assert_cmpint (lectern_page_view_get_zoom_mode (fixture->view), ==,
                   LECTERN_ZOOM_MODE_FIT_PAGE);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (fixture->view), fit, 1e-9);
}

static void
test_zoom_limits (Fixture       *fixture,
                  gconstpointer  data)
{
  guint steps = 0;

  show_page (fixture);

  while (lectern_page_view_can_zoom_in (fixture->view))
    {
      gtk_widget_activate_action (GTK_WIDGET (fixture->view), "page.zoom-in", NULL);
      g_assert_cmpuint (++steps, <, 100);
    }
  g_assert_cmpfloat (lectern_page_view_get_zoom (fixture->view), ==, LECTERN_PAGE_VIEW_ZOOM_MAX);
  /* The page is far larger than the view now; drawing it must still work. */
  test_ui_wait_for_paint (GTK_WIDGET (fixture->view));

  fixture->zoom_notifications = 0;
  lectern_page_view_zoom_in (fixture->view);
  g_assert_cmpuint (fixture->zoom_notifications, ==, 0);

  lectern_page_view_set_zoom (fixture->view, 1e-6);
  g_assert_cmpfloat (lectern_page_view_get_zoom (fixture->view), ==, LECTERN_PAGE_VIEW_ZOOM_MIN);
  g_assert_false (lectern_page_view_can_zoom_out (fixture->view));
  g_assert_true (lectern_page_view_can_zoom_in (fixture->view));
  /* Drawing at the smallest zoom uses the reduced copies of the page. */
  test_ui_wait_for_paint (GTK_WIDGET (fixture->view));
}

static void
test_fit_width (Fixture       *fixture,
                gconstpointer  data)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (fixture->scrolled);
  double zoom;

  show_page (fixture);
  lectern_page_view_set_zoom_mode (fixture->view, LECTERN_ZOOM_MODE_FIT_WIDTH);
  test_ui_wait_for_paint (GTK_WIDGET (fixture->view));

  zoom = (VIEW_WIDTH - 2 * MARGIN) / PAGE_WIDTH;
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (fixture->view), zoom, 1e-9);
  /* Taller than the view: the scrolled window can scroll through the whole page. */
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_upper (vadjustment),
                                  PAGE_HEIGHT * zoom + 2 * MARGIN, 1e-6);
  g_assert_cmpfloat (gtk_adjustment_get_page_size (vadjustment), ==, VIEW_HEIGHT);
}

static void
assert_round_trip (LecternPageView *view,
                   double           page_x,
                   double           page_y)
{
  double widget_x, widget_y, back_x, back_y;

  lectern_page_view_page_to_widget (view, page_x, page_y, &widget_x, &widget_y);
  lectern_page_view_widget_to_page (view, widget_x, widget_y, &back_x, &back_y);
  g_assert_cmpfloat_with_epsilon (back_x, page_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (back_y, page_y, 1e-9);
}

static void
test_coordinates (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkAdjustment *hadjustment = gtk_scrolled_window_get_hadjustment (fixture->scrolled);
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (fixture->scrolled);
  graphene_rect_t bounds;
  double x, y;

  show_page (fixture);

  /* Fitted: page (0, 0) is the top-left corner of the page's rectangle. */
  lectern_page_view_get_page_bounds (fixture->view, &bounds);
  lectern_page_view_page_to_widget (fixture->view, 0, 0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, bounds.origin.x, 1e-3);
  g_assert_cmpfloat_with_epsilon (y, bounds.origin.y, 1e-3);
  lectern_page_view_page_to_widget (fixture->view, PAGE_WIDTH, PAGE_HEIGHT, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, bounds.origin.x + bounds.size.width, 1e-3);
  g_assert_cmpfloat_with_epsilon (y, bounds.origin.y + bounds.size.height, 1e-3);
  assert_round_trip (fixture->view, 123.5, 456.25);

  /* Zoomed in and scrolled: the conversions follow the scroll position. */
  lectern_page_view_set_zoom (fixture->view, 2.0);
  gtk_adjustment_set_value (hadjustment, 150);
  gtk_adjustment_set_value (vadjustment, 400);
  lectern_page_view_page_to_widget (fixture->view, 100, 300, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, MARGIN - 150 + 100 * 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, MARGIN - 400 + 300 * 2.0, 1e-9);
  assert_round_trip (fixture->view, 0, 0);
  assert_round_trip (fixture->view, 599, 899);

  /* Centring on a page point puts it in the middle of the view. */
  lectern_page_view_center_on (fixture->view, 300, 450);
  lectern_page_view_page_to_widget (fixture->view, 300, 450, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, VIEW_WIDTH / 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, VIEW_HEIGHT / 2.0, 1e-9);
}

static void
test_zoom_at_point (Fixture       *fixture,
                    gconstpointer  data)
{
  double page_x, page_y, after_x, after_y;

  show_page (fixture);
  lectern_page_view_set_zoom (fixture->view, 1.5);

  /* Zooming around a point (Ctrl+scroll, pinch) keeps the page point under it. */
  lectern_page_view_widget_to_page (fixture->view, 200, 150, &page_x, &page_y);
  lectern_page_view_zoom_at (fixture->view, 3.0, 200, 150);
  g_assert_cmpfloat (lectern_page_view_get_zoom (fixture->view), ==, 3.0);
  lectern_page_view_widget_to_page (fixture->view, 200, 150, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x, page_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (after_y, page_y, 1e-6);

  test_ui_wait_for_paint (GTK_WIDGET (fixture->view));
  lectern_page_view_widget_to_page (fixture->view, 200, 150, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x, page_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (after_y, page_y, 1e-6);
}

static void
count_geometry (LecternPageView *view,
                guint           *count)
{
  (*count)++;
}

static void
test_geometry_changed (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (fixture->scrolled);
  guint changes = 0;
  guint before;

  show_page (fixture);
  g_signal_connect (fixture->view, "geometry-changed", G_CALLBACK (count_geometry), &changes);

  /* Overlays hear of zooming, scrolling and a new page. */
  lectern_page_view_set_zoom (fixture->view, 2.0);
  g_assert_cmpuint (changes, >, 0);

  before = changes;
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_value (vadjustment) + 50);
  g_assert_cmpuint (changes, >, before);

  before = changes;
  lectern_page_view_set_texture (fixture->view, NULL);
  g_assert_cmpuint (changes, >, before);

  g_signal_handlers_disconnect_by_func (fixture->view, count_geometry, &changes);
}

static void
test_replace_texture (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GdkTexture) small = test_ui_make_page_texture (100, 50);

  show_page (fixture);
  lectern_page_view_set_zoom (fixture->view, 4.0);

  /* A new page is fitted again, and the old one is released. */
  lectern_page_view_set_texture (fixture->view, small);
  g_assert_true (lectern_page_view_get_texture (fixture->view) == small);
  g_assert_cmpint (lectern_page_view_get_zoom_mode (fixture->view), ==,
                   LECTERN_ZOOM_MODE_FIT_PAGE);
  g_assert_cmpfloat_with_epsilon (lectern_page_view_get_zoom (fixture->view),
                                  (VIEW_WIDTH - 2 * MARGIN) / 100.0, 1e-9);

  lectern_page_view_set_texture (fixture->view, NULL);
  g_assert_null (lectern_page_view_get_texture (fixture->view));
  g_assert_false (lectern_page_view_can_zoom_in (fixture->view));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/Lectern/PageView/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("empty", test_empty);
  ADD ("fit-page", test_fit_page);
  ADD ("zoom-steps", test_zoom_steps);
  ADD ("zoom-limits", test_zoom_limits);
  ADD ("fit-width", test_fit_width);
  ADD ("coordinates", test_coordinates);
  ADD ("zoom-at-point", test_zoom_at_point);
  ADD ("geometry-changed", test_geometry_changed);
  ADD ("replace-texture", test_replace_texture);
#undef ADD

  return g_test_run ();
}
