/* charset.c — the recognizer's output classes (blank + one code point per class). */
#include "charset.h"

#include "error.h"

#include <string.h>

struct _LecternCharset {
  GArray     *chars;     /* gunichar per class; chars[0] = 0 is the blank */
  GHashTable *classes;   /* code point → class (≥ 1), both stored with GUINT_TO_POINTER */
};

gboolean
lectern_charset_char_is_valid (gunichar c)
{
  if (c == 0 || c > 0x10FFFF)
    return FALSE;
  if (c >= 0xD800 && c <= 0xDFFF)
    return FALSE;
  return !g_unichar_iscntrl (c);
}

LecternCharset *
lectern_charset_new (void)
{
  LecternCharset *cs = g_new0 (LecternCharset, 1);
  cs->chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  gunichar blank = 0;
  g_array_append_val (cs->chars, blank);
  cs->classes = g_hash_table_new (g_direct_hash, g_direct_equal);
  return cs;
}

LecternCharset *
lectern_charset_copy (const LecternCharset *cs)
{
  g_return_val_if_fail (cs != NULL, NULL);
  LecternCharset *copy = lectern_charset_new ();
  for (guint i = 1; i < cs->chars->len; i++)
    lectern_charset_add (copy, g_array_index (cs->chars, gunichar, i));
  return copy;
}

void
lectern_charset_free (LecternCharset *cs)
{
  if (cs == NULL)
    return;
  g_array_unref (cs->chars);
  g_hash_table_unref (cs->classes);
  g_free (cs);
}

guint
lectern_charset_size (const LecternCharset *cs)
{
  g_return_val_if_fail (cs != NULL, 0);
  return cs->chars->len;
}

int
lectern_charset_lookup (const LecternCharset *cs, gunichar c)
{
  g_return_val_if_fail (cs != NULL, -1);
  gpointer value;
  if (c == 0 || !g_hash_table_lookup_extended (cs->classes, GUINT_TO_POINTER (c), NULL, &value))
    return -1;
  return GPOINTER_TO_INT (value);
}

int
lectern_charset_add (LecternCharset *cs, gunichar c)
{
  g_return_val_if_fail (cs != NULL, -1);
  int existing = lectern_charset_lookup (cs, c);
  if (existing >= 0)
    return existing;
  if (!lectern_charset_char_is_valid (c) || cs->chars->len >= LECTERN_CHARSET_MAX_CLASSES)
    return -1;
  int cls = (int) cs->chars->len;
  g_array_append_val (cs->chars, c);
  g_hash_table_insert (cs->classes, GUINT_TO_POINTER (c), GINT_TO_POINTER (cls));
  return cls;
}

gunichar
lectern_charset_char (const LecternCharset *cs, int cls)
{
  g_return_val_if_fail (cs != NULL, 0);
  if (cls <= 0 || (guint) cls >= cs->chars->len)
    return 0;
  return g_array_index (cs->chars, gunichar, cls);
}

/* Appends the classes of c to labels; FALSE when c (or a part of its decomposition) is absent. */
static gboolean
encode_char (const LecternCharset *cs, gunichar c, GArray *labels)
{
  int cls = lectern_charset_lookup (cs, c);
  if (cls > 0)
    {
      g_array_append_val (labels, cls);
      return TRUE;
    }
  /* A charset trained on decomposed text, or lacking a rare precomposed letter, can still write
   * it as base + combining marks. */
  gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
  gsize n = g_unichar_fully_decompose (c, FALSE, parts, G_N_ELEMENTS (parts));
  if (n <= 1)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (lectern_charset_lookup (cs, parts[i]) <= 0)
      return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      int part = lectern_charset_lookup (cs, parts[i]);
      g_array_append_val (labels, part);
    }
  return TRUE;
}

int *
lectern_charset_encode (const LecternCharset *cs, const char *text, gboolean skip_unknown,
                        int *n_labels, GError **error)
{
  g_return_val_if_fail (cs != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (n_labels != NULL, NULL);

  *n_labels = 0;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "Cannot encode text: it is not valid UTF-8");
      return NULL;
    }
  g_autofree char *nfc = g_utf8_normalize (text, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  if (nfc == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "Cannot encode text: it cannot be normalised");
      return NULL;
    }

  /* reserved room (at most one label per byte, and never zero) so the result is never NULL */
  g_autoptr(GArray) labels = g_array_sized_new (FALSE, FALSE, sizeof (int), strlen (nfc) + 1);
  for (const char *p = nfc; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (encode_char (cs, c, labels) || skip_unknown)
        continue;
      char utf8[8] = { 0 };
      g_unichar_to_utf8 (c, utf8);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "Cannot encode text: the character “%s” (U+%04X) is not in the charset",
                   lectern_charset_char_is_valid (c) ? utf8 : "?", c);
      return NULL;
    }
  *n_labels = (int) labels->len;
  return (int *) g_array_free (g_steal_pointer (&labels), FALSE);
}

char *
lectern_charset_decode (const LecternCharset *cs, const int *labels, int n)
{
  g_return_val_if_fail (cs != NULL, NULL);
  g_return_val_if_fail (n == 0 || labels != NULL, NULL);
  GString *s = g_string_sized_new (n > 0 ? (gsize) n * 2 : 1);
  for (int i = 0; i < n; i++)
    {
      gunichar c = lectern_charset_char (cs, labels[i]);
      if (c != 0)
        g_string_append_unichar (s, c);
    }
  return g_string_free (s, FALSE);
}

char *
lectern_charset_to_string (const LecternCharset *cs, gsize *len)
{
  g_return_val_if_fail (cs != NULL, NULL);
  GString *s = g_string_sized_new (cs->chars->len * 2);
  for (guint i = 1; i < cs->chars->len; i++)
    g_string_append_unichar (s, g_array_index (cs->chars, gunichar, i));
  if (len != NULL)
    *len = s->len;
  return g_string_free (s, FALSE);
}

LecternCharset *
lectern_charset_from_string (const char *utf8, gsize len, GError **error)
{
  g_return_val_if_fail (utf8 != NULL || len == 0, NULL);
  const char *end = NULL;
  if (!g_utf8_validate_len (utf8, len, &end))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Charset is not valid UTF-8 (at byte %" G_GSIZE_FORMAT ")",
                   (gsize) (end - utf8));
      return NULL;
    }
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  guint index = 1;
  for (const char *p = utf8; p < utf8 + len; p = g_utf8_next_char (p), index++)
    {
      gunichar c = g_utf8_get_char (p);
      if (!lectern_charset_char_is_valid (c))
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                       "Charset class %u is a control character (U+%04X)", index, c);
          return NULL;
        }
      if (lectern_charset_lookup (cs, c) > 0)
        {
          char buf[8] = { 0 };
          g_unichar_to_utf8 (c, buf);
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                       "Charset class %u repeats “%s” (U+%04X)", index, buf, c);
          return NULL;
        }
      if (lectern_charset_size (cs) >= LECTERN_CHARSET_MAX_CLASSES)
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                       "Charset has more than %d classes", LECTERN_CHARSET_MAX_CLASSES - 1);
          return NULL;
        }
      lectern_charset_add (cs, c);
    }
  return g_steal_pointer (&cs);
}
