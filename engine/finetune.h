/* finetune.h — fine-tuning a model on the lines a person corrected: the schedule that both
 * `lectern-cli train --init` and the application use, and the whole run as one call (held-out
 * part, the base model's error on it, training from the base, the new model's error, its card,
 * an atomic save).
 *
 * A few corrected pages of one hand are little data: small batches (many updates from few
 * lines), a rate that warms up and then decays to nothing, about as many lines trained on
 * whatever their number, and the last epoch's weights; the held-out tenth only measures. Several
 * such runs from the same start, each with its own order, distortions and held-in lines' noise,
 * end in the same basin; the average of their weights makes fewer errors than any one of them. */
#pragma once

#include <gio/gio.h>
#include "charset.h"
#include "dataset.h"
#include "image.h"
#include "model.h"
#include "trainer.h"

G_BEGIN_DECLS

/* Fewer corrected lines than this teach a model little and make the held-out error meaningless:
 * the application asks for at least this many. */
#define LECTERN_FINETUNE_MIN_LINES     20
/* The held-out part has at least this many lines, whatever the fraction. */
#define LECTERN_FINETUNE_MIN_VAL_LINES 3
/* Many corrected lines still get a few passes over each. */
#define LECTERN_FINETUNE_MIN_EPOCHS    5

typedef struct {
  LecternTrainOptions train;        /* the fine-tuning schedule (out_path is set by the run) */
  double              val_fraction; /* part held out (0.1) */
  guint               line_budget;  /* lines trained on in all, whatever their number: the run
                                       has line_budget / training lines epochs, at least
                                       LECTERN_FINETUNE_MIN_EPOCHS and at most train.epochs
                                       (0: train.epochs) */
  guint               runs;         /* runs whose final weights are averaged (4; 1: one run) */
  const char         *name;         /* card: the new model's name (NULL: "Fine-tuned <date>") */
  const char         *base_name;    /* card: what it was fine-tuned from (NULL: the base's name) */
  const char         *pages;        /* card: where the lines came from (nullable) */
} LecternFinetuneOptions;

/* The fine-tuning defaults: batch 2, learning rate 2e-3 with warm-up and cosine decay, 2,000
 * lines in all (at most 100 epochs), no early stopping, the last weights kept, no dropout,
 * augmentation, a tenth held out, 4 runs averaged (see finetune.c for the measurements behind
 * them). */
void lectern_finetune_options_init (LecternFinetuneOptions *opts);

/* The epochs of a run on train_lines training lines (opts->line_budget). */
int lectern_finetune_epochs (const LecternFinetuneOptions *opts, guint train_lines);

/* Adds a line image (any height, as cut from its page by lectern_transcribe_cut_line) with its
 * transcription, cleaned like a dataset's; FALSE (nothing added, ds->skipped counted) when the
 * text is unusable or the image too small. The image is copied. */
gboolean lectern_finetune_add_line (LecternDataset *ds, const char *source, const char *text,
                                    const LecternImage *image);

/* Moves the held-out part out of ds: val_fraction of it, at least LECTERN_FINETUNE_MIN_VAL_LINES
 * (when ds has more than twice that), chosen by a seeded shuffle. */
LecternDataset *lectern_finetune_split (LecternDataset *ds, double val_fraction, guint64 seed);

/* How many lines lectern_finetune_split holds out of n. */
guint lectern_finetune_val_lines (guint n, double val_fraction);

typedef struct {
  double cer_before;    /* the base model on the held-out lines (mean over the runs) */
  double cer_after;     /* each run's model on its own held-out lines, mean over the runs; with
                           a fixed validation set, the mean model on it */
  guint  val_lines;     /* held out by a run */
  guint  train_lines;   /* learnt from by a run */
} LecternFinetuneHeldOut;

/* Trains model runs times from its present weights, one run after another, each as
 * lectern_train would with opts (run r with the seed opts->seed + r · 0x9E3779B97F4A7C15, run 0
 * with opts->seed itself), and leaves in model the mean of the runs' resulting weights.
 *
 * What the runs learn from and are measured on: with val, every run learns from all of lines
 * and is validated on val. Without val and with val_fraction > 0, each run holds out its own
 * part of lines (lectern_finetune_split with the run's seed) and learns from the rest: one run
 * measures the same as before, and several runs together learn from every line while each is
 * still measured on lines it never saw. lines itself is left as it is. The base model (NULL: the
 * model as it comes in) is measured on each run's held-out lines first; figures go to held_out
 * (nullable; NaN where nothing was held out).
 *
 * The callback's status says which run (run, runs); before each run comes a
 * LECTERN_TRAIN_MESSAGE whose best_cer is the base model's error on that run's held-out lines.
 * With one run, its files are opts->out_path (+ .ckpt, .ckpt.adam) as for lectern_train. With
 * several, run r's are opts->out_path + ".run<r+1>": with opts->resume, a run interrupted or
 * already finished carries on from them; the mean, with its card (runs-averaged, validation-cer:
 * held_out's cer_after), is saved to opts->out_path and the runs' files are removed. */
gboolean lectern_finetune_train_runs (LecternModel *model, const LecternModel *base,
                                      LecternDataset *lines, LecternDataset *val,
                                      double val_fraction, const LecternTrainOptions *opts,
                                      guint runs, LecternFinetuneHeldOut *held_out,
                                      LecternTrainCallback callback, gpointer user_data,
                                      GCancellable *cancellable, GError **error);

/* The characters of ds's transcriptions that a model can have as classes: a new model's charset,
 * or what a base model is extended by. */
LecternCharset *lectern_finetune_data_charset (const LecternDataset *ds);

/* A copy of base whose charset is extended by the characters of train it lacks (the number
 * added goes to *n_added, nullable). Its card starts afresh: the base's architecture, and the
 * base by the name on its card (else fallback_name, else "unnamed"); what the base's card said
 * of the base's data, status and validation is not carried over. */
LecternModel *lectern_finetune_prepare (const LecternModel *base, const char *fallback_name,
                                        const LecternDataset *train, guint64 seed,
                                        guint *n_added);

typedef struct {
  double cer_before;    /* the base model on the held-out lines */
  double cer_after;     /* the new model on the same lines */
  guint  train_lines;   /* learnt from by each run */
  guint  val_lines;     /* held out by each run */
  guint  new_classes;   /* characters the base lacked */
  int    epochs;        /* the epoch whose weights were kept (the last, with the defaults) */
  guint  runs;          /* runs averaged */
} LecternFinetuneResult;

/* Fine-tunes base on lines with lectern_finetune_train_runs (opts->runs runs, each holding out
 * its own opts->val_fraction of the lines) and saves the new model to out_path with its card
 * (name, base, fine-tuned, lines, validation-lines, cer-before, cer-after, runs-averaged, pages). Its work files live in a
 * temporary folder that is removed whatever happens, and out_path is written only at the end,
 * atomically: a cancelled or failed run leaves no file there. Returns the new model, or NULL
 * with an error (LECTERN_ERROR_CANCELLED when cancelled; LECTERN_ERROR_INVALID with fewer than
 * LECTERN_FINETUNE_MIN_VAL_LINES + 1 usable lines). callback gets the trainer's events, plus
 * before each run a LECTERN_TRAIN_MESSAGE whose best_cer is the base model's error on that run's
 * held-out lines. result's CERs are held_out's of lectern_finetune_train_runs. */
LecternModel *lectern_finetune (const LecternModel *base, LecternDataset *lines,
                                const LecternFinetuneOptions *opts, const char *out_path,
                                LecternTrainCallback callback, gpointer user_data,
                                GCancellable *cancellable, LecternFinetuneResult *result,
                                GError **error);

G_END_DECLS
