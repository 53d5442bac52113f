/* lectern-model-manager.c — the Models window (see lectern-model-manager.h). */
#include "config.h"

#include <string.h>
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
      char *end = NULL;
      double rate = value != NULL ? g_ascii_strtod (value, &end) : 0;

      /* Error rates are stored as fractions (0.821); people read them as percentages. */
      if (value != NULL && end != value && *end == '\0' && strstr (keys[i], "cer") != NULL
          && rate >= 0 && rate < 100)
        g_string_append_printf (text, "%s: %.1f %%\n", keys[i], rate * 100);
      else
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
  gtk_widget_dispose_template (GTK_WIDGET (self), LECTERN_TYPE_MODEL_MANAGER);

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
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lectern_model_manager_dispose;
  object_class->finalize = lectern_model_manager_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/lectern-model-manager.ui");
  gtk_widget_class_bind_template_child (widget_class, LecternModelManager, list);
  gtk_widget_class_bind_template_child (widget_class, LecternModelManager, card_label);
  gtk_widget_class_bind_template_child (widget_class, LecternModelManager, error_label);
  gtk_widget_class_bind_template_child (widget_class, LecternModelManager, default_button);
  gtk_widget_class_bind_template_child (widget_class, LecternModelManager, rename_button);
  gtk_widget_class_bind_template_child (widget_class, LecternModelManager, rename_entry);
  gtk_widget_class_bind_template_child (widget_class, LecternModelManager, delete_button);
  gtk_widget_class_bind_template_callback (widget_class, row_selected);
  gtk_widget_class_bind_template_callback (widget_class, delete_clicked);
  gtk_widget_class_bind_template_callback (widget_class, rename_popup);
  gtk_widget_class_bind_template_callback (widget_class, rename_activated);
  gtk_widget_class_bind_template_callback (widget_class, default_clicked);
}

static void
lectern_model_manager_init (LecternModelManager *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
