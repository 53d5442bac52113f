/* lectern-page-view.h — a zoomable view of one page scan.
 *
 * The view draws a GdkTexture scaled by its zoom, centred when it is smaller than the view, and
 * scrolls through GtkScrollable when it is larger (put it straight into a GtkScrolledWindow).
 * Zoom is a widget action group "page" (zoom-in, zoom-out, zoom-fit-width, zoom-fit-page,
 * zoom-original); Ctrl+scroll and pinch zoom around the pointer, middle-drag (or a drag with
 * the space bar held) pans.
 *
 * Page coordinates are pixels of the scan (origin top-left, as in PAGE XML); widget coordinates
 * are those of the view's allocation. Overlays (line polygons, baselines) convert between the two
 * with lectern_page_view_page_to_widget() and lectern_page_view_widget_to_page(), and redraw on
 * the "geometry-changed" signal, emitted whenever that mapping may have changed. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Zoom steps are powers of √2 (GTK's image demo, GNOME image viewers), bounded so that a
 * 65535-pixel-long scan still fits and one scan pixel never covers more than 32 screen pixels. */
#define LECTERN_PAGE_VIEW_ZOOM_MIN  (1.0 / 64.0)
#define LECTERN_PAGE_VIEW_ZOOM_MAX  32.0
#define LECTERN_PAGE_VIEW_ZOOM_STEP G_SQRT2

typedef enum {
  LECTERN_ZOOM_MODE_FREE,        /* the zoom stays as set */
  LECTERN_ZOOM_MODE_FIT_WIDTH,   /* the page width follows the view width */
  LECTERN_ZOOM_MODE_FIT_PAGE,    /* the whole page stays visible */
} LecternZoomMode;

#define LECTERN_TYPE_ZOOM_MODE (lectern_zoom_mode_get_type ())
GType lectern_zoom_mode_get_type (void);

#define LECTERN_TYPE_PAGE_VIEW (lectern_page_view_get_type ())
G_DECLARE_FINAL_TYPE (LecternPageView, lectern_page_view, LECTERN, PAGE_VIEW, GtkWidget)

GtkWidget       *lectern_page_view_new              (void);

GdkTexture      *lectern_page_view_get_texture      (LecternPageView *self);
/* Shows texture (or nothing for NULL) and fits the whole page in the view. */
void             lectern_page_view_set_texture      (LecternPageView *self,
                                                     GdkTexture      *texture);

double           lectern_page_view_get_zoom         (LecternPageView *self);
/* Sets the zoom (clamped) keeping the centre of the view in place; the mode becomes FREE. */
void             lectern_page_view_set_zoom         (LecternPageView *self,
                                                     double           zoom);
/* Sets the zoom (clamped) keeping the page point under (widget_x, widget_y) in place. */
void             lectern_page_view_zoom_at          (LecternPageView *self,
                                                     double           zoom,
                                                     double           widget_x,
                                                     double           widget_y);
LecternZoomMode  lectern_page_view_get_zoom_mode    (LecternPageView *self);
void             lectern_page_view_set_zoom_mode    (LecternPageView *self,
                                                     LecternZoomMode  mode);

void             lectern_page_view_zoom_in          (LecternPageView *self);
void             lectern_page_view_zoom_out         (LecternPageView *self);
void             lectern_page_view_zoom_to_original (LecternPageView *self);
gboolean         lectern_page_view_can_zoom_in      (LecternPageView *self);
gboolean         lectern_page_view_can_zoom_out     (LecternPageView *self);

/* Scrolls so that the page point (page_x, page_y) is at the centre of the view, as far as the
 * scroll range allows. */
void             lectern_page_view_center_on        (LecternPageView *self,
                                                     double           page_x,
                                                     double           page_y);

void             lectern_page_view_page_to_widget   (LecternPageView *self,
                                                     double           page_x,
                                                     double           page_y,
                                                     double          *widget_x,
                                                     double          *widget_y);
void             lectern_page_view_widget_to_page   (LecternPageView *self,
                                                     double           widget_x,
                                                     double           widget_y,
                                                     double          *page_x,
                                                     double          *page_y);
/* A widget drawn over the page (line polygons and their handles), allocated the whole view; it
 * receives pointer events first, and what it does not handle goes on to the view (wheel,
 * middle-drag). NULL removes it. */
void             lectern_page_view_set_overlay      (LecternPageView *self,
                                                     GtkWidget       *overlay);
GtkWidget       *lectern_page_view_get_overlay      (LecternPageView *self);
/* TRUE while the space bar is held over the view (a primary drag then pans). */
gboolean         lectern_page_view_get_panning_key_held (LecternPageView *self);

/* The page's rectangle in widget coordinates; FALSE (and an empty rectangle) without a page. */
gboolean         lectern_page_view_get_page_bounds  (LecternPageView *self,
                                                     graphene_rect_t *bounds);

G_END_DECLS
