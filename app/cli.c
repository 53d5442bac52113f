/* cli.c — lectern-cli: Lectern's engine from the command line.
 *
 * `lectern-cli COMMAND [OPTION…]` looks COMMAND up in the table below and hands it the rest of
 * the arguments. To add a sub-command: write app/cli-NAME.c with lectern_cli_NAME(), declare it
 * in cli.h, add one line to the table and one to cli_sources in app/meson.build. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "blas-core.h"
#include "cli.h"

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} LecternCliCommand;

static const LecternCliCommand commands[] = {
  { "sample-page", lectern_cli_sample_page, N_("Render a sample handwritten page to a PNG file") },
  { "synth", lectern_cli_synth, N_("Render synthetic handwritten text lines for training") },
  { "train", lectern_cli_train, N_("Train a recognition model, or fine-tune one") },
  { "recognize", lectern_cli_recognize, N_("Transcribe line images with a model") },
  { "model", lectern_cli_model, N_("Show or change a model's architecture and card") },
  { "eval", lectern_cli_eval, N_("Character and word error rates of a model on line data") },
  { "bench", lectern_cli_bench, N_("Measure the engine's speed on this machine") },
  { "segment", lectern_cli_segment, N_("Find the text lines of page scans") },
  { "segeval", lectern_cli_segeval, N_("Line segmentation precision, recall, F1 and reading order against ground truth") },
  { "lm", lectern_cli_lm, N_("Build a character language model for decoding from text files") },
  { "transcribe", lectern_cli_transcribe, N_("Transcribe whole pages to text, PAGE, ALTO or hOCR") },
  { "pageeval", lectern_cli_pageeval, N_("Character error rate of whole-page transcriptions against ground truth") },
  { "heatmap", lectern_cli_heatmap, N_("Draw a line's MDLSTM activations and CTC posteriors to a PNG file") },
};

static const LecternCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static char *
describe_commands (void)
{
  GString *text = g_string_new (_("Commands:"));
  int width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    width = MAX (width, (int) strlen (commands[i].name));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-*s  %s", width, commands[i].name,
                            _(commands[i].summary));

  g_string_append (text, "\n\n");
  g_string_append (text, _("Run “lectern-cli COMMAND --help” for the options of a command."));
  return g_string_free (text, FALSE);
}

gboolean
lectern_cli_parse_options (GOptionContext   *context,
                           int              *argc,
                           char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;

  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  g_printerr (_("Run “%s --help” for the options.\n"), g_get_prgname ());
  return FALSE;
}

void
lectern_cli_print_error (const GError *error)
{
  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
}

static int
run_command (const LecternCliCommand *command,
             int                      argc,
             char                   **argv)
{
  g_autofree char *prgname = g_strdup_printf ("lectern-cli %s", command->name);

  /* Usage lines and error messages then read "lectern-cli NAME". */
  g_set_prgname (prgname);
  return command->run (argc, argv);
}

int
main (int   argc,
      char *argv[])
{
  gboolean show_version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &show_version,
      N_("Show the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  const LecternCliCommand *command;

  lectern_blas_ensure_core (argv);
  lectern_blas_single_thread ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("lectern-cli");

  context = g_option_context_new (_("COMMAND [OPTION…]"));
  g_option_context_set_summary (context,
                                _("Runs Lectern, the handwriting transcription tool, in batch."));
  description = describe_commands ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Options after COMMAND belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lectern-cli: %s\n", error->message);
      g_printerr (_("Run “lectern-cli --help” for the list of commands.\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }

  if (show_version)
    {
      g_print ("lectern-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return LECTERN_CLI_EXIT_USAGE;
    }

  /* "lectern-cli help [COMMAND]" is "lectern-cli [COMMAND] --help". */
  if (g_str_equal (argv[1], "help"))
    {
      char *help_argv[] = { argv[2], (char *) "--help", NULL };

      if (argc < 3)
        {
          g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
          g_print ("%s", help);
          return 0;
        }
      command = find_command (argv[2]);
      if (command == NULL)
        {
          g_printerr (_("lectern-cli: unknown command “%s”\n"), argv[2]);
          g_printerr (_("Run “lectern-cli --help” for the list of commands.\n"));
          return LECTERN_CLI_EXIT_USAGE;
        }
      return run_command (command, 2, help_argv);
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_printerr (_("lectern-cli: unknown command “%s”\n"), argv[1]);
      g_printerr (_("Run “lectern-cli --help” for the list of commands.\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }

  return run_command (command, argc - 1, argv + 1);
}
