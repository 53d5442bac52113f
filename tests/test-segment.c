/* test-segment.c — page segmentation and its evaluation.
 *
 * Synthetic pages drawn with Cairo and Pango (text on ruled paper, a margin rule, specks and a
 * stain, straight and skewed; two columns under a heading; a seal, lettering turned on its side,
 * a pen loop through the words, a number in the margin beside the text, a curl above a line,
 * a signature with flourishes, a signature rising steeply, a registration entry in a larger
 * hand below the text, archive marks written small in the margin) must give exactly their lines
 * at their places and in reading order; polygon IoU, line matching and main-text regions are
 * checked on shapes whose answers are known; and on the real pages in ../shared the F1 of line
 * detection must not fall below what the segmenter reached when this test was written (the
 * target, 0.95, is reported by `lectern-cli segeval --segment`). */
#include "document.h"
#include "error.h"
#include "image.h"
#include "rng.h"
#include "segeval.h"
#include "segment.h"
#include "testutil.h"


#include <math.h>
#include <pango/pangocairo.h>

/* ---- synthetic pages -------------------------------------------------------------------------- */

typedef struct {
  double x0, x1;     /* text extent */
  double base_y;     /* baseline, before any rotation */
} ExpectedLine;

static const char *const sample_text[] = {
  "Lectern finds the lines of a page",
  "written on ruled paper by hand or",
  "printed, with margins and specks",
  "and a stain in the middle of it.",
  "Every line must be found once,",
  "at its place, with its baseline",
  "under the letters and its polygon",
  "around them, in reading order,",
  "from the top of the page down to",
  "the last line at the bottom here.",
};

/* A layout on cr in font (a Pango family and style) whose letters are size pixels tall. */
static PangoLayout *
layout_in_font (cairo_t *cr, const char *font, double size)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *description = pango_font_description_from_string (font);
  pango_font_description_set_absolute_size (description, size * PANGO_SCALE);
  pango_layout_set_font_description (layout, description);
  pango_font_description_free (description);
  return layout;
}

/* Writes text in DejaVu Serif of size pixels on the baseline base_y, the left edge of its ink
 * at x (with align_right, the right edge); the ink's left and right edges in *x0 and *x1. */
static void
write_word (cairo_t *cr, double size, const char *text, double x, gboolean align_right,
            double base_y, double *x0, double *x1)
{
  PangoLayout *layout = layout_in_font (cr, "DejaVu Serif", size);
  PangoRectangle ink;
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, &ink, NULL);
  double baseline = pango_layout_get_baseline (layout) / (double) PANGO_SCALE;
  *x0 = align_right ? x - ink.width : x;
  *x1 = *x0 + ink.width;
  cairo_move_to (cr, *x0 - ink.x, base_y - baseline);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* Draws a page of W × H pixels: rules every `spacing` pixels, text on every rule from the
 * second on, a vertical margin rule, specks, a faint stain; all rotated by `degrees` about the
 * centre. Fills expected (unrotated coordinates) and returns the grey page. */
static LecternImage *
draw_page (int W, int H, double spacing, double degrees, guint n_lines, ExpectedLine *expected)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, W / 2.0, H / 2.0);
  cairo_rotate (cr, degrees * G_PI / 180.0);
  cairo_translate (cr, -W / 2.0, -H / 2.0);

  /* a stain: a large soft disc, light enough to be paper */
  cairo_pattern_t *stain = cairo_pattern_create_radial (W * 0.6, H * 0.45, 0, W * 0.6, H * 0.45, W * 0.2);
  cairo_pattern_add_color_stop_rgba (stain, 0, 0.8, 0.75, 0.6, 0.5);
  cairo_pattern_add_color_stop_rgba (stain, 1, 0.8, 0.75, 0.6, 0);
  cairo_set_source (cr, stain);
  cairo_paint (cr);
  cairo_pattern_destroy (stain);

  /* ruled paper and a margin */
  cairo_set_line_width (cr, 2);
  cairo_set_source_rgb (cr, 0.55, 0.65, 0.85);
  for (double y = spacing; y < H - 10; y += spacing)
    {
      cairo_move_to (cr, 0, y);
      cairo_line_to (cr, W, y);
    }
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.85, 0.4, 0.4);
  cairo_move_to (cr, 0.1 * W, 0);
  cairo_line_to (cr, 0.1 * W, H);
  cairo_stroke (cr);

  /* text sitting on the rules */
  PangoLayout *layout = layout_in_font (cr, "DejaVu Serif", 0.45 * spacing);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
  for (guint i = 0; i < n_lines; i++)
    {
      double base_y = (i + 2) * spacing;
      pango_layout_set_text (layout, sample_text[i % G_N_ELEMENTS (sample_text)], -1);
      PangoRectangle ink;
      pango_layout_get_pixel_extents (layout, &ink, NULL);
      double baseline = pango_layout_get_baseline (layout) / (double) PANGO_SCALE;
      double x = 0.14 * W + (i % 3) * 0.03 * W;
      cairo_move_to (cr, x, base_y - baseline);
      pango_cairo_show_layout (cr, layout);
      expected[i].x0 = x + ink.x;
      expected[i].x1 = x + ink.x + ink.width;
      expected[i].base_y = base_y;
    }
  g_object_unref (layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* grey, with specks */
  LecternImage *page = lectern_image_new (W, H);
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        guint32 px = *(const guint32 *) (data + (gsize) y * stride + 4 * x);
        int r = (px >> 16) & 255, g = (px >> 8) & 255, b = px & 255;
        page->pixels[(gsize) y * W + x] = (guint8) ((299 * r + 587 * g + 114 * b + 500) / 1000);
      }
  cairo_surface_destroy (surface);
  LecternRng rng;
  lectern_rng_init (&rng, 7);
  for (int i = 0; i < W * H / 4000; i++)
    {
      int x = lectern_rng_below (&rng, W - 2), y = lectern_rng_below (&rng, H - 2);
      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++)
          page->pixels[(gsize) (y + dy) * W + x + dx] = 60;
    }
  return page;
}

/* y of a polyline at x (linear between points, constant beyond). */
static double
polyline_y_at (const GArray *pts, double x)
{
  const LecternPoint *p = (const LecternPoint *) pts->data;
  guint n = pts->len;
  if (x <= p[0].x)
    return p[0].y;
  for (guint i = 1; i < n; i++)
    if (x <= p[i].x)
      {
        double t = p[i].x > p[i - 1].x ? (x - p[i - 1].x) / (double) (p[i].x - p[i - 1].x) : 0;
        return p[i - 1].y + t * (p[i].y - p[i - 1].y);
      }
  return p[n - 1].y;
}

static void
rotate_point (double x, double y, double W, double H, double degrees, double *rx, double *ry)
{
  double a = degrees * G_PI / 180.0, c = cos (a), s = sin (a);
  double dx = x - W / 2, dy = y - H / 2;
  *rx = W / 2 + c * dx - s * dy;
  *ry = H / 2 + s * dx + c * dy;
}

/* Segments a synthetic page and checks every line: found once, in order, baseline within a
 * fifth of the line spacing of the truth along the line, extent matching, polygon around it. */
static void
check_synthetic (double degrees)
{
  const int W = 1600, H = 2100, n = 10;
  const double spacing = 150;
  ExpectedLine expected[10];
  g_autoptr (LecternImage) page = draw_page (W, H, spacing, degrees, n, expected);

  double skew = lectern_segment_estimate_skew (page, 5);
  g_assert_cmpfloat (fabs (skew - degrees), <, 0.3);

  g_autoptr (GError) error = NULL;
  g_autoptr (LecternDocument) doc = lectern_segment_page (page, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_assert_cmpint (doc->width, ==, W);
  g_assert_cmpint (doc->height, ==, H);
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  g_assert_cmpuint (lines->len, ==, n);

  for (guint i = 0; i < lines->len; i++)
    {
      const LecternLine *line = lines->pdata[i];
      const ExpectedLine *e = &expected[i];      /* reading order: top to bottom */
      g_assert_cmpuint (line->baseline->len, >=, 2);
      g_assert_cmpuint (line->polygon->len, >=, 4);
      const LecternPoint *b = (const LecternPoint *) line->baseline->data;
      for (guint k = 1; k < line->baseline->len; k++)
        g_assert_cmpint (b[k].x, >=, b[k - 1].x);          /* left to right */

      /* ends of the baseline near the ends of the text, in page coordinates */
      double ex0, ey0, ex1, ey1;
      rotate_point (e->x0, e->base_y, W, H, degrees, &ex0, &ey0);
      rotate_point (e->x1, e->base_y, W, H, degrees, &ex1, &ey1);
      g_assert_cmpfloat (fabs (b[0].x - ex0), <, 0.3 * spacing);
      g_assert_cmpfloat (fabs (b[line->baseline->len - 1].x - ex1), <, 0.3 * spacing);
      /* the baseline follows the truth along the whole line */
      for (int k = 1; k < 8; k++)
        {
          double t = k / 8.0;
          double x = ex0 + t * (ex1 - ex0), y = ey0 + t * (ey1 - ey0);
          g_assert_cmpfloat (fabs (polyline_y_at (line->baseline, x) - y), <, 0.2 * spacing);
        }
      /* the polygon holds the middle of the text's x-height band */
      double mx, my;
      rotate_point ((e->x0 + e->x1) / 2, e->base_y - 0.1 * spacing, W, H, degrees, &mx, &my);
      LecternPoint probe[4] = {
        { (int) mx - 2, (int) my - 2 }, { (int) mx + 2, (int) my - 2 },
        { (int) mx + 2, (int) my + 2 }, { (int) mx - 2, (int) my + 2 },
      };
      double inside = lectern_polygon_iou (probe, 4, (const LecternPoint *) line->polygon->data,
                                           line->polygon->len, 1);
      g_assert_cmpfloat (inside, >, 0);
    }
}

static void
test_synthetic_straight (void)
{
  check_synthetic (0);
}

static void
test_synthetic_skewed (void)
{
  check_synthetic (2.0);
  check_synthetic (-3.0);
}

/* Two columns with a narrow gutter (about one line spacing) under a heading over both: each
 * column's lines are found apart, and read heading first, then the left column top to bottom,
 * then the right one. */
static void
test_two_columns (void)
{
  const int W = 1600, H = 1400, n = 8;
  const double spacing = 110, gutter_x0 = 0.47 * W, gutter_x1 = 0.53 * W;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  PangoLayout *layout = layout_in_font (cr, "DejaVu Serif", 0.42 * spacing);
  double baseline = pango_layout_get_baseline (layout) / (double) PANGO_SCALE;
  pango_layout_set_text (layout, "A Heading Across Both Columns of This Page", -1);
  PangoRectangle ink;
  pango_layout_get_pixel_extents (layout, &ink, NULL);
  cairo_move_to (cr, (W - ink.width) / 2.0 - ink.x, spacing - baseline);
  pango_cairo_show_layout (cr, layout);
  for (int side = 0; side < 2; side++)
    for (int i = 0; i < n; i++)
      {
        /* fill the column: words until the next would not fit */
        double x0 = side == 0 ? 0.08 * W : gutter_x1, x1 = side == 0 ? gutter_x0 : 0.92 * W;
        g_autoptr (GString) text = g_string_new (NULL);
        for (guint w = 0;; w++)
          {
            const char *word = sample_text[(i + 3 * side + w) % G_N_ELEMENTS (sample_text)];
            g_autofree char *first = g_strndup (word, strcspn (word, " "));
            g_autofree char *trial = g_strdup_printf ("%s%s%s", text->str, w ? " " : "", first);
            pango_layout_set_text (layout, trial, -1);
            pango_layout_get_pixel_extents (layout, &ink, NULL);
            if (ink.x + ink.width > x1 - x0)
              break;
            g_string_assign (text, trial);
          }
        pango_layout_set_text (layout, text->str, -1);
        cairo_move_to (cr, x0, (i + 3) * spacing - baseline);
        pango_cairo_show_layout (cr, layout);
      }
  g_object_unref (layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_autoptr (LecternImage) page = lectern_image_new (W, H);
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      page->pixels[(gsize) y * W + x] = data[(gsize) y * stride + 4 * x + 1];
  cairo_surface_destroy (surface);

  g_autoptr (GError) error = NULL;
  g_autoptr (LecternDocument) doc = lectern_segment_page (page, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  g_assert_cmpuint (lines->len, ==, 1 + 2 * n);
  for (guint i = 0; i < lines->len; i++)
    {
      int x0, y0, x1, y1;
      g_assert_true (lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1));
      double mid_y = (y0 + y1) / 2.0;
      if (i == 0)
        {
          /* the heading, over the gutter */
          g_assert_cmpint (x0, <, gutter_x0);
          g_assert_cmpint (x1, >, gutter_x1);
          g_assert_cmpfloat (fabs (mid_y - 0.85 * spacing), <, 0.4 * spacing);
          continue;
        }
      int side = (i - 1) / n, row = (i - 1) % n;
      if (side == 0)
        g_assert_cmpint (x1, <, gutter_x0 + 0.1 * spacing);
      else
        g_assert_cmpint (x0, >, gutter_x1 - 0.1 * spacing);
      g_assert_cmpfloat (fabs (mid_y - (row + 3 - 0.15) * spacing), <, 0.4 * spacing);
    }
}

/* ---- pages with things beside the text ------------------------------------------------------- */

/* A page of `n` lines of text starting at x0, one every `spacing` pixels from 2 · spacing down;
 * the caller draws what else the page has on `cr` before text_page_finish. */
typedef struct {
  int              W, H;
  double           spacing, x0;
  guint            n;
  ExpectedLine     lines[10];
  cairo_surface_t *surface;
  cairo_t         *cr;
} TextPage;

static void
text_page_start (TextPage *tp, int W, int H, double spacing, double x0, guint n)
{
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (tp->lines));
  tp->W = W;
  tp->H = H;
  tp->spacing = spacing;
  tp->x0 = x0;
  tp->n = n;
  tp->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  tp->cr = cairo_create (tp->surface);
  cairo_set_source_rgb (tp->cr, 1, 1, 1);
  cairo_paint (tp->cr);
  PangoLayout *layout = layout_in_font (tp->cr, "DejaVu Serif", 0.45 * spacing);
  double baseline = pango_layout_get_baseline (layout) / (double) PANGO_SCALE;
  cairo_set_source_rgb (tp->cr, 0.1, 0.1, 0.15);
  for (guint i = 0; i < n; i++)
    {
      pango_layout_set_text (layout, sample_text[i % G_N_ELEMENTS (sample_text)], -1);
      PangoRectangle ink;
      pango_layout_get_pixel_extents (layout, &ink, NULL);
      double base_y = (i + 2) * spacing;
      cairo_move_to (tp->cr, x0 - ink.x, base_y - baseline);
      pango_cairo_show_layout (tp->cr, layout);
      tp->lines[i].x0 = x0;
      tp->lines[i].x1 = x0 + ink.width;
      tp->lines[i].base_y = base_y;
    }
  g_object_unref (layout);
}

static LecternImage *
text_page_finish (TextPage *tp)
{
  cairo_destroy (tp->cr);
  cairo_surface_flush (tp->surface);
  LecternImage *page = lectern_image_new (tp->W, tp->H);
  const guint8 *data = cairo_image_surface_get_data (tp->surface);
  int stride = cairo_image_surface_get_stride (tp->surface);
  for (int y = 0; y < tp->H; y++)
    for (int x = 0; x < tp->W; x++)
      page->pixels[(gsize) y * tp->W + x] = data[(gsize) y * stride + 4 * x + 1];
  cairo_surface_destroy (tp->surface);
  return page;
}

/* Segments page (the test fails on an error) and logs each line's box; *doc holds the lines. */
static GPtrArray *
segment_lines (const LecternImage *page,
               LecternDocument   **doc)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *lines;

  *doc = lectern_segment_page (page, NULL, NULL, &error);
  g_assert_no_error (error);
  lines = lectern_document_lines (*doc);
  for (guint i = 0; i < lines->len; i++)
    {
      int x0, y0, x1, y1;
      g_assert_true (lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1));
      g_test_message ("line %u: x %d–%d y %d–%d", i, x0, x1, y0, y1);
    }
  return lines;
}

/* Segments the page and checks that it has just the text's lines, top to bottom, each
 * beginning where its text begins (nothing beside it strung onto it) and at its height. */
static void
check_text_lines_only (const TextPage *tp, const LecternImage *page)
{
  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, tp->n);
  for (guint i = 0; i < lines->len; i++)
    {
      int x0, y0, x1, y1;
      lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1);
      g_assert_cmpfloat (fabs (x0 - tp->lines[i].x0), <, 0.3 * tp->spacing);
      g_assert_cmpfloat (fabs (x1 - tp->lines[i].x1), <, 0.3 * tp->spacing);
      g_assert_cmpfloat (fabs (polyline_y_at (((LecternLine *) lines->pdata[i])->baseline,
                                              (x0 + x1) / 2.0) - tp->lines[i].base_y),
                         <, 0.2 * tp->spacing);
    }
}

/* A seal pressed beside the text, close to it: a ring, lettering round it, and inside a
 * picture that binarises into a crowd of specks and fine strokes. It gives no line, and the
 * lines beside it do not reach into it. */
static void
test_seal_beside_text (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1500, spacing, 520, 9);
  cairo_t *cr = tp.cr;
  double cx = tp.x0 - 1.7 * spacing, cy = 4.6 * spacing, r = 1.4 * spacing;
  cairo_set_source_rgb (cr, 0.35, 0.35, 0.4);
  cairo_set_line_width (cr, 3);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_stroke (cr);
  /* lettering round the ring */
  PangoLayout *layout = layout_in_font (cr, "DejaVu Sans Bold", 0.16 * spacing);
  const char *lettering = "REPUBLIQUE FRANCAISE TIMBRE";
  for (int k = 0; lettering[k]; k++)
    {
      double a = G_PI + k * 1.6 * G_PI / strlen (lettering);
      char letter[2] = { lettering[k], 0 };
      cairo_save (cr);
      cairo_translate (cr, cx + 0.82 * r * cos (a), cy + 0.82 * r * sin (a));
      cairo_rotate (cr, a + G_PI / 2);
      pango_layout_set_text (layout, letter, -1);
      cairo_move_to (cr, 0, 0);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
    }
  g_object_unref (layout);
  /* the picture: specks, short hatching strokes */
  LecternRng rng;
  lectern_rng_init (&rng, 11);
  cairo_set_line_width (cr, 2);
  for (int k = 0; k < 700; k++)
    {
      double rr = 0.62 * r * sqrt (lectern_rng_uniform (&rng));
      double a = 2 * G_PI * lectern_rng_uniform (&rng);
      double x = cx + rr * cos (a), y = cy + rr * sin (a);
      if (k % 3 == 0)
        {
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + 0.06 * spacing, y + 0.04 * spacing);
          cairo_stroke (cr);
        }
      else
        {
          cairo_rectangle (cr, x, y, 0.04 * spacing, 0.04 * spacing);
          cairo_fill (cr);
        }
    }
  g_autoptr (LecternImage) page = text_page_finish (&tp);
  check_text_lines_only (&tp, page);
}

/* A stamp's lettering turned on its side in the margin, beside the lines: it gives no line and
 * is not strung onto the lines it crosses. */
static void
test_text_running_down (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1500, spacing, 560, 9);
  cairo_t *cr = tp.cr;
  PangoLayout *layout = layout_in_font (cr, "DejaVu Sans Bold", 0.3 * spacing);
  const char *columns[] = { "Signed by us, the judge for the President",
                            "of the Civil Court of the Seine, Paris" };
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.35);
  for (guint k = 0; k < G_N_ELEMENTS (columns); k++)
    {
      cairo_save (cr);
      cairo_translate (cr, tp.x0 - (1.0 - 0.4 * k) * spacing, 2.4 * spacing);
      cairo_rotate (cr, G_PI / 2);
      pango_layout_set_text (layout, columns[k], -1);
      cairo_move_to (cr, 0, 0);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
    }
  g_object_unref (layout);
  g_autoptr (LecternImage) page = text_page_finish (&tp);
  check_text_lines_only (&tp, page);
}

/* Pen loops drawn round the text that run through its words, one round the paragraph through
 * letters of its first and last lines, one round the word that ends it: the loops give no
 * line, and the words they touch stay in theirs. */
static void
test_loop_through_words (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1500, spacing, 200, 8);
  cairo_t *cr = tp.cr;
  double right = 0;
  for (guint i = 0; i < tp.n; i++)
    right = MAX (right, tp.lines[i].x1);
  /* the word that ends the text, alone on its line, with a loop of its own */
  ExpectedLine *last = &tp.lines[tp.n];
  last->base_y = (tp.n + 2) * spacing;
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
  write_word (cr, 0.45 * spacing, "health.", tp.x0, FALSE, last->base_y, &last->x0, &last->x1);

  cairo_set_source_rgb (cr, 0.4, 0.4, 0.45);
  cairo_set_line_width (cr, 2.5);
  struct { double x0, x1, y0, y1; } loops[] = {
    /* through the middle of the first and last lines' letters */
    { tp.x0 - 0.4 * spacing, right + 0.4 * spacing,
      tp.lines[0].base_y - 0.12 * spacing, tp.lines[tp.n - 1].base_y - 0.12 * spacing },
    /* round the last word, through its first and last letters, up to the line above */
    { last->x0 + 0.1 * spacing, last->x1 - 0.1 * spacing,
      last->base_y - 1.1 * spacing, last->base_y + 0.6 * spacing },
  };
  for (guint k = 0; k < G_N_ELEMENTS (loops); k++)
    {
      cairo_new_path (cr);
      cairo_save (cr);
      cairo_translate (cr, (loops[k].x0 + loops[k].x1) / 2, (loops[k].y0 + loops[k].y1) / 2);
      cairo_scale (cr, (loops[k].x1 - loops[k].x0) / 2, (loops[k].y1 - loops[k].y0) / 2);
      cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
      cairo_restore (cr);
      cairo_stroke (cr);
    }
  tp.n++;
  g_autoptr (LecternImage) page = text_page_finish (&tp);
  check_text_lines_only (&tp, page);
}

/* A number written in the margin in front of a line, a word's gap from it: it is a line of
 * its own (a marginal note), and the line begins where its text does. */
static void
test_note_in_margin (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1400, spacing, 420, 9);
  cairo_t *cr = tp.cr;
  guint row = 4;
  double note_x0, note_x1;
  write_word (cr, 0.45 * spacing, "No 1275", tp.x0 - 0.45 * spacing, TRUE, tp.lines[row].base_y,
              &note_x0, &note_x1);
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (GError) error = NULL;
  g_autoptr (LecternDocument) doc = lectern_segment_page (page, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  g_assert_cmpuint (lines->len, ==, tp.n + 1);
  gboolean note_found = FALSE, line_found = FALSE;
  for (guint i = 0; i < lines->len; i++)
    {
      int x0, y0, x1, y1;
      g_assert_true (lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1));
      g_test_message ("line %u: x %d–%d y %d–%d", i, x0, x1, y0, y1);
      if (y1 < tp.lines[row].base_y - 0.5 * tp.spacing || y0 > tp.lines[row].base_y)
        continue;
      if (fabs (x0 - note_x0) < 0.3 * tp.spacing && fabs (x1 - note_x1) < 0.3 * tp.spacing)
        note_found = TRUE;
      if (fabs (x0 - tp.x0) < 0.3 * tp.spacing && fabs (x1 - tp.lines[row].x1) < 0.3 * tp.spacing)
        line_found = TRUE;
    }
  g_assert_true (note_found);
  g_assert_true (line_found);
}

/* A filing label pencilled small into the top corner, beside the first line, and a folio mark
 * beside a line lower down (an archive's notes, in a hand two thirds the size of the text's):
 * they give no lines, and the lines beside them begin where their text does. */
static void
test_small_note_in_margin (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1400, spacing, 420, 9);
  cairo_t *cr = tp.cr;
  double x0, x1;
  write_word (cr, 0.3 * spacing, "Page unique", 40, FALSE, tp.lines[0].base_y - 0.3 * spacing,
              &x0, &x1);
  write_word (cr, 0.3 * spacing, "f° 12", tp.x0 - 0.6 * spacing, TRUE, tp.lines[5].base_y,
              &x0, &x1);
  g_autoptr (LecternImage) page = text_page_finish (&tp);
  check_text_lines_only (&tp, page);
}

/* A form's printed header above the handwriting: two lines of small print, closer together than
 * half the hand's line spacing, across the page. They are two lines, each at its own height, not
 * one through both; the text's lines below are found as they are. */
static void
test_small_print_header (void)
{
  static const char *const header[] = {
    "I have read the conditions of participation and I consent to them. I understand that my manuscript "
    "will be made anonymous and used",
    "for research and development, and that it may also be published and shared under an open licence "
    "for any purpose, commercial or not.",
  };
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1300, spacing, 200, 8);
  double header_base[2] = { 0.8 * spacing, 0.8 * spacing + 0.2 * spacing };
  PangoLayout *layout = layout_in_font (tp.cr, "DejaVu Sans", 0.15 * spacing);
  double baseline = pango_layout_get_baseline (layout) / (double) PANGO_SCALE;
  for (guint i = 0; i < 2; i++)
    {
      pango_layout_set_text (layout, header[i], -1);
      PangoRectangle ink;
      pango_layout_get_pixel_extents (layout, &ink, NULL);
      g_assert_cmpint (ink.width, >, 9 * spacing);
      cairo_move_to (tp.cr, 120 - ink.x, header_base[i] - baseline);
      pango_cairo_show_layout (tp.cr, layout);
    }
  g_object_unref (layout);
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, tp.n + 2);
  for (guint i = 0; i < lines->len; i++)
    {
      int x0, y0, x1, y1;
      lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1);
      double base = polyline_y_at (((LecternLine *) lines->pdata[i])->baseline, (x0 + x1) / 2.0);
      double expected = i < 2 ? header_base[i] : tp.lines[i - 2].base_y;
      /* each header line on its own baseline, the text's lines as they were */
      g_assert_cmpfloat (fabs (base - expected), <, i < 2 ? 0.06 * spacing : 0.2 * spacing);
      g_assert_cmpint (x1 - x0, >, (i < 2 ? 9 : 2) * spacing);
    }
}

/* Short lines among long ones (a paragraph's last word or two, then the next paragraph): all
 * are read in order from the top, none left for after the others. */
static void
test_short_lines_in_order (void)
{
  static const char *const text[] = {
    "Lectern reads the lines of a page from the top",
    "down to the foot of the page, one after the",
    "other, and a",
    "short line that ends a paragraph is read where",
    "it stands, before the next paragraph begins",
    "below it,",
    "and so on to the last line of all at the foot",
    "of the page.",
  };
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1500, 1200, spacing, 200, 0);
  cairo_set_source_rgb (tp.cr, 0.1, 0.1, 0.15);
  double base[G_N_ELEMENTS (text)];
  for (guint i = 0; i < G_N_ELEMENTS (text); i++)
    {
      double x0, x1;
      base[i] = (i + 2) * spacing;
      write_word (tp.cr, 0.45 * spacing, text[i], 200, FALSE, base[i], &x0, &x1);
    }
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, G_N_ELEMENTS (text));
  for (guint i = 0; i < lines->len; i++)
    {
      int x0, y0, x1, y1;
      lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1);
      double y = polyline_y_at (((LecternLine *) lines->pdata[i])->baseline, (x0 + x1) / 2.0);
      g_assert_cmpfloat (fabs (y - base[i]), <, 0.2 * spacing);
    }
  /* and in one region: they are one text */
  g_assert_cmpuint (doc->regions->len, ==, 1);
}

/* The share of the dark pixels of page in the box x0…x1 × y0…y1 that lie inside polygon. */
static double
ink_inside (const LecternImage *page, const GArray *polygon, int x0, int x1, int y0, int y1)
{
  int ox, oy;
  g_autoptr (LecternImage) cut = lectern_image_cut_polygon (page, (const LecternPoint *) polygon->data,
                                                            polygon->len, &ox, &oy);
  guint dark = 0, inside = 0;
  for (int y = MAX (y0, 0); y <= MIN (y1, page->height - 1); y++)
    for (int x = MAX (x0, 0); x <= MIN (x1, page->width - 1); x++)
      {
        if (page->pixels[(gsize) y * page->width + x] >= 128)
          continue;
        dark++;
        if (cut != NULL && x >= ox && x < ox + cut->width && y >= oy && y < oy + cut->height
            && cut->pixels[(gsize) (y - oy) * cut->width + (x - ox)] < 128)
          inside++;
      }
  g_assert_cmpuint (dark, >, 0);
  return inside / (double) dark;
}

/* A loop of a handwritten letter: an upright ellipse from baseline y_from to y_to at x. */
static void
draw_letter_loop (cairo_t *cr, double x, double y_from, double y_to, double width)
{
  cairo_new_path (cr);
  cairo_save (cr);
  cairo_translate (cr, x, (y_from + y_to) / 2);
  cairo_scale (cr, width / 2, fabs (y_to - y_from) / 2);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
  cairo_stroke (cr);
}

/* Handwriting's proportions: lines 3.5 x-heights apart, loops of l, b, h rising 2.6 x-heights
 * above the baseline and of g, j, q hanging 1.6 below. A line's polygon holds its loops whole
 * where the neighbour's writing leaves room for them (the recognizer reads a line cut through
 * its loops worse), and none of the neighbours' own letters. */
static void
test_ascenders_descenders_whole (void)
{
  const double size = 60, xh = 0.52 * size, spacing = 3.5 * xh;
  const char *const text = "nous avons vu ce mur en mars, nous"; /* x-height letters only */
  TextPage tp;
  text_page_start (&tp, 1700, 900, spacing, 150, 0);
  cairo_t *cr = tp.cr;
  tp.n = 5;
  for (guint i = 0; i < tp.n; i++)
    {
      ExpectedLine *e = &tp.lines[i];
      e->base_y = 2.5 * spacing + i * spacing;
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
      write_word (cr, size, text, tp.x0, FALSE, e->base_y, &e->x0, &e->x1);
      cairo_set_line_width (cr, 3);
      for (int k = 0; k < 8; k++)
        {
          double x = e->x0 + (k + 0.5) * (e->x1 - e->x0) / 8;
          if (i == 1)
            draw_letter_loop (cr, x, e->base_y, e->base_y - 2.6 * xh, 0.4 * xh);
          else if (i == 3)
            draw_letter_loop (cr, x, e->base_y - xh, e->base_y + 1.6 * xh, 0.4 * xh);
        }
    }
  g_autoptr (LecternImage) page = text_page_finish (&tp);
  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, tp.n);

  const GArray *loops_up = ((LecternLine *) lines->pdata[1])->polygon;
  const GArray *loops_down = ((LecternLine *) lines->pdata[3])->polygon;
  const int x0 = (int) tp.x0 - 5, x1 = (int) tp.lines[1].x1 + 5;
  /* line 1: everything from just below line 0's letters down to its own baseline */
  double held = ink_inside (page, loops_up, x0, x1, (int) tp.lines[0].base_y + 3,
                            (int) tp.lines[1].base_y + 1);
  g_test_message ("rising loops inside their line: %.1f %%", 100 * held);
  g_assert_cmpfloat (held, >, 0.98);
  /* line 3: everything from its x-height down to just above line 4's letters */
  held = ink_inside (page, loops_down, x0, x1, (int) (tp.lines[3].base_y - xh),
                     (int) (tp.lines[4].base_y - xh - 3));
  g_test_message ("hanging loops inside their line: %.1f %%", 100 * held);
  g_assert_cmpfloat (held, >, 0.98);
  /* and the neighbours' letters outside */
  double stray = ink_inside (page, loops_up, x0, x1, (int) (tp.lines[0].base_y - xh),
                             (int) tp.lines[0].base_y);
  g_test_message ("line 0's letters inside line 1: %.1f %%", 100 * stray);
  g_assert_cmpfloat (stray, <, 0.02);
  stray = ink_inside (page, loops_down, x0, x1, (int) (tp.lines[4].base_y - xh),
                      (int) tp.lines[4].base_y);
  g_test_message ("line 4's letters inside line 3: %.1f %%", 100 * stray);
  g_assert_cmpfloat (stray, <, 0.02);
}

/* A curl drawn above the first line, over one of its words (a capital's flourish, a loop the
 * writer began the word with), over a line spacing wide and about two thirds of a line spacing
 * above that line's middle: it is part of that line, not a line of its own. */
static void
test_curl_above_line (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1400, spacing, 200, 8);
  cairo_t *cr = tp.cr;
  double cx = tp.x0 + 0.6 * (tp.lines[0].x1 - tp.x0), cy = tp.lines[0].base_y - 0.8 * spacing;
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
  cairo_set_line_width (cr, 5);
  cairo_new_path (cr);
  /* a spiral of a turn and a half, wider than tall */
  for (int k = 0; k <= 90; k++)
    {
      double a = 3 * G_PI * k / 90.0, r = 0.15 + 0.85 * k / 90.0;
      double x = cx + 0.8 * spacing * r * cos (a), y = cy + 0.22 * spacing * r * sin (a);
      if (k == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  g_autoptr (LecternImage) page = text_page_finish (&tp);
  check_text_lines_only (&tp, page);
}

/* A heading set in from the text whose first letter begins with a large loop drawn up and to
 * the left of it, reaching over its first letter (the loop of a D): the ridge picks the loop up
 * on its own, close above the heading's, but it is part of the heading, not a line. */
static void
test_loop_before_heading (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1400, spacing, 300, 8);
  cairo_t *cr = tp.cr;
  /* the first line becomes a heading */
  ExpectedLine *heading = &tp.lines[0];
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, heading->base_y - 0.8 * spacing, tp.W, 1.0 * spacing);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
  write_word (cr, 0.45 * spacing, "My Last Will and Wishes", 550, FALSE, heading->base_y,
              &heading->x0, &heading->x1);
  /* the loop: an ellipse 1.3 line spacings wide and 0.6 tall, its middle 0.6 line spacings
   * above the baseline, reaching a fifth of a line spacing over the first letter */
  cairo_set_line_width (cr, 4);
  cairo_save (cr);
  cairo_translate (cr, heading->x0 - 0.45 * spacing, heading->base_y - 0.6 * spacing);
  cairo_scale (cr, 0.65 * spacing, 0.3 * spacing);
  cairo_new_path (cr);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
  cairo_stroke (cr);
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, tp.n);
  for (guint i = 0; i < lines->len; i++)
    {
      int x0, y0, x1, y1;
      lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1);
      g_assert_cmpfloat (fabs (polyline_y_at (((LecternLine *) lines->pdata[i])->baseline,
                                              (x0 + x1) / 2.0) - tp.lines[i].base_y),
                         <, 0.2 * tp.spacing);
    }
}

/* A signature under the text, apart from it: a name whose first letter's stroke rises well
 * above the line and whose last letter's tail falls well below it. A word or two gives too few
 * letters for an x-height to say how tall the writing is, so the polygon of such a short line
 * holds all its ink, flourishes too (a band of the x-height's proportions would cut them off,
 * and ground truth draws the line round them). */
static void
test_signature_flourish (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1500, spacing, 200, 7);
  cairo_t *cr = tp.cr;
  ExpectedLine *sig = &tp.lines[tp.n];
  sig->base_y = tp.lines[tp.n - 1].base_y + 2.5 * spacing;
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
  write_word (cr, 0.45 * spacing, "Verdier", 900, FALSE, sig->base_y, &sig->x0, &sig->x1);
  /* the flourishes: from the first letter's foot up over the name, and a letter's tail down
   * below it */
  double top = sig->base_y - 0.85 * spacing, bottom = sig->base_y + 0.55 * spacing;
  double mid = (sig->x0 + sig->x1) / 2;
  cairo_set_line_width (cr, 4);
  cairo_move_to (cr, sig->x0 + 2, sig->base_y - 2);
  cairo_curve_to (cr, sig->x0 - 0.2 * spacing, top, mid, top, sig->x1 - 0.1 * spacing, top);
  cairo_stroke (cr);
  cairo_move_to (cr, mid, sig->base_y - 2);
  cairo_curve_to (cr, mid + 0.1 * spacing, sig->base_y + 0.2 * spacing,
                  mid, bottom, mid - 0.25 * spacing, bottom);
  cairo_stroke (cr);
  tp.n++;
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, tp.n);
  int x0, y0, x1, y1;
  g_assert_true (lectern_line_bbox (lines->pdata[tp.n - 1], &x0, &y0, &x1, &y1));
  g_test_message ("signature: x %d–%d y %d–%d; its ink y %.0f–%.0f", x0, x1, y0, y1, top, bottom);
  g_assert_cmpfloat (fabs (x0 - sig->x0), <, 0.5 * spacing);
  g_assert_cmpfloat (y0, <=, top + 0.15 * spacing);
  g_assert_cmpfloat (y1, >=, bottom - 0.15 * spacing);
  /* ... and no further than its ink */
  g_assert_cmpfloat (y0, >=, top - 0.3 * spacing);
  g_assert_cmpfloat (y1, <=, bottom + 0.3 * spacing);
}

/* Below the text: a signature in the same hand, then, well below it, a few short lines in a
 * hand twice as large (an office's registration entry, a filing note). With three such lines or
 * more they are an addition to the page and give no lines; the signature stays. With two (a
 * large signature and a date, say) nothing is dropped. */
static void
check_addition_below_text (guint n_added)
{
  static const char *const added[] = { "9 fr 38", "Reçu", "le 12 juin", "Bureau 2" };
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 2500, spacing, 200, 7);
  cairo_t *cr = tp.cr;
  ExpectedLine *sig = &tp.lines[tp.n];
  sig->base_y = tp.lines[tp.n - 1].base_y + 2 * spacing;
  write_word (cr, 0.45 * spacing, "Verdier", 900, FALSE, sig->base_y, &sig->x0, &sig->x1);
  tp.n++;
  g_assert_cmpuint (n_added, <=, G_N_ELEMENTS (added));
  for (guint i = 0; i < n_added; i++)
    {
      double x0, x1;
      write_word (cr, 0.9 * spacing, added[i], 700 + 100 * (i % 2), FALSE,
                  sig->base_y + (3 + 2 * i) * spacing, &x0, &x1);
    }
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  if (n_added >= 3)
    {
      check_text_lines_only (&tp, page);
      return;
    }
  g_assert_cmpuint (lines->len, ==, tp.n + n_added);
}

static void
test_addition_below_text (void)
{
  check_addition_below_text (4);
}

static void
test_two_large_lines_below_text (void)
{
  check_addition_below_text (2);
}

/* A signature under the text, in the text's size, rising at 12° as signatures do: it is a line
 * (a line of text running that steeply would not be). */
static void
test_rising_signature (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1500, spacing, 200, 7);
  cairo_t *cr = tp.cr;
  double base_y = tp.lines[tp.n - 1].base_y + 2.5 * spacing, x0, x1;
  cairo_save (cr);
  cairo_translate (cr, 900, base_y);
  cairo_rotate (cr, -12 * G_PI / 180);
  write_word (cr, 0.45 * spacing, "L. Verdier", 0, FALSE, 0, &x0, &x1);
  cairo_restore (cr);
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, tp.n + 1);
  int sx0, sy0, sx1, sy1;
  g_assert_true (lectern_line_bbox (lines->pdata[tp.n], &sx0, &sy0, &sx1, &sy1));
  double end_x = 900 + x1 * cos (12 * G_PI / 180), end_y = base_y - x1 * sin (12 * G_PI / 180);
  g_assert_cmpfloat (fabs (sx0 - 900.0), <, 0.3 * spacing);
  g_assert_cmpfloat (fabs (sx1 - end_x), <, 0.3 * spacing);
  g_assert_cmpfloat (sy0, <, end_y);
  g_assert_cmpfloat (sy1, >, base_y - 0.2 * spacing);
}

/* A signature under the text (2.4 line spacings below its last line) whose capital's
 * upstroke, a hairline, rises high above the name and broke into specks on the way: the upper
 * ones are too far from the name's ridge to be given to it and belong to no other line. They are
 * the signature's own strokes: its polygon reaches up to them, past halfway to the line above,
 * which has no writing coming down there. */
static void
test_signature_broken_upstroke (void)
{
  TextPage tp;
  const double spacing = 110;
  text_page_start (&tp, 1700, 1600, spacing, 200, 7);
  cairo_t *cr = tp.cr;
  ExpectedLine *sig = &tp.lines[tp.n];
  sig->base_y = tp.lines[tp.n - 1].base_y + 2.4 * spacing;
  /* under the start of the last line, "under the", which has no descenders */
  write_word (cr, 0.45 * spacing, "Verdier", 260, FALSE, sig->base_y, &sig->x0, &sig->x1);
  /* the hairline from the capital's foot up to 1.75 line spacings above the baseline, in five
   * dashes with gaps of a quarter of their length between them */
  double rise = 1.75 * spacing, top = sig->base_y - rise;
  double foot_x = sig->x0 + 0.15 * spacing, top_x = sig->x0 + 0.5 * spacing;
  cairo_set_line_width (cr, 3);
  for (int k = 0; k < 5; k++)
    {
      double t0 = 0.2 * k + 0.04, t1 = 0.2 * (k + 1);
      cairo_move_to (cr, foot_x + t0 * (top_x - foot_x), sig->base_y - t0 * rise);
      cairo_line_to (cr, foot_x + t1 * (top_x - foot_x), sig->base_y - t1 * rise);
      cairo_stroke (cr);
    }
  tp.n++;
  g_autoptr (LecternImage) page = text_page_finish (&tp);

  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (GPtrArray) lines = segment_lines (page, &doc);
  g_assert_cmpuint (lines->len, ==, tp.n);
  int x0, y0, x1, y1;
  g_assert_true (lectern_line_bbox (lines->pdata[tp.n - 1], &x0, &y0, &x1, &y1));
  g_test_message ("signature: x %d–%d y %d–%d; its upstroke's top at y %.0f", x0, x1, y0, y1, top);
  g_assert_cmpfloat (fabs (x0 - sig->x0), <, 0.3 * spacing);
  g_assert_cmpfloat (fabs (x1 - sig->x1), <, 0.3 * spacing);
  g_assert_cmpfloat (y0, <=, top + 0.15 * spacing);
  g_assert_cmpfloat (y0, >=, top - 0.3 * spacing);
  /* the line above keeps its own band */
  int ax0, ay0, ax1, ay1;
  g_assert_true (lectern_line_bbox (lines->pdata[tp.n - 2], &ax0, &ay0, &ax1, &ay1));
  g_assert_cmpfloat (fabs (ay1 - (tp.lines[tp.n - 2].base_y + 0.15 * spacing)), <, 0.2 * spacing);
}

static void
test_blank_and_bad_pages (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternImage) blank = lectern_image_new (800, 1000);
  g_autoptr (LecternDocument) doc = lectern_segment_page (blank, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lectern_document_n_lines (doc), ==, 0);

  g_autoptr (LecternImage) tiny = lectern_image_new (3, 3);
  g_autoptr (LecternDocument) none = lectern_segment_page (tiny, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);

  ExpectedLine expected[10];
  g_autoptr (LecternImage) page = draw_page (800, 1000, 80, 0, 8, expected);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_autoptr (LecternDocument) cancelled = lectern_segment_page (page, NULL, cancel, &error);
  g_assert_null (cancelled);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED);
}

static void
count_progress (double fraction, gpointer data)
{
  double *last = data;
  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_progress (void)
{
  ExpectedLine expected[10];
  g_autoptr (LecternImage) page = draw_page (800, 1000, 80, 0, 8, expected);
  LecternSegmentOptions opts;
  lectern_segment_options_init (&opts);
  double last = 0;
  opts.progress = count_progress;
  opts.progress_data = &last;
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternDocument) doc = lectern_segment_page (page, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);
  g_assert_cmpuint (lectern_document_n_lines (doc), ==, 8);
}

/* ---- IoU and matching ------------------------------------------------------------------------- */

static void
rect (LecternPoint *p, int x0, int y0, int x1, int y1)
{
  p[0] = (LecternPoint) { x0, y0 };
  p[1] = (LecternPoint) { x1, y0 };
  p[2] = (LecternPoint) { x1, y1 };
  p[3] = (LecternPoint) { x0, y1 };
}

static void
test_iou (void)
{
  LecternPoint a[4], b[4], c[4];
  rect (a, 0, 0, 100, 40);
  rect (b, 50, 0, 150, 40);           /* half of a: 2000 / 6000 */
  rect (c, 200, 0, 300, 40);
  for (int cell = 1; cell <= 4; cell *= 2)
    {
      g_assert_cmpfloat_with_epsilon (lectern_polygon_iou (a, 4, a, 4, cell), 1.0, 1e-9);
      g_assert_cmpfloat_with_epsilon (lectern_polygon_iou (a, 4, b, 4, cell), 1.0 / 3, 0.02);
      g_assert_cmpfloat (lectern_polygon_iou (a, 4, c, 4, cell), ==, 0);
    }
  /* a triangle is half of its box; the even-odd rule and orientation do not matter */
  LecternPoint tri[3] = { { 0, 0 }, { 100, 0 }, { 0, 100 } };
  LecternPoint tri_rev[3] = { { 0, 100 }, { 100, 0 }, { 0, 0 } };
  LecternPoint box[4];
  rect (box, 0, 0, 100, 100);
  g_assert_cmpfloat_with_epsilon (lectern_polygon_iou (tri, 3, box, 4, 1), 0.5, 0.02);
  g_assert_cmpfloat_with_epsilon (lectern_polygon_iou (tri_rev, 3, tri, 3, 1), 1.0, 1e-9);
  /* a concave U holds nothing in its notch */
  LecternPoint u[8] = { { 0, 0 }, { 30, 0 }, { 30, 60 }, { 70, 60 }, { 70, 0 }, { 100, 0 },
                        { 100, 100 }, { 0, 100 } };
  LecternPoint notch[4];
  rect (notch, 35, 5, 65, 55);
  g_assert_cmpfloat (lectern_polygon_iou (u, 8, notch, 4, 1), ==, 0);
  /* degenerate shapes have no area */
  g_assert_cmpfloat (lectern_polygon_iou (a, 2, a, 4, 1), ==, 0);
  LecternPoint flat[4] = { { 0, 5 }, { 100, 5 }, { 100, 5 }, { 0, 5 } };
  g_assert_cmpfloat (lectern_polygon_iou (flat, 4, a, 4, 1), ==, 0);
}

static void
add_rect_line (LecternRegion *region, int x0, int y0, int x1, int y1)
{
  LecternLine *line = lectern_region_add_line (region, NULL);
  g_array_set_size (line->polygon, 4);
  rect ((LecternPoint *) line->polygon->data, x0, y0, x1, y1);
}

static void
test_matching (void)
{
  g_autoptr (LecternDocument) gt = lectern_document_new ("page.png", 1000, 1000);
  LecternRegion *gr = lectern_document_add_region (gt, NULL);
  for (int i = 0; i < 5; i++)
    add_rect_line (gr, 100, 100 + 100 * i, 900, 150 + 100 * i);

  g_autoptr (LecternDocument) pred = lectern_document_new ("page.png", 1000, 1000);
  LecternRegion *pr = lectern_document_add_region (pred, NULL);
  add_rect_line (pr, 100, 100, 900, 150);       /* exact */
  add_rect_line (pr, 120, 205, 880, 255);       /* shifted a little: IoU ≈ 0.85 */
  add_rect_line (pr, 100, 300, 450, 350);       /* line 3 split in two: each IoU < 0.5 */
  add_rect_line (pr, 550, 300, 900, 350);
  add_rect_line (pr, 100, 400, 900, 550);       /* lines 4 and 5 merged: IoU 1/3 with each */
  add_rect_line (pr, 100, 700, 900, 750);       /* nothing there */

  LecternSegevalScore score;
  g_autoptr (GArray) matches = g_array_new (FALSE, FALSE, sizeof (LecternSegevalMatch));
  lectern_segeval_compare (pred, gt, 0.5, 1, &score, matches);
  g_assert_cmpuint (score.n_gt, ==, 5);
  g_assert_cmpuint (score.n_pred, ==, 6);
  g_assert_cmpuint (score.n_matched, ==, 2);
  g_assert_cmpuint (matches->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (score.precision, 2.0 / 6, 1e-9);
  g_assert_cmpfloat_with_epsilon (score.recall, 2.0 / 5, 1e-9);
  g_assert_cmpfloat_with_epsilon (score.f1, 2 * (2.0 / 6) * (2.0 / 5) / (2.0 / 6 + 2.0 / 5), 1e-9);
  for (guint i = 0; i < matches->len; i++)
    {
      LecternSegevalMatch *m = &g_array_index (matches, LecternSegevalMatch, i);
      g_assert_cmpuint (m->gt, ==, m->pred);   /* lines 0 and 1 found by predictions 0 and 1 */
      g_assert_cmpfloat (m->iou, >=, 0.5);
    }

  /* in the same order: no inversions among the matched lines (one pair) */
  g_assert_cmpuint (score.order_pairs, ==, 1);
  g_assert_cmpuint (score.order_inversions, ==, 0);

  /* reading order: five lines read 2, 0, 1, 4, 3 — line 2 before 0 and 1, 4 before 3 */
  g_autoptr (LecternDocument) shuffled = lectern_document_new ("page.png", 1000, 1000);
  LecternRegion *sr = lectern_document_add_region (shuffled, NULL);
  static const int order[] = { 2, 0, 1, 4, 3 };
  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    add_rect_line (sr, 100, 100 + 100 * order[k], 900, 150 + 100 * order[k]);
  lectern_segeval_compare (shuffled, gt, 0.5, 1, &score, NULL);
  g_assert_cmpuint (score.n_matched, ==, 5);
  g_assert_cmpuint (score.order_pairs, ==, 10);
  g_assert_cmpuint (score.order_inversions, ==, 3);

  /* one prediction covering two identical truths is matched once */
  g_autoptr (LecternDocument) twice = lectern_document_new ("page.png", 1000, 1000);
  LecternRegion *tr = lectern_document_add_region (twice, NULL);
  add_rect_line (tr, 100, 100, 900, 150);
  add_rect_line (tr, 100, 100, 900, 150);
  lectern_segeval_compare (pred, twice, 0.5, 1, &score, NULL);
  g_assert_cmpuint (score.n_matched, ==, 1);

  /* totals add counts, not rates */
  LecternSegevalScore total = { 0 }, a = { 0 }, b = { 0 };
  a.n_pred = 10, a.n_gt = 10, a.n_matched = 10, a.order_pairs = 45, a.order_inversions = 2;
  b.n_pred = 30, b.n_gt = 10, b.n_matched = 0;
  lectern_segeval_score_add (&total, &a);
  lectern_segeval_score_add (&total, &b);
  g_assert_cmpuint (total.order_pairs, ==, 45);
  g_assert_cmpuint (total.order_inversions, ==, 2);
  g_assert_cmpfloat_with_epsilon (total.precision, 10.0 / 40, 1e-9);
  g_assert_cmpfloat_with_epsilon (total.recall, 10.0 / 20, 1e-9);

  /* nothing to find and nothing found */
  g_autoptr (LecternDocument) empty = lectern_document_new ("page.png", 1000, 1000);
  lectern_segeval_compare (empty, empty, 0.5, 4, &score, NULL);
  g_assert_cmpfloat (score.precision, ==, 1.0);
  g_assert_cmpfloat (score.recall, ==, 1.0);
}

/* Main-text regions: PAGE types and SegmOnto zones written beside the text are left out, the
 * rest (and regions without a type) kept, in order. */
static void
test_main_text (void)
{
  g_assert_true (lectern_segeval_is_main_text (NULL));
  g_assert_true (lectern_segeval_is_main_text ("paragraph"));
  g_assert_true (lectern_segeval_is_main_text ("heading"));
  g_assert_true (lectern_segeval_is_main_text ("MainZone"));
  g_assert_true (lectern_segeval_is_main_text ("MainZone:column#1"));
  g_assert_true (lectern_segeval_is_main_text ("margin"));
  g_assert_false (lectern_segeval_is_main_text ("marginalia"));
  g_assert_false (lectern_segeval_is_main_text ("page-number"));
  g_assert_false (lectern_segeval_is_main_text ("catch-word"));
  g_assert_false (lectern_segeval_is_main_text ("MarginTextZone"));
  g_assert_false (lectern_segeval_is_main_text ("margintextzone:note"));
  g_assert_false (lectern_segeval_is_main_text ("NumberingZone#2"));
  g_assert_false (lectern_segeval_is_main_text ("StampZone"));

  g_autoptr (LecternDocument) doc = lectern_document_new ("page.png", 1000, 1000);
  const char *types[] = { "paragraph", "marginalia", NULL, "StampZone", "heading" };
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      LecternRegion *region = lectern_document_add_region (doc, NULL);
      region->type = g_strdup (types[i]);
      add_rect_line (region, 100, 100 + 100 * i, 900, 150 + 100 * i);
    }
  g_autoptr (LecternDocument) main_text = lectern_segeval_main_text (doc);
  g_assert_cmpuint (main_text->regions->len, ==, 3);
  g_assert_cmpstr (((LecternRegion *) main_text->regions->pdata[0])->type, ==, "paragraph");
  g_assert_null (((LecternRegion *) main_text->regions->pdata[1])->type);
  g_assert_cmpstr (((LecternRegion *) main_text->regions->pdata[2])->type, ==, "heading");
  g_assert_cmpuint (lectern_document_n_lines (main_text), ==, 3);
  g_assert_cmpuint (lectern_document_n_lines (doc), ==, 5);   /* the original is untouched */
}

/* ---- real pages ------------------------------------------------------------------------------- */

/* F1 of line detection reached on each set when this test was last tuned, less a small margin,
 * and the pairs of lines read in another order than the ground truth's, plus a few: a
 * regression guard, not the goal. */
typedef struct {
  const char *folder;     /* under data/real */
  double      min_f1;
  guint       max_inversions;
} RealSet;

static void
test_real_set (gconstpointer data)
{
  const RealSet *set = data;
  g_autofree char *dir = lectern_test_shared_path ("data", "real", set->folder, NULL);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  LecternSegevalScore total = { 0 };
  const char *name;
  guint pages = 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (!g_str_has_suffix (name, ".xml"))
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (LecternDocument) gt = lectern_document_load (path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (gt->image_path);
      g_autoptr (LecternImage) page = lectern_image_load (gt->image_path, &error);
      g_assert_no_error (error);
      g_autoptr (LecternDocument) pred = lectern_segment_page (page, NULL, NULL, &error);
      g_assert_no_error (error);
      LecternSegevalScore score;
      lectern_segeval_compare (pred, gt, 0.5, 4, &score, NULL);
      g_test_message ("%s/%s: gt %u pred %u matched %u F1 %.3f, order inversions %"
                      G_GUINT64_FORMAT, set->folder, name, score.n_gt, score.n_pred,
                      score.n_matched, score.f1, score.order_inversions);
      lectern_segeval_score_add (&total, &score);
      pages++;
    }
  g_assert_cmpuint (pages, >, 0);
  g_test_message ("%s: P %.3f R %.3f F1 %.3f (at least %.2f required), order inversions %"
                  G_GUINT64_FORMAT " (at most %u)", set->folder, total.precision, total.recall,
                  total.f1, set->min_f1, total.order_inversions, set->max_inversions);
  g_assert_cmpfloat (total.f1, >=, set->min_f1);
  g_assert_cmpuint (total.order_inversions, <=, set->max_inversions);
}

/* reached: copiste 0.973 (its four imp_ pages begin with two printed lines of consent above the
 * handwriting, which their ground truth leaves out and Lectern finds, each line alone), poilus
 * 0.959 (its ground truth has only the will's own lines and leaves out the archivists' notes,
 * registration blocks and dates written on the page), kraken-es 0.966, kant 0.972. Reading
 * order: copiste 21, poilus 5, kraken-es 16, kant 0 inversions, where the ground truth reads a
 * page label last, a margin note first, or a lower line before the one above it (copiste 100,
 * poilus 51 and kant 17 when a paragraph's short last line was read after the page) */
static const RealSet real_sets[] = {
  { "copiste", 0.97, 25 },
  { "poilus", 0.95, 8 },
  { "kraken-es", 0.92, 20 },
  { "kant-1784/OCR-D-GT-PAGE", 0.94, 2 },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Segment/synthetic-straight", test_synthetic_straight);
  g_test_add_func ("/Lectern/Segment/synthetic-skewed", test_synthetic_skewed);
  g_test_add_func ("/Lectern/Segment/two-columns", test_two_columns);
  g_test_add_func ("/Lectern/Segment/seal-beside-text", test_seal_beside_text);
  g_test_add_func ("/Lectern/Segment/text-running-down", test_text_running_down);
  g_test_add_func ("/Lectern/Segment/loop-through-words", test_loop_through_words);
  g_test_add_func ("/Lectern/Segment/note-in-margin", test_note_in_margin);
  g_test_add_func ("/Lectern/Segment/small-note-in-margin", test_small_note_in_margin);
  g_test_add_func ("/Lectern/Segment/small-print-header", test_small_print_header);
  g_test_add_func ("/Lectern/Segment/short-lines-in-order", test_short_lines_in_order);
  g_test_add_func ("/Lectern/Segment/curl-above-line", test_curl_above_line);
  g_test_add_func ("/Lectern/Segment/ascenders-descenders-whole", test_ascenders_descenders_whole);
  g_test_add_func ("/Lectern/Segment/loop-before-heading", test_loop_before_heading);
  g_test_add_func ("/Lectern/Segment/signature-flourish", test_signature_flourish);
  g_test_add_func ("/Lectern/Segment/addition-below-text", test_addition_below_text);
  g_test_add_func ("/Lectern/Segment/two-large-lines-below-text", test_two_large_lines_below_text);
  g_test_add_func ("/Lectern/Segment/rising-signature", test_rising_signature);
  g_test_add_func ("/Lectern/Segment/signature-broken-upstroke", test_signature_broken_upstroke);
  g_test_add_func ("/Lectern/Segment/blank-and-bad-pages", test_blank_and_bad_pages);
  g_test_add_func ("/Lectern/Segment/progress", test_progress);
  g_test_add_func ("/Lectern/Segeval/iou", test_iou);
  g_test_add_func ("/Lectern/Segeval/matching", test_matching);
  g_test_add_func ("/Lectern/Segeval/main-text", test_main_text);
  for (gsize i = 0; i < G_N_ELEMENTS (real_sets); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Lectern/Segment/real/%s", real_sets[i].folder);
      g_test_add_data_func (path, &real_sets[i], test_real_set);
    }
  return g_test_run ();
}
