/* cli-transcribe.c — `lectern-cli transcribe`: whole pages to text, PAGE, ALTO or hOCR.
 *
 * An input is a page image (its lines are found with the page segmenter) or a PAGE/ALTO file
 * (its lines are kept; their images are cut from the page image it names). Each page's lines
 * are recognised on all cores, with the default language model unless told otherwise.
 * `--shard i/N` takes every N-th input from the i-th (1-based), so that a cluster scheduler can
 * split an archive over many machines: e.g. a Slurm array 1–N runs
 * `--shard $SLURM_ARRAY_TASK_ID/N`. */
#include "config.h"
#include "cli.h"
#include "defaults.h"
#include "document.h"
#include "error.h"
#include "file-util.h"
#include "image.h"
#include "model.h"
#include "recognizer.h"
#include "segment.h"
#include "transcribe.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#define MAX_LIST_FILE ((gsize) 256 << 20)

/* ---- the recognizer, shared with pageeval and bench ------------------------------------------ */

LecternRecognizer *
lectern_cli_load_recognizer (const LecternCliRecognizerOptions *o, GError **error)
{
  LecternModel *model = o->model_path != NULL ? lectern_model_load (o->model_path, error)
                                              : lectern_model_load_default (error);
  if (model == NULL)
    return NULL;
  g_autoptr (LecternRecognizer) recognizer = lectern_recognizer_new (model);

  LecternBeamOptions beam;
  lectern_beam_options_init (&beam);
  if (o->lm_weight >= 0)
    beam.lm_weight = (float) o->lm_weight;
  if (!isnan (o->insertion_bonus))
    beam.insertion_bonus = (float) o->insertion_bonus;
  if (o->beam_width > 0)
    beam.beam_width = o->beam_width;

  if (!o->no_lm)
    {
      g_autofree char *lm_path = o->lm_path != NULL ? g_strdup (o->lm_path)
                                                    : lectern_default_lm_path ();
      /* no default LM installed: best path, as before there was one */
      if (lm_path != NULL)
        {
          LecternLm *lm = lectern_lm_load (lm_path, error);
          if (lm == NULL)
            return NULL;
          lectern_recognizer_set_lm (recognizer, lm, &beam);
        }
    }
  if (o->lexicon_path != NULL)
    {
      g_autoptr (LecternLexicon) lexicon = lectern_lexicon_new ();
      if (!lectern_lexicon_add_file (lexicon, o->lexicon_path, error))
        return NULL;
      lectern_recognizer_set_lexicon (recognizer, g_steal_pointer (&lexicon));
      /* without an LM, the beam options still apply to the lexicon's search */
      if (!lectern_recognizer_has_lm (recognizer))
        lectern_recognizer_set_lm (recognizer, NULL, &beam);
    }
  return g_steal_pointer (&recognizer);
}

/* ---- inputs ------------------------------------------------------------------------------- */

/* Whether a file is XML (a PAGE or ALTO document) rather than an image, from its first bytes. */
static gboolean
looks_like_xml (const char *path)
{
  FILE *f = g_fopen (path, "rb");
  if (f == NULL)
    return FALSE;   /* the image loader reports the error */
  unsigned char head[64];
  size_t n = fread (head, 1, sizeof head, f);
  fclose (f);
  size_t i = 0;
  if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
    i = 3;
  while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
    i++;
  return i < n && head[i] == '<';
}

/* "i/N" with 1 <= i <= N */
static gboolean
parse_shard (const char *text, guint *index, guint *count)
{
  guint64 i, n;
  char *end;
  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  i = g_ascii_strtoull (text, &end, 10);
  if (*end != '/' || !g_ascii_isdigit (end[1]))
    return FALSE;
  n = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '\0' || n < 1 || n > G_MAXINT || i < 1 || i > n)
    return FALSE;
  *index = (guint) i;
  *count = (guint) n;
  return TRUE;
}

/* Paths from a list file (one per line; blank lines and lines starting with '#' skipped). */
static gboolean
read_input_list (const char *list_path, GPtrArray *inputs, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;
  if (g_str_equal (list_path, "-"))
    {
      g_autoptr (GString) text = g_string_new (NULL);
      char buffer[65536];
      size_t n;
      while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
        {
          if (text->len + n > MAX_LIST_FILE)
            {
              g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                           _("The list of inputs on standard input is larger than 256 MiB"));
              return FALSE;
            }
          g_string_append_len (text, buffer, (gssize) n);
        }
      bytes = g_string_free_to_bytes (g_steal_pointer (&text));
    }
  else
    {
      bytes = lectern_file_read_capped (list_path, MAX_LIST_FILE, error);
      if (bytes == NULL)
        return FALSE;
    }
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *copy = g_strndup (data, size);
  g_auto (GStrv) lines = g_strsplit (copy, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_strstrip (*l);
      if ((*l)[0] != '\0' && (*l)[0] != '#')
        g_ptr_array_add (inputs, g_strdup (*l));
    }
  return TRUE;
}

/* ---- progress ----------------------------------------------------------------------------- */

typedef struct {
  gboolean tty, quiet;
  gint64   start;
  guint    pages_total, pages_done;
  guint    lines_done;            /* on finished pages */
  guint    page_lines_done, page_lines_total;
  gint64   last_draw;
} Progress;

static void
format_duration (char *out, gsize size, double seconds)
{
  int s = (int) (seconds + 0.5);
  if (s >= 3600)
    g_snprintf (out, size, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  else
    g_snprintf (out, size, "%d:%02d", s / 60, s % 60);
}

static void
draw_progress (Progress *p, gboolean force)
{
  if (!p->tty || p->quiet)
    return;
  gint64 now = g_get_monotonic_time ();
  if (!force && now - p->last_draw < 100000)
    return;
  p->last_draw = now;
  const double elapsed = (now - p->start) / 1e6;
  const guint lines = p->lines_done + p->page_lines_done;
  const double page_fraction = p->page_lines_total > 0
                               ? (double) p->page_lines_done / p->page_lines_total : 0;
  const double done = (p->pages_done + page_fraction) / MAX (p->pages_total, 1);
  char eta[32] = "?";
  if (done > 0.001)
    format_duration (eta, sizeof eta, elapsed * (1 - done) / done);
  const int width = 24, filled = (int) (done * width + 0.5);
  char bar[64];
  for (int i = 0; i < width; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[width] = '\0';
  fputc ('\r', stderr);
  fprintf (stderr, _("[%s] page %u/%u · lines %u/%u · %.1f lines/s · ETA %s "),
           bar, MIN (p->pages_done + 1, p->pages_total), p->pages_total, p->page_lines_done,
           p->page_lines_total, elapsed > 0 ? lines / elapsed : 0.0, eta);
  fflush (stderr);
}

static void
clear_progress (Progress *p)
{
  if (p->tty && !p->quiet)
    fprintf (stderr, "\r\033[K");
}

/* called from the recognition threads, one at a time */
static void
on_lines_done (guint done, guint total, gpointer data)
{
  Progress *p = data;
  p->page_lines_done = done;
  p->page_lines_total = total;
  draw_progress (p, FALSE);
}

/* ---- one page ----------------------------------------------------------------------------- */

typedef struct {
  LecternRecognizer *recognizer;
  LecternFormat      format;
  gboolean           keep_text;
  int                n_threads;
  Progress          *progress;
} Settings;

/* The image as the output file should name it: relative to the output's folder ("page.jpg"
 * beside it, "../images/page.jpg" elsewhere), so that the folder of pages and images can move
 * as a whole; as given when writing to stdout. */
static char *
image_name_for (const char *image_path, const char *out_path)
{
  if (out_path == NULL)
    return g_strdup (image_path);
  g_autofree char *image = g_canonicalize_filename (image_path, NULL);
  g_autofree char *out = g_canonicalize_filename (out_path, NULL);
  g_autofree char *folder = g_path_get_dirname (out);
  g_auto (GStrv) from = g_strsplit (folder, G_DIR_SEPARATOR_S, -1);
  g_auto (GStrv) to = g_strsplit (image, G_DIR_SEPARATOR_S, -1);
  guint common = 0;
  while (from[common] != NULL && to[common] != NULL && to[common + 1] != NULL
         && g_str_equal (from[common], to[common]))
    common++;
  if (common <= 1)   /* nothing but the root in common: absolute is clearer */
    return g_steal_pointer (&image);
  GString *relative = g_string_new (NULL);
  for (guint i = common; from[i] != NULL; i++)
    if (from[i][0] != '\0')
      g_string_append (relative, ".." G_DIR_SEPARATOR_S);
  for (guint i = common; to[i] != NULL; i++)
    {
      g_string_append (relative, to[i]);
      if (to[i + 1] != NULL)
        g_string_append (relative, G_DIR_SEPARATOR_S);
    }
  return g_string_free (relative, FALSE);
}

/* One input on its way: read (and segmented, for an image) by a helper thread while the
 * previous page's lines are being recognised, so that the cores are not left waiting on the
 * single-threaded steps between pages. */
typedef struct {
  const Settings  *settings;
  const char      *input, *out_path;
  LecternDocument *doc;     /* NULL on error */
  LecternImage    *page;    /* NULL when no line needs recognising */
  GError          *error;
} PreparedPage;

static void
prepared_page_clear (PreparedPage *p)
{
  g_clear_pointer (&p->doc, lectern_document_free);
  g_clear_pointer (&p->page, lectern_image_free);
  g_clear_error (&p->error);
}

static gpointer
prepare_page (gpointer data)
{
  PreparedPage *p = data;
  const char *input = p->input;
  g_autoptr (LecternDocument) doc = NULL;
  g_autoptr (LecternImage) page = NULL;
  const char *image_path = NULL;
  GError **error = &p->error;

  if (looks_like_xml (input))
    {
      doc = lectern_document_load (input, error);
      if (doc == NULL)
        return NULL;
      image_path = doc->image_path;
      gboolean need_image = !p->settings->keep_text;
      if (!need_image)
        {
          g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
          for (guint i = 0; i < lines->len && !need_image; i++)
            need_image = ((LecternLine *) lines->pdata[i])->text[0] == '\0';
        }
      if (need_image)
        {
          if (image_path == NULL)
            {
              g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO,
                           _("%s: its page image “%s” was not found"), input,
                           doc->image_filename != NULL ? doc->image_filename : "");
              return NULL;
            }
          page = lectern_image_load (image_path, error);
          if (page == NULL)
            return NULL;
        }
    }
  else
    {
      image_path = input;
      page = lectern_image_load (input, error);
      if (page == NULL)
        return NULL;
      LecternSegmentOptions seg_opts;
      lectern_segment_options_init (&seg_opts);
      doc = lectern_segment_page (page, &seg_opts, NULL, error);
      if (doc == NULL)
        {
          g_prefix_error (error, "%s: ", input);
          return NULL;
        }
    }
  if (image_path != NULL)
    {
      g_autofree char *name = image_name_for (image_path, p->out_path);
      g_free (doc->image_filename);
      doc->image_filename = g_steal_pointer (&name);
    }
  p->doc = g_steal_pointer (&doc);
  p->page = g_steal_pointer (&page);
  return NULL;
}

/* Recognises the lines of a prepared page. */
static gboolean
recognise_page (PreparedPage *p, GError **error)
{
  const Settings *s = p->settings;
  if (p->doc == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&p->error));
      return FALSE;
    }
  LecternTranscribeOptions opts;
  lectern_transcribe_options_init (&opts);
  opts.n_threads = s->n_threads;
  opts.keep_text = s->keep_text;
  opts.progress = on_lines_done;
  opts.progress_data = s->progress;
  s->progress->page_lines_done = 0;
  s->progress->page_lines_total = lectern_document_n_lines (p->doc);
  draw_progress (s->progress, TRUE);
  if (!lectern_transcribe_document (s->recognizer, p->page, p->doc, &opts, NULL, NULL, error))
    {
      g_prefix_error (error, "%s: ", p->input);
      return FALSE;
    }
  return TRUE;
}

/* DIR/NAME.EXT for input PATH/NAME.SUFFIX */
static char *
output_path_in (const char *dir, const char *input, LecternFormat format)
{
  g_autofree char *base = g_path_get_basename (input);
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  g_autofree char *name = g_strconcat (base, ".", lectern_format_extension (format), NULL);
  return g_build_filename (dir, name, NULL);
}

static gboolean
format_from_extension (const char *path, LecternFormat *format)
{
  const char *dot = strrchr (path, '.');
  if (dot == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (dot, ".xml") == 0)
    *format = LECTERN_FORMAT_PAGE;
  else if (g_ascii_strcasecmp (dot, ".txt") == 0)
    *format = LECTERN_FORMAT_TEXT;
  else if (g_ascii_strcasecmp (dot, ".hocr") == 0 || g_ascii_strcasecmp (dot, ".html") == 0)
    *format = LECTERN_FORMAT_HOCR;
  else
    return FALSE;
  return TRUE;
}

int
lectern_cli_transcribe (int argc, char **argv)
{
  LecternCliRecognizerOptions ro = { .lm_weight = -1, .insertion_bonus = NAN };
  g_autofree char *model_path = NULL, *lm_path = NULL, *lexicon_path = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *out = NULL;
  g_autofree char *shard = NULL;
  g_autofree char *list = NULL;
  gboolean keep_text = FALSE, quiet = FALSE;
  int threads = 0;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("The recognition model (default: the one Lectern ships)"), N_("MODEL") },
    { "lm", 0, 0, G_OPTION_ARG_FILENAME, &lm_path,
      N_("The character language model for decoding (default: the one shipped with the model)"),
      N_("LM") },
    { "no-lm", 0, 0, G_OPTION_ARG_NONE, &ro.no_lm,
      N_("Decode without a language model (best path)"), NULL },
    { "lm-weight", 0, 0, G_OPTION_ARG_DOUBLE, &ro.lm_weight,
      N_("Weight of the language model in the beam search (default: the decoder's)"), N_("W") },
    { "insertion-bonus", 0, 0, G_OPTION_ARG_DOUBLE, &ro.insertion_bonus,
      N_("Score added per character in the beam search, against the LM's cost (default: the decoder's)"),
      N_("B") },
    { "lexicon", 0, 0, G_OPTION_ARG_FILENAME, &lexicon_path,
      N_("A word list; words outside it are penalised"), N_("FILE") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("txt, page, alto or hocr (default: from the -o name; page for a folder, txt for "
         "standard output)"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      N_("The output file (one input) or folder (several inputs: FOLDER/NAME.xml …)"),
      N_("OUT") },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &shard,
      N_("Take only every N-th input, from the I-th (I counts from 1)"), N_("I/N") },
    { "inputs-from", 0, 0, G_OPTION_ARG_FILENAME, &list,
      N_("Read more inputs from FILE, one path per line (“-”: standard input)"), N_("FILE") },
    { "keep-text", 0, 0, G_OPTION_ARG_NONE, &keep_text,
      N_("Keep the text of lines that already have some (PAGE/ALTO inputs)"), NULL },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), N_("N") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print nothing but errors"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx =
    g_option_context_new (_("INPUT… — transcribe page images or PAGE/ALTO files"));
  g_option_context_set_description (ctx,
    _("An INPUT is a page image, whose lines are found first, or a PAGE or ALTO file, whose "
      "lines are kept. Without -o the text goes to standard output."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  ro.model_path = model_path;
  ro.lm_path = lm_path;
  ro.lexicon_path = lexicon_path;
  int status = 0;

  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (inputs, g_strdup (argv[i]));
  g_autoptr (GError) error = NULL;
  if (list != NULL && !read_input_list (list, inputs, &error))
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (inputs->len == 0)
    {
      g_printerr (_("lectern-cli transcribe: give at least one page image or PAGE/ALTO file\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (ro.no_lm && ro.lm_path != NULL)
    {
      g_printerr (_("lectern-cli transcribe: --lm and --no-lm exclude each other\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if (threads < 0 || threads > 256)
    {
      g_printerr (_("lectern-cli transcribe: --threads must be between 1 and 256\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  guint shard_index = 1, shard_count = 1;
  if (shard != NULL && !parse_shard (shard, &shard_index, &shard_count))
    {
      g_printerr (_("lectern-cli transcribe: --shard takes I/N with 1 ≤ I ≤ N, e.g. 3/8\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }

  /* one output file, or a folder of them (decided before sharding, so that every shard of an
   * archive writes into the folder even when it gets a single input) */
  const gboolean to_folder = out != NULL
                             && (inputs->len > 1 || g_file_test (out, G_FILE_TEST_IS_DIR)
                                 || g_str_has_suffix (out, G_DIR_SEPARATOR_S));
  LecternFormat format = out == NULL ? LECTERN_FORMAT_TEXT : LECTERN_FORMAT_PAGE;
  if (format_name != NULL)
    {
      if (!lectern_format_from_name (format_name, &format))
        {
          g_printerr (_("lectern-cli transcribe: unknown format “%s” (txt, page, alto or hocr)\n"),
                      format_name);
          return LECTERN_CLI_EXIT_USAGE;
        }
    }
  else if (out != NULL && !to_folder)
    format_from_extension (out, &format);
  if (out == NULL && format != LECTERN_FORMAT_TEXT && inputs->len > 1)
    {
      g_printerr (_("lectern-cli transcribe: several XML documents cannot share standard "
                    "output; give -o FOLDER\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }

  /* this shard's inputs, and their outputs */
  g_autoptr (GPtrArray) mine = g_ptr_array_new ();
  g_autoptr (GPtrArray) outputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = shard_index - 1; i < inputs->len; i += shard_count)
    {
      const char *input = inputs->pdata[i];
      char *path = to_folder ? output_path_in (out, input, format) : g_strdup (out);
      if (path != NULL && to_folder && g_hash_table_contains (seen, path))
        {
          g_printerr (_("lectern-cli transcribe: %s and another input would both be written to "
                        "%s\n"), input, path);
          g_free (path);
          return LECTERN_CLI_EXIT_USAGE;
        }
      if (path != NULL)
        g_hash_table_add (seen, path);
      g_ptr_array_add (mine, (gpointer) input);
      g_ptr_array_add (outputs, path);
    }
  if (to_folder && g_mkdir_with_parents (out, 0755) != 0)
    {
      int saved = errno;
      g_printerr (_("lectern-cli transcribe: cannot make the folder %s: %s\n"), out,
                  g_strerror (saved));
      return LECTERN_CLI_EXIT_FAILURE;
    }

  g_autoptr (LecternRecognizer) recognizer = NULL;
  Progress progress = { .tty = isatty (STDERR_FILENO), .quiet = quiet,
                        .start = g_get_monotonic_time (), .pages_total = mine->len };
  recognizer = lectern_cli_load_recognizer (&ro, &error);
  if (recognizer == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (!quiet && !lectern_recognizer_has_lm (recognizer) && !ro.no_lm)
    g_printerr (_("lectern-cli transcribe: no language model found; decoding by best path\n"));

  Settings settings = { recognizer, format, keep_text, threads, &progress };
  g_autofree PreparedPage *pages = g_new0 (PreparedPage, mine->len);
  for (guint i = 0; i < mine->len; i++)
    pages[i] = (PreparedPage) { &settings, mine->pdata[i], outputs->pdata[i], NULL, NULL, NULL };
  GThread *ahead = NULL;
  gint64 last_done = g_get_monotonic_time ();
  for (guint i = 0; i < mine->len; i++)
    {
      PreparedPage *p = &pages[i];
      if (ahead != NULL)
        g_thread_join (g_steal_pointer (&ahead));
      else
        prepare_page (p);
      if (i + 1 < mine->len)
        ahead = g_thread_new ("lectern-prepare", prepare_page, &pages[i + 1]);

      g_clear_error (&error);
      gboolean ok = recognise_page (p, &error);
      if (ok && p->out_path != NULL)
        ok = lectern_document_save (p->doc, p->out_path, format, &error);
      else if (ok)
        {
          g_autoptr (GBytes) bytes = lectern_document_serialize (p->doc, format, &error);
          ok = bytes != NULL;
          if (ok)
            {
              gsize size;
              const char *data = g_bytes_get_data (bytes, &size);
              if (i > 0)
                fputc ('\n', stdout);
              fwrite (data, 1, size, stdout);
              fflush (stdout);
            }
        }
      const guint n_lines = p->doc != NULL ? lectern_document_n_lines (p->doc) : 0;
      clear_progress (&progress);
      progress.pages_done++;
      progress.lines_done += n_lines;
      progress.page_lines_done = progress.page_lines_total = 0;
      const gint64 now = g_get_monotonic_time ();
      const double seconds = (now - last_done) / 1e6;
      last_done = now;
      if (!ok)
        {
          lectern_cli_print_error (error);
          status = LECTERN_CLI_EXIT_FAILURE;
        }
      else if (!quiet)
        {
          if (p->out_path != NULL)
            g_printerr (_("%s: %u lines → %s (%.1f s)\n"), p->input, n_lines, p->out_path,
                        seconds);
          else
            g_printerr (_("%s: %u lines (%.1f s)\n"), p->input, n_lines, seconds);
        }
      prepared_page_clear (p);
    }
  clear_progress (&progress);
  return status;
}
