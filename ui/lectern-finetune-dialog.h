/* lectern-finetune-dialog.h — "Train on Corrected Lines": a window beside the main one that
 * says how many corrected lines the project has and how many are needed, runs the fine-tuning
 * job with a progress bar, the live loss and validation error, and Cancel, then shows the
 * error before and after on the held-out lines and offers to re-recognise the uncorrected lines
 * with the new model. It is not modal: correcting goes on while it trains. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-application.h"
#include "lectern-finetune-job.h"
#include "lectern-project.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_FINETUNE_DIALOG (lectern_finetune_dialog_get_type ())
G_DECLARE_FINAL_TYPE (LecternFinetuneDialog, lectern_finetune_dialog, LECTERN, FINETUNE_DIALOG,
                      GtkWindow)

/* parent: the main window, whose win.recognize-page re-recognises with the new model. */
LecternFinetuneDialog *lectern_finetune_dialog_new (GtkWindow          *parent,
                                                    LecternApplication *app,
                                                    LecternProject     *project);

/* For tests: the schedule the next run uses (e.g. a few epochs). */
void        lectern_finetune_dialog_set_options   (LecternFinetuneDialog        *self,
                                                   const LecternFinetuneOptions *options);
/* Counts the corrected lines again and updates the Start button. */
void        lectern_finetune_dialog_refresh       (LecternFinetuneDialog *self);
gboolean    lectern_finetune_dialog_can_start     (LecternFinetuneDialog *self);
gboolean    lectern_finetune_dialog_get_running   (LecternFinetuneDialog *self);
/* The model the last run saved, or NULL. */
const char *lectern_finetune_dialog_get_new_model (LecternFinetuneDialog *self);
/* What the start button's tooltip says (why it is disabled, when it is). */
const char *lectern_finetune_dialog_get_start_tooltip (LecternFinetuneDialog *self);
void        lectern_finetune_dialog_start         (LecternFinetuneDialog *self);
void        lectern_finetune_dialog_cancel        (LecternFinetuneDialog *self);
/* Makes the new model the application's; once it is loaded, the main window re-recognises the
 * page's uncorrected lines with it and this window closes. */
void        lectern_finetune_dialog_use_new_model (LecternFinetuneDialog *self);

G_END_DECLS
