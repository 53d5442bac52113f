/* cli-heatmap.c — `lectern-cli heatmap`: the desktop inspector's picture of one line, written
 * to a PNG file: an MDLSTM layer's activations over the line image, its colour scale, and the
 * CTC posterior strip with the decoded characters under their frames. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cli.h"
#include "error.h"
#include "lectern-heatmap-render.h"
#include "model.h"
#include "recognizer.h"

/* Without --scale the line is drawn this many pixels high. */
#define DEFAULT_LINE_HEIGHT 128.0

static gboolean
parse_int (const char *text,
           int         low,
           int         high,
           int        *value)
{
  char *end = NULL;
  gint64 v;

  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < low || v > high)
    return FALSE;
  *value = (int) v;
  return TRUE;
}

/* "all", 0–3, the arrows, or the compass corner the scan goes towards (se sw ne nw). */
static gboolean
parse_direction (const char *text,
                 int        *direction)
{
  static const char * const names[][3] = {
    { "0", "↘", "se" },
    { "1", "↙", "sw" },
    { "2", "↗", "ne" },
    { "3", "↖", "nw" },
  };

  if (g_ascii_strcasecmp (text, "all") == 0)
    {
      *direction = LECTERN_HEATMAP_ALL_DIRECTIONS;
      return TRUE;
    }
  for (int d = 0; d < 4; d++)
    for (int k = 0; k < 3; k++)
      if (g_ascii_strcasecmp (text, names[d][k]) == 0)
        {
          *direction = d;
          return TRUE;
        }
  return FALSE;
}

int
lectern_cli_heatmap (int    argc,
                     char **argv)
{
  int layer = 1;
  g_autofree char *unit_text = NULL;
  g_autofree char *direction_text = NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *output = NULL;
  double scale = 0;
  double opacity = 0.7;
  int class_rows = 8;
  GOptionEntry entries[] = {
    { "layer", 'l', 0, G_OPTION_ARG_INT, &layer,
      N_("The MDLSTM layer, from 1 (default 1)"), N_("L") },
    { "unit", 'u', 0, G_OPTION_ARG_STRING, &unit_text,
      N_("One unit of the layer, from 1, or “mean” for the mean over its units (default)"),
      N_("U|mean") },
    { "direction", 'd', 0, G_OPTION_ARG_STRING, &direction_text,
      N_("The scan direction: 0–3, ↘ ↙ ↗ ↖, se sw ne nw, or “all” (default)"), N_("D|all") },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("The model (default: the one Lectern ships)"), N_("MODEL") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Where to write the picture (PNG)"), N_("OUT.png") },
    { "scale", 's', 0, G_OPTION_ARG_DOUBLE, &scale,
      N_("Picture pixels per line-image pixel (default: the line drawn 128 pixels high)"),
      N_("S") },
    { "opacity", 0, 0, G_OPTION_ARG_DOUBLE, &opacity,
      N_("Opacity of the heat map over the line image, 0–1 (default 0.7)"), N_("A") },
    { "classes", 'c', 0, G_OPTION_ARG_INT, &class_rows,
      N_("Rows of the posterior strip: the blank and the most probable characters (default 8; "
         "0 leaves the strip out)"), N_("N") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternImage) line = NULL;
  g_autoptr(LecternRecognizer) recognizer = NULL;
  g_autoptr(LecternRecognition) recognition = NULL;
  LecternHeatmapOptions options;
  LecternModel *model;

  context = g_option_context_new (_("LINE_IMAGE — draw what the recognizer sees in a line"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (context, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;

  lectern_heatmap_options_init (&options);

  if (argc != 2)
    {
      g_printerr (_("lectern-cli heatmap: give one line image\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (output == NULL)
    {
      g_printerr (_("lectern-cli heatmap: say where to write the picture with -o OUT.png\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (layer < 1)
    {
      g_printerr (_("lectern-cli heatmap: --layer counts from 1\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  options.layer = layer - 1;
  if (unit_text != NULL && g_ascii_strcasecmp (unit_text, "mean") != 0)
    {
      int unit;
      if (!parse_int (unit_text, 1, G_MAXINT, &unit))
        {
          g_printerr (_("lectern-cli heatmap: --unit takes a unit number from 1 or “mean”, not "
                        "“%s”\n"), unit_text);
          return LECTERN_CLI_EXIT_USAGE;
        }
      options.unit = unit - 1;
    }
  if (direction_text != NULL && !parse_direction (direction_text, &options.direction))
    {
      g_printerr (_("lectern-cli heatmap: --direction takes 0–3, ↘ ↙ ↗ ↖, se sw ne nw or “all”, "
                    "not “%s”\n"), direction_text);
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (!(opacity >= 0 && opacity <= 1))
    {
      g_printerr (_("lectern-cli heatmap: --opacity must be between 0 and 1\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (class_rows < 0 || class_rows > LECTERN_HEATMAP_MAX_CLASS_ROWS)
    {
      g_printerr (_("lectern-cli heatmap: --classes must be between 0 and %d\n"),
                  LECTERN_HEATMAP_MAX_CLASS_ROWS);
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (scale < 0 || scale > 64)
    {
      g_printerr (_("lectern-cli heatmap: --scale must be above 0 and at most 64\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }

  line = lectern_image_load (argv[1], &error);
  if (line == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }

  model = model_path != NULL ? lectern_model_load (model_path, &error)
                             : lectern_model_load_default (&error);
  if (model == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  recognizer = lectern_recognizer_new (model);

  /* Best path: the characters under the frames are what the network itself reads. */
  recognition = lectern_recognizer_recognize (recognizer, line,
                                              LECTERN_RECOGNIZE_ACTIVATIONS
                                              | LECTERN_RECOGNIZE_BEST_PATH, &error);
  if (recognition == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }

  options.line = line;
  options.recognition = recognition;
  options.charset = lectern_recognizer_get_model (recognizer)->charset;
  options.scale = scale > 0 ? scale : CLAMP (DEFAULT_LINE_HEIGHT / line->height, 0.05, 8.0);
  options.opacity = opacity;
  options.class_rows = class_rows;

  if (!lectern_heatmap_save_png (&options, output, &error))
    {
      lectern_cli_print_error (error);
      return error->domain == LECTERN_ERROR && error->code == LECTERN_ERROR_INVALID
             ? LECTERN_CLI_EXIT_USAGE : LECTERN_CLI_EXIT_FAILURE;
    }

  g_print (_("%s: layer %d of %d, read as “%s”\n"), output, layer, recognition->n_layers,
           recognition->text);
  return 0;
}
