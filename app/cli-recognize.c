/* cli-recognize.c — `lectern-cli recognize`: one transcription per line image, in order. */
#include "config.h"
#include "cli.h"
#include "model.h"
#include "recognizer.h"

#include <glib/gi18n.h>

typedef struct {
  LecternRecognizer *rec;
  char             **paths;
  int                n;
  char             **out;
  GError           **errors;
  volatile gint      next;
} Job;

static gpointer
worker (gpointer data)
{
  Job *job = data;
  for (;;)
    {
      gint i = g_atomic_int_add (&job->next, 1);
      if (i >= job->n)
        return NULL;
      g_autoptr (LecternImage) image = lectern_image_load (job->paths[i], &job->errors[i]);
      if (image == NULL)
        continue;
      g_autoptr (LecternRecognition) r = lectern_recognizer_recognize (job->rec, image, 0, &job->errors[i]);
      if (r != NULL)
        job->out[i] = g_strdup (r->text);
    }
}

int
lectern_cli_recognize (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  int threads = 0;
  gboolean confidence = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, N_("The model (default: the one Lectern ships)"), N_("MODEL") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), N_("N") },
    { "confidence", 'c', 0, G_OPTION_ARG_NONE, &confidence, N_("Print each line's mean confidence before its text"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("IMAGE… — transcribe line images, one output line per image"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (argc < 2)
    {
      g_printerr (_("lectern-cli recognize: give at least one line image\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  LecternModel *model = model_path ? lectern_model_load (model_path, &error)
                                   : lectern_model_load_default (&error);
  if (model == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  Job job = { lectern_recognizer_new (model), argv + 1, argc - 1, NULL, NULL, 0 };
  job.out = g_new0 (char *, job.n + 1);
  job.errors = g_new0 (GError *, job.n);
  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  threads = CLAMP (threads, 1, 64);
  GThread *th[64];
  for (int i = 0; i < threads; i++)
    th[i] = g_thread_new ("lectern-recognize", worker, &job);
  for (int i = 0; i < threads; i++)
    g_thread_join (th[i]);
  int status = 0;
  for (int i = 0; i < job.n; i++)
    {
      if (job.errors[i] != NULL)
        {
          lectern_cli_print_error (job.errors[i]);
          g_error_free (job.errors[i]);
          g_print ("\n");  /* keep one output line per input */
          status = LECTERN_CLI_EXIT_FAILURE;
          continue;
        }
      g_print ("%s\n", job.out[i]);
    }
  g_strfreev (job.out);
  g_free (job.errors);
  lectern_recognizer_free (job.rec);
  return status;
}
