/* test-threads.c — every place the engine runs threads, each on a tiny input so that the
 * program is quick enough to run under ThreadSanitizer (README.md, "Reliability"): the trainer's
 * thread pool (two steps on two threads), evaluation on two threads, page transcription on two
 * threads, and the network's four directions split over a workspace's threads.
 *
 * Besides giving TSan something to watch, each checks that the threaded result is the one a
 * single thread gives. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dataset.h"
#include "document.h"
#include "model.h"
#include "network.h"
#include "recognizer.h"
#include "trainer.h"
#include "transcribe.h"

static const char *const texts[] = { "ab", "ba", "aab", "bba" };

/* Bars whose width codes the letter. */
static LecternImage *
bars (const char *text, int height)
{
  const int n = (int) strlen (text);
  LecternImage *image = lectern_image_new (12 * n + 8, height);
  for (int i = 0; i < n; i++)
    for (int y = height / 4; y < 3 * height / 4; y++)
      for (int x = 0; x < (text[i] == 'a' ? 3 : 7); x++)
        image->pixels[y * image->width + 4 + 12 * i + x] = 15;
  return image;
}

static LecternModel *
tiny_model (void)
{
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  lectern_charset_add (cs, 'a');
  lectern_charset_add (cs, 'b');
  LecternArch arch;
  g_autoptr(GError) error = NULL;
  g_assert_true (lectern_arch_parse (&arch, "h16 t2x2 l2 s2x2x4 l4", &error));
  arch.n_classes = (int) lectern_charset_size (cs);
  return lectern_model_new_random (&arch, cs, 5);
}

static LecternDataset *
tiny_dataset (void)
{
  LecternDataset *ds = lectern_dataset_new (16);
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      LecternSample *s = g_new0 (LecternSample, 1);
      s->source = g_strdup_printf ("line %" G_GSIZE_FORMAT, i);
      s->text = g_strdup (texts[i]);
      s->image = bars (texts[i], 16);
      g_ptr_array_add (ds->samples, s);
    }
  return ds;
}

static void
count_steps (const LecternTrainStatus *status, gpointer data)
{
  if (status->event == LECTERN_TRAIN_PROGRESS)
    (*(int *) data)++;
}

static void
remove_folder (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
test_train_two_threads (void)
{
  /* Two steps of two lines each, on two threads; then the same on one thread. Both change the
   * weights, keep them finite, and agree up to the order of float sums. */
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lectern-threads-XXXXXX", &error);
  g_assert_no_error (error);
  g_autoptr(LecternDataset) train = tiny_dataset ();
  g_autoptr(LecternDataset) val = tiny_dataset ();
  g_autoptr(LecternModel) before = tiny_model ();

  LecternModel *trained[2] = { NULL, NULL };
  for (int run = 0; run < 2; run++)
    {
      g_autofree char *out = g_strdup_printf ("%s/model-%d.lectern", dir, run);
      LecternTrainOptions opts;
      lectern_train_options_init (&opts);
      opts.epochs = 1;
      opts.batch = 2;
      opts.threads = run == 0 ? 2 : 1;
      opts.augment = FALSE;
      opts.dropout = 0.5f;
      opts.learning_rate = 1e-2f;
      opts.out_path = out;
      opts.resume = FALSE;
      trained[run] = lectern_model_copy (before);
      int steps = 0;
      g_assert_true (lectern_train (trained[run], train, val, &opts, count_steps, &steps, NULL,
                                    &error));
      g_assert_no_error (error);
      g_assert_cmpint (steps, >=, 2);
    }

  const LecternNetwork *a = trained[0]->net, *b = trained[1]->net;
  g_assert_cmpuint (a->n_params, ==, before->net->n_params);
  gsize changed = 0;
  double worst = 0;
  for (gsize i = 0; i < a->n_params; i++)
    {
      g_assert_true (isfinite (a->params[i]));
      changed += a->params[i] != before->net->params[i];
      worst = MAX (worst, fabs ((double) a->params[i] - b->params[i]));
    }
  g_assert_cmpuint (changed, >, a->n_params / 2);
  g_assert_cmpfloat (worst, <, 1e-3);
  lectern_model_free (trained[0]);
  lectern_model_free (trained[1]);
  remove_folder (dir);
}

static void
test_evaluate_two_threads (void)
{
  g_autoptr(LecternModel) model = tiny_model ();
  g_autoptr(LecternDataset) ds = tiny_dataset ();
  double cer[2], wer[2];
  g_autoptr(GPtrArray) out2 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) out1 = g_ptr_array_new_with_free_func (g_free);
  lectern_evaluate (model, ds, 2, &cer[0], &wer[0], out2);
  lectern_evaluate (model, ds, 1, &cer[1], &wer[1], out1);
  g_assert_cmpfloat (cer[0], ==, cer[1]);
  g_assert_cmpfloat (wer[0], ==, wer[1]);
  g_assert_cmpuint (out2->len, ==, ds->samples->len);
  for (guint i = 0; i < out2->len; i++)
    g_assert_cmpstr (out2->pdata[i], ==, out1->pdata[i]);
}

static void
test_transcribe_two_threads (void)
{
  /* a page of the four lines, one under another */
  g_autoptr(LecternImage) page = lectern_image_new (80, 4 * 24);
  LecternDocument *doc[2] = { lectern_document_new ("p.png", 80, 96),
                              lectern_document_new ("p.png", 80, 96) };
  for (int k = 0; k < 2; k++)
    {
      LecternRegion *region = lectern_document_add_region (doc[k], NULL);
      for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
        {
          int y = 24 * (int) i;
          if (k == 0)
            {
              g_autoptr(LecternImage) line = bars (texts[i], 24);
              for (int r = 0; r < 24; r++)
                memcpy (page->pixels + (gsize) (y + r) * 80, line->pixels + (gsize) r * line->width,
                        (gsize) line->width);
            }
          LecternLine *line = lectern_region_add_line (region, NULL);
          LecternPoint box[] = { { 0, y }, { 79, y }, { 79, y + 23 }, { 0, y + 23 } };
          g_array_append_vals (line->polygon, box, 4);
        }
    }
  g_autoptr(LecternRecognizer) recognizer = lectern_recognizer_new (tiny_model ());
  for (int k = 0; k < 2; k++)
    {
      LecternTranscribeOptions opts;
      lectern_transcribe_options_init (&opts);
      opts.n_threads = k == 0 ? 2 : 1;
      guint n = 0;
      g_autoptr(GError) error = NULL;
      g_assert_true (lectern_transcribe_document (recognizer, page, doc[k], &opts, &n, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, G_N_ELEMENTS (texts));
    }
  g_autoptr(GPtrArray) lines2 = lectern_document_lines (doc[0]);
  g_autoptr(GPtrArray) lines1 = lectern_document_lines (doc[1]);
  for (guint i = 0; i < lines2->len; i++)
    g_assert_cmpstr (((LecternLine *) lines2->pdata[i])->text, ==,
                     ((LecternLine *) lines1->pdata[i])->text);
  lectern_document_free (doc[0]);
  lectern_document_free (doc[1]);
}

static void
test_directions_on_threads (void)
{
  /* The four scan directions of each layer split over two and four threads of a workspace give
   * the scores one thread gives, forward and backward. */
  g_autoptr(LecternModel) model = tiny_model ();
  const LecternNetwork *net = model->net;
  g_autoptr(LecternImage) line = bars ("abba", 16);
  int width = 0;
  g_autofree float *input = lectern_line_to_input (&net->arch, line, &width, NULL);
  const int C = net->arch.n_classes;

  g_autofree float *reference = NULL;
  g_autofree float *reference_grad = NULL;
  int T_reference = 0;
  const int thread_counts[] = { 1, 2, 4 };
  for (gsize k = 0; k < G_N_ELEMENTS (thread_counts); k++)
    {
      g_autoptr(LecternWorkspace) ws = lectern_workspace_new ();
      lectern_workspace_set_threads (ws, thread_counts[k]);
      const float *scores = NULL;
      const int T = lectern_network_forward (net, ws, input, width, 0.0f, NULL, &scores);
      g_assert_cmpint (T, >, 0);
      g_autofree float *dscores = g_new (float, (gsize) T * C);
      for (int i = 0; i < T * C; i++)
        dscores[i] = (float) ((i % 7) - 3) / 10.0f;
      g_autofree float *grad = g_new0 (float, net->n_params);
      LecternParamView view;
      lectern_param_view_bind (&net->arch, grad, &view);
      lectern_network_backward (net, ws, dscores, &view);
      if (k == 0)
        {
          T_reference = T;
          reference = g_memdup2 (scores, sizeof (float) * T * C);
          reference_grad = g_steal_pointer (&grad);
          continue;
        }
      g_assert_cmpint (T, ==, T_reference);
      for (int i = 0; i < T * C; i++)
        g_assert_cmpfloat_with_epsilon (scores[i], reference[i], 1e-5f);
      for (gsize i = 0; i < net->n_params; i++)
        g_assert_cmpfloat_with_epsilon (grad[i], reference_grad[i],
                                        1e-4f * MAX (1.0f, fabsf (reference_grad[i])));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Threads/train-two-threads", test_train_two_threads);
  g_test_add_func ("/Lectern/Threads/evaluate-two-threads", test_evaluate_two_threads);
  g_test_add_func ("/Lectern/Threads/transcribe-two-threads", test_transcribe_two_threads);
  g_test_add_func ("/Lectern/Threads/directions-on-threads", test_directions_on_threads);
  return g_test_run ();
}
