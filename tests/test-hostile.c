/* test-hostile.c — the engine given what fuzzing and hostile files found: text whose dropped
 * characters stood between a letter and its combining mark, models whose weights are not
 * finite numbers, non-finite values in the network's kernels.
 *
 * Each test here is the regression test of a bug that tests/fuzz found or of a hole in what the
 * other test programs covered; the inputs that crashed a fuzz target are also replayed as files
 * by the fuzz suite (tests/fuzz/regressions/). */
#include <string.h>

#include "error.h"
#include "text.h"

/* ---- text ---- */

static void
test_normalize_is_nfc (void)
{
  /* A control character, a byte-order mark or an invalid byte between a letter and its
   * combining mark is dropped (or replaced); the letter and the mark then compose. Normalising
   * twice changes nothing. (fuzz-text: "normalising is not idempotent".) */
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "e\x02\xcc\x81", "\xc3\xa9" },                 /* e, U+0002, U+0301 → é */
    { "e\xef\xbb\xbf\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9" }, /* e, BOM, U+0301 → é */
    { "A\x01\x7f\xcc\x8a", "\xc3\x85" },             /* A, U+0001, U+007F, ring → Å */
    { "  \x02 e\x03\xcc\x81  x\t", "\xc3\xa9 x" },
    { "\xcc\x81", "\xcc\x81" },                      /* a lone mark stays */
    { "e \xcc\x81", "e \xcc\x81" },                  /* a space is not dropped: no composing */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *once = lectern_text_normalize (cases[i].in, -1);
      g_assert_cmpstr (once, ==, cases[i].out);
      g_autofree char *twice = lectern_text_normalize (once, -1);
      g_assert_cmpstr (twice, ==, once);
      g_autofree char *nfc = g_utf8_normalize (once, -1, G_NORMALIZE_NFC);
      g_assert_cmpstr (nfc, ==, once);
      /* cleaning ends in normalising: the same holds for training targets */
      g_autofree char *cleaned = lectern_text_clean_transcription (cases[i].in, LECTERN_CLEAN_DEFAULT);
      g_autofree char *cleaned_again = lectern_text_normalize (cleaned, -1);
      g_assert_cmpstr (cleaned, ==, cleaned_again);
    }
  /* the fuzzer's input, minimised by hand: "é" split by control characters in a marked-up line */
  g_autofree char *line = lectern_text_clean_transcription ("mot=\tsuite e\x02\x02\x02\xcc\x81 D",
                                                           LECTERN_CLEAN_DEFAULT);
  g_autofree char *line_again = lectern_text_normalize (line, -1);
  g_assert_cmpstr (line, ==, line_again);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Hostile/normalize-is-nfc", test_normalize_is_nfc);
  return g_test_run ();
}
