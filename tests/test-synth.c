/* test-synth.c — synthetic lines: Hershey JHF parsing, corpus cleaning and sampling, font
 * selection, and rendered lines (sizes, text within the font's coverage, NFC, the same bytes
 * for the same seed whatever the thread count, several renderers drawing at once).
 *
 * Uses the fonts installed on the machine (the Debian packages of scripts/deps.txt and
 * hershey-fonts-data); a test that needs fonts is skipped with a message when there are none. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "corpus.h"
#include "error.h"
#include "hershey.h"
#include "image.h"
#include "synth.h"
#include "testutil.h"

/* ------------------------------------------------------------------------------------------ */
/* Hershey fonts */

/* Two records: a space (bearings only) and a glyph of two strokes whose record continues on a
 * second line, as long JHF records do. */
static const char two_glyphs[] =
  "12345  1JZ\n"
  "  501  6I[RFJ[ RRF\n"
  "Z[\n";

static void
test_hershey_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternHersheyFont) font = lectern_hershey_font_parse (two_glyphs,
                                                                    strlen (two_glyphs),
                                                                    "two.jhf", &error);
  const LecternHersheyGlyph *glyph;

  g_assert_no_error (error);
  g_assert_nonnull (font);
  g_assert_cmpuint (lectern_hershey_font_get_n_glyphs (font), ==, 2);
  /* Record 1 is U+0020, record 2 is '!'. */
  g_assert_true (lectern_hershey_font_has_char (font, ' '));
  g_assert_true (lectern_hershey_font_has_char (font, '!'));
  g_assert_false (lectern_hershey_font_has_char (font, '"'));
  g_assert_false (lectern_hershey_font_has_char (font, 0xE9));
  g_assert_cmpint (lectern_hershey_font_get_advance (font, ' '), ==, 'Z' - 'J');

  glyph = lectern_hershey_font_get_glyph (font, '!');
  g_assert_nonnull (glyph);
  g_assert_cmpint (glyph->left, ==, 'I' - 'R');
  g_assert_cmpint (glyph->right, ==, '[' - 'R');
  /* "RFJ[" then pen up, then "RFZ[": two strokes of two points. */
  g_assert_cmpuint (glyph->n_strokes, ==, 2);
  g_assert_cmpuint (glyph->stroke_start[0], ==, 0);
  g_assert_cmpuint (glyph->stroke_start[1], ==, 2);
  g_assert_cmpuint (glyph->stroke_start[2], ==, 4);
  g_assert_cmpint (glyph->points[0].x, ==, 0);
  g_assert_cmpint (glyph->points[0].y, ==, 'F' - 'R');
  g_assert_cmpint (glyph->points[1].x, ==, 'J' - 'R');
  g_assert_cmpint (glyph->points[1].y, ==, '[' - 'R');
  g_assert_cmpint (glyph->points[3].x, ==, 'Z' - 'R');
}

static void
test_hershey_bad_input (void)
{
  static const char *const bad[] = {
    "",                                /* no record */
    "12345 xx JZ\n",                   /* count is not a number */
    "12345  5I[RFJ[\n",                /* 5 pairs announced, 3 given */
    "12345  2JZ\x01R\n",               /* control character as coordinate */
    "123\n",                           /* header cut short */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LecternHersheyFont) font = lectern_hershey_font_parse (bad[i], strlen (bad[i]),
                                                                        "bad.jhf", &error);
      g_assert_null (font);
      g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, "bad.jhf"));
    }
}

static void
test_hershey_installed (void)
{
  g_autofree char *path = g_build_filename (LECTERN_SYNTH_HERSHEY_DIR, "scripts.jhf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternHersheyFont) font = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("hershey-fonts-data is not installed");
      return;
    }
  font = lectern_hershey_font_load (path, &error);
  g_assert_no_error (error);
  /* Printable ASCII, each letter drawn with at least one stroke. */
  g_assert_cmpuint (lectern_hershey_font_get_n_glyphs (font), >=, LECTERN_HERSHEY_N_CHARS);
  for (gunichar c = 'a'; c <= 'z'; c++)
    {
      g_assert_true (lectern_hershey_font_has_char (font, c));
      g_assert_true (lectern_hershey_font_has_char (font, g_unichar_toupper (c)));
      g_assert_cmpint (lectern_hershey_font_get_advance (font, c), >, 0);
    }
  g_assert_false (lectern_hershey_font_has_char (font, 0xE9));   /* é */
  g_assert_false (lectern_hershey_font_has_char (font, 0x7F));
}

static void
test_hershey_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternHersheyFont) font = lectern_hershey_font_load ("/nonexistent/x.jhf", &error);
  g_assert_null (font);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);
}

/* ------------------------------------------------------------------------------------------ */
/* Corpus */

static const char paragraphs[] =
  "Le cœur a ses raisons que la raison ne connaît point ; on le sait en mille choses.\n"
  "Ça s'est passé à Noël, déjà : l'élève était malade depuis le 3 décembre.\n"
  "Über allen Gipfeln ist Ruh, in allen Wipfeln spürest du kaum einen Hauch.\n"
  "In the beginning God created the heaven and the earth, and the earth was void.\n"
  "The quick brown fox jumps over the lazy dog while the cat sleeps.\n";

static const char words[] =
  "maison\nlettre\nécrire\nfrançais\nchâteau\nhôpital\nfenêtre\nœuvre\nnaïf\nmaïs\n";

static LecternCorpus *
make_corpus (void)
{
  LecternCorpus *corpus = lectern_corpus_new ();
  lectern_corpus_add_paragraphs (corpus, "test", LECTERN_LANGUAGE_FRENCH, 1.0, paragraphs, -1);
  lectern_corpus_add_words (corpus, LECTERN_LANGUAGE_FRENCH, words, -1);
  return corpus;
}

static void
test_corpus_clean (void)
{
  /* NFD input, tabs, newlines, a no-break space, a soft hyphen and a zero-width space. */
  g_autofree char *clean = lectern_corpus_clean ("  e\xcc\x81t\xc3\xa9\t\tet\n\xc2\xa0hi\xc2\xadver"
                                                 "\xe2\x80\x8b !  ", -1);
  g_assert_cmpstr (clean, ==, "été et hiver !");
}

static gboolean
ascii_letters_only (gunichar c, gpointer user_data)
{
  (void) user_data;
  return c == ' ' || (c < 0x80 && g_ascii_isalpha ((char) c));
}

static void
test_corpus_sample (void)
{
  g_autoptr (LecternCorpus) corpus = make_corpus ();
  LecternRng a, b;
  gboolean saw_accent = FALSE;

  g_assert_cmpuint (lectern_corpus_get_n_paragraphs (corpus), ==, 5);
  g_assert_cmpuint (lectern_corpus_get_n_words (corpus), ==, 10);
  lectern_rng_init (&a, 17);
  lectern_rng_init (&b, 17);
  for (int i = 0; i < 300; i++)
    {
      g_autofree char *text = lectern_corpus_sample (corpus, &a, NULL, NULL);
      g_autofree char *again = lectern_corpus_sample (corpus, &b, NULL, NULL);
      g_autofree char *nfc = NULL;

      g_assert_nonnull (text);
      g_assert_cmpstr (text, ==, again);           /* the generator alone decides */
      g_assert_true (g_utf8_validate (text, -1, NULL));
      nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
      g_assert_cmpstr (text, ==, nfc);
      g_assert_cmpuint (g_utf8_strlen (text, -1), >=, 1);
      g_assert_cmpuint (g_utf8_strlen (text, -1), <=, LECTERN_CORPUS_MAX_SAMPLE);
      g_assert_null (strchr (text, '\n'));
      g_assert_false (g_str_has_prefix (text, " ") || g_str_has_suffix (text, " "));
      g_assert_null (strstr (text, "  "));
      saw_accent = saw_accent || !g_str_is_ascii (text);
    }
  g_assert_true (saw_accent);

  /* A filter (a font's coverage) is obeyed. */
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *text = lectern_corpus_sample (corpus, &a, ascii_letters_only, NULL);
      g_assert_nonnull (text);
      for (const char *p = text; *p; p = g_utf8_next_char (p))
        g_assert_true (ascii_letters_only (g_utf8_get_char (p), NULL));
    }
}

static void
test_corpus_text_file (void)
{
  g_autoptr (LecternCorpus) corpus = lectern_corpus_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lectern-synth-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "text.txt", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.txt", NULL);

  g_assert_true (g_file_set_contents (path, paragraphs, -1, NULL));
  g_assert_true (lectern_corpus_add_text_file (corpus, path, LECTERN_LANGUAGE_FRENCH, 2.0,
                                               &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lectern_corpus_get_n_paragraphs (corpus), ==, 5);

  g_assert_true (g_file_set_contents (bad, "caf\xe9 latin-1\n", -1, NULL));
  g_assert_false (lectern_corpus_add_text_file (corpus, bad, LECTERN_LANGUAGE_FRENCH, 1.0,
                                                &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_false (lectern_corpus_add_text_file (corpus, "/nonexistent/t.txt",
                                                LECTERN_LANGUAGE_FRENCH, 1.0, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);

  g_unlink (path);
  g_unlink (bad);
  g_rmdir (dir);
}

/* ------------------------------------------------------------------------------------------ */
/* Fonts and lines */

static LecternSynthFonts *
load_fonts_or_skip (void)
{
  g_autoptr (GError) error = NULL;
  LecternSynthFonts *fonts = lectern_synth_fonts_new (NULL, NULL, &error);
  if (fonts == NULL)
    {
      g_autofree char *message = g_strdup_printf ("no handwriting font installed: %s",
                                                  error->message);
      g_test_skip (message);
    }
  return fonts;
}

static void
test_fonts_select (void)
{
  g_autoptr (LecternSynthFonts) fonts = load_fonts_or_skip ();
  g_autoptr (GError) error = NULL;
  guint n, n_val = 0;

  if (fonts == NULL)
    return;
  n = lectern_synth_fonts_get_n_fonts (fonts);
  g_assert_cmpuint (n, >, 0);

  /* "train" and "val" split the installed fonts in two disjoint sets. */
  for (guint i = 0; i < n; i++)
    n_val += lectern_synth_fonts_is_validation (fonts, i);
  if (n_val > 0)
    {
      g_assert_true (lectern_synth_fonts_select (fonts, "val", &error));
      g_assert_no_error (error);
      for (guint i = 0; i < n; i++)
        g_assert_cmpint (lectern_synth_fonts_is_selected (fonts, i), ==,
                         lectern_synth_fonts_is_validation (fonts, i));
    }
  if (n_val < n)
    {
      g_assert_true (lectern_synth_fonts_select (fonts, "train", &error));
      g_assert_no_error (error);
      for (guint i = 0; i < n; i++)
        g_assert_cmpint (lectern_synth_fonts_is_selected (fonts, i), ==,
                         !lectern_synth_fonts_is_validation (fonts, i));
    }
  for (const char *const *family = lectern_synth_validation_families (); *family; family++)
    {
      int index = lectern_synth_fonts_find (fonts, *family);
      if (index >= 0)
        g_assert_true (lectern_synth_fonts_is_validation (fonts, index));
    }

  /* A list of names, case-insensitive; an unknown name is an error that names it. */
  {
    g_autofree char *upper = g_ascii_strup (lectern_synth_fonts_get_family (fonts, 0), -1);
    g_autofree char *spec = g_strdup_printf (" %s ,", upper);
    g_assert_true (lectern_synth_fonts_select (fonts, spec, &error));
    g_assert_no_error (error);
    g_assert_true (lectern_synth_fonts_is_selected (fonts, 0));
    for (guint i = 1; i < n; i++)
      g_assert_false (lectern_synth_fonts_is_selected (fonts, i));
  }
  g_assert_false (lectern_synth_fonts_select (fonts, "No Such Hand", &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "No Such Hand"));
  g_clear_error (&error);
  g_assert_false (lectern_synth_fonts_select (fonts, ",", &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
}

static void
test_fonts_bad_dirs (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lectern-synth-XXXXXX", NULL);
  g_autofree char *woff = g_build_filename (dir, "hand-latin-400-normal.woff2", NULL);
  const char *missing[] = { "/nonexistent/fonts", NULL };
  const char *woff_only[] = { dir, NULL };
  g_autoptr (LecternSynthFonts) fonts = NULL;

  fonts = lectern_synth_fonts_new (missing, NULL, &error);
  g_assert_null (fonts);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);
  g_clear_error (&error);

  /* Pango cannot draw WOFF files: say so rather than silently drawing nothing. */
  g_assert_true (g_file_set_contents (woff, "wOF2", -1, NULL));
  fonts = lectern_synth_fonts_new (woff_only, NULL, &error);
  g_assert_null (fonts);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "fetch-fonts"));

  g_unlink (woff);
  g_rmdir (dir);
}

/* Checks one rendered line: sizes, text, coverage. */
static void
check_line (const LecternSynthFonts *fonts, const LecternSynthLine *line, int height)
{
  g_autofree char *nfc = NULL;
  int index;

  g_assert_nonnull (line->image);
  g_assert_nonnull (line->text);
  g_assert_nonnull (line->font);
  if (height > 0)
    g_assert_cmpint (line->image->height, ==, height);
  else
    {
      g_assert_cmpint (line->image->height, >=, LECTERN_SYNTH_MIN_HEIGHT);
      g_assert_cmpint (line->image->height, <=, LECTERN_SYNTH_MAX_HEIGHT);
    }
  g_assert_cmpint (line->image->width, >=, 8);
  g_assert_cmpint (line->image->width, <=, LECTERN_SYNTH_MAX_WIDTH);

  /* Ink dark on light: the median is paper, the darkest pixels are well below it. */
  {
    guint histogram[256] = { 0 };
    gsize n = (gsize) line->image->width * line->image->height, seen = 0;
    int median = 0, darkest = 255;
    for (gsize i = 0; i < n; i++)
      {
        histogram[line->image->pixels[i]]++;
        darkest = MIN (darkest, line->image->pixels[i]);
      }
    for (median = 0; median < 256 && (seen += histogram[median]) < n / 2; median++)
      ;
    g_assert_cmpint (darkest + 30, <, median);
  }

  g_assert_cmpuint (strlen (line->text), >, 0);
  g_assert_null (strchr (line->text, '\n'));
  nfc = g_utf8_normalize (line->text, -1, G_NORMALIZE_NFC);
  g_assert_cmpstr (line->text, ==, nfc);

  index = lectern_synth_fonts_find (fonts, line->font);
  g_assert_cmpint (index, >=, 0);
  g_assert_true (lectern_synth_fonts_is_selected (fonts, index));
  for (const char *p = line->text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (!lectern_synth_fonts_has_char (fonts, index, c))
        g_error ("“%s” in %s has U+%04X, which the font lacks", line->text, line->font, c);
      if (lectern_synth_fonts_is_caps_only (fonts, index))
        g_assert_false (g_unichar_islower (c));
    }
}

static void
test_render_lines (void)
{
  g_autoptr (LecternSynthFonts) fonts = load_fonts_or_skip ();
  g_autoptr (LecternCorpus) corpus = NULL;
  g_autoptr (LecternSynthRenderer) renderer = NULL;
  LecternSynthOptions options = { .seed = 5 };
  g_autoptr (GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (fonts == NULL)
    return;
  corpus = make_corpus ();
  g_assert_true (lectern_synth_fonts_select (fonts, "all", NULL));
  renderer = lectern_synth_renderer_new (fonts, corpus, &options);
  for (guint64 i = 0; i < 40; i++)
    {
      LecternSynthLine line;
      g_autoptr (GError) error = NULL;
      g_assert_true (lectern_synth_renderer_render (renderer, i, &line, &error));
      g_assert_no_error (error);
      check_line (fonts, &line, 0);
      g_hash_table_add (used, g_strdup (line.font));
      lectern_synth_line_clear (&line);
    }
  /* The fonts vary from line to line. */
  if (lectern_synth_fonts_get_n_fonts (fonts) >= 4)
    g_assert_cmpuint (g_hash_table_size (used), >=, 4);
}

/* Every font alone, with text full of accents: a font that lacks é must get text without it. */
static void
test_render_each_font (void)
{
  g_autoptr (LecternSynthFonts) fonts = load_fonts_or_skip ();
  g_autoptr (LecternCorpus) corpus = NULL;

  if (fonts == NULL)
    return;
  corpus = make_corpus ();
  for (guint f = 0; f < lectern_synth_fonts_get_n_fonts (fonts); f++)
    {
      g_autoptr (LecternSynthRenderer) renderer = NULL;
      LecternSynthOptions options = { .seed = 11, .height = 48 };
      g_assert_true (lectern_synth_fonts_select (fonts, lectern_synth_fonts_get_family (fonts, f),
                                                 NULL));
      renderer = lectern_synth_renderer_new (fonts, corpus, &options);
      for (guint64 i = 0; i < 3; i++)
        {
          LecternSynthLine line;
          g_autoptr (GError) error = NULL;
          g_assert_true (lectern_synth_renderer_render (renderer, i, &line, &error));
          g_assert_no_error (error);
          g_assert_cmpstr (line.font, ==, lectern_synth_fonts_get_family (fonts, f));
          check_line (fonts, &line, 48);
          lectern_synth_line_clear (&line);
        }
    }
}

static void
test_render_deterministic (void)
{
  g_autoptr (LecternSynthFonts) fonts = load_fonts_or_skip ();
  g_autoptr (LecternCorpus) corpus = NULL;
  LecternSynthOptions options = { .seed = 77 };
  g_autoptr (LecternSynthRenderer) first = NULL;
  g_autoptr (LecternSynthRenderer) second = NULL;
  gboolean any_differs = FALSE;

  if (fonts == NULL)
    return;
  corpus = make_corpus ();
  g_assert_true (lectern_synth_fonts_select (fonts, "all", NULL));
  first = lectern_synth_renderer_new (fonts, corpus, &options);
  second = lectern_synth_renderer_new (fonts, corpus, &options);

  /* Line 6 is the same whether the renderer drew other lines before it or not. */
  for (guint64 i = 0; i < 6; i++)
    {
      LecternSynthLine line;
      g_assert_true (lectern_synth_renderer_render (first, i, &line, NULL));
      lectern_synth_line_clear (&line);
    }
  {
    LecternSynthLine a, b, c;
    g_assert_true (lectern_synth_renderer_render (first, 6, &a, NULL));
    g_assert_true (lectern_synth_renderer_render (second, 6, &b, NULL));
    g_assert_cmpstr (a.text, ==, b.text);
    g_assert_cmpstr (a.font, ==, b.font);
    g_assert_cmpint (a.image->width, ==, b.image->width);
    g_assert_cmpint (a.image->height, ==, b.image->height);
    g_assert_cmpmem (a.image->pixels, (gsize) a.image->width * a.image->height,
                     b.image->pixels, (gsize) b.image->width * b.image->height);
    /* Another seed gives another line. */
    {
      LecternSynthOptions other = { .seed = 78 };
      g_autoptr (LecternSynthRenderer) third = lectern_synth_renderer_new (fonts, corpus, &other);
      g_assert_true (lectern_synth_renderer_render (third, 6, &c, NULL));
      any_differs = g_strcmp0 (a.text, c.text) != 0 || a.image->width != c.image->width
                    || memcmp (a.image->pixels, c.image->pixels,
                               MIN ((gsize) a.image->width * a.image->height,
                                    (gsize) c.image->width * c.image->height)) != 0;
      lectern_synth_line_clear (&c);
    }
    lectern_synth_line_clear (&a);
    lectern_synth_line_clear (&b);
  }
  g_assert_true (any_differs);
}

/* Several threads drawing at once, each with its own renderer as synth.h asks. Cairo gives all
 * of them the same scaled fonts and one glyph cache; without the engine's font lock, `synth` on
 * two threads corrupted the heap (free(): corrupted unsorted chunks) after some 1500 lines,
 * once the cache was full and evicting. A race is caught by chance, not proved absent: lines
 * 16 px high in Pango fonts only make text most of the work, and more threads than cores get
 * preempted inside cairo. Without the lock, this test crashed or hung in cairo's locks in three
 * runs of four on a busy two-core machine. Every line must also be the one a single renderer
 * draws alone: a glyph freed under a thread would change its pixels. */
#define SHARED_LINES 4000
#define SHARED_THREADS 8

typedef struct {
  const LecternSynthFonts   *fonts;
  const LecternCorpus       *corpus;
  const LecternSynthOptions *options;
  gint                       next;
  char                      *digests[SHARED_LINES];   /* of font, text, size and pixels */
} SharedRender;

static char *
line_digest (const LecternSynthLine *line)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gint32 size[2] = { line->image->width, line->image->height };

  g_checksum_update (checksum, (const guchar *) line->font, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) line->text, -1);
  g_checksum_update (checksum, (const guchar *) size, sizeof size);
  g_checksum_update (checksum, line->image->pixels, (gssize) size[0] * size[1]);
  return g_strdup (g_checksum_get_string (checksum));
}

static gpointer
shared_render_thread (gpointer data)
{
  SharedRender *job = data;
  g_autoptr (LecternSynthRenderer) renderer = lectern_synth_renderer_new (job->fonts, job->corpus,
                                                                          job->options);
  for (;;)
    {
      gint index = g_atomic_int_add (&job->next, 1);
      LecternSynthLine line;
      g_autoptr (GError) error = NULL;
      int font;

      if (index >= SHARED_LINES)
        break;
      g_assert_true (lectern_synth_renderer_render (renderer, (guint64) index, &line, &error));
      g_assert_no_error (error);
      /* Too small for check_line's contrast test, which other tests make. */
      g_assert_cmpint (line.image->height, ==, job->options->height);
      g_assert_cmpint (line.image->width, >=, 1);
      g_assert_cmpuint (strlen (line.text), >, 0);
      font = lectern_synth_fonts_find (job->fonts, line.font);
      g_assert_cmpint (font, >=, 0);
      g_assert_true (lectern_synth_fonts_is_selected (job->fonts, (guint) font));
      job->digests[index] = line_digest (&line);
      lectern_synth_line_clear (&line);
    }
  return NULL;
}

static void
test_render_threads_share_fonts (void)
{
  g_autoptr (LecternSynthFonts) fonts = load_fonts_or_skip ();
  g_autoptr (LecternCorpus) corpus = NULL;
  g_autoptr (LecternSynthRenderer) alone = NULL;
  LecternSynthOptions options = { .seed = 41, .height = 16, .max_width = 400 };
  SharedRender job = { 0 };
  GThread *threads[SHARED_THREADS];
  g_autoptr (GString) pango_fonts = g_string_new (NULL);

  if (fonts == NULL)
    return;
  /* Hershey fonts are drawn without cairo's fonts: leave them out. */
  for (guint i = 0; i < lectern_synth_fonts_get_n_fonts (fonts); i++)
    if (g_strcmp0 (lectern_synth_fonts_get_origin (fonts, i), "hershey") != 0)
      g_string_append_printf (pango_fonts, "%s,", lectern_synth_fonts_get_family (fonts, i));
  if (pango_fonts->len == 0)
    {
      g_test_skip ("only Hershey fonts are installed: no cairo font is shared");
      return;
    }
  g_assert_true (lectern_synth_fonts_select (fonts, pango_fonts->str, NULL));
  corpus = make_corpus ();
  job.fonts = fonts;
  job.corpus = corpus;
  job.options = &options;
  for (guint t = 0; t < SHARED_THREADS; t++)
    threads[t] = g_thread_new ("render", shared_render_thread, &job);
  for (guint t = 0; t < SHARED_THREADS; t++)
    g_thread_join (threads[t]);

  /* One line in sixteen drawn again on this thread alone, after the others are done. */
  alone = lectern_synth_renderer_new (fonts, corpus, &options);
  for (guint i = 0; i < SHARED_LINES; i++)
    {
      g_assert_nonnull (job.digests[i]);
      if (i % 16 == 3)
        {
          LecternSynthLine line;
          g_autofree char *digest = NULL;
          g_assert_true (lectern_synth_renderer_render (alone, i, &line, NULL));
          digest = line_digest (&line);
          g_assert_cmpstr (digest, ==, job.digests[i]);
          lectern_synth_line_clear (&line);
        }
      g_free (job.digests[i]);
    }
}

static GHashTable *
read_folder (const char *dir)
{
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_bytes_unref);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      char *data = NULL;
      gsize length = 0;
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_hash_table_insert (files, g_strdup (name), g_bytes_new_take (data, length));
    }
  return files;
}

static void
count_progress (guint64 done, guint64 total, gpointer user_data)
{
  guint64 *last = user_data;
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, *last);
  *last = done;
}

static void
test_write_threads (void)
{
  g_autoptr (LecternSynthFonts) fonts = load_fonts_or_skip ();
  g_autoptr (LecternCorpus) corpus = NULL;
  g_autofree char *base = g_dir_make_tmp ("lectern-synth-XXXXXX", NULL);
  g_autofree char *one = g_build_filename (base, "one", NULL);
  g_autofree char *two = g_build_filename (base, "two", NULL);
  g_autoptr (GHashTable) files_one = NULL;
  g_autoptr (GHashTable) files_two = NULL;
  LecternSynthOptions options = { .seed = 3 };
  g_autoptr (GError) error = NULL;
  GHashTableIter iter;
  gpointer name, bytes;
  guint64 last = 0;
  const guint64 count = 12;

  if (fonts == NULL)
    return;
  corpus = make_corpus ();
  g_assert_true (lectern_synth_write (fonts, corpus, &options, one, count, 1, NULL,
                                      count_progress, &last, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last, ==, count);
  g_assert_true (lectern_synth_write (fonts, corpus, &options, two, count, 2, NULL, NULL, NULL,
                                      &error));
  g_assert_no_error (error);

  files_one = read_folder (one);
  files_two = read_folder (two);
  g_assert_cmpuint (g_hash_table_size (files_one), ==, 2 * count);
  g_assert_cmpuint (g_hash_table_size (files_two), ==, 2 * count);
  g_hash_table_iter_init (&iter, files_one);
  while (g_hash_table_iter_next (&iter, &name, &bytes))
    {
      GBytes *other = g_hash_table_lookup (files_two, name);
      g_assert_nonnull (other);
      g_assert_true (g_bytes_equal (bytes, other));
    }

  /* The pair of the first line: an 8-bit grey PNG and its one-line text. */
  {
    g_autofree char *png = g_build_filename (one, "000000.png", NULL);
    g_autoptr (LecternImage) image = lectern_image_load (png, &error);
    GBytes *gt = g_hash_table_lookup (files_one, "000000.gt.txt");
    gsize length = 0;
    const char *text = g_bytes_get_data (gt, &length);
    const guint8 *head = g_bytes_get_data (g_hash_table_lookup (files_one, "000000.png"), NULL);

    g_assert_no_error (error);
    g_assert_nonnull (image);
    g_assert_cmpint (image->height, >=, LECTERN_SYNTH_MIN_HEIGHT);
    /* IHDR: bit depth 8 at byte 24, colour type 0 (grey) at byte 25. */
    g_assert_cmpint (head[24], ==, 8);
    g_assert_cmpint (head[25], ==, 0);
    g_assert_cmpuint (length, >, 1);
    g_assert_cmpint (text[length - 1], ==, '\n');
    g_assert_null (memchr (text, '\n', length - 1));
  }

  lectern_test_remove_tree (one);
  lectern_test_remove_tree (two);
  g_rmdir (base);
}

static void
test_system_corpus (void)
{
  g_autoptr (LecternCorpus) corpus = lectern_corpus_new ();
  guint n = lectern_corpus_add_system_sources (corpus);
  LecternRng rng;

  if (n == 0)
    {
      g_test_skip ("none of the Debian text packages of scripts/deps.txt is installed");
      return;
    }
  g_assert_cmpuint (lectern_corpus_get_n_paragraphs (corpus) + lectern_corpus_get_n_words (corpus),
                    >, 1000);
  lectern_rng_init (&rng, 1);
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *text = lectern_corpus_sample (corpus, &rng, NULL, NULL);
      g_assert_nonnull (text);
      /* Markup of man pages and transcriptions never reaches a line. */
      g_assert_null (strpbrk (text, "<>|\\`~^_{}@\n"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Synth/hershey-parse", test_hershey_parse);
  g_test_add_func ("/Lectern/Synth/hershey-bad-input", test_hershey_bad_input);
  g_test_add_func ("/Lectern/Synth/hershey-installed", test_hershey_installed);
  g_test_add_func ("/Lectern/Synth/hershey-missing-file", test_hershey_missing_file);
  g_test_add_func ("/Lectern/Synth/corpus-clean", test_corpus_clean);
  g_test_add_func ("/Lectern/Synth/corpus-sample", test_corpus_sample);
  g_test_add_func ("/Lectern/Synth/corpus-text-file", test_corpus_text_file);
  g_test_add_func ("/Lectern/Synth/system-corpus", test_system_corpus);
  g_test_add_func ("/Lectern/Synth/fonts-select", test_fonts_select);
  g_test_add_func ("/Lectern/Synth/fonts-bad-dirs", test_fonts_bad_dirs);
  g_test_add_func ("/Lectern/Synth/render-lines", test_render_lines);
  g_test_add_func ("/Lectern/Synth/render-each-font", test_render_each_font);
  g_test_add_func ("/Lectern/Synth/render-deterministic", test_render_deterministic);
  g_test_add_func ("/Lectern/Synth/write-threads", test_write_threads);
  g_test_add_func ("/Lectern/Synth/render-threads-share-fonts",
                   test_render_threads_share_fonts);
  return g_test_run ();
}
