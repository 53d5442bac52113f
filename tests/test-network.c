/* test-network.c — the whole network and each feed-forward layer against finite differences.
 *
 * Loss = Σ scores ⊙ r for a fixed random r. Dropout runs with a fixed mask: every forward pass
 * draws its mask from a generator reset to the same seed. Float32 central differences with
 * step 1e-2; tolerance 5e-3 relative to max(1, |fd|). */
#include "layers.h"
#include "network.h"
#include "rng.h"
#include "error.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

static double
network_loss (const LecternNetwork *net, LecternWorkspace *ws, const float *image, int width,
              float dropout, const float *r, int *T_out)
{
  LecternRng rng;
  lectern_rng_init (&rng, 99);
  const float *s;
  int T = lectern_network_forward (net, ws, image, width, dropout, &rng, &s);
  double loss = 0;
  for (gsize i = 0; i < (gsize) T * net->arch.n_classes; i++)
    loss += (double) s[i] * r[i];
  if (T_out)
    *T_out = T;
  return loss;
}

static void
check_network (const LecternArch *arch, int width, float dropout, int threads)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_arch_validate (arch, &error));
  g_autoptr (LecternNetwork) net = lectern_network_new (arch);
  lectern_network_init_random (net, 5);
  LecternRng rng;
  lectern_rng_init (&rng, 17);
  /* peepholes and biases random too, so that every path carries gradient */
  for (gsize i = 0; i < net->n_params; i++)
    net->params[i] += 0.2f * lectern_rng_normal (&rng);
  const int H0 = arch->input_height;
  g_autofree float *image = g_new (float, (gsize) H0 * width);
  for (gsize i = 0; i < (gsize) H0 * width; i++)
    image[i] = lectern_rng_normal (&rng);
  g_autoptr (LecternWorkspace) ws = lectern_workspace_new ();
  lectern_workspace_set_threads (ws, threads);

  int T;
  /* size r from a first pass */
  LecternRng r0;
  lectern_rng_init (&r0, 99);
  const float *s;
  T = lectern_network_forward (net, ws, image, width, dropout, &r0, &s);
  g_assert_cmpint (T, >, 0);
  const gsize ns = (gsize) T * arch->n_classes;
  g_autofree float *r = g_new (float, ns);
  for (gsize i = 0; i < ns; i++)
    r[i] = lectern_rng_normal (&rng);

  g_autofree float *garena = g_new0 (float, net->n_params);
  LecternParamView grad;
  lectern_param_view_bind (arch, garena, &grad);
  network_loss (net, ws, image, width, dropout, r, NULL);
  lectern_network_backward (net, ws, r, &grad);

  const float eps = 3e-3f;
  double worst = 0;
  gsize worst_at = 0;
  for (gsize i = 0; i < net->n_params; i++)
    {
      float keep = net->params[i];
      net->params[i] = keep + eps;
      double up = network_loss (net, ws, image, width, dropout, r, NULL);
      net->params[i] = keep - eps;
      double down = network_loss (net, ws, image, width, dropout, r, NULL);
      net->params[i] = keep;
      double fd = (up - down) / (2 * eps);
      double err = fabs (fd - garena[i]) / MAX (1.0, fabs (fd));
      if (err > worst)
        {
          worst = err;
          worst_at = i;
        }
    }
  g_test_message ("height %d width %d layers %d dropout %.1f threads %d: %zu parameters, "
                  "worst finite-difference error %.3g (parameter %zu)", H0, width, arch->n_layers,
                  dropout, threads, net->n_params, worst, worst_at);
  g_assert_cmpfloat (worst, <, 5e-3);
}

static void
small_arch (LecternArch *a, int height, int n_layers)
{
  memset (a, 0, sizeof *a);
  a->input_height = height;
  a->input_mean = 0;
  a->input_std = 1;
  a->tile_h = 2;
  a->tile_w = 2;
  a->n_layers = n_layers;
  for (int l = 0; l < n_layers; l++)
    {
      a->units[l] = 2 + l;
      a->sub_h[l] = 2;
      a->sub_w[l] = 3;
      a->sub_features[l] = 3;
    }
  a->n_classes = 4;
}

static void
test_network_gradients (void)
{
  LecternArch a;
  small_arch (&a, 5, 2);
  check_network (&a, 7, 0.0f, 1);       /* sizes that do not divide the windows */
  check_network (&a, 1, 0.0f, 1);       /* a one-pixel-wide line */
  small_arch (&a, 1, 1);
  check_network (&a, 1, 0.0f, 1);       /* 1×1 */
  small_arch (&a, 9, 3);
  check_network (&a, 13, 0.0f, 1);
  check_network (&a, 13, 0.0f, 2);      /* three layers, directions on two threads */
}

static void
test_network_gradients_dropout (void)
{
  LecternArch a;
  small_arch (&a, 6, 2);
  check_network (&a, 11, 0.5f, 1);
}

/* Same input, one thread or two: bit-identical scores. */
static void
test_threads_identical (void)
{
  LecternArch a;
  lectern_arch_default (&a, 20);
  g_autoptr (LecternNetwork) net = lectern_network_new (&a);
  lectern_network_init_random (net, 3);
  const int width = 123;
  g_autofree float *image = g_new (float, 64 * width);
  LecternRng rng;
  lectern_rng_init (&rng, 4);
  for (int i = 0; i < 64 * width; i++)
    image[i] = lectern_rng_normal (&rng);
  g_autoptr (LecternWorkspace) w1 = lectern_workspace_new ();
  g_autoptr (LecternWorkspace) w2 = lectern_workspace_new ();
  lectern_workspace_set_threads (w2, 2);
  const float *s1, *s2;
  int T1 = lectern_network_forward (net, w1, image, width, 0, NULL, &s1);
  int T2 = lectern_network_forward (net, w2, image, width, 0, NULL, &s2);
  g_assert_cmpint (T1, ==, T2);
  g_assert_cmpint (T1, ==, (width + 7) / 8);
  g_assert_cmpmem (s1, T1 * 20 * sizeof (float), s2, T2 * 20 * sizeof (float));
}

/* Widening keeps what the network computes: the same scores from a wider copy whose new units
 * and features feed nothing yet, and a gradient that reaches the weights out of the new units,
 * so that they start to learn at the first update. Only units and features can grow. */
static void
test_widen (void)
{
  g_autoptr (GError) error = NULL;
  LecternArch a;
  lectern_arch_default (&a, 20);
  a.input_mean = 0.8f;
  a.input_std = 0.2f;
  g_autoptr (LecternNetwork) net = lectern_network_new (&a);
  lectern_network_init_random (net, 3);
  LecternRng rng;
  lectern_rng_init (&rng, 8);
  /* every weight non-zero (biases, peepholes), as in a trained network */
  for (gsize i = 0; i < net->n_params; i++)
    net->params[i] += 0.1f * lectern_rng_normal (&rng);

  LecternArch wide = a;
  wide.units[0] = 4;
  wide.sub_features[0] = 12;
  wide.units[1] = 20;
  wide.sub_features[1] = 40;
  wide.units[2] = 64;
  wide.input_mean = 0;      /* taken from the network being widened */
  wide.n_classes = 7;       /* likewise */
  g_autoptr (LecternNetwork) wider = lectern_network_widen (net, &wide, 11, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wider->arch.n_classes, ==, 20);
  g_assert_cmpfloat (wider->arch.input_mean, ==, 0.8f);
  g_assert_cmpuint (wider->n_params, >, net->n_params + net->n_params / 2);

  const int width = 150;
  g_autofree float *image = g_new (float, 64 * width);
  for (int i = 0; i < 64 * width; i++)
    image[i] = lectern_rng_normal (&rng);
  g_autoptr (LecternWorkspace) w1 = lectern_workspace_new ();
  g_autoptr (LecternWorkspace) w2 = lectern_workspace_new ();
  const float *s1, *s2;
  const int T1 = lectern_network_forward (net, w1, image, width, 0, NULL, &s1);
  const int T2 = lectern_network_forward (wider, w2, image, width, 0, NULL, &s2);
  g_assert_cmpint (T1, ==, T2);
  double worst = 0, spread = 0;
  for (int i = 0; i < T1 * 20; i++)
    {
      worst = MAX (worst, fabs (s1[i] - s2[i]) / MAX (1.0, fabs (s1[i])));
      spread = MAX (spread, fabs (s1[i] - s1[0]));
    }
  g_test_message ("widened %zu → %zu weights: worst score difference %.3g", net->n_params,
                  wider->n_params, worst);
  g_assert_cmpfloat (spread, >, 0.1);    /* the scores say something */
  g_assert_cmpfloat (worst, <, 1e-5);

  /* the new units' activity is not zero, and the gradient reaches the weights out of them */
  int H, W, D;
  const float *h0 = lectern_workspace_layer_output (w2, 0, &H, &W, &D);
  g_assert_cmpint (D, ==, 4);
  double new_activity = 0;
  for (int i = 0; i < H * W; i++)
    for (int d = 0; d < 4; d++)
      for (int j = 2; j < 4; j++)
        new_activity += fabs (h0[(gsize) i * 16 + d * 4 + j]);
  g_assert_cmpfloat (new_activity, >, 0);
  g_autofree float *dscores = g_new (float, T2 * 20);
  for (int i = 0; i < T2 * 20; i++)
    dscores[i] = lectern_rng_normal (&rng);
  g_autofree float *garena = g_new0 (float, wider->n_params);
  LecternParamView grad;
  lectern_param_view_bind (&wider->arch, garena, &grad);
  lectern_network_backward (wider, w2, dscores, &grad);
  double out_of_new = 0;   /* the output layer's rows of the last layer's new units */
  for (int d = 0; d < 4; d++)
    for (int j = 50; j < 64; j++)
      for (int c = 0; c < 20; c++)
        out_of_new += fabs (grad.fc_w[((gsize) d * 64 + j) * 20 + c]);
  g_assert_cmpfloat (out_of_new, >, 0);
  double into_old_from_new = 0;  /* layer 2's input rows of the first subsampling's new features */
  for (int k = 6; k < 12; k++)
    for (int c = 0; c < 20 * 20; c++)
      into_old_from_new += fabs (grad.lstm[1].wx[(gsize) k * 400 + c]);
  g_assert_cmpfloat (into_old_from_new, >, 0);

  /* only units and features grow */
  LecternArch narrower = wide;
  narrower.units[1] = 8;
  /* the check alone says the same as the widening */
  g_assert_true (lectern_arch_check_widening (&net->arch, &wide, &error));
  g_assert_no_error (error);
  g_assert_false (lectern_arch_check_widening (&net->arch, &narrower, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (lectern_network_widen (net, &narrower, 1, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "only units and features can grow"));
  g_clear_error (&error);
  LecternArch other_window = wide;
  other_window.sub_w[0] = 1;
  g_assert_null (lectern_network_widen (net, &other_window, 1, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  LecternArch fewer_layers = wide;
  fewer_layers.n_layers = 2;
  g_assert_null (lectern_network_widen (net, &fewer_layers, 1, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  /* the same shape is a copy */
  g_autoptr (LecternNetwork) same = lectern_network_widen (net, &a, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (same->params, same->n_params * sizeof (float), net->params,
                   net->n_params * sizeof (float));
}

/* Inverted dropout keeps the expectation: mean of the mask ≈ 1, zero fraction ≈ p. */
static void
test_dropout_mask (void)
{
  const gsize n = 200000;
  g_autofree float *h = g_new (float, n), *mask = g_new (float, n), *y = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    h[i] = 1.0f;
  LecternRng rng;
  lectern_rng_init (&rng, 11);
  lectern_dropout_forward (h, n, 0.5f, &rng, mask, y);
  double sum = 0;
  gsize zeros = 0;
  for (gsize i = 0; i < n; i++)
    {
      sum += y[i];
      zeros += mask[i] == 0.0f;
      g_assert_true (mask[i] == 0.0f || mask[i] == 2.0f);
    }
  g_assert_cmpfloat (fabs (sum / n - 1.0), <, 0.01);
  g_assert_cmpfloat (fabs ((double) zeros / n - 0.5), <, 0.01);
  /* the same seed gives the same mask */
  g_autofree float *mask2 = g_new (float, n);
  lectern_rng_init (&rng, 11);
  lectern_dropout_forward (h, n, 0.5f, &rng, mask2, y);
  g_assert_cmpmem (mask, n * sizeof (float), mask2, n * sizeof (float));
}

static void
test_arch_validate (void)
{
  LecternArch a;
  lectern_arch_default (&a, 100);
  g_assert_true (lectern_arch_validate (&a, NULL));
  int rh, rw;
  lectern_arch_reduction (&a, &rh, &rw);
  g_assert_cmpint (rh, ==, 32);
  g_assert_cmpint (rw, ==, 8);
  double mflop = lectern_network_flops (&a, 1000) / 1e6;
  g_test_message ("default network, 64×1000 line: %.1f MFLOP forward", mflop);
  g_assert_cmpfloat (mflop, >, 80);
  g_assert_cmpfloat (mflop, <, 140);
  g_autoptr (GError) error = NULL;
  a.units[1] = 100000;
  g_assert_false (lectern_arch_validate (&a, &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "layer 2"));
}

static void
test_arch_parse (void)
{
  LecternArch a, d;
  g_autoptr (GError) error = NULL;
  g_assert_true (lectern_arch_parse (&a, "h64 t2x2 l2 s4x2x6 l10 s4x2x20 l50", &error));
  g_assert_no_error (error);
  lectern_arch_default (&d, 2);
  g_autofree char *sa = lectern_arch_to_string (&a);
  g_autofree char *sd = lectern_arch_to_string (&d);
  g_assert_cmpstr (sa, ==, sd);
  g_assert_cmpstr (sa, ==, "h64 t2x2 l2 s4x2x6 l10 s4x2x20 l50");
  g_assert_false (lectern_arch_parse (&a, "h64 t2x2 l2 l10", &error));
  g_assert_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lectern_arch_parse (&a, "h64 l2 s4x2x6", &error));
  g_clear_error (&error);
  g_assert_false (lectern_arch_parse (&a, "h99999 l2", &error));
  g_assert_nonnull (strstr (error->message, "height"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Lectern/Network/gradients", test_network_gradients);
  g_test_add_func ("/Lectern/Network/gradients-dropout", test_network_gradients_dropout);
  g_test_add_func ("/Lectern/Network/threads-identical", test_threads_identical);
  g_test_add_func ("/Lectern/Network/dropout-mask", test_dropout_mask);
  g_test_add_func ("/Lectern/Network/arch", test_arch_validate);
  g_test_add_func ("/Lectern/Network/arch-parse", test_arch_parse);
  g_test_add_func ("/Lectern/Network/widen", test_widen);
  return g_test_run ();
}
