/* model.c — model files: write, read (defensively), copy, extend the character set. */
#include "config.h"
#include "model.h"
#include "error.h"
#include "rng.h"
#ifdef LECTERN_EMBEDDED_MODEL
#include "lectern-model-resources.h"
#endif

#include <gio/gio.h>
#include <math.h>
#include <string.h>

static const char MAGIC[8] = { 'L', 'E', 'C', 'T', 'E', 'R', 'N', 0x1a };
#define CHECKSUM_LEN 32
#define MAX_TEXT_LEN (1u << 20)

LecternModel *
lectern_model_new_random (const LecternArch *arch, const LecternCharset *charset, guint64 seed)
{
  LecternArch a = *arch;
  a.n_classes = (int) lectern_charset_size (charset);
  LecternModel *m = g_new0 (LecternModel, 1);
  m->net = lectern_network_new (&a);
  lectern_network_init_random (m->net, seed);
  m->charset = lectern_charset_copy (charset);
  m->card = g_key_file_new ();
  return m;
}

double
lectern_model_get_card_cer (const LecternModel *model)
{
  static const char *const keys[] = { "cer-after", "validation-cer" };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = lectern_model_get_info (model, keys[i]);
      char *end = NULL;
      double cer = value != NULL ? g_ascii_strtod (value, &end) : NAN;
      if (value != NULL && end != value && isfinite (cer) && cer >= 0)
        return cer;
    }
  return NAN;
}

static GKeyFile *
key_file_copy (GKeyFile *kf)
{
  GKeyFile *copy = g_key_file_new ();
  gsize len;
  g_autofree char *data = g_key_file_to_data (kf, &len, NULL);
  g_key_file_load_from_data (copy, data, len, G_KEY_FILE_KEEP_COMMENTS, NULL);
  return copy;
}

LecternModel *
lectern_model_copy (const LecternModel *model)
{
  LecternModel *m = g_new0 (LecternModel, 1);
  m->net = lectern_network_copy (model->net);
  m->charset = lectern_charset_copy (model->charset);
  m->card = key_file_copy (model->card);
  return m;
}

void
lectern_model_free (LecternModel *model)
{
  if (model == NULL)
    return;
  lectern_network_free (model->net);
  lectern_charset_free (model->charset);
  g_key_file_unref (model->card);
  g_free (model);
}

char *
lectern_model_get_info (const LecternModel *model, const char *key)
{
  return g_key_file_get_string (model->card, "model", key, NULL);
}

void
lectern_model_set_info (LecternModel *model, const char *key, const char *value)
{
  g_key_file_set_string (model->card, "model", key, value);
}

/* ---- writing ------------------------------------------------------------------------- */

static void
put_u32 (GByteArray *out, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &le, 4);
}

static void
put_f32 (GByteArray *out, float f)
{
  union { float f; guint32 u; } v = { .f = f };
  put_u32 (out, v.u);
}

static void
put_blob (GByteArray *out, const char *data, gsize len)
{
  put_u32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) data, (guint) len);
}

GBytes *
lectern_model_serialize (const LecternModel *model)
{
  const LecternArch *a = &model->net->arch;
  GByteArray *out = g_byte_array_new ();
  g_byte_array_append (out, (const guint8 *) MAGIC, sizeof MAGIC);
  put_u32 (out, LECTERN_MODEL_VERSION);
  put_u32 (out, a->input_height);
  put_f32 (out, a->input_mean);
  put_f32 (out, a->input_std);
  put_u32 (out, a->tile_h);
  put_u32 (out, a->tile_w);
  put_u32 (out, a->n_layers);
  for (int l = 0; l < a->n_layers; l++)
    put_u32 (out, a->units[l]);
  for (int l = 0; l < a->n_layers - 1; l++)
    {
      put_u32 (out, a->sub_h[l]);
      put_u32 (out, a->sub_w[l]);
      put_u32 (out, a->sub_features[l]);
    }
  put_u32 (out, a->n_classes);
  gsize len;
  g_autofree char *cs = lectern_charset_to_string (model->charset, &len);
  put_blob (out, cs, len);
  g_autofree char *card = g_key_file_to_data (model->card, &len, NULL);
  put_blob (out, card, len);
  guint64 n = GUINT64_TO_LE ((guint64) model->net->n_params);
  g_byte_array_append (out, (const guint8 *) &n, 8);
  for (gsize i = 0; i < model->net->n_params; i++)
    put_f32 (out, model->net->params[i]);
  guint8 digest[CHECKSUM_LEN];
  gsize dlen = sizeof digest;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, out->data, out->len);
  g_checksum_get_digest (sum, digest, &dlen);
  g_checksum_free (sum);
  g_byte_array_append (out, digest, CHECKSUM_LEN);
  return g_byte_array_free_to_bytes (out);
}

gboolean
lectern_model_save (const LecternModel *model, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = lectern_model_serialize (model);
  g_autoptr (GError) local = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  /* g_file_set_contents writes a temporary file beside the target and renames it over */
  if (!g_file_set_contents (path, data, (gssize) len, &local))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot save model %s: %s", path,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- reading ------------------------------------------------------------------------- */

typedef struct {
  const guint8 *data;
  gsize         len, at;
  const char   *name;
  GError      **error;
} Reader;

static gboolean
need (Reader *r, gsize n, const char *what)
{
  if (r->len - r->at < n)
    {
      g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s is truncated: it ends at byte %zu while reading %s",
                   r->name, r->len, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_u32 (Reader *r, guint32 *v, const char *what)
{
  if (!need (r, 4, what))
    return FALSE;
  guint32 le;
  memcpy (&le, r->data + r->at, 4);
  *v = GUINT32_FROM_LE (le);
  r->at += 4;
  return TRUE;
}

static gboolean
get_int (Reader *r, int *v, guint32 max, const char *what)
{
  guint32 u;
  if (!get_u32 (r, &u, what))
    return FALSE;
  if (u > max)
    {
      g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s is damaged: %s is %u (at most %u)", r->name, what, u, max);
      return FALSE;
    }
  *v = (int) u;
  return TRUE;
}

static gboolean
get_f32 (Reader *r, float *f, const char *what)
{
  union { float f; guint32 u; } v;
  if (!get_u32 (r, &v.u, what))
    return FALSE;
  *f = v.f;
  return TRUE;
}

static gboolean
get_blob (Reader *r, const char **data, gsize *len, const char *what)
{
  guint32 n;
  if (!get_u32 (r, &n, what))
    return FALSE;
  if (n > MAX_TEXT_LEN)
    {
      g_set_error (r->error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s is damaged: %s claims %u bytes", r->name, what, n);
      return FALSE;
    }
  if (!need (r, n, what))
    return FALSE;
  *data = (const char *) r->data + r->at;
  *len = n;
  r->at += n;
  return TRUE;
}

LecternModel *
lectern_model_load_bytes (GBytes *bytes, const char *name, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Reader r = { data, len, 0, name, error };

  if (len < sizeof MAGIC || memcmp (data, MAGIC, sizeof MAGIC) != 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "%s is not a Lectern model file (wrong magic number)", name);
      return NULL;
    }
  r.at = sizeof MAGIC;
  guint32 version;
  if (!get_u32 (&r, &version, "the format version"))
    return NULL;
  if (version != LECTERN_MODEL_VERSION)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   "Model file %s has format version %u; this Lectern reads version %u",
                   name, version, LECTERN_MODEL_VERSION);
      return NULL;
    }

  LecternArch a;
  memset (&a, 0, sizeof a);
  if (!get_int (&r, &a.input_height, 1024, "the input height")
      || !get_f32 (&r, &a.input_mean, "the input mean")
      || !get_f32 (&r, &a.input_std, "the input deviation")
      || !get_int (&r, &a.tile_h, 16, "the tile height")
      || !get_int (&r, &a.tile_w, 16, "the tile width")
      || !get_int (&r, &a.n_layers, LECTERN_MAX_LAYERS, "the number of layers"))
    return NULL;
  for (int l = 0; l < a.n_layers; l++)
    if (!get_int (&r, &a.units[l], 512, "a layer's unit count"))
      return NULL;
  for (int l = 0; l < a.n_layers - 1; l++)
    if (!get_int (&r, &a.sub_h[l], 16, "a subsampling height")
        || !get_int (&r, &a.sub_w[l], 16, "a subsampling width")
        || !get_int (&r, &a.sub_features[l], 1024, "a subsampling feature count"))
      return NULL;
  if (!get_int (&r, &a.n_classes, 65536, "the class count"))
    return NULL;
  g_autoptr (GError) local = NULL;
  if (!lectern_arch_validate (&a, &local))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT, "Model file %s is damaged: %s",
                   name, local->message);
      return NULL;
    }

  const char *cs_data, *card_data;
  gsize cs_len, card_len;
  if (!get_blob (&r, &cs_data, &cs_len, "the character set")
      || !get_blob (&r, &card_data, &card_len, "the model card"))
    return NULL;

  if (!need (&r, 8, "the weight count"))
    return NULL;
  guint64 n_params;
  memcpy (&n_params, data + r.at, 8);
  n_params = GUINT64_FROM_LE (n_params);
  r.at += 8;
  if (n_params != lectern_arch_n_params (&a))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s is damaged: it holds %" G_GUINT64_FORMAT " weights, its "
                   "architecture needs %zu", name, n_params, lectern_arch_n_params (&a));
      return NULL;
    }
  /* the size was checked against the architecture's bound above, so this cannot overflow */
  if (!need (&r, n_params * 4 + CHECKSUM_LEN, "the weights"))
    return NULL;
  const gsize weights_at = r.at;
  r.at += n_params * 4;

  guint8 digest[CHECKSUM_LEN];
  gsize dlen = sizeof digest;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, data, r.at);
  g_checksum_get_digest (sum, digest, &dlen);
  g_checksum_free (sum);
  if (memcmp (digest, data + r.at, CHECKSUM_LEN) != 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s is damaged: its checksum does not match its contents", name);
      return NULL;
    }
  if (r.at + CHECKSUM_LEN != len)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s is damaged: %zu unexpected bytes after the checksum",
                   name, len - r.at - CHECKSUM_LEN);
      return NULL;
    }

  g_autoptr (LecternCharset) cs = lectern_charset_from_string (cs_data, cs_len, &local);
  if (cs == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s has a bad character set: %s", name, local->message);
      return NULL;
    }
  if ((int) lectern_charset_size (cs) != a.n_classes)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s is damaged: %u characters for %d output classes",
                   name, lectern_charset_size (cs), a.n_classes);
      return NULL;
    }
  GKeyFile *card = g_key_file_new ();
  if (card_len > 0 && !g_key_file_load_from_data (card, card_data, card_len, G_KEY_FILE_NONE, &local))
    {
      g_key_file_unref (card);
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   "Model file %s has a bad model card: %s", name, local->message);
      return NULL;
    }

  LecternModel *m = g_new0 (LecternModel, 1);
  m->net = lectern_network_new (&a);
  for (gsize i = 0; i < n_params; i++)
    {
      guint32 u;
      memcpy (&u, data + weights_at + 4 * i, 4);
      union { guint32 u; float f; } v = { .u = GUINT32_FROM_LE (u) };
      /* NaN or infinite weights (a diverged training) could only ever give NaN scores */
      if (!isfinite (v.f))
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                       "Model file %s is damaged: weight %zu of %" G_GUINT64_FORMAT
                       " is not a finite number", name, i, n_params);
          g_key_file_unref (card);
          lectern_network_free (m->net);
          g_free (m);
          return NULL;
        }
      m->net->params[i] = v.f;
    }
  m->charset = g_steal_pointer (&cs);
  m->card = card;
  return m;
}

LecternModel *
lectern_model_load (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) local = NULL;
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                                  G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                  G_FILE_QUERY_INFO_NONE, NULL, &local);
  if (info == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot open model %s: %s", path,
                   local->message);
      return NULL;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Model %s is not a regular file", path);
      return NULL;
    }
  if ((guint64) g_file_info_get_size (info) > LECTERN_MODEL_MAX_FILE_SIZE)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "Model file %s is too large (%" G_GINT64_FORMAT " bytes)", path,
                   g_file_info_get_size (info));
      return NULL;
    }
  g_autoptr (GBytes) bytes = g_file_load_bytes (file, NULL, NULL, &local);
  if (bytes == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "Cannot read model %s: %s", path,
                   local->message);
      return NULL;
    }
  return lectern_model_load_bytes (bytes, path, error);
}

guint
lectern_model_extend_charset (LecternModel *model, const LecternCharset *extra, guint64 seed)
{
  g_autoptr (LecternCharset) cs = lectern_charset_copy (model->charset);
  for (guint c = 1; c < lectern_charset_size (extra); c++)
    lectern_charset_add (cs, lectern_charset_char (extra, (int) c));
  const guint old_n = lectern_charset_size (model->charset), new_n = lectern_charset_size (cs);
  if (new_n == old_n)
    return 0;

  LecternArch a = model->net->arch;
  a.n_classes = (int) new_n;
  LecternNetwork *net = lectern_network_new (&a);
  /* everything before the output layer has the same layout */
  const gsize before = (gsize) (model->net->view.fc_w - model->net->params);
  memcpy (net->params, model->net->params, before * sizeof (float));
  const int C = 4 * a.units[a.n_layers - 1];
  LecternRng rng;
  lectern_rng_init (&rng, seed);
  for (int k = 0; k < C; k++)
    for (guint j = 0; j < new_n; j++)
      net->view.fc_w[(gsize) k * new_n + j] = j < old_n
        ? model->net->view.fc_w[(gsize) k * old_n + j]
        : 0.01f * lectern_rng_normal (&rng);
  for (guint j = 0; j < new_n; j++)
    /* new characters start unlikely, so the model's behaviour on known text is unchanged */
    net->view.fc_b[j] = j < old_n ? model->net->view.fc_b[j] : -3.0f;
  lectern_network_free (model->net);
  model->net = net;
  lectern_charset_free (model->charset);
  model->charset = g_steal_pointer (&cs);
  return new_n - old_n;
}

gboolean
lectern_model_widen (LecternModel *model, const LecternArch *arch, guint64 seed, GError **error)
{
  LecternNetwork *net = lectern_network_widen (model->net, arch, seed, error);
  if (net == NULL)
    return FALSE;
  lectern_network_free (model->net);
  model->net = net;
  g_autofree char *spec = lectern_arch_to_string (&net->arch);
  lectern_model_set_info (model, "architecture", spec);
  return TRUE;
}

/* Where the default model is compiled in (resources/lectern-models.gresource.xml). */
#define DEFAULT_MODEL_RESOURCE "/org/lectern/Lectern/models/default.lectern"

LecternModel *
lectern_model_load_embedded (GError **error)
{
#ifdef LECTERN_EMBEDDED_MODEL
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) bytes = g_resource_lookup_data (lectern_models_get_resource (),
                                                     DEFAULT_MODEL_RESOURCE,
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, &local);
  if (bytes == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   "The built-in default model %s cannot be read: %s", DEFAULT_MODEL_RESOURCE,
                   local->message);
      return NULL;
    }
  return lectern_model_load_bytes (bytes, "resource://" DEFAULT_MODEL_RESOURCE, error);
#else
  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
               "This build of Lectern has no built-in default model "
               "(resources/models/default.lectern was missing when it was built)");
  return NULL;
#endif
}

gboolean
lectern_model_has_embedded (void)
{
#ifdef LECTERN_EMBEDDED_MODEL
  return TRUE;
#else
  return FALSE;
#endif
}

LecternModel *
lectern_model_load_default (GError **error)
{
  const char *env = g_getenv ("LECTERN_DEFAULT_MODEL");
  if (env != NULL && env[0] != '\0')
    return lectern_model_load (env, error);
  if (lectern_model_has_embedded ())
    return lectern_model_load_embedded (error);
  const char *dirs[] = { LECTERN_MODEL_DIR, LECTERN_SOURCE_MODEL_DIR };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], "default.lectern", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return lectern_model_load (path, error);
    }
  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
               "The default model default.lectern is in neither %s nor %s; give a model with --model",
               LECTERN_MODEL_DIR, LECTERN_SOURCE_MODEL_DIR);
  return NULL;
}
