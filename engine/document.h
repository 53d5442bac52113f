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

typedef struct {
  char         *id;
  GArray       *polygon;      /* LecternPoint, may be empty (then derived from the lines) */
  GPtrArray    *lines;        /* LecternLine*, in reading order */
} LecternRegion;

typedef struct {
  char         *image_filename;   /* as written in the file (may be relative to the file) */
  char         *image_path;       /* resolved absolute path when known, else NULL */
  int           width, height;    /* image size in pixels */
  GPtrArray    *regions;          /* LecternRegion*, in reading order */
  char         *creator;          /* software that made it */
  char         *model_name;       /* recognition model used, may be NULL */
} LecternDocument;

LecternDocument *lectern_document_new        (const char *image_filename, int width, int height);
void             lectern_document_free       (LecternDocument *doc);
LecternDocument *lectern_document_copy       (const LecternDocument *doc);
LecternRegion   *lectern_document_add_region (LecternDocument *doc, const char *id);
LecternLine     *lectern_region_add_line     (LecternRegion *region, const char *id);
/* All lines of the page in reading order (borrowed pointers). */
GPtrArray       *lectern_document_lines      (const LecternDocument *doc);
guint            lectern_document_n_lines    (const LecternDocument *doc);

LecternLine     *lectern_line_new            (const char *id);
void             lectern_line_free           (LecternLine *line);
void             lectern_line_set_text       (LecternLine *line, const char *text);
/* Bounding box of the polygon (or baseline) — FALSE when the line has no geometry. */
gboolean         lectern_line_bbox           (const LecternLine *line, int *x0, int *y0, int *x1, int *y1);

/* File formats. Readers detect the format from the root element (PAGE 2013/2017/2019, ALTO v2–v4).
 * Parsing uses libxml2 with XML_PARSE_NONET, no entity substitution, no DTD loading, no HUGE. */
typedef enum {
  LECTERN_FORMAT_TEXT,
  LECTERN_FORMAT_PAGE,
  LECTERN_FORMAT_ALTO,
  LECTERN_FORMAT_HOCR,
} LecternFormat;

LecternDocument *lectern_document_load       (const char *path, GError **error);
LecternDocument *lectern_document_load_bytes (GBytes *bytes, const char *name, GError **error);
/* Serialise to memory; for PAGE: 2019-07-15, for ALTO: 4.4. */
GBytes          *lectern_document_serialize  (const LecternDocument *doc, LecternFormat format,
                                              GError **error);
/* Atomic write (temp file + rename); a failure leaves any previous file intact. */
gboolean         lectern_document_save       (const LecternDocument *doc, const char *path,
                                              LecternFormat format, GError **error);
gboolean         lectern_format_from_name    (const char *name, LecternFormat *format);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternDocument, lectern_document_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternLine, lectern_line_free)

G_END_DECLS
