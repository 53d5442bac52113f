/* lectern-model-manager.c — the Models window (see lectern-model-manager.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lectern-model-manager.h"
#include "lectern-model-store.h"

struct _LecternModelManager
{
  GtkWindow           parent_instance;

  LecternApplication *app;
  GPtrArray          *models;          /* LecternModelInfo* */
  guint               selected;

  GtkListBox         *list;
  GtkLabel           *card_label;
  GtkLabel           *error_label;
  GtkButton          *default_button;
  GtkMenuButton      *rename_button;
  GtkEntry           *rename_entry;
  GtkButton          *delete_button;
  char               *card_text;
};

G_DEFINE_FINAL_TYPE (LecternModelManager, lectern_model_manager, GTK_TYPE_WINDOW)

static char *
default_path (LecternModelManager *self)
{
  return lectern_model_store_get_default (self->app != NULL
                                          ? lectern_application_get_settings (self->app) : NULL);
}

static LecternModelInfo *
selected_info (LecternModelManager *self)
{
  return self->models != NULL && self->selected < self->models->len
         ? self->models->pdata[self->selected] : NULL;
}

static void
show_error (LecternModelManager *self,
            const char          *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* "2026-11-26T15:17:22Z" → "2026-11-26 15:17" in local time; other text as it is. */
static char *
format_date (const char *stamp)
{
  g_autoptr(GDateTime) utc = stamp != NULL ? g_date_time_new_from_iso8601 (stamp, NULL) : NULL;
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup (stamp != NULL ? stamp : _("date unknown"));
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
update_card (LecternModelManager *self)
{
  LecternModelInfo *info = selected_info (self);
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) keys = NULL;

  if (info == NULL)
    return;
  if (info->error != NULL)
    g_string_append_printf (text, "%s\n\n", info->error);
  g_string_append_printf (text, "%s: %s\n", _("file"),
                          info->path != NULL ? info->path : _("built into Lectern"));
  keys = g_key_file_get_keys (info->card, "model", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (info->card, "model", keys[i], NULL);
      g_string_append_printf (text, "%s: %s\n", keys[i], value != NULL ? value : "");
    }
  g_free (self->card_text);
  self->card_text = g_strdup (text->str);
  gtk_label_set_text (self->card_label, self->card_text);

  gtk_widget_set_sensitive (GTK_WIDGET (self->rename_button), info->path != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->delete_button), info->path != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->delete_button),
                               info->path != NULL ? _("Delete this model file")
                                                  : _("Lectern’s own model cannot be deleted"));
}

static GtkWidget *
make_row (LecternModelManager *self,
          LecternModelInfo    *info,
          gboolean             is_default)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (info->name);
  g_autofree char *date = format_date (info->date);
  g_autofree char *cer = isfinite (info->cer)
                         /* Translators: the character error rate from a model's card */
                         ? g_strdup_printf (_("error rate %.1f%%"), 100 * info->cer)
                         : g_strdup (_("error rate unknown"));
  g_autofree char *detail = is_default
                            /* Translators: the default model's row: "Default · date · error rate" */
                            ? g_strdup_printf (_("Default · %s · %s"), date, cer)
                            : g_strdup_printf ("%s · %s", date, cer);
  GtkWidget *sub;

  if (info->path == NULL)
    {
      g_autofree char *with_origin = g_strdup_printf ("%s · %s", _("comes with Lectern"), detail);
      g_free (detail);
      detail = g_steal_pointer (&with_origin);
    }
  sub = gtk_label_new (detail);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_wrap (GTK_LABEL (sub), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (sub), 44);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 44);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_add_css_class (sub, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), sub);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  return box;
}

void
lectern_model_manager_reload (LecternModelManager *self)
{
  g_autofree char *chosen = default_path (self);
  GtkWidget *child;
  guint keep = self->selected;

  g_return_if_fail (LECTERN_IS_MODEL_MANAGER (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->models, g_ptr_array_unref);
  self->models = lectern_model_store_list ();
  for (guint i = 0; i < self->models->len; i++)
    {
      LecternModelInfo *info = self->models->pdata[i];
      gtk_list_box_append (self->list,
                           make_row (self, info, g_strcmp0 (info->path, chosen) == 0));
    }
  self->selected = MIN (keep, self->models->len - 1);
  gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list,
                                                                      (int) self->selected));
  update_card (self);
}

static void
row_selected (GtkListBox          *list,
              GtkListBoxRow       *row,
              LecternModelManager *self)
{
  if (row == NULL)
    return;
  self->selected = (guint) gtk_list_box_row_get_index (row);
  show_error (self, NULL);
  update_card (self);
}

void
lectern_model_manager_set_default (LecternModelManager *self,
                                   guint                index)
{
  LecternModelInfo *info;

  g_return_if_fail (LECTERN_IS_MODEL_MANAGER (self));
  g_return_if_fail (index < self->models->len);

  info = self->models->pdata[index];
  if (info->error != NULL)
    {
      show_error (self, info->error);
      return;
    }
  if (self->app != NULL)
    lectern_application_load_model (self->app, info->path);
  self->selected = index;
  lectern_model_manager_reload (self);
}

static void
default_clicked (LecternModelManager *self)
{
  lectern_model_manager_set_default (self, self->selected);
}

gboolean
lectern_model_manager_rename (LecternModelManager *self,
                              guint                index,
                              const char          *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  LecternRecognitionModel *current;

  g_return_val_if_fail (LECTERN_IS_MODEL_MANAGER (self), FALSE);
  g_return_val_if_fail (index < self->models->len, FALSE);

  /* the list is read again below */
  path = g_strdup (((LecternModelInfo *) self->models->pdata[index])->path);
  if (!lectern_model_store_rename (path, name, &error))
    {
      show_error (self, error->message);
      return FALSE;
    }
  show_error (self, NULL);
  lectern_model_manager_reload (self);
  /* the current model's name shows in the main window's model button: load it again */
  current = self->app != NULL ? lectern_application_get_model (self->app) : NULL;
  if (current != NULL && g_strcmp0 (lectern_recognition_model_get_path (current), path) == 0)
    lectern_application_load_model (self->app, path);
  return TRUE;
}

static void
rename_activated (LecternModelManager *self)
{
  gtk_menu_button_popdown (self->rename_button);
  if (selected_info (self) != NULL)
    lectern_model_manager_rename (self, self->selected,
                                  gtk_editable_get_text (GTK_EDITABLE (self->rename_entry)));
}

static void
rename_popup (LecternModelManager *self)
{
  LecternModelInfo *info = selected_info (self);

  if (info != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->rename_entry), info->name);
}

typedef struct {
  LecternModelManager *self;
  char                *path;
} DeleteRequest;

static void
delete_response (GtkDialog     *dialog,
                 int            response,
                 DeleteRequest *request)
{
  LecternModelManager *self = request->self;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *chosen = default_path (self);
      LecternRecognitionModel *current = self->app != NULL
                                         ? lectern_application_get_model (self->app) : NULL;
      gboolean was_current = current != NULL
        && g_strcmp0 (lectern_recognition_model_get_path (current), request->path) == 0;

      if (!lectern_model_store_delete (request->path, &error))
        show_error (self, error->message);
      else if (self->app != NULL
               && (g_strcmp0 (chosen, request->path) == 0 || was_current))
        /* the default is gone: back to the shipped model */
        lectern_application_load_model (self->app, NULL);
      lectern_model_manager_reload (self);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (request->self);
  g_free (request->path);
  g_free (request);
}

static void
delete_clicked (LecternModelManager *self)
{
  LecternModelInfo *info = selected_info (self);
  GtkWidget *dialog;
  DeleteRequest *request;

  if (info == NULL || info->path == NULL)
    return;
  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Delete the model “%s”?"), info->name);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its file %s is deleted for good."), info->path);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  gtk_widget_add_css_class (gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Delete"),
                                                   GTK_RESPONSE_ACCEPT),
                            "destructive-action");
  request = g_new0 (DeleteRequest, 1);
  request->self = g_object_ref (self);
  request->path = g_strdup (info->path);
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response), request);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lectern_model_manager_dispose (GObject *object)
{
  LecternModelManager *self = LECTERN_MODEL_MANAGER (object);

  g_clear_object (&self->app);
  g_clear_pointer (&self->models, g_ptr_array_unref);

  G_OBJECT_CLASS (lectern_model_manager_parent_class)->dispose (object);
}

static void
lectern_model_manager_finalize (GObject *object)
{
  LecternModelManager *self = LECTERN_MODEL_MANAGER (object);

  g_free (self->card_text);

  G_OBJECT_CLASS (lectern_model_manager_parent_class)->finalize (object);
}

static void
lectern_model_manager_class_init (LecternModelManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lectern_model_manager_dispose;
  object_class->finalize = lectern_model_manager_finalize;
}

static void
lectern_model_manager_init (LecternModelManager *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *panes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *list_scroll = gtk_scrolled_window_new ();
  GtkWidget *card_scroll = gtk_scrolled_window_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *rename_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *rename_ok = gtk_button_new_with_mnemonic (_("_Rename"));

  gtk_window_set_title (GTK_WINDOW (self), _("Models"));
  gtk_window_set_titlebar (GTK_WINDOW (self), gtk_header_bar_new ());
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 460);
  gtk_widget_set_margin_top (outer, 12);
  gtk_widget_set_margin_bottom (outer, 12);
  gtk_widget_set_margin_start (outer, 12);
  gtk_widget_set_margin_end (outer, 12);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_BROWSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  g_signal_connect (self->list, "row-selected", G_CALLBACK (row_selected), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (list_scroll), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (list_scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (list_scroll, 340, -1);
  gtk_widget_set_vexpand (list_scroll, TRUE);

  self->card_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->card_label, 0);
  gtk_label_set_yalign (self->card_label, 0);
  gtk_label_set_wrap (self->card_label, TRUE);
  gtk_label_set_wrap_mode (self->card_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->card_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->card_label), "monospace");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (card_scroll), GTK_WIDGET (self->card_label));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (card_scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_hexpand (card_scroll, TRUE);
  gtk_widget_set_tooltip_text (card_scroll, _("The model’s card: everything its file says "
                                              "about it"));

  gtk_box_append (GTK_BOX (panes), list_scroll);
  gtk_box_append (GTK_BOX (panes), card_scroll);
  gtk_widget_set_vexpand (panes, TRUE);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  self->rename_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_activates_default (self->rename_entry, FALSE);
  g_signal_connect_swapped (self->rename_entry, "activate", G_CALLBACK (rename_activated), self);
  g_signal_connect_swapped (rename_ok, "clicked", G_CALLBACK (rename_activated), self);
  gtk_box_append (GTK_BOX (rename_box), GTK_WIDGET (self->rename_entry));
  gtk_box_append (GTK_BOX (rename_box), rename_ok);
  gtk_popover_set_child (GTK_POPOVER (popover), rename_box);

  self->default_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("Make _Default")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->default_button),
                               _("Recognise with this model from now on, also after a restart"));
  g_signal_connect_swapped (self->default_button, "clicked", G_CALLBACK (default_clicked), self);
  self->rename_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_label (self->rename_button, _("Rena_me…"));
  gtk_menu_button_set_use_underline (self->rename_button, TRUE);
  gtk_menu_button_set_popover (self->rename_button, popover);
  g_signal_connect_swapped (popover, "show", G_CALLBACK (rename_popup), self);
  self->delete_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("De_lete…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->delete_button), "destructive-action");
  g_signal_connect_swapped (self->delete_button, "clicked", G_CALLBACK (delete_clicked), self);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->delete_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->rename_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->default_button));

  gtk_box_append (GTK_BOX (outer), panes);
  gtk_box_append (GTK_BOX (outer), GTK_WIDGET (self->error_label));
  gtk_box_append (GTK_BOX (outer), buttons);
  gtk_window_set_child (GTK_WINDOW (self), outer);
}

LecternModelManager *
lectern_model_manager_new (GtkWindow          *parent,
                           LecternApplication *app)
{
  LecternModelManager *self = g_object_new (LECTERN_TYPE_MODEL_MANAGER, NULL);
  g_autofree char *chosen = NULL;

  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->app = app != NULL ? g_object_ref (app) : NULL;
  lectern_model_manager_reload (self);
  /* it opens on the default model's card */
  chosen = default_path (self);
  for (guint i = 0; i < self->models->len; i++)
    if (g_strcmp0 (((LecternModelInfo *) self->models->pdata[i])->path, chosen) == 0)
      lectern_model_manager_show_card (self, i);
  return self;
}

guint
lectern_model_manager_get_n_models (LecternModelManager *self)
{
  g_return_val_if_fail (LECTERN_IS_MODEL_MANAGER (self), 0);
  return self->models->len;
}

const char *
lectern_model_manager_get_path (LecternModelManager *self,
                                guint                index)
{
  g_return_val_if_fail (LECTERN_IS_MODEL_MANAGER (self), NULL);
  g_return_val_if_fail (index < self->models->len, NULL);
  return ((LecternModelInfo *) self->models->pdata[index])->path;
}

const char *
lectern_model_manager_get_name (LecternModelManager *self,
                                guint                index)
{
  g_return_val_if_fail (LECTERN_IS_MODEL_MANAGER (self), NULL);
  g_return_val_if_fail (index < self->models->len, NULL);
  return ((LecternModelInfo *) self->models->pdata[index])->name;
}

void
lectern_model_manager_show_card (LecternModelManager *self,
                                 guint                index)
{
  g_return_if_fail (LECTERN_IS_MODEL_MANAGER (self));
  g_return_if_fail (index < self->models->len);

  gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, (int) index));
  self->selected = index;
  update_card (self);
}

const char *
lectern_model_manager_get_card_text (LecternModelManager *self)
{
  g_return_val_if_fail (LECTERN_IS_MODEL_MANAGER (self), NULL);
  return self->card_text;
}
