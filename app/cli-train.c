/* cli-train.c — `lectern-cli train`: train a model, or fine-tune one with --init.
 *
 * Ctrl+C (or SIGTERM) stops after the current step with a checkpoint; running the same command
 * again resumes from it. */
#include "config.h"
#include "cli.h"
#include "charset.h"
#include "dataset.h"
#include "error.h"
#include "finetune.h"
#include "model.h"
#include "trainer.h"

#include <glib/gi18n.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void
on_signal (int sig)
{
  stop_requested = 1;
}

typedef struct {
  GCancellable *cancellable;
  gboolean      tty;
  int           last_decile[65];  /* per fine-tuning run (1–64): runs may go side by side */
  gboolean      keep_last;    /* every epoch is saved: "best" would be untrue */
} Progress;

static void
format_duration (double s, char *buf, gsize len)
{
  if (!isfinite (s) || s < 0)
    g_strlcpy (buf, "?", len);
  else if (s < 3600)
    g_snprintf (buf, len, "%dm%02ds", (int) s / 60, (int) s % 60);
  else
    g_snprintf (buf, len, "%dh%02dm", (int) s / 3600, ((int) s % 3600) / 60);
}

static void
on_progress (const LecternTrainStatus *st, gpointer user_data)
{
  Progress *p = user_data;
  if (stop_requested && !g_cancellable_is_cancelled (p->cancellable))
    g_cancellable_cancel (p->cancellable);
  char eta[32];
  /* which of the averaged fine-tuning runs (--runs) */
  char run[48] = "";
  if (st->runs > 1)
    g_snprintf (run, sizeof run, _("run %d/%d, "), st->run, st->runs);
  switch (st->event)
    {
    case LECTERN_TRAIN_PROGRESS:
      {
        const double frac = st->lines_total ? (double) st->lines_done / st->lines_total : 0;
        format_duration (st->lines_per_second > 0
                         ? (st->lines_total - st->lines_done) / st->lines_per_second : NAN,
                         eta, sizeof eta);
        if (p->tty)
          {
            char bar[31];
            int filled = (int) (frac * 30);
            for (int i = 0; i < 30; i++)
              bar[i] = i < filled ? '#' : '.';
            bar[30] = 0;
            g_printerr ("\r");
            g_printerr (_("%sepoch %d/%d [%s] %u/%u lines  %.1f lines/s  loss %.3f  ETA %s  "),
                        run, st->epoch, st->epochs, bar, st->lines_done, st->lines_total,
                        st->lines_per_second, st->loss, eta);
          }
        else if ((int) (frac * 10) > p->last_decile[CLAMP (st->run, 0, 64)])
          {
            p->last_decile[CLAMP (st->run, 0, 64)] = (int) (frac * 10);
            g_printerr (_("%sepoch %d/%d: %u/%u lines, %.1f lines/s, loss %.3f, ETA %s\n"),
                        run, st->epoch, st->epochs, st->lines_done, st->lines_total,
                        st->lines_per_second, st->loss, eta);
          }
        break;
      }
    case LECTERN_TRAIN_EPOCH_END:
      format_duration (st->seconds, eta, sizeof eta);
      if (p->tty)
        g_printerr ("\n");
      p->last_decile[CLAMP (st->run, 0, 64)] = 0;
      if (st->diverged > 0)
        g_printerr (_("%u lines were left out of this epoch: their gradient overflowed\n"), st->diverged);
      if (isnan (st->val_cer))
        g_printerr (_("%sepoch %d: loss %.4f%s (%s)\n"), run, st->epoch, st->loss,
                    p->keep_last ? "" : st->improved ? _(", best so far") : "", eta);
      else
        g_printerr (_("%sepoch %d: loss %.4f, validation CER %.2f%%, WER %.2f%%%s (%s)\n"),
                    run, st->epoch, st->loss, 100 * st->val_cer, 100 * st->val_wer,
                    p->keep_last ? _(", saved") : st->improved ? _(", best so far: saved") : "",
                    eta);
      break;
    case LECTERN_TRAIN_MESSAGE:
      if (p->tty)
        g_printerr ("\n");
      g_printerr ("%s\n", st->message);
      break;
    }
}

static LecternDataset *
load_sets (char **paths, int height, GError **error)
{
  g_autoptr (LecternDataset) ds = lectern_dataset_new (height);
  for (int i = 0; paths && paths[i]; i++)
    if (!lectern_dataset_add (ds, paths[i], LECTERN_CLEAN_DEFAULT, error))
      return NULL;
  return g_steal_pointer (&ds);
}

/* An option that is one of two words: *second becomes whether value is the second; NULL (not
 * given) leaves it; any other word is an error, said on stderr. */
static gboolean
parse_choice (const char *option, const char *value, const char *first, const char *second,
              gboolean *is_second)
{
  if (value == NULL)
    return TRUE;
  if (g_str_equal (value, first) || g_str_equal (value, second))
    {
      *is_second = g_str_equal (value, second);
      return TRUE;
    }
  g_printerr (_("lectern-cli train: %s is “%s” or “%s”, not “%s”\n"), option, first, second,
              value);
  return FALSE;
}

int
lectern_cli_train (int argc, char **argv)
{
  g_auto (GStrv) train_paths = NULL, val_paths = NULL;
  g_autofree char *out = NULL, *init = NULL;
  /* −1: not given; the defaults differ between training from scratch and fine-tuning */
  int epochs = -1, threads = 0, batch = -1, patience = -1, epoch_lines = 0, runs = -1;
  double dropout = -1, lr = -1, val_fraction = -1;
  gint64 seed = 1;
  gboolean no_augment = FALSE, restart = FALSE;
  g_autofree char *arch_spec = NULL, *lr_schedule = NULL, *keep = NULL;
  GOptionEntry entries[] = {
    { "train", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &train_paths, N_("Training data: a folder of line images with .gt.txt, a line image, or a PAGE/ALTO file (repeatable)"), N_("DATA") },
    { "val", 'v', 0, G_OPTION_ARG_FILENAME_ARRAY, &val_paths, N_("Validation data (repeatable); without it, a part of the training data is held out"), N_("DATA") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Where to write the best model"), N_("MODEL") },
    { "init", 0, 0, G_OPTION_ARG_FILENAME, &init, N_("Start from this model (fine-tuning); its charset is kept and extended"), N_("MODEL") },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, N_("Most epochs to train (default 50; with --init, 2000 lines in all, at most 100)"), N_("N") },
    { "dropout", 0, 0, G_OPTION_ARG_DOUBLE, &dropout, N_("Dropout on the LSTM outputs (default 0.5; 0 with --init)"), N_("P") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (default 1)"), N_("S") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), N_("N") },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, N_("Lines per update (default 8; 2 with --init)"), N_("N") },
    { "learning-rate", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Adam learning rate (default 0.001; 0.002 with --init)"), N_("LR") },
    { "lr-schedule", 0, 0, G_OPTION_ARG_STRING, &lr_schedule, N_("“constant”, or “cosine”: the learning rate rises over the first twentieth of the run, then falls to 0 by its end (default constant; cosine with --init)"), N_("NAME") },
    { "patience", 0, 0, G_OPTION_ARG_INT, &patience, N_("Stop after N epochs without improvement (default 10; 0, never, with --init)"), N_("N") },
    { "keep", 0, 0, G_OPTION_ARG_STRING, &keep, N_("Which weights are the result: “best” on validation, or “last” (default best; last with --init)"), N_("WHICH") },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, N_("With --init: train N times from the model, with different seeds, and keep the mean of their weights (default 4)"), N_("N") },
    { "epoch-lines", 0, 0, G_OPTION_ARG_INT, &epoch_lines, N_("Lines per epoch (default: all)"), N_("N") },
    { "val-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &val_fraction, N_("Part of the training data held out when no --val is given (default 0.05; 0.1 with --init)"), N_("F") },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &no_augment, N_("Do not distort the training lines"), NULL },
    { "restart", 0, 0, G_OPTION_ARG_NONE, &restart, N_("Ignore an existing checkpoint"), NULL },
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch_spec, N_("Network of a new model, e.g. “h64 t2x2 l2 s4x2x6 l10 s4x1x20 l50” (the default); with --init, a wider network for the base model (more units and features, the same layers; what the base learnt is kept)"), N_("SPEC") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— train a recognition model"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (train_paths == NULL || out == NULL)
    {
      g_printerr (_("lectern-cli train: --train and --out are required\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  /* Fine-tuning (--init) follows the schedule the application uses too (finetune.h). */
  const gboolean fine_tune = init != NULL;
  LecternFinetuneOptions fine_tune_defaults;
  lectern_finetune_options_init (&fine_tune_defaults);
  const gboolean epochs_given = epochs >= 0;
  if (epochs < 0)
    epochs = fine_tune ? fine_tune_defaults.train.epochs : 50;
  if (batch < 0)
    batch = fine_tune ? fine_tune_defaults.train.batch : 8;
  if (dropout < 0)
    dropout = fine_tune ? fine_tune_defaults.train.dropout : 0.5;
  if (patience < 0)
    patience = fine_tune ? fine_tune_defaults.train.patience : 10;
  if (lr < 0)
    lr = fine_tune ? fine_tune_defaults.train.learning_rate : 1e-3;
  if (val_fraction < 0)
    val_fraction = fine_tune ? fine_tune_defaults.val_fraction : 0.05;
  if (runs < 0)
    runs = fine_tune ? (int) fine_tune_defaults.runs : 1;
  if (runs > 1 && !fine_tune)
    {
      /* runs from one trained model end near each other; from random weights they do not */
      g_printerr (_("lectern-cli train: --runs needs --init: only runs from the same trained "
                    "model can be averaged\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  gboolean lr_cosine = fine_tune ? fine_tune_defaults.train.lr_cosine : FALSE;
  gboolean keep_last = fine_tune ? fine_tune_defaults.train.keep_last : FALSE;
  if (!parse_choice ("--lr-schedule", lr_schedule, "constant", "cosine", &lr_cosine)
      || !parse_choice ("--keep", keep, "best", "last", &keep_last))
    return LECTERN_CLI_EXIT_USAGE;
  if (epochs < 1 || batch < 1 || dropout < 0 || dropout >= 1 || lr <= 0 || val_fraction < 0
      || val_fraction >= 1 || runs < 1 || runs > 64)
    {
      g_printerr (_("lectern-cli train: an option is out of range (epochs ≥ 1, batch ≥ 1, 0 ≤ dropout < 1, learning rate > 0, 0 ≤ val-fraction < 1, 1 ≤ runs ≤ 64)\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }

  g_autoptr (GError) error = NULL;
  g_autoptr (LecternModel) base = NULL;
  /* The design's network divides the width by 8. Real manuscript lines scaled to 64 px carry
   * 1.1–1.9 such frames per character, too few for CTC (a doubled letter needs a blank between),
   * so new models subsample the width by 4: the second subsampling window is 4×1. */
  LecternArch arch, wide;
  if (!lectern_arch_parse (&arch, arch_spec ? arch_spec : "h64 t2x2 l2 s4x2x6 l10 s4x1x20 l50", &error))
    {
      g_printerr ("lectern-cli train: %s\n", error->message);
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (init != NULL)
    {
      base = lectern_model_load (init, &error);
      if (base == NULL)
        {
          lectern_cli_print_error (error);
          return LECTERN_CLI_EXIT_FAILURE;
        }
      /* --arch with --init widens the base, once its charset is extended by the data; a network
       * it cannot grow into is refused now, before the data are read */
      wide = arch;
      arch = base->net->arch;
      if (arch_spec != NULL && !lectern_arch_check_widening (&base->net->arch, &wide, &error))
        {
          g_printerr ("lectern-cli train: %s\n", error->message);
          return LECTERN_CLI_EXIT_USAGE;
        }
    }

  g_printerr (_("Reading training data…\n"));
  g_autoptr (LecternDataset) train = load_sets (train_paths, arch.input_height, &error);
  if (train == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  g_autoptr (LecternDataset) val = NULL;
  if (val_paths != NULL)
    val = load_sets (val_paths, arch.input_height, &error);
  else if (val_fraction > 0 && !fine_tune)
    val = lectern_dataset_split (train, val_fraction, (guint64) seed);
  /* fine-tuning without --val: each run holds out its own part of the lines (at least
   * LECTERN_FINETUNE_MIN_VAL_LINES), as the app does */
  const guint held_per_run = fine_tune && val == NULL
                             ? lectern_finetune_val_lines (train->samples->len, val_fraction) : 0;
  if (error != NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (held_per_run > 0)
    g_printerr (_("%u lines (%u skipped); each run holds out %u of them\n"), train->samples->len,
                train->skipped, held_per_run);
  else
    g_printerr (_("%u training lines (%u skipped), %u validation lines\n"), train->samples->len,
                train->skipped, val ? val->samples->len : 0);
  if (train->samples->len == 0)
    {
      g_printerr (_("lectern-cli train: no usable training lines were found\n"));
      return LECTERN_CLI_EXIT_FAILURE;
    }
  /* fine-tuning trains on about as many lines whatever their number (finetune.h) */
  if (fine_tune && !epochs_given)
    epochs = lectern_finetune_epochs (&fine_tune_defaults, train->samples->len - held_per_run);

  /* the charset: the base model's extended by the data's new characters, or the data's */
  g_autoptr (LecternModel) model = NULL;
  if (base != NULL)
    {
      /* the card names the base by its own card's name, else by its file */
      g_autofree char *file_name = g_path_get_basename (init);
      guint added = 0;
      model = lectern_finetune_prepare (base, file_name, train, (guint64) seed, &added);
      g_printerr (_("Fine-tuning %s (%u classes, %u new)\n"), init,
                  lectern_charset_size (model->charset), added);
      if (arch_spec != NULL)
        {
          if (!lectern_model_widen (model, &wide, (guint64) seed, &error))
            {
              g_printerr ("lectern-cli train: %s\n", error->message);
              return LECTERN_CLI_EXIT_USAGE;
            }
          g_autofree char *from = lectern_arch_to_string (&base->net->arch);
          g_autofree char *to = lectern_arch_to_string (&model->net->arch);
          g_printerr (_("Widened the network from “%s” (%zu weights) to “%s” (%zu weights)\n"),
                      from, base->net->n_params, to, model->net->n_params);
        }
    }
  else
    {
      g_autoptr (LecternCharset) data_cs = lectern_finetune_data_charset (train);
      /* input normalisation from the training images: zero mean, unit variance */
      double sum = 0, sq = 0, count = 0;
      for (guint i = 0; i < train->samples->len; i++)
        {
          const LecternImage *im = ((LecternSample *) g_ptr_array_index (train->samples, i))->image;
          for (gsize k = 0; k < (gsize) im->width * im->height; k++)
            {
              const double v = im->pixels[k] / 255.0;
              sum += v;
              sq += v * v;
            }
          count += (double) im->width * im->height;
        }
      arch.input_mean = (float) (sum / count);
      arch.input_std = (float) MAX (sqrt (MAX (sq / count - (sum / count) * (sum / count), 0)), 0.01);
      model = lectern_model_new_random (&arch, data_cs, (guint64) seed);
      g_autofree char *spec = lectern_arch_to_string (&arch);
      lectern_model_set_info (model, "architecture", spec);
      g_printerr (_("New model: %u classes, %zu weights\n"), lectern_charset_size (model->charset),
                  model->net->n_params);
    }
  g_autofree char *name = g_path_get_basename (out);
  lectern_model_set_info (model, "name", name);
  g_autofree char *data_list = g_strjoinv (";", train_paths);
  lectern_model_set_info (model, "data", data_list);

  LecternTrainOptions opts;
  lectern_train_options_init (&opts);
  opts.epochs = epochs;
  opts.patience = patience;
  opts.dropout = (float) dropout;
  opts.learning_rate = (float) lr;
  opts.lr_cosine = lr_cosine;
  opts.keep_last = keep_last;
  opts.batch = batch;
  opts.threads = threads;
  opts.seed = (guint64) seed;
  opts.augment = !no_augment;
  opts.max_epoch_lines = epoch_lines;
  opts.out_path = out;
  opts.resume = !restart;

  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Progress progress = { .cancellable = cancellable, .tty = isatty (STDERR_FILENO), .keep_last = keep_last };
  const gboolean ok
    = fine_tune ? lectern_finetune_train_runs (model, base, train, val, val_fraction, &opts,
                                               (guint) runs, NULL, on_progress, &progress,
                                               cancellable, &error)
                : lectern_train (model, train, val, &opts, on_progress, &progress, cancellable,
                                 &error);
  if (!ok)
    {
      if (g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED))
        {
          g_printerr (_("Stopped. Run the same command again to resume.\n"));
          return 130;
        }
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (runs > 1)
    g_printerr (_("The mean of the %d runs saved to %s\n"), runs, out);
  else
    g_printerr (_("Best model saved to %s\n"), out);
  return 0;
}
