/* lectern-application.c — the Lectern GtkApplication (see lectern-application.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "lectern-application.h"
#include "lectern-drafts.h"
#include "lectern-model-store.h"
#include "lectern-widget-render.h"
#include "lectern-inspector.h"
#include "lectern-window.h"

/* Frames to let pass after a page is shown before `--screenshot` renders the window, so that
 * the layout and the first paint have settled. */
#define SCREENSHOT_DELAY_FRAMES 3

struct _LecternApplication
{
  GtkApplication           parent_instance;

  GSettings               *settings;
  char                    *screenshot_path;
  guint                    screenshot_frames;
  gboolean                 screenshot_recognize;  /* --recognize: find lines, read them first */
  int                      screenshot_select;     /* --select N: make line N current (1-based) */
  int                      screenshot_phase;      /* ScreenshotPhase */

  LecternRecognitionModel *model;
  char                    *model_error;
  guint                    model_load;       /* number of the load in progress; 0: none */
  guint                    model_loads;      /* loads started, to tell a stale one */
  gboolean                 use_lm;
  GPtrArray               *drafts;           /* LecternDraft*, not offered yet */
};

enum {
  PROP_0,
  PROP_MODEL,
  PROP_MODEL_LOADING,
  PROP_MODEL_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* What a --screenshot run waits for, in order. Each step starts when the window is neither
 * loading nor busy with a job. */
typedef enum {
  SCREENSHOT_FIND_LINES,   /* --recognize on a page without lines: Find Lines */
  SCREENSHOT_RECOGNIZE,    /* --recognize: once the model has loaded, Recognize the page */
  SCREENSHOT_SELECT,       /* say what was read; --select N: make line N current */
  SCREENSHOT_INSPECTOR,    /* wait for the inspector's activations of the current line */
} ScreenshotPhase;

static void
activate_window_action (LecternWindow *window,
                        const char    *name)
{
  g_action_group_activate_action (G_ACTION_GROUP (window), name, NULL);
}

/* One step of a --screenshot run each time the window is neither loading nor busy; TRUE when
 * the picture can be taken. */
static gboolean
screenshot_advance (LecternApplication *self,
                    LecternWindow      *window)
{
  LecternPage *page = lectern_window_get_page (window);
  guint n_lines = page != NULL ? g_list_model_get_n_items (G_LIST_MODEL (page)) : 0;

  switch ((ScreenshotPhase) self->screenshot_phase)
    {
    case SCREENSHOT_FIND_LINES:
      self->screenshot_phase = SCREENSHOT_RECOGNIZE;
      if (self->screenshot_recognize && page != NULL && n_lines == 0)
        {
          activate_window_action (window, "segment");
          return FALSE;
        }
      return screenshot_advance (self, window);

    case SCREENSHOT_RECOGNIZE:
      if (self->screenshot_recognize && self->model_load != 0)
        return FALSE;
      self->screenshot_phase = SCREENSHOT_SELECT;
      if (!self->screenshot_recognize)
        return screenshot_advance (self, window);
      if (self->model == NULL)
        g_printerr ("lectern: %s\n", self->model_error != NULL ? self->model_error
                                                               : _("No recognition model is loaded"));
      else if (n_lines > 0)
        activate_window_action (window, "recognize-page");
      return FALSE;

    case SCREENSHOT_SELECT:
      self->screenshot_phase = SCREENSHOT_INSPECTOR;
      if (self->screenshot_recognize)
        {
          guint read = 0;

          for (guint i = 0; i < n_lines; i++)
            read += lectern_page_line_get_confidence (lectern_page_get_line (page, i)) >= 0 ? 1 : 0;
          /* Translators: printed by lectern --screenshot --recognize before the picture is taken */
          g_print (_("Recognised %u of %u lines\n"), read, n_lines);
        }
      if (self->screenshot_select > 0 && (guint) self->screenshot_select <= n_lines)
        lectern_window_set_current_line (window, lectern_page_get_line (page, self->screenshot_select - 1));
      else if (self->screenshot_select > 0)
        g_printerr ("lectern: %s\n", _("--select: the page has fewer lines than that"));
      return FALSE;

    case SCREENSHOT_INSPECTOR:
    default:
      /* The inspector computes the current line's activations on a worker thread. */
      return !lectern_inspector_get_busy (lectern_window_get_inspector (window));
    }
}

static gboolean
screenshot_step (gpointer user_data)
{
  LecternApplication *self = LECTERN_APPLICATION (user_data);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
  LecternWindow *window = LECTERN_IS_WINDOW (active) ? LECTERN_WINDOW (active) : NULL;

  if (window == NULL || lectern_window_get_loading (window) || lectern_window_get_busy (window)
      || !screenshot_advance (self, window))
    return G_SOURCE_CONTINUE;

  self->screenshot_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (window), screenshot_tick, self, NULL);
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
  self->screenshot_phase = SCREENSHOT_FIND_LINES;
  /* Jobs report their end through the main loop; looking ten times a second is plenty. */
  g_timeout_add (100, screenshot_step, self);
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
    { "win.save", { "<Control>s", NULL } },
    { "win.segment", { "<Control>l", NULL } },
    { "win.recognize-page", { "<Control>r", NULL } },
    { "win.recognize-selection", { "<Control><Shift>r", NULL } },
    { "win.recognize-all", { "<Control><Alt>r", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
    { "win.move-line-up", { "<Alt>Up", NULL } },
    { "win.move-line-down", { "<Alt>Down", NULL } },
    { "win.draw-mode", { "<Control>d", NULL } },
    { "win.edit-line", { "<Control>e", NULL } },
    { "win.show-inspector", { "F9", NULL } },
    { "win.previous-page", { "<Control>Page_Up", NULL } },
    { "win.next-page", { "<Control>Page_Down", NULL } },
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

  /* GLib allows setting it once per process (a second application object starts in tests). */
  if (g_strcmp0 (g_get_application_name (), _("Lectern")) != 0)
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

  /* Work a crash left unsaved, found before any window writes drafts of its own. */
  self->drafts = lectern_drafts_list ();

  if (self->settings != NULL)
    {
      /* The default model chosen in the model manager; the shipped one when it is gone. */
      g_autofree char *model_path = lectern_model_store_get_default (self->settings);
      self->use_lm = g_settings_get_boolean (self->settings, "use-language-model");
      lectern_application_load_model (self, model_path);
    }
  else
    lectern_application_load_model (self, NULL);
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

  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
  LecternWindow *window;

  if (n_files == 0)
    return;

  /* The pages join the active window's project; the first one is shown. */
  window = active != NULL ? LECTERN_WINDOW (active) : lectern_window_new (self);
  lectern_window_open_files (window, files, n_files);
  gtk_window_present (GTK_WINDOW (window));
  maybe_take_screenshot (self, window);
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
      self->screenshot_recognize = g_variant_dict_contains (options, "recognize");
      g_variant_dict_lookup (options, "select", "i", &self->screenshot_select);
    }
  else if (g_variant_dict_contains (options, "recognize") || g_variant_dict_contains (options, "select"))
    {
      g_printerr ("lectern: %s\n", _("--recognize and --select go with --screenshot"));
      return 2;
    }

  return -1;
}

static void
lectern_application_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LecternApplication *self = LECTERN_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_MODEL_LOADING:
      g_value_set_boolean (value, self->model_load != 0);
      break;
    case PROP_MODEL_ERROR:
      g_value_set_string (value, self->model_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_application_dispose (GObject *object)
{
  LecternApplication *self = LECTERN_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->model);
  g_clear_pointer (&self->drafts, g_ptr_array_unref);

  G_OBJECT_CLASS (lectern_application_parent_class)->dispose (object);
}

static void
lectern_application_finalize (GObject *object)
{
  LecternApplication *self = LECTERN_APPLICATION (object);

  g_free (self->screenshot_path);
  g_free (self->model_error);

  G_OBJECT_CLASS (lectern_application_parent_class)->finalize (object);
}

static void
lectern_application_class_init (LecternApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = lectern_application_get_property;
  object_class->dispose = lectern_application_dispose;
  object_class->finalize = lectern_application_finalize;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, LECTERN_TYPE_RECOGNITION_MODEL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_LOADING] =
    g_param_spec_boolean ("model-loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_ERROR] =
    g_param_spec_string ("model-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  application_class->startup = lectern_application_startup;
  application_class->activate = lectern_application_activate;
  application_class->open = lectern_application_open;
  application_class->handle_local_options = lectern_application_handle_local_options;
}

static void
lectern_application_init (LecternApplication *self)
{
  self->use_lm = TRUE;

  const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and exit"), NULL },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Save a picture of the window to FILE once the page is shown, then quit"),
      N_("FILE") },
    { "recognize", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("With --screenshot: find the lines if there are none and recognise the page first"), NULL },
    { "select", 0, 0, G_OPTION_ARG_INT, NULL,
      N_("With --screenshot: make line N the current one (its heat maps in the inspector)"),
      N_("N") },
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

LecternRecognitionModel *
lectern_application_get_model (LecternApplication *self)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (self), NULL);

  return self->model;
}

gboolean
lectern_application_get_model_loading (LecternApplication *self)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (self), FALSE);

  return self->model_load != 0;
}

const char *
lectern_application_get_model_error (LecternApplication *self)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (self), NULL);

  return self->model_error;
}

static void
set_model_error (LecternApplication *self,
                 const char         *message)
{
  if (g_strcmp0 (message, self->model_error) == 0)
    return;
  g_free (self->model_error);
  self->model_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_ERROR]);
}

typedef struct {
  LecternApplication *app;
  guint               load;
} ModelLoad;

static void
model_loaded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ModelLoad *load = user_data;
  LecternApplication *self = load->app;
  g_autoptr(LecternRecognitionModel) model = NULL;
  g_autoptr(GError) error = NULL;

  model = lectern_recognition_model_load_finish (result, &error);

  /* A newer load, or a model set meanwhile, wins. */
  if (load->load == self->model_load)
    {
      self->model_load = 0;
      if (model != NULL)
        {
          g_set_object (&self->model, model);
          set_model_error (self, NULL);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
        }
      else
        set_model_error (self, error->message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_LOADING]);
    }

  g_object_unref (load->app);
  g_free (load);
}

static void
start_model_load (LecternApplication *self,
                  const char         *path)
{
  ModelLoad *load = g_new0 (ModelLoad, 1);
  gboolean was_loading = self->model_load != 0;

  load->app = g_object_ref (self);
  load->load = self->model_load = ++self->model_loads;
  lectern_recognition_model_load_async (path, self->use_lm, NULL, model_loaded, load);
  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_LOADING]);
}

void
lectern_application_load_model (LecternApplication *self,
                                const char         *path)
{
  g_return_if_fail (LECTERN_IS_APPLICATION (self));

  if (self->settings != NULL)
    g_settings_set_string (self->settings, "model-path", path != NULL ? path : "");
  start_model_load (self, path);
}

void
lectern_application_set_model (LecternApplication      *self,
                               LecternRecognitionModel *model)
{
  gboolean was_loading;

  g_return_if_fail (LECTERN_IS_APPLICATION (self));
  g_return_if_fail (model == NULL || LECTERN_IS_RECOGNITION_MODEL (model));

  was_loading = self->model_load != 0;
  self->model_load = 0;
  g_set_object (&self->model, model);
  set_model_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
  if (was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_LOADING]);
}

gboolean
lectern_application_get_use_lm (LecternApplication *self)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (self), FALSE);

  return self->use_lm;
}

void
lectern_application_set_use_lm (LecternApplication *self,
                                gboolean            use_lm)
{
  g_return_if_fail (LECTERN_IS_APPLICATION (self));

  if (use_lm == self->use_lm)
    return;
  self->use_lm = use_lm;
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "use-language-model", use_lm);

  /* The language model is set up when the model loads: load the same model again. */
  if (self->model != NULL || self->model_load != 0)
    start_model_load (self, self->model != NULL
                            ? lectern_recognition_model_get_path (self->model) : NULL);
}

GPtrArray *
lectern_application_take_drafts (LecternApplication *self)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (self), NULL);

  return g_steal_pointer (&self->drafts);
}
