/* lectern-window.c — the main window (see lectern-window.h). */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "error.h"
#include "lectern-drafts.h"
#include "lectern-finetune-dialog.h"
#include "lectern-line-strips.h"
#include "lectern-model-manager.h"
#include "lectern-page-row.h"
#include "lectern-recognition-job-private.h"
#include "lectern-window-private.h"

struct _LecternWindow
{
  GtkApplicationWindow      parent_instance;

  /* template children */
  GtkLabel                 *title_label;
  GtkLabel                 *subtitle_label;
  GtkSpinner               *spinner;
  GtkMenuButton            *zoom_button;
  GtkMenuButton            *model_button;
  GtkBox                   *progress_box;
  GtkProgressBar           *progress_bar;
  GtkRevealer              *error_revealer;
  GtkLabel                 *error_label;
  GtkRevealer              *drafts_revealer;
  GtkLabel                 *drafts_label;
  GtkRevealer              *notice_revealer;
  GtkLabel                 *notice_label;
  GtkWidget                *notice_model_button;
  GtkStack                 *stack;
  GtkListView              *pages_view;
  GtkWidget                *pages_scrolled_window;
  LecternPageView          *page_view;
  LecternLineList          *line_list;
  LecternInspector         *inspector;
  GtkLabel                 *page_status_label;
  GMenu                    *recent_section;

  GSettings                *settings;        /* the application's, NULL without the schema */
  LecternApplication       *app;             /* not owned: it owns the window */
  GtkFileChooserNative     *chooser;
  GtkFileChooserNative     *export_chooser;
  LecternFormat             export_format;
  GtkFileChooserNative     *model_chooser;
  GtkWidget                *close_dialog;
  GtkWindow                *finetune_dialog;  /* weak */
  GtkWindow                *model_manager;    /* weak */

  LecternProject           *project;
  GtkSingleSelection       *page_selection;
  LecternPage              *page;            /* shown */
  GtkMultiSelection        *selection;       /* over the shown page's lines */
  LecternLineStrips        *strips;
  LecternLineLayer         *line_layer;
  LecternPageLine          *current_line;

  GCancellable             *load_cancellable;
  LecternPage              *loading_page;
  GCancellable             *job_cancellable;
  LecternRecognitionJob    *job;
  gboolean                  segmenting;
  LecternRecognizeLineFunc  recognize_func;

  /* Recognize All Pages: the pages still to do, in the project's order; the page it started
   * from (shown again at the end); the lines and pages read so far */
  gboolean                  batch;
  GQueue                    batch_pages;
  LecternPage              *batch_start_page;
  gboolean                  batch_segmented;  /* the head page's lines were looked for */
  guint                     batch_lines;
  guint                     batch_pages_done;
  guint                     batch_total;      /* pages at the start */
  guint                     batch_source;

  GPtrArray                *drafts;          /* LecternDraft*, offered in the banner */
  gboolean                  model_notice_shown;
  guint                     zoom_update_source;
  guint                     saves_pending;
  gboolean                  close_after_save;
  gboolean                  closing;
  gboolean                  updating_page_selection;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_LOADING,
  PROP_BUSY,
  PROP_PAGE,
  PROP_CURRENT_LINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LecternWindow, lectern_window, GTK_TYPE_APPLICATION_WINDOW)

static void update_actions (LecternWindow *self);
static void batch_continue_later (LecternWindow *self);
static void batch_finish (LecternWindow *self,
                          gboolean       completed);
static void request_page   (LecternWindow *self,
                            LecternPage   *page);

/* ---- small helpers ---------------------------------------------------------------------------- */

static void
set_action_enabled (LecternWindow *self,
                    const char    *name,
                    gboolean       enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static gboolean
page_ready (LecternWindow *self)
{
  return self->page != NULL && lectern_page_get_loaded (self->page)
         && lectern_page_get_texture (self->page) != NULL;
}

static void
show_notice (LecternWindow *self,
             const char    *message,
             gboolean       offer_model)
{
  gtk_label_set_label (self->notice_label, message);
  gtk_widget_set_visible (self->notice_model_button, offer_model);
  gtk_revealer_set_reveal_child (self->notice_revealer, TRUE);
}

static GPtrArray *
selected_lines (LecternWindow *self)
{
  GPtrArray *lines = g_ptr_array_new ();
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  if (self->selection == NULL)
    return lines;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      LecternPageLine *line = lectern_page_get_line (self->page, position);
      if (line != NULL)
        g_ptr_array_add (lines, line);
    }
  return lines;
}

/* ---- title, status, actions ------------------------------------------------------------------- */

static void
update_title (LecternWindow *self)
{
  GdkTexture *texture = self->page != NULL ? lectern_page_get_texture (self->page) : NULL;
  g_autofree char *window_title = NULL;
  g_autoptr(GString) subtitle = NULL;
  const char *name;
  guint n_lines;

  if (self->page == NULL || texture == NULL)
    {
      gtk_label_set_label (self->title_label, _("Lectern"));
      gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), FALSE);
      gtk_window_set_title (GTK_WINDOW (self), _("Lectern"));
      return;
    }

  name = lectern_page_get_title (self->page);
  /* Translators: the window title; %s is the file name of the page scan. */
  window_title = g_strdup_printf (_("%s — Lectern"), name);

  /* what matters most first: a narrow title bar cuts the end off */
  subtitle = g_string_new (NULL);
  if (lectern_page_get_modified (self->page))
    {
      g_string_append (subtitle, _("Unsaved changes"));
      g_string_append (subtitle, " · ");
    }
  n_lines = g_list_model_get_n_items (G_LIST_MODEL (self->page));
  g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, "%u line", "%u lines", n_lines),
                          n_lines);
  g_string_append (subtitle, " · ");
  /* Translators: the size of the page scan under its name, width × height. */
  g_string_append_printf (subtitle, _("%d × %d pixels"),
                          gdk_texture_get_width (texture), gdk_texture_get_height (texture));

  gtk_label_set_label (self->title_label, name);
  gtk_label_set_label (self->subtitle_label, subtitle->str);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), TRUE);
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

static void
update_page_status (LecternWindow *self)
{
  g_autofree char *status = NULL;
  g_autoptr(GPtrArray) selected = selected_lines (self);
  guint n_lines = self->page != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->page)) : 0;

  if (selected->len > 1)
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line selected",
                                           "%u lines selected", selected->len), selected->len);
  else if (self->current_line != NULL && lectern_page_line_get_number (self->current_line) > 0)
    /* Translators: where the current line is in the reading order, e.g. "Line 3 of 24". */
    status = g_strdup_printf (_("Line %u of %u"), lectern_page_line_get_number (self->current_line),
                              n_lines);
  gtk_label_set_label (self->page_status_label, status != NULL ? status : "");
}

static void
update_zoom_controls (LecternWindow *self)
{
  GdkTexture *texture = lectern_page_view_get_texture (self->page_view);
  int percent = (int) round (lectern_page_view_get_zoom (self->page_view) * 100);
  g_autofree char *label = NULL;

  set_action_enabled (self, "zoom-in", lectern_page_view_can_zoom_in (self->page_view));
  set_action_enabled (self, "zoom-out", lectern_page_view_can_zoom_out (self->page_view));
  set_action_enabled (self, "zoom-fit-width", texture != NULL);
  set_action_enabled (self, "zoom-fit-page", texture != NULL);
  set_action_enabled (self, "zoom-original", texture != NULL);

  /* Translators: the zoom level in the header bar, e.g. "71%". */
  label = g_strdup_printf (_("%d%%"), percent);
  gtk_menu_button_set_label (self->zoom_button, label);
  gtk_widget_set_sensitive (GTK_WIDGET (self->zoom_button), texture != NULL);
}

/* Finding lines, recognising, or going through the pages to recognise them all. */
static gboolean
is_busy (LecternWindow *self)
{
  return self->job != NULL || self->segmenting || self->batch;
}

static void
update_actions (LecternWindow *self)
{
  gboolean ready = page_ready (self);
  gboolean busy = is_busy (self);
  LecternUndoStack *undo = self->page != NULL ? lectern_page_get_undo_stack (self->page) : NULL;
  g_autoptr(GPtrArray) selected = selected_lines (self);
  guint n_lines = self->page != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->page)) : 0;
  guint current = self->current_line != NULL && self->page != NULL
                  ? lectern_page_find_line (self->page, self->current_line) : G_MAXUINT;
  guint n_pages = lectern_project_get_n_pages (self->project);
  guint page_position = lectern_project_find_page (self->project, self->page);

  set_action_enabled (self, "save", lectern_project_get_modified (self->project));
  set_action_enabled (self, "export", ready);
  set_action_enabled (self, "segment", ready && !busy);
  set_action_enabled (self, "recognize-page", ready && !busy && n_lines > 0);
  set_action_enabled (self, "recognize-all", ready && !busy);
  set_action_enabled (self, "recognize-selection", ready && !busy && selected->len > 0);
  set_action_enabled (self, "recognize-line", ready && !busy && current != G_MAXUINT);
  set_action_enabled (self, "cancel", busy);
  set_action_enabled (self, "undo", ready && !self->segmenting
                                    && lectern_undo_stack_can_undo (undo));
  set_action_enabled (self, "redo", ready && !self->segmenting
                                    && lectern_undo_stack_can_redo (undo));
  set_action_enabled (self, "delete-lines", ready && !self->segmenting
                                            && (selected->len > 0 || current != G_MAXUINT));
  set_action_enabled (self, "move-line-up", ready && current != G_MAXUINT && current > 0);
  set_action_enabled (self, "move-line-down", ready && current != G_MAXUINT
                                              && current + 1 < n_lines);
  set_action_enabled (self, "draw-mode", ready);
  set_action_enabled (self, "edit-line", ready && n_lines > 0);
  set_action_enabled (self, "previous-page", page_position != G_MAXUINT && page_position > 0);
  set_action_enabled (self, "next-page", page_position != G_MAXUINT
                                         && page_position + 1 < n_pages);

  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), busy);
  gtk_widget_set_visible (self->pages_scrolled_window, n_pages > 1);
  update_page_status (self);
}

static void
update_model_button (LecternWindow *self)
{
  LecternRecognitionModel *model = self->app != NULL ? lectern_application_get_model (self->app)
                                                     : NULL;
  const char *error = self->app != NULL ? lectern_application_get_model_error (self->app) : NULL;
  gboolean loading = self->app != NULL && lectern_application_get_model_loading (self->app);
  g_autofree char *tooltip = NULL;

  if (model != NULL)
    {
      gtk_menu_button_set_label (self->model_button, lectern_recognition_model_get_name (model));
      /* Translators: tooltip of the model button; %s is the model's file or "the default model". */
      tooltip = g_strdup_printf (_("Recognition model: %s%s"),
                                 lectern_recognition_model_get_path (model) != NULL
                                 ? lectern_recognition_model_get_path (model)
                                 : _("the default model"),
                                 lectern_recognition_model_has_lm (model)
                                 ? _(", with the language model") : "");
    }
  else if (loading)
    gtk_menu_button_set_label (self->model_button, _("Loading Model…"));
  else
    {
      gtk_menu_button_set_label (self->model_button, _("No Model"));
      tooltip = g_strdup (error);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_button), tooltip);
  lectern_inspector_set_model (self->inspector, model);

  if (self->app != NULL)
    {
      GAction *use_lm = g_action_map_lookup_action (G_ACTION_MAP (self), "use-language-model");
      g_simple_action_set_state (G_SIMPLE_ACTION (use_lm),
                                 g_variant_new_boolean (lectern_application_get_use_lm (self->app)));
    }
}

/* No model at all: say so once, with the way out, when there is a page to recognise. */
static void
maybe_show_model_notice (LecternWindow *self)
{
  const char *error;

  if (self->model_notice_shown || self->app == NULL || self->page == NULL
      || lectern_application_get_model (self->app) != NULL
      || lectern_application_get_model_loading (self->app))
    return;
  error = lectern_application_get_model_error (self->app);
  if (error == NULL)
    return;

  self->model_notice_shown = TRUE;
  {
    /* Translators: %s says why no model could be loaded. */
    g_autofree char *message = g_strdup_printf (_("No recognition model is loaded, so pages "
                                                  "cannot be recognized yet. %s"), error);
    show_notice (self, message, TRUE);
  }
}

static void
model_changed (LecternApplication *app,
               GParamSpec         *pspec,
               LecternWindow      *self)
{
  update_model_button (self);
  if (lectern_application_get_model (app) != NULL)
    {
      /* The notice about a missing model is moot now. */
      if (gtk_widget_get_visible (self->notice_model_button))
        gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
    }
  else
    maybe_show_model_notice (self);
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
  /* Before the next frame (the frame clock runs at a higher priority than plain idles). */
  if (self->zoom_update_source == 0)
    self->zoom_update_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_zoom_controls_idle,
                                                self, NULL);
}

static LecternApplication *
get_application (LecternWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return LECTERN_IS_APPLICATION (app) ? LECTERN_APPLICATION (app) : NULL;
}

/* ---- the current line ------------------------------------------------------------------------- */

void
lectern_window_set_current_line (LecternWindow   *self,
                                 LecternPageLine *line)
{
  g_return_if_fail (LECTERN_IS_WINDOW (self));
  g_return_if_fail (line == NULL || LECTERN_IS_PAGE_LINE (line));

  if (!g_set_object (&self->current_line, line))
    return;

  lectern_line_layer_set_current (self->line_layer, line);
  lectern_line_layer_set_highlight (self->line_layer, NULL, 0, -1);
  lectern_inspector_set_line (self->inspector, self->page, line);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_LINE]);
}

static void
line_activated_on_page (LecternLineLayer *layer,
                        LecternPageLine  *line,
                        GdkModifierType   state,
                        LecternWindow    *self)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (self->selection);
  guint position;

  if (line == NULL)
    {
      gtk_selection_model_unselect_all (selection);
      lectern_window_set_current_line (self, NULL);
      return;
    }

  position = lectern_page_find_line (self->page, line);
  if (position == G_MAXUINT)
    return;

  if (state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK))
    {
      if (gtk_selection_model_is_selected (selection, position))
        gtk_selection_model_unselect_item (selection, position);
      else
        gtk_selection_model_select_item (selection, position, FALSE);
    }
  else
    gtk_selection_model_select_item (selection, position, TRUE);

  lectern_window_set_current_line (self, line);
  lectern_line_list_show_line (self->line_list, position);
}

static void
line_focused_in_list (LecternLineList *list,
                      LecternPageLine *line,
                      LecternWindow   *self)
{
  lectern_window_set_current_line (self, line);
}

static void
character_selected (LecternLineList *list,
                    LecternPageLine *line,
                    int              index,
                    LecternWindow   *self)
{
  const LecternLine *data = lectern_page_line_get_line (line);

  if (data != NULL && index >= 0 && (guint) index < data->char_spans->len)
    {
      const LecternPoint *span = &g_array_index (data->char_spans, LecternPoint, index);
      lectern_line_layer_set_highlight (self->line_layer, line, span->x, span->y);
    }
  else
    lectern_line_layer_set_highlight (self->line_layer, NULL, 0, -1);
}

static void
selection_changed (GtkSelectionModel *selection,
                   guint              position,
                   guint              n_items,
                   LecternWindow     *self)
{
  update_actions (self);
}

/* ---- showing pages ---------------------------------------------------------------------------- */

static void
page_state_changed (LecternWindow *self)
{
  /* A line that undo took away is no longer the one being worked on. */
  if (self->current_line != NULL && self->page != NULL
      && lectern_page_find_line (self->page, self->current_line) == G_MAXUINT)
    lectern_window_set_current_line (self, NULL);
  update_title (self);
  update_actions (self);
}

static void
disconnect_page (LecternWindow *self)
{
  if (self->page == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->page, self);
  g_signal_handlers_disconnect_by_data (lectern_page_get_undo_stack (self->page), self);
}

static void
select_page_in_list (LecternWindow *self,
                     LecternPage   *page)
{
  guint position = lectern_project_find_page (self->project, page);

  self->updating_page_selection = TRUE;
  gtk_single_selection_set_selected (self->page_selection,
                                     position != G_MAXUINT ? position
                                                           : GTK_INVALID_LIST_POSITION);
  self->updating_page_selection = FALSE;
}

void
lectern_window_show_page (LecternWindow *self,
                          LecternPage   *page)
{
  LecternPage *old;

  g_return_if_fail (LECTERN_IS_WINDOW (self));
  g_return_if_fail (page == NULL || LECTERN_IS_PAGE (page));

  if (page == self->page)
    {
      select_page_in_list (self, page);
      return;
    }

  lectern_line_list_commit (self->line_list);
  disconnect_page (self);
  old = self->page != NULL ? g_object_ref (self->page) : NULL;

  g_clear_object (&self->current_line);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->strips);
  g_set_object (&self->page, page);

  if (page != NULL)
    {
      LecternUndoStack *undo = lectern_page_get_undo_stack (page);

      self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (page)));
      g_signal_connect (self->selection, "selection-changed", G_CALLBACK (selection_changed), self);
      self->strips = lectern_line_strips_new (page);
      g_signal_connect_swapped (page, "changed", G_CALLBACK (page_state_changed), self);
      g_signal_connect_swapped (page, "notify::modified", G_CALLBACK (page_state_changed), self);
      g_signal_connect_swapped (page, "notify::n-lines", G_CALLBACK (page_state_changed), self);
      g_signal_connect_swapped (undo, "notify::can-undo", G_CALLBACK (update_actions), self);
      g_signal_connect_swapped (undo, "notify::can-redo", G_CALLBACK (update_actions), self);
      lectern_page_view_set_texture (self->page_view, lectern_page_get_texture (page));
      gtk_stack_set_visible_child_name (self->stack, "page");
    }
  else
    {
      lectern_page_view_set_texture (self->page_view, NULL);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }

  lectern_line_layer_set_page (self->line_layer, page);
  lectern_line_layer_set_selection (self->line_layer, GTK_SELECTION_MODEL (self->selection));
  lectern_line_layer_set_current (self->line_layer, NULL);
  lectern_line_list_set_page (self->line_list, page, GTK_SELECTION_MODEL (self->selection),
                              self->strips);
  lectern_inspector_set_line (self->inspector, page, NULL);

  /* Pages not shown keep their transcription but not their ~100 MB of pixels. */
  if (old != NULL)
    lectern_page_release_images (old);
  g_clear_object (&old);

  select_page_in_list (self, page);
  update_title (self);
  update_zoom_controls (self);
  update_actions (self);
  maybe_show_model_notice (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_LINE]);
}

static void
set_loading_page (LecternWindow *self,
                  LecternPage   *page)
{
  gboolean was_loading = self->loading_page != NULL;

  g_set_object (&self->loading_page, page);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), page != NULL);
  gtk_spinner_set_spinning (self->spinner, page != NULL);
  if (was_loading != (page != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

typedef struct {
  LecternWindow *window;
  LecternPage   *page;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_object_unref (request->window);
  g_object_unref (request->page);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadRequest, load_request_free)

static void
page_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LoadRequest) request = user_data;
  LecternWindow *self = request->window;
  LecternPage *page = request->page;
  g_autoptr(GError) error = NULL;
  gboolean loaded = lectern_page_load_finish (page, result, &error);
  LecternApplication *app = get_application (self);

  /* Cancelled: the window closed, or another page is loading instead. */
  if (!loaded && (g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)
                  || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    return;
  if (page != self->loading_page)
    return;

  g_clear_object (&self->load_cancellable);
  set_loading_page (self, NULL);

  if (!loaded)
    {
      lectern_window_show_error (self, error->message);
      /* Recognize All Pages goes on without it */
      if (self->batch && g_queue_peek_head (&self->batch_pages) == page)
        {
          g_object_unref (g_queue_pop_head (&self->batch_pages));
          self->batch_segmented = FALSE;
          batch_continue_later (self);
        }
      if (app != NULL)
        lectern_application_remove_recent (app, lectern_page_get_file (page));
      /* A page that never opened leaves the project; the page shown before stays. */
      if (!lectern_page_get_loaded (page))
        lectern_project_remove_page (self->project, page);
      select_page_in_list (self, self->page);
      update_actions (self);
      return;
    }

  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  lectern_window_show_page (self, page);
  if (app != NULL)
    lectern_application_add_recent (app, lectern_page_get_file (page));
  if (self->batch)
    batch_continue_later (self);
}

/* Shows page, reading it first when its images are not in memory. */
static void
request_page (LecternWindow *self,
              LecternPage   *page)
{
  LoadRequest *request;

  if (lectern_page_get_loaded (page) && lectern_page_get_texture (page) != NULL)
    {
      g_cancellable_cancel (self->load_cancellable);
      g_clear_object (&self->load_cancellable);
      set_loading_page (self, NULL);
      lectern_window_show_page (self, page);
      return;
    }
  if (page == self->loading_page)
    return;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  request = g_new0 (LoadRequest, 1);
  request->window = g_object_ref (self);
  request->page = g_object_ref (page);
  set_loading_page (self, page);
  lectern_page_load_async (page, TRUE, self->load_cancellable, page_loaded, request);
}

static void
page_chosen_in_list (GtkSingleSelection *selection,
                     GParamSpec         *pspec,
                     LecternWindow      *self)
{
  LecternPage *page = gtk_single_selection_get_selected_item (selection);

  if (self->updating_page_selection || page == NULL || page == self->page)
    return;
  request_page (self, page);
}

static void
page_row_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  gtk_list_item_set_child (item, lectern_page_row_new ());
}

static void
page_row_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  lectern_page_row_bind (LECTERN_PAGE_ROW (gtk_list_item_get_child (item)),
                         gtk_list_item_get_item (item));
}

static void
page_row_unbind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  lectern_page_row_bind (LECTERN_PAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

/* ---- opening ---------------------------------------------------------------------------------- */

void
lectern_window_open_files (LecternWindow  *self,
                           GFile         **files,
                           int             n_files)
{
  LecternPage *first = NULL;

  g_return_if_fail (LECTERN_IS_WINDOW (self));

  for (int i = 0; i < n_files; i++)
    {
      LecternPage *page = lectern_project_add_file (self->project, files[i], NULL);
      if (first == NULL)
        first = page;
    }
  if (first != NULL)
    request_page (self, first);
  update_actions (self);
}

void
lectern_window_open (LecternWindow *self,
                     GFile         *file)
{
  g_return_if_fail (LECTERN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  lectern_window_open_files (self, &file, 1);
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  LecternWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      lectern_window_open_files (self, (GFile **) array->pdata, (int) array->len);
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
  g_autoptr(GtkFileFilter) pages = NULL;
  g_autoptr(GtkFileFilter) scans = NULL;
  g_autoptr(GtkFileFilter) transcriptions = NULL;
  GFile *current = lectern_window_get_file (self);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Open Pages"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);

  pages = gtk_file_filter_new ();
  gtk_file_filter_set_name (pages, _("Page scans and transcriptions"));
  scans = gtk_file_filter_new ();
  gtk_file_filter_set_name (scans, _("Page scans (PNG, JPEG, TIFF)"));
  transcriptions = gtk_file_filter_new ();
  gtk_file_filter_set_name (transcriptions, _("PAGE XML and ALTO files"));
  for (guint i = 0; i < 3; i++)
    {
      static const char * const image_types[] = { "image/png", "image/jpeg", "image/tiff" };
      gtk_file_filter_add_mime_type (pages, image_types[i]);
      gtk_file_filter_add_mime_type (scans, image_types[i]);
    }
  gtk_file_filter_add_suffix (pages, "xml");
  gtk_file_filter_add_suffix (transcriptions, "xml");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), pages);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), scans);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), transcriptions);

  if (current != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (current);
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

static void
step_page (LecternWindow *self,
           int            delta)
{
  guint position = lectern_project_find_page (self->project, self->page);
  gint64 target;

  if (position == G_MAXUINT)
    return;
  target = (gint64) position + delta;
  if (target < 0 || target >= lectern_project_get_n_pages (self->project))
    return;
  request_page (self, lectern_project_get_page (self->project, (guint) target));
}

static void
previous_page_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  step_page (LECTERN_WINDOW (user_data), -1);
}

static void
next_page_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  step_page (LECTERN_WINDOW (user_data), 1);
}

static gboolean
files_dropped (GtkDropTarget *target,
               const GValue  *value,
               double         x,
               double         y,
               LecternWindow *self)
{
  GSList *files = g_value_get_boxed (value);
  g_autoptr(GPtrArray) array = g_ptr_array_new ();

  if (files == NULL)
    return FALSE;

  for (GSList *l = files; l != NULL; l = l->next)
    g_ptr_array_add (array, l->data);
  lectern_window_open_files (self, (GFile **) array->pdata, (int) array->len);
  return TRUE;
}

/* ---- zoom ------------------------------------------------------------------------------------- */

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

/* ---- finding lines ---------------------------------------------------------------------------- */

static void
set_progress (LecternWindow *self,
              double         fraction,
              const char    *text)
{
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
segment_progress (double   fraction,
                  gpointer user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  set_progress (self, fraction, _("Finding lines…"));
}

static void
segmented (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LecternWindow) self = user_data;
  LecternPage *page = LECTERN_PAGE (source);
  g_autoptr(GError) error = NULL;

  self->segmenting = FALSE;
  g_clear_object (&self->job_cancellable);
  if (!lectern_page_segment_finish (page, result, &error))
    {
      if (!g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lectern_window_show_error (self, error->message);
    }
  else if (page == self->page)
    {
      lectern_window_set_current_line (self, NULL);
      gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
    }
  if (self->batch)
    {
      if (error != NULL)
        batch_finish (self, FALSE);
      else
        batch_continue_later (self);
    }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
segment_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  if (!page_ready (self) || self->job != NULL || self->segmenting)
    return;

  lectern_line_list_commit (self->line_list);
  self->segmenting = TRUE;
  self->job_cancellable = g_cancellable_new ();
  set_progress (self, 0, _("Finding lines…"));
  lectern_page_segment_async (self->page, segment_progress, self, self->job_cancellable,
                              segmented, g_object_ref (self));
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* ---- recognition ------------------------------------------------------------------------------ */

static void
job_progress (LecternRecognitionJob *job,
              GParamSpec            *pspec,
              LecternWindow         *self)
{
  g_autofree char *text = NULL;
  guint n = lectern_recognition_job_get_n_lines (job);

  /* Translators: recognition progress in the header bar, e.g. "12 of 40 lines". */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u line", "%u of %u lines", n),
                          lectern_recognition_job_get_n_done (job), n);
  if (self->batch)
    {
      /* the page being read is off the list of those to do */
      guint page = self->batch_total - g_queue_get_length (&self->batch_pages);
      g_autofree char *lines = g_steal_pointer (&text);

      /* Translators: Recognize All Pages' progress: "page 2 of 5 · 12 of 40 lines" */
      text = g_strdup_printf (_("page %u of %u · %s"), page, self->batch_total, lines);
    }
  set_progress (self, lectern_recognition_job_get_fraction (job), text);
}

static void
recognized (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LecternWindow) self = user_data;
  LecternRecognitionJob *job = LECTERN_RECOGNITION_JOB (source);
  g_autoptr(GError) error = NULL;

  if (!lectern_recognition_job_run_finish (job, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = NULL;
          guint n = lectern_recognition_job_get_n_lines (job);
          /* Translators: after Cancel: how many lines got their new text. */
          message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "Recognition stopped: %u of %u line was read.",
                                                  "Recognition stopped: %u of %u lines were read.",
                                                  n),
                                     lectern_recognition_job_get_n_done (job), n);
          show_notice (self, message, FALSE);
        }
      else
        lectern_window_show_error (self, error->message);
    }

  if (self->job == job)
    {
      g_signal_handlers_disconnect_by_data (job, self);
      g_clear_object (&self->job);
      g_clear_object (&self->job_cancellable);
    }
  if (self->batch)
    {
      if (error != NULL)
        batch_finish (self, FALSE);
      else
        batch_continue_later (self);
    }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
start_recognition (LecternWindow *self,
                   GPtrArray     *lines)
{
  LecternRecognitionModel *model = self->app != NULL ? lectern_application_get_model (self->app)
                                                     : NULL;

  if (!page_ready (self) || self->job != NULL || self->segmenting)
    return;

  if (model == NULL)
    {
      const char *error = self->app != NULL ? lectern_application_get_model_error (self->app)
                                            : NULL;
      g_autofree char *message = NULL;

      if (self->app != NULL && lectern_application_get_model_loading (self->app))
        message = g_strdup (_("The recognition model is still loading; try again in a moment."));
      else
        /* Translators: %s says why no model could be loaded. */
        message = g_strdup_printf (_("No recognition model is loaded. %s"),
                                   error != NULL ? error : "");
      show_notice (self, message, TRUE);
      return;
    }
  if (lines->len == 0)
    {
      show_notice (self, _("Nothing to recognize: every line of this page was corrected by hand. "
                           "Select lines to read them again."), FALSE);
      return;
    }

  lectern_line_list_commit (self->line_list);
  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);

  self->job = lectern_recognition_job_new (self->page, model,
                                           (LecternPageLine **) lines->pdata, lines->len);
  if (self->recognize_func != NULL)
    _lectern_recognition_job_set_recognize_func (self->job, self->recognize_func);
  self->job_cancellable = g_cancellable_new ();
  g_signal_connect (self->job, "notify::n-done", G_CALLBACK (job_progress), self);
  job_progress (self->job, NULL, self);
  lectern_recognition_job_run_async (self->job, self->job_cancellable, recognized,
                                     g_object_ref (self));
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
recognize_page_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  guint n;

  if (self->page == NULL)
    return;
  /* Lines a person corrected keep their text. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->page));
  for (guint i = 0; i < n; i++)
    {
      LecternPageLine *line = lectern_page_get_line (self->page, i);
      if (!lectern_page_line_get_corrected (line))
        g_ptr_array_add (lines, line);
    }
  start_recognition (self, lines);
}

static void
recognize_selection_activated (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GPtrArray) lines = selected_lines (self);

  start_recognition (self, lines);
}

static void
recognize_line_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();

  if (self->current_line != NULL)
    g_ptr_array_add (lines, self->current_line);
  start_recognition (self, lines);
}

/* ---- Recognize All Pages --------------------------------------------------------------------- */

/* Ends the walk through the pages: with a summary and the first page shown again when every page
 * was done; as it is when cancelled or stopped by an error (which says so itself). */
static void
batch_finish (LecternWindow *self,
              gboolean       completed)
{
  g_autoptr(LecternPage) start = g_steal_pointer (&self->batch_start_page);

  if (!self->batch)
    return;
  self->batch = FALSE;
  g_queue_clear_full (&self->batch_pages, g_object_unref);
  g_clear_handle_id (&self->batch_source, g_source_remove);
  if (completed)
    {
      g_autofree char *pages = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u page",
                                                             "%u pages", self->batch_pages_done),
                                                self->batch_pages_done);
      g_autofree char *message = NULL;

      if (self->batch_lines == 0)
        message = g_strdup (_("Nothing to recognize: every line of the open pages was corrected "
                              "by hand."));
      else
        /* Translators: after Recognize All Pages: "Recognized 83 lines on 3 pages." */
        message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Recognized %u line on %s.",
                                                "Recognized %u lines on %s.", self->batch_lines),
                                   self->batch_lines, pages);
      show_notice (self, message, FALSE);
      if (start != NULL && start != self->page
          && lectern_project_find_page (self->project, start) != G_MAXUINT)
        request_page (self, start);
    }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* One step: shows the next page (reading it first when needed), finds its lines when it has
 * none, and recognises its uncorrected lines; each of these ends by coming back here. */
static void
batch_continue (LecternWindow *self)
{
  while (self->batch)
    {
      LecternPage *page = g_queue_peek_head (&self->batch_pages);
      g_autoptr(GPtrArray) lines = NULL;
      guint n;

      if (page == NULL)
        {
          batch_finish (self, TRUE);
          return;
        }
      /* closed since */
      if (lectern_project_find_page (self->project, page) == G_MAXUINT)
        {
          g_object_unref (g_queue_pop_head (&self->batch_pages));
          self->batch_segmented = FALSE;
          continue;
        }
      if (page != self->page || !page_ready (self))
        {
          request_page (self, page);
          /* being read: page_loaded comes back here */
          if (page != self->page || !page_ready (self))
            return;
        }

      n = g_list_model_get_n_items (G_LIST_MODEL (page));
      if (n == 0 && !self->batch_segmented)
        {
          self->batch_segmented = TRUE;
          segment_activated (NULL, NULL, self);
          if (!self->segmenting)
            batch_finish (self, FALSE);
          return;
        }

      lines = g_ptr_array_new ();
      for (guint i = 0; i < n; i++)
        {
          LecternPageLine *line = lectern_page_get_line (page, i);
          if (!lectern_page_line_get_corrected (line))
            g_ptr_array_add (lines, line);
        }
      g_object_unref (g_queue_pop_head (&self->batch_pages));
      self->batch_segmented = FALSE;
      if (lines->len == 0)
        continue;
      start_recognition (self, lines);
      if (self->job == NULL)
        {
          /* no model: start_recognition said why */
          batch_finish (self, FALSE);
          return;
        }
      self->batch_lines += lines->len;
      self->batch_pages_done++;
      return;
    }
}

static gboolean
batch_continue_cb (gpointer user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  self->batch_source = 0;
  batch_continue (self);
  return G_SOURCE_REMOVE;
}

/* From the end of a step: the next one after the callbacks have returned. */
static void
batch_continue_later (LecternWindow *self)
{
  if (self->batch_source == 0)
    self->batch_source = g_idle_add (batch_continue_cb, self);
}

static void
recognize_all_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  guint n_pages = lectern_project_get_n_pages (self->project);

  if (!page_ready (self) || is_busy (self))
    return;
  lectern_line_list_commit (self->line_list);
  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
  for (guint i = 0; i < n_pages; i++)
    g_queue_push_tail (&self->batch_pages,
                       g_object_ref (lectern_project_get_page (self->project, i)));
  g_set_object (&self->batch_start_page, self->page);
  self->batch = TRUE;
  self->batch_segmented = FALSE;
  self->batch_lines = 0;
  self->batch_pages_done = 0;
  self->batch_total = n_pages;
  set_progress (self, 0, NULL);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  batch_continue (self);
}

static void
cancel_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  g_cancellable_cancel (self->job_cancellable);
  /* between two pages there is no job to cancel */
  batch_finish (self, FALSE);
}

/* ---- editing ---------------------------------------------------------------------------------- */

static void
undo_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  if (self->page == NULL)
    return;
  /* Text being typed becomes a step first, so that undo takes back the typing. */
  lectern_line_list_commit (self->line_list);
  lectern_undo_stack_undo (lectern_page_get_undo_stack (self->page));
}

static void
redo_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  if (self->page == NULL)
    return;
  lectern_line_list_commit (self->line_list);
  lectern_undo_stack_redo (lectern_page_get_undo_stack (self->page));
}

static void
delete_lines_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GPtrArray) lines = selected_lines (self);

  if (self->page == NULL)
    return;
  if (lines->len == 0 && self->current_line != NULL)
    g_ptr_array_add (lines, self->current_line);
  if (lines->len == 0)
    return;

  lectern_line_list_commit (self->line_list);
  lectern_window_set_current_line (self, NULL);
  lectern_page_remove_lines (self->page, (LecternPageLine **) lines->pdata, lines->len);
}

static void
move_line (LecternWindow *self,
           int            delta)
{
  g_autoptr(LecternPageLine) line = NULL;
  guint position;

  if (self->page == NULL || self->current_line == NULL)
    return;
  line = g_object_ref (self->current_line);
  lectern_line_list_commit (self->line_list);
  if (!lectern_page_move_line (self->page, line, delta))
    return;

  position = lectern_page_find_line (self->page, line);
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  lectern_line_list_show_line (self->line_list, position);
  update_actions (self);
}

static void
move_line_up_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  move_line (LECTERN_WINDOW (user_data), -1);
}

static void
move_line_down_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  move_line (LECTERN_WINDOW (user_data), 1);
}

static void
edit_line_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  guint position = G_MAXUINT;
  guint n;

  if (self->page == NULL)
    return;
  if (self->current_line != NULL)
    position = lectern_page_find_line (self->page, self->current_line);
  /* No line chosen yet: the first one nobody has corrected, where work picks up. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->page));
  for (guint i = 0; i < n && position == G_MAXUINT; i++)
    if (!lectern_page_line_get_corrected (lectern_page_get_line (self->page, i)))
      position = i;
  if (position == G_MAXUINT && n > 0)
    position = 0;
  if (position != G_MAXUINT)
    lectern_line_list_focus_line (self->line_list, position);
}

static void
select_no_line_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  if (self->selection != NULL)
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  lectern_window_set_current_line (self, NULL);
  g_action_group_change_action_state (G_ACTION_GROUP (self), "draw-mode",
                                      g_variant_new_boolean (FALSE));
}

static void
draw_mode_changed (GSimpleAction *action,
                   GVariant      *state,
                   gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  gboolean draw = g_variant_get_boolean (state);

  g_simple_action_set_state (action, state);
  lectern_line_layer_set_mode (self->line_layer, draw ? LECTERN_LINE_LAYER_DRAW
                                                      : LECTERN_LINE_LAYER_SELECT);
}

static void
show_inspector_changed (GSimpleAction *action,
                        GVariant      *state,
                        gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  gboolean show = g_variant_get_boolean (state);

  g_simple_action_set_state (action, state);
  gtk_widget_set_visible (GTK_WIDGET (self->inspector), show);
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "show-inspector", show);
}

/* ---- saving and exporting --------------------------------------------------------------------- */

static void
page_saved (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LecternWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->saves_pending--;
  if (!lectern_page_save_finish (LECTERN_PAGE (source), result, &error))
    {
      lectern_window_show_error (self, error->message);
      self->close_after_save = FALSE;
    }

  update_title (self);
  update_actions (self);
  if (self->saves_pending == 0 && self->close_after_save
      && !lectern_project_get_modified (self->project))
    {
      self->closing = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

static void
save_all (LecternWindow *self)
{
  g_autoptr(GPtrArray) pages = NULL;

  lectern_line_list_commit (self->line_list);
  pages = lectern_project_get_modified_pages (self->project);
  for (guint i = 0; i < pages->len; i++)
    {
      self->saves_pending++;
      lectern_page_save_async (pages->pdata[i], NULL, page_saved, g_object_ref (self));
    }
}

static void
save_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  save_all (LECTERN_WINDOW (user_data));
}

static void
page_exported (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LecternWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lectern_page_export_finish (LECTERN_PAGE (source), result, &error))
    lectern_window_show_error (self, error->message);
}

static void
export_response (GtkNativeDialog *dialog,
                 int              response,
                 LecternWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->page != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        lectern_page_export_async (self->page, path, self->export_format, NULL, page_exported,
                                   g_object_ref (self));
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->export_chooser);
}

/* scan.jpg → scan.alto.xml, scan.page.xml, scan.hocr, scan.txt: never the page's own file. */
static char *
export_name (LecternPage   *page,
             LecternFormat  format)
{
  const char *image = lectern_page_get_image_path (page);
  g_autofree char *basename = g_path_get_basename (image != NULL ? image : "page");
  char *dot = strrchr (basename, '.');
  const char *suffix = format == LECTERN_FORMAT_ALTO ? ".alto.xml"
                       : format == LECTERN_FORMAT_PAGE ? ".page.xml"
                       : format == LECTERN_FORMAT_HOCR ? ".hocr" : ".txt";

  if (dot != NULL && dot != basename)
    *dot = '\0';
  return g_strconcat (basename, suffix, NULL);
}

static void
export_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  const char *format_name = g_variant_get_string (parameter, NULL);
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  LecternFormat format;

  if (!page_ready (self) || !lectern_format_from_name (format_name, &format))
    return;

  lectern_line_list_commit (self->line_list);
  if (self->export_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
      g_clear_object (&self->export_chooser);
    }

  self->export_format = format;
  title = g_strdup_printf (_("Export “%s”"), lectern_page_get_title (self->page));
  self->export_chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);
  name = export_name (self->page, format);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
  if (lectern_page_get_image_path (self->page) != NULL)
    {
      g_autoptr(GFile) image = g_file_new_for_path (lectern_page_get_image_path (self->page));
      g_autoptr(GFile) folder = g_file_get_parent (image);
      if (folder != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->export_chooser), folder,
                                             NULL);
    }
  g_signal_connect (self->export_chooser, "response", G_CALLBACK (export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

/* ---- the model -------------------------------------------------------------------------------- */

static void
model_chooser_response (GtkNativeDialog *dialog,
                        int              response,
                        LecternWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->app != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          self->model_notice_shown = FALSE;
          gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
          lectern_application_load_model (self->app, path);
        }
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->model_chooser);
}

static void
choose_model_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GtkFileFilter) filter = NULL;

  if (self->model_chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->model_chooser));
      return;
    }

  self->model_chooser = gtk_file_chooser_native_new (_("Choose a Recognition Model"),
                                                     GTK_WINDOW (self),
                                                     GTK_FILE_CHOOSER_ACTION_OPEN,
                                                     _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->model_chooser), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Lectern models (.lectern)"));
  gtk_file_filter_add_suffix (filter, "lectern");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->model_chooser), filter);
  g_signal_connect (self->model_chooser, "response", G_CALLBACK (model_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->model_chooser));
}

static void
default_model_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  if (self->app == NULL)
    return;
  self->model_notice_shown = FALSE;
  lectern_application_load_model (self->app, NULL);
}

/* Both windows stay beside this one (not modal: correcting goes on) and close with it. */
static void
present_helper (LecternWindow  *self,
                GtkWindow     **helper,
                GtkWindow      *created)
{
  if (*helper == NULL)
    {
      gtk_window_set_destroy_with_parent (created, TRUE);
      g_set_weak_pointer (helper, created);
    }
  gtk_window_present (*helper);
}

static void
train_corrected_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  /* the line being edited counts as corrected once committed */
  lectern_line_list_commit (self->line_list);
  if (self->finetune_dialog != NULL)
    {
      lectern_finetune_dialog_refresh (LECTERN_FINETUNE_DIALOG (self->finetune_dialog));
      gtk_window_present (self->finetune_dialog);
      return;
    }
  present_helper (self, &self->finetune_dialog,
                  GTK_WINDOW (lectern_finetune_dialog_new (GTK_WINDOW (self), self->app,
                                                           self->project)));
}

static void
manage_models_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  if (self->model_manager != NULL)
    {
      lectern_model_manager_reload (LECTERN_MODEL_MANAGER (self->model_manager));
      gtk_window_present (self->model_manager);
      return;
    }
  present_helper (self, &self->model_manager,
                  GTK_WINDOW (lectern_model_manager_new (GTK_WINDOW (self), self->app)));
}

static void
use_language_model_changed (GSimpleAction *action,
                            GVariant      *state,
                            gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  g_simple_action_set_state (action, state);
  if (self->app != NULL)
    lectern_application_set_use_lm (self->app, g_variant_get_boolean (state));
}

/* ---- banners ---------------------------------------------------------------------------------- */

static void
dismiss_error_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
dismiss_notice_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);

  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
}

static void
offer_drafts (LecternWindow *self,
              GPtrArray     *drafts)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *message = NULL;

  g_clear_pointer (&self->drafts, g_ptr_array_unref);
  if (drafts == NULL || drafts->len == 0)
    {
      g_clear_pointer (&drafts, g_ptr_array_unref);
      return;
    }
  self->drafts = drafts;

  for (guint i = 0; i < drafts->len && i < 3; i++)
    {
      LecternDraft *draft = drafts->pdata[i];
      g_autofree char *basename = g_path_get_basename (draft->image_path);
      g_autofree char *display = g_filename_display_name (basename);

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, display);
    }
  if (drafts->len > 3)
    g_string_append (names, ", …");

  /* Translators: a banner after a crash; %s lists the pages' file names. */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Restore unsaved changes? Lectern did not close "
                                          "properly last time, and %u page had changes that "
                                          "were not saved: %s.",
                                          "Restore unsaved changes? Lectern did not close "
                                          "properly last time, and %u pages had changes that "
                                          "were not saved: %s.", drafts->len),
                             drafts->len, names->str);
  gtk_label_set_label (self->drafts_label, message);
  gtk_revealer_set_reveal_child (self->drafts_revealer, TRUE);
}

static void
restore_drafts_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GPtrArray) drafts = g_steal_pointer (&self->drafts);
  LecternPage *first = NULL;

  gtk_revealer_set_reveal_child (self->drafts_revealer, FALSE);
  if (drafts == NULL)
    return;

  for (guint i = 0; i < drafts->len; i++)
    {
      LecternDraft *draft = drafts->pdata[i];
      g_autoptr(GFile) image = g_file_new_for_path (draft->image_path);
      g_autoptr(LecternPage) page = NULL;

      LecternPage *open = lectern_project_find_file (self->project, image);

      /* Already open and changed in this session: its own unsaved state wins. Open but
       * unchanged (given on the command line, say): the draft takes its place. */
      if (open != NULL && lectern_page_get_modified (open))
        continue;
      page = lectern_page_new_from_draft (draft->image_path, draft->save_path, draft->xml_path);
      if (open != NULL)
        {
          gboolean shown = open == self->page;

          lectern_project_replace_page (self->project, open, page);
          if (shown)
            first = page;
        }
      else
        lectern_project_add_page (self->project, page);
      if (first == NULL)
        first = page;
    }
  if (first != NULL)
    request_page (self, first);
  update_actions (self);
}

static void
discard_drafts_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  LecternWindow *self = LECTERN_WINDOW (user_data);
  g_autoptr(GPtrArray) drafts = g_steal_pointer (&self->drafts);

  gtk_revealer_set_reveal_child (self->drafts_revealer, FALSE);
  for (guint i = 0; drafts != NULL && i < drafts->len; i++)
    lectern_drafts_remove (((LecternDraft *) drafts->pdata[i])->image_path);
}

static const GActionEntry window_actions[] = {
  { .name = "open", .activate = open_activated },
  { .name = "open-recent", .activate = open_recent_activated, .parameter_type = "s" },
  { .name = "save", .activate = save_activated },
  { .name = "export", .activate = export_activated, .parameter_type = "s" },
  { .name = "previous-page", .activate = previous_page_activated },
  { .name = "next-page", .activate = next_page_activated },
  { .name = "segment", .activate = segment_activated },
  { .name = "recognize-page", .activate = recognize_page_activated },
  { .name = "recognize-all", .activate = recognize_all_activated },
  { .name = "recognize-selection", .activate = recognize_selection_activated },
  { .name = "recognize-line", .activate = recognize_line_activated },
  { .name = "cancel", .activate = cancel_activated },
  { .name = "undo", .activate = undo_activated },
  { .name = "redo", .activate = redo_activated },
  { .name = "delete-lines", .activate = delete_lines_activated },
  { .name = "move-line-up", .activate = move_line_up_activated },
  { .name = "move-line-down", .activate = move_line_down_activated },
  { .name = "edit-line", .activate = edit_line_activated },
  { .name = "select-no-line", .activate = select_no_line_activated },
  { .name = "draw-mode", .state = "false", .change_state = draw_mode_changed },
  { .name = "show-inspector", .state = "true", .change_state = show_inspector_changed },
  { .name = "choose-model", .activate = choose_model_activated },
  { .name = "default-model", .activate = default_model_activated },
  { .name = "train-corrected", .activate = train_corrected_activated },
  { .name = "manage-models", .activate = manage_models_activated },
  { .name = "use-language-model", .state = "true", .change_state = use_language_model_changed },
  { .name = "zoom-in", .activate = zoom_activated },
  { .name = "zoom-out", .activate = zoom_activated },
  { .name = "zoom-fit-width", .activate = zoom_activated },
  { .name = "zoom-fit-page", .activate = zoom_activated },
  { .name = "zoom-original", .activate = zoom_activated },
  { .name = "dismiss-error", .activate = dismiss_error_activated },
  { .name = "dismiss-notice", .activate = dismiss_notice_activated },
  { .name = "restore-drafts", .activate = restore_drafts_activated },
  { .name = "discard-drafts", .activate = discard_drafts_activated },
};

/* ---- closing ---------------------------------------------------------------------------------- */

static void
close_dialog_response (GtkDialog     *dialog,
                       int            response,
                       LecternWindow *self)
{
  /* The window may go right away: the dialog must not point at it while it finishes. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));
  self->close_dialog = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      self->close_after_save = TRUE;
      save_all (self);
    }
  else if (response == GTK_RESPONSE_REJECT)
    lectern_window_close_discarding (self);
}

static void
ask_before_closing (LecternWindow *self)
{
  g_autoptr(GPtrArray) pages = lectern_project_get_modified_pages (self->project);
  GtkWidget *dialog;

  if (self->close_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->close_dialog));
      return;
    }

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Save the changes to %u page before closing?",
                                                "Save the changes to %u pages before closing?",
                                                pages->len),
                                   pages->len);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("Changes that are not saved will be lost."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog),
                          _("Close _Without Saving"), GTK_RESPONSE_REJECT,
                          _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Save"), GTK_RESPONSE_ACCEPT,
                          NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  {
    GtkWidget *save = gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
    GtkWidget *discard = gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog),
                                                             GTK_RESPONSE_REJECT);
    gtk_widget_add_css_class (save, "suggested-action");
    gtk_widget_add_css_class (discard, "destructive-action");
  }
  g_signal_connect (dialog, "response", G_CALLBACK (close_dialog_response), self);
  self->close_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_window_size (LecternWindow *self)
{
  GtkWindow *window = GTK_WINDOW (self);
  gboolean maximized;
  int width, height;

  if (self->settings == NULL)
    return;

  maximized = gtk_window_is_maximized (window);
  /* The default size follows the window's size while it is not maximized. */
  gtk_window_get_default_size (window, &width, &height);
  if (!maximized && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
}

static gboolean
lectern_window_close_request (GtkWindow *window)
{
  LecternWindow *self = LECTERN_WINDOW (window);

  lectern_line_list_commit (self->line_list);
  if (!self->closing && lectern_project_get_modified (self->project))
    {
      ask_before_closing (self);
      return TRUE;
    }

  save_window_size (self);
  g_cancellable_cancel (self->job_cancellable);
  g_cancellable_cancel (self->load_cancellable);
  return GTK_WINDOW_CLASS (lectern_window_parent_class)->close_request (window);
}

void
lectern_window_close_discarding (LecternWindow *self)
{
  g_autoptr(GPtrArray) pages = NULL;

  g_return_if_fail (LECTERN_IS_WINDOW (self));

  lectern_line_list_commit (self->line_list);
  pages = lectern_project_get_modified_pages (self->project);
  for (guint i = 0; i < pages->len; i++)
    lectern_page_discard_draft (pages->pdata[i]);
  self->closing = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- GObject ---------------------------------------------------------------------------------- */

/* GtkWindow:application is not a construct property, so the settings and the model are picked
 * up when it is set rather than in constructed(). */
static void
application_changed (LecternWindow *self,
                     GParamSpec    *pspec,
                     gpointer       user_data)
{
  LecternApplication *app = get_application (self);

  if (self->app != NULL || app == NULL)
    return;

  self->app = app;
  g_signal_connect_object (app, "notify::model", G_CALLBACK (model_changed), self, 0);
  g_signal_connect_object (app, "notify::model-loading", G_CALLBACK (model_changed), self, 0);
  g_signal_connect_object (app, "notify::model-error", G_CALLBACK (model_changed), self, 0);
  update_model_button (self);

  if (lectern_application_get_settings (app) != NULL)
    {
      int width, height;
      gboolean show_inspector;

      self->settings = g_object_ref (lectern_application_get_settings (app));
      width = g_settings_get_int (self->settings, "window-width");
      height = g_settings_get_int (self->settings, "window-height");
      if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      show_inspector = g_settings_get_boolean (self->settings, "show-inspector");
      g_action_group_change_action_state (G_ACTION_GROUP (self), "show-inspector",
                                          g_variant_new_boolean (show_inspector));

      g_signal_connect_object (self->settings, "changed::recent-files",
                               G_CALLBACK (recent_files_changed), self, 0);
      update_recent_menu (self);
    }

  offer_drafts (self, lectern_application_take_drafts (app));
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
      g_value_set_object (value, lectern_window_get_file (self));
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, lectern_window_get_loading (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, lectern_window_get_busy (self));
      break;
    case PROP_PAGE:
      g_value_set_object (value, self->page);
      break;
    case PROP_CURRENT_LINE:
      g_value_set_object (value, self->current_line);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_window_dispose (GObject *object)
{
  LecternWindow *self = LECTERN_WINDOW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job_cancellable);
  self->batch = FALSE;
  g_queue_clear_full (&self->batch_pages, g_object_unref);
  g_clear_object (&self->batch_start_page);
  g_clear_handle_id (&self->batch_source, g_source_remove);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  g_clear_handle_id (&self->zoom_update_source, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
  g_clear_object (&self->export_chooser);
  if (self->model_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->model_chooser));
  g_clear_object (&self->model_chooser);
  if (self->finetune_dialog != NULL)
    gtk_window_destroy (self->finetune_dialog);
  g_clear_weak_pointer (&self->finetune_dialog);
  if (self->model_manager != NULL)
    gtk_window_destroy (self->model_manager);
  g_clear_weak_pointer (&self->model_manager);

  disconnect_page (self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->current_line);
  g_clear_object (&self->loading_page);
  g_clear_object (&self->page);
  g_clear_object (&self->selection);
  g_clear_object (&self->strips);
  if (self->page_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->page_selection, self);
  g_clear_object (&self->page_selection);
  g_clear_object (&self->project);
  g_clear_pointer (&self->drafts, g_ptr_array_unref);
  g_clear_object (&self->settings);

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
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE] =
    g_param_spec_object ("page", NULL, NULL, LECTERN_TYPE_PAGE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_LINE] =
    g_param_spec_object ("current-line", NULL, NULL, LECTERN_TYPE_PAGE_LINE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LECTERN_TYPE_PAGE_VIEW);
  g_type_ensure (LECTERN_TYPE_LINE_LIST);
  g_type_ensure (LECTERN_TYPE_INSPECTOR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/lectern-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, model_button);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, progress_box);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, drafts_revealer);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, drafts_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, notice_revealer);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, notice_model_button);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, pages_view);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, pages_scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, page_view);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, line_list);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, page_status_label);
  gtk_widget_class_bind_template_child (widget_class, LecternWindow, recent_section);
}

/* Keys that act on the page while it has the focus (not in the text, where they edit). */
static void
add_page_shortcuts (LecternWindow *self)
{
  static const struct {
    const char *trigger;
    const char *action;
  } shortcuts[] = {
    { "Delete|KP_Delete|BackSpace", "win.delete-lines" },
    { "Return|KP_Enter", "win.edit-line" },
    { "Escape", "win.select-no-line" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (shortcuts[i].trigger),
                                                            gtk_named_action_new (shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self->page_view), controller);
}

static void
lectern_window_init (LecternWindow *self)
{
  GtkDropTarget *drop_target;
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions,
                                   G_N_ELEMENTS (window_actions), self);

  self->project = lectern_project_new ();
  g_signal_connect_swapped (self->project, "notify::modified", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->project, "notify::n-pages", G_CALLBACK (update_actions), self);
  self->page_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->project)));
  gtk_single_selection_set_autoselect (self->page_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->page_selection, TRUE);
  g_signal_connect (self->page_selection, "notify::selected-item",
                    G_CALLBACK (page_chosen_in_list), self);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (page_row_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (page_row_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (page_row_unbind), NULL);
  gtk_list_view_set_factory (self->pages_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->pages_view, GTK_SELECTION_MODEL (self->page_selection));

  self->line_layer = LECTERN_LINE_LAYER (lectern_line_layer_new (self->page_view));
  g_signal_connect (self->line_layer, "line-activated", G_CALLBACK (line_activated_on_page), self);
  g_signal_connect (self->line_list, "line-focused", G_CALLBACK (line_focused_in_list), self);
  g_signal_connect (self->line_list, "character-selected", G_CALLBACK (character_selected), self);
  add_page_shortcuts (self);

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
  update_actions (self);
}

LecternWindow *
lectern_window_new (LecternApplication *application)
{
  g_return_val_if_fail (LECTERN_IS_APPLICATION (application), NULL);

  return g_object_new (LECTERN_TYPE_WINDOW, "application", application, NULL);
}

GFile *
lectern_window_get_file (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->page != NULL ? lectern_page_get_file (self->page) : NULL;
}

gboolean
lectern_window_get_loading (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), FALSE);

  return self->loading_page != NULL;
}

gboolean
lectern_window_is_empty (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), FALSE);

  return self->page == NULL && self->loading_page == NULL;
}

gboolean
lectern_window_get_busy (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), FALSE);

  return is_busy (self);
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

const char *
lectern_window_get_notice (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->notice_revealer))
    return NULL;
  return gtk_label_get_label (self->notice_label);
}

gboolean
lectern_window_get_drafts_offered (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), FALSE);

  return gtk_revealer_get_reveal_child (self->drafts_revealer);
}

LecternProject *
lectern_window_get_project (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->project;
}

LecternPage *
lectern_window_get_page (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->page;
}

GtkSelectionModel *
lectern_window_get_selection (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

LecternPageLine *
lectern_window_get_current_line (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->current_line;
}

LecternPageView *
lectern_window_get_page_view (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->page_view;
}

LecternLineLayer *
lectern_window_get_line_layer (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->line_layer;
}

LecternLineList *
lectern_window_get_line_list (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->line_list;
}

LecternInspector *
lectern_window_get_inspector (LecternWindow *self)
{
  g_return_val_if_fail (LECTERN_IS_WINDOW (self), NULL);

  return self->inspector;
}

void
_lectern_window_set_recognize_func (LecternWindow            *self,
                                    LecternRecognizeLineFunc  func)
{
  g_return_if_fail (LECTERN_IS_WINDOW (self));

  self->recognize_func = func;
}
