/* lectern-page-line-private.h — what LecternPage does to its line items. */
#pragma once

#include "lectern-page-line.h"

G_BEGIN_DECLS

/* An item for line; with owns_line the item frees the line when it is finalized. */
LecternPageLine *_lectern_page_line_new          (LecternLine     *line,
                                                  gboolean         owns_line);
LecternLine     *_lectern_page_line_get_mutable  (LecternPageLine *self);
/* Who frees the line: the item (a line taken out of its region) or its region. */
void             _lectern_page_line_set_owns_line (LecternPageLine *self,
                                                   gboolean         owns_line);
/* The line's owner is about to free it: the item forgets it. */
void             _lectern_page_line_detach       (LecternPageLine *self);
void             _lectern_page_line_set_number   (LecternPageLine *self,
                                                  guint            number);
/* The line's content changed: notifies its properties and emits "changed". */
void             _lectern_page_line_changed      (LecternPageLine *self);

G_END_DECLS
