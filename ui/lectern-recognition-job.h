/* lectern-recognition-job.h — recognising lines of a page in the background.
 *
 * A job takes the lines to read (the whole page, the selected lines, or one), cuts each out of
 * the grey page image and recognises it on worker threads (one per core), and hands each result
 * to the page on the main thread as soon as it is ready, so that the text appears line by line
 * while the window stays responsive. All results of a job undo as one step.
 *
 * Cancelling stops the workers after the lines they are on: lines already read keep their new
 * text, the others are left as they were. A line whose geometry is changed while the job runs
 * keeps its edit (the result for its old shape is dropped). */
#pragma once

#include <gio/gio.h>

#include "lectern-page.h"
#include "lectern-recognition-model.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_RECOGNITION_JOB (lectern_recognition_job_get_type ())
G_DECLARE_FINAL_TYPE (LecternRecognitionJob, lectern_recognition_job, LECTERN,
                      RECOGNITION_JOB, GObject)

/* The lines of page to recognise (in the order given); the page must have its images loaded. */
LecternRecognitionJob *lectern_recognition_job_new        (LecternPage             *page,
                                                           LecternRecognitionModel *model,
                                                           LecternPageLine        **lines,
                                                           guint                    n_lines);

/* Starts the workers; callback runs once every result has been delivered (or the job was
 * cancelled and the workers stopped). */
void                   lectern_recognition_job_run_async  (LecternRecognitionJob   *self,
                                                           GCancellable            *cancellable,
                                                           GAsyncReadyCallback      callback,
                                                           gpointer                 user_data);
/* FALSE with LECTERN_ERROR_CANCELLED when cancelled, or the first recognition error. */
gboolean               lectern_recognition_job_run_finish (LecternRecognitionJob   *self,
                                                           GAsyncResult            *result,
                                                           GError                 **error);

LecternPage           *lectern_recognition_job_get_page     (LecternRecognitionJob *self);
guint                  lectern_recognition_job_get_n_lines  (LecternRecognitionJob *self);
/* Lines whose result has been delivered. */
guint                  lectern_recognition_job_get_n_done   (LecternRecognitionJob *self);
/* n_done / n_lines, 0 … 1 */
double                 lectern_recognition_job_get_fraction (LecternRecognitionJob *self);

G_END_DECLS
