/* test-lm.c — the character n-gram model: normalisation in every context, agreement with a
 * direct evaluation of the interpolated modified Kneser-Ney formulas, perplexity in and out of
 * domain, bit-exact file round trip, damaged files, and the lexicon. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "error.h"
#include "lm.h"
#include "rng.h"
#include "testutil.h"

static const char *const small_corpus[] = {
  "le chat est sur le toit, le chien est dans la cour.",
  "la cour est grande et le toit est rouge; le chat dort.",
  "Monsieur le curé de la paroisse a écrit au chapitre.",
  "aaaa abab baba",
  "x",
};

static LecternLm *
build (const char *const *texts, gsize n, int order)
{
  g_autoptr(LecternLmBuilder) b = lectern_lm_builder_new (order);
  for (gsize i = 0; i < n; i++)
    lectern_lm_builder_add_text (b, texts[i], -1);
  g_autoptr(GError) error = NULL;
  LecternLm *lm = lectern_lm_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lm);
  return lm;
}

static double
total_probability (const LecternLm *lm, LecternLmState state)
{
  double sum = 0;
  for (guint s = 0; s < lectern_lm_vocab_size (lm); s++)
    sum += exp (lectern_lm_log_prob (lm, state, (int) s, NULL));
  return sum;
}

/* Every state reached while reading the corpus, and text it never saw, gives a distribution
 * over the vocabulary (unknown symbol included) that sums to one. */
static void
test_normalised (void)
{
  for (int order = 1; order <= 7; order += 2)
    {
      g_autoptr(LecternLm) lm = build (small_corpus, G_N_ELEMENTS (small_corpus), order);
      g_assert_cmpint (lectern_lm_order (lm), ==, order);
      const char *probes[] = { small_corpus[0], small_corpus[2], "zzq le chat ~ est", "" };
      for (gsize i = 0; i < G_N_ELEMENTS (probes); i++)
        {
          LecternLmState state = lectern_lm_start (lm);
          g_assert_cmpfloat (fabs (total_probability (lm, state) - 1.0), <, 1e-5);
          for (const char *p = probes[i]; *p != '\0'; p = g_utf8_next_char (p))
            {
              int sym = lectern_lm_symbol (lm, g_utf8_get_char (p));
              double lp = lectern_lm_log_prob (lm, state, sym, &state);
              g_assert_true (isfinite (lp) && lp < 0);
              g_assert_cmpfloat (fabs (total_probability (lm, state) - 1.0), <, 1e-5);
            }
        }
    }
}

/* ---- a direct evaluation of interpolated modified Kneser-Ney from n-gram strings ---- */

typedef struct {
  int         order;
  guint       vocab;
  GHashTable *adjusted;      /* n-gram (UTF-8) → adjusted count */
  GHashTable *context_sum;   /* history → sum of adjusted counts of its extensions */
  GHashTable *context_mass;  /* history → sum of discounts of its extensions (as double*) */
  double      d[16][4];
} ReferenceKn;

static char *
ucs4_key (const gunichar *s, int n)
{
  return g_ucs4_to_utf8 (s, n, NULL, NULL, NULL);
}

static void
add_count (GHashTable *t, const char *key, double v)
{
  double *slot = g_hash_table_lookup (t, key);
  if (slot == NULL)
    {
      slot = g_new0 (double, 1);
      g_hash_table_insert (t, g_strdup (key), slot);
    }
  *slot += v;
}

static double
get_count (GHashTable *t, const char *key)
{
  double *slot = g_hash_table_lookup (t, key);
  return slot != NULL ? *slot : 0;
}

static double
discount (const ReferenceKn *kn, int k, double a)
{
  return kn->d[k][a >= 3 ? 3 : (int) a];
}

static void
reference_init (ReferenceKn *kn, const char *const *texts, gsize n_texts, int order, guint vocab)
{
  kn->order = order;
  kn->vocab = vocab;
  kn->adjusted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  kn->context_sum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  kn->context_mass = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) raw = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) starts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (gsize t = 0; t < n_texts; t++)
    {
      glong len;
      g_autofree gunichar *u = g_utf8_to_ucs4_fast (texts[t], -1, &len);
      for (int k = 1; k <= order; k++)
        for (glong i = 0; i + k <= len; i++)
          {
            g_autofree char *key = ucs4_key (u + i, k);
            add_count (raw, key, 1);
            if (i == 0)
              g_hash_table_add (starts, g_strdup (key));
          }
    }
  /* adjusted counts: raw at the top order; below, distinct left neighbours (+1 at a start) */
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, raw);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      glong k = g_utf8_strlen (key, -1);
      if (k == order)
        add_count (kn->adjusted, key, *(double *) value);
      if (k >= 2)
        add_count (kn->adjusted, g_utf8_next_char ((const char *) key), 1);
      if (k < order && g_hash_table_contains (starts, key))
        add_count (kn->adjusted, key, 1);
    }
  /* discounts per order from counts of counts */
  double coc[16][5] = { { 0 } };
  g_hash_table_iter_init (&it, kn->adjusted);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      double a = *(double *) value;
      if (a <= 4)
        coc[g_utf8_strlen (key, -1)][(int) a]++;
    }
  for (int k = 1; k <= order; k++)
    {
      double *n = coc[k];
      double y = n[1] / (n[1] + 2 * n[2]);
      const double fallback[4] = { 0, 0.5, 1.0, 1.5 };
      for (int i = 1; i <= 3; i++)
        {
          double d = (n[i] == 0 || n[i + 1] == 0) ? fallback[i] : i - (i + 1) * y * n[i + 1] / n[i];
          kn->d[k][i] = CLAMP (d, 0.05, i - 0.05);
        }
    }
  g_hash_table_iter_init (&it, kn->adjusted);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      glong k = g_utf8_strlen (key, -1);
      const char *last = g_utf8_offset_to_pointer (key, k - 1);
      g_autofree char *history = g_strndup (key, last - (const char *) key);
      double a = *(double *) value;
      add_count (kn->context_sum, history, a);
      add_count (kn->context_mass, history, discount (kn, (int) k, a));
    }
}

static void
reference_clear (ReferenceKn *kn)
{
  g_hash_table_unref (kn->adjusted);
  g_hash_table_unref (kn->context_sum);
  g_hash_table_unref (kn->context_mass);
}

/* P(w | history), history as UTF-8 of at most order-1 characters */
static double
reference_prob (const ReferenceKn *kn, const char *history, gunichar w)
{
  glong hl = g_utf8_strlen (history, -1);
  const char *shorter = hl > 0 ? g_utf8_next_char (history) : NULL;
  double lower = hl == 0 ? 1.0 / kn->vocab : reference_prob (kn, shorter, w);
  double sum = get_count (kn->context_sum, history);
  if (sum == 0)
    return lower;
  char wbuf[8] = { 0 };
  g_unichar_to_utf8 (w, wbuf);
  g_autofree char *ngram = g_strconcat (history, wbuf, NULL);
  double a = get_count (kn->adjusted, ngram);
  double gamma = get_count (kn->context_mass, history) / sum;
  double p = gamma * lower;
  if (a > 0)
    p += (a - discount (kn, (int) hl + 1, a)) / sum;
  return p;
}

static void
test_matches_reference (void)
{
  const int order = 4;
  g_autoptr(LecternLm) lm = build (small_corpus, G_N_ELEMENTS (small_corpus), order);
  ReferenceKn kn;
  reference_init (&kn, small_corpus, G_N_ELEMENTS (small_corpus), order,
                  lectern_lm_vocab_size (lm));
  const char *probe = "le chat dort sur la cour; Monsieur le curé zz aaab";
  glong len;
  g_autofree gunichar *u = g_utf8_to_ucs4_fast (probe, -1, &len);
  LecternLmState state = lectern_lm_start (lm);
  double worst = 0;
  for (glong i = 0; i <= len; i++)
    {
      glong from = MAX (0, i - (order - 1));
      g_autofree char *history = ucs4_key (u + from, (int) (i - from));
      for (guint s = 1; s < lectern_lm_vocab_size (lm); s++)
        {
          double want = log (reference_prob (&kn, history, lectern_lm_symbol_char (lm, (int) s)));
          double got = lectern_lm_log_prob (lm, state, (int) s, NULL);
          worst = MAX (worst, fabs (got - want));
        }
      if (i < len)
        lectern_lm_log_prob (lm, state, lectern_lm_symbol (lm, u[i]), &state);
    }
  reference_clear (&kn);
  g_test_message ("largest |ln P| difference from the direct formulas: %.3g", worst);
  /* stored as float: about 1e-7 relative on values of a few units */
  g_assert_cmpfloat (worst, <, 1e-5);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A model of French transcriptions predicts held-out French lines better than English and
 * Spanish ones. */
static void
test_perplexity (void)
{
  g_autofree char *train_dir = lectern_test_shared_path ("data", "train", "cremma-mss19", NULL);
  if (train_dir == NULL)
    return;
  g_autofree char *english = lectern_test_shared_path ("data", "real", "uw3-lines", "train", NULL);
  if (english == NULL)
    return;

  /* the lines in file-name order, so the held-out set is the same on every run */
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (train_dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".gt.txt"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (train_dir, names->pdata[i], NULL);
      char *text = NULL;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_ptr_array_add (lines, text);
    }
  g_assert_cmpuint (lines->len, >, 200);

  g_autoptr(LecternLmBuilder) b = lectern_lm_builder_new (LECTERN_LM_DEFAULT_ORDER);
  for (guint i = 0; i < lines->len; i++)
    if (i % 20 != 0)
      lectern_lm_builder_add_text (b, lines->pdata[i], -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternLm) lm = lectern_lm_builder_finish (b, &error);
  g_assert_no_error (error);

  double lp_in = 0;
  guint64 n_in = 0;
  for (guint i = 0; i < lines->len; i += 20)
    {
      guint64 n;
      lp_in += lectern_lm_text_log_prob (lm, lines->pdata[i], &n);
      n_in += n;
    }

  double lp_out = 0;
  guint64 n_out = 0;
  g_autoptr(GDir) edir = g_dir_open (english, 0, NULL);
  while ((name = g_dir_read_name (edir)) != NULL)
    if (g_str_has_suffix (name, ".gt.txt"))
      {
        g_autofree char *path = g_build_filename (english, name, NULL);
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
        guint64 n;
        lp_out += lectern_lm_text_log_prob (lm, text, &n);
        n_out += n;
      }
  g_assert_cmpuint (n_in, >, 1000);
  g_assert_cmpuint (n_out, >, 1000);
  double ppl_in = exp (-lp_in / n_in), ppl_out = exp (-lp_out / n_out);
  g_test_message ("perplexity: held-out French %.2f (%" G_GUINT64_FORMAT " chars), "
                  "English %.2f (%" G_GUINT64_FORMAT " chars)", ppl_in, n_in, ppl_out, n_out);
  g_assert_cmpfloat (ppl_in, <, ppl_out);
  /* far better than the uniform distribution over the vocabulary */
  g_assert_cmpfloat (ppl_in, <, lectern_lm_vocab_size (lm) / 4.0);
}

static void
test_round_trip (void)
{
  g_autoptr(LecternLm) lm = build (small_corpus, G_N_ELEMENTS (small_corpus), 5);
  g_autoptr(GBytes) bytes = lectern_lm_serialize (lm);

  g_autofree char *dir = g_dir_make_tmp ("lectern-lm-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.lm", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (lectern_lm_save (lm, path, &error));
  g_assert_no_error (error);
  g_autoptr(LecternLm) loaded = lectern_lm_load (path, &error);
  g_assert_no_error (error);
  g_autoptr(GBytes) again = lectern_lm_serialize (loaded);
  g_assert_true (g_bytes_equal (bytes, again));

  g_assert_cmpint (lectern_lm_order (loaded), ==, 5);
  g_assert_cmpuint (lectern_lm_vocab_size (loaded), ==, lectern_lm_vocab_size (lm));
  for (int k = 1; k <= 5; k++)
    g_assert_cmpuint (lectern_lm_n_ngrams (loaded, k), ==, lectern_lm_n_ngrams (lm, k));
  /* every query bit-identical */
  LecternLmState s1 = lectern_lm_start (lm), s2 = lectern_lm_start (loaded);
  for (const char *p = small_corpus[1]; *p != '\0'; p = g_utf8_next_char (p))
    {
      for (guint s = 0; s < lectern_lm_vocab_size (lm); s++)
        g_assert_true (lectern_lm_log_prob (lm, s1, (int) s, NULL) ==
                       lectern_lm_log_prob (loaded, s2, (int) s, NULL));
      int sym = lectern_lm_symbol (lm, g_utf8_get_char (p));
      lectern_lm_log_prob (lm, s1, sym, &s1);
      lectern_lm_log_prob (loaded, s2, sym, &s2);
      g_assert_cmpuint (s1, ==, s2);
    }
  g_unlink (path);
  g_rmdir (dir);
}

static guint32
crc32_ref (const guint8 *data, gsize len)
{
  guint32 c = 0xFFFFFFFFu;
  for (gsize i = 0; i < len; i++)
    {
      c ^= data[i];
      for (int k = 0; k < 8; k++)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
  return c ^ 0xFFFFFFFFu;
}

static void
fix_checksum (guint8 *data, gsize size)
{
  guint32 crc = GUINT32_TO_LE (crc32_ref (data, size - 4));
  memcpy (data + size - 4, &crc, 4);
}

static void
expect_load_error (const guint8 *data, gsize size, int code)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  LecternLm *lm = lectern_lm_load_bytes (bytes, "broken.lm", &error);
  g_assert_null (lm);
  g_assert_error (error, LECTERN_ERROR, code);
  g_assert_nonnull (strstr (error->message, "broken.lm"));
}

static void
test_bad_files (void)
{
  g_autoptr(LecternLm) lm = build (small_corpus, G_N_ELEMENTS (small_corpus), 3);
  g_autoptr(GBytes) bytes = lectern_lm_serialize (lm);
  gsize size;
  const guint8 *good = g_bytes_get_data (bytes, &size);
  g_autofree guint8 *data = g_memdup2 (good, size);

  /* every truncation */
  for (gsize len = 0; len < size; len++)
    expect_load_error (good, len, LECTERN_ERROR_FORMAT);
  /* trailing garbage */
  g_autofree guint8 *longer = g_malloc0 (size + 3);
  memcpy (longer, good, size);
  expect_load_error (longer, size + 3, LECTERN_ERROR_FORMAT);
  /* any flipped byte after the version (a changed version reads as a future format): the
   * checksum or the structure checks catch it */
  for (gsize at = 12; at < size; at += 7)
    {
      data[at] ^= 0x5A;
      expect_load_error (data, size, LECTERN_ERROR_FORMAT);
      data[at] ^= 0x5A;
    }
  /* not a model, and a future version */
  static const char not_a_model[] = "PK\x03\x04 not a model at all.....";
  expect_load_error ((const guint8 *) not_a_model, sizeof not_a_model - 1, LECTERN_ERROR_FORMAT);
  data[8] = 99;
  expect_load_error (data, size, LECTERN_ERROR_UNSUPPORTED);
  data[8] = good[8];

  /* damage behind a valid checksum: absurd n-gram counts must be refused before allocating */
  guint32 huge = GUINT32_TO_LE (0x10000000u);
  memcpy (data + 24, &huge, 4);                       /* unigram count */
  fix_checksum (data, size);
  expect_load_error (data, size, LECTERN_ERROR_FORMAT);
  huge = GUINT32_TO_LE (0x7FFFFFF0u);
  memcpy (data + 28, &huge, 4);                       /* bigram count */
  fix_checksum (data, size);
  expect_load_error (data, size, LECTERN_ERROR_TOO_LARGE);
  memcpy (data, good, size);
  guint32 big_vocab = GUINT32_TO_LE (60000);
  memcpy (data + 16, &big_vocab, 4);                  /* vocabulary size */
  fix_checksum (data, size);
  expect_load_error (data, size, LECTERN_ERROR_FORMAT);
  memcpy (data, good, size);

  /* a symbol out of range, and unsorted siblings, each behind a valid checksum */
  guint32 vocab_bytes;
  memcpy (&vocab_bytes, good + 20, 4);
  gsize symbols = 8 + 4 * 4 + 3 * 4 + ((GUINT32_FROM_LE (vocab_bytes) + 3) & ~3u) + 4;
  guint16 bad_symbol = GUINT16_TO_LE (0xFFFF);
  memcpy (data + symbols, &bad_symbol, 2);
  fix_checksum (data, size);
  expect_load_error (data, size, LECTERN_ERROR_FORMAT);
  memcpy (data, good, size);
  memcpy (data + symbols, good + symbols + 2, 2);     /* first unigram = second: not sorted */
  fix_checksum (data, size);
  expect_load_error (data, size, LECTERN_ERROR_FORMAT);
  memcpy (data, good, size);

  /* the intact copy still loads */
  g_autoptr(GBytes) fine = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternLm) ok = lectern_lm_load_bytes (fine, "fine.lm", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  /* a missing file names itself */
  LecternLm *missing = lectern_lm_load ("/nonexistent/lectern.lm", &error);
  g_assert_null (missing);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/lectern.lm"));
}

static void
test_unknown_and_empty (void)
{
  g_autoptr(LecternLm) lm = build (small_corpus, G_N_ELEMENTS (small_corpus), 3);
  g_assert_cmpint (lectern_lm_symbol (lm, 0x4E2D), ==, 0);     /* 中: never seen */
  g_assert_cmpint (lectern_lm_symbol (lm, 'c'), >, 0);
  g_assert_cmpuint (lectern_lm_symbol_char (lm, lectern_lm_symbol (lm, 'c')), ==, 'c');
  LecternLmState next = 123;
  double lp = lectern_lm_log_prob (lm, lectern_lm_start (lm), 0, &next);
  g_assert_true (isfinite (lp));
  g_assert_cmpuint (next, ==, lectern_lm_start (lm));
  /* a seen character is likelier than the unknown symbol */
  g_assert_cmpfloat (lectern_lm_log_prob (lm, lectern_lm_start (lm), lectern_lm_symbol (lm, 'e'), NULL),
                     >, lp);

  g_autoptr(LecternLmBuilder) b = lectern_lm_builder_new (3);
  lectern_lm_builder_add_text (b, " \t\n ", -1);
  g_assert_cmpuint (lectern_lm_builder_n_chars (b), ==, 0);
  g_autoptr(GError) error = NULL;
  LecternLm *none = lectern_lm_builder_finish (b, &error);
  g_assert_null (none);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
}

static void
test_lexicon (void)
{
  g_autoptr(LecternLexicon) lex = lectern_lexicon_new ();
  guint added = lectern_lexicon_add_text (lex, "Le chat, le CHIEN et l'oiseau; 1696 chats\nécrit", -1);
  /* le, chat, chien, et, l, oiseau, chats, écrit (case-folded, digits and ' separate) */
  g_assert_cmpuint (added, ==, 8);
  g_assert_cmpuint (lectern_lexicon_n_words (lex), ==, 8);
  g_assert_true (lectern_lexicon_contains (lex, "chat"));
  g_assert_true (lectern_lexicon_contains (lex, "Chien"));
  g_assert_true (lectern_lexicon_contains (lex, "e\xcc\x81" "crit"));  /* decomposed é */
  g_assert_false (lectern_lexicon_contains (lex, "cha"));
  g_assert_false (lectern_lexicon_contains (lex, "chatte"));
  g_assert_false (lectern_lexicon_contains (lex, "1696"));
  g_assert_false (lectern_lexicon_contains (lex, ""));

  LecternLexiconNode node = 0;
  const gunichar word[] = { 'C', 'h', 'a', 't', 's' };
  for (gsize i = 0; i < G_N_ELEMENTS (word); i++)
    {
      node = lectern_lexicon_step (lex, node, word[i]);
      g_assert_cmpuint (node, !=, LECTERN_LEXICON_NONE);
      g_assert_cmpint (lectern_lexicon_is_word_end (lex, node), ==, i == 3 || i == 4);
    }
  g_assert_cmpuint (lectern_lexicon_step (lex, node, 'x'), ==, LECTERN_LEXICON_NONE);
  g_assert_cmpuint (lectern_lexicon_step (lex, LECTERN_LEXICON_NONE, 'a'), ==, LECTERN_LEXICON_NONE);

  /* many words: the edge table grows */
  GString *many = g_string_new (NULL);
  for (int i = 0; i < 5000; i++)
    {
      for (int k = i; k > 0; k /= 26)
        g_string_append_c (many, 'a' + k % 26);
      g_string_append_c (many, ' ');
    }
  lectern_lexicon_add_text (lex, many->str, many->len);
  g_string_free (many, TRUE);
  g_assert_true (lectern_lexicon_contains (lex, "bb"));     /* 27 */
  g_assert_true (lectern_lexicon_contains (lex, "chat"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Lm/normalised", test_normalised);
  g_test_add_func ("/Lectern/Lm/matches-reference", test_matches_reference);
  g_test_add_func ("/Lectern/Lm/perplexity", test_perplexity);
  g_test_add_func ("/Lectern/Lm/round-trip", test_round_trip);
  g_test_add_func ("/Lectern/Lm/bad-files", test_bad_files);
  g_test_add_func ("/Lectern/Lm/unknown-and-empty", test_unknown_and_empty);
  g_test_add_func ("/Lectern/Lm/lexicon", test_lexicon);
  return g_test_run ();
}
