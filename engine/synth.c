/* synth.c — rendering synthetic handwritten lines (see synth.h).
 *
 * One line, at "render" resolution (the ascender-to-descender zone 64–130 px high):
 *   1. font and face, then text that the face covers (corpus.c);
 *   2. layout with per-word rise and size, letter and word spacing; every run checked to use
 *      the chosen font;
 *   3. drawn as an alpha mask with slant, rotation and stroke-width change, the neighbouring
 *      lines into a second mask;
 *   4. both masks pulled through one smooth displacement field (elastic distortion plus a
 *      baseline wave);
 *   5. cropped around the ink and the line's zone with random margins, area-scaled to the output
 *      height;
 *   6. composed over paper (texture at several scales, stains, ruling) with a varying ink level,
 *      then polygon cut, blur, noise and JPEG round trip at the output resolution. */
#include "synth.h"

#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <string.h>

#include "error.h"
#include "hershey.h"
#include "rng.h"

/* Held by every call that can reach a Pango font or a cairo scaled font, in any thread.
 *
 * A font map per thread is not enough: cairo hands every font map the same scaled font for a
 * face, size and options, and keeps the glyphs of all scaled fonts in one process-wide cache.
 * When that cache is full (a few hundred lines here, each drawn at its own sizes), adding a
 * glyph evicts a random page of any scaled font. Cairo 1.16 (Debian 12) evicts a page whose
 * font is not marked busy without taking that font's lock, so it can free the glyphs another
 * thread is measuring or drawing at that moment; later cairo releases take the font's lock
 * first. Two threads crashed in cairo_scaled_font_glyph_extents or with a corrupted heap after
 * about 1300–1500 lines. Fontconfig calls made by Pango happen under this lock too. Filling
 * the drawn paths, the distortion and the paper need no font and run unlocked, in parallel. */
static GMutex font_lock;

/* ========================================================================================== */
/* Font registry */

typedef enum {
  ORIGIN_SYSTEM,
  ORIGIN_FONT_DIR,
  ORIGIN_HERSHEY,
} FontOrigin;

typedef struct {
  int        weight;      /* PangoWeight */
  PangoStyle style;
} Face;

typedef struct {
  char               *family;
  FontOrigin          origin;
  gboolean            connected;
  gboolean            caps_only;  /* draws capitals for lowercase letters */
  gboolean            validation;
  gboolean            selected;
  GArray             *faces;      /* Face; empty for Hershey fonts */
  FcCharSet          *charset;    /* intersection over the faces; NULL for Hershey fonts */
  LecternHersheyFont *hershey;
  double              hershey_min_pen;
} SynthFont;

struct _LecternSynthFonts {
  FcConfig  *config;
  GPtrArray *fonts;               /* SynthFont, sorted by family */
};

/* Handwriting families of Debian's font packages (fonts-bwht, fonts-breip, fonts-comic-neue,
 * fonts-dancingscript, fonts-sjfonts, fonts-dkg-handwriting, fonts-ecolier-court,
 * fonts-humor-sans, fonts-klee, fonts-rufscript). Not femkeklaver: its capitals and digits are
 * hollow outlines, which no pen draws. */
static const char *const system_families[] = {
  "Because We Build", "Because We Connect", "Because We Create", "Because We Learn",
  "Because We Mentor", "Because We Organize", "Breip", "Comic Neue", "Dancing Script",
  "Delphine", "DkgHandwriting", "Ecolier_court", "Humor Sans", "Klee One", "Rufscript", "Steve",
  NULL,
};

/* Joined-up scripts: their letters touch at zero letter spacing. */
static const char *const connected_families[] = {
  "Alex Brush", "Allura", "Cedarville Cursive", "Cookie", "Dancing Script", "Ecolier_court",
  "Great Vibes", "Herr Von Muellerhoff", "Homemade Apple", "Italianno", "Marck Script",
  "Monsieur La Doulaise", "Mr De Haviland", "Ms Madi", "Parisienne", "Pinyon Script",
  "Sacramento", "Satisfy", "Tangerine", "Hershey Script Simplex", "Hershey Script Complex",
  "Hershey Cursive", NULL,
};

/* Capitals for lowercase letters, but drawn differently enough that the shape test below misses
 * them. */
static const char *const caps_families[] = { "Rock Salt", NULL };

/* Kept out of training: two joined-up scripts of @fontsource and a print hand of Debian's. */
static const char *const validation_families[] = {
  "Cedarville Cursive", "Marck Script", "Steve", NULL,
};

typedef struct {
  const char *file;
  const char *family;
  double      min_pen;   /* font units: the complex fonts draw a thick stroke as parallel lines,
                          * which only a pen this wide fills */
} HersheyFile;

static const HersheyFile hershey_files[] = {
  { "scripts.jhf", "Hershey Script Simplex", 0.0 },
  { "scriptc.jhf", "Hershey Script Complex", 1.6 },
  { "cursive.jhf", "Hershey Cursive", 0.0 },
  { "futural.jhf", "Hershey Simplex", 0.0 },
};

const char *const *
lectern_synth_validation_families (void)
{
  return validation_families;
}

static gboolean
strv_contains_nocase (const char *const *strv, const char *name)
{
  for (; *strv != NULL; strv++)
    if (g_ascii_strcasecmp (*strv, name) == 0)
      return TRUE;
  return FALSE;
}

static void
synth_font_free (gpointer data)
{
  SynthFont *font = data;
  g_free (font->family);
  if (font->faces != NULL)
    g_array_unref (font->faces);
  if (font->charset != NULL)
    FcCharSetDestroy (font->charset);
  lectern_hershey_font_free (font->hershey);
  g_free (font);
}

void
lectern_synth_fonts_free (LecternSynthFonts *fonts)
{
  if (fonts == NULL)
    return;
  g_ptr_array_unref (fonts->fonts);
  if (fonts->config != NULL)
    FcConfigDestroy (fonts->config);
  g_free (fonts);
}

static SynthFont *
synth_font_new (const char *family, FontOrigin origin)
{
  SynthFont *font = g_new0 (SynthFont, 1);
  font->family = g_strdup (family);
  font->origin = origin;
  font->connected = strv_contains_nocase (connected_families, family);
  font->validation = strv_contains_nocase (validation_families, family);
  font->selected = TRUE;
  font->faces = g_array_new (FALSE, FALSE, sizeof (Face));
  return font;
}

static PangoStyle
style_from_fc_slant (int slant)
{
  if (slant >= FC_SLANT_OBLIQUE)
    return PANGO_STYLE_OBLIQUE;
  if (slant >= FC_SLANT_ITALIC)
    return PANGO_STYLE_ITALIC;
  return PANGO_STYLE_NORMAL;
}

/* Fills in the faces of a family and the characters all of them have. FALSE when fontconfig
 * has no face of that exact family. */
static gboolean
synth_font_load_faces (SynthFont *font, FcConfig *config)
{
  FcPattern *pattern = FcPatternBuild (NULL, FC_FAMILY, FcTypeString, font->family, NULL);
  FcObjectSet *objects = FcObjectSetBuild (FC_FAMILY, FC_WEIGHT, FC_SLANT, FC_CHARSET, FC_FILE,
                                           NULL);
  FcFontSet *set = FcFontList (config, pattern, objects);

  FcPatternDestroy (pattern);
  FcObjectSetDestroy (objects);
  if (set == NULL)
    return FALSE;
  for (int i = 0; i < set->nfont; i++)
    {
      FcPattern *match = set->fonts[i];
      FcCharSet *charset = NULL;
      int fc_weight = FC_WEIGHT_REGULAR, fc_slant = FC_SLANT_ROMAN;
      Face face;
      gboolean known = FALSE;

      if (FcPatternGetCharSet (match, FC_CHARSET, 0, &charset) != FcResultMatch)
        continue;
      FcPatternGetInteger (match, FC_WEIGHT, 0, &fc_weight);
      FcPatternGetInteger (match, FC_SLANT, 0, &fc_slant);
      face.weight = FcWeightToOpenType (fc_weight);
      face.style = style_from_fc_slant (fc_slant);
      for (guint f = 0; f < font->faces->len; f++)
        {
          const Face *other = &g_array_index (font->faces, Face, f);
          known = known || (other->weight == face.weight && other->style == face.style);
        }
      if (!known)
        g_array_append_val (font->faces, face);
      if (font->charset == NULL)
        font->charset = FcCharSetCopy (charset);
      else
        {
          FcCharSet *both = FcCharSetIntersect (font->charset, charset);
          FcCharSetDestroy (font->charset);
          font->charset = both;
        }
    }
  FcFontSetDestroy (set);
  return font->faces->len > 0 && font->charset != NULL;
}

/* Pango 1.50 draws no WOFF/WOFF2 file (HarfBuzz gets no glyphs from them, so Pango filters
 * them out), hence TrueType and OpenType files only; scripts/fetch-fonts.sh converts
 * @fontsource's WOFF2 files. */
static gboolean
is_sfnt_file (const char *lower)
{
  return g_str_has_suffix (lower, ".ttf") || g_str_has_suffix (lower, ".otf");
}

static gboolean
is_woff_file (const char *lower)
{
  return g_str_has_suffix (lower, ".woff") || g_str_has_suffix (lower, ".woff2");
}

/* @fontsource ships one file per subset: NAME-SUBSET-WEIGHT-STYLE.EXT. Keep Latin only, so a
 * family is one file per face and its charset is that file's. Other names are kept. */
static gboolean
is_wanted_font_file (const char *basename)
{
  g_autofree char *lower = g_ascii_strdown (basename, -1);
  g_autoptr (GRegex) subset = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *name = NULL;

  if (!is_sfnt_file (lower))
    return FALSE;
  subset = g_regex_new ("-([a-z-]+)-[0-9]{3}-(normal|italic)\\.(ttf|otf)$", 0, 0, NULL);
  if (!g_regex_match (subset, lower, 0, &match))
    return TRUE;
  name = g_match_info_fetch (match, 1);
  return g_str_has_suffix (name, "latin") && !g_str_has_suffix (name, "-ext");
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Collects wanted font files below dir, at most 8 levels deep; counts the WOFF files seen. */
static void
collect_font_files (const char *dir, int depth, GPtrArray *files, guint *n_woff)
{
  g_autoptr (GDir) d = NULL;
  const char *entry;

  if (depth > 8 || files->len > 20000)
    return;
  d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      g_autofree char *lower = g_ascii_strdown (entry, -1);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_font_files (path, depth + 1, files, n_woff);
      else if (is_wanted_font_file (entry))
        g_ptr_array_add (files, g_steal_pointer (&path));
      else if (is_woff_file (lower))
        (*n_woff)++;
    }
}

/* Some handwriting fonts draw capitals for lowercase letters (Because We …, Humor Sans, Rock
 * Salt); the text of their lines must be in capitals too, or it would not match the image.
 * Found by comparing each lowercase letter's shape with its capital's, both scaled to their
 * ink boxes and sampled on a SHAPE_GRID × SHAPE_GRID grid. */
#define SHAPE_GRID 16

static gboolean
letter_shape (PangoLayout *layout, const char *letter, gboolean mask[SHAPE_GRID * SHAPE_GRID])
{
  PangoRectangle ink;
  cairo_surface_t *surface;
  cairo_t *cr;
  const guint8 *data;
  int stride;

  pango_layout_set_text (layout, letter, -1);
  pango_layout_get_pixel_extents (layout, &ink, NULL);
  if (ink.width < 4 || ink.height < 4 || ink.width > 1000 || ink.height > 1000)
    return FALSE;
  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, ink.width, ink.height);
  cr = cairo_create (surface);
  cairo_move_to (cr, -ink.x, -ink.y);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int gy = 0; gy < SHAPE_GRID; gy++)
    for (int gx = 0; gx < SHAPE_GRID; gx++)
      {
        int x0 = gx * ink.width / SHAPE_GRID, x1 = MAX (x0 + 1, (gx + 1) * ink.width / SHAPE_GRID);
        int y0 = gy * ink.height / SHAPE_GRID, y1 = MAX (y0 + 1, (gy + 1) * ink.height / SHAPE_GRID);
        guint sum = 0;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++)
            sum += data[y * stride + x];
        mask[gy * SHAPE_GRID + gx] = sum > 64u * (guint) ((x1 - x0) * (y1 - y0));
      }
  cairo_surface_destroy (surface);
  return TRUE;
}

static gboolean
detect_caps_only (PangoContext *context, const SynthFont *font)
{
  static const char *const pairs[][2] = {
    { "a", "A" }, { "b", "B" }, { "d", "D" }, { "e", "E" }, { "g", "G" }, { "h", "H" },
    { "n", "N" }, { "q", "Q" }, { "r", "R" }, { "t", "T" },
  };
  PangoLayout *layout = pango_layout_new (context);
  PangoFontDescription *desc = pango_font_description_new ();
  double total = 0;
  int n = 0;

  pango_font_description_set_family (desc, font->family);
  pango_font_description_set_absolute_size (desc, 100 * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      gboolean lower[SHAPE_GRID * SHAPE_GRID], upper[SHAPE_GRID * SHAPE_GRID];
      int both = 0, either = 0;
      if (!letter_shape (layout, pairs[i][0], lower) || !letter_shape (layout, pairs[i][1], upper))
        continue;
      for (int k = 0; k < SHAPE_GRID * SHAPE_GRID; k++)
        {
          both += lower[k] && upper[k];
          either += lower[k] || upper[k];
        }
      total += either > 0 ? (double) both / either : 0;
      n++;
    }
  g_object_unref (layout);
  g_debug ("%s: lowercase/capital shape overlap %.2f", font->family, n > 0 ? total / n : 0);
  return n > 0 && total / n > 0.55;
}

static int
compare_fonts (gconstpointer a, gconstpointer b)
{
  const SynthFont *fa = *(const SynthFont *const *) a, *fb = *(const SynthFont *const *) b;
  return g_ascii_strcasecmp (fa->family, fb->family);
}

LecternSynthFonts *
lectern_synth_fonts_new (const char *const *font_dirs, const char *hershey_dir, GError **error)
{
  g_autoptr (LecternSynthFonts) fonts = g_new0 (LecternSynthFonts, 1);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) app_families = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);

  fonts->fonts = g_ptr_array_new_with_free_func (synth_font_free);
  fonts->config = FcInitLoadConfigAndFonts ();
  if (fonts->config == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
                   "cannot load the fontconfig configuration");
      return NULL;
    }

  for (const char *const *dir = font_dirs; dir != NULL && *dir != NULL; dir++)
    {
      guint before = files->len, n_woff = 0;
      if (!g_file_test (*dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "%s: no such font folder", *dir);
          return NULL;
        }
      collect_font_files (*dir, 0, files, &n_woff);
      if (files->len == before)
        {
          g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                       n_woff > 0 ? "%s: only WOFF files, which Pango cannot draw; "
                                    "scripts/fetch-fonts.sh converts them to TrueType"
                                  : "%s: no .ttf or .otf font file", *dir);
          return NULL;
        }
    }
  g_ptr_array_sort (files, compare_strings);
  for (guint i = 0; i < files->len; i++)
    FcConfigAppFontAddFile (fonts->config, g_ptr_array_index (files, i));

  /* Families from the font folders (all of them are meant for synthesis). */
  {
    FcFontSet *app = FcConfigGetFonts (fonts->config, FcSetApplication);
    for (int i = 0; app != NULL && i < app->nfont; i++)
      {
        FcChar8 *family = NULL;
        if (FcPatternGetString (app->fonts[i], FC_FAMILY, 0, &family) == FcResultMatch)
          g_hash_table_add (app_families, g_strdup ((const char *) family));
      }
  }
  {
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array (app_families, NULL);
    for (gpointer *key = keys; *key != NULL; key++)
      {
        SynthFont *font = synth_font_new (*key, ORIGIN_FONT_DIR);
        if (synth_font_load_faces (font, fonts->config))
          g_ptr_array_add (fonts->fonts, font);
        else
          synth_font_free (font);
      }
  }

  for (const char *const *family = system_families; *family != NULL; family++)
    {
      SynthFont *font;
      if (g_hash_table_contains (app_families, *family))
        continue;
      font = synth_font_new (*family, ORIGIN_SYSTEM);
      if (synth_font_load_faces (font, fonts->config))
        g_ptr_array_add (fonts->fonts, font);
      else
        synth_font_free (font);
    }

  if (hershey_dir == NULL)
    hershey_dir = LECTERN_SYNTH_HERSHEY_DIR;
  for (gsize i = 0; i < G_N_ELEMENTS (hershey_files); i++)
    {
      g_autofree char *path = g_build_filename (hershey_dir, hershey_files[i].file, NULL);
      LecternHersheyFont *hershey;
      SynthFont *font;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      hershey = lectern_hershey_font_load (path, error);
      if (hershey == NULL)
        return NULL;
      font = synth_font_new (hershey_files[i].family, ORIGIN_HERSHEY);
      font->hershey = hershey;
      font->hershey_min_pen = hershey_files[i].min_pen;
      g_ptr_array_add (fonts->fonts, font);
    }

  if (fonts->fonts->len == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   "no handwriting font found (install the Debian font packages of "
                   "scripts/deps.txt or pass a font folder)");
      return NULL;
    }
  g_ptr_array_sort (fonts->fonts, compare_fonts);
  {
    g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&font_lock);
    PangoFontMap *fontmap = pango_cairo_font_map_new_for_font_type (CAIRO_FONT_TYPE_FT);
    PangoContext *context;
    pango_fc_font_map_set_config (PANGO_FC_FONT_MAP (fontmap), fonts->config);
    context = pango_font_map_create_context (fontmap);
    for (guint i = 0; i < fonts->fonts->len; i++)
      {
        SynthFont *font = g_ptr_array_index (fonts->fonts, i);
        if (font->hershey == NULL)
          font->caps_only = strv_contains_nocase (caps_families, font->family)
                            || detect_caps_only (context, font);
      }
    g_object_unref (context);
    g_object_unref (fontmap);
  }
  return g_steal_pointer (&fonts);
}

static const SynthFont *
get_font (const LecternSynthFonts *fonts, guint i)
{
  g_return_val_if_fail (i < fonts->fonts->len, NULL);
  return g_ptr_array_index (fonts->fonts, i);
}

guint
lectern_synth_fonts_get_n_fonts (const LecternSynthFonts *fonts)
{
  return fonts->fonts->len;
}

const char *
lectern_synth_fonts_get_family (const LecternSynthFonts *fonts, guint i)
{
  return get_font (fonts, i)->family;
}

const char *
lectern_synth_fonts_get_origin (const LecternSynthFonts *fonts, guint i)
{
  static const char *const names[] = { "system", "font-dir", "hershey" };
  return names[get_font (fonts, i)->origin];
}

gboolean
lectern_synth_fonts_is_validation (const LecternSynthFonts *fonts, guint i)
{
  return get_font (fonts, i)->validation;
}

gboolean
lectern_synth_fonts_is_connected (const LecternSynthFonts *fonts, guint i)
{
  return get_font (fonts, i)->connected;
}

gboolean
lectern_synth_fonts_is_caps_only (const LecternSynthFonts *fonts, guint i)
{
  return get_font (fonts, i)->caps_only;
}

gboolean
lectern_synth_fonts_is_selected (const LecternSynthFonts *fonts, guint i)
{
  return get_font (fonts, i)->selected;
}

int
lectern_synth_fonts_find (const LecternSynthFonts *fonts, const char *family)
{
  for (guint i = 0; i < fonts->fonts->len; i++)
    if (g_ascii_strcasecmp (get_font (fonts, i)->family, family) == 0)
      return (int) i;
  return -1;
}

static gboolean
synth_font_has_char (const SynthFont *font, gunichar c)
{
  if (font->hershey != NULL)
    return lectern_hershey_font_has_char (font->hershey, c);
  return FcCharSetHasChar (font->charset, c);
}

gboolean
lectern_synth_fonts_has_char (const LecternSynthFonts *fonts, guint i, gunichar c)
{
  return synth_font_has_char (get_font (fonts, i), c);
}

gboolean
lectern_synth_fonts_select (LecternSynthFonts *fonts, const char *spec, GError **error)
{
  g_autofree gboolean *chosen = g_new0 (gboolean, fonts->fonts->len);
  guint n_chosen = 0;

  g_return_val_if_fail (spec != NULL, FALSE);
  if (g_ascii_strcasecmp (spec, "all") == 0 || g_ascii_strcasecmp (spec, "train") == 0
      || g_ascii_strcasecmp (spec, "val") == 0)
    {
      for (guint i = 0; i < fonts->fonts->len; i++)
        {
          const SynthFont *font = get_font (fonts, i);
          chosen[i] = g_ascii_strcasecmp (spec, "all") == 0
                      || (g_ascii_strcasecmp (spec, "val") == 0) == font->validation;
        }
    }
  else
    {
      g_auto (GStrv) names = g_strsplit (spec, ",", -1);
      for (char **name = names; *name != NULL; name++)
        {
          int index;
          g_strstrip (*name);
          if (**name == '\0')
            continue;
          index = lectern_synth_fonts_find (fonts, *name);
          if (index < 0)
            {
              g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                           "font “%s” is not installed (see --list-fonts)", *name);
              return FALSE;
            }
          chosen[index] = TRUE;
        }
    }
  for (guint i = 0; i < fonts->fonts->len; i++)
    n_chosen += chosen[i];
  if (n_chosen == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                   "the font selection “%s” holds no installed font", spec);
      return FALSE;
    }
  for (guint i = 0; i < fonts->fonts->len; i++)
    ((SynthFont *) g_ptr_array_index (fonts->fonts, i))->selected = chosen[i];
  return TRUE;
}

/* ========================================================================================== */
/* Float image helpers (alpha masks and grey levels, row-major, stride = width) */

typedef struct {
  int    width, height;
  float *data;
} Plane;

static void
plane_init (Plane *plane, int width, int height)
{
  plane->width = width;
  plane->height = height;
  plane->data = g_new0 (float, (gsize) width * height);
}

static void
plane_clear (Plane *plane)
{
  g_clear_pointer (&plane->data, g_free);
}

/* Value noise: random values on a grid of `cell` pixels, smoothly interpolated, added with the
 * given amplitude. Several calls with different cells give texture at several scales. */
static void
add_value_noise (Plane *plane, double cell, double amplitude, LecternRng *rng)
{
  int gw = (int) (plane->width / cell) + 2, gh = (int) (plane->height / cell) + 2;
  g_autofree float *grid = g_new (float, (gsize) gw * gh);

  for (int i = 0; i < gw * gh; i++)
    grid[i] = (lectern_rng_uniform (rng) * 2.0f - 1.0f) * (float) amplitude;
  for (int y = 0; y < plane->height; y++)
    {
      double gy = y / cell;
      int y0 = (int) gy;
      double fy = gy - y0;
      fy = fy * fy * (3 - 2 * fy);
      for (int x = 0; x < plane->width; x++)
        {
          double gx = x / cell;
          int x0 = (int) gx;
          double fx = gx - x0;
          const float *g0 = grid + (gsize) y0 * gw + x0, *g1 = g0 + gw;
          fx = fx * fx * (3 - 2 * fx);
          plane->data[(gsize) y * plane->width + x]
            += (float) ((g0[0] * (1 - fx) + g0[1] * fx) * (1 - fy)
                        + (g1[0] * (1 - fx) + g1[1] * fx) * fy);
        }
    }
}

/* Separable Gaussian blur, edges clamped. */
static void
blur_plane (Plane *plane, double sigma)
{
  int radius = (int) ceil (sigma * 2.5);
  int w = plane->width, h = plane->height;
  g_autofree float *kernel = NULL;
  g_autofree float *tmp = NULL;
  double sum = 0;

  if (sigma < 0.15 || radius < 1)
    return;
  kernel = g_new (float, 2 * radius + 1);
  for (int i = -radius; i <= radius; i++)
    sum += kernel[i + radius] = (float) exp (-0.5 * i * i / (sigma * sigma));
  for (int i = 0; i <= 2 * radius; i++)
    kernel[i] /= (float) sum;
  tmp = g_new (float, (gsize) w * h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float acc = 0;
        for (int k = -radius; k <= radius; k++)
          acc += kernel[k + radius] * plane->data[(gsize) y * w + CLAMP (x + k, 0, w - 1)];
        tmp[(gsize) y * w + x] = acc;
      }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float acc = 0;
        for (int k = -radius; k <= radius; k++)
          acc += kernel[k + radius] * tmp[(gsize) CLAMP (y + k, 0, h - 1) * w + x];
        plane->data[(gsize) y * w + x] = acc;
      }
}

/* Weights of an area-averaging resampling along one axis: destination pixel i covers
 * source [i·s, (i+1)·s) with s = n_src / n_dst; fractional overlaps weigh in part. */
typedef struct {
  int   first;     /* first source index */
  int   count;
  float weight[64];
} AreaSpan;

static AreaSpan *
area_spans (int n_src, int n_dst)
{
  AreaSpan *spans = g_new (AreaSpan, n_dst);
  double s = (double) n_src / n_dst;
  for (int i = 0; i < n_dst; i++)
    {
      double a = i * s, b = (i + 1) * s;
      int first = (int) floor (a), last = MIN ((int) ceil (b) - 1, n_src - 1);
      double total = 0;
      spans[i].first = first;
      spans[i].count = MIN (last - first + 1, 64);
      for (int k = 0; k < spans[i].count; k++)
        {
          double lo = MAX (a, first + k), hi = MIN (b, first + k + 1);
          spans[i].weight[k] = (float) MAX (0.0, hi - lo);
          total += spans[i].weight[k];
        }
      for (int k = 0; k < spans[i].count; k++)
        spans[i].weight[k] = total > 0 ? (float) (spans[i].weight[k] / total) : 0.0f;
    }
  return spans;
}

/* Area-averages the window (x0, y0, w, h) of src into a new plane of dw × dh. Scale factors
 * stay below 64 (the render resolution is at most a few times the output's). */
static void
resample_window (const Plane *src, int x0, int y0, int w, int h, Plane *dst, int dw, int dh)
{
  g_autofree AreaSpan *xs = area_spans (w, dw);
  g_autofree AreaSpan *ys = area_spans (h, dh);
  g_autofree float *rows = g_new (float, (gsize) h * dw);

  plane_init (dst, dw, dh);
  for (int y = 0; y < h; y++)
    {
      const float *in = src->data + (gsize) (y0 + y) * src->width + x0;
      for (int x = 0; x < dw; x++)
        {
          float acc = 0;
          for (int k = 0; k < xs[x].count; k++)
            acc += xs[x].weight[k] * in[xs[x].first + k];
          rows[(gsize) y * dw + x] = acc;
        }
    }
  for (int y = 0; y < dh; y++)
    for (int x = 0; x < dw; x++)
      {
        float acc = 0;
        for (int k = 0; k < ys[y].count; k++)
          acc += ys[y].weight[k] * rows[(gsize) (ys[y].first + k) * dw + x];
        dst->data[(gsize) y * dw + x] = acc;
      }
}

/* ========================================================================================== */
/* Renderer */

typedef struct {
  double top;      /* ascender height above the baseline, per pixel of font size */
  double bottom;   /* descender depth below the baseline, per pixel of font size */
} Zone;

struct _LecternSynthRenderer {
  const LecternSynthFonts *fonts;
  const LecternCorpus     *corpus;
  LecternSynthOptions      options;
  PangoFontMap            *fontmap;
  PangoContext            *context;
  GHashTable              *zones;        /* (font << 8 | face) → Zone* */
  GArray                  *candidates;   /* guint: selected fonts */
  double                   total_weight;
};

static double
font_weight (const SynthFont *font)
{
  /* Joined-up scripts look most like the manuscripts; Hershey fonts cover ASCII only; lines in
   * capitals are rare in letters and registers. */
  if (font->caps_only)
    return 0.3;
  if (font->hershey != NULL)
    return 0.7;
  return font->connected ? 2.0 : 1.0;
}

LecternSynthRenderer *
lectern_synth_renderer_new (const LecternSynthFonts *fonts, const LecternCorpus *corpus,
                            const LecternSynthOptions *options)
{
  LecternSynthRenderer *renderer = g_new0 (LecternSynthRenderer, 1);
  cairo_font_options_t *font_options;

  renderer->fonts = fonts;
  renderer->corpus = corpus;
  renderer->options = *options;
  if (renderer->options.max_width <= 0)
    renderer->options.max_width = LECTERN_SYNTH_MAX_WIDTH;

  g_mutex_lock (&font_lock);
  renderer->fontmap = pango_cairo_font_map_new_for_font_type (CAIRO_FONT_TYPE_FT);
  pango_fc_font_map_set_config (PANGO_FC_FONT_MAP (renderer->fontmap), fonts->config);
  renderer->context = pango_font_map_create_context (renderer->fontmap);
  /* Unhinted outlines at fractional positions: a glyph's shape must not depend on the size
   * in whole pixels, and the same text must render the same on any machine. */
  font_options = cairo_font_options_create ();
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (font_options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (renderer->context, font_options);
  cairo_font_options_destroy (font_options);
  pango_context_set_round_glyph_positions (renderer->context, FALSE);
  g_mutex_unlock (&font_lock);

  renderer->zones = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  renderer->candidates = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < fonts->fonts->len; i++)
    if (get_font (fonts, i)->selected)
      {
        g_array_append_val (renderer->candidates, i);
        renderer->total_weight += font_weight (get_font (fonts, i));
      }
  return renderer;
}

void
lectern_synth_renderer_free (LecternSynthRenderer *renderer)
{
  if (renderer == NULL)
    return;
  /* The last references to the map's fonts, and so to their cairo scaled fonts. */
  g_mutex_lock (&font_lock);
  g_object_unref (renderer->context);
  g_object_unref (renderer->fontmap);
  g_mutex_unlock (&font_lock);
  g_hash_table_unref (renderer->zones);
  g_array_unref (renderer->candidates);
  g_free (renderer);
}

void
lectern_synth_line_clear (LecternSynthLine *line)
{
  g_clear_pointer (&line->image, lectern_image_free);
  g_clear_pointer (&line->text, g_free);
  g_clear_pointer (&line->font, g_free);
}

static double
uniform (LecternRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * lectern_rng_uniform (rng);
}

static gboolean
chance (LecternRng *rng, double p)
{
  return lectern_rng_uniform (rng) < p;
}

/* Everything that one line draws from its generator, fixed before any rendering. */
typedef struct {
  guint  font_index;
  guint  face_index;
  int    height;           /* output height */
  double zone_px;          /* render-resolution ascender-to-descender height */
  double letter_spacing;   /* per font size */
  double word_spacing;     /* extra per space, per font size */
  double slant;            /* shear: x += slant · height above the baseline */
  double rotation;         /* radians */
  double word_rise;        /* standard deviation of each word's baseline shift, per zone */
  double word_scale;       /* standard deviation of each word's relative size change */
  double stroke;           /* outline grown (> 0) or shrunk (< 0) by this many render pixels */
  double elastic_amplitude, elastic_cell;
  double wave_amplitude, wave_length, wave_phase;
  gboolean neighbour_above, neighbour_below;
  double line_pitch;       /* distance between baselines, per zone */
} LineStyle;

static void
draw_line_style (LecternSynthRenderer *renderer, LecternRng *rng, LineStyle *style)
{
  const LecternSynthFonts *fonts = renderer->fonts;
  double r = lectern_rng_uniform (rng) * renderer->total_weight;
  const SynthFont *font;

  style->font_index = g_array_index (renderer->candidates, guint, renderer->candidates->len - 1);
  for (guint i = 0; i < renderer->candidates->len; i++)
    {
      guint index = g_array_index (renderer->candidates, guint, i);
      r -= font_weight (get_font (fonts, index));
      if (r < 0)
        {
          style->font_index = index;
          break;
        }
    }
  font = get_font (fonts, style->font_index);
  style->face_index = font->faces->len > 0 ? lectern_rng_below (rng, font->faces->len) : 0;

  style->height = renderer->options.height > 0
                    ? renderer->options.height
                    : LECTERN_SYNTH_MIN_HEIGHT
                        + (int) lectern_rng_below (rng, LECTERN_SYNTH_MAX_HEIGHT
                                                          - LECTERN_SYNTH_MIN_HEIGHT + 1);
  style->zone_px = style->height * uniform (rng, 1.0, 1.4);
  if (font->connected)
    style->letter_spacing = uniform (rng, -0.01, 0.01);
  else
    style->letter_spacing = chance (rng, 0.3) ? 0.0 : uniform (rng, -0.02, 0.10);
  /* Joined-up scripts have narrow spaces: less would run words together. */
  style->word_spacing = uniform (rng, font->connected ? 0.03 : -0.04, 0.35);
  /* Mostly leaning right, as most hands do, some upright or leaning back. */
  style->slant = tan (G_PI / 180.0 * CLAMP (8.0 + 9.0 * lectern_rng_normal (rng), -12.0, 30.0));
  if (font->hershey == NULL && font->connected)
    style->slant *= 0.5;      /* the scripts slant already */
  style->rotation = G_PI / 180.0 * CLAMP (0.5 * lectern_rng_normal (rng), -1.2, 1.2);
  style->word_rise = chance (rng, 0.5) ? uniform (rng, 0.0, 0.05) : 0.0;
  style->word_scale = chance (rng, 0.4) ? uniform (rng, 0.0, 0.06) : 0.0;
  style->stroke = style->zone_px * (chance (rng, 0.7) ? uniform (rng, 0.0, 0.022)
                                                      : uniform (rng, -0.005, 0.0));
  style->elastic_amplitude = style->zone_px * uniform (rng, 0.0, 0.03);
  style->elastic_cell = style->zone_px * uniform (rng, 0.25, 0.6);
  style->wave_amplitude = chance (rng, 0.5) ? style->zone_px * uniform (rng, 0.0, 0.05) : 0.0;
  style->wave_length = style->zone_px * uniform (rng, 3.0, 12.0);
  style->wave_phase = uniform (rng, 0, 2 * G_PI);
  style->neighbour_above = chance (rng, 0.3);
  style->neighbour_below = chance (rng, 0.3);
  style->line_pitch = uniform (rng, 0.95, 1.35);
}

/* ------------------------------------------------------------------------------------------ */
/* Text in a font: coverage, layout, drawing */

typedef struct {
  const SynthFont *font;
  PangoFont       *pango_font;   /* the face at the line's size (Pango fonts only) */
} Coverage;

static gboolean
coverage_allows (gunichar c, gpointer user_data)
{
  const Coverage *coverage = user_data;
  gboolean has;

  /* ß has no single capital; caps fonts get "SS" for it after g_utf8_strup. */
  if (coverage->font->caps_only && c != 0x00DF)
    c = g_unichar_toupper (c);
  if (!synth_font_has_char (coverage->font, c))
    return FALSE;
  if (coverage->pango_font == NULL)
    return TRUE;
  g_mutex_lock (&font_lock);
  has = pango_font_has_char (coverage->pango_font, c);
  g_mutex_unlock (&font_lock);
  return has;
}

static PangoFontDescription *
face_description (const SynthFont *font, guint face_index, double size)
{
  const Face *face = &g_array_index (font->faces, Face, face_index);
  PangoFontDescription *desc = pango_font_description_new ();
  pango_font_description_set_family (desc, font->family);
  pango_font_description_set_weight (desc, (PangoWeight) face->weight);
  pango_font_description_set_style (desc, face->style);
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  return desc;
}

/* A text laid out in one font, baseline at y = 0, pen starting at x = 0. */
typedef struct {
  const SynthFont   *font;
  PangoLayout       *layout;       /* Pango fonts */
  /* Hershey fonts: per character its position, size factor and baseline shift */
  GArray            *glyphs;
  LecternHersheyPen  pen;
  guint64            pen_seed;
  double             ink_x0, ink_y0, ink_x1, ink_y1;   /* ink box, pixels */
  double             advance;
} TextLayout;

typedef struct {
  gunichar c;
  double   x, scale, rise;
} PlacedGlyph;

static void
text_layout_clear (TextLayout *text)
{
  if (text->layout != NULL)
    {
      g_mutex_lock (&font_lock);
      g_clear_object (&text->layout);
      g_mutex_unlock (&font_lock);
    }
  g_clear_pointer (&text->glyphs, g_array_unref);
}

/* Byte ranges of the words of text (runs without spaces). */
static GArray *
word_ranges (const char *text)
{
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (int) * 2);
  const char *p = text;
  while (*p != '\0')
    {
      int range[2];
      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      range[0] = (int) (p - text);
      while (*p != '\0' && *p != ' ')
        p++;
      range[1] = (int) (p - text);
      g_array_append_vals (ranges, range, 1);
    }
  return ranges;
}

/* TRUE when every run of the layout uses font->family, no glyph is missing and every glyph of
 * a visible character leaves ink: the check that Pango fell back to no other font and that the
 * font does not map a character it lists to an empty glyph (the image would lack it). */
static gboolean
layout_uses_only (PangoLayout *layout, const SynthFont *font)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  const char *text = pango_layout_get_text (layout);
  gboolean ok = TRUE;

  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);
      PangoFontDescription *desc;
      const char *family;

      if (run == NULL)
        continue;
      desc = pango_font_describe (run->item->analysis.font);
      family = pango_font_description_get_family (desc);
      ok = family != NULL && g_ascii_strcasecmp (family, font->family) == 0;
      pango_font_description_free (desc);
      for (int g = 0; ok && g < run->glyphs->num_glyphs; g++)
        {
          PangoGlyphInfo *info = &run->glyphs->glyphs[g];
          gunichar c = g_utf8_get_char (text + run->item->offset + run->glyphs->log_clusters[g]);
          PangoRectangle ink;

          ok = (info->glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0;
          if (ok && !g_unichar_isspace (c))
            {
              pango_font_get_glyph_extents (run->item->analysis.font, info->glyph, &ink, NULL);
              ok = ink.width > 0 && ink.height > 0;
            }
        }
    }
  while (ok && pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  return ok;
}

static gboolean
pango_text_layout (LecternSynthRenderer *renderer, TextLayout *out, const SynthFont *font,
                   guint face_index, double size, const char *text, const LineStyle *style,
                   gboolean vary_words, LecternRng *rng)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&font_lock);
  PangoFontDescription *desc = face_description (font, face_index, size);
  PangoAttrList *attrs = pango_attr_list_new ();
  g_autoptr (GArray) words = word_ranges (text);
  PangoRectangle ink, logical;
  int baseline;

  out->font = font;
  out->layout = pango_layout_new (renderer->context);
  pango_layout_set_font_description (out->layout, desc);
  pango_layout_set_single_paragraph_mode (out->layout, TRUE);
  pango_layout_set_text (out->layout, text, -1);
  pango_font_description_free (desc);

  if (style->letter_spacing != 0)
    {
      PangoAttribute *a = pango_attr_letter_spacing_new ((int) (style->letter_spacing * size
                                                                * PANGO_SCALE));
      pango_attr_list_insert (attrs, a);
    }
  for (guint w = 0; w < words->len; w++)
    {
      const int *range = &g_array_index (words, int, 2 * w);
      if (vary_words && style->word_rise > 0)
        {
          double rise = CLAMP (lectern_rng_normal (rng), -2.0, 2.0) * style->word_rise
                        * style->zone_px;
          PangoAttribute *a = pango_attr_rise_new ((int) (rise * PANGO_SCALE));
          a->start_index = range[0];
          a->end_index = range[1];
          pango_attr_list_insert (attrs, a);
        }
      if (vary_words && style->word_scale > 0)
        {
          double scale = 1.0 + CLAMP (lectern_rng_normal (rng), -2.0, 2.0) * style->word_scale;
          PangoAttribute *a = pango_attr_scale_new (scale);
          a->start_index = range[0];
          a->end_index = range[1];
          pango_attr_list_insert (attrs, a);
        }
      /* Word spacing: extra letter spacing on the spaces that follow the word. */
      if (w + 1 < words->len && style->word_spacing != 0)
        {
          const int *next = &g_array_index (words, int, 2 * (w + 1));
          PangoAttribute *a = pango_attr_letter_spacing_new (
            (int) ((style->letter_spacing + style->word_spacing) * size * PANGO_SCALE));
          a->start_index = range[1];
          a->end_index = next[0];
          pango_attr_list_insert (attrs, a);
        }
    }
  pango_layout_set_attributes (out->layout, attrs);
  pango_attr_list_unref (attrs);

  if (!layout_uses_only (out->layout, font))
    return FALSE;

  pango_layout_get_extents (out->layout, &ink, &logical);
  baseline = pango_layout_get_baseline (out->layout);
  out->ink_x0 = (double) ink.x / PANGO_SCALE;
  out->ink_x1 = (double) (ink.x + ink.width) / PANGO_SCALE;
  out->ink_y0 = (double) (ink.y - baseline) / PANGO_SCALE;
  out->ink_y1 = (double) (ink.y + ink.height - baseline) / PANGO_SCALE;
  out->advance = (double) logical.width / PANGO_SCALE;
  return ink.width > 0 && ink.height > 0;
}

/* Font units per pixel of "size" for a Hershey font: size is the capital height. */
static double
hershey_scale (double size)
{
  return size / LECTERN_HERSHEY_CAP_HEIGHT;
}

static void
hershey_text_layout (TextLayout *out, const SynthFont *font, double size, const char *text,
                     const LineStyle *style, gboolean vary_words, LecternRng *rng)
{
  double scale = hershey_scale (size);
  double x = 0, word_scale = 1.0, word_rise = 0;
  gboolean in_word = FALSE;

  out->font = font;
  out->glyphs = g_array_new (FALSE, FALSE, sizeof (PlacedGlyph));
  out->ink_x0 = out->ink_y0 = G_MAXDOUBLE;
  out->ink_x1 = out->ink_y1 = -G_MAXDOUBLE;

  out->pen.scale = scale;
  out->pen.pen_width = MAX (style->zone_px * uniform (rng, 0.025, 0.065),
                            font->hershey_min_pen * scale);
  out->pen.nib_angle = uniform (rng, 0.2, 1.2);
  out->pen.nib_contrast = chance (rng, 0.5) ? uniform (rng, 0.2, 0.8) : 0.0;
  out->pen.pressure = uniform (rng, 0.0, 0.35);
  out->pen.tremor = style->zone_px * uniform (rng, 0.0, 0.01);
  out->pen_seed = lectern_rng_next (rng);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const LecternHersheyGlyph *glyph = lectern_hershey_font_get_glyph (font->hershey, c);
      PlacedGlyph placed;
      double glyph_scale;

      if (c == ' ')
        {
          in_word = FALSE;
          x += lectern_hershey_font_get_advance (font->hershey, ' ') * scale
               + (style->letter_spacing + style->word_spacing) * size;
          continue;
        }
      if (!in_word)
        {
          in_word = TRUE;
          word_scale = 1.0;
          word_rise = 0;
          if (vary_words && style->word_scale > 0)
            word_scale += CLAMP (lectern_rng_normal (rng), -2.0, 2.0) * style->word_scale;
          if (vary_words && style->word_rise > 0)
            word_rise = CLAMP (lectern_rng_normal (rng), -2.0, 2.0) * style->word_rise
                        * style->zone_px;
        }
      if (glyph == NULL)
        continue;
      glyph_scale = scale * word_scale;
      placed.c = c;
      placed.x = x;
      placed.scale = word_scale;
      placed.rise = word_rise;
      g_array_append_val (out->glyphs, placed);
      for (guint k = 0; k < glyph->stroke_start[glyph->n_strokes]; k++)
        {
          double gx = x + (glyph->points[k].x - glyph->left) * glyph_scale;
          double gy = (glyph->points[k].y - LECTERN_HERSHEY_BASELINE) * glyph_scale - word_rise;
          out->ink_x0 = MIN (out->ink_x0, gx);
          out->ink_x1 = MAX (out->ink_x1, gx);
          out->ink_y0 = MIN (out->ink_y0, gy);
          out->ink_y1 = MAX (out->ink_y1, gy);
        }
      x += (glyph->right - glyph->left) * glyph_scale + style->letter_spacing * size;
    }
  out->advance = x;
  /* Room for the pen and its tremor. */
  {
    double pad = out->pen.pen_width + 3 * out->pen.tremor;
    out->ink_x0 -= pad;
    out->ink_y0 -= pad;
    out->ink_x1 += pad;
    out->ink_y1 += pad;
  }
}

static void
text_layout_draw (const TextLayout *text, cairo_t *cr, double stroke)
{
  if (text->layout != NULL)
    {
      /* The glyph outlines come from the shared cairo scaled fonts; filling them does not.
       * The restore drops the context's reference to the last scaled font (the path stays). */
      g_mutex_lock (&font_lock);
      cairo_save (cr);
      pango_cairo_layout_path (cr, text->layout);
      cairo_restore (cr);
      g_mutex_unlock (&font_lock);
      /* The path starts at the layout's top-left corner; it was moved to the baseline. */
      if (stroke > 0)
        {
          cairo_set_line_width (cr, 2 * stroke);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          cairo_fill_preserve (cr);
          cairo_stroke (cr);
        }
      else if (stroke < 0)
        {
          cairo_fill_preserve (cr);
          cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
          cairo_set_line_width (cr, -2 * stroke);
          cairo_stroke (cr);
          cairo_set_operator (cr, CAIRO_OPERATOR_OVER);
        }
      else
        cairo_fill (cr);
      return;
    }
  {
    LecternHersheyPen pen = text->pen;
    LecternRng pen_rng;
    lectern_rng_init (&pen_rng, text->pen_seed);
    pen.pen_width = MAX (0.6, pen.pen_width + stroke);
    for (guint i = 0; i < text->glyphs->len; i++)
      {
        const PlacedGlyph *placed = &g_array_index (text->glyphs, PlacedGlyph, i);
        LecternHersheyPen glyph_pen = pen;
        glyph_pen.scale = pen.scale * placed->scale;
        lectern_hershey_draw_glyph (text->font->hershey, cr, placed->c, placed->x, -placed->rise,
                                    &glyph_pen, &pen_rng);
      }
  }
}

/* Ascender and descender of a face per pixel of size, from the ink of tall and deep letters. */
static Zone
face_zone (LecternSynthRenderer *renderer, const SynthFont *font, guint font_index,
           guint face_index)
{
  static const char probe[] = "bdfhklgjpqy";
  gpointer key = GUINT_TO_POINTER ((font_index << 8) | face_index);
  Zone *zone = g_hash_table_lookup (renderer->zones, key);

  if (zone != NULL)
    return *zone;
  zone = g_new (Zone, 1);
  if (font->hershey != NULL)
    {
      double top = 0, bottom = 0;
      for (const char *p = probe; *p; p++)
        {
          const LecternHersheyGlyph *glyph = lectern_hershey_font_get_glyph (font->hershey, *p);
          for (guint k = 0; glyph != NULL && k < glyph->stroke_start[glyph->n_strokes]; k++)
            {
              double y = glyph->points[k].y - LECTERN_HERSHEY_BASELINE;
              top = MAX (top, -y);
              bottom = MAX (bottom, y);
            }
        }
      zone->top = top * hershey_scale (1.0);
      zone->bottom = bottom * hershey_scale (1.0);
    }
  else
    {
      g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&font_lock);
      PangoFontDescription *desc = face_description (font, face_index, 100.0);
      PangoLayout *layout = pango_layout_new (renderer->context);
      PangoRectangle ink;
      int baseline;
      pango_layout_set_font_description (layout, desc);
      pango_layout_set_text (layout, probe, -1);
      pango_layout_get_extents (layout, &ink, NULL);
      baseline = pango_layout_get_baseline (layout);
      zone->top = MAX (1.0, (double) (baseline - ink.y) / PANGO_SCALE) / 100.0;
      zone->bottom = MAX (1.0, (double) (ink.y + ink.height - baseline) / PANGO_SCALE) / 100.0;
      g_object_unref (layout);
      pango_font_description_free (desc);
    }
  g_hash_table_insert (renderer->zones, key, zone);
  return *zone;
}

/* Lays out text (trimming words from its end while the line would be wider than allowed). */
static gboolean
layout_text (LecternSynthRenderer *renderer, TextLayout *out, const SynthFont *font,
             const LineStyle *style, double size, double zone_px, char *text, gboolean vary_words,
             LecternRng *rng)
{
  for (;;)
    {
      LecternRng word_rng = *rng;
      double width;
      char *last_space;

      text_layout_clear (out);
      if (font->hershey != NULL)
        hershey_text_layout (out, font, size, text, style, vary_words, &word_rng);
      else if (!pango_text_layout (renderer, out, font, style->face_index, size, text, style,
                                   vary_words, &word_rng))
        return FALSE;
      /* Output width if the crop were exactly the zone: margins and the swashes that stick out
       * only make it narrower after scaling. */
      width = (out->ink_x1 - out->ink_x0 + fabs (style->slant) * zone_px) * style->height
              / zone_px;
      if (width <= renderer->options.max_width * 0.97)
        {
          *rng = word_rng;
          return TRUE;
        }
      last_space = strrchr (text, ' ');
      if (last_space == NULL)
        return FALSE;
      *last_space = '\0';
      g_strchomp (text);
      if (*text == '\0')
        return FALSE;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Drawing, distortion, paper */

typedef struct {
  cairo_matrix_t frame_to_canvas;
  int            width, height;
} Canvas;

static void
canvas_transform_point (const Canvas *canvas, double *x, double *y)
{
  cairo_matrix_transform_point (&canvas->frame_to_canvas, x, y);
}

/* Bounding box in the canvas of a rectangle of the line's frame. */
static void
canvas_box (const Canvas *canvas, double x0, double y0, double x1, double y1, double box[4])
{
  double xs[4] = { x0, x1, x0, x1 }, ys[4] = { y0, y0, y1, y1 };
  box[0] = box[1] = G_MAXDOUBLE;
  box[2] = box[3] = -G_MAXDOUBLE;
  for (int i = 0; i < 4; i++)
    {
      canvas_transform_point (canvas, &xs[i], &ys[i]);
      box[0] = MIN (box[0], xs[i]);
      box[1] = MIN (box[1], ys[i]);
      box[2] = MAX (box[2], xs[i]);
      box[3] = MAX (box[3], ys[i]);
    }
}

/* Draws a text whose frame is shifted by (dx, dy) from the line's into an A8 surface. */
static void
draw_into (cairo_surface_t *surface, const Canvas *canvas, const TextLayout *text, double dx,
           double dy, double stroke)
{
  cairo_t *cr = cairo_create (surface);
  /* Curves flattened to a third of a pixel (the default is a tenth): finer than the distortion
   * that follows, and fewer segments to stroke. */
  cairo_set_tolerance (cr, 0.3);
  cairo_set_matrix (cr, &canvas->frame_to_canvas);
  cairo_translate (cr, dx, dy);
  if (text->layout != NULL)
    {
      int baseline;
      g_mutex_lock (&font_lock);
      baseline = pango_layout_get_baseline (text->layout);
      g_mutex_unlock (&font_lock);
      cairo_translate (cr, 0, -(double) baseline / PANGO_SCALE);
    }
  cairo_set_source_rgba (cr, 0, 0, 0, 1);
  text_layout_draw (text, cr, stroke);
  cairo_destroy (cr);
}

static void
surface_to_plane (cairo_surface_t *surface, Plane *plane)
{
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < plane->height; y++)
    for (int x = 0; x < plane->width; x++)
      plane->data[(gsize) y * plane->width + x] = data[(gsize) y * stride + x] * (1.0f / 255.0f);
}

/* A smooth displacement field: random offsets on a coarse grid, interpolated with smoothstep,
 * plus a vertical wave along the line (a baseline that rises and falls). */
typedef struct {
  int    gw, gh;
  double cell;
  float *dx, *dy;
  double wave_amplitude, wave_k, wave_phase;
  double reach;          /* largest displacement, pixels */
} Field;

static void
field_init (Field *field, int width, int height, const LineStyle *style, LecternRng *rng)
{
  field->cell = MAX (4.0, style->elastic_cell);
  field->gw = (int) (width / field->cell) + 2;
  field->gh = (int) (height / field->cell) + 2;
  field->dx = g_new (float, (gsize) field->gw * field->gh);
  field->dy = g_new (float, (gsize) field->gw * field->gh);
  for (int i = 0; i < field->gw * field->gh; i++)
    {
      field->dx[i] = (float) (style->elastic_amplitude * CLAMP (lectern_rng_normal (rng), -2.5, 2.5));
      field->dy[i] = (float) (style->elastic_amplitude * CLAMP (lectern_rng_normal (rng), -2.5, 2.5));
    }
  field->wave_amplitude = style->wave_amplitude;
  field->wave_k = 2 * G_PI / MAX (1.0, style->wave_length);
  field->wave_phase = style->wave_phase;
  field->reach = 2.5 * style->elastic_amplitude + style->wave_amplitude + 1;
}

static void
field_clear (Field *field)
{
  g_clear_pointer (&field->dx, g_free);
  g_clear_pointer (&field->dy, g_free);
}

static inline float
sample_bilinear (const Plane *plane, double x, double y)
{
  int x0 = (int) floor (x), y0 = (int) floor (y);
  float fx = (float) (x - x0), fy = (float) (y - y0);
  float v[4];

  if (x0 >= 0 && y0 >= 0 && x0 + 1 < plane->width && y0 + 1 < plane->height)
    {
      const float *p = plane->data + (gsize) y0 * plane->width + x0;
      const float *q = p + plane->width;
      return (p[0] + (p[1] - p[0]) * fx) * (1 - fy) + (q[0] + (q[1] - q[0]) * fx) * fy;
    }
  for (int k = 0; k < 4; k++)
    {
      int sx = x0 + (k & 1), sy = y0 + (k >> 1);
      v[k] = (sx < 0 || sy < 0 || sx >= plane->width || sy >= plane->height)
               ? 0.0f
               : plane->data[(gsize) sy * plane->width + sx];
    }
  return (float) ((v[0] * (1 - fx) + v[1] * fx) * (1 - fy) + (v[2] * (1 - fx) + v[3] * fx) * fy);
}

/* out(x, y) = in(x + dx, y + dy) for each plane. Most of a line's canvas is blank: only tiles
 * within reach of ink (the largest displacement) are computed. */
#define TILE 16

static void
distort (const Field *field, Plane *planes, int n_planes)
{
  int w = planes[0].width, h = planes[0].height;
  int tw = (w + TILE - 1) / TILE, th = (h + TILE - 1) / TILE;
  int reach = (int) ceil (field->reach / TILE) + 1;
  g_autofree float *buffer = g_new0 (float, (gsize) w * h * n_planes);
  g_autofree gboolean *inked = g_new0 (gboolean, (gsize) tw * th);
  g_autofree gboolean *needed = g_new0 (gboolean, (gsize) tw * th);
  g_autofree float *wave = g_new (float, w);
  g_autofree int *cell_x = g_new (int, w);
  g_autofree int *cell_y = g_new (int, h);
  g_autofree float *weight_x = g_new (float, w);
  g_autofree float *weight_y = g_new (float, h);

  for (int p = 0; p < n_planes; p++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        if (planes[p].data[(gsize) y * w + x] > 0)
          inked[(y / TILE) * tw + x / TILE] = TRUE;
  for (int ty = 0; ty < th; ty++)
    for (int tx = 0; tx < tw; tx++)
      if (inked[ty * tw + tx])
        for (int ny = MAX (0, ty - reach); ny <= MIN (th - 1, ty + reach); ny++)
          for (int nx = MAX (0, tx - reach); nx <= MIN (tw - 1, tx + reach); nx++)
            needed[ny * tw + nx] = TRUE;
  /* Grid cell and smoothstep weight of each column and row, computed once. */
  for (int x = 0; x < w; x++)
    {
      double gx = x / field->cell, fx = gx - floor (gx);
      wave[x] = (float) (field->wave_amplitude * sin (field->wave_k * x + field->wave_phase));
      cell_x[x] = (int) gx;
      weight_x[x] = (float) (fx * fx * (3 - 2 * fx));
    }
  for (int y = 0; y < h; y++)
    {
      double gy = y / field->cell, fy = gy - floor (gy);
      cell_y[y] = (int) gy;
      weight_y[y] = (float) (fy * fy * (3 - 2 * fy));
    }

  for (int ty = 0; ty < th; ty++)
    for (int tx = 0; tx < tw; tx++)
      {
        if (!needed[ty * tw + tx])
          continue;
        for (int y = ty * TILE; y < MIN (h, (ty + 1) * TILE); y++)
          {
            float fy = weight_y[y];
            for (int x = tx * TILE; x < MIN (w, (tx + 1) * TILE); x++)
              {
                float fx = weight_x[x];
                gsize g = (gsize) cell_y[y] * field->gw + cell_x[x];
                float dx, dy;
                dx = (field->dx[g] * (1 - fx) + field->dx[g + 1] * fx) * (1 - fy)
                     + (field->dx[g + field->gw] * (1 - fx) + field->dx[g + field->gw + 1] * fx)
                         * fy;
                dy = (field->dy[g] * (1 - fx) + field->dy[g + 1] * fx) * (1 - fy)
                     + (field->dy[g + field->gw] * (1 - fx) + field->dy[g + field->gw + 1] * fx)
                         * fy
                     + wave[x];
                for (int p = 0; p < n_planes; p++)
                  buffer[(gsize) p * w * h + (gsize) y * w + x]
                    = sample_bilinear (&planes[p], x + dx, y + dy);
              }
          }
      }
  for (int p = 0; p < n_planes; p++)
    memcpy (planes[p].data, buffer + (gsize) p * w * h, sizeof (float) * w * h);
}

/* Ink box of a plane (alpha above threshold); FALSE when there is no ink. */
static gboolean
ink_box (const Plane *plane, float threshold, int box[4])
{
  box[0] = plane->width;
  box[1] = plane->height;
  box[2] = -1;
  box[3] = -1;
  for (int y = 0; y < plane->height; y++)
    for (int x = 0; x < plane->width; x++)
      if (plane->data[(gsize) y * plane->width + x] > threshold)
        {
          box[0] = MIN (box[0], x);
          box[1] = MIN (box[1], y);
          box[2] = MAX (box[2], x);
          box[3] = MAX (box[3], y);
        }
  return box[2] >= 0;
}

/* Anti-aliased horizontal (vertical = FALSE) or vertical line of the given width, darkening
 * the paper by `depth` grey levels. */
static void
draw_rule (Plane *paper, double position, double width, double depth, gboolean vertical)
{
  int n = vertical ? paper->width : paper->height;
  int lo = (int) floor (position - width / 2 - 1), hi = (int) ceil (position + width / 2 + 1);
  for (int i = MAX (lo, 0); i <= MIN (hi, n - 1); i++)
    {
      /* Coverage of pixel [i, i+1) by [position − width/2, position + width/2]. */
      double cover = MIN (i + 1.0, position + width / 2) - MAX ((double) i, position - width / 2);
      float d = (float) (depth * CLAMP (cover, 0.0, 1.0));
      if (d <= 0)
        continue;
      if (vertical)
        for (int y = 0; y < paper->height; y++)
          paper->data[(gsize) y * paper->width + i] -= d;
      else
        for (int x = 0; x < paper->width; x++)
          paper->data[(gsize) i * paper->width + x] -= d;
    }
}

/* Notebook ruling: lines at the baseline and at each pitch above and below; French Seyès ruling
 * adds three faint lines between and vertical lines; squared paper has both directions. */
static void
draw_ruling (Plane *paper, double baseline, double pitch, double left_margin, LecternRng *rng)
{
  double depth = uniform (rng, 12, 55);
  double width = uniform (rng, 0.7, 1.8);
  int kind = (int) lectern_rng_below (rng, 10);
  double offset = uniform (rng, -0.06, 0.06) * pitch;

  if (kind < 6)                      /* notebook */
    {
      for (int k = -3; k <= 3; k++)
        draw_rule (paper, baseline + offset + k * pitch, width, depth, FALSE);
      if (chance (rng, 0.4) && left_margin > 3)
        draw_rule (paper, uniform (rng, 1, left_margin - 1), width * 1.3, depth * 1.2, TRUE);
    }
  else if (kind < 8)                 /* Seyès: heavy every pitch, faint every quarter */
    {
      for (int k = -12; k <= 12; k++)
        draw_rule (paper, baseline + offset + k * pitch / 4, width * (k % 4 == 0 ? 1.0 : 0.7),
                   depth * (k % 4 == 0 ? 1.0 : 0.45), FALSE);
      for (double x = uniform (rng, 0, pitch); x < paper->width; x += pitch)
        draw_rule (paper, x, width * 0.8, depth * 0.6, TRUE);
    }
  else                               /* squared */
    {
      double step = pitch / (chance (rng, 0.5) ? 2.0 : 3.0);
      for (int k = -12; k <= 12; k++)
        draw_rule (paper, baseline + offset + k * step, width * 0.8, depth * 0.7, FALSE);
      for (double x = uniform (rng, 0, step); x < paper->width; x += step)
        draw_rule (paper, x, width * 0.8, depth * 0.7, TRUE);
    }
}

/* Soft dark blots: tea stains, foxing, dirt. */
static void
draw_stains (Plane *paper, LecternRng *rng)
{
  int n = 1 + (int) lectern_rng_below (rng, 3);
  for (int s = 0; s < n; s++)
    {
      double cx = uniform (rng, 0, paper->width), cy = uniform (rng, 0, paper->height);
      double rx = uniform (rng, 3, 60), ry = rx * uniform (rng, 0.4, 1.6);
      double depth = uniform (rng, 8, 45);
      int x0 = MAX (0, (int) (cx - 2 * rx)), x1 = MIN (paper->width - 1, (int) (cx + 2 * rx));
      int y0 = MAX (0, (int) (cy - 2 * ry)), y1 = MIN (paper->height - 1, (int) (cy + 2 * ry));
      for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
          {
            double d = ((x - cx) * (x - cx)) / (rx * rx) + ((y - cy) * (y - cy)) / (ry * ry);
            paper->data[(gsize) y * paper->width + x] -= (float) (depth * exp (-2.0 * d));
          }
    }
}

/* Paints white outside a jagged polygon around the line, as line images cut out of pages by
 * their polygons are: top and bottom edges through vertices every 15–80 px at random depths on a
 * slight tilt (the polygon follows the line, not the image), slanted ends. The polygon never
 * covers the line's own ink (ink, alpha per output pixel), so the text stays whole; it cuts the
 * neighbouring lines' ascenders and descenders and the margins. */
static void
cut_polygon (Plane *image, const Plane *ink, LecternRng *rng)
{
  int w = image->width, h = image->height;
  double step = uniform (rng, 15, 80);
  int n = (int) (w / step) + 2;
  g_autofree float *top = g_new (float, n);
  g_autofree float *bottom = g_new (float, n);
  g_autofree int *ink_top = g_new (int, w);
  g_autofree int *ink_bottom = g_new (int, w);
  double depth_top = uniform (rng, 0.0, 0.3), depth_bottom = uniform (rng, 0.0, 0.3);
  double tilt = uniform (rng, -0.12, 0.12) * h / MAX (w, 1);
  double left_top = uniform (rng, 0, 0.25) * h, left_bottom = uniform (rng, 0, 0.25) * h;
  double right_top = uniform (rng, 0, 0.25) * h, right_bottom = uniform (rng, 0, 0.25) * h;
  int first_column = w, last_column = -1;
  const int keep = 2;   /* pixels kept around the ink */

  /* Highest and lowest ink of each column, widened by `keep` columns on each side. */
  for (int x = 0; x < w; x++)
    {
      ink_top[x] = h;
      ink_bottom[x] = -1;
      for (int y = 0; y < h; y++)
        if (ink->data[(gsize) y * w + x] > 0.02f)
          {
            ink_top[x] = MIN (ink_top[x], y);
            ink_bottom[x] = y;
          }
      if (ink_bottom[x] >= 0)
        {
          first_column = MIN (first_column, x);
          last_column = x;
        }
    }
  {
    g_autofree int *top_copy = g_memdup2 (ink_top, sizeof (int) * w);
    g_autofree int *bottom_copy = g_memdup2 (ink_bottom, sizeof (int) * w);
    for (int x = 0; x < w; x++)
      for (int k = MAX (0, x - keep); k <= MIN (w - 1, x + keep); k++)
        {
          ink_top[x] = MIN (ink_top[x], top_copy[k]);
          ink_bottom[x] = MAX (ink_bottom[x], bottom_copy[k]);
        }
  }

  for (int i = 0; i < n; i++)
    {
      double shift = tilt * (i * step - w / 2.0);
      top[i] = (float) CLAMP (h * depth_top * lectern_rng_uniform (rng) + shift, 0, 0.4 * h);
      bottom[i] = (float) CLAMP (h * (1 - depth_bottom * lectern_rng_uniform (rng)) + shift,
                                 0.6 * h, h);
    }
  for (int y = 0; y < h; y++)
    {
      double t = (double) y / MAX (h - 1, 1);
      double left = MIN (left_top * (1 - t) + left_bottom * t, first_column - keep);
      double right = MAX (w - (right_top * (1 - t) + right_bottom * t), last_column + keep);
      for (int x = 0; x < w; x++)
        {
          double g = x / step;
          int i = (int) g;
          double f = g - i;
          double y_top = MIN (top[i] * (1 - f) + top[i + 1] * f, ink_top[x] - keep);
          double y_bottom = MAX (bottom[i] * (1 - f) + bottom[i + 1] * f, ink_bottom[x] + keep);
          if (y < y_top || y > y_bottom || x < left || x > right)
            image->data[(gsize) y * w + x] = 255.0f;
        }
    }
}

/* Encodes and decodes through JPEG (the format of most scans). */
static void
jpeg_round_trip (guint8 *pixels, int width, int height, int quality)
{
  g_autoptr (GdkPixbuf) rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr (GdkPixbuf) decoded = NULL;
  g_autoptr (GdkPixbufLoader) loader = NULL;
  g_autofree char *buffer = NULL;
  g_autofree char *quality_text = g_strdup_printf ("%d", quality);
  gsize size = 0;
  int stride = gdk_pixbuf_get_rowstride (rgb);
  guint8 *data = gdk_pixbuf_get_pixels (rgb);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      memset (data + (gsize) y * stride + 3 * x, pixels[(gsize) y * width + x], 3);
  if (!gdk_pixbuf_save_to_buffer (rgb, &buffer, &size, "jpeg", NULL, "quality", quality_text,
                                  NULL))
    return;
  loader = gdk_pixbuf_loader_new_with_type ("jpeg", NULL);
  if (loader == NULL)
    return;
  if (!gdk_pixbuf_loader_write (loader, (const guchar *) buffer, size, NULL)
      || !gdk_pixbuf_loader_close (loader, NULL))
    return;
  decoded = g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
  if (decoded == NULL || gdk_pixbuf_get_width (decoded) != width
      || gdk_pixbuf_get_height (decoded) != height)
    return;
  stride = gdk_pixbuf_get_rowstride (decoded);
  data = gdk_pixbuf_get_pixels (decoded);
  {
    int channels = gdk_pixbuf_get_n_channels (decoded);
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        pixels[(gsize) y * width + x] = data[(gsize) y * stride + channels * x];
  }
}

/* ------------------------------------------------------------------------------------------ */
/* One line */

/* Text for a line in the font: within its coverage, in capitals for a caps font. */
static char *
sample_text (LecternSynthRenderer *renderer, const Coverage *coverage, LecternRng *rng)
{
  g_autofree char *text = lectern_corpus_sample (renderer->corpus, rng, coverage_allows,
                                                 (gpointer) coverage);
  g_autofree char *upper = NULL;

  if (text == NULL || !coverage->font->caps_only)
    return g_steal_pointer (&text);
  upper = g_utf8_strup (text, -1);
  for (const char *p = upper; *p; p = g_utf8_next_char (p))
    if (!coverage_allows (g_utf8_get_char (p), (gpointer) coverage))
      return NULL;
  return g_utf8_normalize (upper, -1, G_NORMALIZE_NFC);
}

static gboolean
render_attempt (LecternSynthRenderer *renderer, LecternRng *rng, LecternSynthLine *line)
{
  LineStyle style;
  const SynthFont *font;
  Zone zone;
  double size, zone_px;
  Coverage coverage = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *text_above = NULL;
  g_autofree char *text_below = NULL;
  TextLayout main_text = { 0 }, above = { 0 }, below = { 0 };
  Canvas canvas;
  double box[4], zone_box[4], pad;
  cairo_surface_t *main_surface = NULL, *neighbour_surface = NULL;
  Plane planes[2] = { { 0 } };
  Plane ink = { 0 }, neighbours = { 0 }, paper = { 0 };
  Field field = { 0 };
  int ink_bounds[4], crop[4], out_width, out_height;
  double scale, baseline_out, left_margin_out;
  gboolean ok = FALSE;

  draw_line_style (renderer, rng, &style);
  font = get_font (renderer->fonts, style.font_index);
  zone = face_zone (renderer, font, style.font_index, style.face_index);
  size = style.zone_px / (zone.top + zone.bottom);
  zone_px = style.zone_px;

  coverage.font = font;
  if (font->hershey == NULL)
    {
      g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&font_lock);
      PangoFontDescription *desc = face_description (font, style.face_index, size);
      PangoFont *loaded = pango_font_map_load_font (renderer->fontmap, renderer->context, desc);
      PangoFontDescription *got = loaded != NULL ? pango_font_describe (loaded) : NULL;
      gboolean same = got != NULL
                      && g_ascii_strcasecmp (pango_font_description_get_family (got),
                                             font->family) == 0;
      pango_font_description_free (desc);
      if (got != NULL)
        pango_font_description_free (got);
      if (!same)
        {
          g_clear_object (&loaded);
          return FALSE;
        }
      coverage.pango_font = loaded;
    }

  text = sample_text (renderer, &coverage, rng);
  if (style.neighbour_above)
    text_above = sample_text (renderer, &coverage, rng);
  if (style.neighbour_below)
    text_below = sample_text (renderer, &coverage, rng);
  if (text == NULL
      || !layout_text (renderer, &main_text, font, &style, size, zone_px, text, TRUE, rng))
    goto out;
  /* Neighbours are only glimpsed: whatever falls back or overflows is simply left out. */
  if (text_above != NULL
      && !layout_text (renderer, &above, font, &style, size, zone_px, text_above, FALSE, rng))
    text_layout_clear (&above);
  if (text_below != NULL
      && !layout_text (renderer, &below, font, &style, size, zone_px, text_below, FALSE, rng))
    text_layout_clear (&below);

  /* The canvas holds the line's ink and zone, with room for margins and displacement. */
  cairo_matrix_init_identity (&canvas.frame_to_canvas);
  cairo_matrix_rotate (&canvas.frame_to_canvas, style.rotation);
  {
    cairo_matrix_t shear;
    cairo_matrix_init (&shear, 1, 0, -style.slant, 1, 0, 0);
    cairo_matrix_multiply (&canvas.frame_to_canvas, &shear, &canvas.frame_to_canvas);
  }
  canvas_box (&canvas, MIN (main_text.ink_x0, 0), MIN (main_text.ink_y0, -zone.top * size),
              MAX (main_text.ink_x1, main_text.advance), MAX (main_text.ink_y1,
                                                              zone.bottom * size), box);
  pad = 0.35 * zone_px + 3 * style.elastic_amplitude + style.wave_amplitude + 4;
  canvas.frame_to_canvas.x0 = pad - box[0];
  canvas.frame_to_canvas.y0 = pad - box[1];
  canvas.width = (int) ceil (box[2] - box[0] + 2 * pad);
  canvas.height = (int) ceil (box[3] - box[1] + 2 * pad);
  if (canvas.width > 16 * LECTERN_SYNTH_MAX_WIDTH || canvas.height > 4000)
    goto out;

  main_surface = cairo_image_surface_create (CAIRO_FORMAT_A8, canvas.width, canvas.height);
  draw_into (main_surface, &canvas, &main_text, 0, 0, style.stroke);
  plane_init (&planes[0], canvas.width, canvas.height);
  surface_to_plane (main_surface, &planes[0]);
  plane_init (&planes[1], canvas.width, canvas.height);
  if (above.font != NULL || below.font != NULL)
    {
      double pitch = style.line_pitch * zone_px;
      neighbour_surface = cairo_image_surface_create (CAIRO_FORMAT_A8, canvas.width,
                                                      canvas.height);
      if (above.font != NULL)
        draw_into (neighbour_surface, &canvas, &above, uniform (rng, -0.3, 0.1) * zone_px * 4,
                   -pitch, style.stroke);
      if (below.font != NULL)
        draw_into (neighbour_surface, &canvas, &below, uniform (rng, -0.3, 0.1) * zone_px * 4,
                   pitch, style.stroke);
      surface_to_plane (neighbour_surface, &planes[1]);
    }

  field_init (&field, canvas.width, canvas.height, &style, rng);
  distort (&field, planes, neighbour_surface != NULL ? 2 : 1);
  ink = planes[0];
  neighbours = planes[1];
  planes[0].data = planes[1].data = NULL;

  /* A low threshold keeps hairline entry and exit strokes inside the crop. */
  if (!ink_box (&ink, 0.05f, ink_bounds))
    goto out;
  /* Crop: the ink and the line's zone (a line of x-height letters keeps the height of a line
   * with ascenders, as in a page), with margins. */
  canvas_box (&canvas, 0, -zone.top * size, main_text.advance, zone.bottom * size, zone_box);
  {
    double top = MIN (ink_bounds[1], zone_box[1]);
    double bottom = MAX (ink_bounds[3] + 1, zone_box[3]);
    double height = bottom - top;
    crop[1] = (int) floor (top - height * uniform (rng, 0.02, 0.18));
    crop[3] = (int) ceil (bottom + height * uniform (rng, 0.02, 0.18));
    crop[0] = (int) floor (ink_bounds[0] - zone_px * uniform (rng, 0.02, 0.3));
    crop[2] = (int) ceil (ink_bounds[2] + 1 + zone_px * uniform (rng, 0.02, 0.3));
    crop[0] = MAX (crop[0], 0);
    crop[1] = MAX (crop[1], 0);
    crop[2] = MIN (crop[2], canvas.width);
    crop[3] = MIN (crop[3], canvas.height);
  }
  out_height = style.height;
  scale = (double) out_height / (crop[3] - crop[1]);
  out_width = MAX (1, (int) lround ((crop[2] - crop[0]) * scale));
  /* A line wider than allowed is squeezed rather than cut: its text must stay whole. */
  out_width = MIN (out_width, renderer->options.max_width);
  {
    double bx = 0, by = 0;
    canvas_transform_point (&canvas, &bx, &by);
    baseline_out = (by - crop[1]) * scale;
    left_margin_out = (ink_bounds[0] - crop[0]) * scale;
  }

  {
    Plane small_ink, small_neighbours;
    resample_window (&ink, crop[0], crop[1], crop[2] - crop[0], crop[3] - crop[1], &small_ink,
                     out_width, out_height);
    resample_window (&neighbours, crop[0], crop[1], crop[2] - crop[0], crop[3] - crop[1],
                     &small_neighbours, out_width, out_height);
    plane_clear (&ink);
    plane_clear (&neighbours);
    ink = small_ink;
    neighbours = small_neighbours;
  }

  /* Paper: a base level, texture at three scales, a light gradient, sometimes stains and
   * ruling. */
  {
    double base = chance (rng, 0.2) ? uniform (rng, 150, 200) : uniform (rng, 195, 250);
    double ink_level = chance (rng, 0.15) ? uniform (rng, 60, 120) : uniform (rng, 0, 70);
    double fade = chance (rng, 0.5) ? uniform (rng, 0.0, 0.35) : 0.0;
    double gradient = uniform (rng, -12, 12);
    Plane strength;

    plane_init (&paper, out_width, out_height);
    for (gsize i = 0; i < (gsize) out_width * out_height; i++)
      paper.data[i] = (float) (base + gradient * ((double) (i % out_width) / out_width - 0.5));
    add_value_noise (&paper, uniform (rng, 1.5, 4), uniform (rng, 0, 8), rng);
    add_value_noise (&paper, uniform (rng, 8, 20), uniform (rng, 0, 10), rng);
    add_value_noise (&paper, uniform (rng, 40, 120), uniform (rng, 0, 18), rng);
    if (chance (rng, 0.12))
      draw_stains (&paper, rng);
    if (chance (rng, 0.3))
      draw_ruling (&paper, baseline_out, style.line_pitch * zone_px * scale, left_margin_out,
                   rng);

    /* Ink: darker than the paper by at least 50 levels, less where the pen ran dry. */
    ink_level = MIN (ink_level, base - 50);
    plane_init (&strength, out_width, out_height);
    for (gsize i = 0; i < (gsize) out_width * out_height; i++)
      strength.data[i] = 1.0f;
    if (fade > 0)
      add_value_noise (&strength, uniform (rng, 10, 60), fade, rng);
    for (gsize i = 0; i < (gsize) out_width * out_height; i++)
      {
        float a_main = CLAMP (ink.data[i], 0.0f, 1.0f);
        float a_other = CLAMP (neighbours.data[i], 0.0f, 1.0f);
        float a = 1.0f - (1.0f - a_main) * (1.0f - a_other);
        a *= CLAMP (strength.data[i], 0.55f, 1.0f);
        paper.data[i] = paper.data[i] * (1.0f - a) + (float) ink_level * a;
      }
    plane_clear (&strength);
  }

  if (chance (rng, 0.55))
    cut_polygon (&paper, &ink, rng);
  if (chance (rng, 0.5))
    blur_plane (&paper, uniform (rng, 0.3, 1.1));
  {
    double noise = chance (rng, 0.7) ? uniform (rng, 0, 7) : 0.0;
    for (gsize i = 0; i < (gsize) out_width * out_height; i++)
      paper.data[i] += (float) (noise * lectern_rng_normal (rng));
  }

  line->image = lectern_image_new (out_width, out_height);
  for (gsize i = 0; i < (gsize) out_width * out_height; i++)
    line->image->pixels[i] = (guint8) CLAMP (lrintf (paper.data[i]), 0, 255);
  if (chance (rng, 0.5))
    jpeg_round_trip (line->image->pixels, out_width, out_height,
                     (int) uniform (rng, 30, 92));
  line->text = g_strdup (text);
  line->font = g_strdup (font->family);
  ok = TRUE;

out:
  text_layout_clear (&main_text);
  text_layout_clear (&above);
  text_layout_clear (&below);
  if (coverage.pango_font != NULL)
    {
      g_mutex_lock (&font_lock);
      g_clear_object (&coverage.pango_font);
      g_mutex_unlock (&font_lock);
    }
  g_clear_pointer (&main_surface, cairo_surface_destroy);
  g_clear_pointer (&neighbour_surface, cairo_surface_destroy);
  plane_clear (&planes[0]);
  plane_clear (&planes[1]);
  plane_clear (&ink);
  plane_clear (&neighbours);
  plane_clear (&paper);
  field_clear (&field);
  return ok;
}

gboolean
lectern_synth_renderer_render (LecternSynthRenderer *renderer, guint64 index,
                               LecternSynthLine *line, GError **error)
{
  LecternRng rng;

  g_return_val_if_fail (renderer != NULL && line != NULL, FALSE);
  memset (line, 0, sizeof *line);
  if (renderer->candidates->len == 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_INVALID, "no font selected");
      return FALSE;
    }
  /* (seed, index) → generator: line i never depends on the lines drawn before it. */
  lectern_rng_init (&rng, renderer->options.seed * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D)
                            ^ (index + 1) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  for (int attempt = 0; attempt < 16; attempt++)
    if (render_attempt (renderer, &rng, line))
      {
        g_debug ("line %" G_GUINT64_FORMAT ": %s, %d×%d, “%s”", index, line->font,
                 line->image->width, line->image->height, line->text);
        return TRUE;
      }
  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
               "line %" G_GUINT64_FORMAT ": no text could be drawn in the selected fonts", index);
  return FALSE;
}

/* ========================================================================================== */
/* Writing many lines on several threads */

typedef struct {
  const LecternSynthFonts   *fonts;
  const LecternCorpus       *corpus;
  const LecternSynthOptions *options;
  const char                *dir;
  guint64                    count;
  GCancellable              *cancellable;
  gssize                     next;      /* atomically taken line indices */
  gssize                     done;
  GMutex                     mutex;
  GCond                      cond;
  GError                    *error;     /* the first failure, under mutex */
  guint                      running;
} WriteJob;

static gboolean
write_line (const char *dir, guint64 index, const LecternSynthLine *line, GError **error)
{
  g_autofree char *stem = g_strdup_printf ("%06" G_GUINT64_FORMAT, index);
  g_autofree char *png = g_strconcat (stem, ".png", NULL);
  g_autofree char *gt = g_strconcat (stem, ".gt.txt", NULL);
  g_autofree char *png_path = g_build_filename (dir, png, NULL);
  g_autofree char *gt_path = g_build_filename (dir, gt, NULL);
  g_autofree char *content = g_strconcat (line->text, "\n", NULL);
  GError *local_error = NULL;

  if (!lectern_image_save_png (line->image, png_path, error))
    return FALSE;
  if (!g_file_set_contents (gt_path, content, -1, &local_error))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "%s", local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  return TRUE;
}

static gpointer
write_worker (gpointer data)
{
  WriteJob *job = data;
  g_autoptr (LecternSynthRenderer) renderer = lectern_synth_renderer_new (job->fonts, job->corpus,
                                                                          job->options);
  for (;;)
    {
      gint64 index = g_atomic_pointer_add (&job->next, 1);
      LecternSynthLine line;
      GError *error = NULL;
      gboolean failed;

      g_mutex_lock (&job->mutex);
      failed = job->error != NULL;
      g_mutex_unlock (&job->mutex);
      if (failed || (guint64) index >= job->count
          || g_cancellable_is_cancelled (job->cancellable))
        break;
      if (!lectern_synth_renderer_render (renderer, (guint64) index, &line, &error)
          || !write_line (job->dir, (guint64) index, &line, &error))
        {
          g_mutex_lock (&job->mutex);
          if (job->error == NULL)
            job->error = g_steal_pointer (&error);
          g_mutex_unlock (&job->mutex);
          g_clear_error (&error);
          lectern_synth_line_clear (&line);
          break;
        }
      lectern_synth_line_clear (&line);
      g_atomic_pointer_add (&job->done, 1);
    }
  g_mutex_lock (&job->mutex);
  job->running--;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
  return NULL;
}

gboolean
lectern_synth_write (const LecternSynthFonts *fonts, const LecternCorpus *corpus,
                     const LecternSynthOptions *options, const char *dir, guint64 count,
                     guint n_threads, GCancellable *cancellable, LecternSynthProgress progress,
                     gpointer user_data, GError **error)
{
  WriteJob job = { 0 };
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();

  g_return_val_if_fail (fonts != NULL && corpus != NULL && options != NULL && dir != NULL,
                        FALSE);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "%s: cannot create the folder: %s",
                   dir, g_strerror (errno));
      return FALSE;
    }
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_threads = (guint) MIN ((guint64) n_threads, MAX (count, 1));

  job.fonts = fonts;
  job.corpus = corpus;
  job.options = options;
  job.dir = dir;
  job.count = count;
  job.cancellable = cancellable;
  g_mutex_init (&job.mutex);
  g_cond_init (&job.cond);
  job.running = n_threads;
  for (guint t = 0; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("synth", write_worker, &job));

  g_mutex_lock (&job.mutex);
  while (job.running > 0)
    {
      g_cond_wait_until (&job.cond, &job.mutex, g_get_monotonic_time () + G_TIME_SPAN_SECOND / 4);
      if (progress != NULL && job.running > 0)
        {
          g_mutex_unlock (&job.mutex);
          progress ((guint64) g_atomic_pointer_get (&job.done), count, user_data);
          g_mutex_lock (&job.mutex);
        }
    }
  g_mutex_unlock (&job.mutex);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  if (progress != NULL)
    progress ((guint64) job.done, count, user_data);

  g_mutex_clear (&job.mutex);
  g_cond_clear (&job.cond);
  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return TRUE;
}
