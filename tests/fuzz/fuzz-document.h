/* fuzz-document.h — the body of the PAGE and ALTO fuzz targets: load any XML as a page, and
 * when it loads, write it in every format and read the PAGE/ALTO output back.
 *
 * Lectern promises that its readers turn imperfect files into documents its writers can always
 * write validly (ids made unique, coordinates clamped, text normalised), so a loaded document
 * that does not survive a round trip through its own format is a bug too. */
#pragma once

#include "document.h"
#include "fuzz-common.h"

static inline void
fuzz_check_document (const LecternDocument *doc)
{
  if (doc->width < 0 || doc->height < 0)
    g_error ("negative page size");
  g_autoptr(GPtrArray) lines = lectern_document_lines (doc);
  if (lines->len != lectern_document_n_lines (doc))
    g_error ("line counts disagree");
  for (guint i = 0; i < lines->len; i++)
    {
      const LecternLine *line = lines->pdata[i];
      if (line->id == NULL || line->text == NULL || !g_utf8_validate (line->text, -1, NULL))
        g_error ("a line without id or with invalid text");
      for (guint k = 0; k < line->polygon->len; k++)
        {
          LecternPoint p = g_array_index (line->polygon, LecternPoint, k);
          if (p.x < 0 || p.y < 0)
            g_error ("a negative coordinate was kept");
        }
      int x0, y0, x1, y1;
      if (lectern_line_bbox (line, &x0, &y0, &x1, &y1) && (x1 < x0 || y1 < y0))
        g_error ("an inverted bounding box");
    }
}

static inline void
fuzz_document (const uint8_t *data, size_t size, const char *name, LecternFormat own_format)
{
  fuzz_init ();
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = lectern_document_load_bytes (bytes, name, &error);
  if (doc == NULL)
    {
      fuzz_check_error (error, name);
      return;
    }
  fuzz_check_document (doc);
  g_autoptr(LecternDocument) copy = lectern_document_copy (doc);
  fuzz_check_document (copy);

  static const LecternFormat formats[] = {
    LECTERN_FORMAT_PAGE, LECTERN_FORMAT_ALTO, LECTERN_FORMAT_HOCR, LECTERN_FORMAT_TEXT,
  };
  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr(GError) write_error = NULL;
      g_autoptr(GBytes) written = lectern_document_serialize (doc, formats[f], &write_error);
      if (written == NULL)
        g_error ("a loaded document cannot be written as %s: %s",
                 lectern_format_extension (formats[f]), write_error->message);
      if (formats[f] != own_format)
        continue;
      g_autoptr(GError) reload_error = NULL;
      g_autoptr(LecternDocument) again = lectern_document_load_bytes (written, "written.xml",
                                                                      &reload_error);
      if (again == NULL)
        g_error ("Lectern cannot read what it wrote: %s", reload_error->message);
      if (lectern_document_n_lines (again) != lectern_document_n_lines (doc))
        g_error ("%u lines written, %u read back", lectern_document_n_lines (doc),
                 lectern_document_n_lines (again));
      fuzz_check_document (again);
    }
}
