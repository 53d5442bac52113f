/* trainer.h — training a model on line datasets: shuffling, augmentation, data-parallel CTC
 * training on several threads, validation CER/WER each epoch, the best model kept,
 * atomic checkpoints, resumption, early stopping.
 *
 * Repeatable: the order, the augmentation and the dropout masks of every line are drawn from
 * generators seeded by (seed, epoch, line), so a run gives the same model whatever the thread
 * count and wherever it was interrupted and resumed (up to float summation order). */
#pragma once

#include <gio/gio.h>
#include "dataset.h"
#include "model.h"

G_BEGIN_DECLS

/* The part of a run (lr_cosine) over which the rate rises. */
#define LECTERN_TRAIN_WARMUP 0.05

typedef struct {
  int         epochs;          /* at most this many (default 50) */
  int         patience;        /* stop after this many epochs without a better validation CER (10) */
  gboolean    keep_last;       /* the last epoch's weights are the result, not those with the
                                  best validation CER, which is only reported (FALSE) */
  float       dropout;         /* 0.5 */
  float       learning_rate;   /* Adam, 1e-3 */
  gboolean    lr_cosine;       /* the rate rises linearly from 0 over the first
                                  LECTERN_TRAIN_WARMUP of the run, then falls along a half
                                  cosine to 0 at the end of the last epoch (FALSE: constant) */
  int         batch;           /* lines per update (8) */
  int         threads;         /* 0: all cores */
  guint64     seed;
  gboolean    augment;         /* TRUE */
  double      max_epoch_lines; /* 0: whole training set per epoch; else a sample of this many */
  const char *out_path;        /* best model; checkpoint beside it: OUT.ckpt, OUT.ckpt.adam */
  gboolean    resume;          /* continue from the checkpoint if there is one (TRUE) */
  double      checkpoint_seconds; /* also checkpoint this often within an epoch (120) */
} LecternTrainOptions;

void lectern_train_options_init (LecternTrainOptions *opts);

typedef enum {
  LECTERN_TRAIN_PROGRESS,   /* lines_done of lines_total in the epoch */
  LECTERN_TRAIN_EPOCH_END,  /* validation figures are set */
  LECTERN_TRAIN_MESSAGE,    /* message is set */
} LecternTrainEvent;

typedef struct {
  LecternTrainEvent event;
  int     run, runs;         /* which of several fine-tuning runs averaged into one model
                                (lectern_finetune_train_runs); 1 of 1 otherwise */
  double  runs_fraction;     /* lectern_finetune_train_runs: the part of all its runs' work done
                                (the runs may go side by side); 0 from lectern_train itself */
  int     runs_active;       /* lectern_finetune_train_runs: how many runs are under way (begun,
                                not finished; they need not be consecutive), the first and the
                                last of them (from 1) and the least epoch among them. All 0 from
                                lectern_train itself */
  int     runs_first, runs_last, runs_epoch;
  int     epoch, epochs;     /* within the run */
  guint   lines_done, lines_total;
  double  lines_per_second;
  double  loss;              /* mean CTC loss per line in this epoch so far */
  guint   diverged;          /* lines of this epoch left out for a non-finite gradient */
  double  val_cer, val_wer;  /* EPOCH_END */
  double  best_cer;
  gboolean improved;          /* this epoch's weights are kept (so far) */
  double  seconds;           /* since start */
  const char *message;
} LecternTrainStatus;

typedef void (*LecternTrainCallback) (const LecternTrainStatus *status, gpointer user_data);

/* Trains model in place. On return (finished, stopped early, or cancelled — cancellation saves
 * a checkpoint first) the model holds the best weights seen. Returns FALSE with an error when
 * something could not be read or written. */
gboolean lectern_train (LecternModel *model, LecternDataset *train, LecternDataset *val,
                        const LecternTrainOptions *opts, LecternTrainCallback callback,
                        gpointer user_data, GCancellable *cancellable, GError **error);

/* What a training run made of model, on its card: epochs, lines (trained on), dropout, trained
 * (now), and validation-cer, -wer, -lines where val_lines > 0 (a NaN WER is left out). */
void lectern_train_write_card (LecternModel *model, int epochs, guint lines, float dropout,
                               double val_cer, double val_wer, guint val_lines);

/* Recognises every line of a dataset with best-path decoding (on all threads) and returns
 * CER / WER. texts (nullable) receives one output per sample. */
void lectern_evaluate (const LecternModel *model, LecternDataset *ds, int threads,
                       double *cer, double *wer, GPtrArray *texts);

G_END_DECLS
