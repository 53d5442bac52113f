/* fuzz-model.c — fuzz target for model files (lectern_model_load_bytes): the files users share.
 *
 * Each input is tried twice: as it is, and with its last 32 bytes replaced by the SHA-256 of the
 * rest, so that mutated files get past the checksum and reach the checks of the architecture,
 * character set, card and weights behind it. A model that loads must write itself back
 * readably and recognise a small line without trouble, whatever its weights (NaN included). */
#include <math.h>

#include "fuzz-common.h"
#include "model.h"
#include "recognizer.h"

#define CHECKSUM_BYTES 32

static void
use_model (LecternModel *model)
{
  if ((int) lectern_charset_size (model->charset) != model->net->arch.n_classes)
    g_error ("charset and output layer disagree");

  g_autoptr(GBytes) written = lectern_model_serialize (model);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternModel) again = lectern_model_load_bytes (written, "written.lectern", &error);
  if (again == NULL)
    g_error ("Lectern cannot read the model it wrote: %s", error->message);

  /* A line as the recognizer gets it; skipped when the network would take long on it (the
   * fuzzer looks for crashes, not for slow but legitimate models). */
  g_autoptr(LecternImage) line = lectern_image_new (40, 24);
  for (int y = 8; y < 16; y++)
    for (int x = 4; x < 36; x += 3)
      line->pixels[y * line->width + x] = 0;
  const LecternArch *arch = &model->net->arch;
  double width = ceil ((double) line->width * arch->input_height / line->height);
  if ((double) arch->input_height * width > 1 << 18
      || lectern_network_flops (arch, (int) width + 64) > 2e8)
    return;
  LecternRecognizer *rec = lectern_recognizer_new (g_steal_pointer (&again));
  g_autoptr(GError) rec_error = NULL;
  g_autoptr(LecternRecognition) result
    = lectern_recognizer_recognize (rec, line, LECTERN_RECOGNIZE_ACTIVATIONS, &rec_error);
  if (result != NULL)
    {
      if (!g_utf8_validate (result->text, -1, NULL)
          || result->n_chars != (guint) g_utf8_strlen (result->text, -1))
        g_error ("recognised text is not %u valid characters", result->n_chars);
      for (guint i = 0; i < result->n_chars; i++)
        if (!(result->confidence[i] >= 0 && result->confidence[i] <= 1)
            && !isnan (result->confidence[i]))
          g_error ("confidence %g out of range", result->confidence[i]);
    }
  else
    fuzz_check_error (rec_error, "");
  lectern_recognizer_free (rec);
}

static void
try_load (const uint8_t *data, size_t size)
{
  static const char name[] = "fuzz model.lectern";
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternModel) model = lectern_model_load_bytes (bytes, name, &error);
  if (model == NULL)
    fuzz_check_error (error, name);
  else
    use_model (model);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_init ();
  try_load (data, size);
  if (size < CHECKSUM_BYTES)
    return 0;

  guint8 *fixed = g_memdup2 (data, size);
  gsize body = size - CHECKSUM_BYTES, digest_len = CHECKSUM_BYTES;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, fixed, body);
  g_checksum_get_digest (sum, fixed + body, &digest_len);
  g_checksum_free (sum);
  if (memcmp (fixed, data, size) != 0)
    try_load (fixed, size);
  g_free (fixed);
  return 0;
}
