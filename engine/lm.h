/* lm.h — character n-gram language model and word lexicon for the beam-search decoder.
 *
 * The model predicts the next code point from the N-1 before it. It is smoothed with
 * interpolated modified Kneser-Ney (Chen & Goodman 1998: three discounts D1, D2, D3+ per order
 * estimated from counts of counts; continuation counts for the lower orders; the lowest order
 * interpolated with the uniform distribution), so every code point, even one never seen,
 * has a non-zero probability, and the probabilities over the vocabulary (the code points seen in
 * training plus one "unknown" symbol) sum to one in every context.
 *
 * Training text is NFC-normalised and whitespace-folded (lectern_text_normalize); each call of
 * lectern_lm_builder_add_text is one stream whose first character has no history, as the first
 * character of a line to recognise has none. There is no end-of-text symbol: a line of a page
 * ends wherever the writer's paper did.
 *
 * The model is stored as a trie of n-grams with the interpolated probability of each and the
 * back-off weight of each context, so a query walks at most N nodes. Queries go through a
 * state (the node of the longest known history), so a decoder extends a hypothesis by one
 * character at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LECTERN_LM_DEFAULT_ORDER 6
#define LECTERN_LM_MAX_ORDER     12
/* largest vocabulary (code points seen + unknown) a model may have */
#define LECTERN_LM_MAX_VOCAB     65535

typedef struct _LecternLm        LecternLm;
typedef struct _LecternLmBuilder LecternLmBuilder;
/* the history a prediction is made from; only meaningful with the model that gave it */
typedef guint32 LecternLmState;

/* --- building --- */

/* order in 1..LECTERN_LM_MAX_ORDER */
LecternLmBuilder *lectern_lm_builder_new       (int order);
void              lectern_lm_builder_free      (LecternLmBuilder *builder);
/* Adds one stream of text (normalised here). len < 0: NUL-terminated. */
void              lectern_lm_builder_add_text  (LecternLmBuilder *builder, const char *text,
                                                gssize len);
/* number of characters added so far */
guint64           lectern_lm_builder_n_chars   (const LecternLmBuilder *builder);
/* Counts, smooths and returns the model; the builder is left empty. Fails (LECTERN_ERROR_INVALID)
 * on no text, (LECTERN_ERROR_TOO_LARGE) on more than LECTERN_LM_MAX_VOCAB-1 distinct characters
 * or more n-grams than a model file can index. */
LecternLm        *lectern_lm_builder_finish    (LecternLmBuilder *builder, GError **error);

/* --- files --- */

/* Binary, little-endian: magic "LCTNCHLM", format version, order, vocabulary (UTF-8), n-gram
 * counts per order, then per order the symbols, log-probabilities, back-off weights and child
 * counts, and a CRC-32 over all of it. Written atomically. */
gboolean   lectern_lm_save  (const LecternLm *lm, const char *path, GError **error);
GBytes    *lectern_lm_serialize (const LecternLm *lm);
/* Loading checks everything before trusting it: sizes against the file length before any
 * allocation, the checksum, the vocabulary, the ordering of the trie and the finiteness of every
 * value. Errors name the file (`name` for bytes) and the problem. */
LecternLm *lectern_lm_load  (const char *path, GError **error);
LecternLm *lectern_lm_load_bytes (GBytes *bytes, const char *name, GError **error);
void       lectern_lm_free  (LecternLm *lm);

/* --- queries --- */

int        lectern_lm_order        (const LecternLm *lm);
/* vocabulary size, including the unknown symbol */
guint      lectern_lm_vocab_size   (const LecternLm *lm);
/* number of distinct n-grams of order n (1..order) */
guint      lectern_lm_n_ngrams     (const LecternLm *lm, int n);
/* the symbol of a code point: 1..V-1, or 0 (unknown) when training never saw it */
int        lectern_lm_symbol       (const LecternLm *lm, gunichar c);
/* the code point of a symbol; 0 for the unknown symbol */
gunichar   lectern_lm_symbol_char  (const LecternLm *lm, int symbol);
/* the state with no history (start of a line) */
LecternLmState lectern_lm_start    (const LecternLm *lm);
/* ln P(symbol | state); writes the state after it to *next when next is not NULL. */
double     lectern_lm_log_prob     (const LecternLm *lm, LecternLmState state, int symbol,
                                    LecternLmState *next);
/* Sum of ln P over the characters of text (normalised first) from the start state; the
 * number of characters scored goes to *n_chars. */
double     lectern_lm_text_log_prob (const LecternLm *lm, const char *text, guint64 *n_chars);

/* --- lexicon --- */

/* A set of words kept as a trie of lower-cased code points. A word is a maximal run of
 * characters for which lectern_lexicon_is_word_char holds (letters and combining marks);
 * digits, spaces and punctuation separate words. */
typedef struct _LecternLexicon LecternLexicon;
/* a node of the trie; 0 is the root (the empty word) */
typedef guint32 LecternLexiconNode;
#define LECTERN_LEXICON_NONE G_MAXUINT32

LecternLexicon *lectern_lexicon_new        (void);
void            lectern_lexicon_free       (LecternLexicon *lex);
/* Adds the words found in text (normalised and lower-cased first); returns how many were new. */
guint           lectern_lexicon_add_text   (LecternLexicon *lex, const char *text, gssize len);
/* Reads a UTF-8 file (a word list or running text) of at most 256 MiB. */
gboolean        lectern_lexicon_add_file   (LecternLexicon *lex, const char *path, GError **error);
guint           lectern_lexicon_n_words    (const LecternLexicon *lex);
gboolean        lectern_lexicon_contains   (const LecternLexicon *lex, const char *word);
gboolean        lectern_lexicon_is_word_char (gunichar c);
/* The child of node for c (compared lower-cased), or LECTERN_LEXICON_NONE. */
LecternLexiconNode lectern_lexicon_step    (const LecternLexicon *lex, LecternLexiconNode node,
                                            gunichar c);
/* whether the path to node spells a whole word */
gboolean        lectern_lexicon_is_word_end (const LecternLexicon *lex, LecternLexiconNode node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternLm, lectern_lm_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternLmBuilder, lectern_lm_builder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternLexicon, lectern_lexicon_free)

G_END_DECLS
