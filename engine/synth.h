/* synth.h — synthetic handwritten text lines for training the recognizer.
 *
 * `lectern-cli synth` renders short texts from the corpus (corpus.h) in handwriting fonts with
 * Pango and Cairo (and in Hershey stroke fonts drawn as pen strokes, hershey.h), then makes them
 * look like scanned manuscript lines: slant, rotation, elastic distortion, baseline wobble,
 * letter and word spacing, stroke width, ink level, paper texture and stains, ruled notebook
 * paper, parts of the neighbouring lines, blur, noise, JPEG artefacts, and a crop around the
 * line scaled to 64–80 px high.
 *
 * Every choice comes from a generator seeded with (seed, line index), so line i is the same
 * whatever the number of threads or the lines rendered before it. A line's text is checked
 * against its font's coverage before rendering and every run of the laid-out line is checked
 * to use that font: Pango never falls back to another font inside a line, so the text file
 * always matches the image.
 *
 * Fonts: the handwriting families of Debian's font packages, the Hershey script fonts, and every
 * font file under the folders given as font_dirs (e.g. the @fontsource packages that
 * scripts/fetch-fonts.sh installs), loaded into a private fontconfig configuration. A fixed
 * list of families is kept for validation ("val") and never used by the "train" split, so
 * validation measures hands the network never saw. */
#pragma once

#include <gio/gio.h>
#include <glib.h>

#include "corpus.h"
#include "image.h"

G_BEGIN_DECLS

#define LECTERN_SYNTH_HERSHEY_DIR   "/usr/share/hershey-fonts"
#define LECTERN_SYNTH_MIN_HEIGHT    64
#define LECTERN_SYNTH_MAX_HEIGHT    80
#define LECTERN_SYNTH_MAX_WIDTH     2000

typedef struct _LecternSynthFonts LecternSynthFonts;

/* Loads the fonts: Debian's handwriting families that fontconfig knows, the Hershey script
 * fonts in hershey_dir (NULL: LECTERN_SYNTH_HERSHEY_DIR; a missing folder is skipped), and the
 * .ttf/.otf/.woff/.woff2 files under each of font_dirs (NULL-terminated, may be NULL; a missing
 * folder is an error). Of @fontsource's subset files only the Latin ones are loaded. All fonts
 * start selected. Fails when no font at all is found. */
LecternSynthFonts *lectern_synth_fonts_new (const char *const *font_dirs, const char *hershey_dir,
                                            GError **error);
void               lectern_synth_fonts_free (LecternSynthFonts *fonts);

guint       lectern_synth_fonts_get_n_fonts    (const LecternSynthFonts *fonts);
const char *lectern_synth_fonts_get_family     (const LecternSynthFonts *fonts, guint i);
/* "system", "font-dir" or "hershey". */
const char *lectern_synth_fonts_get_origin     (const LecternSynthFonts *fonts, guint i);
gboolean    lectern_synth_fonts_is_validation  (const LecternSynthFonts *fonts, guint i);
/* A joined-up script, drawn without extra letter spacing (which would break the joins). */
gboolean    lectern_synth_fonts_is_connected   (const LecternSynthFonts *fonts, guint i);
/* Draws capitals for lowercase letters (detected from the glyph shapes): its lines' texts are
 * in capitals. */
gboolean    lectern_synth_fonts_is_caps_only   (const LecternSynthFonts *fonts, guint i);
gboolean    lectern_synth_fonts_is_selected    (const LecternSynthFonts *fonts, guint i);
/* Index of a family (case-insensitive), or -1. */
int         lectern_synth_fonts_find           (const LecternSynthFonts *fonts,
                                                const char *family);
/* Whether every face of font i that lines are drawn with has c (fontconfig's charset, or the
 * Hershey glyph table): the coverage that a line's text must stay within. */
gboolean    lectern_synth_fonts_has_char       (const LecternSynthFonts *fonts, guint i,
                                                gunichar c);

/* Selects the fonts lines are drawn with: "all", "train" (all but the validation families),
 * "val" (the validation families that are installed), or a comma-separated list of family
 * names. An unknown name or an empty selection is an error naming the problem. */
gboolean    lectern_synth_fonts_select         (LecternSynthFonts *fonts, const char *spec,
                                                GError **error);

/* The validation families (NULL-terminated), whether installed or not. */
const char *const *lectern_synth_validation_families (void);

typedef struct {
  guint64 seed;
  int     height;       /* output height; 0: each line draws one in [MIN_HEIGHT, MAX_HEIGHT] */
  int     max_width;    /* 0: LECTERN_SYNTH_MAX_WIDTH */
} LecternSynthOptions;

typedef struct {
  LecternImage *image;  /* 8-bit grey, ink dark on light */
  char         *text;   /* NFC, one line, what the image shows */
  char         *font;   /* family the line was drawn with */
} LecternSynthLine;

void lectern_synth_line_clear (LecternSynthLine *line);

/* Draws lines; one per thread (it holds a Pango font map, which is not shared between threads).
 * fonts and corpus are borrowed and must outlive it; neither is changed. */
typedef struct _LecternSynthRenderer LecternSynthRenderer;

LecternSynthRenderer *lectern_synth_renderer_new  (const LecternSynthFonts *fonts,
                                                   const LecternCorpus *corpus,
                                                   const LecternSynthOptions *options);
void                  lectern_synth_renderer_free (LecternSynthRenderer *renderer);
/* Renders line `index`; the result depends only on (fonts, corpus, options, index). */
gboolean              lectern_synth_renderer_render (LecternSynthRenderer *renderer,
                                                     guint64 index, LecternSynthLine *line,
                                                     GError **error);

typedef void (*LecternSynthProgress) (guint64 done, guint64 total, gpointer user_data);

/* Writes lines 0 … count−1 as DIR/NNNNNN.png and DIR/NNNNNN.gt.txt (creating DIR), each
 * atomically, with n_threads threads (0: one per core). progress is called from the calling
 * thread a few times a second and once at the end. */
gboolean lectern_synth_write (const LecternSynthFonts *fonts, const LecternCorpus *corpus,
                              const LecternSynthOptions *options, const char *dir,
                              guint64 count, guint n_threads, GCancellable *cancellable,
                              LecternSynthProgress progress, gpointer user_data,
                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternSynthFonts, lectern_synth_fonts_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LecternSynthRenderer, lectern_synth_renderer_free)

G_END_DECLS
