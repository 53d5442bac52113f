/* lectern-application.c — the Lectern GtkApplication (see lectern-application.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "lectern-application.h"
#include "lectern-widget-render.h"
#include "lectern-window.h"

/* Frames to let pass after a page is shown before `--screenshot` renders the window, so that
 * the layout and the first paint have settled. */
#define SCREENSHOT_DELAY_FRAMES 3

struct _LecternApplication
{
  GtkApplication  parent_instance;

  GSettings      *settings;
  char           *screenshot_path;
  guint           screenshot_frames;
};

G_DEFINE_FINAL_TYPE (LecternApplication, lectern_application, GTK_TYPE_APPLICATION)

static void
screenshot_after_paint (GdkFrameClock *frame_clock,
                        gpointer       user_data)
{
  LecternApplication *self = LECTERN_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_func (frame_clock, screenshot_after_paint, self);

  if (window == NULL)
    g_printerr ("lectern: %s\n", _("The window closed before its picture was taken"));
  else if (lectern_widget_save_png (GTK_WIDGET (window), self->screenshot_path, &error))
    g_print (_("Saved a picture of the window to %s\n"), self->screenshot_path);
  else
    g_printerr ("lectern: %s\n", error->message);

  g_application_quit (G_APPLICATION (self));
}

/* Counts frames in the update phase; the picture is taken after the paint of the last one,
 * when layout is done (rendering before layout finds widgets without an allocation). */
static gboolean
screenshot_tick (GtkWidget     *widget,
                 GdkFrameClock *frame_clock,
                 gpointer       user_data)
{
  LecternApplication *self = LECTERN_APPLICATION (user_data);

  if (++self->screenshot_frames < SCREENSHOT_DELAY_FRAMES)
    return G_SOURCE_CONTINUE;

  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (screenshot_after_paint), self);
  return G_SOURCE_REMOVE;
}

static void
screenshot_when_loaded (LecternWindow      *window,
                        GParamSpec         *pspec,
                        LecternApplication *self)
{
  if (lectern_window_get_loading (window))
    return;

  g_signal_handlers_disconnect_by_func (window, screenshot_when_loaded, self);
  self->screenshot_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (window), screenshot_tick, self, NULL);
}

static void
maybe_take_screenshot (LecternApplication *self,
                       LecternWindow      *window)
{
  if (self->screenshot_path == NULL)
    return;

  g_signal_connect (window, "notify::loading", G_CALLBACK (screenshot_when_loaded), self);
  screenshot_when_loaded (window, NULL, self);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing (rather than g_application_quit) lets each window save its size. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Lectern developers"), NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", _("Lectern"),
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Transcribe scanned handwritten manuscripts"),
                         "copyright", _("© 2026 The Lectern developers"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", developers,
                         /* Translators: your name and email, one translator a line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_activated },
  { .name = "about", .activate = about_activated },
};

static void
set_accels (GtkApplication *app)
{
  static const struct {
    const char *action;
    const char *accels[4];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", "<Control>KP_Add", NULL } },
    { "win.zoom-out", { "<Control>minus", "<Control>KP_Subtract", NULL } },
    { "win.zoom-fit-page", { "<Control>0", "<Control>KP_0", NULL } },
    { "win.zoom-original", { "<Control>1", "<Control>KP_1", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
lectern_application_startup (GApplication *application)
{
  LecternApplication *self = LECTERN_APPLICATION (application);
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GtkCssProvider) css = NULL;

  G_APPLICATION_CLASS (lectern_application_parent_class)->startup (application);

  g_set_application_name (_("Lectern"));
  gtk_window_set_default_icon_name (APP_ID);

  /* GtkApplication loads the help overlay and icons from the resource base path itself, but
   * not a style sheet. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (APP_ID);
  else
    g_printerr (_("lectern: the settings schema %s is not installed; window size and recent "
                  "files will not be remembered (set GSETTINGS_SCHEMA_DIR to run from a build "
                  "folder)\n"), APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  set_accels (GTK_APPLICATION (self));
}

static void
lectern_application_activate (GApplication *application)
{
  LecternApplication *self = LECTERN_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (lectern_window_new (self));

  gtk_window_present (window);
  maybe_take_screenshot (self, LECTERN_WINDOW (window));
}

static void
lectern_application_open (GApplication  *application,
                          GFile        **files,
                          int            n_files,
                          const char    *hint)
{
  LecternApplication *self = LECTERN_APPLICATION (application);

  for (int i = 0; i < n_files; i++)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
      LecternWindow *window;

      /* Use an empty window if there is one; otherwise one window per page. */
      if (active != NULL && lectern_window_is_empty (LECTERN_WINDOW (active)))
        window = LECTERN_WINDOW (active);
      else
        window = lectern_window_new (self);

      lectern_window_open (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
      if (i == 0)
        maybe_take_screenshot (self, window);
    }
}

static int
lectern_application_handle_local_options (GApplication *application,
                                          GVariantDict *options)
{
  LecternApplication *self = LECTERN_APPLICATION (application);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("lectern %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot_path))
    {
      /* A screenshot run must not hand its files to a Lectern that is already open. */
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
    }

  return -1;
}

static void
lectern_application_dispose (GObject *object)
{
  LecternApplication *self = LECTERN_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lectern_application_parent_class)->dispose (object);
}

static void
lectern_application_finalize (GObject *object)
{
  LecternApplication *self = LECTERN_APPLICATION (object);

  g_free (self->screenshot_path);

  G_OBJECT_CLASS (lectern_application_parent_class)->finalize (object);
}

static void
lectern_application_class_init (LecternApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lectern_application_dispose;
  object_class->finalize = lectern_application_finalize;

  application_class->startup = lectern_application_startup;
  application_class->activate = lectern_application_activate;
  application_class->open = lectern_application_open;
  application_class->handle_local_options = lectern_application_handle_local_options;
}

static void
lectern_application_init (LecternApplication *self)
{
  const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and exit"), NULL },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Save a picture of the window to FILE once the page is shown, then quit"),
      N_("FILE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[PAGE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Transcribe scanned handwritten manuscripts."));
}

LecternApplication *
lectern_application_new (void)
{
  return g_object_new (LECTERN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

GSettings *
lectern_application_get_settings (LecternApplication *self)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (self), NULL);

  return self->settings;
}

/* The recent list with path first (when not NULL), without duplicates, at most
 * LECTERN_RECENT_FILES_MAX entries, and without forget. */
static void
update_recent (LecternApplication *self,
               const char         *first,
               const char         *forget)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) recent = NULL;
  guint n = 0;

  if (self->settings == NULL)
    return;

  old = g_settings_get_strv (self->settings, "recent-files");
  builder = g_strv_builder_new ();
  if (first != NULL)
    {
      g_strv_builder_add (builder, first);
      n++;
    }
  for (guint i = 0; old[i] != NULL && n < LECTERN_RECENT_FILES_MAX; i++)
    {
      if (g_strcmp0 (old[i], first) == 0 || g_strcmp0 (old[i], forget) == 0)
        continue;
      g_strv_builder_add (builder, old[i]);
      n++;
    }

  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) recent);
}

void
lectern_application_add_recent (LecternApplication *self,
                                GFile              *file)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) folder = NULL;

  g_return_if_fail (LECTERN_IS_APPLICATION (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (self->settings == NULL || path == NULL)
    return;

  update_recent (self, path, NULL);

  folder = g_file_get_parent (file);
  if (folder != NULL)
    {
      g_autofree char *folder_path = g_file_get_path (folder);
      if (folder_path != NULL)
        g_settings_set_string (self->settings, "last-folder", folder_path);
    }
}

void
lectern_application_remove_recent (LecternApplication *self,
                                   GFile              *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (LECTERN_IS_APPLICATION (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path != NULL)
    update_recent (self, NULL, path);
}
