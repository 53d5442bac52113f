/* test-decode.c — the charset, best-path and beam-search decoding: spans and confidences,
 * agreement of the beam with best path and with exhaustive search, language model and lexicon. */
#include <math.h>
#include <string.h>

#include "ctc.h"
#include "decode.h"
#include "error.h"
#include "lm.h"
#include "rng.h"
#include "testutil.h"

/* ---------- charset ---------- */

static LecternCharset *
charset_of (const char *chars)
{
  LecternCharset *cs = lectern_charset_new ();
  for (const char *p = chars; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_cmpint (lectern_charset_add (cs, g_utf8_get_char (p)), >, 0);
  return cs;
}

static void
test_charset_basics (void)
{
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  g_assert_cmpuint (lectern_charset_size (cs), ==, 1);
  g_assert_cmpint (lectern_charset_add (cs, 'a'), ==, 1);
  g_assert_cmpint (lectern_charset_add (cs, 0x00E9), ==, 2);   /* é */
  g_assert_cmpint (lectern_charset_add (cs, 'a'), ==, 1);      /* already there */
  g_assert_cmpint (lectern_charset_add (cs, '\n'), ==, -1);    /* control */
  g_assert_cmpint (lectern_charset_add (cs, 0xD800), ==, -1);  /* surrogate */
  g_assert_cmpint (lectern_charset_add (cs, ' '), ==, 3);
  g_assert_cmpuint (lectern_charset_size (cs), ==, 4);
  g_assert_cmpint (lectern_charset_lookup (cs, 0x00E9), ==, 2);
  g_assert_cmpint (lectern_charset_lookup (cs, 'z'), ==, -1);
  g_assert_cmpuint (lectern_charset_char (cs, 2), ==, 0x00E9);
  g_assert_cmpuint (lectern_charset_char (cs, 0), ==, 0);
  g_assert_cmpuint (lectern_charset_char (cs, 99), ==, 0);

  g_autoptr(LecternCharset) copy = lectern_charset_copy (cs);
  lectern_charset_add (cs, 'q');
  g_assert_cmpuint (lectern_charset_size (copy), ==, 4);
  g_assert_cmpint (lectern_charset_lookup (copy, 'q'), ==, -1);

  int labels[] = { 1, 0, 2, 3, 1, 77, 1 };
  g_autofree char *text = lectern_charset_decode (cs, labels, G_N_ELEMENTS (labels));
  g_assert_cmpstr (text, ==, "a\xc3\xa9 aa");
}

static void
test_charset_serialise (void)
{
  g_autoptr(LecternCharset) cs = charset_of ("ab\xc3\xa9 \xea\x9d\x91\xcc\x83");  /* a b é ␠ ꝑ ◌̃ */
  gsize len;
  g_autofree char *s = lectern_charset_to_string (cs, &len);
  g_assert_cmpuint (len, ==, strlen (s));
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternCharset) back = lectern_charset_from_string (s, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lectern_charset_size (back), ==, lectern_charset_size (cs));
  for (guint c = 1; c < lectern_charset_size (cs); c++)
    g_assert_cmpuint (lectern_charset_char (back, c), ==, lectern_charset_char (cs, c));

  const struct { const char *bytes; gsize len; } bad[] = {
    { "aba", 3 },            /* duplicate */
    { "a\xff" "b", 3 },      /* invalid UTF-8 */
    { "a\tb", 3 },           /* control character */
    { "a\0b", 3 },           /* NUL inside */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      LecternCharset *none = lectern_charset_from_string (bad[i].bytes, bad[i].len, &e);
      g_assert_null (none);
      g_assert_error (e, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
    }
  g_autoptr(LecternCharset) empty = lectern_charset_from_string ("", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lectern_charset_size (empty), ==, 1);
}

static void
test_charset_encode (void)
{
  g_autoptr(LecternCharset) cs = charset_of ("abe\xc3\xa9 \xcc\x83");   /* a b e é ␠ ◌̃ */
  g_autoptr(GError) error = NULL;
  int n;
  /* decomposed é is composed first */
  g_autofree int *l1 = lectern_charset_encode (cs, "e\xcc\x81" "a", FALSE, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpint (l1[0], ==, 4);
  g_assert_cmpint (l1[1], ==, 1);
  /* ẽ has a precomposed form the charset lacks: written as e + combining tilde */
  g_autofree int *l2 = lectern_charset_encode (cs, "b\xe1\xba\xbd", FALSE, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpint (l2[1], ==, 3);
  g_assert_cmpint (l2[2], ==, 6);
  /* unknown character: an error naming it, or skipped */
  int *none = lectern_charset_encode (cs, "abz", FALSE, &n, &error);
  g_assert_null (none);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "U+007A"));
  g_clear_error (&error);
  g_autofree int *l3 = lectern_charset_encode (cs, "azb", TRUE, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);
  /* invalid UTF-8 */
  none = lectern_charset_encode (cs, "a\xff", TRUE, &n, &error);
  g_assert_null (none);
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  /* empty text: an empty, non-NULL array */
  g_autofree int *l4 = lectern_charset_encode (cs, "", FALSE, &n, &error);
  g_assert_no_error (error);
  g_assert_nonnull (l4);
  g_assert_cmpint (n, ==, 0);
}

/* ---------- posteriors for the decoders ---------- */

/* T × C log posteriors: frame t gives class path[t] probability peak[t], the rest shared
 * evenly (second[t] >= 0 takes share instead, when given). */
static float *
posteriors (const int *path, const float *peak, const int *second, const float *share,
            int T, int C)
{
  float *lp = g_new (float, T * C);
  for (int t = 0; t < T; t++)
    {
      double rest = 1.0 - peak[t] - (second != NULL && second[t] >= 0 ? share[t] : 0);
      for (int c = 0; c < C; c++)
        {
          double p = rest / (C - 1 - (second != NULL && second[t] >= 0 ? 1 : 0));
          if (c == path[t])
            p = peak[t];
          else if (second != NULL && c == second[t])
            p = share[t];
          lp[t * C + c] = (float) log (p);
        }
    }
  return lp;
}

static void
test_best_path (void)
{
  g_autoptr(LecternCharset) cs = charset_of ("ab");
  /* a a - a b b - : "aab" */
  const int path[] = { 1, 1, 0, 1, 2, 2, 0 };
  const float peak[] = { 0.7f, 0.9f, 0.8f, 0.6f, 0.5f, 0.95f, 0.99f };
  g_autofree float *lp = posteriors (path, peak, NULL, NULL, 7, 3);
  g_autoptr(LecternDecoded) d = lectern_decode_best_path (lp, 7, 3, cs);
  g_assert_cmpstr (d->text, ==, "aab");
  g_assert_cmpuint (d->n_chars, ==, 3);
  const int start[] = { 0, 3, 4 }, end[] = { 1, 3, 5 };
  const float conf[] = { 0.9f, 0.6f, 0.95f };
  double score = 0;
  for (int t = 0; t < 7; t++)
    score += log (peak[t]);
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (d->frame_start[i], ==, start[i]);
      g_assert_cmpint (d->frame_end[i], ==, end[i]);
      g_assert_cmpfloat_with_epsilon (d->confidence[i], conf[i], 1e-6);
    }
  g_assert_cmpfloat_with_epsilon (d->score, score, 1e-5);

  /* nothing but blanks, and no frames at all */
  const int blanks[] = { 0, 0, 0 };
  g_autofree float *lb = posteriors (blanks, peak, NULL, NULL, 3, 3);
  g_autoptr(LecternDecoded) e = lectern_decode_best_path (lb, 3, 3, cs);
  g_assert_cmpstr (e->text, ==, "");
  g_assert_cmpuint (e->n_chars, ==, 0);
  g_assert_null (e->frame_start);
  g_autoptr(LecternDecoded) z = lectern_decode_beam (NULL, 0, 3, cs, NULL, NULL, NULL);
  g_assert_cmpstr (z->text, ==, "");
  g_assert_cmpuint (z->n_chars, ==, 0);
}

static void
assert_same_result (const LecternDecoded *a, const LecternDecoded *b)
{
  g_assert_cmpstr (a->text, ==, b->text);
  g_assert_cmpuint (a->n_chars, ==, b->n_chars);
  for (guint i = 0; i < a->n_chars; i++)
    {
      g_assert_cmpint (a->frame_start[i], ==, b->frame_start[i]);
      g_assert_cmpint (a->frame_end[i], ==, b->frame_end[i]);
      g_assert_cmpfloat (a->confidence[i], ==, b->confidence[i]);
    }
}

/* random log-softmax rows; `sharpness` scales the logits */
static float *
random_log_probs (LecternRng *rng, int T, int C, float sharpness)
{
  float *lp = g_new (float, T * C);
  for (int t = 0; t < T; t++)
    {
      float *row = lp + t * C;
      double z = 0;
      for (int c = 0; c < C; c++)
        {
          row[c] = sharpness * lectern_rng_normal (rng) + (c == 0 ? sharpness : 0);
          z += exp (row[c]);
        }
      for (int c = 0; c < C; c++)
        row[c] -= (float) log (z);
    }
  return lp;
}

/* With one hypothesis and best-alignment scoring, the beam keeps exactly the best path. */
static void
test_beam_one_is_best_path (void)
{
  LecternRng rng;
  lectern_rng_init (&rng, 2024);
  g_autoptr(LecternCharset) cs = charset_of ("abcdefghij");
  const int C = 11;
  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  opts.beam_width = 1;
  opts.scoring = LECTERN_BEAM_VITERBI;
  for (int trial = 0; trial < 200; trial++)
    {
      int T = 1 + (int) lectern_rng_below (&rng, 80);
      float sharpness = 0.3f + 3.0f * lectern_rng_uniform (&rng);
      g_autofree float *lp = random_log_probs (&rng, T, C, sharpness);
      g_autoptr(LecternDecoded) best = lectern_decode_best_path (lp, T, C, cs);
      g_autoptr(LecternDecoded) beam = lectern_decode_beam (lp, T, C, cs, NULL, NULL, &opts);
      assert_same_result (best, beam);
      g_assert_cmpfloat (fabs (best->score - beam->score), <=, 1e-4 * MAX (1.0, fabs (best->score)));
    }
}

/* The same with summed alignments when the network is confident (the best class has at least
 * 0.75 of every frame, as a trained network mostly does): then staying on the prefix can never
 * outweigh the best extension, so the beam of one follows the best path. */
static void
test_beam_one_sum_on_confident_frames (void)
{
  LecternRng rng;
  lectern_rng_init (&rng, 77);
  g_autoptr(LecternCharset) cs = charset_of ("abcdef");
  const int C = 7;
  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  opts.beam_width = 1;
  for (int trial = 0; trial < 200; trial++)
    {
      int T = 1 + (int) lectern_rng_below (&rng, 100);
      g_autofree int *path = g_new (int, T);
      g_autofree float *peak = g_new (float, T);
      for (int t = 0; t < T; t++)
        {
          /* blanks half the time, repeats often */
          int r = (int) lectern_rng_below (&rng, 4);
          path[t] = r < 2 ? 0 : (r == 2 && t > 0 ? path[t - 1] : 1 + (int) lectern_rng_below (&rng, C - 1));
          peak[t] = 0.75f + 0.249f * lectern_rng_uniform (&rng);
        }
      g_autofree float *lp = posteriors (path, peak, NULL, NULL, T, C);
      g_autoptr(LecternDecoded) best = lectern_decode_best_path (lp, T, C, cs);
      g_autoptr(LecternDecoded) beam = lectern_decode_beam (lp, T, C, cs, NULL, NULL, &opts);
      assert_same_result (best, beam);
    }
}

/* P(labelling) for every labelling by enumerating all C^T paths. */
static void
exhaustive_best (const float *lp, int T, int C, GString *best_text, double *best_logp,
                 const LecternCharset *cs)
{
  g_autoptr(GHashTable) mass = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int n_paths = 1;
  for (int t = 0; t < T; t++)
    n_paths *= C;
  for (int p = 0; p < n_paths; p++)
    {
      int code = p, prev = 0, labels[16], L = 0;
      double logp = 0;
      for (int t = 0; t < T; t++)
        {
          int c = code % C;
          code /= C;
          logp += lp[t * C + c];
          if (c != 0 && c != prev)
            labels[L++] = c;
          prev = c;
        }
      g_autofree char *text = lectern_charset_decode (cs, labels, L);
      double *m = g_hash_table_lookup (mass, text);
      if (m == NULL)
        {
          m = g_new0 (double, 1);
          g_hash_table_insert (mass, g_strdup (text), m);
        }
      *m += exp (logp);
    }
  GHashTableIter it;
  gpointer key, value;
  double best = -1;
  g_hash_table_iter_init (&it, mass);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (*(double *) value > best)
      {
        best = *(double *) value;
        g_string_assign (best_text, key);
      }
  *best_logp = log (best);
}

/* A beam wide enough to hold every prefix is exact: it finds the most probable labelling and
 * its probability is the CTC one. On flat posteriors that labelling often differs from the
 * best path's. */
static void
test_beam_exact_when_wide (void)
{
  LecternRng rng;
  lectern_rng_init (&rng, 5);
  g_autoptr(LecternCharset) cs = charset_of ("ab");
  const int C = 3;
  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  opts.beam_width = 256;
  opts.prune_log_prob = 0;    /* no pruning */
  opts.max_candidates = C;
  guint differs_from_best_path = 0;
  for (int trial = 0; trial < 100; trial++)
    {
      int T = 1 + (int) lectern_rng_below (&rng, 7);
      g_autofree float *lp = random_log_probs (&rng, T, C, 0.8f);
      g_autoptr(GString) want = g_string_new (NULL);
      double want_logp;
      exhaustive_best (lp, T, C, want, &want_logp, cs);
      g_autoptr(LecternDecoded) beam = lectern_decode_beam (lp, T, C, cs, NULL, NULL, &opts);
      g_assert_cmpstr (beam->text, ==, want->str);
      g_assert_cmpfloat (fabs (beam->score - want_logp), <=, 1e-4);

      /* and it is the CTC probability of that text */
      int n;
      g_autofree int *labels = lectern_charset_encode (cs, beam->text, FALSE, &n, NULL);
      g_autofree float *scores = g_memdup2 (lp, sizeof (float) * T * C);
      double loss = lectern_ctc_loss (scores, T, C, labels, n, NULL);
      g_assert_cmpfloat (fabs (-loss - beam->score), <=, 1e-4);

      g_autoptr(LecternDecoded) best = lectern_decode_best_path (lp, T, C, cs);
      if (g_strcmp0 (best->text, beam->text) != 0)
        differs_from_best_path++;
    }
  g_test_message ("the exact labelling differed from best path in %u of 100 cases",
                  differs_from_best_path);
  g_assert_cmpuint (differs_from_best_path, >, 0);
}

/* The textbook case: two frames, each 0.6 blank and 0.4 'a'. Best path says "" (0.36), but
 * "a" has 0.4·0.4 + 2·0.4·0.6 = 0.64. */
static void
test_beam_sums_alignments (void)
{
  g_autoptr(LecternCharset) cs = charset_of ("a");
  float lp[4] = { logf (0.6f), logf (0.4f), logf (0.6f), logf (0.4f) };
  g_autoptr(LecternDecoded) best = lectern_decode_best_path (lp, 2, 2, cs);
  g_autoptr(LecternDecoded) beam = lectern_decode_beam (lp, 2, 2, cs, NULL, NULL, NULL);
  g_assert_cmpstr (best->text, ==, "");
  g_assert_cmpstr (beam->text, ==, "a");
  g_assert_cmpfloat_with_epsilon (beam->score, log (0.64), 1e-5);
  /* its single alignment-span is the frame with the larger posterior (the first, on a tie) */
  g_assert_cmpint (beam->frame_start[0], ==, 0);
  g_assert_cmpint (beam->frame_end[0], ==, 0);
  g_assert_cmpfloat_with_epsilon (beam->confidence[0], 0.4, 1e-6);
}

/* Frames spelling `truth`, where each letter's class competes with a confusable one that the
 * network slightly prefers. */
static float *
confusable_line (const LecternCharset *cs, const char *truth, const char *wrong, int *T_out)
{
  glong n;
  g_autofree gunichar *u = g_utf8_to_ucs4_fast (truth, -1, &n);
  g_autofree gunichar *w = g_utf8_to_ucs4_fast (wrong, -1, &n);
  int T = (int) (3 * n + 1);
  const int C = (int) lectern_charset_size (cs);
  g_autofree int *path = g_new (int, T);
  g_autofree int *second = g_new (int, T);
  g_autofree float *peak = g_new (float, T);
  g_autofree float *share = g_new (float, T);
  for (int t = 0; t < T; t++)
    {
      path[t] = 0;
      second[t] = -1;
      peak[t] = 0.97f;
      share[t] = 0;
    }
  for (glong i = 0; i < n; i++)
    {
      int t = (int) (3 * i + 1);
      int right = lectern_charset_lookup (cs, u[i]);
      int other = lectern_charset_lookup (cs, w[i]);
      g_assert_cmpint (right, >, 0);
      g_assert_cmpint (other, >, 0);
      if (right == other)
        {
          path[t] = right;
          peak[t] = 0.95f;
        }
      else
        {
          path[t] = other;
          peak[t] = 0.5f;
          second[t] = right;
          share[t] = 0.45f;
        }
    }
  *T_out = T;
  return posteriors (path, peak, second, share, T, C);
}

static void
test_language_model_corrects (void)
{
  const char *corpus[] = {
    "le chat est sur le toit et le chien est dans la cour",
    "le chat dort sur le toit de la maison",
    "la cour est grande et le toit est rouge",
    "le chien et le chat sont dans la maison",
  };
  g_autoptr(LecternLmBuilder) b = lectern_lm_builder_new (5);
  for (gsize i = 0; i < G_N_ELEMENTS (corpus); i++)
    lectern_lm_builder_add_text (b, corpus[i], -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternLm) lm = lectern_lm_builder_finish (b, &error);
  g_assert_no_error (error);

  g_autoptr(LecternCharset) cs = charset_of (" abcdefghijklmnopqrstuvwxyz");
  int T;
  const char *truth = "le chat est sur le toit";
  const char *wrong = "lc chct cst sur lc toit";
  g_autofree float *lp = confusable_line (cs, truth, wrong, &T);
  const int C = (int) lectern_charset_size (cs);

  g_autoptr(LecternDecoded) best = lectern_decode_best_path (lp, T, C, cs);
  g_assert_cmpstr (best->text, ==, wrong);
  g_autoptr(LecternDecoded) plain = lectern_decode_beam (lp, T, C, cs, NULL, NULL, NULL);
  g_assert_cmpstr (plain->text, ==, wrong);
  g_autoptr(LecternDecoded) with_lm = lectern_decode_beam (lp, T, C, cs, lm, NULL, NULL);
  g_assert_cmpstr (with_lm->text, ==, truth);
  /* spans are those of the acoustic frames: character i at frame 3i+1 */
  for (guint i = 0; i < with_lm->n_chars; i++)
    {
      g_assert_cmpint (with_lm->frame_start[i], ==, 3 * (int) i + 1);
      g_assert_cmpint (with_lm->frame_end[i], ==, 3 * (int) i + 1);
      g_assert_cmpfloat (with_lm->confidence[i], >, 0.44f);
      g_assert_cmpfloat (with_lm->confidence[i], <=, 1.0f);
    }
  /* a zero weight and no bonus make the model irrelevant */
  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  opts.lm_weight = 0;
  opts.insertion_bonus = 0;
  g_autoptr(LecternDecoded) weightless = lectern_decode_beam (lp, T, C, cs, lm, NULL, &opts);
  g_assert_cmpstr (weightless->text, ==, wrong);
}

static void
test_lexicon (void)
{
  g_autoptr(LecternLexicon) lex = lectern_lexicon_new ();
  lectern_lexicon_add_text (lex, "le chat est sur toit chateau", -1);
  g_autoptr(LecternCharset) cs = charset_of (" abcdefghijklmnopqrstuvwxyz");
  const int C = (int) lectern_charset_size (cs);
  int T;
  g_autofree float *lp = confusable_line (cs, "le chat est sur le toit", "lc chct cst sur lc toit", &T);

  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  opts.lexicon_mode = LECTERN_LEXICON_FORBID;
  g_autoptr(LecternDecoded) forbid = lectern_decode_beam (lp, T, C, cs, NULL, lex, &opts);
  g_assert_cmpstr (forbid->text, ==, "le chat est sur le toit");
  opts.lexicon_mode = LECTERN_LEXICON_PENALISE;
  g_autoptr(LecternDecoded) penalise = lectern_decode_beam (lp, T, C, cs, NULL, lex, &opts);
  g_assert_cmpstr (penalise->text, ==, "le chat est sur le toit");
  /* a mild penalty loses to a clear acoustic preference */
  opts.oov_penalty = -0.01f;
  g_autoptr(LecternDecoded) mild = lectern_decode_beam (lp, T, C, cs, NULL, lex, &opts);
  g_assert_cmpstr (mild->text, ==, "lc chct cst sur lc toit");

  /* a word cut by the line end may be the start of a lexicon word: "le chat" + "eau" later */
  int T2;
  g_autofree float *lp2 = confusable_line (cs, "sur le chat", "sur lc chat", &T2);
  opts.lexicon_mode = LECTERN_LEXICON_FORBID;
  g_autoptr(LecternDecoded) cut = lectern_decode_beam (lp2, T2, C, cs, NULL, lex, &opts);
  g_assert_cmpstr (cut->text, ==, "sur le chat");
  int T3;
  g_autofree float *lp3 = confusable_line (cs, "sur le cha", "sur lc cha", &T3);
  g_autoptr(LecternDecoded) prefix = lectern_decode_beam (lp3, T3, C, cs, NULL, lex, &opts);
  g_assert_cmpstr (prefix->text, ==, "sur le cha");
}

/* A combining mark is a class of its own and a character of its own. */
static void
test_combining_marks (void)
{
  g_autoptr(LecternCharset) cs = charset_of ("d\xcc\x83" "e");   /* d, ◌̃, e */
  const int path[] = { 1, 0, 2, 0, 3 };
  const float peak[] = { 0.9f, 0.9f, 0.8f, 0.9f, 0.7f };
  g_autofree float *lp = posteriors (path, peak, NULL, NULL, 5, 4);
  g_autoptr(LecternDecoded) d = lectern_decode_beam (lp, 5, 4, cs, NULL, NULL, NULL);
  g_assert_cmpstr (d->text, ==, "d\xcc\x83" "e");
  g_assert_cmpuint (d->n_chars, ==, 3);
  g_assert_cmpint (d->frame_start[1], ==, 2);
  g_assert_cmpfloat_with_epsilon (d->confidence[1], 0.8, 1e-6);
}

/* Long lines of network-like output: spans are ordered, inside the line, on frames where the
 * character is likely; the decoders agree on confident frames. */
static void
test_long_lines (void)
{
  LecternRng rng;
  lectern_rng_init (&rng, 11);
  const int T = 1000, C = 100;
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  for (int c = 1; c < C; c++)
    lectern_charset_add (cs, 0x100 + c);
  g_autofree float *lp = g_new (float, T * C);
  for (int t = 0; t < T; t++)
    {
      int target = (t % 4 == 1) ? 1 + (int) lectern_rng_below (&rng, C - 1) : 0;
      double z = 0;
      for (int c = 0; c < C; c++)
        {
          lp[t * C + c] = 1.5f * lectern_rng_normal (&rng) + (c == target ? 9.0f : 0);
          z += exp (lp[t * C + c]);
        }
      for (int c = 0; c < C; c++)
        lp[t * C + c] -= (float) log (z);
    }
  g_autoptr(LecternDecoded) best = lectern_decode_best_path (lp, T, C, cs);
  g_autoptr(LecternDecoded) beam = lectern_decode_beam (lp, T, C, cs, NULL, NULL, NULL);
  g_assert_cmpuint (beam->n_chars, >, 200);
  g_assert_cmpfloat (beam->score, >=, best->score);
  int prev_end = -1;
  for (guint i = 0; i < beam->n_chars; i++)
    {
      g_assert_cmpint (beam->frame_start[i], >, prev_end);
      g_assert_cmpint (beam->frame_end[i], >=, beam->frame_start[i]);
      g_assert_cmpint (beam->frame_end[i], <, T);
      g_assert_cmpfloat (beam->confidence[i], >, 0.0f);
      g_assert_cmpfloat (beam->confidence[i], <=, 1.0f);
      prev_end = beam->frame_end[i];
    }
  g_assert_cmpuint (g_utf8_strlen (beam->text, -1), ==, beam->n_chars);
  /* the labelling the beam chose is at least as probable under CTC as best path's */
  int nb, nbest;
  g_autofree int *lb = lectern_charset_encode (cs, beam->text, FALSE, &nb, NULL);
  g_autofree int *lbest = lectern_charset_encode (cs, best->text, FALSE, &nbest, NULL);
  double loss_beam = lectern_ctc_loss (lp, T, C, lb, nb, NULL);
  double loss_best = lectern_ctc_loss (lp, T, C, lbest, nbest, NULL);
  g_assert_cmpfloat (loss_beam, <=, loss_best + 1e-6);
  /* the beam's score counts only the alignments that stayed in the beam: a lower bound of
   * ln P(text), and a close one */
  g_test_message ("beam score %.4f, ln P(text) %.4f, best path %.4f", beam->score, -loss_beam,
                  best->score);
  g_assert_cmpfloat (beam->score, <=, -loss_beam + 1e-4 * loss_beam);
  g_assert_cmpfloat (beam->score, >=, -loss_beam - 0.01 * loss_beam);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Charset/basics", test_charset_basics);
  g_test_add_func ("/Lectern/Charset/serialise", test_charset_serialise);
  g_test_add_func ("/Lectern/Charset/encode", test_charset_encode);
  g_test_add_func ("/Lectern/Decode/best-path", test_best_path);
  g_test_add_func ("/Lectern/Decode/beam-one-is-best-path", test_beam_one_is_best_path);
  g_test_add_func ("/Lectern/Decode/beam-one-sum-confident", test_beam_one_sum_on_confident_frames);
  g_test_add_func ("/Lectern/Decode/beam-exact-when-wide", test_beam_exact_when_wide);
  g_test_add_func ("/Lectern/Decode/beam-sums-alignments", test_beam_sums_alignments);
  g_test_add_func ("/Lectern/Decode/language-model", test_language_model_corrects);
  g_test_add_func ("/Lectern/Decode/lexicon", test_lexicon);
  g_test_add_func ("/Lectern/Decode/combining-marks", test_combining_marks);
  g_test_add_func ("/Lectern/Decode/long-lines", test_long_lines);
  return g_test_run ();
}
