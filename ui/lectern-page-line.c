/* lectern-page-line.c — one text line of a page, as the widgets see it (see lectern-page-line.h). */
#include "config.h"

#include <math.h>

#include "lectern-page-line-private.h"

struct _LecternPageLine
{
  GObject      parent_instance;

  LecternLine *line;
  gboolean     owns_line;
  guint        number;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_TEXT,
  PROP_CORRECTED,
  PROP_CONFIDENCE,
  PROP_NUMBER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LecternPageLine, lectern_page_line, G_TYPE_OBJECT)

static void
lectern_page_line_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LecternPageLine *self = LECTERN_PAGE_LINE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, lectern_page_line_get_id (self));
      break;
    case PROP_TEXT:
      g_value_set_string (value, lectern_page_line_get_text (self));
      break;
    case PROP_CORRECTED:
      g_value_set_boolean (value, lectern_page_line_get_corrected (self));
      break;
    case PROP_CONFIDENCE:
      g_value_set_double (value, lectern_page_line_get_confidence (self));
      break;
    case PROP_NUMBER:
      g_value_set_uint (value, self->number);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_page_line_finalize (GObject *object)
{
  LecternPageLine *self = LECTERN_PAGE_LINE (object);

  if (self->owns_line)
    g_clear_pointer (&self->line, lectern_line_free);

  G_OBJECT_CLASS (lectern_page_line_parent_class)->finalize (object);
}

static void
lectern_page_line_class_init (LecternPageLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lectern_page_line_get_property;
  object_class->finalize = lectern_page_line_finalize;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CORRECTED] =
    g_param_spec_boolean ("corrected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIDENCE] =
    g_param_spec_double ("confidence", NULL, NULL, -1, 1, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NUMBER] =
    g_param_spec_uint ("number", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LecternPageLine::changed:
   *
   * The line's text, confidences, corrected flag or geometry changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
lectern_page_line_init (LecternPageLine *self)
{
}

LecternPageLine *
_lectern_page_line_new (LecternLine *line,
                        gboolean     owns_line)
{
  LecternPageLine *self = g_object_new (LECTERN_TYPE_PAGE_LINE, NULL);

  self->line = line;
  self->owns_line = owns_line;
  return self;
}

LecternLine *
_lectern_page_line_get_mutable (LecternPageLine *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), NULL);

  return self->line;
}

void
_lectern_page_line_set_owns_line (LecternPageLine *self,
                                  gboolean         owns_line)
{
  g_return_if_fail (LECTERN_IS_PAGE_LINE (self));

  self->owns_line = owns_line;
}

void
_lectern_page_line_detach (LecternPageLine *self)
{
  g_return_if_fail (LECTERN_IS_PAGE_LINE (self));

  if (self->owns_line)
    g_clear_pointer (&self->line, lectern_line_free);
  self->line = NULL;
  self->owns_line = FALSE;
}

void
_lectern_page_line_set_number (LecternPageLine *self,
                               guint            number)
{
  g_return_if_fail (LECTERN_IS_PAGE_LINE (self));

  if (self->number == number)
    return;
  self->number = number;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NUMBER]);
}

void
_lectern_page_line_changed (LecternPageLine *self)
{
  g_return_if_fail (LECTERN_IS_PAGE_LINE (self));

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORRECTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIDENCE]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[CHANGED], 0);
}

const LecternLine *
lectern_page_line_get_line (LecternPageLine *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), NULL);

  return self->line;
}

const char *
lectern_page_line_get_id (LecternPageLine *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), NULL);

  return self->line != NULL ? self->line->id : NULL;
}

const char *
lectern_page_line_get_text (LecternPageLine *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), "");

  return self->line != NULL && self->line->text != NULL ? self->line->text : "";
}

gboolean
lectern_page_line_get_corrected (LecternPageLine *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), FALSE);

  return self->line != NULL && self->line->corrected;
}

double
lectern_page_line_get_confidence (LecternPageLine *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), -1);

  if (self->line == NULL || !isfinite (self->line->confidence))
    return -1;
  return MIN (self->line->confidence, 1.0f);
}

gboolean
lectern_page_line_get_bounds (LecternPageLine *self,
                              int             *x0,
                              int             *y0,
                              int             *x1,
                              int             *y1)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), FALSE);

  if (self->line == NULL)
    return FALSE;
  return lectern_line_bbox (self->line, x0, y0, x1, y1);
}

guint
lectern_page_line_get_number (LecternPageLine *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), 0);

  return self->number;
}

/* Even-odd rule: a ray to the right crosses the outline an odd number of times. */
static gboolean
polygon_contains (const GArray *polygon,
                  double        x,
                  double        y)
{
  gboolean inside = FALSE;

  for (guint i = 0, j = polygon->len - 1; i < polygon->len; j = i++)
    {
      const LecternPoint *a = &g_array_index (polygon, LecternPoint, i);
      const LecternPoint *b = &g_array_index (polygon, LecternPoint, j);

      if ((a->y > y) != (b->y > y)
          && x < (double) (b->x - a->x) * (y - a->y) / (double) (b->y - a->y) + a->x)
        inside = !inside;
    }
  return inside;
}

static double
distance_to_segment (double                x,
                     double                y,
                     const LecternPoint   *a,
                     const LecternPoint   *b)
{
  double dx = b->x - a->x, dy = b->y - a->y;
  double length2 = dx * dx + dy * dy;
  double t = length2 > 0 ? ((x - a->x) * dx + (y - a->y) * dy) / length2 : 0;

  t = CLAMP (t, 0, 1);
  return hypot (x - (a->x + t * dx), y - (a->y + t * dy));
}

gboolean
lectern_page_line_contains (LecternPageLine *self,
                            double           x,
                            double           y,
                            double           tolerance)
{
  const GArray *baseline;

  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (self), FALSE);

  if (self->line == NULL)
    return FALSE;
  if (self->line->polygon->len >= 3)
    return polygon_contains (self->line->polygon, x, y);

  baseline = self->line->baseline;
  for (guint i = 0; i + 1 < baseline->len; i++)
    if (distance_to_segment (x, y, &g_array_index (baseline, LecternPoint, i),
                             &g_array_index (baseline, LecternPoint, i + 1)) <= tolerance)
      return TRUE;
  return FALSE;
}
