/* optim.c — Adam with global-norm clipping. */
#include "optim.h"

#include <math.h>

void
lectern_adam_init (LecternAdam *opt, gsize n, float lr)
{
  opt->n = n;
  opt->m = g_new0 (float, n);
  opt->v = g_new0 (float, n);
  opt->step = 0;
  opt->lr = lr;
  opt->beta1 = 0.9f;
  opt->beta2 = 0.999f;
  opt->eps = 1e-8f;
  opt->clip = 5.0f;
}

void
lectern_adam_clear (LecternAdam *opt)
{
  g_clear_pointer (&opt->m, g_free);
  g_clear_pointer (&opt->v, g_free);
}

double
lectern_adam_step (LecternAdam *opt, float *params, float *grad)
{
  double sq = 0;
  for (gsize i = 0; i < opt->n; i++)
    sq += (double) grad[i] * grad[i];
  const double norm = sqrt (sq);
  if (!isfinite (norm))
    return norm;
  const float scale = (opt->clip > 0 && norm > opt->clip) ? (float) (opt->clip / norm) : 1.0f;
  opt->step++;
  const float b1 = opt->beta1, b2 = opt->beta2;
  const float c1 = 1.0f / (1.0f - powf (b1, (float) opt->step));
  const float c2 = 1.0f / (1.0f - powf (b2, (float) opt->step));
  for (gsize i = 0; i < opt->n; i++)
    {
      const float g = grad[i] * scale;
      grad[i] = g;
      opt->m[i] = b1 * opt->m[i] + (1.0f - b1) * g;
      opt->v[i] = b2 * opt->v[i] + (1.0f - b2) * g * g;
      params[i] -= opt->lr * (opt->m[i] * c1) / (sqrtf (opt->v[i] * c2) + opt->eps);
    }
  return norm;
}
