/* test-hostile.c — the engine given what fuzzing and hostile files found: text whose dropped
 * characters stood between a letter and its combining mark, models whose weights are not
 * finite numbers, non-finite values in the network's kernels, oversized ground truth, and
 * saves that fail.
 *
 * Each test here is the regression test of a bug that tests/fuzz found or of a hole in what the
 * other test programs covered; the inputs that crashed a fuzz target are also replayed as files
 * by the fuzz suite (tests/fuzz/regressions/). */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dataset.h"
#include "document.h"
#include "error.h"
#include "kernels.h"
#include "lm.h"
#include "model.h"
#include "text.h"

/* ---- text ---- */

static void
test_normalize_is_nfc (void)
{
  /* A control character, a byte-order mark or an invalid byte between a letter and its
   * combining mark is dropped (or replaced); the letter and the mark then compose. Normalising
   * twice changes nothing. (fuzz-text: "normalising is not idempotent".) */
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "e\x02\xcc\x81", "\xc3\xa9" },                 /* e, U+0002, U+0301 → é */
    { "e\xef\xbb\xbf\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9" }, /* e, BOM, U+0301 → é */
    { "A\x01\x7f\xcc\x8a", "\xc3\x85" },             /* A, U+0001, U+007F, ring → Å */
    { "  \x02 e\x03\xcc\x81  x\t", "\xc3\xa9 x" },
    { "\xcc\x81", "\xcc\x81" },                      /* a lone mark stays */
    { "e \xcc\x81", "e \xcc\x81" },                  /* a space is not dropped: no composing */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *once = lectern_text_normalize (cases[i].in, -1);
      g_assert_cmpstr (once, ==, cases[i].out);
      g_autofree char *twice = lectern_text_normalize (once, -1);
      g_assert_cmpstr (twice, ==, once);
      g_autofree char *nfc = g_utf8_normalize (once, -1, G_NORMALIZE_NFC);
      g_assert_cmpstr (nfc, ==, once);
      /* cleaning ends in normalising: the same holds for training targets */
      g_autofree char *cleaned = lectern_text_clean_transcription (cases[i].in, LECTERN_CLEAN_DEFAULT);
      g_autofree char *cleaned_again = lectern_text_normalize (cleaned, -1);
      g_assert_cmpstr (cleaned, ==, cleaned_again);
    }
  /* the fuzzer's input, minimised by hand: "é" split by control characters in a marked-up line */
  g_autofree char *line = lectern_text_clean_transcription ("mot=\tsuite e\x02\x02\x02\xcc\x81 D",
                                                           LECTERN_CLEAN_DEFAULT);
  g_autofree char *line_again = lectern_text_normalize (line, -1);
  g_assert_cmpstr (line, ==, line_again);
}

/* ---- models ---- */

static LecternModel *
tiny_model (void)
{
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abc"; *p; p++)
    lectern_charset_add (cs, (gunichar) *p);
  LecternArch arch;
  g_autoptr(GError) error = NULL;
  g_assert_true (lectern_arch_parse (&arch, "h8 t2x2 l1 s2x2x2 l2", &error));
  arch.n_classes = (int) lectern_charset_size (cs);
  return lectern_model_new_random (&arch, cs, 3);
}

/* The serialised model with one weight (counted from the end of the weights) replaced and the
 * checksum made right again, so that only the value itself can be objected to. */
static GBytes *
model_with_weight (const LecternModel *model, gsize from_end, float value)
{
  g_autoptr(GBytes) bytes = lectern_model_serialize (model);
  gsize size = g_bytes_get_size (bytes);
  guint8 *data = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
  const gsize checksum = 32;
  guint32 bits;
  memcpy (&bits, &value, 4);
  bits = GUINT32_TO_LE (bits);
  memcpy (data + size - checksum - 4 * (from_end + 1), &bits, 4);
  gsize digest_len = checksum;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, data, size - checksum);
  g_checksum_get_digest (sum, data + size - checksum, &digest_len);
  g_checksum_free (sum);
  return g_bytes_new_take (data, size);
}

static void
test_model_non_finite_weights (void)
{
  /* A NaN or infinite weight (a diverged training, a damaged file with a recomputed checksum)
   * is refused at load, naming the file. (fuzz-model: NaN reached the kernels' exp.) */
  g_autoptr(LecternModel) model = tiny_model ();
  const float values[] = { NAN, INFINITY, -INFINITY, -NAN };
  const gsize where[] = { 0, 3, model->net->n_params - 1 };
  for (gsize v = 0; v < G_N_ELEMENTS (values); v++)
    for (gsize w = 0; w < G_N_ELEMENTS (where); w++)
      {
        g_autoptr(GBytes) bad = model_with_weight (model, where[w], values[v]);
        g_autoptr(GError) error = NULL;
        g_autoptr(LecternModel) loaded = lectern_model_load_bytes (bad, "diverged.lectern", &error);
        g_assert_null (loaded);
        g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
        g_assert_nonnull (strstr (error->message, "diverged.lectern"));
        g_assert_nonnull (strstr (error->message, "not a finite number"));
      }
  /* the largest finite values are weights like any other */
  g_autoptr(GBytes) big = model_with_weight (model, 1, -3.0e38f);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternModel) loaded = lectern_model_load_bytes (big, "big.lectern", &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
}

/* ---- kernels ---- */

static void
test_kernels_non_finite (void)
{
  /* Huge finite weights can still overflow to ±inf and NaN inside the network. The kernels'
   * exp must take them without undefined behaviour (a left shift of a negative value, which
   * clang's UBSan caught in fuzz-model; GCC defines such shifts) and give NaN for NaN and the
   * limits for ±inf. */
  const float x[] = { NAN, -NAN, INFINITY, -INFINITY, 3.0e38f, -3.0e38f, 0.0f, 88.5f, -87.5f };
  const gsize n = G_N_ELEMENTS (x);
  float e[G_N_ELEMENTS (x)], s[G_N_ELEMENTS (x)], t[G_N_ELEMENTS (x)];
  lectern_vexp (e, x, n);
  lectern_vsigmoid (s, x, n);
  lectern_vtanh (t, x, n);
  for (gsize i = 0; i < 2; i++)
    {
      g_assert_true (isnan (e[i]));
      g_assert_true (isnan (s[i]));
      g_assert_true (isnan (t[i]));
    }
  for (gsize i = 2; i < n; i++)
    {
      g_assert_true (isfinite (e[i]) && e[i] >= 0);
      g_assert_true (s[i] >= 0 && s[i] <= 1);
      g_assert_true (t[i] >= -1 && t[i] <= 1);
    }
  g_assert_cmpfloat (s[2], ==, 1.0f);
  g_assert_cmpfloat (s[3], <, 1e-30f);
  g_assert_cmpfloat (t[2], ==, 1.0f);
  g_assert_cmpfloat (t[3], ==, -1.0f);
  g_assert_cmpfloat_with_epsilon (e[6], 1.0f, 1e-6f);
}

/* ---- datasets ---- */

/* A folder with one line image x.png and x.gt.txt holding the given bytes. */
static char *
line_folder (const char *gt, gsize gt_size)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lectern-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  g_autoptr(LecternImage) line = lectern_image_new (60, 20);
  for (int x = 5; x < 55; x += 4)
    line->pixels[10 * line->width + x] = 0;
  g_autofree char *png = g_build_filename (dir, "x.png", NULL);
  g_assert_true (lectern_image_save_png (line, png, &error));
  g_autofree char *txt = g_build_filename (dir, "x.gt.txt", NULL);
  g_assert_true (g_file_set_contents (txt, gt, (gssize) gt_size, &error));
  return dir;
}

static void
remove_line_folder (const char *dir)
{
  g_autofree char *png = g_build_filename (dir, "x.png", NULL);
  g_autofree char *txt = g_build_filename (dir, "x.gt.txt", NULL);
  g_unlink (png);
  g_unlink (txt);
  g_rmdir (dir);
}

static void
test_dataset_oversized_ground_truth (void)
{
  /* A .gt.txt beyond LECTERN_DATASET_MAX_GT_BYTES is refused before it is read, naming it. */
  {
    gsize size = LECTERN_DATASET_MAX_GT_BYTES + 1;
    g_autofree char *big = g_malloc (size);
    memset (big, 'a', size);
    g_autofree char *dir = line_folder (big, size);
    g_autoptr(LecternDataset) ds = lectern_dataset_new (16);
    g_autoptr(GError) error = NULL;
    g_assert_false (lectern_dataset_add (ds, dir, LECTERN_CLEAN_DEFAULT, &error));
    g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "x.gt.txt"));
    remove_line_folder (dir);
  }
  /* Within the cap but longer than a line can be: skipped and counted, not an error. The
   * longest allowed is kept. */
  const gsize lengths[] = { LECTERN_DATASET_MAX_LINE_CHARS + 1, LECTERN_DATASET_MAX_LINE_CHARS };
  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      GString *text = g_string_new (NULL);
      for (gsize k = 0; k < lengths[i]; k++)
        g_string_append (text, k % 2 ? "\xc3\xa9" : "a");   /* two-byte characters too */
      g_autofree char *dir = line_folder (text->str, text->len);
      g_string_free (text, TRUE);
      g_autoptr(LecternDataset) ds = lectern_dataset_new (16);
      g_autoptr(GError) error = NULL;
      g_assert_true (lectern_dataset_add (ds, dir, LECTERN_CLEAN_DEFAULT, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (ds->samples->len, ==, i == 0 ? 0 : 1);
      g_assert_cmpuint (ds->skipped, ==, i == 0 ? 1 : 0);
      remove_line_folder (dir);
    }
  /* A NUL inside the transcription is not text. */
  {
    g_autofree char *dir = line_folder ("ab\0cd", 5);
    g_autoptr(LecternDataset) ds = lectern_dataset_new (16);
    g_autoptr(GError) error = NULL;
    g_assert_false (lectern_dataset_add (ds, dir, LECTERN_CLEAN_DEFAULT, &error));
    g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "x.gt.txt"));
    remove_line_folder (dir);
  }
}

/* ---- failed saves ---- */

typedef enum { SAVE_PAGE, SAVE_ALTO, SAVE_MODEL, SAVE_PNG, SAVE_LM } SaveKind;

static gboolean
save_something (SaveKind kind, const char *path, GError **error)
{
  switch (kind)
    {
    case SAVE_PAGE:
    case SAVE_ALTO:
      {
        g_autoptr(LecternDocument) doc = lectern_document_new ("a.png", 10, 10);
        LecternLine *line = lectern_region_add_line (lectern_document_add_region (doc, NULL), NULL);
        lectern_line_set_text (line, "text");
        return lectern_document_save (doc, path,
                                      kind == SAVE_PAGE ? LECTERN_FORMAT_PAGE : LECTERN_FORMAT_ALTO,
                                      error);
      }
    case SAVE_MODEL:
      {
        g_autoptr(LecternModel) model = tiny_model ();
        return lectern_model_save (model, path, error);
      }
    case SAVE_PNG:
      {
        g_autoptr(LecternImage) image = lectern_image_new (4, 3);
        return lectern_image_save_png (image, path, error);
      }
    case SAVE_LM:
      {
        g_autoptr(LecternLmBuilder) builder = lectern_lm_builder_new (2);
        lectern_lm_builder_add_text (builder, "abc", -1);
        g_autoptr(LecternLm) lm = lectern_lm_builder_finish (builder, NULL);
        return lectern_lm_save (lm, path, error);
      }
    }
  g_assert_not_reached ();
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_failed_saves (void)
{
  /* Every writer replaces its file atomically: when the write cannot be done (the target is a
   * folder full of work, or its folder is missing or is a file), it fails with an error naming
   * the target, and leaves neither a temporary file nor a change behind. (Tests run as root
   * here, so a read-only folder would not stop them; these failures do not depend on rights.) */
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lectern-saves-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *busy = g_build_filename (dir, "out.xml", NULL);
  g_assert_cmpint (g_mkdir (busy, 0755), ==, 0);
  g_autofree char *inside = g_build_filename (busy, "work.txt", NULL);
  g_assert_true (g_file_set_contents (inside, "keep me", -1, NULL));
  g_autofree char *plain = g_build_filename (dir, "plain.txt", NULL);
  g_assert_true (g_file_set_contents (plain, "keep me too", -1, NULL));
  g_autofree char *under_file = g_build_filename (plain, "out.xml", NULL);
  g_autofree char *missing = g_build_filename (dir, "no such folder", "out.xml", NULL);

  const char *targets[] = { busy, under_file, missing };
  for (SaveKind kind = SAVE_PAGE; kind <= SAVE_LM; kind++)
    for (gsize t = 0; t < G_N_ELEMENTS (targets); t++)
      {
        g_autoptr(GError) save_error = NULL;
        g_assert_false (save_something (kind, targets[t], &save_error));
        g_assert_error (save_error, LECTERN_ERROR, save_error->code);
        g_assert_true (save_error->code == LECTERN_ERROR_IO || save_error->code == LECTERN_ERROR_FAILED);
        g_autofree char *base = g_path_get_basename (targets[t]);
        if (strstr (save_error->message, base) == NULL)
          g_error ("“%s” does not name %s", save_error->message, targets[t]);
        /* nothing added beside the targets, nothing changed */
        g_assert_cmpuint (count_entries (dir), ==, 2);
        g_assert_cmpuint (count_entries (busy), ==, 1);
        g_autofree char *kept = NULL, *kept_too = NULL;
        g_assert_true (g_file_get_contents (inside, &kept, NULL, NULL));
        g_assert_cmpstr (kept, ==, "keep me");
        g_assert_true (g_file_get_contents (plain, &kept_too, NULL, NULL));
        g_assert_cmpstr (kept_too, ==, "keep me too");
      }
  g_unlink (inside);
  g_rmdir (busy);
  g_unlink (plain);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Hostile/normalize-is-nfc", test_normalize_is_nfc);
  g_test_add_func ("/Lectern/Hostile/model-non-finite-weights", test_model_non_finite_weights);
  g_test_add_func ("/Lectern/Hostile/kernels-non-finite", test_kernels_non_finite);
  g_test_add_func ("/Lectern/Hostile/dataset-oversized-ground-truth",
                   test_dataset_oversized_ground_truth);
  g_test_add_func ("/Lectern/Hostile/failed-saves", test_failed_saves);
  return g_test_run ();
}
