/* lectern-line-list.c — the lines of the page (see lectern-line-list.h). */
#include "config.h"

#include "lectern-line-list.h"
#include "lectern-line-row.h"

/* Frames to wait for a scrolled-to row to be made before giving up focusing it. */
#define FOCUS_RETRY_FRAMES 8

struct _LecternLineList
{
  GtkWidget          parent_instance;

  /* template children */
  GtkStack          *stack;
  GtkScrolledWindow *scrolled_window;
  GtkListView       *list_view;

  LecternPage       *page;
  GtkSelectionModel *selection;
  LecternLineStrips *strips;
  GPtrArray         *rows;            /* LecternLineRow*, the rows that exist now (not owned) */
  LecternPageLine   *focus_pending;   /* focus this line's text once its row exists */
  guint              focus_tick;
  guint              focus_frames;
};

enum {
  LINE_FOCUSED,
  CHARACTER_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LecternLineList, lectern_line_list, GTK_TYPE_WIDGET)

static LecternLineRow *
find_row (LecternLineList *self,
          LecternPageLine *line)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      LecternLineRow *row = self->rows->pdata[i];
      if (line != NULL && lectern_line_row_get_line (row) == line)
        return row;
    }
  return NULL;
}

static void
stop_focus_retry (LecternLineList *self)
{
  if (self->focus_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->focus_tick);
  self->focus_tick = 0;
}

/* Focuses the pending line's text if its row is there; TRUE when done. */
static gboolean
focus_pending_now (LecternLineList *self)
{
  LecternLineRow *row = find_row (self, self->focus_pending);

  if (row == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)))
    return FALSE;

  g_clear_object (&self->focus_pending);
  stop_focus_retry (self);
  lectern_line_row_focus_text (row);
  return TRUE;
}

static gboolean
focus_retry (GtkWidget     *widget,
             GdkFrameClock *frame_clock,
             gpointer       user_data)
{
  LecternLineList *self = LECTERN_LINE_LIST (user_data);

  if (focus_pending_now (self))
    return G_SOURCE_REMOVE;
  if (++self->focus_frames >= FOCUS_RETRY_FRAMES)
    {
      self->focus_tick = 0;
      g_clear_object (&self->focus_pending);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static guint
row_position (LecternLineList *self,
              LecternLineRow  *row)
{
  LecternPageLine *line = lectern_line_row_get_line (row);

  return self->page != NULL && line != NULL ? lectern_page_find_line (self->page, line)
                                            : G_MAXUINT;
}

static void
row_move (LecternLineRow  *row,
          int              delta,
          LecternLineList *self)
{
  guint position = row_position (self, row);
  guint n;
  gint64 target;

  if (position == G_MAXUINT)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->page));
  target = CLAMP ((gint64) position + delta, 0, (gint64) n - 1);
  if ((guint) target != position)
    lectern_line_list_focus_line (self, (guint) target);
}

static void
row_text_focused (LecternLineRow  *row,
                  LecternLineList *self)
{
  guint position = row_position (self, row);

  if (position == G_MAXUINT)
    return;
  if (self->selection != NULL && !gtk_selection_model_is_selected (self->selection, position))
    gtk_selection_model_select_item (self->selection, position, TRUE);
  g_signal_emit (self, signals[LINE_FOCUSED], 0, lectern_line_row_get_line (row));
}

static void
row_cursor_moved (LecternLineRow  *row,
                  int              index,
                  LecternLineList *self)
{
  LecternPageLine *line = lectern_line_row_get_line (row);

  if (line != NULL)
    g_signal_emit (self, signals[CHARACTER_SELECTED], 0, line, index);
}

/* Rows can go without a "teardown" (when the list view itself goes): the list forgets them when
 * they are finalized. */
static void
row_finalized (gpointer  data,
               GObject  *row)
{
  LecternLineList *self = LECTERN_LINE_LIST (data);

  g_ptr_array_remove (self->rows, row);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           LecternLineList          *self)
{
  GtkWidget *row = lectern_line_row_new ();

  g_signal_connect (row, "move", G_CALLBACK (row_move), self);
  g_signal_connect (row, "text-focused", G_CALLBACK (row_text_focused), self);
  g_signal_connect (row, "cursor-moved", G_CALLBACK (row_cursor_moved), self);
  gtk_list_item_set_child (item, row);
  g_ptr_array_add (self->rows, row);
  g_object_weak_ref (G_OBJECT (row), row_finalized, self);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          LecternLineList          *self)
{
  LecternLineRow *row = LECTERN_LINE_ROW (gtk_list_item_get_child (item));
  LecternPageLine *line = gtk_list_item_get_item (item);

  lectern_line_row_bind (row, line, self->strips);
  if (line != NULL && line == self->focus_pending && self->focus_tick == 0)
    {
      self->focus_frames = 0;
      self->focus_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), focus_retry,
                                                       self, NULL);
    }
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            LecternLineList          *self)
{
  GtkWidget *row = gtk_list_item_get_child (item);

  if (row != NULL)
    lectern_line_row_bind (LECTERN_LINE_ROW (row), NULL, NULL);
}

static void
teardown_row (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              LecternLineList          *self)
{
  GtkWidget *row = gtk_list_item_get_child (item);

  if (row != NULL && g_ptr_array_remove (self->rows, row))
    {
      g_signal_handlers_disconnect_by_data (row, self);
      g_object_weak_unref (G_OBJECT (row), row_finalized, self);
    }
}

static void
update_stack (LecternLineList *self)
{
  gboolean has_lines = self->page != NULL
                       && g_list_model_get_n_items (G_LIST_MODEL (self->page)) > 0;

  gtk_stack_set_visible_child_name (self->stack, has_lines ? "lines" : "empty");
}

static void
lines_changed (GListModel      *model,
               guint            position,
               guint            removed,
               guint            added,
               LecternLineList *self)
{
  update_stack (self);
}

static void
lectern_line_list_dispose (GObject *object)
{
  LecternLineList *self = LECTERN_LINE_LIST (object);
  GtkWidget *child;

  stop_focus_retry (self);
  lectern_line_list_set_page (self, NULL, NULL, NULL);
  g_clear_object (&self->focus_pending);
  gtk_widget_dispose_template (GTK_WIDGET (self), LECTERN_TYPE_LINE_LIST);
  /* Children the template does not name are not disposed with it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lectern_line_list_parent_class)->dispose (object);
}

static void
lectern_line_list_finalize (GObject *object)
{
  LecternLineList *self = LECTERN_LINE_LIST (object);

  for (guint i = 0; i < self->rows->len; i++)
    g_object_weak_unref (self->rows->pdata[i], row_finalized, self);
  g_ptr_array_unref (self->rows);

  G_OBJECT_CLASS (lectern_line_list_parent_class)->finalize (object);
}

static void
lectern_line_list_class_init (LecternLineListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lectern_line_list_dispose;
  object_class->finalize = lectern_line_list_finalize;

  /**
   * LecternLineList::line-focused:
   * @line: the line whose text has the keyboard focus
   */
  signals[LINE_FOCUSED] =
    g_signal_new ("line-focused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, LECTERN_TYPE_PAGE_LINE);
  /**
   * LecternLineList::character-selected:
   * @line: the line being edited
   * @index: the character the text cursor is on, or -1
   */
  signals[CHARACTER_SELECTED] =
    g_signal_new ("character-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, LECTERN_TYPE_PAGE_LINE, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/lectern-line-list.ui");
  gtk_widget_class_bind_template_child (widget_class, LecternLineList, stack);
  gtk_widget_class_bind_template_child (widget_class, LecternLineList, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, LecternLineList, list_view);
  gtk_widget_class_set_css_name (widget_class, "linelist");
}

static void
lectern_line_list_init (LecternLineList *self)
{
  GtkListItemFactory *factory;

  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (teardown_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  update_stack (self);
}

GtkWidget *
lectern_line_list_new (void)
{
  return g_object_new (LECTERN_TYPE_LINE_LIST, NULL);
}

void
lectern_line_list_set_page (LecternLineList   *self,
                            LecternPage       *page,
                            GtkSelectionModel *selection,
                            LecternLineStrips *strips)
{
  g_return_if_fail (LECTERN_IS_LINE_LIST (self));

  lectern_line_list_commit (self);
  if (self->page != NULL)
    g_signal_handlers_disconnect_by_data (self->page, self);

  gtk_list_view_set_model (self->list_view, NULL);
  g_set_object (&self->page, page);
  g_set_object (&self->selection, selection);
  g_set_object (&self->strips, strips);
  g_clear_object (&self->focus_pending);

  if (page != NULL)
    g_signal_connect (page, "items-changed", G_CALLBACK (lines_changed), self);
  if (selection != NULL)
    gtk_list_view_set_model (self->list_view, selection);
  update_stack (self);
}

void
lectern_line_list_show_line (LecternLineList *self,
                             guint            position)
{
  g_return_if_fail (LECTERN_IS_LINE_LIST (self));

  if (self->page == NULL || position >= g_list_model_get_n_items (G_LIST_MODEL (self->page)))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

void
lectern_line_list_focus_line (LecternLineList *self,
                              guint            position)
{
  LecternPageLine *line;

  g_return_if_fail (LECTERN_IS_LINE_LIST (self));

  if (self->page == NULL || position >= g_list_model_get_n_items (G_LIST_MODEL (self->page)))
    return;
  line = lectern_page_get_line (self->page, position);

  if (self->selection != NULL)
    gtk_selection_model_select_item (self->selection, position, TRUE);
  lectern_line_list_show_line (self, position);

  g_set_object (&self->focus_pending, line);
  if (focus_pending_now (self))
    return;
  /* The row appears once the list has scrolled and laid out. */
  if (self->focus_tick == 0)
    {
      self->focus_frames = 0;
      self->focus_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), focus_retry,
                                                       self, NULL);
    }
}

void
lectern_line_list_commit (LecternLineList *self)
{
  g_return_if_fail (LECTERN_IS_LINE_LIST (self));

  for (guint i = 0; i < self->rows->len; i++)
    lectern_line_row_commit (self->rows->pdata[i]);
}

GtkWidget *
lectern_line_list_get_row (LecternLineList *self,
                           LecternPageLine *line)
{
  g_return_val_if_fail (LECTERN_IS_LINE_LIST (self), NULL);

  return (GtkWidget *) find_row (self, line);
}
