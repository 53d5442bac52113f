/* lectern-line-list.h — the lines of the page, each with its picture above its editable text.
 *
 * A GtkListView over the page's lines (rows are recycled, so pages of hundreds of lines scroll
 * smoothly) sharing the window's selection. The keyboard goes from line to line: ↑/↓ and Page
 * Up/Down move, Enter stores the text and goes to the next line.
 *
 * "line-focused" says which line's text has the keyboard focus; "character-selected" which
 * character of it the cursor is on (−1: none), so that the window can show it on the page. */
#pragma once

#include <gtk/gtk.h>

#include "lectern-line-strips.h"
#include "lectern-page.h"

G_BEGIN_DECLS

#define LECTERN_TYPE_LINE_LIST (lectern_line_list_get_type ())
G_DECLARE_FINAL_TYPE (LecternLineList, lectern_line_list, LECTERN, LINE_LIST, GtkWidget)

GtkWidget *lectern_line_list_new        (void);
/* selection is over page's lines; strips makes their pictures. All nullable (nothing shown). */
void       lectern_line_list_set_page   (LecternLineList   *self,
                                         LecternPage       *page,
                                         GtkSelectionModel *selection,
                                         LecternLineStrips *strips);
/* Scrolls to the line at position and puts the keyboard focus in its text. */
void       lectern_line_list_focus_line (LecternLineList   *self,
                                         guint              position);
/* Scrolls the line at position into view without taking the focus. */
void       lectern_line_list_show_line  (LecternLineList   *self,
                                         guint              position);
/* Stores the text being typed, if any (before saving, undoing, recognising). */
void       lectern_line_list_commit     (LecternLineList   *self);
/* The row showing line, if it is on screen. */
GtkWidget *lectern_line_list_get_row    (LecternLineList   *self,
                                         LecternPageLine   *line);

G_END_DECLS
