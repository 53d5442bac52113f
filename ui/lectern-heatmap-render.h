/* lectern-heatmap-render.h — pictures of what the recognizer sees in one line, on Cairo alone.
 *
 * A figure shows, for one recognised line (LECTERN_RECOGNIZE_ACTIVATIONS):
 *   - the line image with the output map h of one MDLSTM layer laid over it, for one unit or the
 *     mean over the layer's units, and for one scan direction or all four (↘ ↙ ↗ ↖ in a 2 × 2
 *     grid, each panel in the corner its scan starts from). Each cell of the layer is painted
 *     over the rectangle of the line image it covers (cell_w × cell_h line pixels);
 *   - a colour scale with its values (the colours span the smallest to the largest value shown);
 *   - the CTC posterior strip: one column per frame, one row per character class among those
 *     most probable somewhere in the line, the probability as colour; under it the decoded
 *     characters, each centred under the frames it was read from.
 * Colours follow viridis (perceptually uniform, legible in grey and to colour-blind readers).
 *
 * The desktop inspector and `lectern-cli heatmap` draw the same figure through these functions,
 * so that a picture on screen and one written from the command line agree. No GTK here. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "charset.h"
#include "image.h"
#include "recognizer.h"

G_BEGIN_DECLS

#define LECTERN_HEATMAP_UNIT_MEAN      (-1)
#define LECTERN_HEATMAP_ALL_DIRECTIONS (-1)
#define LECTERN_HEATMAP_N_DIRECTIONS   4
/* rows of the posterior strip at most (the blank counts as one) */
#define LECTERN_HEATMAP_MAX_CLASS_ROWS 32

/* t in [0, 1] (clamped) → viridis colour, components in [0, 1]. */
void        lectern_viridis                 (double  t,
                                             double *red,
                                             double *green,
                                             double *blue);

/* The arrow that names a scan direction (0 ↘, 1 ↙, 2 ↗, 3 ↖), or "?" for another number. */
const char *lectern_heatmap_direction_arrow (int     direction);

/* The value that the heat map shows for cell (row, col) of map: one unit of one direction, or
 * the mean over the direction's units (unit = LECTERN_HEATMAP_UNIT_MEAN). */
double      lectern_heatmap_cell_value      (const LecternLayerMap *map,
                                             int                    row,
                                             int                    col,
                                             int                    direction,
                                             int                    unit);

typedef struct {
  const LecternImage       *line;          /* the grey line image that was recognised */
  const LecternRecognition *recognition;   /* with layer maps and posteriors */
  const LecternCharset     *charset;       /* labels of the posterior rows (nullable: numbers) */
  int                       layer;         /* 0 … n_layers − 1 */
  int                       unit;          /* 0 … D − 1, or LECTERN_HEATMAP_UNIT_MEAN */
  int                       direction;     /* 0 … 3, or LECTERN_HEATMAP_ALL_DIRECTIONS */
  double                    scale;         /* figure pixels per line-image pixel (> 0) */
  double                    opacity;       /* of the heat map over the line image, 0 … 1 */
  int                       class_rows;    /* rows of the posterior strip; 0 leaves it out */
} LecternHeatmapOptions;

/* Sensible defaults: layer 0, mean, all directions, scale 1, opacity 0.7, 8 class rows. */
void        lectern_heatmap_options_init    (LecternHeatmapOptions *options);

typedef struct {
  double x, y, width, height;
} LecternHeatmapRect;

/* Where everything goes, in figure pixels (origin top-left). */
typedef struct {
  double             width, height;            /* the whole figure */
  int                n_panels;                 /* 1 or 4 */
  int                panel_direction[LECTERN_HEATMAP_N_DIRECTIONS];
  LecternHeatmapRect panels[LECTERN_HEATMAP_N_DIRECTIONS];   /* the line image of each panel */
  double             value_min, value_max;     /* the colour scale's range */
  LecternHeatmapRect colour_bar;
  /* posterior strip (empty rectangles without one) */
  int                n_class_rows;
  int                class_rows[LECTERN_HEATMAP_MAX_CLASS_ROWS];   /* class of each row */
  LecternHeatmapRect posteriors;               /* T columns × n_class_rows rows */
  double             frame_width;              /* figure pixels per frame */
  LecternHeatmapRect text_row;                 /* the decoded characters */
} LecternHeatmapLayout;

/* Checks the options against the recognition and lays the figure out. FALSE with
 * LECTERN_ERROR_INVALID saying what is wrong (no activations kept, layer/unit/direction out of
 * range, an empty line). */
gboolean    lectern_heatmap_layout          (const LecternHeatmapOptions *options,
                                             LecternHeatmapLayout        *layout,
                                             GError                     **error);

/* Where character i of the decoded text sits in the text row: from the left edge of its first
 * frame to the right edge of its last. */
void        lectern_heatmap_char_extent     (const LecternHeatmapOptions *options,
                                             const LecternHeatmapLayout  *layout,
                                             guint                        i,
                                             double                      *x0,
                                             double                      *x1);

/* Draws the figure with its top-left corner at the current origin of cr. */
void        lectern_heatmap_draw            (cairo_t                     *cr,
                                             const LecternHeatmapOptions *options,
                                             const LecternHeatmapLayout  *layout);

/* Lays out, draws and writes the figure as PNG, atomically. */
gboolean    lectern_heatmap_save_png        (const LecternHeatmapOptions *options,
                                             const char                  *path,
                                             GError                     **error);

G_END_DECLS
