/* lectern-page.h — one page of a project: its scan, its transcription, its history.
 *
 * A page is opened from an image (PNG, JPEG, TIFF; its PAGE XML beside it is read when there is
 * one) or from a PAGE or ALTO file (its image found beside it). It is saved as PAGE XML beside
 * the image: `scan.xml` for `scan.jpg` (or the PAGE file it was opened from), `scan.page.xml`
 * when `scan.xml` is something else (an ALTO file, say).
 *
 * The page is a GListModel of its lines (LecternPageLine) in reading order. Every change goes
 * through the page's undo stack, and a few seconds after each one the page writes a draft
 * (lectern-drafts.h) that saving removes.
 *
 * The document lives on the main thread; worker threads get copies, and the grey page image
 * (immutable once loaded, reference-counted so that a job can keep it while the page drops it). */
#pragma once

#include <gtk/gtk.h>

#include "document.h"
#include "image.h"
#include "lectern-page-line.h"
#include "lectern-undo-stack.h"

G_BEGIN_DECLS

/* Seconds after the last edit before the draft is written. */
#define LECTERN_PAGE_AUTOSAVE_DELAY_MS 2000

/* The grey page image that segmentation and recognition read, shared with worker threads. */
typedef struct {
  LecternImage *image;
} LecternPageImage;

LecternPageImage *lectern_page_image_ref   (LecternPageImage *image);
void              lectern_page_image_unref (LecternPageImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternPageImage, lectern_page_image_unref)

#define LECTERN_TYPE_PAGE (lectern_page_get_type ())
G_DECLARE_FINAL_TYPE (LecternPage, lectern_page, LECTERN, PAGE, GObject)

/* file: an image, or a PAGE / ALTO file. Nothing is read until lectern_page_load_async(). */
LecternPage      *lectern_page_new             (GFile        *file);
/* A page restored from a draft: it opens the draft's document instead of the saved one, and
 * starts out modified. */
LecternPage      *lectern_page_new_from_draft  (const char   *image_path,
                                                const char   *save_path,
                                                const char   *draft_xml_path);

/* What was opened. */
GFile            *lectern_page_get_file        (LecternPage  *self);
/* The image (NULL until the document is loaded, when the page was opened from XML). */
const char       *lectern_page_get_image_path  (LecternPage  *self);
/* Where Ctrl+S writes the PAGE XML (NULL until loaded). */
const char       *lectern_page_get_save_path   (LecternPage  *self);
/* The image's file name, for lists and titles. */
const char       *lectern_page_get_title       (LecternPage  *self);
/* Whether this page stands for file (the image, or the XML it was opened from or saves to). */
gboolean          lectern_page_matches_file    (LecternPage  *self,
                                                GFile        *file);

/* Reads the document (once) and, with images, the scan for display and the grey image for the
 * engine, on a worker thread. Errors name the file. */
void              lectern_page_load_async      (LecternPage         *self,
                                                gboolean             images,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean          lectern_page_load_finish     (LecternPage         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
gboolean          lectern_page_get_loaded      (LecternPage  *self);
gboolean          lectern_page_get_loading     (LecternPage  *self);
/* The scan in colour (NULL unless loaded with images). */
GdkTexture       *lectern_page_get_texture     (LecternPage  *self);
/* The grey image (borrowed; ref it to keep it). NULL unless loaded with images. */
LecternPageImage *lectern_page_get_image       (LecternPage  *self);
/* Drops the texture and the grey image (pages not shown need not hold ~100 MB each). */
void              lectern_page_release_images  (LecternPage  *self);

/* The document (read only: change it with the functions below). NULL until loaded. */
const LecternDocument *lectern_page_get_document (LecternPage *self);
LecternUndoStack *lectern_page_get_undo_stack  (LecternPage  *self);
/* Unsaved changes. */
gboolean          lectern_page_get_modified    (LecternPage  *self);
/* Lines a person has corrected and that have text: what fine-tuning can learn from (0 while the
 * page is not loaded). */
guint             lectern_page_count_corrected (LecternPage  *self);

LecternPageLine  *lectern_page_get_line        (LecternPage  *self,
                                                guint         position);
/* Position in reading order, or G_MAXUINT when line is not on the page. */
guint             lectern_page_find_line       (LecternPage     *self,
                                                LecternPageLine *line);
/* The line under the point (page pixels); the smallest when several overlap. NULL for none. */
LecternPageLine  *lectern_page_line_at         (LecternPage  *self,
                                                double        x,
                                                double        y,
                                                double        tolerance);

/* Edits; each is one undo step. Text typed by a person marks the line corrected. */
void              lectern_page_set_line_text   (LecternPage     *self,
                                                LecternPageLine *line,
                                                const char      *text);
void              lectern_page_set_line_geometry (LecternPage     *self,
                                                  LecternPageLine *line,
                                                  const GArray    *polygon,
                                                  const GArray    *baseline);
/* Adds a line (polygon and/or baseline in page pixels) to the region it belongs to, at its
 * place in the reading order there (by height). */
LecternPageLine  *lectern_page_add_line        (LecternPage     *self,
                                                const GArray    *polygon,
                                                const GArray    *baseline);
void              lectern_page_remove_lines    (LecternPage      *self,
                                                LecternPageLine **lines,
                                                guint             n_lines);
/* Moves the line one place earlier (delta -1) or later (+1) in the reading order, into the
 * neighbouring region at a region's edge. FALSE when it cannot move that way. */
gboolean          lectern_page_move_line       (LecternPage     *self,
                                                LecternPageLine *line,
                                                int              delta);
/* Replaces every region and line with those of doc (a segmentation of this page). */
void              lectern_page_replace_lines   (LecternPage     *self,
                                                LecternDocument *doc,
                                                const char      *label);
/* Stores a recognition result: text, confidences and character spans of result (the line as
 * recognised), not corrected. Results of one run share merge_key and undo together. Ignored
 * (FALSE) when the line's geometry is no longer what was recognised (geometry: the line as it
 * was when the job started). */
gboolean          lectern_page_set_line_recognition (LecternPage       *self,
                                                     LecternPageLine   *line,
                                                     const LecternLine *geometry,
                                                     const LecternLine *result,
                                                     const char        *model_name,
                                                     gpointer           merge_key);

/* A copy of the document as it would be saved: empty regions left out, the image named
 * relative to the save path. */
LecternDocument  *lectern_page_copy_document   (LecternPage  *self);

/* Writes the PAGE XML to the save path (atomically, on a worker thread); on success the page is
 * no longer modified (unless edited meanwhile) and its draft is removed. */
void              lectern_page_save_async      (LecternPage         *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean          lectern_page_save_finish     (LecternPage         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Writes the document in format to path (atomically, on a worker thread). */
void              lectern_page_export_async    (LecternPage         *self,
                                                const char          *path,
                                                LecternFormat        format,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean          lectern_page_export_finish   (LecternPage         *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Writes the draft now (normally LECTERN_PAGE_AUTOSAVE_DELAY_MS after the last edit). */
void              lectern_page_write_draft_now (LecternPage  *self);
/* Whether a draft write is scheduled or in progress. */
gboolean          lectern_page_get_draft_pending (LecternPage *self);
/* Forgets unsaved changes' draft (the user chose to discard them). */
void              lectern_page_discard_draft   (LecternPage  *self);

/* Finds the lines of the page (lectern_segment_page on a worker thread) and replaces the
 * page's lines with them as one undo step. progress (nullable) is called on the main thread
 * with the fraction done. Needs the images loaded. */
typedef void (*LecternPageProgressFunc) (double fraction, gpointer user_data);
void              lectern_page_segment_async   (LecternPage            *self,
                                                LecternPageProgressFunc progress,
                                                gpointer                progress_data,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gboolean          lectern_page_segment_finish  (LecternPage            *self,
                                                GAsyncResult           *result,
                                                GError                **error);

G_END_DECLS
