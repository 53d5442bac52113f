/* lectern-page-view.c — a zoomable view of one page scan (see lectern-page-view.h).
 *
 * The view is its own GtkScrollable rather than a child of a GtkViewport: zooming around the
 * pointer has to move the scroll position in the same step as the zoom, and overlays drawn later
 * need one place that knows where the page is. */
#include "config.h"

#include <math.h>

#include "lectern-page-view.h"

/* Space around the page, in screen pixels, so its shadow and edges stay visible. */
#define PAGE_MARGIN 24.0
/* Reduced copies stop at this size; below it linear filtering is good enough. */
#define REDUCED_MIN_SIDE 64
/* A touchpad scroll of this many surface pixels counts as one wheel step. */
#define PIXELS_PER_WHEEL_STEP 20.0

struct _LecternPageView
{
  GtkWidget        parent_instance;

  GdkTexture      *texture;
  /* Copies of texture at 1/2, 1/4, …, made when the zoom first needs them: GTK 4.8 draws
   * textures with linear filtering only, which turns a shrunk scan into noise. */
  GPtrArray       *reduced;

  double           zoom;
  LecternZoomMode  zoom_mode;

  GtkAdjustment   *hadjustment;
  GtkAdjustment   *vadjustment;
  guint            hscroll_policy : 1;
  guint            vscroll_policy : 1;

  double           pointer_x;
  double           pointer_y;
  gboolean         pointer_inside;
  double           pinch_start_zoom;
  double           pan_start_x;
  double           pan_start_y;
  gboolean         space_held;   /* space + primary drag pans too */

  GtkWidget       *overlay;      /* drawn over the page, as large as the view */
};

enum {
  PROP_0,
  PROP_TEXTURE,
  PROP_ZOOM,
  PROP_ZOOM_MODE,
  N_PROPS,
  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

static GParamSpec *properties[N_PROPS];

enum {
  GEOMETRY_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (LecternZoomMode, lectern_zoom_mode,
  G_DEFINE_ENUM_VALUE (LECTERN_ZOOM_MODE_FREE, "free"),
  G_DEFINE_ENUM_VALUE (LECTERN_ZOOM_MODE_FIT_WIDTH, "fit-width"),
  G_DEFINE_ENUM_VALUE (LECTERN_ZOOM_MODE_FIT_PAGE, "fit-page"))

G_DEFINE_FINAL_TYPE_WITH_CODE (LecternPageView, lectern_page_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

static int
page_width (LecternPageView *self)
{
  return self->texture != NULL ? gdk_texture_get_width (self->texture) : 0;
}

static int
page_height (LecternPageView *self)
{
  return self->texture != NULL ? gdk_texture_get_height (self->texture) : 0;
}

static double
content_width (LecternPageView *self)
{
  return self->texture != NULL ? page_width (self) * self->zoom + 2 * PAGE_MARGIN : 0;
}

static double
content_height (LecternPageView *self)
{
  return self->texture != NULL ? page_height (self) * self->zoom + 2 * PAGE_MARGIN : 0;
}

/* Where page pixel (0, 0) is in widget coordinates. A page smaller than the view is centred. */
static void
page_origin (LecternPageView *self,
             double          *x,
             double          *y)
{
  double view_width = gtk_widget_get_width (GTK_WIDGET (self));
  double view_height = gtk_widget_get_height (GTK_WIDGET (self));

  if (content_width (self) <= view_width)
    *x = (view_width - page_width (self) * self->zoom) / 2;
  else
    *x = PAGE_MARGIN - gtk_adjustment_get_value (self->hadjustment);

  if (content_height (self) <= view_height)
    *y = (view_height - page_height (self) * self->zoom) / 2;
  else
    *y = PAGE_MARGIN - gtk_adjustment_get_value (self->vadjustment);
}

static double
fit_zoom (LecternPageView *self,
          LecternZoomMode  mode,
          int              view_width,
          int              view_height)
{
  double zoom;

  if (self->texture == NULL || mode == LECTERN_ZOOM_MODE_FREE)
    return self->zoom;

  zoom = (view_width - 2 * PAGE_MARGIN) / page_width (self);
  if (mode == LECTERN_ZOOM_MODE_FIT_PAGE)
    zoom = MIN (zoom, (view_height - 2 * PAGE_MARGIN) / page_height (self));

  return CLAMP (zoom, LECTERN_PAGE_VIEW_ZOOM_MIN, LECTERN_PAGE_VIEW_ZOOM_MAX);
}

static void
configure_adjustment (GtkAdjustment *adjustment,
                      double         content,
                      double         view)
{
  double upper = MAX (content, view);

  gtk_adjustment_configure (adjustment,
                            CLAMP (gtk_adjustment_get_value (adjustment), 0, upper - view),
                            0, upper,
                            view * 0.1, view * 0.9, view);
}

static void
configure_adjustments (LecternPageView *self)
{
  /* During init the first adjustment exists before the second. */
  if (self->hadjustment == NULL || self->vadjustment == NULL)
    return;

  configure_adjustment (self->hadjustment, content_width (self),
                        gtk_widget_get_width (GTK_WIDGET (self)));
  configure_adjustment (self->vadjustment, content_height (self),
                        gtk_widget_get_height (GTK_WIDGET (self)));
}

static void
update_actions (LecternPageView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_page = self->texture != NULL;

  gtk_widget_action_set_enabled (widget, "page.zoom-in", lectern_page_view_can_zoom_in (self));
  gtk_widget_action_set_enabled (widget, "page.zoom-out", lectern_page_view_can_zoom_out (self));
  gtk_widget_action_set_enabled (widget, "page.zoom-fit-width", has_page);
  gtk_widget_action_set_enabled (widget, "page.zoom-fit-page", has_page);
  gtk_widget_action_set_enabled (widget, "page.zoom-original", has_page);
}

/* Sets the zoom without moving anything; TRUE when it changed. */
static gboolean
store_zoom (LecternPageView *self,
            double           zoom)
{
  zoom = CLAMP (zoom, LECTERN_PAGE_VIEW_ZOOM_MIN, LECTERN_PAGE_VIEW_ZOOM_MAX);
  if (zoom == self->zoom)
    return FALSE;

  self->zoom = zoom;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  g_signal_emit (self, signals[GEOMETRY_CHANGED], 0);
  return TRUE;
}

static void
store_zoom_mode (LecternPageView *self,
                 LecternZoomMode  mode)
{
  if (mode == self->zoom_mode)
    return;

  self->zoom_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM_MODE]);
}

/* Copy of texture at half its size, averaging 2×2 blocks of premultiplied pixels (the last row
 * or column of an odd size averages what there is). NULL when memory is short. */
static GdkTexture *
halve_texture (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  int half_width = (width + 1) / 2;
  int half_height = (height + 1) / 2;
  gsize stride = (gsize) width * 4;
  gsize half_stride = (gsize) half_width * 4;
  g_autofree guint8 *pixels = g_try_malloc (stride * height);
  guint8 *half;

  if (pixels == NULL)
    return NULL;
  half = g_try_malloc (half_stride * half_height);
  if (half == NULL)
    return NULL;

  gdk_texture_download (texture, pixels, stride);

  for (int y = 0; y < half_height; y++)
    {
      const guint8 *row0 = pixels + (gsize) (2 * y) * stride;
      const guint8 *row1 = 2 * y + 1 < height ? row0 + stride : row0;
      guint8 *out = half + (gsize) y * half_stride;

      for (int x = 0; x < half_width; x++)
        {
          gsize left = (gsize) (2 * x) * 4;
          gsize right = 2 * x + 1 < width ? left + 4 : left;

          for (int c = 0; c < 4; c++)
            out[x * 4 + c] = (row0[left + c] + row0[right + c]
                              + row1[left + c] + row1[right + c] + 2) / 4;
        }
    }

  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (half, half_stride * half_height);
    return gdk_memory_texture_new (half_width, half_height, GDK_MEMORY_DEFAULT,
                                   bytes, half_stride);
  }
}

/* The smallest copy of the page that still has at least as many pixels as the screen shows
 * (device pixels: on a 2× screen, zoom 0.5 shows every scan pixel). */
static GdkTexture *
texture_for_zoom (LecternPageView *self)
{
  GdkTexture *best = self->texture;
  double device_zoom = self->zoom * gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double scale = 1.0;

  for (guint level = 0; device_zoom <= scale / 2; level++)
    {
      GdkTexture *next;

      if (MIN (gdk_texture_get_width (best), gdk_texture_get_height (best)) < 2 * REDUCED_MIN_SIDE)
        break;

      if (level < self->reduced->len)
        next = g_ptr_array_index (self->reduced, level);
      else
        {
          next = halve_texture (best);
          if (next == NULL)
            break;
          g_ptr_array_add (self->reduced, next);
        }

      best = next;
      scale /= 2;
    }

  return best;
}

static void
lectern_page_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  LecternPageView *self = LECTERN_PAGE_VIEW (widget);

  /* The overlay takes whatever the view gets; it is measured only because GTK wants every
   * child measured before it is allocated. */
  if (self->overlay != NULL)
    {
      int overlay_minimum, overlay_natural;
      gtk_widget_measure (self->overlay, orientation, -1, &overlay_minimum, &overlay_natural,
                          NULL, NULL);
    }

  *minimum = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = ceil (content_width (self));
  else
    *natural = ceil (content_height (self));
}

static void
lectern_page_view_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  LecternPageView *self = LECTERN_PAGE_VIEW (widget);

  if (self->zoom_mode != LECTERN_ZOOM_MODE_FREE)
    store_zoom (self, fit_zoom (self, self->zoom_mode, width, height));

  configure_adjustments (self);
  if (self->overlay != NULL)
    gtk_widget_allocate (self->overlay, width, height, -1, NULL);
  /* A new size moves a centred page even when zoom and scroll stay. */
  g_signal_emit (self, signals[GEOMETRY_CHANGED], 0);
}

static void
lectern_page_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  LecternPageView *self = LECTERN_PAGE_VIEW (widget);
  GdkRGBA shadow = { 0, 0, 0, 0.35 };
  graphene_rect_t bounds;
  GskRoundedRect outline;

  if (!lectern_page_view_get_page_bounds (self, &bounds))
    return;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0,
                                                         gtk_widget_get_width (widget),
                                                         gtk_widget_get_height (widget)));
  gsk_rounded_rect_init_from_rect (&outline, &bounds, 0);
  gtk_snapshot_append_outset_shadow (snapshot, &outline, &shadow, 0, 2, 0, 8);
  gtk_snapshot_append_texture (snapshot, texture_for_zoom (self), &bounds);
  if (self->overlay != NULL)
    gtk_widget_snapshot_child (widget, self->overlay, snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
adjustment_value_changed (GtkAdjustment   *adjustment,
                          LecternPageView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[GEOMETRY_CHANGED], 0);
}

static void
set_adjustment (LecternPageView  *self,
                GtkAdjustment   **slot,
                GtkAdjustment    *adjustment)
{
  if (adjustment != NULL && adjustment == *slot)
    return;

  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, adjustment_value_changed, self);
      g_clear_object (slot);
    }

  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);

  *slot = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (adjustment_value_changed), self);
  configure_adjustments (self);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LecternPageView *self = LECTERN_PAGE_VIEW (widget);

  if (g_str_equal (action_name, "page.zoom-in"))
    lectern_page_view_zoom_in (self);
  else if (g_str_equal (action_name, "page.zoom-out"))
    lectern_page_view_zoom_out (self);
  else if (g_str_equal (action_name, "page.zoom-fit-width"))
    lectern_page_view_set_zoom_mode (self, LECTERN_ZOOM_MODE_FIT_WIDTH);
  else if (g_str_equal (action_name, "page.zoom-fit-page"))
    lectern_page_view_set_zoom_mode (self, LECTERN_ZOOM_MODE_FIT_PAGE);
  else if (g_str_equal (action_name, "page.zoom-original"))
    lectern_page_view_zoom_to_original (self);
  else
    g_assert_not_reached ();
}

static void
pointer_moved (GtkEventControllerMotion *motion,
               double                    x,
               double                    y,
               LecternPageView          *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
}

static void
pointer_left (GtkEventControllerMotion *motion,
              LecternPageView          *self)
{
  self->pointer_inside = FALSE;
}

/* Ctrl+wheel zooms around the pointer; a plain wheel goes on to the scrolled window. */
static gboolean
scrolled (GtkEventControllerScroll *scroll,
          double                    dx,
          double                    dy,
          LecternPageView          *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  double steps;
  double x, y;

  if ((state & GDK_CONTROL_MASK) == 0 || self->texture == NULL)
    return FALSE;

  steps = dy;
  if (gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_SURFACE)
    steps = dy / PIXELS_PER_WHEEL_STEP;

  if (self->pointer_inside)
    {
      x = self->pointer_x;
      y = self->pointer_y;
    }
  else
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }

  lectern_page_view_zoom_at (self, self->zoom * pow (LECTERN_PAGE_VIEW_ZOOM_STEP, -steps), x, y);
  return TRUE;
}

static void
pinch_began (GtkGesture       *gesture,
             GdkEventSequence *sequence,
             LecternPageView  *self)
{
  self->pinch_start_zoom = self->zoom;
}

static void
pinch_scale_changed (GtkGestureZoom  *gesture,
                     double           scale,
                     LecternPageView *self)
{
  double x, y;

  if (self->texture == NULL
      || !gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    return;

  lectern_page_view_zoom_at (self, self->pinch_start_zoom * scale, x, y);
}

static void
pan_began (GtkGestureDrag  *drag,
           double           x,
           double           y,
           LecternPageView *self)
{
  self->pan_start_x = gtk_adjustment_get_value (self->hadjustment);
  self->pan_start_y = gtk_adjustment_get_value (self->vadjustment);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
pan_updated (GtkGestureDrag  *drag,
             double           offset_x,
             double           offset_y,
             LecternPageView *self)
{
  gtk_adjustment_set_value (self->hadjustment, self->pan_start_x - offset_x);
  gtk_adjustment_set_value (self->vadjustment, self->pan_start_y - offset_y);
}

static void
pan_ended (GtkGestureDrag  *drag,
           double           offset_x,
           double           offset_y,
           LecternPageView *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
space_pan_began (GtkGestureDrag  *drag,
                 double           x,
                 double           y,
                 LecternPageView *self)
{
  if (!self->space_held)
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_CLAIMED);
  pan_began (drag, x, y, self);
}

static gboolean
key_pressed (GtkEventControllerKey *key,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             LecternPageView       *self)
{
  if (keyval != GDK_KEY_space)
    return FALSE;
  if (!self->space_held)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
  self->space_held = TRUE;
  return TRUE;
}

static void
key_released (GtkEventControllerKey *key,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              LecternPageView       *self)
{
  if (keyval != GDK_KEY_space)
    return;
  self->space_held = FALSE;
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
lectern_page_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LecternPageView *self = LECTERN_PAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXTURE:
      g_value_set_object (value, self->texture);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_ZOOM_MODE:
      g_value_set_enum (value, self->zoom_mode);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_page_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LecternPageView *self = LECTERN_PAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXTURE:
      lectern_page_view_set_texture (self, g_value_get_object (value));
      break;
    case PROP_ZOOM:
      lectern_page_view_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_ZOOM_MODE:
      lectern_page_view_set_zoom_mode (self, g_value_get_enum (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      if (self->hscroll_policy != (guint) g_value_get_enum (value))
        {
          self->hscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_VSCROLL_POLICY:
      if (self->vscroll_policy != (guint) g_value_get_enum (value))
        {
          self->vscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_page_view_dispose (GObject *object)
{
  LecternPageView *self = LECTERN_PAGE_VIEW (object);

  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, adjustment_value_changed, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, adjustment_value_changed, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->reduced, g_ptr_array_unref);
  g_clear_pointer (&self->overlay, gtk_widget_unparent);

  G_OBJECT_CLASS (lectern_page_view_parent_class)->dispose (object);
}

static void
lectern_page_view_class_init (LecternPageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lectern_page_view_get_property;
  object_class->set_property = lectern_page_view_set_property;
  object_class->dispose = lectern_page_view_dispose;

  widget_class->measure = lectern_page_view_measure;
  widget_class->size_allocate = lectern_page_view_size_allocate;
  widget_class->snapshot = lectern_page_view_snapshot;

  properties[PROP_TEXTURE] =
    g_param_spec_object ("texture", NULL, NULL,
                         GDK_TYPE_TEXTURE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL,
                         LECTERN_PAGE_VIEW_ZOOM_MIN, LECTERN_PAGE_VIEW_ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM_MODE] =
    g_param_spec_enum ("zoom-mode", NULL, NULL,
                       LECTERN_TYPE_ZOOM_MODE, LECTERN_ZOOM_MODE_FIT_PAGE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LecternPageView::geometry-changed:
   *
   * The mapping between page and widget coordinates may have changed (zoom, scroll position,
   * size or page): overlays drawn in page coordinates should be redrawn. Emitted during
   * allocation too, so handlers must not queue a resize.
   */
  signals[GEOMETRY_CHANGED] =
    g_signal_new ("geometry-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  gtk_widget_class_install_action (widget_class, "page.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "page.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "page.zoom-fit-width", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "page.zoom-fit-page", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "page.zoom-original", NULL, zoom_action);

  gtk_widget_class_set_css_name (widget_class, "pageview");
}

static void
lectern_page_view_init (LecternPageView *self)
{
  GtkEventController *motion;
  GtkEventController *scroll;
  GtkGesture *pinch;
  GtkGesture *pan;
  GtkGesture *space_pan;
  GtkEventController *key;

  self->zoom = 1.0;
  self->zoom_mode = LECTERN_ZOOM_MODE_FIT_PAGE;
  self->reduced = g_ptr_array_new_with_free_func (g_object_unref);

  set_adjustment (self, &self->hadjustment, NULL);
  set_adjustment (self, &self->vadjustment, NULL);

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (pointer_moved), self);
  g_signal_connect (motion, "motion", G_CALLBACK (pointer_moved), self);
  g_signal_connect (motion, "leave", G_CALLBACK (pointer_left), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scrolled), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  pinch = gtk_gesture_zoom_new ();
  g_signal_connect (pinch, "begin", G_CALLBACK (pinch_began), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (pinch_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pinch));

  /* Space held down turns a primary drag into panning; the capture phase claims it before the
   * overlay's own gestures see it. */
  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed), self);
  g_signal_connect (key, "key-released", G_CALLBACK (key_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  space_pan = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (space_pan), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (space_pan), GTK_PHASE_CAPTURE);
  g_signal_connect (space_pan, "drag-begin", G_CALLBACK (space_pan_began), self);
  g_signal_connect (space_pan, "drag-update", G_CALLBACK (pan_updated), self);
  g_signal_connect (space_pan, "drag-end", G_CALLBACK (pan_ended), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (space_pan));

  pan = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (pan), GDK_BUTTON_MIDDLE);
  g_signal_connect (pan, "drag-begin", G_CALLBACK (pan_began), self);
  g_signal_connect (pan, "drag-update", G_CALLBACK (pan_updated), self);
  g_signal_connect (pan, "drag-end", G_CALLBACK (pan_ended), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pan));

  update_actions (self);
}

GtkWidget *
lectern_page_view_new (void)
{
  return g_object_new (LECTERN_TYPE_PAGE_VIEW, NULL);
}

GdkTexture *
lectern_page_view_get_texture (LecternPageView *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), NULL);

  return self->texture;
}

void
lectern_page_view_set_texture (LecternPageView *self,
                               GdkTexture      *texture)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (texture == self->texture)
    return;

  g_set_object (&self->texture, texture);
  g_ptr_array_set_size (self->reduced, 0);

  store_zoom_mode (self, LECTERN_ZOOM_MODE_FIT_PAGE);
  store_zoom (self, fit_zoom (self, LECTERN_ZOOM_MODE_FIT_PAGE,
                              gtk_widget_get_width (GTK_WIDGET (self)),
                              gtk_widget_get_height (GTK_WIDGET (self))));
  gtk_adjustment_set_value (self->hadjustment, 0);
  gtk_adjustment_set_value (self->vadjustment, 0);
  configure_adjustments (self);
  update_actions (self);

  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
  g_signal_emit (self, signals[GEOMETRY_CHANGED], 0);
}

double
lectern_page_view_get_zoom (LecternPageView *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), 1.0);

  return self->zoom;
}

void
lectern_page_view_set_zoom (LecternPageView *self,
                            double           zoom)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  lectern_page_view_zoom_at (self, zoom,
                             gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                             gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
lectern_page_view_zoom_at (LecternPageView *self,
                           double           zoom,
                           double           widget_x,
                           double           widget_y)
{
  double page_x, page_y;

  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  store_zoom_mode (self, LECTERN_ZOOM_MODE_FREE);

  lectern_page_view_widget_to_page (self, widget_x, widget_y, &page_x, &page_y);
  if (!store_zoom (self, zoom))
    return;

  /* Scroll so that the same page point is under (widget_x, widget_y) again: with the page
   * larger than the view, widget_x = PAGE_MARGIN - value + page_x * zoom. */
  configure_adjustments (self);
  gtk_adjustment_set_value (self->hadjustment, PAGE_MARGIN + page_x * self->zoom - widget_x);
  gtk_adjustment_set_value (self->vadjustment, PAGE_MARGIN + page_y * self->zoom - widget_y);

  gtk_widget_queue_resize (GTK_WIDGET (self));
}

LecternZoomMode
lectern_page_view_get_zoom_mode (LecternPageView *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), LECTERN_ZOOM_MODE_FREE);

  return self->zoom_mode;
}

void
lectern_page_view_set_zoom_mode (LecternPageView *self,
                                 LecternZoomMode  mode)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));
  g_return_if_fail (mode <= LECTERN_ZOOM_MODE_FIT_PAGE);

  store_zoom_mode (self, mode);
  if (mode == LECTERN_ZOOM_MODE_FREE)
    return;

  store_zoom (self, fit_zoom (self, mode,
                              gtk_widget_get_width (GTK_WIDGET (self)),
                              gtk_widget_get_height (GTK_WIDGET (self))));
  configure_adjustments (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
lectern_page_view_zoom_in (LecternPageView *self)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  lectern_page_view_set_zoom (self, self->zoom * LECTERN_PAGE_VIEW_ZOOM_STEP);
}

void
lectern_page_view_zoom_out (LecternPageView *self)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  lectern_page_view_set_zoom (self, self->zoom / LECTERN_PAGE_VIEW_ZOOM_STEP);
}

void
lectern_page_view_zoom_to_original (LecternPageView *self)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  lectern_page_view_set_zoom (self, 1.0);
}

gboolean
lectern_page_view_can_zoom_in (LecternPageView *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), FALSE);

  return self->texture != NULL && self->zoom < LECTERN_PAGE_VIEW_ZOOM_MAX;
}

gboolean
lectern_page_view_can_zoom_out (LecternPageView *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), FALSE);

  return self->texture != NULL && self->zoom > LECTERN_PAGE_VIEW_ZOOM_MIN;
}

void
lectern_page_view_center_on (LecternPageView *self,
                             double           page_x,
                             double           page_y)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  gtk_adjustment_set_value (self->hadjustment, PAGE_MARGIN + page_x * self->zoom
                            - gtk_widget_get_width (GTK_WIDGET (self)) / 2.0);
  gtk_adjustment_set_value (self->vadjustment, PAGE_MARGIN + page_y * self->zoom
                            - gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
lectern_page_view_page_to_widget (LecternPageView *self,
                                  double           page_x,
                                  double           page_y,
                                  double          *widget_x,
                                  double          *widget_y)
{
  double origin_x, origin_y;

  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  page_origin (self, &origin_x, &origin_y);
  if (widget_x != NULL)
    *widget_x = origin_x + page_x * self->zoom;
  if (widget_y != NULL)
    *widget_y = origin_y + page_y * self->zoom;
}

void
lectern_page_view_widget_to_page (LecternPageView *self,
                                  double           widget_x,
                                  double           widget_y,
                                  double          *page_x,
                                  double          *page_y)
{
  double origin_x, origin_y;

  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));

  page_origin (self, &origin_x, &origin_y);
  if (page_x != NULL)
    *page_x = (widget_x - origin_x) / self->zoom;
  if (page_y != NULL)
    *page_y = (widget_y - origin_y) / self->zoom;
}

gboolean
lectern_page_view_get_page_bounds (LecternPageView *self,
                                   graphene_rect_t *bounds)
{
  double x, y;

  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), FALSE);
  g_return_val_if_fail (bounds != NULL, FALSE);

  if (self->texture == NULL)
    {
      graphene_rect_init (bounds, 0, 0, 0, 0);
      return FALSE;
    }

  page_origin (self, &x, &y);
  graphene_rect_init (bounds, x, y, page_width (self) * self->zoom, page_height (self) * self->zoom);
  return TRUE;
}

void
lectern_page_view_set_overlay (LecternPageView *self,
                               GtkWidget       *overlay)
{
  g_return_if_fail (LECTERN_IS_PAGE_VIEW (self));
  g_return_if_fail (overlay == NULL || GTK_IS_WIDGET (overlay));

  if (overlay == self->overlay)
    return;

  g_clear_pointer (&self->overlay, gtk_widget_unparent);
  if (overlay != NULL)
    {
      self->overlay = overlay;
      gtk_widget_set_parent (overlay, GTK_WIDGET (self));
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GtkWidget *
lectern_page_view_get_overlay (LecternPageView *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), NULL);

  return self->overlay;
}

gboolean
lectern_page_view_get_panning_key_held (LecternPageView *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (self), FALSE);

  return self->space_held;
}
