/* lectern-window.c — the main window (see lectern-window.h). */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "error.h"
#include "lectern-texture-loader.h"
#include "lectern-window.h"

struct _LecternWindow
{
  GtkApplicationWindow  parent_instance;

  /* template children */
  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkSpinner           *spinner;
  GtkMenuButton        *zoom_button;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkStack             *stack;
  LecternPageView      *page_view;
  GMenu                *recent_section;

  GSettings            *settings;      /* the application's, NULL without the schema */
  GFile                *file;
  GCancellable         *cancellable;   /* of the load in progress */
  GtkFileChooserNative *chooser;
  gboolean              loading;
  guint                 zoom_update_source;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LecternWindow, lectern_window, GTK_TYPE_APPLICATION_WINDOW)

typedef struct {
  LecternWindow *window;
  GFile         *file;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_object_unref (request->window);
  g_object_unref (request->file);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadRequest, load_request_free)

static void
set_loading (LecternWindow *self,
             gboolean       loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
update_title (LecternWindow *self)
{
  GdkTexture *texture = lectern_page_view_get_texture (self->page_view);
  g_autofree char *name = NULL;
  g_autofree char *window_title = NULL;
  g_autofree char *size = NULL;

  if (self->file == NULL || texture == NULL)
    {
      gtk_label_set_label (self->title_label, _("Lectern"));
      gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), FALSE);
      gtk_window_set_title (GTK_WINDOW (self), _("Lectern"));
      return;
    }

  name = g_file_get_basename (self->file);
  {
    g_autofree char *display_name = g_filename_display_name (name);
    g_free (name);
    name = g_steal_pointer (&display_name);
  }
  /* Translators: the window title; %s is the file name of the page scan. */
  window_title = g_strdup_printf (_("%s — Lectern"), name);
  /* Translators: the size of the page scan under its name, width × height. */
  size = g_strdup_printf (_("%d × %d pixels"),
                          gdk_texture_get_width (texture), gdk_texture_get_height (texture));

  gtk_label_set_label (self->title_label, name);
  gtk_label_set_label (self->subtitle_label, size);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), TRUE);
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

static void
update_zoom_controls (LecternWindow *self)
{
  GdkTexture *texture = lectern_page_view_get_texture (self->page_view);
  int percent = (int) round (lectern_page_view_get_zoom (self->page_view) * 100);
  g_autofree char *label = NULL;
  struct {
    const char *name;
    gboolean    enabled;
  } actions[] = {
    { "zoom-in", lectern_page_view_can_zoom_in (self->page_view) },
    { "zoom-out", lectern_page_view_can_zoom_out (self->page_view) },
    { "zoom-fit-width", texture != NULL },
    { "zoom-fit-page", texture != NULL },
    { "zoom-original", texture != NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), actions[i].name);
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), actions[i].enabled);
    }

  /* Translators: the zoom level in the header bar, e.g. "71%". */
  label = g_strdup_printf (_("%d%%"), percent);
  gtk_menu_button_set_label (self->zoom_button, label);
  gtk_widget_set_sensitive (GTK_WIDGET (self->zoom_button), texture != NULL);
}

static void
update_recent_menu (LecternWindow *self)
{
  g_auto(GStrv) recent = NULL;

  g_menu_remove_all (self->recent_section);

  if (self->settings != NULL)
    recent = g_settings_get_strv (self->settings, "recent-files");

  if (recent == NULL || recent[0] == NULL)
    {
      /* An item without an action shows greyed out. */
      g_menu_append (self->recent_section, _("No Recent Pages"), NULL);
      return;
    }

  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autofree char *basename = g_path_get_basename (recent[i]);
      g_autofree char *label = g_filename_display_name (basename);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "win.open-recent",
                                               g_variant_new_string (recent[i]));
      g_menu_append_item (self->recent_section, item);
    }
}

static void
recent_files_changed (GSettings     *settings,
                      const char    *key,
                      LecternWindow *self)
{
  update_recent_menu (self);
}

static gboolean
update_zoom_controls_idle (gpointer user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  self->zoom_update_source = 0;
  update_zoom_controls (self);
  return G_SOURCE_REMOVE;
}

/* The zoom changes while the page view is being allocated (fit modes); relabelling the header
 * bar then would ask for a new layout in the middle of this one, so it waits for the next. */
static void
page_zoom_changed (LecternPageView *page_view,
                   GParamSpec      *pspec,
                   LecternWindow   *self)
{
  if (self->zoom_update_source == 0)
    self->zoom_update_source = g_idle_add (update_zoom_controls_idle, self);
}

static LecternApplication *
get_application (LecternWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return LECTERN_IS_APPLICATION (app) ? LECTERN_APPLICATION (app) : NULL;
}

static void
texture_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LoadRequest) request = user_data;
  LecternWindow *self = request->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = lectern_texture_load_finish (result, &error);
  LecternApplication *app;

  /* Cancelled: the window closed, or another file replaced this one (and is loading now). */
  if (texture == NULL
      && (g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    return;

  g_clear_object (&self->cancellable);
  set_loading (self, FALSE);
  app = get_application (self);

  if (texture == NULL)
    {
      lectern_window_show_error (self, error->message);
      if (app != NULL)
        lectern_application_remove_recent (app, request->file);
      return;
    }

  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  g_set_object (&self->file, request->file);
  lectern_page_view_set_texture (self->page_view, texture);
  gtk_stack_set_visible_child_name (self->stack, "page");
  update_title (self);
  update_zoom_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);

  if (app != NULL)
    lectern_application_add_recent (app, request->file);
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  LecternWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        lectern_window_open (self, file);
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
open_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GtkFileFilter) filter = NULL;

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Open Page Scan"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Page scans (PNG, JPEG, TIFF)"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/tiff");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);

  if (self->file != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->file);
      if (folder != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }
  else if (self->settings != NULL)
    {
      g_autofree char *last_folder = g_settings_get_string (self->settings, "last-folder");
      if (last_folder[0] != '\0' && g_file_test (last_folder, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GFile) folder = g_file_new_for_path (last_folder);
          gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
        }
    }

  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_recent_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (parameter, NULL));

  lectern_window_open (self, file);
}

/* The header bar's zoom controls live outside the page view, where its "page" actions cannot
 * be reached; these window actions pass them on. */
static void
zoom_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autofree char *page_action = g_strconcat ("page.", g_action_get_name (G_ACTION (action)),
                                              NULL);

  gtk_widget_activate_action (GTK_WIDGET (self->page_view), page_action, NULL);
}

static void
dismiss_error_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static const GActionEntry window_actions[] = {
  { .name = "open", .activate = open_activated },
  { .name = "open-recent", .activate = open_recent_activated, .parameter_type = "s" },
  { .name = "zoom-in", .activate = zoom_activated },
  { .name = "zoom-out", .activate = zoom_activated },
  { .name = "zoom-fit-width", .activate = zoom_activated },
  { .name = "zoom-fit-page", .activate = zoom_activated },
  { .name = "zoom-original", .activate = zoom_activated },
  { .name = "dismiss-error", .activate = dismiss_error_activated },
};

static gboolean
files_dropped (GtkDropTarget *target,
               const GValue  *value,
               double         x,
               double         y,
               LecternWindow *self)
{
  GSList *files = g_value_get_boxed (value);
  LecternApplication *app = get_application (self);

  if (files == NULL)
    return FALSE;

  lectern_window_open (self, G_FILE (files->data));

  /* Further pages open in windows of their own, as from the command line. */
  if (files->next != NULL && app != NULL)
    {
      g_autoptr(GPtrArray) rest = g_ptr_array_new ();
      for (GSList *l = files->next; l != NULL; l = l->next)
        g_ptr_array_add (rest, l->data);
      g_application_open (G_APPLICATION (app), (GFile **) rest->pdata, rest->len, "");
    }

  return TRUE;
}

static gboolean
lectern_window_close_request (GtkWindow *window)
{
  LecternWindow *self = LECTERN_WINDOW (window);

  if (self->settings != NULL)
    {
      gboolean maximized = gtk_window_is_maximized (window);
      int width, height;

      /* The default size follows the window's size while it is not maximized. */
      gtk_window_get_default_size (window, &width, &height);
      if (!maximized && width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
      g_settings_set_boolean (self->settings, "window-maximized", maximized);
    }

  return GTK_WINDOW_CLASS (lectern_window_parent_class)->close_request (window);
}

/* GtkWindow:application is not a construct property, so the settings are picked up when it
 * is set rather than in constructed(). */
static void
application_changed (LecternWindow *self,
                     GParamSpec    *pspec,
                     gpointer       user_data)
{
  LecternApplication *app = get_application (self);

  if (self->settings != NULL || app == NULL || lectern_application_get_settings (app) == NULL)
    return;

  self->settings = g_object_ref (lectern_application_get_settings (app));
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (recent_files_changed), self, 0);
  update_recent_menu (self);
}

static void
lectern_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LecternWindow *self = LECTERN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_window_dispose (GObject *object)
{
  LecternWindow *self = LECTERN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->zoom_update_source, g_source_remove);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->settings);
  g_clear_object (&self->file);

  gtk_widget_dispose_template (GTK_WIDGET (self), LECTERN_TYPE_WINDOW);

  G_OBJECT_CLASS (lectern_window_parent_class)->dispose (object);
}

static void
lectern_window_class_init (LecternWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = lectern_window_get_property;
  object_class->dispose = lectern_window_dispose;
  window_class->close_request = lectern_window_close_request;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL,
                         G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LECTERN_TYPE_PAGE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/lectern-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, page_view);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, recent_section);
}

static void
lectern_window_init (LecternWindow *self)
{
  GtkDropTarget *drop_target;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions,
                                   G_N_ELEMENTS (window_actions), self);

  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed), NULL);
  update_recent_menu (self);

  g_signal_connect_object (self->page_view, "notify::zoom",
                           G_CALLBACK (page_zoom_changed), self, 0);
  g_signal_connect_object (self->page_view, "notify::texture",
                           G_CALLBACK (page_zoom_changed), self, 0);

  drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop_target, "drop", G_CALLBACK (files_dropped), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop_target));

  update_zoom_controls (self);
}

LecternWindow *
lectern_window_new (LecternApplication *application)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (application), NULL);

  return g_object_new (LECTERN_TYPE_WINDOW, "application", application, NULL);
}

void
lectern_window_open (LecternWindow *self,
                     GFile         *file)
{
  LoadRequest *request;

  g_return_if_fail (LECTERN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  request = g_new0 (LoadRequest, 1);
  request->window = g_object_ref (self);
  request->file = g_object_ref (file);

  set_loading (self, TRUE);
  lectern_texture_load_async (file, self->cancellable, texture_loaded, request);
}

GFile *
lectern_window_get_file (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->file;
}

gboolean
lectern_window_get_loading (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), FALSE);

  return self->loading;
}

gboolean
lectern_window_is_empty (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), FALSE);

  return self->file == NULL && !self->loading;
}

const char *
lectern_window_get_error_message (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

void
lectern_window_show_error (LecternWindow *self,
                           const char    *message)
{
  g_return_if_fail (LECTERN_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

LecternPageView *
lectern_window_get_page_view (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->page_view;
}
