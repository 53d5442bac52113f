/* lectern-line-strip-view.c — a line's picture in the line list (see lectern-line-strip-view.h). */
#include "config.h"

#include "lectern-line-strip-view.h"

/* Logical pixels: the strip is drawn at most this high (strips are made twice as high). */
#define STRIP_VIEW_HEIGHT 40

struct _LecternLineStripView
{
  GtkWidget        parent_instance;

  LecternLineStrip strip;            /* texture NULL: nothing to show */
  int              highlight_x0;
  int              highlight_x1;
};

G_DEFINE_FINAL_TYPE (LecternLineStripView, lectern_line_strip_view, GTK_TYPE_WIDGET)

/* The size the strip is drawn at within width. */
static void
strip_size (LecternLineStripView *self,
            double                width,
            double               *drawn_width,
            double               *drawn_height)
{
  double texture_width = gdk_texture_get_width (self->strip.texture);
  double texture_height = gdk_texture_get_height (self->strip.texture);
  double scale = MIN (STRIP_VIEW_HEIGHT / texture_height, width / texture_width);

  *drawn_width = texture_width * scale;
  *drawn_height = texture_height * scale;
}

static void
lectern_line_strip_view_measure (GtkWidget      *widget,
                                 GtkOrientation  orientation,
                                 int             for_size,
                                 int            *minimum,
                                 int            *natural,
                                 int            *minimum_baseline,
                                 int            *natural_baseline)
{
  /* Always the full height, so that rows do not jump when their picture arrives. */
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = STRIP_VIEW_HEIGHT;
  else
    *minimum = *natural = 0;
}

static void
lectern_line_strip_view_snapshot (GtkWidget   *widget,
                                  GtkSnapshot *snapshot)
{
  LecternLineStripView *self = LECTERN_LINE_STRIP_VIEW (widget);
  double width, height, scale;

  if (self->strip.texture == NULL)
    return;

  strip_size (self, gtk_widget_get_width (widget), &width, &height);
  gtk_snapshot_append_texture (snapshot, self->strip.texture,
                               &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->highlight_x1 < self->highlight_x0)
    return;

  /* page column → strip pixel → drawn pixel */
  scale = self->strip.scale * width / gdk_texture_get_width (self->strip.texture);
  {
    double x0 = (self->highlight_x0 - self->strip.page_x) * scale;
    double x1 = (self->highlight_x1 + 1 - self->strip.page_x) * scale;
    GdkRGBA fill = { 1.0, 0.85, 0.1, 0.40 };
    GdkRGBA edge = { 0.85, 0.45, 0.0, 0.95 };
    graphene_rect_t rect = GRAPHENE_RECT_INIT (x0, 0, MAX (x1 - x0, 2), height);
    GskRoundedRect outline;
    float widths[4] = { 1.5, 1.5, 1.5, 1.5 };
    GdkRGBA colours[4] = { edge, edge, edge, edge };

    gtk_snapshot_append_color (snapshot, &fill, &rect);
    gsk_rounded_rect_init_from_rect (&outline, &rect, 0);
    gtk_snapshot_append_border (snapshot, &outline, widths, colours);
  }
}

static void
lectern_line_strip_view_dispose (GObject *object)
{
  LecternLineStripView *self = LECTERN_LINE_STRIP_VIEW (object);

  g_clear_object (&self->strip.texture);

  G_OBJECT_CLASS (lectern_line_strip_view_parent_class)->dispose (object);
}

static void
lectern_line_strip_view_class_init (LecternLineStripViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lectern_line_strip_view_dispose;
  widget_class->measure = lectern_line_strip_view_measure;
  widget_class->snapshot = lectern_line_strip_view_snapshot;

  gtk_widget_class_set_css_name (widget_class, "linestrip");
}

static void
lectern_line_strip_view_init (LecternLineStripView *self)
{
  self->highlight_x0 = 0;
  self->highlight_x1 = -1;
}

GtkWidget *
lectern_line_strip_view_new (void)
{
  return g_object_new (LECTERN_TYPE_LINE_STRIP_VIEW, NULL);
}

void
lectern_line_strip_view_set_strip (LecternLineStripView   *self,
                                   const LecternLineStrip *strip)
{
  g_return_if_fail (LECTERN_IS_LINE_STRIP_VIEW (self));

  g_clear_object (&self->strip.texture);
  if (strip != NULL)
    {
      self->strip = *strip;
      if (strip->texture != NULL)
        g_object_ref (strip->texture);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lectern_line_strip_view_has_strip (LecternLineStripView *self)
{
  g_return_val_if_fail (LECTERN_IS_LINE_STRIP_VIEW (self), FALSE);

  return self->strip.texture != NULL;
}

void
lectern_line_strip_view_set_highlight (LecternLineStripView *self,
                                       int                   x0,
                                       int                   x1)
{
  g_return_if_fail (LECTERN_IS_LINE_STRIP_VIEW (self));

  if (x0 == self->highlight_x0 && x1 == self->highlight_x1)
    return;
  self->highlight_x0 = x0;
  self->highlight_x1 = x1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
