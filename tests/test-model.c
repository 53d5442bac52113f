/* test-model.c — model files (round trip, damaged files) and training end to end (overfit). */
#include "charset.h"
#include "ctc.h"
#include "dataset.h"
#include "decode.h"
#include "error.h"
#include "layers.h"
#include "model.h"
#include "optim.h"
#include "recognizer.h"
#include "testutil.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static LecternModel *
small_model (void)
{
  g_autoptr (LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abcdéß€"; *p; p = g_utf8_next_char (p))
    lectern_charset_add (cs, g_utf8_get_char (p));
  LecternArch a;
  lectern_arch_default (&a, 0);
  a.units[2] = 7;
  LecternModel *m = lectern_model_new_random (&a, cs, 42);
  lectern_model_set_info (m, "name", "test model");
  return m;
}

static void
test_round_trip (void)
{
  g_autoptr (LecternModel) m = small_model ();
  g_autoptr (GBytes) bytes = lectern_model_serialize (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternModel) back = lectern_model_load_bytes (bytes, "memory", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->net->n_params, ==, m->net->n_params);
  g_assert_cmpmem (back->net->params, back->net->n_params * 4, m->net->params, m->net->n_params * 4);
  g_assert_cmpmem (&back->net->arch, sizeof (LecternArch), &m->net->arch, sizeof (LecternArch));
  g_assert_cmpuint (lectern_charset_size (back->charset), ==, 8);
  g_assert_cmpint (lectern_charset_lookup (back->charset, 0x20AC), ==, 7);
  g_autofree char *name = lectern_model_get_info (back, "name");
  g_assert_cmpstr (name, ==, "test model");
  /* serialising again gives the same bytes */
  g_autoptr (GBytes) again = lectern_model_serialize (back);
  g_assert_true (g_bytes_equal (bytes, again));

  /* through a file, atomically written */
  g_autofree char *dir = g_dir_make_tmp ("lectern-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mon modèle, v1.lectern", NULL);
  g_assert_true (lectern_model_save (m, path, &error));
  g_autoptr (LecternModel) from_file = lectern_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (from_file->net->params, from_file->net->n_params * 4, m->net->params, m->net->n_params * 4);
  g_unlink (path);
  g_rmdir (dir);
}

static void
expect_damaged (GBytes *bytes, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternModel) m = lectern_model_load_bytes (bytes, "bad.lectern", &error);
  g_assert_null (m);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "bad.lectern"));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("expected “%s” in “%s”", fragment, error->message);
}

static void
test_bad_files (void)
{
  g_autoptr (LecternModel) m = small_model ();
  g_autoptr (GBytes) bytes = lectern_model_serialize (m);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  /* truncated anywhere */
  for (gsize cut = 0; cut < len; cut += (cut < 200 ? 1 : 97))
    {
      g_autoptr (GBytes) part = g_bytes_new (data, cut);
      expect_damaged (part, NULL);
    }
  /* every flipped byte is caught (by its field check or the checksum) */
  g_autofree guint8 *copy = g_memdup2 (data, len);
  for (gsize at = 0; at < len; at += (at < 300 ? 1 : 53))
    {
      copy[at] ^= 0x5a;
      g_autoptr (GBytes) bad = g_bytes_new (copy, len);
      expect_damaged (bad, NULL);
      copy[at] ^= 0x5a;
    }
  /* wrong magic, wrong version, absurd sizes */
  memcpy (copy, "PNG\r\n\x1a\n\0", 8);
  g_autoptr (GBytes) magic = g_bytes_new (copy, len);
  expect_damaged (magic, "not a Lectern model");
  memcpy (copy, data, len);
  copy[8] = 99;
  g_autoptr (GBytes) version = g_bytes_new (copy, len);
  expect_damaged (version, "version 99");
  memcpy (copy, data, len);
  /* units of layer 3 (after magic, version, height, mean, std, tiles, n_layers, 2 units) */
  const gsize units3 = 8 + 4 * 7 + 4 * 2;
  copy[units3] = 0xff;
  copy[units3 + 1] = 0xff;
  copy[units3 + 2] = 0xff;
  copy[units3 + 3] = 0x7f;
  g_autoptr (GBytes) huge = g_bytes_new (copy, len);
  expect_damaged (huge, "unit count");
  /* empty, and a missing file */
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  expect_damaged (empty, "not a Lectern model");
  g_autoptr (GError) error = NULL;
  g_assert_null (lectern_model_load ("/nonexistent/model.lectern", &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_IO);
}

static void
test_extend_charset (void)
{
  g_autoptr (LecternModel) m = small_model ();
  g_autoptr (LecternCharset) extra = lectern_charset_new ();
  lectern_charset_add (extra, 'a');
  lectern_charset_add (extra, 'z');
  lectern_charset_add (extra, 0x0153);
  const gsize before = (gsize) (m->net->view.fc_w - m->net->params);
  g_autofree float *old = g_memdup2 (m->net->params, before * sizeof (float));
  g_assert_cmpuint (lectern_model_extend_charset (m, extra, 1), ==, 2);
  g_assert_cmpuint (lectern_charset_size (m->charset), ==, 10);
  g_assert_cmpint (m->net->arch.n_classes, ==, 10);
  g_assert_cmpmem (m->net->params, before * sizeof (float), old, before * sizeof (float));
  g_assert_cmpint (lectern_charset_lookup (m->charset, 'z'), ==, 8);
}

/* Draws a tiny "line": one vertical bar pattern per character, so lines are distinct. */
static LecternImage *
pattern_line (const char *text)
{
  const int n = (int) g_utf8_strlen (text, -1);
  LecternImage *im = lectern_image_new (24 * n + 16, 64);
  int i = 0;
  for (const char *p = text; *p; p = g_utf8_next_char (p), i++)
    {
      const int c = (int) (g_utf8_get_char (p) - 'a');
      for (int y = 14; y < 50; y++)
        for (int x = 0; x < 14; x++)
          {
            gboolean ink = ((x / (2 + c)) % 2 == 0) ^ (y < 14 + 6 * (c + 1));
            if (ink)
              im->pixels[y * im->width + 8 + 24 * i + x] = 20;
          }
    }
  return im;
}

/* From random weights, the whole network learns a few tiny distinct lines to zero errors. */
static void
test_overfit (void)
{
  const char *texts[] = { "abc", "cab", "bad", "dab", "acdc" };
  const int n = G_N_ELEMENTS (texts);
  g_autoptr (LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abcd"; *p; p++)
    lectern_charset_add (cs, *p);
  LecternArch a;
  lectern_arch_default (&a, 0);
  g_autoptr (LecternModel) m = lectern_model_new_random (&a, cs, 7);
  LecternImage *images[5];
  float *inputs[5];
  int widths[5], *labels[5], n_labels[5];
  for (int i = 0; i < n; i++)
    {
      images[i] = pattern_line (texts[i]);
      inputs[i] = lectern_line_to_input (&m->net->arch, images[i], &widths[i], NULL);
      labels[i] = lectern_charset_encode (cs, texts[i], FALSE, &n_labels[i], NULL);
    }
  LecternAdam adam;
  lectern_adam_init (&adam, m->net->n_params, 3e-3f);
  g_autofree float *grad = g_new0 (float, m->net->n_params);
  LecternParamView view;
  lectern_param_view_bind (&m->net->arch, grad, &view);
  g_autoptr (LecternWorkspace) ws = lectern_workspace_new ();
  int correct = 0, step;
  for (step = 0; step < 3000 && correct < n; step++)
    {
      const int i = step % n;
      const float *scores;
      int T = lectern_network_forward (m->net, ws, inputs[i], widths[i], 0.0f, NULL, &scores);
      g_autofree float *ds = g_new (float, (gsize) T * m->net->arch.n_classes);
      memset (grad, 0, m->net->n_params * sizeof (float));
      lectern_ctc_loss (scores, T, m->net->arch.n_classes, labels[i], n_labels[i], ds);
      lectern_network_backward (m->net, ws, ds, &view);
      lectern_adam_step (&adam, m->net->params, grad);
      if (step % 50 == 49)
        {
          correct = 0;
          LecternRecognizer *rec = lectern_recognizer_new (lectern_model_copy (m));
          for (int k = 0; k < n; k++)
            {
              g_autoptr (LecternRecognition) r = lectern_recognizer_recognize (rec, images[k], 0, NULL);
              correct += g_strcmp0 (r->text, texts[k]) == 0;
            }
          lectern_recognizer_free (rec);
        }
    }
  g_test_message ("overfit: %d of %d lines right after %d steps", correct, n, step);
  g_assert_cmpint (correct, ==, n);
  for (int i = 0; i < n; i++)
    {
      lectern_image_free (images[i]);
      g_free (inputs[i]);
      g_free (labels[i]);
    }
  lectern_adam_clear (&adam);
}

typedef struct {
  LecternRecognizer *rec;
  LecternImage     **images;
  char             **want;
  int                n, bad;
} ThreadCheck;

static gpointer
recognize_all (gpointer data)
{
  ThreadCheck *c = data;
  for (int round = 0; round < 5; round++)
    for (int i = 0; i < c->n; i++)
      {
        g_autoptr (LecternRecognition) r = lectern_recognizer_recognize (c->rec, c->images[i], 0, NULL);
        if (g_strcmp0 (r->text, c->want[i]) != 0)
          g_atomic_int_inc (&c->bad);
      }
  return NULL;
}

/* One recognizer, four threads at once: every result equals the one-thread result; and the
 * activations and posteriors come back with consistent sizes. */
static void
test_recognizer_threads (void)
{
  g_autoptr (LecternModel) m = small_model ();
  LecternRecognizer *rec = lectern_recognizer_new (lectern_model_copy (m));
  const char *texts[] = { "abc", "dcba", "cab", "bbbb", "ad", "cc" };
  const int n = G_N_ELEMENTS (texts);
  LecternImage *images[6];
  char *want[6];
  for (int i = 0; i < n; i++)
    {
      images[i] = pattern_line (texts[i]);
      LecternRecognition *r = lectern_recognizer_recognize (rec, images[i], 0, NULL);
      want[i] = g_strdup (r->text);
      lectern_recognition_free (r);
    }
  ThreadCheck c = { rec, images, want, n, 0 };
  GThread *th[4];
  for (int t = 0; t < 4; t++)
    th[t] = g_thread_new ("recognize", recognize_all, &c);
  for (int t = 0; t < 4; t++)
    g_thread_join (th[t]);
  g_assert_cmpint (c.bad, ==, 0);

  g_autoptr (LecternRecognition) r = lectern_recognizer_recognize (rec, images[1], LECTERN_RECOGNIZE_ACTIVATIONS, NULL);
  g_assert_cmpint (r->n_layers, ==, 3);
  g_assert_cmpint (r->layers[0].H, ==, 32);
  g_assert_cmpint (r->layers[2].H, ==, 2);
  g_assert_cmpint (r->T, ==, r->layers[2].W);
  g_assert_cmpfloat (r->layers[0].cell_w, ==, 2.0);
  for (int t = 0; t < r->T; t++)
    {
      double sum = 0;
      for (int k = 0; k < r->C; k++)
        sum += r->posteriors[t * r->C + k];
      g_assert_cmpfloat (fabs (sum - 1.0), <, 1e-4);
    }
  g_assert_cmpuint (r->n_chars, ==, g_utf8_strlen (r->text, -1));
  for (guint i = 0; i < r->n_chars; i++)
    {
      g_assert_cmpint (r->x_start[i], <=, r->x_end[i]);
      g_assert_cmpint (r->x_end[i], <, images[1]->width);
    }
  for (int i = 0; i < n; i++)
    {
      lectern_image_free (images[i]);
      g_free (want[i]);
    }
  lectern_recognizer_free (rec);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Model/round-trip", test_round_trip);
  g_test_add_func ("/Lectern/Model/bad-files", test_bad_files);
  g_test_add_func ("/Lectern/Model/extend-charset", test_extend_charset);
  g_test_add_func ("/Lectern/Model/recognizer-threads", test_recognizer_threads);
  g_test_add_func ("/Lectern/Model/overfit", test_overfit);
  return g_test_run ();
}
