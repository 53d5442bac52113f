/* lectern-model-store.h — the user's model folder and the model list the manager shows.
 *
 * Models a person trained live in $XDG_DATA_HOME/lectern/models/, one NAME.lectern file each (the
 * name shown is the card's). The model Lectern ships (compiled in, see model.h) is listed first
 * and is never written over, renamed or deleted. The default model is named by the GSettings key
 * "model-path" (empty: the shipped one). Every write is atomic. */
#pragma once

#include <gio/gio.h>

#include "model.h"

G_BEGIN_DECLS

typedef struct {
  char     *path;      /* NULL: the shipped model */
  char     *name;      /* the card's name, else the file name */
  char     *date;      /* when it was trained (the card's ISO 8601 stamp), or NULL */
  double    cer;       /* the card's error rate (lectern_model_get_card_cer), NAN if none */
  GKeyFile *card;      /* every field of the card (group "model"); empty when unreadable */
  char     *error;     /* why the file could not be read, or NULL */
} LecternModelInfo;

void              lectern_model_info_free      (LecternModelInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternModelInfo, lectern_model_info_free)

/* The folder of user models (not created). */
char             *lectern_model_store_get_dir  (void);
/* Whether path is a model file in that folder (so the manager may rename or delete it). */
gboolean          lectern_model_store_contains (const char *path);
/* The shipped model first, then the user's models, newest first (LecternModelInfo*). */
GPtrArray        *lectern_model_store_list     (void);
/* Card of one model file (path NULL: the shipped model). */
LecternModelInfo *lectern_model_store_read     (const char *path);
/* A new, unused file name in the folder (created if needed) for a model called name. */
char             *lectern_model_store_new_path (const char *name, GError **error);
/* Sets the card's name of a user model (the file is rewritten atomically; its path stays). */
gboolean          lectern_model_store_rename   (const char *path, const char *name,
                                                GError **error);
/* Deletes a user model; the shipped model and files outside the folder are refused. */
gboolean          lectern_model_store_delete   (const char *path, GError **error);

/* The default model's file from settings: NULL for the shipped model, or when the file chosen
 * is gone (settings NULL: the shipped model). */
char             *lectern_model_store_get_default (GSettings *settings);

G_END_DECLS
