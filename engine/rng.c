/* rng.c — xoshiro128** seeded through splitmix64. */
#include "rng.h"

#include <math.h>

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void
lectern_rng_init (LecternRng *rng, guint64 seed)
{
  guint64 x = seed;
  guint64 a = splitmix64 (&x), b = splitmix64 (&x);
  rng->s[0] = (guint32) a;
  rng->s[1] = (guint32) (a >> 32);
  rng->s[2] = (guint32) b;
  rng->s[3] = (guint32) (b >> 32);
  if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
    rng->s[0] = 1;
}

static inline guint32
rotl (guint32 x, int k)
{
  return (x << k) | (x >> (32 - k));
}

guint32
lectern_rng_next (LecternRng *rng)
{
  guint32 *s = rng->s;
  guint32 result = rotl (s[1] * 5, 7) * 9;
  guint32 t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 11);
  return result;
}

float
lectern_rng_uniform (LecternRng *rng)
{
  return (lectern_rng_next (rng) >> 8) * (1.0f / 16777216.0f);
}

float
lectern_rng_normal (LecternRng *rng)
{
  float u1 = lectern_rng_uniform (rng);
  float u2 = lectern_rng_uniform (rng);
  if (u1 < 1e-12f)
    u1 = 1e-12f;
  return sqrtf (-2.0f * logf (u1)) * cosf (6.28318530718f * u2);
}

guint32
lectern_rng_below (LecternRng *rng, guint32 n)
{
  g_return_val_if_fail (n > 0, 0);
  return (guint32) (((guint64) lectern_rng_next (rng) * n) >> 32);
}

void
lectern_rng_shuffle (LecternRng *rng, guint32 *items, gsize n)
{
  for (gsize i = n; i > 1; i--)
    {
      gsize j = lectern_rng_below (rng, (guint32) i);
      guint32 t = items[i - 1];
      items[i - 1] = items[j];
      items[j] = t;
    }
}
