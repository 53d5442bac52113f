/* lectern-finetune-job.h — fine-tuning the current model on the corrected lines of a project,
 * in the background.
 *
 * Creating the job takes a snapshot of the corrected lines (a copy of each page's document and
 * its grey image), so that a person may go on correcting while it runs: later edits do not
 * change what it learns from. The run (engine: lectern_finetune) cuts the lines out as the
 * recognizer sees them, holds a tenth out, measures the base model on it, trains from the base,
 * measures the new model, and saves it into the user's model folder with its card. Progress
 * (epoch, loss, validation error) comes as property notifications on the main thread. A
 * cancelled or failed run leaves no model file. */
#pragma once

#include <gio/gio.h>

#include "finetune.h"
#include "lectern-project.h"
#include "lectern-recognition-model.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_FINETUNE_JOB (lectern_finetune_job_get_type ())
G_DECLARE_FINAL_TYPE (LecternFinetuneJob, lectern_finetune_job, LECTERN, FINETUNE_JOB, GObject)

/* The corrected lines with text in the project's loaded pages. */
guint               lectern_finetune_count_corrected (LecternProject *project);

LecternFinetuneJob *lectern_finetune_job_new       (LecternProject          *project,
                                                    LecternRecognitionModel *base);
/* Lines in the snapshot. */
guint               lectern_finetune_job_get_n_lines (LecternFinetuneJob *self);
/* The schedule (defaults: lectern_finetune_options_init); call before run_async. Its strings
 * are copied. */
void                lectern_finetune_job_set_options (LecternFinetuneJob           *self,
                                                      const LecternFinetuneOptions *options);

void                lectern_finetune_job_run_async  (LecternFinetuneJob   *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
/* The new model's file, or NULL with an error (LECTERN_ERROR_CANCELLED when cancelled). */
char               *lectern_finetune_job_run_finish (LecternFinetuneJob   *self,
                                                     GAsyncResult         *result,
                                                     LecternFinetuneResult *figures,
                                                     GError              **error);

/* Progress, on the main thread (all notify). */
double              lectern_finetune_job_get_fraction (LecternFinetuneJob *self);
int                 lectern_finetune_job_get_epoch    (LecternFinetuneJob *self); /* 1-based */
int                 lectern_finetune_job_get_epochs   (LecternFinetuneJob *self);
/* The runs under way (side by side with two cores or more, not always consecutive): how many,
 * the first and the last of them, from 1; the epoch is the least of theirs. */
int                 lectern_finetune_job_get_runs_active (LecternFinetuneJob *self);
int                 lectern_finetune_job_get_run      (LecternFinetuneJob *self);
int                 lectern_finetune_job_get_run_last (LecternFinetuneJob *self);
int                 lectern_finetune_job_get_runs     (LecternFinetuneJob *self);
double              lectern_finetune_job_get_loss     (LecternFinetuneJob *self); /* NAN: none */
double              lectern_finetune_job_get_val_cer  (LecternFinetuneJob *self); /* NAN: none */
/* The base model's error on the held-out lines, once measured (NAN before). */
double              lectern_finetune_job_get_cer_before (LecternFinetuneJob *self);

G_END_DECLS
