/* lectern-window.h — the main window: a project of pages, and everything done to them.
 *
 * The window holds a project (lectern-project.h): pages opened from the Open dialog, the command
 * line, drag and drop or the recent list, listed at the left. The page shown is drawn with its
 * lines (lectern-line-layer.h); its lines are listed at the right for correction
 * (lectern-line-list.h); the inspector below shows the current line's heat maps.
 *
 * Finding lines and recognising run on worker threads with a progress bar and Cancel in the
 * header bar, the window staying responsive. Ctrl+S saves every changed page as PAGE XML beside
 * its image; Export writes the page shown as text, PAGE, ALTO or hOCR. Closing with unsaved
 * changes asks whether to save them. Drafts that a crash left are offered back in a banner.
 *
 * Files that cannot be opened leave the window as it was and show the reason in a banner. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-application.h"
#include "lectern-inspector.h"
#include "lectern-line-layer.h"
#include "lectern-line-list.h"
#include "lectern-page-view.h"
#include "lectern-project.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_WINDOW (lectern_window_get_type ())
G_DECLARE_FINAL_TYPE (LecternWindow, lectern_window, LECTERN, WINDOW, GtkApplicationWindow)

LecternWindow     *lectern_window_new               (LecternApplication *application);

/* Adds file to the project (or finds it there) and shows it, loading it in the background;
 * errors go to the banner and leave the page shown before. */
void               lectern_window_open              (LecternWindow      *self,
                                                     GFile              *file);
/* Adds all of them and shows the first. */
void               lectern_window_open_files        (LecternWindow      *self,
                                                     GFile             **files,
                                                     int                 n_files);
/* The image of the page shown (NULL before one is shown). */
GFile             *lectern_window_get_file          (LecternWindow      *self);
/* TRUE while the page to show is being read. */
gboolean           lectern_window_get_loading       (LecternWindow      *self);
/* TRUE when the window shows no page and is not loading one. */
gboolean           lectern_window_is_empty          (LecternWindow      *self);
/* TRUE while lines are being found or recognised. */
gboolean           lectern_window_get_busy          (LecternWindow      *self);
/* The message in the error banner, or NULL when it is hidden. */
const char        *lectern_window_get_error_message (LecternWindow      *self);
void               lectern_window_show_error        (LecternWindow      *self,
                                                     const char         *message);
/* The message in the information banner (no model, nothing to do…), or NULL. */
const char        *lectern_window_get_notice        (LecternWindow      *self);
/* TRUE while the banner offering a crash's drafts back is shown. */
gboolean           lectern_window_get_drafts_offered (LecternWindow     *self);

LecternProject    *lectern_window_get_project       (LecternWindow      *self);
/* The page shown (NULL for none). */
LecternPage       *lectern_window_get_page          (LecternWindow      *self);
void               lectern_window_show_page         (LecternWindow      *self,
                                                     LecternPage        *page);
/* The selection over the shown page's lines. */
GtkSelectionModel *lectern_window_get_selection     (LecternWindow      *self);
/* The line being worked on (its handles on the page, its heat maps in the inspector). */
LecternPageLine   *lectern_window_get_current_line  (LecternWindow      *self);
void               lectern_window_set_current_line  (LecternWindow      *self,
                                                     LecternPageLine    *line);

LecternPageView   *lectern_window_get_page_view     (LecternWindow      *self);
LecternLineLayer  *lectern_window_get_line_layer    (LecternWindow      *self);
LecternLineList   *lectern_window_get_line_list     (LecternWindow      *self);
LecternInspector  *lectern_window_get_inspector     (LecternWindow      *self);

/* Closes the window without asking, letting unsaved changes (and their drafts) go. */
void               lectern_window_close_discarding  (LecternWindow      *self);

G_END_DECLS
