/* lectern-application.h — the Lectern GtkApplication: windows, app actions, settings.
 *
 * One window per page scan; files given on the command line (or by the desktop) open in new
 * windows. The application owns the GSettings that windows share (window size, last folder,
 * recent files). */
#pragma once

#include <gtk/gtk.h>

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

G_END_DECLS
