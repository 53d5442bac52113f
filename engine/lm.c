/* lm.c — character n-gram model (interpolated modified Kneser-Ney), its file format, and the
 * word lexicon used by the beam-search decoder.
 *
 * The model is a trie of all n-grams of orders 1..N seen in training. Nodes are numbered level
 * by level (root 0, then the unigrams, the bigrams, …), each level sorted by (parent, symbol),
 * so the children of node i are the contiguous range [first_child[i], first_child[i+1]). For
 * node h·w the trie keeps
 *
 *   logp(h·w)  = ln P(w | h)    the interpolated probability
 *   logbow(h)  = ln gamma(h)    the weight given to the shorter history when h·w is unseen
 *   suffix(h·w) = the node of the n-gram without its first symbol (always present)
 *
 * and a query P(w | h) is logp(h·w) if that node exists, else logbow(h) + ln P(w | suffix(h)),
 * down to the root where an unseen symbol gets logbow(root) + ln(1/V). */
#include "lm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "error.h"
#include "file-util.h"
#include "text.h"

#define NONE G_MAXUINT32

struct _LecternLm {
  int       order;
  guint     vocab_size;             /* V, unknown symbol 0 included */
  gunichar *vocab;                  /* [V], sorted by code point after vocab[0] = 0 */
  guint32   level_start[LECTERN_LM_MAX_ORDER + 2];
  guint32   n_nodes;
  guint32  *symbol;                 /* [n_nodes] */
  float    *logp;                   /* [n_nodes], unused for the root */
  float    *logbow;                 /* [n_nodes], 0 for nodes without children */
  guint32  *first_child;            /* [n_nodes + 1] */
  guint32  *suffix;                 /* [n_nodes] */
  double    log_uniform;            /* ln(1/V) */
};

/* ---------- queries ---------- */

static inline guint32
find_child (const LecternLm *lm, guint32 node, guint32 sym)
{
  guint32 lo = lm->first_child[node], hi = lm->first_child[node + 1];
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      guint32 s = lm->symbol[mid];
      if (s == sym)
        return mid;
      if (s < sym)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NONE;
}

int
lectern_lm_order (const LecternLm *lm)
{
  g_return_val_if_fail (lm != NULL, 0);
  return lm->order;
}

guint
lectern_lm_vocab_size (const LecternLm *lm)
{
  g_return_val_if_fail (lm != NULL, 0);
  return lm->vocab_size;
}

guint
lectern_lm_n_ngrams (const LecternLm *lm, int n)
{
  g_return_val_if_fail (lm != NULL, 0);
  if (n < 1 || n > lm->order)
    return 0;
  return lm->level_start[n + 1] - lm->level_start[n];
}

int
lectern_lm_symbol (const LecternLm *lm, gunichar c)
{
  g_return_val_if_fail (lm != NULL, 0);
  guint lo = 1, hi = lm->vocab_size;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (lm->vocab[mid] == c)
        return (int) mid;
      if (lm->vocab[mid] < c)
        lo = mid + 1;
      else
        hi = mid;
    }
  return 0;
}

gunichar
lectern_lm_symbol_char (const LecternLm *lm, int symbol)
{
  g_return_val_if_fail (lm != NULL, 0);
  if (symbol <= 0 || (guint) symbol >= lm->vocab_size)
    return 0;
  return lm->vocab[symbol];
}

LecternLmState
lectern_lm_start (const LecternLm *lm)
{
  return 0;
}

double
lectern_lm_log_prob (const LecternLm *lm, LecternLmState state, int symbol, LecternLmState *next)
{
  g_return_val_if_fail (lm != NULL, -INFINITY);
  if (state >= lm->n_nodes)
    state = 0;
  if (symbol <= 0 || (guint) symbol >= lm->vocab_size)
    symbol = 0;

  double backoff = 0;
  guint32 node = state;
  guint32 hit = NONE;
  for (;;)
    {
      hit = symbol > 0 ? find_child (lm, node, (guint32) symbol) : NONE;
      if (hit != NONE)
        break;
      backoff += lm->logbow[node];
      if (node == 0)
        break;
      node = lm->suffix[node];
    }
  if (next != NULL)
    {
      if (hit == NONE)
        *next = 0;
      else if (hit >= lm->level_start[lm->order])
        *next = lm->suffix[hit];  /* an N-gram is no history: keep its last N-1 symbols */
      else
        *next = hit;
    }
  if (hit == NONE)
    return backoff + lm->log_uniform;
  return backoff + lm->logp[hit];
}

double
lectern_lm_text_log_prob (const LecternLm *lm, const char *text, guint64 *n_chars)
{
  g_return_val_if_fail (lm != NULL && text != NULL, 0);
  g_autofree char *norm = lectern_text_normalize (text, -1);
  LecternLmState state = lectern_lm_start (lm);
  double total = 0;
  guint64 n = 0;
  for (const char *p = norm; *p != '\0'; p = g_utf8_next_char (p))
    {
      total += lectern_lm_log_prob (lm, state, lectern_lm_symbol (lm, g_utf8_get_char (p)),
                                    &state);
      n++;
    }
  if (n_chars != NULL)
    *n_chars = n;
  return total;
}

void
lectern_lm_free (LecternLm *lm)
{
  if (lm == NULL)
    return;
  g_free (lm->vocab);
  g_free (lm->symbol);
  g_free (lm->logp);
  g_free (lm->logbow);
  g_free (lm->first_child);
  g_free (lm->suffix);
  g_free (lm);
}

static LecternLm *
lm_alloc (int order, guint vocab_size, const guint32 *level_counts)
{
  LecternLm *lm = g_new0 (LecternLm, 1);
  lm->order = order;
  lm->vocab_size = vocab_size;
  lm->vocab = g_new0 (gunichar, vocab_size);
  lm->level_start[0] = 0;
  lm->level_start[1] = 1;
  for (int k = 1; k <= order; k++)
    lm->level_start[k + 1] = lm->level_start[k] + level_counts[k];
  lm->n_nodes = lm->level_start[order + 1];
  lm->symbol = g_new0 (guint32, lm->n_nodes);
  lm->logp = g_new0 (float, lm->n_nodes);
  lm->logbow = g_new0 (float, lm->n_nodes);
  lm->first_child = g_new0 (guint32, lm->n_nodes + 1);
  lm->suffix = g_new0 (guint32, lm->n_nodes);
  lm->log_uniform = -log ((double) vocab_size);
  return lm;
}

/* suffix links from the trie: suffix(h·w) = child_w(suffix(h)); FALSE when one is missing
 * (only a damaged file can lack it). */
static gboolean
link_suffixes (LecternLm *lm)
{
  lm->suffix[0] = 0;
  for (guint32 c = lm->first_child[0]; c < lm->first_child[1]; c++)
    lm->suffix[c] = 0;
  for (int k = 1; k < lm->order; k++)
    for (guint32 p = lm->level_start[k]; p < lm->level_start[k + 1]; p++)
      for (guint32 c = lm->first_child[p]; c < lm->first_child[p + 1]; c++)
        {
          guint32 s = find_child (lm, lm->suffix[p], lm->symbol[c]);
          if (s == NONE)
            return FALSE;
          lm->suffix[c] = s;
        }
  return TRUE;
}

/* ---------- building ---------- */

struct _LecternLmBuilder {
  int     order;
  GArray *text;      /* code points; 0 ends each stream */
  guint64 n_chars;
};

LecternLmBuilder *
lectern_lm_builder_new (int order)
{
  g_return_val_if_fail (order >= 1 && order <= LECTERN_LM_MAX_ORDER, NULL);
  LecternLmBuilder *b = g_new0 (LecternLmBuilder, 1);
  b->order = order;
  b->text = g_array_new (FALSE, FALSE, sizeof (guint32));
  return b;
}

void
lectern_lm_builder_free (LecternLmBuilder *builder)
{
  if (builder == NULL)
    return;
  g_array_unref (builder->text);
  g_free (builder);
}

void
lectern_lm_builder_add_text (LecternLmBuilder *builder, const char *text, gssize len)
{
  g_return_if_fail (builder != NULL && (text != NULL || len == 0));
  g_autofree char *norm = lectern_text_normalize (text, len);
  if (*norm == '\0')
    return;
  for (const char *p = norm; *p != '\0'; p = g_utf8_next_char (p))
    {
      guint32 c = g_utf8_get_char (p);
      g_array_append_val (builder->text, c);
      builder->n_chars++;
    }
  guint32 end = 0;
  g_array_append_val (builder->text, end);
}

guint64
lectern_lm_builder_n_chars (const LecternLmBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);
  return builder->n_chars;
}

typedef struct {
  const guint32 *text;
  int            order;
} SortContext;

/* positions ordered by the (at most N symbols, up to the stream end) string that starts there */
static gint
compare_positions (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const SortContext *ctx = data;
  const guint32 *a = ctx->text + *(const guint32 *) pa;
  const guint32 *b = ctx->text + *(const guint32 *) pb;
  for (int k = 0; k < ctx->order; k++)
    {
      if (a[k] != b[k])
        return a[k] < b[k] ? -1 : 1;
      if (a[k] == 0)
        return 0;
    }
  return 0;
}

static void
free_levels (GArray **sym, GArray **cnt, GArray **kids, int order)
{
  for (int k = 1; k <= order; k++)
    {
      g_array_unref (sym[k]);
      g_array_unref (cnt[k]);
      g_array_unref (kids[k]);
    }
}

/* Kneser-Ney discounts D1, D2, D3+ of one order from its counts of counts n1..n4. */
static void
estimate_discounts (const guint64 n[5], double d[4])
{
  static const double fallback[4] = { 0, 0.5, 1.0, 1.5 };
  double y = (n[1] + 2 * n[2]) > 0 ? (double) n[1] / (double) (n[1] + 2 * n[2]) : 0.5;
  d[0] = 0;
  for (int i = 1; i <= 3; i++)
    {
      if (n[i] == 0 || n[i + 1] == 0)
        d[i] = fallback[i];
      else
        d[i] = i - (i + 1) * y * (double) n[i + 1] / (double) n[i];
      /* a discount must stay inside (0, i): zero would leave unseen symbols no mass */
      d[i] = CLAMP (d[i], 0.05, i - 0.05);
    }
}

LecternLm *
lectern_lm_builder_finish (LecternLmBuilder *builder, GError **error)
{
  g_return_val_if_fail (builder != NULL, NULL);
  const int N = builder->order;
  g_autoptr(GArray) text_array = g_steal_pointer (&builder->text);
  builder->text = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint64 n_chars = builder->n_chars;
  builder->n_chars = 0;

  if (n_chars == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "Cannot build a language model: there is no text");
      return NULL;
    }
  if (text_array->len >= G_MAXINT32)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot build a language model from more than %d characters", G_MAXINT32 - 1);
      return NULL;
    }
  guint32 *text = (guint32 *) text_array->data;
  const guint32 text_len = text_array->len;

  /* vocabulary: the code points seen, sorted; symbol 0 is the unknown one */
  g_autofree guint8 *seen = g_new0 (guint8, (0x110000 + 7) / 8);
  guint n_seen = 0;
  for (guint32 i = 0; i < text_len; i++)
    if (text[i] != 0 && !(seen[text[i] >> 3] & (1u << (text[i] & 7))))
      {
        seen[text[i] >> 3] |= (guint8) (1u << (text[i] & 7));
        n_seen++;
      }
  if (n_seen + 1 > LECTERN_LM_MAX_VOCAB)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot build a language model over %u distinct characters (at most %d)",
                   n_seen, LECTERN_LM_MAX_VOCAB - 1);
      return NULL;
    }
  const guint V = n_seen + 1;
  g_autofree gunichar *vocab = g_new0 (gunichar, V);
  g_autofree guint16 *symbol_of = g_new0 (guint16, 0x110000);
  guint next_symbol = 1;
  for (gunichar c = 1; c < 0x110000; c++)
    if (seen[c >> 3] & (1u << (c & 7)))
      {
        vocab[next_symbol] = c;
        symbol_of[c] = (guint16) next_symbol++;
      }
  for (guint32 i = 0; i < text_len; i++)
    text[i] = text[i] != 0 ? symbol_of[text[i]] : 0;
  g_clear_pointer (&symbol_of, g_free);

  /* every position, sorted by the n-gram starting there */
  g_autofree guint32 *pos = g_new (guint32, n_chars);
  guint32 n_pos = 0;
  for (guint32 i = 0; i < text_len; i++)
    if (text[i] != 0)
      pos[n_pos++] = i;
  SortContext ctx = { text, N };
  g_qsort_with_data (pos, (gint) n_pos, sizeof (guint32), compare_positions, &ctx);

  /* the trie, level by level in sorted order: one pass over the sorted positions creates each
   * distinct k-prefix once, right after its siblings */
  GArray *sym[LECTERN_LM_MAX_ORDER + 1] = { NULL };
  GArray *cnt[LECTERN_LM_MAX_ORDER + 1] = { NULL };
  GArray *kids[LECTERN_LM_MAX_ORDER + 1] = { NULL };   /* child counts */
  for (int k = 1; k <= N; k++)
    {
      sym[k] = g_array_new (FALSE, FALSE, sizeof (guint32));
      cnt[k] = g_array_new (FALSE, FALSE, sizeof (guint32));
      kids[k] = g_array_new (FALSE, TRUE, sizeof (guint32));
    }
  guint32 path[LECTERN_LM_MAX_ORDER + 1] = { 0 };
  guint32 root_kids = 0;
  int prev_len = 0;
  const guint32 *prev = NULL;
  for (guint32 i = 0; i < n_pos; i++)
    {
      const guint32 *s = text + pos[i];
      int len = 0;
      while (len < N && s[len] != 0)
        len++;
      int lcp = 0;
      if (prev != NULL)
        while (lcp < len && lcp < prev_len && s[lcp] == prev[lcp])
          lcp++;
      for (int k = lcp + 1; k <= len; k++)
        {
          guint32 zero = 0, sy = s[k - 1];
          g_array_append_val (sym[k], sy);
          g_array_append_val (cnt[k], zero);
          g_array_append_val (kids[k], zero);
          if (k == 1)
            root_kids++;
          else
            g_array_index (kids[k - 1], guint32, path[k - 1])++;
          path[k] = sym[k]->len - 1;
        }
      for (int k = 1; k <= len; k++)
        g_array_index (cnt[k], guint32, path[k])++;
      prev = s;
      prev_len = len;
    }
  g_clear_pointer (&pos, g_free);

  guint32 level_counts[LECTERN_LM_MAX_ORDER + 1] = { 0 };
  guint64 total_nodes = 1;
  for (int k = 1; k <= N; k++)
    {
      level_counts[k] = sym[k]->len;
      total_nodes += sym[k]->len;
    }
  if (total_nodes >= G_MAXINT32)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot build a language model with %" G_GUINT64_FORMAT " n-grams; "
                   "use a lower order or less text", total_nodes);
      free_levels (sym, cnt, kids, N);
      return NULL;
    }
  g_assert (root_kids == level_counts[1]);

  LecternLm *lm = lm_alloc (N, V, level_counts);
  memcpy (lm->vocab, vocab, sizeof (gunichar) * V);
  g_autofree guint32 *count = g_new0 (guint32, lm->n_nodes);
  lm->first_child[0] = 1;
  lm->first_child[1] = 1 + root_kids;
  for (int k = 1; k <= N; k++)
    for (guint32 j = 0; j < level_counts[k]; j++)
      {
        guint32 id = lm->level_start[k] + j;
        lm->symbol[id] = g_array_index (sym[k], guint32, j);
        count[id] = g_array_index (cnt[k], guint32, j);
        lm->first_child[id + 1] = lm->first_child[id] + g_array_index (kids[k], guint32, j);
      }
  free_levels (sym, cnt, kids, N);
  g_assert (lm->first_child[lm->n_nodes] == lm->n_nodes);
  if (!link_suffixes (lm))
    g_assert_not_reached ();

  /* adjusted counts: raw counts at the top order, continuation counts (distinct symbols seen
   * before; the start of a stream counts as one) below it */
  g_autofree guint32 *adjusted = g_new0 (guint32, lm->n_nodes);
  for (guint32 id = N >= 2 ? lm->level_start[2] : lm->n_nodes; id < lm->n_nodes; id++)
    adjusted[lm->suffix[id]]++;
  g_autofree guint8 *at_start = g_new0 (guint8, lm->n_nodes);
  for (guint32 i = 0; i < text_len; i++)
    if (text[i] != 0 && (i == 0 || text[i - 1] == 0))
      {
        guint32 node = 0;
        for (int k = 1; k < N && text[i + k - 1] != 0; k++)
          {
            node = find_child (lm, node, text[i + k - 1]);
            at_start[node] = 1;
          }
      }
  for (guint32 id = 1; id < lm->n_nodes; id++)
    {
      if (id >= lm->level_start[N])
        adjusted[id] = count[id];
      else
        adjusted[id] += at_start[id];
    }

  double discount[LECTERN_LM_MAX_ORDER + 1][4];
  for (int k = 1; k <= N; k++)
    {
      guint64 coc[5] = { 0 };
      for (guint32 id = lm->level_start[k]; id < lm->level_start[k + 1]; id++)
        if (adjusted[id] <= 4)
          coc[adjusted[id]]++;
      estimate_discounts (coc, discount[k]);
    }

  /* probabilities, lower orders first: P(w|h) = max(a(hw) - D, 0)/sum_a + gamma(h) P(w|h') */
  for (int k = 0; k < N; k++)
    {
      const double *d = discount[k + 1];
      for (guint32 h = lm->level_start[k]; h < lm->level_start[k + 1]; h++)
        {
          guint32 c0 = lm->first_child[h], c1 = lm->first_child[h + 1];
          if (c0 == c1)
            {
              lm->logbow[h] = 0;
              continue;
            }
          double sum = 0, mass = 0;
          for (guint32 c = c0; c < c1; c++)
            {
              sum += adjusted[c];
              mass += d[MIN (adjusted[c], 3)];
            }
          double gamma = mass / sum;
          lm->logbow[h] = (float) log (gamma);
          for (guint32 c = c0; c < c1; c++)
            {
              double lower = k == 0 ? 1.0 / V : exp ((double) lm->logp[lm->suffix[c]]);
              double p = (adjusted[c] - d[MIN (adjusted[c], 3)]) / sum + gamma * lower;
              lm->logp[c] = (float) log (p);
            }
        }
    }

  return lm;
}

/* ---------- files ---------- */

#define LM_MAGIC        "LCTNCHLM"
#define LM_VERSION      1
#define LM_MAX_FILE     ((gsize) 2 << 30)

static guint32 crc_table[256];

static void
crc_init (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      for (guint32 i = 0; i < 256; i++)
        {
          guint32 c = i;
          for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
          crc_table[i] = c;
        }
      g_once_init_leave (&done, 1);
    }
}

/* CRC-32 (IEEE 802.3), as zlib and PNG compute it */
static guint32
crc32_of (const guint8 *data, gsize len)
{
  crc_init ();
  guint32 c = 0xFFFFFFFFu;
  for (gsize i = 0; i < len; i++)
    c = crc_table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static void
put_u32 (GByteArray *out, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &le, 4);
}

static void
put_f32 (GByteArray *out, float f)
{
  guint32 v;
  memcpy (&v, &f, 4);
  put_u32 (out, v);
}

static void
pad4 (GByteArray *out)
{
  static const guint8 zeros[4] = { 0 };
  if (out->len % 4 != 0)
    g_byte_array_append (out, zeros, 4 - out->len % 4);
}

GBytes *
lectern_lm_serialize (const LecternLm *lm)
{
  g_return_val_if_fail (lm != NULL, NULL);
  GByteArray *out = g_byte_array_sized_new (64 + lm->n_nodes * 10);
  g_byte_array_append (out, (const guint8 *) LM_MAGIC, 8);
  put_u32 (out, LM_VERSION);
  put_u32 (out, (guint32) lm->order);
  put_u32 (out, lm->vocab_size);
  GString *vocab = g_string_new (NULL);
  for (guint s = 1; s < lm->vocab_size; s++)
    g_string_append_unichar (vocab, lm->vocab[s]);
  put_u32 (out, (guint32) vocab->len);
  for (int k = 1; k <= lm->order; k++)
    put_u32 (out, lectern_lm_n_ngrams (lm, k));
  g_byte_array_append (out, (const guint8 *) vocab->str, vocab->len);
  g_string_free (vocab, TRUE);
  pad4 (out);
  put_f32 (out, lm->logbow[0]);
  for (int k = 1; k <= lm->order; k++)
    {
      guint32 a = lm->level_start[k], b = lm->level_start[k + 1];
      for (guint32 i = a; i < b; i++)
        {
          guint16 le = GUINT16_TO_LE ((guint16) lm->symbol[i]);
          g_byte_array_append (out, (const guint8 *) &le, 2);
        }
      pad4 (out);
      for (guint32 i = a; i < b; i++)
        put_f32 (out, lm->logp[i]);
      if (k < lm->order)
        {
          for (guint32 i = a; i < b; i++)
            put_f32 (out, lm->logbow[i]);
          for (guint32 i = a; i < b; i++)
            put_u32 (out, lm->first_child[i + 1] - lm->first_child[i]);
        }
    }
  put_u32 (out, crc32_of (out->data, out->len));
  return g_byte_array_free_to_bytes (out);
}

gboolean
lectern_lm_save (const LecternLm *lm, const char *path, GError **error)
{
  g_return_val_if_fail (lm != NULL && path != NULL, FALSE);
  g_autoptr(GBytes) bytes = lectern_lm_serialize (lm);
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);
  return lectern_file_write_atomic (path, data, size, error);
}

typedef struct {
  const guint8 *data;
  gsize         size;
  gsize         at;
} Reader;

static guint32
get_u32 (Reader *r)
{
  guint32 v;
  memcpy (&v, r->data + r->at, 4);
  r->at += 4;
  return GUINT32_FROM_LE (v);
}

static float
get_f32 (Reader *r)
{
  guint32 v = get_u32 (r);
  float f;
  memcpy (&f, &v, 4);
  return f;
}

#define PAD4(n) (((n) + 3) & ~(guint64) 3)

LecternLm *
lectern_lm_load_bytes (GBytes *bytes, const char *name, GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  if (name == NULL)
    name = "language model";
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  Reader r = { data, size, 0 };
  const gsize header = 8 + 4 * 4;

#define FAIL(code, ...) \
  G_STMT_START { \
    g_autofree char *why_ = g_strdup_printf (__VA_ARGS__); \
    g_set_error (error, LECTERN_ERROR, code, "%s: %s", name, why_); \
    return NULL; \
  } G_STMT_END

  if (size < header || memcmp (data, LM_MAGIC, 8) != 0)
    FAIL (LECTERN_ERROR_FORMAT, "not a Lectern character language model");
  r.at = 8;
  guint32 version = get_u32 (&r);
  if (version != LM_VERSION)
    FAIL (LECTERN_ERROR_UNSUPPORTED, "format version %u is not supported (this Lectern reads %d)",
          version, LM_VERSION);
  guint32 order = get_u32 (&r);
  guint32 V = get_u32 (&r);
  guint32 vocab_bytes = get_u32 (&r);
  if (order < 1 || order > LECTERN_LM_MAX_ORDER)
    FAIL (LECTERN_ERROR_FORMAT, "order %u is outside 1..%d", order, LECTERN_LM_MAX_ORDER);
  if (V < 2 || V > LECTERN_LM_MAX_VOCAB)
    FAIL (LECTERN_ERROR_FORMAT, "vocabulary size %u is outside 2..%d", V, LECTERN_LM_MAX_VOCAB);
  if (vocab_bytes < V - 1 || vocab_bytes > 4 * (V - 1))
    FAIL (LECTERN_ERROR_FORMAT, "vocabulary of %u bytes cannot hold %u characters",
          vocab_bytes, V - 1);
  if (size < header + 4 * order)
    FAIL (LECTERN_ERROR_FORMAT, "truncated header");

  guint32 level_counts[LECTERN_LM_MAX_ORDER + 1] = { 0 };
  guint64 total = 1;
  guint64 expected = header + 4 * (guint64) order + PAD4 (vocab_bytes) + 4;
  for (guint32 k = 1; k <= order; k++)
    {
      level_counts[k] = get_u32 (&r);
      if (level_counts[k] == 0 || level_counts[k] >= G_MAXINT32)
        FAIL (LECTERN_ERROR_FORMAT, "%u n-grams of order %u", level_counts[k], k);
      total += level_counts[k];
      expected += PAD4 (2 * (guint64) level_counts[k]) + 4 * (guint64) level_counts[k];
      if (k < order)
        expected += 8 * (guint64) level_counts[k];
    }
  expected += 4;  /* checksum */
  if (total >= G_MAXINT32)
    FAIL (LECTERN_ERROR_TOO_LARGE, "%" G_GUINT64_FORMAT " n-grams is more than a model may hold",
          total);
  if (level_counts[1] > V - 1)
    FAIL (LECTERN_ERROR_FORMAT, "%u unigrams but %u characters", level_counts[1], V - 1);
  if (size < expected)
    FAIL (LECTERN_ERROR_FORMAT, "truncated (%" G_GSIZE_FORMAT " bytes of %" G_GUINT64_FORMAT ")",
          size, expected);
  if (size > expected)
    FAIL (LECTERN_ERROR_FORMAT, "%" G_GUINT64_FORMAT " unexpected bytes after the end",
          (guint64) size - expected);
  guint32 stored_crc;
  memcpy (&stored_crc, data + size - 4, 4);
  if (GUINT32_FROM_LE (stored_crc) != crc32_of (data, size - 4))
    FAIL (LECTERN_ERROR_FORMAT, "checksum mismatch (the file is damaged)");

  /* vocabulary: valid UTF-8, strictly increasing, no control characters */
  const char *vocab = (const char *) data + r.at;
  if (!g_utf8_validate_len (vocab, vocab_bytes, NULL) ||
      g_utf8_strlen (vocab, vocab_bytes) != (glong) (V - 1))
    FAIL (LECTERN_ERROR_FORMAT, "the vocabulary is not %u UTF-8 characters", V - 1);

  g_autoptr(LecternLm) lm = lm_alloc ((int) order, V, level_counts);
  {
    const char *p = vocab;
    for (guint s = 1; s < V; s++, p = g_utf8_next_char (p))
      {
        lm->vocab[s] = g_utf8_get_char (p);
        if (!lectern_charset_char_is_valid (lm->vocab[s]) ||
            (s > 1 && lm->vocab[s] <= lm->vocab[s - 1]))
          FAIL (LECTERN_ERROR_FORMAT, "vocabulary character %u (U+%04X) is invalid or out of order",
                s, lm->vocab[s]);
      }
  }
  r.at += PAD4 (vocab_bytes);
  lm->logbow[0] = get_f32 (&r);
  if (!isfinite (lm->logbow[0]) || lm->logbow[0] > 1e-3f)
    FAIL (LECTERN_ERROR_FORMAT, "bad back-off weight at the root");
  lm->first_child[0] = 1;
  lm->first_child[1] = 1 + level_counts[1];

  for (guint32 k = 1; k <= order; k++)
    {
      guint32 a = lm->level_start[k], b = lm->level_start[k + 1];
      for (guint32 i = a; i < b; i++)
        {
          guint16 v;
          memcpy (&v, data + r.at, 2);
          r.at += 2;
          lm->symbol[i] = GUINT16_FROM_LE (v);
          if (lm->symbol[i] < 1 || lm->symbol[i] >= V)
            FAIL (LECTERN_ERROR_FORMAT, "n-gram %u of order %u has symbol %u outside 1..%u",
                  i - a, k, lm->symbol[i], V - 1);
        }
      r.at = PAD4 (r.at);
      for (guint32 i = a; i < b; i++)
        {
          lm->logp[i] = get_f32 (&r);
          if (!isfinite (lm->logp[i]) || lm->logp[i] > 1e-3f)
            FAIL (LECTERN_ERROR_FORMAT, "n-gram %u of order %u has a bad probability", i - a, k);
        }
      if (k < order)
        {
          for (guint32 i = a; i < b; i++)
            {
              lm->logbow[i] = get_f32 (&r);
              if (!isfinite (lm->logbow[i]) || lm->logbow[i] > 1e-3f)
                FAIL (LECTERN_ERROR_FORMAT, "n-gram %u of order %u has a bad back-off weight",
                      i - a, k);
            }
          guint64 children = 0;
          for (guint32 i = a; i < b; i++)
            {
              guint32 n = get_u32 (&r);
              children += n;
              if (children > level_counts[k + 1])
                FAIL (LECTERN_ERROR_FORMAT, "order %u claims more children than order %u has",
                      k, k + 1);
              lm->first_child[i + 1] = lm->first_child[i] + n;
            }
          if (children != level_counts[k + 1])
            FAIL (LECTERN_ERROR_FORMAT, "order %u has %" G_GUINT64_FORMAT " children, order %u "
                  "has %u n-grams", k, children, k + 1, level_counts[k + 1]);
        }
      else
        for (guint32 i = a; i < b; i++)
          lm->first_child[i + 1] = lm->first_child[i];
    }
  g_assert (r.at == size - 4);

  /* siblings strictly increasing, so that the binary searches are right */
  for (guint32 p = 0; p < lm->n_nodes; p++)
    for (guint32 c = lm->first_child[p] + 1; c < lm->first_child[p + 1]; c++)
      if (lm->symbol[c] <= lm->symbol[c - 1])
        FAIL (LECTERN_ERROR_FORMAT, "the n-grams are not sorted");
  if (!link_suffixes (lm))
    FAIL (LECTERN_ERROR_FORMAT, "an n-gram's shorter suffix is missing (the trie is inconsistent)");
#undef FAIL
  return g_steal_pointer (&lm);
}

LecternLm *
lectern_lm_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr(GBytes) bytes = lectern_file_read_capped (path, LM_MAX_FILE, error);
  if (bytes == NULL)
    return NULL;
  return lectern_lm_load_bytes (bytes, path, error);
}

/* ---------- lexicon ---------- */

/* Trie edges in one open-addressing hash table: (node, lower-cased code point) → child. */
struct _LecternLexicon {
  GArray  *word_end;     /* guint8 per node */
  guint64 *keys;         /* 0 = empty slot; else node << 21 | c (c ≥ 1) */
  guint32 *values;
  gsize    capacity;     /* power of two */
  gsize    n_edges;
  guint    n_words;
};

static inline guint64
edge_key (LecternLexiconNode node, gunichar c)
{
  return ((guint64) node << 21) | (c & 0x1FFFFF);
}

static inline gsize
edge_slot (guint64 key, gsize mask)
{
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  return (gsize) key & mask;
}

LecternLexicon *
lectern_lexicon_new (void)
{
  LecternLexicon *lex = g_new0 (LecternLexicon, 1);
  lex->word_end = g_array_new (FALSE, TRUE, sizeof (guint8));
  g_array_set_size (lex->word_end, 1);
  lex->capacity = 1024;
  lex->keys = g_new0 (guint64, lex->capacity);
  lex->values = g_new0 (guint32, lex->capacity);
  return lex;
}

void
lectern_lexicon_free (LecternLexicon *lex)
{
  if (lex == NULL)
    return;
  g_array_unref (lex->word_end);
  g_free (lex->keys);
  g_free (lex->values);
  g_free (lex);
}

gboolean
lectern_lexicon_is_word_char (gunichar c)
{
  return g_unichar_isalpha (c) || g_unichar_ismark (c);
}

LecternLexiconNode
lectern_lexicon_step (const LecternLexicon *lex, LecternLexiconNode node, gunichar c)
{
  g_return_val_if_fail (lex != NULL, LECTERN_LEXICON_NONE);
  if (node == LECTERN_LEXICON_NONE || c == 0)
    return LECTERN_LEXICON_NONE;
  guint64 key = edge_key (node, g_unichar_tolower (c));
  gsize mask = lex->capacity - 1;
  for (gsize i = edge_slot (key, mask);; i = (i + 1) & mask)
    {
      if (lex->keys[i] == key)
        return lex->values[i];
      if (lex->keys[i] == 0)
        return LECTERN_LEXICON_NONE;
    }
}

gboolean
lectern_lexicon_is_word_end (const LecternLexicon *lex, LecternLexiconNode node)
{
  g_return_val_if_fail (lex != NULL, FALSE);
  return node < lex->word_end->len && g_array_index (lex->word_end, guint8, node);
}

static void
edges_grow (LecternLexicon *lex)
{
  gsize old_cap = lex->capacity;
  guint64 *old_keys = lex->keys;
  guint32 *old_values = lex->values;
  lex->capacity *= 2;
  lex->keys = g_new0 (guint64, lex->capacity);
  lex->values = g_new0 (guint32, lex->capacity);
  gsize mask = lex->capacity - 1;
  for (gsize j = 0; j < old_cap; j++)
    if (old_keys[j] != 0)
      {
        gsize i = edge_slot (old_keys[j], mask);
        while (lex->keys[i] != 0)
          i = (i + 1) & mask;
        lex->keys[i] = old_keys[j];
        lex->values[i] = old_values[j];
      }
  g_free (old_keys);
  g_free (old_values);
}

static LecternLexiconNode
edge_insert (LecternLexicon *lex, LecternLexiconNode node, gunichar lower)
{
  LecternLexiconNode child = lectern_lexicon_step (lex, node, lower);
  if (child != LECTERN_LEXICON_NONE)
    return child;
  if (2 * (lex->n_edges + 1) > lex->capacity)
    edges_grow (lex);
  child = lex->word_end->len;
  g_array_set_size (lex->word_end, child + 1);
  guint64 key = edge_key (node, lower);
  gsize mask = lex->capacity - 1;
  gsize i = edge_slot (key, mask);
  while (lex->keys[i] != 0)
    i = (i + 1) & mask;
  lex->keys[i] = key;
  lex->values[i] = child;
  lex->n_edges++;
  return child;
}

guint
lectern_lexicon_add_text (LecternLexicon *lex, const char *text, gssize len)
{
  g_return_val_if_fail (lex != NULL && (text != NULL || len == 0), 0);
  g_autofree char *norm = lectern_text_normalize (text, len);
  guint added = 0;
  LecternLexiconNode node = 0;
  gboolean in_word = FALSE;
  for (const char *p = norm;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c != 0 && lectern_lexicon_is_word_char (c))
        {
          node = edge_insert (lex, node, g_unichar_tolower (c));
          in_word = TRUE;
        }
      else
        {
          if (in_word && !g_array_index (lex->word_end, guint8, node))
            {
              g_array_index (lex->word_end, guint8, node) = 1;
              lex->n_words++;
              added++;
            }
          node = 0;
          in_word = FALSE;
        }
      if (c == 0)
        break;
    }
  return added;
}

gboolean
lectern_lexicon_add_file (LecternLexicon *lex, const char *path, GError **error)
{
  g_return_val_if_fail (lex != NULL && path != NULL, FALSE);
  g_autoptr(GBytes) bytes = lectern_file_read_capped (path, (gsize) 256 << 20, error);
  if (bytes == NULL)
    return FALSE;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  lectern_lexicon_add_text (lex, data, (gssize) size);
  return TRUE;
}

guint
lectern_lexicon_n_words (const LecternLexicon *lex)
{
  g_return_val_if_fail (lex != NULL, 0);
  return lex->n_words;
}

gboolean
lectern_lexicon_contains (const LecternLexicon *lex, const char *word)
{
  g_return_val_if_fail (lex != NULL && word != NULL, FALSE);
  g_autofree char *norm = lectern_text_normalize (word, -1);
  if (*norm == '\0')
    return FALSE;
  LecternLexiconNode node = 0;
  for (const char *p = norm; *p != '\0' && node != LECTERN_LEXICON_NONE; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (!lectern_lexicon_is_word_char (c))
        return FALSE;
      node = lectern_lexicon_step (lex, node, c);
    }
  return lectern_lexicon_is_word_end (lex, node);
}
