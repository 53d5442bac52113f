/* lectern-model-manager.h — the Models window: the model Lectern ships and the user's own
 * (lectern-model-store.h), each with its name, date and error rate from its card; rename,
 * delete (after a confirmation; never the shipped one), choose the default (which the open
 * windows switch to at once), and every field of a model's card. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-application.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_MODEL_MANAGER (lectern_model_manager_get_type ())
G_DECLARE_FINAL_TYPE (LecternModelManager, lectern_model_manager, LECTERN, MODEL_MANAGER,
                      GtkWindow)

LecternModelManager *lectern_model_manager_new     (GtkWindow          *parent,
                                                    LecternApplication *app);
/* Reads the folder again. */
void                 lectern_model_manager_reload  (LecternModelManager *self);
/* Models listed (the shipped one included). */
guint                lectern_model_manager_get_n_models (LecternModelManager *self);
/* The listed model's path (NULL for the shipped one) and name. */
const char          *lectern_model_manager_get_path (LecternModelManager *self, guint index);
const char          *lectern_model_manager_get_name (LecternModelManager *self, guint index);
/* Which row shows the card; the card's text. */
void                 lectern_model_manager_show_card (LecternModelManager *self, guint index);
const char          *lectern_model_manager_get_card_text (LecternModelManager *self);
/* Sets a user model's name (shows why not in the window and returns FALSE when it cannot). */
gboolean             lectern_model_manager_rename  (LecternModelManager *self, guint index,
                                                    const char *name);
/* Makes the listed model the default (and the application's current model). */
void                 lectern_model_manager_set_default (LecternModelManager *self, guint index);

G_END_DECLS
