/* test-ui-heatmap.c — the heat-map renderer (ui/lectern-heatmap-render.c) and
 * `lectern-cli heatmap`: viridis, each direction's activations painted in its panel over the
 * line-image rectangles its cells cover, the posterior strip's rows and the decoded characters
 * under their frames, errors, and the command line writing the same picture. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <cairo.h>
#include <glib/gstdio.h>

#include "error.h"
#include "lectern-heatmap-render.h"
#include "model.h"
#include "network.h"

static char *tmp_dir;

/* A recognition made by hand: one layer of H × W cells of cell_w × cell_h line pixels, D units
 * per direction, h(direction, unit, r, q) given by value(). */
static double
known_value (int direction,
             int unit,
             int r,
             int q)
{
  double v = 0.25 * direction + 0.1 * r + 0.02 * q;
  return unit == 0 ? v : -v;
}

static LecternRecognition *
make_recognition (int    H,
                  int    W,
                  int    D,
                  double cell_w,
                  double cell_h)
{
  LecternRecognition *rec = g_new0 (LecternRecognition, 1);
  LecternLayerMap *map = &rec->layers[0];

  rec->text = g_strdup ("");
  rec->n_layers = 1;
  map->H = H;
  map->W = W;
  map->D = D;
  map->cell_w = cell_w;
  map->cell_h = cell_h;
  map->h = g_new0 (float, (gsize) H * W * 4 * D);
  for (int r = 0; r < H; r++)
    for (int q = 0; q < W; q++)
      for (int d = 0; d < 4; d++)
        for (int u = 0; u < D; u++)
          map->h[((gsize) r * W + q) * 4 * D + (gsize) d * D + u] = known_value (d, u, r, q);
  return rec;
}

static LecternImage *
make_line (int width,
           int height,
           guint8 grey)
{
  LecternImage *line = lectern_image_new (width, height);
  memset (line->pixels, grey, (gsize) width * height);
  return line;
}

/* Renders the figure onto white and returns the surface. */
static cairo_surface_t *
render (const LecternHeatmapOptions *options,
        LecternHeatmapLayout        *layout)
{
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;

  g_assert_true (lectern_heatmap_layout (options, layout, &error));
  g_assert_no_error (error);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) layout->width,
                                        (int) layout->height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  lectern_heatmap_draw (cr, options, layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static guint32
pixel (cairo_surface_t *surface,
       double           x,
       double           y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  g_assert_cmpint ((int) x, >=, 0);
  g_assert_cmpint ((int) y, >=, 0);
  g_assert_cmpint ((int) x, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint ((int) y, <, cairo_image_surface_get_height (surface));
  return ((const guint32 *) (data + (gsize) (int) y * stride))[(int) x] & 0xffffff;
}

static guint32
viridis_rgb (double t)
{
  double r, g, b;

  lectern_viridis (t, &r, &g, &b);
  return ((guint32) lround (r * 255) << 16) | ((guint32) lround (g * 255) << 8)
         | (guint32) lround (b * 255);
}

static void
assert_colour_near (guint32 colour,
                    guint32 expected,
                    int     tolerance)
{
  for (int shift = 0; shift < 24; shift += 8)
    {
      int a = (colour >> shift) & 0xff;
      int b = (expected >> shift) & 0xff;
      if (ABS (a - b) > tolerance)
        g_error ("colour %06x is not %06x (±%d)", colour, expected, tolerance);
    }
}

static void
test_viridis (void)
{
  double previous = -1;

  /* The published end points and middle of viridis. */
  assert_colour_near (viridis_rgb (0), 0x440154, 1);
  assert_colour_near (viridis_rgb (0.5), 0x21908d, 2);
  assert_colour_near (viridis_rgb (1), 0xfde725, 1);
  /* Out of range values are clamped. */
  assert_colour_near (viridis_rgb (-3), 0x440154, 1);
  assert_colour_near (viridis_rgb (7), 0xfde725, 1);
  assert_colour_near (viridis_rgb (NAN), 0x440154, 1);

  /* Lightness rises all the way: what makes the map readable in grey. */
  for (int i = 0; i <= 64; i++)
    {
      double r, g, b, luma;
      lectern_viridis (i / 64.0, &r, &g, &b);
      luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      g_assert_cmpfloat (luma, >, previous);
      previous = luma;
    }
}

static void
test_cell_value (void)
{
  g_autoptr(LecternRecognition) rec = make_recognition (2, 3, 2, 10, 8);
  const LecternLayerMap *map = &rec->layers[0];

  for (int d = 0; d < 4; d++)
    for (int r = 0; r < 2; r++)
      for (int q = 0; q < 3; q++)
        {
          g_assert_cmpfloat_with_epsilon (lectern_heatmap_cell_value (map, r, q, d, 0),
                                          known_value (d, 0, r, q), 1e-6);
          g_assert_cmpfloat_with_epsilon (lectern_heatmap_cell_value (map, r, q, d, 1),
                                          known_value (d, 1, r, q), 1e-6);
          /* unit 1 is minus unit 0: the mean is 0 */
          g_assert_cmpfloat_with_epsilon (lectern_heatmap_cell_value (map, r, q, d,
                                                                      LECTERN_HEATMAP_UNIT_MEAN),
                                          0, 1e-6);
        }
  g_assert_cmpstr (lectern_heatmap_direction_arrow (0), ==, "↘");
  g_assert_cmpstr (lectern_heatmap_direction_arrow (3), ==, "↖");
  g_assert_cmpstr (lectern_heatmap_direction_arrow (4), ==, "?");
}

/* Every cell of every panel has the colour of its value where the layout says it is. */
static void
check_cells (cairo_surface_t             *surface,
             const LecternHeatmapOptions *options,
             const LecternHeatmapLayout  *layout)
{
  const LecternLayerMap *map = &options->recognition->layers[options->layer];

  for (int p = 0; p < layout->n_panels; p++)
    for (int r = 0; r < map->H; r++)
      for (int q = 0; q < map->W; q++)
        {
          int d = layout->panel_direction[p];
          double v = known_value (d, options->unit, r, q);
          double t = (v - layout->value_min) / (layout->value_max - layout->value_min);
          double x = layout->panels[p].x + (q + 0.5) * map->cell_w * options->scale;
          double y = layout->panels[p].y + (r + 0.5) * map->cell_h * options->scale;

          assert_colour_near (pixel (surface, x, y), viridis_rgb (t), 2);
        }
}

static void
test_directions (void)
{
  g_autoptr(LecternRecognition) rec = make_recognition (2, 3, 2, 10, 8);
  g_autoptr(LecternImage) line = make_line (30, 16, 255);
  LecternHeatmapOptions options;
  LecternHeatmapLayout layout;
  cairo_surface_t *surface;
  double v_min = G_MAXDOUBLE, v_max = -G_MAXDOUBLE;

  lectern_heatmap_options_init (&options);
  options.line = line;
  options.recognition = rec;
  options.unit = 0;
  options.direction = LECTERN_HEATMAP_ALL_DIRECTIONS;
  options.scale = 2;
  options.opacity = 1;
  options.class_rows = 0;

  surface = render (&options, &layout);

  /* Four panels, the line image's size at scale 2, each in the corner its scan starts from. */
  g_assert_cmpint (layout.n_panels, ==, 4);
  for (int p = 0; p < 4; p++)
    {
      g_assert_cmpint (layout.panel_direction[p], ==, p);
      g_assert_cmpfloat (layout.panels[p].width, ==, 60);
      g_assert_cmpfloat (layout.panels[p].height, ==, 32);
    }
  g_assert_cmpfloat (layout.panels[1].x, >, layout.panels[0].x + 60);   /* ↙ right of ↘ */
  g_assert_cmpfloat (layout.panels[1].y, ==, layout.panels[0].y);
  g_assert_cmpfloat (layout.panels[2].x, ==, layout.panels[0].x);       /* ↗ below ↘ */
  g_assert_cmpfloat (layout.panels[2].y, >, layout.panels[0].y + 32);
  g_assert_cmpfloat (layout.panels[3].x, ==, layout.panels[1].x);       /* ↖ bottom right */
  g_assert_cmpfloat (layout.panels[3].y, ==, layout.panels[2].y);
  g_assert_cmpint (layout.n_class_rows, ==, 0);

  /* One scale for all four: the smallest and largest value shown. */
  for (int d = 0; d < 4; d++)
    for (int r = 0; r < 2; r++)
      for (int q = 0; q < 3; q++)
        {
          v_min = MIN (v_min, known_value (d, 0, r, q));
          v_max = MAX (v_max, known_value (d, 0, r, q));
        }
  g_assert_cmpfloat_with_epsilon (layout.value_min, v_min, 1e-6);
  g_assert_cmpfloat_with_epsilon (layout.value_max, v_max, 1e-6);

  check_cells (surface, &options, &layout);
  /* The colour bar runs from the lowest colour to the highest. */
  assert_colour_near (pixel (surface, layout.colour_bar.x + 1, layout.colour_bar.y + 6),
                      viridis_rgb (0), 6);
  assert_colour_near (pixel (surface, layout.colour_bar.x + layout.colour_bar.width - 1,
                             layout.colour_bar.y + 6), viridis_rgb (1), 6);
  cairo_surface_destroy (surface);

  /* One direction, the other unit: one panel, its own scale. */
  options.unit = 1;
  options.direction = 2;
  surface = render (&options, &layout);
  g_assert_cmpint (layout.n_panels, ==, 1);
  g_assert_cmpint (layout.panel_direction[0], ==, 2);
  g_assert_cmpfloat_with_epsilon (layout.value_max, -known_value (2, 0, 0, 0), 1e-6);
  g_assert_cmpfloat_with_epsilon (layout.value_min, -known_value (2, 0, 1, 2), 1e-6);
  check_cells (surface, &options, &layout);
  cairo_surface_destroy (surface);
}

/* Half opacity over a grey line: each cell is the blend of its colour and the grey. */
static void
test_overlay_blends_with_image (void)
{
  g_autoptr(LecternRecognition) rec = make_recognition (1, 2, 1, 7, 5);
  g_autoptr(LecternImage) line = make_line (14, 5, 100);
  LecternHeatmapOptions options;
  LecternHeatmapLayout layout;
  cairo_surface_t *surface;

  lectern_heatmap_options_init (&options);
  options.line = line;
  options.recognition = rec;
  options.unit = 0;
  options.direction = 0;
  options.scale = 3;
  options.opacity = 0.5;
  options.class_rows = 0;
  surface = render (&options, &layout);

  for (int q = 0; q < 2; q++)
    {
      double t = (known_value (0, 0, 0, q) - layout.value_min)
                 / (layout.value_max - layout.value_min);
      guint32 colour = viridis_rgb (t);
      guint32 expected = 0;

      for (int shift = 0; shift < 24; shift += 8)
        expected |= (guint32) lround (0.5 * ((colour >> shift) & 0xff) + 0.5 * 100) << shift;
      assert_colour_near (pixel (surface, layout.panels[0].x + (q + 0.5) * 7 * 3,
                                 layout.panels[0].y + 7), expected, 3);
    }
  cairo_surface_destroy (surface);
}

/* T frames, classes blank a b c; "abc" read from frames 2–3, 6 and 9–10. */
static LecternRecognition *
make_posteriors (void)
{
  static const int starts[] = { 2, 6, 9 };
  static const int ends[] = { 3, 6, 10 };
  LecternRecognition *rec = make_recognition (1, 12, 1, 5, 16);
  const int T = 12, C = 4;

  g_free (rec->text);
  rec->text = g_strdup ("abc");
  rec->n_chars = 3;
  rec->T = T;
  rec->C = C;
  rec->frame_w = 5;
  rec->posteriors = g_new0 (float, T * C);
  for (int t = 0; t < T; t++)
    rec->posteriors[t * C] = 1.0f;
  rec->frame_start = g_new (int, 3);
  rec->frame_end = g_new (int, 3);
  for (int i = 0; i < 3; i++)
    {
      rec->frame_start[i] = starts[i];
      rec->frame_end[i] = ends[i];
      for (int t = starts[i]; t <= ends[i]; t++)
        {
          rec->posteriors[t * C] = 0.1f;
          rec->posteriors[t * C + 1 + i] = 0.9f;
        }
    }
  return rec;
}

static void
test_posterior_strip (void)
{
  g_autoptr(LecternRecognition) rec = make_posteriors ();
  g_autoptr(LecternImage) line = make_line (60, 16, 255);
  g_autoptr(LecternCharset) charset = lectern_charset_new ();
  LecternHeatmapOptions options;
  LecternHeatmapLayout layout;
  cairo_surface_t *surface;
  int strip_bottom;
  int text_top;
  int text_bottom;

  lectern_charset_add (charset, 'a');
  lectern_charset_add (charset, 'b');
  lectern_charset_add (charset, 'c');

  lectern_heatmap_options_init (&options);
  options.line = line;
  options.recognition = rec;
  options.charset = charset;
  options.direction = 0;
  options.scale = 2;
  options.class_rows = 8;
  surface = render (&options, &layout);

  /* Rows: the blank, then a b c in the order of the frames where they peak. */
  g_assert_cmpint (layout.n_class_rows, ==, 4);
  for (int row = 0; row < 4; row++)
    g_assert_cmpint (layout.class_rows[row], ==, row);
  g_assert_cmpfloat (layout.frame_width, ==, 10);
  g_assert_cmpfloat (layout.posteriors.width, ==, 120);
  /* The strip starts where the line image starts, so frames sit under the columns they read. */
  g_assert_cmpfloat (layout.posteriors.x, ==, layout.panels[0].x);
  g_assert_cmpfloat (layout.text_row.x, ==, layout.panels[0].x);

  /* Each cell has the colour of its probability. */
  for (int row = 0; row < 4; row++)
    for (int t = 0; t < 12; t++)
      {
        double x = layout.posteriors.x + (t + 0.5) * layout.frame_width;
        double y = layout.posteriors.y + (row + 0.5) * layout.posteriors.height / 4;
        assert_colour_near (pixel (surface, x, y), viridis_rgb (rec->posteriors[t * 4 + row]), 2);
      }

  /* Each character under the frames it was read from. */
  strip_bottom = (int) (layout.posteriors.y + layout.posteriors.height);
  text_top = (int) layout.text_row.y + 3;
  text_bottom = (int) (layout.text_row.y + layout.text_row.height);
  g_assert_cmpint (text_top, >, strip_bottom);
  for (guint i = 0; i < 3; i++)
    {
      double x0, x1;
      gboolean inked = FALSE;

      lectern_heatmap_char_extent (&options, &layout, i, &x0, &x1);
      g_assert_cmpfloat (x0, ==, layout.text_row.x + rec->frame_start[i] * 10);
      g_assert_cmpfloat (x1, ==, layout.text_row.x + (rec->frame_end[i] + 1) * 10);
      for (int y = text_top; y < text_bottom && !inked; y++)
        for (int x = (int) x0; x < (int) x1 && !inked; x++)
          inked = (pixel (surface, x, y) & 0xff) < 100;
      g_assert_true (inked);
    }
  /* …and no ink outside those spans. */
  for (int y = text_top; y < text_bottom; y++)
    for (int x = (int) layout.text_row.x; x < (int) (layout.text_row.x + layout.text_row.width);
         x++)
      {
        gboolean inside = FALSE;
        for (guint i = 0; i < 3; i++)
          {
            double x0, x1;
            lectern_heatmap_char_extent (&options, &layout, i, &x0, &x1);
            inside |= x >= x0 - 1 && x <= x1 + 1;
          }
        if (!inside)
          g_assert_cmpint (pixel (surface, x, y) & 0xff, >=, 100);
      }
  cairo_surface_destroy (surface);
}

static void
test_invalid (void)
{
  g_autoptr(LecternRecognition) rec = make_recognition (2, 3, 2, 10, 8);
  g_autoptr(LecternRecognition) bare = g_new0 (LecternRecognition, 1);
  g_autoptr(LecternImage) line = make_line (30, 16, 255);
  LecternHeatmapOptions options;
  LecternHeatmapLayout layout;
  struct {
    int         layer, unit, direction;
    double      scale;
    const char *words;
  } cases[] = {
    { 1, 0, 0, 1, "no layer 2" },
    { 0, 2, 0, 1, "no unit 3" },
    { 0, 0, 4, 1, "no direction 4" },
    { 0, 0, 0, 0, "scale" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      lectern_heatmap_options_init (&options);
      options.line = line;
      options.recognition = rec;
      options.layer = cases[i].layer;
      options.unit = cases[i].unit;
      options.direction = cases[i].direction;
      options.scale = cases[i].scale;
      g_assert_false (lectern_heatmap_layout (&options, &layout, &error));
      g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].words));
    }

  /* A recognition made without LECTERN_RECOGNIZE_ACTIVATIONS has nothing to draw. */
  {
    g_autoptr(GError) error = NULL;
    bare->text = g_strdup ("");
    lectern_heatmap_options_init (&options);
    options.line = line;
    options.recognition = bare;
    g_assert_false (lectern_heatmap_layout (&options, &layout, &error));
    g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  }
}

static void
test_save_png (void)
{
  g_autoptr(LecternRecognition) rec = make_posteriors ();
  g_autoptr(LecternImage) line = make_line (60, 16, 200);
  g_autofree char *path = g_build_filename (tmp_dir, "figure.png", NULL);
  g_autofree char *bad_path = g_build_filename (tmp_dir, "no-such-folder", "figure.png", NULL);
  g_autoptr(GError) error = NULL;
  LecternHeatmapOptions options;
  LecternHeatmapLayout layout;
  cairo_surface_t *png;

  lectern_heatmap_options_init (&options);
  options.line = line;
  options.recognition = rec;
  options.scale = 1.5;
  g_assert_true (lectern_heatmap_layout (&options, &layout, NULL));
  g_assert_true (lectern_heatmap_save_png (&options, path, &error));
  g_assert_no_error (error);

  png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, (int) layout.width);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, (int) layout.height);
  cairo_surface_destroy (png);

  g_assert_false (lectern_heatmap_save_png (&options, bad_path, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);
}

/* Runs lectern-cli with args; returns its exit status. */
static int
run_cli (const char * const *args,
         char              **err)
{
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "app", "lectern-cli", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  /* Its output must not mix with this test's TAP. */
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, err,
                &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* The command line draws what the renderer draws for the same recognition. */
static void
test_cli (void)
{
  g_autofree char *model_path = g_build_filename (tmp_dir, "tiny.lectern", NULL);
  g_autofree char *line_path = g_build_filename (tmp_dir, "line.png", NULL);
  g_autofree char *out_path = g_build_filename (tmp_dir, "cli.png", NULL);
  g_autoptr(LecternCharset) charset = lectern_charset_new ();
  g_autoptr(LecternModel) model = NULL;
  g_autoptr(LecternRecognizer) recognizer = NULL;
  g_autoptr(LecternRecognition) rec = NULL;
  g_autoptr(LecternImage) line = lectern_image_new (120, 32);
  g_autoptr(GError) error = NULL;
  LecternHeatmapOptions options;
  LecternHeatmapLayout layout;
  LecternArch arch;
  cairo_surface_t *png;
  g_autofree char *err = NULL;

  for (const char *c = "abcdefgh "; *c != '\0'; c++)
    lectern_charset_add (charset, *c);
  g_assert_true (lectern_arch_parse (&arch, "h32 t2x2 l2 s2x2x4 l4", &error));
  g_assert_no_error (error);
  arch.n_classes = lectern_charset_size (charset);
  model = lectern_model_new_random (&arch, charset, 7);
  g_assert_true (lectern_model_save (model, model_path, &error));
  for (int x = 10; x < 110; x += 9)
    for (int y = 8; y < 24; y++)
      line->pixels[y * 120 + x] = 20;
  g_assert_true (lectern_image_save_png (line, line_path, &error));

  {
    const char *args[] = { "heatmap", "--model", model_path, "--layer", "2", "--unit", "mean",
                           "--direction", "all", "--scale", "2", line_path, "-o", out_path, NULL };
    g_assert_cmpint (run_cli (args, &err), ==, 0);
  }

  recognizer = lectern_recognizer_new (g_steal_pointer (&model));
  rec = lectern_recognizer_recognize (recognizer, line, LECTERN_RECOGNIZE_ACTIVATIONS
                                      | LECTERN_RECOGNIZE_BEST_PATH, &error);
  g_assert_no_error (error);
  lectern_heatmap_options_init (&options);
  options.line = line;
  options.recognition = rec;
  options.charset = lectern_recognizer_get_model (recognizer)->charset;
  options.layer = 1;
  options.scale = 2;
  g_assert_true (lectern_heatmap_layout (&options, &layout, NULL));

  png = cairo_image_surface_create_from_png (out_path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, (int) layout.width);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, (int) layout.height);
  /* The centre of the first cell of ↘ has that cell's colour (opacity 0.7 over the line). */
  {
    const LecternLayerMap *map = &rec->layers[1];
    double v = lectern_heatmap_cell_value (map, 0, 0, 0, LECTERN_HEATMAP_UNIT_MEAN);
    guint32 colour = viridis_rgb ((v - layout.value_min) / (layout.value_max - layout.value_min));
    double x = layout.panels[0].x + 0.5 * map->cell_w * 2;
    double y = layout.panels[0].y + 0.5 * map->cell_h * 2;
    guint32 under = pixel (png, x, y);
    guint8 grey = line->pixels[(int) (0.5 * map->cell_h) * 120 + (int) (0.5 * map->cell_w)];
    guint32 expected = 0;

    for (int shift = 0; shift < 24; shift += 8)
      expected |= (guint32) lround (0.7 * ((colour >> shift) & 0xff) + 0.3 * grey) << shift;
    assert_colour_near (under, expected, 4);
  }
  cairo_surface_destroy (png);

  /* Bad arguments: a usage error, and no picture. */
  {
    const char *no_unit[] = { "heatmap", "--model", model_path, "--unit", "many", line_path,
                              "-o", out_path, NULL };
    const char *no_layer[] = { "heatmap", "--model", model_path, "--layer", "9", line_path,
                               "-o", out_path, NULL };
    const char *no_output[] = { "heatmap", "--model", model_path, line_path, NULL };
    const char *no_file[] = { "heatmap", "--model", model_path, "/nonexistent/line.png", "-o",
                              out_path, NULL };
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (no_unit, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--unit"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (no_layer, &err), ==, 2);
    g_assert_nonnull (strstr (err, "no layer 9"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (no_output, &err), ==, 2);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (no_file, &err), ==, 1);
    g_assert_nonnull (strstr (err, "/nonexistent/line.png"));
  }

  g_unlink (model_path);
  g_unlink (line_path);
  g_unlink (out_path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("lectern-test-heatmap-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/Lectern/Heatmap/viridis", test_viridis);
  g_test_add_func ("/Lectern/Heatmap/cell-value", test_cell_value);
  g_test_add_func ("/Lectern/Heatmap/directions", test_directions);
  g_test_add_func ("/Lectern/Heatmap/overlay-blends-with-image", test_overlay_blends_with_image);
  g_test_add_func ("/Lectern/Heatmap/posterior-strip", test_posterior_strip);
  g_test_add_func ("/Lectern/Heatmap/invalid", test_invalid);
  g_test_add_func ("/Lectern/Heatmap/save-png", test_save_png);
  g_test_add_func ("/Lectern/Heatmap/cli", test_cli);

  status = g_test_run ();

  {
    g_autofree char *figure = g_build_filename (tmp_dir, "figure.png", NULL);
    g_unlink (figure);
    g_rmdir (tmp_dir);
  }
  g_free (tmp_dir);
  return status;
}
