/* cli-segment.c — `lectern-cli segment`: find the text lines of page scans.
 *
 * With -o the lines go to a PAGE XML (or ALTO) file; with -d each page gets NAME.xml in a
 * folder; otherwise a summary of what was found is printed. */
#include "config.h"
#include "cli.h"
#include "document.h"
#include "image.h"
#include "segment.h"

#include <glib/gi18n.h>

/* The image as the output file should name it: relative to the output's folder when the image
 * lies inside it (PAGE files usually sit beside their images), else absolute. */
static char *
image_name_for (const char *image_path, const char *out_path)
{
  g_autoptr (GFile) image = g_file_new_for_commandline_arg (image_path);
  if (out_path == NULL)
    return g_file_get_basename (image);
  g_autoptr (GFile) out = g_file_new_for_commandline_arg (out_path);
  g_autoptr (GFile) folder = g_file_get_parent (out);
  char *relative = folder != NULL ? g_file_get_relative_path (folder, image) : NULL;
  return relative != NULL ? relative : g_file_get_path (image);
}

static void
print_summary (const char *image_path, const LecternDocument *doc, double skew, double ms)
{
  g_print (_("%s: %d × %d pixels, skew %.2f°, %u lines in %u regions (%.0f ms)\n"),
           image_path, doc->width, doc->height, skew, lectern_document_n_lines (doc),
           doc->regions->len, ms);
  for (guint r = 0; r < doc->regions->len; r++)
    {
      const LecternRegion *region = doc->regions->pdata[r];
      g_print (_("  region %s (%s)\n"), region->id, region->type != NULL ? region->type : "-");
      for (guint i = 0; i < region->lines->len; i++)
        {
          const LecternLine *line = region->lines->pdata[i];
          int x0, y0, x1, y1;
          if (!lectern_line_bbox (line, &x0, &y0, &x1, &y1))
            continue;
          g_print (_("    %-10s x %5d–%-5d y %5d–%-5d %u polygon points, %u baseline points\n"),
                   line->id, x0, x1, y0, y1, line->polygon->len, line->baseline->len);
        }
    }
}

static gboolean
segment_one (const char *image_path, const char *out_path, LecternFormat format,
             const LecternSegmentOptions *opts, gboolean quiet)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternImage) page = lectern_image_load (image_path, &error);
  if (page == NULL)
    {
      lectern_cli_print_error (error);
      return FALSE;
    }
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (LecternDocument) doc = lectern_segment_page (page, opts, NULL, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (doc == NULL)
    {
      g_prefix_error (&error, "%s: ", image_path);
      lectern_cli_print_error (error);
      return FALSE;
    }
  g_free (doc->image_filename);
  doc->image_filename = image_name_for (image_path, out_path);
  if (out_path == NULL)
    {
      double skew = opts->deskew ? lectern_segment_estimate_skew (page, opts->max_skew_degrees) : 0;
      print_summary (image_path, doc, skew, ms);
      return TRUE;
    }
  if (!lectern_document_save (doc, out_path, format, &error))
    {
      lectern_cli_print_error (error);
      return FALSE;
    }
  if (!quiet)
    g_print (_("%s: %u lines → %s (%.0f ms)\n"), image_path, lectern_document_n_lines (doc),
             out_path, ms);
  return TRUE;
}

int
lectern_cli_segment (int argc, char **argv)
{
  g_autofree char *out_path = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *format_name = NULL;
  gboolean no_deskew = FALSE, keep_rules = FALSE, quiet = FALSE;
  double max_skew = 5.0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, N_("Write the lines to FILE (one page only)"), N_("FILE") },
    { "output-dir", 'd', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Write NAME.xml for each page into DIR"), N_("DIR") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, N_("page (default) or alto"), N_("FORMAT") },
    { "no-deskew", 0, 0, G_OPTION_ARG_NONE, &no_deskew, N_("Do not estimate and correct the skew"), NULL },
    { "max-skew", 0, 0, G_OPTION_ARG_DOUBLE, &max_skew, N_("Skew search range in degrees (default 5)"), N_("DEGREES") },
    { "keep-rules", 0, 0, G_OPTION_ARG_NONE, &keep_rules, N_("Do not remove ruled lines"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print nothing but errors"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("PAGE_IMAGE… — find the text lines of page scans"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (argc < 2)
    {
      g_printerr (_("lectern-cli segment: give at least one PAGE_IMAGE\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (out_path != NULL && (argc > 2 || out_dir != NULL))
    {
      g_printerr (_("lectern-cli segment: --output takes one page; use --output-dir for several\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  LecternFormat format = LECTERN_FORMAT_PAGE;
  if (format_name != NULL
      && (!lectern_format_from_name (format_name, &format)
          || (format != LECTERN_FORMAT_PAGE && format != LECTERN_FORMAT_ALTO)))
    {
      g_printerr (_("lectern-cli segment: unknown format “%s” (page or alto)\n"), format_name);
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (max_skew < 0 || max_skew > 15)
    {
      g_printerr (_("lectern-cli segment: --max-skew must be between 0 and 15\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (out_dir != NULL && g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      g_printerr (_("lectern-cli segment: cannot create the folder “%s”\n"), out_dir);
      return LECTERN_CLI_EXIT_FAILURE;
    }

  LecternSegmentOptions opts;
  lectern_segment_options_init (&opts);
  opts.deskew = !no_deskew;
  opts.max_skew_degrees = max_skew;
  opts.remove_rules = !keep_rules;

  int status = 0;
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *target = NULL;
      if (out_dir != NULL)
        {
          g_autofree char *base = g_path_get_basename (argv[i]);
          char *dot = strrchr (base, '.');
          if (dot != NULL && dot != base)
            *dot = '\0';
          g_autofree char *name = g_strconcat (base, ".", lectern_format_extension (format), NULL);
          target = g_build_filename (out_dir, name, NULL);
        }
      else if (out_path != NULL)
        target = g_strdup (out_path);
      if (!segment_one (argv[i], target, format, &opts, quiet))
        status = LECTERN_CLI_EXIT_FAILURE;
    }
  return status;
}
