/* lectern-undo-stack.h — the undo history of one page.
 *
 * Every change to a page (text, line geometry, lines added, removed or reordered, a new
 * segmentation, recognition results) is a command: a function that applies or reverts it, and
 * its data. Pushing a command applies it, so a change takes the same path the first time as on
 * redo. Undo and redo work on steps; a step holds one command, or several that belong together
 * (the lines of one recognition run arrive one by one but undo as one step: they share a merge
 * key, and a command joins the step on top when that step has its key).
 *
 * The stack remembers which step was last saved ("clean"), so that a page knows whether it has
 * unsaved changes after any sequence of edits, undos and redos. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Applies the change (redo = TRUE) or reverts it (redo = FALSE). */
typedef void (*LecternUndoFunc) (gpointer data,
                                 gboolean redo);

#define LECTERN_TYPE_UNDO_STACK (lectern_undo_stack_get_type ())
G_DECLARE_FINAL_TYPE (LecternUndoStack, lectern_undo_stack, LECTERN, UNDO_STACK, GObject)

LecternUndoStack *lectern_undo_stack_new        (void);

/* Applies the command and records it; the steps that could have been redone are dropped.
 * label names the step in the Undo menu item (translated, may be NULL). With a non-NULL
 * merge_key the command joins the top step when that step was pushed with the same key and
 * nothing has been undone since. destroy frees data when the command is forgotten. */
void              lectern_undo_stack_push       (LecternUndoStack *self,
                                                 const char       *label,
                                                 gpointer          merge_key,
                                                 LecternUndoFunc   apply,
                                                 gpointer          data,
                                                 GDestroyNotify    destroy);
/* Makes later commands start a new step even if they share the top step's merge key. */
void              lectern_undo_stack_seal       (LecternUndoStack *self);

gboolean          lectern_undo_stack_can_undo   (LecternUndoStack *self);
gboolean          lectern_undo_stack_can_redo   (LecternUndoStack *self);
/* Labels of the step that undo / redo would revert / apply; NULL when there is none. */
const char       *lectern_undo_stack_get_undo_label (LecternUndoStack *self);
const char       *lectern_undo_stack_get_redo_label (LecternUndoStack *self);
/* FALSE when there was nothing to undo / redo. */
gboolean          lectern_undo_stack_undo       (LecternUndoStack *self);
gboolean          lectern_undo_stack_redo       (LecternUndoStack *self);

/* Whether the page is as it was when last marked clean (saved, or just opened). */
gboolean          lectern_undo_stack_is_clean   (LecternUndoStack *self);
void              lectern_undo_stack_mark_clean (LecternUndoStack *self);
/* Names the page's present state: it changes with every push, undo and redo, and comes back
 * when undo or redo returns to the same state. A save records it when it starts, and marks the
 * stack clean at it when it has written the file, so that edits made meanwhile stay unsaved. */
guint64           lectern_undo_stack_get_serial   (LecternUndoStack *self);
void              lectern_undo_stack_mark_clean_at (LecternUndoStack *self,
                                                    guint64           serial);
/* Forgets every step (the page was replaced), and marks the stack clean or not. */
void              lectern_undo_stack_clear      (LecternUndoStack *self,
                                                 gboolean          clean);

G_END_DECLS
