/* lectern-recognition-model.h — a loaded recognition model, shared by the windows and the
 * worker threads that recognise with it.
 *
 * It wraps the engine's LecternRecognizer (thread-safe) in a reference-counted object, so that
 * choosing another model while a page is being recognised lets the running job finish with the
 * model it started with. Loading (model file, and the default character language model when
 * asked) happens on a worker thread. */
#pragma once

#include <gio/gio.h>

#include "charset.h"
#include "recognizer.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_RECOGNITION_MODEL (lectern_recognition_model_get_type ())
G_DECLARE_FINAL_TYPE (LecternRecognitionModel, lectern_recognition_model, LECTERN,
                      RECOGNITION_MODEL, GObject)

/* path NULL: the default model (lectern_model_load_default). With use_lm the default language
 * model is loaded too, when there is one. */
void                     lectern_recognition_model_load_async  (const char          *path,
                                                                gboolean             use_lm,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
LecternRecognitionModel *lectern_recognition_model_load_finish (GAsyncResult        *result,
                                                                GError             **error);

/* Takes ownership of recognizer (for tests and tools that build one). */
LecternRecognitionModel *lectern_recognition_model_new         (LecternRecognizer   *recognizer,
                                                                const char          *path);

LecternRecognizer       *lectern_recognition_model_get_recognizer (LecternRecognitionModel *self);
const LecternCharset    *lectern_recognition_model_get_charset    (LecternRecognitionModel *self);
/* The model's name from its card, or its file name. */
const char              *lectern_recognition_model_get_name       (LecternRecognitionModel *self);
/* The file, or NULL for the default model. */
const char              *lectern_recognition_model_get_path       (LecternRecognitionModel *self);
gboolean                 lectern_recognition_model_has_lm         (LecternRecognitionModel *self);

G_END_DECLS
