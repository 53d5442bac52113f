/* lectern-line-row.c — one line in the line list (see lectern-line-row.h). */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lectern-confidence.h"
#include "lectern-line-row.h"
#include "lectern-line-strip-view.h"
#include "lectern-page.h"

struct _LecternLineRow
{
  GtkWidget             parent_instance;

  /* template children */
  GtkLabel             *number_label;
  GtkLabel             *state_label;
  LecternLineStripView *strip_view;
  GtkEntry             *entry;

  LecternPageLine      *line;
  LecternLineStrips    *strips;
  char                 *shown_text;   /* the line's text as last put in the entry */
  gboolean              syncing;      /* the entry is being set from the line */
};

enum {
  MOVE,
  CURSOR_MOVED,
  TEXT_FOCUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LecternLineRow, lectern_line_row, GTK_TYPE_WIDGET)

static LecternPage *
get_page (LecternLineRow *self)
{
  return self->strips != NULL ? lectern_line_strips_get_page (self->strips) : NULL;
}

/* The typed text differs from the line's. */
static gboolean
has_pending_edit (LecternLineRow *self)
{
  return self->line != NULL
         && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->entry)),
                       lectern_page_line_get_text (self->line)) != 0;
}

static void
update_attributes (LecternLineRow *self)
{
  const LecternLine *line = self->line != NULL ? lectern_page_line_get_line (self->line) : NULL;
  PangoAttrList *attributes = NULL;

  /* The confidences describe the line's text; once it is edited they describe nothing. */
  if (line != NULL && !has_pending_edit (self))
    attributes = lectern_confidence_attributes (line->text, line->char_confidences);
  gtk_entry_set_attributes (self->entry, attributes);
  g_clear_pointer (&attributes, pango_attr_list_unref);
}

static void
update_labels (LecternLineRow *self)
{
  g_autofree char *number = NULL;
  g_autofree char *state = NULL;
  double confidence;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_remove_css_class (widget, "corrected");
  gtk_widget_remove_css_class (widget, "doubtful");

  if (self->line == NULL)
    {
      gtk_label_set_label (self->number_label, "");
      gtk_label_set_label (self->state_label, "");
      return;
    }

  /* Translators: the number of a line in the reading order, in the line list. */
  number = g_strdup_printf (_("Line %u"), lectern_page_line_get_number (self->line));
  confidence = lectern_page_line_get_confidence (self->line);
  if (lectern_page_line_get_corrected (self->line))
    {
      state = g_strdup (_("✓ Corrected"));
      gtk_widget_add_css_class (widget, "corrected");
    }
  else if (confidence >= 0)
    {
      /* Translators: a line's mean recognition confidence, e.g. "87 % sure". */
      state = g_strdup_printf (_("%d %% sure"), (int) round (confidence * 100));
      if (confidence < LECTERN_CONFIDENCE_DOUBTFUL)
        gtk_widget_add_css_class (widget, "doubtful");
    }

  gtk_label_set_label (self->number_label, number);
  gtk_label_set_label (self->state_label, state != NULL ? state : "");
}

static void
update_strip (LecternLineRow *self)
{
  const LecternLineStrip *strip = NULL;

  if (self->line != NULL && self->strips != NULL)
    strip = lectern_line_strips_lookup (self->strips, self->line);
  lectern_line_strip_view_set_strip (self->strip_view, strip);
}

/* Puts the line's text in the entry unless the person is in the middle of changing it. */
static void
sync_from_line (LecternLineRow *self)
{
  const char *text = self->line != NULL ? lectern_page_line_get_text (self->line) : "";
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  if (self->shown_text == NULL || g_strcmp0 (typed, self->shown_text) == 0
      || g_strcmp0 (typed, text) == 0)
    {
      if (g_strcmp0 (typed, text) != 0)
        {
          self->syncing = TRUE;
          gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
          self->syncing = FALSE;
        }
      g_free (self->shown_text);
      self->shown_text = g_strdup (text);
    }
  update_attributes (self);
  update_labels (self);
}

static void
line_changed (LecternPageLine *line,
              LecternLineRow  *self)
{
  sync_from_line (self);
}

static void
number_changed (LecternPageLine *line,
                GParamSpec      *pspec,
                LecternLineRow  *self)
{
  update_labels (self);
}

static void
strip_ready (LecternLineStrips *strips,
             LecternPageLine   *line,
             LecternLineRow    *self)
{
  if (line == NULL || line == self->line)
    update_strip (self);
}

/* The character the cursor is on: the one after it, or the last at the end of the text. */
static int
cursor_character (LecternLineRow *self)
{
  const LecternLine *line = self->line != NULL ? lectern_page_line_get_line (self->line) : NULL;
  int position = gtk_editable_get_position (GTK_EDITABLE (self->entry));
  int n_chars;

  if (line == NULL || has_pending_edit (self) || line->char_spans->len == 0)
    return -1;
  n_chars = (int) line->char_spans->len;
  if (n_chars == 0)
    return -1;
  return CLAMP (position, 0, n_chars - 1);
}

static void
show_cursor_character (LecternLineRow *self)
{
  const LecternLine *line = self->line != NULL ? lectern_page_line_get_line (self->line) : NULL;
  int index = gtk_widget_is_focus (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (self->entry))))
              ? cursor_character (self) : -1;

  if (index >= 0)
    {
      const LecternPoint *span = &g_array_index (line->char_spans, LecternPoint, index);
      lectern_line_strip_view_set_highlight (self->strip_view, span->x, span->y);
    }
  else
    lectern_line_strip_view_set_highlight (self->strip_view, 0, -1);
  g_signal_emit (self, signals[CURSOR_MOVED], 0, index);
}

static void
cursor_moved (GObject        *text,
              GParamSpec     *pspec,
              LecternLineRow *self)
{
  show_cursor_character (self);
}

static void
entry_changed (GtkEditable    *editable,
               LecternLineRow *self)
{
  if (self->syncing)
    return;
  update_attributes (self);
  show_cursor_character (self);
}

static void
entry_activated (GtkEntry       *entry,
                 LecternLineRow *self)
{
  lectern_line_row_commit (self);
  g_signal_emit (self, signals[MOVE], 0, 1);
}

static gboolean
key_pressed (GtkEventControllerKey *key,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             LecternLineRow        *self)
{
  int delta = 0;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      delta = -1;
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      delta = 1;
      break;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      delta = -LECTERN_LINE_ROW_PAGE;
      break;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      delta = LECTERN_LINE_ROW_PAGE;
      break;
    case GDK_KEY_Escape:
      if (!has_pending_edit (self))
        return FALSE;
      g_clear_pointer (&self->shown_text, g_free);
      sync_from_line (self);
      return TRUE;
    default:
      return FALSE;
    }

  lectern_line_row_commit (self);
  g_signal_emit (self, signals[MOVE], 0, delta);
  return TRUE;
}

static void
focus_entered (GtkEventControllerFocus *focus,
               LecternLineRow          *self)
{
  g_signal_emit (self, signals[TEXT_FOCUSED], 0);
  show_cursor_character (self);
}

static void
focus_left (GtkEventControllerFocus *focus,
            LecternLineRow          *self)
{
  lectern_line_row_commit (self);
  lectern_line_strip_view_set_highlight (self->strip_view, 0, -1);
}

static void
disconnect_line (LecternLineRow *self)
{
  if (self->line != NULL)
    g_signal_handlers_disconnect_by_data (self->line, self);
  if (self->strips != NULL)
    g_signal_handlers_disconnect_by_data (self->strips, self);
  g_clear_object (&self->line);
  g_clear_object (&self->strips);
  g_clear_pointer (&self->shown_text, g_free);
}

static void
lectern_line_row_dispose (GObject *object)
{
  LecternLineRow *self = LECTERN_LINE_ROW (object);
  GtkWidget *child;

  disconnect_line (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LECTERN_TYPE_LINE_ROW);
  /* Children the template does not name are not disposed with it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lectern_line_row_parent_class)->dispose (object);
}

static void
lectern_line_row_class_init (LecternLineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lectern_line_row_dispose;

  /**
   * LecternLineRow::move:
   * @delta: lines to move by in the reading order
   */
  signals[MOVE] =
    g_signal_new ("move", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  /**
   * LecternLineRow::cursor-moved:
   * @index: the character the text cursor is on, or -1
   */
  signals[CURSOR_MOVED] =
    g_signal_new ("cursor-moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  /**
   * LecternLineRow::text-focused:
   *
   * The keyboard focus went into the line's text.
   */
  signals[TEXT_FOCUSED] =
    g_signal_new ("text-focused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  g_type_ensure (LECTERN_TYPE_LINE_STRIP_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/lectern-line-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LecternLineRow, number_label);
  gtk_widget_class_bind_template_child (widget_class, LecternLineRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, LecternLineRow, strip_view);
  gtk_widget_class_bind_template_child (widget_class, LecternLineRow, entry);
  gtk_widget_class_set_css_name (widget_class, "linerow");
}

static void
lectern_line_row_init (LecternLineRow *self)
{
  GtkEventController *key;
  GtkEventController *focus;
  GtkEditable *text;

  gtk_widget_init_template (GTK_WIDGET (self));

  text = gtk_editable_get_delegate (GTK_EDITABLE (self->entry));
  g_signal_connect (text, "notify::cursor-position", G_CALLBACK (cursor_moved), self);
  g_signal_connect (self->entry, "changed", G_CALLBACK (entry_changed), self);
  g_signal_connect (self->entry, "activate", G_CALLBACK (entry_activated), self);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), key);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "enter", G_CALLBACK (focus_entered), self);
  g_signal_connect (focus, "leave", G_CALLBACK (focus_left), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), focus);
}

GtkWidget *
lectern_line_row_new (void)
{
  return g_object_new (LECTERN_TYPE_LINE_ROW, NULL);
}

void
lectern_line_row_bind (LecternLineRow    *self,
                       LecternPageLine   *line,
                       LecternLineStrips *strips)
{
  g_return_if_fail (LECTERN_IS_LINE_ROW (self));

  if (self->line != NULL && line != self->line)
    lectern_line_row_commit (self);
  disconnect_line (self);

  if (line != NULL)
    {
      self->line = g_object_ref (line);
      g_signal_connect (line, "changed", G_CALLBACK (line_changed), self);
      g_signal_connect (line, "notify::number", G_CALLBACK (number_changed), self);
    }
  if (strips != NULL)
    {
      self->strips = g_object_ref (strips);
      g_signal_connect (strips, "strip-ready", G_CALLBACK (strip_ready), self);
    }

  lectern_line_strip_view_set_highlight (self->strip_view, 0, -1);
  sync_from_line (self);
  update_strip (self);
}

LecternPageLine *
lectern_line_row_get_line (LecternLineRow *self)
{
  g_return_val_if_fail (LECTERN_IS_LINE_ROW (self), NULL);

  return self->line;
}

void
lectern_line_row_focus_text (LecternLineRow *self)
{
  g_return_if_fail (LECTERN_IS_LINE_ROW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
}

gboolean
lectern_line_row_has_text_focus (LecternLineRow *self)
{
  g_return_val_if_fail (LECTERN_IS_LINE_ROW (self), FALSE);

  return gtk_widget_is_focus (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (self->entry))));
}

void
lectern_line_row_commit (LecternLineRow *self)
{
  LecternPage *page;
  g_autofree char *typed = NULL;

  g_return_if_fail (LECTERN_IS_LINE_ROW (self));

  page = get_page (self);
  if (page == NULL || !has_pending_edit (self))
    return;

  typed = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
  g_free (self->shown_text);
  self->shown_text = g_strdup (typed);
  lectern_page_set_line_text (page, self->line, typed);
}

GtkEditable *
lectern_line_row_get_editable (LecternLineRow *self)
{
  g_return_val_if_fail (LECTERN_IS_LINE_ROW (self), NULL);

  return GTK_EDITABLE (self->entry);
}

void
lectern_line_row_set_highlight (LecternLineRow *self,
                                int             x0,
                                int             x1)
{
  g_return_if_fail (LECTERN_IS_LINE_ROW (self));

  lectern_line_strip_view_set_highlight (self->strip_view, x0, x1);
}
