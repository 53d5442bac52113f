/* segeval.c — evaluation of line segmentation: polygon IoU and one-to-one line matching.
 *
 * Each polygon becomes a list of covered spans per grid row (scan-line fill, cell centres
 * sampled), so the overlap of two polygons is a merge of sorted span lists over their common
 * rows: exact on the grid, no bitmap of the page needed. */
#include "segeval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  int c0, c1;     /* covered cells [c0, c1) */
} Span;

typedef struct {
  int     row0, n_rows;
  guint  *row_start;   /* n_rows + 1 offsets into spans */
  GArray *spans;       /* Span */
  gint64  area;        /* cells */
  int     x0, x1;      /* bounding columns, for quick rejection */
} Raster;

static void
raster_clear (Raster *r)
{
  g_free (r->row_start);
  if (r->spans)
    g_array_free (r->spans, TRUE);
  r->row_start = NULL;
  r->spans = NULL;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Scan-line fill: row j samples y = (j + 0.5)·cell; column i is covered when its centre
 * (i + 0.5)·cell lies inside (even-odd rule). */
static void
raster_polygon (Raster *r, const LecternPoint *pts, gsize n, int cell)
{
  r->spans = g_array_new (FALSE, FALSE, sizeof (Span));
  r->area = 0;
  r->n_rows = 0;
  r->row0 = 0;
  r->x0 = G_MAXINT;
  r->x1 = G_MININT;
  r->row_start = g_new0 (guint, 1);
  if (n < 3)
    return;
  int ymin = G_MAXINT, ymax = G_MININT;
  for (gsize i = 0; i < n; i++)
    {
      ymin = MIN (ymin, pts[i].y);
      ymax = MAX (ymax, pts[i].y);
    }
  /* rows whose sample line may cross the polygon */
  int j0 = (int) floor ((double) ymin / cell - 0.5);
  int j1 = (int) ceil ((double) ymax / cell - 0.5);
  r->row0 = j0;
  r->n_rows = j1 - j0 + 1;
  g_free (r->row_start);
  r->row_start = g_new0 (guint, r->n_rows + 1);
  g_autofree double *xs = g_new (double, n);
  for (int j = j0; j <= j1; j++)
    {
      double yc = (j + 0.5) * cell;
      gsize k = 0;
      for (gsize i = 0; i < n; i++)
        {
          const LecternPoint *a = &pts[i], *b = &pts[(i + 1) % n];
          /* half-open rule so a vertex on the sample line counts once */
          if ((a->y <= yc && b->y > yc) || (b->y <= yc && a->y > yc))
            xs[k++] = a->x + (yc - a->y) * (double) (b->x - a->x) / (double) (b->y - a->y);
        }
      qsort (xs, k, sizeof (double), compare_double);
      r->row_start[j - j0] = r->spans->len;
      for (gsize i = 0; i + 1 < k; i += 2)
        {
          /* columns whose centre is in [xs[i], xs[i+1]) */
          Span s = { (int) ceil (xs[i] / cell - 0.5), (int) ceil (xs[i + 1] / cell - 0.5) };
          if (s.c1 <= s.c0)
            continue;
          g_array_append_val (r->spans, s);
          r->area += s.c1 - s.c0;
          r->x0 = MIN (r->x0, s.c0);
          r->x1 = MAX (r->x1, s.c1);
        }
    }
  r->row_start[r->n_rows] = r->spans->len;
}

static gint64
raster_intersection (const Raster *a, const Raster *b)
{
  if (a->area == 0 || b->area == 0 || a->x1 <= b->x0 || b->x1 <= a->x0)
    return 0;
  int j0 = MAX (a->row0, b->row0), j1 = MIN (a->row0 + a->n_rows, b->row0 + b->n_rows);
  gint64 total = 0;
  const Span *sa = (const Span *) a->spans->data, *sb = (const Span *) b->spans->data;
  for (int j = j0; j < j1; j++)
    {
      guint ia = a->row_start[j - a->row0], ea = a->row_start[j - a->row0 + 1];
      guint ib = b->row_start[j - b->row0], eb = b->row_start[j - b->row0 + 1];
      while (ia < ea && ib < eb)
        {
          int lo = MAX (sa[ia].c0, sb[ib].c0), hi = MIN (sa[ia].c1, sb[ib].c1);
          if (hi > lo)
            total += hi - lo;
          if (sa[ia].c1 < sb[ib].c1)
            ia++;
          else
            ib++;
        }
    }
  return total;
}

static double
raster_iou (const Raster *a, const Raster *b)
{
  gint64 inter = raster_intersection (a, b);
  gint64 uni = a->area + b->area - inter;
  return uni > 0 ? (double) inter / (double) uni : 0.0;
}

double
lectern_polygon_iou (const LecternPoint *a, gsize n_a, const LecternPoint *b, gsize n_b, int cell)
{
  g_return_val_if_fail (cell >= 1, 0);
  Raster ra, rb;
  raster_polygon (&ra, a, n_a, cell);
  raster_polygon (&rb, b, n_b, cell);
  double iou = raster_iou (&ra, &rb);
  raster_clear (&ra);
  raster_clear (&rb);
  return iou;
}

void
lectern_segeval_score_finish (LecternSegevalScore *s)
{
  s->precision = s->n_pred > 0 ? (double) s->n_matched / s->n_pred : 1.0;
  s->recall = s->n_gt > 0 ? (double) s->n_matched / s->n_gt : 1.0;
  s->f1 = s->precision + s->recall > 0
          ? 2 * s->precision * s->recall / (s->precision + s->recall) : 0.0;
}

void
lectern_segeval_score_add (LecternSegevalScore *total, const LecternSegevalScore *page)
{
  total->n_pred += page->n_pred;
  total->n_gt += page->n_gt;
  total->n_matched += page->n_matched;
  total->iou_sum += page->iou_sum;
  total->order_pairs += page->order_pairs;
  total->order_inversions += page->order_inversions;
  lectern_segeval_score_finish (total);
}

static int
compare_match (gconstpointer a, gconstpointer b)
{
  const LecternSegevalMatch *x = a, *y = b;
  if (x->iou != y->iou)
    return x->iou > y->iou ? -1 : 1;
  if (x->gt != y->gt)
    return x->gt < y->gt ? -1 : 1;
  return (x->pred > y->pred) - (x->pred < y->pred);
}

static Raster *
raster_lines (GPtrArray *lines, int cell)
{
  Raster *r = g_new0 (Raster, MAX (1, lines->len));
  for (guint i = 0; i < lines->len; i++)
    {
      const LecternLine *l = lines->pdata[i];
      raster_polygon (&r[i], (const LecternPoint *) l->polygon->data, l->polygon->len, cell);
    }
  return r;
}

void
lectern_segeval_compare (const LecternDocument *pred, const LecternDocument *gt, double min_iou,
                         int cell, LecternSegevalScore *score, GArray *matches)
{
  g_return_if_fail (pred != NULL && gt != NULL && score != NULL && cell >= 1);
  g_autoptr (GPtrArray) pl = lectern_document_lines (pred);
  g_autoptr (GPtrArray) gl = lectern_document_lines (gt);
  Raster *pr = raster_lines (pl, cell);
  Raster *gr = raster_lines (gl, cell);

  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (LecternSegevalMatch));
  for (guint g = 0; g < gl->len; g++)
    for (guint p = 0; p < pl->len; p++)
      {
        double iou = raster_iou (&gr[g], &pr[p]);
        if (iou > 0 && iou >= min_iou)
          {
            LecternSegevalMatch m = { g, p, iou };
            g_array_append_val (pairs, m);
          }
      }
  g_array_sort (pairs, compare_match);
  g_autofree guint8 *gt_used = g_new0 (guint8, gl->len + 1);
  g_autofree guint8 *pred_used = g_new0 (guint8, pl->len + 1);
  /* per predicted line, the ground-truth line it matched (G_MAXUINT: none) */
  g_autofree guint *gt_of = g_new (guint, pl->len + 1);
  for (guint p = 0; p < pl->len; p++)
    gt_of[p] = G_MAXUINT;
  memset (score, 0, sizeof *score);
  score->n_pred = pl->len;
  score->n_gt = gl->len;
  for (guint i = 0; i < pairs->len; i++)
    {
      LecternSegevalMatch *m = &g_array_index (pairs, LecternSegevalMatch, i);
      if (gt_used[m->gt] || pred_used[m->pred])
        continue;
      gt_used[m->gt] = pred_used[m->pred] = 1;
      gt_of[m->pred] = m->gt;
      score->n_matched++;
      score->iou_sum += m->iou;
      if (matches)
        g_array_append_val (matches, *m);
    }
  /* the matched lines in the prediction's order, and the pairs among them that the ground
   * truth has the other way round (a page has at most a few hundred lines) */
  for (guint a = 0; a < pl->len; a++)
    for (guint b = a + 1; b < pl->len && gt_of[a] != G_MAXUINT; b++)
      if (gt_of[b] != G_MAXUINT)
        {
          score->order_pairs++;
          if (gt_of[a] > gt_of[b])
            score->order_inversions++;
        }
  lectern_segeval_score_finish (score);

  for (guint i = 0; i < pl->len; i++)
    raster_clear (&pr[i]);
  for (guint i = 0; i < gl->len; i++)
    raster_clear (&gr[i]);
  g_free (pr);
  g_free (gr);
}

gboolean
lectern_segeval_is_main_text (const char *region_type)
{
  /* PAGE 2019 types, SegmOnto zone names (eScriptorium's ALTO block labels, with or without
   * a subtype after ':' or '#'), and "marginalia" as Lectern writes it */
  static const char *const beside[] = {
    "marginalia", "page-number", "header", "footer", "catch-word", "signature-mark",
    "MarginTextZone", "NumberingZone", "RunningTitleZone", "QuireMarksZone", "StampZone",
    "SealZone", "DigitizationArtefactZone",
  };
  if (region_type == NULL)
    return TRUE;
  gsize len = strcspn (region_type, ":#");
  for (gsize i = 0; i < G_N_ELEMENTS (beside); i++)
    if (strlen (beside[i]) == len && g_ascii_strncasecmp (region_type, beside[i], len) == 0)
      return FALSE;
  return TRUE;
}

LecternDocument *
lectern_segeval_main_text (const LecternDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);
  LecternDocument *copy = lectern_document_copy (doc);
  for (guint i = 0; i < copy->regions->len;)
    {
      const LecternRegion *region = copy->regions->pdata[i];
      if (lectern_segeval_is_main_text (region->type))
        i++;
      else
        g_ptr_array_remove_index (copy->regions, i);
    }
  return copy;
}
