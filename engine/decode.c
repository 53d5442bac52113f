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
  opts->insertion_bonus = 0.5f;
  opts->lexicon_mode = LECTERN_LEXICON_PENALISE;
  opts->oov_penalty = -4.0f;
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
#define EXT(s) ((s) % 2 == 0 ? 0 : labels[(s) / 2])
#define SKIP(s) ((s) >= 2 && (s) % 2 == 1 && labels[(s) / 2] != labels[(s) / 2 - 1])

  for (int s = 0; s < S; s++)
    prev[s] = -INFINITY;
  prev[0] = log_probs[0];
  prev[1] = log_probs[labels[0]];
  for (int t = 1; t < T; t++)
    {
      const float *row = log_probs + (gsize) t * C;
      guint8 *b = back + (gsize) t * S;
      for (int s = 0; s < S; s++)
        {
          double best = prev[s];
          guint8 from = 0;
          if (s >= 1 && prev[s - 1] > best)
            {
              best = prev[s - 1];
              from = 1;
            }
          if (SKIP (s) && prev[s - 2] > best)
            {
              best = prev[s - 2];
              from = 2;
            }
          cur[s] = best + row[EXT (s)];
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
#undef EXT
#undef SKIP
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
  int            first_child;
  int            next_sibling;
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
  double                    oov_factor;
} Search;

#define NODE(search, i) (&g_array_index ((search)->nodes, PrefixNode, (i)))

/* The node for parent·c, created on first use. */
static int
child_node (Search *search, int parent, int c)
{
  for (int k = NODE (search, parent)->first_child; k >= 0; k = NODE (search, k)->next_sibling)
    if (NODE (search, k)->cls == c)
      return k;

  const PrefixNode *p = NODE (search, parent);
  PrefixNode n = {
    .parent = parent, .cls = c, .first_child = -1, .next_sibling = p->first_child,
    .factor = 1.0, .lm_state = p->lm_state, .lex_node = 0, .in_word = FALSE,
    .slot_frame = -1, .slot = -1,
  };
  double log_factor = 0;
  if (search->lm != NULL)
    {
      double lp = lectern_lm_log_prob (search->lm, p->lm_state, search->lm_symbol[c], &n.lm_state);
      log_factor += search->opts->lm_weight * lp + search->opts->insertion_bonus;
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
  NODE (search, parent)->first_child = id;
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

  Search search = { cs, lm, lex, &opts, NULL, NULL, NULL, 0 };
  search.lm_symbol = g_new0 (int, C);
  search.word_char = g_new0 (gboolean, C);
  for (int c = 1; c < C; c++)
    {
      gunichar ch = lectern_charset_char (cs, c);
      if (lm != NULL)
        search.lm_symbol[c] = lectern_lm_symbol (lm, ch);
      search.word_char[c] = lectern_lexicon_is_word_char (ch);
    }
  search.nodes = g_array_sized_new (FALSE, FALSE, sizeof (PrefixNode), 1024);
  PrefixNode root = {
    .parent = -1, .cls = 0, .first_child = -1, .next_sibling = -1, .factor = 1.0,
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
      /* the classes worth trying at this frame */
      int n_cand = 0;
      for (int c = 1; c < C; c++)
        if (row[c] >= best_lp - prune)
          {
            keys[n_cand] = row[c];
            ids[n_cand] = c;
            n_cand++;
          }
      if (n_cand > K)
        {
          select_largest (keys, ids, n_cand, K);
          n_cand = K;
        }
      for (int i = 0; i < n_cand; i++)
        {
          cand[i] = ids[i];
          cand_p[i] = exp ((double) row[ids[i]]);
        }
      const double y_blank = exp ((double) row[0]);
      const double min_p = exp ((double) best_lp - prune);

      int n_slots = 0;
      for (int h = 0; h < n_hyps; h++)
        {
          const Hyp hyp = hyps[h];
          const double total = viterbi ? MAX (hyp.pb, hyp.pnb) : hyp.pb + hyp.pnb;
          const int last = NODE (&search, hyp.node)->cls;

          /* stay on the same prefix */
          PrefixNode *node = NODE (&search, hyp.node);
          if (node->slot_frame != t)
            {
              node->slot_frame = t;
              node->slot = n_slots;
              slots[n_slots++] = (Hyp) { hyp.node, 0, 0 };
            }
          Hyp *stay = &slots[node->slot];
          accumulate (&stay->pb, y_blank * total, viterbi);
          if (last != 0)
            accumulate (&stay->pnb, exp ((double) row[last]) * hyp.pnb, viterbi);

          /* extend it by one character */
          for (int i = 0; i < n_cand; i++)
            {
              const int c = cand[i];
              const double from = c == last ? hyp.pb : total;
              const double p = cand_p[i] * from;
              if (p < min_p)
                continue;
              int child = child_node (&search, hyp.node, c);
              PrefixNode *cn = NODE (&search, child);
              if (cn->factor == 0)
                continue;
              if (cn->slot_frame != t)
                {
                  if (n_slots == max_slots)
                    continue;
                  cn->slot_frame = t;
                  cn->slot = n_slots;
                  slots[n_slots++] = (Hyp) { child, 0, 0 };
                }
              accumulate (&slots[cn->slot].pnb, p * cn->factor, viterbi);
            }
        }

      /* keep the W best, rescaled so that the best has total 1 */
      for (int i = 0; i < n_slots; i++)
        {
          keys[i] = viterbi ? MAX (slots[i].pb, slots[i].pnb) : slots[i].pb + slots[i].pnb;
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
          if (keys[i] <= 0)
            continue;
          Hyp s = slots[ids[i]];
          s.pb /= best;
          s.pnb /= best;
          hyps[n_hyps++] = s;
        }
      log_scale += log (best);
      if (n_hyps == 0)
        break;
    }

  /* the best final hypothesis; ties go to the first found */
  int best_node = 0;
  double best_total = -1;
  for (int h = 0; h < n_hyps; h++)
    {
      double total = viterbi ? MAX (hyps[h].pb, hyps[h].pnb) : hyps[h].pb + hyps[h].pnb;
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

  g_free (hyps);
  g_free (slots);
  g_free (keys);
  g_free (ids);
  g_free (cand);
  g_free (cand_p);
  g_free (search.lm_symbol);
  g_free (search.word_char);
  g_array_unref (search.nodes);
  return d;
}
