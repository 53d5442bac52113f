/* test-ui-recovery-save.c — a save that fails loses nothing: saving a corrected page into a
 * read-only folder, onto a full disk, or past the largest file the process may write, shows an
 * error naming the file; the page stays changed (Save still offered) and its draft stays on
 * disk; the PAGE file that was there is untouched and no temporary file is left beside it. Once
 * the cause is gone, saving again writes the corrections.
 *
 * The full disk is a small tmpfs, and the read-only folder (when permissions do not stop the
 * test, as they do not stop root) a read-only bind mount, both in a mount namespace of the
 * test's own; where the test may not mount, those cases skip and say so. The file size limit
 * (RLIMIT_FSIZE, SIGXFSZ ignored so that write() fails with EFBIG) runs in a subprocess.
 *
 * The page is a real one from ../shared (a scan and its PAGE XML); without it the tests skip. */
#define _GNU_SOURCE  /* unshare() */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "lectern-application.h"
#include "lectern-drafts.h"
#include "lectern-window.h"
#include "test-ui-common.h"
#include "testutil.h"

#define PAGE_NAME     "170025120000003,0074"
#define CORRECTION "Corrected before the save that failed"

static LecternApplication *app;
static char *tmp_dir;
static gboolean can_mount;     /* in a mount namespace of our own, allowed to mount */

/* ---- files ---------------------------------------------------------------------------------- */

/* Whether creating a file in folder is refused. */
static gboolean
writing_refused (const char *folder)
{
  g_autofree char *probe = g_build_filename (folder, "probe", NULL);
  int fd = g_open (probe, O_WRONLY | O_CREAT | O_EXCL, 0644);

  if (fd < 0)
    return TRUE;
  close (fd);
  g_unlink (probe);
  return FALSE;
}

/* ---- the page in a window ------------------------------------------------------------------- */

typedef struct {
  char          *folder;
  char          *image_path;
  char          *xml_path;
  char          *original;       /* the PAGE file as it was */
  char          *files;          /* what the folder held before the save */
  LecternWindow *window;
  LecternPage   *page;
} Fixture;

static gboolean
shown (gpointer data)
{
  LecternWindow *window = data;
  return !lectern_window_get_loading (window) && lectern_window_get_page (window) != NULL;
}

static gboolean
error_shown (gpointer data)
{
  return lectern_window_get_error_message (LECTERN_WINDOW (data)) != NULL;
}

static gboolean
saved (gpointer data)
{
  return !lectern_page_get_modified (LECTERN_PAGE (data));
}

/* Copies the page (scan and PAGE XML) into folder (which exists), opens it in a window and
 * corrects its first line; returns once the draft is on disk. FALSE (test skipped) without
 * ../shared. */
static gboolean
fixture_open (Fixture    *fixture,
              const char *folder)
{
  g_autofree char *source_image = NULL;
  g_autofree char *source_xml = NULL;
  g_autoptr(GFile) file = NULL;

  memset (fixture, 0, sizeof *fixture);
  source_image = lectern_test_shared_path ("data", "real", "kraken-es", PAGE_NAME ".jpg", NULL);
  if (source_image == NULL)
    return FALSE;
  source_xml = lectern_test_shared_path ("data", "real", "kraken-es", PAGE_NAME ".xml", NULL);
  if (source_xml == NULL)
    return FALSE;

  fixture->folder = g_strdup (folder);
  fixture->image_path = g_build_filename (folder, PAGE_NAME ".jpg", NULL);
  fixture->xml_path = g_build_filename (folder, PAGE_NAME ".xml", NULL);
  lectern_test_copy_file (source_image, fixture->image_path);
  lectern_test_copy_file (source_xml, fixture->xml_path);
  fixture->original = lectern_test_read_file (fixture->xml_path);
  g_assert_null (strstr (fixture->original, CORRECTION));

  fixture->window = lectern_window_new (app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  file = g_file_new_for_path (fixture->image_path);
  lectern_window_open (fixture->window, file);
  test_ui_wait_for (shown, fixture->window, 60000);
  fixture->page = lectern_window_get_page (fixture->window);
  g_assert_null (lectern_window_get_error_message (fixture->window));
  /* The PAGE XML beside the scan was read, and is where the page saves. */
  g_assert_cmpstr (lectern_page_get_save_path (fixture->page), ==, fixture->xml_path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->page)), >, 1);

  lectern_page_set_line_text (fixture->page, lectern_page_get_line (fixture->page, 0),
                              CORRECTION);
  g_assert_true (lectern_page_get_modified (fixture->page));
  test_ui_wait_for (test_ui_draft_on_disk, fixture->page, 30000);
  fixture->files = lectern_test_list_folder (folder);
  return TRUE;
}

/* Saves through the window (Ctrl+S), which fails: checks that nothing is lost. */
static void
fixture_save_fails (Fixture *fixture)
{
  g_autofree char *basename = g_path_get_basename (fixture->xml_path);
  g_autofree char *now = NULL;
  g_autofree char *files = NULL;
  const char *message;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "save", NULL);
  test_ui_wait_for (error_shown, fixture->window, 60000);
  message = lectern_window_get_error_message (fixture->window);
  g_test_message ("the window says: %s", message);
  /* The error names the file. */
  g_assert_nonnull (strstr (message, basename));

  /* The corrections are still here, still unsaved, and still in the draft. */
  g_assert_true (lectern_page_get_modified (fixture->page));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "save"));
  g_assert_cmpstr (lectern_page_line_get_text (lectern_page_get_line (fixture->page, 0)), ==,
                   CORRECTION);
  g_assert_true (lectern_drafts_exists (fixture->image_path));
  {
    g_autoptr(GPtrArray) drafts = lectern_drafts_list ();
    g_autofree char *draft = NULL;

    g_assert_cmpuint (drafts->len, ==, 1);
    draft = lectern_test_read_file (((LecternDraft *) drafts->pdata[0])->xml_path);
    g_assert_nonnull (strstr (draft, CORRECTION));
  }

  /* The old file is whole, and nothing was left beside it. */
  now = lectern_test_read_file (fixture->xml_path);
  g_assert_cmpstr (now, ==, fixture->original);
  files = lectern_test_list_folder (fixture->folder);
  g_assert_cmpstr (files, ==, fixture->files);
}

/* Saves again (the cause of the failure gone): the corrections reach the file, and the draft
 * goes. */
static void
fixture_save_succeeds (Fixture *fixture)
{
  g_autofree char *now = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "save", NULL);
  test_ui_wait_for (saved, fixture->page, 60000);
  now = lectern_test_read_file (fixture->xml_path);
  g_assert_nonnull (strstr (now, CORRECTION));
  g_assert_false (lectern_drafts_exists (fixture->image_path));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "save"));
}

static void
fixture_close (Fixture *fixture)
{
  LecternWindow *window = fixture->window;

  if (window != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
      lectern_window_close_discarding (window);
      while (window != NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  if (fixture->image_path != NULL)
    {
      lectern_drafts_remove (fixture->image_path);
      g_unlink (fixture->image_path);
      g_unlink (fixture->xml_path);
    }
  g_free (fixture->folder);
  g_free (fixture->image_path);
  g_free (fixture->xml_path);
  g_free (fixture->original);
  g_free (fixture->files);
}

/* ---- the cases ------------------------------------------------------------------------------ */

static void
test_read_only_folder (void)
{
  g_autofree char *folder = g_build_filename (tmp_dir, "read-only", NULL);
  gboolean bound = FALSE;
  Fixture fixture;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  if (!fixture_open (&fixture, folder))
    return;

  /* Permissions first; root writes through them, so then a read-only bind mount. */
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);
  if (!writing_refused (folder) && can_mount)
    {
      g_assert_cmpint (mount (folder, folder, NULL, MS_BIND, NULL), ==, 0);
      bound = TRUE;
      g_assert_cmpint (mount (NULL, folder, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), ==, 0);
    }
  if (!writing_refused (folder))
    {
      g_test_skip ("this test runs as root and may not mount: no folder it cannot write to");
      g_chmod (folder, 0755);
      fixture_close (&fixture);
      return;
    }

  fixture_save_fails (&fixture);

  if (bound)
    g_assert_cmpint (umount (folder), ==, 0);
  g_assert_cmpint (g_chmod (folder, 0755), ==, 0);
  fixture_save_succeeds (&fixture);
  fixture_close (&fixture);
}

/* Fills the file system of folder to the last byte: the name of the file that does it. */
static char *
fill_disk (const char *folder)
{
  char *path = g_build_filename (folder, "filler", NULL);
  static const char block[4096];
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  g_assert_cmpint (fd, >=, 0);
  while (TRUE)
    {
      ssize_t n = write (fd, block, sizeof block);
      if (n < 0)
        {
          g_assert_cmpint (errno, ==, ENOSPC);
          break;
        }
    }
  /* The last bytes a whole block did not fit into. */
  while (write (fd, block, 1) == 1)
    ;
  close (fd);
  return path;
}

static void
test_full_disk (void)
{
  g_autofree char *folder = g_build_filename (tmp_dir, "full-disk", NULL);
  g_autofree char *filler = NULL;
  Fixture fixture;

  if (!can_mount)
    {
      g_test_skip ("no full disk to save onto: this test may not mount a tmpfs (it needs root "
                   "and a mount namespace of its own)");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  /* Room for the page (an 82 kB scan and a 23 kB PAGE file) and a little more. */
  g_assert_cmpint (mount ("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755"),
                   ==, 0);
  if (!fixture_open (&fixture, folder))
    {
      umount (folder);
      return;
    }

  filler = fill_disk (folder);
  g_free (fixture.files);
  fixture.files = lectern_test_list_folder (folder);
  fixture_save_fails (&fixture);

  g_assert_cmpint (g_unlink (filler), ==, 0);
  fixture_save_succeeds (&fixture);
  fixture_close (&fixture);
  g_assert_cmpint (umount (folder), ==, 0);
}

/* In a subprocess: the largest file it may write is smaller than the page's PAGE XML. */
static void
test_file_size_limit (void)
{
  g_autofree char *folder = g_build_filename (tmp_dir, "size-limit", NULL);
  Fixture fixture;

  if (!g_test_subprocess ())
    {
      g_autofree char *shared = lectern_test_shared_path ("data", "real", "kraken-es",
                                                          PAGE_NAME ".jpg", NULL);
      /* Skipped here, not in the subprocess (where a skip would read as a pass). */
      if (shared == NULL)
        return;
      g_test_trap_subprocess (NULL, 300 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  if (!fixture_open (&fixture, folder))
    return;

  {
    struct rlimit limit = { 0, 0 };

    /* Past it, write() fails with EFBIG rather than the process being killed. */
    signal (SIGXFSZ, SIG_IGN);
    g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
    limit.rlim_cur = strlen (fixture.original) / 2;
    g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
    fixture_save_fails (&fixture);

    limit.rlim_cur = limit.rlim_max;
    g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  }
  fixture_save_succeeds (&fixture);
  fixture_close (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int status;

  /* Before any thread starts: a mount namespace of this process's own, whose mounts nobody
   * else sees and which go when it ends. Only root (or a process with CAP_SYS_ADMIN) gets it. */
  if (unshare (CLONE_NEWNS) == 0 && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
    can_mount = TRUE;

  tmp_dir = g_dir_make_tmp ("lectern-test-save-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("LECTERN_DEFAULT_MODEL", "/nonexistent/default.lectern", TRUE);

  gtk_test_init (&argc, &argv, NULL);

  app = lectern_application_new ();
  /* An id of its own: a subprocess of this test must not hand its work to its parent. */
  if (g_test_subprocess ())
    g_application_set_application_id (G_APPLICATION (app), APP_ID ".SaveTestSubprocess");
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/Lectern/Recovery/save-read-only-folder", test_read_only_folder);
  g_test_add_func ("/Lectern/Recovery/save-full-disk", test_full_disk);
  g_test_add_func ("/Lectern/Recovery/save-file-size-limit", test_file_size_limit);

  status = g_test_run ();

  g_object_unref (app);
  lectern_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
