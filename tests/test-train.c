/* test-train.c — the trainer end to end on tiny generated lines: it learns, keeps the best
 * model, checkpoints, stops when cancelled and resumes where it stopped; datasets read line
 * folders and PAGE files; the training augmentation's grid distortion keeps the text in order. */
#include "augment.h"
#include "charset.h"
#include "dataset.h"
#include "document.h"
#include "error.h"
#include "model.h"
#include "trainer.h"
#include "testutil.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* Bars whose thickness and height code the letter: distinct, learnable, cheap. */
static LecternImage *
pattern_line (const char *text)
{
  const int n = (int) strlen (text);
  LecternImage *im = lectern_image_new (24 * n + 16, 48);
  for (int i = 0; i < n; i++)
    {
      const int c = text[i] - 'a';
      for (int y = 8; y < 40; y++)
        for (int x = 0; x < 14; x++)
          if (((x / (2 + c)) % 2 == 0) ^ (y < 8 + 5 * (c + 1)))
            im->pixels[y * im->width + 8 + 24 * i + x] = 20;
    }
  return im;
}

static char *
make_line_folder (const char *const *texts, int n)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("lectern-train-XXXXXX", &error);
  g_assert_no_error (error);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *png = g_strdup_printf ("%s/line %02d.png", dir, i);
      g_autofree char *gt = g_strdup_printf ("%s/line %02d.gt.txt", dir, i);
      g_autoptr (LecternImage) im = pattern_line (texts[i]);
      g_assert_true (lectern_image_save_png (im, png, &error));
      g_assert_true (g_file_set_contents (gt, texts[i], -1, &error));
    }
  return dir;
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

typedef struct {
  int      epochs_seen;
  int      cancel_after_steps;
  int      steps;
  GCancellable *cancellable;
  double   last_cer;
} Watch;

static void
on_status (const LecternTrainStatus *st, gpointer data)
{
  Watch *w = data;
  if (st->event == LECTERN_TRAIN_EPOCH_END)
    {
      w->epochs_seen++;
      w->last_cer = st->val_cer;
    }
  if (st->event == LECTERN_TRAIN_PROGRESS && ++w->steps == w->cancel_after_steps)
    g_cancellable_cancel (w->cancellable);
}

static const char *const texts[] = { "abc", "cab", "bad", "dab", "acdc", "cadd", "bcda", "dcab" };

static LecternModel *
fresh_model (void)
{
  g_autoptr (LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abcd"; *p; p++)
    lectern_charset_add (cs, *p);
  LecternArch a;
  g_assert_true (lectern_arch_parse (&a, "h48 t2x2 l2 s4x2x6 l10 s3x1x20 l20", NULL));
  return lectern_model_new_random (&a, cs, 3);
}

static void
test_train_learns_and_resumes (void)
{
  g_autofree char *dir = make_line_folder (texts, G_N_ELEMENTS (texts));
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternDataset) train = lectern_dataset_new (48);
  g_assert_true (lectern_dataset_add (train, dir, LECTERN_CLEAN_DEFAULT, &error));
  g_assert_cmpuint (train->samples->len, ==, G_N_ELEMENTS (texts));
  g_autofree char *out = g_build_filename (dir, "model.lectern", NULL);
  g_autofree char *ckpt = g_strconcat (out, ".ckpt", NULL);

  LecternTrainOptions opts;
  lectern_train_options_init (&opts);
  opts.epochs = 400;
  opts.patience = 0;
  opts.dropout = 0.0f;
  opts.augment = FALSE;
  opts.batch = 2;
  opts.threads = 2;
  opts.learning_rate = 3e-3f;
  opts.out_path = out;

  /* first run: cancelled part-way through the third epoch */
  g_autoptr (LecternModel) model = fresh_model ();
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  Watch w = { 0, 10, 0, cancel, 1 };
  g_assert_false (lectern_train (model, train, train, &opts, on_status, &w, cancel, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (w.epochs_seen, ==, 2);
  g_assert_true (g_file_test (ckpt, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (out, G_FILE_TEST_EXISTS));
  g_autoptr (LecternModel) ck = lectern_model_load (ckpt, &error);
  g_assert_no_error (error);
  g_autofree char *epoch = lectern_model_get_info (ck, "train-epoch");
  g_autofree char *position = lectern_model_get_info (ck, "train-position");
  g_assert_cmpstr (epoch, ==, "2");
  g_assert_cmpstr (position, ==, "4");   /* 10 steps of 2 lines: 8 + 8 + 4 */

  /* second run resumes from the checkpoint and finishes: the lines are learnt */
  g_autoptr (LecternModel) again = fresh_model ();
  Watch w2 = { 0, -1, 0, NULL, 1 };
  g_assert_true (lectern_train (again, train, train, &opts, on_status, &w2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (w2.epochs_seen, ==, opts.epochs - 2);
  double cer, wer;
  lectern_evaluate (again, train, 2, &cer, &wer, NULL);
  g_test_message ("after training: CER %.1f%%, WER %.1f%%", 100 * cer, 100 * wer);
  g_assert_cmpfloat (cer, <, 0.05);
  /* the best model on disk is the one returned */
  g_autoptr (LecternModel) best = lectern_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (best->net->params, best->net->n_params * 4, again->net->params, again->net->n_params * 4);
  g_autofree char *vcer = lectern_model_get_info (best, "validation-cer");
  g_assert_nonnull (vcer);
  g_autofree char *adam = g_strconcat (out, ".ckpt.adam", NULL);
  g_unlink (adam);
  g_unlink (ckpt);
  g_unlink (out);
  remove_tree (dir);
}

/* A PAGE file's lines are cut out of its image; markup is cleaned; empty lines are skipped. */
static void
test_dataset_from_page (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lectern-page-XXXXXX", &error);
  g_autoptr (LecternImage) page = lectern_image_new (200, 100);
  g_autoptr (LecternImage) a = pattern_line ("ab");
  for (int y = 0; y < a->height; y++)
    memcpy (page->pixels + (y + 2) * 200 + 10, a->pixels + y * a->width, a->width);
  g_autofree char *img = g_build_filename (dir, "page, 1.png", NULL);
  g_assert_true (lectern_image_save_png (page, img, &error));
  g_autoptr (LecternDocument) doc = lectern_document_new ("page, 1.png", 200, 100);
  LecternRegion *r = lectern_document_add_region (doc, "r1");
  const char *line_texts[] = { "M^r ab", "", "x ⟦struck⟧ y" };
  for (int i = 0; i < 3; i++)
    {
      LecternLine *line = lectern_region_add_line (r, NULL);
      LecternPoint box[4] = { { 5, 30 * i }, { 120, 30 * i }, { 120, 30 * i + 28 }, { 5, 30 * i + 28 } };
      g_array_append_vals (line->polygon, box, 4);
      lectern_line_set_text (line, line_texts[i]);
    }
  g_autofree char *xml = g_build_filename (dir, "page, 1.xml", NULL);
  g_assert_true (lectern_document_save (doc, xml, LECTERN_FORMAT_PAGE, &error));
  g_autoptr (LecternDataset) ds = lectern_dataset_new (32);
  g_assert_true (lectern_dataset_add (ds, xml, LECTERN_CLEAN_DEFAULT, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ds->samples->len, ==, 2);
  g_assert_cmpuint (ds->skipped, ==, 1);
  LecternSample *s0 = g_ptr_array_index (ds->samples, 0), *s1 = g_ptr_array_index (ds->samples, 1);
  g_assert_cmpstr (s0->text, ==, "Mr ab");
  g_assert_cmpstr (s1->text, ==, "x y");
  g_assert_cmpint (s0->image->height, ==, 32);
  g_assert_nonnull (strstr (s0->source, "page, 1.xml#"));
  /* a line image without its transcription is an error naming it */
  g_autoptr (LecternDataset) bad = lectern_dataset_new (32);
  g_assert_false (lectern_dataset_add (bad, img, LECTERN_CLEAN_DEFAULT, &error));
  g_assert_nonnull (strstr (error->message, "page, 1.png"));
  g_unlink (img);
  g_unlink (xml);
  g_rmdir (dir);
}

static guint64
ink_of (const LecternImage *im)
{
  guint64 ink = 0;
  for (gsize i = 0; i < (gsize) im->width * im->height; i++)
    ink += 255 - im->pixels[i];
  return ink;
}

/* The grid distortion keeps the height, widens by its margins only, keeps the ink, repeats for a
 * seed, and moves no stroke further than its bound: vertical bars stay in their order, each
 * within LECTERN_AUGMENT_GRID_MAX_SHIFT · H of where it was, and a horizontal rule too. */
static void
test_augment_grid_distortion (void)
{
  const int H = 48, n_bars = 12, spacing = 16, W = spacing * n_bars + 8;
  const int margin = (int) ceilf (LECTERN_AUGMENT_GRID_MAX_SHIFT * H);
  const float bound = LECTERN_AUGMENT_GRID_MAX_SHIFT * H + 1.0f;  /* + 1: resampling */
  g_autoptr (LecternImage) bars = lectern_image_new (W, H);
  g_autoptr (LecternImage) rule = lectern_image_new (W, H);
  for (int y = 0; y < H; y++)
    for (int k = 0; k < n_bars; k++)
      for (int x = 0; x < 3; x++)
        bars->pixels[y * W + 8 + spacing * k + x] = 0;
  for (int y = H / 2 - 2; y < H / 2 + 2; y++)
    memset (rule->pixels + y * W, 0, W);
  int moved = 0;
  for (guint64 seed = 1; seed <= 200; seed++)
    {
      LecternRng rng, again;
      lectern_rng_init (&rng, seed);
      lectern_rng_init (&again, seed);
      g_autoptr (LecternImage) out = lectern_augment_grid_distort (bars, &rng);
      g_autoptr (LecternImage) same = lectern_augment_grid_distort (bars, &again);
      g_assert_cmpint (out->height, ==, H);
      g_assert_cmpint (out->width, ==, W + 2 * margin);
      g_assert_cmpmem (out->pixels, (gsize) out->width * H, same->pixels, (gsize) same->width * H);
      const double ink_ratio = (double) ink_of (out) / ink_of (bars);
      g_assert_cmpfloat (ink_ratio, >, 0.85);
      g_assert_cmpfloat (ink_ratio, <, 1.15);
      /* every row away from the top and bottom (where the shift brings in white from outside)
       * crosses the bars in their order, each near its place */
      for (int y = margin; y < H - margin; y++)
        {
          const guint8 *row = out->pixels + y * out->width;
          int k = 0;
          for (int x = 0; x < out->width; x++)
            {
              if (row[x] >= 128)
                continue;
              int end = x;
              while (end < out->width && row[end] < 128)
                end++;
              const float centre = (x + end - 1) / 2.0f;
              const float home = margin + 8 + spacing * k + 1;
              g_assert_cmpint (k, <, n_bars);
              g_assert_cmpfloat (fabsf (centre - home), <=, bound);
              if (fabsf (centre - home) > 1.0f)
                moved++;
              k++;
              x = end;
            }
          g_assert_cmpint (k, ==, n_bars);
        }
      /* the rule's middle stays within the bound of the line's middle in every column */
      lectern_rng_init (&rng, seed);
      g_autoptr (LecternImage) bent = lectern_augment_grid_distort (rule, &rng);
      for (int x = 2 * margin; x < W; x++)
        {
          double mass = 0, moment = 0;
          for (int y = 0; y < H; y++)
            {
              const double d = 255 - bent->pixels[y * bent->width + x];
              mass += d;
              moment += d * y;
            }
          g_assert_cmpfloat (mass, >, 0);
          g_assert_cmpfloat (fabs (moment / mass - (H - 1) / 2.0), <=, bound);
        }
    }
  /* and it does distort */
  g_assert_cmpint (moved, >, 0);
}

/* The whole augmentation keeps the height, stretches the width within its bounds (0.8–1.2,
 * plus the slant's and the grid's margins) and repeats for a seed. */
static void
test_augment_line (void)
{
  g_autoptr (LecternImage) line = pattern_line ("abcab");
  const int H = line->height;
  const int margins = (int) ceilf (0.25f * H) + 2 * (int) ceilf (LECTERN_AUGMENT_GRID_MAX_SHIFT * H);
  gboolean differs = FALSE;
  for (guint64 seed = 1; seed <= 20; seed++)
    {
      LecternRng rng, again;
      lectern_rng_init (&rng, seed);
      lectern_rng_init (&again, seed);
      g_autoptr (LecternImage) out = lectern_augment_line (line, &rng);
      g_autoptr (LecternImage) same = lectern_augment_line (line, &again);
      g_assert_cmpint (out->height, ==, H);
      g_assert_cmpint (out->width, >=, (int) (0.8f * line->width));
      g_assert_cmpint (out->width, <=, (int) (1.2f * line->width) + margins);
      g_assert_cmpint (out->width, ==, same->width);
      g_assert_cmpmem (out->pixels, (gsize) out->width * H, same->pixels, (gsize) same->width * H);
      differs |= out->width != line->width;
    }
  g_assert_true (differs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Train/learns-and-resumes", test_train_learns_and_resumes);
  g_test_add_func ("/Lectern/Train/dataset-from-page", test_dataset_from_page);
  g_test_add_func ("/Lectern/Augment/grid-distortion", test_augment_grid_distortion);
  g_test_add_func ("/Lectern/Augment/line", test_augment_line);
  return g_test_run ();
}
