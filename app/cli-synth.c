/* cli-synth.c — `lectern-cli synth`: synthetic handwritten text lines for training.
 *
 * Writes DIR/NNNNNN.png (8-bit grey) and DIR/NNNNNN.gt.txt pairs, the line-dataset convention
 * that `lectern-cli train` reads. The same seed gives the same files whatever the number of
 * threads. --fonts train/val keeps the validation hands apart from the training ones. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "cli.h"
#include "corpus.h"
#include "synth.h"

typedef struct {
  gint64 start;
  gboolean tty;
} Progress;

static void
print_progress (guint64 done, guint64 total, gpointer user_data)
{
  Progress *progress = user_data;
  double seconds = (g_get_monotonic_time () - progress->start) / (double) G_TIME_SPAN_SECOND;
  double rate = seconds > 0 ? done / seconds : 0;

  /* On a terminal one line updated in place; in a log one line per report would flood it, so
   * only the final one is printed there. */
  /* %llu, not G_GUINT64_FORMAT: xgettext cannot see through the macro */
  if (progress->tty)
    {
      g_printerr ("\r");
      g_printerr (_("synth: %llu/%llu lines, %.1f lines/s "), (unsigned long long) done,
                  (unsigned long long) total, rate);
    }
  else if (done == total)
    g_printerr (_("synth: %llu/%llu lines, %.1f lines/s\n"), (unsigned long long) done,
                (unsigned long long) total, rate);
}

static gboolean
covers_all (const LecternSynthFonts *fonts, guint i, const char *chars)
{
  for (const char *p = chars; *p; p = g_utf8_next_char (p))
    if (!lectern_synth_fonts_has_char (fonts, i, g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static void
list_fonts (const LecternSynthFonts *fonts)
{
  /* The letters each language needs beyond ASCII. */
  static const char french[] = "àâçéèêëîïôùûüÿœÀÂÇÉÈÊÔ«»’";
  static const char german[] = "äöüßÄÖÜ„“";

  g_print ("%-26s %-5s %-8s %-9s %s\n", _("FAMILY"), _("SPLIT"), _("ORIGIN"), _("STYLE"),
           _("COVERS"));
  for (guint i = 0; i < lectern_synth_fonts_get_n_fonts (fonts); i++)
    {
      gboolean fr = covers_all (fonts, i, french), de = covers_all (fonts, i, german);
      g_print ("%-26s %-5s %-8s %-9s %s\n", lectern_synth_fonts_get_family (fonts, i),
               lectern_synth_fonts_is_validation (fonts, i) ? "val" : "train",
               lectern_synth_fonts_get_origin (fonts, i),
               lectern_synth_fonts_is_caps_only (fonts, i)    ? _("capitals")
               : lectern_synth_fonts_is_connected (fonts, i) ? _("joined")
                                                             : _("print"),
               fr && de ? _("ASCII, French, German")
               : fr     ? _("ASCII, French")
               : de     ? _("ASCII, German")
                        : _("ASCII"));
    }
}

static gboolean
parse_language (const char *name, LecternLanguage *language)
{
  if (g_strcmp0 (name, "en") == 0)
    *language = LECTERN_LANGUAGE_ENGLISH;
  else if (g_strcmp0 (name, "fr") == 0)
    *language = LECTERN_LANGUAGE_FRENCH;
  else if (g_strcmp0 (name, "de") == 0)
    *language = LECTERN_LANGUAGE_GERMAN;
  else if (g_strcmp0 (name, "other") == 0)
    *language = LECTERN_LANGUAGE_OTHER;
  else
    return FALSE;
  return TRUE;
}

int
lectern_cli_synth (int argc, char **argv)
{
  g_autofree char *out_dir = NULL;
  g_autofree char *fonts_spec = NULL;
  g_autofree char *hershey_dir = NULL;
  g_autofree char *text_language_name = NULL;
  g_auto (GStrv) font_dirs = NULL;
  g_auto (GStrv) text_files = NULL;
  gint64 count = -1, seed = 1;
  int height = 0, threads = 0;
  double text_weight = 3.0;
  gboolean list = FALSE;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      N_("Folder to write NNNNNN.png and NNNNNN.gt.txt into"), N_("DIR") },
    { "count", 'n', 0, G_OPTION_ARG_INT64, &count, N_("Number of lines"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Seed (default 1)"), N_("S") },
    { "fonts", 'f', 0, G_OPTION_ARG_STRING, &fonts_spec,
      N_("“train” (default), “val”, “all” or a comma-separated list of families"),
      N_("LIST") },
    { "font-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &font_dirs,
      N_("Also use the font files under DIR (repeatable; see scripts/fetch-fonts.sh)"),
      N_("DIR") },
    { "hershey-dir", 0, 0, G_OPTION_ARG_FILENAME, &hershey_dir,
      N_("Folder of the Hershey .jhf fonts (default /usr/share/hershey-fonts)"),
      N_("DIR") },
    { "text", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &text_files,
      N_("Also draw text from FILE, one paragraph per line (repeatable)"), N_("FILE") },
    { "text-language", 0, 0, G_OPTION_ARG_STRING, &text_language_name,
      N_("Language of the --text files: en, fr (default), de or other"), N_("LANG") },
    { "text-weight", 0, 0, G_OPTION_ARG_DOUBLE, &text_weight,
      N_("How often --text files are drawn from relative to a Debian source (default 3)"),
      N_("W") },
    { "height", 'H', 0, G_OPTION_ARG_INT, &height,
      N_("Line height in pixels (default: 64–80 at random)"), N_("H") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads,
      N_("Threads (default: one per core)"), N_("N") },
    { "list-fonts", 0, 0, G_OPTION_ARG_NONE, &list,
      N_("List the fonts, their split and coverage, and exit"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (LecternSynthFonts) fonts = NULL;
  g_autoptr (LecternCorpus) corpus = NULL;
  g_autoptr (GError) error = NULL;
  LecternLanguage text_language = LECTERN_LANGUAGE_FRENCH;
  LecternSynthOptions options = { 0 };
  Progress progress;

  g_option_context_set_summary (context,
                                _("Renders synthetic handwritten text lines for training."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (context, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;

  if (argc > 1)
    {
      g_printerr (_("%s: unexpected argument “%s”\n"), g_get_prgname (), argv[1]);
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (!list && (out_dir == NULL || count < 0))
    {
      g_printerr (_("%s: --out and --count are required\n"), g_get_prgname ());
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (height != 0 && (height < 16 || height > 512))
    {
      g_printerr (_("%s: --height must be between 16 and 512\n"), g_get_prgname ());
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (threads < 0 || threads > 256)
    {
      g_printerr (_("%s: --threads must be between 0 and 256\n"), g_get_prgname ());
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (seed < 0)
    {
      g_printerr (_("%s: --seed must not be negative\n"), g_get_prgname ());
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (text_weight <= 0 || text_weight > 1000)
    {
      g_printerr (_("%s: --text-weight must be above 0 and at most 1000\n"), g_get_prgname ());
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (text_language_name != NULL && !parse_language (text_language_name, &text_language))
    {
      g_printerr (_("%s: unknown --text-language “%s” (en, fr, de, other)\n"), g_get_prgname (),
                  text_language_name);
      return LECTERN_CLI_EXIT_USAGE;
    }

  fonts = lectern_synth_fonts_new ((const char *const *) font_dirs, hershey_dir, &error);
  if (fonts == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (list)
    {
      list_fonts (fonts);
      return 0;
    }
  if (!lectern_synth_fonts_select (fonts, fonts_spec != NULL ? fonts_spec : "train", &error))
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_USAGE;
    }

  corpus = lectern_corpus_new ();
  lectern_corpus_add_system_sources (corpus);
  for (char **file = text_files; file != NULL && *file != NULL; file++)
    if (!lectern_corpus_add_text_file (corpus, *file, text_language, text_weight, &error))
      {
        lectern_cli_print_error (error);
        return LECTERN_CLI_EXIT_FAILURE;
      }
  if (lectern_corpus_get_n_paragraphs (corpus) == 0 && lectern_corpus_get_n_words (corpus) == 0)
    {
      g_printerr (_("%s: no text found (install the text packages of scripts/deps.txt or pass "
                    "--text FILE)\n"), g_get_prgname ());
      return LECTERN_CLI_EXIT_FAILURE;
    }

  options.seed = (guint64) seed;
  options.height = height;
  options.max_width = LECTERN_SYNTH_MAX_WIDTH;
  progress.start = g_get_monotonic_time ();
  progress.tty = isatty (fileno (stderr));
  if (!lectern_synth_write (fonts, corpus, &options, out_dir, (guint64) count, (guint) threads,
                            NULL, print_progress, &progress, &error))
    {
      if (progress.tty)
        g_printerr ("\n");
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (progress.tty)
    g_printerr ("\n");
  return 0;
}
