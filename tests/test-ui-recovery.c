/* test-ui-recovery.c — no work lost when Lectern is killed in the middle of editing.
 *
 * The real `lectern` program (LECTERN_APP) runs under Xvfb on a copy of a real page (a scan and
 * its PAGE XML from ../shared). Two lines are corrected from the keyboard, as a person would
 * (xdotool types into the line editor); once the draft holds the second correction the program
 * is killed with SIGKILL. The PAGE file must be exactly as it was, and the next start must offer
 * the corrections back: the test restores them and saves through the window's actions, which
 * GtkApplication publishes on the session bus (org.gtk.Actions), and finds them in the PAGE
 * file.
 *
 * Run it with its own X server and session bus (tests/meson.build). It skips, saying why, when
 * ../shared or xdotool is missing. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "testutil.h"

#define PAGE_NAME     "170025120000003,0074"
#define FIRST_TEXT    "Recovered after the crash, first line"
#define SECOND_TEXT   "and the second line typed just before it"

/* Generous: the machine that runs the tests may be loaded (software rendering under Xvfb). */
#define WAIT_SECONDS  90

static char *tmp_dir;
static char *xdotool;

/* ---- the program and its window ------------------------------------------------------------- */

static GSubprocess *
start_lectern (const char *page_path,
               const char *log_name)
{
  const char *app = g_getenv ("LECTERN_APP");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *log_path = g_build_filename (tmp_dir, log_name, NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (app);
  /* Its output goes to a file: the test speaks TAP on stdout. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  if (page_path != NULL)
    process = g_subprocess_launcher_spawn (launcher, &error, app, page_path, NULL);
  else
    process = g_subprocess_launcher_spawn (launcher, &error, app, NULL);
  g_assert_no_error (error);
  return process;
}

/* Fails the test, showing what the program printed. */
static void G_GNUC_NORETURN
fail_with_log (const char *log_name,
               const char *what)
{
  g_autofree char *log_path = g_build_filename (tmp_dir, log_name, NULL);
  g_autofree char *log = NULL;

  g_file_get_contents (log_path, &log, NULL, NULL);
  g_printerr ("lectern printed:\n%s\n", log != NULL ? log : "(nothing)");
  g_error ("%s", what);
}

/* Runs xdotool with args; its output (trimmed), or NULL when it failed. */
static char *
run_xdotool (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *output = NULL;
  int wait_status;

  g_ptr_array_add (argv, xdotool);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &output, NULL, &wait_status, NULL)
      || !g_spawn_check_wait_status (wait_status, NULL))
    return NULL;
  return g_strstrip (g_steal_pointer (&output));
}

/* The X window whose title is title, once it is shown; NULL if none comes in time. */
static char *
wait_for_window (const char *title)
{
  g_autofree char *pattern = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  /* xdotool matches a regular expression: the whole title, its dots literal. */
  {
    g_autofree char *escaped = g_regex_escape_string (title, -1);
    pattern = g_strdup_printf ("^%s$", escaped);
  }
  while (g_get_monotonic_time () < deadline)
    {
      const char *args[] = { "search", "--onlyvisible", "--name", pattern, NULL };
      g_autofree char *found = run_xdotool (args);

      if (found != NULL && found[0] != '\0')
        {
          char *newline = strchr (found, '\n');
          if (newline != NULL)
            *newline = '\0';
          return g_steal_pointer (&found);
        }
      g_usleep (G_USEC_PER_SEC / 5);
    }
  return NULL;
}

/* ---- the window's actions over D-Bus -------------------------------------------------------- */

static char *
app_object_path (void)
{
  g_autofree char *dotted = g_strconcat ("/", APP_ID, NULL);
  return g_strdelimit (g_steal_pointer (&dotted), ".", '/');
}

/* The first window's actions (GtkApplicationWindow numbers them from 1 in each process). */
static char *
window_object_path (void)
{
  g_autofree char *app = app_object_path ();
  return g_strconcat (app, "/window/1", NULL);
}

/* Whether the window's action is enabled; FALSE too when the window is not there (yet). */
static gboolean
action_enabled (GDBusConnection *bus,
                const char      *action,
                gboolean        *reachable)
{
  g_autofree char *path = window_object_path ();
  g_autoptr(GVariant) reply = NULL;
  gboolean enabled = FALSE;

  reply = g_dbus_connection_call_sync (bus, APP_ID, path, "org.gtk.Actions", "Describe",
                                       g_variant_new ("(s)", action),
                                       G_VARIANT_TYPE ("((bgav))"),
                                       G_DBUS_CALL_FLAGS_NONE, 60000, NULL, NULL);
  if (reachable != NULL)
    *reachable = reply != NULL;
  if (reply != NULL)
    g_variant_get (reply, "((b@g@av))", &enabled, NULL, NULL);
  return enabled;
}

static void
activate_action (GDBusConnection *bus,
                 const char      *object_path,
                 const char      *action)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (bus, APP_ID, object_path, "org.gtk.Actions", "Activate",
                                       g_variant_new ("(s@av@a{sv})", action,
                                                      g_variant_new_array (G_VARIANT_TYPE_VARIANT,
                                                                           NULL, 0),
                                                      g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                                           NULL, 0)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
wait_for_action (GDBusConnection *bus,
                 const char      *action,
                 gboolean         enabled)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      gboolean reachable;
      if (action_enabled (bus, action, &reachable) == enabled && reachable)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  return FALSE;
}

/* ---- files ---------------------------------------------------------------------------------- */

/* The draft document of the one page being edited, or NULL while there is none. */
static char *
read_draft (void)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "lectern", "drafts", NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".draft"))
      {
        g_autofree char *base = g_strndup (name, strlen (name) - strlen (".draft"));
        g_autofree char *xml_name = g_strconcat (base, ".xml", NULL);
        g_autofree char *xml_path = g_build_filename (folder, xml_name, NULL);
        char *contents = NULL;

        if (g_file_get_contents (xml_path, &contents, NULL, NULL))
          return contents;
      }
  return NULL;
}

static gboolean
wait_for_draft_with (const char *text)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *draft = read_draft ();
      if (draft != NULL && strstr (draft, text) != NULL)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  return FALSE;
}

static guint
count_occurrences (const char *haystack,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* ---- the test ------------------------------------------------------------------------------- */

/* Gives window the keyboard (there is no window manager under Xvfb to do it). */
static void
focus_window (const char *window)
{
  const char *focus[] = { "windowfocus", "--sync", window, NULL };
  g_autofree char *done = run_xdotool (focus);

  g_assert_nonnull (done);
}

/* Types text over the line editor's text (which has the keyboard focus), and Enter to store
 * it. */
static void
type_line (const char *text)
{
  const char *select_all[] = { "key", "--clearmodifiers", "ctrl+a", NULL };
  const char *type[] = { "type", "--clearmodifiers", "--delay", "20", text, NULL };
  const char *enter[] = { "key", "--clearmodifiers", "Return", NULL };
  const char * const *steps[] = { select_all, type, enter };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *done = run_xdotool (steps[i]);
      g_assert_nonnull (done);
    }
}

static void
test_kill_while_editing (void)
{
  g_autofree char *source_image = NULL;
  g_autofree char *source_xml = NULL;
  g_autofree char *page_dir = g_build_filename (tmp_dir, "pages", NULL);
  g_autofree char *image_path = g_build_filename (page_dir, PAGE_NAME ".jpg", NULL);
  g_autofree char *xml_path = g_build_filename (page_dir, PAGE_NAME ".xml", NULL);
  g_autofree char *app_path = app_object_path ();
  g_autofree char *original = NULL;
  g_autofree char *files_before = NULL;
  g_autofree char *files_after = NULL;
  g_autofree char *window = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  if (xdotool == NULL)
    {
      g_test_skip ("xdotool is not installed (apt-get install xdotool): it types the edits");
      return;
    }
  source_image = lectern_test_shared_path ("data", "real", "kraken-es", PAGE_NAME ".jpg", NULL);
  if (source_image == NULL)
    return;
  source_xml = lectern_test_shared_path ("data", "real", "kraken-es", PAGE_NAME ".xml", NULL);
  if (source_xml == NULL)
    return;

  g_assert_cmpint (g_mkdir_with_parents (page_dir, 0700), ==, 0);
  lectern_test_copy_file (source_image, image_path);
  lectern_test_copy_file (source_xml, xml_path);
  original = lectern_test_read_file (xml_path);
  files_before = lectern_test_list_folder (page_dir);
  g_assert_cmpuint (count_occurrences (original, FIRST_TEXT), ==, 0);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  /* The first run: open the page, correct two lines from the keyboard. */
  first = start_lectern (image_path, "first.log");
  window = wait_for_window (PAGE_NAME ".jpg — Lectern");
  if (window == NULL)
    fail_with_log ("first.log", "the window with the page never showed");
  if (!wait_for_action (bus, "edit-line", TRUE))
    fail_with_log ("first.log", "the page's lines never became editable");
  g_assert_false (action_enabled (bus, "save", NULL));

  /* Edit line (Ctrl+E): the keyboard goes to the first line's text, which makes it the current
   * line (the first of several: it can move down). Enter stores the text and moves on to the
   * next line (which can move up). */
  focus_window (window);
  g_assert_false (action_enabled (bus, "move-line-down", NULL));
  {
    g_autofree char *object_path = window_object_path ();
    activate_action (bus, object_path, "edit-line");
  }
  if (!wait_for_action (bus, "move-line-down", TRUE))
    fail_with_log ("first.log", "Edit line did not take the keyboard to the first line");
  type_line (FIRST_TEXT);
  if (!wait_for_draft_with (FIRST_TEXT))
    fail_with_log ("first.log", "no draft with the first correction was written");
  g_assert_true (action_enabled (bus, "save", NULL));
  if (!wait_for_action (bus, "move-line-up", TRUE))
    fail_with_log ("first.log", "Enter did not take the keyboard to the second line");
  type_line (SECOND_TEXT);
  if (!wait_for_draft_with (SECOND_TEXT))
    fail_with_log ("first.log", "no draft with the second correction was written");

  /* The crash. */
  g_subprocess_send_signal (first, SIGKILL);
  g_subprocess_wait (first, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (first));
  g_assert_cmpint (g_subprocess_get_term_sig (first), ==, SIGKILL);

  /* Nothing was written over the page; nothing half-written lies beside it. */
  {
    g_autofree char *now = lectern_test_read_file (xml_path);
    g_assert_cmpstr (now, ==, original);
  }
  files_after = lectern_test_list_folder (page_dir);
  g_assert_cmpstr (files_after, ==, files_before);
  {
    g_autofree char *draft = read_draft ();
    g_assert_nonnull (draft);
    g_assert_nonnull (strstr (draft, FIRST_TEXT));
    g_assert_nonnull (strstr (draft, SECOND_TEXT));
  }

  /* The next start, with no page asked for: the window offers the draft back. Restoring it
   * shows the page, changed and not yet saved. */
  second = start_lectern (NULL, "second.log");
  g_free (window);
  window = wait_for_window ("Lectern");
  if (window == NULL)
    fail_with_log ("second.log", "the window of the second start never showed");
  if (!wait_for_action (bus, "restore-drafts", TRUE))
    fail_with_log ("second.log", "the second start has no window actions");
  {
    g_autofree char *object_path = window_object_path ();
    activate_action (bus, object_path, "restore-drafts");
  }
  g_free (window);
  window = wait_for_window (PAGE_NAME ".jpg — Lectern");
  if (window == NULL)
    fail_with_log ("second.log", "the restored page was never shown");
  if (!wait_for_action (bus, "save", TRUE))
    fail_with_log ("second.log", "the restored page is not marked as changed");
  {
    g_autofree char *now = lectern_test_read_file (xml_path);
    g_assert_cmpstr (now, ==, original);
  }

  /* Saving writes both corrections into the PAGE file, every line still there, and removes
   * the draft. */
  {
    g_autofree char *object_path = window_object_path ();
    activate_action (bus, object_path, "save");
  }
  if (!wait_for_action (bus, "save", FALSE))
    fail_with_log ("second.log", "saving the restored page did not finish");
  saved = lectern_test_read_file (xml_path);
  g_assert_nonnull (strstr (saved, FIRST_TEXT));
  g_assert_nonnull (strstr (saved, SECOND_TEXT));
  g_assert_cmpuint (count_occurrences (saved, "<TextLine "), ==,
                    count_occurrences (original, "<TextLine "));
  {
    g_autofree char *draft = read_draft ();
    g_assert_null (draft);
  }

  /* Quit: the program ends normally. */
  activate_action (bus, app_path, "quit");
  g_subprocess_wait_check (second, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *homes[][2] = {
    { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_STATE_HOME", "state" },
  };
  int status;

  tmp_dir = g_dir_make_tmp ("lectern-test-recovery-XXXXXX", &error);
  g_assert_no_error (error);
  /* The program and the test share these: drafts, settings and caches of their own. */
  for (guint i = 0; i < G_N_ELEMENTS (homes); i++)
    {
      g_autofree char *path = g_build_filename (tmp_dir, homes[i][1], NULL);
      g_setenv (homes[i][0], path, TRUE);
    }
  /* No model to load: recognition plays no part here. */
  g_setenv ("LECTERN_DEFAULT_MODEL", "/nonexistent/default.lectern", TRUE);
  xdotool = g_find_program_in_path ("xdotool");

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Recovery/kill-while-editing", test_kill_while_editing);
  status = g_test_run ();

  lectern_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (xdotool);
  return status;
}
