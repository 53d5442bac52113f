/* document-private.h — what the format readers and writers (pagexml.c, alto.c, hocr.c,
 * text-export.c) share with document.c: safe XML parsing, point lists, ids, the @custom syntax. */
#pragma once

#include <libxml/tree.h>

#include "document.h"

G_BEGIN_DECLS

/* ---- Reading ---- */

/* Parses XML safely (see document.h); errors name the file and the line. */
xmlDoc     *lectern_xml_parse           (const char *data, gsize size, const char *name,
                                         GError **error);
/* Element test by local name and namespace (NULL ns: any). */
gboolean    lectern_xml_is              (const xmlNode *node, const char *name, const xmlChar *ns);
/* First child element with that local name in the namespace, or NULL. */
xmlNode    *lectern_xml_child           (const xmlNode *node, const char *name, const xmlChar *ns);
/* The text directly inside an element (text and CDATA children; entity references are not
 * expanded). Free with g_free. */
char       *lectern_xml_text            (const xmlNode *node);
/* An attribute without namespace, or NULL. Free with g_free. */
char       *lectern_xml_attr            (const xmlNode *node, const char *name);
/* A numeric attribute: FALSE with *present FALSE when absent, FALSE with *present TRUE and an
 * error naming the element when it is not a finite number. */
gboolean    lectern_xml_attr_double     (const xmlNode *node, const char *name, double *value,
                                         gboolean *present, const char *file, GError **error);
/* "Element “id”" or "Element" for messages. Free with g_free. */
char       *lectern_xml_describe        (const xmlNode *node, const char *id_attr);

/* v as a pixel coordinate: rounded, negatives clamped to 0. FALSE when it lies beyond any
 * page: it rounds to LECTERN_PAGE_MAX_SIDE or more (or to less than −LECTERN_PAGE_MAX_SIDE:
 * nonsense, not a point slightly off the page); lectern_coordinate_error then says so, naming
 * file and what (built only then: readers call this for every point). */
gboolean    lectern_coordinate          (double v, int *out);
void        lectern_coordinate_error    (GError **error, const char *file, const char *what,
                                         double v);

/* Appends the points of "x,y x,y …" or "x y x y …" (integers or decimals) to points
 * (LecternPoint), as lectern_coordinate makes them. FALSE with an error naming file, what and
 * the text when it is not an even list of finite numbers or a point lies beyond any page. */
gboolean    lectern_points_parse        (const char *text, GArray *points, const char *file,
                                         const char *what, GError **error);

/* Tidies a freshly read document: NFC text, per-character arrays that match the text, polygons
 * of >= 3 points and baselines of >= 2, unique valid ids. */
void        lectern_document_tidy       (LecternDocument *doc);

/* The value of key in a "name {key:value; key:value;}" block of a custom attribute (PAGE's
 * convention, with \uXXXX escapes), or NULL. Free with g_free. */
char       *lectern_custom_get          (const char *custom, const char *block, const char *key);

/* ISO 8601 UTC ("2024-01-31T12:00:00Z") from a file's timestamp, or NULL when it is not one. */
char       *lectern_timestamp_normalise (const char *text);

/* ---- Writing ---- */

/* Makes ids valid (xs:ID: a letter or '_' first, then letters, digits, '_', '-', '.') and
 * unique within one output file. */
typedef struct _LecternIdSet LecternIdSet;
LecternIdSet *lectern_id_set_new        (void);
void          lectern_id_set_free       (LecternIdSet *set);
/* Returns a valid id unique in the set, as close to wanted as possible (fallback when wanted is
 * NULL or empty); owned by the set. */
const char   *lectern_id_set_take       (LecternIdSet *set, const char *wanted,
                                         const char *fallback);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternIdSet, lectern_id_set_free)

/* Text without characters XML 1.0 forbids (C0 controls but tab, newline, CR; U+FFFE, U+FFFF).
 * Free with g_free. */
char       *lectern_xml_clean_text      (const char *text);
/* Adds a text child element (escaped) / an attribute, both with clean text. */
xmlNode    *lectern_xml_add_text        (xmlNode *parent, xmlNs *ns, const char *name,
                                         const char *text);
void        lectern_xml_set             (xmlNode *node, const char *name, const char *value);
void        lectern_xml_set_int         (xmlNode *node, const char *name, gint64 value);
/* Locale-independent, shortest form that reads back the same to the given significant digits. */
void        lectern_xml_set_double      (xmlNode *node, const char *name, double value,
                                         int digits);
/* Text of a double for attributes and custom values, locale-independent. */
char       *lectern_format_double       (double value, int digits);

/* "x,y x,y" (separator ',') or "x y x y" (separator ' '), negatives as 0. */
char       *lectern_points_format       (const GArray *points, char separator);
/* Bounding box of any number of point arrays (NULL-terminated); FALSE when all are empty. */
gboolean    lectern_points_bbox         (int *x0, int *y0, int *x1, int *y1,
                                         const GArray *first, ...) G_GNUC_NULL_TERMINATED;
/* The polygon a writer gives a line: its own, else its baseline there and back, else empty. */
GArray     *lectern_line_outline        (const LecternLine *line);
/* The polygon a writer gives a region: its own, else the box around its lines (or empty). */
GArray     *lectern_region_outline      (const LecternRegion *region);
/* Page size for writers: the document's, else the extent of its geometry (at least 1). */
void        lectern_document_page_size  (const LecternDocument *doc, int *width, int *height);
/* "Lectern 0.1.0" */
const char *lectern_document_software   (void);
/* Current time, ISO 8601 UTC. Free with g_free. */
char       *lectern_timestamp_now       (void);

/* Serialises an xmlDoc (UTF-8, indented) to bytes. */
GBytes     *lectern_xml_to_bytes        (xmlDoc *xml);

/* ---- The formats ---- */
LecternDocument *lectern_page_read      (xmlDoc *xml, const char *file, GError **error);
LecternDocument *lectern_alto_read      (xmlDoc *xml, const char *file, GError **error);
xmlDoc          *lectern_page_write     (const LecternDocument *doc);
xmlDoc          *lectern_alto_write     (const LecternDocument *doc);
xmlDoc          *lectern_hocr_write     (const LecternDocument *doc);
GBytes          *lectern_text_export    (const LecternDocument *doc);

G_END_DECLS
