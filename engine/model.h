/* model.h — a recognition model: the network, its character set and its card, and the file
 * that holds them.
 *
 * File layout (little-endian):
 *   "LECTERN\x1a"           magic, 8 bytes
 *   u32 version             LECTERN_MODEL_VERSION
 *   architecture            u32 input_height, f32 mean, f32 std, u32 tile_h, u32 tile_w,
 *                           u32 n_layers, u32 units[n_layers],
 *                           n_layers−1 × (u32 sub_h, u32 sub_w, u32 features), u32 n_classes
 *   u32 length + bytes      charset: the UTF-8 characters of classes 1…N−1
 *   u32 length + bytes      card: GKeyFile text ([model] name, base, trained, lines, epochs, cer…)
 *   u64 n + f32[n]          weights, in the network's arena order
 *   32 bytes                SHA-256 of everything above
 * Loading never trusts the file: every size is bounded and checked against what remains before
 * anything is allocated; errors name the file and the problem. */
#pragma once

#include <glib.h>
#include "charset.h"
#include "network.h"

G_BEGIN_DECLS

#define LECTERN_MODEL_VERSION 1
#define LECTERN_MODEL_MAX_FILE_SIZE (G_GUINT64_CONSTANT (1) << 30)

typedef struct {
  LecternNetwork *net;
  LecternCharset *charset;
  GKeyFile       *card;     /* group "model": name, base, created, data, lines, epochs, cer, … */
} LecternModel;

/* A new model with random weights for the given charset (n_classes = charset size). */
LecternModel *lectern_model_new_random (const LecternArch *arch, const LecternCharset *charset,
                                        guint64 seed);
LecternModel *lectern_model_copy       (const LecternModel *model);
void          lectern_model_free       (LecternModel *model);

LecternModel *lectern_model_load       (const char *path, GError **error);
/* name is used in error messages. */
LecternModel *lectern_model_load_bytes (GBytes *bytes, const char *name, GError **error);
GBytes       *lectern_model_serialize  (const LecternModel *model);
/* Atomic: writes a temporary file in the same folder, then renames it. */
gboolean      lectern_model_save       (const LecternModel *model, const char *path, GError **error);

/* The model Lectern ships, looked for in this order:
 *   1. $LECTERN_DEFAULT_MODEL, when set (a file: for tests and for trying a model out);
 *   2. the copy compiled into the program (resources/models/default.lectern at build time,
 *      through resources/lectern-models.gresource.xml), so installed and uninstalled runs,
 *      the app and lectern-cli alike, need no file;
 *   3. only in a build made without that file: default.lectern in the installed model folder
 *      (LECTERN_MODEL_DIR), else in the source tree's resources/models. */
LecternModel *lectern_model_load_default  (GError **error);
/* The compiled-in copy alone (LECTERN_ERROR_UNSUPPORTED when the build has none). */
LecternModel *lectern_model_load_embedded (GError **error);
gboolean      lectern_model_has_embedded  (void);

/* Card helpers (group "model"). */
char         *lectern_model_get_info   (const LecternModel *model, const char *key);
void          lectern_model_set_info   (LecternModel *model, const char *key, const char *value);
/* The error rate the card gives: cer-after (a fine-tuned model's, on its held-out lines), else
 * validation-cer; NAN when it gives neither. */
double        lectern_model_get_card_cer (const LecternModel *model);

/* Adds output classes for characters of `extra` that the model lacks (new rows of the output
 * layer, small random weights). Returns the number of classes added. */
guint         lectern_model_extend_charset (LecternModel *model, const LecternCharset *extra,
                                            guint64 seed);

/* Widens the model's network to arch (lectern_network_widen: more units and features, the same
 * outputs) and writes the new architecture on its card. FALSE, the model unchanged, when arch is
 * not a widening of it. */
gboolean      lectern_model_widen          (LecternModel *model, const LecternArch *arch,
                                            guint64 seed, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternModel, lectern_model_free)

G_END_DECLS
