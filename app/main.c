/* main.c — entry point of the Lectern desktop application. */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "blas-core.h"
#include "lectern-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LecternApplication) app = NULL;

  lectern_blas_ensure_core (argv);
  lectern_blas_single_thread ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = lectern_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
