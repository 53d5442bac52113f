/* hershey.h — Hershey stroke fonts (the JHF files of hershey-fonts-data) drawn as pen strokes.
 *
 * The script and cursive Hershey fonts are centre lines, not outlines, so `lectern-cli synth` can
 * draw them the way a pen would: smoothed strokes whose width follows the direction of a
 * broad nib and a slowly varying pressure, with a little tremor. They cover printable ASCII
 * only (the 95 glyphs of a JHF file in character order from U+0020), so callers must restrict
 * the text to lectern_hershey_font_has_char().
 *
 * JHF: one glyph per record; columns 0–4 the glyph number, 5–7 the number of coordinate pairs
 * (the first pair being the left and right bearing), then the pairs as two characters each,
 * coordinate = character − 'R', y growing downwards; the pair " R" lifts the pen. A record may
 * continue on following lines. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "rng.h"

G_BEGIN_DECLS

#define LECTERN_HERSHEY_FIRST_CHAR 0x20
#define LECTERN_HERSHEY_N_CHARS    95     /* U+0020 … U+007E */

typedef struct {
  gint8 x, y;        /* font units (about 1/21 of the capital height), y down, baseline at +9 */
} LecternHersheyPoint;

typedef struct {
  int                  left, right;   /* horizontal extent around the glyph's origin */
  guint                n_strokes;
  guint               *stroke_start;  /* n_strokes + 1 offsets into points */
  LecternHersheyPoint *points;
} LecternHersheyGlyph;

typedef struct _LecternHersheyFont LecternHersheyFont;

/* Baseline and heights of the Hershey design grid, in font units below/above the origin. */
#define LECTERN_HERSHEY_BASELINE       9
#define LECTERN_HERSHEY_CAP_HEIGHT     21

/* Parses JHF text; name appears in error messages. */
LecternHersheyFont *lectern_hershey_font_parse (const char *data, gsize length, const char *name,
                                                GError **error);
LecternHersheyFont *lectern_hershey_font_load  (const char *path, GError **error);
void                lectern_hershey_font_free  (LecternHersheyFont *font);

const char *lectern_hershey_font_get_name (const LecternHersheyFont *font);
/* Number of glyph records read from the file (95 covered characters need 95 records). */
guint       lectern_hershey_font_get_n_glyphs (const LecternHersheyFont *font);
/* TRUE for the space and for characters whose glyph has at least one stroke. */
gboolean    lectern_hershey_font_has_char (const LecternHersheyFont *font, gunichar c);
/* NULL when the font lacks c. */
const LecternHersheyGlyph *lectern_hershey_font_get_glyph (const LecternHersheyFont *font,
                                                           gunichar c);

/* How the pen moves. Lengths in device pixels unless said otherwise. */
typedef struct {
  double scale;          /* pixels per font unit */
  double pen_width;      /* mean stroke width */
  double nib_angle;      /* radians; direction in which a broad nib draws its thinnest line */
  double nib_contrast;   /* 0 = round pen, 1 = thin strokes along nib_angle vanish to 15 % */
  double pressure;       /* 0…1: relative amplitude of the slow width change along a stroke */
  double tremor;         /* amplitude of the smooth displacement of the strokes, in pixels */
} LecternHersheyPen;

/* Advance of c in font units (right − left), or 0 when the font lacks it. */
int  lectern_hershey_font_get_advance (const LecternHersheyFont *font, gunichar c);

/* Draws the glyph of c with its left edge at x and its baseline at y, in the current source and
 * transformation of cr (which must not be in an error state). rng drives the pressure and tremor
 * so that the same generator state draws the same strokes. Does nothing for a missing glyph. */
void lectern_hershey_draw_glyph (const LecternHersheyFont *font, cairo_t *cr, gunichar c,
                                 double x, double y, const LecternHersheyPen *pen,
                                 LecternRng *rng);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternHersheyFont, lectern_hershey_font_free)

G_END_DECLS
