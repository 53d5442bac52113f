/* hershey.c — JHF parsing and pen-stroke drawing of Hershey fonts (see hershey.h). */
#include "hershey.h"

#include <math.h>
#include <string.h>

#include "error.h"

/* A JHF record holds at most 999 pairs (three digits); a file of printable ASCII has 96. */
#define MAX_RECORDS 256

struct _LecternHersheyFont {
  char               *name;
  guint               n_glyphs;
  LecternHersheyGlyph glyphs[LECTERN_HERSHEY_N_CHARS];
};

static void
glyph_clear (LecternHersheyGlyph *glyph)
{
  g_clear_pointer (&glyph->stroke_start, g_free);
  g_clear_pointer (&glyph->points, g_free);
  glyph->n_strokes = 0;
}

void
lectern_hershey_font_free (LecternHersheyFont *font)
{
  if (font == NULL)
    return;
  for (guint i = 0; i < LECTERN_HERSHEY_N_CHARS; i++)
    glyph_clear (&font->glyphs[i]);
  g_free (font->name);
  g_free (font);
}

/* Reads the three-digit field at text[0..2] (spaces allowed before the digits). */
static gboolean
parse_count (const char *text, gsize available, int *out)
{
  int value = 0;
  gboolean seen_digit = FALSE;

  if (available < 3)
    return FALSE;
  for (int i = 0; i < 3; i++)
    {
      if (text[i] == ' ' && !seen_digit)
        continue;
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (text[i] - '0');
      seen_digit = TRUE;
    }
  *out = value;
  return seen_digit;
}

/* Builds a glyph from n coordinate pairs (the bearings first). */
static gboolean
glyph_from_pairs (LecternHersheyGlyph *glyph, const char *pairs, int n_pairs)
{
  g_autofree LecternHersheyPoint *points = g_new (LecternHersheyPoint, MAX (n_pairs, 1));
  g_autofree guint *starts = g_new (guint, n_pairs + 1);
  guint n_points = 0, n_strokes = 0;
  gboolean pen_down = FALSE;

  for (int i = 0; i < n_pairs; i++)
    {
      char cx = pairs[2 * i], cy = pairs[2 * i + 1];
      if (cx < ' ' || cx > '~' || cy < ' ' || cy > '~')
        return FALSE;
      if (i == 0)
        {
          glyph->left = cx - 'R';
          glyph->right = cy - 'R';
          continue;
        }
      if (cx == ' ' && cy == 'R')
        {
          pen_down = FALSE;
          continue;
        }
      if (!pen_down)
        {
          starts[n_strokes++] = n_points;
          pen_down = TRUE;
        }
      points[n_points].x = (gint8) (cx - 'R');
      points[n_points].y = (gint8) (cy - 'R');
      n_points++;
    }
  starts[n_strokes] = n_points;
  glyph->n_strokes = n_strokes;
  glyph->stroke_start = g_steal_pointer (&starts);
  glyph->points = g_steal_pointer (&points);
  return TRUE;
}

LecternHersheyFont *
lectern_hershey_font_parse (const char *data, gsize length, const char *name, GError **error)
{
  g_autoptr (LecternHersheyFont) font = g_new0 (LecternHersheyFont, 1);
  g_autoptr (GString) record = g_string_new (NULL);
  gsize pos = 0;
  guint n_records = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  font->name = g_strdup (name);

  while (pos < length)
    {
      gsize line_end;
      int n_pairs;

      /* Skip blank lines between records. */
      if (data[pos] == '\n' || data[pos] == '\r')
        {
          pos++;
          continue;
        }
      if (n_records >= MAX_RECORDS)
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                       "%s: more than %d glyph records", name, MAX_RECORDS);
          return NULL;
        }

      g_string_truncate (record, 0);
      line_end = pos;
      while (line_end < length && data[line_end] != '\n' && data[line_end] != '\r')
        line_end++;
      if (line_end - pos < 8 || !parse_count (data + pos + 5, line_end - pos - 5, &n_pairs)
          || n_pairs < 1)
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                       "%s: glyph record %u has no valid header", name, n_records + 1);
          return NULL;
        }
      g_string_append_len (record, data + pos + 8, line_end - pos - 8);
      pos = line_end;

      /* A long record continues on the following lines. */
      while (record->len < (gsize) n_pairs * 2 && pos < length)
        {
          if (data[pos] == '\r' && pos + 1 < length && data[pos + 1] == '\n')
            pos++;
          if (data[pos] == '\n' || data[pos] == '\r')
            pos++;
          line_end = pos;
          while (line_end < length && data[line_end] != '\n' && data[line_end] != '\r')
            line_end++;
          g_string_append_len (record, data + pos, line_end - pos);
          pos = line_end;
        }
      if (record->len < (gsize) n_pairs * 2)
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                       "%s: glyph record %u is cut short (%" G_GSIZE_FORMAT " of %d characters)",
                       name, n_records + 1, record->len, n_pairs * 2);
          return NULL;
        }

      if (n_records < LECTERN_HERSHEY_N_CHARS)
        {
          if (!glyph_from_pairs (&font->glyphs[n_records], record->str, n_pairs))
            {
              g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                           "%s: glyph record %u has a coordinate outside the printable range",
                           name, n_records + 1);
              return NULL;
            }
        }
      n_records++;
    }

  if (n_records == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT, "%s: no glyph records", name);
      return NULL;
    }
  font->n_glyphs = n_records;
  return g_steal_pointer (&font);
}

LecternHersheyFont *
lectern_hershey_font_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *basename = NULL;
  gsize length = 0;
  GError *local_error = NULL;

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "%s: %s", path, local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  /* The largest JHF file of hershey-fonts-data is 40 kB. */
  if (length > 4 * 1024 * 1024)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "%s: %" G_GSIZE_FORMAT " bytes is too large for a Hershey font", path, length);
      return NULL;
    }
  return lectern_hershey_font_parse (data, length, path, error);
}

const char *
lectern_hershey_font_get_name (const LecternHersheyFont *font)
{
  return font->name;
}

guint
lectern_hershey_font_get_n_glyphs (const LecternHersheyFont *font)
{
  return font->n_glyphs;
}

const LecternHersheyGlyph *
lectern_hershey_font_get_glyph (const LecternHersheyFont *font, gunichar c)
{
  guint index;

  if (c < LECTERN_HERSHEY_FIRST_CHAR || c >= LECTERN_HERSHEY_FIRST_CHAR + LECTERN_HERSHEY_N_CHARS)
    return NULL;
  index = c - LECTERN_HERSHEY_FIRST_CHAR;
  if (index >= font->n_glyphs)
    return NULL;
  if (c != ' ' && font->glyphs[index].n_strokes == 0)
    return NULL;
  return &font->glyphs[index];
}

gboolean
lectern_hershey_font_has_char (const LecternHersheyFont *font, gunichar c)
{
  return lectern_hershey_font_get_glyph (font, c) != NULL;
}

int
lectern_hershey_font_get_advance (const LecternHersheyFont *font, gunichar c)
{
  const LecternHersheyGlyph *glyph = lectern_hershey_font_get_glyph (font, c);
  return glyph != NULL ? glyph->right - glyph->left : 0;
}

/* Catmull–Rom point between p1 and p2 at t ∈ [0, 1]. */
static double
catmull_rom (double p0, double p1, double p2, double p3, double t)
{
  double t2 = t * t, t3 = t2 * t;
  return 0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t3);
}

typedef struct {
  double fx1, fy1, phase1;   /* spatial frequencies and phases of the tremor */
  double fx2, fy2, phase2;
} Tremor;

static void
tremor_apply (const Tremor *tremor, double amplitude, double *x, double *y)
{
  double px = *x, py = *y;
  *x = px + amplitude * sin (tremor->fx1 * px + tremor->fy1 * py + tremor->phase1);
  *y = py + amplitude * sin (tremor->fx2 * px + tremor->fy2 * py + tremor->phase2);
}

void
lectern_hershey_draw_glyph (const LecternHersheyFont *font, cairo_t *cr, gunichar c, double x,
                            double y, const LecternHersheyPen *pen, LecternRng *rng)
{
  const LecternHersheyGlyph *glyph = lectern_hershey_font_get_glyph (font, c);
  Tremor tremor;

  if (glyph == NULL || glyph->n_strokes == 0)
    return;

  /* Tremor wavelengths of 8–40 px: slower than the pen width, faster than a letter. */
  tremor.fx1 = (lectern_rng_uniform (rng) - 0.5) * 0.5;
  tremor.fy1 = (lectern_rng_uniform (rng) - 0.5) * 0.5;
  tremor.phase1 = lectern_rng_uniform (rng) * 2 * G_PI;
  tremor.fx2 = (lectern_rng_uniform (rng) - 0.5) * 0.5;
  tremor.fy2 = (lectern_rng_uniform (rng) - 0.5) * 0.5;
  tremor.phase2 = lectern_rng_uniform (rng) * 2 * G_PI;

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  for (guint s = 0; s < glyph->n_strokes; s++)
    {
      const LecternHersheyPoint *p = glyph->points + glyph->stroke_start[s];
      guint n = glyph->stroke_start[s + 1] - glyph->stroke_start[s];
      double pressure_phase = lectern_rng_uniform (rng) * 2 * G_PI;
      double pressure_period = 15.0 + 40.0 * lectern_rng_uniform (rng);
      double arc = 0, prev_x = 0, prev_y = 0;
      gboolean have_prev = FALSE;

#define PX(i) (x + (p[(i)].x - glyph->left) * pen->scale)
#define PY(i) (y + (p[(i)].y - LECTERN_HERSHEY_BASELINE) * pen->scale)

      if (n == 1)
        {
          double dx = PX (0), dy = PY (0);
          tremor_apply (&tremor, pen->tremor, &dx, &dy);
          cairo_arc (cr, dx, dy, pen->pen_width * 0.6, 0, 2 * G_PI);
          cairo_fill (cr);
          continue;
        }

      for (guint i = 0; i + 1 < n; i++)
        {
          guint i0 = i > 0 ? i - 1 : 0, i3 = i + 2 < n ? i + 2 : n - 1;
          double seg = hypot (PX (i + 1) - PX (i), PY (i + 1) - PY (i));
          int steps = CLAMP ((int) ceil (seg / 1.5), 1, 24);

          for (int k = (i == 0 ? 0 : 1); k <= steps; k++)
            {
              double t = (double) k / steps;
              double cx = catmull_rom (PX (i0), PX (i), PX (i + 1), PX (i3), t);
              double cy = catmull_rom (PY (i0), PY (i), PY (i + 1), PY (i3), t);

              tremor_apply (&tremor, pen->tremor, &cx, &cy);
              if (have_prev)
                {
                  double dx = cx - prev_x, dy = cy - prev_y;
                  double len = hypot (dx, dy);
                  double angle = atan2 (dy, dx);
                  /* A broad nib draws thinnest when moving along its own edge. */
                  double nib = 1.0 - 0.85 * pen->nib_contrast * fabs (cos (angle - pen->nib_angle));
                  double press = 1.0 + pen->pressure
                                         * sin (pressure_phase + arc / pressure_period);
                  double width = MAX (0.4, pen->pen_width * nib * press);

                  arc += len;
                  cairo_move_to (cr, prev_x, prev_y);
                  cairo_line_to (cr, cx, cy);
                  cairo_set_line_width (cr, width);
                  cairo_stroke (cr);
                }
              prev_x = cx;
              prev_y = cy;
              have_prev = TRUE;
            }
        }
#undef PX
#undef PY
    }
  cairo_restore (cr);
}
