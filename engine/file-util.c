/* file-util.c — reading files with a size cap and writing them atomically. */
#include "file-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

GBytes *
lectern_file_read_capped (const char *path, gsize max_size, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  g_autofree char *display = g_filename_display_name (path);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot open “%s”: %s", display,
                   g_strerror (saved));
      return NULL;
    }

  GStatBuf st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot read “%s”: not a regular file",
                   display);
      close (fd);
      return NULL;
    }
  if ((guint64) st.st_size > max_size)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot read “%s”: %" G_GUINT64_FORMAT " bytes is more than the %"
                   G_GSIZE_FORMAT " bytes allowed", display, (guint64) st.st_size, max_size);
      close (fd);
      return NULL;
    }

  /* The file may grow between fstat and read; never read more than the cap. */
  gsize capacity = (gsize) st.st_size + 1;
  guint8 *data = g_try_malloc (capacity > 0 ? capacity : 1);
  if (data == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot read “%s”: out of memory for %" G_GSIZE_FORMAT " bytes", display,
                   capacity);
      close (fd);
      return NULL;
    }
  gsize length = 0;
  for (;;)
    {
      if (length == capacity)
        {
          if (capacity > max_size)
            {
              g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                           "Cannot read “%s”: it grew beyond the %" G_GSIZE_FORMAT
                           " bytes allowed", display, max_size);
              g_free (data);
              close (fd);
              return NULL;
            }
          gsize grown = MIN (capacity * 2, max_size + 1);
          guint8 *bigger = g_try_realloc (data, grown);
          if (bigger == NULL)
            {
              g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                           "Cannot read “%s”: out of memory", display);
              g_free (data);
              close (fd);
              return NULL;
            }
          data = bigger;
          capacity = grown;
        }
      ssize_t got = read (fd, data + length, capacity - length);
      if (got < 0)
        {
          if (errno == EINTR)
            continue;
          int saved = errno;
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot read “%s”: %s", display,
                       g_strerror (saved));
          g_free (data);
          close (fd);
          return NULL;
        }
      if (got == 0)
        break;
      length += (gsize) got;
    }
  close (fd);
  if (length > max_size)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Cannot read “%s”: more than the %" G_GSIZE_FORMAT " bytes allowed", display,
                   max_size);
      g_free (data);
      return NULL;
    }
  return g_bytes_new_take (data, length);
}

gboolean
lectern_file_write_atomic (const char *path, const void *data, gsize size, GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  g_autoptr(GError) local = NULL;
  /* g_file_set_contents_full writes a temporary file beside path, syncs it and renames it. */
  if (!g_file_set_contents_full (path, data, (gssize) size, G_FILE_SET_CONTENTS_CONSISTENT, 0666,
                                 &local))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot write “%s”: %s", display,
                   local->message);
      return FALSE;
    }
  return TRUE;
}
