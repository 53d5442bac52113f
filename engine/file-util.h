/* file-util.h — reading files with a size cap and writing them atomically.
 *
 * Loaders read a whole file into memory before parsing it; the cap keeps a wrong or hostile
 * path (a device, a multi-gigabyte file) from turning into a huge allocation. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads a regular file of at most max_size bytes. Errors (LECTERN_ERROR_IO, _TOO_LARGE) name
 * the file. */
GBytes   *lectern_file_read_capped (const char *path, gsize max_size, GError **error);

/* Replaces path with data atomically (temporary file in the same folder, then rename), so a
 * failed write leaves any previous file intact. Errors (LECTERN_ERROR_IO) name the file. */
gboolean  lectern_file_write_atomic (const char *path, const void *data, gsize size,
                                     GError **error);

G_END_DECLS
