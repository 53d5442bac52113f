/* lectern-recognition-job.c — recognising lines of a page in the background
 * (see lectern-recognition-job.h).
 *
 * The workers never touch the page: they read a copy of the lines' geometry made when the job
 * starts and the shared grey image, and post each result to the main context, where the page
 * takes it through its undo stack. */
#include "config.h"

#include <glib/gi18n.h>

#include "error.h"
#include "lectern-recognition-job-private.h"
#include "transcribe.h"

/* What the workers share; freed by whoever lets go of it last. */
typedef struct {
  LecternRecognitionModel  *model;
  LecternPageImage         *image;
  LecternDocument          *doc;        /* a copy, for the typical line height of the page */
  GPtrArray                *geometry;   /* LecternLine* copies, one per line to read */
  LecternRecognizeLineFunc  recognize;
  GMainContext             *context;
  GCancellable             *cancellable;
  LecternRecognitionJob    *job;        /* strong: deliveries need it until the last one */
  gint                      next;       /* the next line to take */
  gint                      sent;       /* results posted */
} Shared;

struct _LecternRecognitionJob
{
  GObject                   parent_instance;

  LecternPage              *page;
  LecternRecognitionModel  *model;
  GPtrArray                *items;      /* LecternPageLine*, the lines to read */
  LecternRecognizeLineFunc  recognize;

  GTask                    *task;       /* run_async's, until it completes */
  gboolean                  workers_done;
  guint                     sent;       /* results the workers posted in all */
  guint                     n_done;     /* results delivered */
  GError                   *error;      /* the first recognition error */
};

enum {
  PROP_0,
  PROP_N_DONE,
  PROP_FRACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LecternRecognitionJob, lectern_recognition_job, G_TYPE_OBJECT)

static void
shared_clear (gpointer data)
{
  Shared *shared = data;

  g_clear_object (&shared->model);
  g_clear_pointer (&shared->image, lectern_page_image_unref);
  g_clear_pointer (&shared->doc, lectern_document_free);
  g_clear_pointer (&shared->geometry, g_ptr_array_unref);
  g_clear_pointer (&shared->context, g_main_context_unref);
  g_clear_object (&shared->cancellable);
  g_clear_object (&shared->job);
}

static void
shared_unref (Shared *shared)
{
  g_atomic_rc_box_release_full (shared, shared_clear);
}

static void
lectern_recognition_job_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  LecternRecognitionJob *self = LECTERN_RECOGNITION_JOB (object);

  switch (prop_id)
    {
    case PROP_N_DONE:
      g_value_set_uint (value, self->n_done);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, lectern_recognition_job_get_fraction (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_recognition_job_finalize (GObject *object)
{
  LecternRecognitionJob *self = LECTERN_RECOGNITION_JOB (object);

  g_assert (self->task == NULL);
  g_clear_object (&self->page);
  g_clear_object (&self->model);
  g_ptr_array_unref (self->items);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (lectern_recognition_job_parent_class)->finalize (object);
}

static void
lectern_recognition_job_class_init (LecternRecognitionJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lectern_recognition_job_get_property;
  object_class->finalize = lectern_recognition_job_finalize;

  properties[PROP_N_DONE] =
    g_param_spec_uint ("n-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lectern_recognition_job_init (LecternRecognitionJob *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->recognize = lectern_recognizer_recognize;
}

LecternRecognitionJob *
lectern_recognition_job_new (LecternPage             *page,
                             LecternRecognitionModel *model,
                             LecternPageLine        **lines,
                             guint                    n_lines)
{
  LecternRecognitionJob *self;

  g_return_val_if_fail (LECTERN_IS_PAGE (page), NULL);
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_MODEL (model), NULL);

  self = g_object_new (LECTERN_TYPE_RECOGNITION_JOB, NULL);
  self->page = g_object_ref (page);
  self->model = g_object_ref (model);
  for (guint i = 0; i < n_lines; i++)
    g_ptr_array_add (self->items, g_object_ref (lines[i]));
  return self;
}

void
_lectern_recognition_job_set_recognize_func (LecternRecognitionJob    *self,
                                             LecternRecognizeLineFunc  func)
{
  g_return_if_fail (LECTERN_IS_RECOGNITION_JOB (self));
  g_return_if_fail (self->task == NULL);

  self->recognize = func != NULL ? func : lectern_recognizer_recognize;
}

/* Completes run_async once the workers have stopped and every result they posted is in. */
static void
maybe_complete (LecternRecognitionJob *self)
{
  g_autoptr(GTask) task = NULL;

  if (!self->workers_done || self->n_done < self->sent || self->task == NULL)
    return;

  task = g_steal_pointer (&self->task);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->error != NULL)
    g_task_return_error (task, g_steal_pointer (&self->error));
  else
    g_task_return_boolean (task, TRUE);
}

typedef struct {
  Shared      *shared;
  guint        index;
  LecternLine *result;    /* NULL when the line gave nothing to read, or failed */
  GError      *error;
} LineResult;

static void
line_result_free (gpointer data)
{
  LineResult *result = data;

  g_clear_pointer (&result->result, lectern_line_free);
  g_clear_error (&result->error);
  shared_unref (result->shared);
  g_free (result);
}

/* On the main thread. Results that arrive after a cancel are kept: the lines were read. */
static gboolean
deliver_result (gpointer data)
{
  LineResult *result = data;
  LecternRecognitionJob *self = result->shared->job;

  if (result->result != NULL)
    lectern_page_set_line_recognition (self->page, self->items->pdata[result->index],
                                       result->shared->geometry->pdata[result->index],
                                       result->result,
                                       lectern_recognition_model_get_name (self->model), self);
  else if (result->error != NULL && self->error == NULL)
    self->error = g_steal_pointer (&result->error);

  self->n_done++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  maybe_complete (self);
  return G_SOURCE_REMOVE;
}

static gpointer
worker (gpointer data)
{
  Shared *shared = data;
  LecternRecognizer *recognizer = lectern_recognition_model_get_recognizer (shared->model);

  for (;;)
    {
      gint index;
      const LecternLine *geometry;
      g_autoptr(LecternImage) cut = NULL;
      LineResult *result;
      int x, y;

      if (g_cancellable_is_cancelled (shared->cancellable))
        break;
      index = g_atomic_int_add (&shared->next, 1);
      if (index >= (gint) shared->geometry->len)
        break;

      geometry = shared->geometry->pdata[index];
      result = g_new0 (LineResult, 1);
      result->shared = g_atomic_rc_box_acquire (shared);
      result->index = index;

      cut = lectern_transcribe_cut_line (shared->image->image, shared->doc, geometry, &x, &y);
      if (cut != NULL)
        {
          g_autoptr(LecternRecognition) recognition =
            shared->recognize (recognizer, cut, LECTERN_RECOGNIZE_DEFAULT, &result->error);
          if (recognition != NULL)
            {
              result->result = lectern_line_copy (geometry);
              lectern_line_set_recognition (result->result, recognition, x);
            }
        }

      g_atomic_int_inc (&shared->sent);
      g_main_context_invoke_full (shared->context, G_PRIORITY_DEFAULT, deliver_result, result,
                                  line_result_free);
    }
  return NULL;
}

static void
workers_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Shared *shared = task_data;
  guint n_threads = MIN (g_get_num_processors (), shared->geometry->len);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();

  /* This thread is one of the workers. */
  for (guint i = 1; i < n_threads; i++)
    g_ptr_array_add (threads, g_thread_new ("lectern-recognize", worker, shared));
  worker (shared);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);

  g_task_return_int (task, g_atomic_int_get (&shared->sent));
}

static void
workers_finished (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LecternRecognitionJob *self = LECTERN_RECOGNITION_JOB (source);

  self->sent = (guint) g_task_propagate_int (G_TASK (result), NULL);
  self->workers_done = TRUE;
  maybe_complete (self);
}

void
lectern_recognition_job_run_async (LecternRecognitionJob *self,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_autoptr(GTask) workers = NULL;
  LecternPageImage *image;
  Shared *shared;

  g_return_if_fail (LECTERN_IS_RECOGNITION_JOB (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, lectern_recognition_job_run_async);
  g_task_set_return_on_cancel (self->task, FALSE);

  image = lectern_page_get_image (self->page);
  if (image == NULL || lectern_page_get_document (self->page) == NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);
      g_task_return_new_error (task, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                               _("“%s” is not open yet"), lectern_page_get_title (self->page));
      return;
    }

  /* A new step: never merge with a job that once had this address. */
  lectern_undo_stack_seal (lectern_page_get_undo_stack (self->page));

  shared = g_atomic_rc_box_new0 (Shared);
  shared->model = g_object_ref (self->model);
  shared->image = lectern_page_image_ref (image);
  shared->doc = lectern_document_copy (lectern_page_get_document (self->page));
  shared->geometry = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_line_free);
  for (guint i = 0; i < self->items->len; i++)
    {
      const LecternLine *line = lectern_page_line_get_line (self->items->pdata[i]);
      LecternLine *copy = line != NULL ? lectern_line_copy (line) : lectern_line_new ("gone");
      g_ptr_array_add (shared->geometry, copy);
    }
  shared->recognize = self->recognize;
  shared->context = g_main_context_ref_thread_default ();
  shared->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  shared->job = g_object_ref (self);

  workers = g_task_new (self, NULL, workers_finished, NULL);
  g_task_set_source_tag (workers, workers_in_thread);
  g_task_set_task_data (workers, shared, (GDestroyNotify) shared_unref);
  g_task_run_in_thread (workers, workers_in_thread);
}

gboolean
lectern_recognition_job_run_finish (LecternRecognitionJob  *self,
                                    GAsyncResult           *result,
                                    GError                **error)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

LecternPage *
lectern_recognition_job_get_page (LecternRecognitionJob *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_JOB (self), NULL);

  return self->page;
}

guint
lectern_recognition_job_get_n_lines (LecternRecognitionJob *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_JOB (self), 0);

  return self->items->len;
}

guint
lectern_recognition_job_get_n_done (LecternRecognitionJob *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_JOB (self), 0);

  return self->n_done;
}

double
lectern_recognition_job_get_fraction (LecternRecognitionJob *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_JOB (self), 0);

  if (self->items->len == 0)
    return 1.0;
  return (double) self->n_done / self->items->len;
}
