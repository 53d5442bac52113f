/* decode.c — best-path and prefix beam-search CTC decoding with per-character spans.
 *
 * The beam search keeps, per frame, the beam_width most probable prefixes (texts so far). Each
 * prefix carries two probabilities: pb, of all alignments of the frames so far that yield the
 * prefix and end in a blank, and pnb, of those that end in its last character. With y_t the
 * frame's posteriors and f(p·c) the language-model/lexicon factor of appending c to p:
 *
 *   stay:    pb'(p)   += y_t(blank) · (pb(p) + pnb(p))
 *            pnb'(p)  += y_t(last(p)) · pnb(p)                (the last character goes on)
 *   extend:  pnb'(p·c) += y_t(c) · f(p·c) · (pb(p) + pnb(p))    c ≠ last(p)
 *            pnb'(p·c) += y_t(c) · f(p·c) · pb(p)               c = last(p): needs a blank between
 *
 * (with max instead of + for LECTERN_BEAM_VITERBI). Prefixes live in a tree, one node per
 * prefix, so equal prefixes reached along different paths meet in one node and their
 * probabilities add up; the node also remembers its language-model state and lexicon position,
 * so each (prefix, character) pair queries the model once. The probabilities stay in linear
 * space, rescaled every frame so that the best hypothesis has total 1: hypotheses more than
 * e^-700 below the best one could only underflow, and they are far outside any beam. */
#include "decode.h"

#include <math.h>
#include <string.h>

#include "ctc.h"

void
lectern_decoded_free (LecternDecoded *d)
{
  if (d == NULL)
    return;
  g_free (d->text);
  g_free (d->confidence);
  g_free (d->frame_start);
  g_free (d->frame_end);
  g_free (d);
}

void
lectern_beam_options_init (LecternBeamOptions *opts)
{
  g_return_if_fail (opts != NULL);
  opts->beam_width = 24;
  opts->lm_weight = 0.5f;
  opts->insertion_bonus = 1.0f;
  opts->lexicon_mode = LECTERN_LEXICON_PENALISE;
  opts->oov_penalty = -2.0f;
  opts->prune_log_prob = 10.0f;
  opts->max_candidates = 16;
  opts->scoring = LECTERN_BEAM_SUM;
}

static LecternDecoded *
decoded_new (const LecternCharset *cs, const int *labels, int L)
{
  LecternDecoded *d = g_new0 (LecternDecoded, 1);
  d->n_chars = (guint) L;
  d->text = lectern_charset_decode (cs, labels, L);
  if (L > 0)
    {
      d->confidence = g_new (float, L);
      d->frame_start = g_new (int, L);
      d->frame_end = g_new (int, L);
    }
  return d;
}

/* ---------- best path ---------- */

LecternDecoded *
lectern_decode_best_path (const float *log_probs, int T, int C, const LecternCharset *cs)
{
  g_return_val_if_fail (cs != NULL, NULL);
  g_return_val_if_fail (T >= 0 && (log_probs != NULL || T == 0), NULL);
  g_return_val_if_fail (C >= 1 && (guint) C == lectern_charset_size (cs), NULL);

  g_autofree int *labels = g_new (int, MAX (T, 1));
  g_autofree int *start = g_new (int, MAX (T, 1));
  g_autofree int *end = g_new (int, MAX (T, 1));
  g_autofree float *conf = g_new (float, MAX (T, 1));
  int L = 0, prev = 0;
  double score = 0;
  for (int t = 0; t < T; t++)
    {
      const float *row = log_probs + (gsize) t * C;
      int best = 0;
      for (int c = 1; c < C; c++)
        if (row[c] > row[best])
          best = c;
      score += row[best];
      float p = expf (row[best]);
      if (best != 0 && best == prev)
        {
          end[L - 1] = t;
          conf[L - 1] = MAX (conf[L - 1], p);
        }
      else if (best != 0)
        {
          labels[L] = best;
          start[L] = end[L] = t;
          conf[L] = p;
          L++;
        }
      prev = best;
    }
  LecternDecoded *d = decoded_new (cs, labels, L);
  if (L > 0)
    {
      memcpy (d->frame_start, start, sizeof (int) * L);
      memcpy (d->frame_end, end, sizeof (int) * L);
      memcpy (d->confidence, conf, sizeof (float) * L);
    }
  d->score = (float) score;
  return d;
}

/* ---------- forced alignment ---------- */

double
lectern_ctc_align (const float *log_probs, int T, int C, const int *labels, int L,
                   int *frame_start, int *frame_end, float *confidence)
{
  g_return_val_if_fail (T >= 0 && C >= 1 && L >= 0, -INFINITY);
  g_return_val_if_fail (log_probs != NULL || T == 0, -INFINITY);
  if (L == 0)
    {
      double s = 0;
      for (int t = 0; t < T; t++)
        s += log_probs[(gsize) t * C];
      return s;
    }
  if (T < lectern_ctc_min_frames (labels, L))
    return -INFINITY;

  const int S = 2 * L + 1;
  double *prev = g_new (double, S);
  double *cur = g_new (double, S);
  guint8 *back = g_new0 (guint8, (gsize) T * S);
  int *state = g_new (int, T);
  int *ext = g_new (int, S);
  gboolean *skip = g_new (gboolean, S);
  for (int s = 0; s < S; s++)
    {
      ext[s] = s % 2 == 0 ? 0 : labels[s / 2];
      skip[s] = s >= 2 && ext[s] != 0 && ext[s] != ext[s - 2];
      prev[s] = cur[s] = -INFINITY;
    }

  prev[0] = log_probs[0];
  prev[1] = log_probs[labels[0]];
  for (int t = 1; t < T; t++)
    {
      const float *row = log_probs + (gsize) t * C;
      guint8 *b = back + (gsize) t * S;
      /* states that are reachable at t and can still reach the end */
      int lo = MAX (0, S - 2 * (T - t)), hi = MIN (S, 2 * t + 2);
      if (lo > 0)
        cur[lo - 1] = -INFINITY;
      for (int s = lo; s < hi; s++)
        {
          double best = prev[s];
          guint8 from = 0;
          if (s >= 1 && prev[s - 1] > best)
            {
              best = prev[s - 1];
              from = 1;
            }
          if (skip[s] && prev[s - 2] > best)
            {
              best = prev[s - 2];
              from = 2;
            }
          cur[s] = best + row[ext[s]];
          b[s] = from;
        }
      double *swap = prev;
      prev = cur;
      cur = swap;
    }
  int s = prev[S - 2] > prev[S - 1] ? S - 2 : S - 1;
  double score = prev[s];
  if (score > -INFINITY)
    {
      for (int t = T - 1; t >= 0; t--)
        {
          state[t] = s;
          s -= back[(gsize) t * S + s];
        }
      for (int i = 0; i < L; i++)
        {
          if (frame_start != NULL)
            frame_start[i] = -1;
          if (confidence != NULL)
            confidence[i] = 0;
        }
      for (int t = 0; t < T; t++)
        {
          if (state[t] % 2 == 0)
            continue;
          int i = state[t] / 2;
          float p = expf (log_probs[(gsize) t * C + labels[i]]);
          if (frame_start != NULL && frame_start[i] < 0)
            frame_start[i] = t;
          if (frame_end != NULL)
            frame_end[i] = t;
          if (confidence != NULL)
            confidence[i] = MAX (confidence[i], p);
        }
    }
  g_free (ext);
  g_free (skip);
  g_free (prev);
  g_free (cur);
  g_free (back);
  g_free (state);
  return score;
}

/* ---------- beam search ---------- */

typedef struct {
  int            parent;
  int            cls;            /* class of the last character; 0 at the root */
  double         factor;         /* LM · insertion · lexicon multiplier for entering this node;
                                  * 0 when the lexicon forbids it */
  LecternLmState lm_state;
  guint32        lex_node;       /* trie node of the word being written, or LEXICON_NONE */
  gboolean       in_word;
  int            slot_frame;     /* frame for which `slot` is valid */
  int            slot;
} PrefixNode;

typedef struct {
  int    node;
  double pb, pnb;
} Hyp;

typedef struct {
  const LecternCharset     *cs;
  const LecternLm          *lm;
  const LecternLexicon     *lex;
  const LecternBeamOptions *opts;
  int                      *lm_symbol;   /* [C] */
  gboolean                 *word_char;   /* [C] */
  GArray                   *nodes;       /* PrefixNode */
  /* LM answers by (state, symbol), direct-mapped: prefixes that differ only further back than
   * the model's order share their queries */
  struct { guint64 key; double log_prob; LecternLmState next; } *lm_cache;
  /* (parent, class) → child, open addressing; key 0 = empty */
  guint64                  *child_keys;
  int                      *child_ids;
  gsize                     child_capacity;
} Search;

#define NODE(search, i) (&g_array_index ((search)->nodes, PrefixNode, (i)))
#define LM_CACHE_SIZE 4096

static inline guint64
child_key (int parent, int c)
{
  return ((guint64) (guint32) parent << 32 | (guint32) c) + 1;
}

static inline gsize
child_slot (guint64 key, gsize mask)
{
  key ^= key >> 31;
  key *= 0x9E3779B97F4A7C15ull;
  key ^= key >> 29;
  return (gsize) key & mask;
}

static void
children_grow (Search *search)
{
  gsize old_capacity = search->child_capacity;
  guint64 *old_keys = search->child_keys;
  int *old_ids = search->child_ids;
  search->child_capacity = old_capacity * 2;
  search->child_keys = g_new0 (guint64, search->child_capacity);
  search->child_ids = g_new (int, search->child_capacity);
  gsize mask = search->child_capacity - 1;
  for (gsize j = 0; j < old_capacity; j++)
    if (old_keys[j] != 0)
      {
        gsize i = child_slot (old_keys[j], mask);
        while (search->child_keys[i] != 0)
          i = (i + 1) & mask;
        search->child_keys[i] = old_keys[j];
        search->child_ids[i] = old_ids[j];
      }
  g_free (old_keys);
  g_free (old_ids);
}

/* The node for parent·c, created on first use with its LM state and factor. */
static int
child_node (Search *search, int parent, int c)
{
  guint64 key = child_key (parent, c);
  gsize mask = search->child_capacity - 1;
  gsize at = child_slot (key, mask);
  for (; search->child_keys[at] != 0; at = (at + 1) & mask)
    if (search->child_keys[at] == key)
      return search->child_ids[at];

  const PrefixNode *p = NODE (search, parent);
  PrefixNode n = {
    .parent = parent, .cls = c, .factor = 1.0, .lm_state = p->lm_state, .lex_node = 0,
    .in_word = FALSE, .slot_frame = -1, .slot = -1,
  };
  double log_factor = 0;
  if (search->lm != NULL)
    {
      guint64 lm_key = ((guint64) p->lm_state << 20 | (guint64) search->lm_symbol[c]) + 1;
      gsize line = child_slot (lm_key, LM_CACHE_SIZE - 1);
      if (search->lm_cache[line].key != lm_key)
        {
          search->lm_cache[line].key = lm_key;
          search->lm_cache[line].log_prob =
            lectern_lm_log_prob (search->lm, p->lm_state, search->lm_symbol[c],
                                 &search->lm_cache[line].next);
        }
      n.lm_state = search->lm_cache[line].next;
      log_factor += search->opts->lm_weight * search->lm_cache[line].log_prob +
                    search->opts->insertion_bonus;
    }
  if (search->lex != NULL)
    {
      gboolean leaves_lexicon = FALSE;
      if (search->word_char[c])
        {
          guint32 from = p->in_word ? p->lex_node : 0;
          n.lex_node = lectern_lexicon_step (search->lex, from, lectern_charset_char (search->cs, c));
          n.in_word = TRUE;
          /* the word falls out of the lexicon with this character (counted once) */
          leaves_lexicon = n.lex_node == LECTERN_LEXICON_NONE && from != LECTERN_LEXICON_NONE;
        }
      else
        {
          /* a word ends: it must be whole, not just the start of a lexicon word */
          leaves_lexicon = p->in_word && p->lex_node != LECTERN_LEXICON_NONE &&
                           !lectern_lexicon_is_word_end (search->lex, p->lex_node);
        }
      if (leaves_lexicon)
        {
          if (search->opts->lexicon_mode == LECTERN_LEXICON_FORBID)
            n.factor = 0;
          else
            log_factor += search->opts->oov_penalty;
        }
    }
  if (n.factor != 0)
    n.factor = exp (log_factor);

  int id = (int) search->nodes->len;
  g_array_append_val (search->nodes, n);
  search->child_keys[at] = key;
  search->child_ids[at] = id;
  if (2 * search->nodes->len > search->child_capacity)
    children_grow (search);
  return id;
}

/* Moves the k largest keys (with their ids) to the front, in no particular order. */
static void
select_largest (double *keys, int *ids, int n, int k)
{
  int lo = 0, hi = n - 1;
  while (lo < hi)
    {
      /* median of three as pivot */
      int mid = lo + (hi - lo) / 2;
      double a = keys[lo], b = keys[mid], c = keys[hi];
      double pivot = (a > b) ? ((b > c) ? b : (a > c ? c : a)) : ((a > c) ? a : (b > c ? c : b));
      int i = lo, j = hi;
      while (i <= j)
        {
          while (keys[i] > pivot)
            i++;
          while (keys[j] < pivot)
            j--;
          if (i <= j)
            {
              double tk = keys[i];
              keys[i] = keys[j];
              keys[j] = tk;
              int ti = ids[i];
              ids[i] = ids[j];
              ids[j] = ti;
              i++;
              j--;
            }
        }
      if (k - 1 <= j)
        hi = j;
      else if (k - 1 >= i)
        lo = i;
      else
        break;
    }
}

/* The W largest scores entered so far, as a min-heap: heap[0] is the lowest of them. Scores of
 * slots only grow after they are entered, so once W are in, a new prefix below heap[0] can
 * never be among the W best of the frame. */
typedef struct {
  double *v;
  int     n, capacity;
} TopScores;

static void
top_scores_add (TopScores *top, double x)
{
  if (top->n < top->capacity)
    {
      int i = top->n++;
      while (i > 0 && top->v[(i - 1) / 2] > x)
        {
          top->v[i] = top->v[(i - 1) / 2];
          i = (i - 1) / 2;
        }
      top->v[i] = x;
      return;
    }
  if (x <= top->v[0])
    return;
  int i = 0;
  for (;;)
    {
      int l = 2 * i + 1, r = l + 1, m = i;
      double mv = x;
      if (l < top->n && top->v[l] < mv)
        {
          m = l;
          mv = top->v[l];
        }
      if (r < top->n && top->v[r] < mv)
        m = r;
      if (m == i)
        break;
      top->v[i] = top->v[m];
      i = m;
    }
  top->v[i] = x;
}

/* the score a new prefix must reach to possibly enter the beam */
static inline double
top_scores_threshold (const TopScores *top)
{
  return top->n < top->capacity ? 0 : top->v[0];
}

static inline void
accumulate (double *into, double value, gboolean viterbi)
{
  if (viterbi)
    {
      if (value > *into)
        *into = value;
    }
  else
    *into += value;
}

static inline double
hyp_total (const Hyp *h, gboolean viterbi)
{
  return viterbi ? MAX (h->pb, h->pnb) : h->pb + h->pnb;
}

LecternDecoded *
lectern_decode_beam (const float *log_probs, int T, int C, const LecternCharset *cs,
                     const LecternLm *lm, const LecternLexicon *lex,
                     const LecternBeamOptions *opts_in)
{
  g_return_val_if_fail (cs != NULL, NULL);
  g_return_val_if_fail (T >= 0 && (log_probs != NULL || T == 0), NULL);
  g_return_val_if_fail (C >= 1 && (guint) C == lectern_charset_size (cs), NULL);

  LecternBeamOptions opts;
  if (opts_in != NULL)
    opts = *opts_in;
  else
    lectern_beam_options_init (&opts);
  const int W = MAX (opts.beam_width, 1);
  const int K = CLAMP (opts.max_candidates, 1, MAX (C - 1, 1));
  const double prune = opts.prune_log_prob > 0 ? opts.prune_log_prob : INFINITY;
  const gboolean viterbi = opts.scoring == LECTERN_BEAM_VITERBI;
  /* the largest factor a new node can have: the LM probability and lexicon only lower it */
  const double max_factor = lm != NULL ? exp (MAX (0.0, (double) opts.insertion_bonus)) : 1.0;

  Search search = { cs, lm, lex, &opts, NULL, NULL, NULL, NULL, NULL, NULL, 0 };
  if (lm != NULL)
    search.lm_cache = g_malloc0 (sizeof (*search.lm_cache) * LM_CACHE_SIZE);
  search.lm_symbol = g_new0 (int, C);
  search.word_char = g_new0 (gboolean, C);
  for (int c = 1; c < C; c++)
    {
      gunichar ch = lectern_charset_char (cs, c);
      if (lm != NULL)
        search.lm_symbol[c] = lectern_lm_symbol (lm, ch);
      search.word_char[c] = lectern_lexicon_is_word_char (ch);
    }
  search.nodes = g_array_sized_new (FALSE, FALSE, sizeof (PrefixNode), 4096);
  search.child_capacity = 8192;
  search.child_keys = g_new0 (guint64, search.child_capacity);
  search.child_ids = g_new (int, search.child_capacity);
  PrefixNode root = {
    .parent = -1, .cls = 0, .factor = 1.0,
    .lm_state = lm != NULL ? lectern_lm_start (lm) : 0, .lex_node = 0, .in_word = FALSE,
    .slot_frame = -1, .slot = -1,
  };
  g_array_append_val (search.nodes, root);

  const int max_slots = W * (K + 1);
  Hyp *hyps = g_new (Hyp, W);
  Hyp *slots = g_new (Hyp, max_slots);
  double *keys = g_new (double, MAX (max_slots, C));
  int *ids = g_new (int, MAX (max_slots, C));
  int *cand = g_new (int, C);
  double *cand_p = g_new (double, C);
  TopScores top = { g_new (double, W), 0, W };
  int n_hyps = 1;
  hyps[0] = (Hyp) { 0, 1.0, 0.0 };
  double log_scale = 0;

  for (int t = 0; t < T; t++)
    {
      const float *row = log_probs + (gsize) t * C;
      float best_lp = row[0];
      for (int c = 1; c < C; c++)
        if (row[c] > best_lp)
          best_lp = row[c];
      /* the classes worth trying at this frame, at most K, most probable first (kept sorted
       * by insertion: most classes fall below the K-th at once) */
      int n_cand = 0;
      const float lowest = isinf (prune) ? -INFINITY : best_lp - (float) prune;
      for (int c = 1; c < C; c++)
        {
          float v = row[c];
          if (v < lowest || (n_cand == K && v <= keys[K - 1]))
            continue;
          int j = n_cand < K ? n_cand++ : K - 1;
          while (j > 0 && keys[j - 1] < v)
            {
              keys[j] = keys[j - 1];
              ids[j] = ids[j - 1];
              j--;
            }
          keys[j] = v;
          ids[j] = c;
        }
      for (int i = 0; i < n_cand; i++)
        {
          cand[i] = ids[i];
          cand_p[i] = exp (keys[i]);
        }
      const double y_blank = exp ((double) row[0]);
      const double min_p = exp ((double) best_lp - prune);

      /* stay on the same prefix (the hypotheses are distinct prefixes, so one slot each) */
      int n_slots = 0;
      top.n = 0;
      for (int h = 0; h < n_hyps; h++)
        {
          const Hyp hyp = hyps[h];
          PrefixNode *node = NODE (&search, hyp.node);
          Hyp *stay = &slots[n_slots];
          *stay = (Hyp) { hyp.node, y_blank * hyp_total (&hyp, viterbi), 0 };
          if (node->cls != 0)
            stay->pnb = exp ((double) row[node->cls]) * hyp.pnb;
          node->slot_frame = t;
          node->slot = n_slots++;
          top_scores_add (&top, hyp_total (stay, viterbi));
        }

      /* extend every hypothesis by one character; the hypotheses are in decreasing order and
       * so are the candidates, so the threshold rises early and most extensions stop at once */
      for (int h = 0; h < n_hyps; h++)
        {
          const Hyp hyp = hyps[h];
          const double total = hyp_total (&hyp, viterbi);
          const int last = NODE (&search, hyp.node)->cls;
          for (int i = 0; i < n_cand; i++)
            {
              const int c = cand[i];
              double theta = top_scores_threshold (&top);
              if (cand_p[i] * total < min_p || cand_p[i] * total * max_factor < theta)
                break;  /* the later candidates are less probable still */
              const double p = cand_p[i] * (c == last ? hyp.pb : total);
              if (p * max_factor < theta || p < min_p)
                continue;
              int child = child_node (&search, hyp.node, c);
              PrefixNode *cn = NODE (&search, child);
              double q = p * cn->factor;
              if (cn->factor == 0)
                continue;
              if (cn->slot_frame != t)
                {
                  if (q < theta || n_slots == max_slots)
                    continue;
                  cn->slot_frame = t;
                  cn->slot = n_slots;
                  slots[n_slots++] = (Hyp) { child, 0, 0 };
                  top_scores_add (&top, q);
                }
              accumulate (&slots[cn->slot].pnb, q, viterbi);
            }
        }

      /* keep the W best, rescaled so that the best has total 1 */
      for (int i = 0; i < n_slots; i++)
        {
          keys[i] = hyp_total (&slots[i], viterbi);
          ids[i] = i;
        }
      int keep = n_slots;
      if (keep > W)
        {
          select_largest (keys, ids, n_slots, W);
          keep = W;
        }
      double best = 0;
      for (int i = 0; i < keep; i++)
        best = MAX (best, keys[i]);
      if (!(best > 0) || !isfinite (best))
        best = 1;
      n_hyps = 0;
      for (int i = 0; i < keep; i++)
        {
          if (!(keys[i] > 0))
            continue;
          Hyp s = slots[ids[i]];
          s.pb /= best;
          s.pnb /= best;
          hyps[n_hyps++] = s;
        }
      log_scale += log (best);
      if (n_hyps == 0)
        break;
      /* best first, for the thresholds of the next frame */
      for (int i = 1; i < n_hyps; i++)
        {
          Hyp x = hyps[i];
          double xt = hyp_total (&x, viterbi);
          int j = i - 1;
          while (j >= 0 && hyp_total (&hyps[j], viterbi) < xt)
            {
              hyps[j + 1] = hyps[j];
              j--;
            }
          hyps[j + 1] = x;
        }
    }

  /* the best final hypothesis */
  int best_node = 0;
  double best_total = -1;
  for (int h = 0; h < n_hyps; h++)
    {
      double total = hyp_total (&hyps[h], viterbi);
      if (total > best_total)
        {
          best_total = total;
          best_node = hyps[h].node;
        }
    }
  int L = 0;
  for (int k = best_node; k > 0; k = NODE (&search, k)->parent)
    L++;
  g_autofree int *labels = g_new (int, MAX (L, 1));
  int at = L;
  for (int k = best_node; k > 0; k = NODE (&search, k)->parent)
    labels[--at] = NODE (&search, k)->cls;

  LecternDecoded *d = decoded_new (cs, labels, L);
  if (L > 0)
    lectern_ctc_align (log_probs, T, C, labels, L, d->frame_start, d->frame_end, d->confidence);
  d->score = best_total > 0 ? (float) (log (best_total) + log_scale) : -INFINITY;

  g_free (top.v);
  g_free (hyps);
  g_free (slots);
  g_free (keys);
  g_free (ids);
  g_free (cand);
  g_free (cand_p);
  g_free (search.lm_symbol);
  g_free (search.word_char);
  g_free (search.lm_cache);
  g_free (search.child_keys);
  g_free (search.child_ids);
  g_array_unref (search.nodes);
  return d;
}
