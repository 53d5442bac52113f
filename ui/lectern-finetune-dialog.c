/* lectern-finetune-dialog.c — the "Train on Corrected Lines" window
 * (see lectern-finetune-dialog.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "error.h"
#include "lectern-finetune-dialog.h"

struct _LecternFinetuneDialog
{
  GtkWindow           parent_instance;

  GtkWindow          *main_window;     /* weak */
  LecternApplication *app;
  LecternProject     *project;

  GtkLabel           *intro_label;
  GtkLabel           *count_label;
  GtkProgressBar     *progress_bar;
  GtkLabel           *status_label;
  GtkLabel           *result_label;
  GtkButton          *start_button;
  GtkButton          *cancel_button;
  GtkButton          *use_button;

  LecternFinetuneJob *job;
  GCancellable       *cancellable;
  LecternFinetuneOptions options;
  gboolean            have_options;
  char               *start_tooltip;
  char               *new_model;
  gulong              model_handler;
  gboolean            disposed;        /* its widgets are gone: a late result only cleans up */
};

G_DEFINE_FINAL_TYPE (LecternFinetuneDialog, lectern_finetune_dialog, GTK_TYPE_WINDOW)

static LecternRecognitionModel *
current_model (LecternFinetuneDialog *self)
{
  return self->app != NULL ? lectern_application_get_model (self->app) : NULL;
}


/* The runs a fine-tuning will average: the options given, or the defaults. */
static guint
finetune_runs (LecternFinetuneDialog *self)
{
  LecternFinetuneOptions defaults;

  if (self->have_options)
    return MAX (self->options.runs, 1);
  lectern_finetune_options_init (&defaults);
  return defaults.runs;
}

static void
set_start_tooltip (LecternFinetuneDialog *self,
                   const char            *tooltip)
{
  g_free (self->start_tooltip);
  self->start_tooltip = g_strdup (tooltip);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->start_button), tooltip);
}

void
lectern_finetune_dialog_refresh (LecternFinetuneDialog *self)
{
  guint n;
  LecternRecognitionModel *model = current_model (self);
  gboolean running = self->job != NULL;
  g_autofree char *count = NULL;
  g_autofree char *intro = NULL;

  if (self->disposed)
    return;
  n = lectern_finetune_count_corrected (self->project);

  if (finetune_runs (self) == 1)
    intro = g_strdup_printf (_("Lectern teaches the current model, “%s”, the hand of this "
                               "project from the lines you corrected, here on this computer. It "
                               "needs at least %d corrected lines; a tenth of them are held out "
                               "to measure its error before and after. You can go on correcting "
                               "meanwhile: it learns from the lines as they are when it starts."),
                             model != NULL ? lectern_recognition_model_get_name (model)
                                           : _("none loaded"),
                             LECTERN_FINETUNE_MIN_LINES);
  else
    intro = g_strdup_printf (_("Lectern teaches the current model, “%s”, the hand of this project "
                               "from the lines you corrected, here on this computer. It needs at "
                               "least %d corrected lines. It trains %u times, each time holding "
                               "out a different tenth of the lines to measure its error before and "
                               "after, and keeps the mean of the results, which has learnt from "
                               "every line. You can go on correcting meanwhile: it learns from the "
                               "lines as they are when it starts."),
                             model != NULL ? lectern_recognition_model_get_name (model)
                                           : _("none loaded"),
                             LECTERN_FINETUNE_MIN_LINES, finetune_runs (self));
  gtk_label_set_text (self->intro_label, intro);
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "%u corrected line in the open pages.",
                                        "%u corrected lines in the open pages.", n), n);
  gtk_label_set_text (self->count_label, count);

  if (running)
    set_start_tooltip (self, _("Training is running"));
  else if (n < LECTERN_FINETUNE_MIN_LINES)
    {
      g_autofree char *why =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Correct at least %d lines first: %u is corrected so far",
                                      "Correct at least %d lines first: %u are corrected so far",
                                      n),
                         LECTERN_FINETUNE_MIN_LINES, n);
      set_start_tooltip (self, why);
    }
  else if (model == NULL)
    set_start_tooltip (self, _("No recognition model is loaded to start from"));
  else
    set_start_tooltip (self, _("Fine-tune the current model on the corrected lines"));

  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button),
                            !running && n >= LECTERN_FINETUNE_MIN_LINES && model != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
}

static void
job_progress (LecternFinetuneJob    *job,
              GParamSpec            *pspec,
              LecternFinetuneDialog *self)
{
  double loss = lectern_finetune_job_get_loss (job);
  double val_cer = lectern_finetune_job_get_val_cer (job);
  double before = lectern_finetune_job_get_cer_before (job);
  g_autoptr(GString) status = g_string_new (NULL);

  gtk_progress_bar_set_fraction (self->progress_bar, lectern_finetune_job_get_fraction (job));
  if (lectern_finetune_job_get_epoch (job) == 0)
    g_string_append (status, _("Measuring the current model on the held-out lines…"));
  else
    {
      int run = lectern_finetune_job_get_run (job);
      int last = lectern_finetune_job_get_run_last (job);
      int runs = lectern_finetune_job_get_runs (job);
      int active = lectern_finetune_job_get_runs_active (job);
      if (runs > 1 && active > 2)
        /* Translators: fine-tuning trains several times and averages the results; with several
           cores some of these runs go side by side: 3 of 8 runs under way */
        g_string_append_printf (status, _("%d of %d runs under way · "), active, runs);
      else if (runs > 1 && active == 2)
        /* Translators: fine-tuning trains several times and averages the results; with several
           cores two of these runs go side by side: runs 1 and 2 of 4 */
        g_string_append_printf (status, _("Runs %d and %d of %d · "), run, last, runs);
      else if (runs > 1)
        /* Translators: fine-tuning trains several times and averages the results: run 2 of 4 */
        g_string_append_printf (status, _("Run %d of %d · "), run, runs);
      /* Translators: training progress: epoch 3 of 30 */
      g_string_append_printf (status, _("Epoch %d of %d"), lectern_finetune_job_get_epoch (job),
                              lectern_finetune_job_get_epochs (job));
      if (isfinite (loss))
        /* Translators: the training loss (a number that falls as the model learns) */
        g_string_append_printf (status, _(" · loss %.3f"), loss);
      if (isfinite (val_cer))
        /* Translators: the character error rate on the held-out lines, after the last epoch */
        g_string_append_printf (status, _(" · validation error %.1f%%"), 100 * val_cer);
    }
  if (isfinite (before))
    /* Translators: the current model's character error rate on the held-out lines */
    g_string_append_printf (status, _(" · before: %.1f%%"), 100 * before);
  gtk_label_set_text (self->status_label, status->str);
}

static void
job_finished (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LecternFinetuneDialog *self = LECTERN_FINETUNE_DIALOG (user_data);
  LecternFinetuneJob *job = LECTERN_FINETUNE_JOB (source);
  LecternFinetuneResult figures = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = lectern_finetune_job_run_finish (job, result, &figures, &error);
  int last_epoch = lectern_finetune_job_get_epoch (job);

  g_signal_handlers_disconnect_by_data (job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }

  if (path != NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *basename = g_path_get_basename (path);

      g_free (self->new_model);
      self->new_model = g_steal_pointer (&path);
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      if (figures.runs > 1)
        /* Translators: after fine-tuning: the new model's weights are the mean of those of 4
         * training runs of 100 epochs each */
        text = g_strdup_printf (_("Finished: the mean of %u runs of %d epochs."), figures.runs,
                                last_epoch);
      else if (figures.epochs == last_epoch)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Finished after %d epoch.",
                                             "Finished after %d epochs.", last_epoch),
                                last_epoch);
      else
        /* Translators: after training; the model of that earlier epoch (the best on the
         * held-out lines) is the one kept */
        text = g_strdup_printf (_("Finished after %d epochs; the model of epoch %d is kept."),
                                last_epoch, figures.epochs);
      gtk_label_set_text (self->status_label, text);
      g_clear_pointer (&text, g_free);
      gtk_button_set_label (self->start_button, _("Train _Again"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->start_button), "suggested-action");
      if (figures.runs > 1)
        text = g_strdup_printf (_("Character error rate on held-out lines: %.1f%% before, %.1f%% "
                                  "after (each of the %u runs held out %u lines of its own and "
                                  "learnt from the other %u; the new model, the mean of the runs, "
                                  "learnt from all %u).\nThe new model is in your models as %s."),
                                100 * figures.cer_before, 100 * figures.cer_after, figures.runs,
                                figures.val_lines, figures.train_lines,
                                figures.val_lines + figures.train_lines, basename);
      else
        text = g_strdup_printf (_("Character error rate on the %u held-out lines: %.1f%% before, "
                                  "%.1f%% after (trained on %u lines).\nThe new model is in your "
                                  "models as %s."),
                                figures.val_lines, 100 * figures.cer_before,
                                100 * figures.cer_after, figures.train_lines, basename);
      gtk_label_set_text (self->result_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->use_button), TRUE);
    }
  else if (g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)
           || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
      gtk_label_set_text (self->result_label, _("Training was cancelled; no model was saved."));
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Training failed: %s"), error->message);
      gtk_label_set_text (self->result_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
  lectern_finetune_dialog_refresh (self);
  g_object_unref (self);
}

void
lectern_finetune_dialog_start (LecternFinetuneDialog *self)
{
  LecternRecognitionModel *model = current_model (self);

  g_return_if_fail (LECTERN_IS_FINETUNE_DIALOG (self));

  if (self->job != NULL || model == NULL
      || lectern_finetune_count_corrected (self->project) < LECTERN_FINETUNE_MIN_LINES)
    return;

  self->job = lectern_finetune_job_new (self->project, model);
  if (self->have_options)
    lectern_finetune_job_set_options (self->job, &self->options);
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self->job, "notify", G_CALLBACK (job_progress), self);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->use_button), FALSE);
  job_progress (self->job, NULL, self);
  lectern_finetune_job_run_async (self->job, self->cancellable, job_finished,
                                  g_object_ref (self));
  lectern_finetune_dialog_refresh (self);
}

void
lectern_finetune_dialog_cancel (LecternFinetuneDialog *self)
{
  g_return_if_fail (LECTERN_IS_FINETUNE_DIALOG (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
stop_waiting_for_model (LecternFinetuneDialog *self)
{
  if (self->model_handler != 0 && self->app != NULL)
    g_signal_handler_disconnect (self->app, self->model_handler);
  self->model_handler = 0;
}

/* Once the new model is the application's, the main window reads its pages again with it
 * (win.recognize-all leaves the corrected lines as they are). */
static void
model_switched (LecternApplication    *app,
                GParamSpec            *pspec,
                LecternFinetuneDialog *self)
{
  LecternRecognitionModel *model = lectern_application_get_model (app);

  if (model == NULL || g_strcmp0 (lectern_recognition_model_get_path (model),
                                  self->new_model) != 0)
    return;
  stop_waiting_for_model (self);
  if (self->main_window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->main_window), "win.recognize-all", NULL);
  gtk_window_close (GTK_WINDOW (self));
}

void
lectern_finetune_dialog_use_new_model (LecternFinetuneDialog *self)
{
  g_return_if_fail (LECTERN_IS_FINETUNE_DIALOG (self));

  if (self->new_model == NULL || self->app == NULL)
    return;
  stop_waiting_for_model (self);
  self->model_handler = g_signal_connect (self->app, "notify::model",
                                          G_CALLBACK (model_switched), self);
  lectern_application_load_model (self->app, self->new_model);
}

static gboolean
close_request (GtkWindow *window)
{
  LecternFinetuneDialog *self = LECTERN_FINETUNE_DIALOG (window);

  /* closing stops the training: nothing keeps running unseen */
  lectern_finetune_dialog_cancel (self);
  stop_waiting_for_model (self);
  return FALSE;
}

static void
lectern_finetune_dialog_dispose (GObject *object)
{
  LecternFinetuneDialog *self = LECTERN_FINETUNE_DIALOG (object);

  self->disposed = TRUE;
  lectern_finetune_dialog_cancel (self);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  stop_waiting_for_model (self);
  g_clear_weak_pointer (&self->main_window);
  g_clear_object (&self->app);
  g_clear_object (&self->project);
  gtk_widget_dispose_template (GTK_WIDGET (self), LECTERN_TYPE_FINETUNE_DIALOG);

  G_OBJECT_CLASS (lectern_finetune_dialog_parent_class)->dispose (object);
}

static void
lectern_finetune_dialog_finalize (GObject *object)
{
  LecternFinetuneDialog *self = LECTERN_FINETUNE_DIALOG (object);

  g_free (self->start_tooltip);
  g_free (self->new_model);

  G_OBJECT_CLASS (lectern_finetune_dialog_parent_class)->finalize (object);
}

static void
lectern_finetune_dialog_class_init (LecternFinetuneDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lectern_finetune_dialog_dispose;
  object_class->finalize = lectern_finetune_dialog_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/lectern-finetune-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, count_label);
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, start_button);
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LecternFinetuneDialog, use_button);
  gtk_widget_class_bind_template_callback (widget_class, lectern_finetune_dialog_use_new_model);
  gtk_widget_class_bind_template_callback (widget_class, lectern_finetune_dialog_cancel);
  gtk_widget_class_bind_template_callback (widget_class, lectern_finetune_dialog_start);
}

static void
lectern_finetune_dialog_init (LecternFinetuneDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* coming back to it after correcting more lines: count them again */
  g_signal_connect (self, "notify::is-active", G_CALLBACK (lectern_finetune_dialog_refresh), NULL);
}

LecternFinetuneDialog *
lectern_finetune_dialog_new (GtkWindow          *parent,
                             LecternApplication *app,
                             LecternProject     *project)
{
  LecternFinetuneDialog *self;

  g_return_val_if_fail (LECTERN_IS_PROJECT (project), NULL);

  self = g_object_new (LECTERN_TYPE_FINETUNE_DIALOG, NULL);
  g_set_weak_pointer (&self->main_window, parent);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->app = app != NULL ? g_object_ref (app) : NULL;
  self->project = g_object_ref (project);
  /* a model that finishes loading (or another one chosen) is the one it starts from */
  if (app != NULL)
    g_signal_connect_object (app, "notify::model", G_CALLBACK (lectern_finetune_dialog_refresh),
                             self, G_CONNECT_SWAPPED);
  lectern_finetune_dialog_refresh (self);
  return self;
}

void
lectern_finetune_dialog_set_options (LecternFinetuneDialog        *self,
                                     const LecternFinetuneOptions *options)
{
  g_return_if_fail (LECTERN_IS_FINETUNE_DIALOG (self));

  self->options = *options;
  self->have_options = TRUE;
}

gboolean
lectern_finetune_dialog_can_start (LecternFinetuneDialog *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_DIALOG (self), FALSE);

  return gtk_widget_get_sensitive (GTK_WIDGET (self->start_button));
}

gboolean
lectern_finetune_dialog_get_running (LecternFinetuneDialog *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_DIALOG (self), FALSE);

  return self->job != NULL;
}

const char *
lectern_finetune_dialog_get_new_model (LecternFinetuneDialog *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_DIALOG (self), NULL);

  return self->new_model;
}

const char *
lectern_finetune_dialog_get_start_tooltip (LecternFinetuneDialog *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_DIALOG (self), NULL);

  return self->start_tooltip;
}
