/* fuzz-lm.c — fuzz target for character language model files (lectern_lm_load_bytes).
 *
 * Like fuzz-model.c, each input is tried as it is and with its last 4 bytes replaced by the
 * CRC-32 of the rest, so that mutations reach the checks of the trie behind the checksum. A
 * model that loads is queried along text made of its own vocabulary, guides a beam search over
 * made-up posteriors, and must read back what it writes. */
#include <math.h>

#include "decode.h"
#include "fuzz-common.h"
#include "lm.h"

static guint32
crc32_ieee (const guint8 *data, gsize len)
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
use_lm (const LecternLm *lm)
{
  const guint V = lectern_lm_vocab_size (lm);
  const int order = lectern_lm_order (lm);
  if (V < 2 || order < 1 || order > LECTERN_LM_MAX_ORDER)
    g_error ("loaded model with vocabulary %u, order %d", V, order);

  /* what it writes reads back, and writes the same again (the original may differ from it only
   * in padding bytes, which the reader does not look at) */
  g_autoptr(GBytes) written = lectern_lm_serialize (lm);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternLm) again = lectern_lm_load_bytes (written, "written.lm", &error);
  if (again == NULL)
    g_error ("Lectern cannot read the language model it wrote: %s", error->message);
  g_autoptr(GBytes) rewritten = lectern_lm_serialize (again);
  if (!g_bytes_equal (written, rewritten))
    g_error ("the language model does not write back to the same bytes");

  /* a walk through the vocabulary, every symbol once, then a few unknown characters */
  GString *text = g_string_new (NULL);
  LecternLmState state = lectern_lm_start (lm);
  for (guint s = 1; s < V && s < 200; s++)
    {
      gunichar c = lectern_lm_symbol_char (lm, (int) s);
      if (lectern_lm_symbol (lm, c) != (int) s)
        g_error ("symbol %u does not map back", s);
      double lp = lectern_lm_log_prob (lm, state, (int) s, &state);
      if (!isfinite (lp) || lp > 1e-3)
        g_error ("log-probability %g", lp);
      g_string_append_unichar (text, c);
    }
  g_string_append (text, "\xe2\x82\xac?\xc3\xa9");
  guint64 n_chars = 0;
  double total = lectern_lm_text_log_prob (lm, text->str, &n_chars);
  if (!isfinite (total))
    g_error ("text log-probability %g", total);

  /* a beam search guided by the model: classes are the first few vocabulary characters */
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  for (guint s = 1; s < V && lectern_charset_size (cs) < 8; s++)
    lectern_charset_add (cs, lectern_lm_symbol_char (lm, (int) s));
  lectern_charset_add (cs, 'a');
  const int C = (int) lectern_charset_size (cs), T = 12;
  g_autofree float *logp = g_new (float, (gsize) T * C);
  for (int t = 0; t < T; t++)
    {
      double z = 0;
      for (int c = 0; c < C; c++)
        z += exp (-(double) ((t * 7 + c * 3) % 5));
      for (int c = 0; c < C; c++)
        logp[t * C + c] = (float) (-(double) ((t * 7 + c * 3) % 5) - log (z));
    }
  g_autoptr(LecternDecoded) decoded = lectern_decode_beam (logp, T, C, cs, lm, NULL, NULL);
  if (decoded == NULL || !g_utf8_validate (decoded->text, -1, NULL))
    g_error ("beam search with the model failed");
  g_string_free (text, TRUE);
}

static void
try_load (const uint8_t *data, size_t size)
{
  static const char name[] = "fuzz model.lm";
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternLm) lm = lectern_lm_load_bytes (bytes, name, &error);
  if (lm == NULL)
    fuzz_check_error (error, name);
  else
    use_lm (lm);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_init ();
  try_load (data, size);
  if (size < 8)
    return 0;
  guint8 *fixed = g_memdup2 (data, size);
  guint32 crc = GUINT32_TO_LE (crc32_ieee (fixed, size - 4));
  memcpy (fixed + size - 4, &crc, 4);
  if (memcmp (fixed, data, size) != 0)
    try_load (fixed, size);
  g_free (fixed);
  return 0;
}
