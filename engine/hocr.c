/* hocr.c — writing hOCR 1.2: XHTML with ocr_page → ocr_carea → ocr_par → ocr_line →
 * ocrx_word, properties in @title (bbox, baseline, poly, x_wconf 0–100, x_confs per character).
 * Words get boxes only when the line has per-character x spans; nothing is guessed. */
#include <libxml/tree.h>
#include <math.h>
#include <string.h>

#include "document-private.h"

#define XHTML_NS "http://www.w3.org/1999/xhtml"

static void
append_bbox (GString *title, int x0, int y0, int x1, int y1)
{
  g_string_append_printf (title, "%sbbox %d %d %d %d", title->len > 0 ? "; " : "", MAX (x0, 0),
                          MAX (y0, 0), MAX (x1, 0), MAX (y1, 0));
}

static void
append_number (GString *out, double value, int digits)
{
  g_autofree char *text = lectern_format_double (value, digits);
  g_string_append (out, text);
}

static xmlNode *
add_element (xmlNode *parent, xmlNs *ns, const char *name, const char *class_name,
             const char *id, const char *title)
{
  xmlNode *node = xmlNewChild (parent, ns, (const xmlChar *) name, NULL);
  lectern_xml_set (node, "class", class_name);
  if (id != NULL)
    lectern_xml_set (node, "id", id);
  if (title != NULL && *title != '\0')
    lectern_xml_set (node, "title", title);
  return node;
}

static void
add_line (xmlNode *par, xmlNs *ns, const LecternLine *line, LecternIdSet *ids)
{
  g_autoptr(GString) title = g_string_new (NULL);
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  gboolean have_box = lectern_points_bbox (&x0, &y0, &x1, &y1, line->polygon, line->baseline,
                                           NULL);
  if (have_box)
    {
      append_bbox (title, x0, y0, x1, y1);
      if (line->baseline->len >= 2)
        {
          /* baseline: slope and the offset of the line at the box's left edge from its bottom. */
          const LecternPoint *a = &g_array_index (line->baseline, LecternPoint, 0);
          const LecternPoint *b = &g_array_index (line->baseline, LecternPoint,
                                                  line->baseline->len - 1);
          double slope = b->x != a->x ? (double) (b->y - a->y) / (double) (b->x - a->x) : 0.0;
          double offset = a->y + slope * (x0 - a->x) - y1;
          g_string_append (title, "; baseline ");
          append_number (title, slope, 4);
          g_string_append_printf (title, " %d", (int) floor (offset + 0.5));
        }
      if (line->polygon->len >= 3)
        {
          g_autofree char *poly = lectern_points_format (line->polygon, ' ');
          g_string_append_printf (title, "; poly %s", poly);
        }
    }
  if (line->confidence >= 0)
    {
      g_string_append_printf (title, "%sx_wconf %d", title->len > 0 ? "; " : "",
                              (int) floor (MIN (line->confidence, 1.0f) * 100.0 + 0.5));
    }
  g_autofree char *wanted = g_strdup_printf ("line_%s", line->id != NULL ? line->id : "");
  const char *line_id = lectern_id_set_take (ids, line->id != NULL ? wanted : NULL, "line_");
  xmlNode *span = add_element (par, ns, "span", "ocr_line", line_id, title->str);

  glong n_chars = g_utf8_strlen (line->text, -1);
  gboolean have_confs = n_chars > 0 && line->char_confidences->len == (guint) n_chars;
  gboolean have_spans = n_chars > 0 && line->char_spans->len == (guint) n_chars;
  const char *p = line->text;
  glong index = 0;
  guint n_words = 0;
  for (;;)
    {
      while (*p == ' ')
        {
          p++;
          index++;
        }
      if (*p == '\0')
        break;
      const char *start = p;
      glong first = index;
      while (*p != '\0' && *p != ' ')
        {
          p = g_utf8_next_char (p);
          index++;
        }
      g_autofree char *word = g_strndup (start, (gsize) (p - start));
      g_autoptr(GString) word_title = g_string_new (NULL);
      if (have_spans)
        {
          int wx0 = G_MAXINT, wx1 = 0;
          for (glong i = first; i < index; i++)
            {
              const LecternPoint *s = &g_array_index (line->char_spans, LecternPoint, i);
              wx0 = MIN (wx0, MIN (s->x, s->y));
              wx1 = MAX (wx1, MAX (s->x, s->y));
            }
          append_bbox (word_title, wx0, have_box ? y0 : 0, wx1, have_box ? y1 : 0);
        }
      if (have_confs)
        {
          double sum = 0;
          g_autoptr(GString) confs = g_string_new (NULL);
          for (glong i = first; i < index; i++)
            {
              float c = g_array_index (line->char_confidences, float, i);
              c = isfinite (c) ? CLAMP (c, 0.0f, 1.0f) : 0.0f;
              sum += c;
              if (i > first)
                g_string_append_c (confs, ' ');
              append_number (confs, floor (c * 1000.0 + 0.5) / 10.0, 4);
            }
          g_string_append_printf (word_title, "%sx_wconf %d; x_confs %s",
                                  word_title->len > 0 ? "; " : "",
                                  (int) floor (sum / (double) (index - first) * 100.0 + 0.5),
                                  confs->str);
        }
      else if (line->confidence >= 0)
        g_string_append_printf (word_title, "%sx_wconf %d", word_title->len > 0 ? "; " : "",
                                (int) floor (MIN (line->confidence, 1.0f) * 100.0 + 0.5));

      if (n_words > 0)
        xmlAddChild (span, xmlNewText ((const xmlChar *) " "));
      g_autofree char *word_id = g_strdup_printf ("%s_w%u", line_id, n_words + 1);
      xmlNode *word_span = add_element (span, ns, "span", "ocrx_word",
                                        lectern_id_set_take (ids, word_id, NULL),
                                        word_title->str);
      g_autofree char *clean = lectern_xml_clean_text (word);
      xmlAddChild (word_span, xmlNewText ((const xmlChar *) clean));
      n_words++;
    }
}

xmlDoc *
lectern_hocr_write (const LecternDocument *doc)
{
  xmlDoc *xml = xmlNewDoc ((const xmlChar *) "1.0");
  xmlCreateIntSubset (xml, (const xmlChar *) "html",
                      (const xmlChar *) "-//W3C//DTD XHTML 1.0 Transitional//EN",
                      (const xmlChar *) "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd");
  xmlNode *html = xmlNewNode (NULL, (const xmlChar *) "html");
  xmlDocSetRootElement (xml, html);
  xmlNs *ns = xmlNewNs (html, (const xmlChar *) XHTML_NS, NULL);
  xmlSetNs (html, ns);

  xmlNode *head = xmlNewChild (html, ns, (const xmlChar *) "head", NULL);
  const char *image = doc->image_filename != NULL ? doc->image_filename : "";
  lectern_xml_add_text (head, ns, "title", image);
  xmlNode *meta = xmlNewChild (head, ns, (const xmlChar *) "meta", NULL);
  lectern_xml_set (meta, "http-equiv", "Content-Type");
  lectern_xml_set (meta, "content", "text/html;charset=utf-8");
  meta = xmlNewChild (head, ns, (const xmlChar *) "meta", NULL);
  lectern_xml_set (meta, "name", "ocr-system");
  lectern_xml_set (meta, "content", lectern_document_software ());
  meta = xmlNewChild (head, ns, (const xmlChar *) "meta", NULL);
  lectern_xml_set (meta, "name", "ocr-capabilities");
  lectern_xml_set (meta, "content",
                   "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrp_poly");

  xmlNode *body = xmlNewChild (html, ns, (const xmlChar *) "body", NULL);
  g_autoptr(LecternIdSet) ids = lectern_id_set_new ();
  int width, height;
  lectern_document_page_size (doc, &width, &height);
  g_autoptr(GString) page_title = g_string_new ("image \"");
  for (const char *c = image; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (page_title, '\\');
      g_string_append_c (page_title, *c);
    }
  g_string_append_c (page_title, '"');
  append_bbox (page_title, 0, 0, width, height);
  g_string_append (page_title, "; ppageno 0");
  xmlNode *page = add_element (body, ns, "div", "ocr_page",
                               lectern_id_set_take (ids, "page_1", NULL), page_title->str);

  for (guint i = 0; i < doc->regions->len; i++)
    {
      const LecternRegion *region = doc->regions->pdata[i];
      g_autoptr(GArray) outline = lectern_region_outline (region);
      g_autoptr(GString) title = g_string_new (NULL);
      int x0, y0, x1, y1;
      if (lectern_points_bbox (&x0, &y0, &x1, &y1, outline, NULL))
        append_bbox (title, x0, y0, x1, y1);
      g_autofree char *block_id = g_strdup_printf ("block_%s", region->id != NULL ? region->id
                                                                                   : "");
      g_autofree char *par_id = g_strdup_printf ("par_%s", region->id != NULL ? region->id : "");
      xmlNode *area = add_element (page, ns, "div", "ocr_carea",
                                   lectern_id_set_take (ids, region->id != NULL ? block_id : NULL,
                                                        "block_"),
                                   title->str);
      xmlNode *par = add_element (area, ns, "p", "ocr_par",
                                  lectern_id_set_take (ids, region->id != NULL ? par_id : NULL,
                                                       "par_"),
                                  title->str);
      for (guint j = 0; j < region->lines->len; j++)
        add_line (par, ns, region->lines->pdata[j], ids);
    }
  return xml;
}
