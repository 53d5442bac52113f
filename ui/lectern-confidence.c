/* lectern-confidence.c — how confidence looks (see lectern-confidence.h). */
#include "config.h"

#include "lectern-confidence.h"

void
lectern_confidence_to_rgba (double   confidence,
                            GdkRGBA *rgba)
{
  /* red (0.80, 0.15, 0.10) → orange (0.95, 0.55, 0.05) → green (0.15, 0.60, 0.25) */
  static const float stops[3][3] = {
    { 0.80f, 0.15f, 0.10f },
    { 0.95f, 0.55f, 0.05f },
    { 0.15f, 0.60f, 0.25f },
  };
  double t = (confidence - LECTERN_CONFIDENCE_LOW)
             / (LECTERN_CONFIDENCE_SURE - LECTERN_CONFIDENCE_LOW);
  int i;
  double f;

  t = CLAMP (t, 0.0, 1.0) * 2;
  i = MIN ((int) t, 1);
  f = t - i;
  rgba->red = (1 - f) * stops[i][0] + f * stops[i + 1][0];
  rgba->green = (1 - f) * stops[i][1] + f * stops[i + 1][1];
  rgba->blue = (1 - f) * stops[i][2] + f * stops[i + 1][2];
  rgba->alpha = 1;
}

PangoAttrList *
lectern_confidence_attributes (const char   *text,
                               const GArray *char_confidences)
{
  PangoAttrList *attributes;
  const char *p;
  guint i;

  if (text == NULL || char_confidences == NULL || char_confidences->len == 0
      || (glong) char_confidences->len != g_utf8_strlen (text, -1))
    return NULL;

  attributes = pango_attr_list_new ();
  for (p = text, i = 0; *p != '\0'; p = g_utf8_next_char (p), i++)
    {
      float confidence = g_array_index (char_confidences, float, i);
      PangoAttribute *colour;
      PangoAttribute *underline;
      GdkRGBA rgba;

      if (confidence >= LECTERN_CONFIDENCE_DOUBTFUL)
        continue;

      lectern_confidence_to_rgba (confidence, &rgba);
      colour = pango_attr_foreground_new (rgba.red * 65535, rgba.green * 65535, rgba.blue * 65535);
      colour->start_index = p - text;
      colour->end_index = g_utf8_next_char (p) - text;
      pango_attr_list_insert (attributes, colour);

      /* Colour alone is not enough for every reader: doubtful characters are underlined too. */
      underline = pango_attr_underline_new (PANGO_UNDERLINE_ERROR);
      underline->start_index = colour->start_index;
      underline->end_index = colour->end_index;
      pango_attr_list_insert (attributes, underline);
    }
  return attributes;
}
