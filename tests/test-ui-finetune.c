/* test-ui-finetune.c — fine-tuning on corrected lines and the user's models: the built-in
 * default model, the model folder (list, rename, delete, default), the Models window, the
 * fine-tuning job (a model file with its card and before/after error; cancel leaves none) and
 * the Train on Corrected Lines window (its minimum, a whole run, switching to the new model). */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "error.h"
#include "finetune.h"
#include "lectern-application.h"
#include "lectern-finetune-dialog.h"
#include "lectern-finetune-job.h"
#include "lectern-model-manager.h"
#include "lectern-model-store.h"
#include "lectern-project.h"
#include "model.h"
#include "test-ui-common.h"

static char *tmp_dir;
static char *store_dir;
static LecternApplication *app;

/* A page of n_rows rows of printed text on paper, and its PAGE XML beside it with one line per
 * row (a rectangle around it), every line transcribed and marked corrected. */
static char *
write_corrected_page (const char *name,
                      int         n_rows)
{
  static const char * const rows[] = {
    "Dear Sir, I write to you from the old house",
    "where the winter has been long and cold.",
    "The letters you sent in March arrived late,",
    "and I have read them many times by the fire.",
    "My brother sends his regards and hopes",
    "we shall travel north as soon as we can.",
  };
  const int width = 900, row_height = 56, height = 60 + n_rows * row_height;
  g_autofree char *png = g_strdup_printf ("%s/%s.png", tmp_dir, name);
  g_autofree char *xml = g_strdup_printf ("%s/%s.xml", tmp_dir, name);
  g_autofree char *png_name = g_strdup_printf ("%s.png", name);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("DejaVu Serif");
  g_autoptr(LecternDocument) doc = lectern_document_new (png_name, width, height);
  LecternRegion *region = lectern_document_add_region (doc, NULL);
  g_autoptr(GError) error = NULL;

  cairo_set_source_rgb (cr, 0.97, 0.96, 0.92);
  cairo_paint (cr);
  pango_font_description_set_absolute_size (font, 26 * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  for (int i = 0; i < n_rows; i++)
    {
      const int top = 30 + i * row_height;
      const char *text = rows[i % G_N_ELEMENTS (rows)];
      LecternLine *line = lectern_region_add_line (region, NULL);
      LecternPoint box[4] = { { 20, top }, { width - 20, top }, { width - 20, top + row_height - 4 },
                              { 20, top + row_height - 4 } };

      cairo_move_to (cr, 30, top + 6);
      pango_layout_set_text (layout, text, -1);
      pango_cairo_show_layout (cr, layout);
      g_array_append_vals (line->polygon, box, 4);
      lectern_line_set_text (line, text);
      line->corrected = TRUE;
    }
  pango_font_description_free (font);
  g_object_unref (layout);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  g_assert_true (lectern_document_save (doc, xml, LECTERN_FORMAT_PAGE, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&png);
}

static LecternProject *
open_project (const char * const *paths)
{
  LecternProject *project = lectern_project_new ();

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);
      LecternPage *page = lectern_project_add_file (project, file, NULL);
      GAsyncResult *result = NULL;
      g_autoptr(GError) error = NULL;

      lectern_page_load_async (page, TRUE, NULL, test_ui_store_result, &result);
      g_assert_true (lectern_page_load_finish (page, test_ui_wait_result (&result), &error));
      g_assert_no_error (error);
      g_clear_object (&result);
    }
  return project;
}

/* The .lectern files in the user's model folder. */
static guint
count_store_models (void)
{
  g_autoptr(GDir) dir = g_dir_open (store_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".lectern"))
      n++;
  return n;
}

static void
empty_store (void)
{
  test_ui_remove_tree (store_dir);
}

/* Entries of the temporary folder whose name starts with prefix. */
static guint
count_tmp_entries (const char *prefix)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix))
      n++;
  return n;
}

static LecternModel *
tiny_model (const char *name,
            const char *trained,
            const char *cer)
{
  g_autoptr(LecternRecognitionModel) wrapped = test_ui_make_model ();
  LecternModel *model = lectern_model_copy (
    lectern_recognizer_get_model (lectern_recognition_model_get_recognizer (wrapped)));

  lectern_model_set_info (model, "name", name);
  if (trained != NULL)
    lectern_model_set_info (model, "trained", trained);
  if (cer != NULL)
    lectern_model_set_info (model, "cer-after", cer);
  return model;
}

static char *
save_in_store (LecternModel *model,
               const char   *file)
{
  g_autofree char *path = g_build_filename (store_dir, file, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (store_dir, 0755), ==, 0);
  g_assert_true (lectern_model_save (model, path, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* ---- the built-in model ----------------------------------------------------------------------- */

static void
test_embedded_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternModel) embedded = NULL;
  g_autoptr(LecternModel) by_default = NULL;
  g_autoptr(LecternModel) from_env = NULL;
  g_autoptr(LecternModel) tiny = tiny_model ("tiny", NULL, NULL);
  g_autofree char *tiny_path = g_build_filename (tmp_dir, "tiny.lectern", NULL);
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "..", "resources", "models",
                                                   "default.lectern", NULL);
  g_autoptr(LecternModel) from_file = NULL;

  if (!lectern_model_has_embedded ())
    {
      g_test_skip ("this build has no built-in model (resources/models/default.lectern was "
                   "missing when it was configured)");
      return;
    }
  g_unsetenv ("LECTERN_DEFAULT_MODEL");
  embedded = lectern_model_load_embedded (&error);
  g_assert_no_error (error);
  g_assert_nonnull (embedded);
  g_assert_cmpuint (lectern_charset_size (embedded->charset), >, 1);

  /* the default is the built-in copy, the same model as the file it was built from */
  by_default = lectern_model_load_default (&error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) a = lectern_model_serialize (embedded);
    g_autoptr(GBytes) b = lectern_model_serialize (by_default);
    g_assert_true (g_bytes_equal (a, b));
  }
  if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GBytes) a = lectern_model_serialize (embedded);
      g_autoptr(GBytes) b = NULL;
      from_file = lectern_model_load (source, &error);
      g_assert_no_error (error);
      b = lectern_model_serialize (from_file);
      g_assert_true (g_bytes_equal (a, b));
    }

  /* $LECTERN_DEFAULT_MODEL still comes first */
  g_assert_true (lectern_model_save (tiny, tiny_path, &error));
  g_assert_no_error (error);
  g_setenv ("LECTERN_DEFAULT_MODEL", tiny_path, TRUE);
  from_env = lectern_model_load_default (&error);
  g_unsetenv ("LECTERN_DEFAULT_MODEL");
  g_assert_no_error (error);
  g_assert_cmpuint (lectern_charset_size (from_env->charset), ==,
                    lectern_charset_size (tiny->charset));
  g_unlink (tiny_path);
}

/* ---- the model folder ------------------------------------------------------------------------- */

static void
test_store (void)
{
  g_autoptr(LecternModel) older = tiny_model ("Older hand", "2026-01-02T10:00:00Z", "0.25");
  g_autoptr(LecternModel) newer = tiny_model ("Newer hand", "2026-03-04T10:00:00Z", NULL);
  g_autofree char *older_path = NULL;
  g_autofree char *newer_path = NULL;
  g_autofree char *outside = g_build_filename (tmp_dir, "outside.lectern", NULL);
  g_autofree char *hidden = g_build_filename (store_dir, ".half.lectern", NULL);
  g_autofree char *fresh = NULL;
  g_autofree char *fresh2 = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *chosen = NULL;
  LecternModelInfo *info;

  empty_store ();
  older_path = save_in_store (older, "older.lectern");
  newer_path = save_in_store (newer, "newer.lectern");
  g_assert_true (g_file_set_contents (hidden, "not yet", -1, NULL));
  g_assert_true (lectern_model_save (older, outside, NULL));
  g_assert_true (lectern_model_store_contains (older_path));
  g_assert_false (lectern_model_store_contains (outside));
  g_assert_false (lectern_model_store_contains (NULL));

  /* the shipped model first, then the user's, newest first; the temporary file left out */
  list = lectern_model_store_list ();
  g_assert_cmpuint (list->len, ==, 3);
  info = list->pdata[0];
  g_assert_null (info->path);
  info = list->pdata[1];
  g_assert_cmpstr (info->path, ==, newer_path);
  g_assert_cmpstr (info->name, ==, "Newer hand");
  g_assert_true (isnan (info->cer));
  info = list->pdata[2];
  g_assert_cmpstr (info->path, ==, older_path);
  g_assert_cmpfloat_with_epsilon (info->cer, 0.25, 1e-9);
  g_assert_cmpstr (info->date, ==, "2026-01-02T10:00:00Z");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* rename: the card's name changes, the file stays where it is and still loads */
  g_assert_true (lectern_model_store_rename (older_path, "  Grandmother’s letters ", &error));
  g_assert_no_error (error);
  {
    g_autoptr(LecternModelInfo) renamed = lectern_model_store_read (older_path);
    g_assert_null (renamed->error);
    g_assert_cmpstr (renamed->name, ==, "Grandmother’s letters");
    g_assert_cmpfloat_with_epsilon (renamed->cer, 0.25, 1e-9);
  }
  g_assert_false (lectern_model_store_rename (older_path, "   ", &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lectern_model_store_rename (NULL, "Mine now", &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lectern_model_store_rename (outside, "Mine now", &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);

  /* the default: named in settings; the shipped one when empty or when the file is gone */
  g_settings_set_string (settings, "model-path", "");
  g_assert_null (lectern_model_store_get_default (settings));
  g_settings_set_string (settings, "model-path", newer_path);
  chosen = lectern_model_store_get_default (settings);
  g_assert_cmpstr (chosen, ==, newer_path);

  /* delete: the shipped model and files elsewhere are refused */
  g_assert_false (lectern_model_store_delete (NULL, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lectern_model_store_delete (outside, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_REGULAR));
  g_assert_true (lectern_model_store_delete (newer_path, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (newer_path, G_FILE_TEST_EXISTS));
  g_assert_null (lectern_model_store_get_default (settings));
  g_settings_set_string (settings, "model-path", "");

  /* new files never take an existing name */
  fresh = lectern_model_store_new_path ("Older hand", &error);
  g_assert_no_error (error);
  g_assert_true (lectern_model_store_contains (fresh));
  g_assert_true (g_str_has_suffix (fresh, "/older-hand.lectern"));
  g_assert_true (g_file_set_contents (fresh, "taken", -1, NULL));
  fresh2 = lectern_model_store_new_path ("Older hand", &error);
  g_assert_cmpstr (fresh2, !=, fresh);
  g_assert_false (g_file_test (fresh2, G_FILE_TEST_EXISTS));

  g_unlink (outside);
  empty_store ();
}

/* ---- the Models window ----------------------------------------------------------------------- */

typedef struct {
  LecternApplication *app;
  const char         *path;
} ModelWait;

static gboolean
app_has_model (gpointer data)
{
  ModelWait *wait = data;
  LecternRecognitionModel *model = lectern_application_get_model (wait->app);
  if (lectern_application_get_model_error (wait->app) != NULL)
    g_error ("the model did not load: %s", lectern_application_get_model_error (wait->app));
  return !lectern_application_get_model_loading (wait->app) && model != NULL
         && g_strcmp0 (lectern_recognition_model_get_path (model), wait->path) == 0;
}

static gboolean
app_model_named (gpointer name)
{
  LecternRecognitionModel *model = lectern_application_get_model (app);

  return !lectern_application_get_model_loading (app) && model != NULL
         && g_strcmp0 (lectern_recognition_model_get_name (model), name) == 0;
}

static void
test_manager (void)
{
  g_autoptr(LecternModel) mine = tiny_model ("My hand", "2026-05-06T07:08:09Z", "0.125");
  g_autofree char *mine_path = NULL;
  g_autofree char *chosen = NULL;
  LecternModelManager *manager;
  GSettings *settings = lectern_application_get_settings (app);
  ModelWait wait = { app, NULL };

  empty_store ();
  mine_path = save_in_store (mine, "my-hand.lectern");
  manager = lectern_model_manager_new (NULL, app);
  gtk_window_present (GTK_WINDOW (manager));
  g_assert_cmpuint (lectern_model_manager_get_n_models (manager), ==, 2);
  g_assert_null (lectern_model_manager_get_path (manager, 0));
  g_assert_cmpstr (lectern_model_manager_get_path (manager, 1), ==, mine_path);
  g_assert_cmpstr (lectern_model_manager_get_name (manager, 1), ==, "My hand");
  /* it opens on the default model's card: the shipped one here */
  g_assert_nonnull (strstr (lectern_model_manager_get_card_text (manager), "built into Lectern"));

  /* the card: every field */
  lectern_model_manager_show_card (manager, 1);
  g_assert_nonnull (strstr (lectern_model_manager_get_card_text (manager), "cer-after: 12.5 %"));
  g_assert_nonnull (strstr (lectern_model_manager_get_card_text (manager), "name: My hand"));
  g_assert_nonnull (strstr (lectern_model_manager_get_card_text (manager), mine_path));

  /* choosing the default switches the application's model and is remembered */
  lectern_model_manager_set_default (manager, 1);
  chosen = lectern_model_store_get_default (settings);
  g_assert_cmpstr (chosen, ==, mine_path);
  wait.path = mine_path;
  test_ui_wait_for (app_has_model, &wait, 60000);

  /* renaming the current model shows in the application's model at once */
  g_assert_false (lectern_model_manager_rename (manager, 0, "Not mine"));
  g_assert_true (lectern_model_manager_rename (manager, 1, "Aunt Ada"));
  g_assert_cmpstr (lectern_model_manager_get_name (manager, 1), ==, "Aunt Ada");
  g_assert_cmpstr (lectern_model_manager_get_path (manager, 1), ==, mine_path);
  test_ui_wait_for (app_model_named, (gpointer) "Aunt Ada", 60000);

  /* back to the shipped one */
  lectern_model_manager_set_default (manager, 0);
  g_assert_null (lectern_model_store_get_default (settings));
  wait.path = NULL;
  test_ui_wait_for (app_has_model, &wait, 60000);

  gtk_window_destroy (GTK_WINDOW (manager));
  empty_store ();
}

/* ---- the fine-tuning job ---------------------------------------------------------------------- */

static void
fast_options (LecternFinetuneOptions *opts)
{
  lectern_finetune_options_init (opts);
  opts->train.epochs = 2;
  opts->train.patience = 0;
  opts->train.augment = FALSE;
  opts->train.threads = 2;
  opts->train.batch = 2;
}

static gboolean
job_progress_full (gpointer job)
{
  return lectern_finetune_job_get_fraction (job) == 1.0;
}

static void
on_fraction (GObject *job, GParamSpec *pspec, gpointer data)
{
  double *last = data;
  const double now = lectern_finetune_job_get_fraction (LECTERN_FINETUNE_JOB (job));
  /* the runs go side by side: the bar follows all of them and never goes back */
  if (now < last[0])
    last[1] = 1;
  last[0] = now;
  /* and names the runs under way, two at most on two threads (not always consecutive: a lane
   * may finish its run and take the next one of its own while the other is still on its first) */
  const int run = lectern_finetune_job_get_run (LECTERN_FINETUNE_JOB (job));
  const int run_last = lectern_finetune_job_get_run_last (LECTERN_FINETUNE_JOB (job));
  const int active = lectern_finetune_job_get_runs_active (LECTERN_FINETUNE_JOB (job));
  g_assert_cmpint (run, >=, 1);
  g_assert_cmpint (run, <=, run_last);
  g_assert_cmpint (run_last, <=, lectern_finetune_job_get_runs (LECTERN_FINETUNE_JOB (job)));
  g_assert_cmpint (active, >=, 1);
  g_assert_cmpint (active, <=, 2);
  g_assert_cmpint (active, ==, run_last > run ? 2 : 1);
}

static void
test_job (void)
{
  g_autofree char *png = write_corrected_page ("job", 8);
  const char *paths[] = { png, NULL };
  g_autoptr(LecternProject) project = open_project (paths);
  g_autoptr(LecternRecognitionModel) base = test_ui_make_model ();
  g_autoptr(LecternFinetuneJob) job = NULL;
  LecternFinetuneOptions opts;
  LecternFinetuneResult figures = { 0 };
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(LecternModel) model = NULL;
  LecternPage *page = lectern_project_get_page (project, 0);
  guint tmp_before = count_tmp_entries ("lectern-finetune-");
  const char *keys[] = { "name", "base", "fine-tuned", "lines", "validation-lines", "cer-before",
                         "cer-after", "pages", "epochs" };

  empty_store ();
  g_assert_cmpuint (lectern_finetune_count_corrected (project), ==, 8);
  job = lectern_finetune_job_new (project, base);
  g_assert_cmpuint (lectern_finetune_job_get_n_lines (job), ==, 8);

  /* edits after the start do not change what it learns from */
  lectern_page_set_line_text (page, lectern_page_get_line (page, 0), "");
  g_assert_cmpuint (lectern_finetune_count_corrected (project), ==, 7);
  g_assert_cmpuint (lectern_finetune_job_get_n_lines (job), ==, 8);

  fast_options (&opts);
  lectern_finetune_job_set_options (job, &opts);
  double fraction[2] = { 0, 0 };   /* the last seen, and whether it ever fell */
  g_signal_connect (job, "notify::fraction", G_CALLBACK (on_fraction), fraction);
  lectern_finetune_job_run_async (job, NULL, test_ui_store_result, &result);
  path = lectern_finetune_job_run_finish (job, test_ui_wait_result (&result), &figures, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_nonnull (path);
  g_assert_true (lectern_model_store_contains (path));
  g_assert_cmpuint (count_store_models (), ==, 1);
  g_assert_cmpuint (count_tmp_entries ("lectern-finetune-"), ==, tmp_before);

  /* 8 lines: a tenth would be one, but a few are held out; the page's new characters added */
  g_assert_cmpuint (figures.val_lines, ==, LECTERN_FINETUNE_MIN_VAL_LINES);
  g_assert_cmpuint (figures.train_lines, ==, 8 - LECTERN_FINETUNE_MIN_VAL_LINES);
  g_assert_cmpuint (figures.new_classes, >, 0);
  g_assert_true (isfinite (figures.cer_before) && figures.cer_before >= 0);
  g_assert_true (isfinite (figures.cer_after) && figures.cer_after >= 0);
  g_assert_true (isfinite (lectern_finetune_job_get_cer_before (job)));
  /* two epochs of two (no early stop): the progress ends full (its last report may come in
   * just after the result) */
  test_ui_wait_for (job_progress_full, job, 10000);
  g_assert_cmpint (lectern_finetune_job_get_epoch (job), ==, 2);
  g_assert_cmpint (lectern_finetune_job_get_epochs (job), ==, 2);
  g_assert_cmpfloat (lectern_finetune_job_get_fraction (job), ==, 1.0);
  g_assert_cmpfloat (fraction[1], ==, 0);

  model = lectern_model_load (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = lectern_model_get_info (model, keys[i]);
      g_assert_nonnull (value);
      g_assert_cmpstr (value, !=, "");
    }
  {
    g_autofree char *base_name = lectern_model_get_info (model, "base");
    g_autofree char *lines = lectern_model_get_info (model, "lines");
    g_autofree char *pages = lectern_model_get_info (model, "pages");
    g_autofree char *before = lectern_model_get_info (model, "cer-before");
    g_assert_cmpstr (base_name, ==, lectern_recognition_model_get_name (base));
    /* the averaged runs, each holding out its own lines, learnt from all of them */
    g_assert_cmpuint (g_ascii_strtoull (lines, NULL, 10), ==,
                      figures.train_lines + (figures.runs > 1 ? figures.val_lines : 0));
    g_assert_nonnull (strstr (pages, "job.png"));
    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (before, NULL), figures.cer_before, 1e-9);
    g_assert_cmpfloat_with_epsilon (lectern_model_get_card_cer (model), figures.cer_after, 1e-9);
  }
  /* the charset was extended, not replaced */
  g_assert_cmpuint (lectern_charset_size (model->charset), ==,
                    lectern_charset_size (lectern_recognition_model_get_charset (base))
                    + figures.new_classes);
  empty_store ();
}

static void
cancel_on_progress (LecternFinetuneJob *job,
                    GParamSpec         *pspec,
                    GCancellable       *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static void
test_job_cancel (void)
{
  g_autofree char *png = write_corrected_page ("cancel", 8);
  const char *paths[] = { png, NULL };
  g_autoptr(LecternProject) project = open_project (paths);
  g_autoptr(LecternRecognitionModel) base = test_ui_make_model ();
  g_autoptr(LecternFinetuneJob) job = lectern_finetune_job_new (project, base);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LecternFinetuneOptions opts;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint tmp_before = count_tmp_entries ("lectern-finetune-");

  empty_store ();
  fast_options (&opts);
  opts.train.epochs = 50;
  lectern_finetune_job_set_options (job, &opts);
  /* cancelled as soon as training reports anything */
  g_signal_connect (job, "notify::fraction", G_CALLBACK (cancel_on_progress), cancellable);
  lectern_finetune_job_run_async (job, cancellable, test_ui_store_result, &result);
  path = lectern_finetune_job_run_finish (job, test_ui_wait_result (&result), NULL, &error);
  g_clear_object (&result);
  g_assert_null (path);
  g_assert_true (g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)
                 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  /* no model, no work files, nothing half-written */
  g_assert_cmpuint (count_store_models (), ==, 0);
  g_assert_cmpuint (count_tmp_entries ("lectern-finetune-"), ==, tmp_before);
  {
    g_autoptr(GDir) dir = g_dir_open (store_dir, 0, NULL);
    g_assert_true (dir == NULL || g_dir_read_name (dir) == NULL);
  }
}

/* ---- the Train on Corrected Lines window ----------------------------------------------------- */

/* Finished, or two seconds into the run (for a picture while it trains). */
static gint64 picture_at;

static gboolean
dialog_finished_or_late (gpointer data)
{
  return !lectern_finetune_dialog_get_running (data) || g_get_monotonic_time () > picture_at;
}

static gboolean
dialog_finished (gpointer data)
{
  return !lectern_finetune_dialog_get_running (data);
}

static void
test_dialog (void)
{
  g_autofree char *few = write_corrected_page ("few", 6);
  const char *few_paths[] = { few, NULL };
  g_autoptr(LecternProject) small = open_project (few_paths);
  g_autofree char *many_a = write_corrected_page ("many-a", 12);
  g_autofree char *many_b = write_corrected_page ("many-b", 12);
  const char *many_paths[] = { many_a, many_b, NULL };
  g_autoptr(LecternProject) large = open_project (many_paths);
  g_autoptr(LecternRecognitionModel) base = test_ui_make_model ();
  LecternFinetuneDialog *dialog;
  LecternFinetuneOptions opts;
  ModelWait wait = { app, NULL };
  g_autofree char *new_model = NULL;

  empty_store ();

  /* no model yet: nothing to start from; once the model is there, the window knows */
  lectern_application_set_model (app, NULL);
  dialog = lectern_finetune_dialog_new (NULL, app, large);
  g_assert_false (lectern_finetune_dialog_can_start (dialog));
  lectern_application_set_model (app, base);
  g_assert_true (lectern_finetune_dialog_can_start (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* below the minimum: the start button is disabled and says why */
  dialog = lectern_finetune_dialog_new (NULL, app, small);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_false (lectern_finetune_dialog_can_start (dialog));
  g_assert_nonnull (strstr (lectern_finetune_dialog_get_start_tooltip (dialog), "20"));
  g_assert_nonnull (strstr (lectern_finetune_dialog_get_start_tooltip (dialog), "6"));
  lectern_finetune_dialog_start (dialog);
  g_assert_false (lectern_finetune_dialog_get_running (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* 24 lines on two pages: a run saves a model; "use it" makes it the application's */
  dialog = lectern_finetune_dialog_new (NULL, app, large);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (lectern_finetune_dialog_can_start (dialog));
  fast_options (&opts);
  if (g_getenv ("LECTERN_TEST_SCREENSHOT") != NULL)
    opts.train.epochs = 200;   /* long enough to be seen while it runs */
  lectern_finetune_dialog_set_options (dialog, &opts);
  lectern_finetune_dialog_start (dialog);
  g_assert_true (lectern_finetune_dialog_get_running (dialog));
  if (g_getenv ("LECTERN_TEST_SCREENSHOT") != NULL)
    {
      /* let the runs get under way, then save the window as it is drawn */
      picture_at = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
      test_ui_wait_for (dialog_finished_or_late, dialog, 120000);
      test_ui_wait_for_paint (GTK_WIDGET (dialog));
      /* the screen as the X server has it (ImageMagick's import, needed only for this picture) */
      g_autofree char *cmd = g_strdup_printf ("import -window root %s",
                                              g_getenv ("LECTERN_TEST_SCREENSHOT"));
      g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
    }
  g_assert_false (lectern_finetune_dialog_can_start (dialog));
  test_ui_wait_for (dialog_finished, dialog, 120000);
  g_assert_nonnull (lectern_finetune_dialog_get_new_model (dialog));
  g_assert_true (g_file_test (lectern_finetune_dialog_get_new_model (dialog),
                              G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_store_models (), ==, 1);

  /* "Use It and Re-recognise": the new model becomes the application's, and the window
   * closes once it is */
  new_model = g_strdup (lectern_finetune_dialog_get_new_model (dialog));
  g_object_ref (dialog);
  wait.path = new_model;
  lectern_finetune_dialog_use_new_model (dialog);
  test_ui_wait_for (app_has_model, &wait, 60000);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
  lectern_application_load_model (app, NULL);
  wait.path = NULL;
  test_ui_wait_for (app_has_model, &wait, 60000);
  empty_store ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *work_tmp = NULL;
  const char *parent = g_getenv ("TMPDIR");
  int status;

  /* models and drafts go to folders of the test's own, and so do the job's work files (set
   * before anything asks GLib for these folders: it keeps its first answer) */
  tmp_dir = g_strdup_printf ("%s/lectern-test-finetune-XXXXXX",
                             parent != NULL && parent[0] != '\0' ? parent : "/tmp");
  g_assert_nonnull (g_mkdtemp (tmp_dir));
  data_home = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  work_tmp = g_build_filename (tmp_dir, "tmp", NULL);
  g_mkdir_with_parents (work_tmp, 0755);
  g_setenv ("TMPDIR", work_tmp, TRUE);
  store_dir = lectern_model_store_get_dir ();

  gtk_test_init (&argc, &argv, NULL);

  /* Registering runs startup (settings, the default model) without running a main loop. */
  app = lectern_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/Lectern/Models/embedded-default", test_embedded_default);
  g_test_add_func ("/Lectern/Models/store", test_store);
  g_test_add_func ("/Lectern/Models/manager", test_manager);
  g_test_add_func ("/Lectern/Finetune/job", test_job);
  g_test_add_func ("/Lectern/Finetune/cancel", test_job_cancel);
  g_test_add_func ("/Lectern/Finetune/dialog", test_dialog);

  status = g_test_run ();

  g_object_unref (app);
  test_ui_remove_tree (tmp_dir);
  g_free (store_dir);
  g_free (tmp_dir);
  return status;
}
