/* error.h — the engine's GError domain.
 *
 * Every failure that a user can cause (a bad file, an absurd size, a cancelled job) comes back
 * as a GError in LECTERN_ERROR whose message names the file and the problem. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LECTERN_ERROR (lectern_error_quark ())

typedef enum {
  LECTERN_ERROR_FAILED,       /* anything else */
  LECTERN_ERROR_IO,           /* cannot read or write the file */
  LECTERN_ERROR_FORMAT,       /* the file is not what it claims, or is damaged */
  LECTERN_ERROR_TOO_LARGE,    /* a size beyond the stated limits */
  LECTERN_ERROR_UNSUPPORTED,  /* a valid file using something Lectern does not handle */
  LECTERN_ERROR_INVALID,      /* a bad argument or value */
  LECTERN_ERROR_CANCELLED,    /* the caller cancelled the work */
} LecternError;

GQuark lectern_error_quark (void);

G_END_DECLS
