/* test-formats.c — documents: every real PAGE and ALTO file loads with its lines (counted here
 * independently with XPath, and against the data's MANIFEST), what Lectern writes validates
 * against the official schemas, read → write → read keeps every line, coordinate and character,
 * hOCR is well-formed, and hostile or broken XML fails cleanly. */
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <string.h>

#include "config.h"
#include "document.h"
#include "error.h"
#include "image.h"
#include "testutil.h"

/* ---- The real files ---- */

/* Root element name of an XML file, read with libxml2 directly; NULL when not XML. */
static char *
root_name (const char *path)
{
  xmlDoc *xml = xmlReadFile (path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (xml == NULL)
    return NULL;
  char *name = g_strdup ((const char *) xmlDocGetRootElement (xml)->name);
  xmlFreeDoc (xml);
  return name;
}

static void
collect_documents (const char *folder, GPtrArray *paths)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;
  while ((entry = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, names->pdata[i], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (strcmp (names->pdata[i], "_source") != 0)
            collect_documents (path, paths);
          continue;
        }
      if (!g_str_has_suffix (path, ".xml"))
        continue;
      g_autofree char *root = root_name (path);
      if (g_strcmp0 (root, "PcGts") == 0 || g_strcmp0 (root, "alto") == 0)
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
}

/* PAGE and ALTO files under ../shared/data/real, or NULL (test skipped). */
static GPtrArray *
real_documents (void)
{
  g_autofree char *real = lectern_test_shared_path ("data", "real", NULL);
  if (real == NULL)
    return NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  collect_documents (real, paths);
  return paths;
}

static double
xpath_number (const char *path, const char *expression)
{
  xmlDoc *xml = xmlReadFile (path, NULL, XML_PARSE_NONET);
  g_assert_nonnull (xml);
  xmlXPathContext *context = xmlXPathNewContext (xml);
  xmlXPathObject *result = xmlXPathEvalExpression ((const xmlChar *) expression, context);
  g_assert_nonnull (result);
  double value = xmlXPathCastToNumber (result);
  xmlXPathFreeObject (result);
  xmlXPathFreeContext (context);
  xmlFreeDoc (xml);
  return value;
}

/* folder → lines ("164 TextLines" in the 'lines' column of MANIFEST.tsv) */
static GHashTable *
manifest_lines (void)
{
  g_autofree char *path = lectern_test_shared_path ("data", "real", "MANIFEST.tsv", NULL);
  if (path == NULL)
    return NULL;
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto(GStrv) rows = g_strsplit (text, "\n", -1);
  g_auto(GStrv) header = g_strsplit (rows[0], "\t", -1);
  int lines_column = -1;
  for (int i = 0; header[i] != NULL; i++)
    if (strcmp (header[i], "lines") == 0)
      lines_column = i;
  g_assert_cmpint (lines_column, >=, 0);
  GHashTable *lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int r = 1; rows[r] != NULL; r++)
    {
      g_auto(GStrv) cells = g_strsplit (rows[r], "\t", -1);
      if (g_strv_length (cells) <= (guint) lines_column)
        continue;
      guint64 n = g_ascii_strtoull (cells[lines_column], NULL, 10);
      g_hash_table_insert (lines, g_strdup (cells[0]), GUINT_TO_POINTER ((guint) n));
    }
  return lines;
}

/* The folder of a real file right under data/real ("kant-1784" for kant-1784/OCR-D-GT-PAGE/…). */
static char *
dataset_of (const char *path)
{
  g_autofree char *real = lectern_test_shared_path ("data", "real", NULL);
  g_assert_true (g_str_has_prefix (path, real));
  const char *rest = path + strlen (real) + 1;
  return g_strndup (rest, strcspn (rest, G_DIR_SEPARATOR_S));
}

static void
test_real_load (void)
{
  g_autoptr(GPtrArray) paths = real_documents ();
  if (paths == NULL)
    return;
  g_autoptr(GHashTable) manifest = manifest_lines ();
  g_autoptr(GHashTable) page_sum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) alto_sum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_page = 0, n_alto = 0;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternDocument) doc = lectern_document_load (path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (doc);

      double want = xpath_number (path, "count(//*[local-name()='TextLine'])");
      g_assert_cmpuint (lectern_document_n_lines (doc), ==, (guint) want);
      g_assert_cmpuint (lectern_document_n_lines (doc), >, 0);
      g_assert_cmpint (doc->width, >, 0);
      g_assert_cmpint (doc->height, >, 0);

      g_autoptr(GPtrArray) lines = lectern_document_lines (doc);
      g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint j = 0; j < lines->len; j++)
        {
          const LecternLine *line = lines->pdata[j];
          g_assert_cmpuint (line->polygon->len, >=, 3);
          g_assert_cmpstr (line->text, !=, "");
          g_assert_true (g_utf8_validate (line->text, -1, NULL));
          g_assert_nonnull (line->id);
          g_assert_true (g_hash_table_add (ids, line->id));
          int x0, y0, x1, y1;
          g_assert_true (lectern_line_bbox (line, &x0, &y0, &x1, &y1));
          g_assert_cmpint (x0, >=, 0);
          g_assert_cmpint (x1, <=, doc->width + 2);
          g_assert_cmpint (y1, <=, doc->height + 2);
        }

      g_autofree char *root = root_name (path);
      g_autofree char *dataset = dataset_of (path);
      GHashTable *sums = strcmp (root, "PcGts") == 0 ? page_sum : alto_sum;
      guint sum = GPOINTER_TO_UINT (g_hash_table_lookup (sums, dataset));
      g_hash_table_replace (sums, g_strdup (dataset),
                            GUINT_TO_POINTER (sum + lectern_document_n_lines (doc)));
      if (strcmp (root, "PcGts") == 0)
        n_page++;
      else
        n_alto++;
    }
  /* 4 PAGE (avicanon, kraken-es, kant ×2) and 16 ALTO (copiste 9, poilus 5, kant 2) */
  g_assert_cmpuint (n_page, ==, 4);
  g_assert_cmpuint (n_alto, ==, 16);

  /* Each dataset's total, in each format it comes in, is what the MANIFEST says. */
  if (manifest != NULL)
    {
      GHashTable *sums[] = { page_sum, alto_sum };
      guint compared = 0;
      for (int s = 0; s < 2; s++)
        {
          GHashTableIter iter;
          gpointer key, value;
          g_hash_table_iter_init (&iter, sums[s]);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              g_assert_true (g_hash_table_contains (manifest, key));
              g_assert_cmpuint (GPOINTER_TO_UINT (value), ==,
                                GPOINTER_TO_UINT (g_hash_table_lookup (manifest, key)));
              compared++;
            }
        }
      g_assert_cmpuint (compared, ==, 6);
    }
}

static void
test_real_images (void)
{
  /* Each document finds its image (beside it, with a comma in the name, or in the OCR-D
   * workspace above it), and the image has the size the document states. */
  g_autoptr(GPtrArray) paths = real_documents ();
  if (paths == NULL)
    return;
  guint found = 0;
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternDocument) doc = lectern_document_load (paths->pdata[i], &error);
      g_assert_no_error (error);
      if (doc->image_path == NULL)
        {
          /* Only OCR-D's ALTO names no image. */
          g_assert_cmpstr (doc->image_filename, ==, "");
          continue;
        }
      g_assert_true (g_path_is_absolute (doc->image_path));
      g_autoptr(LecternImage) image = lectern_image_load (doc->image_path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (image->width, ==, doc->width);
      g_assert_cmpint (image->height, ==, doc->height);
      found++;
    }
  g_assert_cmpuint (found, ==, 18);
}

/* ---- Schemas ---- */

static void
collect_schema_error (void *user_data, xmlErrorPtr problem)
{
  GString *messages = user_data;
  if (messages->len < 2000)
    g_string_append_printf (messages, "line %d: %s", problem->line, problem->message);
}

static xmlSchemaPtr
load_schema (const char *file)
{
  g_autofree char *path = lectern_test_shared_path ("data", "schemas", file, NULL);
  if (path == NULL)
    return NULL;
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt (path);
  g_autoptr(GString) messages = g_string_new (NULL);
  xmlSchemaSetParserStructuredErrors (parser, collect_schema_error, messages);
  xmlSchemaPtr schema = xmlSchemaParse (parser);
  xmlSchemaFreeParserCtxt (parser);
  if (schema == NULL)
    g_error ("cannot load schema %s: %s", path, messages->str);
  return schema;
}

static void
assert_valid (xmlSchemaPtr schema, GBytes *bytes, const char *what)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  xmlDoc *xml = xmlReadMemory (data, (int) size, NULL, NULL, XML_PARSE_NONET);
  g_assert_nonnull (xml);
  xmlSchemaValidCtxtPtr validator = xmlSchemaNewValidCtxt (schema);
  g_autoptr(GString) messages = g_string_new (NULL);
  xmlSchemaSetValidStructuredErrors (validator, collect_schema_error, messages);
  int result = xmlSchemaValidateDoc (validator, xml);
  xmlSchemaFreeValidCtxt (validator);
  xmlFreeDoc (xml);
  if (result != 0)
    g_error ("%s does not validate: %s", what, messages->str);
}

static GBytes *
serialize (const LecternDocument *doc, LecternFormat format)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = lectern_document_serialize (doc, format, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

/* Checks hOCR with libxml2 directly: well-formed XHTML with one ocr-system and one
 * ocr-capabilities meta, an ocr_page, and an ocr_line per line. */
static void
assert_hocr (GBytes *bytes, guint n_lines)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  xmlDoc *xml = xmlReadMemory (data, (int) size, NULL, NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  g_assert_nonnull (xml);
  g_assert_cmpstr ((const char *) xmlDocGetRootElement (xml)->name, ==, "html");
  xmlXPathContext *context = xmlXPathNewContext (xml);
  xmlXPathRegisterNs (context, (const xmlChar *) "h", (const xmlChar *) "http://www.w3.org/1999/xhtml");
  struct {
    const char *expression;
    double      want;
  } checks[] = {
    { "count(/h:html/h:head/h:meta[@name='ocr-system'])", 1 },
    { "count(/h:html/h:head/h:meta[@name='ocr-capabilities'])", 1 },
    { "count(//h:div[@class='ocr_page'])", 1 },
    { "count(//h:span[@class='ocr_line'])", n_lines },
    { "count(//h:span[@class='ocr_line'][not(starts-with(@title, 'bbox '))])", 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      xmlXPathObject *result = xmlXPathEvalExpression ((const xmlChar *) checks[i].expression,
                                                       context);
      g_assert_cmpfloat (xmlXPathCastToNumber (result), ==, checks[i].want);
      xmlXPathFreeObject (result);
    }
  xmlXPathFreeContext (context);
  xmlFreeDoc (xml);
}

static void
test_real_validate (void)
{
  g_autoptr(GPtrArray) paths = real_documents ();
  if (paths == NULL)
    return;
  xmlSchemaPtr page_schema = load_schema ("pagecontent-2019-07-15.xsd");
  xmlSchemaPtr alto_schema = load_schema ("alto-4-4.xsd");
  if (page_schema == NULL || alto_schema == NULL)
    return;
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternDocument) doc = lectern_document_load (paths->pdata[i], &error);
      g_assert_no_error (error);
      g_autoptr(GBytes) page = serialize (doc, LECTERN_FORMAT_PAGE);
      g_autoptr(GBytes) alto = serialize (doc, LECTERN_FORMAT_ALTO);
      g_autoptr(GBytes) hocr = serialize (doc, LECTERN_FORMAT_HOCR);
      g_autofree char *page_what = g_strdup_printf ("PAGE from %s", (char *) paths->pdata[i]);
      g_autofree char *alto_what = g_strdup_printf ("ALTO from %s", (char *) paths->pdata[i]);
      assert_valid (page_schema, page, page_what);
      assert_valid (alto_schema, alto, alto_what);
      assert_hocr (hocr, lectern_document_n_lines (doc));
    }
  xmlSchemaFree (page_schema);
  xmlSchemaFree (alto_schema);
}

/* ---- Structural comparison ---- */

typedef enum {
  COMPARE_EXACT = 0,
  /* ALTO keeps per-character confidences as digits 0–9 and not for spaces, and the line
   * confidence only through word confidences. */
  COMPARE_ALTO_CONFIDENCES = 1 << 0,
  /* Only geometry and text (across formats). */
  COMPARE_CONTENT_ONLY = 1 << 1,
} CompareFlags;

static void
assert_points_equal (const GArray *a, const GArray *b, const char *what, const char *id)
{
  if (a->len != b->len
      || (a->len > 0 && memcmp (a->data, b->data, a->len * sizeof (LecternPoint)) != 0))
    g_error ("%s of %s differ (%u and %u points)", what, id, a->len, b->len);
}

static void
assert_documents_equal (const LecternDocument *a, const LecternDocument *b, CompareFlags flags)
{
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpstr (a->image_filename, ==, b->image_filename);
  g_assert_cmpuint (a->regions->len, ==, b->regions->len);
  for (guint i = 0; i < a->regions->len; i++)
    {
      const LecternRegion *ra = a->regions->pdata[i], *rb = b->regions->pdata[i];
      g_assert_cmpstr (ra->id, ==, rb->id);
      if (ra->polygon->len > 0)
        assert_points_equal (ra->polygon, rb->polygon, "region polygons", ra->id);
      if (!(flags & COMPARE_CONTENT_ONLY))
        g_assert_cmpstr (ra->type, ==, rb->type);
      g_assert_cmpuint (ra->lines->len, ==, rb->lines->len);
      for (guint j = 0; j < ra->lines->len; j++)
        {
          const LecternLine *la = ra->lines->pdata[j], *lb = rb->lines->pdata[j];
          g_assert_cmpstr (la->id, ==, lb->id);
          assert_points_equal (la->polygon, lb->polygon, "polygons", la->id);
          assert_points_equal (la->baseline, lb->baseline, "baselines", la->id);
          g_assert_cmpstr (la->text, ==, lb->text);
          if (flags & COMPARE_CONTENT_ONLY)
            continue;
          g_assert_cmpint (la->corrected, ==, lb->corrected);
          g_assert_cmpstr (la->type, ==, lb->type);
          if (flags & COMPARE_ALTO_CONFIDENCES)
            {
              g_assert_cmpint (la->confidence >= 0, ==, lb->confidence >= 0);
              if (la->char_confidences->len == 0)
                {
                  if (la->confidence >= 0)
                    g_assert_cmpfloat_with_epsilon (la->confidence, lb->confidence, 1e-3);
                  g_assert_cmpuint (lb->char_confidences->len, ==, 0);
                  continue;
                }
              g_assert_cmpuint (la->char_confidences->len, ==, lb->char_confidences->len);
              const char *p = la->text;
              for (guint k = 0; k < la->char_confidences->len; k++, p = g_utf8_next_char (p))
                if (*p != ' ')
                  g_assert_cmpfloat_with_epsilon (g_array_index (la->char_confidences, float, k),
                                                  g_array_index (lb->char_confidences, float, k),
                                                  1.0 / 18 + 1e-6);
            }
          else
            {
              g_assert_cmpfloat_with_epsilon (la->confidence, lb->confidence, 1e-4);
              g_assert_cmpuint (la->char_confidences->len, ==, lb->char_confidences->len);
              for (guint k = 0; k < la->char_confidences->len; k++)
                g_assert_cmpfloat_with_epsilon (g_array_index (la->char_confidences, float, k),
                                                g_array_index (lb->char_confidences, float, k),
                                                1e-4);
              assert_points_equal (la->char_spans, lb->char_spans, "character spans", la->id);
            }
        }
    }
}

static LecternDocument *
reread (const LecternDocument *doc, LecternFormat format, const char *name)
{
  g_autoptr(GBytes) bytes = serialize (doc, format);
  g_autoptr(GError) error = NULL;
  LecternDocument *back = lectern_document_load_bytes (bytes, name, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

static void
test_real_roundtrip (void)
{
  g_autoptr(GPtrArray) paths = real_documents ();
  if (paths == NULL)
    return;
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternDocument) doc = lectern_document_load (paths->pdata[i], &error);
      g_assert_no_error (error);
      g_autofree char *root = root_name (paths->pdata[i]);
      gboolean is_alto = strcmp (root, "alto") == 0;

      /* In its own format, everything; through PAGE, everything too (PAGE keeps all Lectern
       * knows); through the other format, every line, coordinate and character. */
      g_autoptr(LecternDocument) same = reread (doc, is_alto ? LECTERN_FORMAT_ALTO
                                                             : LECTERN_FORMAT_PAGE, "same");
      assert_documents_equal (doc, same, COMPARE_EXACT);
      g_autoptr(LecternDocument) via_page = reread (doc, LECTERN_FORMAT_PAGE, "via-page");
      assert_documents_equal (doc, via_page, COMPARE_EXACT);
      g_autoptr(LecternDocument) via_alto = reread (doc, LECTERN_FORMAT_ALTO, "via-alto");
      assert_documents_equal (doc, via_alto, COMPARE_CONTENT_ONLY);
      g_assert_cmpstr (same->creator, ==, "Lectern " PACKAGE_VERSION);
    }
}

/* ---- Lectern's own data through the formats ---- */

static LecternDocument *
make_rich_document (void)
{
  LecternDocument *doc = lectern_document_new ("scans/page 1 & \"2\".png", 800, 600);
  doc->model_name = g_strdup ("lectern-fr-1.0");
  LecternRegion *main_text = lectern_document_add_region (doc, "main");
  main_text->type = g_strdup ("paragraph");
  LecternRegion *margin = lectern_document_add_region (doc, NULL);
  margin->type = g_strdup ("Marginal note; odd {label}");

  static const char *const texts[] = {
    "Mʳ le Maire & <ses> \"adjoints\" ont reçu l'acte", "  deux  espaces ",
    "ſuperſcript oͤ", "",
  };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      LecternRegion *region = i < 3 ? main_text : margin;
      LecternLine *line = lectern_region_add_line (region, NULL);
      lectern_line_set_text (line, texts[i]);
      int y = 50 + 60 * (int) i;
      LecternPoint polygon[] = { { 10, y }, { 700, y + 3 }, { 700, y + 50 }, { 10, y + 47 } };
      g_array_append_vals (line->polygon, polygon, 4);
      LecternPoint baseline[] = { { 10, y + 40 }, { 350, y + 42 }, { 700, y + 43 } };
      g_array_append_vals (line->baseline, baseline, 3);
      glong n = g_utf8_strlen (line->text, -1);
      for (glong k = 0; k < n; k++)
        {
          float c = (float) (0.5 + 0.5 * ((k * 7 + i) % 10) / 9.0);
          g_array_append_val (line->char_confidences, c);
          LecternPoint span = { (int) (10 + 15 * k), (int) (10 + 15 * k + 14) };
          g_array_append_val (line->char_spans, span);
        }
      line->confidence = i == 3 ? -1.0f : 0.875f - 0.1f * (float) i;
      line->corrected = i % 2 == 1;
      if (i == 0)
        line->type = g_strdup ("Handwritten");
    }
  return doc;
}

static void
test_lectern_data_roundtrip (void)
{
  g_autoptr(LecternDocument) doc = make_rich_document ();
  g_assert_cmpstr (((LecternRegion *) doc->regions->pdata[1])->id, ==, "r2");
  g_assert_cmpstr (((LecternLine *) ((LecternRegion *) doc->regions->pdata[0])->lines->pdata[1])->id,
                   ==, "main_l2");

  g_autoptr(LecternDocument) via_page = reread (doc, LECTERN_FORMAT_PAGE, "rich.xml");
  assert_documents_equal (doc, via_page, COMPARE_EXACT);
  g_assert_cmpstr (via_page->model_name, ==, "lectern-fr-1.0");
  g_assert_nonnull (via_page->created);

  /* Created survives a save; LastChange does not matter here. */
  g_autoptr(LecternDocument) again = reread (via_page, LECTERN_FORMAT_PAGE, "again.xml");
  g_assert_cmpstr (again->created, ==, via_page->created);

  g_autoptr(LecternDocument) via_alto = reread (doc, LECTERN_FORMAT_ALTO, "rich-alto.xml");
  assert_documents_equal (doc, via_alto, COMPARE_ALTO_CONFIDENCES);
  g_assert_cmpstr (via_alto->model_name, ==, "lectern-fr-1.0");

  xmlSchemaPtr page_schema = load_schema ("pagecontent-2019-07-15.xsd");
  xmlSchemaPtr alto_schema = load_schema ("alto-4-4.xsd");
  if (page_schema != NULL && alto_schema != NULL)
    {
      g_autoptr(GBytes) page = serialize (doc, LECTERN_FORMAT_PAGE);
      g_autoptr(GBytes) alto = serialize (doc, LECTERN_FORMAT_ALTO);
      assert_valid (page_schema, page, "PAGE of the rich document");
      assert_valid (alto_schema, alto, "ALTO of the rich document");
    }
  if (page_schema != NULL)
    xmlSchemaFree (page_schema);
  if (alto_schema != NULL)
    xmlSchemaFree (alto_schema);

  g_autoptr(GBytes) hocr = serialize (doc, LECTERN_FORMAT_HOCR);
  assert_hocr (hocr, 4);
  /* Text is escaped, not pasted: the markup characters come back as text. */
  const char *html = g_bytes_get_data (hocr, NULL);
  g_assert_nonnull (g_strstr_len (html, (gssize) g_bytes_get_size (hocr), "&amp;"));
  g_assert_nonnull (g_strstr_len (html, (gssize) g_bytes_get_size (hocr), "&lt;ses&gt;"));
  g_assert_nonnull (g_strstr_len (html, (gssize) g_bytes_get_size (hocr), "x_confs "));
}

static void
test_geometry_cleanup_on_write (void)
{
  /* Negative coordinates are written as 0; a line without polygon gets one from its baseline;
   * a region without polygon gets the box around its lines; invalid ids become valid. */
  g_autoptr(LecternDocument) doc = lectern_document_new ("x.png", 100, 100);
  LecternRegion *region = lectern_document_add_region (doc, "1 région");
  LecternLine *line = lectern_region_add_line (region, "l:1");
  LecternPoint base[] = { { -5, 40 }, { 90, 42 } };
  g_array_append_vals (line->baseline, base, 2);
  lectern_line_set_text (line, "a\x01" "b");   /* a control character XML cannot hold */
  LecternLine *bare = lectern_region_add_line (region, "l:1");   /* same id again */
  lectern_line_set_text (bare, "no geometry");

  xmlSchemaPtr page_schema = load_schema ("pagecontent-2019-07-15.xsd");
  xmlSchemaPtr alto_schema = load_schema ("alto-4-4.xsd");
  if (page_schema == NULL || alto_schema == NULL)
    return;
  g_autoptr(GBytes) page = serialize (doc, LECTERN_FORMAT_PAGE);
  g_autoptr(GBytes) alto = serialize (doc, LECTERN_FORMAT_ALTO);
  assert_valid (page_schema, page, "PAGE with odd geometry");
  assert_valid (alto_schema, alto, "ALTO with odd geometry");
  xmlSchemaFree (page_schema);
  xmlSchemaFree (alto_schema);

  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) back = lectern_document_load_bytes (page, "odd.xml", &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) lines = lectern_document_lines (back);
  const LecternLine *first = lines->pdata[0];
  g_assert_cmpstr (first->text, ==, "ab");
  g_assert_cmpint (g_array_index (first->baseline, LecternPoint, 0).x, ==, 0);
  g_assert_cmpuint (first->polygon->len, ==, 4);
  g_assert_cmpstr (first->id, !=, ((LecternLine *) lines->pdata[1])->id);
  g_assert_cmpuint (((LecternLine *) lines->pdata[1])->polygon->len, ==, 0);
  const LecternRegion *back_region = back->regions->pdata[0];
  g_assert_cmpuint (back_region->polygon->len, ==, 4);
  g_assert_true (g_ascii_isalpha (back_region->id[0]) || back_region->id[0] == '_');
}

/* ---- Reading details ---- */

#define PAGE_HEAD \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<PcGts xmlns=\"http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15\">\n" \
  "<Metadata><Creator>t</Creator><Created>2020-01-01T00:00:00</Created>" \
  "<LastChange>2020-01-01T00:00:00</LastChange></Metadata>\n"

static LecternDocument *
load_string (const char *xml, const char *name, GError **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (xml, strlen (xml));
  return lectern_document_load_bytes (bytes, name, error);
}

static void
test_page_text_choice (void)
{
  static const char xml[] = PAGE_HEAD
    "<Page imageFilename=\"a.png\" imageWidth=\"100\" imageHeight=\"100\">\n"
    "<TextRegion id=\"r\"><Coords points=\"0,0 90,0 90,90 0,90\"/>\n"
    " <TextLine id=\"indexed\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    "  <TextEquiv index=\"1\"><Unicode>other</Unicode></TextEquiv>\n"
    "  <TextEquiv index=\"0\" conf=\"0.25\"><PlainText>truth</PlainText><Unicode>truth</Unicode></TextEquiv>\n"
    " </TextLine>\n"
    " <TextLine id=\"plain\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    "  <TextEquiv><Unicode>first</Unicode></TextEquiv><TextEquiv><Unicode>second</Unicode></TextEquiv>\n"
    " </TextLine>\n"
    " <TextLine id=\"words\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    "  <Word id=\"w1\"><Coords points=\"0,0 1,0 1,1\"/><TextEquiv><Unicode>from</Unicode></TextEquiv></Word>\n"
    "  <Word id=\"w2\"><Coords points=\"0,0 1,0 1,1\"/><TextEquiv><Unicode>words</Unicode></TextEquiv></Word>\n"
    " </TextLine>\n"
    " <TextLine id=\"decomposed\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    "  <TextEquiv><Unicode>cafe\xcc\x81</Unicode></TextEquiv>\n"
    " </TextLine>\n"
    "</TextRegion></Page></PcGts>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = load_string (xml, "choice.xml", &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) lines = lectern_document_lines (doc);
  g_assert_cmpuint (lines->len, ==, 4);
  g_assert_cmpstr (((LecternLine *) lines->pdata[0])->text, ==, "truth");
  g_assert_cmpfloat_with_epsilon (((LecternLine *) lines->pdata[0])->confidence, 0.25, 1e-6);
  g_assert_cmpstr (((LecternLine *) lines->pdata[1])->text, ==, "first");
  g_assert_cmpfloat (((LecternLine *) lines->pdata[1])->confidence, <, 0);
  g_assert_cmpstr (((LecternLine *) lines->pdata[2])->text, ==, "from words");
  g_assert_cmpstr (((LecternLine *) lines->pdata[3])->text, ==, "caf\xc3\xa9");   /* NFC */

  /* The real OCR4all page: index 0 is the truth ("Cap .I."), index 1 differs ("Cap .1."). */
  g_autofree char *path = lectern_test_shared_path ("data", "real", "avicanon", "007.xml", NULL);
  if (path == NULL)
    return;
  g_autoptr(LecternDocument) avicanon = lectern_document_load (path, &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) real_lines = lectern_document_lines (avicanon);
  gboolean seen = FALSE;
  for (guint i = 0; i < real_lines->len; i++)
    if (g_strcmp0 (((LecternLine *) real_lines->pdata[i])->id, "r1_l002") == 0)
      {
        g_assert_cmpstr (((LecternLine *) real_lines->pdata[i])->text, ==, "Cap .I.");
        seen = TRUE;
      }
  g_assert_true (seen);
}

static void
test_reading_order (void)
{
  static const char xml[] = PAGE_HEAD
    "<Page imageFilename=\"a.png\" imageWidth=\"100\" imageHeight=\"100\">\n"
    "<ReadingOrder><OrderedGroup id=\"g\">\n"
    " <RegionRefIndexed index=\"2\" regionRef=\"A\"/>\n"
    " <RegionRefIndexed index=\"1\" regionRef=\"C\"/>\n"
    "</OrderedGroup></ReadingOrder>\n"
    "<TextRegion id=\"A\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    " <TextLine id=\"a2\" index=\"2\"><Coords points=\"0,0 9,0 9,9\"/><TextEquiv><Unicode>a2</Unicode></TextEquiv></TextLine>\n"
    " <TextLine id=\"a1\" index=\"1\"><Coords points=\"0,0 9,0 9,9\"/><TextEquiv><Unicode>a1</Unicode></TextEquiv></TextLine>\n"
    "</TextRegion>\n"
    "<TextRegion id=\"B\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    " <TextLine id=\"b1\"><Coords points=\"0,0 9,0 9,9\"/><TextEquiv><Unicode>b1</Unicode></TextEquiv></TextLine>\n"
    " <TextRegion id=\"B-inner\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    "  <TextLine id=\"bi\"><Coords points=\"0,0 9,0 9,9\"/><TextEquiv><Unicode>bi</Unicode></TextEquiv></TextLine>\n"
    " </TextRegion>\n"
    "</TextRegion>\n"
    "<TextRegion id=\"C\"><Coords points=\"0,0 9,0 9,9\"/>\n"
    " <TextLine id=\"c1\"><Coords points=\"0,0 9,0 9,9\"/><TextEquiv><Unicode>c1</Unicode></TextEquiv></TextLine>\n"
    "</TextRegion>\n"
    "</Page></PcGts>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = load_string (xml, "order.xml", &error);
  g_assert_no_error (error);
  /* C, A from the reading order (by index), then B and its nested region as they come. */
  g_autoptr(GBytes) text = serialize (doc, LECTERN_FORMAT_TEXT);
  g_assert_cmpstr (g_bytes_get_data (text, NULL), ==, "c1\n\na1\na2\n\nb1\n\nbi\n");
  g_assert_cmpstr (((LecternRegion *) doc->regions->pdata[3])->id, ==, "B-inner");

  /* Written back, the order is explicit and reads the same. */
  g_autoptr(LecternDocument) back = reread (doc, LECTERN_FORMAT_PAGE, "order2.xml");
  g_autoptr(GBytes) text2 = serialize (back, LECTERN_FORMAT_TEXT);
  g_assert_true (g_bytes_equal (text, text2));
}

static void
test_alto_details (void)
{
  /* ALTO v2 as OCR-D writes it: BASELINE one number, boxes without Shape, words without SP. */
  static const char xml[] =
    "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v2#\">"
    "<Description><MeasurementUnit>pixel</MeasurementUnit></Description>"
    "<Tags><OtherTag ID=\"T1\" LABEL=\"Print\"/></Tags>"
    "<Layout><Page ID=\"p\" PHYSICAL_IMG_NR=\"1\" WIDTH=\"500\" HEIGHT=\"400\"><PrintSpace>"
    "<TextBlock ID=\"b\" HPOS=\"10\" VPOS=\"20\" WIDTH=\"300\" HEIGHT=\"50\">"
    "<TextLine ID=\"l\" HPOS=\"12.4\" VPOS=\"22\" WIDTH=\"200\" HEIGHT=\"30.6\" BASELINE=\"45\" TAGREFS=\"T1\">"
    "<String CONTENT=\"Wort\" WC=\"0.5\" CC=\"0 9 0 9\"/><String CONTENT=\"zwei\" WC=\"1\" CC=\"0000\" CS=\"true\"/>"
    "<HYP CONTENT=\"¬\"/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>";
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = load_string (xml, "v2.xml", &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) lines = lectern_document_lines (doc);
  const LecternLine *line = lines->pdata[0];
  g_assert_cmpstr (line->text, ==, "Wort zwei¬");
  g_assert_cmpuint (line->polygon->len, ==, 4);
  g_assert_cmpint (g_array_index (line->polygon, LecternPoint, 0).x, ==, 12);
  g_assert_cmpint (g_array_index (line->polygon, LecternPoint, 2).y, ==, 53);
  g_assert_cmpuint (line->baseline->len, ==, 2);
  g_assert_cmpint (g_array_index (line->baseline, LecternPoint, 0).y, ==, 45);
  g_assert_cmpint (g_array_index (line->baseline, LecternPoint, 1).x, ==, 212);
  g_assert_cmpfloat_with_epsilon (line->confidence, 0.75, 1e-6);
  g_assert_cmpuint (line->char_confidences->len, ==, 10);
  g_assert_cmpfloat_with_epsilon (g_array_index (line->char_confidences, float, 1), 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (g_array_index (line->char_confidences, float, 5), 1.0, 1e-6);
  g_assert_true (line->corrected);
  g_assert_cmpstr (line->type, ==, "Print");
  g_assert_cmpuint (((LecternRegion *) doc->regions->pdata[0])->polygon->len, ==, 4);

  /* The real OCR-D ALTO has the same lines as its PAGE twin. */
  g_autofree char *alto_path = lectern_test_shared_path ("data", "real", "kant-1784",
                                                         "OCR-D-GT-ALTO", "PAGE_0017_ALTO.xml",
                                                         NULL);
  g_autofree char *page_path = lectern_test_shared_path ("data", "real", "kant-1784",
                                                         "OCR-D-GT-PAGE", "PAGE_0017_PAGE.xml",
                                                         NULL);
  if (alto_path == NULL || page_path == NULL)
    return;
  g_autoptr(LecternDocument) alto = lectern_document_load (alto_path, &error);
  g_assert_no_error (error);
  g_autoptr(LecternDocument) page = lectern_document_load (page_path, &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) alto_lines = lectern_document_lines (alto);
  g_autoptr(GPtrArray) page_lines = lectern_document_lines (page);
  g_assert_cmpuint (alto_lines->len, ==, page_lines->len);
  /* This ALTO has no SP: its Strings (PAGE's Words, "." among them) are joined by spaces, so
   * the texts agree but for spaces. */
  g_assert_cmpstr (((LecternLine *) alto_lines->pdata[0])->text, ==, "Berliniſche Monatsſchrift .");
  for (guint i = 0; i < alto_lines->len; i++)
    {
      const LecternLine *a = alto_lines->pdata[i], *p = page_lines->pdata[i];
      g_assert_cmpstr (a->id, ==, p->id);
      g_auto(GStrv) a_words = g_strsplit (a->text, " ", -1);
      g_auto(GStrv) p_words = g_strsplit (p->text, " ", -1);
      g_autofree char *a_joined = g_strjoinv ("", a_words);
      g_autofree char *p_joined = g_strjoinv ("", p_words);
      g_assert_cmpstr (a_joined, ==, p_joined);
    }
}

/* ---- Hostile and broken input ---- */

static void
assert_load_fails (const char *xml, const char *name, int code, const char *mentions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = load_string (xml, name, &error);
  if (doc != NULL)
    g_error ("%s loaded; expected an error mentioning “%s”", name, mentions);
  g_assert_error (error, LECTERN_ERROR, code);
  g_assert_nonnull (strstr (error->message, name));
  if (mentions != NULL && strstr (error->message, mentions) == NULL)
    g_error ("error “%s” does not mention “%s”", error->message, mentions);
}

static char *
page_with_line (const char *page_attributes, const char *line_content)
{
  return g_strdup_printf (PAGE_HEAD "<Page imageFilename=\"a.png\" %s>"
                          "<TextRegion id=\"r\"><Coords points=\"0,0 9,0 9,9\"/>"
                          "<TextLine id=\"l1\">%s</TextLine></TextRegion></Page></PcGts>",
                          page_attributes, line_content);
}

static void
run_hostile_xml (void)
{
  /* External entity: refused, the file it names is never read into the document. */
  g_autofree char *dir = g_dir_make_tmp ("lectern-xxe-XXXXXX", NULL);
  g_autofree char *secret = g_build_filename (dir, "secret.txt", NULL);
  g_assert_true (g_file_set_contents (secret, "TOPSECRET", -1, NULL));
  gsize declaration = strlen ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_autofree char *xxe_body = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"",
                                              "<Coords points=\"0,0 9,0 9,9\"/>"
                                              "<TextEquiv><Unicode>&xxe;</Unicode></TextEquiv>");
  g_autofree char *xxe = g_strdup_printf (
    "<?xml version=\"1.0\"?>\n<!DOCTYPE PcGts [<!ENTITY xxe SYSTEM \"file://%s\">]>\n%s", secret,
    xxe_body + declaration);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LecternDocument) doc = load_string (xxe, "xxe.xml", &error);
    g_assert_null (doc);
    g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED);
    g_assert_null (strstr (error->message, "TOPSECRET"));
  }

  /* An external DTD is not loaded: its entities stay unknown and nothing of it gets in. */
  g_autofree char *dtd = g_build_filename (dir, "evil.dtd", NULL);
  g_assert_true (g_file_set_contents (dtd, "<!ENTITY leak \"TOPSECRET\">", -1, NULL));
  g_autofree char *external_body = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"",
                                                   "<Coords points=\"0,0 9,0 9,9\"/>"
                                                   "<TextEquiv><Unicode>a&leak;b</Unicode></TextEquiv>");
  g_autofree char *external = g_strdup_printf (
    "<?xml version=\"1.0\"?>\n<!DOCTYPE PcGts SYSTEM \"file://%s\">\n%s", dtd,
    external_body + declaration);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LecternDocument) doc = load_string (external, "external-dtd.xml", &error);
    if (doc != NULL)
      {
        g_autoptr(GPtrArray) lines = lectern_document_lines (doc);
        g_assert_null (strstr (((LecternLine *) lines->pdata[0])->text, "TOPSECRET"));
      }
    else
      g_assert_null (strstr (error->message, "TOPSECRET"));
  }
  g_unlink (secret);
  g_unlink (dtd);
  g_rmdir (dir);

  /* Billion laughs: 10^9 "lol"s if expanded. */
  GString *laughs = g_string_new ("<?xml version=\"1.0\"?>\n<!DOCTYPE PcGts [\n"
                                  "<!ENTITY lol0 \"lol\">\n");
  for (int level = 1; level <= 9; level++)
    {
      g_string_append_printf (laughs, "<!ENTITY lol%d \"", level);
      for (int k = 0; k < 10; k++)
        g_string_append_printf (laughs, "&lol%d;", level - 1);
      g_string_append (laughs, "\">\n");
    }
  g_string_append (laughs, "]>\n<PcGts xmlns=\"http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15\">"
                           "<Page imageFilename=\"&lol9;\" imageWidth=\"1\" imageHeight=\"1\">"
                           "<TextRegion id=\"r\"><Coords points=\"0,0 1,0 1,1\"/><TextLine id=\"l\">"
                           "<Coords points=\"0,0 1,0 1,1\"/><TextEquiv><Unicode>&lol9;</Unicode>"
                           "</TextEquiv></TextLine></TextRegion></Page></PcGts>");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LecternDocument) doc = load_string (laughs->str, "laughs.xml", &error);
    g_assert_null (doc);
    g_assert_error (error, LECTERN_ERROR, error->code);
    g_assert_nonnull (strstr (error->message, "laughs.xml"));
  }
  g_string_free (laughs, TRUE);

  /* Parameter entities, too. */
  assert_load_fails ("<?xml version=\"1.0\"?><!DOCTYPE PcGts [<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;]>"
                     "<PcGts xmlns=\"http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15\"/>",
                     "param.xml", LECTERN_ERROR_UNSUPPORTED, "entities");
}

static void
run_broken_input (void)
{
  g_autofree char *no_width = page_with_line ("imageHeight=\"10\"", "<Coords points=\"0,0 9,0 9,9\"/>");
  assert_load_fails (no_width, "no-width.xml", LECTERN_ERROR_FORMAT, "imageWidth");
  g_autofree char *bad_width = page_with_line ("imageWidth=\"-3\" imageHeight=\"10\"",
                                               "<Coords points=\"0,0 9,0 9,9\"/>");
  assert_load_fails (bad_width, "bad-width.xml", LECTERN_ERROR_FORMAT, "imageWidth");
  g_autofree char *no_points = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"", "<Coords/>");
  assert_load_fails (no_points, "no-points.xml", LECTERN_ERROR_FORMAT, "l1");
  g_autofree char *bad_points = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"",
                                                "<Coords points=\"1,2 3,abc 5,6\"/>");
  assert_load_fails (bad_points, "bad-points.xml", LECTERN_ERROR_FORMAT, "3,abc");
  g_autofree char *odd_points = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"",
                                                "<Coords points=\"1,2 3,4 5\"/>");
  assert_load_fails (odd_points, "odd-points.xml", LECTERN_ERROR_FORMAT, "l1");
  g_autofree char *bad_baseline = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"",
                                                  "<Coords points=\"0,0 9,0 9,9\"/>"
                                                  "<Baseline points=\"1,nan 2,2\"/>");
  assert_load_fails (bad_baseline, "bad-baseline.xml", LECTERN_ERROR_FORMAT, "Baseline");
  g_autofree char *bad_conf = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"",
                                              "<Coords points=\"0,0 9,0 9,9\"/>"
                                              "<TextEquiv conf=\"high\"><Unicode>x</Unicode></TextEquiv>");
  assert_load_fails (bad_conf, "bad-conf.xml", LECTERN_ERROR_FORMAT, "conf");

  assert_load_fails ("hello", "text.xml", LECTERN_ERROR_FORMAT, "not well-formed");
  assert_load_fails ("", "empty.xml", LECTERN_ERROR_FORMAT, "empty");
  assert_load_fails ("<foo/>", "foo.xml", LECTERN_ERROR_FORMAT, "foo");
  assert_load_fails ("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>", "page.hocr",
                     LECTERN_ERROR_UNSUPPORTED, "hOCR");
  assert_load_fails ("<PcGts xmlns=\"http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15\"/>",
                     "no-page.xml", LECTERN_ERROR_FORMAT, "Page");

  static const char alto_head[] =
    "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\"><Description>"
    "<MeasurementUnit>%s</MeasurementUnit></Description><Layout>"
    "<Page ID=\"p\" PHYSICAL_IMG_NR=\"1\" WIDTH=\"100\" HEIGHT=\"100\"><PrintSpace>"
    "<TextBlock ID=\"b\"><TextLine ID=\"l\" %s>%s</TextLine></TextBlock>"
    "</PrintSpace></Page></Layout></alto>";
  g_autofree char *mm = g_strdup_printf (alto_head, "mm10", "", "<String CONTENT=\"x\"/>");
  assert_load_fails (mm, "mm10.xml", LECTERN_ERROR_UNSUPPORTED, "mm10");
  g_autofree char *no_content = g_strdup_printf (alto_head, "pixel", "", "<String WC=\"1\"/>");
  assert_load_fails (no_content, "no-content.xml", LECTERN_ERROR_FORMAT, "CONTENT");
  g_autofree char *bad_hpos = g_strdup_printf (alto_head, "pixel", "HPOS=\"left\"",
                                               "<String CONTENT=\"x\"/>");
  assert_load_fails (bad_hpos, "bad-hpos.xml", LECTERN_ERROR_FORMAT, "HPOS");
  g_autofree char *bad_shape = g_strdup_printf (alto_head, "pixel", "",
                                                "<Shape><Polygon POINTS=\"1 2 x 4\"/></Shape>"
                                                "<String CONTENT=\"x\"/>");
  assert_load_fails (bad_shape, "bad-shape.xml", LECTERN_ERROR_FORMAT, "POINTS");

  /* coordinates beyond the largest page a reader accepts (LECTERN_PAGE_MAX_SIDE) */
  g_autofree char *far_point = page_with_line ("imageWidth=\"10\" imageHeight=\"10\"",
                                               "<Coords points=\"0,0 9,0 9,2491555\"/>");
  assert_load_fails (far_point, "far-point.xml", LECTERN_ERROR_FORMAT, "beyond any page");
  g_autofree char *far_box = g_strdup_printf (alto_head, "pixel",
                                              "HPOS=\"5\" VPOS=\"1048000\" WIDTH=\"10\" "
                                              "HEIGHT=\"900\"", "<String CONTENT=\"x\"/>");
  assert_load_fails (far_box, "far-box.xml", LECTERN_ERROR_FORMAT, "beyond any page");

  /* A real file cut in half: not well-formed, with the line where it ends. (Looked up without
   * lectern_test_shared_path, which would mark the quiet-errors subprocess skipped.) */
  const char *shared = lectern_test_shared_dir ();
  g_autofree char *path = shared != NULL
                            ? g_build_filename (shared, "data", "real", "kraken-es",
                                                "170025120000003,0074.xml", NULL)
                            : NULL;
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *whole = NULL;
      gsize size = 0;
      g_assert_true (g_file_get_contents (path, &whole, &size, NULL));
      whole[size / 2] = '\0';
      assert_load_fails (whole, "half.xml", LECTERN_ERROR_FORMAT, "line");
    }
}

static void
test_hostile_xml (void)
{
  run_hostile_xml ();
}

static void
test_broken_input (void)
{
  run_broken_input ();
}

static void
test_errors_quiet (void)
{
  /* Nothing on stderr or stdout from libxml2 while refusing all that. */
  if (g_test_subprocess ())
    {
      run_hostile_xml ();
      run_broken_input ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("?*");
  g_test_trap_assert_stdout_unmatched ("?*");
}

static void
test_lenient_reading (void)
{
  /* Negative coordinates clamp to 0; repeated and invalid ids are made unique and valid;
   * missing ids are made up; polygons of two points are dropped. */
  static const char xml[] = PAGE_HEAD
    "<Page imageFilename=\"a.png\" imageWidth=\"100\" imageHeight=\"100\">\n"
    "<TextRegion id=\"x\"><Coords points=\"-5,10 20,-3 30,40\"/>\n"
    " <TextLine id=\"x\"><Coords points=\"-5,10 20,-3 30.6,40.4\"/><TextEquiv><Unicode>a</Unicode></TextEquiv></TextLine>\n"
    " <TextLine id=\"x\"><Coords points=\"1,1 2,2\"/><TextEquiv><Unicode>b</Unicode></TextEquiv></TextLine>\n"
    " <TextLine><Coords points=\"1,1 5,1 5,5\"/><TextEquiv><Unicode>c</Unicode></TextEquiv></TextLine>\n"
    " <TextLine id=\"9 bad id\"><Coords points=\"1,1 5,1 5,5\"/></TextLine>\n"
    "</TextRegion></Page></PcGts>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = load_string (xml, "lenient.xml", &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) lines = lectern_document_lines (doc);
  g_assert_cmpuint (lines->len, ==, 4);
  const LecternLine *first = lines->pdata[0];
  LecternPoint want[] = { { 0, 10 }, { 20, 0 }, { 31, 40 } };
  g_assert_cmpmem (first->polygon->data, 3 * sizeof (LecternPoint), want, sizeof want);
  g_assert_cmpuint (((LecternLine *) lines->pdata[1])->polygon->len, ==, 0);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_assert_true (g_hash_table_add (ids, ((LecternRegion *) doc->regions->pdata[0])->id));
  for (guint i = 0; i < lines->len; i++)
    {
      const char *id = ((LecternLine *) lines->pdata[i])->id;
      g_assert_nonnull (id);
      g_assert_true (g_ascii_isalpha (id[0]) || id[0] == '_');
      g_assert_null (strchr (id, ' '));
      g_assert_true (g_hash_table_add (ids, (gpointer) id));
    }
  g_assert_cmpstr (((LecternRegion *) doc->regions->pdata[0])->id, ==, "x");
  g_assert_cmpstr (first->id, ==, "x_2");
  g_assert_cmpstr (((LecternLine *) lines->pdata[3])->id, ==, "id9_bad_id");
}

/* A page without a size takes it from its lines; whatever a reader accepts there, the page
 * Lectern writes from it is accepted again (found by fuzzing: a point two million pixels down
 * made a page the readers then refused). */
static void
test_page_size_from_lines (void)
{
  static const char alto[] =
    "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v2#\"><Layout><Page ID=\"p\">"
    "<PrintSpace><TextBlock ID=\"b\"><TextLine ID=\"l\">"
    "<Shape><Polygon POINTS=\"5 25 195 %d 5 45\"/></Shape><String CONTENT=\"x\"/>"
    "</TextLine></TextBlock></PrintSpace></Page></Layout></alto>";
  g_autofree char *deepest = g_strdup_printf (alto, LECTERN_PAGE_MAX_SIDE - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = load_string (deepest, "deepest.xml", &error);
  g_assert_no_error (error);
  g_assert_cmpint (doc->height, ==, LECTERN_PAGE_MAX_SIDE);
  for (LecternFormat f = LECTERN_FORMAT_PAGE; f <= LECTERN_FORMAT_ALTO; f++)
    {
      g_autoptr(GBytes) written = serialize (doc, f);
      g_autoptr(LecternDocument) again = lectern_document_load_bytes (written, "again.xml",
                                                                      &error);
      g_assert_no_error (error);
      g_assert_cmpuint (lectern_document_n_lines (again), ==, 1);
    }
  g_autofree char *beyond = g_strdup_printf (alto, LECTERN_PAGE_MAX_SIDE);
  assert_load_fails (beyond, "beyond.xml", LECTERN_ERROR_FORMAT, "beyond any page");
}

/* ---- Writing details ---- */

static void
test_text_export (void)
{
  g_autoptr(LecternDocument) doc = lectern_document_new ("a.png", 10, 10);
  LecternRegion *first = lectern_document_add_region (doc, NULL);
  lectern_line_set_text (lectern_region_add_line (first, NULL), "one");
  lectern_line_set_text (lectern_region_add_line (first, NULL), "two");
  lectern_document_add_region (doc, NULL);   /* empty: leaves no trace */
  LecternRegion *third = lectern_document_add_region (doc, NULL);
  lectern_line_set_text (lectern_region_add_line (third, NULL), "three");
  g_autoptr(GBytes) text = serialize (doc, LECTERN_FORMAT_TEXT);
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text), "one\ntwo\n\nthree\n",
                   strlen ("one\ntwo\n\nthree\n"));
}

static void
test_save (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lectern-formats-XXXXXX", NULL);
  g_autoptr(LecternDocument) doc = make_rich_document ();
  g_autofree char *path = g_build_filename (dir, "page.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_true (lectern_document_save (doc, path, LECTERN_FORMAT_PAGE, &error));
  g_assert_no_error (error);
  g_autoptr(LecternDocument) back = lectern_document_load (path, &error);
  g_assert_no_error (error);
  assert_documents_equal (doc, back, COMPARE_EXACT);
  /* The image path is resolved against the file's folder; it does not exist here. */
  g_assert_null (back->image_path);

  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n_files = 0;
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  g_autofree char *bad = g_build_filename (dir, "missing", "page.xml", NULL);
  g_assert_false (lectern_document_save (doc, bad, LECTERN_FORMAT_ALTO, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "page.xml"));
  g_clear_error (&error);

  g_autoptr(LecternDocument) missing = lectern_document_load (bad, &error);
  g_assert_null (missing);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_format_names (void)
{
  static const struct {
    const char   *name;
    LecternFormat format;
  } names[] = {
    { "page", LECTERN_FORMAT_PAGE }, { "PAGE", LECTERN_FORMAT_PAGE },
    { "pagexml", LECTERN_FORMAT_PAGE }, { "alto", LECTERN_FORMAT_ALTO },
    { "hOCR", LECTERN_FORMAT_HOCR }, { "text", LECTERN_FORMAT_TEXT },
    { "txt", LECTERN_FORMAT_TEXT },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      LecternFormat format = (LecternFormat) -1;
      g_assert_true (lectern_format_from_name (names[i].name, &format));
      g_assert_cmpint (format, ==, names[i].format);
    }
  LecternFormat unused;
  g_assert_false (lectern_format_from_name ("pdf", &unused));
  g_assert_false (lectern_format_from_name (NULL, &unused));
  g_assert_cmpstr (lectern_format_extension (LECTERN_FORMAT_TEXT), ==, "txt");
}

static void
test_model (void)
{
  g_autoptr(LecternDocument) doc = lectern_document_new (NULL, 50, 40);
  LecternRegion *region = lectern_document_add_region (doc, NULL);
  LecternLine *line = lectern_region_add_line (region, NULL);
  g_assert_cmpstr (region->id, ==, "r1");
  g_assert_cmpstr (line->id, ==, "r1_l1");
  g_assert_false (lectern_line_bbox (line, NULL, NULL, NULL, NULL));
  LecternPoint points[] = { { 5, 6 }, { 20, 4 }, { 18, 30 } };
  g_array_append_vals (line->polygon, points, 3);
  int x0, y0, x1, y1;
  g_assert_true (lectern_line_bbox (line, &x0, &y0, &x1, &y1));
  g_assert_cmpint (x0, ==, 5);
  g_assert_cmpint (y0, ==, 4);
  g_assert_cmpint (x1, ==, 20);
  g_assert_cmpint (y1, ==, 30);

  /* Text is kept in NFC; changing it drops per-character data that described the old text. */
  lectern_line_set_text (line, "e\xcc\x81t\xc3\xa9");
  g_assert_cmpstr (line->text, ==, "\xc3\xa9t\xc3\xa9");
  float c = 0.5f;
  for (int i = 0; i < 3; i++)
    g_array_append_val (line->char_confidences, c);
  lectern_line_set_text (line, "\xc3\xa9t\xc3\xa9");
  g_assert_cmpuint (line->char_confidences->len, ==, 3);
  lectern_line_set_text (line, "ete");
  g_assert_cmpuint (line->char_confidences->len, ==, 0);

  /* Copies are deep. */
  g_autoptr(LecternDocument) copy = lectern_document_copy (doc);
  LecternLine *copied = ((LecternRegion *) copy->regions->pdata[0])->lines->pdata[0];
  g_assert_true (copied != line);
  g_assert_true (copied->polygon != line->polygon);
  g_assert_cmpstr (copied->text, ==, "ete");
  g_array_index (copied->polygon, LecternPoint, 0).x = 99;
  g_assert_cmpint (g_array_index (line->polygon, LecternPoint, 0).x, ==, 5);
  g_assert_cmpuint (lectern_document_n_lines (copy), ==, 1);

  /* Lines belong to their region: removing one frees it. */
  lectern_region_add_line (region, NULL);
  g_assert_cmpstr (((LecternLine *) region->lines->pdata[1])->id, ==, "r1_l2");
  g_ptr_array_remove_index (region->lines, 0);
  g_assert_cmpuint (lectern_document_n_lines (doc), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Formats/real-load", test_real_load);
  g_test_add_func ("/Lectern/Formats/real-images", test_real_images);
  g_test_add_func ("/Lectern/Formats/real-validate", test_real_validate);
  g_test_add_func ("/Lectern/Formats/real-roundtrip", test_real_roundtrip);
  g_test_add_func ("/Lectern/Formats/lectern-data-roundtrip", test_lectern_data_roundtrip);
  g_test_add_func ("/Lectern/Formats/geometry-cleanup", test_geometry_cleanup_on_write);
  g_test_add_func ("/Lectern/Formats/page-text-choice", test_page_text_choice);
  g_test_add_func ("/Lectern/Formats/reading-order", test_reading_order);
  g_test_add_func ("/Lectern/Formats/alto-details", test_alto_details);
  g_test_add_func ("/Lectern/Formats/hostile-xml", test_hostile_xml);
  g_test_add_func ("/Lectern/Formats/broken-input", test_broken_input);
  g_test_add_func ("/Lectern/Formats/errors-quiet", test_errors_quiet);
  g_test_add_func ("/Lectern/Formats/lenient-reading", test_lenient_reading);
  g_test_add_func ("/Lectern/Formats/page-size-from-lines", test_page_size_from_lines);
  g_test_add_func ("/Lectern/Formats/text-export", test_text_export);
  g_test_add_func ("/Lectern/Formats/save", test_save);
  g_test_add_func ("/Lectern/Formats/format-names", test_format_names);
  g_test_add_func ("/Lectern/Formats/model", test_model);
  return g_test_run ();
}
