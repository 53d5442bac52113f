/* lectern-recognition-model.c — a loaded recognition model (see lectern-recognition-model.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "defaults.h"
#include "error.h"
#include "lectern-recognition-model.h"
#include "model.h"

struct _LecternRecognitionModel
{
  GObject            parent_instance;

  LecternRecognizer *recognizer;
  char              *path;
  char              *name;
};

G_DEFINE_FINAL_TYPE (LecternRecognitionModel, lectern_recognition_model, G_TYPE_OBJECT)

static void
lectern_recognition_model_finalize (GObject *object)
{
  LecternRecognitionModel *self = LECTERN_RECOGNITION_MODEL (object);

  g_clear_pointer (&self->recognizer, lectern_recognizer_free);
  g_free (self->path);
  g_free (self->name);

  G_OBJECT_CLASS (lectern_recognition_model_parent_class)->finalize (object);
}

static void
lectern_recognition_model_class_init (LecternRecognitionModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lectern_recognition_model_finalize;
}

static void
lectern_recognition_model_init (LecternRecognitionModel *self)
{
}

LecternRecognitionModel *
lectern_recognition_model_new (LecternRecognizer *recognizer,
                               const char        *path)
{
  LecternRecognitionModel *self;
  const LecternModel *model;
  g_autofree char *card_name = NULL;

  g_return_val_if_fail (recognizer != NULL, NULL);

  self = g_object_new (LECTERN_TYPE_RECOGNITION_MODEL, NULL);
  self->recognizer = recognizer;
  self->path = g_strdup (path);

  model = lectern_recognizer_get_model (recognizer);
  card_name = lectern_model_get_info (model, "name");
  if (card_name != NULL && *card_name != '\0')
    self->name = g_steal_pointer (&card_name);
  else if (path != NULL)
    {
      g_autofree char *basename = g_path_get_basename (path);
      self->name = g_filename_display_name (basename);
    }
  else
    self->name = g_strdup (_("Default model"));
  return self;
}

typedef struct {
  char     *path;
  gboolean  use_lm;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_free (request->path);
  g_free (request);
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  LecternModel *model;
  LecternRecognizer *recognizer;
  GError *error = NULL;

  model = request->path != NULL ? lectern_model_load (request->path, &error)
                                : lectern_model_load_default (&error);
  if (model == NULL)
    {
      const char *env = g_getenv ("LECTERN_DEFAULT_MODEL");

      /* The engine's message speaks to the command line (--model); in the window the way out is
       * the model menu. */
      if (request->path == NULL && (env == NULL || env[0] == '\0')
          && g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_IO))
        {
          g_debug ("%s", error->message);
          g_clear_error (&error);
          g_set_error (&error, LECTERN_ERROR, LECTERN_ERROR_IO,
                       _("Lectern’s default recognition model is not installed (it is looked for "
                         "in %s and %s). Choose a model file (.lectern) from the model menu."),
                       LECTERN_MODEL_DIR, LECTERN_SOURCE_MODEL_DIR);
        }
      g_task_return_error (task, error);
      return;
    }
  recognizer = lectern_recognizer_new (model);

  if (request->use_lm)
    {
      g_autofree char *lm_path = lectern_default_lm_path ();
      /* Without a language model the recognizer reads by best path, which is fine. */
      if (lm_path != NULL)
        {
          LecternLm *lm = lectern_lm_load (lm_path, &error);
          if (lm == NULL)
            {
              g_warning ("%s", error->message);
              g_clear_error (&error);
            }
          else
            lectern_recognizer_set_lm (recognizer, lm, NULL);
        }
    }

  g_task_return_pointer (task, lectern_recognition_model_new (recognizer, request->path),
                         g_object_unref);
}

void
lectern_recognition_model_load_async (const char          *path,
                                      gboolean             use_lm,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LoadRequest *request = g_new0 (LoadRequest, 1);

  request->path = g_strdup (path);
  request->use_lm = use_lm;
  g_task_set_source_tag (task, lectern_recognition_model_load_async);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);
  g_task_run_in_thread (task, load_in_thread);
}

LecternRecognitionModel *
lectern_recognition_model_load_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == lectern_recognition_model_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

LecternRecognizer *
lectern_recognition_model_get_recognizer (LecternRecognitionModel *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_MODEL (self), NULL);

  return self->recognizer;
}

const LecternCharset *
lectern_recognition_model_get_charset (LecternRecognitionModel *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_MODEL (self), NULL);

  return lectern_recognizer_get_model (self->recognizer)->charset;
}

const char *
lectern_recognition_model_get_name (LecternRecognitionModel *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_MODEL (self), NULL);

  return self->name;
}

const char *
lectern_recognition_model_get_path (LecternRecognitionModel *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_MODEL (self), NULL);

  return self->path;
}

gboolean
lectern_recognition_model_has_lm (LecternRecognitionModel *self)
{
  g_return_val_if_fail (LECTERN_IS_RECOGNITION_MODEL (self), FALSE);

  return lectern_recognizer_has_lm (self->recognizer);
}
