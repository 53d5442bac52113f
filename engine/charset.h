/* charset.h — the recognizer's output classes: class 0 is the CTC blank, every other class is
 * one Unicode code point.
 *
 * Combining marks are classes of their own (ẽ may be 'e' + U+0303 when the charset has no
 * precomposed ẽ), so a class is always exactly one code point and the decoders can give every
 * output character its own confidence and frame span. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A model never has more classes than this (blank included); files claiming more are refused. */
#define LECTERN_CHARSET_MAX_CLASSES 65536

typedef struct _LecternCharset LecternCharset;

LecternCharset *lectern_charset_new    (void);
LecternCharset *lectern_charset_copy   (const LecternCharset *cs);
void            lectern_charset_free   (LecternCharset *cs);
/* number of classes including the blank */
guint           lectern_charset_size   (const LecternCharset *cs);
/* Returns the class of c, adding it if absent; -1 when c cannot be a class (a control
 * character, a surrogate, a non-character beyond U+10FFFF) or the charset is full. */
int             lectern_charset_add    (LecternCharset *cs, gunichar c);
/* the class of c, or -1 if absent */
int             lectern_charset_lookup (const LecternCharset *cs, gunichar c);
/* the code point of a class; 0 for the blank and for classes out of range */
gunichar        lectern_charset_char   (const LecternCharset *cs, int cls);

/* Text → labels. The text is NFC-normalised first; a character absent from the charset is
 * looked up once more as its canonical decomposition (é → e + U+0301) when every part of that is
 * in the charset. A character that is still unknown is an error (LECTERN_ERROR_INVALID naming
 * it), or is skipped with skip_unknown. Invalid UTF-8 is an error. Free the result with g_free;
 * *n_labels may be 0 (the result is then a valid, empty array). */
int  *lectern_charset_encode (const LecternCharset *cs, const char *text, gboolean skip_unknown,
                              int *n_labels, GError **error);
/* Labels → UTF-8, one code point per label, blanks and out-of-range labels left out. It does not
 * collapse repeats (that is the decoders' work) and does not normalise. */
char *lectern_charset_decode (const LecternCharset *cs, const int *labels, int n);

/* Serialisation for the model file: the UTF-8 string of classes 1..C-1 in order (no NUL
 * inside; *len receives its byte length; the result is NUL-terminated). */
char           *lectern_charset_to_string   (const LecternCharset *cs, gsize *len);
/* Rejects invalid UTF-8, control characters, duplicates and more than
 * LECTERN_CHARSET_MAX_CLASSES classes, with a LECTERN_ERROR_FORMAT saying which. */
LecternCharset *lectern_charset_from_string (const char *utf8, gsize len, GError **error);

/* Whether c may be a class (not a control character, surrogate or unassigned beyond U+10FFFF). */
gboolean        lectern_charset_char_is_valid (gunichar c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternCharset, lectern_charset_free)

G_END_DECLS
