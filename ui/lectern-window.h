/* lectern-window.h — the main window: header bar, page view, error banner.
 *
 * A window shows one page scan. It opens files asynchronously; while a file loads, the
 * "loading" property is TRUE. A file that cannot be opened leaves the window as it was and
 * shows the reason in a banner at the top. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-application.h"
#include "lectern-page-view.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_WINDOW (lectern_window_get_type ())
G_DECLARE_FINAL_TYPE (LecternWindow, lectern_window, LECTERN, WINDOW, GtkApplicationWindow)

LecternWindow   *lectern_window_new               (LecternApplication *application);

/* Loads file in the background and shows it; errors go to the banner. */
void             lectern_window_open              (LecternWindow      *self,
                                                   GFile              *file);
/* The page scan shown (NULL before one has been opened). */
GFile           *lectern_window_get_file          (LecternWindow      *self);
gboolean         lectern_window_get_loading       (LecternWindow      *self);
/* TRUE when the window shows no page and is not loading one. */
gboolean         lectern_window_is_empty          (LecternWindow      *self);
/* The message in the error banner, or NULL when it is hidden. */
const char      *lectern_window_get_error_message (LecternWindow      *self);
void             lectern_window_show_error        (LecternWindow      *self,
                                                   const char         *message);
LecternPageView *lectern_window_get_page_view     (LecternWindow      *self);

G_END_DECLS
