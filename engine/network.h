/* network.h — the recognizer network: tiling → (MDLSTM ×4 directions → dropout → subsampling)…
 * → MDLSTM → dropout → fully connected per direction, summed → collapse over height → CTC.
 *
 * All parameters live in one arena (float[n_params]); LecternParamView points into an arena
 * with the network's layout, so gradients and optimiser moments use the same views.
 * A LecternWorkspace holds everything one forward/backward pass needs; one per thread. */
#pragma once

#include <glib.h>
#include "mdlstm.h"
#include "rng.h"

G_BEGIN_DECLS

#define LECTERN_MAX_LAYERS 6

typedef struct {
  int   input_height;        /* line images are scaled to this height */
  float input_mean;          /* normalisation: x = (v/255 − mean) / std, v the grey value */
  float input_std;
  int   tile_h, tile_w;      /* 2 × 2 */
  int   n_layers;            /* MDLSTM layers, 1 … LECTERN_MAX_LAYERS */
  int   units[LECTERN_MAX_LAYERS];          /* per direction */
  int   sub_h[LECTERN_MAX_LAYERS];          /* subsampling after layer l (l < n_layers − 1) */
  int   sub_w[LECTERN_MAX_LAYERS];
  int   sub_features[LECTERN_MAX_LAYERS];
  int   n_classes;           /* including the CTC blank (class 0) */
} LecternArch;

typedef struct {
  LecternMdlstmParams lstm[LECTERN_MAX_LAYERS];
  float              *sub[LECTERN_MAX_LAYERS];  /* (sh·sw·4D) × F */
  float              *fc_w;                     /* 4D × N */
  float              *fc_b;                     /* N */
} LecternParamView;

typedef struct {
  LecternArch      arch;
  gsize            n_params;
  float           *params;
  LecternParamView view;
} LecternNetwork;

/* The default architecture of DESIGN.md: 64 px, 2×2 tiles, units 2/10/50, windows 4×2,
 * features 6/20. */
void            lectern_arch_default     (LecternArch *arch, int n_classes);
/* Parses an architecture written as space-separated tokens, e.g. the default:
 *   "h64 t2x2 l2 s4x2x6 l10 s4x2x20 l50"
 * hN input height, tHxW tiles, lN an MDLSTM layer of N units per direction, sHxWxF a
 * subsampling window H×W with F features (between two layers). n_classes is set separately. */
gboolean        lectern_arch_parse       (LecternArch *arch, const char *spec, GError **error);
/* The inverse of lectern_arch_parse. */
char           *lectern_arch_to_string   (const LecternArch *arch);
/* Checks every size is in range; the message says which is not. */
gboolean        lectern_arch_validate    (const LecternArch *arch, GError **error);
gsize           lectern_arch_n_params    (const LecternArch *arch);
/* Total height and width reduction (32 and 8 for the default). */
void            lectern_arch_reduction   (const LecternArch *arch, int *rh, int *rw);

LecternNetwork *lectern_network_new      (const LecternArch *arch);  /* zero weights */
LecternNetwork *lectern_network_copy     (const LecternNetwork *net);
void            lectern_network_free     (LecternNetwork *net);
/* Glorot-uniform weights, zero biases but −1 on the forget gates, small peepholes. */
void            lectern_network_init_random (LecternNetwork *net, guint64 seed);
void            lectern_param_view_bind  (const LecternArch *arch, float *arena, LecternParamView *view);
/* A wider copy of from: the same layers, tiles, windows, input and classes, and at least as many
 * units per layer and features per subsampling as from has (arch gives them; its input
 * normalisation and class count are taken from from). Every weight of from keeps its place; the
 * new units and features get random incoming weights as lectern_network_init_random would give
 * them (seeded), and zero weights towards everything that was there before, so the wider network
 * computes the same outputs as from (up to float rounding) while the new units start to learn at
 * the first update. Function-preserving widening (“Net2Net”): capacity added to a trained network
 * without losing what it learnt. NULL with LECTERN_ERROR_INVALID when arch is not such a widening. */
LecternNetwork *lectern_network_widen    (const LecternNetwork *from, const LecternArch *arch,
                                          guint64 seed, GError **error);
/* Whether lectern_network_widen would take a network of shape from to arch (the same refusal
 * and message), without building it. */
gboolean        lectern_arch_check_widening (const LecternArch *from, const LecternArch *arch,
                                             GError **error);
/* Forward floating-point operations for an input of the given width (multiply-add = 2). */
double          lectern_network_flops    (const LecternArch *arch, int width);

typedef struct _LecternWorkspace LecternWorkspace;

LecternWorkspace *lectern_workspace_new  (void);
void              lectern_workspace_free (LecternWorkspace *ws);
/* Runs the four directions of each layer on this many threads (default 1). */
void              lectern_workspace_set_threads (LecternWorkspace *ws, int n_threads);

/* image: input_height × width floats, already normalised. With dropout > 0 (training) masks are
 * drawn from rng. Returns T, the number of frames; *scores points to T × n_classes
 * unnormalised scores owned by the workspace. */
int  lectern_network_forward  (const LecternNetwork *net, LecternWorkspace *ws,
                               const float *image, int width, float dropout, LecternRng *rng,
                               const float **scores);
/* Backward of the last forward on this workspace. dscores: T × n_classes. Accumulates (+=)
 * into grad (a view over a gradient arena). */
void lectern_network_backward (const LecternNetwork *net, LecternWorkspace *ws,
                               const float *dscores, const LecternParamView *grad);

/* After a forward pass: layer l's output map (H × W × 4D, the four directions side by side,
 * before dropout) and its size. */
const float *lectern_workspace_layer_output (const LecternWorkspace *ws, int layer,
                                             int *H, int *W, int *D);
/* Input normalisation of an 8-bit grey line already scaled to the input height. */
void lectern_network_normalize (const LecternArch *arch, const guint8 *pixels, gsize n, float *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternNetwork, lectern_network_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternWorkspace, lectern_workspace_free)

G_END_DECLS
