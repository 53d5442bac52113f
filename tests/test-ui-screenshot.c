/* test-ui-screenshot.c — `lectern --screenshot OUT.png [--recognize] [--select N] FILE` as the
 * README's pictures are made: the real program (LECTERN_APP) under Xvfb finds the lines of a
 * rendered page, recognises them with the built-in model, makes a line current, writes the
 * picture of its window and exits 0; bad combinations of options are refused. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gtk/gtk.h>

#include "testutil.h"
#include "test-ui-common.h"

static char *tmp_dir;
static char *page_path;

static void
run_app (const char * const *args,
         int                *status,
         char              **out,
         char              **err)
{
  const char *app = g_getenv ("LECTERN_APP");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) app);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (tmp_dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &wait_status, &error));
  g_assert_no_error (error);
  *status = g_spawn_check_wait_status (wait_status, NULL) ? 0
            : WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static void
test_recognize_and_select (void)
{
  g_autofree char *shot = g_build_filename (tmp_dir, "window.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GdkPixbuf) picture = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--screenshot", shot, "--recognize", "--select", "2", page_path, NULL };
  unsigned read = 0, lines = 0;
  const char *summary;
  int status;

  run_app (args, &status, &out, &err);
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  g_assert_cmpint (status, ==, 0);
  /* every line found was recognised before the picture was taken */
  summary = strstr (out, "Recognised ");
  g_assert_nonnull (summary);
  g_assert_cmpint (sscanf (summary, "Recognised %u of %u lines", &read, &lines), ==, 2);
  g_assert_cmpuint (lines, ==, TEST_UI_TEXT_ROWS);
  g_assert_cmpuint (read, ==, lines);
  g_assert_nonnull (strstr (out, shot));

  picture = gdk_pixbuf_new_from_file (shot, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (picture), >=, 800);
  g_assert_cmpint (gdk_pixbuf_get_height (picture), >=, 600);
  /* the page was not saved: a screenshot run changes no file */
  {
    g_autofree char *xml = g_build_filename (tmp_dir, "letter.xml", NULL);
    g_assert_false (g_file_test (xml, G_FILE_TEST_EXISTS));
  }
}

static void
test_select_beyond_the_page (void)
{
  g_autofree char *shot = g_build_filename (tmp_dir, "beyond.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "--screenshot", shot, "--select", "99", page_path, NULL };
  int status;

  /* no lines without --recognize: the picture is still taken, with a message */
  run_app (args, &status, &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "--select"));
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));
}

static void
test_options_need_screenshot (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "--recognize", page_path, NULL };
  int status;

  run_app (args, &status, &out, &err);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--screenshot"));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("LECTERN_APP") == NULL)
    {
      g_test_skip ("LECTERN_APP is not set: run through meson test");
      return 77;
    }
  tmp_dir = g_dir_make_tmp ("lectern-test-screenshot-XXXXXX", &error);
  g_assert_no_error (error);
  /* the program's drafts, settings and models stay in the test's folder */
  g_setenv ("XDG_DATA_HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp_dir, TRUE);
  page_path = g_build_filename (tmp_dir, "letter.png", NULL);
  test_ui_write_text_page (page_path);

  g_test_add_func ("/Lectern/Screenshot/recognize-and-select", test_recognize_and_select);
  g_test_add_func ("/Lectern/Screenshot/select-beyond-the-page", test_select_beyond_the_page);
  g_test_add_func ("/Lectern/Screenshot/options-need-screenshot", test_options_need_screenshot);
  status = g_test_run ();

  lectern_test_remove_tree (tmp_dir);
  g_free (page_path);
  g_free (tmp_dir);
  return status;
}
