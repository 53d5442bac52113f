/* cli.h — lectern-cli sub-commands.
 *
 * Each sub-command is one function in its own file app/cli-NAME.c, listed in the table in
 * cli.c. It receives argv with argv[0] = the sub-command's name, parses its own options with a
 * GOptionContext (lectern_cli_parse_options prints errors the same way for all), and returns
 * the exit status: 0 on success, LECTERN_CLI_EXIT_FAILURE when the work failed (a bad file),
 * LECTERN_CLI_EXIT_USAGE for bad arguments. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LECTERN_CLI_EXIT_FAILURE 1
#define LECTERN_CLI_EXIT_USAGE   2

/* Parses the sub-command's options; on an error prints "lectern-cli NAME: message" and a hint
 * to stderr and returns FALSE (return LECTERN_CLI_EXIT_USAGE then). */
gboolean lectern_cli_parse_options (GOptionContext   *context,
                                    int              *argc,
                                    char           ***argv);

/* Prints "lectern-cli: message" to stderr (for failures during the work itself). */
void     lectern_cli_print_error   (const GError     *error);

int lectern_cli_sample_page (int argc, char **argv);
int lectern_cli_synth (int argc, char **argv);
int lectern_cli_train (int argc, char **argv);
int lectern_cli_eval (int argc, char **argv);
int lectern_cli_model (int argc, char **argv);
int lectern_cli_recognize (int argc, char **argv);
int lectern_cli_bench (int argc, char **argv);
int lectern_cli_segment (int argc, char **argv);
int lectern_cli_segeval (int argc, char **argv);
int lectern_cli_lm (int argc, char **argv);
int lectern_cli_transcribe (int argc, char **argv);
int lectern_cli_pageeval (int argc, char **argv);
int lectern_cli_heatmap (int argc, char **argv);

/* The recognizer that transcribe, pageeval and bench --page use (app/cli-transcribe.c): the
 * model (NULL: the default), with the language model lm_path (NULL: the default one when it is
 * installed; none with no_lm) and the lexicon (nullable). lm_weight < 0, insertion_bonus NAN
 * and beam_width <= 0 keep the beam search's defaults. */
typedef struct {
  const char *model_path, *lm_path, *lexicon_path;
  gboolean    no_lm;
  double      lm_weight;
  double      insertion_bonus;   /* NAN: the default */
  int         beam_width;
} LecternCliRecognizerOptions;

struct _LecternRecognizer *lectern_cli_load_recognizer (const LecternCliRecognizerOptions *options,
                                                        GError **error);
/* `lectern-cli bench --page IMAGE` (app/cli-bench-page.c) */
int lectern_cli_bench_page (const char *image_path, const LecternCliRecognizerOptions *options,
                            int threads, int runs, gboolean json);

G_END_DECLS
