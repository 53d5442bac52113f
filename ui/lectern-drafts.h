/* lectern-drafts.h — unsaved work kept on disk, so that a crash loses nothing.
 *
 * A few seconds after each edit a page writes a draft of itself: its document as PAGE XML, and a
 * small key file saying which image it belongs to and where the page is saved. Drafts live in
 * the user data folder ($XDG_DATA_HOME/lectern/drafts), one pair of files per page image, named
 * by a hash of the image's path. Saving a page, or choosing to discard its changes, removes its
 * draft; drafts still there when Lectern starts are work that a crash (or a killed session)
 * left unsaved, and the window offers them back.
 *
 * Plain functions on files: writing may run on a worker thread. */
#pragma once

#include <glib.h>

#include "document.h"

G_BEGIN_DECLS

typedef struct {
  char   *image_path;   /* the page image */
  char   *save_path;    /* where the page is saved (PAGE XML) */
  char   *xml_path;     /* the draft document */
  gint64  modified;     /* when the draft was written, seconds since 1970 (UTC) */
} LecternDraft;

void          lectern_draft_free        (LecternDraft *draft);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternDraft, lectern_draft_free)

/* The folder the drafts are in (it may not exist yet). */
char         *lectern_drafts_get_folder (void);

/* Writes the draft of the page whose image is image_path (both files atomically, the document
 * first). doc is not changed; its image file name is written as the absolute image path so that
 * the draft finds its image from anywhere. */
gboolean      lectern_drafts_write      (const LecternDocument *doc,
                                         const char            *image_path,
                                         const char            *save_path,
                                         GError               **error);
/* Removes the draft of that image, if there is one. */
void          lectern_drafts_remove     (const char            *image_path);
/* Whether there is a draft for that image. */
gboolean      lectern_drafts_exists     (const char            *image_path);
/* The drafts on disk, newest first (LecternDraft*). Unreadable or half-written entries are
 * left out. */
GPtrArray    *lectern_drafts_list       (void);
/* Reads a draft's document (image_path resolved to the draft's image). */
LecternDocument *lectern_draft_load     (const LecternDraft    *draft,
                                         GError               **error);

G_END_DECLS
