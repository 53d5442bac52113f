/* cli-model.c — `lectern-cli model`: show a model's architecture and card, or change its card.
 *
 *   lectern-cli model MODEL                      prints the architecture, charset and card
 *   lectern-cli model MODEL --set KEY=VALUE…     changes card entries (atomically, in place or -o) */
#include "config.h"
#include "cli.h"
#include "model.h"

#include <glib/gi18n.h>
#include <string.h>

int
lectern_cli_model (int argc, char **argv)
{
  g_auto (GStrv) sets = NULL;
  g_autofree char *out = NULL;
  GOptionEntry entries[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets, N_("Set a card entry (repeatable); an empty value removes it"), N_("KEY=VALUE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the changed model here instead of in place"), N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("MODEL — show or change a model's card"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      g_printerr (_("lectern-cli model: give exactly one model file\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternModel) model = lectern_model_load (argv[1], &error);
  if (model == NULL)
    {
      lectern_cli_print_error (error);
      return LECTERN_CLI_EXIT_FAILURE;
    }
  if (sets != NULL)
    {
      for (int i = 0; sets[i]; i++)
        {
          const char *eq = strchr (sets[i], '=');
          if (eq == NULL || eq == sets[i])
            {
              g_printerr (_("lectern-cli model: “%s” is not KEY=VALUE\n"), sets[i]);
              return LECTERN_CLI_EXIT_USAGE;
            }
          g_autofree char *key = g_strndup (sets[i], eq - sets[i]);
          if (strpbrk (key, "[]=\n") != NULL)
            {
              g_printerr (_("lectern-cli model: “%s” is not a valid key\n"), key);
              return LECTERN_CLI_EXIT_USAGE;
            }
          if (eq[1] == '\0')
            g_key_file_remove_key (model->card, "model", key, NULL);
          else
            lectern_model_set_info (model, key, eq + 1);
        }
      if (!lectern_model_save (model, out ? out : argv[1], &error))
        {
          lectern_cli_print_error (error);
          return LECTERN_CLI_EXIT_FAILURE;
        }
      return 0;
    }
  g_autofree char *arch = lectern_arch_to_string (&model->net->arch);
  gsize len;
  g_autofree char *chars = lectern_charset_to_string (model->charset, &len);
  g_print (_("Model:         %s\n"), argv[1]);
  g_print (_("Network:       %s, %d classes, %zu weights\n"), arch, model->net->arch.n_classes,
           model->net->n_params);
  g_print (_("Input:         %d px high, normalised with mean %.4f, deviation %.4f\n"),
           model->net->arch.input_height, model->net->arch.input_mean, model->net->arch.input_std);
  g_print (_("Characters:    %s\n"), chars);
  g_auto (GStrv) keys = g_key_file_get_keys (model->card, "model", NULL, NULL);
  for (int i = 0; keys && keys[i]; i++)
    {
      g_autofree char *v = lectern_model_get_info (model, keys[i]);
      g_print ("%-14s %s\n", keys[i], v);
    }
  return 0;
}
