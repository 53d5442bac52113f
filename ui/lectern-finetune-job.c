/* lectern-finetune-job.c — fine-tuning on a project's corrected lines in the background
 * (see lectern-finetune-job.h).
 *
 * The worker never touches the pages: it reads the snapshot (document copies, the shared grey
 * images) and posts the trainer's events to the main context. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "error.h"
#include "lectern-finetune-job.h"
#include "lectern-model-store.h"
#include "transcribe.h"

/* One page of the snapshot. */
typedef struct {
  LecternPageImage *image;       /* NULL when the page has let its images go */
  char             *image_path;
  LecternDocument  *doc;
  char             *title;
} PageSnapshot;

static void
page_snapshot_free (PageSnapshot *snapshot)
{
  g_clear_pointer (&snapshot->image, lectern_page_image_unref);
  g_free (snapshot->image_path);
  g_clear_pointer (&snapshot->doc, lectern_document_free);
  g_free (snapshot->title);
  g_free (snapshot);
}

struct _LecternFinetuneJob
{
  GObject                  parent_instance;

  LecternRecognitionModel *base;
  GPtrArray               *pages;       /* PageSnapshot* */
  guint                    n_lines;
  LecternFinetuneOptions   options;
  char                    *name;        /* owned copies of the options' strings */
  char                    *base_name;
  char                    *pages_text;

  gboolean                 running;
  double                   fraction;
  int                      epoch, epochs;
  int                      run, runs;    /* of the runs averaged; 0 before the first report */
  int                      run_last;     /* the first and last of the runs under way */
  int                      runs_active;  /* how many runs are under way */
  double                   loss, val_cer, cer_before;
};

enum {
  PROP_0,
  PROP_FRACTION,
  PROP_EPOCH,
  PROP_LOSS,
  PROP_VAL_CER,
  PROP_CER_BEFORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LecternFinetuneJob, lectern_finetune_job, G_TYPE_OBJECT)

static gboolean
line_is_corrected (const LecternLine *line)
{
  return line->corrected && line->text != NULL && line->text[0] != '\0';
}

guint
lectern_finetune_count_corrected (LecternProject *project)
{
  guint n = 0;

  g_return_val_if_fail (LECTERN_IS_PROJECT (project), 0);

  for (guint p = 0; p < lectern_project_get_n_pages (project); p++)
    n += lectern_page_count_corrected (lectern_project_get_page (project, p));
  return n;
}

static void
lectern_finetune_job_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LecternFinetuneJob *self = LECTERN_FINETUNE_JOB (object);

  switch (prop_id)
    {
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_EPOCH:
      g_value_set_int (value, self->epoch);
      break;
    case PROP_LOSS:
      g_value_set_double (value, self->loss);
      break;
    case PROP_VAL_CER:
      g_value_set_double (value, self->val_cer);
      break;
    case PROP_CER_BEFORE:
      g_value_set_double (value, self->cer_before);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_finetune_job_finalize (GObject *object)
{
  LecternFinetuneJob *self = LECTERN_FINETUNE_JOB (object);

  g_clear_object (&self->base);
  g_ptr_array_unref (self->pages);
  g_free (self->name);
  g_free (self->base_name);
  g_free (self->pages_text);

  G_OBJECT_CLASS (lectern_finetune_job_parent_class)->finalize (object);
}

static void
lectern_finetune_job_class_init (LecternFinetuneJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lectern_finetune_job_get_property;
  object_class->finalize = lectern_finetune_job_finalize;

  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EPOCH] =
    g_param_spec_int ("epoch", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOSS] =
    g_param_spec_double ("loss", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VAL_CER] =
    g_param_spec_double ("val-cer", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CER_BEFORE] =
    g_param_spec_double ("cer-before", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lectern_finetune_job_init (LecternFinetuneJob *self)
{
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) page_snapshot_free);
  lectern_finetune_options_init (&self->options);
  self->loss = NAN;
  self->val_cer = NAN;
  self->cer_before = NAN;
}

LecternFinetuneJob *
lectern_finetune_job_new (LecternProject          *project,
                          LecternRecognitionModel *base)
{
  LecternFinetuneJob *self;
  g_autoptr(GString) titles = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d %H:%M");

  g_return_val_if_fail (LECTERN_IS_PROJECT (project), NULL);
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_MODEL (base), NULL);

  self = g_object_new (LECTERN_TYPE_FINETUNE_JOB, NULL);
  self->base = g_object_ref (base);

  for (guint p = 0; p < lectern_project_get_n_pages (project); p++)
    {
      LecternPage *page = lectern_project_get_page (project, p);
      const LecternDocument *doc = lectern_page_get_document (page);
      guint n = lectern_page_count_corrected (page);
      PageSnapshot *snapshot;

      if (n == 0)
        continue;

      snapshot = g_new0 (PageSnapshot, 1);
      snapshot->doc = lectern_document_copy (doc);
      if (lectern_page_get_image (page) != NULL)
        snapshot->image = lectern_page_image_ref (lectern_page_get_image (page));
      snapshot->image_path = g_strdup (lectern_page_get_image_path (page));
      snapshot->title = g_strdup (lectern_page_get_title (page));
      g_ptr_array_add (self->pages, snapshot);
      self->n_lines += n;
      if (titles->len > 0)
        g_string_append (titles, "; ");
      g_string_append_printf (titles, "%s (%u)", snapshot->title, n);
    }

  self->base_name = g_strdup (lectern_recognition_model_get_name (base));
  /* Translators: the name of a new model; %s is the date and time it was made. */
  self->name = g_strdup_printf (_("My hand, %s"), day);
  self->pages_text = g_string_free (g_steal_pointer (&titles), FALSE);
  self->options.name = self->name;
  self->options.base_name = self->base_name;
  self->options.pages = self->pages_text;
  return self;
}

guint
lectern_finetune_job_get_n_lines (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 0);

  return self->n_lines;
}

void
lectern_finetune_job_set_options (LecternFinetuneJob           *self,
                                  const LecternFinetuneOptions *options)
{
  g_return_if_fail (LECTERN_IS_FINETUNE_JOB (self));
  g_return_if_fail (!self->running);

  self->options = *options;
  if (options->name != NULL)
    {
      g_free (self->name);
      self->name = g_strdup (options->name);
    }
  if (options->base_name != NULL)
    {
      g_free (self->base_name);
      self->base_name = g_strdup (options->base_name);
    }
  if (options->pages != NULL)
    {
      g_free (self->pages_text);
      self->pages_text = g_strdup (options->pages);
    }
  self->options.name = self->name;
  self->options.base_name = self->base_name;
  self->options.pages = self->pages_text;
}

/* ---- the worker ------------------------------------------------------------------------------- */

typedef struct {
  LecternFinetuneJob    *job;       /* strong */
  GMainContext          *context;
  char                  *out_path;
  LecternFinetuneResult  figures;
} RunData;

static void
run_data_free (RunData *data)
{
  g_clear_object (&data->job);
  g_clear_pointer (&data->context, g_main_context_unref);
  g_free (data->out_path);
  g_free (data);
}

typedef struct {
  LecternFinetuneJob *job;
  LecternTrainStatus  status;
} Progress;

static void
progress_free (gpointer data)
{
  Progress *progress = data;

  g_object_unref (progress->job);
  g_free (progress);
}

/* On the main thread. */
static gboolean
deliver_progress (gpointer data)
{
  Progress *progress = data;
  LecternFinetuneJob *self = progress->job;
  const LecternTrainStatus *st = &progress->status;

  g_object_freeze_notify (G_OBJECT (self));
  switch (st->event)
    {
    case LECTERN_TRAIN_MESSAGE:
      /* the one before each run: the base model measured on the lines that run holds out */
      if (isfinite (st->best_cer))
        {
          self->cer_before = st->best_cer;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CER_BEFORE]);
        }
      break;
    case LECTERN_TRAIN_PROGRESS:
    case LECTERN_TRAIN_EPOCH_END:
      /* the trainer counts epochs and runs from 1 */
      self->epochs = st->epochs;
      /* several runs may go side by side: the first and last of them, and the least epoch */
      self->epoch = st->runs_first > 0 ? st->runs_epoch : st->epoch;
      self->run = MAX (st->runs_first > 0 ? st->runs_first : st->run, 1);
      self->run_last = MAX (st->runs_first > 0 ? st->runs_last : st->run, self->run);
      self->runs_active = st->runs_first > 0 ? st->runs_active : 1;
      self->runs = MAX (st->runs, 1);
      self->loss = st->loss;
      if (st->event == LECTERN_TRAIN_EPOCH_END)
        {
          self->val_cer = st->val_cer;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VAL_CER]);
        }
      /* of all the runs, which may go side by side */
      self->fraction = CLAMP (st->runs_fraction, 0, 1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EPOCH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOSS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
      break;
    }
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

static void
on_train_status (const LecternTrainStatus *status,
                 gpointer                  user_data)
{
  RunData *data = user_data;
  Progress *progress = g_new0 (Progress, 1);

  progress->job = g_object_ref (data->job);
  progress->status = *status;
  progress->status.message = NULL;    /* not kept beyond the call */
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, deliver_progress, progress,
                              progress_free);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RunData *data = task_data;
  LecternFinetuneJob *self = data->job;
  const LecternModel *base =
    lectern_recognizer_get_model (lectern_recognition_model_get_recognizer (self->base));
  g_autoptr(LecternDataset) lines = lectern_dataset_new (base->net->arch.input_height);
  g_autoptr(LecternModel) model = NULL;
  GError *error = NULL;

  /* the lines as the recognizer sees them: cut by their polygons */
  for (guint p = 0; p < self->pages->len; p++)
    {
      PageSnapshot *snapshot = self->pages->pdata[p];
      g_autoptr(LecternImage) loaded = NULL;
      const LecternImage *page_image = snapshot->image != NULL ? snapshot->image->image : NULL;
      g_autoptr(GPtrArray) doc_lines = lectern_document_lines (snapshot->doc);

      if (page_image == NULL)
        {
          if (snapshot->image_path == NULL)
            continue;
          loaded = lectern_image_load (snapshot->image_path, &error);
          if (loaded == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          page_image = loaded;
        }
      for (guint i = 0; i < doc_lines->len; i++)
        {
          const LecternLine *line = doc_lines->pdata[i];
          g_autoptr(LecternImage) cut = NULL;
          g_autofree char *source = NULL;
          int x, y;

          if (!line_is_corrected (line))
            continue;
          cut = lectern_transcribe_cut_line (page_image, snapshot->doc, line, &x, &y);
          source = g_strdup_printf ("%s#%s", snapshot->title, line->id);
          lectern_finetune_add_line (lines, source, line->text, cut);
        }
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  model = lectern_finetune (base, lines, &self->options, data->out_path, on_train_status, data,
                            cancellable, &data->figures, &error);
  if (model == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strdup (data->out_path), g_free);
}

void
lectern_finetune_job_run_async (LecternFinetuneJob  *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  RunData *data;

  g_return_if_fail (LECTERN_IS_FINETUNE_JOB (self));
  g_return_if_fail (!self->running);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lectern_finetune_job_run_async);
  self->running = TRUE;

  data = g_new0 (RunData, 1);
  data->job = g_object_ref (self);
  data->context = g_main_context_ref_thread_default ();
  data->out_path = lectern_model_store_new_path (self->name, &error);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  if (data->out_path == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_run_in_thread (task, run_in_thread);
}

char *
lectern_finetune_job_run_finish (LecternFinetuneJob     *self,
                                 GAsyncResult           *result,
                                 LecternFinetuneResult  *figures,
                                 GError                **error)
{
  RunData *data;

  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  self->running = FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (figures != NULL)
    *figures = data->figures;
  return g_task_propagate_pointer (G_TASK (result), error);
}

double
lectern_finetune_job_get_fraction (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 0);
  return self->fraction;
}

int
lectern_finetune_job_get_epoch (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 0);
  return self->epoch;
}

int
lectern_finetune_job_get_run (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 0);
  return self->run;
}

int
lectern_finetune_job_get_run_last (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 0);
  return self->run_last;
}

int
lectern_finetune_job_get_runs_active (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 0);
  return MAX (self->runs_active, 1);
}

int
lectern_finetune_job_get_runs (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 1);
  return self->runs > 0 ? self->runs : (int) MAX (self->options.runs, 1);
}

int
lectern_finetune_job_get_epochs (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), 0);
  return self->epochs > 0 ? self->epochs : self->options.train.epochs;
}

double
lectern_finetune_job_get_loss (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), NAN);
  return self->loss;
}

double
lectern_finetune_job_get_val_cer (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), NAN);
  return self->val_cer;
}

double
lectern_finetune_job_get_cer_before (LecternFinetuneJob *self)
{
  g_return_val_if_fail (LECTERN_IS_FINETUNE_JOB (self), NAN);
  return self->cer_before;
}
