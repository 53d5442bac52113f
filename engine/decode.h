/* decode.h — turning the network's per-frame class posteriors into text.
 *
 * Two decoders: best path (argmax per frame, repeats collapsed, blanks dropped) and prefix beam
 * search (Graves 2012; Hannun et al. 2014) with an optional character n-gram language model and
 * an optional lexicon. Both give every output character a confidence and the span of frames
 * that produced it, so the UI can highlight a character in the line image (frame f covers the
 * image columns [f·8, f·8+8) with the default network) and tint the doubtful ones.
 *
 * Per character:
 *   frame_start..frame_end  the run of frames on which the alignment emits the character
 *                           (blank frames around it belong to no character);
 *   confidence              the largest posterior of the character's class over that run: CTC
 *                           networks answer with a spike, so the height of the spike, not its
 *                           mean over a run that includes the rise and fall, says how sure the
 *                           network was.
 * For the beam search the alignment is the most probable one (Viterbi) of the chosen text, so
 * a beam search that returns the best-path text returns the best-path spans and confidences. */
#pragma once

#include <glib.h>

#include "charset.h"
#include "lm.h"

G_BEGIN_DECLS

typedef struct {
  char   *text;          /* UTF-8 */
  guint   n_chars;       /* number of output classes emitted (= characters, one per class) */
  float  *confidence;    /* n_chars values in 0..1 */
  int    *frame_start;   /* n_chars: first frame of the character */
  int    *frame_end;     /* n_chars: last frame (inclusive) */
  float   score;         /* log-probability of the result */
} LecternDecoded;

/* text is the characters of the emitted classes in order, one code point each, not normalised
 * (a combining-mark class follows its base letter); the arrays are NULL when n_chars is 0.
 * score: best path: ln P of the best path. Beam search: ln of the summed probability of all
 * alignments of the text (the best alignment's with LECTERN_BEAM_VITERBI), plus the language
 * model, insertion and lexicon terms below. */
void lectern_decoded_free (LecternDecoded *d);

typedef enum {
  /* A word outside the lexicon costs oov_penalty (a log-probability) once; a word cut off by
   * the end of the line is fine if it begins a lexicon word (it may go on after a hyphen). */
  LECTERN_LEXICON_PENALISE,
  /* Words outside the lexicon are never produced (a word cut off by the end of the line must
   * still begin a lexicon word). If every hypothesis is forbidden the result is empty. */
  LECTERN_LEXICON_FORBID,
} LecternLexiconMode;

typedef enum {
  /* rank a text by the sum over its alignments (the CTC definition of its probability) */
  LECTERN_BEAM_SUM,
  /* rank a text by its best alignment; with beam_width 1 and no LM this is best path exactly */
  LECTERN_BEAM_VITERBI,
} LecternBeamScoring;

typedef struct {
  int                beam_width;       /* hypotheses kept per frame (default 24) */
  /* score of a text = ln P_ctc + lm_weight·ln P_lm + insertion_bonus·n_chars (the bonus only
   * with an LM, to offset the LM's cost per character) + oov_penalty per word outside the
   * lexicon. Tune them on validation lines of real output. The defaults were the best round
   * numbers on a simulation (held-out training lines, a fifth of the characters confused with
   * another class, 6-gram LM on the other lines): CER 9.7% best path, 0.6% with α 0.5, β 1;
   * α ≥ 1 without a bonus deletes characters; a lexicon from the same lines alone gave 4.1% at
   * a penalty of -2, and with the LM it cost more (names, spellings) than it gave. */
  float              lm_weight;        /* α (default 0.5) */
  float              insertion_bonus;  /* β (default 1.0) */
  LecternLexiconMode lexicon_mode;     /* default LECTERN_LEXICON_PENALISE */
  float              oov_penalty;      /* ln cost of an out-of-lexicon word (default -2) */
  /* Per frame only classes within prune_log_prob of the frame's best class are tried, at most
   * max_candidates of them, and extensions below e^-prune_log_prob of the best hypothesis are
   * dropped. The defaults (10, 16) lose nothing measurable and keep the search fast. */
  float              prune_log_prob;
  int                max_candidates;
  LecternBeamScoring scoring;          /* default LECTERN_BEAM_SUM */
} LecternBeamOptions;

void lectern_beam_options_init (LecternBeamOptions *opts);

/* log_probs: T × C log-softmax output; C must equal lectern_charset_size (cs). */
LecternDecoded *lectern_decode_best_path (const float *log_probs, int T, int C,
                                          const LecternCharset *cs);
LecternDecoded *lectern_decode_beam (const float *log_probs, int T, int C,
                                     const LecternCharset *cs,
                                     const LecternLm *lm /* nullable */,
                                     const LecternLexicon *lex /* nullable */,
                                     const LecternBeamOptions *opts /* nullable: defaults */);

/* The most probable alignment of labels (L classes in 1..C-1) to the frames: per label its frame
 * span and confidence as defined above. Returns the alignment's log-probability, or -INFINITY
 * (arrays untouched) when the labels do not fit in T frames. Arrays may be NULL. */
double lectern_ctc_align (const float *log_probs, int T, int C, const int *labels, int L,
                          int *frame_start, int *frame_end, float *confidence);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternDecoded, lectern_decoded_free)

G_END_DECLS
