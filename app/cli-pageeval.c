/* cli-pageeval.c — `lectern-cli pageeval`: how well whole pages are transcribed.
 *
 * For each ground-truth page (PAGE or ALTO with the text of its lines, beside its image) the
 * page is transcribed twice from scratch, as `lectern-cli transcribe` would: its image
 * segmented into lines, the lines recognised, once by best path and once with the language
 * model. The text of the page in reading order (lines joined by spaces) is compared with the
 * ground truth's (each line cleaned of editorial markup with lectern_text_clean_transcription,
 * as training targets are): the character error rate of the whole page, which counts
 * segmentation errors (missed, merged, split lines and reading order) along with recognition
 * errors. The same is measured on the ground truth's own line polygons, which leaves
 * recognition alone. Totals are edits over reference characters over all pages. */
#include "config.h"
#include "cli.h"
#include "document.h"
#include "image.h"
#include "recognizer.h"
#include "segment.h"
#include "text.h"
#include "transcribe.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

typedef enum {
  SEG_BEST_PATH,
  SEG_LM,
  GT_BEST_PATH,
  GT_LM,
  N_SETUPS
} Setup;

static char *
page_text (const LecternDocument *doc, gboolean clean)
{
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  GString *text = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    {
      const LecternLine *line = lines->pdata[i];
      g_autofree char *t = clean ? lectern_text_clean_transcription (line->text, LECTERN_CLEAN_DEFAULT)
                                 : lectern_text_normalize (line->text, -1);
      if (t[0] == '\0')
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, t);
    }
  return g_string_free (text, FALSE);
}

/* Transcribes doc (lines kept, text replaced) and returns the page's text. */
static char *
transcribe_text (LecternRecognizer *recognizer, const LecternImage *page,
                 const LecternDocument *doc, LecternRecognizeFlags flags, int threads,
                 GError **error)
{
  g_autoptr (LecternDocument) copy = lectern_document_copy (doc);
  g_autoptr (GPtrArray) lines = lectern_document_lines (copy);
  for (guint i = 0; i < lines->len; i++)
    lectern_line_set_text (lines->pdata[i], "");
  LecternTranscribeOptions opts;
  lectern_transcribe_options_init (&opts);
  opts.flags = flags;
  opts.n_threads = threads;
  if (!lectern_transcribe_document (recognizer, page, copy, &opts, NULL, NULL, error))
    return NULL;
  return page_text (copy, FALSE);
}

int
lectern_cli_pageeval (int argc, char **argv)
{
  LecternCliRecognizerOptions ro = { .lm_weight = -1, .insertion_bonus = NAN };
  g_autofree char *model_path = NULL, *lm_path = NULL, *lexicon_path = NULL;
  g_autofree char *show_dir = NULL;
  int threads = 0;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("The recognition model (default: the one Lectern ships)"), N_("MODEL") },
    { "lm", 0, 0, G_OPTION_ARG_FILENAME, &lm_path,
      N_("The character language model (default: the one shipped with the model)"), N_("LM") },
    { "lm-weight", 0, 0, G_OPTION_ARG_DOUBLE, &ro.lm_weight,
      N_("Weight of the language model in the beam search (default: the decoder's)"), N_("W") },
    { "insertion-bonus", 0, 0, G_OPTION_ARG_DOUBLE, &ro.insertion_bonus,
      N_("Score added per character in the beam search, against the LM's cost (default: the decoder's)"),
      N_("B") },
    { "beam-width", 0, 0, G_OPTION_ARG_INT, &ro.beam_width,
      N_("Hypotheses kept per frame by the beam search (default: the decoder's)"), N_("N") },
    { "lexicon", 0, 0, G_OPTION_ARG_FILENAME, &lexicon_path,
      N_("A word list; words outside it are penalised"), N_("FILE") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), N_("N") },
    { "write-text", 0, 0, G_OPTION_ARG_FILENAME, &show_dir,
      N_("Write each page's reference and transcriptions as text files into DIR"), N_("DIR") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx =
    g_option_context_new (_("GROUND_TRUTH… — character error rate of whole pages"));
  g_option_context_set_description (ctx,
    _("GROUND_TRUTH is a PAGE or ALTO file with the text of its lines, whose page image can be "
      "found. Each page is segmented and transcribed without and with the language model; the "
      "same is done on the ground truth's own lines."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (argc < 2)
    {
      g_printerr (_("lectern-cli pageeval: give at least one ground-truth PAGE or ALTO file\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  ro.model_path = model_path;
  ro.lm_path = lm_path;
  ro.lexicon_path = lexicon_path;
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternRecognizer) recognizer = lectern_cli_load_recognizer (&ro, &error);
  if (recognizer == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  const gboolean have_lm = lectern_recognizer_has_lm (recognizer);
  if (!have_lm)
    g_printerr (_("lectern-cli pageeval: no language model found; only best path is measured\n"));
  if (show_dir != NULL && g_mkdir_with_parents (show_dir, 0755) != 0)
    {
      g_printerr (_("lectern-cli pageeval: cannot make the folder %s\n"), show_dir);
      return LECTERN_CLI_EXIT_FAILURE;
    }

  static const char *const setup_names[N_SETUPS] = { "seg", "seg-lm", "gt", "gt-lm" };
  LecternErrorCounts totals[N_SETUPS] = { 0 };
  int status = 0;
  guint n_pages = 0;
  g_print (_("%-40s %5s %5s %6s │ %7s %7s │ %7s %7s\n"), _("page"), _("gt"), _("found"),
           _("chars"), _("seg"), _("seg+LM"), _("gtlines"), _("gt+LM"));
  for (int i = 1; i < argc; i++)
    {
      const char *gt_path = argv[i];
      g_clear_error (&error);
      g_autoptr (LecternDocument) gt = lectern_document_load (gt_path, &error);
      if (gt == NULL)
        {
          lectern_cli_print_error (error);
          status = LECTERN_CLI_EXIT_FAILURE;
          continue;
        }
      if (gt->image_path == NULL)
        {
          g_printerr (_("lectern-cli pageeval: %s: its page image “%s” was not found\n"), gt_path,
                      gt->image_filename != NULL ? gt->image_filename : "");
          status = LECTERN_CLI_EXIT_FAILURE;
          continue;
        }
      g_autoptr (LecternImage) page = lectern_image_load (gt->image_path, &error);
      g_autoptr (LecternDocument) segmented = NULL;
      if (page != NULL)
        {
          LecternSegmentOptions seg_opts;
          lectern_segment_options_init (&seg_opts);
          segmented = lectern_segment_page (page, &seg_opts, NULL, &error);
          if (segmented == NULL)
            g_prefix_error (&error, "%s: ", gt->image_path);
        }
      if (segmented == NULL)
        {
          lectern_cli_print_error (error);
          status = LECTERN_CLI_EXIT_FAILURE;
          continue;
        }

      g_autofree char *reference = page_text (gt, TRUE);
      char *hyp[N_SETUPS] = { NULL };
      gboolean ok = TRUE;
      for (int s = 0; s < N_SETUPS && ok; s++)
        {
          const gboolean lm = s == SEG_LM || s == GT_LM;
          if (lm && !have_lm)
            continue;
          const LecternDocument *lines = s <= SEG_LM ? segmented : gt;
          hyp[s] = transcribe_text (recognizer, page, lines, lm ? 0 : LECTERN_RECOGNIZE_BEST_PATH,
                                    threads, &error);
          ok = hyp[s] != NULL;
        }
      if (!ok)
        {
          g_prefix_error (&error, "%s: ", gt_path);
          lectern_cli_print_error (error);
          status = LECTERN_CLI_EXIT_FAILURE;
          for (int s = 0; s < N_SETUPS; s++)
            g_free (hyp[s]);
          continue;
        }
      n_pages++;
      g_autofree char *name = g_path_get_basename (gt_path);
      double cer[N_SETUPS];
      for (int s = 0; s < N_SETUPS; s++)
        if (hyp[s] != NULL)
          {
            cer[s] = lectern_text_cer (hyp[s], reference);
            lectern_error_counts_add (&totals[s], hyp[s], reference);
          }
      g_print ("%-40s %5u %5u %6ld │ %6.2f%% ", name, lectern_document_n_lines (gt),
               lectern_document_n_lines (segmented), g_utf8_strlen (reference, -1),
               100 * cer[SEG_BEST_PATH]);
      if (have_lm)
        g_print ("%6.2f%% ", 100 * cer[SEG_LM]);
      else
        g_print ("%7s ", "–");
      g_print ("│ %6.2f%% ", 100 * cer[GT_BEST_PATH]);
      if (have_lm)
        g_print ("%6.2f%%\n", 100 * cer[GT_LM]);
      else
        g_print ("%7s\n", "–");

      if (show_dir != NULL)
        {
          g_autofree char *stem = g_strdup (name);
          char *dot = strrchr (stem, '.');
          if (dot != NULL)
            *dot = '\0';
          g_autofree char *ref_path = g_strdup_printf ("%s/%s.ref.txt", show_dir, stem);
          g_file_set_contents (ref_path, reference, -1, NULL);
          for (int s = 0; s < N_SETUPS; s++)
            if (hyp[s] != NULL)
              {
                g_autofree char *p = g_strdup_printf ("%s/%s.%s.txt", show_dir, stem,
                                                      setup_names[s]);
                g_file_set_contents (p, hyp[s], -1, NULL);
              }
        }
      for (int s = 0; s < N_SETUPS; s++)
        g_free (hyp[s]);
    }
  if (n_pages > 1)
    {
      g_print ("%-40s %5s %5s %6" G_GUINT64_FORMAT " │ %6.2f%% ", _("all pages"), "", "",
               totals[SEG_BEST_PATH].ref_chars,
               100 * lectern_error_counts_cer (&totals[SEG_BEST_PATH]));
      if (have_lm)
        g_print ("%6.2f%% ", 100 * lectern_error_counts_cer (&totals[SEG_LM]));
      else
        g_print ("%7s ", "–");
      g_print ("│ %6.2f%% ", 100 * lectern_error_counts_cer (&totals[GT_BEST_PATH]));
      if (have_lm)
        g_print ("%6.2f%%\n", 100 * lectern_error_counts_cer (&totals[GT_LM]));
      else
        g_print ("%7s\n", "–");
    }
  if (n_pages > 0)
    {
      g_print (_("WER (all pages): seg %.2f%%"), 100 * lectern_error_counts_wer (&totals[SEG_BEST_PATH]));
      if (have_lm)
        g_print (_(", seg+LM %.2f%%"), 100 * lectern_error_counts_wer (&totals[SEG_LM]));
      g_print (_(", gt lines %.2f%%"), 100 * lectern_error_counts_wer (&totals[GT_BEST_PATH]));
      if (have_lm)
        g_print (_(", gt lines+LM %.2f%%"), 100 * lectern_error_counts_wer (&totals[GT_LM]));
      g_print ("\n");
    }
  return status;
}
