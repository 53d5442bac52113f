/* text.h — transcription text: normalisation, error rates and ground-truth markup cleaning.
 *
 * Training targets, recognizer output and evaluation all compare text, so they must agree on
 * what a character is: NFC code points, with every run of whitespace folded to one space.
 * Character and word error rates are Levenshtein distances over code points and over
 * space-separated words. Ground truth from the field carries editorial markup (struck-out text,
 * superscript markers, Transkribus tags) that no pen wrote; lectern_text_clean_transcription
 * turns it into what the line image shows. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NFC; every run of Unicode whitespace (tabs, newlines, no-break spaces…) becomes one U+0020,
 * leading and trailing whitespace is removed; other control characters are dropped; invalid
 * UTF-8 sequences become U+FFFD. len < 0: NUL-terminated. Never returns NULL. */
char   *lectern_text_normalize (const char *text, gssize len);

/* Levenshtein distance (insertions, deletions, substitutions all cost 1) between two sequences
 * of 32-bit symbols: code points, or word ids. O(n·m) time, O(min(n, m)) memory. */
gsize   lectern_edit_distance (const guint32 *a, gsize n, const guint32 *b, gsize m);
/* Levenshtein distance over the code points of two UTF-8 strings, taken as given (no
 * normalisation; invalid UTF-8 counts as U+FFFD). */
gsize   lectern_text_edit_distance (const char *a, const char *b);

/* Error counts over a set of lines; rates are totals of edits over totals of reference units
 * (not a mean of per-line rates), as is usual for CER/WER. Both texts are normalised first
 * (lectern_text_normalize); words are the space-separated tokens of that. */
typedef struct {
  guint64 char_edits;
  guint64 ref_chars;
  guint64 word_edits;
  guint64 ref_words;
  guint64 lines;
} LecternErrorCounts;

void    lectern_error_counts_add (LecternErrorCounts *counts, const char *hypothesis,
                                  const char *reference);
/* char_edits / max(ref_chars, 1): 0 for a perfect result; may exceed 1 when the hypothesis
 * is much longer than the reference. */
double  lectern_error_counts_cer (const LecternErrorCounts *counts);
double  lectern_error_counts_wer (const LecternErrorCounts *counts);
/* one line's CER and WER, with the same definitions */
double  lectern_text_cer (const char *hypothesis, const char *reference);
double  lectern_text_wer (const char *hypothesis, const char *reference);

/* Ground-truth markup, as found in ../shared/data (see the comments of each flag). */
typedef enum {
  LECTERN_CLEAN_NONE = 0,
  /* '^' before superscript letters ("M^r", "S^t", "X^bre", "^re^voir", "^(1)") is dropped, the
   * letters are kept: the image shows them, only smaller and higher. */
  LECTERN_CLEAN_SUPERSCRIPT_MARKS = 1 << 0,
  /* Struck-out text is dropped with its markers: "⟦…⟧" and ">…<". An opening marker without
   * its closing one runs to the end of the line (the span continues on the next line). */
  LECTERN_CLEAN_STRUCK_OUT = 1 << 1,
  /* Marks for what the transcriber could not read are dropped: "<>", "><" (illegible, or
   * struck and illegible) and "[???]" (an unresolved word). */
  LECTERN_CLEAN_ILLEGIBLE = 1 << 2,
  /* A line-end hyphen written as '¬' becomes '-', and so does a line-end '=' right after a
   * letter; a '=' after a space or a digit ("DEMISME =") is an equals sign and stays. */
  LECTERN_CLEAN_LINE_END_HYPHEN = 1 << 3,
  /* Transkribus tag markup (kraken-es): "$ofi:", "$ant:", "$pag:39" → the tag is dropped and
   * the text kept; "dho$.dicho" → the abbreviation as written ("dho"), the expansion dropped;
   * "Parq.$^l" → superscript letters kept ("Parq.l"); "$-" (a word split over lines) dropped.
   * A '$' in any other position ("$4.00") is text. */
  LECTERN_CLEAN_TRANSKRIBUS_TAGS = 1 << 4,
  /* "[[" and "]]" (editorial brackets in the 17th-century sets) are dropped, their content
   * kept; single brackets are always text. */
  LECTERN_CLEAN_EDITORIAL_BRACKETS = 1 << 5,
  /* Insertion signs '‸', '⎀', '⋎' are dropped. Not in the default: the writer drew them. */
  LECTERN_CLEAN_INSERTION_SIGNS = 1 << 6,
} LecternCleanFlags;

/* The policy for training targets: everything above except INSERTION_SIGNS. The target is what
 * the pen wrote, read as plain characters: superscripts as ordinary letters, abbreviations as
 * written (not expanded), struck-out and illegible passages left out (the network learns to
 * emit nothing for them, which is what a user wants in the transcript), editorial marks gone. */
#define LECTERN_CLEAN_DEFAULT (LECTERN_CLEAN_SUPERSCRIPT_MARKS | LECTERN_CLEAN_STRUCK_OUT | \
                               LECTERN_CLEAN_ILLEGIBLE | LECTERN_CLEAN_LINE_END_HYPHEN | \
                               LECTERN_CLEAN_TRANSKRIBUS_TAGS | LECTERN_CLEAN_EDITORIAL_BRACKETS)

/* One line of ground truth → the text to train on or to compare with: the markup selected by
 * flags removed, then lectern_text_normalize. Never returns NULL (may return ""). */
char     *lectern_text_clean_transcription (const char *text, LecternCleanFlags flags);

/* Whether a line's transcription admits that part of it was not read ("[???]", "<>", "><"):
 * after cleaning its target no longer matches the image, so training may prefer to skip it. */
gboolean  lectern_text_has_unread_parts (const char *text);

G_END_DECLS
