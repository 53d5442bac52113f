/* document.h — a transcribed page: its text lines with polygons, baselines, text and confidences.
 *
 * This is the engine's model of one page, shared by segmentation, recognition, the file formats
 * (PAGE XML, ALTO, hOCR, plain text) and the application. Plain structs with GLib containers;
 * the UI wraps them in GObjects of its own.
 *
 * Reading order: regions in `regions` order, lines in each region's `lines` order. */
#pragma once

#include <glib.h>
#include "image.h"

/* The largest page side the PAGE and ALTO readers accept, in pixels (16 times the largest image
 * side: a scan at a lower resolution than its coordinates). Every coordinate they read is
 * bounded by it too, so a page measured from its lines is never larger than one they accept. */
#define LECTERN_PAGE_MAX_SIDE (LECTERN_IMAGE_MAX_SIDE * 16)

G_BEGIN_DECLS

typedef struct {
  char         *id;           /* unique within the page */
  GArray       *polygon;      /* LecternPoint, >= 3 points when known, may be empty */
  GArray       *baseline;     /* LecternPoint, >= 2 points when known, may be empty */
  char         *text;         /* UTF-8 NFC, "" when not transcribed */
  float         confidence;   /* 0..1, < 0 when unknown */
  GArray       *char_confidences; /* float per Unicode character of text, may be empty */
  GArray       *char_spans;   /* LecternPoint per character: x range (x = start, y = end) in page pixels */
  gboolean      corrected;    /* a person corrected (or typed) this text */
  char         *type;         /* optional line type label (e.g. "Handwritten"), may be NULL */
} LecternLine;
/* Arrays are never NULL: lectern_line_new makes them empty. */

typedef struct {
  char         *id;
  GArray       *polygon;      /* LecternPoint, may be empty (then derived from the lines) */
  GPtrArray    *lines;        /* LecternLine*, in reading order; owns them (frees on remove) */
  char         *type;         /* optional region type (e.g. "paragraph", "marginalia"), may be NULL */
} LecternRegion;

typedef struct {
  char         *image_filename;   /* as written in the file (may be relative to the file) */
  char         *image_path;       /* resolved absolute path when known, else NULL */
  int           width, height;    /* image size in pixels */
  GPtrArray    *regions;          /* LecternRegion*, in reading order; owns them */
  char         *creator;          /* software that made it (as read; writers put Lectern) */
  char         *model_name;       /* recognition model used, may be NULL */
  char         *created;          /* when the file was first made, ISO 8601 UTC ("…Z"); NULL: now */
} LecternDocument;

LecternDocument *lectern_document_new        (const char *image_filename, int width, int height);
void             lectern_document_free       (LecternDocument *doc);
LecternDocument *lectern_document_copy       (const LecternDocument *doc);
/* id NULL makes one: "r<n>" for regions (unique in the document), "<region id>_l<n>" for lines
 * (unique in the region). */
LecternRegion   *lectern_document_add_region (LecternDocument *doc, const char *id);
LecternLine     *lectern_region_add_line     (LecternRegion *region, const char *id);
LecternRegion   *lectern_region_new          (const char *id);
void             lectern_region_free         (LecternRegion *region);
/* All lines of the page in reading order (borrowed pointers). */
GPtrArray       *lectern_document_lines      (const LecternDocument *doc);
guint            lectern_document_n_lines    (const LecternDocument *doc);

LecternLine     *lectern_line_new            (const char *id);
void             lectern_line_free           (LecternLine *line);
/* Stores text as valid UTF-8 in NFC. When the text changes, char_confidences and char_spans
 * (which described the old text) are emptied: set the text first, then fill them. */
void             lectern_line_set_text       (LecternLine *line, const char *text);
LecternLine     *lectern_line_copy           (const LecternLine *line);
/* Bounding box of the polygon (or baseline) — FALSE when the line has no geometry. */
gboolean         lectern_line_bbox           (const LecternLine *line, int *x0, int *y0, int *x1, int *y1);

/* File formats. Readers detect the format from the root element (PAGE 2013/2017/2019, ALTO v2–v4).
 * Parsing uses libxml2 with XML_PARSE_NONET, no entity substitution, no DTD loading, no HUGE;
 * documents that declare entities are refused, and files above LECTERN_DOCUMENT_MAX_BYTES too.
 *
 * What readers do with imperfect files (decided so that real exports open, and nothing invented):
 * - a missing required attribute that carries data (Page@imageWidth/@imageHeight,
 *   Coords@points) or a number that is not a number is an error naming the element;
 * - negative coordinates are clamped to 0; a polygon with fewer than 3 points is left empty,
 *   a baseline with fewer than 2 points too;
 * - missing ids are made up, and ids that repeat or are not valid XML ids are made unique and
 *   valid (suffix "_2", "_3", …), so that writers always produce valid files;
 * - text is normalised to NFC; per-character data that no longer matches is dropped.
 * image_path is image_filename resolved against the XML file's folder (then its parent, as in
 * OCR-D workspaces, then the bare file name in that folder); NULL when no such file exists. */
#define LECTERN_DOCUMENT_MAX_BYTES ((gsize) 64 << 20)

typedef enum {
  LECTERN_FORMAT_TEXT,
  LECTERN_FORMAT_PAGE,
  LECTERN_FORMAT_ALTO,
  LECTERN_FORMAT_HOCR,
} LecternFormat;

LecternDocument *lectern_document_load       (const char *path, GError **error);
LecternDocument *lectern_document_load_bytes (GBytes *bytes, const char *name, GError **error);
/* Serialise to memory; for PAGE: 2019-07-15, for ALTO: 4.4, hOCR 1.2 (XHTML), plain text (lines
 * in reading order, a blank line between regions). Coordinates are clamped to be non-negative.
 * PAGE keeps everything Lectern knows: per-line corrected flag, per-character confidences and
 * x spans go in TextLine@custom as "lectern {corrected:true; confs:0.91 0.88; spans:10-20 20-31;}";
 * ALTO keeps per-character confidences as CC digits (0 sure … 9 unsure, i.e. to 1/9) and the
 * corrected flag as TextLine@CS. */
GBytes          *lectern_document_serialize  (const LecternDocument *doc, LecternFormat format,
                                              GError **error);
/* Atomic write (temp file + rename); a failure leaves any previous file intact. */
gboolean         lectern_document_save       (const LecternDocument *doc, const char *path,
                                              LecternFormat format, GError **error);
/* "page", "alto", "hocr", "text" (also "pagexml", "txt", "html"; any case). */
gboolean         lectern_format_from_name    (const char *name, LecternFormat *format);
/* Usual file name extension (without the dot): "xml", "xml", "hocr", "txt". */
const char      *lectern_format_extension    (LecternFormat format);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternDocument, lectern_document_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternLine, lectern_line_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternRegion, lectern_region_free)

G_END_DECLS
