/* augment.c — line image augmentation by one random affine warp plus pixel effects. */
#include "augment.h"

#include <math.h>
#include <string.h>

static inline float
sample_bilinear (const LecternImage *im, float x, float y)
{
  if (x < 0 || y < 0 || x > im->width - 1 || y > im->height - 1)
    return 255.0f;
  int x0 = (int) x, y0 = (int) y;
  int x1 = MIN (x0 + 1, im->width - 1), y1 = MIN (y0 + 1, im->height - 1);
  float fx = x - x0, fy = y - y0;
  const guint8 *p = im->pixels;
  float top = p[y0 * im->width + x0] * (1 - fx) + p[y0 * im->width + x1] * fx;
  float bot = p[y1 * im->width + x0] * (1 - fx) + p[y1 * im->width + x1] * fx;
  return top * (1 - fy) + bot * fy;
}

/* 3×3 minimum (thicker dark strokes) or maximum (thinner). */
static void
morph3 (LecternImage *im, gboolean dilate_ink)
{
  g_autofree guint8 *src = g_memdup2 (im->pixels, (gsize) im->width * im->height);
  for (int y = 0; y < im->height; y++)
    for (int x = 0; x < im->width; x++)
      {
        int best = src[y * im->width + x];
        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int yy = y + dy, xx = x + dx;
              if (yy < 0 || xx < 0 || yy >= im->height || xx >= im->width)
                continue;
              int v = src[yy * im->width + xx];
              best = dilate_ink ? MIN (best, v) : MAX (best, v);
            }
        im->pixels[y * im->width + x] = (guint8) best;
      }
}

LecternImage *
lectern_augment_line (const LecternImage *line, LecternRng *rng)
{
  const int H = line->height;
  const float stretch = 0.8f + 0.4f * lectern_rng_uniform (rng);     /* width × 0.8–1.2 */
  const float shear = 0.5f * (lectern_rng_uniform (rng) - 0.5f);      /* slant ±14° */
  const float vscale = 0.85f + 0.2f * lectern_rng_uniform (rng);     /* height × 0.85–1.05 */
  const float vshift = 0.06f * H * (lectern_rng_uniform (rng) - 0.5f);
  const int extra = (int) ceilf (fabsf (shear) * H);
  const int W = MAX (2, (int) (line->width * stretch) + extra);
  LecternImage *out = lectern_image_new (W, H);
  const float cy = H / 2.0f;
  for (int y = 0; y < H; y++)
    {
      /* inverse map: output (x, y) ← input */
      const float sy = (y - cy - vshift) / vscale + cy;
      /* x_out = stretch · x_in + shear · (y − cy) + extra / 2 */
      const float xoff = shear * (y - cy) + extra / 2.0f;
      for (int x = 0; x < W; x++)
        {
          float sx = (x - xoff) / stretch;
          float v = sample_bilinear (line, sx, sy);
          out->pixels[y * W + x] = (guint8) CLAMP ((int) (v + 0.5f), 0, 255);
        }
    }
  float r = lectern_rng_uniform (rng);
  if (r < 0.2f)
    morph3 (out, TRUE);
  else if (r < 0.35f)
    morph3 (out, FALSE);
  /* contrast and paper tone: ink keeps its place, background may darken */
  const float contrast = 0.6f + 0.5f * lectern_rng_uniform (rng);
  const float paper = 255.0f - 40.0f * lectern_rng_uniform (rng);
  const float noise = 10.0f * lectern_rng_uniform (rng);
  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      float v = paper - (255.0f - out->pixels[i]) * contrast * (paper / 255.0f);
      if (noise > 0.5f)
        v += noise * lectern_rng_normal (rng);
      out->pixels[i] = (guint8) CLAMP ((int) (v + 0.5f), 0, 255);
    }
  return out;
}
