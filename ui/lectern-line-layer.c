/* lectern-line-layer.c — the text lines drawn over the page scan (see lectern-line-layer.h). */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lectern-confidence.h"
#include "lectern-line-layer.h"

/* Screen pixels. */
#define HANDLE_SIZE      7.0
#define HANDLE_REACH     8.0    /* how near a press must be to grab a handle */
#define HANDLE_SPACING   (2.5 * HANDLE_SIZE)   /* handles closer than this on average are hidden */
#define CLICK_SLOP       4.0    /* a press that moves less than this is a click */
#define MIN_BOX_SIDE     4.0    /* page pixels: smaller boxes are not lines */

typedef enum {
  DRAG_NONE,
  DRAG_CLICK,
  DRAG_VERTEX,
  DRAG_BOX,
} DragKind;

struct _LecternLineLayer
{
  GtkWidget             parent_instance;

  LecternPageView      *view;          /* the parent */
  LecternPage          *page;
  GtkSelectionModel    *selection;
  LecternPageLine      *current;
  LecternPageLine      *highlight_line;
  int                   highlight_x0, highlight_x1;
  LecternLineLayerMode  mode;

  DragKind              drag_kind;
  double                drag_start_x, drag_start_y;   /* widget */
  double                drag_x, drag_y;
  gboolean              drag_baseline;                /* dragging a baseline point */
  guint                 drag_index;
  GArray               *drag_points;                  /* LecternPoint, the edited copy */
};

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LINE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (LecternLineLayerMode, lectern_line_layer_mode,
  G_DEFINE_ENUM_VALUE (LECTERN_LINE_LAYER_SELECT, "select"),
  G_DEFINE_ENUM_VALUE (LECTERN_LINE_LAYER_DRAW, "draw"))

G_DEFINE_FINAL_TYPE (LecternLineLayer, lectern_line_layer, GTK_TYPE_WIDGET)

static void
to_widget (LecternLineLayer *self,
           double            page_x,
           double            page_y,
           double           *x,
           double           *y)
{
  lectern_page_view_page_to_widget (self->view, page_x, page_y, x, y);
}

static void
to_page (LecternLineLayer *self,
         double            x,
         double            y,
         double           *page_x,
         double           *page_y)
{
  lectern_page_view_widget_to_page (self->view, x, y, page_x, page_y);
}

/* The points drawn for a line: the stored ones, or the copy being dragged. */
static const GArray *
shown_points (LecternLineLayer  *self,
              LecternPageLine   *item,
              const LecternLine *line,
              gboolean           baseline)
{
  if (self->drag_kind == DRAG_VERTEX && item == self->current && self->drag_baseline == baseline)
    return self->drag_points;
  return baseline ? line->baseline : line->polygon;
}

static void
path_points (LecternLineLayer *self,
             cairo_t          *cr,
             const GArray     *points,
             gboolean          close)
{
  cairo_new_path (cr);
  for (guint i = 0; i < points->len; i++)
    {
      const LecternPoint *p = &g_array_index (points, LecternPoint, i);
      double x, y;

      to_widget (self, p->x, p->y, &x, &y);
      cairo_line_to (cr, x, y);
    }
  if (close)
    cairo_close_path (cr);
}

static void
line_colour (LecternPageLine *item,
             GdkRGBA         *rgba)
{
  double confidence = lectern_page_line_get_confidence (item);

  if (lectern_page_line_get_corrected (item))
    *rgba = (GdkRGBA) { 0.20, 0.40, 0.85, 1 };      /* corrected by a person: blue */
  else if (confidence >= 0)
    lectern_confidence_to_rgba (confidence, rgba);
  else
    *rgba = (GdkRGBA) { 0.40, 0.42, 0.48, 1 };      /* never recognised: grey */
}

static void
draw_label (LecternLineLayer *self,
            cairo_t          *cr,
            PangoLayout      *layout,
            LecternPageLine  *item,
            const GdkRGBA    *colour,
            double            x,
            double            y)
{
  g_autofree char *text = NULL;
  int width, height;

  /* Translators: the reading-order number drawn beside a line on the page; "✓" follows it on
   * lines a person corrected. */
  text = lectern_page_line_get_corrected (item)
         ? g_strdup_printf (_("%u ✓"), lectern_page_line_get_number (item))
         : g_strdup_printf ("%u", lectern_page_line_get_number (item));
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);

  x -= width + 6;
  cairo_rectangle (cr, x - 2, y, width + 4, height);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
  cairo_fill (cr);
  cairo_move_to (cr, x, y);
  cairo_set_source_rgba (cr, colour->red * 0.7, colour->green * 0.7, colour->blue * 0.7, 1);
  pango_cairo_show_layout (cr, layout);
}

/* Handles are shown (and can be grabbed) only when they do not pile up: at a low zoom a
 * polygon's points are a few pixels apart, and handles would hide the writing. */
static gboolean
handles_fit (LecternLineLayer *self,
             const GArray     *points)
{
  double length = 0;

  if (points->len < 2)
    return TRUE;
  for (guint i = 1; i < points->len; i++)
    {
      const LecternPoint *a = &g_array_index (points, LecternPoint, i - 1);
      const LecternPoint *b = &g_array_index (points, LecternPoint, i);
      length += hypot (b->x - a->x, b->y - a->y);
    }
  return length * lectern_page_view_get_zoom (self->view) / (points->len - 1) >= HANDLE_SPACING;
}

static void
draw_handles (LecternLineLayer  *self,
              cairo_t           *cr,
              const GArray      *points,
              gboolean           round)
{
  for (guint i = 0; i < points->len; i++)
    {
      const LecternPoint *p = &g_array_index (points, LecternPoint, i);
      double x, y;

      to_widget (self, p->x, p->y, &x, &y);
      cairo_new_path (cr);
      if (round)
        cairo_arc (cr, x, y, HANDLE_SIZE / 2, 0, 2 * G_PI);
      else
        cairo_rectangle (cr, x - HANDLE_SIZE / 2, y - HANDLE_SIZE / 2, HANDLE_SIZE, HANDLE_SIZE);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0.1, 0.2, 0.5);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
}

static void
draw_line (LecternLineLayer *self,
           cairo_t          *cr,
           PangoLayout      *layout,
           LecternPageLine  *item,
           gboolean          selected,
           double            width,
           double            height)
{
  const LecternLine *line = lectern_page_line_get_line (item);
  const GArray *polygon, *baseline;
  gboolean current = item == self->current;
  int x0, y0, x1, y1;
  double wx0, wy0, wx1, wy1;
  GdkRGBA colour;

  if (line == NULL || !lectern_page_line_get_bounds (item, &x0, &y0, &x1, &y1))
    return;
  to_widget (self, x0, y0, &wx0, &wy0);
  to_widget (self, x1, y1, &wx1, &wy1);
  /* Off screen (the label sits left of the box). */
  if (wx1 < -4 || wy1 < -4 || wx0 > width + 80 || wy0 > height + 4)
    if (!current)
      return;

  line_colour (item, &colour);
  polygon = shown_points (self, item, line, FALSE);
  baseline = shown_points (self, item, line, TRUE);

  if (polygon->len >= 3)
    {
      path_points (self, cr, polygon, TRUE);
      cairo_set_source_rgba (cr, colour.red, colour.green, colour.blue,
                             selected ? 0.30 : 0.10);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, colour.red, colour.green, colour.blue, selected ? 1.0 : 0.75);
      cairo_set_line_width (cr, selected ? 2.5 : 1.25);
      cairo_stroke (cr);
    }
  if (baseline->len >= 2)
    {
      path_points (self, cr, baseline, FALSE);
      cairo_set_source_rgba (cr, colour.red * 0.6, colour.green * 0.6, colour.blue * 0.6,
                             selected ? 1.0 : 0.8);
      cairo_set_line_width (cr, selected ? 2.0 : 1.25);
      cairo_stroke (cr);
    }

  if (self->highlight_line == item && self->highlight_x1 >= self->highlight_x0)
    {
      double hx0, hx1, hy0, hy1;

      to_widget (self, self->highlight_x0, y0, &hx0, &hy0);
      to_widget (self, self->highlight_x1 + 1, y1 + 1, &hx1, &hy1);
      cairo_rectangle (cr, hx0, hy0, MAX (hx1 - hx0, 2), hy1 - hy0);
      cairo_set_source_rgba (cr, 1.0, 0.85, 0.1, 0.45);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, 0.85, 0.45, 0.0, 0.9);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }

  draw_label (self, cr, layout, item, &colour, wx0, wy0);

  if (current && self->mode == LECTERN_LINE_LAYER_SELECT)
    {
      if (handles_fit (self, polygon))
        draw_handles (self, cr, polygon, FALSE);
      if (handles_fit (self, baseline))
        draw_handles (self, cr, baseline, TRUE);
    }
}

static void
lectern_line_layer_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  LecternLineLayer *self = LECTERN_LINE_LAYER (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = NULL;
  g_autoptr(PangoFontDescription) font = NULL;
  guint n_lines;
  cairo_t *cr;

  if (self->page == NULL || lectern_page_view_get_texture (self->view) == NULL)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  layout = gtk_widget_create_pango_layout (widget, NULL);
  font = pango_font_description_from_string ("Sans Bold 8");
  pango_layout_set_font_description (layout, font);

  n_lines = g_list_model_get_n_items (G_LIST_MODEL (self->page));
  for (guint i = 0; i < n_lines; i++)
    {
      LecternPageLine *item = lectern_page_get_line (self->page, i);
      gboolean selected = self->selection != NULL
                          && gtk_selection_model_is_selected (self->selection, i);

      if (item != self->current)
        draw_line (self, cr, layout, item, selected, width, height);
    }
  /* The current line last, so that its handles are on top. */
  if (self->current != NULL && lectern_page_find_line (self->page, self->current) != G_MAXUINT)
    draw_line (self, cr, layout, self->current, TRUE, width, height);

  if (self->drag_kind == DRAG_BOX)
    {
      double dashes[] = { 5, 3 };

      cairo_rectangle (cr, MIN (self->drag_start_x, self->drag_x),
                       MIN (self->drag_start_y, self->drag_y),
                       fabs (self->drag_x - self->drag_start_x),
                       fabs (self->drag_y - self->drag_start_y));
      cairo_set_source_rgba (cr, 0.2, 0.4, 0.9, 0.15);
      cairo_fill_preserve (cr);
      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
      cairo_set_line_width (cr, 1.5);
      cairo_set_source_rgb (cr, 0.15, 0.3, 0.8);
      cairo_stroke (cr);
    }

  cairo_destroy (cr);
}

/* The handle of the current line under (x, y) in widget coordinates. */
static gboolean
find_handle (LecternLineLayer *self,
             double            x,
             double            y,
             gboolean         *baseline,
             guint            *index)
{
  const LecternLine *line;
  double best = HANDLE_REACH;
  gboolean found = FALSE;

  if (self->current == NULL || self->mode != LECTERN_LINE_LAYER_SELECT)
    return FALSE;
  line = lectern_page_line_get_line (self->current);
  if (line == NULL || lectern_page_find_line (self->page, self->current) == G_MAXUINT)
    return FALSE;

  for (int b = 0; b < 2; b++)
    {
      const GArray *points = b ? line->baseline : line->polygon;
      if (!handles_fit (self, points))
        continue;
      for (guint i = 0; i < points->len; i++)
        {
          const LecternPoint *p = &g_array_index (points, LecternPoint, i);
          double hx, hy, distance;

          to_widget (self, p->x, p->y, &hx, &hy);
          distance = hypot (hx - x, hy - y);
          if (distance <= best)
            {
              best = distance;
              *baseline = b;
              *index = i;
              found = TRUE;
            }
        }
    }
  return found;
}

static void
drag_began (GtkGestureDrag   *drag,
            double            x,
            double            y,
            LecternLineLayer *self)
{
  gboolean baseline;
  guint index;

  if (self->page == NULL || lectern_page_view_get_texture (self->view) == NULL
      || !lectern_page_get_loaded (self->page)
      || lectern_page_view_get_panning_key_held (self->view))
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  /* Delete, the arrows and space then go to the page. */
  gtk_widget_grab_focus (GTK_WIDGET (self->view));

  self->drag_start_x = self->drag_x = x;
  self->drag_start_y = self->drag_y = y;

  if (self->mode == LECTERN_LINE_LAYER_DRAW)
    self->drag_kind = DRAG_BOX;
  else if (find_handle (self, x, y, &baseline, &index))
    {
      const LecternLine *line = lectern_page_line_get_line (self->current);
      const GArray *points = baseline ? line->baseline : line->polygon;

      self->drag_kind = DRAG_VERTEX;
      self->drag_baseline = baseline;
      self->drag_index = index;
      g_clear_pointer (&self->drag_points, g_array_unref);
      self->drag_points = g_array_sized_new (FALSE, FALSE, sizeof (LecternPoint), points->len);
      g_array_append_vals (self->drag_points, points->data, points->len);
    }
  else
    self->drag_kind = DRAG_CLICK;

  gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
drag_updated (GtkGestureDrag   *drag,
              double            offset_x,
              double            offset_y,
              LecternLineLayer *self)
{
  self->drag_x = self->drag_start_x + offset_x;
  self->drag_y = self->drag_start_y + offset_y;

  if (self->drag_kind == DRAG_VERTEX)
    {
      const LecternDocument *doc = lectern_page_get_document (self->page);
      LecternPoint *p = &g_array_index (self->drag_points, LecternPoint, self->drag_index);
      double page_x, page_y;

      to_page (self, self->drag_x, self->drag_y, &page_x, &page_y);
      p->x = (int) CLAMP (round (page_x), 0, MAX (doc->width - 1, 0));
      p->y = (int) CLAMP (round (page_y), 0, MAX (doc->height - 1, 0));
    }

  if (self->drag_kind == DRAG_VERTEX || self->drag_kind == DRAG_BOX)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
finish_box (LecternLineLayer *self)
{
  const LecternDocument *doc = lectern_page_get_document (self->page);
  g_autoptr(GArray) polygon = g_array_new (FALSE, FALSE, sizeof (LecternPoint));
  g_autoptr(GArray) baseline = g_array_new (FALSE, FALSE, sizeof (LecternPoint));
  double ax, ay, bx, by;
  int x0, y0, x1, y1, base_y;
  LecternPageLine *line;

  to_page (self, self->drag_start_x, self->drag_start_y, &ax, &ay);
  to_page (self, self->drag_x, self->drag_y, &bx, &by);
  x0 = (int) CLAMP (round (MIN (ax, bx)), 0, doc->width - 1);
  x1 = (int) CLAMP (round (MAX (ax, bx)), 0, doc->width - 1);
  y0 = (int) CLAMP (round (MIN (ay, by)), 0, doc->height - 1);
  y1 = (int) CLAMP (round (MAX (ay, by)), 0, doc->height - 1);
  if (x1 - x0 < MIN_BOX_SIDE || y1 - y0 < MIN_BOX_SIDE)
    return;

  g_array_append_vals (polygon, (LecternPoint[]) { { x0, y0 }, { x1, y0 }, { x1, y1 }, { x0, y1 } },
                       4);
  /* Writing sits about three quarters of the way down a box drawn around it. */
  base_y = y0 + (y1 - y0) * 3 / 4;
  g_array_append_vals (baseline, (LecternPoint[]) { { x0, base_y }, { x1, base_y } }, 2);

  line = lectern_page_add_line (self->page, polygon, baseline);
  if (line != NULL)
    g_signal_emit (self, signals[LINE_ACTIVATED], 0, line, (GdkModifierType) 0);
}

static void
drag_ended (GtkGestureDrag   *drag,
            double            offset_x,
            double            offset_y,
            LecternLineLayer *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (drag));
  DragKind kind = self->drag_kind;
  gboolean moved = hypot (offset_x, offset_y) >= CLICK_SLOP;

  self->drag_kind = DRAG_NONE;

  if (kind == DRAG_CLICK && !moved)
    {
      double page_x, page_y;
      LecternPageLine *line;

      to_page (self, self->drag_start_x, self->drag_start_y, &page_x, &page_y);
      line = lectern_page_line_at (self->page, page_x, page_y,
                                   HANDLE_REACH / lectern_page_view_get_zoom (self->view));
      g_signal_emit (self, signals[LINE_ACTIVATED], 0, line, state);
    }
  else if (kind == DRAG_VERTEX && moved && self->current != NULL)
    {
      g_autoptr(GArray) points = g_steal_pointer (&self->drag_points);
      lectern_page_set_line_geometry (self->page, self->current,
                                      self->drag_baseline ? NULL : points,
                                      self->drag_baseline ? points : NULL);
    }
  else if (kind == DRAG_BOX)
    finish_box (self);

  g_clear_pointer (&self->drag_points, g_array_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_cancelled (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                LecternLineLayer *self)
{
  self->drag_kind = DRAG_NONE;
  g_clear_pointer (&self->drag_points, g_array_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
pointer_moved (GtkEventControllerMotion *motion,
               double                    x,
               double                    y,
               LecternLineLayer         *self)
{
  gboolean baseline;
  guint index;
  const char *cursor = NULL;

  if (self->drag_kind != DRAG_NONE)
    return;
  if (self->mode == LECTERN_LINE_LAYER_DRAW)
    cursor = "crosshair";
  else if (find_handle (self, x, y, &baseline, &index))
    cursor = "move";
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), cursor);
}

static void
redraw (LecternLineLayer *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
disconnect_page (LecternLineLayer *self)
{
  if (self->page == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->page, redraw, self);
  g_clear_object (&self->page);
}

static void
disconnect_selection (LecternLineLayer *self)
{
  if (self->selection == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->selection, redraw, self);
  g_clear_object (&self->selection);
}

static void
lectern_line_layer_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LecternLineLayer *self = LECTERN_LINE_LAYER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_line_layer_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LecternLineLayer *self = LECTERN_LINE_LAYER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      lectern_line_layer_set_mode (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_line_layer_dispose (GObject *object)
{
  LecternLineLayer *self = LECTERN_LINE_LAYER (object);

  disconnect_page (self);
  disconnect_selection (self);
  if (self->view != NULL)
    g_signal_handlers_disconnect_by_func (self->view, redraw, self);
  self->view = NULL;
  g_clear_object (&self->current);
  g_clear_object (&self->highlight_line);
  g_clear_pointer (&self->drag_points, g_array_unref);

  G_OBJECT_CLASS (lectern_line_layer_parent_class)->dispose (object);
}

static void
lectern_line_layer_class_init (LecternLineLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lectern_line_layer_get_property;
  object_class->set_property = lectern_line_layer_set_property;
  object_class->dispose = lectern_line_layer_dispose;
  widget_class->snapshot = lectern_line_layer_snapshot;

  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       lectern_line_layer_mode_get_type (), LECTERN_LINE_LAYER_SELECT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LecternLineLayer::line-activated:
   * @line: (nullable): the line clicked or just drawn; NULL for a click on no line
   * @state: the modifier keys held (Ctrl or Shift: add to the selection)
   */
  signals[LINE_ACTIVATED] =
    g_signal_new ("line-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, LECTERN_TYPE_PAGE_LINE, GDK_TYPE_MODIFIER_TYPE);

  gtk_widget_class_set_css_name (widget_class, "linelayer");
}

static void
lectern_line_layer_init (LecternLineLayer *self)
{
  GtkGesture *drag;
  GtkEventController *motion;

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_began), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_updated), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_ended), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (drag_cancelled), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (pointer_moved), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
lectern_line_layer_new (LecternPageView *view)
{
  LecternLineLayer *self;

  g_return_val_if_fail (LECTERN_IS_PAGE_VIEW (view), NULL);

  self = g_object_new (LECTERN_TYPE_LINE_LAYER, NULL);
  self->view = view;
  g_signal_connect_swapped (view, "geometry-changed", G_CALLBACK (redraw), self);
  lectern_page_view_set_overlay (view, GTK_WIDGET (self));
  return GTK_WIDGET (self);
}

void
lectern_line_layer_set_page (LecternLineLayer *self,
                             LecternPage      *page)
{
  g_return_if_fail (LECTERN_IS_LINE_LAYER (self));
  g_return_if_fail (page == NULL || LECTERN_IS_PAGE (page));

  if (page == self->page)
    return;

  disconnect_page (self);
  self->drag_kind = DRAG_NONE;
  g_clear_object (&self->current);
  g_clear_object (&self->highlight_line);
  if (page != NULL)
    {
      self->page = g_object_ref (page);
      g_signal_connect_swapped (page, "items-changed", G_CALLBACK (redraw), self);
      g_signal_connect_swapped (page, "line-changed", G_CALLBACK (redraw), self);
    }
  redraw (self);
}

void
lectern_line_layer_set_selection (LecternLineLayer  *self,
                                  GtkSelectionModel *selection)
{
  g_return_if_fail (LECTERN_IS_LINE_LAYER (self));
  g_return_if_fail (selection == NULL || GTK_IS_SELECTION_MODEL (selection));

  if (selection == self->selection)
    return;

  disconnect_selection (self);
  if (selection != NULL)
    {
      self->selection = g_object_ref (selection);
      g_signal_connect_swapped (selection, "selection-changed", G_CALLBACK (redraw), self);
    }
  redraw (self);
}

void
lectern_line_layer_set_current (LecternLineLayer *self,
                                LecternPageLine  *line)
{
  g_return_if_fail (LECTERN_IS_LINE_LAYER (self));

  if (g_set_object (&self->current, line))
    redraw (self);
}

LecternPageLine *
lectern_line_layer_get_current (LecternLineLayer *self)
{
  g_return_val_if_fail (LECTERN_IS_LINE_LAYER (self), NULL);

  return self->current;
}

void
lectern_line_layer_set_highlight (LecternLineLayer *self,
                                  LecternPageLine  *line,
                                  int               x0,
                                  int               x1)
{
  g_return_if_fail (LECTERN_IS_LINE_LAYER (self));

  g_set_object (&self->highlight_line, line);
  self->highlight_x0 = x0;
  self->highlight_x1 = x1;
  redraw (self);
}

void
lectern_line_layer_set_mode (LecternLineLayer     *self,
                             LecternLineLayerMode  mode)
{
  g_return_if_fail (LECTERN_IS_LINE_LAYER (self));

  if (mode == self->mode)
    return;
  self->mode = mode;
  self->drag_kind = DRAG_NONE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   mode == LECTERN_LINE_LAYER_DRAW ? "crosshair" : NULL);
  redraw (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

LecternLineLayerMode
lectern_line_layer_get_mode (LecternLineLayer *self)
{
  g_return_val_if_fail (LECTERN_IS_LINE_LAYER (self), LECTERN_LINE_LAYER_SELECT);

  return self->mode;
}
