/* recognizer.c — recognition of line images with a loaded model, on any number of threads. */
#include "recognizer.h"
#include "decode.h"
#include "error.h"
#include "layers.h"

#include <math.h>
#include <string.h>

/* What the beam search decodes with. Immutable once published and reference-counted
 * (g_atomic_rc_box), so that a recognition in flight keeps the setup it started with while
 * another thread replaces it. The LM and the lexicon are shared between setups the same way. */
typedef struct {
  LecternLm      *lm;
} SharedLm;

typedef struct {
  LecternLexicon *lexicon;
} SharedLexicon;

typedef struct {
  SharedLm          *lm;        /* NULL: none */
  SharedLexicon     *lexicon;   /* NULL: none */
  LecternBeamOptions opts;
} BeamSetup;

struct _LecternRecognizer {
  LecternModel *model;
  GMutex        lock;
  GPtrArray    *idle;   /* LecternWorkspace* not in use */
  BeamSetup    *beam;   /* NULL: best path; guarded by lock */
};

static void
shared_lm_clear (gpointer data)
{
  lectern_lm_free (((SharedLm *) data)->lm);
}

static void
shared_lexicon_clear (gpointer data)
{
  lectern_lexicon_free (((SharedLexicon *) data)->lexicon);
}

static void
beam_setup_clear (gpointer data)
{
  BeamSetup *setup = data;
  if (setup->lm != NULL)
    g_atomic_rc_box_release_full (setup->lm, shared_lm_clear);
  if (setup->lexicon != NULL)
    g_atomic_rc_box_release_full (setup->lexicon, shared_lexicon_clear);
}

static void
beam_setup_release (BeamSetup *setup)
{
  if (setup != NULL)
    g_atomic_rc_box_release_full (setup, beam_setup_clear);
}

/* A new setup of lm and lexicon (references taken over), or NULL when both are NULL. */
static BeamSetup *
beam_setup_new (SharedLm *lm, SharedLexicon *lexicon, const LecternBeamOptions *opts)
{
  if (lm == NULL && lexicon == NULL)
    return NULL;
  BeamSetup *setup = g_atomic_rc_box_new0 (BeamSetup);
  setup->lm = lm;
  setup->lexicon = lexicon;
  setup->opts = *opts;
  return setup;
}

void
lectern_recognizer_set_lm (LecternRecognizer *r, LecternLm *lm, const LecternBeamOptions *opts)
{
  g_return_if_fail (r != NULL);
  LecternBeamOptions beam_opts;
  if (opts != NULL)
    beam_opts = *opts;
  else
    lectern_beam_options_init (&beam_opts);
  SharedLm *shared_lm = NULL;
  if (lm != NULL)
    {
      shared_lm = g_atomic_rc_box_new0 (SharedLm);
      shared_lm->lm = lm;
    }
  /* one critical section, so that a lexicon set meanwhile by another thread is kept */
  g_mutex_lock (&r->lock);
  BeamSetup *old = r->beam;
  SharedLexicon *lexicon = old != NULL && old->lexicon != NULL
                           ? g_atomic_rc_box_acquire (old->lexicon) : NULL;
  r->beam = beam_setup_new (shared_lm, lexicon, &beam_opts);
  g_mutex_unlock (&r->lock);
  beam_setup_release (old);
}

void
lectern_recognizer_set_lexicon (LecternRecognizer *r, LecternLexicon *lex)
{
  g_return_if_fail (r != NULL);
  SharedLexicon *shared_lexicon = NULL;
  if (lex != NULL)
    {
      shared_lexicon = g_atomic_rc_box_new0 (SharedLexicon);
      shared_lexicon->lexicon = lex;
    }
  LecternBeamOptions opts;
  lectern_beam_options_init (&opts);
  g_mutex_lock (&r->lock);
  BeamSetup *old = r->beam;
  SharedLm *lm = NULL;
  if (old != NULL)
    {
      opts = old->opts;
      if (old->lm != NULL)
        lm = g_atomic_rc_box_acquire (old->lm);
    }
  r->beam = beam_setup_new (lm, shared_lexicon, &opts);
  g_mutex_unlock (&r->lock);
  beam_setup_release (old);
}

gboolean
lectern_recognizer_has_lm (LecternRecognizer *r)
{
  g_return_val_if_fail (r != NULL, FALSE);
  g_mutex_lock (&r->lock);
  gboolean has = r->beam != NULL && r->beam->lm != NULL;
  g_mutex_unlock (&r->lock);
  return has;
}

/* The current setup with a reference for the caller, or NULL for best path. */
static BeamSetup *
acquire_beam_setup (LecternRecognizer *r)
{
  g_mutex_lock (&r->lock);
  BeamSetup *setup = r->beam != NULL ? g_atomic_rc_box_acquire (r->beam) : NULL;
  g_mutex_unlock (&r->lock);
  return setup;
}

LecternRecognizer *
lectern_recognizer_new (LecternModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  LecternRecognizer *r = g_new0 (LecternRecognizer, 1);
  r->model = model;
  g_mutex_init (&r->lock);
  r->idle = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_workspace_free);
  return r;
}

void
lectern_recognizer_free (LecternRecognizer *r)
{
  if (r == NULL)
    return;
  g_ptr_array_unref (r->idle);
  beam_setup_release (r->beam);
  g_mutex_clear (&r->lock);
  lectern_model_free (r->model);
  g_free (r);
}

const LecternModel *
lectern_recognizer_get_model (const LecternRecognizer *r)
{
  return r->model;
}

void
lectern_recognition_free (LecternRecognition *rec)
{
  if (rec == NULL)
    return;
  g_free (rec->text);
  g_free (rec->confidence);
  g_free (rec->x_start);
  g_free (rec->x_end);
  g_free (rec->posteriors);
  g_free (rec->frame_start);
  g_free (rec->frame_end);
  for (int l = 0; l < rec->n_layers; l++)
    g_free (rec->layers[l].h);
  g_free (rec);
}

float *
lectern_line_to_input (const LecternArch *arch, const LecternImage *line, int *width, double *scale)
{
  const int H = arch->input_height;
  g_autoptr (LecternImage) scaled = NULL;
  const LecternImage *src = line;
  if (line->height != H)
    {
      scaled = lectern_image_scale_to_height (line, H);
      src = scaled;
    }
  /* pad with paper to a whole number of output frames */
  int rh, rw;
  lectern_arch_reduction (arch, &rh, &rw);
  const int W = ((src->width + rw - 1) / rw) * rw;
  g_autofree guint8 *pixels = g_malloc ((gsize) H * W);
  for (int y = 0; y < H; y++)
    {
      memcpy (pixels + (gsize) y * W, src->pixels + (gsize) y * src->width, src->width);
      memset (pixels + (gsize) y * W + src->width, 255, W - src->width);
    }
  float *input = g_new (float, (gsize) H * W);
  lectern_network_normalize (arch, pixels, (gsize) H * W, input);
  *width = W;
  if (scale)
    *scale = (double) src->width / line->width;
  return input;
}

static LecternWorkspace *
take_workspace (LecternRecognizer *r)
{
  g_mutex_lock (&r->lock);
  LecternWorkspace *ws = r->idle->len > 0 ? g_ptr_array_steal_index_fast (r->idle, r->idle->len - 1) : NULL;
  g_mutex_unlock (&r->lock);
  return ws != NULL ? ws : lectern_workspace_new ();
}

static void
give_workspace (LecternRecognizer *r, LecternWorkspace *ws)
{
  g_mutex_lock (&r->lock);
  g_ptr_array_add (r->idle, ws);
  g_mutex_unlock (&r->lock);
}

LecternRecognition *
lectern_recognizer_recognize (LecternRecognizer *r, const LecternImage *line,
                              LecternRecognizeFlags flags, GError **error)
{
  const LecternNetwork *net = r->model->net;
  const LecternArch *arch = &net->arch;
  if (line == NULL || line->width < 1 || line->height < 1)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID, "The line image is empty");
      return NULL;
    }
  int width;
  double scale;
  g_autofree float *input = lectern_line_to_input (arch, line, &width, &scale);

  LecternWorkspace *ws = take_workspace (r);
  const float *scores;
  const int T = lectern_network_forward (net, ws, input, width, 0.0f, NULL, &scores);
  const int C = arch->n_classes;
  g_autofree float *logp = g_new (float, (gsize) T * C);
  lectern_log_softmax (scores, T, C, logp);

  LecternRecognition *rec = g_new0 (LecternRecognition, 1);
  int rh, rw;
  lectern_arch_reduction (arch, &rh, &rw);
  /* line pixels per network pixel */
  const double px = 1.0 / scale;
  rec->T = T;
  rec->C = C;
  rec->frame_w = rw * px;
  if (flags & LECTERN_RECOGNIZE_ACTIVATIONS)
    {
      rec->n_layers = arch->n_layers;
      int ch = arch->tile_h, cw = arch->tile_w;
      for (int l = 0; l < arch->n_layers; l++)
        {
          LecternLayerMap *m = &rec->layers[l];
          const float *h = lectern_workspace_layer_output (ws, l, &m->H, &m->W, &m->D);
          m->h = g_memdup2 (h, (gsize) m->H * m->W * 4 * m->D * sizeof (float));
          m->cell_h = ch * ((double) line->height / arch->input_height);
          m->cell_w = cw * px;
          if (l < arch->n_layers - 1)
            {
              ch *= arch->sub_h[l];
              cw *= arch->sub_w[l];
            }
        }
      rec->posteriors = g_new (float, (gsize) T * C);
      for (gsize i = 0; i < (gsize) T * C; i++)
        rec->posteriors[i] = expf (logp[i]);
    }
  give_workspace (r, ws);

  BeamSetup *beam = (flags & LECTERN_RECOGNIZE_BEST_PATH) ? NULL : acquire_beam_setup (r);
  LecternDecoded *dec;
  if (beam != NULL)
    dec = lectern_decode_beam (logp, T, C, r->model->charset,
                               beam->lm != NULL ? beam->lm->lm : NULL,
                               beam->lexicon != NULL ? beam->lexicon->lexicon : NULL,
                               &beam->opts);
  else
    dec = lectern_decode_best_path (logp, T, C, r->model->charset);
  beam_setup_release (beam);
  rec->text = g_strdup (dec->text);
  rec->n_chars = dec->n_chars;
  rec->confidence = g_memdup2 (dec->confidence, dec->n_chars * sizeof (float));
  rec->frame_start = g_memdup2 (dec->frame_start, dec->n_chars * sizeof (int));
  rec->frame_end = g_memdup2 (dec->frame_end, dec->n_chars * sizeof (int));
  rec->x_start = g_new (int, MAX (dec->n_chars, 1));
  rec->x_end = g_new (int, MAX (dec->n_chars, 1));
  double sum = 0;
  for (guint i = 0; i < dec->n_chars; i++)
    {
      rec->x_start[i] = MIN ((int) floor (dec->frame_start[i] * rec->frame_w), line->width - 1);
      rec->x_end[i] = MIN ((int) ceil ((dec->frame_end[i] + 1) * rec->frame_w), line->width) - 1;
      sum += dec->confidence[i];
    }
  rec->mean_confidence = dec->n_chars > 0 ? (float) (sum / dec->n_chars) : 1.0f;
  lectern_decoded_free (dec);
  return rec;
}
