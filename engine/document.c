/* document.c — the page model (regions, lines), loading and saving documents, and the helpers
 * the format readers and writers share: safe XML parsing, point lists, ids, @custom values. */
#include "document.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "document-private.h"
#include "error.h"
#include "file-util.h"

/* ---- The model ---- */

static GArray *
point_array_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (LecternPoint));
}

static GArray *
array_copy (const GArray *array)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, g_array_get_element_size ((GArray *) array),
                                    array->len);
  g_array_append_vals (copy, array->data, array->len);
  return copy;
}

LecternLine *
lectern_line_new (const char *id)
{
  LecternLine *line = g_new0 (LecternLine, 1);
  line->id = g_strdup (id);
  line->polygon = point_array_new ();
  line->baseline = point_array_new ();
  line->text = g_strdup ("");
  line->confidence = -1.0f;
  line->char_confidences = g_array_new (FALSE, FALSE, sizeof (float));
  line->char_spans = point_array_new ();
  return line;
}

void
lectern_line_free (LecternLine *line)
{
  if (line == NULL)
    return;
  g_free (line->id);
  g_array_unref (line->polygon);
  g_array_unref (line->baseline);
  g_free (line->text);
  g_array_unref (line->char_confidences);
  g_array_unref (line->char_spans);
  g_free (line->type);
  g_free (line);
}

LecternLine *
lectern_line_copy (const LecternLine *line)
{
  g_return_val_if_fail (line != NULL, NULL);
  LecternLine *copy = g_new0 (LecternLine, 1);
  copy->id = g_strdup (line->id);
  copy->polygon = array_copy (line->polygon);
  copy->baseline = array_copy (line->baseline);
  copy->text = g_strdup (line->text);
  copy->confidence = line->confidence;
  copy->char_confidences = array_copy (line->char_confidences);
  copy->char_spans = array_copy (line->char_spans);
  copy->corrected = line->corrected;
  copy->type = g_strdup (line->type);
  return copy;
}

/* Valid UTF-8 in NFC, never NULL. */
static char *
normalise_text (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  char *nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  return nfc != NULL ? nfc : g_strdup ("");
}

void
lectern_line_set_text (LecternLine *line, const char *text)
{
  g_return_if_fail (line != NULL);
  char *nfc = normalise_text (text);
  if (g_strcmp0 (nfc, line->text) != 0)
    {
      g_array_set_size (line->char_confidences, 0);
      g_array_set_size (line->char_spans, 0);
    }
  g_free (line->text);
  line->text = nfc;
}

gboolean
lectern_line_bbox (const LecternLine *line, int *x0, int *y0, int *x1, int *y1)
{
  g_return_val_if_fail (line != NULL, FALSE);
  int a, b, c, d;
  const GArray *points = line->polygon->len > 0 ? line->polygon : line->baseline;
  if (!lectern_points_bbox (&a, &b, &c, &d, points, NULL))
    return FALSE;
  if (x0 != NULL)
    *x0 = a;
  if (y0 != NULL)
    *y0 = b;
  if (x1 != NULL)
    *x1 = c;
  if (y1 != NULL)
    *y1 = d;
  return TRUE;
}

LecternRegion *
lectern_region_new (const char *id)
{
  LecternRegion *region = g_new0 (LecternRegion, 1);
  region->id = g_strdup (id);
  region->polygon = point_array_new ();
  region->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_line_free);
  return region;
}

void
lectern_region_free (LecternRegion *region)
{
  if (region == NULL)
    return;
  g_free (region->id);
  g_array_unref (region->polygon);
  g_ptr_array_unref (region->lines);
  g_free (region->type);
  g_free (region);
}

static LecternRegion *
region_copy (const LecternRegion *region)
{
  LecternRegion *copy = lectern_region_new (region->id);
  g_array_append_vals (copy->polygon, region->polygon->data, region->polygon->len);
  for (guint i = 0; i < region->lines->len; i++)
    g_ptr_array_add (copy->lines, lectern_line_copy (region->lines->pdata[i]));
  copy->type = g_strdup (region->type);
  return copy;
}

LecternLine *
lectern_region_add_line (LecternRegion *region, const char *id)
{
  g_return_val_if_fail (region != NULL, NULL);
  g_autofree char *made = NULL;
  if (id == NULL)
    {
      /* The first free "<region>_l<n>", counting from the number of lines. */
      for (guint n = region->lines->len + 1; made == NULL; n++)
        {
          char *candidate = g_strdup_printf ("%s_l%u", region->id != NULL ? region->id : "r", n);
          gboolean taken = FALSE;
          for (guint i = 0; i < region->lines->len && !taken; i++)
            taken = g_strcmp0 (((LecternLine *) region->lines->pdata[i])->id, candidate) == 0;
          if (taken)
            g_free (candidate);
          else
            made = candidate;
        }
      id = made;
    }
  LecternLine *line = lectern_line_new (id);
  g_ptr_array_add (region->lines, line);
  return line;
}

LecternDocument *
lectern_document_new (const char *image_filename, int width, int height)
{
  LecternDocument *doc = g_new0 (LecternDocument, 1);
  doc->image_filename = g_strdup (image_filename);
  doc->width = MAX (width, 0);
  doc->height = MAX (height, 0);
  doc->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_region_free);
  return doc;
}

void
lectern_document_free (LecternDocument *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->image_filename);
  g_free (doc->image_path);
  g_ptr_array_unref (doc->regions);
  g_free (doc->creator);
  g_free (doc->model_name);
  g_free (doc->created);
  g_free (doc);
}

LecternDocument *
lectern_document_copy (const LecternDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);
  LecternDocument *copy = lectern_document_new (doc->image_filename, doc->width, doc->height);
  copy->image_path = g_strdup (doc->image_path);
  for (guint i = 0; i < doc->regions->len; i++)
    g_ptr_array_add (copy->regions, region_copy (doc->regions->pdata[i]));
  copy->creator = g_strdup (doc->creator);
  copy->model_name = g_strdup (doc->model_name);
  copy->created = g_strdup (doc->created);
  return copy;
}

LecternRegion *
lectern_document_add_region (LecternDocument *doc, const char *id)
{
  g_return_val_if_fail (doc != NULL, NULL);
  g_autofree char *made = NULL;
  if (id == NULL)
    {
      for (guint n = doc->regions->len + 1; made == NULL; n++)
        {
          char *candidate = g_strdup_printf ("r%u", n);
          gboolean taken = FALSE;
          for (guint i = 0; i < doc->regions->len && !taken; i++)
            taken = g_strcmp0 (((LecternRegion *) doc->regions->pdata[i])->id, candidate) == 0;
          if (taken)
            g_free (candidate);
          else
            made = candidate;
        }
      id = made;
    }
  LecternRegion *region = lectern_region_new (id);
  g_ptr_array_add (doc->regions, region);
  return region;
}

GPtrArray *
lectern_document_lines (const LecternDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);
  GPtrArray *lines = g_ptr_array_new ();
  for (guint i = 0; i < doc->regions->len; i++)
    {
      const LecternRegion *region = doc->regions->pdata[i];
      for (guint j = 0; j < region->lines->len; j++)
        g_ptr_array_add (lines, region->lines->pdata[j]);
    }
  return lines;
}

guint
lectern_document_n_lines (const LecternDocument *doc)
{
  g_return_val_if_fail (doc != NULL, 0);
  guint n = 0;
  for (guint i = 0; i < doc->regions->len; i++)
    n += ((const LecternRegion *) doc->regions->pdata[i])->lines->len;
  return n;
}

/* ---- Safe XML parsing ---- */

/* libxml2 wants its global state set up once, before threads use it. */
static void
ensure_libxml (void)
{
  static gsize initialised = 0;
  if (g_once_init_enter (&initialised))
    {
      xmlInitParser ();
      g_once_init_leave (&initialised, 1);
    }
}

typedef struct {
  char *message;
  int   line;
} XmlProblem;

static void
on_xml_error (void *user_data, xmlErrorPtr problem)
{
  xmlParserCtxtPtr ctxt = user_data;
  XmlProblem *first = ctxt->_private;
  if (first->message != NULL || problem == NULL || problem->level < XML_ERR_ERROR)
    return;
  first->message = g_strstrip (g_strdup (problem->message != NULL ? problem->message : "?"));
  first->line = problem->line;
}

xmlDoc *
lectern_xml_parse (const char *data, gsize size, const char *name, GError **error)
{
  if (size > (gsize) G_MAXINT || size > LECTERN_DOCUMENT_MAX_BYTES)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot read “%s”: the file is larger than Lectern reads", name);
      return NULL;
    }
  if (size == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT, "Cannot read “%s”: the file is empty",
                   name);
      return NULL;
    }

  ensure_libxml ();
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED, "Cannot read “%s”: out of memory",
                   name);
      return NULL;
    }
  XmlProblem first = { NULL, 0 };
  ctxt->_private = &first;
  /* Errors come to us instead of stderr. */
  ctxt->sax->serror = on_xml_error;
  /* No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR/DTDVALID (no external subset), no
   * HUGE (libxml2's size and depth limits apply), NONET (nothing fetched). */
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  xmlDoc *xml = xmlCtxtReadMemory (ctxt, data, (int) size, NULL, NULL, options);
  gboolean well_formed = ctxt->wellFormed;
  xmlFreeParserCtxt (ctxt);

  if (xml == NULL || !well_formed)
    {
      if (first.message != NULL)
        g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                     "Cannot read “%s”: not well-formed XML (line %d: %s)", name, first.line,
                     first.message);
      else
        g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                     "Cannot read “%s”: not well-formed XML", name);
      g_free (first.message);
      xmlFreeDoc (xml);
      return NULL;
    }
  g_free (first.message);

  /* No PAGE or ALTO file needs entities; refusing them rules out entity bombs and external
   * entities whatever a later caller does with the tree. */
  if (xml->intSubset != NULL
      && (xml->intSubset->entities != NULL || xml->intSubset->pentities != NULL))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   "Cannot read “%s”: it declares XML entities, which Lectern does not read", name);
      xmlFreeDoc (xml);
      return NULL;
    }
  if (xmlDocGetRootElement (xml) == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT, "Cannot read “%s”: no root element",
                   name);
      xmlFreeDoc (xml);
      return NULL;
    }
  return xml;
}

gboolean
lectern_xml_is (const xmlNode *node, const char *name, const xmlChar *ns)
{
  if (node == NULL || node->type != XML_ELEMENT_NODE || strcmp ((const char *) node->name, name) != 0)
    return FALSE;
  if (ns == NULL)
    return TRUE;
  return node->ns != NULL && xmlStrEqual (node->ns->href, ns);
}

xmlNode *
lectern_xml_child (const xmlNode *node, const char *name, const xmlChar *ns)
{
  for (xmlNode *child = node != NULL ? node->children : NULL; child != NULL; child = child->next)
    if (lectern_xml_is (child, name, ns))
      return child;
  return NULL;
}

char *
lectern_xml_text (const xmlNode *node)
{
  GString *text = g_string_new (NULL);
  for (const xmlNode *child = node != NULL ? node->children : NULL; child != NULL;
       child = child->next)
    if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
        && child->content != NULL)
      g_string_append (text, (const char *) child->content);
  return g_string_free (text, FALSE);
}

char *
lectern_xml_attr (const xmlNode *node, const char *name)
{
  xmlChar *value = xmlGetNoNsProp (node, (const xmlChar *) name);
  if (value == NULL)
    return NULL;
  char *copy = g_strdup ((const char *) value);
  xmlFree (value);
  return copy;
}

char *
lectern_xml_describe (const xmlNode *node, const char *id_attr)
{
  g_autofree char *id = id_attr != NULL ? lectern_xml_attr (node, id_attr) : NULL;
  if (id != NULL)
    return g_strdup_printf ("%s “%s” (line %ld)", node->name, id, (long) xmlGetLineNo (node));
  return g_strdup_printf ("%s (line %ld)", node->name, (long) xmlGetLineNo (node));
}

gboolean
lectern_xml_attr_double (const xmlNode *node, const char *name, double *value, gboolean *present,
                         const char *file, GError **error)
{
  g_autofree char *text = lectern_xml_attr (node, name);
  if (present != NULL)
    *present = text != NULL;
  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || fabs (v) > 1e9)
    {
      g_autofree char *where = lectern_xml_describe (node, NULL);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: %s: %s=“%.40s” is not a number", file, where, name, text);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

/* ---- Point lists ---- */

gboolean
lectern_coordinate (double v, int *out)
{
  const double r = floor (v + 0.5);
  if (!(r < LECTERN_PAGE_MAX_SIDE && r > -LECTERN_PAGE_MAX_SIDE))
    return FALSE;
  *out = (int) MAX (0.0, r);
  return TRUE;
}

void
lectern_coordinate_error (GError **error, const char *file, const char *what, double v)
{
  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
               "Cannot read “%s”: %s: the coordinate %.10g lies beyond any page (at most %d)",
               file, what, v, LECTERN_PAGE_MAX_SIDE - 1);
}

gboolean
lectern_points_parse (const char *text, GArray *points, const char *file, const char *what,
                      GError **error)
{
  const char *p = text != NULL ? text : "";
  double pending = 0;
  gboolean have_x = FALSE;
  for (;;)
    {
      while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
      if (*p == '\0')
        break;
      char *end = NULL;
      double v = g_ascii_strtod (p, &end);
      if (end == p || !isfinite (v)
          || !(*end == '\0' || *end == ' ' || *end == ',' || *end == '\t' || *end == '\n'
               || *end == '\r'))
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                       "Cannot read “%s”: %s: “%.60s” is not a list of x,y coordinates", file,
                       what, text);
          return FALSE;
        }
      p = end;
      if (!have_x)
        {
          pending = v;
          have_x = TRUE;
        }
      else
        {
          LecternPoint point;
          const double xy[2] = { pending, v };
          int *const to[2] = { &point.x, &point.y };
          for (int k = 0; k < 2; k++)
            if (!lectern_coordinate (xy[k], to[k]))
              {
                lectern_coordinate_error (error, file, what, xy[k]);
                return FALSE;
              }
          g_array_append_val (points, point);
          have_x = FALSE;
        }
    }
  if (have_x)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: %s: “%.60s” has an x without its y", file, what, text);
      return FALSE;
    }
  return TRUE;
}

char *
lectern_points_format (const GArray *points, char separator)
{
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < points->len; i++)
    {
      const LecternPoint *pt = &g_array_index (points, LecternPoint, i);
      g_string_append_printf (out, "%s%d%c%d", i > 0 ? " " : "", MAX (pt->x, 0), separator,
                              MAX (pt->y, 0));
    }
  return g_string_free (out, FALSE);
}

gboolean
lectern_points_bbox (int *x0, int *y0, int *x1, int *y1, const GArray *first, ...)
{
  gboolean any = FALSE;
  int a = 0, b = 0, c = 0, d = 0;
  va_list ap;
  va_start (ap, first);
  for (const GArray *points = first; points != NULL; points = va_arg (ap, const GArray *))
    for (guint i = 0; i < points->len; i++)
      {
        const LecternPoint *pt = &g_array_index (points, LecternPoint, i);
        if (!any)
          {
            a = c = pt->x;
            b = d = pt->y;
            any = TRUE;
          }
        a = MIN (a, pt->x);
        b = MIN (b, pt->y);
        c = MAX (c, pt->x);
        d = MAX (d, pt->y);
      }
  va_end (ap);
  *x0 = a;
  *y0 = b;
  *x1 = c;
  *y1 = d;
  return any;
}

GArray *
lectern_line_outline (const LecternLine *line)
{
  GArray *outline = point_array_new ();
  if (line->polygon->len >= 3)
    g_array_append_vals (outline, line->polygon->data, line->polygon->len);
  else if (line->baseline->len >= 2)
    {
      /* A zero-area outline along the baseline: valid, and claims no height we do not know. */
      g_array_append_vals (outline, line->baseline->data, line->baseline->len);
      for (guint i = line->baseline->len; i-- > 0;)
        g_array_append_val (outline, g_array_index (line->baseline, LecternPoint, i));
    }
  return outline;
}

GArray *
lectern_region_outline (const LecternRegion *region)
{
  GArray *outline = point_array_new ();
  if (region->polygon->len >= 3)
    {
      g_array_append_vals (outline, region->polygon->data, region->polygon->len);
      return outline;
    }
  gboolean any = FALSE;
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  for (guint i = 0; i < region->lines->len; i++)
    {
      int a, b, c, d;
      const LecternLine *line = region->lines->pdata[i];
      if (!lectern_points_bbox (&a, &b, &c, &d, line->polygon, line->baseline, NULL))
        continue;
      x0 = any ? MIN (x0, a) : a;
      y0 = any ? MIN (y0, b) : b;
      x1 = any ? MAX (x1, c) : c;
      y1 = any ? MAX (y1, d) : d;
      any = TRUE;
    }
  if (any)
    {
      LecternPoint box[4] = { { x0, y0 }, { x1, y0 }, { x1, y1 }, { x0, y1 } };
      g_array_append_vals (outline, box, 4);
    }
  return outline;
}

void
lectern_document_page_size (const LecternDocument *doc, int *width, int *height)
{
  int w = doc->width, h = doc->height;
  if (w <= 0 || h <= 0)
    {
      int max_x = 0, max_y = 0;
      for (guint i = 0; i < doc->regions->len; i++)
        {
          const LecternRegion *region = doc->regions->pdata[i];
          int a, b, c, d;
          if (lectern_points_bbox (&a, &b, &c, &d, region->polygon, NULL))
            {
              max_x = MAX (max_x, c);
              max_y = MAX (max_y, d);
            }
          for (guint j = 0; j < region->lines->len; j++)
            {
              const LecternLine *line = region->lines->pdata[j];
              if (lectern_points_bbox (&a, &b, &c, &d, line->polygon, line->baseline, NULL))
                {
                  max_x = MAX (max_x, c);
                  max_y = MAX (max_y, d);
                }
            }
        }
      if (w <= 0)
        w = max_x + 1;
      if (h <= 0)
        h = max_y + 1;
    }
  *width = MAX (w, 1);
  *height = MAX (h, 1);
}

/* ---- Ids ---- */

struct _LecternIdSet {
  GHashTable *taken;     /* id → NULL, owns the keys */
  GHashTable *counters;  /* fallback prefix → next number */
};

LecternIdSet *
lectern_id_set_new (void)
{
  LecternIdSet *set = g_new0 (LecternIdSet, 1);
  set->taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  set->counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return set;
}

void
lectern_id_set_free (LecternIdSet *set)
{
  if (set == NULL)
    return;
  g_hash_table_unref (set->taken);
  g_hash_table_unref (set->counters);
  g_free (set);
}

static gboolean
is_id_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_id_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-' || c == '.';
}

const char *
lectern_id_set_take (LecternIdSet *set, const char *wanted, const char *fallback)
{
  GString *id = g_string_new (NULL);
  if (wanted != NULL && *wanted != '\0')
    {
      /* ASCII subset of xs:NCName; anything else becomes '_' (one per UTF-8 character). */
      if (!is_id_start (wanted[0]))
        g_string_append (id, g_ascii_isdigit (wanted[0]) || wanted[0] == '-' || wanted[0] == '.'
                               ? "id" : "");
      for (const char *p = wanted; *p != '\0'; p++)
        {
          if ((guchar) *p >= 0x80 && ((guchar) *p & 0xc0) == 0x80)
            continue;
          g_string_append_c (id, is_id_char (*p) ? *p : '_');
        }
      if (!is_id_start (id->str[0]))
        g_string_prepend_c (id, '_');
    }
  else
    {
      const char *prefix = fallback != NULL && is_id_start (fallback[0]) ? fallback : "id";
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (set->counters, prefix));
      do
        {
          n++;
          g_string_printf (id, "%s%u", prefix, n);
        }
      while (g_hash_table_contains (set->taken, id->str));
      g_hash_table_replace (set->counters, g_strdup (prefix), GUINT_TO_POINTER (n));
    }

  if (g_hash_table_contains (set->taken, id->str))
    {
      gsize base = id->len;
      for (guint n = 2;; n++)
        {
          g_string_truncate (id, base);
          g_string_append_printf (id, "_%u", n);
          if (!g_hash_table_contains (set->taken, id->str))
            break;
        }
    }
  char *result = g_string_free (id, FALSE);
  g_hash_table_add (set->taken, result);
  return result;
}

/* ---- Tidying what was read ---- */

static void
replace_id (char **id, LecternIdSet *set, const char *fallback)
{
  const char *unique = lectern_id_set_take (set, *id, fallback);
  if (g_strcmp0 (unique, *id) != 0)
    {
      g_free (*id);
      *id = g_strdup (unique);
    }
}

void
lectern_document_tidy (LecternDocument *doc)
{
  g_autoptr(LecternIdSet) ids = lectern_id_set_new ();
  for (guint i = 0; i < doc->regions->len; i++)
    {
      LecternRegion *region = doc->regions->pdata[i];
      replace_id (&region->id, ids, "r");
      if (region->polygon->len < 3)
        g_array_set_size (region->polygon, 0);
      for (guint j = 0; j < region->lines->len; j++)
        {
          LecternLine *line = region->lines->pdata[j];
          replace_id (&line->id, ids, "l");
          if (line->polygon->len < 3)
            g_array_set_size (line->polygon, 0);
          if (line->baseline->len < 2)
            g_array_set_size (line->baseline, 0);
          char *nfc = normalise_text (line->text);
          g_free (line->text);
          line->text = nfc;
          glong n_chars = g_utf8_strlen (line->text, -1);
          if (line->char_confidences->len != (guint) n_chars)
            g_array_set_size (line->char_confidences, 0);
          if (line->char_spans->len != (guint) n_chars)
            g_array_set_size (line->char_spans, 0);
          for (guint k = 0; k < line->char_confidences->len; k++)
            {
              float *c = &g_array_index (line->char_confidences, float, k);
              *c = isfinite (*c) ? CLAMP (*c, 0.0f, 1.0f) : 0.0f;
            }
          if (!isfinite (line->confidence))
            line->confidence = -1.0f;
          else if (line->confidence > 1.0f)
            line->confidence = 1.0f;
        }
    }
}

/* ---- @custom values ---- */

/* Undoes \uXXXX escapes (Transkribus writes them for ';', '}', spaces and the like). */
static char *
custom_unescape (const char *text, gsize length)
{
  GString *out = g_string_sized_new (length);
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\\' && i + 5 < length && text[i + 1] == 'u'
          && g_ascii_isxdigit (text[i + 2]) && g_ascii_isxdigit (text[i + 3])
          && g_ascii_isxdigit (text[i + 4]) && g_ascii_isxdigit (text[i + 5]))
        {
          gunichar c = (g_ascii_xdigit_value (text[i + 2]) << 12)
                       | (g_ascii_xdigit_value (text[i + 3]) << 8)
                       | (g_ascii_xdigit_value (text[i + 4]) << 4)
                       | g_ascii_xdigit_value (text[i + 5]);
          if (g_unichar_validate (c) && c != 0)
            g_string_append_unichar (out, c);
          i += 5;
        }
      else
        g_string_append_c (out, text[i]);
    }
  return g_string_free (out, FALSE);
}

char *
lectern_custom_get (const char *custom, const char *block, const char *key)
{
  if (custom == NULL)
    return NULL;
  gsize block_len = strlen (block), key_len = strlen (key);
  for (const char *p = custom; (p = strstr (p, block)) != NULL; p += block_len)
    {
      /* the block's name must stand alone and be followed by '{' */
      if (p != custom && !g_ascii_isspace (p[-1]) && p[-1] != '}')
        continue;
      const char *q = p + block_len;
      while (g_ascii_isspace (*q))
        q++;
      if (*q != '{')
        continue;
      const char *body = q + 1;
      const char *close = strchr (body, '}');
      if (close == NULL)
        return NULL;
      for (const char *item = body; item < close;)
        {
          const char *semi = memchr (item, ';', (gsize) (close - item));
          const char *item_end = semi != NULL ? semi : close;
          while (item < item_end && g_ascii_isspace (*item))
            item++;
          if ((gsize) (item_end - item) > key_len && strncmp (item, key, key_len) == 0
              && item[key_len] == ':')
            {
              const char *value = item + key_len + 1;
              const char *value_end = item_end;
              while (value < value_end && g_ascii_isspace (*value))
                value++;
              while (value_end > value && g_ascii_isspace (value_end[-1]))
                value_end--;
              return custom_unescape (value, (gsize) (value_end - value));
            }
          item = item_end + 1;
        }
      return NULL;
    }
  return NULL;
}

/* ---- Timestamps ---- */

char *
lectern_timestamp_normalise (const char *text)
{
  if (text == NULL)
    return NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (trimmed, utc);
  if (when == NULL)
    return NULL;
  g_autoptr(GDateTime) in_utc = g_date_time_to_utc (when);
  return g_date_time_format (in_utc, "%Y-%m-%dT%H:%M:%SZ");
}

char *
lectern_timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

const char *
lectern_document_software (void)
{
  return "Lectern " PACKAGE_VERSION;
}

/* ---- Writing helpers ---- */

char *
lectern_xml_clean_text (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfffe || c == 0xffff)
        continue;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

xmlNode *
lectern_xml_add_text (xmlNode *parent, xmlNs *ns, const char *name, const char *text)
{
  g_autofree char *clean = lectern_xml_clean_text (text);
  return xmlNewTextChild (parent, ns, (const xmlChar *) name, (const xmlChar *) clean);
}

void
lectern_xml_set (xmlNode *node, const char *name, const char *value)
{
  g_autofree char *clean = lectern_xml_clean_text (value);
  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) clean);
}

void
lectern_xml_set_int (xmlNode *node, const char *name, gint64 value)
{
  char text[32];
  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) text);
}

char *
lectern_format_double (double value, int digits)
{
  char format[16], text[G_ASCII_DTOSTR_BUF_SIZE];
  g_snprintf (format, sizeof format, "%%.%dg", CLAMP (digits, 1, 17));
  g_ascii_formatd (text, sizeof text, format, value);
  return g_strdup (text);
}

void
lectern_xml_set_double (xmlNode *node, const char *name, double value, int digits)
{
  g_autofree char *text = lectern_format_double (value, digits);
  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) text);
}

GBytes *
lectern_xml_to_bytes (xmlDoc *xml)
{
  xmlChar *memory = NULL;
  int size = 0;
  xmlDocDumpFormatMemoryEnc (xml, &memory, &size, "UTF-8", 1);
  GBytes *bytes = g_bytes_new (memory, (gsize) MAX (size, 0));
  xmlFree (memory);
  return bytes;
}

/* ---- Loading and saving ---- */

/* The image file a document names: beside it, in its parent folder (OCR-D workspaces name
 * images relative to the workspace), or the bare name beside it. */
static char *
resolve_image_path (const char *image_filename, const char *folder)
{
  if (image_filename == NULL || *image_filename == '\0')
    return NULL;
  g_autofree char *from_uri = NULL;
  if (g_str_has_prefix (image_filename, "file:"))
    {
      from_uri = g_filename_from_uri (image_filename, NULL, NULL);
      if (from_uri == NULL)
        return NULL;
      image_filename = from_uri;
    }
  else if (strstr (image_filename, "://") != NULL)
    return NULL;

  g_autofree char *base = g_path_get_basename (image_filename);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  if (g_path_is_absolute (image_filename))
    g_ptr_array_add (candidates, g_strdup (image_filename));
  if (folder != NULL)
    {
      g_autofree char *parent = g_path_get_dirname (folder);
      if (!g_path_is_absolute (image_filename))
        {
          g_ptr_array_add (candidates, g_build_filename (folder, image_filename, NULL));
          g_ptr_array_add (candidates, g_build_filename (parent, image_filename, NULL));
        }
      g_ptr_array_add (candidates, g_build_filename (folder, base, NULL));
    }
  for (guint i = 0; i < candidates->len; i++)
    if (g_file_test (candidates->pdata[i], G_FILE_TEST_IS_REGULAR))
      return g_canonicalize_filename (candidates->pdata[i], NULL);
  return NULL;
}

static LecternDocument *
load_from_memory (const char *data, gsize size, const char *name, const char *folder,
                  GError **error)
{
  xmlDoc *xml = lectern_xml_parse (data, size, name, error);
  if (xml == NULL)
    return NULL;

  xmlNode *root = xmlDocGetRootElement (xml);
  const char *ns = root->ns != NULL ? (const char *) root->ns->href : NULL;
  LecternDocument *doc = NULL;
  if (lectern_xml_is (root, "PcGts", NULL) && ns != NULL
      && g_str_has_prefix (ns, "http://schema.primaresearch.org/PAGE/gts/pagecontent/"))
    doc = lectern_page_read (xml, name, error);
  else if (lectern_xml_is (root, "alto", NULL)
           && (ns == NULL || g_str_has_prefix (ns, "http://www.loc.gov/standards/alto/")))
    doc = lectern_alto_read (xml, name, error);
  else if (lectern_xml_is (root, "html", NULL))
    g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                 "Cannot read “%s”: Lectern writes hOCR but reads only PAGE XML and ALTO", name);
  else
    g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                 "Cannot read “%s”: neither PAGE XML nor ALTO (the root element is <%s>%s%s)",
                 name, root->name, ns != NULL ? " in namespace " : "", ns != NULL ? ns : "");
  xmlFreeDoc (xml);
  if (doc == NULL)
    return NULL;

  lectern_document_tidy (doc);
  doc->image_path = resolve_image_path (doc->image_filename, folder);
  return doc;
}

LecternDocument *
lectern_document_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr(GBytes) bytes = lectern_file_read_capped (path, LECTERN_DOCUMENT_MAX_BYTES, error);
  if (bytes == NULL)
    return NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *folder = g_path_get_dirname (absolute);
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  return load_from_memory (data, size, display, folder, error);
}

LecternDocument *
lectern_document_load_bytes (GBytes *bytes, const char *name, GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  if (name == NULL)
    name = "(memory)";
  /* A name with a folder in it is taken as the file's path, for finding the image. */
  g_autofree char *folder = NULL;
  if (strchr (name, G_DIR_SEPARATOR) != NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (name, NULL);
      folder = g_path_get_dirname (absolute);
    }
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  return load_from_memory (data, size, name, folder, error);
}

GBytes *
lectern_document_serialize (const LecternDocument *doc, LecternFormat format, GError **error)
{
  g_return_val_if_fail (doc != NULL, NULL);
  ensure_libxml ();
  xmlDoc *xml = NULL;
  switch (format)
    {
    case LECTERN_FORMAT_TEXT:
      return lectern_text_export (doc);
    case LECTERN_FORMAT_PAGE:
      xml = lectern_page_write (doc);
      break;
    case LECTERN_FORMAT_ALTO:
      xml = lectern_alto_write (doc);
      break;
    case LECTERN_FORMAT_HOCR:
      xml = lectern_hocr_write (doc);
      break;
    default:
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID, "Unknown document format %d",
                   (int) format);
      return NULL;
    }
  GBytes *bytes = lectern_xml_to_bytes (xml);
  xmlFreeDoc (xml);
  return bytes;
}

gboolean
lectern_document_save (const LecternDocument *doc, const char *path, LecternFormat format,
                       GError **error)
{
  g_return_val_if_fail (doc != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_autoptr(GBytes) bytes = lectern_document_serialize (doc, format, error);
  if (bytes == NULL)
    return FALSE;
  gsize size = 0;
  const void *data = g_bytes_get_data (bytes, &size);
  return lectern_file_write_atomic (path, data, size, error);
}

gboolean
lectern_format_from_name (const char *name, LecternFormat *format)
{
  static const struct {
    const char   *name;
    LecternFormat format;
  } names[] = {
    { "page", LECTERN_FORMAT_PAGE },   { "pagexml", LECTERN_FORMAT_PAGE },
    { "page-xml", LECTERN_FORMAT_PAGE }, { "alto", LECTERN_FORMAT_ALTO },
    { "hocr", LECTERN_FORMAT_HOCR },   { "html", LECTERN_FORMAT_HOCR },
    { "text", LECTERN_FORMAT_TEXT },   { "txt", LECTERN_FORMAT_TEXT },
    { "plain", LECTERN_FORMAT_TEXT },
  };
  if (name == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i].name) == 0)
      {
        if (format != NULL)
          *format = names[i].format;
        return TRUE;
      }
  return FALSE;
}

const char *
lectern_format_extension (LecternFormat format)
{
  switch (format)
    {
    case LECTERN_FORMAT_TEXT:
      return "txt";
    case LECTERN_FORMAT_PAGE:
    case LECTERN_FORMAT_ALTO:
      return "xml";
    case LECTERN_FORMAT_HOCR:
      return "hocr";
    default:
      return "";
    }
}
