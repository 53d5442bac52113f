/* alto.c — ALTO: reading v2, v3 and v4 (eScriptorium / kraken and OCR-D exports), writing 4.4.
 *
 * Regions are TextBlocks (wherever they sit under Layout/Page), lines their TextLines. A line's
 * polygon is Shape/Polygon@POINTS ("x y x y …" or "x,y x,y …"), else its HPOS/VPOS/WIDTH/HEIGHT
 * box; BASELINE is a points list (4.2+) or a single y (earlier versions). The text is the
 * Strings' CONTENT with SP as a space (a space is put between Strings without SP) and HYP at
 * the end. WC gives the line confidence (mean weighted by characters), CC per-character
 * confidences (digit d → 1 − d/9), CS on the line or a String the corrected flag. TAGREFS
 * labels become line and region types. Measurements must be in pixels. */
#include <libxml/tree.h>
#include <math.h>
#include <string.h>

#include "config.h"
#include "document-private.h"
#include "error.h"

#define ALTO_NS_4 "http://www.loc.gov/standards/alto/ns-v4#"

/* ---- Reading ---- */

typedef struct {
  const char    *file;
  const xmlChar *ns;
  GHashTable    *tag_labels;  /* tag ID → LABEL */
  GError       **error;
} AltoReader;

static gboolean
read_number (AltoReader *r, const xmlNode *node, const char *name, double *value,
             gboolean *present)
{
  if (lectern_xml_attr_double (node, name, value, present, r->file, r->error))
    return TRUE;
  return !*present;   /* absent is fine, present but not a number is not */
}

/* The box of HPOS/VPOS/WIDTH/HEIGHT as a polygon, when all four are there. */
static gboolean
read_box (AltoReader *r, const xmlNode *node, GArray *polygon, double box[4], gboolean *have_box)
{
  static const char *const names[4] = { "HPOS", "VPOS", "WIDTH", "HEIGHT" };
  gboolean present[4];
  *have_box = TRUE;
  for (int i = 0; i < 4; i++)
    {
      box[i] = 0;
      if (!read_number (r, node, names[i], &box[i], &present[i]))
        return FALSE;
      *have_box = *have_box && present[i];
    }
  if (*have_box)
    {
      /* the corners must lie on a page even where they are not kept (BASELINE uses them) */
      const double v[4] = { box[0], box[1], box[0] + box[2], box[1] + box[3] };
      int c[4];
      for (int i = 0; i < 4; i++)
        if (!lectern_coordinate (v[i], &c[i]))
          {
            g_autofree char *what = lectern_xml_describe (node, "ID");
            lectern_coordinate_error (r->error, r->file, what, v[i]);
            return FALSE;
          }
      if (polygon != NULL)
        {
          LecternPoint corners[4] = { { c[0], c[1] }, { c[2], c[1] }, { c[2], c[3] }, { c[0], c[3] } };
          g_array_append_vals (polygon, corners, 4);
        }
    }
  return TRUE;
}

/* Shape/Polygon@POINTS into polygon; TRUE (and nothing added) without one. */
static gboolean
read_shape (AltoReader *r, const xmlNode *node, GArray *polygon, const char *owner,
            gboolean *found)
{
  *found = FALSE;
  const xmlNode *shape = lectern_xml_child (node, "Shape", r->ns);
  const xmlNode *poly = shape != NULL ? lectern_xml_child (shape, "Polygon", r->ns) : NULL;
  if (poly == NULL)
    return TRUE;
  g_autofree char *points = lectern_xml_attr (poly, "POINTS");
  if (points == NULL)
    {
      g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: the Polygon of %s has no POINTS attribute", r->file, owner);
      return FALSE;
    }
  g_autofree char *what = g_strdup_printf ("Polygon POINTS of %s", owner);
  *found = TRUE;
  return lectern_points_parse (points, polygon, r->file, what, r->error);
}

/* The label of the first tag in TAGREFS that has one. */
static char *
read_tag_label (AltoReader *r, const xmlNode *node)
{
  g_autofree char *refs = lectern_xml_attr (node, "TAGREFS");
  if (refs == NULL)
    return NULL;
  g_auto(GStrv) ids = g_strsplit_set (refs, " \t\n", -1);
  for (char **id = ids; *id != NULL; id++)
    {
      const char *label = g_hash_table_lookup (r->tag_labels, *id);
      if (label != NULL)
        return g_strdup (label);
    }
  return NULL;
}

static gboolean
is_true (const char *value)
{
  return g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "1") == 0;
}

/* CC: one digit per character, space-separated (ALTO 2+) or run together (ALTO 1). */
static gboolean
parse_cc (const char *cc, glong n_chars, GArray *out)
{
  guint start = out->len;
  for (const char *p = cc; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t')
        continue;
      if (!g_ascii_isdigit (*p))
        break;
      float c = 1.0f - (float) (*p - '0') / 9.0f;
      g_array_append_val (out, c);
    }
  if ((glong) (out->len - start) != n_chars)
    {
      g_array_set_size (out, start);
      return FALSE;
    }
  return TRUE;
}

static void
append_chars (GString *text, GArray *confs, const char *content, float conf)
{
  g_string_append (text, content);
  for (glong i = g_utf8_strlen (content, -1); i > 0; i--)
    g_array_append_val (confs, conf);
}

static LecternLine *
read_line (AltoReader *r, const xmlNode *node)
{
  g_autofree char *id = lectern_xml_attr (node, "ID");
  g_autoptr(LecternLine) line = lectern_line_new (id);
  g_autofree char *owner = lectern_xml_describe (node, "ID");

  gboolean have_shape = FALSE, have_box = FALSE;
  double box[4];
  if (!read_shape (r, node, line->polygon, owner, &have_shape)
      || !read_box (r, node, have_shape ? NULL : line->polygon, box, &have_box))
    return NULL;

  g_autofree char *baseline = lectern_xml_attr (node, "BASELINE");
  if (baseline != NULL)
    {
      g_strstrip (baseline);
      if (strpbrk (baseline, " ,\t") != NULL)
        {
          g_autofree char *what = g_strdup_printf ("BASELINE of %s", owner);
          if (!lectern_points_parse (baseline, line->baseline, r->file, what, r->error))
            return NULL;
        }
      else
        {
          /* Before 4.2, BASELINE is the y of a horizontal baseline across the line's box. */
          double y = 0;
          gboolean present = FALSE;
          if (!read_number (r, node, "BASELINE", &y, &present))
            return NULL;
          if (have_box)
            {
              /* the box's ends passed read_box's bound already */
              int yy, xa, xb;
              if (!lectern_coordinate (y, &yy))
                {
                  g_autofree char *what = g_strdup_printf ("BASELINE of %s", owner);
                  lectern_coordinate_error (r->error, r->file, what, y);
                  return NULL;
                }
              lectern_coordinate (box[0], &xa);
              lectern_coordinate (box[0] + box[2], &xb);
              LecternPoint ends[2] = { { xa, yy }, { xb, yy } };
              g_array_append_vals (line->baseline, ends, 2);
            }
        }
    }

  g_autofree char *line_cs = lectern_xml_attr (node, "CS");
  line->corrected = is_true (line_cs);
  line->type = read_tag_label (r, node);

  GString *text = g_string_new (NULL);
  g_autoptr(GArray) confs = g_array_new (FALSE, FALSE, sizeof (float));
  gboolean confs_complete = TRUE, any_cc = FALSE, last_was_string = FALSE;
  double wc_sum = 0, wc_weight = 0;
  for (const xmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (lectern_xml_is (child, "String", r->ns))
        {
          g_autofree char *content = lectern_xml_attr (child, "CONTENT");
          if (content == NULL)
            {
              g_autofree char *where = lectern_xml_describe (child, "ID");
              g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                           "Cannot read “%s”: %s has no CONTENT attribute", r->file, where);
              g_string_free (text, TRUE);
              return NULL;
            }
          if (last_was_string)
            append_chars (text, confs, " ", 1.0f);
          glong n_chars = g_utf8_strlen (content, -1);
          g_autofree char *cc = lectern_xml_attr (child, "CC");
          if (cc != NULL)
            any_cc = TRUE;
          g_string_append (text, content);
          if (cc == NULL || !parse_cc (cc, n_chars, confs))
            {
              /* A word without usable CC leaves the line's per-character data incomplete. */
              if (n_chars > 0)
                confs_complete = FALSE;
              for (glong i = 0; i < n_chars; i++)
                {
                  float unknown = 1.0f;
                  g_array_append_val (confs, unknown);
                }
            }
          double wc = 0;
          gboolean has_wc = FALSE;
          if (!read_number (r, child, "WC", &wc, &has_wc))
            {
              g_string_free (text, TRUE);
              return NULL;
            }
          if (has_wc)
            {
              wc_sum += CLAMP (wc, 0.0, 1.0) * MAX (n_chars, 1);
              wc_weight += MAX (n_chars, 1);
            }
          g_autofree char *cs = lectern_xml_attr (child, "CS");
          if (is_true (cs))
            line->corrected = TRUE;
          last_was_string = TRUE;
        }
      else if (lectern_xml_is (child, "SP", r->ns))
        {
          append_chars (text, confs, " ", 1.0f);
          last_was_string = FALSE;
        }
      else if (lectern_xml_is (child, "HYP", r->ns))
        {
          g_autofree char *content = lectern_xml_attr (child, "CONTENT");
          append_chars (text, confs, content != NULL ? content : "-", 1.0f);
          last_was_string = FALSE;
        }
    }

  g_free (line->text);
  line->text = g_string_free (text, FALSE);
  if (any_cc && confs_complete)
    g_array_append_vals (line->char_confidences, confs->data, confs->len);
  if (wc_weight > 0)
    line->confidence = (float) (wc_sum / wc_weight);
  return g_steal_pointer (&line);
}

static gboolean
read_block (AltoReader *r, const xmlNode *node, LecternDocument *doc)
{
  g_autofree char *id = lectern_xml_attr (node, "ID");
  g_autoptr(LecternRegion) region = lectern_region_new (id);
  g_autofree char *owner = lectern_xml_describe (node, "ID");
  gboolean have_shape = FALSE, have_box = FALSE;
  double box[4];
  if (!read_shape (r, node, region->polygon, owner, &have_shape)
      || !read_box (r, node, have_shape ? NULL : region->polygon, box, &have_box))
    return FALSE;
  region->type = read_tag_label (r, node);
  for (const xmlNode *child = node->children; child != NULL; child = child->next)
    if (lectern_xml_is (child, "TextLine", r->ns))
      {
        LecternLine *line = read_line (r, child);
        if (line == NULL)
          return FALSE;
        g_ptr_array_add (region->lines, line);
      }
  g_ptr_array_add (doc->regions, g_steal_pointer (&region));
  return TRUE;
}

/* TextBlocks anywhere below node (PrintSpace, margins, ComposedBlocks), in document order. */
static gboolean
read_blocks (AltoReader *r, const xmlNode *node, LecternDocument *doc, int depth)
{
  if (depth > 64)
    return TRUE;
  for (const xmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (child->type != XML_ELEMENT_NODE)
        continue;
      if (lectern_xml_is (child, "TextBlock", r->ns))
        {
          if (!read_block (r, child, doc))
            return FALSE;
        }
      else if (!read_blocks (r, child, doc, depth + 1))
        return FALSE;
    }
  return TRUE;
}

LecternDocument *
lectern_alto_read (xmlDoc *xml, const char *file, GError **error)
{
  xmlNode *root = xmlDocGetRootElement (xml);
  g_autoptr(GHashTable) tag_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            g_free);
  AltoReader reader = {
    .file = file,
    .ns = root->ns != NULL ? root->ns->href : NULL,
    .tag_labels = tag_labels,
    .error = error,
  };
  AltoReader *r = &reader;

  g_autofree char *image_filename = NULL;
  g_autofree char *creator = NULL;
  g_autofree char *created = NULL;
  g_autofree char *model_name = NULL;
  const xmlNode *description = lectern_xml_child (root, "Description", r->ns);
  if (description != NULL)
    {
      const xmlNode *unit = lectern_xml_child (description, "MeasurementUnit", r->ns);
      if (unit != NULL)
        {
          g_autofree char *unit_text = g_strstrip (lectern_xml_text (unit));
          if (*unit_text != '\0' && strcmp (unit_text, "pixel") != 0)
            {
              g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                           "Cannot read “%s”: its measurements are in “%s”; Lectern reads ALTO "
                           "in pixels only", file, unit_text);
              return NULL;
            }
        }
      const xmlNode *source = lectern_xml_child (description, "sourceImageInformation", r->ns);
      const xmlNode *name = source != NULL ? lectern_xml_child (source, "fileName", r->ns) : NULL;
      if (name != NULL)
        image_filename = g_strstrip (lectern_xml_text (name));
      for (const xmlNode *step = description->children; step != NULL; step = step->next)
        {
          if (!lectern_xml_is (step, "Processing", r->ns)
              && !lectern_xml_is (step, "OCRProcessing", r->ns))
            continue;
          /* OCRProcessing (deprecated) wraps its step in ocrProcessingStep. */
          const xmlNode *inner = lectern_xml_child (step, "ocrProcessingStep", r->ns);
          if (inner == NULL)
            inner = step;
          const xmlNode *software = lectern_xml_child (inner, "processingSoftware", r->ns);
          const xmlNode *software_name = software != NULL
                                           ? lectern_xml_child (software, "softwareName", r->ns)
                                           : NULL;
          if (software_name != NULL && creator == NULL)
            {
              const xmlNode *version = lectern_xml_child (software, "softwareVersion", r->ns);
              g_autofree char *name_text = g_strstrip (lectern_xml_text (software_name));
              g_autofree char *version_text = version != NULL
                                                ? g_strstrip (lectern_xml_text (version)) : NULL;
              creator = version_text != NULL && *version_text != '\0'
                          ? g_strdup_printf ("%s %s", name_text, version_text)
                          : g_strdup (name_text);
            }
          const xmlNode *when = lectern_xml_child (inner, "processingDateTime", r->ns);
          if (when != NULL && created == NULL)
            {
              g_autofree char *when_text = lectern_xml_text (when);
              created = lectern_timestamp_normalise (when_text);
            }
          const xmlNode *settings = lectern_xml_child (inner, "processingStepSettings", r->ns);
          if (settings != NULL && model_name == NULL)
            {
              g_autofree char *settings_text = g_strstrip (lectern_xml_text (settings));
              if (g_str_has_prefix (settings_text, "recognition-model: "))
                model_name = g_strdup (settings_text + strlen ("recognition-model: "));
            }
        }
    }

  const xmlNode *tags = lectern_xml_child (root, "Tags", r->ns);
  for (const xmlNode *tag = tags != NULL ? tags->children : NULL; tag != NULL; tag = tag->next)
    {
      if (tag->type != XML_ELEMENT_NODE)
        continue;
      char *id = lectern_xml_attr (tag, "ID");
      char *label = lectern_xml_attr (tag, "LABEL");
      if (id != NULL && label != NULL)
        g_hash_table_replace (tag_labels, id, label);
      else
        {
          g_free (id);
          g_free (label);
        }
    }

  const xmlNode *layout = lectern_xml_child (root, "Layout", r->ns);
  const xmlNode *page = layout != NULL ? lectern_xml_child (layout, "Page", r->ns) : NULL;
  if (page == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: ALTO without a Layout/Page element", file);
      return NULL;
    }
  double width = 0, height = 0;
  gboolean has_width = FALSE, has_height = FALSE;
  if (!read_number (r, page, "WIDTH", &width, &has_width)
      || !read_number (r, page, "HEIGHT", &height, &has_height))
    return NULL;
  if (width < 0 || height < 0 || width > LECTERN_PAGE_MAX_SIDE || height > LECTERN_PAGE_MAX_SIDE)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: Page size %g×%g is impossible", file, width, height);
      return NULL;
    }

  g_autoptr(LecternDocument) doc = lectern_document_new (image_filename != NULL ? image_filename
                                                                                : "",
                                                         (int) floor (width + 0.5),
                                                         (int) floor (height + 0.5));
  doc->creator = g_steal_pointer (&creator);
  doc->created = g_steal_pointer (&created);
  doc->model_name = g_steal_pointer (&model_name);
  if (!read_blocks (r, page, doc, 0))
    return NULL;
  if (doc->width <= 0 || doc->height <= 0)
    lectern_document_page_size (doc, &doc->width, &doc->height);
  return g_steal_pointer (&doc);
}

/* ---- Writing ---- */

static void
set_box (xmlNode *node, const GArray *points)
{
  int x0, y0, x1, y1;
  if (!lectern_points_bbox (&x0, &y0, &x1, &y1, points, NULL))
    return;
  lectern_xml_set_int (node, "HPOS", MAX (x0, 0));
  lectern_xml_set_int (node, "VPOS", MAX (y0, 0));
  lectern_xml_set_int (node, "WIDTH", MAX (x1, 0) - MAX (x0, 0));
  lectern_xml_set_int (node, "HEIGHT", MAX (y1, 0) - MAX (y0, 0));
}

static void
add_shape (xmlNode *parent, xmlNs *ns, const GArray *polygon)
{
  if (polygon->len < 3)
    return;
  xmlNode *shape = xmlNewChild (parent, ns, (const xmlChar *) "Shape", NULL);
  xmlNode *poly = xmlNewChild (shape, ns, (const xmlChar *) "Polygon", NULL);
  g_autofree char *points = lectern_points_format (polygon, ' ');
  lectern_xml_set (poly, "POINTS", points);
}

/* Tag ids for line and region types, made once per file. */
typedef struct {
  GHashTable *ids;     /* "LT:label" / "BT:label" → tag id (owned by the id set) */
  GPtrArray  *order;   /* keys in first-use order */
} TagTable;

static const char *
tag_for (TagTable *tags, LecternIdSet *ids, const char *kind, const char *label)
{
  if (label == NULL || *label == '\0')
    return NULL;
  g_autofree char *key = g_strdup_printf ("%s:%s", kind, label);
  const char *id = g_hash_table_lookup (tags->ids, key);
  if (id == NULL)
    {
      id = lectern_id_set_take (ids, NULL, kind);
      g_ptr_array_add (tags->order, g_strdup (key));
      g_hash_table_insert (tags->ids, g_steal_pointer (&key), (gpointer) id);
    }
  return id;
}

/* One String per word, SP between: the text is split at every space, so that a run of spaces
 * gives empty Strings and the text reads back exactly. WC from the word's characters (or the
 * line's confidence), CC a digit per character. */
static void
add_strings (xmlNode *text_line, xmlNs *ns, const LecternLine *line, const char *const *word_ids,
             int line_y0, int line_y1, gboolean have_box)
{
  glong n_chars = g_utf8_strlen (line->text, -1);
  gboolean have_confs = line->char_confidences->len == (guint) n_chars && n_chars > 0;
  gboolean have_spans = line->char_spans->len == (guint) n_chars && n_chars > 0;

  g_auto(GStrv) words = g_strsplit (line->text, " ", -1);
  glong first = 0;   /* character index of the word's start */
  for (guint w = 0; words[w] != NULL || w == 0; w++)
    {
      const char *word = words[w] != NULL ? words[w] : "";
      glong length = g_utf8_strlen (word, -1);
      if (w > 0)
        xmlNewChild (text_line, ns, (const xmlChar *) "SP", NULL);
      xmlNode *string = xmlNewChild (text_line, ns, (const xmlChar *) "String", NULL);
      lectern_xml_set (string, "ID", word_ids[w]);
      lectern_xml_set (string, "CONTENT", word);
      if (have_spans && length > 0)
        {
          int x0 = G_MAXINT, x1 = 0;
          for (glong i = first; i < first + length; i++)
            {
              const LecternPoint *span = &g_array_index (line->char_spans, LecternPoint, i);
              x0 = MIN (x0, MIN (span->x, span->y));
              x1 = MAX (x1, MAX (span->x, span->y));
            }
          lectern_xml_set_int (string, "HPOS", MAX (x0, 0));
          if (have_box)
            lectern_xml_set_int (string, "VPOS", MAX (line_y0, 0));
          lectern_xml_set_int (string, "WIDTH", MAX (x1, 0) - MAX (x0, 0));
          if (have_box)
            lectern_xml_set_int (string, "HEIGHT", MAX (line_y1, 0) - MAX (line_y0, 0));
        }
      if (have_confs && length > 0)
        {
          double sum = 0;
          GString *cc = g_string_new (NULL);
          for (glong i = first; i < first + length; i++)
            {
              float c = g_array_index (line->char_confidences, float, i);
              c = isfinite (c) ? CLAMP (c, 0.0f, 1.0f) : 0.0f;
              sum += c;
              g_string_append_printf (cc, "%s%d", i > first ? " " : "",
                                      (int) floor ((1.0 - c) * 9.0 + 0.5));
            }
          lectern_xml_set_double (string, "WC", sum / (double) length, 4);
          lectern_xml_set (string, "CC", cc->str);
          g_string_free (cc, TRUE);
        }
      else if (line->confidence >= 0 && length > 0)
        lectern_xml_set_double (string, "WC", MIN (line->confidence, 1.0f), 4);
      first += length + 1;
      if (words[w] == NULL)
        break;
    }
}

/* Words as add_strings makes them: one more than the spaces. */
static guint
count_words (const char *text)
{
  guint n = 1;
  for (const char *p = text; *p != '\0'; p++)
    n += *p == ' ';
  return n;
}

xmlDoc *
lectern_alto_write (const LecternDocument *doc)
{
  xmlDoc *xml = xmlNewDoc ((const xmlChar *) "1.0");
  xmlNode *root = xmlNewNode (NULL, (const xmlChar *) "alto");
  xmlDocSetRootElement (xml, root);
  xmlNs *ns = xmlNewNs (root, (const xmlChar *) ALTO_NS_4, NULL);
  xmlSetNs (root, ns);
  xmlNs *xsi = xmlNewNs (root, (const xmlChar *) "http://www.w3.org/2001/XMLSchema-instance",
                         (const xmlChar *) "xsi");
  xmlSetNsProp (root, xsi, (const xmlChar *) "schemaLocation",
                (const xmlChar *) ALTO_NS_4 " http://www.loc.gov/standards/alto/v4/alto-4-4.xsd");

  g_autoptr(LecternIdSet) ids = lectern_id_set_new ();

  xmlNode *description = xmlNewChild (root, ns, (const xmlChar *) "Description", NULL);
  lectern_xml_add_text (description, ns, "MeasurementUnit", "pixel");
  if (doc->image_filename != NULL && *doc->image_filename != '\0')
    {
      xmlNode *source = xmlNewChild (description, ns, (const xmlChar *) "sourceImageInformation",
                                     NULL);
      lectern_xml_add_text (source, ns, "fileName", doc->image_filename);
    }
  xmlNode *processing = xmlNewChild (description, ns, (const xmlChar *) "Processing", NULL);
  lectern_xml_set (processing, "ID", lectern_id_set_take (ids, "lectern_processing", NULL));
  g_autofree char *now = lectern_timestamp_now ();
  lectern_xml_add_text (processing, ns, "processingDateTime", now);
  if (doc->model_name != NULL)
    {
      g_autofree char *settings = g_strdup_printf ("recognition-model: %s", doc->model_name);
      lectern_xml_add_text (processing, ns, "processingStepSettings", settings);
    }
  xmlNode *software = xmlNewChild (processing, ns, (const xmlChar *) "processingSoftware", NULL);
  lectern_xml_add_text (software, ns, "softwareName", "Lectern");
  lectern_xml_add_text (software, ns, "softwareVersion", PACKAGE_VERSION);

  /* Tags must come before Layout, but are known only after walking the lines: make the element
   * now and fill it (or drop it) at the end. */
  xmlNode *tags_node = xmlNewChild (root, ns, (const xmlChar *) "Tags", NULL);
  TagTable tags = {
    .ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    .order = g_ptr_array_new_with_free_func (g_free),
  };

  int width, height;
  lectern_document_page_size (doc, &width, &height);
  xmlNode *layout = xmlNewChild (root, ns, (const xmlChar *) "Layout", NULL);
  xmlNode *page = xmlNewChild (layout, ns, (const xmlChar *) "Page", NULL);
  lectern_xml_set (page, "ID", lectern_id_set_take (ids, "page", NULL));
  lectern_xml_set_int (page, "PHYSICAL_IMG_NR", 1);
  lectern_xml_set_int (page, "WIDTH", width);
  lectern_xml_set_int (page, "HEIGHT", height);
  xmlNode *print_space = xmlNewChild (page, ns, (const xmlChar *) "PrintSpace", NULL);
  lectern_xml_set_int (print_space, "HPOS", 0);
  lectern_xml_set_int (print_space, "VPOS", 0);
  lectern_xml_set_int (print_space, "WIDTH", width);
  lectern_xml_set_int (print_space, "HEIGHT", height);

  /* Ids of regions and lines are claimed before word ids, so that they stay as they were. */
  g_autoptr(GPtrArray) region_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) line_ids = g_ptr_array_new ();
  for (guint i = 0; i < doc->regions->len; i++)
    {
      const LecternRegion *region = doc->regions->pdata[i];
      g_ptr_array_add (region_ids, (gpointer) lectern_id_set_take (ids, region->id, "r"));
      for (guint j = 0; j < region->lines->len; j++)
        g_ptr_array_add (line_ids,
                         (gpointer) lectern_id_set_take (
                           ids, ((const LecternLine *) region->lines->pdata[j])->id, "l"));
    }

  guint line_number = 0;
  for (guint i = 0; i < doc->regions->len; i++)
    {
      const LecternRegion *region = doc->regions->pdata[i];
      xmlNode *block = xmlNewChild (print_space, ns, (const xmlChar *) "TextBlock", NULL);
      lectern_xml_set (block, "ID", region_ids->pdata[i]);
      const char *block_tag = tag_for (&tags, ids, "BT", region->type);
      if (block_tag != NULL)
        lectern_xml_set (block, "TAGREFS", block_tag);
      g_autoptr(GArray) outline = lectern_region_outline (region);
      set_box (block, outline);
      add_shape (block, ns, outline);

      for (guint j = 0; j < region->lines->len; j++)
        {
          const LecternLine *line = region->lines->pdata[j];
          const char *line_id = line_ids->pdata[line_number++];
          xmlNode *text_line = xmlNewChild (block, ns, (const xmlChar *) "TextLine", NULL);
          lectern_xml_set (text_line, "ID", line_id);
          const char *line_tag = tag_for (&tags, ids, "LT", line->type);
          if (line_tag != NULL)
            lectern_xml_set (text_line, "TAGREFS", line_tag);
          g_autoptr(GArray) line_outline = lectern_line_outline (line);
          int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
          gboolean have_box = lectern_points_bbox (&x0, &y0, &x1, &y1, line_outline, NULL);
          set_box (text_line, line_outline);
          if (line->baseline->len >= 2)
            {
              g_autofree char *points = lectern_points_format (line->baseline, ' ');
              lectern_xml_set (text_line, "BASELINE", points);
            }
          if (line->corrected)
            lectern_xml_set (text_line, "CS", "true");
          add_shape (text_line, ns, line_outline);

          guint n_words = count_words (line->text);
          g_autofree const char **word_ids = g_new (const char *, n_words);
          for (guint k = 0; k < n_words; k++)
            {
              g_autofree char *wanted = g_strdup_printf ("%s_w%u", line_id, k + 1);
              word_ids[k] = lectern_id_set_take (ids, wanted, NULL);
            }
          add_strings (text_line, ns, line, word_ids, y0, y1, have_box);
        }
    }

  for (guint i = 0; i < tags.order->len; i++)
    {
      const char *key = tags.order->pdata[i];
      xmlNode *tag = xmlNewChild (tags_node, ns, (const xmlChar *) "OtherTag", NULL);
      lectern_xml_set (tag, "ID", g_hash_table_lookup (tags.ids, key));
      lectern_xml_set (tag, "LABEL", key + 3);
      g_autofree char *what = g_strdup_printf ("%s type %s",
                                               g_str_has_prefix (key, "LT") ? "line" : "block",
                                               key + 3);
      lectern_xml_set (tag, "DESCRIPTION", what);
    }
  if (tags.order->len == 0)
    {
      xmlUnlinkNode (tags_node);
      xmlFreeNode (tags_node);
    }
  g_hash_table_unref (tags.ids);
  g_ptr_array_unref (tags.order);
  return xml;
}
