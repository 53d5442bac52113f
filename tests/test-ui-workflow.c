/* test-ui-workflow.c — the window as a person uses it: find lines, recognise, correct lines from
 * the keyboard's point of view (Enter stores the text and goes to the next line), undo and redo
 * through the window's actions, delete and reorder lines, save; recognition cancelled while the
 * window keeps running; the inspector drawing the current line; closing with unsaved changes
 * asks first; a crash's drafts offered back by the next start. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "lectern-application.h"
#include "lectern-drafts.h"
#include "lectern-line-row.h"
#include "lectern-window-private.h"
#include "test-ui-common.h"

static LecternApplication *app;
static char *tmp_dir;

static char *
write_page (const char *name)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  test_ui_write_text_page (path);
  return path;
}

static gboolean
not_loading (gpointer data)
{
  return !lectern_window_get_loading (LECTERN_WINDOW (data)) && lectern_window_get_page (data);
}

static gboolean
not_busy (gpointer data)
{
  return !lectern_window_get_busy (LECTERN_WINDOW (data));
}

static LecternWindow *
open_window (LecternApplication *application,
             const char         *path)
{
  LecternWindow *window = lectern_window_new (application);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_present (GTK_WINDOW (window));
  lectern_window_open (window, file);
  test_ui_wait_for (not_loading, window, 20000);
  return window;
}

static void
activate (LecternWindow *window,
          const char    *action)
{
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), action));
  g_action_group_activate_action (G_ACTION_GROUP (window), action, NULL);
}

static void
find_lines (LecternWindow *window)
{
  activate (window, "segment");
  g_assert_true (lectern_window_get_busy (window));
  test_ui_wait_for (not_busy, window, 60000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lectern_window_get_page (window))),
                    >=, TEST_UI_TEXT_ROWS);
}

/* Closes window letting its changes go, and waits until it is finalized. */
static void
close_discarding (LecternWindow *window)
{
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  lectern_window_close_discarding (window);
  while (window != NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* Closes a window that has nothing unsaved and waits until it is gone. */
static void
close_window (LecternWindow *window)
{
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (window);
}

typedef struct {
  LecternWindow   *window;
  LecternPageLine *line;
} LineWait;

static gboolean
text_focused (gpointer data)
{
  LineWait *wait = data;
  GtkWidget *row = lectern_line_list_get_row (lectern_window_get_line_list (wait->window),
                                              wait->line);
  return row != NULL && lectern_line_row_has_text_focus (LECTERN_LINE_ROW (row))
         && lectern_window_get_current_line (wait->window) == wait->line;
}

/* Types text into the focused line's text and presses Enter (the entry's "activate"). */
static void
type_and_enter (LecternWindow   *window,
                LecternPageLine *line,
                const char      *text)
{
  LineWait wait = { window, line };
  GtkWidget *row;
  GtkEditable *editable;

  test_ui_wait_for (text_focused, &wait, 10000);
  row = lectern_line_list_get_row (lectern_window_get_line_list (window), line);
  editable = lectern_line_row_get_editable (LECTERN_LINE_ROW (row));
  gtk_editable_set_text (editable, text);
  /* Not stored until Enter. */
  g_assert_cmpstr (lectern_page_line_get_text (line), !=, text);
  g_signal_emit_by_name (editable, "activate");
}

static void
test_correct_lines (void)
{
  g_autofree char *page_path = write_page ("letter.png");
  g_autofree char *save_path = g_build_filename (tmp_dir, "letter.xml", NULL);
  g_autoptr(LecternRecognitionModel) model = test_ui_make_model ();
  LecternWindow *window;
  LecternPage *page;
  LecternPageLine *lines[4];
  guint n;

  lectern_application_set_model (app, model);
  window = open_window (app, page_path);
  page = lectern_window_get_page (window);
  g_assert_nonnull (page);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "letter.png — Lectern");

  find_lines (window);
  n = g_list_model_get_n_items (G_LIST_MODEL (page));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    lines[i] = lectern_page_get_line (page, i);

  activate (window, "recognize-page");
  test_ui_wait_for (not_busy, window, 60000);
  g_assert_null (lectern_window_get_error_message (window));
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (lectern_page_line_get_confidence (lectern_page_get_line (page, i)), >=, 0);

  /* The first line: Enter on the page goes to its text; each Enter stores the line and goes on
   * to the next. */
  lectern_window_set_current_line (window, lines[0]);
  activate (window, "edit-line");
  type_and_enter (window, lines[0], "Dear Sir, I write to you from the old house");
  type_and_enter (window, lines[1], "where the winter has been long");
  type_and_enter (window, lines[2], "The letters you sent in March");
  {
    LineWait wait = { window, lines[3] };
    test_ui_wait_for (text_focused, &wait, 10000);
  }
  g_assert_cmpstr (lectern_page_line_get_text (lines[0]), ==,
                   "Dear Sir, I write to you from the old house");
  for (guint i = 0; i < 3; i++)
    g_assert_true (lectern_page_line_get_corrected (lines[i]));
  g_assert_false (lectern_page_line_get_corrected (lines[3]));

  /* Undo and redo go through the window. */
  activate (window, "undo");
  g_assert_false (lectern_page_line_get_corrected (lines[2]));
  g_assert_cmpstr (lectern_page_line_get_text (lines[1]), ==, "where the winter has been long");
  activate (window, "undo");
  g_assert_false (lectern_page_line_get_corrected (lines[1]));
  activate (window, "redo");
  activate (window, "redo");
  g_assert_cmpstr (lectern_page_line_get_text (lines[2]), ==, "The letters you sent in March");

  /* Delete two selected lines, and take it back. */
  gtk_selection_model_select_item (lectern_window_get_selection (window), 4, TRUE);
  gtk_selection_model_select_item (lectern_window_get_selection (window), 5, FALSE);
  activate (window, "delete-lines");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, n - 2);
  activate (window, "undo");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, n);

  /* Reading order: the current line one place down. */
  lectern_window_set_current_line (window, lines[1]);
  activate (window, "move-line-down");
  g_assert_cmpuint (lectern_page_find_line (page, lines[1]), ==, 2);
  activate (window, "move-line-up");
  g_assert_cmpuint (lectern_page_find_line (page, lines[1]), ==, 1);

  /* Ctrl+S: PAGE XML beside the image; nothing left unsaved. */
  g_assert_true (lectern_page_get_modified (page));
  activate (window, "save");
  while (lectern_page_get_modified (page))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_file_test (save_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "save"));

  close_window (window);

  /* A new window on the same image finds the corrections. */
  window = open_window (app, page_path);
  page = lectern_window_get_page (window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, n);
  g_assert_cmpstr (lectern_page_line_get_text (lectern_page_get_line (page, 0)), ==,
                   "Dear Sir, I write to you from the old house");
  g_assert_true (lectern_page_line_get_corrected (lectern_page_get_line (page, 2)));
  g_assert_false (lectern_page_line_get_corrected (lectern_page_get_line (page, 3)));
  close_window (window);

  g_unlink (save_path);
  g_unlink (page_path);
  lectern_application_set_model (app, NULL);
}

/* ---- recognition cancelled -------------------------------------------------------------------- */

static gint fake_calls;
static gint cancel_requested;

static gint real_calls;

/* Reads the first real_calls lines it is given; stays busy on the others until the test
 * cancels. */
static LecternRecognition *
stalling_recognize (LecternRecognizer     *recognizer,
                    const LecternImage    *line,
                    LecternRecognizeFlags  flags,
                    GError               **error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (g_atomic_int_add (&fake_calls, 1) < g_atomic_int_get (&real_calls))
    return lectern_recognizer_recognize (recognizer, line, flags, error);
  while (!g_atomic_int_get (&cancel_requested) && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped");
  return NULL;
}

static gboolean
one_line_read (gpointer data)
{
  LecternPage *page = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (page));

  for (guint i = 0; i < n; i++)
    if (lectern_page_line_get_confidence (lectern_page_get_line (page, i)) >= 0)
      return TRUE;
  return FALSE;
}

static void
test_cancel_recognition (void)
{
  g_autofree char *page_path = write_page ("cancel.png");
  g_autoptr(LecternRecognitionModel) model = test_ui_make_model ();
  LecternWindow *window;
  LecternPage *page;
  LecternPageView *view;
  double zoom;
  guint n, read = 0;

  lectern_application_set_model (app, model);
  window = open_window (app, page_path);
  page = lectern_window_get_page (window);
  view = lectern_window_get_page_view (window);
  find_lines (window);
  n = g_list_model_get_n_items (G_LIST_MODEL (page));

  fake_calls = 0;
  cancel_requested = 0;
  real_calls = 1;
  _lectern_window_set_recognize_func (window, stalling_recognize);
  activate (window, "recognize-page");
  g_assert_true (lectern_window_get_busy (window));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "cancel"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "segment"));

  /* One line comes in while the others keep the workers busy; the window still answers. */
  test_ui_wait_for (one_line_read, page, 30000);
  g_assert_true (lectern_window_get_busy (window));
  test_ui_wait_for_paint (GTK_WIDGET (window));
  zoom = lectern_page_view_get_zoom (view);
  activate (window, "zoom-in");
  g_assert_cmpfloat (lectern_page_view_get_zoom (view), >, zoom);

  activate (window, "cancel");
  g_atomic_int_set (&cancel_requested, 1);
  test_ui_wait_for (not_busy, window, 30000);

  /* The page is consistent: one line read, the others untouched. */
  for (guint i = 0; i < n; i++)
    {
      LecternPageLine *line = lectern_page_get_line (page, i);
      if (lectern_page_line_get_confidence (line) >= 0)
        read++;
      else
        g_assert_cmpstr (lectern_page_line_get_text (line), ==, "");
    }
  g_assert_cmpuint (read, ==, 1);
  g_assert_nonnull (lectern_window_get_notice (window));
  g_assert_nonnull (strstr (lectern_window_get_notice (window), "stopped"));
  g_assert_null (lectern_window_get_error_message (window));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "segment"));

  _lectern_window_set_recognize_func (window, NULL);
  close_discarding (window);
  g_unlink (page_path);
  lectern_application_set_model (app, NULL);
}

/* ---- without a model -------------------------------------------------------------------------- */

static void
test_no_model (void)
{
  g_autofree char *page_path = write_page ("nomodel.png");
  LecternWindow *window;

  lectern_application_set_model (app, NULL);
  window = open_window (app, page_path);
  find_lines (window);

  /* Recognising without a model says so, and offers to choose one; nothing changes. */
  activate (window, "recognize-page");
  g_assert_false (lectern_window_get_busy (window));
  g_assert_nonnull (lectern_window_get_notice (window));
  g_assert_nonnull (strstr (lectern_window_get_notice (window), "No recognition model"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "choose-model"));

  close_discarding (window);
  g_unlink (page_path);
}

/* ---- the inspector ---------------------------------------------------------------------------- */

static gboolean
has_figure (gpointer data)
{
  LecternInspector *inspector = data;
  return lectern_inspector_has_figure (inspector) && !lectern_inspector_get_busy (inspector);
}

static void
test_inspector (void)
{
  g_autofree char *page_path = write_page ("inspect.png");
  g_autoptr(LecternRecognitionModel) model = test_ui_make_model ();
  LecternWindow *window;
  LecternInspector *inspector;
  LecternPage *page;

  lectern_application_set_model (app, model);
  window = open_window (app, page_path);
  page = lectern_window_get_page (window);
  inspector = lectern_window_get_inspector (window);
  g_action_group_change_action_state (G_ACTION_GROUP (window), "show-inspector",
                                      g_variant_new_boolean (TRUE));
  find_lines (window);
  g_assert_false (lectern_inspector_has_figure (inspector));

  lectern_window_set_current_line (window, lectern_page_get_line (page, 1));
  test_ui_wait_for (has_figure, inspector, 30000);

  /* Another layer, unit and direction: still a figure. */
  lectern_inspector_set_view (inspector, 1, 2, 3);
  g_assert_true (lectern_inspector_has_figure (inspector));
  test_ui_wait_for_paint (GTK_WIDGET (window));

  /* No line, no figure. */
  lectern_window_set_current_line (window, NULL);
  test_ui_wait_for (not_busy, window, 1000);
  while (lectern_inspector_get_busy (inspector))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (lectern_inspector_has_figure (inspector));

  close_discarding (window);
  g_unlink (page_path);
  lectern_application_set_model (app, NULL);
}

/* ---- closing with unsaved changes ------------------------------------------------------------- */

static GtkDialog *
find_dialog (LecternWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      if (GTK_IS_MESSAGE_DIALOG (toplevel)
          && gtk_window_get_transient_for (toplevel) == GTK_WINDOW (window))
        return GTK_DIALOG (toplevel);
    }
  return NULL;
}

static void
test_close_asks (void)
{
  g_autofree char *page_path = write_page ("unsaved.png");
  g_autofree char *save_path = g_build_filename (tmp_dir, "unsaved.xml", NULL);
  LecternWindow *window = open_window (app, page_path);
  GtkDialog *dialog;

  find_lines (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);

  /* Closing asks; Cancel keeps the window. */
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_nonnull (window);
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  gtk_dialog_response (dialog, GTK_RESPONSE_CANCEL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_nonnull (window);
  g_assert_null (find_dialog (window));

  /* Save: the page is written, then the window closes. */
  gtk_window_close (GTK_WINDOW (window));
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  gtk_dialog_response (dialog, GTK_RESPONSE_ACCEPT);
  while (window != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_file_test (save_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (lectern_drafts_exists (page_path));

  /* Close without saving: nothing written, no draft left. */
  g_unlink (save_path);
  window = open_window (app, page_path);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  find_lines (window);
  lectern_page_write_draft_now (lectern_window_get_page (window));
  while (lectern_page_get_draft_pending (lectern_window_get_page (window)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lectern_drafts_exists (page_path));
  gtk_window_close (GTK_WINDOW (window));
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  gtk_dialog_response (dialog, GTK_RESPONSE_REJECT);
  while (window != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (g_file_test (save_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (lectern_drafts_exists (page_path));
  g_unlink (page_path);
}

static gboolean
showing (gpointer data)
{
  LecternWindow *window = ((gpointer *) data)[0];
  LecternPage *page = ((gpointer *) data)[1];
  return lectern_window_get_page (window) == page && !lectern_window_get_loading (window);
}

/* ---- a crash, and the next start -------------------------------------------------------------- */

/* Another start of Lectern, in this process: an application of its own (its own id, so that it
 * does not hand its work to the test's application over D-Bus). */
static LecternApplication *
new_application (const char *id)
{
  LecternApplication *application = lectern_application_new ();
  g_autoptr(GError) error = NULL;

  g_application_set_application_id (G_APPLICATION (application), id);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  return application;
}

static void
test_crash_restore (void)
{
  g_autofree char *page_path = write_page ("crash.png");
  LecternApplication *first = new_application ("org.lectern.LecternBeforeCrash");
  LecternApplication *second;
  LecternWindow *window;
  LecternPage *page;
  guint n;

  /* Work that is never saved. */
  window = open_window (first, page_path);
  page = lectern_window_get_page (window);
  find_lines (window);
  n = g_list_model_get_n_items (G_LIST_MODEL (page));
  lectern_page_set_line_text (page, lectern_page_get_line (page, 0), "Dear Sir, my last words");
  test_ui_wait_for (test_ui_draft_on_disk, page, 20000);

  /* The crash: the window goes without a word about saving. */
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* The next start finds the draft and offers it back — here with the same scan given on the
   * command line: the draft takes the place of the page read from disk. */
  second = new_application ("org.lectern.LecternAfterCrash");
  window = lectern_window_new (second);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lectern_window_get_drafts_offered (window));
  {
    g_autoptr(GFile) file = g_file_new_for_path (page_path);
    lectern_window_open (window, file);
    test_ui_wait_for (not_loading, window, 20000);
    g_assert_false (lectern_page_get_modified (lectern_window_get_page (window)));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lectern_window_get_page (window))),
                      ==, 0);
  }
  activate (window, "restore-drafts");
  g_assert_false (lectern_window_get_drafts_offered (window));
  g_assert_cmpuint (lectern_project_get_n_pages (lectern_window_get_project (window)), ==, 1);
  {
    gpointer wait[] = { window, lectern_project_get_page (lectern_window_get_project (window), 0) };
    test_ui_wait_for (showing, wait, 20000);
  }

  page = lectern_window_get_page (window);
  g_assert_cmpstr (lectern_page_get_image_path (page), ==, page_path);
  g_assert_true (lectern_page_get_modified (page));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, n);
  g_assert_cmpstr (lectern_page_line_get_text (lectern_page_get_line (page, 0)), ==,
                   "Dear Sir, my last words");
  g_assert_true (lectern_page_line_get_corrected (lectern_page_get_line (page, 0)));

  /* Letting the changes go this time removes the draft. */
  close_discarding (window);
  g_assert_false (lectern_drafts_exists (page_path));

  /* With no drafts, nothing is offered. */
  window = lectern_window_new (second);
  g_assert_false (lectern_window_get_drafts_offered (window));
  gtk_window_destroy (GTK_WINDOW (window));

  g_unlink (page_path);
  /* Registered applications keep themselves alive until run() ends; these never ran. */
  g_object_unref (first);
  g_object_unref (second);
}

/* ---- several pages ---------------------------------------------------------------------------- */

static void
test_pages (void)
{
  g_autofree char *one = write_page ("one.png");
  g_autofree char *two = write_page ("two.png");
  g_autoptr(GFile) file_one = g_file_new_for_path (one);
  g_autoptr(GFile) file_two = g_file_new_for_path (two);
  GFile *files[] = { file_one, file_two };
  LecternWindow *window = lectern_window_new (app);
  LecternProject *project = lectern_window_get_project (window);
  LecternPage *first, *second;

  gtk_window_present (GTK_WINDOW (window));
  lectern_window_open_files (window, files, 2);
  test_ui_wait_for (not_loading, window, 20000);
  g_assert_cmpuint (lectern_project_get_n_pages (project), ==, 2);
  first = lectern_project_get_page (project, 0);
  second = lectern_project_get_page (project, 1);
  g_assert_true (lectern_window_get_page (window) == first);
  g_assert_false (lectern_page_get_loaded (second));

  activate (window, "next-page");
  {
    gpointer wait[] = { window, second };
    test_ui_wait_for (showing, wait, 20000);
  }
  /* The page left keeps its document but lets its pixels go. */
  g_assert_null (lectern_page_get_texture (first));
  g_assert_true (lectern_page_get_loaded (first));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "next-page"));

  /* Opening a page already in the project shows it rather than adding it again. */
  lectern_window_open (window, file_one);
  {
    gpointer wait[] = { window, first };
    test_ui_wait_for (showing, wait, 20000);
  }
  g_assert_cmpuint (lectern_project_get_n_pages (project), ==, 2);

  close_window (window);
  g_unlink (one);
  g_unlink (two);
}

/* Recognize All Pages: three pages, the first with its lines found and one of them corrected,
 * the others with no lines yet. Every page gets its lines found where it had none and its
 * uncorrected lines read; the corrected line keeps its text; the window shows the first page
 * again and says what it did. Cancelled on the second page, it stops there. */
static void
test_recognize_all (void)
{
  const char *names[] = { "all-one.png", "all-two.png", "all-three.png" };
  g_autoptr(LecternRecognitionModel) model = test_ui_make_model ();
  GFile *files[G_N_ELEMENTS (names)];
  char *paths[G_N_ELEMENTS (names)];
  LecternWindow *window;
  LecternProject *project;
  LecternPage *first;
  LecternPageLine *corrected;

  lectern_application_set_model (app, model);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      paths[i] = write_page (names[i]);
      files[i] = g_file_new_for_path (paths[i]);
    }
  window = lectern_window_new (app);
  project = lectern_window_get_project (window);
  gtk_window_present (GTK_WINDOW (window));
  lectern_window_open_files (window, files, G_N_ELEMENTS (files));
  test_ui_wait_for (not_loading, window, 20000);
  g_assert_cmpuint (lectern_project_get_n_pages (project), ==, 3);
  first = lectern_project_get_page (project, 0);
  find_lines (window);
  corrected = lectern_page_get_line (first, 1);
  lectern_page_set_line_text (first, corrected, "Kept as the person typed it");
  g_assert_true (lectern_page_line_get_corrected (corrected));

  activate (window, "recognize-all");
  g_assert_true (lectern_window_get_busy (window));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "recognize-all"));
  test_ui_wait_for (not_busy, window, 120000);
  g_assert_null (lectern_window_get_error_message (window));
  for (guint p = 0; p < 3; p++)
    {
      LecternPage *page = lectern_project_get_page (project, p);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (page));

      g_assert_true (lectern_page_get_loaded (page));
      g_assert_cmpuint (n, >=, TEST_UI_TEXT_ROWS);
      for (guint i = 0; i < n; i++)
        {
          LecternPageLine *line = lectern_page_get_line (page, i);
          if (line != corrected)
            g_assert_cmpfloat (lectern_page_line_get_confidence (line), >=, 0);
        }
    }
  g_assert_cmpstr (lectern_page_line_get_text (corrected), ==, "Kept as the person typed it");
  g_assert_true (lectern_page_line_get_corrected (corrected));
  {
    gpointer wait[] = { window, first };
    test_ui_wait_for (showing, wait, 20000);
  }
  g_assert_nonnull (lectern_window_get_notice (window));
  g_assert_nonnull (strstr (lectern_window_get_notice (window), "on 3 pages"));

  /* Again, cancelled while the second page is being read: it stops there, and the third page
   * is not read (no more lines than the second page's were given to the recogniser). */
  {
    LecternPage *second = lectern_project_get_page (project, 1);
    gpointer wait[] = { window, second };
    /* the first page's uncorrected lines and one of the second's are read; then it stalls */
    gint first_lines = (gint) g_list_model_get_n_items (G_LIST_MODEL (first)) - 1;
    gint second_lines = (gint) g_list_model_get_n_items (G_LIST_MODEL (second));

    fake_calls = 0;
    cancel_requested = 0;
    real_calls = first_lines + 1;
    _lectern_window_set_recognize_func (window, stalling_recognize);
    activate (window, "recognize-all");
    test_ui_wait_for (showing, wait, 60000);
    while (g_atomic_int_get (&fake_calls) <= first_lines + 1)
      g_main_context_iteration (NULL, TRUE);
    activate (window, "cancel");
    g_atomic_int_set (&cancel_requested, 1);
    test_ui_wait_for (not_busy, window, 30000);
    g_assert_true (lectern_window_get_page (window) == second);
    g_assert_cmpint (g_atomic_int_get (&fake_calls), <=, first_lines + second_lines);
  }
  g_assert_nonnull (strstr (lectern_window_get_notice (window), "stopped"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "recognize-all"));
  _lectern_window_set_recognize_func (window, NULL);

  close_discarding (window);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_unlink (paths[i]);
      g_free (paths[i]);
      g_object_unref (files[i]);
    }
  lectern_application_set_model (app, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int status;

  tmp_dir = g_dir_make_tmp ("lectern-test-workflow-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  /* No default model from the source tree: each test says which model it has. */
  g_setenv ("LECTERN_DEFAULT_MODEL", "/nonexistent/default.lectern", TRUE);

  gtk_test_init (&argc, &argv, NULL);

  app = lectern_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/Lectern/Workflow/correct-lines", test_correct_lines);
  g_test_add_func ("/Lectern/Workflow/cancel-recognition", test_cancel_recognition);
  g_test_add_func ("/Lectern/Workflow/no-model", test_no_model);
  g_test_add_func ("/Lectern/Workflow/inspector", test_inspector);
  g_test_add_func ("/Lectern/Workflow/close-asks", test_close_asks);
  g_test_add_func ("/Lectern/Workflow/crash-restore", test_crash_restore);
  g_test_add_func ("/Lectern/Workflow/pages", test_pages);
  g_test_add_func ("/Lectern/Workflow/recognize-all", test_recognize_all);

  status = g_test_run ();

  g_object_unref (app);
  test_ui_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
