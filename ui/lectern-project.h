/* lectern-project.h — the pages open in one window.
 *
 * A GListModel of LecternPage in the order they were opened. Opening a file that is already in
 * the project finds its page instead of adding another. "modified" is TRUE while any page has
 * unsaved changes. */
#pragma once

#include <gio/gio.h>

#include "lectern-page.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_PROJECT (lectern_project_get_type ())
G_DECLARE_FINAL_TYPE (LecternProject, lectern_project, LECTERN, PROJECT, GObject)

LecternProject *lectern_project_new          (void);

/* The page for file: the one already open, or a new one (not loaded yet) at the end. */
LecternPage    *lectern_project_add_file     (LecternProject *self,
                                              GFile          *file,
                                              gboolean       *added);
void            lectern_project_add_page     (LecternProject *self,
                                              LecternPage    *page);
void            lectern_project_remove_page  (LecternProject *self,
                                              LecternPage    *page);
/* Puts replacement where page is (a draft restored over the page opened from disk). */
void            lectern_project_replace_page (LecternProject *self,
                                              LecternPage    *page,
                                              LecternPage    *replacement);
/* The page standing for file (image or XML), or NULL. */
LecternPage    *lectern_project_find_file    (LecternProject *self,
                                              GFile          *file);
LecternPage    *lectern_project_get_page     (LecternProject *self,
                                              guint           position);
guint           lectern_project_get_n_pages  (LecternProject *self);
/* Position of page, or G_MAXUINT. */
guint           lectern_project_find_page    (LecternProject *self,
                                              LecternPage    *page);
gboolean        lectern_project_get_modified (LecternProject *self);
/* The pages with unsaved changes (LecternPage*, referenced). */
GPtrArray      *lectern_project_get_modified_pages (LecternProject *self);

G_END_DECLS
