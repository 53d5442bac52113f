/* ctc.c — CTC loss and its gradient with respect to the unnormalised scores, in log space.
 *
 * Notation (Graves et al. 2006): y = softmax(scores) per frame; l' = the labels with a blank
 * before, between and after them (S = 2L+1 states); alpha_t(s) = log P(frames 0..t, in state s
 * at t); beta_t(s) = log P(frames t..T-1 | in state s at t), both including the emission at t.
 *
 *   alpha_t(s) = log y_t(l'_s) + lse(alpha_{t-1}(s), alpha_{t-1}(s-1), [skip] alpha_{t-1}(s-2))
 *   beta_t(s)  = log y_t(l'_s) + lse(beta_{t+1}(s),  beta_{t+1}(s+1),  [skip] beta_{t+1}(s+2))
 *   log p(l|x) = lse(alpha_{T-1}(S-1), alpha_{T-1}(S-2))
 *   d(-log p)/d score_t(k) = y_t(k) - sum_{s: l'_s = k} exp(alpha_t(s) + beta_t(s) - log y_t(k) - log p)
 *
 * where [skip] applies when l'_s is a label that differs from l'_{s-2} (resp. l'_{s+2}).
 * Only states that are reachable from the start at t and can still reach the end are computed
 * (a band of the T × S lattice), which halves the work on tight alignments. */
#include "ctc.h"

#include <math.h>
#include <string.h>

/* exp(-40) is below double precision relative to 1: such a term cannot change a sum. */
#define LSE_CUTOFF 40.0

static inline double
lse2 (double a, double b)
{
  if (a < b)
    {
      double t = a;
      a = b;
      b = t;
    }
  if (b == -INFINITY)
    return a;
  double d = b - a;
  if (d < -LSE_CUTOFF)
    return a;
  return a + log1p (exp (d));
}

static inline double
lse3 (double a, double b, double c)
{
  /* order so that a is the largest: exp(a - a) = 1 needs no call */
  if (b > a)
    {
      double t = a;
      a = b;
      b = t;
    }
  if (c > a)
    {
      double t = a;
      a = c;
      c = t;
    }
  if (a == -INFINITY)
    return -INFINITY;
  double sum = 0;
  if (b - a > -LSE_CUTOFF)
    sum += exp (b - a);
  if (c - a > -LSE_CUTOFF)
    sum += exp (c - a);
  return sum == 0 ? a : a + log1p (sum);
}

int
lectern_ctc_min_frames (const int *labels, int L)
{
  int n = L;
  for (int i = 1; i < L; i++)
    if (labels[i] == labels[i - 1])
      n++;
  return n;
}

static double
give_up (float *grad, int T, int C)
{
  if (grad != NULL && T > 0 && C > 0)
    memset (grad, 0, sizeof (float) * (gsize) T * (gsize) C);
  return INFINITY;
}

/* logp (T × C) = log_softmax (scores) and, when prob is not NULL, prob = softmax (scores);
 * FALSE when a score is not finite. */
static gboolean
log_softmax_rows (const float *scores, int T, int C, double *logp, double *prob)
{
  for (int t = 0; t < T; t++)
    {
      const float *row = scores + (gsize) t * C;
      double *out = logp + (gsize) t * C;
      double m = -INFINITY;
      for (int c = 0; c < C; c++)
        {
          if (!isfinite (row[c]))
            return FALSE;
          if (row[c] > m)
            m = row[c];
        }
      double sum = 0;
      if (prob != NULL)
        {
          double *p = prob + (gsize) t * C;
          for (int c = 0; c < C; c++)
            sum += (p[c] = exp ((double) row[c] - m));
          double inv = 1.0 / sum;
          for (int c = 0; c < C; c++)
            p[c] *= inv;
        }
      else
        for (int c = 0; c < C; c++)
          sum += exp ((double) row[c] - m);
      double lse = m + log (sum);
      for (int c = 0; c < C; c++)
        out[c] = (double) row[c] - lse;
    }
  return TRUE;
}

double
lectern_ctc_loss (const float *scores, int T, int C, const int *labels, int L, float *grad)
{
  g_return_val_if_fail (T >= 0 && C >= 1 && L >= 0, INFINITY);
  g_return_val_if_fail (scores != NULL || T == 0, INFINITY);
  g_return_val_if_fail (labels != NULL || L == 0, INFINITY);

  for (int i = 0; i < L; i++)
    if (labels[i] < 1 || labels[i] >= C)
      {
        g_critical ("%s: label %d at position %d is outside 1..%d", G_STRFUNC, labels[i], i, C - 1);
        return give_up (grad, T, C);
      }
  if (T == 0)
    return L == 0 ? 0.0 : INFINITY;
  if (T < lectern_ctc_min_frames (labels, L))
    return give_up (grad, T, C);

  const int S = 2 * L + 1;
  double *logp = g_new (double, (gsize) T * C);
  double *prob = grad != NULL ? g_new (double, (gsize) T * C) : NULL;
  double *alpha = g_new (double, (gsize) T * S);
  double *beta_next = g_new (double, S);
  double *beta_cur = g_new (double, S);
  double *acc = g_new (double, C);
  int *ext = g_new (int, S);
  /* skip[s]: whether state s may be entered from s-2 (and, symmetrically, s-2 left to s) */
  gboolean *skip = g_new (gboolean, S);
  double loss = INFINITY;

  if (!log_softmax_rows (scores, T, C, logp, prob))
    goto out_fail;

  for (int s = 0; s < S; s++)
    {
      ext[s] = (s % 2 == 0) ? 0 : labels[s / 2];
      skip[s] = s >= 2 && ext[s] != 0 && ext[s] != ext[s - 2];
    }

  /* alpha, band-limited: at frame t a state s is kept when s <= 2t+1 (reachable) and
   * s >= S - 2(T-t) (the end is still reachable); the rest stays -inf. */
  for (gsize i = 0; i < (gsize) T * S; i++)
    alpha[i] = -INFINITY;
  alpha[0] = logp[0];
  if (S > 1)
    alpha[1] = logp[ext[1]];
  for (int t = 1; t < T; t++)
    {
      const double *prev = alpha + (gsize) (t - 1) * S;
      double *cur = alpha + (gsize) t * S;
      const double *lp = logp + (gsize) t * C;
      int lo = MAX (0, S - 2 * (T - t));
      int hi = MIN (S, 2 * t + 2);
      for (int s = lo; s < hi; s++)
        {
          double a = prev[s];
          double b = s >= 1 ? prev[s - 1] : -INFINITY;
          double sum = skip[s] ? lse3 (a, b, prev[s - 2]) : lse2 (a, b);
          cur[s] = sum == -INFINITY ? -INFINITY : sum + lp[ext[s]];
        }
    }
  const double *last = alpha + (gsize) (T - 1) * S;
  double loglik = S > 1 ? lse2 (last[S - 1], last[S - 2]) : last[0];
  if (!isfinite (loglik))
    goto out_fail;
  loss = -loglik;

  if (grad == NULL)
    goto out;

  /* beta, row by row from the end, turned into the gradient of each row as it is found */
  for (int t = T - 1; t >= 0; t--)
    {
      const double *lp = logp + (gsize) t * C;
      int lo = MAX (0, S - 2 * (T - t));
      int hi = MIN (S, 2 * t + 2);
      for (int s = 0; s < S; s++)
        beta_cur[s] = -INFINITY;
      if (t == T - 1)
        {
          beta_cur[S - 1] = lp[0];
          if (S > 1)
            beta_cur[S - 2] = lp[ext[S - 2]];
        }
      else
        for (int s = lo; s < hi; s++)
          {
            double a = beta_next[s];
            double b = s + 1 < S ? beta_next[s + 1] : -INFINITY;
            double sum = (s + 2 < S && skip[s + 2]) ? lse3 (a, b, beta_next[s + 2]) : lse2 (a, b);
            beta_cur[s] = sum == -INFINITY ? -INFINITY : sum + lp[ext[s]];
          }

      /* grad_t(k) = y_t(k) - occupancy of the states labelled k, summed in double */
      const double *al = alpha + (gsize) t * S;
      memcpy (acc, prob + (gsize) t * C, sizeof (double) * C);
      for (int s = lo; s < hi; s++)
        {
          double v = al[s] + beta_cur[s] - lp[ext[s]] - loglik;
          /* an occupancy below e^-40 cannot change acc (a probability ≤ 1) in double */
          if (v > -LSE_CUTOFF)
            acc[ext[s]] -= exp (v);
        }
      float *g = grad + (gsize) t * C;
      for (int c = 0; c < C; c++)
        g[c] = (float) acc[c];

      double *swap = beta_next;
      beta_next = beta_cur;
      beta_cur = swap;
    }
  goto out;

out_fail:
  loss = give_up (grad, T, C);
out:
  g_free (logp);
  g_free (prob);
  g_free (alpha);
  g_free (beta_next);
  g_free (beta_cur);
  g_free (acc);
  g_free (ext);
  g_free (skip);
  return loss;
}
