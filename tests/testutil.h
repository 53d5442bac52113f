/* testutil.h — helpers shared by the test programs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The ../shared folder beside the project (LECTERN_SHARED_DIR), or NULL when it is absent. */
const char *lectern_test_shared_dir (void);

/* A path under ../shared, or NULL (and the current test marked skipped with a message naming
 * the path) when it is absent. Free with g_free. */
char *lectern_test_shared_path (const char *first, ...) G_GNUC_NULL_TERMINATED;

/* Largest absolute difference and largest difference relative to max(1, |b|). */
double lectern_test_max_abs_diff (const float *a, const double *b, gsize n);

G_END_DECLS
