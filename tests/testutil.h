/* testutil.h — helpers shared by the test programs. */
#pragma once

#include <glib.h>
#include <stdarg.h>

G_BEGIN_DECLS

/* Appends first and the strings after it in ap up to NULL, then NULL, to args (pointers, not
 * copies). */
void lectern_test_append_args (GPtrArray *args, const char *first, va_list ap);

/* The ../shared folder beside the project (LECTERN_SHARED_DIR), or NULL when it is absent. */
const char *lectern_test_shared_dir (void);

/* A path under ../shared, or NULL (and the current test marked skipped with a message naming
 * the path) when it is absent. Free with g_free. */
char *lectern_test_shared_path (const char *first, ...) G_GNUC_NULL_TERMINATED;

/* Largest absolute difference and largest difference relative to max(1, |b|). */
double lectern_test_max_abs_diff (const float *a, const double *b, gsize n);

/* ---- programs ---- */

/* How a program run by a test ended, and what it printed. */
typedef struct {
  int   status;   /* exit status */
  char *out;
  char *err;
} LecternTestRun;

void lectern_test_run_clear (LecternTestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LecternTestRun, lectern_test_run_clear)

/* Runs the build folder's lectern-cli with the arguments (NULL-terminated; first NULL for none)
 * in the C locale and waits for it; the test fails unless it ends with an exit status (not a
 * signal). */
void lectern_test_run_cli (LecternTestRun *run, const char *first, ...);
/* The same with the arguments as a NULL-terminated array. */
void lectern_test_run_cli_argv (LecternTestRun *run, const char *const *argv);

/* ---- files ---- */

/* A file's contents (the test fails when it cannot be read). Free with g_free. */
char *lectern_test_read_file (const char *path);
/* Copies from to to (the test fails when it cannot). */
void lectern_test_copy_file (const char *from, const char *to);
/* The names in folder, sorted, joined by single spaces. Free with g_free. */
char *lectern_test_list_folder (const char *folder);
/* Removes path: a file, or a folder and everything under it (links are removed, not followed). */
void lectern_test_remove_tree (const char *path);

G_END_DECLS
