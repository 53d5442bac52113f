/* test-ui-page.c — the page model behind the window: the undo stack; opening a page, finding
 * its lines, recognising them in the background, editing text and geometry, adding, deleting and
 * reordering lines, undo and redo of each; saving PAGE XML and reopening it (text, geometry and
 * the corrected flag survive); PAGE and ALTO files opened directly; cancelling recognition with
 * the main loop running meanwhile; autosaved drafts. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "error.h"
#include "lectern-drafts.h"
#include "lectern-page.h"
#include "lectern-recognition-job-private.h"
#include "lectern-undo-stack.h"
#include "test-ui-common.h"

static char *tmp_dir;
static char *page_path;

/* ---- the undo stack --------------------------------------------------------------------------- */

typedef struct {
  int *value;
  int  before, after;
  int *freed;
} SetInt;

static void
set_int_apply (gpointer data,
               gboolean redo)
{
  SetInt *set = data;
  *set->value = redo ? set->after : set->before;
}

static void
set_int_free (gpointer data)
{
  SetInt *set = data;
  (*set->freed)++;
  g_free (set);
}

static int pushed;

static void
push_set (LecternUndoStack *stack,
          int              *value,
          int               after,
          gpointer          merge_key,
          int              *freed)
{
  SetInt *set = g_new0 (SetInt, 1);

  set->value = value;
  set->before = *value;
  set->after = after;
  set->freed = freed;
  pushed++;
  lectern_undo_stack_push (stack, "Set", merge_key, set_int_apply, set, set_int_free);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_undo_stack (void)
{
  LecternUndoStack *stack = lectern_undo_stack_new ();
  int value = 0, freed = 0, key;
  guint clean_notifications = 0;
  guint64 saved;

  g_signal_connect (stack, "notify::clean", G_CALLBACK (count_notify), &clean_notifications);
  g_assert_false (lectern_undo_stack_can_undo (stack));
  g_assert_true (lectern_undo_stack_is_clean (stack));

  /* Pushing applies. */
  push_set (stack, &value, 1, NULL, &freed);
  push_set (stack, &value, 2, NULL, &freed);
  g_assert_cmpint (value, ==, 2);
  g_assert_false (lectern_undo_stack_is_clean (stack));
  g_assert_cmpuint (clean_notifications, ==, 1);
  g_assert_cmpstr (lectern_undo_stack_get_undo_label (stack), ==, "Set");

  g_assert_true (lectern_undo_stack_undo (stack));
  g_assert_cmpint (value, ==, 1);
  g_assert_true (lectern_undo_stack_can_redo (stack));
  g_assert_true (lectern_undo_stack_redo (stack));
  g_assert_cmpint (value, ==, 2);
  g_assert_false (lectern_undo_stack_redo (stack));

  /* Saved here; undoing leaves the saved state, redoing returns to it. */
  lectern_undo_stack_mark_clean (stack);
  g_assert_true (lectern_undo_stack_is_clean (stack));
  lectern_undo_stack_undo (stack);
  g_assert_false (lectern_undo_stack_is_clean (stack));
  lectern_undo_stack_redo (stack);
  g_assert_true (lectern_undo_stack_is_clean (stack));

  /* A new push after an undo drops the step that could have been redone (and frees it). */
  lectern_undo_stack_undo (stack);
  push_set (stack, &value, 5, NULL, &freed);
  g_assert_cmpint (freed, ==, 1);
  g_assert_false (lectern_undo_stack_can_redo (stack));
  g_assert_false (lectern_undo_stack_is_clean (stack));   /* the saved state is gone for good */
  lectern_undo_stack_undo (stack);
  g_assert_false (lectern_undo_stack_is_clean (stack));
  g_assert_cmpint (value, ==, 1);
  lectern_undo_stack_redo (stack);

  /* Commands with one merge key form one step, undone together. */
  push_set (stack, &value, 6, &key, &freed);
  push_set (stack, &value, 7, &key, &freed);
  push_set (stack, &value, 8, &key, &freed);
  g_assert_cmpint (value, ==, 8);
  lectern_undo_stack_undo (stack);
  g_assert_cmpint (value, ==, 5);
  lectern_undo_stack_redo (stack);
  g_assert_cmpint (value, ==, 8);
  /* …but not after a seal or an undo. */
  lectern_undo_stack_seal (stack);
  push_set (stack, &value, 9, &key, &freed);
  lectern_undo_stack_undo (stack);
  g_assert_cmpint (value, ==, 8);
  lectern_undo_stack_redo (stack);

  /* A save that started before an edit leaves the stack unsaved. */
  saved = lectern_undo_stack_get_serial (stack);
  push_set (stack, &value, 10, NULL, &freed);
  lectern_undo_stack_mark_clean_at (stack, saved);
  g_assert_false (lectern_undo_stack_is_clean (stack));
  lectern_undo_stack_undo (stack);
  g_assert_true (lectern_undo_stack_is_clean (stack));

  g_signal_handlers_disconnect_by_func (stack, count_notify, &clean_notifications);
  g_object_unref (stack);
  /* Every command pushed is freed. */
  g_assert_cmpint (pushed, ==, 8);
  g_assert_cmpint (freed, ==, pushed);
}

/* ---- pages ------------------------------------------------------------------------------------ */

static LecternPage *
open_page (const char *path,
           gboolean    images)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  LecternPage *page = lectern_page_new (file);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  lectern_page_load_async (page, images, NULL, test_ui_store_result, &result);
  g_assert_true (lectern_page_load_finish (page, test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  return page;
}

static void
segment (LecternPage *page)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  lectern_page_segment_async (page, NULL, NULL, NULL, test_ui_store_result, &result);
  g_assert_true (lectern_page_segment_finish (page, test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
}

static GPtrArray *
all_lines (LecternPage *page)
{
  GPtrArray *lines = g_ptr_array_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (page));

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (lines, lectern_page_get_line (page, i));
  return lines;
}

static gboolean
recognize (LecternPage             *page,
           LecternRecognitionModel *model,
           GPtrArray               *lines,
           GError                 **error)
{
  g_autoptr(LecternRecognitionJob) job = NULL;
  GAsyncResult *result = NULL;
  gboolean ok;

  job = lectern_recognition_job_new (page, model, (LecternPageLine **) lines->pdata, lines->len);
  lectern_recognition_job_run_async (job, NULL, test_ui_store_result, &result);
  ok = lectern_recognition_job_run_finish (job, test_ui_wait_result (&result), error);
  g_assert_cmpuint (lectern_recognition_job_get_n_done (job), ==, lines->len);
  g_clear_object (&result);
  return ok;
}

static GArray *
points (const LecternPoint *p,
        guint               n)
{
  GArray *array = g_array_new (FALSE, FALSE, sizeof (LecternPoint));
  g_array_append_vals (array, p, n);
  return array;
}

static gboolean
points_equal (const GArray *a,
              const GArray *b)
{
  return a->len == b->len
         && memcmp (a->data, b->data, (gsize) a->len * sizeof (LecternPoint)) == 0;
}

static void
test_open_image (void)
{
  g_autoptr(LecternPage) page = open_page (page_path, TRUE);
  g_autofree char *expected_save = g_build_filename (tmp_dir, "letter.xml", NULL);
  const LecternDocument *doc = lectern_page_get_document (page);

  g_assert_true (lectern_page_get_loaded (page));
  g_assert_nonnull (lectern_page_get_texture (page));
  g_assert_nonnull (lectern_page_get_image (page));
  g_assert_cmpint (lectern_page_get_image (page)->image->width, ==, TEST_UI_TEXT_PAGE_WIDTH);
  g_assert_cmpint (doc->width, ==, TEST_UI_TEXT_PAGE_WIDTH);
  g_assert_cmpint (doc->height, ==, TEST_UI_TEXT_PAGE_HEIGHT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, 0);
  g_assert_cmpstr (lectern_page_get_save_path (page), ==, expected_save);
  g_assert_cmpstr (lectern_page_get_title (page), ==, "letter.png");
  g_assert_false (lectern_page_get_modified (page));

  /* Pixels go; the transcription stays. */
  lectern_page_release_images (page);
  g_assert_null (lectern_page_get_texture (page));
  g_assert_null (lectern_page_get_image (page));
  g_assert_true (lectern_page_get_loaded (page));
  g_assert_finalize_object (g_steal_pointer (&page));
}

/* Every line found lies on a written row, and every row has a line. */
static void
check_segmentation (LecternPage *page)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (page));
  gboolean row_found[TEST_UI_TEXT_ROWS] = { FALSE };

  g_assert_cmpuint (n, >=, TEST_UI_TEXT_ROWS);
  for (guint i = 0; i < n; i++)
    {
      LecternPageLine *line = lectern_page_get_line (page, i);
      int x0, y0, x1, y1;
      double centre;
      gboolean on_row = FALSE;

      g_assert_cmpuint (lectern_page_line_get_number (line), ==, i + 1);
      g_assert_true (lectern_page_line_get_bounds (line, &x0, &y0, &x1, &y1));
      centre = (y0 + y1) / 2.0;
      for (int r = 0; r < TEST_UI_TEXT_ROWS; r++)
        if (centre >= TEST_UI_TEXT_ROW_TOP (r) - 10 && centre <= TEST_UI_TEXT_ROW_BOTTOM (r) + 10)
          on_row = row_found[r] = TRUE;
      g_assert_true (on_row);
    }
  for (int r = 0; r < TEST_UI_TEXT_ROWS; r++)
    g_assert_true (row_found[r]);
}

static void
line_changed (LecternPage     *page,
              LecternPageLine *line,
              guint           *count)
{
  (*count)++;
}

static void
test_workflow (void)
{
  g_autoptr(LecternRecognitionModel) model = test_ui_make_model ();
  g_autoptr(LecternPage) page = open_page (page_path, TRUE);
  g_autoptr(LecternPage) reopened = NULL;
  g_autoptr(LecternPage) from_xml = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  LecternUndoStack *undo = lectern_page_get_undo_stack (page);
  LecternPageLine *first, *second, *added, *moved, *deleted;
  GAsyncResult *result = NULL;
  guint n, changes = 0;

  g_signal_connect (page, "line-changed", G_CALLBACK (line_changed), &changes);

  /* Find the lines: one undo step. */
  segment (page);
  check_segmentation (page);
  n = g_list_model_get_n_items (G_LIST_MODEL (page));
  first = lectern_page_get_line (page, 0);
  g_assert_true (lectern_page_get_modified (page));
  g_assert_cmpstr (lectern_undo_stack_get_undo_label (undo), ==, "Find Lines");
  lectern_undo_stack_undo (undo);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, 0);
  g_assert_false (lectern_page_get_modified (page));
  lectern_undo_stack_redo (undo);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, n);
  g_assert_true (lectern_page_get_line (page, 0) == first);   /* the very same lines */

  /* Recognise every line in the background: each gets text and confidences; one undo step. */
  lines = all_lines (page);
  g_assert_true (recognize (page, model, lines, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      LecternPageLine *line = lectern_page_get_line (page, i);
      const LecternLine *data = lectern_page_line_get_line (line);

      g_assert_cmpfloat (lectern_page_line_get_confidence (line), >=, 0);
      g_assert_false (lectern_page_line_get_corrected (line));
      g_assert_cmpuint (data->char_confidences->len, ==, g_utf8_strlen (data->text, -1));
      g_assert_cmpuint (data->char_spans->len, ==, g_utf8_strlen (data->text, -1));
    }
  g_assert_cmpstr (lectern_page_get_document (page)->model_name, ==,
                   lectern_recognition_model_get_name (model));
  lectern_undo_stack_undo (undo);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (lectern_page_line_get_confidence (lectern_page_get_line (page, i)), <, 0);
  lectern_undo_stack_redo (undo);
  g_assert_cmpfloat (lectern_page_line_get_confidence (first), >=, 0);

  /* A person's text: the line is corrected; undo and redo. */
  {
    g_autofree char *recognised = g_strdup (lectern_page_line_get_text (first));

    changes = 0;
    lectern_page_set_line_text (page, first, "Dear Sir, I write to you");
    g_assert_cmpuint (changes, ==, 1);
    g_assert_cmpstr (lectern_page_line_get_text (first), ==, "Dear Sir, I write to you");
    g_assert_true (lectern_page_line_get_corrected (first));
    g_assert_cmpuint (lectern_page_line_get_line (first)->char_confidences->len, ==, 0);
    lectern_undo_stack_undo (undo);
    g_assert_cmpstr (lectern_page_line_get_text (first), ==, recognised);
    g_assert_false (lectern_page_line_get_corrected (first));
    lectern_undo_stack_redo (undo);
    g_assert_cmpstr (lectern_page_line_get_text (first), ==, "Dear Sir, I write to you");
    g_assert_true (lectern_page_line_get_corrected (first));
    /* The same text again is no edit. */
    lectern_page_set_line_text (page, first, "Dear Sir, I write to you");
    g_assert_cmpstr (lectern_undo_stack_get_undo_label (undo), ==, "Edit Text");
  }
  /* Text is stored in NFC. */
  second = lectern_page_get_line (page, 1);
  lectern_page_set_line_text (page, second, "where the winter has been long, cafe\xcc\x81");
  g_assert_cmpstr (lectern_page_line_get_text (second), ==, "where the winter has been long, caf\xc3\xa9");

  /* Reshape the second line: one point moved. */
  {
    const LecternLine *data = lectern_page_line_get_line (second);
    g_autoptr(GArray) old_polygon = points ((LecternPoint *) data->polygon->data,
                                            data->polygon->len);
    g_autoptr(GArray) polygon = points ((LecternPoint *) data->polygon->data, data->polygon->len);

    g_assert_cmpuint (polygon->len, >=, 3);
    g_array_index (polygon, LecternPoint, 0).y -= 7;
    lectern_page_set_line_geometry (page, second, polygon, NULL);
    g_assert_true (points_equal (lectern_page_line_get_line (second)->polygon, polygon));
    lectern_undo_stack_undo (undo);
    g_assert_true (points_equal (lectern_page_line_get_line (second)->polygon, old_polygon));
    lectern_undo_stack_redo (undo);
    g_assert_true (points_equal (lectern_page_line_get_line (second)->polygon, polygon));
  }

  /* A line drawn below the writing joins the reading order at the end. */
  {
    LecternPoint box[] = { { 80, 700 }, { 600, 700 }, { 600, 740 }, { 80, 740 } };
    LecternPoint base[] = { { 80, 730 }, { 600, 730 } };
    g_autoptr(GArray) polygon = points (box, 4);
    g_autoptr(GArray) baseline = points (base, 2);

    added = lectern_page_add_line (page, polygon, baseline);
    g_assert_nonnull (added);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, n + 1);
    g_assert_cmpuint (lectern_page_find_line (page, added), ==, n);
    g_assert_true (lectern_page_line_at (page, 300, 720, 0) == added);
    lectern_page_set_line_text (page, added, "A postscript");
    lectern_undo_stack_undo (undo);
    lectern_undo_stack_undo (undo);
    g_assert_cmpuint (lectern_page_find_line (page, added), ==, G_MAXUINT);
    g_assert_null (lectern_page_line_at (page, 300, 720, 0));
    lectern_undo_stack_redo (undo);
    lectern_undo_stack_redo (undo);
    g_assert_cmpuint (lectern_page_find_line (page, added), ==, n);
    g_assert_cmpstr (lectern_page_line_get_text (added), ==, "A postscript");
  }

  /* Reading order: the third line up one place, and back by undo. */
  moved = lectern_page_get_line (page, 2);
  g_assert_true (lectern_page_move_line (page, moved, -1));
  g_assert_cmpuint (lectern_page_find_line (page, moved), ==, 1);
  g_assert_cmpuint (lectern_page_line_get_number (moved), ==, 2);
  g_assert_true (lectern_page_get_line (page, 2) == second);
  lectern_undo_stack_undo (undo);
  g_assert_cmpuint (lectern_page_find_line (page, moved), ==, 2);
  g_assert_false (lectern_page_move_line (page, first, -1));
  g_assert_true (lectern_page_move_line (page, added, -1));
  g_assert_cmpuint (lectern_page_find_line (page, added), ==, n - 1);
  g_assert_true (lectern_page_move_line (page, added, 1));
  g_assert_cmpuint (lectern_page_find_line (page, added), ==, n);

  /* Delete the fourth line; undo brings the same line back where it was. */
  deleted = lectern_page_get_line (page, 3);
  lectern_page_remove_lines (page, &deleted, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page)), ==, n);
  g_assert_cmpuint (lectern_page_find_line (page, deleted), ==, G_MAXUINT);
  lectern_undo_stack_undo (undo);
  g_assert_cmpuint (lectern_page_find_line (page, deleted), ==, 3);
  lectern_undo_stack_redo (undo);
  g_assert_cmpuint (lectern_page_find_line (page, deleted), ==, G_MAXUINT);

  /* Save: PAGE XML beside the image; no longer modified. */
  lectern_page_save_async (page, NULL, test_ui_store_result, &result);
  g_assert_true (lectern_page_save_finish (page, test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_false (lectern_page_get_modified (page));
  g_assert_true (g_file_test (lectern_page_get_save_path (page), G_FILE_TEST_IS_REGULAR));

  /* Opening the image again reads the PAGE XML beside it: same lines, text, geometry, flags. */
  reopened = open_page (page_path, FALSE);
  n = g_list_model_get_n_items (G_LIST_MODEL (page));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reopened)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      const LecternLine *a = lectern_page_line_get_line (lectern_page_get_line (page, i));
      const LecternLine *b = lectern_page_line_get_line (lectern_page_get_line (reopened, i));

      g_assert_cmpstr (a->text, ==, b->text);
      g_assert_true (a->corrected == b->corrected);
      g_assert_true (points_equal (a->polygon, b->polygon));
      g_assert_true (points_equal (a->baseline, b->baseline));
      g_assert_cmpuint (a->char_confidences->len, ==, b->char_confidences->len);
    }
  g_assert_true (lectern_page_line_get_corrected (lectern_page_get_line (reopened, 0)));
  g_assert_cmpstr (lectern_page_line_get_text (lectern_page_get_line (reopened, 0)), ==,
                   "Dear Sir, I write to you");
  g_assert_cmpstr (lectern_page_line_get_text (lectern_page_get_line (reopened, n - 1)), ==,
                   "A postscript");
  g_assert_false (lectern_page_get_modified (reopened));

  /* The PAGE file opens by itself too, and finds its image. */
  from_xml = open_page (lectern_page_get_save_path (page), TRUE);
  g_assert_cmpstr (lectern_page_get_image_path (from_xml), ==, page_path);
  g_assert_cmpstr (lectern_page_get_save_path (from_xml), ==, lectern_page_get_save_path (page));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (from_xml)), ==, n);

  g_signal_handlers_disconnect_by_func (page, line_changed, &changes);
  g_unlink (lectern_page_get_save_path (page));
  g_assert_finalize_object (g_steal_pointer (&from_xml));
  g_assert_finalize_object (g_steal_pointer (&reopened));
  g_assert_finalize_object (g_steal_pointer (&page));
}

/* An ALTO file named like the page: the page is saved beside it as .page.xml, not over it. */
static void
test_open_alto (void)
{
  g_autofree char *folder = g_build_filename (tmp_dir, "alto", NULL);
  g_autofree char *image = g_build_filename (folder, "scan.png", NULL);
  g_autofree char *alto = g_build_filename (folder, "scan.xml", NULL);
  g_autofree char *expected_save = g_build_filename (folder, "scan.page.xml", NULL);
  g_autoptr(LecternPage) page = NULL;
  g_autoptr(LecternPage) from_alto = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  test_ui_write_text_page (image);
  page = open_page (image, TRUE);
  segment (page);
  lectern_page_set_line_text (page, lectern_page_get_line (page, 0), "Dear Sir");

  lectern_page_export_async (page, alto, LECTERN_FORMAT_ALTO, NULL, test_ui_store_result,
                             &result);
  g_assert_true (lectern_page_export_finish (page, test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  /* Exporting is not saving. */
  g_assert_true (lectern_page_get_modified (page));

  from_alto = open_page (alto, TRUE);
  g_assert_cmpstr (lectern_page_get_image_path (from_alto), ==, image);
  g_assert_cmpstr (lectern_page_get_save_path (from_alto), ==, expected_save);
  g_assert_cmpstr (lectern_page_line_get_text (lectern_page_get_line (from_alto, 0)), ==,
                   "Dear Sir");
  g_assert_true (lectern_page_line_get_corrected (lectern_page_get_line (from_alto, 0)));

  /* Opening the scan itself finds the ALTO beside it too, and saves beside it. */
  {
    g_autoptr(LecternPage) from_image = open_page (image, FALSE);
    g_autofree char *alto_before = NULL;
    g_autofree char *alto_after = NULL;

    g_assert_cmpstr (lectern_page_get_save_path (from_image), ==, expected_save);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (from_image)), ==,
                      g_list_model_get_n_items (G_LIST_MODEL (page)));
    g_assert_cmpstr (lectern_page_line_get_text (lectern_page_get_line (from_image, 0)), ==,
                     "Dear Sir");

    g_assert_true (g_file_get_contents (alto, &alto_before, NULL, NULL));
    lectern_page_set_line_text (from_image, lectern_page_get_line (from_image, 0), "Dear Madam");
    lectern_page_save_async (from_image, NULL, test_ui_store_result, &result);
    g_assert_true (lectern_page_save_finish (from_image, test_ui_wait_result (&result), &error));
    g_clear_object (&result);
    g_assert_true (g_file_get_contents (alto, &alto_after, NULL, NULL));
    g_assert_cmpstr (alto_before, ==, alto_after);
    g_assert_true (g_file_test (expected_save, G_FILE_TEST_IS_REGULAR));
    g_assert_finalize_object (g_steal_pointer (&from_image));
  }

  /* The first page was opened before the ALTO file took the name it would have saved to:
   * saving it now goes beside the ALTO, not over it. */
  {
    g_autofree char *alto_before = NULL;
    g_autofree char *alto_after = NULL;

    g_unlink (expected_save);
    g_assert_true (g_file_get_contents (alto, &alto_before, NULL, NULL));
    lectern_page_save_async (page, NULL, test_ui_store_result, &result);
    g_assert_true (lectern_page_save_finish (page, test_ui_wait_result (&result), &error));
    g_clear_object (&result);
    g_assert_true (g_file_get_contents (alto, &alto_after, NULL, NULL));
    g_assert_cmpstr (alto_before, ==, alto_after);
    g_assert_cmpstr (lectern_page_get_save_path (page), ==, expected_save);
    g_assert_true (g_file_test (expected_save, G_FILE_TEST_IS_REGULAR));
  }

  lectern_page_discard_draft (page);
  g_assert_finalize_object (g_steal_pointer (&from_alto));
  g_assert_finalize_object (g_steal_pointer (&page));
  test_ui_remove_tree (folder);
}

static void
test_open_errors (void)
{
  g_autofree char *orphan = g_build_filename (tmp_dir, "orphan.xml", NULL);
  g_autofree char *broken_image = g_build_filename (tmp_dir, "broken.png", NULL);
  const char *xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<PcGts xmlns=\"http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15\">"
    "<Metadata><Creator>test</Creator><Created>2024-01-01T00:00:00</Created>"
    "<LastChange>2024-01-01T00:00:00</LastChange></Metadata>"
    "<Page imageFilename=\"nowhere.png\" imageWidth=\"100\" imageHeight=\"100\"/></PcGts>\n";
  struct {
    const char *path;
    const char *words;
  } cases[] = {
    { orphan, "not beside it" },
    { broken_image, "not a PNG, JPEG or TIFF" },
  };

  g_assert_true (g_file_set_contents (orphan, xml, -1, NULL));
  g_assert_true (g_file_set_contents (broken_image, "Dear Sir,\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (cases[i].path);
      g_autoptr(LecternPage) page = lectern_page_new (file);
      g_autoptr(GError) error = NULL;
      GAsyncResult *result = NULL;

      lectern_page_load_async (page, TRUE, NULL, test_ui_store_result, &result);
      g_assert_false (lectern_page_load_finish (page, test_ui_wait_result (&result), &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      g_assert_false (lectern_page_get_loaded (page));
      g_clear_object (&result);
    }
  g_unlink (orphan);
  g_unlink (broken_image);
}

/* ---- cancelling recognition ------------------------------------------------------------------- */

static gint slow_calls;
static gint main_loop_ticks;
static gint cancel_requested;

/* A recognizer for the first line it is given; on the others it stays busy until the test
 * cancels, then gives up on them (as a line in flight is lost when the work is stopped). */
static LecternRecognition *
slow_recognize (LecternRecognizer     *recognizer,
                const LecternImage    *line,
                LecternRecognizeFlags  flags,
                GError               **error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (g_atomic_int_add (&slow_calls, 1) == 0)
    {
      /* The first line finishes only once the main loop has dispatched the ticker three times
       * while this worker was busy: if recognition blocked the main loop, that never happens
       * and the test fails at the deadline (no timing is assumed, however loaded the machine). */
      while (g_atomic_int_get (&main_loop_ticks) < 3 && g_get_monotonic_time () < deadline)
        g_usleep (2000);
      return lectern_recognizer_recognize (recognizer, line, flags, error);
    }
  while (!g_atomic_int_get (&cancel_requested) && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped");
  return NULL;
}

typedef struct {
  guint ticks;          /* main loop dispatches of the ticker */
  guint done;
  guint ticks_before_first;
} Ticker;

static gboolean
tick (gpointer data)
{
  Ticker *ticker = data;

  ticker->ticks++;
  g_atomic_int_inc (&main_loop_ticks);
  return G_SOURCE_CONTINUE;
}

static void
job_progressed (LecternRecognitionJob *job,
                GParamSpec            *pspec,
                Ticker                *ticker)
{
  if (ticker->done++ == 0)
    ticker->ticks_before_first = ticker->ticks;
}

static gboolean
first_result_in (gpointer data)
{
  return ((Ticker *) data)->done > 0;
}

static gboolean
ticked_twenty_more (gpointer data)
{
  Ticker *ticker = data;
  return ticker->ticks >= ticker->ticks_before_first + 20;
}

static void
test_cancel_recognition (void)
{
  g_autoptr(LecternRecognitionModel) model = test_ui_make_model ();
  g_autoptr(LecternPage) page = open_page (page_path, TRUE);
  g_autoptr(LecternRecognitionJob) job = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  Ticker ticker = { 0 };
  guint ticker_source;
  guint recognised = 0;

  /* Forty short lines drawn by hand. */
  for (int i = 0; i < 40; i++)
    {
      int x = 60 + (i % 2) * 500, y = 60 + (i / 2) * 34;
      LecternPoint box[] = { { x, y }, { x + 450, y }, { x + 450, y + 30 }, { x, y + 30 } };
      g_autoptr(GArray) polygon = points (box, 4);
      g_assert_nonnull (lectern_page_add_line (page, polygon, NULL));
    }
  lines = all_lines (page);

  slow_calls = 0;
  main_loop_ticks = 0;
  cancel_requested = 0;
  job = lectern_recognition_job_new (page, model, (LecternPageLine **) lines->pdata, lines->len);
  _lectern_recognition_job_set_recognize_func (job, slow_recognize);
  g_signal_connect (job, "notify::n-done", G_CALLBACK (job_progressed), &ticker);
  ticker_source = g_timeout_add (5, tick, &ticker);

  lectern_recognition_job_run_async (job, cancellable, test_ui_store_result, &result);
  /* Starting returns at once; the first line takes a while on the workers, and meanwhile the
   * main loop goes on dispatching. */
  g_assert_cmpuint (ticker.done, ==, 0);
  test_ui_wait_for (first_result_in, &ticker, 60000);
  g_assert_cmpuint (ticker.ticks_before_first, >=, 3);
  /* The workers are busy on the other lines: the main loop still runs. */
  test_ui_wait_for (ticked_twenty_more, &ticker, 60000);
  g_assert_cmpuint (ticker.done, ==, 1);

  g_cancellable_cancel (cancellable);
  g_atomic_int_set (&cancel_requested, 1);
  g_assert_false (lectern_recognition_job_run_finish (job, test_ui_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);
  g_source_remove (ticker_source);

  /* Consistent: the line read has its result, the others are as they were; the lines no worker
   * had started were left alone. */
  g_assert_cmpuint (lectern_recognition_job_get_n_done (job), <, lines->len);
  for (guint i = 0; i < lines->len; i++)
    {
      LecternPageLine *line = lines->pdata[i];
      if (lectern_page_line_get_confidence (line) >= 0)
        recognised++;
      else
        g_assert_cmpstr (lectern_page_line_get_text (line), ==, "");
    }
  g_assert_cmpuint (recognised, ==, 1);

  /* What was read undoes as one step. */
  lectern_undo_stack_undo (lectern_page_get_undo_stack (page));
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpfloat (lectern_page_line_get_confidence (lines->pdata[i]), <, 0);

  g_signal_handlers_disconnect_by_func (job, job_progressed, &ticker);
  lectern_page_discard_draft (page);
  g_clear_pointer (&lines, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&job));
  g_assert_finalize_object (g_steal_pointer (&page));
}

/* ---- drafts ----------------------------------------------------------------------------------- */

static gboolean
draft_written (gpointer data)
{
  LecternPage *page = data;
  return !lectern_page_get_draft_pending (page);
}

static void
test_drafts (void)
{
  g_autoptr(LecternPage) page = open_page (page_path, TRUE);
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(LecternDocument) draft_doc = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  LecternDraft *draft = NULL;

  segment (page);
  lectern_page_set_line_text (page, lectern_page_get_line (page, 0), "Dear Madam");
  g_assert_true (lectern_page_get_draft_pending (page));
  g_assert_false (lectern_drafts_exists (page_path));

  /* A few seconds after the edit, the draft is on disk (in XDG_DATA_HOME, set by main). */
  test_ui_wait_for (draft_written, page, 20000);
  g_assert_true (lectern_drafts_exists (page_path));
  drafts = lectern_drafts_list ();
  for (guint i = 0; i < drafts->len; i++)
    if (g_str_equal (((LecternDraft *) drafts->pdata[i])->image_path, page_path))
      draft = drafts->pdata[i];
  g_assert_nonnull (draft);
  g_assert_cmpstr (draft->save_path, ==, lectern_page_get_save_path (page));
  draft_doc = lectern_draft_load (draft, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (draft_doc->image_path, ==, page_path);
  {
    g_autoptr(GPtrArray) doc_lines = lectern_document_lines (draft_doc);
    g_assert_cmpuint (doc_lines->len, ==, g_list_model_get_n_items (G_LIST_MODEL (page)));
    g_assert_cmpstr (((LecternLine *) doc_lines->pdata[0])->text, ==, "Dear Madam");
    g_assert_true (((LecternLine *) doc_lines->pdata[0])->corrected);
  }

  /* Undoing back to the saved state removes the draft (nothing unsaved). */
  lectern_undo_stack_undo (lectern_page_get_undo_stack (page));
  lectern_undo_stack_undo (lectern_page_get_undo_stack (page));
  g_assert_false (lectern_page_get_modified (page));
  test_ui_wait_for (draft_written, page, 20000);
  g_assert_false (lectern_drafts_exists (page_path));

  /* Saving removes it too. */
  lectern_undo_stack_redo (lectern_page_get_undo_stack (page));
  lectern_page_write_draft_now (page);
  test_ui_wait_for (draft_written, page, 20000);
  g_assert_true (lectern_drafts_exists (page_path));
  lectern_page_save_async (page, NULL, test_ui_store_result, &result);
  g_assert_true (lectern_page_save_finish (page, test_ui_wait_result (&result), &error));
  g_clear_object (&result);
  test_ui_wait_for (draft_written, page, 20000);
  g_assert_false (lectern_drafts_exists (page_path));

  g_unlink (lectern_page_get_save_path (page));
  g_assert_finalize_object (g_steal_pointer (&page));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int status;

  tmp_dir = g_dir_make_tmp ("lectern-test-page-XXXXXX", &error);
  g_assert_no_error (error);
  /* Drafts go to a folder of the test's own (before anything asks GLib for the data dir). */
  data_home = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  gtk_test_init (&argc, &argv, NULL);

  page_path = g_build_filename (tmp_dir, "letter.png", NULL);
  test_ui_write_text_page (page_path);

  g_test_add_func ("/Lectern/Page/undo-stack", test_undo_stack);
  g_test_add_func ("/Lectern/Page/open-image", test_open_image);
  g_test_add_func ("/Lectern/Page/workflow", test_workflow);
  g_test_add_func ("/Lectern/Page/open-alto", test_open_alto);
  g_test_add_func ("/Lectern/Page/open-errors", test_open_errors);
  g_test_add_func ("/Lectern/Page/cancel-recognition", test_cancel_recognition);
  g_test_add_func ("/Lectern/Page/drafts", test_drafts);

  status = g_test_run ();

  test_ui_remove_tree (tmp_dir);
  g_free (page_path);
  g_free (tmp_dir);
  return status;
}
