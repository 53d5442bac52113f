/* finetune.c — fine-tuning on corrected lines (see finetune.h). */
#include "config.h"
#include "finetune.h"
#include "charset.h"
#include "error.h"
#include "text.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

void
lectern_finetune_options_init (LecternFinetuneOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  lectern_train_options_init (&opts->train);
  /* Measured with scripts/finetune-eval.sh on the kraken-es page (first 22 lines to train, 19 of
   * them trained on and 3 held out; the other 22 to test; --threads 1 on 2 busy cores), from the
   * shipped model and from a later snapshot of its training (both 72.8 % CER):
   *   - the former schedule (batch 8, rate 1e-3 constant, at most 100 epochs, patience 40) was
   *     still improving at epoch 100: 60.1 % (−17 % relative); 3 updates an epoch are few;
   *   - batch 2 (4 times the updates for the same computation): 57.8 %; with a rate falling
   *     along a half cosine: 55.9 % (200 epochs), 53.5 % from the snapshot (100 epochs, rate
   *     2e-3); 150 or 200 epochs, a rate of 3e-3 or batch 1 did no better (55.9, 56.0, 57.3,
   *     56.8 %): the training loss falls to a tenth while the test error stays, 19 lines are all
   *     it learns from. Without augmentation: 63.6 %. Dropout 0.25 on a base trained without it:
   *     77.6 %; only the top layer and the output trained: 58.4 %;
   *   - at 2e-3 from the start one seed forgot everything in its second epoch (CER 100 %): Adam's
   *     first steps move every weight by about the rate. With the warm-up of lr_cosine: 53.2 %;
   *   - the best epoch on the 3 held-out lines against the last one, over 7 runs: the last was
   *     better 5 times (by 1 point on average; 58.4 against 55.9 % once): a few lines' CER jumps by
   *     5 points from one epoch to the next, choosing on it fits their noise. So the schedule runs
   *     to its end and keeps the last weights; the held-out lines only measure;
   *   - this schedule: 72.8 % → 54.3 % (shipped model), 55.9 % (snapshot; 53.2 % with another
   *     seed, which holds out other lines), in 80–150 s; on a second hand (copiste
   *     wikitexte_0182, 11 lines trained on, 15 tested) 50.8 % → 38.2 % in 60 s, where the former
   *     schedule gave 42.4 % (from the snapshot: 49.7 → 35.0 %). With 5 lines (a poilus page) it
   *     gains nothing (58.1 → 58.7 %).
   * The epochs follow the number of lines (line_budget): 100 for a page of 20 lines, 7 for 300,
   * about 80 s on one core of this machine either way. */
  opts->train.epochs = 100;
  opts->line_budget = 2000;
  opts->train.patience = 0;
  opts->train.batch = 2;
  opts->train.learning_rate = 2e-3f;
  opts->train.lr_cosine = TRUE;
  opts->train.keep_last = TRUE;
  /* dropout 0.5 on a base trained without it, or a constant rate of 3e-4, left the test CER
   * where it was (74.5 %, 72.7 %; measured from an earlier base at 74 %) */
  opts->train.dropout = 0.0f;
  /* the run's work files are its own: a checkpoint of another run must never be picked up */
  opts->train.resume = FALSE;
  opts->val_fraction = 0.1;
  /* Runs averaged, measured on the kraken-es page (22 lines to fine-tune on, 22 to test; base
   * 72.6 %) from the r4 epoch-51 model:
   *   - single runs, each holding out 3 lines: seeds 1–8 52.7, 49.5, 50.3, 52.2, 59.5, 51.1,
   *     49.1, 51.6 % (mean 52.0 %); on all 22 lines (nothing held out), seeds 1–3: 52.7, 48.9,
   *     49.9 %; a mean of the weights over the last 30 or 60 % of one run's epochs (its rate
   *     falls to nothing, so they hardly differ): 52.8, 50.1, 50.7 / 52.2, 50.3 %; a pull back
   *     towards the base weights (decay of 3 × the rate towards them): 56.1 %;
   *   - the mean of the weights of seeds 1–4 (each with its own 3 lines held out, so together
   *     they learnt from all 22): 49.3 %; of seeds 5–8: 49.8 % (the bad seed 5 included); of
   *     1–8: 49.6 %; of 4 runs that all held out the same 3 lines: 51.4 %. The runs start from
   *     the same weights and end in the same basin, so their mean is a model, and a better one.
   * So 4 runs, each with its own held-out lines, in about 4 times the time of one (50 s each
   * on both cores of this machine for 2,000 lines): 49.6, 47.7, 49.4 % (seeds 1–3). With 1,500
   * lines a run (79 epochs): 49.9, 49.5, 49.0 % — a quarter less work for half a point more. */
  opts->runs = 4;
}

int
lectern_finetune_epochs (const LecternFinetuneOptions *opts, guint train_lines)
{
  if (opts->line_budget == 0 || train_lines == 0)
    return opts->train.epochs;
  const guint epochs = (opts->line_budget + train_lines - 1) / train_lines;
  return (int) CLAMP (epochs, (guint) MIN (LECTERN_FINETUNE_MIN_EPOCHS, opts->train.epochs),
                      (guint) opts->train.epochs);
}

gboolean
lectern_finetune_add_line (LecternDataset *ds, const char *source, const char *text,
                           const LecternImage *image)
{
  g_autofree char *clean = lectern_text_clean_transcription (text != NULL ? text : "",
                                                             LECTERN_CLEAN_DEFAULT);
  if (clean[0] == '\0' || lectern_text_has_unread_parts (text) || image == NULL
      || image->width < 2 || image->height < 2
      || g_utf8_strlen (clean, -1) > LECTERN_DATASET_MAX_LINE_CHARS)
    {
      ds->skipped++;
      return FALSE;
    }
  LecternSample *s = g_new0 (LecternSample, 1);
  s->source = g_strdup (source);
  s->text = g_steal_pointer (&clean);
  s->image = lectern_image_scale_to_height (image, ds->height);
  g_ptr_array_add (ds->samples, s);
  return TRUE;
}

/* The part of n lines to hold out for val_fraction: a held-out part of one or two lines says
 * nothing, so a few when there are enough. */
static double
held_out_fraction (guint n, double val_fraction)
{
  if (n > 2 * LECTERN_FINETUNE_MIN_VAL_LINES && n * val_fraction < LECTERN_FINETUNE_MIN_VAL_LINES)
    return (LECTERN_FINETUNE_MIN_VAL_LINES + 0.25) / n;
  return val_fraction;
}

LecternDataset *
lectern_finetune_split (LecternDataset *ds, double val_fraction, guint64 seed)
{
  return lectern_dataset_split (ds, held_out_fraction (ds->samples->len, val_fraction), seed);
}

guint
lectern_finetune_val_lines (guint n, double val_fraction)
{
  return lectern_dataset_choose_held (n, held_out_fraction (n, val_fraction), 0, NULL);
}

LecternCharset *
lectern_finetune_data_charset (const LecternDataset *ds)
{
  LecternCharset *cs = lectern_charset_new ();
  for (guint i = 0; i < ds->samples->len; i++)
    {
      const LecternSample *s = g_ptr_array_index (ds->samples, i);
      for (const char *p = s->text; *p; p = g_utf8_next_char (p))
        if (lectern_charset_char_is_valid (g_utf8_get_char (p)))
          lectern_charset_add (cs, g_utf8_get_char (p));
    }
  return cs;
}

LecternModel *
lectern_finetune_prepare (const LecternModel *base, const char *fallback_name,
                          const LecternDataset *train, guint64 seed, guint *n_added)
{
  g_autoptr (LecternCharset) data_cs = lectern_finetune_data_charset (train);
  LecternModel *model = lectern_model_copy (base);
  guint added = lectern_model_extend_charset (model, data_cs, seed);
  /* the base's card describes the base (its data, its status, its validation), not the new
   * model: the card starts afresh with the architecture and what it is trained from, and the
   * training writes its own figures */
  g_autofree char *arch = lectern_model_get_info (base, "architecture");
  g_autofree char *base_card_name = lectern_model_get_info (base, "name");
  g_key_file_remove_group (model->card, "model", NULL);
  if (arch != NULL)
    lectern_model_set_info (model, "architecture", arch);
  lectern_model_set_info (model, "base", base_card_name != NULL && base_card_name[0] != '\0'
                                         ? base_card_name
                                         : fallback_name != NULL ? fallback_name : "unnamed");
  if (n_added != NULL)
    *n_added = added;
  return model;
}

/* ---- runs averaged ------------------------------------------------------------------ */

/* The runs go one after another, or, with two threads or more, side by side in lanes of one
 * thread each (lane l trains runs l, l + lanes, …): a run on one thread does nearly as much per
 * second as on two (small batches of short lines keep two threads waiting on each other), so two
 * runs side by side finish in about 0.78 of the time two runs one after the other take. Each run
 * is the same computation whichever lane it is in; the mean is taken in run order at the end. */
typedef struct {
  /* read by every lane */
  const LecternModel        *start;
  const LecternModel        *base;
  LecternDataset            *lines;
  LecternDataset            *val;
  double                     val_fraction;
  gboolean                   own_parts;
  const LecternTrainOptions *opts;
  int                        run_threads;
  guint                      runs, lanes;
  GPtrArray                 *run_paths;
  LecternTrainCallback       callback;
  gpointer                   user_data;
  GCancellable              *cancellable;   /* the caller's, or a lane's failure */
  /* under lock */
  GMutex                     lock;
  float                    **weights;       /* each run's final weights */
  double                    *before, *after;  /* per run; NAN where not measured */
  double                    *done;          /* per run: the fraction of its work done */
  int                       *epoch_of;      /* per run: its epoch under way; 0 before it begins,
                                               -1 once its training has returned */
  LecternFinetuneHeldOut     figures;
  float                      input_mean, input_std;
  GError                    *error;
} Runs;

typedef struct {
  Runs *runs;
  int   run;        /* from 1 */
} RunRelay;

/* Passes a run's status on, naming the run and with the fraction of all the runs' work done;
 * one status at a time, whichever lane it comes from. */
static void
pass_on_status (Runs *R, int run, const LecternTrainStatus *st)
{
  g_mutex_lock (&R->lock);
  if (st->event == LECTERN_TRAIN_EPOCH_END)
    R->done[run - 1] = (double) st->epoch / MAX (st->epochs, 1);
  else if (st->event == LECTERN_TRAIN_PROGRESS && st->lines_total > 0)
    R->done[run - 1] = (st->epoch - 1 + (double) st->lines_done / st->lines_total)
                       / MAX (st->epochs, 1);
  R->epoch_of[run - 1] = MAX (st->epoch, 1);
  double all = 0;
  int first = 0, last = 0, epoch = 0, active = 0;
  for (guint r = 0; r < R->runs; r++)
    {
      all += R->done[r];
      /* under way: begun and not finished */
      if (R->epoch_of[r] <= 0)
        continue;
      if (first == 0)
        first = (int) r + 1;
      last = (int) r + 1;
      active++;
      epoch = epoch == 0 ? R->epoch_of[r] : MIN (epoch, R->epoch_of[r]);
    }
  if (R->callback != NULL)
    {
      LecternTrainStatus status = *st;
      status.run = run;
      status.runs = (int) R->runs;
      status.runs_fraction = CLAMP (all / R->runs, 0.0, 1.0);
      status.runs_active = active;
      status.runs_first = first;
      status.runs_last = last;
      status.runs_epoch = epoch;
      R->callback (&status, R->user_data);
    }
  g_mutex_unlock (&R->lock);
}

static void
relay_run (const LecternTrainStatus *st, gpointer user_data)
{
  RunRelay *relay = user_data;
  pass_on_status (relay->runs, relay->run, st);
}

static void
remove_run_files (const char *run_path)
{
  static const char *const suffixes[] = { "", ".ckpt", ".ckpt.adam" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (run_path, suffixes[i], NULL);
      g_unlink (path);
    }
}

static void set_double (LecternModel *m, const char *key, double v);
static void set_uint (LecternModel *m, const char *key, guint v);

/* The lines of a run: those it learns from and (with val_fraction > 0) those it holds out, as
 * lectern_finetune_split would part them with seed, in datasets that share lines' samples
 * without owning them: lines stays as it is. */
static void
split_views (const LecternDataset *lines, double val_fraction, guint64 seed,
             LecternDataset **train, LecternDataset **held)
{
  const guint n = lines->samples->len;
  g_autofree gboolean *take = g_new0 (gboolean, n);
  if (val_fraction > 0)
    lectern_dataset_choose_held (n, held_out_fraction (n, val_fraction), seed, take);
  *train = lectern_dataset_new (lines->height);
  g_ptr_array_set_free_func ((*train)->samples, NULL);
  *held = NULL;
  if (val_fraction > 0)
    {
      *held = lectern_dataset_new (lines->height);
      g_ptr_array_set_free_func ((*held)->samples, NULL);
    }
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (take[i] ? (*held)->samples : (*train)->samples,
                     g_ptr_array_index (lines->samples, i));
}

/* One run (r from 0): its lines, the base measured on its held-out part, the training, the run's
 * own measure; its weights go to R->weights[r]. */
static gboolean
train_one_run (Runs *R, guint r, GError **error)
{
  const LecternTrainOptions *opts = R->opts;
  LecternTrainOptions run_opts = *opts;
  run_opts.out_path = g_ptr_array_index (R->run_paths, r);
  run_opts.seed = opts->seed + (guint64) r * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  run_opts.threads = R->run_threads;
  RunRelay relay = { R, (int) r + 1 };

  /* the lines this run learns from and those it is measured on */
  g_autoptr (LecternDataset) train = NULL;
  g_autoptr (LecternDataset) part = NULL;
  split_views (R->lines, R->own_parts ? R->val_fraction : 0, run_opts.seed, &train, &part);
  LecternDataset *run_val = R->own_parts ? part : R->val;
  g_mutex_lock (&R->lock);
  R->figures.train_lines = train->samples->len;
  g_mutex_unlock (&R->lock);
  if (run_val != NULL && run_val->samples->len > 0 && (R->own_parts || r == 0))
    {
      double before = NAN;
      lectern_evaluate (R->base, run_val, R->run_threads, &before, NULL, NULL);
      if (g_cancellable_is_cancelled (R->cancellable))
        {
          /* as the trainer says it */
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED, "Training was interrupted");
          return FALSE;
        }
      g_mutex_lock (&R->lock);
      R->figures.val_lines = run_val->samples->len;
      R->before[r] = before;
      g_mutex_unlock (&R->lock);
      LecternTrainStatus st = { 0 };
      st.event = LECTERN_TRAIN_MESSAGE;
      st.epochs = opts->epochs;
      st.val_cer = st.val_wer = NAN;
      st.best_cer = before;
      /* the lines measured on: this run's own, or the validation set given */
      const char *measured = R->own_parts ? "held out" : "to validate on";
      g_autofree char *msg
        = R->runs > 1 ? g_strdup_printf ("Run %u of %u: %u lines to learn from, %u %s; the base "
                                         "model's error on them: %.1f%%", r + 1, R->runs,
                                         train->samples->len, run_val->samples->len, measured,
                                         100 * before)
                      : g_strdup_printf ("%u lines to learn from, %u %s; the base model's error "
                                         "on them: %.1f%%", train->samples->len,
                                         run_val->samples->len, measured, 100 * before);
      st.message = msg;
      pass_on_status (R, relay.run, &st);
    }

  g_autoptr (LecternModel) run_model = lectern_model_copy (R->start);
  if (!lectern_train (run_model, train, run_val, &run_opts, relay_run, &relay, R->cancellable,
                      error))
    return FALSE;
  double after = NAN;
  if (R->own_parts && run_val->samples->len > 0)
    lectern_evaluate (run_model, run_val, R->run_threads, &after, NULL, NULL);
  g_mutex_lock (&R->lock);
  R->done[r] = 1;   /* also where it stopped early */
  R->epoch_of[r] = -1;
  R->after[r] = after;
  R->weights[r] = g_memdup2 (run_model->net->params, run_model->net->n_params * sizeof (float));
  /* a resumed run may bring its own input normalisation (lectern_train); all share it */
  R->input_mean = run_model->net->arch.input_mean;
  R->input_std = run_model->net->arch.input_std;
  g_mutex_unlock (&R->lock);
  return TRUE;
}

typedef struct {
  Runs  *runs;
  guint  lane;
} Lane;

/* A lane: its runs one after another, until one fails or the work is cancelled. */
static gpointer
lane_main (gpointer data)
{
  const Lane *lane = data;
  Runs *R = lane->runs;
  for (guint r = lane->lane; r < R->runs; r += R->lanes)
    {
      GError *local = NULL;
      if (train_one_run (R, r, &local))
        continue;
      g_mutex_lock (&R->lock);
      /* the first failure is the one to report, not the cancellation it caused in the others */
      if (R->error == NULL || (g_error_matches (R->error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)
                               && !g_error_matches (local, LECTERN_ERROR, LECTERN_ERROR_CANCELLED)))
        {
          g_clear_error (&R->error);
          R->error = local;
        }
      else
        g_error_free (local);
      g_mutex_unlock (&R->lock);
      g_cancellable_cancel (R->cancellable);
      break;
    }
  return NULL;
}

static void
cancel_lanes (GCancellable *caller, gpointer lanes_cancellable)
{
  (void) caller;
  g_cancellable_cancel (lanes_cancellable);
}

gboolean
lectern_finetune_train_runs (LecternModel *model, const LecternModel *base,
                             LecternDataset *lines, LecternDataset *val, double val_fraction,
                             const LecternTrainOptions *opts, guint runs,
                             LecternFinetuneHeldOut *held_out, LecternTrainCallback callback,
                             gpointer user_data, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (opts->out_path != NULL, FALSE);
  runs = MAX (runs, 1);
  const gsize n = model->net->n_params;
  g_autoptr (LecternModel) start = lectern_model_copy (model);
  const int threads = opts->threads > 0 ? opts->threads : (int) g_get_num_processors ();
  g_autoptr (GCancellable) lanes_cancellable = g_cancellable_new ();
  gulong handler = cancellable != NULL
                   ? g_cancellable_connect (cancellable, G_CALLBACK (cancel_lanes),
                                            lanes_cancellable, NULL)
                   : 0;

  Runs R = { 0 };
  R.start = start;
  R.base = base != NULL ? base : start;
  R.lines = lines;
  R.val = val;
  R.val_fraction = val_fraction;
  R.own_parts = val == NULL && val_fraction > 0;
  R.opts = opts;
  R.runs = runs;
  R.lanes = runs > 1 ? (guint) CLAMP (threads, 1, (int) runs) : 1;
  R.run_threads = MAX (1, threads / (int) R.lanes);
  R.run_paths = g_ptr_array_new_with_free_func (g_free);
  for (guint r = 0; r < runs; r++)
    /* one run alone writes where the caller said, as lectern_train would */
    g_ptr_array_add (R.run_paths, runs > 1 ? g_strdup_printf ("%s.run%u", opts->out_path, r + 1)
                                           : g_strdup (opts->out_path));
  R.callback = callback;
  R.user_data = user_data;
  R.cancellable = lanes_cancellable;
  g_mutex_init (&R.lock);
  R.weights = g_new0 (float *, runs);
  R.before = g_new (double, runs);
  R.after = g_new (double, runs);
  R.done = g_new0 (double, runs);
  R.epoch_of = g_new0 (int, runs);
  for (guint r = 0; r < runs; r++)
    R.before[r] = R.after[r] = NAN;
  R.figures = (LecternFinetuneHeldOut) { NAN, NAN, 0, lines->samples->len };
  R.input_mean = model->net->arch.input_mean;
  R.input_std = model->net->arch.input_std;

  g_autofree Lane *lanes = g_new (Lane, R.lanes);
  g_autofree GThread **threads_of = g_new0 (GThread *, R.lanes);
  for (guint l = 0; l < R.lanes; l++)
    {
      lanes[l] = (Lane) { &R, l };
      /* the first lane is this thread */
      if (l > 0)
        threads_of[l] = g_thread_new ("lectern-finetune-run", lane_main, &lanes[l]);
    }
  lane_main (&lanes[0]);
  for (guint l = 1; l < R.lanes; l++)
    g_thread_join (threads_of[l]);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);

  gboolean ok = R.error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&R.error));
  else
    {
      /* the mean of the runs' weights, summed in run order */
      for (gsize k = 0; k < n; k++)
        {
          double sum = 0;
          for (guint r = 0; r < runs; r++)
            sum += R.weights[r][k];
          model->net->params[k] = (float) (sum / runs);
        }
      model->net->arch.input_mean = R.input_mean;
      model->net->arch.input_std = R.input_std;
    }
  double before_sum = 0, after_sum = 0;
  for (guint r = 0; r < runs; r++)
    {
      if (isfinite (R.before[r]))
        before_sum += R.before[r];
      if (isfinite (R.after[r]))
        after_sum += R.after[r];
    }
  LecternFinetuneHeldOut figures = R.figures;
  for (guint r = 0; r < runs; r++)
    g_free (R.weights[r]);
  g_free (R.weights);
  g_free (R.before);
  g_free (R.after);
  g_free (R.done);
  g_free (R.epoch_of);
  g_mutex_clear (&R.lock);
  g_autoptr (GPtrArray) run_paths = R.run_paths;
  if (!ok)
    return FALSE;

  const gboolean own_parts = val == NULL && val_fraction > 0;
  if (own_parts && figures.val_lines > 0)
    {
      figures.cer_before = before_sum / runs;
      figures.cer_after = after_sum / runs;
    }
  else if (val != NULL && val->samples->len > 0)
    {
      figures.cer_before = before_sum;
      lectern_evaluate (model, val, opts->threads, &figures.cer_after, NULL, NULL);
    }
  if (held_out != NULL)
    *held_out = figures;
  if (runs == 1)
    return TRUE;   /* lectern_train saved it */

  /* the card says what the trainer's would, of the mean */
  g_autoptr (LecternModel) out = lectern_model_copy (model);
  lectern_train_write_card (out, opts->epochs, lines->samples->len, opts->dropout,
                            figures.cer_after, NAN,
                            isfinite (figures.cer_after) ? figures.val_lines : 0);
  set_uint (out, "runs-averaged", runs);
  g_autofree char *msg = NULL;
  if (isfinite (figures.cer_after))
    {
      msg = own_parts
        ? g_strdup_printf ("The mean of the %u runs' weights is the model. Each run on the lines "
                           "it held out: %.2f%% (the base model %.2f%%)", runs,
                           100 * figures.cer_after, 100 * figures.cer_before)
        : g_strdup_printf ("The mean of the %u runs' weights: validation CER %.2f%%", runs,
                           100 * figures.cer_after);
    }
  else
    msg = g_strdup_printf ("The mean of the %u runs' weights is the model", runs);
  LecternTrainStatus st = { 0 };
  st.event = LECTERN_TRAIN_MESSAGE;
  st.run = st.runs = (int) runs;
  st.runs_fraction = 1;
  st.epoch = st.epochs = opts->epochs;
  st.val_cer = st.val_wer = st.best_cer = NAN;
  st.message = msg;
  if (callback != NULL)
    callback (&st, user_data);
  if (!lectern_model_save (out, opts->out_path, error))
    return FALSE;
  for (guint r = 0; r < run_paths->len; r++)
    remove_run_files (g_ptr_array_index (run_paths, r));
  return TRUE;
}

/* ---- the whole fine-tuning ----------------------------------------------------------- */

/* Removes the run's work folder and whatever the trainer left in it. */
static void
remove_work_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

typedef struct {
  LecternTrainCallback callback;
  gpointer             user_data;
  int                  epochs;        /* epochs finished */
  int                  best_epoch;    /* the epoch whose weights are kept (1-based) */
} Relay;

static void
relay_status (const LecternTrainStatus *st, gpointer user_data)
{
  Relay *relay = user_data;
  if (st->event == LECTERN_TRAIN_EPOCH_END)
    {
      relay->epochs = st->epoch;      /* the trainer counts epochs from 1 */
      if (st->improved)
        relay->best_epoch = st->epoch;
    }
  if (relay->callback != NULL)
    relay->callback (st, relay->user_data);
}

static void
set_double (LecternModel *m, const char *key, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  lectern_model_set_info (m, key, g_ascii_dtostr (buf, sizeof buf, v));
}

static void
set_uint (LecternModel *m, const char *key, guint v)
{
  g_autofree char *s = g_strdup_printf ("%u", v);
  lectern_model_set_info (m, key, s);
}

/* The new model's card: what it is and how it was made. The base's own card describes the base
 * (its data, its status), not this model, so only its architecture is kept. */
static void
write_card (LecternModel *model, const LecternModel *base, const LecternFinetuneOptions *opts,
            const LecternFinetuneResult *result)
{
  g_autofree char *arch = lectern_model_get_info (base, "architecture");
  g_autofree char *base_card_name = lectern_model_get_info (base, "name");
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autoptr (GDateTime) local = g_date_time_to_local (now);
  g_autofree char *day = g_date_time_format (local, "%Y-%m-%d %H:%M");
  g_autofree char *default_name = g_strdup_printf ("Fine-tuned %s", day);

  g_key_file_remove_group (model->card, "model", NULL);
  lectern_model_set_info (model, "name", opts->name != NULL ? opts->name : default_name);
  if (arch != NULL)
    lectern_model_set_info (model, "architecture", arch);
  lectern_model_set_info (model, "base", opts->base_name != NULL ? opts->base_name
                                         : base_card_name != NULL ? base_card_name : "unnamed");
  lectern_model_set_info (model, "trained", stamp);
  lectern_model_set_info (model, "fine-tuned", stamp);
  /* several runs, each holding out its own lines, learnt from all of them together */
  set_uint (model, "lines", result->train_lines + (result->runs > 1 ? result->val_lines : 0));
  set_uint (model, "validation-lines", result->val_lines);
  set_uint (model, "epochs", (guint) result->epochs);
  if (result->runs > 1)
    set_uint (model, "runs-averaged", result->runs);
  set_uint (model, "new-characters", result->new_classes);
  set_double (model, "cer-before", result->cer_before);
  set_double (model, "cer-after", result->cer_after);
  set_double (model, "validation-cer", result->cer_after);
  char lr[G_ASCII_DTOSTR_BUF_SIZE];
  /* the float's own digits, not those of its double */
  lectern_model_set_info (model, "learning-rate",
                          g_ascii_formatd (lr, sizeof lr, "%.4g", opts->train.learning_rate));
  set_double (model, "dropout", opts->train.dropout);
  if (opts->pages != NULL && opts->pages[0] != '\0')
    lectern_model_set_info (model, "pages", opts->pages);
}

LecternModel *
lectern_finetune (const LecternModel *base, LecternDataset *lines,
                  const LecternFinetuneOptions *opts, const char *out_path,
                  LecternTrainCallback callback, gpointer user_data,
                  GCancellable *cancellable, LecternFinetuneResult *result, GError **error)
{
  g_return_val_if_fail (base != NULL && lines != NULL && opts != NULL && out_path != NULL, NULL);

  LecternFinetuneResult res = { NAN, NAN, 0, 0, 0, 0, MAX (opts->runs, 1) };
  if (lines->samples->len < LECTERN_FINETUNE_MIN_VAL_LINES + 1)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "Fine-tuning needs at least %u usable lines; there are %u",
                   LECTERN_FINETUNE_MIN_VAL_LINES + 1, lines->samples->len);
      return NULL;
    }
  const guint n_lines = lines->samples->len;
  g_autoptr (LecternModel) model = lectern_finetune_prepare (base, NULL, lines, opts->train.seed,
                                                              &res.new_classes);

  g_autoptr (GError) local = NULL;
  g_autofree char *work_dir = g_dir_make_tmp ("lectern-finetune-XXXXXX", &local);
  if (work_dir == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   "Cannot make a work folder for fine-tuning: %s", local->message);
      return NULL;
    }
  g_autofree char *work_model = g_build_filename (work_dir, "model.lectern", NULL);
  LecternTrainOptions train_opts = opts->train;
  train_opts.epochs = lectern_finetune_epochs (opts, n_lines - lectern_finetune_val_lines (
                                                        n_lines, opts->val_fraction));
  train_opts.out_path = work_model;
  train_opts.resume = FALSE;
  Relay relay = { callback, user_data, 0, 0 };
  LecternFinetuneHeldOut held_out;
  gboolean ok = lectern_finetune_train_runs (model, base, lines, NULL, opts->val_fraction,
                                             &train_opts, opts->runs, &held_out, relay_status,
                                             &relay, cancellable, error);
  remove_work_dir (work_dir);
  if (!ok)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  res.epochs = relay.best_epoch > 0 ? relay.best_epoch : relay.epochs;
  res.cer_before = held_out.cer_before;
  res.cer_after = held_out.cer_after;
  res.train_lines = held_out.train_lines;
  res.val_lines = held_out.val_lines;
  write_card (model, base, opts, &res);
  if (!lectern_model_save (model, out_path, error))
    return NULL;
  if (result != NULL)
    *result = res;
  return g_steal_pointer (&model);
}
