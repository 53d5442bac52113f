/* corpus.c — loading, cleaning and sampling the text of synthetic lines (see corpus.h). */
#include "corpus.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "error.h"
#include "text.h"

/* Text files larger than this are refused: 64 MiB is ten times the largest Debian source. */
#define MAX_TEXT_FILE (64 * 1024 * 1024)
/* A man page larger than this (decompressed) is skipped. */
#define MAX_MAN_PAGE (4 * 1024 * 1024)
/* Sentence spans are 5–60 characters long. */
#define SPAN_MIN 5
#define SPAN_MAX 60

/* Paragraphs of one source, stored end to end: paragraph i is text[start[i] .. start[i+1] − 1)
 * (each followed by a NUL so that it is also a C string). */
typedef struct {
  char           *name;
  LecternLanguage language;
  double          weight;
  GString        *text;
  GArray         *start;   /* guint32 */
} Source;

typedef struct {
  GString *text;
  GArray  *start;          /* guint32, like Source */
} WordList;

struct _LecternCorpus {
  GPtrArray *sources;
  WordList   words[LECTERN_N_LANGUAGES];
};

static const char *const language_names[LECTERN_N_LANGUAGES] = { "en", "fr", "de", "other" };

/* Share of sentence spans per language when all are present: French first because the
 * manuscripts Lectern reads are mostly French. */
static const double language_share[LECTERN_N_LANGUAGES] = { 0.35, 0.40, 0.25, 0.10 };

static void
source_free (gpointer data)
{
  Source *source = data;
  g_free (source->name);
  g_string_free (source->text, TRUE);
  g_array_unref (source->start);
  g_free (source);
}

LecternCorpus *
lectern_corpus_new (void)
{
  LecternCorpus *corpus = g_new0 (LecternCorpus, 1);
  corpus->sources = g_ptr_array_new_with_free_func (source_free);
  for (int l = 0; l < LECTERN_N_LANGUAGES; l++)
    {
      corpus->words[l].text = g_string_new (NULL);
      corpus->words[l].start = g_array_new (FALSE, FALSE, sizeof (guint32));
    }
  return corpus;
}

void
lectern_corpus_free (LecternCorpus *corpus)
{
  if (corpus == NULL)
    return;
  g_ptr_array_unref (corpus->sources);
  for (int l = 0; l < LECTERN_N_LANGUAGES; l++)
    {
      g_string_free (corpus->words[l].text, TRUE);
      g_array_unref (corpus->words[l].start);
    }
  g_free (corpus);
}

/* ---------------------------------------------------------------------------------------- */
/* Cleaning */

static gboolean
is_dropped_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);
  /* Controls, format characters (soft hyphen, zero-width joiners, BOM), private use,
   * unassigned and surrogates never reach a line image. */
  return type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT || type == G_UNICODE_PRIVATE_USE
         || type == G_UNICODE_UNASSIGNED || type == G_UNICODE_SURROGATE;
}

char *
lectern_corpus_clean (const char *text, gssize length)
{
  /* lectern_text_normalize gives NFC with whitespace folded and controls dropped; what it keeps
   * but a line cannot show (U+FFFD for bad bytes, format characters) goes here. */
  g_autofree char *normal = lectern_text_normalize (text, length);
  GString *kept = g_string_sized_new (strlen (normal));
  gboolean dropped = FALSE;

  for (const char *p = normal; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == 0xFFFD || is_dropped_char (c))
        dropped = TRUE;
      else
        g_string_append_unichar (kept, c);
    }
  if (!dropped)
    {
      g_string_free (kept, TRUE);
      return g_steal_pointer (&normal);
    }
  /* Dropping can join two spaces or leave a combining mark first. */
  {
    char *again = lectern_text_normalize (kept->str, kept->len);
    g_string_free (kept, TRUE);
    return again;
  }
}

/* Characters that people write in running text. Excluded on purpose: the markup and code
 * characters that man pages and transcriptions are full of but letters are not (< > | \ ` ~ ^
 * _ { } @), combining marks left over after NFC, and scripts other than Latin. */
static gboolean
is_text_char (gunichar c)
{
  static const char punctuation[] = " .,;:!?'\"()-/&%$*+=#[]";

  if (c < 0x80)
    return g_ascii_isalnum ((char) c) || (c != 0 && strchr (punctuation, (int) c) != NULL);
  switch (c)
    {
    case 0x00A3: /* £ */
    case 0x00A7: /* § */
    case 0x00AB: /* « */
    case 0x00B0: /* ° */
    case 0x00BB: /* » */
    case 0x2013: /* – */
    case 0x2014: /* — */
    case 0x2018: /* ‘ */
    case 0x2019: /* ’ */
    case 0x201C: /* “ */
    case 0x201D: /* ” */
    case 0x201E: /* „ */
    case 0x2026: /* … */
    case 0x20AC: /* € */
      return TRUE;
    default:
      break;
    }
  /* Latin-1 letters, Latin Extended-A (œ, ſ, ł, …). */
  return c >= 0x00C0 && c < 0x0180 && c != 0x00D7 && c != 0x00F7;
}

static gboolean
string_is_allowed (const char *text, LecternCharFilter allowed, gpointer user_data)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (!is_text_char (c))
        return FALSE;
      if (allowed != NULL && !allowed (c, user_data))
        return FALSE;
    }
  return TRUE;
}

/* Paragraphs of drawings, tables and code have few letters; keep prose only. */
static gboolean
looks_like_prose (const char *text)
{
  gsize letters = 0, others = 0;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == ' ')
        continue;
      if (g_unichar_isalpha (c))
        letters++;
      else
        others++;
    }
  return letters >= 4 && letters >= 4 * others;
}

/* ---------------------------------------------------------------------------------------- */
/* Sources */

static Source *
source_new (const char *name, LecternLanguage language, double weight)
{
  Source *source = g_new0 (Source, 1);
  guint32 zero = 0;
  source->name = g_strdup (name);
  source->language = language;
  source->weight = weight;
  source->text = g_string_new (NULL);
  source->start = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_val (source->start, zero);
  return source;
}

static guint
source_n_paragraphs (const Source *source)
{
  return source->start->len - 1;
}

static const char *
source_paragraph (const Source *source, guint i, gsize *length)
{
  guint32 a = g_array_index (source->start, guint32, i);
  guint32 b = g_array_index (source->start, guint32, i + 1);
  *length = b - a - 1;
  return source->text->str + a;
}

/* Cleans and appends one paragraph if it is prose; the text store stays below 4 GiB. */
static void
source_add_paragraph (Source *source, const char *text, gssize length)
{
  g_autofree char *clean = lectern_corpus_clean (text, length);
  gsize clean_length = strlen (clean);
  guint32 end;

  if (clean_length < SPAN_MIN || !looks_like_prose (clean))
    return;
  if (source->text->len + clean_length + 1 >= G_MAXUINT32)
    return;
  g_string_append_len (source->text, clean, clean_length + 1);   /* with its NUL */
  end = (guint32) source->text->len;
  g_array_append_val (source->start, end);
}

static void
corpus_take_source (LecternCorpus *corpus, Source *source)
{
  if (source_n_paragraphs (source) == 0)
    {
      source_free (source);
      return;
    }
  g_ptr_array_add (corpus->sources, source);
}

void
lectern_corpus_add_paragraphs (LecternCorpus *corpus, const char *name, LecternLanguage language,
                               double weight, const char *text, gssize length)
{
  Source *source;
  const char *end, *p;

  g_return_if_fail (corpus != NULL && text != NULL);
  g_return_if_fail (language < LECTERN_N_LANGUAGES);
  if (length < 0)
    length = strlen (text);
  source = source_new (name, language, weight);
  end = text + length;
  for (p = text; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      source_add_paragraph (source, p, line_end - p);
      p = line_end + 1;
    }
  corpus_take_source (corpus, source);
}

gboolean
lectern_corpus_add_text_file (LecternCorpus *corpus, const char *path, LecternLanguage language,
                              double weight, GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  GError *local_error = NULL;
  GStatBuf st;

  if (g_stat (path, &st) == 0 && st.st_size > MAX_TEXT_FILE)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_TOO_LARGE,
                   "%s: text file larger than %d MiB", path, MAX_TEXT_FILE / (1024 * 1024));
      return FALSE;
    }
  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_IO, "%s", local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT, "%s: not UTF-8 text", path);
      return FALSE;
    }
  lectern_corpus_add_paragraphs (corpus, path, language, weight, data, length);
  return TRUE;
}

void
lectern_corpus_add_words (LecternCorpus *corpus, LecternLanguage language, const char *text,
                          gssize length)
{
  WordList *list;
  const char *end, *p;

  g_return_if_fail (corpus != NULL && text != NULL);
  g_return_if_fail (language < LECTERN_N_LANGUAGES);
  list = &corpus->words[language];
  if (list->start->len == 0)
    {
      guint32 zero = 0;
      g_array_append_val (list->start, zero);
    }
  if (length < 0)
    length = strlen (text);
  end = text + length;
  for (p = text; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      g_autofree char *word = lectern_corpus_clean (p, line_end - p);
      gsize word_length = strlen (word);
      gsize word_chars = g_utf8_strlen (word, -1);

      p = line_end + 1;
      /* One word per line; possessives ("Aaron's") would make a quarter of the English list. */
      if (word_chars == 0 || word_chars > 24 || strchr (word, ' ') != NULL
          || g_str_has_suffix (word, "'s"))
        continue;
      if (list->text->len + word_length + 1 >= G_MAXUINT32)
        break;
      g_string_append_len (list->text, word, word_length + 1);
      guint32 next = (guint32) list->text->len;
      g_array_append_val (list->start, next);
    }
}

gsize
lectern_corpus_get_n_paragraphs (const LecternCorpus *corpus)
{
  gsize n = 0;
  for (guint i = 0; i < corpus->sources->len; i++)
    n += source_n_paragraphs (g_ptr_array_index (corpus->sources, i));
  return n;
}

static guint
word_list_length (const WordList *list)
{
  return list->start->len > 0 ? list->start->len - 1 : 0;
}

gsize
lectern_corpus_get_n_words (const LecternCorpus *corpus)
{
  gsize n = 0;
  for (int l = 0; l < LECTERN_N_LANGUAGES; l++)
    n += word_list_length (&corpus->words[l]);
  return n;
}

char *
lectern_corpus_describe (const LecternCorpus *corpus)
{
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < corpus->sources->len; i++)
    {
      const Source *source = g_ptr_array_index (corpus->sources, i);
      g_string_append_printf (out, "%s (%s): %u paragraphs, %" G_GSIZE_FORMAT " bytes\n",
                              source->name, language_names[source->language],
                              source_n_paragraphs (source), source->text->len);
    }
  for (int l = 0; l < LECTERN_N_LANGUAGES; l++)
    if (word_list_length (&corpus->words[l]) > 0)
      g_string_append_printf (out, "words (%s): %u\n", language_names[l],
                              word_list_length (&corpus->words[l]));
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------------------------- */
/* Debian sources */

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A fortune file: entries separated by lines holding only "%". Attribution lines ("\t\t-- Oscar
 * Wilde") are left out: the double hyphen would otherwise be the most common punctuation. */
static void
add_fortune_file (Source *source, const char *path)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  const char *p, *end, *entry;
  gboolean in_attribution = FALSE;

  if (!g_file_get_contents (path, &data, &length, NULL) || length > MAX_TEXT_FILE)
    return;
  end = data + length;
  entry = data;
  for (p = data; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *first = p;

      while (first < line_end && (*first == ' ' || *first == '\t'))
        first++;
      if (line_end - p == 1 && *p == '%')
        {
          if (!in_attribution)
            source_add_paragraph (source, entry, p - entry);
          entry = line_end + 1;
          in_attribution = FALSE;
        }
      else if (!in_attribution && first > p && line_end - first >= 2 && first[0] == '-'
               && first[1] == '-')
        {
          source_add_paragraph (source, entry, p - entry);
          in_attribution = TRUE;
        }
      p = line_end + 1;
    }
  if (!in_attribution && entry < end)
    source_add_paragraph (source, entry, end - entry);
}

static void
add_fortune_dir (LecternCorpus *corpus, const char *dir, const char *name,
                 LecternLanguage language)
{
  /* Pictures made of characters, not text. */
  static const char *const skipped[] = { "art", "ascii-art", "asciiart", NULL };
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *entry;
  Source *source;

  if (d == NULL)
    return;
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      if (strchr (entry, '.') != NULL || g_strv_contains (skipped, entry)
          || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      g_ptr_array_add (files, g_steal_pointer (&path));
    }
  /* Directory order differs between machines; the corpus must not. */
  g_ptr_array_sort (files, compare_paths);
  source = source_new (name, language, 1.0);
  for (guint i = 0; i < files->len; i++)
    add_fortune_file (source, g_ptr_array_index (files, i));
  corpus_take_source (corpus, source);
}

/* Verses from the `bible` program of bible-kjv, one "Ge1:1 text" per line. */
static void
add_bible (LecternCorpus *corpus)
{
  const char *argv[] = { "bible", "-f", "Gen1:1-Rev22:21", NULL };
  g_autofree char *program = g_find_program_in_path ("bible");
  g_autofree char *out = NULL;
  int status = 0;
  Source *source;
  const char *p, *end;

  if (program == NULL)
    return;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL) || out == NULL)
    return;
  source = source_new ("bible-kjv", LECTERN_LANGUAGE_ENGLISH, 1.0);
  end = out + strlen (out);
  for (p = out; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *space = memchr (p, ' ', line_end - p);
      if (space != NULL)
        source_add_paragraph (source, space + 1, line_end - space - 1);
      p = line_end + 1;
    }
  corpus_take_source (corpus, source);
}

/* Named roff characters that occur in the French and German man pages. */
static const char *
roff_named_char (const char *name)
{
  static const char *const table[][2] = {
    { ":a", "ä" }, { ":o", "ö" }, { ":u", "ü" }, { ":A", "Ä" }, { ":O", "Ö" }, { ":U", "Ü" },
    { ":e", "ë" }, { ":i", "ï" }, { "ss", "ß" }, { "'e", "é" }, { "`e", "è" }, { "^e", "ê" },
    { "`a", "à" }, { "^a", "â" }, { ",c", "ç" }, { "^o", "ô" }, { "^i", "î" }, { "^u", "û" },
    { "`u", "ù" }, { "'E", "É" }, { "aq", "'" }, { "cq", "’" }, { "oq", "‘" }, { "lq", "“" },
    { "rq", "”" }, { "Bq", "„" }, { "Fo", "«" }, { "Fc", "»" }, { "em", "—" }, { "en", "–" },
    { "hy", "-" }, { "de", "°" }, { "dq", "\"" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (strcmp (table[i][0], name) == 0)
      return table[i][1];
  return NULL;
}

/* Removes roff escapes from one line of text. Returns FALSE for a line with an escape that
 * cannot be turned into plain text (its paragraph is then dropped). */
static gboolean
roff_unescape (const char *p, const char *end, GString *out)
{
  while (p < end)
    {
      if (*p != '\\')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      if (++p >= end)
        return FALSE;
      switch (*p)
        {
        case '-': g_string_append_c (out, '-'); p++; break;
        case 'e': case '\\': g_string_append_c (out, '\\'); p++; break;
        case '&': case '|': case '^': case ',': case '/': case 'c': p++; break;
        case ' ': case '~': case '0': g_string_append_c (out, ' '); p++; break;
        case 'f':                                   /* font change */
          p++;
          if (p < end && *p == '(')
            p += 3;
          else if (p < end && *p == '[')
            {
              const char *close = memchr (p, ']', end - p);
              if (close == NULL)
                return FALSE;
              p = close + 1;
            }
          else
            p++;
          break;
        case '(':                                   /* two-character named glyph */
          {
            char name[3] = { 0 };
            const char *glyph;
            if (end - p < 3)
              return FALSE;
            name[0] = p[1];
            name[1] = p[2];
            glyph = roff_named_char (name);
            if (glyph == NULL)
              return FALSE;
            g_string_append (out, glyph);
            p += 3;
          }
          break;
        case '[':
          {
            const char *close = memchr (p, ']', end - p);
            g_autofree char *name = NULL;
            const char *glyph;
            if (close == NULL)
              return FALSE;
            name = g_strndup (p + 1, close - p - 1);
            glyph = roff_named_char (name);
            if (glyph == NULL)
              return FALSE;
            g_string_append (out, glyph);
            p = close + 1;
          }
          break;
        default:
          return FALSE;
        }
      if (p > end)
        return FALSE;
    }
  return TRUE;
}

/* Splits the arguments of a font macro (.B, .IR, …), honouring double quotes. */
static void
roff_macro_text (const char *args, const char *end, gboolean alternating, GString *out)
{
  const char *p = args;
  gboolean first = TRUE;
  while (p < end)
    {
      const char *word_end;
      while (p < end && *p == ' ')
        p++;
      if (p >= end)
        break;
      if (*p == '"')
        {
          p++;
          word_end = memchr (p, '"', end - p);
          if (word_end == NULL)
            word_end = end;
        }
      else
        {
          word_end = p;
          while (word_end < end && *word_end != ' ')
            word_end++;
        }
      if (!first && !alternating)
        g_string_append_c (out, ' ');
      g_string_append_len (out, p, word_end - p);
      first = FALSE;
      p = word_end < end ? word_end + 1 : end;
    }
}

/* Paragraphs about command-line options ("-w, --write …") read like no letter. */
static gboolean
mentions_options (const char *text)
{
  for (const char *p = text; *p; p++)
    if (*p == '-' && (p == text || p[-1] == ' ' || p[-1] == '(' || p[-1] == '[')
        && (g_ascii_isalnum (p[1]) || p[1] == '-'))
      return TRUE;
  return FALSE;
}

/* Turns a man page into paragraphs of running text: requests break paragraphs, font macros
 * give their words, preformatted blocks and the synopsis are skipped. */
static void
add_man_page_text (Source *source, const char *data, gsize length)
{
  static const char *const font_macros[] = { "B", "I", "SM", "SB", NULL };
  static const char *const alternating_macros[] = { "BI", "BR", "IB", "IR", "RB", "RI", NULL };
  g_autoptr (GString) paragraph = g_string_new (NULL);
  g_autoptr (GString) raw = g_string_new (NULL);
  const char *p = data, *end = data + length;
  gboolean preformatted = FALSE, skipped_section = FALSE, paragraph_ok = TRUE;

#define FLUSH()                                                                   \
  G_STMT_START {                                                                  \
    if (paragraph_ok && !skipped_section && paragraph->len > 0                    \
        && !mentions_options (paragraph->str))                                    \
      source_add_paragraph (source, paragraph->str, paragraph->len);              \
    g_string_truncate (paragraph, 0);                                             \
    paragraph_ok = TRUE;                                                          \
  } G_STMT_END

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *line = p;
      p = line_end + 1;

      if (line < line_end && (*line == '.' || *line == '\''))
        {
          const char *name = line + 1, *name_end;
          g_autofree char *macro = NULL;
          while (name < line_end && (*name == ' ' || *name == '\t'))
            name++;
          name_end = name;
          while (name_end < line_end && *name_end != ' ' && *name_end != '\t')
            name_end++;
          macro = g_strndup (name, name_end - name);
          if (g_str_has_prefix (macro, "\\\""))
            continue;                                       /* comment */
          if (g_strv_contains (font_macros, macro) || g_strv_contains (alternating_macros, macro))
            {
              if (preformatted)
                continue;
              g_string_truncate (raw, 0);
              roff_macro_text (name_end, line_end, g_strv_contains (alternating_macros, macro),
                               raw);
              if (paragraph->len > 0)
                g_string_append_c (paragraph, ' ');
              paragraph_ok = paragraph_ok && roff_unescape (raw->str, raw->str + raw->len,
                                                            paragraph);
              continue;
            }
          FLUSH ();
          if (strcmp (macro, "nf") == 0 || strcmp (macro, "EX") == 0)
            preformatted = TRUE;
          else if (strcmp (macro, "fi") == 0 || strcmp (macro, "EE") == 0)
            preformatted = FALSE;
          else if (strcmp (macro, "SH") == 0)
            {
              /* The synopsis is command syntax; the translation credits are addresses. */
              g_autofree char *heading = g_strndup (name_end, line_end - name_end);
              skipped_section = strstr (heading, "SYNOPSIS") != NULL
                                || strstr (heading, "BERSICHT") != NULL
                                || strstr (heading, "TRADUCTION") != NULL
                                || strstr (heading, "BERSETZUNG") != NULL;
            }
          continue;
        }
      if (preformatted)
        continue;
      if (paragraph->len > 0)
        g_string_append_c (paragraph, ' ');
      paragraph_ok = paragraph_ok && roff_unescape (line, line_end, paragraph);
    }
  FLUSH ();
#undef FLUSH
}

static char *
read_gzip_file (const char *path, gsize limit, gsize *length)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) raw = g_file_read (file, NULL, NULL);
  g_autoptr (GZlibDecompressor) decompressor = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint8 buffer[16384];

  if (raw == NULL)
    return NULL;
  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  stream = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (decompressor));
  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (bytes->len + (gsize) n > limit)
        return NULL;
      g_byte_array_append (bytes, buffer, n);
    }
  *length = bytes->len;
  g_byte_array_append (bytes, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
}

static void
add_man_pages (LecternCorpus *corpus, const char *lang_dir, const char *name,
               LecternLanguage language)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  Source *source;

  for (int section = 1; section <= 8; section++)
    {
      g_autofree char *dir = g_strdup_printf ("/usr/share/man/%s/man%d", lang_dir, section);
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      const char *entry;
      if (d == NULL)
        continue;
      while ((entry = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (entry, ".gz"))
          g_ptr_array_add (files, g_build_filename (dir, entry, NULL));
    }
  g_ptr_array_sort (files, compare_paths);
  source = source_new (name, language, 1.0);
  for (guint i = 0; i < files->len; i++)
    {
      gsize length = 0;
      g_autofree char *text = read_gzip_file (g_ptr_array_index (files, i), MAX_MAN_PAGE,
                                              &length);
      if (text != NULL && g_utf8_validate_len (text, length, NULL))
        add_man_page_text (source, text, length);
    }
  corpus_take_source (corpus, source);
}

static void
add_word_file (LecternCorpus *corpus, const char *path, LecternLanguage language)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL) || length > MAX_TEXT_FILE
      || !g_utf8_validate_len (data, length, NULL))
    return;
  lectern_corpus_add_words (corpus, language, data, length);
}

guint
lectern_corpus_add_system_sources (LecternCorpus *corpus)
{
  guint before = corpus->sources->len;

  g_return_val_if_fail (corpus != NULL, 0);
  add_fortune_dir (corpus, "/usr/share/games/fortunes", "fortunes", LECTERN_LANGUAGE_ENGLISH);
  add_fortune_dir (corpus, "/usr/share/games/fortunes/de", "fortunes-de",
                   LECTERN_LANGUAGE_GERMAN);
  add_bible (corpus);
  add_man_pages (corpus, "fr", "manpages-fr", LECTERN_LANGUAGE_FRENCH);
  add_man_pages (corpus, "de", "manpages-de", LECTERN_LANGUAGE_GERMAN);
  add_word_file (corpus, "/usr/share/dict/american-english", LECTERN_LANGUAGE_ENGLISH);
  add_word_file (corpus, "/usr/share/dict/french", LECTERN_LANGUAGE_FRENCH);
  add_word_file (corpus, "/usr/share/dict/ngerman", LECTERN_LANGUAGE_GERMAN);
  return corpus->sources->len - before
         + (word_list_length (&corpus->words[LECTERN_LANGUAGE_ENGLISH]) > 0)
         + (word_list_length (&corpus->words[LECTERN_LANGUAGE_FRENCH]) > 0)
         + (word_list_length (&corpus->words[LECTERN_LANGUAGE_GERMAN]) > 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Sampling */

/* Triangular on [lo, hi]: spans of middling length are the most common. */
static int
triangular (LecternRng *rng, int lo, int hi)
{
  float t = 0.5f * (lectern_rng_uniform (rng) + lectern_rng_uniform (rng));
  return lo + (int) (t * (hi - lo + 1));
}

static const Source *
pick_source (const LecternCorpus *corpus, LecternRng *rng)
{
  double present[LECTERN_N_LANGUAGES] = { 0 };
  double total = 0, r;

  if (corpus->sources->len == 0)
    return NULL;
  /* Each language gets its share, split among its sources by their weights. */
  for (guint i = 0; i < corpus->sources->len; i++)
    {
      const Source *source = g_ptr_array_index (corpus->sources, i);
      present[source->language] += source->weight;
    }
  for (guint i = 0; i < corpus->sources->len; i++)
    {
      const Source *source = g_ptr_array_index (corpus->sources, i);
      total += language_share[source->language] * source->weight / present[source->language];
    }
  r = lectern_rng_uniform (rng) * total;
  for (guint i = 0; i < corpus->sources->len; i++)
    {
      const Source *source = g_ptr_array_index (corpus->sources, i);
      r -= language_share[source->language] * source->weight / present[source->language];
      if (r < 0)
        return source;
    }
  return g_ptr_array_index (corpus->sources, corpus->sources->len - 1);
}

/* A span of whole words of a random paragraph, 5–60 characters. */
static void
sample_span (const LecternCorpus *corpus, LecternRng *rng, GString *out)
{
  const Source *source = pick_source (corpus, rng);
  const char *text, *p, *end;
  gsize length;
  int target, chars = 0;

  if (source == NULL)
    return;
  text = source_paragraph (source, lectern_rng_below (rng, source_n_paragraphs (source)), &length);
  end = text + length;
  target = triangular (rng, SPAN_MIN, SPAN_MAX);

  /* Start at the paragraph's beginning a third of the time (capitals after full stops come
   * naturally from inside), otherwise at a random word. */
  p = text;
  if (lectern_rng_uniform (rng) > 0.33f && length > (gsize) target)
    {
      p = text + lectern_rng_below (rng, (guint32) (length - target / 2));
      while (p < end && *p != ' ')
        p++;
      if (p < end)
        p++;
      if (p >= end)
        p = text;
    }

  while (p < end && chars < target)
    {
      const char *word_end = memchr (p, ' ', end - p);
      int word_chars;
      if (word_end == NULL)
        word_end = end;
      word_chars = (int) g_utf8_strlen (p, word_end - p);
      if (chars > 0 && chars + 1 + word_chars > SPAN_MAX)
        break;
      if (chars == 0 && word_chars > SPAN_MAX)
        return;
      if (chars > 0)
        {
          g_string_append_c (out, ' ');
          chars++;
        }
      g_string_append_len (out, p, word_end - p);
      chars += word_chars;
      p = word_end + 1;
    }
}

static LecternLanguage
pick_word_language (const LecternCorpus *corpus, LecternRng *rng)
{
  double total = 0, r;
  for (int l = 0; l < LECTERN_N_LANGUAGES; l++)
    if (word_list_length (&corpus->words[l]) > 0)
      total += language_share[l];
  if (total == 0)
    return LECTERN_N_LANGUAGES;
  r = lectern_rng_uniform (rng) * total;
  for (int l = 0; l < LECTERN_N_LANGUAGES; l++)
    if (word_list_length (&corpus->words[l]) > 0)
      {
        r -= language_share[l];
        if (r < 0)
          return (LecternLanguage) l;
      }
  for (int l = LECTERN_N_LANGUAGES - 1; l >= 0; l--)
    if (word_list_length (&corpus->words[l]) > 0)
      return (LecternLanguage) l;
  return LECTERN_N_LANGUAGES;
}

static const char *
random_word (const LecternCorpus *corpus, LecternLanguage language, LecternRng *rng)
{
  const WordList *list = &corpus->words[language];
  guint n = word_list_length (list);
  if (n == 0)
    return NULL;
  return list->text->str + g_array_index (list->start, guint32, lectern_rng_below (rng, n));
}

static void
append_capitalised (GString *out, const char *word)
{
  gunichar first = g_utf8_get_char (word);
  g_string_append_unichar (out, g_unichar_totitle (first));
  g_string_append (out, g_utf8_next_char (word));
}

/* 1–7 dictionary words, sometimes with a capital, commas and a final stop. */
static void
sample_words (const LecternCorpus *corpus, LecternRng *rng, GString *out)
{
  LecternLanguage language = pick_word_language (corpus, rng);
  int n = 1 + (int) lectern_rng_below (rng, 7);
  gboolean capital = lectern_rng_uniform (rng) < 0.4f;

  if (language == LECTERN_N_LANGUAGES)
    return;
  for (int i = 0; i < n; i++)
    {
      const char *word = random_word (corpus, language, rng);
      if (i > 0)
        g_string_append (out, lectern_rng_uniform (rng) < 0.08f ? ", " : " ");
      if (i == 0 && capital)
        append_capitalised (out, word);
      else
        g_string_append (out, word);
    }
  {
    float r = lectern_rng_uniform (rng);
    if (r < 0.20f)
      g_string_append_c (out, '.');
    else if (r < 0.25f)
      g_string_append_c (out, ',');
    else if (r < 0.27f)
      g_string_append (out, language == LECTERN_LANGUAGE_FRENCH ? " ?" : "?");
    else if (r < 0.29f)
      g_string_append_c (out, ':');
  }
  /* Headings and names in capitals. */
  if (lectern_rng_uniform (rng) < 0.05f)
    {
      g_autofree char *upper = g_utf8_strup (out->str, out->len);
      g_string_assign (out, upper);
    }
}

static const char *const months[3][12] = {
  { "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December" },
  { "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre" },
  { "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember" },
};

static int
random_year (LecternRng *rng)
{
  /* Mostly the 17th–20th centuries of the manuscripts, some recent years. */
  return 1600 + (int) lectern_rng_below (rng, 425);
}

/* Dates, sums of money, numbers, references, times: the digits that letters and registers
 * carry, in the conventions of each language. */
static void
sample_numbers (LecternRng *rng, LecternLanguage language, GString *out)
{
  int day = 1 + (int) lectern_rng_below (rng, 31);
  int month = (int) lectern_rng_below (rng, 12);
  int year = random_year (rng);
  int small = 1 + (int) lectern_rng_below (rng, 99);
  int big = (int) lectern_rng_below (rng, 100000);
  int cents = (int) lectern_rng_below (rng, 100);
  int kind = (int) lectern_rng_below (rng, 10);

  if (language > LECTERN_LANGUAGE_GERMAN)
    language = LECTERN_LANGUAGE_FRENCH;
  switch (kind)
    {
    case 0:           /* a written date */
      if (language == LECTERN_LANGUAGE_ENGLISH)
        g_string_append_printf (out, "%s %d, %d", months[0][month], day, year);
      else if (language == LECTERN_LANGUAGE_FRENCH)
        {
          if (lectern_rng_uniform (rng) < 0.4f)
            g_string_append (out, "le ");
          if (day == 1)
            g_string_append (out, "1er");
          else
            g_string_append_printf (out, "%d", day);
          g_string_append_printf (out, " %s %d", months[1][month], year);
        }
      else
        g_string_append_printf (out, "den %d. %s %d", day, months[2][month], year);
      break;
    case 1:           /* a numeric date */
      {
        const char *sep = language == LECTERN_LANGUAGE_GERMAN ? "." : "/";
        if (lectern_rng_uniform (rng) < 0.5f)
          g_string_append_printf (out, "%d%s%d%s%d", day, sep, month + 1, sep, year);
        else
          g_string_append_printf (out, "%02d%s%02d%s%02d", day, sep, month + 1, sep, year % 100);
      }
      break;
    case 2:           /* money */
      if (language == LECTERN_LANGUAGE_ENGLISH)
        {
          if (lectern_rng_uniform (rng) < 0.5f)
            g_string_append_printf (out, "$%d.%02d", small, cents);
          else
            g_string_append_printf (out, "£%d %ds %dd", small, cents % 20, cents % 12);
        }
      else if (language == LECTERN_LANGUAGE_FRENCH)
        {
          float r = lectern_rng_uniform (rng);
          if (r < 0.3f)
            g_string_append_printf (out, "%d fr. %02d", small, cents);
          else if (r < 0.6f)
            g_string_append_printf (out, "%d,%02d F", small, cents);
          else if (r < 0.8f)
            g_string_append_printf (out, "%d francs", big % 5000);
          else
            g_string_append_printf (out, "%d,%02d €", small, cents);
        }
      else
        g_string_append_printf (out, lectern_rng_uniform (rng) < 0.5f ? "%d,%02d Mark"
                                                                     : "%d,%02d €",
                                small, cents);
      break;
    case 3:           /* a reference number */
      {
        static const char *const prefix[3] = { "No. ", "N° ", "Nr. " };
        g_string_append_printf (out, "%s%d", prefix[language], big % 1000);
      }
      break;
    case 4:           /* a large number with thousands */
      {
        static const char sep[3] = { ',', ' ', '.' };
        if (big >= 1000)
          g_string_append_printf (out, "%d%c%03d", big / 1000, sep[language], big % 1000);
        else
          g_string_append_printf (out, "%d", big);
      }
      break;
    case 5:           /* a time */
      if (language == LECTERN_LANGUAGE_FRENCH)
        g_string_append_printf (out, "%d h %02d", small % 24, cents % 60);
      else if (language == LECTERN_LANGUAGE_GERMAN)
        g_string_append_printf (out, "%d Uhr %02d", small % 24, cents % 60);
      else
        g_string_append_printf (out, "%d:%02d", 1 + small % 12, cents % 60);
      break;
    case 6:           /* a page reference */
      {
        static const char *const prefix[3] = { "p. ", "p. ", "S. " };
        g_string_append_printf (out, "%s%d", prefix[language], small + big % 400);
      }
      break;
    case 7:           /* a decimal or a fraction */
      if (lectern_rng_uniform (rng) < 0.5f)
        g_string_append_printf (out, "%d%c%d", small, language == LECTERN_LANGUAGE_ENGLISH ? '.'
                                                                                           : ',',
                                cents);
      else
        g_string_append_printf (out, "%d %d/%d", small, 1 + cents % 3, 4);
      break;
    case 8:           /* a year or a plain count */
      g_string_append_printf (out, "%d", lectern_rng_uniform (rng) < 0.6f ? year : big);
      break;
    default:          /* an ordinal or percentage */
      if (lectern_rng_uniform (rng) < 0.5f)
        g_string_append_printf (out, language == LECTERN_LANGUAGE_ENGLISH ? "%d%%" : "%d %%",
                                small);
      else if (language == LECTERN_LANGUAGE_FRENCH)
        g_string_append_printf (out, "%de", small + 1);
      else if (language == LECTERN_LANGUAGE_GERMAN)
        g_string_append_printf (out, "%d.", small);
      else
        g_string_append_printf (out, "%d%s", small,
                                small % 10 == 1 && small != 11 ? "st"
                                : small % 10 == 2 && small != 12 ? "nd"
                                : small % 10 == 3 && small != 13 ? "rd" : "th");
      break;
    }
}

/* A number among a few words of the same language. */
static void
sample_mixed (const LecternCorpus *corpus, LecternRng *rng, GString *out)
{
  LecternLanguage language = pick_word_language (corpus, rng);
  int before = (int) lectern_rng_below (rng, 4), after = (int) lectern_rng_below (rng, 3);

  if (language == LECTERN_N_LANGUAGES)
    {
      sample_numbers (rng, LECTERN_LANGUAGE_FRENCH, out);
      return;
    }
  for (int i = 0; i < before; i++)
    {
      g_string_append (out, random_word (corpus, language, rng));
      g_string_append_c (out, ' ');
    }
  sample_numbers (rng, language, out);
  for (int i = 0; i < after; i++)
    {
      g_string_append_c (out, ' ');
      g_string_append (out, random_word (corpus, language, rng));
    }
}

/* Plain ASCII words and digits for fonts that cover little more. */
static void
sample_plain (LecternRng *rng, gboolean digits_only, GString *out)
{
  static const char *const fallback_words[] = {
    "the", "and", "of", "le", "la", "de", "et", "une", "maison", "lettre", "der", "und",
    "mit", "Paris", "London", "avec", "pour", "which", "with", "from", "nous", "vous",
  };
  int n = 1 + (int) lectern_rng_below (rng, 5);
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      if (digits_only)
        g_string_append_printf (out, "%u", lectern_rng_below (rng, 100000));
      else
        g_string_append (out, fallback_words[lectern_rng_below (rng,
                                                                G_N_ELEMENTS (fallback_words))]);
    }
}

static gboolean
sample_is_good (GString *sample, LecternCharFilter allowed, gpointer user_data)
{
  char *clean;
  if (sample->len == 0)
    return FALSE;
  clean = lectern_corpus_clean (sample->str, sample->len);
  g_string_assign (sample, clean);
  g_free (clean);
  return sample->len > 0 && g_utf8_strlen (sample->str, -1) <= LECTERN_CORPUS_MAX_SAMPLE
         && string_is_allowed (sample->str, allowed, user_data);
}

char *
lectern_corpus_sample (const LecternCorpus *corpus, LecternRng *rng, LecternCharFilter allowed,
                       gpointer user_data)
{
  g_autoptr (GString) sample = g_string_new (NULL);

  g_return_val_if_fail (corpus != NULL && rng != NULL, NULL);

  /* A font that lacks an accent or a symbol rejects some draws; a few retries keep the mix. */
  for (int attempt = 0; attempt < 40; attempt++)
    {
      float kind = lectern_rng_uniform (rng);
      g_string_truncate (sample, 0);
      if (kind < 0.62f)
        sample_span (corpus, rng, sample);
      else if (kind < 0.82f)
        sample_words (corpus, rng, sample);
      else if (kind < 0.92f)
        sample_numbers (rng, pick_word_language (corpus, rng), sample);
      else
        sample_mixed (corpus, rng, sample);
      if (sample_is_good (sample, allowed, user_data))
        return g_strdup (sample->str);
    }
  for (int attempt = 0; attempt < 8; attempt++)
    {
      g_string_truncate (sample, 0);
      sample_plain (rng, attempt >= 4, sample);
      if (sample_is_good (sample, allowed, user_data))
        return g_strdup (sample->str);
    }
  return NULL;
}
