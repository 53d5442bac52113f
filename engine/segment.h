/* segment.h — page analysis: skew, binarisation and text-line segmentation of a page scan.
 *
 * lectern_segment_page() finds the text lines of a grey page image and returns them as a
 * LecternDocument: one polygon and one baseline per line, in the coordinates of the page it was
 * given, grouped into regions in reading order. The analysis runs on a reduced copy of the page
 * and derives every length from the text height that it measures, so the same settings serve
 * scans of any resolution. */
#pragma once

#include <gio/gio.h>
#include "document.h"
#include "image.h"

G_BEGIN_DECLS

/* fraction in [0, 1] of the work done */
typedef void (*LecternSegmentProgress) (double fraction, gpointer user_data);

typedef struct {
  gboolean deskew;              /* estimate and correct the skew (default TRUE) */
  double   max_skew_degrees;    /* skew search range ± (default 5, at most 15) */
  gboolean remove_rules;        /* remove long ruled lines before finding text (default TRUE) */
  double   sauvola_k;           /* Sauvola sensitivity (default 0.15; larger keeps less faint ink) */
  LecternSegmentProgress progress;   /* nullable */
  gpointer progress_data;
} LecternSegmentOptions;

/* Fills in the defaults. */
void lectern_segment_options_init (LecternSegmentOptions *opts);

/* Finds the text lines of a page. The result has the page's size and no image file name (the
 * caller sets it); NULL with an error when cancelled or when the page is empty or absurd. */
LecternDocument *lectern_segment_page (const LecternImage *page,
                                       const LecternSegmentOptions *opts,
                                       GCancellable *cancellable,
                                       GError **error);

/* The skew of the text lines in degrees: lines run along y = y0 + x · tan(angle) in image
 * coordinates (y down), so a positive angle means lines that descend to the right. Searched
 * in ±max_degrees. Exposed for tests and for the command line summary. */
double lectern_segment_estimate_skew (const LecternImage *page, double max_degrees);

G_END_DECLS
