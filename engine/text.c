/* text.c — transcription text: normalisation, edit distance, CER/WER, markup cleaning. */
#include "text.h"

#include <string.h>

#define BYTE_ORDER_MARK 0xFEFF

char *
lectern_text_normalize (const char *text, gssize len)
{
  g_return_val_if_fail (text != NULL || len == 0, g_strdup (""));
  if (text == NULL)
    return g_strdup ("");
  g_autofree char *valid = g_utf8_make_valid (text, len);

  /* Whitespace folded and control characters dropped before NFC, not after: a dropped
   * character between a letter and its combining mark ("e", U+0002, U+0301) would otherwise
   * leave the two uncomposed, and the result would not be NFC. */
  GString *folded = g_string_sized_new (strlen (valid));
  gboolean pending_space = FALSE;
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isspace (c))
        {
          pending_space = folded->len > 0;
          continue;
        }
      if (g_unichar_iscntrl (c) || c == BYTE_ORDER_MARK)
        continue;
      if (pending_space)
        g_string_append_c (folded, ' ');
      pending_space = FALSE;
      g_string_append_unichar (folded, c);
    }
  g_autofree char *plain = g_string_free (folded, FALSE);
  char *nfc = g_utf8_normalize (plain, -1, G_NORMALIZE_NFC);
  return nfc != NULL ? nfc : g_strdup ("");
}

gsize
lectern_edit_distance (const guint32 *a, gsize n, const guint32 *b, gsize m)
{
  /* one row over the shorter sequence */
  if (m > n)
    {
      const guint32 *ts = a;
      a = b;
      b = ts;
      gsize tn = n;
      n = m;
      m = tn;
    }
  if (m == 0)
    return n;
  gsize *row = g_new (gsize, m + 1);
  for (gsize j = 0; j <= m; j++)
    row[j] = j;
  for (gsize i = 1; i <= n; i++)
    {
      gsize diag = row[0];    /* D[i-1][j-1] */
      row[0] = i;
      for (gsize j = 1; j <= m; j++)
        {
          gsize up = row[j];  /* D[i-1][j] */
          gsize best = diag + (a[i - 1] != b[j - 1]);
          if (up + 1 < best)
            best = up + 1;
          if (row[j - 1] + 1 < best)
            best = row[j - 1] + 1;
          row[j] = best;
          diag = up;
        }
    }
  gsize d = row[m];
  g_free (row);
  return d;
}

static gunichar *
to_ucs4 (const char *text, glong *n)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  return g_utf8_to_ucs4_fast (valid, -1, n);
}

gsize
lectern_text_edit_distance (const char *a, const char *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, 0);
  glong n, m;
  g_autofree gunichar *ua = to_ucs4 (a, &n);
  g_autofree gunichar *ub = to_ucs4 (b, &m);
  return lectern_edit_distance (ua, (gsize) n, ub, (gsize) m);
}

/* Space-separated tokens of normalised text → ids shared through `ids`. */
static guint32 *
word_ids (const char *normalized, GHashTable *ids, gsize *n)
{
  g_auto(GStrv) words = g_strsplit (normalized, " ", -1);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (char **w = words; *w != NULL; w++)
    {
      if (**w == '\0')
        continue;
      gpointer value;
      guint32 id;
      if (g_hash_table_lookup_extended (ids, *w, NULL, &value))
        id = GPOINTER_TO_UINT (value);
      else
        {
          id = g_hash_table_size (ids);
          g_hash_table_insert (ids, g_strdup (*w), GUINT_TO_POINTER (id));
        }
      g_array_append_val (out, id);
    }
  *n = out->len;
  return (guint32 *) g_array_free (out, FALSE);
}

void
lectern_error_counts_add (LecternErrorCounts *counts, const char *hypothesis,
                          const char *reference)
{
  g_return_if_fail (counts != NULL && hypothesis != NULL && reference != NULL);
  g_autofree char *hyp = lectern_text_normalize (hypothesis, -1);
  g_autofree char *ref = lectern_text_normalize (reference, -1);

  counts->char_edits += lectern_text_edit_distance (hyp, ref);
  counts->ref_chars += g_utf8_strlen (ref, -1);

  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gsize nh, nr;
  g_autofree guint32 *wh = word_ids (hyp, ids, &nh);
  g_autofree guint32 *wr = word_ids (ref, ids, &nr);
  counts->word_edits += lectern_edit_distance (wh, nh, wr, nr);
  counts->ref_words += nr;
  counts->lines++;
}

double
lectern_error_counts_cer (const LecternErrorCounts *counts)
{
  g_return_val_if_fail (counts != NULL, 0);
  return (double) counts->char_edits / (double) MAX (counts->ref_chars, 1);
}

double
lectern_error_counts_wer (const LecternErrorCounts *counts)
{
  g_return_val_if_fail (counts != NULL, 0);
  return (double) counts->word_edits / (double) MAX (counts->ref_words, 1);
}

double
lectern_text_cer (const char *hypothesis, const char *reference)
{
  LecternErrorCounts counts = { 0 };
  lectern_error_counts_add (&counts, hypothesis, reference);
  return lectern_error_counts_cer (&counts);
}

double
lectern_text_wer (const char *hypothesis, const char *reference)
{
  LecternErrorCounts counts = { 0 };
  lectern_error_counts_add (&counts, hypothesis, reference);
  return lectern_error_counts_wer (&counts);
}

/* ---- ground-truth markup ---- */

#define STRUCK_OPEN      0x27E6  /* ⟦ */
#define STRUCK_CLOSE     0x27E7  /* ⟧ */
#define NOT_SIGN         0x00AC  /* ¬ */
#define CARET_INSERTION  0x2038  /* ‸ */
#define INSERTION_SYMBOL 0x2380  /* ⎀ */
#define CURLY_LOGICAL_OR 0x22CE  /* ⋎ */

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

static gboolean
is_ascii_letter (gunichar c)
{
  return c < 128 && g_ascii_isalpha ((char) c);
}

static gboolean
matches (const gunichar *u, glong n, glong i, const char *ascii)
{
  for (glong k = 0; ascii[k] != '\0'; k++)
    if (i + k >= n || u[i + k] != (gunichar) (guchar) ascii[k])
      return FALSE;
  return TRUE;
}

/* Length of the Transkribus markup starting at u[i] == '$', 0 if none. Expansions
 * ("$.dicho") are consumed whole; superscript markers ("$^") only as the marker. */
static glong
transkribus_markup (const gunichar *u, glong n, glong i)
{
  if (i + 1 >= n)
    return 0;
  gunichar d = u[i + 1];
  if (d == '-')
    return 2;
  if ((d == '.' || d == '^') && i + 2 < n && is_word_char (u[i + 2]))
    {
      if (d == '^')
        return 2;
      glong j = i + 2;
      while (j < n && is_word_char (u[j]))
        j++;
      return j - i;
    }
  if (is_ascii_letter (d))
    {
      glong j = i + 1;
      while (j < n && is_ascii_letter (u[j]))
        j++;
      if (j < n && u[j] == ':')
        return j + 1 - i;
    }
  return 0;
}

char *
lectern_text_clean_transcription (const char *text, LecternCleanFlags flags)
{
  g_return_val_if_fail (text != NULL, g_strdup (""));
  g_autofree char *nfc = lectern_text_normalize (text, -1);
  glong n;
  g_autofree gunichar *u = g_utf8_to_ucs4_fast (nfc, -1, &n);
  GString *out = g_string_sized_new (strlen (nfc));

  for (glong i = 0; i < n;)
    {
      gunichar c = u[i];
      gunichar next = i + 1 < n ? u[i + 1] : 0;

      if ((flags & LECTERN_CLEAN_TRANSKRIBUS_TAGS) && c == '$')
        {
          glong skip = transkribus_markup (u, n, i);
          if (skip > 0)
            {
              i += skip;
              continue;
            }
        }
      if ((flags & LECTERN_CLEAN_ILLEGIBLE)
          && ((c == '<' && next == '>') || (c == '>' && next == '<')))
        {
          i += 2;
          continue;
        }
      if ((flags & LECTERN_CLEAN_ILLEGIBLE) && matches (u, n, i, "[???]"))
        {
          i += 5;
          continue;
        }
      if (flags & LECTERN_CLEAN_STRUCK_OUT)
        {
          gunichar close = 0;
          if (c == STRUCK_OPEN)
            close = STRUCK_CLOSE;
          else if (c == '>' && next != '<')
            close = '<';
          if (close != 0)
            {
              glong j = i + 1;
              while (j < n && u[j] != close)
                j++;
              i = j < n ? j + 1 : n;
              continue;
            }
          if (c == STRUCK_CLOSE)
            {
              i++;
              continue;
            }
        }
      if ((flags & LECTERN_CLEAN_SUPERSCRIPT_MARKS) && c == '^')
        {
          i++;
          continue;
        }
      if ((flags & LECTERN_CLEAN_EDITORIAL_BRACKETS)
          && ((c == '[' && next == '[') || (c == ']' && next == ']')))
        {
          i += 2;
          continue;
        }
      if ((flags & LECTERN_CLEAN_INSERTION_SIGNS)
          && (c == CARET_INSERTION || c == INSERTION_SYMBOL || c == CURLY_LOGICAL_OR))
        {
          i++;
          continue;
        }
      g_string_append_unichar (out, c);
      i++;
    }

  char *clean = lectern_text_normalize (out->str, out->len);
  g_string_free (out, TRUE);

  if (flags & LECTERN_CLEAN_LINE_END_HYPHEN)
    {
      gsize len = strlen (clean);
      if (len > 0)
        {
          char *last = g_utf8_find_prev_char (clean, clean + len);
          gunichar c = g_utf8_get_char (last);
          gunichar before = 0;
          if (last > clean)
            before = g_utf8_get_char (g_utf8_find_prev_char (clean, last));
          if (c == NOT_SIGN || (c == '=' && before != 0 && is_word_char (before) &&
                                !g_unichar_isdigit (before)))
            {
              *last = '-';
              last[1] = '\0';
            }
        }
    }
  return clean;
}

gboolean
lectern_text_has_unread_parts (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);
  return strstr (text, "[???]") != NULL || strstr (text, "<>") != NULL ||
         strstr (text, "><") != NULL;
}
