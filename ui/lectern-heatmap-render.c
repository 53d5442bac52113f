/* lectern-heatmap-render.c — heat maps of MDLSTM activations and the CTC posterior strip
 * (see lectern-heatmap-render.h). */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "error.h"
#include "lectern-heatmap-render.h"

/* Figure geometry, in figure pixels. */
#define MARGIN            10.0
#define LABEL_WIDTH       52.0   /* left column: posterior row labels */
#define TITLE_HEIGHT      18.0   /* above each panel: its direction, layer and unit */
#define PANEL_GAP         14.0
#define SECTION_GAP       12.0
#define COLOUR_BAR_WIDTH  256.0
#define COLOUR_BAR_HEIGHT 12.0
#define TICK_HEIGHT       16.0   /* the values under the colour bar */
#define CLASS_ROW_HEIGHT  13.0
#define TEXT_ROW_HEIGHT   32.0   /* two staggered rows of characters */
#define TEXT_LINE_HEIGHT  14.0
#define FONT_PIXELS       11.0

/* Viridis (van der Walt, Smith & Firing, 2015; CC0) at nine evenly spaced points of its
 * published 256-entry table, 0 to 1; colours in between are interpolated linearly, which stays
 * within a couple of levels of the full table. */
static const guint8 viridis_anchors[][3] = {
  {  68,   1,  84 },
  {  71,  44, 122 },
  {  59,  81, 139 },
  {  44, 113, 142 },
  {  33, 144, 141 },
  {  39, 173, 129 },
  {  92, 200,  99 },
  { 170, 220,  50 },
  { 253, 231,  37 },
};

void
lectern_viridis (double  t,
                 double *red,
                 double *green,
                 double *blue)
{
  const int last = G_N_ELEMENTS (viridis_anchors) - 1;
  double position;
  double f;
  int i;

  if (isnan (t))
    t = 0;
  t = CLAMP (t, 0.0, 1.0);
  position = t * last;
  i = MIN ((int) floor (position), last - 1);
  f = position - i;

  *red = ((1 - f) * viridis_anchors[i][0] + f * viridis_anchors[i + 1][0]) / 255.0;
  *green = ((1 - f) * viridis_anchors[i][1] + f * viridis_anchors[i + 1][1]) / 255.0;
  *blue = ((1 - f) * viridis_anchors[i][2] + f * viridis_anchors[i + 1][2]) / 255.0;
}

const char *
lectern_heatmap_direction_arrow (int direction)
{
  static const char * const arrows[] = { "↘", "↙", "↗", "↖" };

  if (direction < 0 || direction >= LECTERN_HEATMAP_N_DIRECTIONS)
    return "?";
  return arrows[direction];
}

double
lectern_heatmap_cell_value (const LecternLayerMap *map,
                            int                    row,
                            int                    col,
                            int                    direction,
                            int                    unit)
{
  const float *cell;
  double sum = 0;

  g_return_val_if_fail (map != NULL && map->h != NULL, 0);
  g_return_val_if_fail (row >= 0 && row < map->H && col >= 0 && col < map->W, 0);
  g_return_val_if_fail (direction >= 0 && direction < LECTERN_HEATMAP_N_DIRECTIONS, 0);

  /* H × W × 4D: the four directions side by side per cell */
  cell = map->h + ((gsize) row * map->W + col) * 4 * map->D + (gsize) direction * map->D;
  if (unit != LECTERN_HEATMAP_UNIT_MEAN)
    return cell[unit];

  for (int u = 0; u < map->D; u++)
    sum += cell[u];
  return map->D > 0 ? sum / map->D : 0;
}

void
lectern_heatmap_options_init (LecternHeatmapOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->layer = 0;
  options->unit = LECTERN_HEATMAP_UNIT_MEAN;
  options->direction = LECTERN_HEATMAP_ALL_DIRECTIONS;
  options->scale = 1.0;
  options->opacity = 0.7;
  options->class_rows = 8;
}

static void
set_rect (LecternHeatmapRect *rect,
          double              x,
          double              y,
          double              width,
          double              height)
{
  rect->x = x;
  rect->y = y;
  rect->width = width;
  rect->height = height;
}

typedef struct {
  int   cls;
  float peak;        /* highest posterior over the frames */
  int   peak_frame;
} ClassPeak;

static int
compare_peaks_descending (gconstpointer a,
                          gconstpointer b)
{
  const ClassPeak *pa = a, *pb = b;

  if (pa->peak != pb->peak)
    return pa->peak > pb->peak ? -1 : 1;
  return pa->cls - pb->cls;
}

static int
compare_peak_frames (gconstpointer a,
                     gconstpointer b)
{
  const ClassPeak *pa = a, *pb = b;

  if (pa->peak_frame != pb->peak_frame)
    return pa->peak_frame - pb->peak_frame;
  return pa->cls - pb->cls;
}

/* The rows of the posterior strip: the blank first, then the classes whose highest posterior
 * is largest, in the order of the frame where each peaks (so that the rows read like the line). */
static int
choose_class_rows (const LecternRecognition *rec,
                   int                       wanted,
                   int                      *rows)
{
  g_autofree ClassPeak *peaks = NULL;
  int n_other;

  wanted = MIN (wanted, LECTERN_HEATMAP_MAX_CLASS_ROWS);
  wanted = MIN (wanted, rec->C);
  if (wanted <= 0)
    return 0;

  peaks = g_new0 (ClassPeak, rec->C);
  for (int c = 0; c < rec->C; c++)
    {
      peaks[c].cls = c;
      peaks[c].peak = -1;
      for (int t = 0; t < rec->T; t++)
        {
          float p = rec->posteriors[(gsize) t * rec->C + c];
          if (p > peaks[c].peak)
            {
              peaks[c].peak = p;
              peaks[c].peak_frame = t;
            }
        }
    }

  rows[0] = 0;
  n_other = MIN (wanted - 1, rec->C - 1);
  qsort (peaks + 1, rec->C - 1, sizeof *peaks, compare_peaks_descending);
  qsort (peaks + 1, n_other, sizeof *peaks, compare_peak_frames);
  for (int i = 0; i < n_other; i++)
    rows[1 + i] = peaks[1 + i].cls;
  return 1 + n_other;
}

gboolean
lectern_heatmap_layout (const LecternHeatmapOptions *options,
                        LecternHeatmapLayout        *layout,
                        GError                     **error)
{
  const LecternRecognition *rec;
  const LecternLayerMap *map;
  double line_width, line_height;
  double x0, y, right;
  gboolean first = TRUE;

  g_return_val_if_fail (options != NULL && layout != NULL, FALSE);

  memset (layout, 0, sizeof *layout);
  rec = options->recognition;

  if (options->line == NULL || options->line->width < 1 || options->line->height < 1)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID, _("The line image is empty"));
      return FALSE;
    }
  if (rec == NULL || rec->n_layers < 1 || rec->layers[0].h == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("The recognition kept no activations to draw"));
      return FALSE;
    }
  if (options->layer < 0 || options->layer >= rec->n_layers)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("There is no layer %d: the model has layers 1 to %d"),
                   options->layer + 1, rec->n_layers);
      return FALSE;
    }
  map = &rec->layers[options->layer];
  if (map->h == NULL || map->H < 1 || map->W < 1 || map->D < 1
      || !(map->cell_w > 0) || !(map->cell_h > 0))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("Layer %d has no activations to draw"), options->layer + 1);
      return FALSE;
    }
  if (options->unit != LECTERN_HEATMAP_UNIT_MEAN && (options->unit < 0 || options->unit >= map->D))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("There is no unit %d in layer %d: it has units 1 to %d"),
                   options->unit + 1, options->layer + 1, map->D);
      return FALSE;
    }
  if (options->direction != LECTERN_HEATMAP_ALL_DIRECTIONS
      && (options->direction < 0 || options->direction >= LECTERN_HEATMAP_N_DIRECTIONS))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("There is no direction %d: directions are 0 to 3 (↘ ↙ ↗ ↖)"),
                   options->direction);
      return FALSE;
    }
  if (!(options->scale > 0) || options->scale > 64)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   _("The scale must be above 0 and at most 64"));
      return FALSE;
    }

  line_width = options->line->width * options->scale;
  line_height = options->line->height * options->scale;
  x0 = MARGIN + LABEL_WIDTH;
  y = MARGIN;

  /* The panels: one, or a 2 × 2 grid with each direction in the corner its scan starts from
   * (↘ top-left, ↙ top-right, ↗ bottom-left, ↖ bottom-right). */
  if (options->direction == LECTERN_HEATMAP_ALL_DIRECTIONS)
    {
      layout->n_panels = LECTERN_HEATMAP_N_DIRECTIONS;
      for (int d = 0; d < LECTERN_HEATMAP_N_DIRECTIONS; d++)
        {
          int column = d & 1;
          int row = d >> 1;

          layout->panel_direction[d] = d;
          set_rect (&layout->panels[d],
                    x0 + column * (line_width + PANEL_GAP),
                    y + TITLE_HEIGHT + row * (line_height + PANEL_GAP + TITLE_HEIGHT),
                    line_width, line_height);
        }
      y += 2 * (TITLE_HEIGHT + line_height) + PANEL_GAP;
      right = x0 + 2 * line_width + PANEL_GAP;
    }
  else
    {
      layout->n_panels = 1;
      layout->panel_direction[0] = options->direction;
      set_rect (&layout->panels[0], x0, y + TITLE_HEIGHT, line_width, line_height);
      y += TITLE_HEIGHT + line_height;
      right = x0 + line_width;
    }

  /* One colour scale for all panels, so that the directions can be compared. */
  for (int p = 0; p < layout->n_panels; p++)
    for (int r = 0; r < map->H; r++)
      for (int q = 0; q < map->W; q++)
        {
          double v = lectern_heatmap_cell_value (map, r, q, layout->panel_direction[p],
                                                 options->unit);
          if (!isfinite (v))
            continue;
          if (first || v < layout->value_min)
            layout->value_min = v;
          if (first || v > layout->value_max)
            layout->value_max = v;
          first = FALSE;
        }
  if (layout->value_max <= layout->value_min)
    {
      layout->value_min -= 0.5;
      layout->value_max += 0.5;
    }

  y += SECTION_GAP;
  set_rect (&layout->colour_bar, x0, y, COLOUR_BAR_WIDTH, COLOUR_BAR_HEIGHT);
  y += COLOUR_BAR_HEIGHT + TICK_HEIGHT;
  right = MAX (right, x0 + COLOUR_BAR_WIDTH + 30);

  if (options->class_rows > 0 && rec->T > 0 && rec->C > 0 && rec->posteriors != NULL
      && rec->frame_w > 0)
    {
      layout->n_class_rows = choose_class_rows (rec, options->class_rows, layout->class_rows);
      layout->frame_width = rec->frame_w * options->scale;
      y += SECTION_GAP;
      set_rect (&layout->posteriors, x0, y, rec->T * layout->frame_width,
                layout->n_class_rows * CLASS_ROW_HEIGHT);
      y += layout->posteriors.height + 2;
      set_rect (&layout->text_row, x0, y, layout->posteriors.width, TEXT_ROW_HEIGHT);
      y += TEXT_ROW_HEIGHT;
      right = MAX (right, x0 + layout->posteriors.width);
    }

  layout->width = ceil (right + MARGIN);
  layout->height = ceil (y + MARGIN);
  return TRUE;
}

void
lectern_heatmap_char_extent (const LecternHeatmapOptions *options,
                             const LecternHeatmapLayout  *layout,
                             guint                        i,
                             double                      *x0,
                             double                      *x1)
{
  const LecternRecognition *rec = options->recognition;

  g_return_if_fail (rec != NULL && i < rec->n_chars && rec->frame_start != NULL);

  *x0 = layout->text_row.x + rec->frame_start[i] * layout->frame_width;
  *x1 = layout->text_row.x + (rec->frame_end[i] + 1) * layout->frame_width;
}

/* The grey line image as a Cairo surface. */
static cairo_surface_t *
line_surface (const LecternImage *line)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                         line->width, line->height);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  for (int y = 0; y < line->height; y++)
    {
      guint32 *out = (guint32 *) (data + (gsize) y * stride);
      const guint8 *in = line->pixels + (gsize) y * line->width;
      for (int x = 0; x < line->width; x++)
        out[x] = 0xff000000u | ((guint32) in[x] << 16) | ((guint32) in[x] << 8) | in[x];
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static guint32
pack_colour (double red,
             double green,
             double blue,
             double alpha)
{
  /* ARGB32 is premultiplied */
  guint32 a = (guint32) lround (alpha * 255);
  guint32 r = (guint32) lround (red * alpha * 255);
  guint32 g = (guint32) lround (green * alpha * 255);
  guint32 b = (guint32) lround (blue * alpha * 255);

  return (a << 24) | (r << 16) | (g << 8) | b;
}

/* One direction's map as an image of one pixel per cell, coloured and with the given alpha. */
static cairo_surface_t *
cells_surface (const LecternLayerMap *map,
               int                    direction,
               int                    unit,
               double                 value_min,
               double                 value_max,
               double                 opacity)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, map->W, map->H);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  for (int r = 0; r < map->H; r++)
    {
      guint32 *out = (guint32 *) (data + (gsize) r * stride);
      for (int q = 0; q < map->W; q++)
        {
          double v = lectern_heatmap_cell_value (map, r, q, direction, unit);
          double red, green, blue;

          lectern_viridis ((v - value_min) / (value_max - value_min), &red, &green, &blue);
          out[q] = pack_colour (red, green, blue, opacity);
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static PangoLayout *
make_text_layout (cairo_t *cr)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");

  pango_font_description_set_absolute_size (font, FONT_PIXELS * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  return layout;
}

typedef enum {
  ALIGN_LEFT,
  ALIGN_CENTRE,
  ALIGN_RIGHT,
} TextAlign;

/* Draws text with its box aligned at x and vertically centred on y_centre. */
static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y_centre,
           TextAlign    align)
{
  int width, height;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);
  if (align == ALIGN_CENTRE)
    x -= width / 2.0;
  else if (align == ALIGN_RIGHT)
    x -= width;
  cairo_move_to (cr, x, y_centre - height / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static char *
panel_title (const LecternHeatmapOptions *options,
             int                          direction)
{
  const LecternLayerMap *map = &options->recognition->layers[options->layer];

  if (options->unit == LECTERN_HEATMAP_UNIT_MEAN)
    /* Translators: above a heat map: the scan direction's arrow, the layer number and the
     * number of units averaged, e.g. "↘  layer 2 · mean of 10 units". */
    return g_strdup_printf (_("%s  layer %d · mean of %d units"),
                            lectern_heatmap_direction_arrow (direction),
                            options->layer + 1, map->D);
  /* Translators: above a heat map: the scan direction's arrow, the layer and the unit shown,
   * e.g. "↘  layer 2 · unit 3 of 10". */
  return g_strdup_printf (_("%s  layer %d · unit %d of %d"),
                          lectern_heatmap_direction_arrow (direction),
                          options->layer + 1, options->unit + 1, map->D);
}

static void
draw_panels (cairo_t                     *cr,
             PangoLayout                 *text,
             const LecternHeatmapOptions *options,
             const LecternHeatmapLayout  *layout)
{
  const LecternLayerMap *map = &options->recognition->layers[options->layer];
  cairo_surface_t *line = line_surface (options->line);
  cairo_filter_t filter = options->scale >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD;

  for (int p = 0; p < layout->n_panels; p++)
    {
      const LecternHeatmapRect *panel = &layout->panels[p];
      int direction = layout->panel_direction[p];
      g_autofree char *title = panel_title (options, direction);
      cairo_surface_t *cells;

      cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
      draw_text (cr, text, title, panel->x, panel->y - TITLE_HEIGHT / 2, ALIGN_LEFT);

      cairo_save (cr);
      cairo_rectangle (cr, panel->x, panel->y, panel->width, panel->height);
      cairo_clip (cr);

      cairo_save (cr);
      cairo_translate (cr, panel->x, panel->y);
      cairo_scale (cr, options->scale, options->scale);
      cairo_set_source_surface (cr, line, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), filter);
      cairo_paint (cr);
      cairo_restore (cr);

      /* One pixel per cell, stretched over the line-image rectangle each cell covers. The last
       * row and column may cover padding beyond the image; the clip cuts it off. */
      cells = cells_surface (map, direction, options->unit,
                             layout->value_min, layout->value_max, options->opacity);
      cairo_save (cr);
      cairo_translate (cr, panel->x, panel->y);
      cairo_scale (cr, map->cell_w * options->scale, map->cell_h * options->scale);
      cairo_set_source_surface (cr, cells, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (cells);

      cairo_restore (cr);
    }

  cairo_surface_destroy (line);
}

static void
draw_colour_bar (cairo_t                    *cr,
                 PangoLayout                *text,
                 const LecternHeatmapLayout *layout)
{
  const LecternHeatmapRect *bar = &layout->colour_bar;
  cairo_pattern_t *gradient = cairo_pattern_create_linear (bar->x, 0, bar->x + bar->width, 0);
  const int stops = 32;

  for (int i = 0; i <= stops; i++)
    {
      double red, green, blue;
      lectern_viridis ((double) i / stops, &red, &green, &blue);
      cairo_pattern_add_color_stop_rgb (gradient, (double) i / stops, red, green, blue);
    }
  cairo_rectangle (cr, bar->x, bar->y, bar->width, bar->height);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);

  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  for (int i = 0; i <= 2; i++)
    {
      double value = layout->value_min + i * (layout->value_max - layout->value_min) / 2;
      double x = bar->x + i * bar->width / 2;
      g_autofree char *label = g_strdup_printf ("%.3g", value);

      cairo_rectangle (cr, x - (i == 2 ? 1 : 0), bar->y + bar->height, 1, 3);
      cairo_fill (cr);
      draw_text (cr, text, label, x, bar->y + bar->height + TICK_HEIGHT / 2 + 2,
                 i == 0 ? ALIGN_LEFT : i == 1 ? ALIGN_CENTRE : ALIGN_RIGHT);
    }
  draw_text (cr, text, _("value"), bar->x - 6, bar->y + bar->height / 2, ALIGN_RIGHT);
}

/* The label of a class row: its character, a visible sign for a space, "blank" for CTC's. */
static char *
class_label (const LecternCharset *charset,
             int                   cls)
{
  gunichar c;
  char utf8[8] = { 0 };

  if (cls == 0)
    return g_strdup (_("blank"));
  if (charset == NULL || (c = lectern_charset_char (charset, cls)) == 0)
    return g_strdup_printf ("#%d", cls);
  if (c == ' ')
    return g_strdup ("␣");
  g_unichar_to_utf8 (c, utf8);
  return g_strdup (utf8);
}

static void
draw_posteriors (cairo_t                     *cr,
                 PangoLayout                 *text,
                 const LecternHeatmapOptions *options,
                 const LecternHeatmapLayout  *layout)
{
  const LecternRecognition *rec = options->recognition;
  const LecternHeatmapRect *strip = &layout->posteriors;
  cairo_surface_t *cells;
  guint8 *data;
  int stride;
  const char *p;

  if (layout->n_class_rows == 0)
    return;

  /* frames × rows, one pixel per cell */
  cells = cairo_image_surface_create (CAIRO_FORMAT_RGB24, rec->T, layout->n_class_rows);
  data = cairo_image_surface_get_data (cells);
  stride = cairo_image_surface_get_stride (cells);
  cairo_surface_flush (cells);
  for (int row = 0; row < layout->n_class_rows; row++)
    {
      guint32 *out = (guint32 *) (data + (gsize) row * stride);
      for (int t = 0; t < rec->T; t++)
        {
          double red, green, blue;
          lectern_viridis (rec->posteriors[(gsize) t * rec->C + layout->class_rows[row]],
                           &red, &green, &blue);
          out[t] = pack_colour (red, green, blue, 1.0);
        }
    }
  cairo_surface_mark_dirty (cells);

  cairo_save (cr);
  cairo_rectangle (cr, strip->x, strip->y, strip->width, strip->height);
  cairo_clip (cr);
  cairo_translate (cr, strip->x, strip->y);
  cairo_scale (cr, layout->frame_width, CLASS_ROW_HEIGHT);
  cairo_set_source_surface (cr, cells, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (cells);

  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  for (int row = 0; row < layout->n_class_rows; row++)
    {
      g_autofree char *label = class_label (options->charset, layout->class_rows[row]);
      draw_text (cr, text, label, strip->x - 6, strip->y + (row + 0.5) * CLASS_ROW_HEIGHT,
                 ALIGN_RIGHT);
    }
  draw_text (cr, text, _("text"), strip->x - 6,
             layout->text_row.y + layout->text_row.height / 2, ALIGN_RIGHT);

  /* Each decoded character under its frames: a bracket over the frames, the character centred
   * below it. A character that would touch the one before it goes one row down, so that
   * neighbours read apart even where the network reads them from few frames. */
  {
    double row_end[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };

    p = rec->text;
    for (guint i = 0; i < rec->n_chars && p != NULL && *p != '\0'; i++, p = g_utf8_next_char (p))
      {
        char utf8[8] = { 0 };
        double x0, x1, centre;
        int width, height, row;

        if (rec->frame_start == NULL || rec->frame_end == NULL)
          break;
        lectern_heatmap_char_extent (options, layout, i, &x0, &x1);

        cairo_set_source_rgb (cr, 0.55, 0.55, 0.55);
        cairo_rectangle (cr, x0 + 0.5, layout->text_row.y, MAX (x1 - x0 - 1, 1), 1);
        cairo_fill (cr);

        memcpy (utf8, p, g_utf8_next_char (p) - p);
        if (utf8[0] == ' ')
          strcpy (utf8, "␣");
        pango_layout_set_text (text, utf8, -1);
        pango_layout_get_pixel_size (text, &width, &height);
        centre = (x0 + x1) / 2;
        row = centre - width / 2.0 < row_end[0] + 1 && centre - width / 2.0 >= row_end[1] + 1 ? 1 : 0;
        row_end[row] = centre + width / 2.0;

        cairo_set_source_rgb (cr, 0.05, 0.05, 0.05);
        draw_text (cr, text, utf8, centre,
                   layout->text_row.y + 2 + (row + 0.5) * TEXT_LINE_HEIGHT, ALIGN_CENTRE);
      }
  }
}

void
lectern_heatmap_draw (cairo_t                     *cr,
                      const LecternHeatmapOptions *options,
                      const LecternHeatmapLayout  *layout)
{
  g_autoptr(PangoLayout) text = NULL;

  g_return_if_fail (cr != NULL && options != NULL && layout != NULL);
  g_return_if_fail (layout->n_panels > 0);

  cairo_save (cr);
  text = make_text_layout (cr);
  draw_panels (cr, text, options, layout);
  draw_colour_bar (cr, text, layout);
  draw_posteriors (cr, text, options, layout);
  cairo_restore (cr);
}

static cairo_status_t
append_to_byte_array (void                *closure,
                      const unsigned char *data,
                      unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
lectern_heatmap_save_png (const LecternHeatmapOptions *options,
                          const char                  *path,
                          GError                     **error)
{
  LecternHeatmapLayout layout;
  cairo_surface_t *surface;
  cairo_t *cr;
  g_autoptr(GByteArray) png = NULL;
  cairo_status_t status;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (options != NULL && path != NULL, FALSE);

  if (!lectern_heatmap_layout (options, &layout, error))
    return FALSE;
  if (layout.width > 32767 || layout.height > 32767)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   _("The picture would be %.0f × %.0f pixels, more than a PNG file of %s can "
                     "hold here; use a smaller scale"), layout.width, layout.height, path);
      return FALSE;
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) layout.width,
                                        (int) layout.height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  lectern_heatmap_draw (cr, options, &layout);
  cairo_destroy (cr);

  png = g_byte_array_new ();
  status = cairo_surface_write_to_png_stream (surface, append_to_byte_array, png);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
                   _("Could not encode the picture for “%s”: %s"), path,
                   cairo_status_to_string (status));
      return FALSE;
    }

  if (!g_file_set_contents (path, (const char *) png->data, png->len, &local_error))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, _("Could not write “%s”: %s"),
                   path, local_error->message);
      return FALSE;
    }
  return TRUE;
}
