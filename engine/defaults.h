/* defaults.h — the files that ship with Lectern's default model, found the way the model is.
 *
 * The default character language model (resources/models/default.lm, built from Debian's text
 * packages by scripts/build-default-lm.sh) is looked for in the same places as the default
 * model (lectern_model_load_default): $LECTERN_DEFAULT_LM, then the installed model folder,
 * then the source tree's resources/models for uninstalled runs. */
#pragma once

#include <glib.h>
#include "lm.h"

G_BEGIN_DECLS

#define LECTERN_DEFAULT_LM_NAME "default.lm"

/* The path of the default language model, or NULL when there is none. */
char      *lectern_default_lm_path (void);
/* Loads it; LECTERN_ERROR_IO naming the folders searched when there is none. */
LecternLm *lectern_lm_load_default (GError **error);

G_END_DECLS
