/* cli-eval.c — `lectern-cli eval`: character and word error rates of a model on line data. */
#include "config.h"
#include "cli.h"
#include "dataset.h"
#include "model.h"
#include "trainer.h"

#include <glib/gi18n.h>

int
lectern_cli_eval (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  gboolean verbose = FALSE;
  int threads = 0;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, N_("The model to evaluate"), N_("MODEL") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Print each line's reference and output"), NULL },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), N_("N") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("DATA… — CER and WER of a model on line data"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (model_path == NULL || argc < 2)
    {
      g_printerr (_("lectern-cli eval: give --model MODEL and at least one DATA\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternModel) model = lectern_model_load (model_path, &error);
  if (model == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  g_autoptr (LecternDataset) ds = lectern_dataset_new (model->net->arch.input_height);
  for (int i = 1; i < argc; i++)
    if (!lectern_dataset_add (ds, argv[i], LECTERN_CLEAN_DEFAULT, &error))
      {
        lectern_cli_print_error (error);
        return LECTERN_CLI_EXIT_FAILURE;
      }
  if (ds->samples->len == 0)
    {
      g_printerr (_("lectern-cli eval: no lines with a transcription were found\n"));
      return LECTERN_CLI_EXIT_FAILURE;
    }
  double cer, wer;
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  lectern_evaluate (model, ds, threads, &cer, &wer, texts);
  if (verbose)
    for (guint i = 0; i < ds->samples->len; i++)
      {
        LecternSample *s = g_ptr_array_index (ds->samples, i);
        g_print ("%s\n  %s: %s\n  %s: %s\n  CER %.1f%%\n", s->source, _("reference"), s->text,
                 _("output"), (char *) g_ptr_array_index (texts, i),
                 100 * lectern_text_cer (g_ptr_array_index (texts, i), s->text));
      }
  g_print (_("%u lines (%u skipped): CER %.2f%%  WER %.2f%%\n"), ds->samples->len, ds->skipped,
           100 * cer, 100 * wer);
  return 0;
}
