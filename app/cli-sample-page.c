/* cli-sample-page.c — `lectern-cli sample-page`: renders a sample handwritten page to PNG.
 *
 * A demonstration page for trying the application without a scan at hand: an A5 sheet of
 * off-white paper at 170 dpi with 15–20 lines of a public-domain text in a handwriting font,
 * each line with its own small baseline drift and tilt, the whole hand slanted, and a little
 * scanner noise. The seed decides the passage, the font among those installed, the slant and
 * the jitter, so a seed always gives the same page.
 *
 * This is a demo, not training data: `lectern-cli synth` (engine) renders training lines. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "cli.h"
#include "error.h"
#include "rng.h"

#define MM_PER_INCH 25.4
#define PAGE_WIDTH_MM 148.0   /* A5 */
#define PAGE_HEIGHT_MM 210.0
#define DEFAULT_DPI 170
#define MIN_DPI 72
#define MAX_DPI 600
#define MIN_LINES 15
#define MAX_LINES 20

/* Handwriting fonts from Debian packages (see scripts/deps.txt), tried in an order that the
 * seed rotates; a font is used only if it has every character of the passage. */
static const char * const handwriting_fonts[] = {
  "DkgHandwriting",   /* fonts-dkg-handwriting */
  "Ecolier_court",    /* fonts-ecolier-court */
  "Breip",            /* fonts-breip */
  /* Not femkeklaver: its capitals and digits are hollow outlines. */
};

/* Public-domain passages: a letter, a journal, a novel and a naturalist's book, in the
 * languages of Lectern's users. Only Latin-1 letters, which all the fonts above carry. */
static const char * const passages[] = {
  "Je m'en vais vous mander la chose la plus étonnante, la plus surprenante, la plus "
  "merveilleuse, la plus miraculeuse, la plus triomphante, la plus étourdissante, la plus "
  "inouïe, la plus singulière, la plus extraordinaire, la plus incroyable, la plus imprévue, "
  "la plus grande, la plus petite, la plus rare, la plus commune, la plus éclatante, la plus "
  "secrète jusqu'aujourd'hui, la plus brillante, la plus digne d'envie ; enfin une chose dont "
  "on ne trouve qu'un exemple dans les siècles passés, encore cet exemple n'est-il pas juste ; "
  "une chose que nous ne saurions croire à Paris, comment la pourrait-on croire à Lyon ? une "
  "chose qui fait crier miséricorde à tout le monde ; une chose qui comble de joie Madame de "
  "Rohan et Madame d'Hauterive ; une chose enfin qui se fera dimanche, où ceux qui la verront "
  "croiront avoir la berlue ; une chose qui se fera dimanche, et qui ne sera peut-être pas "
  "faite lundi. Je ne puis me résoudre à la dire, devinez-la ; je vous le donne en trois.",

  "May 14th, 1800. Wm. and John set off into Yorkshire after dinner at half past two o'clock, "
  "cold pork in their pockets. I left them at the turning of the Low-wood bay under the trees. "
  "My heart was so full that I could hardly speak to W. when I gave him a farewell kiss. I sate "
  "a long time upon a stone at the margin of the lake, and after a flood of tears my heart was "
  "easier. The lake looked to me, I knew not why, dull and melancholy, and the weltering on the "
  "shores seemed a heavy sound. I walked as long as I could amongst the stones of the shore. "
  "The wood rich in flowers; a beautiful yellow, palish yellow, flower, that looked thick, "
  "round, and double, and smelt very sweet. I supposed it was a ranunculus. Crowfoot, the "
  "grassy-leaved rabbit-looking white flower, strawberries, geranium, scentless violets, "
  "anemones two kinds, orchises, primroses.",

  "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
  "must be in want of a wife. However little known the feelings or views of such a man may be "
  "on his first entering a neighbourhood, this truth is so well fixed in the minds of the "
  "surrounding families, that he is considered the rightful property of some one or other of "
  "their daughters. \"My dear Mr. Bennet,\" said his lady to him one day, \"have you heard "
  "that Netherfield Park is let at last?\" Mr. Bennet replied that he had not. \"But it is,\" "
  "returned she; \"for Mrs. Long has just been here, and she told me all about it.\" Mr. Bennet "
  "made no answer. \"Do you not want to know who has taken it?\" cried his wife impatiently. "
  "\"You want to tell me, and I have no objection to hearing it.\" This was invitation enough.",

  "When on board H.M.S. Beagle, as naturalist, I was much struck with certain facts in the "
  "distribution of the inhabitants of South America, and in the geological relations of the "
  "present to the past inhabitants of that continent. These facts seemed to me to throw some "
  "light on the origin of species, that mystery of mysteries, as it has been called by one of "
  "our greatest philosophers. On my return home, it occurred to me, in 1837, that something "
  "might perhaps be made out on this question by patiently accumulating and reflecting on all "
  "sorts of facts which could possibly have any bearing on it. After five years' work I "
  "allowed myself to speculate on the subject, and drew up some short notes; these I enlarged "
  "in 1844 into a sketch of the conclusions, which then seemed to me probable.",
};

typedef struct {
  int          width;          /* pixels */
  int          height;
  double       dpi;
  const char  *font_family;
  double       line_spacing;   /* pixels between baselines */
  double       x_height;       /* pixels */
  double       slant;          /* radians, positive leans right */
  int          n_lines;
} PageStyle;

static double
mm_to_pixels (double mm,
              double dpi)
{
  return mm / MM_PER_INCH * dpi;
}

/* Uniform in [low, high). */
static double
uniform (LecternRng *rng,
         double      low,
         double      high)
{
  return low + (high - low) * lectern_rng_uniform (rng);
}

/* TRUE when family is installed (not a fallback) and has a glyph for every character of
 * text: a missing é must not come out in another hand. */
static gboolean
font_covers_text (PangoFontMap *font_map,
                  PangoContext *context,
                  const char   *family,
                  const char   *text)
{
  g_autoptr(PangoFontDescription) description = pango_font_description_from_string (family);
  g_autoptr(PangoFont) font = NULL;
  g_autoptr(PangoFontDescription) found = NULL;

  pango_font_description_set_absolute_size (description, 20 * PANGO_SCALE);
  font = pango_font_map_load_font (font_map, context, description);
  if (font == NULL)
    return FALSE;

  found = pango_font_describe (font);
  if (g_ascii_strcasecmp (pango_font_description_get_family (found), family) != 0)
    return FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!pango_font_has_char (font, g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

/* The text for the page: passages from the seed's onwards until there is enough for the page
 * (about 60 characters a line is more than any of the fonts fits). */
static char *
page_text (guint first_passage)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; text->len < MAX_LINES * 60; i++)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, passages[(first_passage + i) % G_N_ELEMENTS (passages)]);
    }
  return g_string_free (text, FALSE);
}

/* Scales description so that the letter x is x_height pixels tall in ink. */
static void
size_font_for_x_height (PangoContext         *context,
                        PangoFontDescription *description,
                        double                x_height)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (context);
  PangoRectangle ink;
  const double reference_size = 100.0;

  pango_font_description_set_absolute_size (description, reference_size * PANGO_SCALE);
  pango_layout_set_font_description (layout, description);
  pango_layout_set_text (layout, "x", -1);
  pango_layout_get_pixel_extents (layout, &ink, NULL);

  if (ink.height > 0)
    pango_font_description_set_absolute_size (description,
                                              reference_size * x_height / ink.height * PANGO_SCALE);
}

/* Off-white paper: a warm base tone, a few broad soft stains, and darker edges. */
static void
paint_paper (cairo_t          *cr,
             const PageStyle  *style,
             LecternRng       *rng)
{
  double r = uniform (rng, 0.93, 0.97);
  double g = r - uniform (rng, 0.01, 0.03);
  double b = g - uniform (rng, 0.04, 0.08);
  cairo_pattern_t *pattern;
  double diagonal = hypot (style->width, style->height);

  cairo_set_source_rgb (cr, r, g, b);
  cairo_paint (cr);

  for (int i = 0; i < 6; i++)
    {
      double x = uniform (rng, 0, style->width);
      double y = uniform (rng, 0, style->height);
      double radius = uniform (rng, 0.1, 0.35) * diagonal;

      pattern = cairo_pattern_create_radial (x, y, 0, x, y, radius);
      cairo_pattern_add_color_stop_rgba (pattern, 0, 0.55, 0.45, 0.25, uniform (rng, 0.02, 0.05));
      cairo_pattern_add_color_stop_rgba (pattern, 1, 0.55, 0.45, 0.25, 0);
      cairo_set_source (cr, pattern);
      cairo_paint (cr);
      cairo_pattern_destroy (pattern);
    }

  pattern = cairo_pattern_create_radial (style->width / 2.0, style->height / 2.0, diagonal * 0.3,
                                         style->width / 2.0, style->height / 2.0, diagonal * 0.6);
  cairo_pattern_add_color_stop_rgba (pattern, 0, 0.4, 0.3, 0.2, 0);
  cairo_pattern_add_color_stop_rgba (pattern, 1, 0.4, 0.3, 0.2, 0.12);
  cairo_set_source (cr, pattern);
  cairo_paint (cr);
  cairo_pattern_destroy (pattern);
}

/* Draws the lines of text, each on its own drifting, slightly tilted baseline. */
static void
write_lines (cairo_t          *cr,
             PangoLayout      *layout,
             const PageStyle  *style,
             LecternRng       *rng)
{
  double left = mm_to_pixels (uniform (rng, 14, 18), style->dpi);
  double top = mm_to_pixels (uniform (rng, 18, 24), style->dpi);
  /* Iron-gall brown, blue-black or black, chosen per page. */
  static const double inks[][3] = {
    { 0.24, 0.15, 0.08 },
    { 0.10, 0.13, 0.28 },
    { 0.08, 0.08, 0.09 },
  };
  const double *ink = inks[lectern_rng_below (rng, G_N_ELEMENTS (inks))];
  double drift = 0;
  cairo_matrix_t slant;

  cairo_matrix_init (&slant, 1, 0, -tan (style->slant), 1, 0, 0);

  for (int i = 0; i < style->n_lines && i < pango_layout_get_line_count (layout); i++)
    {
      PangoLayoutLine *line = pango_layout_get_line_readonly (layout, i);
      double darkness = uniform (rng, 0.85, 1.0);

      /* The writer's line wanders a little from one line to the next and is never quite
       * level; the first line of the page starts a little indented. */
      drift = CLAMP (drift + uniform (rng, -0.08, 0.08) * style->line_spacing,
                     -0.2 * style->line_spacing, 0.2 * style->line_spacing);

      cairo_save (cr);
      cairo_translate (cr,
                       left + uniform (rng, -0.3, 0.3) * style->x_height
                       + (i == 0 ? 2.5 * style->x_height : 0),
                       top + (i + 1) * style->line_spacing + drift);
      cairo_rotate (cr, uniform (rng, -0.6, 0.6) * G_PI / 180);
      cairo_transform (cr, &slant);
      cairo_set_source_rgba (cr, ink[0], ink[1], ink[2], 0.9 * darkness);
      pango_cairo_show_layout_line (cr, line);
      cairo_restore (cr);
    }
}

/* Scanner noise, ±3 grey levels per pixel. */
static void
add_noise (cairo_surface_t *surface,
           LecternRng      *rng)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint8 *data;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);

  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (data + (gsize) y * stride);
      for (int x = 0; x < width; x++)
        {
          int delta = (int) lectern_rng_below (rng, 7) - 3;
          guint32 pixel = row[x];
          guint32 out = 0xff000000;

          for (int shift = 0; shift < 24; shift += 8)
            {
              int value = CLAMP ((int) ((pixel >> shift) & 0xff) + delta, 0, 255);
              out |= (guint32) value << shift;
            }
          row[x] = out;
        }
    }

  cairo_surface_mark_dirty (surface);
}

static cairo_status_t
append_to_bytes (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
save_png_atomically (cairo_surface_t  *surface,
                     const char       *path,
                     GError          **error)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  cairo_status_t status = cairo_surface_write_to_png_stream (surface, append_to_bytes, png);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FAILED,
                   _("Could not encode the page for “%s”: %s"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }

  if (!g_file_set_contents (path, (const char *) png->data, png->len, &local_error))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                   _("Could not write “%s”: %s"), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* Picks the font: the requested family, or the first of handwriting_fonts (from a place the
 * seed chooses) that covers text. */
static const char *
choose_font (PangoFontMap  *font_map,
             PangoContext  *context,
             const char    *requested,
             const char    *text,
             LecternRng    *rng,
             GError       **error)
{
  guint start = lectern_rng_below (rng, G_N_ELEMENTS (handwriting_fonts));

  if (requested != NULL)
    {
      if (font_covers_text (font_map, context, requested, text))
        return requested;
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                   _("The font “%s” is not installed or lacks letters of the text"), requested);
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (handwriting_fonts); i++)
    {
      const char *family = handwriting_fonts[(start + i) % G_N_ELEMENTS (handwriting_fonts)];
      if (font_covers_text (font_map, context, family, text))
        return family;
    }

  g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
               _("No handwriting font is installed; install fonts-dkg-handwriting or "
                 "fonts-ecolier-court (scripts/install-deps.sh does)"));
  return NULL;
}

static gboolean
render_sample_page (PangoContext  *context,
                    const char    *path,
                    guint64        seed,
                    int            dpi,
                    const char    *requested_font,
                    GError       **error)
{
  LecternRng rng;
  PageStyle style = { 0 };
  PangoFontMap *font_map = pango_context_get_font_map (context);
  g_autoptr(PangoFontDescription) description = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *text = NULL;
  cairo_font_options_t *font_options;
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean saved;

  lectern_rng_init (&rng, seed);

  text = page_text (lectern_rng_below (&rng, G_N_ELEMENTS (passages)));
  style.font_family = choose_font (font_map, context, requested_font, text, &rng, error);
  if (style.font_family == NULL)
    return FALSE;

  style.dpi = dpi;
  style.width = (int) round (mm_to_pixels (PAGE_WIDTH_MM, dpi));
  style.height = (int) round (mm_to_pixels (PAGE_HEIGHT_MM, dpi));
  style.n_lines = MIN_LINES + (int) lectern_rng_below (&rng, MAX_LINES - MIN_LINES + 1);
  style.line_spacing = (mm_to_pixels (PAGE_HEIGHT_MM - 40, dpi)) / style.n_lines;
  style.x_height = style.line_spacing * uniform (&rng, 0.18, 0.23);
  style.slant = uniform (&rng, 0, 12) * G_PI / 180;

  font_options = cairo_font_options_create ();
  cairo_font_options_set_antialias (font_options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (context, font_options);
  cairo_font_options_destroy (font_options);

  description = pango_font_description_from_string (style.font_family);
  size_font_for_x_height (context, description, style.x_height);

  layout = pango_layout_new (context);
  pango_layout_set_font_description (layout, description);
  pango_layout_set_width (layout, (int) ((style.width - mm_to_pixels (32, dpi)) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  pango_layout_set_text (layout, text, -1);
  {
    /* Some handwriting fonts turn letter pairs into ornaments through their ligature and
     * contextual-alternate tables (Ecolier strikes through "ter"); plain letters only. */
    PangoAttrList *attributes = pango_attr_list_new ();
    pango_attr_list_insert (attributes,
                            pango_attr_font_features_new ("liga 0, clig 0, dlig 0, calt 0"));
    pango_layout_set_attributes (layout, attributes);
    pango_attr_list_unref (attributes);
  }

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, style.width, style.height);
  cr = cairo_create (surface);
  paint_paper (cr, &style, &rng);
  write_lines (cr, layout, &style, &rng);
  cairo_destroy (cr);
  add_noise (surface, &rng);

  saved = save_png_atomically (surface, path, error);
  cairo_surface_destroy (surface);
  if (!saved)
    return FALSE;

  {
    /* A format macro inside a translatable string would cut it short for xgettext. */
    g_autofree char *seed_text = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);
    g_print (_("Wrote %s: %d × %d pixels (%d dpi), %d lines in %s, seed %s\n"),
             path, style.width, style.height, dpi,
             MIN (style.n_lines, pango_layout_get_line_count (layout)),
             style.font_family, seed_text);
  }
  return TRUE;
}

int
lectern_cli_sample_page (int    argc,
                         char **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *font = NULL;
  gint64 seed = 1;
  int dpi = DEFAULT_DPI;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the page to FILE (PNG)"), N_("FILE") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      N_("Seed for the text, font, slant and jitter (default 1)"), N_("N") },
    { "dpi", 0, 0, G_OPTION_ARG_INT, &dpi,
      N_("Resolution of the A5 page (default 170)"), N_("DPI") },
    { "font", 0, 0, G_OPTION_ARG_STRING, &font,
      N_("Handwriting font family (default: one of the installed ones)"), N_("FAMILY") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  PangoContext *pango_context;
  gboolean rendered;

  g_option_context_set_summary (context, _("Renders a sample handwritten manuscript page."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (context, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;

  if (output == NULL || argc > 1)
    {
      g_printerr (_("%s: give the output file with -o FILE and no other arguments\n"),
                  g_get_prgname ());
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (seed < 0)
    {
      g_printerr (_("%s: the seed must not be negative\n"), g_get_prgname ());
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (dpi < MIN_DPI || dpi > MAX_DPI)
    {
      g_printerr (_("%s: the resolution must be between %d and %d dpi\n"),
                  g_get_prgname (), MIN_DPI, MAX_DPI);
      return LECTERN_CLI_EXIT_USAGE;
    }

  /* Pango 1.50 has no autoptr for PangoContext. */
  pango_context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  rendered = render_sample_page (pango_context, output, (guint64) seed, dpi, font, &error);
  g_object_unref (pango_context);
  if (!rendered)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }

  return 0;
}
