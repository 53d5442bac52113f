/* pagexml.c — PAGE XML: reading the 2013-07-15, 2017-07-15 and 2019-07-15 namespaces (and any
 * other PRImA PAGE namespace of the same shape), writing 2019-07-15.
 *
 * Lines come from TextRegion/TextLine (regions nested in regions are flattened, parent first).
 * A line's text is its TextEquiv with index 0, else its first TextEquiv, else its Words' texts
 * joined by spaces. Regions follow ReadingOrder when there is one (regions it leaves out come
 * after, in document order); lines follow TextLine@index when given, else document order.
 * What PAGE has no element for (corrected flag, per-character confidences and spans, line type)
 * goes in @custom, the place PAGE gives for it. */
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "document-private.h"
#include "error.h"

#define PAGE_NS_2019 "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"

/* ---- Reading ---- */

typedef struct {
  const char    *file;
  const xmlChar *ns;
  GError       **error;
} PageReader;

static gboolean
read_points_element (PageReader *r, const xmlNode *element, GArray *points, const char *owner_id)
{
  g_autofree char *points_text = lectern_xml_attr (element, "points");
  g_autofree char *what = g_strdup_printf ("%s %s%s%s(line %ld)", (const char *) element->name,
                                           owner_id != NULL ? "of “" : "",
                                           owner_id != NULL ? owner_id : "",
                                           owner_id != NULL ? "” " : "",
                                           (long) xmlGetLineNo (element));
  if (points_text != NULL)
    return lectern_points_parse (points_text, points, r->file, what, r->error);

  /* PAGE 2010 wrote <Point x="" y=""/> children instead of @points. */
  gboolean any = FALSE;
  for (const xmlNode *child = element->children; child != NULL; child = child->next)
    if (lectern_xml_is (child, "Point", r->ns))
      {
        double x = 0, y = 0;
        gboolean has_x = FALSE, has_y = FALSE;
        if (!lectern_xml_attr_double (child, "x", &x, &has_x, r->file, r->error) && has_x)
          return FALSE;
        if (!lectern_xml_attr_double (child, "y", &y, &has_y, r->file, r->error) && has_y)
          return FALSE;
        if (!has_x || !has_y)
          break;
        LecternPoint pt = { (int) MAX (0.0, floor (x + 0.5)), (int) MAX (0.0, floor (y + 0.5)) };
        g_array_append_val (points, pt);
        any = TRUE;
      }
  if (!any)
    {
      g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: %s has no points attribute", r->file, what);
      return FALSE;
    }
  return TRUE;
}

/* A TextEquiv's index, or G_MAXINT64 without one. */
static gint64
text_equiv_index (const xmlNode *equiv)
{
  g_autofree char *index = lectern_xml_attr (equiv, "index");
  if (index == NULL)
    return G_MAXINT64;
  char *end = NULL;
  gint64 value = g_ascii_strtoll (index, &end, 10);
  return end != index ? value : G_MAXINT64;
}

/* The TextEquiv that holds an element's text: index 0, else the first. */
static const xmlNode *
choose_text_equiv (PageReader *r, const xmlNode *parent)
{
  const xmlNode *first = NULL;
  for (const xmlNode *child = parent->children; child != NULL; child = child->next)
    if (lectern_xml_is (child, "TextEquiv", r->ns))
      {
        if (text_equiv_index (child) == 0)
          return child;
        if (first == NULL)
          first = child;
      }
  return first;
}

static char *
text_equiv_unicode (PageReader *r, const xmlNode *equiv)
{
  const xmlNode *unicode = lectern_xml_child (equiv, "Unicode", r->ns);
  return unicode != NULL ? lectern_xml_text (unicode) : g_strdup ("");
}

/* Floats separated by spaces into a float array; FALSE on anything else. */
static gboolean
parse_float_list (const char *text, GArray *out)
{
  g_auto(GStrv) items = g_strsplit_set (text, " \t", -1);
  for (char **item = items; *item != NULL; item++)
    {
      if (**item == '\0')
        continue;
      char *end = NULL;
      double v = g_ascii_strtod (*item, &end);
      if (end == *item || *end != '\0' || !isfinite (v))
        return FALSE;
      float f = (float) v;
      g_array_append_val (out, f);
    }
  return TRUE;
}

/* "10-20 20-31" into x ranges; FALSE on anything else. */
static gboolean
parse_span_list (const char *text, GArray *out)
{
  g_auto(GStrv) items = g_strsplit_set (text, " \t", -1);
  for (char **item = items; *item != NULL; item++)
    {
      if (**item == '\0')
        continue;
      char *end = NULL;
      gint64 start = g_ascii_strtoll (*item, &end, 10);
      if (end == *item || *end != '-')
        return FALSE;
      const char *second = end + 1;
      gint64 stop = g_ascii_strtoll (second, &end, 10);
      if (end == second || *end != '\0' || start < 0 || stop < 0 || start > G_MAXINT
          || stop > G_MAXINT)
        return FALSE;
      LecternPoint span = { (int) start, (int) stop };
      g_array_append_val (out, span);
    }
  return TRUE;
}

static LecternLine *
read_line (PageReader *r, const xmlNode *node)
{
  g_autofree char *id = lectern_xml_attr (node, "id");
  g_autoptr(LecternLine) line = lectern_line_new (id);

  const xmlNode *coords = lectern_xml_child (node, "Coords", r->ns);
  if (coords != NULL && !read_points_element (r, coords, line->polygon, id))
    return NULL;
  const xmlNode *baseline = lectern_xml_child (node, "Baseline", r->ns);
  if (baseline != NULL && !read_points_element (r, baseline, line->baseline, id))
    return NULL;

  const xmlNode *equiv = choose_text_equiv (r, node);
  if (equiv != NULL)
    {
      g_free (line->text);
      line->text = text_equiv_unicode (r, equiv);
      double conf = 0;
      gboolean has_conf = FALSE;
      if (lectern_xml_attr_double (equiv, "conf", &conf, &has_conf, r->file, r->error))
        line->confidence = (float) CLAMP (conf, 0.0, 1.0);
      else if (has_conf)
        return NULL;
    }
  else
    {
      /* No line-level text: the words', in document order. */
      GString *joined = g_string_new (NULL);
      for (const xmlNode *word = node->children; word != NULL; word = word->next)
        {
          if (!lectern_xml_is (word, "Word", r->ns))
            continue;
          const xmlNode *word_equiv = choose_text_equiv (r, word);
          g_autofree char *word_text = word_equiv != NULL ? text_equiv_unicode (r, word_equiv)
                                                          : NULL;
          if (word_text == NULL || *word_text == '\0')
            continue;
          if (joined->len > 0)
            g_string_append_c (joined, ' ');
          g_string_append (joined, word_text);
        }
      g_free (line->text);
      line->text = g_string_free (joined, FALSE);
    }

  g_autofree char *custom = lectern_xml_attr (node, "custom");
  line->type = lectern_custom_get (custom, "structure", "type");
  g_autofree char *corrected = lectern_custom_get (custom, "lectern", "corrected");
  line->corrected = g_strcmp0 (corrected, "true") == 0;
  g_autofree char *confs = lectern_custom_get (custom, "lectern", "confs");
  if (confs != NULL && !parse_float_list (confs, line->char_confidences))
    g_array_set_size (line->char_confidences, 0);
  g_autofree char *spans = lectern_custom_get (custom, "lectern", "spans");
  if (spans != NULL && !parse_span_list (spans, line->char_spans))
    g_array_set_size (line->char_spans, 0);
  return g_steal_pointer (&line);
}

typedef struct {
  LecternLine *line;
  gint64       index;     /* TextLine@index, G_MAXINT64 without */
  guint        position;  /* document order */
} OrderedLine;

static int
compare_ordered_lines (gconstpointer a, gconstpointer b)
{
  const OrderedLine *x = a, *y = b;
  if (x->index != y->index)
    return x->index < y->index ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

static gboolean
read_region (PageReader *r, const xmlNode *node, LecternDocument *doc)
{
  g_autofree char *id = lectern_xml_attr (node, "id");
  g_autoptr(LecternRegion) region = lectern_region_new (id);
  const xmlNode *coords = lectern_xml_child (node, "Coords", r->ns);
  if (coords != NULL && !read_points_element (r, coords, region->polygon, id))
    return FALSE;
  region->type = lectern_xml_attr (node, "type");
  if (region->type == NULL)
    {
      g_autofree char *custom = lectern_xml_attr (node, "custom");
      region->type = lectern_custom_get (custom, "structure", "type");
    }

  g_autoptr(GArray) ordered = g_array_new (FALSE, FALSE, sizeof (OrderedLine));
  for (const xmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (!lectern_xml_is (child, "TextLine", r->ns))
        continue;
      LecternLine *line = read_line (r, child);
      if (line == NULL)
        {
          for (guint i = 0; i < ordered->len; i++)
            lectern_line_free (g_array_index (ordered, OrderedLine, i).line);
          return FALSE;
        }
      g_autofree char *index = lectern_xml_attr (child, "index");
      char *end = NULL;
      gint64 value = index != NULL ? g_ascii_strtoll (index, &end, 10) : 0;
      OrderedLine entry = {
        .line = line,
        .index = index != NULL && end != index ? value : G_MAXINT64,
        .position = ordered->len,
      };
      g_array_append_val (ordered, entry);
    }
  g_array_sort (ordered, compare_ordered_lines);
  for (guint i = 0; i < ordered->len; i++)
    g_ptr_array_add (region->lines, g_array_index (ordered, OrderedLine, i).line);
  g_ptr_array_add (doc->regions, g_steal_pointer (&region));
  return TRUE;
}

/* All TextRegions under node in document order, nested ones after their parent. */
static void
collect_regions (PageReader *r, const xmlNode *node, GPtrArray *regions)
{
  for (const xmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (child->type != XML_ELEMENT_NODE || lectern_xml_is (child, "TextLine", r->ns)
          || lectern_xml_is (child, "ReadingOrder", r->ns))
        continue;
      if (lectern_xml_is (child, "TextRegion", r->ns))
        g_ptr_array_add (regions, (gpointer) child);
      collect_regions (r, child, regions);
    }
}

typedef struct {
  const xmlNode *node;
  gint64         index;
  guint          position;
} IndexedNode;

static int
compare_indexed_nodes (gconstpointer a, gconstpointer b)
{
  const IndexedNode *x = a, *y = b;
  if (x->index != y->index)
    return x->index < y->index ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

/* Region ids in reading order from an OrderedGroup/UnorderedGroup (indexed or not). */
static void
collect_reading_order (PageReader *r, const xmlNode *group, GPtrArray *ids, int depth)
{
  if (depth > 32)
    return;
  g_autofree char *group_ref = lectern_xml_attr (group, "regionRef");
  if (group_ref != NULL)
    g_ptr_array_add (ids, g_steal_pointer (&group_ref));

  gboolean ordered = g_str_has_prefix ((const char *) group->name, "OrderedGroup");
  g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (IndexedNode));
  for (const xmlNode *child = group->children; child != NULL; child = child->next)
    {
      if (child->type != XML_ELEMENT_NODE
          || !(g_str_has_prefix ((const char *) child->name, "RegionRef")
               || g_str_has_prefix ((const char *) child->name, "OrderedGroup")
               || g_str_has_prefix ((const char *) child->name, "UnorderedGroup")))
        continue;
      g_autofree char *index = ordered ? lectern_xml_attr (child, "index") : NULL;
      char *end = NULL;
      gint64 value = index != NULL ? g_ascii_strtoll (index, &end, 10) : 0;
      IndexedNode member = { child, index != NULL && end != index ? value : G_MAXINT64,
                             members->len };
      g_array_append_val (members, member);
    }
  g_array_sort (members, compare_indexed_nodes);
  for (guint i = 0; i < members->len; i++)
    {
      const xmlNode *member = g_array_index (members, IndexedNode, i).node;
      if (g_str_has_prefix ((const char *) member->name, "RegionRef"))
        {
          char *ref = lectern_xml_attr (member, "regionRef");
          if (ref != NULL)
            g_ptr_array_add (ids, ref);
        }
      else
        collect_reading_order (r, member, ids, depth + 1);
    }
}

static gboolean
read_positive_int (PageReader *r, const xmlNode *node, const char *name, int *value)
{
  g_autofree char *text = lectern_xml_attr (node, name);
  if (text == NULL)
    {
      g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: the Page element (line %ld) has no %s attribute", r->file,
                   (long) xmlGetLineNo (node), name);
      return FALSE;
    }
  char *end = NULL;
  gint64 v = g_ascii_strtoll (g_strstrip (text), &end, 10);
  if (end == text || *end != '\0' || v <= 0 || v > LECTERN_PAGE_MAX_SIDE)
    {
      g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: Page %s=“%.20s” is not a positive whole number", r->file,
                   name, text);
      return FALSE;
    }
  *value = (int) v;
  return TRUE;
}

LecternDocument *
lectern_page_read (xmlDoc *xml, const char *file, GError **error)
{
  xmlNode *root = xmlDocGetRootElement (xml);
  PageReader reader = { .file = file, .ns = root->ns->href, .error = error };
  PageReader *r = &reader;

  const xmlNode *page = lectern_xml_child (root, "Page", r->ns);
  if (page == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: PAGE XML without a Page element", file);
      return NULL;
    }
  g_autofree char *image_filename = lectern_xml_attr (page, "imageFilename");
  if (image_filename == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Cannot read “%s”: the Page element (line %ld) has no imageFilename attribute",
                   file, (long) xmlGetLineNo (page));
      return NULL;
    }
  int width = 0, height = 0;
  if (!read_positive_int (r, page, "imageWidth", &width)
      || !read_positive_int (r, page, "imageHeight", &height))
    return NULL;

  g_autoptr(LecternDocument) doc = lectern_document_new (image_filename, width, height);
  const xmlNode *metadata = lectern_xml_child (root, "Metadata", r->ns);
  if (metadata != NULL)
    {
      const xmlNode *creator = lectern_xml_child (metadata, "Creator", r->ns);
      if (creator != NULL)
        doc->creator = g_strstrip (lectern_xml_text (creator));
      const xmlNode *created = lectern_xml_child (metadata, "Created", r->ns);
      if (created != NULL)
        {
          g_autofree char *text = lectern_xml_text (created);
          doc->created = lectern_timestamp_normalise (text);
        }
      for (const xmlNode *item = metadata->children; item != NULL; item = item->next)
        if (lectern_xml_is (item, "MetadataItem", r->ns))
          {
            g_autofree char *name = lectern_xml_attr (item, "name");
            if (g_strcmp0 (name, "recognition-model") == 0 && doc->model_name == NULL)
              doc->model_name = lectern_xml_attr (item, "value");
          }
    }

  g_autoptr(GPtrArray) region_nodes = g_ptr_array_new ();
  collect_regions (r, page, region_nodes);

  /* Reading order: referenced regions first, in its order, then the rest as they come. */
  g_autoptr(GPtrArray) ordered_ids = g_ptr_array_new_with_free_func (g_free);
  const xmlNode *reading_order = lectern_xml_child (page, "ReadingOrder", r->ns);
  for (const xmlNode *group = reading_order != NULL ? reading_order->children : NULL;
       group != NULL; group = group->next)
    if (lectern_xml_is (group, "OrderedGroup", r->ns)
        || lectern_xml_is (group, "UnorderedGroup", r->ns))
      collect_reading_order (r, group, ordered_ids, 0);

  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < region_nodes->len; i++)
    {
      char *id = lectern_xml_attr (region_nodes->pdata[i], "id");
      if (id != NULL && !g_hash_table_contains (by_id, id))
        g_hash_table_insert (by_id, id, region_nodes->pdata[i]);
      else
        g_free (id);
    }
  g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < ordered_ids->len; i++)
    {
      const xmlNode *node = g_hash_table_lookup (by_id, ordered_ids->pdata[i]);
      if (node == NULL || g_hash_table_contains (done, node))
        continue;
      g_hash_table_add (done, (gpointer) node);
      if (!read_region (r, node, doc))
        return NULL;
    }
  for (guint i = 0; i < region_nodes->len; i++)
    {
      const xmlNode *node = region_nodes->pdata[i];
      if (g_hash_table_contains (done, node))
        continue;
      if (!read_region (r, node, doc))
        return NULL;
    }
  return g_steal_pointer (&doc);
}

/* ---- Writing ---- */

/* Region types PAGE 2019 allows in TextRegion@type. */
static gboolean
is_page_text_type (const char *type)
{
  static const char *const types[] = {
    "paragraph", "heading", "caption", "header", "footer", "page-number", "drop-capital",
    "credit", "floating", "signature-mark", "catch-word", "marginalia", "footnote",
    "footnote-continued", "endnote", "TOC-entry", "list-label", "other",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_strcmp0 (type, types[i]) == 0)
      return TRUE;
  return FALSE;
}

/* A value for "name {key:value;}": characters of the syntax escaped as \uXXXX. */
static void
append_custom_value (GString *out, const char *value)
{
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == ';' || c == '{' || c == '}' || c == ':' || c == '\\' || c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_unichar (out, c);
    }
}

static void
append_structure_type (GString *custom, const char *type)
{
  if (custom->len > 0)
    g_string_append_c (custom, ' ');
  g_string_append (custom, "structure {type:");
  append_custom_value (custom, type);
  g_string_append (custom, ";}");
}

static char *
line_custom (const LecternLine *line)
{
  GString *custom = g_string_new (NULL);
  if (line->type != NULL && *line->type != '\0')
    append_structure_type (custom, line->type);

  GString *lectern = g_string_new (NULL);
  if (line->corrected)
    g_string_append (lectern, " corrected:true;");
  glong n_chars = g_utf8_strlen (line->text, -1);
  if (line->char_confidences->len > 0 && line->char_confidences->len == (guint) n_chars)
    {
      g_string_append (lectern, " confs:");
      for (guint i = 0; i < line->char_confidences->len; i++)
        {
          float c = g_array_index (line->char_confidences, float, i);
          g_autofree char *text = lectern_format_double (isfinite (c) ? CLAMP (c, 0.0f, 1.0f)
                                                                      : 0.0, 4);
          g_string_append_printf (lectern, "%s%s", i > 0 ? " " : "", text);
        }
      g_string_append_c (lectern, ';');
    }
  if (line->char_spans->len > 0 && line->char_spans->len == (guint) n_chars)
    {
      g_string_append (lectern, " spans:");
      for (guint i = 0; i < line->char_spans->len; i++)
        {
          const LecternPoint *span = &g_array_index (line->char_spans, LecternPoint, i);
          g_string_append_printf (lectern, "%s%d-%d", i > 0 ? " " : "", MAX (span->x, 0),
                                  MAX (span->y, 0));
        }
      g_string_append_c (lectern, ';');
    }
  if (lectern->len > 0)
    g_string_append_printf (custom, "%slectern {%s}", custom->len > 0 ? " " : "",
                            lectern->str + 1);
  g_string_free (lectern, TRUE);
  return g_string_free (custom, custom->len == 0);
}

static void
add_points (xmlNode *parent, xmlNs *ns, const char *name, const GArray *points)
{
  xmlNode *element = xmlNewChild (parent, ns, (const xmlChar *) name, NULL);
  if (points->len >= 2)
    {
      g_autofree char *text = lectern_points_format (points, ',');
      lectern_xml_set (element, "points", text);
    }
  else
    {
      /* PAGE needs two points at least; a line with no geometry at all gets a point pair at
       * the origin (read back, it has no polygon, as before). */
      lectern_xml_set (element, "points", "0,0 0,0");
    }
}

xmlDoc *
lectern_page_write (const LecternDocument *doc)
{
  xmlDoc *xml = xmlNewDoc ((const xmlChar *) "1.0");
  xmlNode *root = xmlNewNode (NULL, (const xmlChar *) "PcGts");
  xmlDocSetRootElement (xml, root);
  xmlNs *ns = xmlNewNs (root, (const xmlChar *) PAGE_NS_2019, NULL);
  xmlSetNs (root, ns);
  xmlNs *xsi = xmlNewNs (root, (const xmlChar *) "http://www.w3.org/2001/XMLSchema-instance",
                         (const xmlChar *) "xsi");
  xmlSetNsProp (root, xsi, (const xmlChar *) "schemaLocation",
                (const xmlChar *) PAGE_NS_2019 " " PAGE_NS_2019 "/pagecontent.xsd");

  g_autofree char *now = lectern_timestamp_now ();
  xmlNode *metadata = xmlNewChild (root, ns, (const xmlChar *) "Metadata", NULL);
  lectern_xml_add_text (metadata, ns, "Creator", lectern_document_software ());
  lectern_xml_add_text (metadata, ns, "Created", doc->created != NULL ? doc->created : now);
  lectern_xml_add_text (metadata, ns, "LastChange", now);
  if (doc->model_name != NULL)
    {
      xmlNode *item = xmlNewChild (metadata, ns, (const xmlChar *) "MetadataItem", NULL);
      lectern_xml_set (item, "type", "processingStep");
      lectern_xml_set (item, "name", "recognition-model");
      lectern_xml_set (item, "value", doc->model_name);
    }

  int width, height;
  lectern_document_page_size (doc, &width, &height);
  xmlNode *page = xmlNewChild (root, ns, (const xmlChar *) "Page", NULL);
  lectern_xml_set (page, "imageFilename", doc->image_filename != NULL ? doc->image_filename : "");
  lectern_xml_set_int (page, "imageWidth", width);
  lectern_xml_set_int (page, "imageHeight", height);

  /* Ids first, so that the reading order can refer to them. */
  g_autoptr(LecternIdSet) ids = lectern_id_set_new ();
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

  if (doc->regions->len > 0)
    {
      xmlNode *order = xmlNewChild (page, ns, (const xmlChar *) "ReadingOrder", NULL);
      xmlNode *group = xmlNewChild (order, ns, (const xmlChar *) "OrderedGroup", NULL);
      lectern_xml_set (group, "id", lectern_id_set_take (ids, "ro_regions", NULL));
      lectern_xml_set (group, "caption", "Regions reading order");
      for (guint i = 0; i < doc->regions->len; i++)
        {
          xmlNode *ref = xmlNewChild (group, ns, (const xmlChar *) "RegionRefIndexed", NULL);
          lectern_xml_set_int (ref, "index", i);
          lectern_xml_set (ref, "regionRef", region_ids->pdata[i]);
        }
    }

  guint line_number = 0;
  for (guint i = 0; i < doc->regions->len; i++)
    {
      const LecternRegion *region = doc->regions->pdata[i];
      xmlNode *text_region = xmlNewChild (page, ns, (const xmlChar *) "TextRegion", NULL);
      lectern_xml_set (text_region, "id", region_ids->pdata[i]);
      if (region->type != NULL && is_page_text_type (region->type))
        lectern_xml_set (text_region, "type", region->type);
      else if (region->type != NULL && *region->type != '\0')
        {
          g_autoptr(GString) custom = g_string_new (NULL);
          append_structure_type (custom, region->type);
          lectern_xml_set (text_region, "custom", custom->str);
        }
      g_autoptr(GArray) outline = lectern_region_outline (region);
      add_points (text_region, ns, "Coords", outline);

      GString *region_text = g_string_new (NULL);
      for (guint j = 0; j < region->lines->len; j++)
        {
          const LecternLine *line = region->lines->pdata[j];
          xmlNode *text_line = xmlNewChild (text_region, ns, (const xmlChar *) "TextLine", NULL);
          lectern_xml_set (text_line, "id", line_ids->pdata[line_number++]);
          g_autofree char *custom = line_custom (line);
          if (custom != NULL)
            lectern_xml_set (text_line, "custom", custom);
          g_autoptr(GArray) line_outline = lectern_line_outline (line);
          add_points (text_line, ns, "Coords", line_outline);
          if (line->baseline->len >= 2)
            add_points (text_line, ns, "Baseline", line->baseline);
          if (*line->text != '\0' || line->confidence >= 0)
            {
              xmlNode *equiv = xmlNewChild (text_line, ns, (const xmlChar *) "TextEquiv", NULL);
              if (line->confidence >= 0)
                lectern_xml_set_double (equiv, "conf", MIN (line->confidence, 1.0f), 4);
              lectern_xml_add_text (equiv, ns, "Unicode", line->text);
            }
          if (j > 0)
            g_string_append_c (region_text, '\n');
          g_string_append (region_text, line->text);
        }
      /* The region's text repeats its lines' (as Transkribus writes it) for tools that read
       * regions only. */
      if (region_text->len > 0)
        {
          xmlNode *equiv = xmlNewChild (text_region, ns, (const xmlChar *) "TextEquiv", NULL);
          lectern_xml_add_text (equiv, ns, "Unicode", region_text->str);
        }
      g_string_free (region_text, TRUE);
    }
  return xml;
}
