/* test-pages.c — whole pages: the recognizer with a language model (text, per-character
 * confidences and spans that match the text, from several threads while the LM is swapped),
 * per-character data through NFC, the default LM lookup, and `lectern-cli transcribe` as a
 * user runs it: a rendered page becomes a valid PAGE file with one line per text line,
 * --shard picks its share of the inputs, --keep-text keeps text, and a bad input fails with
 * its name and leaves no output file. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <glib/gstdio.h>
#include <libxml/xmlschemas.h>

#include "defaults.h"
#include "document.h"
#include "lm.h"
#include "model.h"
#include "recognizer.h"
#include "testutil.h"
#include "transcribe.h"

static char *tmp_dir;

static const char *const page_lines[] = {
  "Lectern reads old letters",
  "written by hand long ago",
  "and turns them into text",
  "line after line, page by page",
};

/* ---- fixtures ------------------------------------------------------------------------------ */

static LecternModel *
small_model (void)
{
  g_autoptr (LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abcdeilnorst ,.\xcc\x81"; *p; p = g_utf8_next_char (p))
    lectern_charset_add (cs, g_utf8_get_char (p));
  LecternArch a;
  lectern_arch_default (&a, 0);
  LecternModel *m = lectern_model_new_random (&a, cs, 11);
  lectern_model_set_info (m, "name", "pages test model");
  return m;
}

static LecternLm *
small_lm (void)
{
  g_autoptr (LecternLmBuilder) b = lectern_lm_builder_new (4);
  for (guint i = 0; i < G_N_ELEMENTS (page_lines); i++)
    lectern_lm_builder_add_text (b, page_lines[i], -1);
  lectern_lm_builder_add_text (b, "the cat sat on the mat, and the rat ate the oats.", -1);
  g_autoptr (GError) error = NULL;
  LecternLm *lm = lectern_lm_builder_finish (b, &error);
  g_assert_no_error (error);
  return lm;
}

/* a tmp_dir path; the caller frees it */
static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* Renders lines of dark text on white paper, well apart, and saves it as a PNG. */
static void
render_page (const char *path, const char *const *lines, guint n_lines)
{
  const int width = 1400, line_step = 140, height = 160 + line_step * (int) n_lines;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Serif 40px");
  pango_layout_set_font_description (layout, font);
  for (guint i = 0; i < n_lines; i++)
    {
      pango_layout_set_text (layout, lines[i], -1);
      cairo_move_to (cr, 100, 80 + line_step * (int) i);
      pango_cairo_show_layout (cr, layout);
    }
  pango_font_description_free (font);
  g_object_unref (layout);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

/* A model file for the command line, written once. */
static const char *
model_file (void)
{
  static char *path;
  if (path == NULL)
    {
      path = tmp_path ("small.lectern");
      g_autoptr (LecternModel) m = small_model ();
      g_autoptr (GError) error = NULL;
      g_assert_true (lectern_model_save (m, path, &error));
      g_assert_no_error (error);
    }
  return path;
}

/* The rendered page, written once. */
static const char *
page_file (void)
{
  static char *path;
  if (path == NULL)
    {
      path = tmp_path ("page.png");
      render_page (path, page_lines, G_N_ELEMENTS (page_lines));
    }
  return path;
}

static LecternDocument *
load_document (const char *path)
{
  g_autoptr (GError) error = NULL;
  LecternDocument *doc = lectern_document_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return doc;
}

/* The recognised lines' per-character data match their text, spans lie inside the line.
 * kept: lines whose text was kept (no per-character data), or NULL. */
static void
assert_line_data (const LecternDocument *doc, const gboolean *kept)
{
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  for (guint i = 0; i < lines->len; i++)
    {
      const LecternLine *line = lines->pdata[i];
      if (kept != NULL && kept[i])
        {
          g_assert_cmpuint (line->char_spans->len, ==, 0);
          continue;
        }
      const guint n = (guint) g_utf8_strlen (line->text, -1);
      g_assert_cmpuint (line->char_confidences->len, ==, n);
      g_assert_cmpuint (line->char_spans->len, ==, n);
      int x0, y0, x1, y1;
      g_assert_true (lectern_line_bbox (line, &x0, &y0, &x1, &y1));
      for (guint k = 0; k < n; k++)
        {
          const LecternPoint *span = &g_array_index (line->char_spans, LecternPoint, k);
          g_assert_cmpint (span->x, <=, span->y);
          g_assert_cmpint (span->x, >=, x0);
          g_assert_cmpint (span->y, <=, x1);
          const float c = g_array_index (line->char_confidences, float, k);
          g_assert_cmpfloat (c, >=, 0);
          g_assert_cmpfloat (c, <=, 1);
        }
      g_assert_cmpfloat (line->confidence, >=, 0);
      g_assert_cmpfloat (line->confidence, <=, 1);
    }
}

/* ---- the recognizer with a language model -------------------------------------------------- */

static LecternImage *
line_image (const char *text)
{
  g_autofree char *path = tmp_path ("line.png");
  render_page (path, &text, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternImage) page = lectern_image_load (path, &error);
  g_assert_no_error (error);
  /* the text's band */
  LecternPoint box[] = { { 80, 60 }, { page->width - 20, 60 }, { page->width - 20, 150 },
                         { 80, 150 } };
  int x, y;
  LecternImage *line = lectern_image_cut_polygon (page, box, 4, &x, &y);
  g_assert_nonnull (line);
  return line;
}

static void
assert_recognition (const LecternRecognition *rec, const LecternImage *line)
{
  g_assert_nonnull (rec->text);
  g_assert_true (g_utf8_validate (rec->text, -1, NULL));
  g_assert_cmpuint (rec->n_chars, ==, g_utf8_strlen (rec->text, -1));
  for (guint i = 0; i < rec->n_chars; i++)
    {
      g_assert_cmpint (rec->x_start[i], >=, 0);
      g_assert_cmpint (rec->x_start[i], <=, rec->x_end[i]);
      g_assert_cmpint (rec->x_end[i], <, line->width);
      if (i > 0)
        g_assert_cmpint (rec->x_start[i], >=, rec->x_start[i - 1]);
      g_assert_cmpfloat (rec->confidence[i], >=, 0);
      g_assert_cmpfloat (rec->confidence[i], <=, 1);
    }
}

static void
test_recognizer_lm (void)
{
  g_autoptr (LecternRecognizer) r = lectern_recognizer_new (small_model ());
  g_autoptr (LecternImage) line = line_image (page_lines[0]);
  g_autoptr (GError) error = NULL;

  g_assert_false (lectern_recognizer_has_lm (r));
  g_autoptr (LecternRecognition) plain = lectern_recognizer_recognize (r, line, 0, &error);
  g_assert_no_error (error);
  assert_recognition (plain, line);

  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  opts.lm_weight = 2.0f;   /* a strong LM, so that it shows */
  lectern_recognizer_set_lm (r, small_lm (), &opts);
  g_assert_true (lectern_recognizer_has_lm (r));
  g_autoptr (LecternRecognition) with_lm = lectern_recognizer_recognize (r, line, 0, &error);
  g_assert_no_error (error);
  assert_recognition (with_lm, line);
  /* the random network emits something, and the LM-weighted search ranks texts differently */
  g_assert_cmpuint (plain->n_chars, >, 0);
  g_assert_cmpstr (with_lm->text, !=, plain->text);

  /* best path on request, the same as without an LM */
  g_autoptr (LecternRecognition) best = lectern_recognizer_recognize (r, line,
                                                                      LECTERN_RECOGNIZE_BEST_PATH,
                                                                      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (best->text, ==, plain->text);
  g_assert_cmpmem (best->x_start, best->n_chars * sizeof (int),
                   plain->x_start, plain->n_chars * sizeof (int));

  /* a lexicon alone keeps the beam search; clearing both goes back to best path */
  lectern_recognizer_set_lm (r, NULL, NULL);
  g_assert_false (lectern_recognizer_has_lm (r));
  g_autoptr (LecternRecognition) cleared = lectern_recognizer_recognize (r, line, 0, &error);
  g_assert_cmpstr (cleared->text, ==, plain->text);
  LecternLexicon *lex = lectern_lexicon_new ();
  lectern_lexicon_add_text (lex, "the cat sat on the mat", -1);
  lectern_recognizer_set_lexicon (r, lex);
  g_autoptr (LecternRecognition) lexical = lectern_recognizer_recognize (r, line, 0, &error);
  g_assert_no_error (error);
  assert_recognition (lexical, line);
  lectern_recognizer_set_lexicon (r, NULL);
}

typedef struct {
  LecternRecognizer  *recognizer;
  const LecternImage *line;
  const char         *expected[2];   /* the texts with and without the LM */
  gint                mismatches;
} ThreadJob;

static gpointer
recognise_repeatedly (gpointer data)
{
  ThreadJob *job = data;
  for (int i = 0; i < 12; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LecternRecognition) rec = lectern_recognizer_recognize (job->recognizer,
                                                                         job->line, 0, &error);
      g_assert_no_error (error);
      if (g_strcmp0 (rec->text, job->expected[0]) != 0
          && g_strcmp0 (rec->text, job->expected[1]) != 0)
        g_atomic_int_inc (&job->mismatches);
      if (rec->n_chars != (guint) g_utf8_strlen (rec->text, -1))
        g_atomic_int_inc (&job->mismatches);
    }
  return NULL;
}

/* Threads recognise while the main thread sets and clears the LM: every result is one of the
 * two texts, nothing crashes, nothing leaks (run under valgrind or ASan to see the latter). */
static void
test_recognizer_threads (void)
{
  g_autoptr (LecternRecognizer) r = lectern_recognizer_new (small_model ());
  g_autoptr (LecternImage) line = line_image (page_lines[2]);
  g_autoptr (GError) error = NULL;
  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  opts.lm_weight = 2.0f;
  g_autoptr (LecternRecognition) plain = lectern_recognizer_recognize (r, line, 0, &error);
  lectern_recognizer_set_lm (r, small_lm (), &opts);
  g_autoptr (LecternRecognition) with_lm = lectern_recognizer_recognize (r, line, 0, &error);
  g_assert_no_error (error);

  ThreadJob job = { r, line, { plain->text, with_lm->text }, 0 };
  GThread *threads[3];
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("test", recognise_repeatedly, &job);
  for (int i = 0; i < 20; i++)
    {
      lectern_recognizer_set_lm (r, i % 2 == 0 ? NULL : small_lm (), &opts);
      g_usleep (2000);
    }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);
  g_assert_cmpint (job.mismatches, ==, 0);
}

/* ---- per-character data through NFC ---------------------------------------------------------- */

static void
test_line_set_recognition (void)
{
  /* "e" + combining acute, "t", "e": three characters after NFC */
  float conf[] = { 0.9f, 0.4f, 0.8f, 0.7f };
  int xs[] = { 10, 14, 20, 30 }, xe[] = { 13, 18, 28, 39 };
  LecternRecognition rec = { .text = (char *) "e\xcc\x81te", .n_chars = 4, .confidence = conf,
                             .x_start = xs, .x_end = xe, .mean_confidence = 0.7f };
  g_autoptr (LecternLine) line = lectern_line_new ("l1");
  lectern_line_set_recognition (line, &rec, 100);
  g_assert_cmpstr (line->text, ==, "\xc3\xa9te");
  g_assert_cmpuint (line->char_confidences->len, ==, 3);
  g_assert_cmpuint (line->char_spans->len, ==, 3);
  g_assert_cmpfloat (g_array_index (line->char_confidences, float, 0), ==, 0.4f);
  g_assert_cmpfloat (g_array_index (line->char_confidences, float, 1), ==, 0.8f);
  LecternPoint first = g_array_index (line->char_spans, LecternPoint, 0);
  LecternPoint last = g_array_index (line->char_spans, LecternPoint, 2);
  g_assert_cmpint (first.x, ==, 110);
  g_assert_cmpint (first.y, ==, 118);
  g_assert_cmpint (last.x, ==, 130);
  g_assert_cmpint (last.y, ==, 139);
  g_assert_cmpfloat (line->confidence, ==, 0.7f);

  /* a mark that composes with nothing stays its own character */
  float conf2[] = { 0.5f, 0.6f };
  int xs2[] = { 0, 5 }, xe2[] = { 4, 9 };
  LecternRecognition rec2 = { .text = (char *) "q\xcc\x81", .n_chars = 2, .confidence = conf2,
                              .x_start = xs2, .x_end = xe2, .mean_confidence = 0.55f };
  lectern_line_set_recognition (line, &rec2, 0);
  g_assert_cmpuint (g_utf8_strlen (line->text, -1), ==, 2);
  g_assert_cmpuint (line->char_spans->len, ==, 2);
}

/* ---- the default language model -------------------------------------------------------------- */

static void
test_default_lm (void)
{
  g_autofree char *path = tmp_path ("env.lm");
  g_autoptr (LecternLm) lm = small_lm ();
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_lm_save (lm, path, &error));

  g_setenv ("LECTERN_DEFAULT_LM", path, TRUE);
  g_autofree char *found = lectern_default_lm_path ();
  g_assert_cmpstr (found, ==, path);
  g_autoptr (LecternLm) loaded = lectern_lm_load_default (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (lectern_lm_vocab_size (loaded), ==, lectern_lm_vocab_size (lm));

  g_autofree char *missing = tmp_path ("missing.lm");
  g_setenv ("LECTERN_DEFAULT_LM", missing, TRUE);
  g_autoptr (LecternLm) none = lectern_lm_load_default (&error);
  g_assert_null (none);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing.lm"));
  g_unsetenv ("LECTERN_DEFAULT_LM");
}

/* The LM that ships beside the default model loads (the source tree's, in an uninstalled
 * build) and knows the letters of the three languages. */
static void
test_shipped_lm (void)
{
  g_autofree char *path = lectern_default_lm_path ();
  if (path == NULL)
    {
      g_test_skip ("resources/models/" LECTERN_DEFAULT_LM_NAME " has not been built "
                   "(scripts/build-default-lm.sh)");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternLm) lm = lectern_lm_load (path, &error);
  g_assert_no_error (error);
  for (const char *p = "aeéèçàüöäßEW"; *p; p = g_utf8_next_char (p))
    g_assert_cmpint (lectern_lm_symbol (lm, g_utf8_get_char (p)), >, 0);
  /* real words are likelier than the same letters shuffled */
  g_assert_cmpfloat (lectern_lm_text_log_prob (lm, "the house", NULL), >,
                     lectern_lm_text_log_prob (lm, "hte ohseu", NULL));
  g_assert_cmpfloat (lectern_lm_text_log_prob (lm, "la maison", NULL), >,
                     lectern_lm_text_log_prob (lm, "al msaoin", NULL));
}

/* ---- lectern-cli transcribe ------------------------------------------------------------------ */

static void
assert_valid_page (const char *path)
{
  g_autofree char *xsd = lectern_test_shared_path ("data", "schemas",
                                                   "pagecontent-2019-07-15.xsd", NULL);
  if (xsd == NULL)
    return;   /* skipped, with the reason */
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt (xsd);
  xmlSchemaPtr schema = xmlSchemaParse (parser);
  xmlSchemaFreeParserCtxt (parser);
  g_assert_nonnull (schema);
  xmlDoc *xml = xmlReadFile (path, NULL, XML_PARSE_NONET);
  g_assert_nonnull (xml);
  xmlSchemaValidCtxtPtr validator = xmlSchemaNewValidCtxt (schema);
  g_assert_cmpint (xmlSchemaValidateDoc (validator, xml), ==, 0);
  xmlSchemaFreeValidCtxt (validator);
  xmlFreeDoc (xml);
  xmlSchemaFree (schema);
}

static void
test_transcribe_page (void)
{
  g_autofree char *out = tmp_path ("page-out.xml");
  g_auto (LecternTestRun) run = { 0 };
  lectern_test_run_cli (&run, "transcribe", "--model", model_file (), "--no-lm", "-q", page_file (),
                        "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  g_autoptr (LecternDocument) doc = load_document (out);
  g_assert_cmpuint (lectern_document_n_lines (doc), ==, G_N_ELEMENTS (page_lines));
  g_assert_cmpstr (doc->model_name, ==, "pages test model");
  g_assert_cmpint (doc->width, ==, 1400);
  /* the image is named relative to the PAGE file beside it */
  g_assert_cmpstr (doc->image_filename, ==, "page.png");
  assert_line_data (doc, NULL);
  assert_valid_page (out);

  /* to standard output as text: the page's text export, the same on one thread */
  g_auto (LecternTestRun) text = { 0 };
  lectern_test_run_cli (&text, "transcribe", "--model", model_file (), "--no-lm", "-q", "--threads",
                        "1", page_file (), NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = lectern_document_serialize (doc, LECTERN_FORMAT_TEXT, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (text.out, strlen (text.out), g_bytes_get_data (expected, NULL),
                   g_bytes_get_size (expected));
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  for (guint i = 0; i < lines->len; i++)
    g_assert_nonnull (strstr (text.out, ((LecternLine *) lines->pdata[i])->text));
}

/* A PAGE file for the page with the given texts on its lines (NULL: no text). */
static void
write_page_xml (const char *path, const char *const *texts)
{
  g_autoptr (LecternDocument) doc = lectern_document_new ("page.png", 1400,
                                                          160 + 140 * (int) G_N_ELEMENTS (page_lines));
  LecternRegion *region = lectern_document_add_region (doc, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (page_lines); i++)
    {
      LecternLine *line = lectern_region_add_line (region, NULL);
      const int top = 70 + 140 * (int) i, bottom = top + 70;
      LecternPoint box[] = { { 90, top }, { 1300, top }, { 1300, bottom }, { 90, bottom } };
      g_array_append_vals (line->polygon, box, 4);
      LecternPoint base[] = { { 90, bottom - 15 }, { 1300, bottom - 15 } };
      g_array_append_vals (line->baseline, base, 2);
      if (texts != NULL && texts[i] != NULL)
        lectern_line_set_text (line, texts[i]);
    }
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_document_save (doc, path, LECTERN_FORMAT_PAGE, &error));
  g_assert_no_error (error);
}

static void
test_keep_text (void)
{
  page_file ();   /* the image the PAGE files name, beside them */
  const char *texts[] = { "first kept line", NULL, "third kept line", NULL };
  g_autofree char *in = tmp_path ("kept.xml");
  write_page_xml (in, texts);
  /* one input: a folder is told by the trailing separator */
  g_autofree char *out_dir = tmp_path ("kept-out" G_DIR_SEPARATOR_S);

  g_auto (LecternTestRun) run = { 0 };
  lectern_test_run_cli (&run, "transcribe", "--model", model_file (), "--no-lm", "-q",
                        "--keep-text", "-o", out_dir, "--format", "page", in, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_autofree char *out = g_build_filename (out_dir, "kept.xml", NULL);
  g_autoptr (LecternDocument) doc = load_document (out);
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  g_assert_cmpuint (lines->len, ==, 4);
  g_assert_cmpstr (((LecternLine *) lines->pdata[0])->text, ==, "first kept line");
  g_assert_cmpstr (((LecternLine *) lines->pdata[2])->text, ==, "third kept line");
  /* the lines without text were recognised, with data that matches */
  const gboolean kept[] = { TRUE, FALSE, TRUE, FALSE };
  assert_line_data (doc, kept);
  g_assert_cmpstr (doc->model_name, ==, "pages test model");
  /* the output sits in another folder, so the image is named relative to it */
  g_assert_cmpstr (doc->image_filename, ==, "../page.png");
  g_assert_nonnull (doc->image_path);

  /* without --keep-text every line is recognised afresh */
  g_auto (LecternTestRun) again = { 0 };
  g_autofree char *out2 = tmp_path ("kept-again.xml");
  lectern_test_run_cli (&again, "transcribe", "--model", model_file (), "--no-lm", "-q", "-o", out2,
                        in, NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_autoptr (LecternDocument) doc2 = load_document (out2);
  g_autoptr (GPtrArray) lines2 = lectern_document_lines (doc2);
  g_assert_cmpstr (((LecternLine *) lines2->pdata[0])->text, !=, "first kept line");
  assert_line_data (doc2, NULL);
}

static void
test_shard (void)
{
  /* five PAGE files whose lines all have text: --keep-text needs no recognition */
  const char *texts[] = { "a", "b", "c", "d" };
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("shard-in-%d.xml", i);
      char *path = tmp_path (name);
      write_page_xml (path, texts);
      g_ptr_array_add (inputs, path);
    }
  for (int shard = 1; shard <= 2; shard++)
    {
      g_autofree char *dir_name = g_strdup_printf ("shard-out-%d", shard);
      g_autofree char *out_dir = tmp_path (dir_name);
      g_autofree char *spec = g_strdup_printf ("%d/2", shard);
      g_auto (LecternTestRun) run = { 0 };
      lectern_test_run_cli (&run, "transcribe", "--model", model_file (), "--no-lm", "-q",
                            "--keep-text", "--shard", spec, "-o", out_dir, "--format", "txt",
                            (char *) inputs->pdata[0], (char *) inputs->pdata[1],
                            (char *) inputs->pdata[2], (char *) inputs->pdata[3],
                            (char *) inputs->pdata[4], NULL);
      g_assert_cmpint (run.status, ==, 0);
      for (int i = 0; i < 5; i++)
        {
          g_autofree char *name = g_strdup_printf ("shard-in-%d.txt", i);
          g_autofree char *out = g_build_filename (out_dir, name, NULL);
          /* shard 1/2 takes inputs 0, 2, 4; shard 2/2 takes 1, 3 */
          const gboolean mine = i % 2 == shard - 1;
          g_assert_cmpint (g_file_test (out, G_FILE_TEST_EXISTS), ==, mine);
          if (mine)
            {
              g_autofree char *content = NULL;
              g_assert_true (g_file_get_contents (out, &content, NULL, NULL));
              g_assert_cmpstr (content, ==, "a\nb\nc\nd\n");
            }
        }
    }

  g_auto (LecternTestRun) bad = { 0 };
  lectern_test_run_cli (&bad, "transcribe", "--model", model_file (), "--shard", "3/2",
                        (char *) inputs->pdata[0], NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "--shard"));
  g_auto (LecternTestRun) zero = { 0 };
  lectern_test_run_cli (&zero, "transcribe", "--model", model_file (), "--shard", "0/4",
                        (char *) inputs->pdata[0], NULL);
  g_assert_cmpint (zero.status, ==, 2);
}

static void
test_bad_input (void)
{
  g_autofree char *bad = tmp_path ("not-an-image.png");
  g_assert_true (g_file_set_contents (bad, "this is not an image at all", -1, NULL));
  g_autofree char *out = tmp_path ("bad-out.xml");
  g_auto (LecternTestRun) run = { 0 };
  lectern_test_run_cli (&run, "transcribe", "--model", model_file (), "--no-lm", "-q", bad, "-o",
                        out, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "not-an-image.png"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* a damaged PAGE file among good inputs: the good one is written, the bad one not */
  g_autofree char *broken = tmp_path ("broken.xml");
  g_assert_true (g_file_set_contents (broken, "<?xml version=\"1.0\"?><PcGts><Page", -1, NULL));
  g_autofree char *good = tmp_path ("good.xml");
  const char *texts[] = { "w", "x", "y", "z" };
  write_page_xml (good, texts);
  g_autofree char *out_dir = tmp_path ("bad-out-dir");
  g_auto (LecternTestRun) mixed = { 0 };
  lectern_test_run_cli (&mixed, "transcribe", "--model", model_file (), "--no-lm", "-q",
                        "--keep-text", "-o", out_dir, broken, good, NULL);
  g_assert_cmpint (mixed.status, ==, 1);
  g_assert_nonnull (strstr (mixed.err, "broken.xml"));
  g_autofree char *good_out = g_build_filename (out_dir, "good.xml", NULL);
  g_autofree char *broken_out = g_build_filename (out_dir, "broken.xml", NULL);
  g_assert_true (g_file_test (good_out, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (broken_out, G_FILE_TEST_EXISTS));

  /* a missing model: failure naming it, nothing written */
  g_autofree char *no_model = tmp_path ("no-such.lectern");
  g_autofree char *out3 = tmp_path ("no-model.xml");
  g_auto (LecternTestRun) missing = { 0 };
  lectern_test_run_cli (&missing, "transcribe", "--model", no_model, page_file (), "-o", out3,
                        NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "no-such.lectern"));
  g_assert_false (g_file_test (out3, G_FILE_TEST_EXISTS));

  /* bad arguments */
  g_auto (LecternTestRun) both = { 0 };
  lectern_test_run_cli (&both, "transcribe", "--lm", "x.lm", "--no-lm", page_file (), NULL);
  g_assert_cmpint (both.status, ==, 2);
  g_auto (LecternTestRun) format = { 0 };
  lectern_test_run_cli (&format, "transcribe", "--format", "docx", page_file (), NULL);
  g_assert_cmpint (format.status, ==, 2);
  g_assert_nonnull (strstr (format.err, "docx"));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_test_init (&argc, &argv, NULL);
  /* no default LM from the environment or the source tree unless a test asks for one */
  g_unsetenv ("LECTERN_DEFAULT_LM");

  tmp_dir = g_dir_make_tmp ("lectern-test-pages-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/Lectern/Pages/recognizer-lm", test_recognizer_lm);
  g_test_add_func ("/Lectern/Pages/recognizer-threads", test_recognizer_threads);
  g_test_add_func ("/Lectern/Pages/line-set-recognition", test_line_set_recognition);
  g_test_add_func ("/Lectern/Pages/default-lm", test_default_lm);
  g_test_add_func ("/Lectern/Pages/shipped-lm", test_shipped_lm);
  g_test_add_func ("/Lectern/Pages/transcribe-page", test_transcribe_page);
  g_test_add_func ("/Lectern/Pages/keep-text", test_keep_text);
  g_test_add_func ("/Lectern/Pages/shard", test_shard);
  g_test_add_func ("/Lectern/Pages/bad-input", test_bad_input);

  int status = g_test_run ();
  lectern_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
