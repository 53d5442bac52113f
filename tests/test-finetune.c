/* test-finetune.c — fine-tuning in the engine (finetune.h): the shared schedule, lines added
 * from cut images, the held-out part, a whole run (its card, the base extended, the before and
 * after figures) and runs that must leave no model file (too few lines, cancelled, an unwritable
 * target). */
#include "charset.h"
#include "dataset.h"
#include "error.h"
#include "finetune.h"
#include "model.h"
#include "testutil.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *tmp_dir;

/* Bars whose thickness and height code the letter, on a line taller than the model's input. */
static LecternImage *
pattern_line (const char *text)
{
  const int n = (int) strlen (text);
  LecternImage *im = lectern_image_new (36 * n + 24, 72);
  for (int i = 0; i < n; i++)
    {
      const int c = text[i] - 'a';
      for (int y = 12; y < 60; y++)
        for (int x = 0; x < 21; x++)
          if (((x / (2 + c)) % 2 == 0) ^ (y < 12 + 8 * (c + 1)))
            im->pixels[y * im->width + 12 + 36 * i + x] = 20;
    }
  return im;
}

static LecternModel *
base_model (void)
{
  g_autoptr (LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abc"; *p; p++)
    lectern_charset_add (cs, *p);
  LecternArch a;
  g_assert_true (lectern_arch_parse (&a, "h32 t2x2 l2 s2x2x4 l4", NULL));
  LecternModel *m = lectern_model_new_random (&a, cs, 5);
  lectern_model_set_info (m, "name", "base of the test");
  lectern_model_set_info (m, "data", "what the base was trained on");
  return m;
}

static LecternDataset *
lines_of (const char *const *texts, guint n, int height)
{
  LecternDataset *ds = lectern_dataset_new (height);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (LecternImage) im = pattern_line (texts[i]);
      g_autofree char *source = g_strdup_printf ("page.png#l%u", i);
      g_assert_true (lectern_finetune_add_line (ds, source, texts[i], im));
    }
  return ds;
}

static guint
count_entries (const char *dir, const char *prefix)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      n++;
  return n;
}

/* Removes a training run's model and checkpoint files. */
static void
remove_train_files (const char *out)
{
  g_autofree char *ckpt = g_strconcat (out, ".ckpt", NULL);
  g_autofree char *adam = g_strconcat (out, ".ckpt.adam", NULL);
  g_unlink (out);
  g_unlink (ckpt);
  g_unlink (adam);
}

static const char *const texts[] = { "abc", "cab", "bad", "dab", "acdc", "cadd", "bcda", "dcab",
                                     "abba", "dada" };

/* A model trained on from a base keeps the base's architecture and charset (extended by the
 * data's new characters) and names the base; nothing else of the base's card (its data, status,
 * validation) is carried over: the new training writes its own. */
static void
test_prepare_card (void)
{
  g_autoptr (LecternModel) base = base_model ();
  lectern_model_set_info (base, "architecture", "h32 t2x2 l2 s2x2x4 l4");
  lectern_model_set_info (base, "status", "the base's status");
  lectern_model_set_info (base, "validation", "held-out writers of the base");
  lectern_model_set_info (base, "validation-wer", "0.5");
  g_autoptr (LecternDataset) ds = lines_of (texts, 4, 32);
  guint added = 0;
  g_autoptr (LecternModel) model = lectern_finetune_prepare (base, "base.lectern", ds, 1, &added);
  g_assert_cmpuint (added, ==, 1);   /* "d" */
  g_assert_cmpuint (lectern_charset_size (model->charset), ==, lectern_charset_size (base->charset) + 1);
  g_autofree char *card = g_key_file_to_data (model->card, NULL, NULL);
  g_assert_cmpstr (card, ==, "[model]\narchitecture=h32 t2x2 l2 s2x2x4 l4\nbase=base of the test\n");
  /* a base without a name on its card goes by the name it was given */
  g_key_file_remove_key (base->card, "model", "name", NULL);
  g_autoptr (LecternModel) from_nameless = lectern_finetune_prepare (base, "base.lectern", ds, 1, NULL);
  g_autofree char *named = lectern_model_get_info (from_nameless, "base");
  g_assert_cmpstr (named, ==, "base.lectern");
}

static void
test_options (void)
{
  LecternFinetuneOptions opts;
  lectern_finetune_options_init (&opts);
  /* the schedule for a few hundred corrected lines, shared with lectern-cli train --init */
  g_assert_cmpfloat_with_epsilon (opts.train.learning_rate, 2e-3, 1e-9);
  g_assert_true (opts.train.lr_cosine);
  g_assert_true (opts.train.keep_last);
  g_assert_cmpint (opts.train.batch, ==, 2);
  g_assert_cmpint (opts.train.epochs, ==, 100);
  g_assert_cmpint (opts.train.patience, ==, 0);   /* the schedule runs to its end */
  g_assert_cmpuint (opts.line_budget, ==, 2000);
  g_assert_cmpfloat_with_epsilon (opts.train.dropout, 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (opts.val_fraction, 0.1, 1e-12);
  g_assert_cmpuint (opts.runs, ==, 4);
  g_assert_false (opts.train.resume);
  g_assert_true (opts.train.augment);
}

/* The number of epochs follows the number of lines: about as many lines trained on in all. */
static void
test_epochs (void)
{
  LecternFinetuneOptions opts;
  lectern_finetune_options_init (&opts);
  opts.train.epochs = 100;
  opts.line_budget = 2000;
  g_assert_cmpint (lectern_finetune_epochs (&opts, 10), ==, 100);    /* at most train.epochs */
  g_assert_cmpint (lectern_finetune_epochs (&opts, 40), ==, 50);
  g_assert_cmpint (lectern_finetune_epochs (&opts, 300), ==, 7);     /* rounded up */
  g_assert_cmpint (lectern_finetune_epochs (&opts, 5000), ==, LECTERN_FINETUNE_MIN_EPOCHS);
  opts.train.epochs = 3;
  g_assert_cmpint (lectern_finetune_epochs (&opts, 5000), ==, 3);    /* never more than asked */
  opts.line_budget = 0;
  opts.train.epochs = 60;
  g_assert_cmpint (lectern_finetune_epochs (&opts, 10), ==, 60);
}

/* A short run of lectern_train on the tiny lines: no early stop, no dropout, one thread (so
 * repeatable), no checkpoint picked up. */
static void
small_run_options (LecternTrainOptions *o, const char *out, int epochs, int batch)
{
  lectern_train_options_init (o);
  o->epochs = epochs;
  o->batch = batch;
  o->patience = 0;
  o->dropout = 0;
  o->threads = 1;
  o->resume = FALSE;
  o->out_path = out;
}

/* Weights after each epoch, to see how far each epoch moved them. */
typedef struct {
  const LecternModel *model;
  float              *last;
  double              moved[8];
  int                 epochs;
} Moves;

static void
on_epoch_moves (const LecternTrainStatus *st, gpointer data)
{
  Moves *mv = data;
  if (st->event != LECTERN_TRAIN_EPOCH_END || mv->epochs >= (int) G_N_ELEMENTS (mv->moved))
    return;
  const LecternNetwork *net = mv->model->net;
  double sq = 0;
  for (gsize k = 0; k < net->n_params; k++)
    {
      const double d = net->params[k] - mv->last[k];
      sq += d * d;
    }
  mv->moved[mv->epochs++] = sqrt (sq);
  memcpy (mv->last, net->params, net->n_params * sizeof (float));
}

/* How far the last of 6 one-step epochs moves the weights, against the first. */
static double
last_move_ratio (gboolean cosine)
{
  g_autoptr (LecternModel) model = base_model ();
  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               model->net->arch.input_height);
  g_autofree char *out = g_build_filename (tmp_dir, "moves.lectern", NULL);
  LecternTrainOptions o;
  small_run_options (&o, out, 6, (int) G_N_ELEMENTS (texts));   /* one step per epoch */
  o.augment = FALSE;
  o.lr_cosine = cosine;
  Moves mv = { model, g_memdup2 (model->net->params, model->net->n_params * sizeof (float)),
               { 0 }, 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_train (model, lines, NULL, &o, on_epoch_moves, &mv, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mv.epochs, ==, 6);
  g_free (mv.last);
  remove_train_files (out);
  g_assert_cmpfloat (mv.moved[0], >, 0);
  return mv.moved[5] / mv.moved[0];
}

/* The fine-tuning schedule's rate falls along a half cosine: the last step is about 7 % of
 * the first (Adam's steps are about the rate whatever the gradient), a constant rate's is not. */
static void
test_cosine_rate (void)
{
  const double cosine = last_move_ratio (TRUE), constant = last_move_ratio (FALSE);
  g_test_message ("last step against the first: cosine %.3f, constant %.3f", cosine, constant);
  g_assert_cmpfloat (cosine, <, 0.3 * constant);
}

/* The weights at each epoch's end and which epoch the trainer says it keeps. */
typedef struct {
  const LecternModel *model;
  float              *at_end[4];
  int                 epochs;
  int                 kept;       /* 1-based */
} Snapshots;

static void
on_epoch_snapshot (const LecternTrainStatus *st, gpointer data)
{
  Snapshots *sn = data;
  if (st->event != LECTERN_TRAIN_EPOCH_END || sn->epochs >= (int) G_N_ELEMENTS (sn->at_end))
    return;
  sn->at_end[sn->epochs++] = g_memdup2 (sn->model->net->params,
                                        sn->model->net->n_params * sizeof (float));
  if (st->improved)
    sn->kept = st->epoch;
}

/* Runs 4 epochs with held-out lines; returns the epoch whose weights the model ends with. */
static int
kept_epoch (gboolean keep_last)
{
  g_autoptr (LecternModel) model = base_model ();
  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               model->net->arch.input_height);
  g_autoptr (LecternDataset) val = lectern_finetune_split (lines, 0.1, 3);
  g_autofree char *out = g_build_filename (tmp_dir, "kept.lectern", NULL);
  LecternTrainOptions o;
  small_run_options (&o, out, 4, 2);
  o.keep_last = keep_last;
  Snapshots sn = { model, { NULL }, 0, 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_train (model, lines, val, &o, on_epoch_snapshot, &sn, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sn.epochs, ==, 4);
  g_assert_cmpint (sn.kept, >=, 1);
  /* the model ends with the weights of the epoch announced as kept, and the file holds them */
  g_autoptr (LecternModel) saved = lectern_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (model->net->params, model->net->n_params * sizeof (float),
                   sn.at_end[sn.kept - 1], model->net->n_params * sizeof (float));
  g_assert_cmpmem (saved->net->params, saved->net->n_params * sizeof (float),
                   sn.at_end[sn.kept - 1], model->net->n_params * sizeof (float));
  for (int i = 0; i < sn.epochs; i++)
    g_free (sn.at_end[i]);
  remove_train_files (out);
  return sn.kept;
}

/* Fine-tuning keeps the last epoch's weights: the best on a few held-out lines is mostly their
 * noise. Training from scratch keeps the best. */
static void
test_keep_last (void)
{
  const int best = kept_epoch (FALSE), last = kept_epoch (TRUE);
  g_test_message ("kept: epoch %d of the best, epoch %d of the last", best, last);
  g_assert_cmpint (last, ==, 4);
}

/* ---- runs averaged ---- */

typedef struct {
  GCancellable *cancel_in_run;   /* cancelled at the end of the first epoch of run cancel_run */
  int           cancel_run;
  int           runs_seen[4];    /* epochs ended in runs 1–3 */
  int           runs;            /* the runs the status announced */
} RunWatch;

static void
on_run_status (const LecternTrainStatus *st, gpointer data)
{
  RunWatch *rw = data;
  if (st->event != LECTERN_TRAIN_EPOCH_END)
    return;
  g_assert_cmpint (st->run, >=, 1);
  g_assert_cmpint (st->run, <=, 3);
  rw->runs = st->runs;
  rw->runs_seen[st->run]++;
  if (rw->cancel_in_run != NULL && st->run == rw->cancel_run)
    g_cancellable_cancel (rw->cancel_in_run);
}

static void
runs_options (LecternTrainOptions *o, const char *out, guint64 seed)
{
  small_run_options (o, out, 3, 3);
  o->keep_last = TRUE;
  o->lr_cosine = TRUE;
  o->seed = seed;
}

/* The weights of one run of lectern_train from the base with that seed; with held_out, on the
 * lines lectern_finetune_split leaves of val_fraction with the same seed, and *held_out becomes
 * the run's error on the lines it held out. */
static float *
one_run (const char *name, guint64 seed, double val_fraction, double *held_out)
{
  g_autoptr (LecternModel) model = base_model ();
  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               model->net->arch.input_height);
  g_autoptr (LecternDataset) part = held_out != NULL
                                    ? lectern_finetune_split (lines, val_fraction, seed) : NULL;
  g_autofree char *out = g_build_filename (tmp_dir, name, NULL);
  LecternTrainOptions o;
  runs_options (&o, out, seed);
  o.resume = FALSE;
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_train (model, lines, part, &o, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  if (held_out != NULL)
    lectern_evaluate (model, part, 1, held_out, NULL, NULL);
  remove_train_files (out);
  return g_memdup2 (model->net->params, model->net->n_params * sizeof (float));
}

/* The mean of three separate runs from the base (seeds seed, seed + φ, seed + 2φ), as
 * lectern_finetune_train_runs must give it; *differ counts the weights where the first two runs
 * differ (nullable). */
static float *
three_runs_mean (guint64 seed, gsize *differ)
{
  const guint64 step = G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  g_autofree float *r1 = one_run ("single.lectern", seed, 0, NULL);
  g_autofree float *r2 = one_run ("single.lectern", seed + step, 0, NULL);
  g_autofree float *r3 = one_run ("single.lectern", seed + 2 * step, 0, NULL);
  g_autoptr (LecternModel) model = base_model ();
  const gsize n = model->net->n_params;
  float *mean = g_new (float, n);
  gsize d = 0;
  for (gsize k = 0; k < n; k++)
    {
      mean[k] = (float) (((double) r1[k] + r2[k] + r3[k]) / 3);
      d += r1[k] != r2[k];
    }
  if (differ != NULL)
    *differ = d;
  return mean;
}

/* What a callback sees of runs going side by side. */
typedef struct {
  int     epochs_seen[4];    /* epochs ended in runs 1–3 */
  double  last_fraction;
  gboolean fraction_fell;
  GCancellable *cancel;       /* cancelled when run 2 has ended its first epoch */
} LaneWatch;

static void
on_lane_status (const LecternTrainStatus *st, gpointer data)
{
  LaneWatch *lw = data;
  /* one status at a time, whichever lane it comes from, and the whole's progress only grows */
  if (st->runs_fraction < lw->last_fraction)
    lw->fraction_fell = TRUE;
  lw->last_fraction = st->runs_fraction;
  if (st->event == LECTERN_TRAIN_MESSAGE)
    return;
  /* the runs under way, the one reporting among them: two at most (two lanes), the least
   * epoch among them no later than the reporting run's */
  g_assert_cmpint (st->runs_first, >=, 1);
  g_assert_cmpint (st->runs_first, <=, st->run);
  g_assert_cmpint (st->run, <=, st->runs_last);
  g_assert_cmpint (st->runs_active, ==, st->runs_last > st->runs_first ? 2 : 1);
  g_assert_cmpint (st->runs_last - st->runs_first, <=, 1);   /* three runs: 1 and 2, then 3 */
  g_assert_cmpint (st->runs_epoch, >=, 1);
  g_assert_cmpint (st->runs_epoch, <=, MAX (st->epoch, 1));
  if (st->event != LECTERN_TRAIN_EPOCH_END)
    return;
  g_assert_cmpint (st->run, >=, 1);
  g_assert_cmpint (st->run, <=, 3);
  g_assert_cmpint (st->runs, ==, 3);
  lw->epochs_seen[st->run]++;
  if (lw->cancel != NULL && st->run == 2)
    g_cancellable_cancel (lw->cancel);
}

/* With two threads, three runs go in two lanes of one thread each (runs 1 and 2 side by side,
 * then 3): each run is the same computation as alone on one thread, so the mean is bit for bit
 * that of three separate runs. Cancelled at the end of run 2's first epoch, wherever the other
 * lane is, the call stops; called again, the runs resume from their checkpoints and end with the
 * same mean. */
static void
test_runs_side_by_side (void)
{
  const guint64 seed = 23;
  g_autofree float *mean = three_runs_mean (seed, NULL);
  g_autoptr (LecternModel) model = base_model ();
  const gsize n = model->net->n_params;

  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               model->net->arch.input_height);
  g_autoptr (LecternDataset) val = lines_of (texts, 3, model->net->arch.input_height);
  g_autofree char *out = g_build_filename (tmp_dir, "lanes.lectern", NULL);
  LecternTrainOptions o;
  runs_options (&o, out, seed);
  o.threads = 2;
  o.resume = TRUE;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  LaneWatch cut = { { 0 }, 0, FALSE, cancellable };
  g_autoptr (GError) error = NULL;
  g_assert_false (lectern_finetune_train_runs (model, NULL, lines, val, 0, &o, 3, NULL,
                                               on_lane_status, &cut, cancellable, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (cut.epochs_seen[2], >=, 1);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (cut.fraction_fell);

  g_autoptr (LecternModel) again = base_model ();
  LaneWatch whole = { { 0 }, 0, FALSE, NULL };
  g_assert_true (lectern_finetune_train_runs (again, NULL, lines, val, 0, &o, 3, NULL,
                                              on_lane_status, &whole, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (whole.fraction_fell);
  g_assert_cmpfloat (whole.last_fraction, ==, 1.0);
  for (int r = 1; r <= 3; r++)   /* every run ran its three epochs over the two calls */
    g_assert_cmpint (cut.epochs_seen[r] + whole.epochs_seen[r], ==, 3);
  g_assert_cmpmem (again->net->params, n * sizeof (float), mean, n * sizeof (float));
  g_autoptr (LecternModel) saved = lectern_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (saved->net->params, n * sizeof (float), mean, n * sizeof (float));
  g_assert_cmpuint (count_entries (tmp_dir, "lanes.lectern.run"), ==, 0);
  g_unlink (out);
}

/* Three runs averaged: the model and its file hold the mean of three separate runs' weights
 * (seeds seed, seed + φ, seed + 2φ), the callback names each run, the card says how many, and no
 * run's files are left. Interrupted in its second run and called again, it resumes and ends
 * with the same weights. */
static void
test_runs_averaged (void)
{
  const guint64 seed = 11;
  gsize differ;
  g_autofree float *mean = three_runs_mean (seed, &differ);
  g_autofree float *r1 = one_run ("single.lectern", seed, 0, NULL);   /* one run alone */
  g_autoptr (LecternModel) model = base_model ();
  const gsize n = model->net->n_params;
  g_assert_cmpuint (differ, >, n / 2);   /* the runs go their own ways */

  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               model->net->arch.input_height);
  g_autoptr (LecternDataset) val = lines_of (texts, 3, model->net->arch.input_height);
  g_autofree char *out = g_build_filename (tmp_dir, "averaged.lectern", NULL);
  LecternTrainOptions o;
  runs_options (&o, out, seed);
  o.resume = TRUE;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  RunWatch rw = { cancellable, 2, { 0 }, 0 };
  g_autoptr (GError) error = NULL;
  g_assert_false (lectern_finetune_train_runs (model, NULL, lines, val, 0, &o, 3, NULL,
                                               on_run_status, &rw, cancellable, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (rw.runs_seen[1], ==, 3);
  g_assert_cmpint (rw.runs_seen[2], ==, 1);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (tmp_dir, "averaged.lectern.run"), >, 0);

  /* again, as after an interruption: run 1 is done, run 2 carries on from its checkpoint */
  g_autoptr (LecternModel) again = base_model ();
  RunWatch rw2 = { NULL, 0, { 0 }, 0 };
  LecternFinetuneHeldOut held;
  g_assert_true (lectern_finetune_train_runs (again, NULL, lines, val, 0, &o, 3, &held,
                                              on_run_status, &rw2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rw2.runs, ==, 3);
  g_assert_cmpint (rw2.runs_seen[1], ==, 0);
  g_assert_cmpint (rw2.runs_seen[2], ==, 2);
  g_assert_cmpint (rw2.runs_seen[3], ==, 3);
  g_assert_cmpmem (again->net->params, n * sizeof (float), mean, n * sizeof (float));
  g_autoptr (LecternModel) saved = lectern_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (saved->net->params, n * sizeof (float), mean, n * sizeof (float));
  g_autofree char *runs = lectern_model_get_info (saved, "runs-averaged");
  g_assert_cmpstr (runs, ==, "3");
  /* a fixed validation set: the figures are those of the base and of the mean on it */
  double before, after;
  g_autoptr (LecternModel) start = base_model ();
  lectern_evaluate (start, val, 1, &before, NULL, NULL);
  lectern_evaluate (saved, val, 1, &after, NULL, NULL);
  g_assert_cmpfloat (held.cer_before, ==, before);
  g_assert_cmpfloat (held.cer_after, ==, after);
  g_assert_cmpuint (held.val_lines, ==, 3);
  g_assert_cmpuint (held.train_lines, ==, G_N_ELEMENTS (texts));
  g_autofree char *cer = lectern_model_get_info (saved, "validation-cer");
  g_assert_cmpfloat (g_ascii_strtod (cer, NULL), ==, after);
  g_assert_cmpuint (count_entries (tmp_dir, "averaged.lectern.run"), ==, 0);
  g_unlink (out);

  /* one run is lectern_train itself */
  g_autoptr (LecternModel) single = base_model ();
  g_autofree char *out1 = g_build_filename (tmp_dir, "single.lectern", NULL);
  runs_options (&o, out1, seed);
  o.resume = FALSE;
  g_assert_true (lectern_finetune_train_runs (single, NULL, lines, NULL, 0, &o, 1, NULL, NULL,
                                              NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (single->net->params, n * sizeof (float), r1, n * sizeof (float));
  remove_train_files (out1);
}

/* Without a validation set, each run holds out its own lines and learns from the rest: the
 * model is the mean of runs on those parts, the figures the mean of each run's error on its own
 * part, and the lines given stay as they were. */
static void
test_runs_own_parts (void)
{
  const guint64 seed = 5, step = G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  double after1, after2;
  g_autofree float *r1 = one_run ("single.lectern", seed, 0.3, &after1);
  g_autofree float *r2 = one_run ("single.lectern", seed + step, 0.3, &after2);
  g_autoptr (LecternModel) model = base_model ();
  const gsize n = model->net->n_params;
  g_autofree float *mean = g_new (float, n);
  for (gsize k = 0; k < n; k++)
    mean[k] = (float) (((double) r1[k] + r2[k]) / 2);

  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               model->net->arch.input_height);
  g_autofree char *out = g_build_filename (tmp_dir, "parts.lectern", NULL);
  LecternTrainOptions o;
  runs_options (&o, out, seed);
  o.resume = FALSE;
  LecternFinetuneHeldOut held;
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_finetune_train_runs (model, NULL, lines, NULL, 0.3, &o, 2, &held, NULL,
                                              NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lines->samples->len, ==, G_N_ELEMENTS (texts));
  g_assert_cmpmem (model->net->params, n * sizeof (float), mean, n * sizeof (float));
  g_assert_cmpuint (held.val_lines, ==, lectern_finetune_val_lines (G_N_ELEMENTS (texts), 0.3));
  g_assert_cmpuint (held.train_lines + held.val_lines, ==, G_N_ELEMENTS (texts));
  g_assert_cmpfloat_with_epsilon (held.cer_after, (after1 + after2) / 2, 1e-12);
  g_assert_true (isfinite (held.cer_before));
  g_unlink (out);
}

static void
test_add_and_split (void)
{
  g_autoptr (LecternDataset) ds = lectern_dataset_new (32);
  g_autoptr (LecternImage) im = pattern_line ("abc");
  g_autoptr (LecternImage) dot = lectern_image_new (1, 1);

  g_assert_true (lectern_finetune_add_line (ds, "a", "abc", im));
  g_assert_cmpint (((LecternSample *) ds->samples->pdata[0])->image->height, ==, 32);
  g_assert_false (lectern_finetune_add_line (ds, "b", "", im));
  g_assert_false (lectern_finetune_add_line (ds, "c", "abc", dot));
  g_assert_false (lectern_finetune_add_line (ds, "d", "abc", NULL));
  g_assert_cmpuint (ds->samples->len, ==, 1);
  g_assert_cmpuint (ds->skipped, ==, 3);

  /* a tenth, but at least a few lines once there are enough */
  const guint sizes[] = { 5, 8, 24, 100 }, held[] = { 1, 3, 3, 10 };
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autoptr (LecternDataset) all = lectern_dataset_new (32);
      for (guint i = 0; i < sizes[k]; i++)
        g_assert_true (lectern_finetune_add_line (all, "x", "abc", im));
      g_autoptr (LecternDataset) val = lectern_finetune_split (all, 0.1, 1);
      g_assert_cmpuint (val->samples->len, ==, held[k]);
      g_assert_cmpuint (all->samples->len, ==, sizes[k] - held[k]);
      /* counted without splitting, for the schedule */
      g_assert_cmpuint (lectern_finetune_val_lines (sizes[k], 0.1), ==, held[k]);
    }
}

static void
fast (LecternFinetuneOptions *opts)
{
  lectern_finetune_options_init (opts);
  opts->train.epochs = 2;
  opts->train.patience = 0;
  opts->train.augment = FALSE;
  opts->train.threads = 2;
  opts->train.batch = 2;
  opts->name = "test hand";
  opts->pages = "page.png (10)";
}

typedef struct {
  gboolean saw_before;
  double   before;       /* summed over the runs */
  int      befores;
  int      epochs;
  int      best_epoch;   /* as the trainer numbers them */
} Seen;

static void
on_status (const LecternTrainStatus *st, gpointer data)
{
  Seen *seen = data;
  /* before each run: the base model's error on the lines that run holds out */
  if (st->event == LECTERN_TRAIN_MESSAGE && isfinite (st->best_cer))
    {
      seen->saw_before = TRUE;
      seen->before += st->best_cer;
      seen->befores++;
    }
  if (st->event == LECTERN_TRAIN_EPOCH_END)
    {
      seen->epochs++;
      if (st->improved)
        seen->best_epoch = st->epoch;
    }
}

static void
test_run (void)
{
  g_autoptr (LecternModel) base = base_model ();
  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               base->net->arch.input_height);
  g_autofree char *out = g_build_filename (tmp_dir, "hand.lectern", NULL);
  g_autoptr (GError) error = NULL;
  LecternFinetuneOptions opts;
  LecternFinetuneResult res;
  Seen seen = { 0 };

  fast (&opts);
  g_autoptr (LecternModel) model = lectern_finetune (base, lines, &opts, out, on_status, &seen,
                                                     NULL, &res, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  g_assert_cmpint (seen.epochs, ==, 2 * (int) opts.runs);   /* each of the averaged runs */
  g_assert_cmpuint (res.runs, ==, opts.runs);
  g_assert_true (seen.saw_before);
  g_assert_cmpint (seen.befores, ==, (int) opts.runs);
  g_assert_cmpfloat_with_epsilon (seen.before / seen.befores, res.cer_before, 1e-12);
  g_assert_cmpuint (res.val_lines, ==, 3);
  g_assert_cmpuint (res.train_lines, ==, 7);
  g_assert_cmpuint (res.new_classes, ==, 1);     /* d */
  g_assert_cmpint (res.epochs, ==, seen.best_epoch);   /* the epoch whose weights were kept */
  g_assert_cmpint (res.epochs, >=, 1);
  g_assert_cmpuint (count_entries (g_get_tmp_dir (), "lectern-finetune-"), ==, 0);

  /* the file is the model returned, with a card of its own */
  g_autoptr (LecternModel) saved = lectern_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lectern_charset_size (saved->charset), ==, lectern_charset_size (base->charset) + 1);
  g_autofree char *name = lectern_model_get_info (saved, "name");
  g_autofree char *base_name = lectern_model_get_info (saved, "base");
  g_autofree char *pages = lectern_model_get_info (saved, "pages");
  g_autofree char *n_lines = lectern_model_get_info (saved, "lines");
  g_autofree char *val_lines = lectern_model_get_info (saved, "validation-lines");
  g_autofree char *when = lectern_model_get_info (saved, "fine-tuned");
  g_autofree char *data = lectern_model_get_info (saved, "data");
  g_autofree char *before = lectern_model_get_info (saved, "cer-before");
  g_autofree char *runs = lectern_model_get_info (saved, "runs-averaged");
  g_autofree char *runs_wanted = g_strdup_printf ("%u", opts.runs);
  g_assert_cmpstr (runs, ==, runs_wanted);
  g_autofree char *epochs = lectern_model_get_info (saved, "epochs");
  g_assert_cmpstr (name, ==, "test hand");
  g_assert_cmpstr (base_name, ==, "base of the test");
  g_assert_cmpstr (pages, ==, "page.png (10)");
  /* the runs, each holding out its own 3, learnt from all 10 together */
  g_assert_cmpstr (n_lines, ==, opts.runs > 1 ? "10" : "7");
  g_assert_cmpstr (val_lines, ==, "3");
  g_assert_nonnull (when);
  g_assert_null (data);                           /* the base's data is not this model's */
  g_assert_cmpint (atoi (epochs), ==, res.epochs);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (before, NULL), res.cer_before, 1e-9);
  g_assert_cmpfloat_with_epsilon (lectern_model_get_card_cer (saved), res.cer_after, 1e-9);
  g_unlink (out);
}

static void
test_no_file (void)
{
  g_autoptr (LecternModel) base = base_model ();
  g_autofree char *out = g_build_filename (tmp_dir, "none.lectern", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "no such folder", "none.lectern", NULL);
  g_autoptr (GError) error = NULL;
  LecternFinetuneOptions opts;
  fast (&opts);

  /* too few lines */
  g_autoptr (LecternDataset) few = lines_of (texts, 3, base->net->arch.input_height);
  g_assert_null (lectern_finetune (base, few, &opts, out, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* cancelled */
  g_autoptr (LecternDataset) lines = lines_of (texts, G_N_ELEMENTS (texts),
                                               base->net->arch.input_height);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_cancellable_cancel (cancellable);
  g_assert_null (lectern_finetune (base, lines, &opts, out, NULL, NULL, cancellable, NULL, &error));
  g_assert_true (g_error_matches (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)
                 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&error);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* the target cannot be written: an error naming it, no work files left */
  g_autoptr (LecternDataset) again = lines_of (texts, G_N_ELEMENTS (texts),
                                               base->net->arch.input_height);
  g_assert_null (lectern_finetune (base, again, &opts, missing, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "none.lectern"));
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (g_get_tmp_dir (), "lectern-finetune-"), ==, 0);
}

int
main (int argc, char **argv)
{
  const char *parent = g_getenv ("TMPDIR");
  /* the runs' work folders go in a folder of the test's own, where it can see that none is
   * left (made by hand: GLib keeps the first answer of g_get_tmp_dir) */
  tmp_dir = g_strdup_printf ("%s/lectern-test-finetune-XXXXXX",
                             parent != NULL && parent[0] != '\0' ? parent : "/tmp");
  g_assert_nonnull (g_mkdtemp (tmp_dir));
  g_setenv ("TMPDIR", tmp_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Finetune/prepare-card", test_prepare_card);
  g_test_add_func ("/Lectern/Finetune/options", test_options);
  g_test_add_func ("/Lectern/Finetune/epochs", test_epochs);
  g_test_add_func ("/Lectern/Finetune/cosine-rate", test_cosine_rate);
  g_test_add_func ("/Lectern/Finetune/keep-last", test_keep_last);
  g_test_add_func ("/Lectern/Finetune/runs-averaged", test_runs_averaged);
  g_test_add_func ("/Lectern/Finetune/runs-own-parts", test_runs_own_parts);
  g_test_add_func ("/Lectern/Finetune/runs-side-by-side", test_runs_side_by_side);
  g_test_add_func ("/Lectern/Finetune/add-and-split", test_add_and_split);
  g_test_add_func ("/Lectern/Finetune/run", test_run);
  g_test_add_func ("/Lectern/Finetune/no-file", test_no_file);
  int status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
