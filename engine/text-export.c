/* text-export.c — plain text: the lines in reading order, one per line, with a blank line
 * between regions (regions without lines leave no trace). */
#include "document-private.h"

GBytes *
lectern_text_export (const LecternDocument *doc)
{
  GString *out = g_string_new (NULL);
  gboolean any_region = FALSE;
  for (guint i = 0; i < doc->regions->len; i++)
    {
      const LecternRegion *region = doc->regions->pdata[i];
      if (region->lines->len == 0)
        continue;
      if (any_region)
        g_string_append_c (out, '\n');
      any_region = TRUE;
      for (guint j = 0; j < region->lines->len; j++)
        {
          const LecternLine *line = region->lines->pdata[j];
          g_string_append (out, line->text != NULL ? line->text : "");
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free_to_bytes (out);
}
