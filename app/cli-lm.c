/* cli-lm.c — `lectern-cli lm`: builds a character language model for the beam-search decoder
 * from UTF-8 text files and reports its perplexity on held-out text.
 *
 * Every 20th line of the input (5%) is held out: the model never sees it, and its perplexity
 * (e^(mean negative log-probability per character)) on those lines is what the model would
 * score on new text of the same kind. Consecutive training lines of a file form one stream
 * (a line break is a space, as in hard-wrapped prose); a blank or held-out line starts a new
 * one. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cli.h"
#include "error.h"
#include "file-util.h"
#include "lm.h"
#include "text.h"

#define MAX_TEXT_FILE ((gsize) 1 << 30)
#define HOLD_OUT_EVERY 20

typedef struct {
  LecternLmBuilder *builder;
  gboolean          clean;
  GString          *stream;       /* training lines not yet handed to the builder */
  GPtrArray        *held_out;     /* held-out lines */
  guint64           n_lines;
  guint             n_files;
} LmInput;

static void
flush_stream (LmInput *in)
{
  if (in->stream->len > 0)
    lectern_lm_builder_add_text (in->builder, in->stream->str, (gssize) in->stream->len);
  g_string_truncate (in->stream, 0);
}

static gboolean
add_file (LmInput *in, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = lectern_file_read_capped (path, MAX_TEXT_FILE, error);
  if (bytes == NULL)
    return FALSE;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  if (memchr (data, '\0', size) != NULL || !g_utf8_validate_len (data, size, NULL))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT, _("%s: not UTF-8 text"), path);
      return FALSE;
    }
  in->n_files++;
  const char *end = data + size;
  for (const char *line = data; line < end;)
    {
      const char *nl = memchr (line, '\n', (gsize) (end - line));
      const char *stop = nl != NULL ? nl : end;
      g_autofree char *raw = g_strndup (line, (gsize) (stop - line));
      line = nl != NULL ? nl + 1 : end;

      g_autofree char *text = in->clean
        ? lectern_text_clean_transcription (raw, LECTERN_CLEAN_DEFAULT)
        : lectern_text_normalize (raw, -1);
      if (*text == '\0')
        {
          flush_stream (in);
          continue;
        }
      in->n_lines++;
      if (in->n_lines % HOLD_OUT_EVERY == 0)
        {
          flush_stream (in);
          g_ptr_array_add (in->held_out, g_steal_pointer (&text));
          continue;
        }
      if (in->stream->len > 0)
        g_string_append_c (in->stream, ' ');
      g_string_append (in->stream, text);
    }
  flush_stream (in);
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A file, or every *.txt file under a folder (in name order, so runs repeat exactly),
 * leaving out names that begin with '.' or '_'. */
static gboolean
add_path (LmInput *in, const char *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return add_file (in, path, error);
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && name[0] != '_')   /* hidden, or provenance like _source/ */
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (path, names->pdata[i], NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (!add_path (in, child, error))
            return FALSE;
        }
      else if (g_str_has_suffix (child, ".txt") && !add_file (in, child, error))
        return FALSE;
    }
  return TRUE;
}

int
lectern_cli_lm (int argc, char **argv)
{
  int order = LECTERN_LM_DEFAULT_ORDER;
  g_autofree char *out_path = NULL;
  gboolean clean = FALSE;
  g_auto(GStrv) transcriptions = NULL;
  GOptionEntry entries[] = {
    { "order", 'n', 0, G_OPTION_ARG_INT, &order,
      N_("Characters of context plus one (default 6)"), N_("N") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, N_("The language model file to write"),
      N_("LM") },
    { "clean", 'c', 0, G_OPTION_ARG_NONE, &clean,
      N_("Remove transcription markup first, as for training targets (struck-out text, ^, $tags…)"),
      NULL },
    { "transcriptions", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &transcriptions,
      N_("Also read ground truth: a .gt.txt file or a folder of them, its markup removed as for "
         "training targets (repeatable)"), N_("PATH") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new (_("[TEXT…] — build a character language model for decoding"));
  g_option_context_set_description (ctx,
    _("TEXT is a UTF-8 text file or a folder whose *.txt files are read (names beginning with "
      "“.” or “_” are left out), as it is unless --clean. --transcriptions adds ground truth "
      "(for example the training lines' .gt.txt files) with its markup removed. Every 20th "
      "line is held out to measure the perplexity of the model."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (out_path == NULL || (argc < 2 && transcriptions == NULL))
    {
      g_printerr (_("lectern-cli lm: give --out LM and at least one TEXT or --transcriptions\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (order < 1 || order > LECTERN_LM_MAX_ORDER)
    {
      g_printerr (_("lectern-cli lm: the order must be between 1 and %d\n"), LECTERN_LM_MAX_ORDER);
      return LECTERN_CLI_EXIT_USAGE;
    }

  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(LecternLmBuilder) builder = lectern_lm_builder_new (order);
  g_autoptr(GString) stream = g_string_new (NULL);
  g_autoptr(GPtrArray) held_out = g_ptr_array_new_with_free_func (g_free);
  LmInput in = { builder, clean, stream, held_out, 0, 0 };
  g_autoptr(GError) error = NULL;
  for (int i = 1; i < argc; i++)
    if (!add_path (&in, argv[i], &error))
      {
        lectern_cli_print_error (error);
        return LECTERN_CLI_EXIT_FAILURE;
      }
  /* then the transcriptions, always cleaned: their markup is not what a pen writes */
  in.clean = TRUE;
  for (guint i = 0; transcriptions != NULL && transcriptions[i] != NULL; i++)
    if (!add_path (&in, transcriptions[i], &error))
      {
        lectern_cli_print_error (error);
        return LECTERN_CLI_EXIT_FAILURE;
      }
  guint64 n_train_chars = lectern_lm_builder_n_chars (builder);

  g_autoptr(LecternLm) lm = lectern_lm_builder_finish (builder, &error);
  if (lm == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (!lectern_lm_save (lm, out_path, &error))
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  double seconds = (g_get_monotonic_time () - t0) / 1e6;

  GStatBuf st;
  guint64 file_size = g_stat (out_path, &st) == 0 ? (guint64) st.st_size : 0;
  g_autofree char *size_text = g_format_size (file_size);
  g_print (_("%s: %s, order %d, %u characters in the vocabulary\n"), out_path, size_text, order,
           lectern_lm_vocab_size (lm) - 1);
  /* %llu, not G_GUINT64_FORMAT: xgettext cannot see through the macro */
  g_print (_("trained on %llu characters (%llu lines of %u files) in %.1f s\n"),
           (unsigned long long) n_train_chars, (unsigned long long) (in.n_lines - held_out->len),
           in.n_files, seconds);
  g_print (_("n-grams by order:"));
  for (int k = 1; k <= order; k++)
    g_print (" %u", lectern_lm_n_ngrams (lm, k));
  g_print ("\n");

  double log_prob = 0;
  guint64 n_chars = 0;
  for (guint i = 0; i < held_out->len; i++)
    {
      guint64 n;
      log_prob += lectern_lm_text_log_prob (lm, held_out->pdata[i], &n);
      n_chars += n;
    }
  if (n_chars > 0)
    g_print (_("perplexity on the %u held-out lines (%llu characters): %.3f (%.3f bits per "
               "character)\n"), held_out->len, (unsigned long long) n_chars,
             exp (-log_prob / n_chars), -log_prob / n_chars / G_LN2);
  else
    g_print (_("no held-out lines (fewer than %d lines of text): no perplexity\n"), HOLD_OUT_EVERY);
  return 0;
}
