/* fuzz-text.c — fuzz target for transcription text as it comes from .gt.txt files and PAGE/ALTO
 * text: ground-truth cleaning, normalisation, error rates and the character set.
 *
 * The first byte picks the cleaning flags; the rest is the text, any bytes (invalid UTF-8,
 * NULs, control characters). Checked: every result is valid UTF-8, normalising is idempotent
 * and leaves cleaned text unchanged, edit distances are symmetric, and a character set built
 * from the text encodes it and survives its own serialisation. The raw input also goes to
 * lectern_charset_from_string, the model file's charset reader. */
#include "charset.h"
#include "fuzz-common.h"
#include "text.h"

static void
check_utf8 (const char *s, const char *what)
{
  if (s == NULL || !g_utf8_validate (s, -1, NULL))
    g_error ("%s is not valid UTF-8", what);
}

static void
check_charset_round_trip (const LecternCharset *cs)
{
  gsize len = 0;
  g_autofree char *serialised = lectern_charset_to_string (cs, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternCharset) again = lectern_charset_from_string (serialised, len, &error);
  if (again == NULL)
    g_error ("a charset cannot read itself back: %s", error->message);
  if (lectern_charset_size (again) != lectern_charset_size (cs))
    g_error ("charset round trip changed its size");
  for (guint c = 0; c < lectern_charset_size (cs); c++)
    if (lectern_charset_char (again, (int) c) != lectern_charset_char (cs, (int) c))
      g_error ("charset round trip changed class %u", c);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_init ();
  if (size == 0)
    return 0;

  /* the model file's charset field: raw bytes with their length */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LecternCharset) cs = lectern_charset_from_string ((const char *) data + 1, size - 1,
                                                                 &error);
    if (cs == NULL)
      fuzz_check_error (error, "");
    else
      check_charset_round_trip (cs);
  }

  LecternCleanFlags flags = data[0] & 0x7f;
  g_autofree char *raw = fuzz_strndup (data + 1, size - 1);

  g_autofree char *cleaned = lectern_text_clean_transcription (raw, flags);
  check_utf8 (cleaned, "cleaned text");
  g_autofree char *cleaned_again = lectern_text_normalize (cleaned, -1);
  if (strcmp (cleaned, cleaned_again) != 0)
    g_error ("cleaned text is not normalised");
  (void) lectern_text_has_unread_parts (raw);

  g_autofree char *normal = lectern_text_normalize (raw, -1);
  check_utf8 (normal, "normalised text");
  g_autofree char *normal_again = lectern_text_normalize (normal, -1);
  if (strcmp (normal, normal_again) != 0)
    g_error ("normalising is not idempotent");
  g_autofree char *normal_len = lectern_text_normalize ((const char *) data + 1, (gssize) size - 1);
  check_utf8 (normal_len, "normalised text with a length");

  /* error rates between the two halves of the text, both ways */
  gsize half = strlen (raw) / 2;
  while (half > 0 && ((guchar) raw[half] & 0xc0) == 0x80)
    half--;
  g_autofree char *first = g_strndup (raw, half);
  const char *second = raw + half;
  if (lectern_text_edit_distance (first, second) != lectern_text_edit_distance (second, first))
    g_error ("edit distance is not symmetric");
  double cer = lectern_text_cer (first, second), wer = lectern_text_wer (first, second);
  if (!(cer >= 0) || !(wer >= 0))
    g_error ("negative or NaN error rate");
  LecternErrorCounts counts = { 0 };
  lectern_error_counts_add (&counts, first, second);
  lectern_error_counts_add (&counts, cleaned, normal);
  if (counts.lines != 2)
    g_error ("line count");

  /* a charset of the cleaned text's characters encodes it completely */
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  gboolean all_added = TRUE;
  for (const char *p = cleaned; *p; p = g_utf8_next_char (p))
    if (lectern_charset_add (cs, g_utf8_get_char (p)) < 0)
      all_added = FALSE;
  check_charset_round_trip (cs);
  int n_labels = 0;
  g_autoptr(GError) encode_error = NULL;
  g_autofree int *labels = lectern_charset_encode (cs, cleaned, FALSE, &n_labels, &encode_error);
  if (labels == NULL)
    {
      if (all_added)
        g_error ("a charset cannot encode the text it was built from: %s", encode_error->message);
      fuzz_check_error (encode_error, "");
      g_clear_error (&encode_error);
      g_free (labels);
      labels = lectern_charset_encode (cs, cleaned, TRUE, &n_labels, &encode_error);
      if (labels == NULL)
        g_error ("encoding with skip_unknown failed: %s", encode_error->message);
    }
  for (int i = 0; i < n_labels; i++)
    if (labels[i] < 1 || labels[i] >= (int) lectern_charset_size (cs))
      g_error ("label %d out of range", labels[i]);
  g_autofree char *decoded = lectern_charset_decode (cs, labels, n_labels);
  check_utf8 (decoded, "decoded labels");
  return 0;
}
