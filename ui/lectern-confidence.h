/* lectern-confidence.h — how confidence looks: the colours lines and characters are tinted by.
 *
 * One scale for the page view (line outlines) and the line list (doubtful characters): green
 * for what the recognizer is sure of, through orange, to red for what it is not. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Characters read with less confidence than this are tinted in the text. */
#define LECTERN_CONFIDENCE_DOUBTFUL 0.8
/* At or above this a line counts as sure (green); at or below LECTERN_CONFIDENCE_LOW, red. */
#define LECTERN_CONFIDENCE_SURE     0.9
#define LECTERN_CONFIDENCE_LOW      0.5

/* The colour of a confidence in [0, 1] (opaque). */
void lectern_confidence_to_rgba (double   confidence,
                                 GdkRGBA *rgba);

/* Pango attributes that tint the doubtful characters of text (one confidence per character;
 * NULL or a count that does not match the text gives no attributes). */
PangoAttrList *lectern_confidence_attributes (const char   *text,
                                              const GArray *char_confidences);

G_END_DECLS
