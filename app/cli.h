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
int lectern_cli_recognize (int argc, char **argv);
int lectern_cli_bench (int argc, char **argv);
int lectern_cli_segment (int argc, char **argv);
int lectern_cli_segeval (int argc, char **argv);
int lectern_cli_lm (int argc, char **argv);

G_END_DECLS
