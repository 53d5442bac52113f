/* segment.c — page analysis: skew, binarisation and text-line segmentation of a page scan.
 *
 * The pipeline, all on a reduced copy of the page (long side ≈ WORK_LONG_SIDE pixels):
 *
 *   1. Sauvola binarisation (running window sums, O(width) memory) with a low k for faint
 *      pencil, then a page-wide contrast test against bleed-through and stains; ink on the dark
 *      surround of the paper (scanner bed, binding) is cleared.
 *   2. Skew: the angle in ±max whose projection profile of ink is sharpest, coarse to fine.
 *   3. Rotate the ink map so that lines run horizontally (the map only: the caller's page is
 *      never resampled; results are mapped back to its coordinates).
 *   4. Connected components; the text height is their median height. Long thin straight
 *      strokes (ruled paper, margins, grids) are removed, judged against that height.
 *   5. Components that are not writing are dropped: specks, pictures, blots, drawn lines
 *      (fillers, underlines, folds; the words a rule strings together are kept), loops and
 *      frames drawn around or through the text (the words they touch kept), whatever touches
 *      the image edge.
 *   6. Line spacing from the autocorrelation of the row profile in vertical strips. Then stamps
 *      and seals (where specks crowd without line structure) and text running up or down the
 *      page (columns of letters stacked close) are dropped.
 *   7. Text lines are ridges of the ink density smoothed much more along x than along y: per
 *      column the local maxima of the smoothed density are linked left to right into chains
 *      that follow sloping and curved lines; chains of one line are merged, and cut to the ink
 *      that is nearest to them, at gutters between columns and at the edge of the text where a
 *      line reaches into the margin.
 *   8. Components are given to the nearest chain; a component that two chains cross (touching
 *      ascenders and descenders) is cut between them pixel by pixel.
 *   9. Per line, the row profile of its own ink around the chain gives the baseline and the
 *      x-height; lines that are not text-shaped (too little ink, taller than wide, only a pen
 *      stroke tall, running steeply but for a signature) are dropped, and so are short ones
 *      close to a longer line (a capital's curl); the polygon is the band from above the
 *      x-height to below the baseline, no further than the ink (a short line's reaches to its
 *      ink: a signature's flourishes, and the specks its faint strokes broke into), widened
 *      to the line's own ascenders and descenders about each point, kept clear of the
 *      neighbours (past halfway only where the neighbour's writing does not come so far).
 *      Several lines in a much larger hand well below the text are an addition by another
 *      hand (a registration entry) and are dropped.
 *  10. Lines are grouped into regions (columns, marginalia) and put in reading order; short
 *      notes in the margin in a hand smaller than the text's (archive marks) are dropped.
 *
 * Every length is a multiple of the measured text height or line spacing, so the result does
 * not depend on the scan resolution. The thresholds below were tuned on the real pages in
 * ../shared/data/real (`lectern-cli segeval --segment` reports how they fare). */
#include "segment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Size of the analysis copy: enough for text of a few pixels' x-height on a full page. */
#define WORK_LONG_SIDE 1600
/* Line spacing is looked for up to this many text heights (median component heights; for
 * fragmented cursive that is well under the x-height). */
#define MAX_SPACING 10
/* Sauvola's dynamic range of the standard deviation for 8-bit images. */
#define SAUVOLA_R 128.0

/* A gap in a line's ink wider than MAX_GAP line spacings separates two lines (columns, a
 * marginal note, noise at the page edge). */
#define MAX_GAP 4.0
/* A gap of at least MIN_GUTTER line spacings in a line's ink that GUTTER_ROWS lines in a row
 * share is the gutter between two columns. */
#define MIN_GUTTER 0.8
#define GUTTER_ROWS 4
/* The edges of the text, from the lines of at least MARGIN_ROW line spacings (MARGIN_ROWS of
 * them at least): the leftmost start and rightmost end that MARGIN_SHARE of them share within
 * a line spacing. A line reaching MARGIN_REACH line spacings beyond them is cut at the edge. */
#define MARGIN_ROW 4.0
#define MARGIN_ROWS 5
#define MARGIN_SHARE 0.25
#define MARGIN_REACH 1.0
#define MARGIN_CLEAR 0.25
/* A line's ink must be, in its taller columns, at least this share of the page's x-height
 * (as measured from the line profiles) tall: rules, underlines and stray pen strokes are not. */
#define MIN_COLUMN_HEIGHT 0.35
/* A long component whose ink across it is mostly no more than this many pen widths is a drawn
 * line, not writing. */
#define DRAWN_LINE 2.0
/* A line's own x-height may be at most this many times the page's (headings are larger). */
#define XH_MAX 2.0
/* Smoothing of the ink density, in line spacings: across lines enough to make one ridge of
 * a line's letters, along them enough to bridge the gaps between words. */
#define SIGMA_Y 0.17
#define SIGMA_X 0.8
/* A line has at least this much ink, in squared text heights. */
#define MIN_INK 1.5
/* Scraps at the ends of a line, apart from its writing by more than TRIM_GAP line spacings
 * and holding less than TRIM_MASS of its ink, are not part of it. */
#define TRIM_GAP 1.0
#define TRIM_MASS 0.05
/* A large component filling less of its box than this is a pen line drawn around or across
 * the text (a loop, a frame): its words are kept, its line stripped. */
#define LOOP_FILL 0.04
/* A component too large to be writing that fills less of its box than this is a drawing that
 * may have words hanging on it (a pen line crossing them); denser, it is a picture. */
#define DRAWING_FILL 0.15
/* What is left of a stripped drawing grows back along it by this many text heights. */
#define REGROW 0.5
/* Stamps and seals: specks (components under SPECK_SIZE text heights) crowd there, counted in
 * a Gaussian window of STAMP_SIGMA line spacings: regions over STAMP_LOW specks that reach
 * STAMP_HIGH are candidates, stamps when the fine detail of their row profile is under
 * STAMP_MODULATION of it. With a stamp go the components of at most STAMP_PIECE text heights
 * within STAMP_NEAR line spacings of it and STAMP_REACH of its region. */
#define SPECK_SIZE 0.6
#define STAMP_SIGMA 0.4
#define STAMP_LOW 5.0
#define STAMP_HIGH 10.0
#define STAMP_MODULATION 0.27
#define STAMP_PIECE 3.0
#define STAMP_NEAR 0.3
#define STAMP_REACH 1.0
/* Text running up or down the page: letters at most ACROSS_GAP text heights from the next
 * above or below them (and closer than beside them), in columns of at least ACROSS_MIN letters
 * or words at most ACROSS_LINK apart, ACROSS_LENGTH line spacings long. */
#define ACROSS_MIN 5
#define ACROSS_GAP 1.0
#define ACROSS_LINK 1.6
/* ... with at least ACROSS_DENSITY letters one under the other to a line spacing. */
#define ACROSS_DENSITY 2.0
#define ACROSS_LENGTH 1.0
/* A ridge peak must stand this share of its height above the valley to its stronger neighbour. */
#define PROMINENCE 0.15
/* The ink of a line, once the page is deskewed, rises or falls by at most this per unit of
 * length (about 7°). */
#define MAX_INK_SLOPE 0.12
/* A line of at most two line spacings whose middle is closer than SATELLITE_REACH line
 * spacings to the ridge of a line with thrice its ink that spans it, or thrice its width that
 * it reaches over the end of, is part of that line. */
#define SATELLITE_REACH 0.7
/* A line is at least this many times as wide as its ink is tall. */
#define MIN_ASPECT 1.0
/* A component whose strokes are this many times wider than the page's pen is a blot. */
#define BLOB_STROKE 3.0
/* The contrast test after Sauvola: ink must be darker than its surroundings by CONTRAST_SHARE
 * of the CONTRAST_PERCENTILE of all Sauvola ink contrasts. */
#define CONTRAST_PERCENTILE 0.8
#define CONTRAST_SHARE 0.5
/* Polygon band around the baseline, in x-heights: how far above and below it reaches (a
 * compromise between the conventions of eScriptorium, Transkribus and OCR-D ground truth),
 * and never beyond the line's own ink, but INK_TRIM of it. */
#define BAND_ABOVE 1.7
#define BAND_BELOW 0.6
#define INK_TRIM 0.002
/* ... except on a line shorter than SHORT_LINE x-heights, whose band reaches to its ink. */
#define SHORT_LINE 12.0
/* Writing below the end of the text (the lowest line at least half as wide as the widest, in
 * the page's hand) by more than ADDITION_GAP line spacings, ADDITION_LINES lines or more whose
 * median x-height is ADDITION_XH times the page's, is an addition in another hand (an office's
 * registration, a filing note): its lines of ADDITION_LINE_XH times the page's x-height go. */
#define ADDITION_GAP 2.0
#define ADDITION_LINES 3
#define ADDITION_XH 1.5
#define ADDITION_LINE_XH 1.25
/* A line beside the text (in a marginal region) shorter than NOTE_LENGTH line spacings and
 * written smaller than NOTE_XH times the page's x-height is an archive's or a clerk's note. */
#define NOTE_LENGTH 5.0
#define NOTE_XH 0.9
/* A short line written no smaller than SIGNATURE_XH times the page's x-height (a signature) may
 * run more steeply: up to SIGNATURE_SLOPE more, the shorter the more. */
#define SIGNATURE_XH 0.9
#define SIGNATURE_SLOPE 0.25
/* Fragments of at most FRAGMENT_SIZE line spacings that no line kept has, above a short line's
 * baseline and within FRAGMENT_REACH line spacings of its ink, nearer to it than to any other
 * line's, are its own faint strokes broken into specks. */
#define FRAGMENT_SIZE 0.5
#define FRAGMENT_REACH 0.5

typedef struct {
  int     w, h;
  guint8 *p;      /* 1 = ink */
} Bitmap;

static Bitmap *
bitmap_new (int w, int h)
{
  Bitmap *b = g_new (Bitmap, 1);
  b->w = w;
  b->h = h;
  b->p = g_new0 (guint8, (gsize) w * h);
  return b;
}

static void
bitmap_free (Bitmap *b)
{
  if (b == NULL)
    return;
  g_free (b->p);
  g_free (b);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bitmap, bitmap_free)

void
lectern_segment_options_init (LecternSegmentOptions *opts)
{
  g_return_if_fail (opts != NULL);
  memset (opts, 0, sizeof *opts);
  opts->deskew = TRUE;
  opts->max_skew_degrees = 5.0;
  opts->remove_rules = TRUE;
  opts->sauvola_k = 0.15;
}

/* ---- 1. binarisation ------------------------------------------------------------------------ */

/* Sauvola: ink where grey < mean · (1 + k · (sd / R − 1)) over a (2r+1)² window. Window sums
 * come from column sums kept for the current band of rows, so memory stays O(width).
 * A low k keeps faint pencil; what it also keeps of bleed-through and stains is then removed
 * by a second, page-wide test: the pixel must be darker than its surroundings by a good part
 * of what the page's ink typically is (CONTRAST_SHARE of the CONTRAST_PERCENTILE of the
 * contrasts of all Sauvola ink), since show-through is much fainter than the ink over it. */
static Bitmap *
binarise_sauvola (const LecternImage *img, int r, double k)
{
  int w = img->width, h = img->height;
  Bitmap *out = bitmap_new (w, h);
  g_autofree guint32 *col_sum = g_new0 (guint32, w);
  g_autofree guint64 *col_sq = g_new0 (guint64, w);
  int top = 0, bottom = -1;   /* rows [top, bottom] are in the column sums */

  for (int y = 0; y < h; y++)
    {
      int want_top = MAX (0, y - r), want_bottom = MIN (h - 1, y + r);
      while (bottom < want_bottom)
        {
          bottom++;
          const guint8 *row = img->pixels + (gsize) bottom * w;
          for (int x = 0; x < w; x++)
            {
              col_sum[x] += row[x];
              col_sq[x] += (guint32) row[x] * row[x];
            }
        }
      while (top < want_top)
        {
          const guint8 *row = img->pixels + (gsize) top * w;
          for (int x = 0; x < w; x++)
            {
              col_sum[x] -= row[x];
              col_sq[x] -= (guint32) row[x] * row[x];
            }
          top++;
        }
      int rows = bottom - top + 1;
      guint64 sum = 0, sq = 0;
      int left = 0, right = -1;
      const guint8 *row = img->pixels + (gsize) y * w;
      guint8 *orow = out->p + (gsize) y * w;
      for (int x = 0; x < w; x++)
        {
          int want_left = MAX (0, x - r), want_right = MIN (w - 1, x + r);
          while (right < want_right)
            {
              right++;
              sum += col_sum[right];
              sq += col_sq[right];
            }
          while (left < want_left)
            {
              sum -= col_sum[left];
              sq -= col_sq[left];
              left++;
            }
          double n = (double) rows * (right - left + 1);
          double mean = sum / n;
          double var = sq / n - mean * mean;
          double sd = var > 0 ? sqrt (var) : 0;
          double t = mean * (1.0 + k * (sd / SAUVOLA_R - 1.0));
          /* keep the contrast for the second test; 0 is background */
          orow[x] = row[x] < t ? (guint8) CLAMP (mean - row[x], 1, 255) : 0;
        }
    }

  guint64 hist[256] = { 0 }, total = 0;
  gsize n = (gsize) w * h;
  for (gsize i = 0; i < n; i++)
    if (out->p[i])
      {
        hist[out->p[i]]++;
        total++;
      }
  int level = 0;
  guint64 acc = 0;
  for (level = 0; level < 255; level++)
    {
      acc += hist[level];
      if (acc >= CONTRAST_PERCENTILE * total)
        break;
    }
  int min_contrast = (int) (CONTRAST_SHARE * level);
  for (gsize i = 0; i < n; i++)
    out->p[i] = out->p[i] > min_contrast;
  return out;
}

/* Ink outside the paper: the dark scanner bed around a page, the binding, the neighbour page.
 * The paper is where, within a few blocks, some block is nearly as bright as the paper of the
 * page (text always leaves paper between its strokes; a dark surround does not). Ink there, and
 * in a margin around it where the page edge itself binarises into noise, is cleared. */
static void
clear_outside_paper (Bitmap *ink, const LecternImage *img)
{
  const int B = 8;
  int bw = (img->width + B - 1) / B, bh = (img->height + B - 1) / B;
  g_autofree float *mean = g_new0 (float, (gsize) bw * bh);
  g_autofree guint8 *dark = g_new0 (guint8, (gsize) bw * bh);
  for (int y = 0; y < img->height; y++)
    for (int x = 0; x < img->width; x++)
      mean[(gsize) (y / B) * bw + x / B] += img->pixels[(gsize) y * img->width + x];
  for (int by = 0; by < bh; by++)
    for (int bx = 0; bx < bw; bx++)
      {
        int n = MIN (B, img->height - by * B) * MIN (B, img->width - bx * B);
        mean[(gsize) by * bw + bx] /= n;
      }
  gsize nb = (gsize) bw * bh;
  /* paper level: a high percentile of the block means */
  int hist[256] = { 0 };
  for (gsize i = 0; i < nb; i++)
    hist[CLAMP ((int) mean[i], 0, 255)]++;
  int paper = 255;
  gsize acc = 0;
  for (int v = 0; v < 256; v++)
    {
      acc += hist[v];
      if (acc >= 0.9 * nb)
        {
          paper = v;
          break;
        }
    }
  /* dark: no bright block within R blocks (an erosion of the paper); then grown by R + 2 blocks
   * so that the dark border is cleared right up to the paper and a little beyond */
  const int R = 3, GROW = R + 2;
  gboolean any = FALSE;
  for (int by = 0; by < bh; by++)
    for (int bx = 0; bx < bw; bx++)
      {
        float m = 0;
        for (int dy = -R; dy <= R; dy++)
          for (int dx = -R; dx <= R; dx++)
            {
              int yy = by + dy, xx = bx + dx;
              if (yy >= 0 && xx >= 0 && yy < bh && xx < bw)
                m = MAX (m, mean[(gsize) yy * bw + xx]);
            }
        if (m < 0.6 * paper)
          {
            dark[(gsize) by * bw + bx] = 1;
            any = TRUE;
          }
      }
  if (!any)
    return;
  g_autofree guint8 *grown = g_new0 (guint8, (gsize) bw * bh);
  for (int by = 0; by < bh; by++)
    for (int bx = 0; bx < bw; bx++)
      if (dark[(gsize) by * bw + bx])
        for (int dy = -GROW; dy <= GROW; dy++)
          for (int dx = -GROW; dx <= GROW; dx++)
            {
              int yy = by + dy, xx = bx + dx;
              if (yy >= 0 && xx >= 0 && yy < bh && xx < bw)
                grown[(gsize) yy * bw + xx] = 1;
            }
  for (int y = 0; y < ink->h; y++)
    {
      const guint8 *grow_row = grown + (gsize) (y / B) * bw;
      guint8 *row = ink->p + (gsize) y * ink->w;
      for (int x = 0; x < ink->w; x++)
        if (grow_row[x / B])
          row[x] = 0;
    }
}

/* ---- 2. skew -------------------------------------------------------------------------------- */

/* Sharpness of the projection of the ink along direction angle (radians): lines of text
 * y = y0 + x·tan(angle) fall into few bins when the angle is right. */
static double
projection_sharpness (const Bitmap *ink, int step, double angle, guint32 *bins, int n_bins,
                      int offset)
{
  double t = tan (angle);
  memset (bins, 0, sizeof (guint32) * n_bins);
  for (int y = 0; y < ink->h; y += step)
    {
      const guint8 *row = ink->p + (gsize) y * ink->w;
      for (int x = 0; x < ink->w; x += step)
        if (row[x])
          {
            int b = (int) floor ((y - x * t + offset) / step);
            if (b >= 0 && b < n_bins)
              bins[b]++;
          }
    }
  double s = 0;
  for (int i = 0; i < n_bins; i++)
    s += (double) bins[i] * bins[i];
  return s;
}

/* Coarse to fine search of the angle that maximises projection_sharpness. */
static double
estimate_skew_radians (const Bitmap *ink, double max_degrees)
{
  double max_rad = max_degrees * G_PI / 180.0;
  int step = MAX (1, MAX (ink->w, ink->h) / 800);
  int offset = (int) ceil (ink->w * tan (max_rad)) + step;
  int n_bins = (ink->h + 2 * offset) / step + 2;
  g_autofree guint32 *bins = g_new (guint32, n_bins);

  double best = 0, best_score = -1;
  double coarse = 0.5 * G_PI / 180.0;
  for (double a = -max_rad; a <= max_rad + 1e-9; a += coarse)
    {
      double s = projection_sharpness (ink, step, a, bins, n_bins, offset);
      if (s > best_score)
        {
          best_score = s;
          best = a;
        }
    }
  double centre = best;
  double fine = 0.05 * G_PI / 180.0;
  for (double a = centre - coarse; a <= centre + coarse + 1e-9; a += fine)
    {
      if (fabs (a) > max_rad + 1e-9)
        continue;
      double s = projection_sharpness (ink, step, a, bins, n_bins, offset);
      if (s > best_score)
        {
          best_score = s;
          best = a;
        }
    }
  return best;
}

/* ---- 3. rotation ---------------------------------------------------------------------------- */

/* Maps analysis-map coordinates (u, v) — deskewed, reduced — back to page coordinates. */
typedef struct {
  double cos_a, sin_a;
  double cx, cy;       /* rotation centre in the reduced page */
  double cu, cv;       /* the same point in the deskewed map */
  double scale;        /* reduced / original */
} Transform;

static void
transform_to_page (const Transform *t, double u, double v, double *x, double *y)
{
  double xr = t->cos_a * (u - t->cu) - t->sin_a * (v - t->cv) + t->cx;
  double yr = t->sin_a * (u - t->cu) + t->cos_a * (v - t->cv) + t->cy;
  *x = xr / t->scale;
  *y = yr / t->scale;
}

/* Rotates the ink map so that lines at `angle` become horizontal; the new map holds the
 * whole rotated page. Nearest neighbour is enough for a binary map. */
static Bitmap *
rotate_bitmap (const Bitmap *in, double angle, Transform *t)
{
  double c = cos (angle), s = sin (angle);
  int W = (int) ceil (in->w * fabs (c) + in->h * fabs (s));
  int H = (int) ceil (in->w * fabs (s) + in->h * fabs (c));
  t->cos_a = c;
  t->sin_a = s;
  t->cx = in->w / 2.0;
  t->cy = in->h / 2.0;
  t->cu = W / 2.0;
  t->cv = H / 2.0;
  Bitmap *out = bitmap_new (W, H);
  for (int v = 0; v < H; v++)
    {
      double dv = v + 0.5 - t->cv;
      for (int u = 0; u < W; u++)
        {
          double du = u + 0.5 - t->cu;
          int x = (int) floor (c * du - s * dv + t->cx);
          int y = (int) floor (s * du + c * dv + t->cy);
          if (x >= 0 && y >= 0 && x < in->w && y < in->h)
            out->p[(gsize) v * W + u] = in->p[(gsize) y * in->w + x];
        }
    }
  return out;
}

/* ---- 4. ruled lines ------------------------------------------------------------------------- */

/* Removes ink that lies on a long, thin horizontal stroke (vertical when `vertical`): ruled
 * lines, grids, margins, frames. A pixel is thin when the ink through it, across the stroke
 * direction, is at most max_thick pixels. A row holds a rule over a stretch of `span` pixels
 * when its thin pixels (allowing a pixel of wobble either side) cover most of the stretch while
 * the rows a few pixels above and below cover much less: binarised rules are often dashed, so
 * coverage rather than unbroken runs decides, and the sharp peak tells a straight rule from
 * the dense but wandering joins of cursive writing. Letters crossing a rule keep their pixels
 * there because they are thick across it. */
static void
remove_long_strokes (Bitmap *b, int span, int max_thick, gboolean vertical)
{
  int len = vertical ? b->h : b->w;       /* along the stroke */
  int across = vertical ? b->w : b->h;
  gsize step_along = vertical ? (gsize) b->w : 1;
  gsize step_across = vertical ? 1 : (gsize) b->w;
  if (span >= len || len > G_MAXUINT16)
    return;
  g_autofree guint8 *thin = g_new0 (guint8, (gsize) b->w * b->h);
  g_autofree guint16 *cum = g_new (guint16, (gsize) across * (len + 1));
  g_autofree guint8 *hit = g_new (guint8, len);
  int off = max_thick + 1;       /* distance of the rows that must be emptier */

  /* thin pixels: runs across the stroke direction no longer than max_thick */
  for (int i = 0; i < len; i++)
    {
      int a = 0;
      while (a < across)
        {
          if (!b->p[a * step_across + i * step_along])
            {
              a++;
              continue;
            }
          int e = a;
          while (e < across && b->p[e * step_across + i * step_along])
            e++;
          if (e - a <= max_thick)
            for (int k = a; k < e; k++)
              thin[k * step_across + i * step_along] = 1;
          a = e;
        }
    }
  /* prefix sums of the tolerant rows */
  for (int a = 0; a < across; a++)
    {
      guint16 *c = cum + (gsize) a * (len + 1);
      c[0] = 0;
      for (int i = 0; i < len; i++)
        {
          gsize at = a * step_across + i * step_along;
          guint8 v = thin[at];
          if (a > 0)
            v |= thin[at - step_across];
          if (a + 1 < across)
            v |= thin[at + step_across];
          c[i + 1] = c[i] + v;
        }
    }

  for (int a = 0; a < across; a++)
    {
      const guint16 *c = cum + (gsize) a * (len + 1);
      if (c[len] < span / 2)
        continue;
      const guint16 *above = a - off >= 0 ? cum + (gsize) (a - off) * (len + 1) : NULL;
      const guint16 *below = a + off < across ? cum + (gsize) (a + off) * (len + 1) : NULL;
      memset (hit, 0, len);
      gboolean any = FALSE;
      for (int i = 0; i + span <= len; i++)
        {
          int here = c[i + span] - c[i];
          if (here < 0.55 * span)
            continue;
          int up = above ? above[i + span] - above[i] : 0;
          int dn = below ? below[i + span] - below[i] : 0;
          if (up > 0.5 * here || dn > 0.5 * here)
            continue;
          memset (hit + i, 1, span);
          any = TRUE;
        }
      if (!any)
        continue;
      for (int i = 0; i < len; i++)
        {
          gsize at = a * step_across + i * step_along;
          if (hit[i] && thin[at])
            b->p[at] = 0;
        }
    }
}

/* ---- 5. connected components ---------------------------------------------------------------- */

typedef struct {
  int    x0, y0, x1, y1;   /* inclusive bounding box */
  int    area;
  int    boundary;         /* ink pixels with a background 4-neighbour */
  double sum_x, sum_y;
  int    line;             /* assigned line, -1 none, -2 split pixel by pixel */
  gboolean keep;
} Component;

static guint32
uf_find (guint32 *parent, guint32 i)
{
  while (parent[i] != i)
    {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
  return i;
}

/* 8-connected labelling; labels[] gets 0 for background and 1..n for components. */
static GArray *
label_components (const Bitmap *b, guint32 *labels)
{
  int w = b->w, h = b->h;
  GArray *parent_arr = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 zero = 0;
  g_array_append_val (parent_arr, zero);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize at = (gsize) y * w + x;
        if (!b->p[at])
          {
            labels[at] = 0;
            continue;
          }
        guint32 nb[4];
        int n = 0;
        if (x > 0 && labels[at - 1])
          nb[n++] = labels[at - 1];
        if (y > 0)
          {
            gsize up = at - w;
            if (x > 0 && labels[up - 1])
              nb[n++] = labels[up - 1];
            if (labels[up])
              nb[n++] = labels[up];
            if (x + 1 < w && labels[up + 1])
              nb[n++] = labels[up + 1];
          }
        if (n == 0)
          {
            guint32 id = parent_arr->len;
            g_array_append_val (parent_arr, id);
            labels[at] = id;
            continue;
          }
        guint32 *parent = (guint32 *) parent_arr->data;
        guint32 root = uf_find (parent, nb[0]);
        for (int i = 1; i < n; i++)
          {
            guint32 r2 = uf_find (parent, nb[i]);
            if (r2 < root)
              {
                parent[root] = r2;
                root = r2;
              }
            else if (r2 > root)
              parent[r2] = root;
          }
        labels[at] = root;
      }

  /* Flatten to consecutive ids and gather statistics. */
  guint32 *parent = (guint32 *) parent_arr->data;
  guint n_prov = parent_arr->len;
  g_autofree guint32 *final = g_new0 (guint32, n_prov);
  guint32 next = 1;
  for (guint i = 1; i < n_prov; i++)
    {
      guint32 r = uf_find (parent, i);
      if (r == i)
        final[i] = next++;
    }
  for (guint i = 1; i < n_prov; i++)
    final[i] = final[uf_find (parent, i)];

  GArray *comps = g_array_sized_new (FALSE, TRUE, sizeof (Component), next);
  g_array_set_size (comps, next);
  for (guint i = 0; i < next; i++)
    {
      Component *c = &g_array_index (comps, Component, i);
      c->x0 = c->y0 = G_MAXINT;
      c->x1 = c->y1 = -1;
      c->line = -1;
      c->keep = TRUE;
    }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize at = (gsize) y * w + x;
        if (!labels[at])
          continue;
        guint32 id = final[labels[at]];
        labels[at] = id;
        Component *c = &g_array_index (comps, Component, id);
        c->x0 = MIN (c->x0, x);
        c->x1 = MAX (c->x1, x);
        c->y0 = MIN (c->y0, y);
        c->y1 = MAX (c->y1, y);
        c->area++;
        c->sum_x += x;
        c->sum_y += y;
        if (x == 0 || y == 0 || x == w - 1 || y == h - 1
            || !b->p[at - 1] || !b->p[at + 1] || !b->p[at - w] || !b->p[at + w])
          c->boundary++;
      }
  g_array_index (comps, Component, 0).keep = FALSE;
  g_array_free (parent_arr, TRUE);
  return comps;
}

static int
compare_int (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Median height of the components that look like letters or words. */
static double
estimate_text_height (GArray *comps, int page_h)
{
  g_autoptr (GArray) hs = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 1; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);
      int ch = c->y1 - c->y0 + 1, cw = c->x1 - c->x0 + 1;
      if (ch >= 4 && cw >= 2 && c->area >= 8 && ch < page_h / 8)
        g_array_append_val (hs, ch);
    }
  if (hs->len < 5)
    return 0;
  g_array_sort (hs, compare_int);
  double med = g_array_index (hs, int, hs->len / 2);
  /* again, without specks and giants */
  g_autoptr (GArray) hs2 = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < hs->len; i++)
    {
      int v = g_array_index (hs, int, i);
      if (v >= 0.4 * med && v <= 3 * med)
        g_array_append_val (hs2, v);
    }
  if (hs2->len < 5)
    return med;
  return g_array_index (hs2, int, hs2->len / 2);
}

/* Drops components that cannot be text: specks, rules, frames, stamps and pictures, and the
 * dark edges of the scanned page. */
static double
component_stroke_width (const Component *c)
{
  return 2.0 * c->area / MAX (1, c->boundary);
}

/* Whether a component reaches the edge of the scanned image (checked on its bounding box,
 * mapped back through the deskew rotation): cut-off letters, the binding, the neighbour page. */
static gboolean
touches_image_edge (const Component *c, const Transform *t, int reduced_w, int reduced_h)
{
  const double corner_x[2] = { c->x0, c->x1 + 1.0 }, corner_y[2] = { c->y0, c->y1 + 1.0 };
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      {
        double x, y;
        transform_to_page (t, corner_x[i], corner_y[j], &x, &y);
        x *= t->scale;
        y *= t->scale;
        if (x <= 1.0 || y <= 1.0 || x >= reduced_w - 1.0 || y >= reduced_h - 1.0)
          return TRUE;
      }
  return FALSE;
}

/* For each column (each row when `across_rows`) of a component's box, the first and last of
 * its ink pixels along it: lo[i] = G_MAXINT and hi[i] = -1 where it has none. */
static void
component_extents (const Component *c, guint32 id, const guint32 *labels, int w,
                   gboolean across_rows, int *lo, int *hi)
{
  int n = across_rows ? c->y1 - c->y0 + 1 : c->x1 - c->x0 + 1;
  for (int i = 0; i < n; i++)
    {
      lo[i] = G_MAXINT;
      hi[i] = -1;
    }
  for (int y = c->y0; y <= c->y1; y++)
    for (int x = c->x0; x <= c->x1; x++)
      if (labels[(gsize) y * w + x] == id)
        {
          int i = across_rows ? y - c->y0 : x - c->x0, v = across_rows ? x : y;
          lo[i] = MIN (lo[i], v);
          hi[i] = MAX (hi[i], v);
        }
}

/* A long component whose ink, across most of its columns (rows when `upright`), is about the
 * pen width is a drawn line: a filler stroke, an underline, a frame, a rule left over, or
 * words strung together by one. Its thin columns are cleared from the labels (the caller
 * labels the page again), leaving the words, if any. Returns FALSE when nothing is left. */
static gboolean
strip_drawn_line (const Component *c, guint32 id, guint32 *labels, int w, double pen,
                  double th, gboolean upright)
{
  int n = upright ? c->y1 - c->y0 + 1 : c->x1 - c->x0 + 1;
  g_autofree int *lo = g_new (int, n);
  g_autofree int *hi = g_new (int, n);
  g_autofree int *extent = g_new (int, n);
  component_extents (c, id, labels, w, upright, lo, hi);
  int n_ext = 0;
  for (int i = 0; i < n; i++)
    if (hi[i] >= 0)
      extent[n_ext++] = hi[i] - lo[i] + 1;
  if (n_ext == 0)
    return FALSE;
  qsort (extent, n_ext, sizeof (int), compare_int);
  if (extent[n_ext / 2] > DRAWN_LINE * pen)
    return TRUE;
  int left = 0;
  for (int y = c->y0; y <= c->y1; y++)
    for (int x = c->x0; x <= c->x1; x++)
      {
        gsize at = (gsize) y * w + x;
        if (labels[at] != id)
          continue;
        int i = upright ? y - c->y0 : x - c->x0;
        if (hi[i] - lo[i] + 1 <= DRAWN_LINE * pen)
          labels[at] = 0;
        else
          left++;
      }
  if (left < 0.5 * th * th)
    {
      for (int y = c->y0; y <= c->y1; y++)
        for (int x = c->x0; x <= c->x1; x++)
          if (labels[(gsize) y * w + x] == id)
            labels[(gsize) y * w + x] = 0;
      return FALSE;
    }
  return TRUE;
}

/* Whether one of the 8 neighbours of (x, y) in a w × h map holds `value`. */
static gboolean
touches_value (const guint8 *map, int w, int h, int x, int y, guint8 value)
{
  for (int yy = MAX (0, y - 1); yy <= MIN (h - 1, y + 1); yy++)
    for (int xx = MAX (0, x - 1); xx <= MIN (w - 1, x + 1); xx++)
      if ((xx != x || yy != y) && map[(gsize) yy * w + xx] == value)
        return TRUE;
  return FALSE;
}

/* A large, sparse component is a drawing: a frame, a loop drawn around the text, a flourish,
 * a signature's swirl, the outline of a seal; often touching words (a loop drawn round a
 * paragraph crosses its words here and there, and then the words and the loop are one
 * component, sparse as a whole). Words it touches would go with it, so rather than dropping it,
 * its pen lines are cleared: pixels whose column or row holds no more ink of it than a few pen
 * widths (the crossings of a thin curve). That also clears the thin joins and the tops of the
 * words' own letters, so what is left then grows back, along the component, by a part of the
 * text height: the words come back whole and the curve only as a stub where it touched them.
 * What stays are the words, a seal's picture (drop_stamps takes it) and scraps that the later
 * filters drop. Returns FALSE when nothing is left. */
static gboolean
strip_thin_curve (Component *c, guint32 id, guint32 *labels, int w, double pen, double th)
{
  int cw = c->x1 - c->x0 + 1, ch = c->y1 - c->y0 + 1;
  g_autofree int *col = g_new0 (int, cw);
  g_autofree int *row = g_new0 (int, ch);
  /* 0 not this component, 1 cleared, 2 kept, 3 grown back in this pass */
  g_autofree guint8 *mask = g_new0 (guint8, (gsize) cw * ch);
  for (int y = c->y0; y <= c->y1; y++)
    for (int x = c->x0; x <= c->x1; x++)
      if (labels[(gsize) y * w + x] == id)
        {
          col[x - c->x0]++;
          row[y - c->y0]++;
        }
  double thin = 3 * pen;
  int left = 0;
  for (int y = 0; y < ch; y++)
    for (int x = 0; x < cw; x++)
      if (labels[(gsize) (y + c->y0) * w + x + c->x0] == id)
        {
          gboolean cleared = col[x] <= thin || row[y] <= thin;
          mask[(gsize) y * cw + x] = cleared ? 1 : 2;
          left += !cleared;
        }
  /* nothing left but scraps: the whole drawing goes */
  gboolean keep = left >= 0.5 * th * th;
  int grow = MAX (1, (int) lround (REGROW * th));
  for (int pass = 0; pass < grow && keep; pass++)
    {
      for (int y = 0; y < ch; y++)
        for (int x = 0; x < cw; x++)
          {
            if (mask[(gsize) y * cw + x] == 1 && touches_value (mask, cw, ch, x, y, 2))
              mask[(gsize) y * cw + x] = 3;
          }
      for (gsize i = 0; i < (gsize) cw * ch; i++)
        if (mask[i] == 3)
          mask[i] = 2;
    }
  for (int y = 0; y < ch; y++)
    for (int x = 0; x < cw; x++)
      if (mask[(gsize) y * cw + x] == 1 || (!keep && mask[(gsize) y * cw + x]))
        labels[(gsize) (y + c->y0) * w + x + c->x0] = 0;
  return keep;    /* statistics are stale: the caller labels the page again */
}

static void
filter_components (GArray *comps, guint32 *labels, int w, const Transform *t,
                   int reduced_w, int reduced_h, double th)
{
  /* typical pen width: the median stroke width of letter-sized components */
  g_autoptr (GArray) strokes = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 1; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);
      int cw = c->x1 - c->x0 + 1, ch = c->y1 - c->y0 + 1;
      if (ch >= 0.5 * th && ch <= 3 * th && cw <= 10 * th)
        {
          double sw = component_stroke_width (c);
          g_array_append_val (strokes, sw);
        }
    }
  double pen = 0;
  if (strokes->len > 0)
    {
      g_array_sort (strokes, compare_double);
      pen = g_array_index (strokes, double, strokes->len / 2);
    }
  for (guint i = 1; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);
      int cw = c->x1 - c->x0 + 1, ch = c->y1 - c->y0 + 1;
      double fill = c->area / ((double) cw * ch);
      gboolean touches = touches_image_edge (c, t, reduced_w, reduced_h);
      if (MAX (cw, ch) < 0.15 * th)
        c->keep = FALSE;                          /* speck */
      else if (ch > 2.5 * th && cw > 2.5 * th
               && (fill < LOOP_FILL || (ch > 5 * th && cw > 5 * th && fill < DRAWING_FILL)))
        {
          if (pen <= 0 || !strip_thin_curve (c, i, labels, w, pen, th))
            c->keep = FALSE;                      /* frame, loop, flourish */
        }
      else if (ch > 5 * th && cw > 5 * th)
        c->keep = FALSE;                          /* picture, seal, stamp */
      else if (cw > 10 * th && ch < 0.4 * th)
        c->keep = FALSE;                          /* rule or underline left over */
      else if (cw > 6 * th && cw > 10 * ch)
        c->keep = FALSE;                          /* thick rule, page edge */
      else if (ch > 10 * th && cw < 0.4 * th)
        c->keep = FALSE;                          /* vertical rule */
      else if (touches)
        c->keep = FALSE;                          /* scan edge, binding, neighbour page */
      else if (pen > 0 && MAX (cw, ch) > th && component_stroke_width (c) > BLOB_STROKE * pen)
        c->keep = FALSE;                          /* blot, dark patch: far wider than the pen */
      else if (pen > 0 && cw > 4 * th && !strip_drawn_line (c, i, labels, w, pen, th, FALSE))
        c->keep = FALSE;                          /* drawn line: filler, underline, frame */
      else if (pen > 0 && ch > 4 * th && !strip_drawn_line (c, i, labels, w, pen, th, TRUE))
        c->keep = FALSE;                          /* drawn line upright: margin, fold, frame */
    }
}

/* ---- 6. line spacing ------------------------------------------------------------------------ */

/* The distance between text lines, from the autocorrelation of the row profile of the ink,
 * taken per vertical strip (so that columns need not line up) and then the median. The row
 * profile of one line of writing has bumps of its own (the top and the foot of the x-height
 * band), so its autocorrelation also peaks at about the x-height; the line spacing is the lag
 * whose peak is repeated at twice the lag (the next line but one), which the x-height's is not:
 * each peak lag l is scored min(AC(l), AC(2l)), the shorter lag winning near ties (so that
 * twice the spacing, repeated too, does not). */
static double
estimate_line_spacing (const Bitmap *b, const guint32 *labels, GArray *comps, double th)
{
  int n_strips = 4;
  int strip_w = b->w / n_strips;
  int min_lag = (int) MAX (2, 0.9 * th), max_lag = (int) MIN (b->h / 3, MAX_SPACING * th);
  if (strip_w < 1 || max_lag <= min_lag)
    return 0;
  int top_lag = MIN (b->h - 1, 2 * max_lag + 2);
  g_autofree double *prof = g_new (double, b->h);
  g_autofree double *ac = g_new0 (double, top_lag + 1);
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (double));

  for (int s = 0; s < n_strips; s++)
    {
      double mean = 0;
      for (int y = 0; y < b->h; y++)
        {
          int n = 0;
          const guint32 *row = labels + (gsize) y * b->w;
          for (int x = s * strip_w; x < (s + 1) * strip_w; x++)
            if (row[x] && g_array_index (comps, Component, row[x]).keep)
              n++;
          prof[y] = n;
          mean += n;
        }
      mean /= b->h;
      if (mean * b->h < 20 * th)
        continue;
      double var = 0;
      for (int y = 0; y < b->h; y++)
        {
          prof[y] -= mean;
          var += prof[y] * prof[y];
        }
      if (var <= 0)
        continue;
      for (int lag = min_lag - 1; lag <= top_lag; lag++)
        {
          double sum = 0;
          for (int y = 0; y + lag < b->h; y++)
            sum += prof[y] * prof[y + lag];
          ac[lag] = sum / var;
        }
      double best_score = -G_MAXDOUBLE, best_lag = 0;
      for (int lag = min_lag; lag <= max_lag; lag++)
        {
          double v = ac[lag];
          if (v < ac[lag - 1] || v < ac[lag + 1] || v < 0.1)
            continue;
          /* the repeat at twice the lag: the best value near it */
          double twice = -1;
          for (int d = -2; d <= 2; d++)
            if (2 * lag + d >= 0 && 2 * lag + d <= top_lag)
              twice = MAX (twice, ac[2 * lag + d]);
          double score = MIN (v, twice);
          if (score > best_score + 0.02)
            {
              /* parabolic refinement of the peak */
              double a = ac[lag - 1], c = ac[lag + 1];
              double den = a - 2 * v + c;
              best_lag = lag + (den < 0 ? 0.5 * (a - c) / den : 0);
              best_score = score;
            }
        }
      if (best_lag > 0)
        g_array_append_val (found, best_lag);
    }
  if (found->len == 0)
    return 0;
  g_array_sort (found, compare_double);
  return g_array_index (found, double, found->len / 2);
}

typedef struct {
  double x0, x1, y;
} Piece;

static int
compare_piece_y (gconstpointer a, gconstpointer b)
{
  const Piece *x = a, *y = b;
  return (x->y > y->y) - (x->y < y->y);
}

/* The distance between text lines as the most common vertical distance from a word or letter
 * to the nearest one above it that it overlaps horizontally. Lines of text make that distance
 * pile up at the line spacing, whatever else is on the page (grids and rule remnants are not
 * letter-sized; accents are too close). 0 when there is too little text to tell. */
static double
estimate_line_spacing_pairs (GArray *comps, double th, int page_h)
{
  g_autoptr (GArray) pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  for (guint i = 1; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);
      int cw = c->x1 - c->x0 + 1, ch = c->y1 - c->y0 + 1;
      if (!c->keep || cw < 0.5 * th || ch < 0.5 * th || ch > 3 * th)
        continue;
      Piece p = { c->x0, c->x1 + 1, (c->y0 + c->y1 + 1) / 2.0 };
      g_array_append_val (pieces, p);
    }
  if (pieces->len < 10)
    return 0;
  g_array_sort (pieces, compare_piece_y);
  int max_d = (int) MIN (page_h / 3, MAX_SPACING * th);
  if (max_d < 2)
    return 0;
  g_autofree double *hist = g_new0 (double, max_d + 1);
  int n = 0;
  const Piece *pc = (const Piece *) pieces->data;
  for (guint i = 0; i < pieces->len; i++)
    for (int j = (int) i - 1; j >= 0; j--)
      {
        double d = pc[i].y - pc[j].y;
        if (d > max_d)
          break;
        double ov = MIN (pc[i].x1, pc[j].x1) - MAX (pc[i].x0, pc[j].x0);
        double narrow = MIN (pc[i].x1 - pc[i].x0, pc[j].x1 - pc[j].x0);
        if (ov < 0.3 * narrow)
          continue;
        if (d >= 0.8 * th)
          {
            hist[(int) d]++;
            n++;
          }
        break;
      }
  if (n < 10)
    return 0;
  /* the mode of the smoothed histogram */
  double sigma = MAX (1.0, 0.15 * th);
  int r = (int) ceil (3 * sigma);
  double best = 0;
  int best_d = 0;
  for (int d = 1; d <= max_d; d++)
    {
      double v = 0;
      for (int k = -r; k <= r; k++)
        if (d + k >= 0 && d + k <= max_d)
          v += hist[d + k] * exp (-0.5 * k * k / (sigma * sigma));
      if (v > best)
        {
          best = v;
          best_d = d;
        }
    }
  return best_d;
}

/* ---- 7. line ridges ------------------------------------------------------------------------- */

/* Box blur along one axis of a w × h float map (in place), radius r, edges clamped. */
static void
box_blur (float *m, int w, int h, int r, gboolean vertical)
{
  if (r <= 0)
    return;
  int len = vertical ? h : w, lines = vertical ? w : h;
  gsize sa = vertical ? (gsize) w : 1, sl = vertical ? 1 : (gsize) w;
  g_autofree float *tmp = g_new (float, len);
  for (int l = 0; l < lines; l++)
    {
      float *base = m + l * sl;
      for (int i = 0; i < len; i++)
        tmp[i] = base[i * sa];
      double acc = 0;
      for (int i = -r; i <= r; i++)
        acc += tmp[CLAMP (i, 0, len - 1)];
      for (int i = 0; i < len; i++)
        {
          base[i * sa] = acc / (2 * r + 1);
          acc += tmp[MIN (i + r + 1, len - 1)] - tmp[MAX (i - r, 0)];
        }
    }
}

/* Three box blurs approximate a Gaussian of the given sigma. */
static void
gauss_blur (float *m, int w, int h, double sigma, gboolean vertical)
{
  /* three boxes of width 2r+1 have variance 3 · ((2r+1)² − 1) / 12 */
  int r = (int) lround ((sqrt (4.0 * sigma * sigma + 1.0) - 1.0) / 2.0);
  for (int i = 0; i < 3; i++)
    box_blur (m, w, h, r, vertical);
}

/* ---- 6b. stamps and seals ------------------------------------------------------------------- */

/* 1-D Gaussian smoothing of a profile (three box blurs). */
static void
smooth_profile (double *p, int n, double sigma)
{
  int r = (int) lround ((sqrt (4.0 * sigma * sigma + 1.0) - 1.0) / 2.0);
  if (r <= 0 || n <= 0)
    return;
  g_autofree double *tmp = g_new (double, n);
  for (int pass = 0; pass < 3; pass++)
    {
      memcpy (tmp, p, sizeof (double) * n);
      double acc = 0;
      for (int i = -r; i <= r; i++)
        acc += tmp[CLAMP (i, 0, n - 1)];
      for (int i = 0; i < n; i++)
        {
          p[i] = acc / (2 * r + 1);
          acc += tmp[MIN (i + r + 1, n - 1)] - tmp[MAX (i - r, 0)];
        }
    }
}

/* Stamps and seals printed or pressed on the page (a fiscal stamp, an office's seal, a
 * perforated mark) binarise into a crowd of specks, fine print and hatching. Where specks crowd
 * (counted in a window about a line spacing wide, against the text height and line spacing), a
 * region is a candidate; it is a stamp when its ink has no line structure: the row profile of
 * its ink, smoothed over a tenth of a line spacing, hardly departs from the same profile smoothed
 * over a third of one (text has its lines and the blank between them; a seal is one blot). The
 * region's components go, with the letters and scraps beside them (lettering round a seal, a
 * stamp's frame) that are small, close to them and near the region. */
static void
drop_stamps (GArray *comps, const guint32 *labels, int w, int h, double th, double ls)
{
  int cell = MAX (1, (int) floor (ls / 8));
  int gw = (w + cell - 1) / cell, gh = (h + cell - 1) / cell;
  g_autofree float *d = g_new0 (float, (gsize) gw * gh);
  for (guint i = 1; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);
      if (!c->keep || MAX (c->x1 - c->x0, c->y1 - c->y0) + 1 >= SPECK_SIZE * th)
        continue;
      int cx = (int) (c->sum_x / c->area) / cell, cy = (int) (c->sum_y / c->area) / cell;
      d[(gsize) cy * gw + cx] += 1.0f;
    }
  double sigma = STAMP_SIGMA * ls / cell;
  gauss_blur (d, gw, gh, sigma, TRUE);
  gauss_blur (d, gw, gh, sigma, FALSE);
  double norm = 2 * G_PI * sigma * sigma;      /* specks within the footprint of the kernel */
  for (gsize i = 0; i < (gsize) gw * gh; i++)
    d[i] *= norm;

  /* regions of high speck density: connected cells over STAMP_LOW that reach STAMP_HIGH */
  g_autofree int *reg = g_new0 (int, (gsize) gw * gh);
  g_autofree int *stack = g_new (int, (gsize) gw * gh);
  int n_reg = 0;
  for (int start = 0; start < gw * gh; start++)
    {
      if (reg[start] || d[start] < STAMP_LOW)
        continue;
      n_reg++;
      int sp = 0, x0 = gw, x1 = -1, y0 = gh, y1 = -1;
      float peak = 0;
      stack[sp++] = start;
      reg[start] = n_reg;
      while (sp > 0)
        {
          int k = stack[--sp], x = k % gw, y = k / gw;
          peak = MAX (peak, d[k]);
          x0 = MIN (x0, x); x1 = MAX (x1, x); y0 = MIN (y0, y); y1 = MAX (y1, y);
          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              {
                int xx = x + dx, yy = y + dy;
                if (xx < 0 || yy < 0 || xx >= gw || yy >= gh)
                  continue;
                int kk = yy * gw + xx;
                if (!reg[kk] && d[kk] >= STAMP_LOW)
                  {
                    reg[kk] = n_reg;
                    stack[sp++] = kk;
                  }
              }
        }
      if (peak < STAMP_HIGH)
        continue;
      /* the row profile of the region's ink */
      int py0 = y0 * cell, py1 = MIN (h, (y1 + 1) * cell);
      g_autofree double *prof = g_new0 (double, py1 - py0);
      g_autofree double *wide = g_new0 (double, py1 - py0);
      for (guint i = 1; i < comps->len; i++)
        {
          Component *c = &g_array_index (comps, Component, i);
          if (!c->keep)
            continue;
          int cx = (int) (c->sum_x / c->area) / cell, cy = (int) (c->sum_y / c->area) / cell;
          if (reg[(gsize) cy * gw + cx] != n_reg)
            continue;
          for (int y = c->y0; y <= c->y1; y++)
            for (int x = c->x0; x <= c->x1; x++)
              if (labels[(gsize) y * w + x] == i && y >= py0 && y < py1)
                prof[y - py0]++;
        }
      memcpy (wide, prof, sizeof (double) * (py1 - py0));
      smooth_profile (prof, py1 - py0, 0.1 * ls);
      smooth_profile (wide, py1 - py0, 0.35 * ls);
      double dev = 0, sum = 0;
      for (int y = 0; y < py1 - py0; y++)
        {
          dev += fabs (prof[y] - wide[y]);
          sum += wide[y];
        }
      if (sum <= 0 || dev > STAMP_MODULATION * sum)
        continue;
      /* the stamp: the components of the region, and the letters and scraps next to them (the
       * lettering round a seal, the edge of a stamp) within reach of the region */
      g_autoptr (GArray) taken = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 1; i < comps->len; i++)
        {
          Component *c = &g_array_index (comps, Component, i);
          int cx = (int) (c->sum_x / c->area) / cell, cy = (int) (c->sum_y / c->area) / cell;
          if (c->keep && reg[(gsize) cy * gw + cx] == n_reg)
            {
              c->keep = FALSE;
              g_array_append_val (taken, i);
            }
        }
      double reach = STAMP_REACH * ls, near = STAMP_NEAR * ls;
      double rx0 = x0 * cell - reach, rx1 = (x1 + 1) * cell + reach;
      double ry0 = y0 * cell - reach, ry1 = (y1 + 1) * cell + reach;
      for (guint k = 0; k < taken->len; k++)
        {
          const Component *t = &g_array_index (comps, Component, g_array_index (taken, guint, k));
          for (guint i = 1; i < comps->len; i++)
            {
              Component *c = &g_array_index (comps, Component, i);
              if (!c->keep || MAX (c->x1 - c->x0, c->y1 - c->y0) + 1 > STAMP_PIECE * th)
                continue;
              double mx = c->sum_x / c->area, my = c->sum_y / c->area;
              if (mx < rx0 || mx > rx1 || my < ry0 || my > ry1)
                continue;
              if (c->x0 > t->x1 + near || c->x1 < t->x0 - near || c->y0 > t->y1 + near
                  || c->y1 < t->y0 - near)
                continue;
              c->keep = FALSE;
              g_array_append_val (taken, i);
            }
        }
    }
}

/* ---- 6c. text written across --------------------------------------------------------------- */

static int
compare_comp_y0 (gconstpointer a, gconstpointer b, gpointer data)
{
  const Component *c = data;
  const Component *x = &c[*(const guint *) a], *y = &c[*(const guint *) b];
  return (x->y0 > y->y0) - (x->y0 < y->y0);
}

static int
compare_comp_x0 (gconstpointer a, gconstpointer b, gpointer data)
{
  const Component *c = data;
  const Component *x = &c[*(const guint *) a], *y = &c[*(const guint *) b];
  return (x->x0 > y->x0) - (x->x0 < y->x0);
}

/* For each of the sorted components (by y0 when `down`, else by x0), the gap to the nearest one
 * after it that overlaps it across (by half the narrower's extent), into gap[]; G_MAXINT when
 * none within max_gap. The gap is also given to that neighbour, for its side facing back. */
static void
neighbour_gaps (const Component *cs, const guint *order, guint n, gboolean down, double max_gap,
                int *gap)
{
  for (guint a = 0; a < n; a++)
    {
      const Component *c = &cs[order[a]];
      int c_end = down ? c->y1 : c->x1;
      int c_lo = down ? c->x0 : c->y0, c_hi = down ? c->x1 : c->y1;
      for (guint b = a + 1; b < n; b++)
        {
          const Component *d = &cs[order[b]];
          int d_start = down ? d->y0 : d->x0;
          if (d_start - c_end > max_gap)
            break;
          int d_lo = down ? d->x0 : d->y0, d_hi = down ? d->x1 : d->y1;
          int ov = MIN (c_hi, d_hi) - MAX (c_lo, d_lo) + 1;
          if (ov < 0.5 * MIN (c_hi - c_lo + 1, d_hi - d_lo + 1))
            continue;
          int g = MAX (0, d_start - c_end - 1);
          gap[order[a]] = MIN (gap[order[a]], g);
          gap[order[b]] = MIN (gap[order[b]], g);
        }
    }
}

/* Text running up or down the page (a stamp's lettering turned on its side, a note written up
 * the margin) cannot be one of the page's lines, and the ridges would string its letters into
 * the lines it crosses. Its letters have their nearest neighbours above and below them, close,
 * and none beside them; a column of at least ACROSS_MIN such letters and words, each close
 * above the next, is dropped. Returns whether any was. */
static gboolean
drop_text_across (GArray *comps, double th, double ls)
{
  gboolean dropped = FALSE;
  Component *cs = (Component *) comps->data;
  g_autoptr (GArray) cand = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 1; i < comps->len; i++)
    {
      const Component *c = &cs[i];
      int size = MAX (c->x1 - c->x0, c->y1 - c->y0) + 1;
      if (c->keep && size >= 0.4 * th && size <= 8 * th)
        g_array_append_val (cand, i);
    }
  guint n = cand->len;
  if (n < ACROSS_MIN)
    return FALSE;
  g_autofree int *vgap = g_new (int, comps->len);
  g_autofree int *hgap = g_new (int, comps->len);
  for (guint i = 0; i < comps->len; i++)
    vgap[i] = hgap[i] = G_MAXINT;
  guint *order = (guint *) cand->data;
  double max_gap = 2 * th;
  g_qsort_with_data (order, n, sizeof (guint), compare_comp_x0, cs);
  neighbour_gaps (cs, order, n, FALSE, max_gap, hgap);
  g_qsort_with_data (order, n, sizeof (guint), compare_comp_y0, cs);
  neighbour_gaps (cs, order, n, TRUE, max_gap, vgap);

  /* columns of letters that vote for running up or down: linked when close above each other */
  g_autofree guint32 *parent = g_new (guint32, comps->len);
  g_autofree guint8 *vote = g_new0 (guint8, comps->len);
  for (guint i = 0; i < comps->len; i++)
    parent[i] = i;
  for (guint a = 0; a < n; a++)
    {
      guint i = order[a];
      vote[i] = vgap[i] <= ACROSS_GAP * th && (hgap[i] == G_MAXINT || 2 * vgap[i] < hgap[i]);
    }
  for (guint a = 0; a < n; a++)
    {
      const Component *c = &cs[order[a]];
      if (!vote[order[a]])
        continue;
      for (guint b = a + 1; b < n; b++)
        {
          const Component *d = &cs[order[b]];
          if (d->y0 - c->y1 > ACROSS_LINK * th)
            break;
          if (!vote[order[b]])
            continue;
          int ov = MIN (c->x1, d->x1) - MAX (c->x0, d->x0) + 1;
          if (ov < 0.5 * MIN (c->x1 - c->x0 + 1, d->x1 - d->x0 + 1))
            continue;
          guint32 ra = uf_find (parent, order[a]), rb = uf_find (parent, order[b]);
          if (ra != rb)
            parent[MAX (ra, rb)] = MIN (ra, rb);
        }
    }
  /* per column: its length, and its levels: letters top to bottom (order is by y0), a new
   * level where one sits lower than the last by more than a third of the text height. Text
   * running down has a level for each letter, several to a line spacing; the letters of lines
   * one under the other that happen to line up (a chance column) have one level to a line. */
  g_autofree guint *count = g_new0 (guint, comps->len);
  g_autofree guint *levels = g_new0 (guint, comps->len);
  g_autofree int *top = g_new (int, comps->len);
  g_autofree int *bottom = g_new (int, comps->len);
  g_autofree double *level_y = g_new (double, comps->len);
  g_autofree int *left = g_new (int, comps->len);
  g_autofree int *right = g_new (int, comps->len);
  for (guint a = 0; a < n; a++)
    {
      guint i = order[a];
      if (!vote[i])
        continue;
      guint32 r = uf_find (parent, i);
      double mid = (cs[i].y0 + cs[i].y1) / 2.0;
      if (count[r]++ == 0)
        {
          top[r] = cs[i].y0;
          bottom[r] = cs[i].y1;
          left[r] = cs[i].x0;
          right[r] = cs[i].x1;
          levels[r] = 1;
          level_y[r] = mid;
          continue;
        }
      if (mid > level_y[r] + th / 3)
        {
          levels[r]++;
          level_y[r] = mid;
        }
      top[r] = MIN (top[r], cs[i].y0);
      bottom[r] = MAX (bottom[r], cs[i].y1);
      left[r] = MIN (left[r], cs[i].x0);
      right[r] = MAX (right[r], cs[i].x1);
    }
  g_autoptr (GArray) dropped_columns = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree guint8 *column_dropped = g_new0 (guint8, comps->len);
  for (guint a = 0; a < n; a++)
    {
      guint i = order[a];
      guint32 r = uf_find (parent, i);
      double length = (bottom[r] - top[r]) / ls;
      gboolean across = vote[i] && levels[r] >= ACROSS_MIN && length >= ACROSS_LENGTH
                        && levels[r] >= ACROSS_DENSITY * length;
      if (across)
        {
          cs[i].keep = FALSE;
          if (!column_dropped[r])
            g_array_append_val (dropped_columns, r);
          column_dropped[r] = TRUE;
          dropped = TRUE;
        }
    }
  /* the dots and specks of the column's letters (the dots of its i's) go with it */
  for (guint k = 0; k < dropped_columns->len; k++)
    {
      guint32 r = g_array_index (dropped_columns, guint32, k);
      for (guint i = 1; i < comps->len; i++)
        {
          Component *c = &cs[i];
          double mx = c->sum_x / c->area, my = c->sum_y / c->area;
          if (c->keep && MAX (c->x1 - c->x0, c->y1 - c->y0) + 1 < 0.4 * th
              && mx >= left[r] - 0.5 * th && mx <= right[r] + 0.5 * th
              && my >= top[r] && my <= bottom[r])
            c->keep = FALSE;
        }
    }
  return dropped;
}

typedef struct {
  GArray *xs;          /* double, analysis-map x of each point (cell centres) */
  GArray *ys;          /* double */
  double  strength;    /* sum of ridge values */
  gboolean alive;
  gboolean print_row;  /* one of two rows of small print that were one line (split_double_lines) */
} Chain;

static void
chain_free (gpointer p)
{
  Chain *c = p;
  g_array_free (c->xs, TRUE);
  g_array_free (c->ys, TRUE);
  g_free (c);
}

static Chain *
chain_new (void)
{
  Chain *c = g_new0 (Chain, 1);
  c->xs = g_array_new (FALSE, FALSE, sizeof (double));
  c->ys = g_array_new (FALSE, FALSE, sizeof (double));
  c->alive = TRUE;
  return c;
}

static double
chain_x0 (const Chain *c)
{
  return g_array_index (c->xs, double, 0);
}

static double
chain_x1 (const Chain *c)
{
  return g_array_index (c->xs, double, c->xs->len - 1);
}

/* y of the chain at x, linear between points and constant beyond its ends. */
static double
chain_y_at (const Chain *c, double x)
{
  guint n = c->xs->len;
  const double *xs = (const double *) c->xs->data, *ys = (const double *) c->ys->data;
  if (x <= xs[0])
    return ys[0];
  if (x >= xs[n - 1])
    return ys[n - 1];
  guint lo = 0, hi = n - 1;
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      if (xs[mid] <= x)
        lo = mid;
      else
        hi = mid;
    }
  double t = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

typedef struct {
  int   cell;            /* cell size in analysis pixels */
  int   gw, gh;
  float *s;              /* smoothed density, gh × gw */
} Ridges;

typedef struct {
  double y;              /* cell units, refined */
  float  v;
  int    chain;
} Peak;

typedef struct {
  int    chain;
  int    peak;
  double d;
} LinkCandidate;

static int
compare_link (gconstpointer a, gconstpointer b)
{
  const LinkCandidate *x = a, *y = b;
  return (x->d > y->d) - (x->d < y->d);
}

/* Finds the text-line ridges: per column the local maxima of the smoothed density, linked
 * left to right. Returns chains with coordinates in analysis pixels. */
static GPtrArray *
find_line_chains (const Bitmap *b, const guint32 *labels, GArray *comps, double th, double ls)
{
  Ridges r;
  r.cell = MAX (1, (int) floor (ls / 10.0));
  r.gw = (b->w + r.cell - 1) / r.cell;
  r.gh = (b->h + r.cell - 1) / r.cell;
  r.s = g_new0 (float, (gsize) r.gw * r.gh);
  for (int y = 0; y < b->h; y++)
    {
      const guint32 *row = labels + (gsize) y * b->w;
      float *grow = r.s + (gsize) (y / r.cell) * r.gw;
      for (int x = 0; x < b->w; x++)
        if (row[x] && g_array_index (comps, Component, row[x]).keep)
          grow[x / r.cell] += 1.0f;
    }
  double ls_c = ls / r.cell;
  gauss_blur (r.s, r.gw, r.gh, SIGMA_Y * ls_c, TRUE);
  gauss_blur (r.s, r.gw, r.gh, SIGMA_X * ls_c, FALSE);

  /* Level of a text ridge: a high percentile of the per-column maxima. */
  g_autoptr (GArray) maxima = g_array_new (FALSE, FALSE, sizeof (double));
  for (int x = 0; x < r.gw; x++)
    for (int y = 1; y + 1 < r.gh; y++)
      {
        float v = r.s[(gsize) y * r.gw + x];
        if (v > 0 && v >= r.s[(gsize) (y - 1) * r.gw + x] && v > r.s[(gsize) (y + 1) * r.gw + x])
          {
            double dv = v;
            g_array_append_val (maxima, dv);
          }
      }
  GPtrArray *chains = g_ptr_array_new_with_free_func (chain_free);
  if (maxima->len == 0)
    {
      g_free (r.s);
      return chains;
    }
  g_array_sort (maxima, compare_double);
  double level = g_array_index (maxima, double, (guint) (maxima->len * 0.9));
  double floor_v = 0.12 * level;

  /* Link peaks column by column. */
  g_autoptr (GArray) prev = g_array_new (FALSE, FALSE, sizeof (Peak));
  g_autoptr (GArray) cur = g_array_new (FALSE, FALSE, sizeof (Peak));
  g_autoptr (GArray) cands = g_array_new (FALSE, FALSE, sizeof (LinkCandidate));
  g_autofree int *last_x = NULL;
  double tol = MAX (1.0, 0.22 * ls_c);
  int max_gap = (int) MAX (2, 1.0 * ls_c);
  GArray *open = g_array_new (FALSE, FALSE, sizeof (int));     /* chains still extendable */

  for (int x = 0; x < r.gw; x++)
    {
      g_array_set_size (cur, 0);
      for (int y = 1; y + 1 < r.gh; y++)
        {
          float v = r.s[(gsize) y * r.gw + x];
          float up = r.s[(gsize) (y - 1) * r.gw + x], dn = r.s[(gsize) (y + 1) * r.gw + x];
          if (v < floor_v || v < up || v <= dn)
            continue;
          /* prominence: the valley to the next stronger point on each side must be real */
          float lo_up = v, lo_dn = v;
          int yy;
          for (yy = y - 1; yy >= 0 && r.s[(gsize) yy * r.gw + x] <= v; yy--)
            lo_up = MIN (lo_up, r.s[(gsize) yy * r.gw + x]);
          gboolean bounded_up = yy >= 0;
          for (yy = y + 1; yy < r.gh && r.s[(gsize) yy * r.gw + x] <= v; yy++)
            lo_dn = MIN (lo_dn, r.s[(gsize) yy * r.gw + x]);
          gboolean bounded_dn = yy < r.gh;
          float valley = MAX (bounded_up ? lo_up : 0, bounded_dn ? lo_dn : 0);
          if (v - valley < PROMINENCE * v)
            continue;
          Peak p;
          double den = up - 2 * v + dn;
          p.y = y + (den < 0 ? 0.5 * (up - dn) / den : 0);
          p.v = v;
          p.chain = -1;
          g_array_append_val (cur, p);
        }

      /* candidates: open chains whose predicted y is near a peak */
      g_array_set_size (cands, 0);
      for (guint i = 0; i < open->len; i++)
        {
          int ci = g_array_index (open, int, i);
          Chain *c = chains->pdata[ci];
          double lx = chain_x1 (c) / r.cell - 0.5;
          double ly = g_array_index (c->ys, double, c->ys->len - 1) / r.cell - 0.5;
          /* slope over the last points, to follow sloping lines across gaps */
          double slope = 0;
          guint n = c->xs->len;
          if (n >= 4)
            {
              guint k = n - MIN (n, 8u);
              double dx = chain_x1 (c) - g_array_index (c->xs, double, k);
              if (dx > 0)
                slope = (g_array_index (c->ys, double, n - 1) - g_array_index (c->ys, double, k)) / dx;
              slope = CLAMP (slope, -0.1, 0.1);
            }
          double pred = ly + slope * (x - lx);
          double gap = x - lx;
          for (guint j = 0; j < cur->len; j++)
            {
              Peak *p = &g_array_index (cur, Peak, j);
              double d = fabs (p->y - pred);
              if (d <= tol * (1.0 + 0.15 * (gap - 1)))
                {
                  LinkCandidate lc = { ci, (int) j, d + 0.05 * gap };
                  g_array_append_val (cands, lc);
                }
            }
        }
      g_array_sort (cands, compare_link);
      g_autofree guint8 *chain_taken = g_new0 (guint8, chains->len + 1);
      for (guint i = 0; i < cands->len; i++)
        {
          LinkCandidate *lc = &g_array_index (cands, LinkCandidate, i);
          Peak *p = &g_array_index (cur, Peak, lc->peak);
          if (p->chain >= 0 || chain_taken[lc->chain])
            continue;
          p->chain = lc->chain;
          chain_taken[lc->chain] = 1;
        }
      for (guint j = 0; j < cur->len; j++)
        {
          Peak *p = &g_array_index (cur, Peak, j);
          if (p->chain < 0)
            {
              Chain *c = chain_new ();
              p->chain = chains->len;
              g_ptr_array_add (chains, c);
              int id = p->chain;
              g_array_append_val (open, id);
            }
          Chain *c = chains->pdata[p->chain];
          double px = (x + 0.5) * r.cell, py = (p->y + 0.5) * r.cell;
          g_array_append_val (c->xs, px);
          g_array_append_val (c->ys, py);
          c->strength += p->v;
        }
      /* close chains that have not been extended for too long */
      for (guint i = 0; i < open->len;)
        {
          Chain *c = chains->pdata[g_array_index (open, int, i)];
          if (x - (chain_x1 (c) / r.cell - 0.5) > max_gap)
            g_array_remove_index_fast (open, i);
          else
            i++;
        }
    }
  g_array_free (open, TRUE);
  g_free (r.s);
  return chains;
}

/* Puts the points of `minor` outside the span of `major` into `major` and kills `minor`. */
static void
chain_absorb (Chain *major, Chain *minor)
{
  double x0 = chain_x0 (major), x1 = chain_x1 (major);
  g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < minor->xs->len; i++)
    if (g_array_index (minor->xs, double, i) < x0)
      {
        g_array_append_val (xs, g_array_index (minor->xs, double, i));
        g_array_append_val (ys, g_array_index (minor->ys, double, i));
      }
  g_array_append_vals (xs, major->xs->data, major->xs->len);
  g_array_append_vals (ys, major->ys->data, major->ys->len);
  for (guint i = 0; i < minor->xs->len; i++)
    if (g_array_index (minor->xs, double, i) > x1)
      {
        g_array_append_val (xs, g_array_index (minor->xs, double, i));
        g_array_append_val (ys, g_array_index (minor->ys, double, i));
      }
  g_array_set_size (major->xs, 0);
  g_array_set_size (major->ys, 0);
  g_array_append_vals (major->xs, xs->data, xs->len);
  g_array_append_vals (major->ys, ys->data, ys->len);
  major->strength += minor->strength;
  minor->alive = FALSE;
}

/* Mean slope of a chain over its last (at_end) or first points, in y per x. */
static double
chain_end_slope (const Chain *c, gboolean at_end, double span)
{
  guint n = c->xs->len;
  const double *xs = (const double *) c->xs->data, *ys = (const double *) c->ys->data;
  if (n < 2)
    return 0;
  guint a, b;
  if (at_end)
    {
      b = n - 1;
      a = b;
      while (a > 0 && xs[b] - xs[a] < span)
        a--;
    }
  else
    {
      a = 0;
      b = 0;
      while (b + 1 < n && xs[b] - xs[a] < span)
        b++;
    }
  if (xs[b] <= xs[a])
    return 0;
  return CLAMP ((ys[b] - ys[a]) / (xs[b] - xs[a]), -0.1, 0.1);
}

/* One text line can leave several chains: a line whose ridge forks for a while (tall letters,
 * a word written higher), or one broken where its ink is faint or its words far apart. Chains
 * that overlap in x and stay closer than half a line spacing are one line; chains that end
 * and begin in line with each other across a gap (up to 2.5 line spacings, or 5 when exactly in
 * line) are one line, when nothing else claims the join. */
static void
merge_chains (GPtrArray *chains, double ls)
{
  gboolean changed = TRUE;
  while (changed)
    {
      changed = FALSE;
      /* overlapping pieces of one line */
      for (guint i = 0; i < chains->len; i++)
        {
          Chain *a = chains->pdata[i];
          if (!a->alive)
            continue;
          for (guint j = 0; j < chains->len; j++)
            {
              Chain *b = chains->pdata[j];
              if (i == j || !b->alive || !a->alive)
                continue;
              double o0 = MAX (chain_x0 (a), chain_x0 (b)), o1 = MIN (chain_x1 (a), chain_x1 (b));
              if (o1 < o0)
                continue;
              double sum = 0;
              int n = 0;
              for (double x = o0; x <= o1; x += MAX (1.0, (o1 - o0) / 16))
                {
                  sum += fabs (chain_y_at (a, x) - chain_y_at (b, x));
                  n++;
                }
              if (n == 0 || sum / n > 0.45 * ls)
                continue;
              if (a->strength >= b->strength)
                chain_absorb (a, b);
              else
                chain_absorb (b, a);
              changed = TRUE;
            }
        }
      /* end to end */
      for (guint i = 0; i < chains->len; i++)
        {
          Chain *a = chains->pdata[i];
          if (!a->alive)
            continue;
          double ax = chain_x1 (a), ay = chain_y_at (a, ax);
          double slope = chain_end_slope (a, TRUE, ls);
          Chain *best = NULL;
          double best_d = G_MAXDOUBLE;
          int n_near = 0;
          for (guint j = 0; j < chains->len; j++)
            {
              Chain *b = chains->pdata[j];
              if (i == j || !b->alive)
                continue;
              double bx = chain_x0 (b);
              double gap = bx - ax;
              if (gap < 0 || gap > 5 * ls)
                continue;
              double by = chain_y_at (b, bx);
              double pred = ay + slope * gap;
              double d = fabs (by - pred);
              if (d < 0.6 * ls)
                n_near++;
              /* a long gap only when the two are exactly in line */
              double tolerance = gap <= 2.5 * ls ? 0.3 * ls : 0.15 * ls;
              if (d <= tolerance && d + 0.1 * gap < best_d)
                {
                  best_d = d + 0.1 * gap;
                  best = b;
                }
            }
          if (best == NULL || n_near > 1)
            continue;
          chain_absorb (a, best);
          changed = TRUE;
        }
    }
  for (guint i = 0; i < chains->len;)
    {
      Chain *c = chains->pdata[i];
      if (!c->alive)
        g_ptr_array_remove_index (chains, i);
      else
        i++;
    }
}

/* ---- 8. assignment of ink to lines ---------------------------------------------------------- */

typedef struct {
  Chain  *chain;
  int     x0, x1;           /* ink extent, analysis pixels */
  int     n_pixels;
  double  sum_x, sum_y, sum_xx, sum_xy;   /* of the ink pixels, for the ink's own slope */
  GArray *offsets;          /* int histogram of (y − chain y), index + hist_r */
  int     hist_r;
  double  base_off;         /* baseline offset from the chain */
  double  top_off, bottom_off;   /* where the line's ink (but a few per cent) begins and ends */
  double  xheight;
  double  xheight_measured;   /* before it is bounded by the page's */
  int     col0, n_cols;     /* columns [col0, col0 + n_cols) that may hold the line's ink */
  gint16 *col_top, *col_bottom;   /* per column the highest and lowest ink pixel (−1: none) */
  guint16 *col_count;              /* per column the number of ink pixels */
  gboolean keep;
  gboolean beside;          /* another line lies beside it at its height (group_regions) */
} Line;

static void
line_free (gpointer p)
{
  Line *l = p;
  if (l->offsets)
    g_array_free (l->offsets, TRUE);
  g_free (l->col_top);
  g_free (l->col_bottom);
  g_free (l->col_count);
  g_free (l);
}

static Line *
line_new (Chain *chain, double ls, int page_w)
{
  Line *l = g_new0 (Line, 1);
  l->chain = chain;
  l->hist_r = (int) ceil (ls);
  l->offsets = g_array_new (FALSE, TRUE, sizeof (int));
  g_array_set_size (l->offsets, 2 * l->hist_r + 1);
  l->col0 = MAX (0, (int) floor (chain_x0 (chain) - ls));
  int col1 = MIN (page_w, (int) ceil (chain_x1 (chain) + ls) + 1);
  l->n_cols = MAX (1, col1 - l->col0);
  l->col_top = g_new (gint16, l->n_cols);
  l->col_bottom = g_new (gint16, l->n_cols);
  l->col_count = g_new0 (guint16, l->n_cols);
  for (int i = 0; i < l->n_cols; i++)
    l->col_top[i] = l->col_bottom[i] = -1;
  l->keep = TRUE;
  return l;
}

/* The height of the line's chain at the middle of its ink. */
static double
line_middle_y (const Line *l)
{
  return chain_y_at (l->chain, (l->x0 + l->x1) / 2.0);
}

/* How tall the line's ink is in its taller columns (the upper quartile of the per-column
 * heights): text has letters of x-height and more in many columns; a rule, an underline or a
 * stray flourish is only as tall as the pen is wide. */
static double
line_column_height (const Line *l)
{
  g_autoptr (GArray) hs = g_array_new (FALSE, FALSE, sizeof (int));
  for (int i = 0; i < l->n_cols; i++)
    if (l->col_top[i] >= 0)
      {
        int v = l->col_bottom[i] - l->col_top[i] + 1;
        g_array_append_val (hs, v);
      }
  if (hs->len == 0)
    return 0;
  g_array_sort (hs, compare_int);
  return g_array_index (hs, int, (guint) (0.75 * (hs->len - 1)));
}

static void
line_add_pixel (Line *l, int x, int y)
{
  double cy = chain_y_at (l->chain, x);
  int o = (int) lround (y - cy);
  if (l->n_pixels == 0)
    {
      l->x0 = l->x1 = x;
    }
  l->x0 = MIN (l->x0, x);
  l->x1 = MAX (l->x1, x);
  l->n_pixels++;
  l->sum_x += x;
  l->sum_y += y;
  l->sum_xx += (double) x * x;
  l->sum_xy += (double) x * y;
  int c = x - l->col0;
  if (c >= 0 && c < l->n_cols)
    {
      if (l->col_top[c] < 0 || y < l->col_top[c])
        l->col_top[c] = (gint16) y;
      if (y > l->col_bottom[c])
        l->col_bottom[c] = (gint16) y;
      if (l->col_count[c] < G_MAXUINT16)
        l->col_count[c]++;
    }
  if (o >= -l->hist_r && o <= l->hist_r)
    g_array_index (l->offsets, int, o + l->hist_r)++;
}

/* The line nearest to a component's centre of mass among those whose chain runs over it
 * (−1 when none is within reach); the lines whose chain crosses the component's body (not just
 * an ascender tip or a descender tail) are appended to `crossing`. */
static int
nearest_line (GPtrArray *lines, const Component *c, double ls, GArray *crossing)
{
  double mx = c->sum_x / c->area, my = c->sum_y / c->area;
  int best = -1;
  double best_d = 0.7 * ls;
  if (crossing)
    g_array_set_size (crossing, 0);
  for (guint li = 0; li < lines->len; li++)
    {
      Line *l = lines->pdata[li];
      double lx0 = chain_x0 (l->chain) - 0.5 * ls, lx1 = chain_x1 (l->chain) + 0.5 * ls;
      if (c->x1 < lx0 || c->x0 > lx1)
        continue;
      double y = chain_y_at (l->chain, CLAMP (mx, lx0, lx1));
      /* off the chain's end counts too: of two lines in line with each other (a note and the
       * line it stands before), the one that runs over the component has it */
      double off_end = MAX (0.0, MAX (chain_x0 (l->chain) - mx, mx - chain_x1 (l->chain)));
      double d = fabs (y - my) + off_end;
      double margin = 0.1 * (c->y1 - c->y0 + 1);
      if (crossing && y > c->y0 + margin && y < c->y1 - margin
          && chain_x1 (l->chain) >= c->x0 && chain_x0 (l->chain) <= c->x1)
        {
          int li_int = (int) li;
          g_array_append_val (crossing, li_int);
        }
      if (d < best_d)
        {
          best_d = d;
          best = (int) li;
        }
    }
  return best;
}

/* Gives each component to a line: to the nearest one, unless the chains of two lines both
 * pass through its body (ascenders touching descenders), in which case each pixel goes to
 * the nearer chain. */
static void
assign_components (GPtrArray *lines, GArray *comps, const guint32 *labels, int w, double ls)
{
  g_autoptr (GArray) cand = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint ci = 1; ci < comps->len; ci++)
    {
      Component *c = &g_array_index (comps, Component, ci);
      if (!c->keep)
        continue;
      int best = nearest_line (lines, c, ls, cand);
      if (cand->len >= 2 && (c->y1 - c->y0 + 1) > 0.8 * ls)
        {
          c->line = -2;
          for (int y = c->y0; y <= c->y1; y++)
            for (int x = c->x0; x <= c->x1; x++)
              {
                if (labels[(gsize) y * w + x] != ci)
                  continue;
                int bl = -1;
                double bd = G_MAXDOUBLE;
                for (guint k = 0; k < cand->len; k++)
                  {
                    Line *l = lines->pdata[g_array_index (cand, int, k)];
                    double d = fabs (y - chain_y_at (l->chain, x));
                    if (d < bd)
                      {
                        bd = d;
                        bl = g_array_index (cand, int, k);
                      }
                  }
                line_add_pixel (lines->pdata[bl], x, y);
              }
          continue;
        }
      c->line = best;
      if (best < 0)
        continue;
      Line *l = lines->pdata[best];
      for (int y = c->y0; y <= c->y1; y++)
        for (int x = c->x0; x <= c->x1; x++)
          if (labels[(gsize) y * w + x] == ci)
            line_add_pixel (l, x, y);
    }
}

/* ---- 8b. two lines of small print under one ridge -------------------------------------------- */

/* The page's line spacing is its hand's: two lines of print in a much smaller size (a form's
 * printed header above the handwriting) fit under one ridge of it and come out as one line.
 * Looked at in stretches SPLIT_STRETCH line spacings wide, such a line's ink has two rows: the
 * row profile of the stretch (offsets from the straight line fitted through the chain) has two
 * peaks, the rows' x-height bands,
 * SPLIT_MIN_APART to SPLIT_MAX_APART line spacings apart, the lower at least SPLIT_PEAK of the
 * higher, with a trough between them below SPLIT_TROUGH of the lower; a stretch of a hand has
 * one (its ascenders and descenders join its x-height band, its accents are light). A line at
 * least SPLIT_LENGTH line spacings long with two rows in SPLIT_SHARE of its stretches or more
 * (SPLIT_STRETCHES at least) is two lines, each along the straight line fitted through its
 * row's peaks (print runs straight; the chain of the two together wavers between them). */
#define SPLIT_STRETCH 2.0
#define SPLIT_MIN_APART 0.15
#define SPLIT_MAX_APART 0.6
#define SPLIT_PEAK 0.4
#define SPLIT_TROUGH 0.2
#define SPLIT_LENGTH 4.0
#define SPLIT_SHARE 0.6
#define SPLIT_STRETCHES 3

/* The two rows of a stretch's row profile p (n offsets, hist_r the offset 0), as offsets, or
 * FALSE when it has one. */
static gboolean
stretch_rows (double *p, int n, int hist_r, double ls, double *upper, double *lower)
{
  smooth_profile (p, n, 1.0);
  int top = 0;
  for (int i = 1; i < n; i++)
    if (p[i] > p[top])
      top = i;
  if (p[top] <= 0)
    return FALSE;
  int other = -1;
  for (int i = 1; i + 1 < n; i++)
    {
      int apart = abs (i - top);
      if (apart < SPLIT_MIN_APART * ls || apart > SPLIT_MAX_APART * ls
          || p[i] < p[i - 1] || p[i] < p[i + 1] || p[i] < SPLIT_PEAK * p[top])
        continue;
      double trough = p[i];
      for (int j = MIN (i, top); j <= MAX (i, top); j++)
        trough = MIN (trough, p[j]);
      if (trough >= SPLIT_TROUGH * p[i])
        continue;
      if (other < 0 || p[i] > p[other])
        other = i;
    }
  if (other < 0)
    return FALSE;
  *upper = MIN (top, other) - hist_r;
  *lower = MAX (top, other) - hist_r;
  return TRUE;
}

/* A straight chain from x0 to x1 along y = a + b x. */
static Chain *
chain_straight (double x0, double x1, double a, double b)
{
  Chain *c = chain_new ();
  double xs[2] = { x0, x1 }, ys[2] = { a + b * x0, a + b * x1 };
  g_array_append_vals (c->xs, xs, 2);
  g_array_append_vals (c->ys, ys, 2);
  return c;
}

/* Least squares line through n points (x, y): y = a + b x. */
static void
fit_straight (const double *x, const double *y, int n, double *a, double *b)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < n; i++)
    {
      sx += x[i];
      sy += y[i];
      sxx += x[i] * x[i];
      sxy += x[i] * y[i];
    }
  double d = n * sxx - sx * sx;
  *b = fabs (d) > 1e-9 ? (n * sxy - sx * sy) / d : 0;
  *a = (sy - *b * sx) / n;
}

/* Parts the chains of the lines (as assign_components left them) that hold two rows of small
 * print; TRUE when any was parted (the lines must then be made and given their ink again). */
static gboolean
split_double_lines (GPtrArray *chains, GPtrArray *lines, GArray *comps, const guint32 *labels,
                    int w, double ls)
{
  gboolean any = FALSE;
  const int stretch = MAX (1, (int) lround (SPLIT_STRETCH * ls));
  for (guint li = 0; li < lines->len; li++)
    {
      Line *l = lines->pdata[li];
      const double x0 = chain_x0 (l->chain), x1 = chain_x1 (l->chain);
      if (x1 - x0 < SPLIT_LENGTH * ls)
        continue;
      const int R = l->hist_r, n = 2 * R + 1;
      const int n_stretches = (int) ceil ((x1 - x0 + 1) / stretch);
      /* offsets from the straight line through the chain: a chain through two rows wavers */
      double ra, rb;
      fit_straight ((const double *) l->chain->xs->data, (const double *) l->chain->ys->data,
                    (int) l->chain->xs->len, &ra, &rb);
      g_autofree double *prof = g_new0 (double, (gsize) n_stretches * n);
      for (guint ci = 1; ci < comps->len; ci++)
        {
          const Component *c = &g_array_index (comps, Component, ci);
          if (!c->keep || c->line != (int) li)
            continue;
          for (int y = c->y0; y <= c->y1; y++)
            for (int x = MAX (c->x0, (int) x0); x <= MIN (c->x1, (int) x1); x++)
              {
                if (labels[(gsize) y * w + x] != ci)
                  continue;
                int o = (int) lround (y - (ra + rb * x));
                int k = (x - (int) x0) / stretch;
                if (o >= -R && o <= R && k < n_stretches)
                  prof[(gsize) k * n + o + R]++;
              }
        }
      g_autofree double *xs = g_new (double, n_stretches);
      g_autofree double *up = g_new (double, n_stretches);
      g_autofree double *down = g_new (double, n_stretches);
      int inked = 0, two = 0;
      for (int k = 0; k < n_stretches; k++)
        {
          double *p = prof + (gsize) k * n, ink = 0;
          for (int i = 0; i < n; i++)
            ink += p[i];
          if (ink < 0.05 * stretch * ls)   /* a gap between words, a stray mark */
            continue;
          inked++;
          double upper, lower;
          if (!stretch_rows (p, n, R, ls, &upper, &lower))
            continue;
          double xm = x0 + (k + 0.5) * stretch;
          xs[two] = xm;
          up[two] = ra + rb * xm + upper;
          down[two] = ra + rb * xm + lower;
          two++;
        }
      if (two < SPLIT_STRETCHES || two < SPLIT_SHARE * inked)
        continue;
      double a0, b0, a1, b1;
      fit_straight (xs, up, two, &a0, &b0);
      fit_straight (xs, down, two, &a1, &b1);
      /* line li was made from chain li (new chains go after them all) */
      g_assert (chains->pdata[li] == l->chain);
      Chain *top = chain_straight (x0, x1, a0, b0);
      Chain *bottom = chain_straight (x0, x1, a1, b1);
      top->strength = bottom->strength = l->chain->strength / 2;
      top->print_row = bottom->print_row = TRUE;
      /* the line points at its chain until the lines are made again */
      chain_free (l->chain);
      l->chain = chains->pdata[li] = top;
      g_ptr_array_add (chains, bottom);
      any = TRUE;
    }
  return any;
}

typedef struct {
  int x0, x1;
} Interval;

static int
compare_interval (gconstpointer a, gconstpointer b)
{
  const Interval *x = a, *y = b;
  return (x->x0 > y->x0) - (x->x0 < y->x0);
}

/* A copy of the part of a chain between x0 and x1 (at least its point nearest to them). */
static Chain *
chain_slice (const Chain *c, double x0, double x1)
{
  Chain *s = chain_new ();
  for (guint i = 0; i < c->xs->len; i++)
    {
      double x = g_array_index (c->xs, double, i);
      if (x >= x0 && x <= x1)
        {
          g_array_append_val (s->xs, x);
          g_array_append_val (s->ys, g_array_index (c->ys, double, i));
        }
    }
  if (s->xs->len == 0)
    {
      double x = CLAMP ((x0 + x1) / 2, chain_x0 (c), chain_x1 (c)), y = chain_y_at (c, x);
      g_array_append_val (s->xs, x);
      g_array_append_val (s->ys, y);
    }
  s->strength = c->strength * s->xs->len / MAX (1u, c->xs->len);
  return s;
}

typedef struct {
  const Chain *chain;
  double  y;              /* the chain's y in the middle of its ink */
  int     x0, x1;         /* its ink extent */
  GArray *gaps;           /* Interval: blank stretches within its ink, widest first not needed */
  GArray *cuts;           /* Interval: the gaps where it is cut */
} InkRow;

static int
compare_row_y (gconstpointer a, gconstpointer b)
{
  const InkRow *x = *(InkRow * const *) a, *y = *(InkRow * const *) b;
  return (x->y > y->y) - (x->y < y->y);
}

/* The gap of `row`, at least `min_width` wide, that overlaps [a, b] by at least `min_overlap`,
 * or NULL. */
static const Interval *
row_gap_over (const InkRow *row, int a, int b, double min_width, double min_overlap)
{
  for (guint k = 0; k < row->gaps->len; k++)
    {
      const Interval *g = &g_array_index (row->gaps, Interval, k);
      if (g->x1 - g->x0 + 1 >= min_width && MIN (b, g->x1) - MAX (a, g->x0) >= min_overlap)
        return g;
    }
  return NULL;
}

/* How many rows above or below (dir −1 or +1) `rows[i]` continue its gap [a, b]: the next row
 * that spans the gap's middle, no further than two line spacings away, must have a gap at
 * least min_width wide there too. Rows that stop short of it (the other column) are passed
 * over. */
static int
gutter_support (GPtrArray *rows, guint i, int a, int b, double ls, double min_width,
                double min_overlap, int dir)
{
  int n = 0;
  double last_y = ((InkRow *) rows->pdata[i])->y;
  double mid = (a + b) / 2.0;
  for (int j = (int) i + dir; j >= 0 && j < (int) rows->len; j += dir)
    {
      const InkRow *r = rows->pdata[j];
      if (fabs (r->y - last_y) > 2 * ls)
        break;
      if (r->x0 > mid || r->x1 < mid)
        continue;
      const Interval *g = row_gap_over (r, a, b, min_width, min_overlap);
      if (g == NULL)
        break;
      n++;
      last_y = r->y;
      a = MAX (a, g->x0);
      b = MIN (b, g->x1);
    }
  return n;
}

/* The edges of the text: where the page's long lines (at least MARGIN_ROW line spacings of
 * ink) begin and end, the leftmost start and the rightmost end that MARGIN_SHARE of them have
 * within a line spacing (lines reaching into the margin are too few to count). A line reaching
 * more than MARGIN_REACH line spacings beyond an edge into the margin (a note or a number
 * written beside it, a bracket, what is left of a stamp) is cut at its widest gap near the
 * edge, when what lies beyond the gap keeps MARGIN_CLEAR line spacings clear of the edge. */
static void
cut_at_margins (GPtrArray *rows, double ls)
{
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GArray) ends = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < rows->len; i++)
    {
      const InkRow *row = rows->pdata[i];
      if (row->x1 - row->x0 + 1 >= MARGIN_ROW * ls)
        {
          g_array_append_val (starts, row->x0);
          g_array_append_val (ends, row->x1);
        }
    }
  if (starts->len < MARGIN_ROWS)
    return;
  g_array_sort (starts, compare_int);
  g_array_sort (ends, compare_int);
  /* the leftmost start that a good share of the lines begin near, and the rightmost end */
  guint need = MAX (MARGIN_ROWS / 2 + 1, (guint) ceil (MARGIN_SHARE * starts->len));
  const int *st = (const int *) starts->data, *en = (const int *) ends->data;
  double left = st[0], right = en[ends->len - 1];
  for (guint a = 0, b = 0; a < starts->len; a++)
    {
      while (b < starts->len && st[b] <= st[a] + ls)
        b++;
      if (b - a >= need)
        {
          left = st[a];
          break;
        }
    }
  for (gint a = (gint) ends->len - 1, b = a; a >= 0; a--)
    {
      while (b >= 0 && en[b] >= en[a] - ls)
        b--;
      if (a - b >= (gint) need)
        {
          right = en[a];
          break;
        }
    }
  for (guint i = 0; i < rows->len; i++)
    {
      InkRow *row = rows->pdata[i];
      for (int side = 0; side < 2; side++)
        {
          if (side == 0 ? row->x0 >= left - MARGIN_REACH * ls
                        : row->x1 <= right + MARGIN_REACH * ls)
            continue;
          const Interval *best = NULL;
          for (guint k = 0; k < row->gaps->len; k++)
            {
              const Interval *g = &g_array_index (row->gaps, Interval, k);
              gboolean across = side == 0
                ? g->x0 <= left - MARGIN_CLEAR * ls && g->x1 >= left - 1.5 * ls
                : g->x1 >= right + MARGIN_CLEAR * ls && g->x0 <= right + 1.5 * ls;
              if (across && (best == NULL || g->x1 - g->x0 > best->x1 - best->x0))
                best = g;
            }
          if (best == NULL)
            continue;
          gboolean done = FALSE;
          for (guint c = 0; c < row->cuts->len && !done; c++)
            done = g_array_index (row->cuts, Interval, c).x0 == best->x0;
          if (!done)
            g_array_append_val (row->cuts, *best);
        }
    }
}

/* The ridge of a line runs on past its ink (the smoothing spreads it), and one ridge can run
 * through ink that belongs to different lines: two columns, a main text line and a note in
 * the margin, a line and noise at the page edge. Each chain is cut to the stretches covered by
 * the components nearest to it, and cut where its ink leaves a gap wider than `max_gap`, or
 * a gap of at least `min_gutter` that the lines above and below it continue (a gutter between
 * columns: at least GUTTER_ROWS lines share it). Returns new chains. */
static GPtrArray *
cut_chains_to_ink (GPtrArray *chains, GArray *comps, double ls, double max_gap,
                   double min_gutter, int page_w)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (line_free);
  for (guint i = 0; i < chains->len; i++)
    g_ptr_array_add (lines, line_new (chains->pdata[i], ls, page_w));
  g_autofree GArray **spans = g_new0 (GArray *, lines->len + 1);
  for (guint ci = 1; ci < comps->len; ci++)
    {
      Component *c = &g_array_index (comps, Component, ci);
      if (!c->keep)
        continue;
      int best = nearest_line (lines, c, ls, NULL);
      if (best < 0)
        continue;
      if (spans[best] == NULL)
        spans[best] = g_array_new (FALSE, FALSE, sizeof (Interval));
      Interval iv = { c->x0, c->x1 };
      g_array_append_val (spans[best], iv);
    }

  /* each chain's ink and the blank stretches within it */
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  for (guint i = 0; i < lines->len; i++)
    {
      if (spans[i] == NULL)
        continue;
      g_array_sort (spans[i], compare_interval);
      InkRow *row = g_new0 (InkRow, 1);
      row->chain = chains->pdata[i];
      row->gaps = g_array_new (FALSE, FALSE, sizeof (Interval));
      row->cuts = g_array_new (FALSE, FALSE, sizeof (Interval));
      Interval cur = g_array_index (spans[i], Interval, 0);
      row->x0 = cur.x0;
      for (guint k = 1; k < spans[i]->len; k++)
        {
          const Interval *iv = &g_array_index (spans[i], Interval, k);
          if (iv->x0 - cur.x1 - 1 >= 0.25 * ls)
            {
              Interval gap = { cur.x1 + 1, iv->x0 - 1 };
              g_array_append_val (row->gaps, gap);
            }
          cur.x1 = MAX (cur.x1, iv->x1);
        }
      row->x1 = cur.x1;
      row->y = chain_y_at (row->chain, (row->x0 + row->x1) / 2.0);
      g_array_free (spans[i], TRUE);
      g_ptr_array_add (rows, row);
    }
  g_ptr_array_sort (rows, compare_row_y);

  /* where to cut: wide gaps, and gutters */
  g_autoptr (GArray) gutters = g_array_new (FALSE, FALSE, sizeof (Interval));
  g_autoptr (GArray) gutter_y = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < rows->len; i++)
    {
      InkRow *row = rows->pdata[i];
      for (guint k = 0; k < row->gaps->len; k++)
        {
          const Interval *g = &g_array_index (row->gaps, Interval, k);
          int width = g->x1 - g->x0 + 1;
          gboolean cut = width > max_gap;
          if (!cut && width >= min_gutter)
            {
              double overlap = 0.5 * min_gutter;
              int n = 1 + gutter_support (rows, i, g->x0, g->x1, ls, min_gutter, overlap, -1)
                        + gutter_support (rows, i, g->x0, g->x1, ls, min_gutter, overlap, +1);
              cut = n >= GUTTER_ROWS;
              if (n >= 2 * GUTTER_ROWS)
                {
                  g_array_append_val (gutters, *g);
                  g_array_append_val (gutter_y, row->y);
                }
            }
          if (cut)
            g_array_append_val (row->cuts, *g);
        }
    }
  cut_at_margins (rows, ls);
  /* a line that crosses a gutter with something in it (a line number, a note mark) is cut at
   * its gaps inside the gutter, when a gutter that twice GUTTER_ROWS lines share runs on
   * within two line spacings */
  for (guint i = 0; i < rows->len; i++)
    {
      InkRow *row = rows->pdata[i];
      for (guint k = 0; k < row->gaps->len; k++)
        {
          const Interval *g = &g_array_index (row->gaps, Interval, k);
          gboolean done = FALSE;
          for (guint c = 0; c < row->cuts->len && !done; c++)
            done = g_array_index (row->cuts, Interval, c).x0 == g->x0;
          for (guint m = 0; m < gutters->len && !done; m++)
            {
              const Interval *gt = &g_array_index (gutters, Interval, m);
              double mid = (g->x0 + g->x1) / 2.0;
              if (fabs (g_array_index (gutter_y, double, m) - row->y) <= 2 * ls
                  && mid >= gt->x0 && mid <= gt->x1)
                {
                  g_array_append_val (row->cuts, *g);
                  done = TRUE;
                }
            }
        }
      g_array_sort (row->cuts, compare_interval);
    }

  GPtrArray *out = g_ptr_array_new_with_free_func (chain_free);
  for (guint i = 0; i < rows->len; i++)
    {
      InkRow *row = rows->pdata[i];
      int from = row->x0;
      for (guint k = 0; k < row->cuts->len; k++)
        {
          const Interval *g = &g_array_index (row->cuts, Interval, k);
          g_ptr_array_add (out, chain_slice (row->chain, from, g->x0));
          from = g->x1;
        }
      g_ptr_array_add (out, chain_slice (row->chain, from, row->x1 + 1));
      g_array_free (row->gaps, TRUE);
      g_array_free (row->cuts, TRUE);
      g_free (row);
    }
  return out;
}

/* The line's extent, without what hangs off its ends: columns no taller than `min_height` (a
 * filler stroke drawn to the end of the line, the tail of an underline, a flourish), and specks
 * or scraps with little ink of their own set apart from the writing by more than `gap` of
 * blank or of such thin pen line (a speck beyond a ruled line's remains). */
static void
line_trim_to_writing (Line *l, double min_height, double gap)
{
  int first = -1, last = -1;
  long total = 0;
  for (int i = 0; i < l->n_cols; i++)
    if (l->col_top[i] >= 0 && l->col_bottom[i] - l->col_top[i] + 1 >= min_height)
      {
        if (first < 0)
          first = i;
        last = i;
      }
  if (first < 0)
    return;
  for (int i = first; i <= last; i++)
    total += l->col_count[i];
  /* peel scraps off either end while they are small and far: apart from the writing by a
   * stretch without any (blank, or only a pen line thin as a rule or a filler stroke) */
  for (int side = 0; side < 2; side++)
    for (;;)
      {
        int step = side == 0 ? 1 : -1;
        int start = side == 0 ? first : last;
        long mass = 0, pending = 0;
        int blank = 0, i = start;
        /* the scrap: ink until a stretch without writing wider than `gap` */
        for (; side == 0 ? i <= last : i >= first; i += step)
          {
            pending += l->col_count[i];
            if (l->col_top[i] >= 0 && l->col_bottom[i] - l->col_top[i] + 1 >= min_height)
              {
                blank = 0;
                mass += pending;
                pending = 0;
              }
            else if (++blank > gap)
              break;
          }
        if (blank <= gap || mass > TRIM_MASS * total)
          break;
        /* next writing after the stretch */
        int next = i;
        while ((side == 0 ? next <= last : next >= first)
               && !(l->col_top[next] >= 0
                    && l->col_bottom[next] - l->col_top[next] + 1 >= min_height))
          next += step;
        if (side == 0 ? next > last : next < first)
          break;
        total -= mass;
        if (side == 0)
          first = next;
        else
          last = next;
      }
  l->x0 = MAX (l->x0, l->col0 + first);
  l->x1 = MIN (l->x1, l->col0 + last);
}

/* Slope of the least-squares line through the line's ink (y per x). Once the page is deskewed,
 * text lines run nearly level; the ink a ridge gathered from text written at an angle (a stamp,
 * a note up the margin) runs steeply across it. */
static double
line_ink_slope (const Line *l)
{
  double n = l->n_pixels;
  if (n < 2)
    return 0;
  double var = l->sum_xx - l->sum_x * l->sum_x / n;
  double cov = l->sum_xy - l->sum_x * l->sum_y / n;
  return var > 0 ? cov / var : 0;
}

/* ---- 9. baseline and x-height --------------------------------------------------------------- */

/* From the row profile of a line's ink around its chain: the x-height band is where the
 * profile stays above a fraction of its peak; the baseline is its lower edge. */
static gboolean
line_measure (Line *l)
{
  int n = l->offsets->len;
  const int *hist = (const int *) l->offsets->data;
  g_autofree double *sm = g_new0 (double, n);
  for (int i = 0; i < n; i++)
    {
      double s = 0;
      int k = 0;
      for (int d = -1; d <= 1; d++)
        if (i + d >= 0 && i + d < n)
          {
            s += hist[i + d];
            k++;
          }
      sm[i] = s / k;
    }
  int peak = 0;
  for (int i = 1; i < n; i++)
    if (sm[i] > sm[peak])
      peak = i;
  if (sm[peak] <= 0)
    return FALSE;
  double t = 0.35 * sm[peak];
  int lo = peak, hi = peak;
  while (lo > 0 && sm[lo - 1] >= t)
    lo--;
  while (hi + 1 < n && sm[hi + 1] >= t)
    hi++;
  l->base_off = hi + 0.5 - l->hist_r;
  l->xheight = MAX (1.0, hi - lo + 1.0);
  /* extent of the ink, ignoring the few per cent that stray furthest */
  long total = 0, acc = 0;
  for (int i = 0; i < n; i++)
    total += hist[i];
  int top = 0, bottom = n - 1;
  for (top = 0; top < n; top++)
    if ((acc += hist[top]) > INK_TRIM * total)
      break;
  acc = 0;
  for (bottom = n - 1; bottom > 0; bottom--)
    if ((acc += hist[bottom]) > INK_TRIM * total)
      break;
  l->top_off = top - l->hist_r;
  l->bottom_off = bottom + 1.0 - l->hist_r;
  return TRUE;
}

/* A short line close above or below a much longer one that spans it is part of that line: a
 * superscript, accents, the loop of a descender that the ridge picked up on its own. So is one
 * that reaches over the end of a line thrice its width, close above or below it: a capital's
 * loop drawn before the first word, a flourish curling up after the last. */
static void
drop_satellites (GPtrArray *lines, double ls)
{
  for (guint i = 0; i < lines->len; i++)
    {
      Line *a = lines->pdata[i];
      int wa = a->x1 - a->x0 + 1;
      if (!a->keep || wa > 2 * ls)
        continue;
      double ya = line_middle_y (a);
      for (guint j = 0; j < lines->len; j++)
        {
          Line *b = lines->pdata[j];
          if (i == j || !b->keep || b->x0 > a->x1 || b->x1 < a->x0)
            continue;
          gboolean spans = b->x0 <= a->x0 + 0.1 * wa && b->x1 >= a->x1 - 0.1 * wa;
          if (spans ? b->n_pixels < 3 * a->n_pixels : b->x1 - b->x0 + 1 < 3 * wa)
            continue;
          if (fabs (chain_y_at (b->chain, (a->x0 + a->x1) / 2.0) - ya) < SATELLITE_REACH * ls)
            {
              a->keep = FALSE;
              break;
            }
        }
    }
}

/* Several lines of writing in a much larger hand below the end of the text are an addition to
 * the page by someone else (an office's registration, an archive's filing note), not part of
 * what the page says; a signature below the text is one line and stays, and so does a larger
 * heading, which comes before the text. */
static void
drop_later_additions (GPtrArray *lines, double xh, double ls)
{
  if (xh <= 0)
    return;
  int widest = 0;
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = lines->pdata[i];
      if (l->keep)
        widest = MAX (widest, l->x1 - l->x0 + 1);
    }
  double text_end = -G_MAXDOUBLE;
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = lines->pdata[i];
      if (l->keep && l->x1 - l->x0 + 1 >= 0.5 * widest
          && l->xheight_measured < ADDITION_LINE_XH * xh)
        text_end = MAX (text_end, line_middle_y (l));
    }
  if (text_end == -G_MAXDOUBLE)
    return;     /* no text in the page's hand to be below */
  g_autoptr (GPtrArray) after = g_ptr_array_new ();
  g_autoptr (GArray) xhs = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = lines->pdata[i];
      if (l->keep && line_middle_y (l) > text_end + ADDITION_GAP * ls)
        {
          g_ptr_array_add (after, l);
          g_array_append_val (xhs, l->xheight_measured);
        }
    }
  if (after->len < ADDITION_LINES)
    return;
  g_array_sort (xhs, compare_double);
  if (g_array_index (xhs, double, xhs->len / 2) < ADDITION_XH * xh)
    return;
  for (guint i = 0; i < after->len; i++)
    {
      Line *l = after->pdata[i];
      if (l->xheight_measured >= ADDITION_LINE_XH * xh)
        l->keep = FALSE;
    }
}

/* How near a component comes to a line's ink: over the columns within `reach` of it, the
 * larger of the horizontal and the vertical gap between its box and the column's ink
 * (G_MAXDOUBLE when the line has no ink there). */
static double
line_ink_distance (const Line *l, const Component *c, int reach)
{
  double best = G_MAXDOUBLE;
  int a = MAX (c->x0 - reach, l->col0), b = MIN (c->x1 + reach, l->col0 + l->n_cols - 1);
  for (int x = a; x <= b; x++)
    {
      int i = x - l->col0;
      if (l->col_top[i] < 0)
        continue;
      int dx = MAX (0, MAX (c->x0 - x, x - c->x1));
      int dy = MAX (0, MAX (c->y0 - l->col_bottom[i], l->col_top[i] - c->y1));
      best = MIN (best, (double) MAX (dx, dy));
    }
  return best;
}

/* A short line's band reaches as far as its ink (a signature's flourishes), but a faint stroke
 * (the hairline of a capital's upstroke or loop) breaks into specks when binarised, and a speck
 * too far from the line's ridge is given to no line, or to a line that was then dropped: the
 * band then misses the tops of the letters. Such orphaned fragments, small, over the line and
 * above its baseline, nearer to its ink than to any other line's, are its own strokes and join
 * it, one after the other as it grows. Below the baseline they are as likely pieces of a pen
 * line drawn round the signature. */
static void
adopt_fragments (GPtrArray *lines, GArray *comps, const guint32 *labels, int w, double ls)
{
  int reach = (int) ceil (FRAGMENT_REACH * ls);
  gboolean grew = FALSE;
  /* most pages have no short line: nothing to look for */
  for (guint li = 0; li < lines->len && !grew; li++)
    {
      const Line *l = lines->pdata[li];
      grew = l->keep && l->x1 - l->x0 < SHORT_LINE * l->xheight;
    }
  for (int round = 0; grew && round < 8; round++)
    {
      grew = FALSE;
      for (guint ci = 1; ci < comps->len; ci++)
        {
          Component *c = &g_array_index (comps, Component, ci);
          if (!c->keep || c->line == -2
              || (c->line >= 0 && ((Line *) lines->pdata[c->line])->keep)
              || MAX (c->x1 - c->x0, c->y1 - c->y0) + 1 > FRAGMENT_SIZE * ls)
            continue;
          int best = -1;
          double best_d = reach + 1, other_d = G_MAXDOUBLE;
          for (guint li = 0; li < lines->len; li++)
            {
              const Line *l = lines->pdata[li];
              if (!l->keep)
                continue;
              double d = line_ink_distance (l, c, reach);
              gboolean short_line = l->x1 - l->x0 < SHORT_LINE * l->xheight;
              if (short_line && d < best_d)
                {
                  if (best >= 0)
                    other_d = MIN (other_d, best_d);
                  best_d = d;
                  best = (int) li;
                }
              else
                other_d = MIN (other_d, d);
            }
          if (best < 0 || best_d >= other_d)
            continue;
          Line *l = lines->pdata[best];
          double mx = c->sum_x / c->area, my = c->sum_y / c->area;
          if (mx < l->x0 || mx > l->x1 || my > chain_y_at (l->chain, mx) + l->base_off)
            continue;
          for (int y = c->y0; y <= c->y1; y++)
            for (int x = c->x0; x <= c->x1; x++)
              if (labels[(gsize) y * w + x] == ci)
                {
                  double o = y - chain_y_at (l->chain, x);
                  l->top_off = MIN (l->top_off, o);
                  l->bottom_off = MAX (l->bottom_off, o + 1);
                  line_add_pixel (l, x, y);
                }
          c->line = best;
          grew = TRUE;
        }
    }
}

/* ---- 10. regions and reading order ---------------------------------------------------------- */

static int
compare_line_y (gconstpointer a, gconstpointer b)
{
  const Line *x = *(Line * const *) a, *y = *(Line * const *) b;
  double ya = line_middle_y (x), yb = line_middle_y (y);
  return (ya > yb) - (ya < yb);
}

typedef struct {
  GPtrArray *lines;     /* Line*, top to bottom */
  int x0, x1;
  double y0, y1;        /* the middles of its first and last lines */
  gboolean main;
} Region;

static void
region_free (gpointer p)
{
  Region *r = p;
  g_ptr_array_free (r->lines, TRUE);
  g_free (r);
}

static int
compare_region_y (const void *a, const void *b)
{
  const Region *x = *(Region * const *) a, *y = *(Region * const *) b;
  return (x->y0 > y->y0) - (x->y0 < y->y0);
}

static int
compare_region_x (const void *a, const void *b)
{
  const Region *x = *(Region * const *) a, *y = *(Region * const *) b;
  return (x->x0 > y->x0) - (x->x0 < y->x0);
}

/* Reading order by recursive XY cuts: where a horizontal gap crosses all the regions, the part
 * above comes first; else where a vertical gap does, the part on the left; else top to bottom.
 * A heading over two columns is cut off first, then the columns are read one after the other. */
static void
order_regions (Region **r, guint n, GPtrArray *out)
{
  if (n == 0)
    return;
  if (n == 1)
    {
      g_ptr_array_add (out, r[0]);
      return;
    }
  qsort (r, n, sizeof (Region *), compare_region_y);
  double reach = r[0]->y1;
  for (guint k = 1; k < n; k++)
    {
      if (r[k]->y0 > reach)
        {
          order_regions (r, k, out);
          order_regions (r + k, n - k, out);
          return;
        }
      reach = MAX (reach, r[k]->y1);
    }
  qsort (r, n, sizeof (Region *), compare_region_x);
  int reach_x = r[0]->x1;
  for (guint k = 1; k < n; k++)
    {
      if (r[k]->x0 > reach_x)
        {
          order_regions (r, k, out);
          order_regions (r + k, n - k, out);
          return;
        }
      reach_x = MAX (reach_x, r[k]->x1);
    }
  qsort (r, n, sizeof (Region *), compare_region_y);
  for (guint k = 0; k < n; k++)
    g_ptr_array_add (out, r[k]);
}

/* Lines join the region whose last line is close above them and of much the same extent
 * (overlapping at least half of either), so that columns and a heading over them part. Where
 * neither line has another beside it at its height, a line within the other's extent (half of
 * the shorter overlapping) joins too: a paragraph's short last line, a hand whose lines are long
 * and short by turns; alone, they made regions of their own that were read after the text about
 * them. A region
 * is marginalia when it lies mostly beside the body of the text: the regions of three lines or
 * more, or at least half as wide as the widest. Reading order: the body, then marginalia. */
static GPtrArray *
group_regions (GPtrArray *lines, double ls)
{
  g_ptr_array_sort (lines, compare_line_y);
  /* the lines with another beside them, at their height */
  for (guint i = 0; i < lines->len; i++)
    for (guint j = i + 1; j < lines->len; j++)
      {
        Line *a = lines->pdata[i], *b = lines->pdata[j];
        if (line_middle_y (b) - line_middle_y (a) >= 0.5 * ls)
          break;
        if (MIN (a->x1, b->x1) < MAX (a->x0, b->x0))
          a->beside = b->beside = TRUE;
      }
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (region_free);
  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = lines->pdata[i];
      double ly = line_middle_y (l);
      Region *best = NULL;
      double best_score = 0;
      for (guint k = 0; k < found->len; k++)
        {
          Region *r = found->pdata[k];
          const Line *last = r->lines->pdata[r->lines->len - 1];
          int ov = MIN (last->x1, l->x1) - MAX (last->x0, l->x0);
          int wide = MAX (last->x1 - last->x0, l->x1 - l->x0);
          int narrow = MIN (last->x1 - last->x0, l->x1 - l->x0);
          /* much the same extent; or where neither line has another beside it, within it */
          gboolean alone = !l->beside && !last->beside;
          if (narrow <= 0 || ov < 0.5 * narrow || (ov < 0.5 * wide && !alone))
            continue;
          double gap = ly - r->y1;
          if (gap > 2.2 * ls || gap < -0.5 * ls)
            continue;
          double score = ov / (double) wide - gap / (10 * ls);
          if (best == NULL || score > best_score)
            {
              best = r;
              best_score = score;
            }
        }
      if (best == NULL)
        {
          best = g_new0 (Region, 1);
          best->lines = g_ptr_array_new ();
          best->x0 = l->x0;
          best->x1 = l->x1;
          best->y0 = ly;
          g_ptr_array_add (found, best);
        }
      g_ptr_array_add (best->lines, l);
      best->x0 = MIN (best->x0, l->x0);
      best->x1 = MAX (best->x1, l->x1);
      best->y1 = ly;
    }

  int widest = 0;
  for (guint k = 0; k < found->len; k++)
    {
      Region *r = found->pdata[k];
      widest = MAX (widest, r->x1 - r->x0);
    }
  g_autoptr (GPtrArray) body = g_ptr_array_new ();
  for (guint k = 0; k < found->len; k++)
    {
      Region *r = found->pdata[k];
      if (r->x1 - r->x0 >= 0.5 * widest || r->lines->len >= 3)
        g_ptr_array_add (body, r);
    }
  g_autoptr (GPtrArray) main_regions = g_ptr_array_new ();
  g_autoptr (GPtrArray) margin_regions = g_ptr_array_new ();
  for (guint k = 0; k < found->len; k++)
    {
      Region *r = found->pdata[k];
      int best_ov = 0;
      for (guint b = 0; b < body->len; b++)
        {
          const Region *o = body->pdata[b];
          best_ov = MAX (best_ov, MIN (o->x1, r->x1) - MAX (o->x0, r->x0));
        }
      r->main = best_ov >= 0.5 * (r->x1 - r->x0);
      g_ptr_array_add (r->main ? main_regions : margin_regions, r);
    }
  g_ptr_array_set_free_func (found, NULL);   /* ownership moves to `regions` */
  GPtrArray *regions = g_ptr_array_new_with_free_func (region_free);
  order_regions ((Region **) main_regions->pdata, main_regions->len, regions);
  order_regions ((Region **) margin_regions->pdata, margin_regions->len, regions);
  return regions;
}

/* A short note beside the text in a hand smaller than the text's is not the writer's: a folio
 * or shelf mark, a filing label pencilled into a corner, a number stamped with a seal. A note
 * in the writer's hand or larger (an insertion, a heading in the margin, a page number in the
 * text's size) stays. */
static void
drop_small_notes (GPtrArray *regions, double xh, double ls)
{
  for (guint k = 0; k < regions->len; k++)
    {
      Region *rg = regions->pdata[k];
      if (rg->main)
        continue;
      for (guint i = 0; i < rg->lines->len; i++)
        {
          Line *l = rg->lines->pdata[i];
          if (l->x1 - l->x0 + 1 < NOTE_LENGTH * ls && l->xheight_measured < NOTE_XH * xh)
            l->keep = FALSE;
        }
    }
}

/* ---- output --------------------------------------------------------------------------------- */

static void
append_point (GArray *arr, const Transform *t, double u, double v, int pw, int ph)
{
  double x, y;
  transform_to_page (t, u, v, &x, &y);
  LecternPoint p = { CLAMP ((int) lround (x), 0, pw - 1), CLAMP ((int) lround (y), 0, ph - 1) };
  g_array_append_val (arr, p);
}

/* Nearest line above (sign < 0) or below (sign > 0) at x, as its chain y (the line itself in
 * *which when not NULL); NAN when none. */
static double
neighbour_y (GPtrArray *lines, const Line *self, double x, int sign, const Line **which)
{
  double self_y = chain_y_at (self->chain, x);
  double best = NAN;
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *o = lines->pdata[i];
      if (o == self || !o->keep || x < o->x0 || x > o->x1)
        continue;
      double y = chain_y_at (o->chain, x);
      if ((sign < 0 && y < self_y && (isnan (best) || y > best))
          || (sign > 0 && y > self_y && (isnan (best) || y < best)))
        {
          best = y;
          if (which)
            *which = o;
        }
    }
  return best;
}

/* The top and bottom of the line's own ink about x (within `r` either side); FALSE where it
 * has none there. */
static gboolean
line_ink_near (const Line *l, double x, double r, double *top, double *bottom)
{
  int a = MAX (l->col0, (int) floor (x - r)), b = MIN (l->col0 + l->n_cols - 1, (int) ceil (x + r));
  *top = G_MAXDOUBLE;
  *bottom = -G_MAXDOUBLE;
  for (int c = a; c <= b; c++)
    if (l->col_top[c - l->col0] >= 0)
      {
        *top = MIN (*top, (double) l->col_top[c - l->col0]);
        *bottom = MAX (*bottom, l->col_bottom[c - l->col0] + 1.0);
      }
  return *top <= *bottom;
}

/* The highest reach of a line's writing about x (within `r` either side): its x-height, or its
 * ascenders where they rise there. */
static double
line_highest_near (const Line *l, double x, double r)
{
  double high = chain_y_at (l->chain, x) + l->base_off - l->xheight, top, bottom;
  return line_ink_near (l, x, r, &top, &bottom) ? MIN (high, top) : high;
}

/* The lowest reach of a line's writing about x (within `r` either side): its baseline, or
 * its descenders where they hang there. */
static double
line_lowest_near (const Line *l, double x, double r)
{
  double low = chain_y_at (l->chain, x) + l->base_off, top, bottom;
  return line_ink_near (l, x, r, &top, &bottom) ? MAX (low, bottom) : low;
}

static void
emit_line (LecternRegion *region, GPtrArray *all, const Line *l, const Transform *t,
           int pw, int ph)
{
  LecternLine *line = lectern_region_add_line (region, NULL);
  double pad = 0.3 * l->xheight;
  gboolean short_line = l->x1 - l->x0 < SHORT_LINE * l->xheight;
  double x0 = l->x0 - pad, x1 = l->x1 + 1 + pad;
  int n = MAX (2, (int) ceil ((x1 - x0) / (1.5 * l->xheight)) + 1);
  g_autofree double *top = g_new (double, n);
  g_autofree double *bot = g_new (double, n);
  g_autofree double *xs = g_new (double, n);
  for (int i = 0; i < n; i++)
    {
      double x = x0 + (x1 - x0) * i / (n - 1);
      double cy = chain_y_at (l->chain, x);
      double base = cy + l->base_off;
      /* the band, but no further than the line's ink reaches (tight boxes for print) */
      double above = MIN (BAND_ABOVE * l->xheight, MAX (l->base_off - l->top_off, l->xheight));
      double below = MIN (BAND_BELOW * l->xheight, MAX (l->bottom_off - l->base_off, 0.2 * l->xheight));
      /* a short line (a word, a date, a signature) has too few letters for its x-height to
       * say how tall its writing is, and a signature's flourish belongs to it: its band
       * reaches as far as its ink does */
      if (short_line)
        {
          above = MAX (above, l->base_off - l->top_off);
          below = MAX (below, l->bottom_off - l->base_off);
        }
      double t0 = base - above, b0 = base + below;
      /* the band reaches the line's own ink about x, its ascenders and descenders whole: the
       * recognizer learnt from lines cut by polygons that trace the ink, and reads a line cut
       * through its loops worse (measured on 14 copiste and poilus pages: mean line CER 50.0 %
       * with the band alone, 44.6 % with it reaching the ink, 41.2 % on the ground truth's
       * polygons; a wider margin than 0.15 x-height drops line finding on kraken-es) */
      const double reach = 0.75 * l->xheight, margin = 0.15 * l->xheight;
      double ink_top, ink_bottom;
      if (line_ink_near (l, x, reach, &ink_top, &ink_bottom))
        {
          t0 = MIN (t0, ink_top - margin);
          b0 = MAX (b0, ink_bottom + margin);
        }
      /* keep clear of the neighbours: not beyond halfway to their ridge, unless their writing
       * ends sooner there (no descender of the line above, no ascender of the line below):
       * then up to it */
      const Line *above_line = NULL, *below_line = NULL;
      double up = neighbour_y (all, l, x, -1, &above_line);
      double dn = neighbour_y (all, l, x, +1, &below_line);
      if (!isnan (up))
        {
          double clear = (up + cy) / 2.0 + 0.15 * l->xheight;
          /* a short line's ink (a signature's capitals) looks further along the line above */
          clear = MIN (clear, line_lowest_near (above_line, x, short_line ? l->xheight : reach));
          t0 = MAX (t0, clear);
        }
      if (!isnan (dn))
        {
          double clear = (dn + cy) / 2.0 + 0.15 * l->xheight;
          clear = MAX (clear, line_highest_near (below_line, x, reach));
          b0 = MIN (b0, clear);
        }
      xs[i] = x;
      top[i] = t0;
      bot[i] = MAX (b0, base);
      append_point (line->baseline, t, x, base, pw, ph);
    }
  for (int i = 0; i < n; i++)
    append_point (line->polygon, t, xs[i], top[i], pw, ph);
  for (int i = n - 1; i >= 0; i--)
    append_point (line->polygon, t, xs[i], bot[i], pw, ph);
}

/* ---- the pipeline --------------------------------------------------------------------------- */

static gboolean
check_cancel (GCancellable *cancellable, GError **error)
{
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED,
                           "Page segmentation was cancelled");
      return FALSE;
    }
  return TRUE;
}

static void
report (const LecternSegmentOptions *o, double f)
{
  if (o->progress)
    o->progress (f, o->progress_data);
}

static LecternImage *
reduce_page (const LecternImage *page, double *scale)
{
  int long_side = MAX (page->width, page->height);
  if (long_side <= WORK_LONG_SIDE)
    {
      *scale = 1.0;
      return lectern_image_copy (page);
    }
  double s = (double) WORK_LONG_SIDE / long_side;
  int w = MAX (1, (int) lround (page->width * s)), h = MAX (1, (int) lround (page->height * s));
  *scale = (double) w / page->width;
  return lectern_image_scale (page, w, h);
}

double
lectern_segment_estimate_skew (const LecternImage *page, double max_degrees)
{
  g_return_val_if_fail (page != NULL, 0);
  double scale;
  g_autoptr (LecternImage) work = reduce_page (page, &scale);
  int r = MAX (7, MAX (work->width, work->height) / 80);
  g_autoptr (Bitmap) ink = binarise_sauvola (work, r, 0.15);
  return estimate_skew_radians (ink, CLAMP (max_degrees, 0, 15)) * 180.0 / G_PI;
}

LecternDocument *
lectern_segment_page (const LecternImage *page, const LecternSegmentOptions *opts_in,
                      GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (page != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  LecternSegmentOptions opts;
  if (opts_in)
    opts = *opts_in;
  else
    lectern_segment_options_init (&opts);
  if (page->width < 8 || page->height < 8 || page->pixels == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "Page image of %d × %d pixels is too small to segment", page->width, page->height);
      return NULL;
    }
  double sauvola_k = opts.sauvola_k > 0 && opts.sauvola_k < 1 ? opts.sauvola_k : 0.15;
  double max_skew = CLAMP (opts.max_skew_degrees, 0, 15);

  /* 1. reduce and binarise */
  Transform tf = { 1, 0, 0, 0, 0, 0, 1 };
  g_autoptr (LecternImage) work = reduce_page (page, &tf.scale);
  int r = MAX (7, MAX (work->width, work->height) / 80);
  int reduced_w = work->width, reduced_h = work->height;
  g_autoptr (Bitmap) ink0 = binarise_sauvola (work, r, sauvola_k);
  clear_outside_paper (ink0, work);
  g_clear_pointer (&work, lectern_image_free);
  report (&opts, 0.2);
  if (!check_cancel (cancellable, error))
    return NULL;

  /* 2–3. skew */
  double angle = opts.deskew && max_skew > 0
                 ? estimate_skew_radians (ink0, max_skew) : 0;
  g_autoptr (Bitmap) ink = NULL;
  if (fabs (angle) > 0.02 * G_PI / 180.0)
    {
      ink = rotate_bitmap (ink0, angle, &tf);
      g_clear_pointer (&ink0, bitmap_free);
    }
  else
    {
      ink = g_steal_pointer (&ink0);
      tf.cx = tf.cu = ink->w / 2.0;
      tf.cy = tf.cv = ink->h / 2.0;
    }
  report (&opts, 0.35);
  if (!check_cancel (cancellable, error))
    return NULL;

  /* 4–5. components, and ruled lines, whose thickness is judged against the text height */
  g_autofree guint32 *labels = g_new (guint32, (gsize) ink->w * ink->h);
  g_autoptr (GArray) comps = label_components (ink, labels);
  double th = estimate_text_height (comps, ink->h);
  g_autoptr (LecternDocument) doc = lectern_document_new (NULL, page->width, page->height);
  if (th <= 0)
    return g_steal_pointer (&doc);     /* a blank page has no lines */
  if (opts.remove_rules)
    {
      int thick = MAX (3, (int) lround (0.4 * th));
      int span = MAX (20, MAX (ink->w, ink->h) / 6);
      remove_long_strokes (ink, span, thick, FALSE);
      remove_long_strokes (ink, span, thick, TRUE);
      g_array_unref (comps);
      comps = label_components (ink, labels);
      th = estimate_text_height (comps, ink->h);
      if (th <= 0)
        return g_steal_pointer (&doc);
    }
  filter_components (comps, labels, ink->w, &tf, reduced_w, reduced_h, th);
  /* what the filters kept, labelled again: stripped drawings leave words and scraps */
  for (gsize i = 0; i < (gsize) ink->w * ink->h; i++)
    ink->p[i] = labels[i] != 0 && g_array_index (comps, Component, labels[i]).keep;
  g_array_unref (comps);
  comps = label_components (ink, labels);
  for (guint i = 1; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);
      if (MAX (c->x1 - c->x0, c->y1 - c->y0) + 1 < 0.15 * th)
        c->keep = FALSE;
    }
  report (&opts, 0.45);
  if (!check_cancel (cancellable, error))
    return NULL;

  /* 6. spacing */
  double ls_ac = estimate_line_spacing (ink, labels, comps, th);
  double ls = estimate_line_spacing_pairs (comps, th, ink->h);
  /* the autocorrelation, unless the neighbour pairs find half of it (then it took the next
   * line but one), else the pairs, else a usual proportion */
  if (ls_ac > 0 && !(ls > 0 && fabs (ls_ac - 2 * ls) < 0.1 * ls_ac))
    ls = ls_ac;
  else if (ls <= 0)
    ls = 2.2 * th;
  ls = CLAMP (ls, 1.2 * th, MAX_SPACING * th);
  drop_stamps (comps, labels, ink->w, ink->h, th, ls);
  /* columns side by side hide each other's letters' neighbours: peel them one by one */
  for (int round = 0; round < 4 && drop_text_across (comps, th, ls); round++)
    ;
  report (&opts, 0.55);
  if (!check_cancel (cancellable, error))
    return NULL;

  /* 7. ridges */
  g_autoptr (GPtrArray) ridges = find_line_chains (ink, labels, comps, th, ls);
  merge_chains (ridges, ls);
  g_autoptr (GPtrArray) chains = cut_chains_to_ink (ridges, comps, ls, MAX_GAP * ls,
                                                    MIN_GUTTER * ls, ink->w);
  g_clear_pointer (&ridges, g_ptr_array_unref);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (line_free);
  for (guint i = 0; i < chains->len; i++)
    g_ptr_array_add (lines, line_new (chains->pdata[i], ls, ink->w));
  report (&opts, 0.7);
  if (!check_cancel (cancellable, error))
    return NULL;

  /* 8–9. ink and geometry of each line */
  assign_components (lines, comps, labels, ink->w, ls);
  if (split_double_lines (chains, lines, comps, labels, ink->w, ls))
    {
      g_ptr_array_set_size (lines, 0);
      for (guint i = 0; i < chains->len; i++)
        g_ptr_array_add (lines, line_new (chains->pdata[i], ls, ink->w));
      assign_components (lines, comps, labels, ink->w, ls);
    }
  g_autoptr (GArray) xhs = g_array_new (FALSE, FALSE, sizeof (double));
  double page_xh = 0;
  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = lines->pdata[i];
      if (l->n_pixels < MIN_INK * th * th || !line_measure (l)
          || l->x1 - l->x0 + 1 < MIN_ASPECT * (l->bottom_off - l->top_off))
        {
          l->keep = FALSE;
          continue;
        }
      l->xheight_measured = l->xheight;
      g_array_append_val (xhs, l->xheight);
    }
  if (xhs->len > 0)
    {
      g_array_sort (xhs, compare_double);
      double med = page_xh = g_array_index (xhs, double, xhs->len / 2);
      for (guint i = 0; i < lines->len; i++)
        {
          Line *l = lines->pdata[i];
          /* (a row of small print is text, however small: its profile said so) */
          if (l->keep && !l->chain->print_row
              && line_column_height (l) < MIN_COLUMN_HEIGHT * med)
            l->keep = FALSE;
          /* short lines are allowed more, a comma or a descender tilts their fit, and on a
           * word or two (a page number) the fit says nothing; a signature in the text's size
           * or larger more still, its flourishes and the scraps about it tilt it (a short
           * line in a smaller hand running steeply is a note pencilled in a corner) */
          double width_ls = (l->x1 - l->x0 + 1) / ls;
          double max_slope = MAX_INK_SLOPE + 0.1 * MAX (0.0, 1.0 - width_ls / 4);
          if (l->keep && l->xheight_measured >= SIGNATURE_XH * med)
            max_slope = MAX_INK_SLOPE + SIGNATURE_SLOPE * MAX (0.0, 1.0 - width_ls / 5);
          if (l->keep && width_ls > 1.5 && fabs (line_ink_slope (l)) > max_slope)
            l->keep = FALSE;
          if (l->keep)
            {
              l->xheight = CLAMP (l->xheight, l->chain->print_row ? 0 : 0.7 * med, XH_MAX * med);
              line_trim_to_writing (l, MIN_COLUMN_HEIGHT * med, TRIM_GAP * ls);
            }
        }
    }
  drop_satellites (lines, ls);
  drop_later_additions (lines, page_xh, ls);
  adopt_fragments (lines, comps, labels, ink->w, ls);
  for (guint i = 0; i < lines->len;)
    {
      Line *l = lines->pdata[i];
      if (!l->keep)
        g_ptr_array_remove_index (lines, i);
      else
        i++;
    }
  report (&opts, 0.85);

  /* 10. regions, reading order, output */
  g_autoptr (GPtrArray) regions = group_regions (lines, ls);
  drop_small_notes (regions, page_xh, ls);
  for (guint k = 0; k < regions->len; k++)
    {
      Region *rg = regions->pdata[k];
      LecternRegion *region = NULL;
      for (guint i = 0; i < rg->lines->len; i++)
        {
          const Line *l = rg->lines->pdata[i];
          if (!l->keep)
            continue;
          if (region == NULL)
            {
              region = lectern_document_add_region (doc, NULL);
              region->type = g_strdup (rg->main ? "paragraph" : "marginalia");
            }
          emit_line (region, lines, l, &tf, page->width, page->height);
        }
    }
  report (&opts, 1.0);
  return g_steal_pointer (&doc);
}
