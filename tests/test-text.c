/* test-text.c — normalisation, edit distance, CER/WER and ground-truth cleaning, with lines
 * taken from ../shared/data/train and ../shared/data/real. */
#include <string.h>

#include "rng.h"
#include "testutil.h"
#include "text.h"

static void
check_normalize (const char *in, const char *want)
{
  g_autofree char *got = lectern_text_normalize (in, -1);
  g_assert_cmpstr (got, ==, want);
}

static void
test_normalize (void)
{
  check_normalize ("  a\tb\n\nc  ", "a b c");
  check_normalize ("e\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9");          /* e + U+0301 → é */
  check_normalize ("a\xc2\xa0\xc2\xa0" "b", "a b");                    /* no-break spaces */
  check_normalize ("\xef\xbb\xbfhello\x01 world\r\n", "hello world");  /* BOM, control */
  check_normalize ("a\xff" "b", "a\xef\xbf\xbd" "b");                  /* invalid → U+FFFD */
  check_normalize ("", "");
  check_normalize (" \t ", "");
  /* combining marks without a precomposed form stay as they are */
  check_normalize ("d\xcc\x83", "d\xcc\x83");
  g_autofree char *part = lectern_text_normalize ("abc def", 3);
  g_assert_cmpstr (part, ==, "abc");
}

/* full-matrix Levenshtein, the textbook definition, to check the one-row version */
static gsize
naive_distance (const guint32 *a, gsize n, const guint32 *b, gsize m)
{
  gsize *d = g_new (gsize, (n + 1) * (m + 1));
  for (gsize i = 0; i <= n; i++)
    d[i * (m + 1)] = i;
  for (gsize j = 0; j <= m; j++)
    d[j] = j;
  for (gsize i = 1; i <= n; i++)
    for (gsize j = 1; j <= m; j++)
      {
        gsize sub = d[(i - 1) * (m + 1) + j - 1] + (a[i - 1] != b[j - 1]);
        gsize del = d[(i - 1) * (m + 1) + j] + 1;
        gsize ins = d[i * (m + 1) + j - 1] + 1;
        d[i * (m + 1) + j] = MIN (sub, MIN (del, ins));
      }
  gsize r = d[n * (m + 1) + m];
  g_free (d);
  return r;
}

static void
test_edit_distance (void)
{
  g_assert_cmpuint (lectern_text_edit_distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (lectern_text_edit_distance ("", "abc"), ==, 3);
  g_assert_cmpuint (lectern_text_edit_distance ("abc", ""), ==, 3);
  g_assert_cmpuint (lectern_text_edit_distance ("", ""), ==, 0);
  /* one code point each, several bytes each */
  g_assert_cmpuint (lectern_text_edit_distance ("\xc3\xa9t\xc3\xa9", "ete"), ==, 2);
  g_assert_cmpuint (lectern_text_edit_distance ("\xea\x9d\x91", "p"), ==, 1);   /* ꝑ vs p */

  LecternRng rng;
  lectern_rng_init (&rng, 3);
  for (int trial = 0; trial < 300; trial++)
    {
      guint32 a[40], b[40];
      gsize n = lectern_rng_below (&rng, 40), m = lectern_rng_below (&rng, 40);
      for (gsize i = 0; i < n; i++)
        a[i] = lectern_rng_below (&rng, 4);
      for (gsize j = 0; j < m; j++)
        b[j] = lectern_rng_below (&rng, 4);
      gsize want = naive_distance (a, n, b, m);
      g_assert_cmpuint (lectern_edit_distance (a, n, b, m), ==, want);
      g_assert_cmpuint (lectern_edit_distance (b, m, a, n), ==, want);
    }
}

static void
test_error_rates (void)
{
  /* "the cat sat" vs "the hat sat": one character, one word */
  g_assert_cmpfloat_with_epsilon (lectern_text_cer ("the hat sat", "the cat sat"), 1.0 / 11, 1e-12);
  g_assert_cmpfloat_with_epsilon (lectern_text_wer ("the hat sat", "the cat sat"), 1.0 / 3, 1e-12);
  /* whitespace and composition differences are not errors */
  g_assert_cmpfloat (lectern_text_cer ("  caf\x65\xcc\x81\tnoir ", "caf\xc3\xa9 noir"), ==, 0.0);
  g_assert_cmpfloat (lectern_text_cer ("", ""), ==, 0.0);
  g_assert_cmpfloat (lectern_text_cer ("abc", ""), ==, 3.0);
  g_assert_cmpfloat (lectern_text_wer ("a b", "a"), ==, 1.0);

  /* corpus rates are total edits over total reference length, not a mean of line rates */
  LecternErrorCounts counts = { 0 };
  lectern_error_counts_add (&counts, "ab", "abcd");        /* 2 edits / 4 chars */
  lectern_error_counts_add (&counts, "xyz vw", "xyz uw");  /* 1 edit / 6 chars, 1 word / 2 */
  g_assert_cmpuint (counts.lines, ==, 2);
  g_assert_cmpuint (counts.char_edits, ==, 3);
  g_assert_cmpuint (counts.ref_chars, ==, 10);
  g_assert_cmpuint (counts.word_edits, ==, 2);
  g_assert_cmpuint (counts.ref_words, ==, 3);
  g_assert_cmpfloat_with_epsilon (lectern_error_counts_cer (&counts), 0.3, 1e-12);
  g_assert_cmpfloat_with_epsilon (lectern_error_counts_wer (&counts), 2.0 / 3, 1e-12);
}

static void
check_clean (const char *in, LecternCleanFlags flags, const char *want)
{
  g_autofree char *got = lectern_text_clean_transcription (in, flags);
  g_assert_cmpstr (got, ==, want);
}

/* Lines as they occur in ../shared/data/train (quoted here so the test states its cases). */
static void
test_clean_train_conventions (void)
{
  const LecternCleanFlags D = LECTERN_CLEAN_DEFAULT;
  /* superscript */
  check_clean ("de vous ^re^voir que ie vous entretiendray plus particu-", D,
               "de vous revoir que ie vous entretiendray plus particu-");
  check_clean ("en ce moment - Ils reviennent à 11^h B^d Diderot, on les avait laissé", D,
               "en ce moment - Ils reviennent à 11h Bd Diderot, on les avait laissé");
  check_clean ("2 bonnes^(1) dinons à Paris", D, "2 bonnes(1) dinons à Paris");
  /* struck-through, including a span that runs on to the next line */
  check_clean ("non seulement que je me trouv>asse< là au moment opportun ⋎NECESSAIRE", D,
               "non seulement que je me trouv là au moment opportun ⋎NECESSAIRE");
  check_clean ("Si le temps >& la maniere< eus>sen", D, "Si le temps eus");
  check_clean ("Quelle religion nõ enseignera donc a gairir >nostre< l'orgueil, & >nostre< la concopisc̃", D,
               "Quelle religion nõ enseignera donc a gairir l'orgueil, & la concopisc̃");
  /* illegible and unresolved */
  check_clean ("tache, & luy mesme sacrificateur, devant >< offrir luy mesme >&", D,
               "tache, & luy mesme sacrificateur, devant offrir luy mesme");
  check_clean ("[J'ay receu <> lettre du 10 et a peu prez de", D,
               "[J'ay receu lettre du 10 et a peu prez de");
  check_clean ("famille et mesme<> <> a me de Bon<>", D, "famille et mesme a me de Bon");
  check_clean ("plus parler de rien au sujet de la demande de Pierre de passer au 1^er [???]", D,
               "plus parler de rien au sujet de la demande de Pierre de passer au 1er");
  /* copiste-style struck-out */
  check_clean ("Enfin, l'eau ne remonte pas son courant, ⟦elle descend⟧, l'affection ne", D,
               "Enfin, l'eau ne remonte pas son courant, , l'affection ne");
  /* editorial brackets; single brackets and braces are text */
  check_clean ("[[modestes]] attendre ; et", D, "modestes attendre ; et");
  check_clean ("avoir[[]] prêts a", D, "avoir prêts a");
  check_clean ("[Le mariage de m. de Toroi avec mle de", D, "[Le mariage de m. de Toroi avec mle de");
  check_clean ("{ 30 Juillet 1931, soit 8 mois et 20 jours", D, "{ 30 Juillet 1931, soit 8 mois et 20 jours");
  /* '$' as money is text, even with the Transkribus rules on */
  check_clean ("vingt piastres ($180.00) que vous avez", D, "vingt piastres ($180.00) que vous avez");
  check_clean ("pital de $4.^00", D, "pital de $4.00");
  /* '=' as an equals sign stays; as a hyphen after a letter it becomes '-' */
  check_clean ("LA PENSÉE DE SUN-YAT-SEN : TRIPLE DEMISME =", D,
               "LA PENSÉE DE SUN-YAT-SEN : TRIPLE DEMISME =");
  check_clean ("et le profane = personne non initiée", D, "et le profane = personne non initiée");
  check_clean ("les sacrifi=", D, "les sacrifi-");
  check_clean ("les sacrifi¬ ", D, "les sacrifi-");
  /* insertion signs only on request */
  check_clean ("‸ quil est devant qu Abraham", D, "‸ quil est devant qu Abraham");
  check_clean ("‸ quil est devant ⋎ qu Abraham", D | LECTERN_CLEAN_INSERTION_SIGNS,
               "quil est devant qu Abraham");
  /* no flags: only normalisation */
  check_clean ("M^r  >x< [???]\t", LECTERN_CLEAN_NONE, "M^r >x< [???]");
  /* flags are independent */
  check_clean ("M^r >x<", LECTERN_CLEAN_STRUCK_OUT, "M^r");
  check_clean ("M^r >x<", LECTERN_CLEAN_SUPERSCRIPT_MARKS, "Mr >x<");
}

/* Lines of the kraken-es page (PAGE 2013 from Transkribus). */
static void
test_clean_transkribus (void)
{
  const LecternCleanFlags D = LECTERN_CLEAN_DEFAULT;
  check_clean ("$pag:39", D, "39");
  check_clean ("y el $ofi:Rndo$.Reverendo $ant:Miguel $ant:Carreras $ofi:pbro$.presbítero residente en la", D,
               "y el Rndo Miguel Carreras pbro residente en la");
  check_clean ("Parq.$^l$.Parroquial Igla$.Iglesia de dha$.dicha villa de $top:Canet Padre é, hijo  ", D,
               "Parq.l Igla de dha villa de Canet Padre é, hijo");
  check_clean ("hija y hermana resp.$^e$.respectivamente por todos sus drôs$.derechos de le:$-", D,
               "hija y hermana resp.e por todos sus drôs de le:");
  check_clean ("$-gitima Paterna, Materna y otros de ducientas$.doscientas", D,
               "gitima Paterna, Materna y otros de ducientas");
  check_clean ("$tip:Clausula $tip:hered.$^ria$.hereditaria", D, "Clausula hered.ria");
  check_clean ("$-tuido está dho$.dicho, y despues substituyo, á, $ant:Fran.$^co$.Francisco", D,
               "tuido está dho, y despues substituyo, á, Fran.co");
  /* without the flag the markup is text */
  check_clean ("dho$.dicho", D & ~LECTERN_CLEAN_TRANSKRIBUS_TAGS, "dho$.dicho");
}

static void
test_unread_parts (void)
{
  g_assert_true (lectern_text_has_unread_parts ("au 1^er [???]"));
  g_assert_true (lectern_text_has_unread_parts ("receu <> lettre"));
  g_assert_true (lectern_text_has_unread_parts (">< cherchoyent"));
  g_assert_false (lectern_text_has_unread_parts ("trouv>asse< là"));
  g_assert_false (lectern_text_has_unread_parts ("[Quand ?], elle est chanteuse"));
}

/* Every training line: the default cleaning leaves no markup behind, never grows a line, and
 * leaves lines without markup exactly as normalised. */
static void
test_clean_whole_train_set (void)
{
  g_autofree char *dir = lectern_test_shared_path ("data", "train", NULL);
  if (dir == NULL)
    return;
  g_autoptr(GDir) top = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (top);
  guint n_lines = 0, n_changed = 0;
  const char *sub;
  while ((sub = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *subdir = g_build_filename (dir, sub, NULL);
      if (!g_file_test (subdir, G_FILE_TEST_IS_DIR))
        continue;
      g_autoptr(GDir) d = g_dir_open (subdir, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          if (!g_str_has_suffix (name, ".gt.txt"))
            continue;
          g_autofree char *path = g_build_filename (subdir, name, NULL);
          g_autofree char *text = NULL;
          g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
          g_autofree char *norm = lectern_text_normalize (text, -1);
          g_autofree char *clean = lectern_text_clean_transcription (text, LECTERN_CLEAN_DEFAULT);
          n_lines++;
          g_assert_true (g_utf8_validate (clean, -1, NULL));
          g_assert_cmpuint (strlen (clean), <=, strlen (norm));
          g_assert_null (strchr (clean, '^'));
          g_assert_null (strstr (clean, "[???]"));
          g_assert_null (strstr (clean, "<>"));
          g_assert_null (strstr (clean, "><"));
          g_assert_null (strstr (clean, "[["));
          g_assert_null (strstr (clean, "⟦"));
          /* a '>' left over would be the start of a struck span */
          g_assert_null (strchr (clean, '>'));
          gboolean has_markup = strpbrk (norm, "^<>") != NULL || strstr (norm, "[[") != NULL ||
                                strstr (norm, "[???]") != NULL || strstr (norm, "]]") != NULL || strstr (norm, "⟦") != NULL ||
                                strstr (norm, "¬") != NULL || g_str_has_suffix (norm, "=") ||
                                strstr (norm, "$") != NULL;
          if (!has_markup)
            g_assert_cmpstr (clean, ==, norm);
          else if (g_strcmp0 (clean, norm) != 0)
            n_changed++;
        }
    }
  g_test_message ("%u training lines, %u changed by cleaning", n_lines, n_changed);
  g_assert_cmpuint (n_lines, >, 6000);
  /* about 5% of the lines carry markup (324 when this was written) */
  g_assert_cmpuint (n_changed, >, 250);
}

/* The kraken-es page: no Transkribus markup survives cleaning, money-free text has no '$'. */
static void
test_clean_transkribus_page (void)
{
  g_autofree char *path = lectern_test_shared_path ("data", "real", "kraken-es",
                                                    "170025120000003,0074.xml", NULL);
  if (path == NULL)
    return;
  g_autofree char *xml = NULL;
  g_assert_true (g_file_get_contents (path, &xml, NULL, NULL));
  g_autoptr(GRegex) re = g_regex_new ("<TextLine\\b.*?<Unicode>([^<]*)</Unicode>",
                                      G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint n = 0;
  g_regex_match (re, xml, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *line = g_match_info_fetch (match, 1);
      g_autofree char *clean = lectern_text_clean_transcription (line, LECTERN_CLEAN_DEFAULT);
      g_assert_null (strchr (clean, '$'));
      g_assert_null (strchr (clean, '^'));
      n++;
      g_match_info_next (match, NULL);
    }
  g_assert_cmpuint (n, ==, 44);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Text/normalize", test_normalize);
  g_test_add_func ("/Lectern/Text/edit-distance", test_edit_distance);
  g_test_add_func ("/Lectern/Text/error-rates", test_error_rates);
  g_test_add_func ("/Lectern/Text/clean/train-conventions", test_clean_train_conventions);
  g_test_add_func ("/Lectern/Text/clean/transkribus", test_clean_transkribus);
  g_test_add_func ("/Lectern/Text/clean/whole-train-set", test_clean_whole_train_set);
  g_test_add_func ("/Lectern/Text/clean/transkribus-page", test_clean_transkribus_page);
  g_test_add_func ("/Lectern/Text/unread-parts", test_unread_parts);
  return g_test_run ();
}
