/* corpus.h — text for synthetic handwritten lines.
 *
 * `lectern-cli synth` needs many short strings that look like what people write: spans of real
 * English, French and German sentences, word sequences, dates, sums of money and numbers, with
 * capitals, punctuation and accented letters at natural rates. The corpus loads whatever of
 * Debian's text packages is installed (fortunes, fortunes-de, the KJV Bible through the `bible`
 * program of bible-kjv, French and German man pages, the word lists wamerican, wfrench,
 * wngerman) and any plain-text files the user names, cleans them (NFC, printable characters,
 * whitespace folded to single spaces) and samples from them with a caller's generator, so a
 * sample depends only on the corpus and the generator state. */
#pragma once

#include <glib.h>

#include "rng.h"

G_BEGIN_DECLS

typedef enum {
  LECTERN_LANGUAGE_ENGLISH,
  LECTERN_LANGUAGE_FRENCH,
  LECTERN_LANGUAGE_GERMAN,
  LECTERN_LANGUAGE_OTHER,
  LECTERN_N_LANGUAGES
} LecternLanguage;

typedef struct _LecternCorpus LecternCorpus;

/* Samples are at most this many characters long. */
#define LECTERN_CORPUS_MAX_SAMPLE 80

/* Whether a renderer can draw c (a font's coverage); samples contain only allowed characters. */
typedef gboolean (*LecternCharFilter) (gunichar c, gpointer user_data);

LecternCorpus *lectern_corpus_new  (void);
void           lectern_corpus_free (LecternCorpus *corpus);

/* Loads the installed Debian sources (see above) from the standard places; missing packages are
 * skipped. Returns the number of sources loaded. */
guint    lectern_corpus_add_system_sources (LecternCorpus *corpus);

/* Adds a UTF-8 text file, one paragraph per line (e.g. transcriptions, one line each).
 * Its spans are drawn with the given weight relative to a system source (1.0). */
gboolean lectern_corpus_add_text_file (LecternCorpus *corpus, const char *path,
                                       LecternLanguage language, double weight, GError **error);
/* Same from memory; name is used in the summary. */
void     lectern_corpus_add_paragraphs (LecternCorpus *corpus, const char *name,
                                        LecternLanguage language, double weight,
                                        const char *text, gssize length);
/* Adds words (one per line) used for word sequences. */
void     lectern_corpus_add_words (LecternCorpus *corpus, LecternLanguage language,
                                   const char *text, gssize length);

/* Number of paragraphs and of words loaded. */
gsize    lectern_corpus_get_n_paragraphs (const LecternCorpus *corpus);
gsize    lectern_corpus_get_n_words      (const LecternCorpus *corpus);
/* One line per source: name, language, paragraphs, characters. */
char    *lectern_corpus_describe (const LecternCorpus *corpus);

/* NFC, control and unprintable characters dropped, runs of whitespace folded to one space,
 * leading and trailing space removed. Invalid UTF-8 is dropped. Returns a new string. */
char    *lectern_corpus_clean (const char *text, gssize length);

/* Draws one sample: a sentence span, a word sequence, or a date, number or sum of money,
 * NFC, non-empty, at most LECTERN_CORPUS_MAX_SAMPLE characters, using only characters that
 * allowed accepts (NULL: any). Falls back to simpler text (digits, ASCII words) when the filter
 * rejects the drawn text; returns NULL only when the filter rejects even plain ASCII letters. */
char    *lectern_corpus_sample (const LecternCorpus *corpus, LecternRng *rng,
                                LecternCharFilter allowed, gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternCorpus, lectern_corpus_free)

G_END_DECLS
