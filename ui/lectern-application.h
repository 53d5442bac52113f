/* lectern-application.h — the Lectern GtkApplication: windows, app actions, settings, the
 * recognition model.
 *
 * A window holds a project of pages; files given on the command line (or by the desktop) are
 * added to the active window's project. The application owns what windows share: the GSettings
 * (window size, last folder, recent files, chosen model), and the recognition model, loaded on a
 * worker thread at start (the chosen file, else the default model; a missing default is not an
 * error until a window needs a model). Drafts left by a session that did not end cleanly are
 * found at start and offered back by the first window. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-recognition-model.h"

G_BEGIN_DECLS

/* How many page scans the recent-files list keeps. */
#define LECTERN_RECENT_FILES_MAX 10

#define LECTERN_TYPE_APPLICATION (lectern_application_get_type ())
G_DECLARE_FINAL_TYPE (LecternApplication, lectern_application, LECTERN, APPLICATION,
                      GtkApplication)

LecternApplication *lectern_application_new             (void);

/* The application's settings, or NULL when the org.lectern.Lectern schema is not installed
 * (an uninstalled build run without GSETTINGS_SCHEMA_DIR): Lectern then works without them. */
GSettings          *lectern_application_get_settings    (LecternApplication *self);

/* Remembers file as the most recent page scan and its folder as the last folder. */
void                lectern_application_add_recent      (LecternApplication *self,
                                                         GFile              *file);
/* Forgets file (it could not be opened). */
void                lectern_application_remove_recent   (LecternApplication *self,
                                                         GFile              *file);

/* The recognition model, or NULL (loading, or none could be loaded: see get_model_error). */
LecternRecognitionModel *lectern_application_get_model  (LecternApplication *self);
gboolean            lectern_application_get_model_loading (LecternApplication *self);
/* Why there is no model, or NULL. */
const char         *lectern_application_get_model_error (LecternApplication *self);
/* Loads the model file at path (NULL: the default model) in the background, remembering the
 * choice; the old model stays until the new one is loaded. */
void                lectern_application_load_model      (LecternApplication *self,
                                                         const char         *path);
/* Uses model straight away (a load in progress is dropped). */
void                lectern_application_set_model       (LecternApplication      *self,
                                                         LecternRecognitionModel *model);
/* Whether recognition uses the default character language model (reloads the model). */
gboolean            lectern_application_get_use_lm      (LecternApplication *self);
void                lectern_application_set_use_lm      (LecternApplication *self,
                                                         gboolean            use_lm);

/* Drafts found at start (LecternDraft*) that no window has offered yet; the caller owns the
 * array and they are not offered again. */
GPtrArray          *lectern_application_take_drafts     (LecternApplication *self);

G_END_DECLS
