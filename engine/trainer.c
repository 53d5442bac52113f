/* trainer.c — CTC training of a model on line datasets, data-parallel over threads. */
#include "trainer.h"
#include "augment.h"
#include "ctc.h"
#include "error.h"
#include "optim.h"
#include "recognizer.h"

#include <math.h>
#include <string.h>

void
lectern_train_options_init (LecternTrainOptions *o)
{
  memset (o, 0, sizeof *o);
  o->epochs = 50;
  o->patience = 10;
  o->dropout = 0.5f;
  o->learning_rate = 1e-3f;
  o->batch = 8;
  o->threads = 0;
  o->seed = 1;
  o->augment = TRUE;
  o->resume = TRUE;
  o->checkpoint_seconds = 120;
}

/* One worker: a workspace and a gradient arena of its own. */
typedef struct {
  LecternWorkspace *ws;
  float            *grad;       /* sum over this step's lines */
  float            *line_grad;  /* one line's, checked before it is added */
  LecternParamView  line_view;
  double            loss;
  guint             counted;
  guint             diverged;   /* lines whose gradient was not finite */
} Worker;

typedef struct {
  const LecternModel *model;
  LecternDataset     *train;
  int               **labels;     /* per sample, NULL when unusable */
  int                *n_labels;
  const LecternTrainOptions *opts;
  int                 epoch;
  const guint32      *batch;      /* sample indices of this step */
  guint               batch_len;
  Worker             *workers;
  int                 n_workers;
  GMutex              lock;
  GCond               cond;
  int                 pending;
} Shared;

typedef struct {
  Shared *sh;
  int     worker;
} Task;

static guint64
line_seed (guint64 seed, int epoch, guint32 index)
{
  return seed * 0x9E3779B97F4A7C15ull ^ ((guint64) epoch << 32) ^ index;
}

static void
train_one (Shared *sh, Worker *w, guint32 index)
{
  const LecternModel *model = sh->model;
  LecternSample *s = g_ptr_array_index (sh->train->samples, index);
  if (sh->labels[index] == NULL)
    return;
  LecternRng rng;
  lectern_rng_init (&rng, line_seed (sh->opts->seed, sh->epoch, index));
  g_autoptr (LecternImage) aug = sh->opts->augment ? lectern_augment_line (s->image, &rng) : NULL;
  int width;
  g_autofree float *input = lectern_line_to_input (&model->net->arch, aug ? aug : s->image, &width, NULL);
  const float *scores;
  const int T = lectern_network_forward (model->net, w->ws, input, width, sh->opts->dropout, &rng,
                                         &scores);
  const int C = model->net->arch.n_classes;
  g_autofree float *dscores = g_new (float, (gsize) T * C);
  double loss = lectern_ctc_loss (scores, T, C, sh->labels[index], sh->n_labels[index], dscores);
  if (!isfinite (loss))
    return;  /* too short for its text after augmentation: no gradient */
  const gsize np = model->net->n_params;
  memset (w->line_grad, 0, np * sizeof (float));
  lectern_network_backward (model->net, w->ws, dscores, &w->line_view);
  /* a cell state that grew without bound (f1 + f2 > 1 along a long path) gives inf/NaN: keep
   * such a line out of the update rather than lose the whole step */
  float check = 0;
  for (gsize k = 0; k < np; k++)
    check += 0.0f * w->line_grad[k];
  if (check != 0.0f)
    {
      w->diverged++;
      return;
    }
  for (gsize k = 0; k < np; k++)
    w->grad[k] += w->line_grad[k];
  w->loss += loss;
  w->counted++;
}

static void
task_run (gpointer data, gpointer pool_data)
{
  Task *t = data;
  Shared *sh = t->sh;
  Worker *w = &sh->workers[t->worker];
  for (guint i = t->worker; i < sh->batch_len; i += sh->n_workers)
    train_one (sh, w, sh->batch[i]);
  g_mutex_lock (&sh->lock);
  sh->pending--;
  g_cond_signal (&sh->cond);
  g_mutex_unlock (&sh->lock);
}

/* ---- evaluation --------------------------------------------------------------------- */

typedef struct {
  LecternRecognizer *rec;
  LecternDataset    *ds;
  char             **out;
  volatile gint      next;
} EvalShared;

static gpointer
eval_thread (gpointer data)
{
  EvalShared *e = data;
  for (;;)
    {
      gint i = g_atomic_int_add (&e->next, 1);
      if (i >= (gint) e->ds->samples->len)
        break;
      LecternSample *s = g_ptr_array_index (e->ds->samples, i);
      g_autoptr (LecternRecognition) r = lectern_recognizer_recognize (e->rec, s->image, 0, NULL);
      e->out[i] = g_strdup (r ? r->text : "");
    }
  return NULL;
}

void
lectern_evaluate (const LecternModel *model, LecternDataset *ds, int threads, double *cer,
                  double *wer, GPtrArray *texts)
{
  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  EvalShared e = { lectern_recognizer_new (lectern_model_copy (model)), ds,
                   g_new0 (char *, ds->samples->len + 1), 0 };
  GThread *th[64];
  threads = MIN (threads, 64);
  for (int i = 0; i < threads; i++)
    th[i] = g_thread_new ("lectern-eval", eval_thread, &e);
  for (int i = 0; i < threads; i++)
    g_thread_join (th[i]);
  LecternErrorCounts counts = { 0 };
  for (guint i = 0; i < ds->samples->len; i++)
    {
      LecternSample *s = g_ptr_array_index (ds->samples, i);
      lectern_error_counts_add (&counts, e.out[i], s->text);
      if (texts)
        g_ptr_array_add (texts, g_strdup (e.out[i]));
    }
  if (cer)
    *cer = lectern_error_counts_cer (&counts);
  if (wer)
    *wer = lectern_error_counts_wer (&counts);
  g_strfreev (e.out);
  lectern_recognizer_free (e.rec);
}

/* ---- checkpoints -------------------------------------------------------------------- */

static const char ADAM_MAGIC[8] = { 'L', 'E', 'C', 'T', 'A', 'D', 'A', 'M' };

static gboolean
save_adam (const LecternAdam *opt, const char *path, GError **error)
{
  GByteArray *out = g_byte_array_new ();
  g_byte_array_append (out, (const guint8 *) ADAM_MAGIC, 8);
  guint64 n = GUINT64_TO_LE ((guint64) opt->n), step = GUINT64_TO_LE (opt->step);
  g_byte_array_append (out, (const guint8 *) &n, 8);
  g_byte_array_append (out, (const guint8 *) &step, 8);
  g_byte_array_append (out, (const guint8 *) opt->m, (guint) (opt->n * sizeof (float)));
  g_byte_array_append (out, (const guint8 *) opt->v, (guint) (opt->n * sizeof (float)));
  guint8 digest[32];
  gsize dlen = 32;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, out->data, out->len);
  g_checksum_get_digest (sum, digest, &dlen);
  g_checksum_free (sum);
  g_byte_array_append (out, digest, 32);
  gboolean ok = g_file_set_contents (path, (const char *) out->data, out->len, error);
  g_byte_array_unref (out);
  return ok;
}

/* Restores the moments if the file matches; otherwise leaves them fresh. */
static gboolean
load_adam (LecternAdam *opt, const char *path)
{
  g_autofree char *data = NULL;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  const gsize want = 8 + 8 + 8 + 2 * opt->n * sizeof (float) + 32;
  if (len != want || memcmp (data, ADAM_MAGIC, 8) != 0)
    return FALSE;
  guint8 digest[32];
  gsize dlen = 32;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guint8 *) data, len - 32);
  g_checksum_get_digest (sum, digest, &dlen);
  g_checksum_free (sum);
  if (memcmp (digest, data + len - 32, 32) != 0)
    return FALSE;
  guint64 n, step;
  memcpy (&n, data + 8, 8);
  memcpy (&step, data + 16, 8);
  if (GUINT64_FROM_LE (n) != opt->n)
    return FALSE;
  opt->step = GUINT64_FROM_LE (step);
  memcpy (opt->m, data + 24, opt->n * sizeof (float));
  memcpy (opt->v, data + 24 + opt->n * sizeof (float), opt->n * sizeof (float));
  return TRUE;
}

static void
set_int (LecternModel *m, const char *key, gint64 v)
{
  g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, v);
  lectern_model_set_info (m, key, s);
}

static void
set_double (LecternModel *m, const char *key, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  lectern_model_set_info (m, key, g_ascii_dtostr (buf, sizeof buf, v));
}

static double
get_double (const LecternModel *m, const char *key, double fallback)
{
  g_autofree char *s = lectern_model_get_info (m, key);
  return s ? g_ascii_strtod (s, NULL) : fallback;
}

static void
notify (LecternTrainCallback cb, gpointer ud, LecternTrainStatus *st, LecternTrainEvent ev)
{
  st->event = ev;
  if (cb)
    cb (st, ud);
}

static void
message (LecternTrainCallback cb, gpointer ud, LecternTrainStatus *st, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
message (LecternTrainCallback cb, gpointer ud, LecternTrainStatus *st, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  st->message = msg;
  notify (cb, ud, st, LECTERN_TRAIN_MESSAGE);
  st->message = NULL;
}

void
lectern_train_write_card (LecternModel *model, int epochs, guint lines, float dropout,
                          double val_cer, double val_wer, guint val_lines)
{
  set_int (model, "epochs", epochs);
  set_int (model, "lines", lines);
  if (val_lines > 0 && !isnan (val_cer))
    {
      set_double (model, "validation-cer", val_cer);
      if (!isnan (val_wer))
        set_double (model, "validation-wer", val_wer);
      set_int (model, "validation-lines", val_lines);
    }
  set_double (model, "dropout", dropout);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  lectern_model_set_info (model, "trained", stamp);
}

gboolean
lectern_train (LecternModel *model, LecternDataset *train, LecternDataset *val,
               const LecternTrainOptions *opts, LecternTrainCallback callback, gpointer user_data,
               GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (opts->out_path != NULL, FALSE);
  const guint n = train->samples->len;
  if (n == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID, "No training lines");
      return FALSE;
    }
  g_autofree char *ckpt_path = g_strconcat (opts->out_path, ".ckpt", NULL);
  g_autofree char *adam_path = g_strconcat (opts->out_path, ".ckpt.adam", NULL);
  LecternTrainStatus st = { 0 };
  st.run = st.runs = 1;
  st.epochs = opts->epochs;
  st.best_cer = INFINITY;
  const gint64 t_start = g_get_monotonic_time ();

  LecternAdam adam;
  lectern_adam_init (&adam, model->net->n_params, opts->learning_rate);
  int first_epoch = 0;
  guint first_position = 0;
  int bad_epochs = 0;
  LecternModel *best = lectern_model_copy (model);

  if (opts->resume && g_file_test (ckpt_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (LecternModel) ck = lectern_model_load (ckpt_path, &local);
      if (ck == NULL)
        message (callback, user_data, &st, "Ignoring checkpoint: %s", local->message);
      else if (ck->net->n_params != model->net->n_params
               || lectern_charset_size (ck->charset) != lectern_charset_size (model->charset))
        message (callback, user_data, &st, "Ignoring checkpoint %s: it is for another network", ckpt_path);
      else
        {
          memcpy (model->net->params, ck->net->params, model->net->n_params * sizeof (float));
          /* the weights were trained for the checkpoint's input normalisation */
          model->net->arch.input_mean = ck->net->arch.input_mean;
          model->net->arch.input_std = ck->net->arch.input_std;
          first_epoch = (int) get_double (ck, "train-epoch", 0);
          first_position = (guint) get_double (ck, "train-position", 0);
          bad_epochs = (int) get_double (ck, "train-bad-epochs", 0);
          st.best_cer = get_double (ck, "train-best-cer", INFINITY);
          gboolean moments = load_adam (&adam, adam_path);
          if (g_file_test (opts->out_path, G_FILE_TEST_EXISTS))
            {
              LecternModel *b = lectern_model_load (opts->out_path, NULL);
              if (b != NULL && b->net->n_params == model->net->n_params)
                {
                  lectern_model_free (best);
                  best = b;
                }
              else
                lectern_model_free (b);
            }
          message (callback, user_data, &st, "Resuming from %s: epoch %d, line %u%s", ckpt_path,
                   first_epoch + 1, first_position, moments ? "" : " (optimiser state lost)");
        }
    }

  /* targets */
  g_autofree int **labels = g_new0 (int *, n);
  g_autofree int *n_labels = g_new0 (int, n);
  guint unusable = 0;
  for (guint i = 0; i < n; i++)
    {
      LecternSample *s = g_ptr_array_index (train->samples, i);
      labels[i] = lectern_charset_encode (model->charset, s->text, TRUE, &n_labels[i], NULL);
      if (labels[i] == NULL || n_labels[i] == 0)
        {
          g_clear_pointer (&labels[i], g_free);
          unusable++;
        }
    }
  if (unusable > 0)
    message (callback, user_data, &st, "%u training lines have no usable text and are skipped", unusable);

  int threads = opts->threads > 0 ? opts->threads : (int) g_get_num_processors ();
  threads = CLAMP (threads, 1, 64);
  Shared sh = { .model = model, .train = train, .labels = labels, .n_labels = n_labels,
                .opts = opts, .n_workers = threads };
  g_mutex_init (&sh.lock);
  g_cond_init (&sh.cond);
  sh.workers = g_new0 (Worker, threads);
  for (int i = 0; i < threads; i++)
    {
      sh.workers[i].ws = lectern_workspace_new ();
      sh.workers[i].grad = g_new0 (float, model->net->n_params);
      sh.workers[i].line_grad = g_new0 (float, model->net->n_params);
      lectern_param_view_bind (&model->net->arch, sh.workers[i].line_grad, &sh.workers[i].line_view);
    }
  GThreadPool *pool = g_thread_pool_new (task_run, NULL, threads, TRUE, NULL);
  Task *tasks = g_new (Task, threads);
  g_autofree guint32 *order = g_new (guint32, n);
  g_autofree float *sum = g_new (float, model->net->n_params);
  const guint epoch_lines = opts->max_epoch_lines > 0 ? MIN (n, (guint) opts->max_epoch_lines) : n;
  gboolean ok = TRUE, cancelled = FALSE;
  gint64 last_ckpt = g_get_monotonic_time ();

  for (int epoch = first_epoch; epoch < opts->epochs && !cancelled; epoch++)
    {
      sh.epoch = epoch;
      st.epoch = epoch + 1;
      for (guint i = 0; i < n; i++)
        order[i] = i;
      LecternRng shuffle;
      lectern_rng_init (&shuffle, line_seed (opts->seed, epoch, 0xFFFFFFFFu));
      lectern_rng_shuffle (&shuffle, order, n);
      double epoch_loss = 0;
      guint epoch_counted = 0;
      st.diverged = 0;
      const gint64 t_epoch = g_get_monotonic_time ();
      guint start = epoch == first_epoch ? first_position : 0;
      for (guint pos = start; pos < epoch_lines; pos += opts->batch)
        {
          if (g_cancellable_is_cancelled (cancellable))
            {
              cancelled = TRUE;
              first_position = pos;
              break;
            }
          sh.batch = order + pos;
          sh.batch_len = MIN ((guint) opts->batch, epoch_lines - pos);
          sh.pending = threads;
          for (int i = 0; i < threads; i++)
            {
              memset (sh.workers[i].grad, 0, model->net->n_params * sizeof (float));
              sh.workers[i].loss = 0;
              sh.workers[i].counted = 0;
              sh.workers[i].diverged = 0;
              tasks[i] = (Task) { &sh, i };
              g_thread_pool_push (pool, &tasks[i], NULL);
            }
          g_mutex_lock (&sh.lock);
          while (sh.pending > 0)
            g_cond_wait (&sh.cond, &sh.lock);
          g_mutex_unlock (&sh.lock);

          guint counted = 0;
          memset (sum, 0, model->net->n_params * sizeof (float));
          for (int i = 0; i < threads; i++)
            {
              for (gsize k = 0; k < model->net->n_params; k++)
                sum[k] += sh.workers[i].grad[k];
              epoch_loss += sh.workers[i].loss;
              counted += sh.workers[i].counted;
              st.diverged += sh.workers[i].diverged;
            }
          epoch_counted += counted;
          if (counted > 0)
            {
              const float inv = 1.0f / counted;
              for (gsize k = 0; k < model->net->n_params; k++)
                sum[k] *= inv;
              if (opts->lr_cosine)
                {
                  /* from the epoch and position, not a counter: a resumed run follows the same
                   * schedule. Adam's first steps move every weight by about the full rate
                   * whatever its gradient, which can wreck a trained model (a fine-tuning run at
                   * 2e-3 forgot everything in its second epoch): the rate rises over the first
                   * LECTERN_TRAIN_WARMUP of the run. */
                  const double done = (epoch + (double) pos / epoch_lines) / opts->epochs;
                  const double warm = MIN (1.0, (done + 0.5 / (opts->epochs * (double) epoch_lines
                                                              / opts->batch))
                                                / LECTERN_TRAIN_WARMUP);
                  adam.lr = (float) (opts->learning_rate * warm * 0.5 * (1 + cos (G_PI * done)));
                }
              lectern_adam_step (&adam, model->net->params, sum);
            }

          st.lines_done = pos + sh.batch_len;
          st.lines_total = epoch_lines;
          const double dt = (g_get_monotonic_time () - t_epoch) / 1e6;
          st.lines_per_second = dt > 0 ? (st.lines_done - start) / dt : 0;
          st.loss = epoch_counted ? epoch_loss / epoch_counted : 0;
          st.seconds = (g_get_monotonic_time () - t_start) / 1e6;
          notify (callback, user_data, &st, LECTERN_TRAIN_PROGRESS);

          if ((g_get_monotonic_time () - last_ckpt) / 1e6 > opts->checkpoint_seconds)
            {
              LecternModel *ck = lectern_model_copy (model);
              set_int (ck, "train-epoch", epoch);
              set_int (ck, "train-position", st.lines_done);
              set_int (ck, "train-bad-epochs", bad_epochs);
              set_double (ck, "train-best-cer", st.best_cer);
              ok = lectern_model_save (ck, ckpt_path, error) && save_adam (&adam, adam_path, error);
              lectern_model_free (ck);
              last_ckpt = g_get_monotonic_time ();
              if (!ok)
                goto out;
            }
        }
      if (cancelled)
        {
          LecternModel *ck = lectern_model_copy (model);
          set_int (ck, "train-epoch", epoch);
          set_int (ck, "train-position", first_position);
          set_int (ck, "train-bad-epochs", bad_epochs);
          set_double (ck, "train-best-cer", st.best_cer);
          ok = lectern_model_save (ck, ckpt_path, error) && save_adam (&adam, adam_path, error);
          lectern_model_free (ck);
          message (callback, user_data, &st, "Interrupted: checkpoint saved to %s", ckpt_path);
          break;
        }

      /* validation */
      double cer = NAN, wer = NAN;
      if (val != NULL && val->samples->len > 0)
        lectern_evaluate (model, val, threads, &cer, &wer, NULL);
      st.val_cer = cer;
      st.val_wer = wer;
      /* without a validation set, the training loss decides */
      const double score = isnan (cer) ? st.loss : cer;
      st.improved = opts->keep_last || score < st.best_cer;
      if (st.improved)
        {
          st.best_cer = score;
          bad_epochs = 0;
          lectern_model_free (best);
          best = lectern_model_copy (model);
          lectern_train_write_card (best, epoch + 1, n, opts->dropout, cer, wer,
                                    isnan (cer) ? 0 : val->samples->len);
          /* keeping the last weights, only the last epoch's are the result (an interrupted run
           * resumes from its checkpoint) */
          ok = opts->keep_last && epoch + 1 < opts->epochs
               ? TRUE : lectern_model_save (best, opts->out_path, error);
          if (!ok)
            goto out;
        }
      else
        bad_epochs++;
      st.seconds = (g_get_monotonic_time () - t_start) / 1e6;
      notify (callback, user_data, &st, LECTERN_TRAIN_EPOCH_END);

      LecternModel *ck = lectern_model_copy (model);
      set_int (ck, "train-epoch", epoch + 1);
      set_int (ck, "train-position", 0);
      set_int (ck, "train-bad-epochs", bad_epochs);
      set_double (ck, "train-best-cer", st.best_cer);
      ok = lectern_model_save (ck, ckpt_path, error) && save_adam (&adam, adam_path, error);
      lectern_model_free (ck);
      last_ckpt = g_get_monotonic_time ();
      if (!ok)
        goto out;
      if (opts->patience > 0 && bad_epochs >= opts->patience)
        {
          message (callback, user_data, &st, "Validation has not improved for %d epochs: stopping",
                   bad_epochs);
          break;
        }
    }

out:
  g_thread_pool_free (pool, FALSE, TRUE);
  for (int i = 0; i < threads; i++)
    {
      lectern_workspace_free (sh.workers[i].ws);
      g_free (sh.workers[i].grad);
      g_free (sh.workers[i].line_grad);
    }
  g_free (sh.workers);
  g_free (tasks);
  g_mutex_clear (&sh.lock);
  g_cond_clear (&sh.cond);
  for (guint i = 0; i < n; i++)
    g_free (labels[i]);
  lectern_adam_clear (&adam);
  /* the caller gets the best weights */
  if (ok && best != NULL && isfinite (st.best_cer))
    memcpy (model->net->params, best->net->params, model->net->n_params * sizeof (float));
  lectern_model_free (best);
  if (ok && cancelled)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_CANCELLED, "Training was interrupted");
      return FALSE;
    }
  return ok;
}
