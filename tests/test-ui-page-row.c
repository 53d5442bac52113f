/* test-ui-page-row.c — a page in the page list: its thumbnail (decoded small, kept on the page,
 * refused for over-large or unreadable scans), its name with the unsaved-changes mark, and its
 * count of lines and corrected lines as they change. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "error.h"
#include "lectern-page-row.h"
#include "lectern-undo-stack.h"
#include "test-ui-common.h"

static char *tmp_dir;
static char *page_path;

static gboolean
row_has_thumbnail (gpointer data)
{
  return lectern_page_row_get_thumbnail (data) != NULL;
}

static LecternPage *
open_page (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  LecternPage *page = lectern_page_new (file);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  lectern_page_load_async (page, FALSE, NULL, test_ui_store_result, &result);
  g_assert_true (lectern_page_load_finish (page, test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  return page;
}

static void
test_thumbnail_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *text_path = g_build_filename (tmp_dir, "notes.png", NULL);
  g_autofree char *huge_path = g_build_filename (tmp_dir, "huge.png", NULL);
  /* A PNG header announcing 60000 × 60000 pixels, then the start of its pixel data. */
  static const guint8 huge_png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60, 8, 0, 0, 0, 0, 0xa5, 0xb9, 0x2a, 0x9e,
    0, 0, 0, 16, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  };
  int width, height;

  texture = lectern_page_thumbnail_load (page_path, 96, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (texture);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  /* The test page is 1100 × 760: 96 pixels wide, the height in proportion. */
  g_assert_cmpint (width, ==, 96);
  g_assert_cmpint (height, >=, 96 * 760 / 1100 - 1);
  g_assert_cmpint (height, <=, 96 * 760 / 1100 + 1);

  g_assert_true (g_file_set_contents (text_path, "not a picture", -1, NULL));
  g_assert_null (lectern_page_thumbnail_load (text_path, 96, NULL, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "notes.png"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (huge_path, (const char *) huge_png, sizeof huge_png, NULL));
  g_assert_null (lectern_page_thumbnail_load (huge_path, 96, NULL, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "huge.png"));
}

static void
test_row_follows_page (void)
{
  g_autoptr(LecternPage) page = open_page (page_path);
  GtkWidget *row = g_object_ref_sink (lectern_page_row_new ());
  GtkWidget *other_row;
  g_autofree char *corrected_one = NULL;
  guint n_lines = g_list_model_get_n_items (G_LIST_MODEL (page));
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  lectern_page_row_bind (LECTERN_PAGE_ROW (row), page);
  g_assert_cmpstr (lectern_page_row_get_title (LECTERN_PAGE_ROW (row)), ==,
                   lectern_page_get_title (page));
  test_ui_wait_for (row_has_thumbnail, row, 30000);

  /* Lines found: the row counts them, none corrected yet. */
  lectern_page_segment_async (page, NULL, NULL, NULL, test_ui_store_result, &result);
  g_assert_true (lectern_page_segment_finish (page, test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  n_lines = g_list_model_get_n_items (G_LIST_MODEL (page));
  g_assert_cmpuint (n_lines, >, 1);
  g_assert_nonnull (strstr (lectern_page_row_get_subtitle (LECTERN_PAGE_ROW (row)), ", 0 corrected"));

  /* A person types a line's text: one corrected, and the page shows unsaved changes. */
  lectern_page_set_line_text (page, lectern_page_get_line (page, 0), "Dear Madam");
  corrected_one = g_strdup_printf ("%u lines, 1 corrected", n_lines);
  g_assert_cmpstr (lectern_page_row_get_subtitle (LECTERN_PAGE_ROW (row)), ==, corrected_one);
  g_assert_true (g_str_has_prefix (lectern_page_row_get_title (LECTERN_PAGE_ROW (row)), "• "));

  /* Undo the typing: none corrected; the found lines are still unsaved. Undo those too: the
   * page is as it was opened, no mark. */
  g_assert_true (lectern_undo_stack_undo (lectern_page_get_undo_stack (page)));
  g_assert_nonnull (strstr (lectern_page_row_get_subtitle (LECTERN_PAGE_ROW (row)), ", 0 corrected"));
  g_assert_true (g_str_has_prefix (lectern_page_row_get_title (LECTERN_PAGE_ROW (row)), "• "));
  g_assert_true (lectern_undo_stack_undo (lectern_page_get_undo_stack (page)));
  g_assert_false (lectern_page_get_modified (page));
  g_assert_false (g_str_has_prefix (lectern_page_row_get_title (LECTERN_PAGE_ROW (row)), "• "));
  g_assert_cmpstr (lectern_page_row_get_subtitle (LECTERN_PAGE_ROW (row)), ==, "No lines yet");
  /* Redo both for what follows. */
  g_assert_true (lectern_undo_stack_redo (lectern_page_get_undo_stack (page)));
  g_assert_true (lectern_undo_stack_redo (lectern_page_get_undo_stack (page)));

  /* Another row bound to the same page gets the kept thumbnail at once, without decoding. */
  other_row = g_object_ref_sink (lectern_page_row_new ());
  lectern_page_row_bind (LECTERN_PAGE_ROW (other_row), page);
  g_assert_true (lectern_page_row_get_thumbnail (LECTERN_PAGE_ROW (other_row))
                 == lectern_page_row_get_thumbnail (LECTERN_PAGE_ROW (row)));

  /* Unbound, the row lets go of the page: later edits do not reach it. */
  lectern_page_row_bind (LECTERN_PAGE_ROW (row), NULL);
  g_assert_null (lectern_page_row_get_thumbnail (LECTERN_PAGE_ROW (row)));
  g_assert_cmpstr (lectern_page_row_get_title (LECTERN_PAGE_ROW (row)), ==, "");
  lectern_page_set_line_text (page, lectern_page_get_line (page, 1), "Yours");
  g_assert_cmpstr (lectern_page_row_get_title (LECTERN_PAGE_ROW (row)), ==, "");

  g_object_unref (other_row);
  g_object_unref (row);
}

static void
test_row_page_not_loaded (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (page_path);
  g_autoptr(LecternPage) page = lectern_page_new (file);
  GtkWidget *row = g_object_ref_sink (lectern_page_row_new ());

  /* A page of the project not opened yet: its scan is its file, so the thumbnail comes all
   * the same; its lines are not known, so no count. */
  lectern_page_row_bind (LECTERN_PAGE_ROW (row), page);
  test_ui_wait_for (row_has_thumbnail, row, 30000);
  g_assert_cmpstr (lectern_page_row_get_subtitle (LECTERN_PAGE_ROW (row)), ==, "");
  g_object_unref (row);
}

static void
test_row_unbound_while_loading (void)
{
  g_autoptr(LecternPage) page = open_page (page_path);
  GtkWidget *row = g_object_ref_sink (lectern_page_row_new ());

  /* Bound and dropped at once: the load in flight is cancelled and finds no row. */
  lectern_page_row_bind (LECTERN_PAGE_ROW (row), page);
  g_object_unref (row);
  for (int i = 0; i < 200; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  tmp_dir = g_dir_make_tmp ("lectern-test-page-row-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmp_dir, TRUE);
  gtk_test_init (&argc, &argv, NULL);

  page_path = g_build_filename (tmp_dir, "letter.png", NULL);
  test_ui_write_text_page (page_path);

  g_test_add_func ("/Lectern/PageRow/thumbnail-load", test_thumbnail_load);
  g_test_add_func ("/Lectern/PageRow/follows-page", test_row_follows_page);
  g_test_add_func ("/Lectern/PageRow/page-not-loaded", test_row_page_not_loaded);
  g_test_add_func ("/Lectern/PageRow/unbound-while-loading", test_row_unbound_while_loading);
  status = g_test_run ();

  test_ui_remove_tree (tmp_dir);
  g_free (page_path);
  g_free (tmp_dir);
  return status;
}
