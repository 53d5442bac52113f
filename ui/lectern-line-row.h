/* lectern-line-row.h — one line in the line list: its picture above its editable text.
 *
 * The text is the line's; doubtful characters are tinted. Typing changes only the entry until
 * the edit is committed (Enter, or leaving the row), which makes it one undoable step on the
 * page and marks the line corrected. Escape puts the line's text back.
 *
 * Keys the list acts on come out as "move" (↑ ↓ −1/+1, Page Up/Down ∓LECTERN_LINE_ROW_PAGE,
 * Enter +1 after committing). "cursor-moved" gives the character the text cursor is on (for
 * highlighting its place in the picture and on the page), −1 when the text no longer matches
 * the recognition's characters. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-line-strips.h"
#include "lectern-page-line.h"

G_BEGIN_DECLS

/* Lines a Page Up / Page Down moves. */
#define LECTERN_LINE_ROW_PAGE 8

#define LECTERN_TYPE_LINE_ROW (lectern_line_row_get_type ())
G_DECLARE_FINAL_TYPE (LecternLineRow, lectern_line_row, LECTERN, LINE_ROW, GtkWidget)

GtkWidget       *lectern_line_row_new              (void);
/* Shows line (nullable: nothing) with its picture from strips. */
void             lectern_line_row_bind             (LecternLineRow    *self,
                                                    LecternPageLine   *line,
                                                    LecternLineStrips *strips);
LecternPageLine *lectern_line_row_get_line         (LecternLineRow    *self);
/* Puts the keyboard focus in the text, the cursor at its end. */
void             lectern_line_row_focus_text       (LecternLineRow    *self);
gboolean         lectern_line_row_has_text_focus   (LecternLineRow    *self);
/* Stores the typed text on the page if it differs from the line's. */
void             lectern_line_row_commit           (LecternLineRow    *self);
GtkEditable     *lectern_line_row_get_editable     (LecternLineRow    *self);
/* Marks the page columns x0 … x1 on the picture (x1 < x0: none). */
void             lectern_line_row_set_highlight    (LecternLineRow    *self,
                                                    int                x0,
                                                    int                x1);

G_END_DECLS
