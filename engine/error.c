/* error.c — the engine's GError domain. */
#include "error.h"

G_DEFINE_QUARK (lectern-error-quark, lectern_error)
